//! Ledger output: a table, CSV (formula-guarded) or JSON Lines.

use super::csv::{RecordWriter, guard};
use crate::domain::numbers::{UNITS_TEXT, u64_digits};
use crate::model::ledger::LedgerRow;
use comfy_table::{Cell, CellAlignment};
use std::borrow::Cow;
use std::io::Write;

const HEADER: [&str; 11] = [
    "timestamp",
    "account",
    "image",
    "source",
    "scan_id",
    "outcome",
    "units",
    "draws",
    "overage",
    "file",
    "line",
];

/// The numbers of one CSV row, written without the formatting machinery
/// (a ledger writes millions of rows).
struct RowNumbers {
    time: [u8; 35],
    units: [u8; UNITS_TEXT],
    overage: [u8; UNITS_TEXT],
    line: [u8; 20],
}

impl RowNumbers {
    fn new() -> Self {
        RowNumbers {
            time: [0; 35],
            units: [0; UNITS_TEXT],
            overage: [0; UNITS_TEXT],
            line: [0; 20],
        }
    }
}

/// A row's CSV cells, as bytes (the writer takes bytes: no check that
/// numbers are UTF-8); text from the input is guarded against formulas.
/// The `group` cell is last, and written only with `--by`.
fn csv_cells<'r>(row: &'r LedgerRow, numbers: &'r mut RowNumbers) -> [Cow<'r, [u8]>; 12] {
    let RowNumbers {
        time,
        units,
        overage,
        line,
    } = numbers;
    let text = |cell: &'r str| Cow::Borrowed(cell.as_bytes());
    [
        row.timestamp.rfc3339_bytes(time),
        guarded(row.account),
        guarded(row.image),
        text(row.source),
        guarded(row.scan_id),
        text(row.outcome),
        Cow::Borrowed(row.units.digits(units)),
        guarded(row.draws),
        Cow::Borrowed(row.overage.digits(overage)),
        guarded(row.file),
        Cow::Borrowed(u64_digits(row.line, line)),
        row.group.map_or(Cow::Borrowed(&b""[..]), guarded),
    ]
}

/// [`guard`] as bytes.
fn guarded(cell: &str) -> Cow<'_, [u8]> {
    match guard(cell) {
        Cow::Borrowed(cell) => Cow::Borrowed(cell.as_bytes()),
        Cow::Owned(cell) => Cow::Owned(cell.into_bytes()),
    }
}

/// Writes ledger rows as CSV or JSON Lines one at a time, as the replay
/// makes them, so a ledger of millions of rows is never held in memory.
pub enum Sink<'w> {
    Csv(RecordWriter<&'w mut dyn Write>),
    Jsonl(&'w mut dyn Write),
}

impl<'w> Sink<'w> {
    /// CSV rows after the header row; `grouped` adds the `group` column.
    pub fn csv(out: &'w mut dyn Write, grouped: bool) -> std::io::Result<Self> {
        let mut writer = RecordWriter::new(out);
        let group = grouped.then_some("group");
        writer.write_record(HEADER.iter().copied().chain(group).map(str::as_bytes))?;
        Ok(Sink::Csv(writer))
    }

    /// One JSON object a line.
    pub(crate) fn jsonl(out: &'w mut dyn Write) -> Self {
        Sink::Jsonl(out)
    }

    pub fn row(&mut self, row: &LedgerRow) -> std::io::Result<()> {
        match self {
            Sink::Csv(writer) => {
                let mut numbers = RowNumbers::new();
                let cells = csv_cells(row, &mut numbers);
                let count = cells.len() - usize::from(row.group.is_none());
                writer.write_record(cells[..count].iter().map(|cell| &**cell))
            }
            Sink::Jsonl(out) => {
                serde_json::to_writer(&mut **out, row)?;
                out.write_all(b"\n")
            }
        }
    }

    pub fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Csv(mut writer) => writer.flush(),
            Sink::Jsonl(out) => out.flush(),
        }
    }
}

/// The ledger as a terminal table, built row by row as the replay hands
/// rows over, then laid out whole.
pub(crate) struct LedgerTable {
    table: comfy_table::Table,
    widths: Vec<usize>,
}

impl LedgerTable {
    /// `grouped`: with `--by`, a Group column; `width`: the columns to fit.
    pub(crate) fn new(grouped: bool, width: u16) -> Self {
        let mut header = vec![
            "Time", "Account", "Image", "Outcome", "Units", "Draws", "Overage", "From",
        ];
        if grouped {
            header.push("Group");
        }
        // The same rule as every other table: fit the width, wrapping cells at
        // spaces only; run wider rather than split a word.
        let header: Vec<String> = header.into_iter().map(String::from).collect();
        let table = super::table::new_table(Some(&header), 4, 0, width);
        let mut widths = Vec::new();
        super::table::widen(&mut widths, &header);
        LedgerTable { table, widths }
    }

    pub(crate) fn row(&mut self, row: &LedgerRow<'_>) {
        let mut line = vec![
            row.timestamp.short(),
            row.account.to_string(),
            shorten_image(row.image),
            row.outcome.to_string(),
            row.units.to_string(),
            row.draws.to_string(),
            row.overage.to_string(),
            format!("{}:{}", crate::domain::text::shown(row.file), row.line),
        ];
        line.extend(row.group.map(str::to_string));
        super::table::widen(&mut self.widths, &line);
        self.table.add_row(line.into_iter().map(Cell::new));
    }

    pub(crate) fn finish(self) -> String {
        let LedgerTable {
            mut table,
            mut widths,
        } = self;
        for index in [4, 6] {
            if let Some(column) = table.column_mut(index) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        // A time is read as one word: its date and clock stay on one line.
        if let Some(time) = widths.first_mut() {
            *time = (*time).max(16);
        }
        super::table::set_lower_bounds(&mut table, widths);
        super::table::trim_line_ends(&format!("{table}\n"))
    }
}

/// Digests are long; a table shows their first 19 characters (`sha256:` + 12).
/// Cut before control characters are shown escaped, so an escape is never
/// cut in two.
fn shorten_image(image: &str) -> String {
    match image.char_indices().nth(19) {
        Some((cut, _)) => format!("{}…", crate::domain::text::shown(&image[..cut])),
        None => crate::domain::text::shown(image).into_owned(),
    }
}
