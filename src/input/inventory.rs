//! Inventories (`--inventory`): the images known to exist, scanned or not,
//! as CSV `image,source`.

use crate::domain::error::Result;
use crate::input::csv_input::{CsvInput, Layout};
use crate::input::log::{STDIN_NAME, Source, open_input};

/// Images known to exist, scanned or not (`--inventory`, CSV `image,source`).
/// Laid out as `layout` says (`--inventory-column`, `--inventory-delimiter`).
pub(crate) fn read_inventory(path: &str, layout: &Layout) -> Result<Vec<(Source, String)>> {
    let name = if path == "-" { STDIN_NAME } else { path };
    parse_laid_out(name, open_input(path)?, layout)
}

/// [`read_inventory`] from any reader; `name` names it in messages.
pub fn parse_inventory(name: &str, reader: impl std::io::Read) -> Result<Vec<(Source, String)>> {
    parse_laid_out(name, reader, &Layout::default())
}

fn parse_laid_out(
    name: &str,
    reader: impl std::io::Read,
    layout: &Layout,
) -> Result<Vec<(Source, String)>> {
    const COLUMNS: [&str; 2] = ["image", "source"];
    let mut input =
        CsvInput::with_layout(name, "inventory", "image,source", reader, layout, &COLUMNS)?;
    let image = input.require("image", &COLUMNS)?;
    let source = input.find("source")?;
    let mut record = csv::ByteRecord::new();
    let mut images = Vec::new();
    while input.read(&mut record)? {
        let row = input.row(&record);
        let image_text = row.trimmed(image)?;
        if image_text.is_empty() {
            return Err(row.fail(
                image,
                image_text,
                "is empty; every row needs an image, e.g. sha256:…",
            ));
        }
        let source_text = row.optional(source)?;
        let source_value = if source_text.is_empty() {
            Source::Registry
        } else {
            Source::parse(source_text).ok_or_else(|| {
                row.fail(
                    source.unwrap_or(0),
                    source_text,
                    "is not a source; write local, registry or cicd",
                )
            })?
        };
        images.push((source_value, image_text.to_string()));
    }
    Ok(images)
}
