//! The audit trail: one row per input scan in replay order, with what the
//! replay did to it. Summing `units` by outcome reproduces the report.

use crate::domain::numbers::{UNITS_TEXT, units_digits};
use crate::domain::values::{Instant, Units};
use crate::domain::zone::Zone;
use crate::engine::meter::ScanResult;
use crate::input::log::{ReadRow, ScanLog};
use crate::plan::Plan;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The outcome of a row dated after as-of: read, not replayed.
pub(crate) const AFTER_AS_OF: &str = "after_as_of";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow<'log> {
    /// The scan's time, in the zone times are shown in.
    pub timestamp: Instant,
    pub account: &'log str,
    pub(crate) image: &'log str,
    pub(crate) source: &'static str,
    pub(crate) scan_id: &'log str,
    pub outcome: &'static str,
    pub units: Units,
    /// `allowance:units` pairs, `;`-separated, for the allowances drawn from.
    pub(crate) draws: &'log str,
    pub overage: Units,
    pub(crate) file: &'log str,
    pub(crate) line: u64,
    /// With `--by`: the row's group (`(none)` for an empty key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) group: Option<&'log str>,
}

/// The ledger row of `read`, a row of `log`, with what the replay did to it
/// (`None`: dated after as-of, read but not replayed).
/// `draws` is room for the row's draws, reused from row to row (a ledger
/// writes millions: no allocation a row).
pub fn ledger_row<'row>(
    plan: &Plan,
    log: &'row ScanLog,
    grouped: bool,
    read: &ReadRow<'row>,
    result: Option<&ScanResult<'_>>,
    draws: &'row mut String,
) -> LedgerRow<'row> {
    ledger_row_in(plan.zone, plan, log, grouped, read, result, draws)
}

/// [`ledger_row`] with its time shown in `shown` (`--display-zone`).
pub(crate) fn ledger_row_in<'row>(
    shown: Zone,
    plan: &Plan,
    log: &'row ScanLog,
    grouped: bool,
    read: &ReadRow<'row>,
    result: Option<&ScanResult<'_>>,
    draws: &'row mut String,
) -> LedgerRow<'row> {
    let event = &read.event;
    draws.clear();
    let mut entry = LedgerRow {
        timestamp: Instant::new(shown, event.at),
        account: log.accounts.name(event.account),
        image: read.image_text,
        source: event.source.as_str(),
        scan_id: read.scan_id_text,
        outcome: AFTER_AS_OF,
        units: Units::default(),
        draws: "",
        overage: Units::default(),
        file: &log.files[event.file as usize],
        line: event.line,
        group: grouped.then(|| log.groups.name(event.group)),
    };
    if let Some(result) = result {
        entry.outcome = result.outcome.as_str();
        entry.units = Units::new(result.units());
        entry.overage = Units::new(result.overage());
        // One string for every draw: a ledger writes millions of rows.
        for (draw, allowance) in result.draws().zip(&plan.allowances) {
            if draw.is_zero() {
                continue;
            }
            if !draws.is_empty() {
                draws.push(';');
            }
            // What `{name}:{units}` formats, without the formatting machinery.
            draws.push_str(&allowance.name);
            draws.push(':');
            // (Digits, a point and a sign: one char a byte.)
            let mut digits = [0; UNITS_TEXT];
            let digits = units_digits(draw, &mut digits);
            draws.extend(digits.iter().map(|&byte| char::from(byte)));
        }
        entry.draws = draws;
    }
    entry
}

/// `ledger --from --to`: the rows whose scan time is in `[from, to)`; either
/// bound may be open. Only what is printed is cut: every row is replayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Window {
    pub(crate) fn holds(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }
}
