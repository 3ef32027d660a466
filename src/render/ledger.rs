//! Ledger output: a table, CSV (formula-guarded) or JSON Lines.

use super::csv::{guard, write_rows};
use crate::ledger::LedgerRow;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

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
    write_rows(
        &HEADER,
        rows.iter().map(|row| {
            [
                row.timestamp.clone(),
                guard(&row.account).into_owned(),
                guard(&row.image).into_owned(),
                row.source.to_string(),
                guard(&row.scan_id).into_owned(),
                row.outcome.to_string(),
                row.units.to_string(),
                guard(&row.draws).into_owned(),
                row.overage.to_string(),
                guard(&row.file).into_owned(),
                row.line.to_string(),
            ]
        }),
    )
}

pub fn jsonl(rows: &[LedgerRow]) -> String {
    let mut out = String::new();
    for row in rows {
        out += &serde_json::to_string(row).expect("a ledger row serialises to JSON");
        out.push('\n');
    }
    out
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
            Cell::new(&row.account),
            Cell::new(shorten_image(&row.image)),
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
