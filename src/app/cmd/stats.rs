//! `scanquota stats` and `scanquota reconcile`: the HSS statistics view.

use super::{CommandOutput, Status};
use crate::app::cli::{InputArgs, InventoryLayoutArgs, ReconcileArgs, StatsArgs, StatsFormat};
use crate::app::job::{Job, Needs, PlanRun};
use crate::domain::error::{Error, Result};
use crate::engine::meter::ScanResult;
use crate::input::log::ScanEvent;
use crate::input::log::ScanLog;
use crate::model::reconcile::differences;
use crate::model::stats::{HssStatistics, ImageScans, statistics};
use crate::render;
use crate::replay::{self, Observer};

/// The one account statistics describe: `--account`, or the logs' only
/// one; `accounts` are those of the logs, sorted.
fn account_of(accounts: &[String], args: &InputArgs) -> Result<String> {
    let names = || match accounts.is_empty() {
        true => "(none: the logs have no rows)".to_string(),
        false => accounts.join(", "),
    };
    if let Some(account) = &args.window.account {
        let known = accounts.contains(account);
        if !(known || accounts.is_empty() && account == "default") {
            return Err(Error::UnknownAccount {
                account: account.clone(),
                known: names(),
            });
        }
        return Ok(account.clone());
    }
    match accounts {
        [] => Ok("default".to_string()),
        [only] => Ok(only.clone()),
        _ => Err(Error::AccountRequired { known: names() }),
    }
}

/// The statistics, and the job's notes for stderr.
fn compute(
    plan: &str,
    input_args: &InputArgs,
    inventory: Option<&str>,
    inventory_layout: &InventoryLayoutArgs,
) -> Result<(HssStatistics, String)> {
    crate::app::job::refuse_stdin_twice(&[
        ("--log", input_args.log.iter().any(|path| path == "-")),
        ("--inventory", inventory == Some("-")),
    ])?;
    let (inventory, inventory_notes) = crate::app::job::inventory(inventory, inventory_layout)?;
    let needs = Needs {
        texts: true,
        may_stream: false,
        ..Needs::default()
    };
    let job = Job::build(&[plan.to_string()], input_args, None, needs)?;
    let run: &PlanRun = &job.runs[0];
    let schedule = job.schedule(run);
    let mut scans = ImageScans::default();
    let mut observe = |log: &ScanLog, event: &ScanEvent, result: &ScanResult<'_>| {
        scans.observe(log, event, result)
    };
    let replayed = replay::run(
        &job.inputs,
        &run.plan,
        schedule,
        Observer::EachScan(&mut observe),
    )?;
    let account = account_of(&replayed.accounts_in_logs, input_args)?;
    let stats = statistics(
        &run.plan,
        &replayed.schedule,
        scans,
        &replayed.usages,
        &account,
        &inventory,
    )?;
    Ok((stats, job.notes.clone() + &inventory_notes))
}

pub(crate) fn stats(args: &StatsArgs) -> Result<CommandOutput> {
    let (stats, notes) = compute(
        &args.plan,
        &args.input,
        args.inventory.as_deref(),
        &args.inventory_layout,
    )?;
    let stdout = match args.format {
        StatsFormat::Json => crate::render::json::pretty(&stats),
        StatsFormat::Table => render::stats::table(&stats),
    };
    Ok(CommandOutput {
        stderr: notes,
        ..CommandOutput::success(stdout)
    })
}

pub(crate) fn reconcile(args: &ReconcileArgs) -> Result<CommandOutput> {
    let (vendor, vendor_notes) = crate::app::job::vendor_statistics(&args.vendor_stats)?;
    let (stats, notes) = compute(
        &args.plan,
        &args.input,
        args.inventory.as_deref(),
        &args.inventory_layout,
    )?;
    let notes = vendor_notes + &notes;
    let found = differences(&vendor, &stats);
    if found.is_empty() {
        return Ok(CommandOutput {
            stderr: notes,
            ..CommandOutput::success(
                "AGREE every field matches the vendor's statistics\n".to_string(),
            )
        });
    }
    let stdout: String = found.iter().map(|d| d.line() + "\n").collect();
    Ok(CommandOutput {
        stderr: format!(
            "{notes}{} field(s) differ from the vendor's statistics\n",
            found.len()
        ),
        stdout,
        status: Status::Findings,
        stream: None,
    })
}
