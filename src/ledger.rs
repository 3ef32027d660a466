//! The audit trail: one row per input scan in replay order, with what the
//! replay did to it. Summing `units` by outcome reproduces the report.

use crate::log::{ScanEvent, ScanLog};
use crate::meter::Schedule;
use crate::plan::Plan;
use crate::replay::each_outcome;
use crate::report::Units;
use serde::Serialize;

/// The outcome of a row dated after as-of: read, not replayed.
pub const AFTER_AS_OF: &str = "after_as_of";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow<'log> {
    pub timestamp: String,
    pub account: &'log str,
    pub image: &'log str,
    pub source: &'static str,
    pub scan_id: &'log str,
    pub outcome: &'static str,
    pub units: Units,
    /// `allowance:units` pairs, `;`-separated, for the allowances drawn from.
    pub draws: String,
    pub overage: Units,
    pub file: &'log str,
    pub line: u64,
    /// With `--by`: the row's group (`(none)` for an empty key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'log str>,
}

fn row<'log>(
    plan: &Plan,
    log: &'log ScanLog,
    grouped: bool,
    event: &ScanEvent,
    outcome: &'static str,
) -> LedgerRow<'log> {
    LedgerRow {
        timestamp: plan.zone.format(event.at),
        account: log.accounts.name(event.account),
        image: log.images.name(event.image),
        source: event.source.as_str(),
        scan_id: log.scan_id_text(event).unwrap_or_default(),
        outcome,
        units: Units::default(),
        draws: String::new(),
        overage: Units::default(),
        file: &log.files[event.file as usize],
        line: event.line,
        group: grouped.then(|| log.groups.name(event.group)),
    }
}

/// Every row of the log (of `account`, if given) in replay order; rows after
/// as-of come last with the outcome `after_as_of` and no units.
pub fn ledger<'log>(
    plan: &Plan,
    log: &'log ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
) -> Vec<LedgerRow<'log>> {
    let mut rows = Vec::with_capacity(log.events.len());
    each_row(plan, log, schedule, account, |row| rows.push(row));
    rows
}

/// [`ledger`], handing each row to `each` as it is made instead of keeping
/// them all: a ledger of millions of rows streams to its output.
pub fn each_row<'log>(
    plan: &Plan,
    log: &'log ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
    mut each: impl FnMut(LedgerRow<'log>),
) {
    let grouped = schedule.grouped;
    each_outcome(plan, log, schedule, account, |event, result| {
        let mut entry = row(plan, log, grouped, event, result.outcome.as_str());
        entry.units = Units(result.units());
        entry.overage = Units(result.overage());
        entry.draws = result
            .draws()
            .zip(&plan.allowances)
            .filter(|(draw, _)| !draw.is_zero())
            .map(|(draw, allowance)| format!("{}:{}", allowance.name, Units(draw)))
            .collect::<Vec<_>>()
            .join(";");
        each(entry);
    });
    let wanted = account.map(|name| log.accounts.get(name));
    log.events
        .iter()
        .filter(|event| event.at > schedule.as_of)
        .filter(|event| wanted.is_none_or(|id| id == Some(event.account)))
        .for_each(|event| each(row(plan, log, grouped, event, AFTER_AS_OF)));
}
