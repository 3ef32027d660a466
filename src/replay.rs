//! The one replay entry: a job's plan run over its logs. Only this module
//! knows whether the logs were streamed (time-ordered files), read in pieces
//! (large plain files, inside the log reader) or replayed per account in
//! parallel (inside the meter); every path gives the same usages.

use crate::error::Result;
use crate::job::{Job, Logs, PlanRun};
use crate::log::ScanLog;
use crate::log::formats::skipped_note;
use crate::meter::{AccountUsage, Schedule, replay as replay_serially, replay_in_parallel};
use crate::plan::Plan;
use crate::stream;

/// A plan replayed: its periods and each account's usage.
pub struct Replayed {
    pub schedule: Schedule,
    pub usages: Vec<AccountUsage>,
    /// The logs had no rows at all.
    pub no_rows: bool,
    /// Every account with a row in the logs, sorted.
    pub accounts_in_logs: Vec<String>,
    /// With `--by`: the group names, by group id.
    pub group_names: Vec<String>,
    /// Lines for stderr: registry events the logs held that make no row.
    pub notes: String,
}

/// Replay `run`'s plan over the job's logs.
pub fn replay(job: &Job, run: &PlanRun) -> Result<Replayed> {
    let mut schedule = Schedule::new(&run.plan, run.as_of);
    schedule.grouped = job.by.is_some();
    let account = job.account.as_deref();
    let read;
    let log = match &job.logs {
        Logs::Unread(paths) => {
            if let Some((log, usages)) = stream::replay_streaming(
                &run.plan,
                paths,
                &schedule,
                account,
                job.blank_log.clone(),
            )? {
                return Ok(Replayed {
                    schedule,
                    usages,
                    no_rows: log.accounts.is_empty(),
                    accounts_in_logs: account_names(&log),
                    group_names: group_names(&log),
                    notes: skipped_note(&log.skipped),
                });
            }
            // Not in time order: read every row, sort, replay.
            read = job.blank_log.clone().read_all(paths, run.plan.zone)?;
            &read
        }
        Logs::Read(_) => job
            .log(run)
            .expect("a job that read its logs read them in every plan's zone"),
    };
    let usages = replay_buffered(&run.plan, log, &schedule, account);
    Ok(Replayed {
        schedule,
        usages,
        no_rows: log.accounts.is_empty(),
        accounts_in_logs: account_names(log),
        group_names: group_names(log),
        // A job that read its logs said what they skipped already.
        notes: if matches!(job.logs, Logs::Unread(_)) {
            skipped_note(&log.skipped)
        } else {
            String::new()
        },
    })
}

fn group_names(log: &ScanLog) -> Vec<String> {
    (0..log.groups.len() as u32)
        .map(|id| log.groups.name(id).to_string())
        .collect()
}

/// A log held in memory: accounts are independent, so a large one is shared
/// out among the machine's cores, each thread replaying its own accounts'
/// events in order; the usages are exactly the serial replay's.
fn replay_buffered(
    plan: &Plan,
    log: &ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
) -> Vec<AccountUsage> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Small logs are not worth a thread.
    if threads <= 1 || account.is_some() || log.events.len() < 100_000 {
        return replay_serially(plan, log, schedule, account, |_, _| {});
    }
    replay_in_parallel(plan, log, schedule, threads)
}

fn account_names(log: &ScanLog) -> Vec<String> {
    let mut names: Vec<String> = (0..log.accounts.len() as u32)
        .map(|id| log.accounts.name(id).to_string())
        .collect();
    names.sort_unstable();
    names
}

/// Whether `--account` names an account the logs (or the core samples) have;
/// `Some(known)` lists the accounts there are when it does not.
pub fn unknown_account(job: &Job, run: &PlanRun, replayed: &Replayed) -> Option<String> {
    let wanted = job.account.as_deref()?;
    if replayed.accounts_in_logs.iter().any(|a| a == wanted) || run.core_days.contains_key(wanted) {
        return None;
    }
    let mut known: Vec<&str> = replayed
        .accounts_in_logs
        .iter()
        .map(String::as_str)
        .chain(run.core_days.keys().map(String::as_str))
        .collect();
    known.sort_unstable();
    known.dedup();
    Some(if known.is_empty() {
        "(none: the logs have no rows)".to_string()
    } else {
        known.join(", ")
    })
}
