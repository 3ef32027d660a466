//! Ledger output: a table, CSV (formula-guarded) or JSON Lines.

use super::csv::{guard, write_rows};
use crate::cli::LedgerFormat;
use crate::ledger::LedgerRow;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
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

pub fn csv(rows: &[LedgerRow]) -> String {
    write_rows(&HEADER, rows.iter().map(csv_cells))
}

fn csv_cells(row: &LedgerRow) -> [String; 11] {
    [
        row.timestamp.clone(),
        guard(row.account).into_owned(),
        guard(row.image).into_owned(),
        row.source.to_string(),
        guard(row.scan_id).into_owned(),
        row.outcome.to_string(),
        row.units.to_string(),
        guard(&row.draws).into_owned(),
        row.overage.to_string(),
        guard(row.file).into_owned(),
        row.line.to_string(),
    ]
}

pub fn jsonl(rows: &[LedgerRow]) -> String {
    let mut out = Vec::new();
    let mut sink = Sink::new(LedgerFormat::Jsonl, &mut out).expect("writing to memory cannot fail");
    for row in rows {
        sink.row(row).expect("writing to memory cannot fail");
    }
    sink.finish().expect("writing to memory cannot fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes ledger rows as CSV or JSON Lines one at a time, as the replay
/// makes them, so a ledger of millions of rows is never held in memory.
pub enum Sink<'w> {
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Jsonl(&'w mut dyn Write),
}

impl<'w> Sink<'w> {
    /// A sink for `format` (`table` cannot stream: use [`table`]); a CSV
    /// sink starts with the header row.
    pub fn new(format: LedgerFormat, out: &'w mut dyn Write) -> std::io::Result<Self> {
        Ok(match format {
            LedgerFormat::Jsonl => Sink::Jsonl(out),
            LedgerFormat::Csv | LedgerFormat::Table => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(HEADER).map_err(csv_to_io)?;
                Sink::Csv(Box::new(writer))
            }
        })
    }

    pub fn row(&mut self, row: &LedgerRow) -> std::io::Result<()> {
        match self {
            Sink::Csv(writer) => writer.write_record(csv_cells(row)).map_err(csv_to_io),
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

fn csv_to_io(err: csv::Error) -> std::io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

pub fn table(rows: &[LedgerRow]) -> String {
    let mut table = Table::new();
    table
        .load_style(super::table::STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "Time", "Account", "Image", "Outcome", "Units", "Draws", "Overage", "From",
        ]);
    for index in [4, 6] {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    for row in rows {
        table.add_row(vec![
            Cell::new(super::table::short_time(&row.timestamp)),
            Cell::new(row.account),
            Cell::new(shorten_image(row.image)),
            Cell::new(row.outcome),
            Cell::new(row.units),
            Cell::new(&row.draws),
            Cell::new(row.overage),
            Cell::new(format!("{}:{}", row.file, row.line)),
        ]);
    }
    format!("{table}\n")
}

/// Digests are long; a table shows their first 19 characters (`sha256:` + 12).
fn shorten_image(image: &str) -> String {
    match image.char_indices().nth(19) {
        Some((cut, _)) => format!("{}…", &image[..cut]),
        None => image.to_string(),
    }
}
