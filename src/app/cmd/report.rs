//! `scanquota report`: replay the logs under the plan(s) and print the report,
//! or several plans side by side.

use super::CommandOutput;
use crate::app::cli::ReportArgs;
use crate::app::job::{Job, Needs, PlanRun};
use crate::domain::error::{Error, Result};
use crate::model::report::{Comparison, Report, assemble};
use crate::replay::{self, Observer, Replayed, unknown_account};

/// What a report needs of its inputs: no texts; a single plan's logs may
/// stream; the breakdown and window asked for; unnamed plans compared are
/// headed by their place.
pub(super) fn needs(args: &ReportArgs) -> Needs {
    Needs {
        texts: false,
        may_stream: args.plan.len() == 1,
        plans_numbered: true,
        ..Needs::default()
    }
    .breakdown(&args.billed.breakdown)
    .window(&args.window)
}

pub(crate) fn run(args: &ReportArgs, width: u16) -> Result<CommandOutput> {
    let needs = needs(args);
    // Several plans are a comparison: a format with no such view is
    // refused before any input is read.
    let comparison = match args.plan.len() {
        1 => None,
        _ => Some(super::comparison_view(args.format, width)?),
    };
    let job = Job::build(
        &args.plan,
        &args.billed.input,
        Some(&args.billed.cores),
        needs,
    )?;
    let Reports { mut reports, notes } = reports(&job)?;
    let notes = notes + &super::window_note(args.format, &reports[0], comparison.is_some());
    // Every figure is known and checked here; what is left is writing it,
    // as it is formatted (a JSON report can be hundreds of MB).
    let write: super::Streamed = match comparison {
        None => {
            let (view, report) = (super::report_view(args.format, width), reports.remove(0));
            Box::new(move |out| Ok(view.write_report(&report, out)?))
        }
        Some(view) => {
            let comparison = Comparison::new(reports)?;
            Box::new(move |out| Ok(view.write_compare(&comparison, out)?))
        }
    };
    Ok(CommandOutput {
        stderr: job.notes.clone() + &notes,
        ..CommandOutput::streamed(write)
    })
}

/// The reports of a job's plans.
pub(crate) struct Reports {
    pub(crate) reports: Vec<Report>,
    /// What the replay has to say on stderr (registry events skipped).
    pub(crate) notes: String,
}

/// One report per plan of the job; an `--account` that no log row and no
/// core sample names is an error, not a report of made-up figures.
pub(crate) fn reports(job: &Job) -> Result<Reports> {
    let mut reports = Vec::with_capacity(job.runs.len());
    let mut notes = String::new();
    for run in &job.runs {
        let (report, replayed) = report_of(job, run, false)?;
        if notes.is_empty() {
            notes = replayed.notes;
        }
        reports.push(report);
    }
    Ok(Reports { reports, notes })
}

/// The report of one plan of the job, and the replay it was made from; its
/// usages are moved into the report unless `keep_usages` (FOCUS reads each
/// group's daily draws from them).
pub(crate) fn report_of(job: &Job, run: &PlanRun, keep_usages: bool) -> Result<(Report, Replayed)> {
    let mut replayed = replay::run(&job.inputs, &run.plan, job.schedule(run), Observer::Usages)?;
    let known = (replayed.accounts_in_logs.iter())
        .chain(
            run.core_days
                .iter()
                .flat_map(std::collections::BTreeMap::keys),
        )
        .map(String::as_str);
    refuse_unknown_account(job, unknown_account(job.inputs.account.as_deref(), known))?;
    let breakdown = job.breakdown(replayed.group_names.clone());
    let mut report = assemble(
        &run.plan,
        &replayed.schedule,
        match keep_usages {
            true => replayed.usages.clone(),
            false => std::mem::take(&mut replayed.usages),
        },
        replayed.no_rows,
        job.inputs.account.as_deref(),
        run.core_days.as_ref(),
        breakdown.as_ref(),
    )?;
    if let Some(window) = run.window {
        report.set_window(run.plan.zone, window.from, window.to);
    }
    Ok((report, replayed))
}

/// The error for an `--account` with no row in the logs (`known` lists the
/// accounts there are, twenty at most), if it has none.
pub(crate) fn refuse_unknown_account(job: &Job, known: Option<String>) -> Result<()> {
    match (&job.inputs.account, known) {
        (Some(account), Some(known)) => Err(Error::UnknownAccount {
            account: account.clone(),
            known,
        }),
        _ => Ok(()),
    }
}
