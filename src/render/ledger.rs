//! Ledger output: a table, CSV (formula-guarded) or JSON Lines.

use super::csv::{RecordWriter, guard, guarded};
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
        guarded_cell(row.account),
        guarded_cell(row.image),
        text(row.source),
        guarded_cell(row.scan_id),
        text(row.outcome),
        Cow::Borrowed(row.units.digits(units)),
        guarded_cell(row.draws),
        Cow::Borrowed(row.overage.digits(overage)),
        guarded_cell(row.file),
        Cow::Borrowed(u64_digits(row.line, line)),
        row.group.map_or(Cow::Borrowed(&b""[..]), guarded_cell),
    ]
}

/// [`guard`] as bytes.
fn guarded_cell(cell: &str) -> Cow<'_, [u8]> {
    match guard(cell) {
        Cow::Borrowed(cell) => Cow::Borrowed(cell.as_bytes()),
        Cow::Owned(cell) => Cow::Owned(cell.into_bytes()),
    }
}

/// [`csv_cells`] pushed straight into `out`, separated by commas, none
/// quoted: what the writer writes for a row whose fields need no quotes
/// (it looks at the row and writes the cells instead when one does). A
/// property test pins the two together.
fn lay_out(row: &LedgerRow, out: &mut Vec<u8>) {
    let text = |out: &mut Vec<u8>, cell: &str| {
        out.push(b',');
        if guarded(cell) {
            out.push(b'\'');
        }
        out.extend_from_slice(cell.as_bytes());
    };
    let word = |out: &mut Vec<u8>, cell: &str| {
        out.push(b',');
        out.extend_from_slice(cell.as_bytes());
    };
    out.extend_from_slice(&row.timestamp.rfc3339_bytes(&mut [0; 35]));
    text(out, row.account);
    text(out, row.image);
    word(out, row.source);
    text(out, row.scan_id);
    word(out, row.outcome);
    out.push(b',');
    out.extend_from_slice(row.units.digits(&mut [0; UNITS_TEXT]));
    text(out, row.draws);
    out.push(b',');
    out.extend_from_slice(row.overage.digits(&mut [0; UNITS_TEXT]));
    text(out, row.file);
    out.push(b',');
    out.extend_from_slice(u64_digits(row.line, &mut [0; 20]));
    if let Some(group) = row.group {
        text(out, group);
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
                let count = HEADER.len() + usize::from(row.group.is_some());
                writer.write_laid_out(
                    count,
                    |out| lay_out(row, out),
                    |writer| {
                        let mut numbers = RowNumbers::new();
                        let cells = csv_cells(row, &mut numbers);
                        writer.write_record(cells[..count].iter().map(|cell| &**cell))
                    },
                )
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

#[cfg(test)]
mod tests {
    use super::{RowNumbers, Sink, csv_cells};
    use crate::domain::values::{Instant, Units};
    use crate::domain::zone::Zone;
    use crate::model::ledger::LedgerRow;
    use crate::render::csv::RecordWriter;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A row laid out straight into the writer's buffer is the row its
        /// cells make through the general writer: texts with commas,
        /// quotes, line ends and formula starts, empty texts, any units,
        /// with and without a group, times in any zone and with fractions.
        #[test]
        fn a_laid_out_row_is_the_row_its_cells_make(
            texts in prop::collection::vec("[a,\"\r\n=+@'\t-]{0,4}", 6),
            group in prop::option::of("[a,\"=-]{0,3}"),
            units in (any::<i64>(), 0u32..8),
            overage in (any::<i64>(), 0u32..8),
            seconds in 0i64..253_402_300_799,
            nanos in prop::sample::select(vec![0u32, 5_000_000, 123_456, 999_999_999]),
            offset in -(14 * 60i32)..=14 * 60,
            line in any::<u64>(),
            outcome in prop::sample::select(vec!["first", "repeat", "after_as_of"]),
        ) {
            let zone = Zone::Fixed(chrono::FixedOffset::east_opt(offset * 60).unwrap());
            let at = chrono::DateTime::from_timestamp(seconds, nanos).unwrap();
            let row = LedgerRow {
                timestamp: Instant::new(zone, at),
                account: &texts[0],
                image: &texts[1],
                source: "registry",
                scan_id: &texts[2],
                outcome,
                units: Units::new(Decimal::new(units.0, units.1)),
                draws: &texts[3],
                overage: Units::new(Decimal::new(overage.0, overage.1)),
                file: &texts[4],
                line,
                group: group.as_deref(),
            };
            let mut laid = Vec::new();
            let mut sink = Sink::Csv(RecordWriter::new(&mut laid));
            sink.row(&row).unwrap();
            sink.finish().unwrap();
            let mut general = Vec::new();
            let mut writer = RecordWriter::new(&mut general);
            let mut numbers = RowNumbers::new();
            let cells = csv_cells(&row, &mut numbers);
            let count = cells.len() - usize::from(row.group.is_none());
            writer.write_record(cells[..count].iter().map(|cell| &**cell)).unwrap();
            writer.flush().unwrap();
            drop(writer);
            prop_assert_eq!(String::from_utf8(laid).unwrap(), String::from_utf8(general).unwrap());
        }
    }
}
