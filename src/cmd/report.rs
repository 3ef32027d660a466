//! `scanquota report`: replay the logs under the plan(s) and print the report,
//! or several plans side by side.

use super::CommandOutput;
use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use crate::job::{Job, Needs};
use crate::replay::{replay, unknown_account};
use crate::report::{Comparison, Report, assemble};

pub fn run(args: &ReportArgs) -> Result<CommandOutput> {
    let needs = Needs {
        texts: false,
        may_stream: args.plan.len() == 1,
        ..Needs::default()
    }
    .breakdown(&args.billed.breakdown)
    .window(&args.window);
    if args.plan.len() > 1 {
        crate::render::refuse_openmetrics(args.format, "a comparison of plans")?;
    }
    let job = Job::build(&args.plan, &args.billed.input, Some(&args.billed), needs)?;
    let Reports { mut reports, notes } = reports(&job)?;
    let exporter = crate::render::exporter(args.format);
    let stdout = if reports.len() == 1 {
        exporter.report(&reports.remove(0))
    } else {
        exporter.compare(&Comparison::new(reports)?)
    };
    Ok(CommandOutput {
        stderr: job.notes.clone() + &notes,
        ..CommandOutput::success(stdout)
    })
}

/// The reports of a job's plans.
pub struct Reports {
    pub reports: Vec<Report>,
    /// What the replay has to say on stderr (registry events skipped).
    pub notes: String,
}

/// One report per plan of the job; an `--account` that no log row and no
/// core sample names is an error, not a report of made-up figures.
pub fn reports(job: &Job) -> Result<Reports> {
    let mut reports = Vec::with_capacity(job.runs.len());
    let mut notes = String::new();
    for run in &job.runs {
        let replayed = replay(job, run)?;
        if notes.is_empty() {
            notes = replayed.notes.clone();
        }
        refuse_unknown_account(job, unknown_account(job, run, &replayed))?;
        let breakdown = job.breakdown(replayed.group_names);
        let mut report = assemble(
            &run.plan,
            &replayed.schedule,
            replayed.usages,
            replayed.no_rows,
            job.account.as_deref(),
            &run.core_days,
            breakdown.as_ref(),
        )?;
        if let Some(window) = run.window {
            report.set_window(run.plan.zone, window.from, window.to);
        }
        reports.push(report);
    }
    Ok(Reports { reports, notes })
}

/// The error for an `--account` with no row in the logs (`known` lists the
/// accounts there are), if it has none.
pub fn refuse_unknown_account(job: &Job, known: Option<String>) -> Result<()> {
    match (&job.account, known) {
        (Some(account), Some(known)) => Err(Error::UnknownAccount {
            account: account.clone(),
            known,
        }),
        _ => Ok(()),
    }
}
