//! The audit trail: one row per input scan in replay order, with what the
//! replay did to it. Summing `units` by outcome reproduces the report.

use crate::log::{ScanEvent, ScanLog};
use crate::meter::{Schedule, replay};
use crate::plan::Plan;
use crate::report::Units;
use serde::Serialize;

/// The outcome of a row dated after as-of: read, not replayed.
pub const AFTER_AS_OF: &str = "after_as_of";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow {
    pub timestamp: String,
    pub account: String,
    pub image: String,
    pub source: &'static str,
    pub scan_id: String,
    pub outcome: &'static str,
    pub units: Units,
    /// `allowance:units` pairs, `;`-separated, for the allowances drawn from.
    pub draws: String,
    pub overage: Units,
    pub file: String,
    pub line: u64,
}

fn row(plan: &Plan, log: &ScanLog, event: &ScanEvent, outcome: &'static str) -> LedgerRow {
    LedgerRow {
        timestamp: plan.zone.format(event.at),
        account: log.accounts.name(event.account).to_string(),
        image: log.images.name(event.image).to_string(),
        source: event.source.as_str(),
        scan_id: log.scan_id_text(event).unwrap_or_default().to_string(),
        outcome,
        units: Units::default(),
        draws: String::new(),
        overage: Units::default(),
        file: log.files[event.file as usize].clone(),
        line: event.line,
    }
}

/// Every row of the log (of `account`, if given) in replay order; rows after
/// as-of come last with the outcome `after_as_of` and no units.
pub fn ledger(
    plan: &Plan,
    log: &ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
) -> Vec<LedgerRow> {
    let mut rows = Vec::with_capacity(log.events.len());
    replay(plan, log, schedule, account, |event, result| {
        let mut entry = row(plan, log, event, result.outcome.as_str());
        entry.units = Units(result.units);
        entry.overage = Units(result.overage);
        entry.draws = result
            .draws
            .iter()
            .zip(&plan.allowances)
            .filter(|(draw, _)| !draw.is_zero())
            .map(|(draw, allowance)| format!("{}:{}", allowance.name, Units(*draw)))
            .collect::<Vec<_>>()
            .join(";");
        rows.push(entry);
    });
    let wanted = account.map(|name| log.accounts.get(name));
    rows.extend(
        log.events
            .iter()
            .filter(|event| event.at > schedule.as_of)
            .filter(|event| wanted.is_none_or(|id| id == Some(event.account)))
            .map(|event| row(plan, log, event, AFTER_AS_OF)),
    );
    rows
}
