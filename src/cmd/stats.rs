//! `scanquota stats` and `scanquota reconcile`: the HSS statistics view.

use super::CommandOutput;
use crate::cli::{InputArgs, InventoryLayoutArgs, ReconcileArgs, StatsArgs, StatsFormat};
use crate::error::{Error, Result};
use crate::job::{Job, Needs, PlanRun};
use crate::log::ScanLog;
use crate::reconcile::differences;
use crate::render;
use crate::stats::{HssStatistics, statistics};

/// The one account statistics describe: `--account`, or the log's only one.
fn account_of(log: &ScanLog, args: &InputArgs) -> Result<String> {
    if let Some(account) = &args.window.account {
        let known = (0..log.accounts.len() as u32).any(|id| log.accounts.name(id) == account);
        if !(known || log.accounts.is_empty() && account == "default") {
            return Err(Error::UnknownAccount {
                account: account.clone(),
                known: sorted_names(log),
            });
        }
        return Ok(account.clone());
    }
    match log.accounts.len() {
        0 => Ok("default".to_string()),
        1 => Ok(log.accounts.name(0).to_string()),
        _ => Err(Error::AccountRequired {
            known: sorted_names(log),
        }),
    }
}

/// The log's accounts, sorted and comma-separated, for messages.
fn sorted_names(log: &ScanLog) -> String {
    let mut names: Vec<&str> = (0..log.accounts.len() as u32)
        .map(|id| log.accounts.name(id))
        .collect();
    names.sort_unstable();
    if names.is_empty() {
        return "(none: the logs have no rows)".to_string();
    }
    names.join(", ")
}

/// The statistics, and the job's notes for stderr.
fn compute(
    plan: &str,
    input_args: &InputArgs,
    inventory: Option<&str>,
    inventory_layout: &InventoryLayoutArgs,
) -> Result<(HssStatistics, String)> {
    let inventory = crate::job::inventory(inventory, inventory_layout)?;
    let needs = Needs {
        texts: true,
        may_stream: false,
        ..Needs::default()
    };
    let job = Job::build(&[plan.to_string()], input_args, None, needs)?;
    let run: &PlanRun = &job.runs[0];
    let log = job.log(run).expect("statistics read their logs");
    let account = account_of(log, input_args)?;
    let schedule = job.schedule(run);
    let stats = statistics(&run.plan, log, &schedule, &account, &inventory)?;
    Ok((stats, job.notes.clone()))
}

pub fn stats(args: &StatsArgs) -> Result<CommandOutput> {
    let (stats, notes) = compute(
        &args.plan,
        &args.input,
        args.inventory.as_deref(),
        &args.inventory_layout,
    )?;
    let stdout = match args.format {
        StatsFormat::Json => {
            serde_json::to_string_pretty(&stats).expect("statistics serialise") + "\n"
        }
        StatsFormat::Table => render::stats::table(&stats),
    };
    Ok(CommandOutput {
        stderr: notes,
        ..CommandOutput::success(stdout)
    })
}

pub fn reconcile(args: &ReconcileArgs) -> Result<CommandOutput> {
    let vendor = crate::job::vendor_statistics(&args.vendor_stats)?;
    let (stats, notes) = compute(
        &args.plan,
        &args.input,
        args.inventory.as_deref(),
        &args.inventory_layout,
    )?;
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
        code: 1,
        stream: None,
    })
}
