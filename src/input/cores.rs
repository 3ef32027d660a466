//! Core samples (`--cores`, docs/plan.md `[cores]`): the hourly count of
//! online cores per account, read from CSV `timestamp,account,cores`.

use crate::domain::error::Result;
use crate::domain::numbers::{MAX_VALUE, parse_decimal};
use crate::domain::zone::{Zone, parse_timestamp};
use crate::input::csv_input::{CsvInput, Layout};
use crate::input::log::open_input;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub(crate) at: DateTime<Utc>,
    pub(crate) account: String,
    pub(crate) cores: Decimal,
}

const COLUMNS: [&str; 3] = ["timestamp", "account", "cores"];

/// Read a cores CSV (`timestamp,account,cores`; account defaults to `default`).
pub fn read_samples(path: &str, zone: Zone) -> Result<Vec<Sample>> {
    read_samples_laid_out(path, &Layout::default(), zone)
}

/// [`read_samples`] of a file laid out as `layout` says (`--cores-column`,
/// `--cores-delimiter`).
pub(crate) fn read_samples_laid_out(
    path: &str,
    layout: &Layout,
    zone: Zone,
) -> Result<Vec<Sample>> {
    let name = if path == "-" {
        crate::input::log::STDIN_NAME
    } else {
        path
    };
    parse_laid_out(name, open_input(path)?, layout, zone)
}

/// [`read_samples`] from any reader; `name` names it in messages.
pub fn parse_samples(name: &str, reader: impl std::io::Read, zone: Zone) -> Result<Vec<Sample>> {
    parse_laid_out(name, reader, &Layout::default(), zone)
}

fn parse_laid_out(
    name: &str,
    reader: impl std::io::Read,
    layout: &Layout,
    zone: Zone,
) -> Result<Vec<Sample>> {
    let mut input = CsvInput::with_layout(
        name,
        "cores file",
        "timestamp,account,cores",
        reader,
        layout,
        &COLUMNS,
    )?;
    let timestamp = input.require("timestamp", &COLUMNS)?;
    let cores = input.require("cores", &COLUMNS)?;
    let account = input.find("account")?;
    let mut record = csv::ByteRecord::new();
    let mut samples = Vec::new();
    // Each account's count at each instant, and the line it was read on:
    // two different counts at one instant would bill whichever came last.
    let mut seen: std::collections::HashMap<(DateTime<Utc>, String), (Decimal, u64)> =
        std::collections::HashMap::new();
    while input.read(&mut record)? {
        let row = input.row(&record);
        let text = row.cell(timestamp)?;
        let at = parse_timestamp(text, zone).map_err(|err| {
            row.fail(
                timestamp,
                text,
                &format!("is not a usable timestamp; {err}"),
            )
        })?;
        let count_text = row.trimmed(cores)?;
        let count = parse_decimal(count_text)
            .filter(|c| !c.is_sign_negative() && *c <= MAX_VALUE)
            .ok_or_else(|| {
                row.fail(
                    cores,
                    count_text,
                    "is not a core count; write a number of zero or more, e.g. 120",
                )
            })?;
        let account_text = row.optional(account)?;
        if crate::domain::text::has_hidden(account_text) {
            return Err(row.fail(
                account.unwrap_or(0),
                &crate::domain::text::shown(account_text),
                crate::domain::text::HIDDEN_IN_ACCOUNT,
            ));
        }
        let account_name: String = if account_text.is_empty() {
            "default".into()
        } else {
            account_text.into()
        };
        match seen.entry((at, account_name.clone())) {
            std::collections::hash_map::Entry::Occupied(first) if first.get().0 != count => {
                let (first_count, first_line) = *first.get();
                return Err(row.fail(
                    cores,
                    count_text,
                    &format!(
                        "differs from {first_count}, the count for the same account at the same time on line {first_line}; keep one sample an instant"
                    ),
                ));
            }
            std::collections::hash_map::Entry::Occupied(_) => {}
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((count, row.line));
            }
        }
        samples.push(Sample {
            at,
            account: account_name,
            cores: count,
        });
    }
    samples.sort_by_key(|s| s.at);
    Ok(samples)
}
