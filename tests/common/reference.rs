//! The serial reference path, composed as the commands compose it (replay,
//! then the model): what property tests hold every faster path to.

use chrono::{DateTime, Utc};
use scanquota::domain::error::Result;
use scanquota::engine::meter::Schedule;
use scanquota::input::log::ScanLog;
use scanquota::model::estimate::{DemandTally, ObservedDemand, unlimited};
use scanquota::model::ledger::{LedgerRow, ledger_row};
use scanquota::model::report::{Report, build};
use scanquota::plan::Plan;
use scanquota::replay::{each_held_row, each_outcome};

/// The report of `plan` over `log` at `as_of` (of `account`, if given).
pub fn generate(
    plan: &Plan,
    log: &ScanLog,
    as_of: DateTime<Utc>,
    account: Option<&str>,
) -> Result<Report> {
    let schedule = Schedule::new(plan, as_of);
    let usages = each_outcome(plan, log, &schedule, account, |_, _| {});
    build(plan, &schedule, &usages, None, None)
}

/// Every ledger row of `log` (of `account`, if given) in replay order; rows
/// after as-of last.
pub fn ledger<'log>(
    plan: &Plan,
    log: &'log ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
) -> Vec<LedgerRow<'log>> {
    let mut rows = Vec::with_capacity(log.events.len());
    each_held_row(plan, log, schedule, account, |read, result| {
        // Each row kept needs its draws' text for as long as the log: a
        // string of its own, leaked (a test's log is small; the program
        // reuses one string for every row it writes).
        let draws: &'log mut String = Box::leak(Box::default());
        rows.push(ledger_row(
            plan,
            log,
            schedule.grouped,
            &read,
            result,
            draws,
        ));
    });
    rows
}

/// Each account's observed demand per closed cycle, as `estimate --from-log`
/// sees it.
pub fn demand_from_log(
    plan: &Plan,
    log: &ScanLog,
    as_of: DateTime<Utc>,
    account: Option<&str>,
) -> Result<Vec<ObservedDemand>> {
    let unlimited = unlimited(plan);
    let schedule = Schedule::new(&unlimited, as_of);
    let mut tally = DemandTally::new(&schedule, &plan.metering);
    each_outcome(&unlimited, log, &schedule, account, |event, result| {
        tally.observe(log, event, result)
    });
    let mut names: Vec<String> = (0..log.accounts.len() as u32)
        .map(|id| log.accounts.name(id).to_string())
        .collect();
    names.sort();
    tally.demand(plan, &names, account)
}
