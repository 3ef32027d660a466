//! `scanquota import FORMAT FILE…`: scanner reports or registry events as
//! the canonical scan-log CSV, with the extra columns the format knows.
//! Every file is read and checked before anything is printed.

use super::CommandOutput;
use crate::app::cli::ImportArgs;
use crate::app::job::import_inputs;
use crate::domain::error::Result;
use crate::input::log::formats::{EXTRA_COLUMNS, Skipped, file_list, read_documents, skipped_note};
use crate::input::log::{STDIN_NAME, open_input};

const COLUMNS: [&str; 7] = [
    "timestamp",
    "account",
    "image",
    "source",
    "status",
    "risk",
    "scan_id",
];

pub(crate) fn run(args: &ImportArgs) -> Result<CommandOutput> {
    let (paths, options, notes) = import_inputs(args)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = COLUMNS
        .iter()
        .chain(EXTRA_COLUMNS.iter())
        .copied()
        .collect();
    writer
        .write_record(&header)
        .expect("writing to memory cannot fail");
    let mut skipped = Skipped::default();
    let mut scans: u64 = 0;
    let mut names = Vec::with_capacity(paths.len());
    for path in &paths {
        let name = if path == "-" { STDIN_NAME } else { path };
        names.push(name.to_string());
        read_documents(name, open_input(path)?, &options, &mut skipped, |record| {
            // The timestamp was checked as it was read (naming the
            // document's key), so the CSV written is one `report` reads.
            // Names as read, not guarded against spreadsheet formulas as
            // the views' CSV is: this is a scan log scanquota reads back,
            // and `'@ops` would bill another account than `@ops`.
            let mut row: Vec<String> = vec![
                record.timestamp.clone(),
                args.account.clone(),
                record.image.clone(),
                record.source.to_string(),
                record.status.to_string(),
                record.risk.to_string(),
                record.scan_id.clone(),
            ];
            row.extend(
                EXTRA_COLUMNS
                    .iter()
                    .map(|column| record.extra.get(column).cloned().unwrap_or_default()),
            );
            writer
                .write_record(&row)
                .expect("writing to memory cannot fail");
            scans += 1;
            Ok(true)
        })?;
    }
    let bytes = writer.into_inner().expect("flushing to memory cannot fail");
    let mut stderr = notes + &skipped_note(&skipped);
    if scans == 0 {
        // A header alone on stdout looks like success; whoever pipes it on
        // should know nothing was imported, and from which files.
        stderr += &format!(
            "scanquota: imported no scan from {}: the CSV holds its header only\n",
            file_list(&names)
        );
    }
    Ok(CommandOutput {
        stderr,
        ..CommandOutput::success(String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8"))
    })
}
