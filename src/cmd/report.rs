//! `scanquota report`: replay the logs under the plan(s) and print the report,
//! or several plans side by side.

use super::CommandOutput;
use crate::cli::ReportArgs;
use crate::error::Result;
use crate::job::{Job, Needs};
use crate::replay::{replay, unknown_account};
use crate::report::{Comparison, Report, assemble};

pub fn run(args: &ReportArgs) -> Result<CommandOutput> {
    let needs = Needs {
        texts: false,
        may_stream: args.plan.len() == 1,
    };
    let job = Job::build(&args.plan, &args.input, args.cores.as_deref(), needs)?;
    let (mut reports, warnings) = reports(&job)?;
    let exporter = crate::render::exporter(args.format);
    let stdout = if reports.len() == 1 {
        exporter.report(&reports.remove(0))
    } else {
        exporter.compare(&Comparison::new(reports))
    };
    Ok(CommandOutput {
        stderr: job.notes.clone() + &warnings,
        ..CommandOutput::success(stdout)
    })
}

/// One report per plan of the job, and a warning when `--account` names an
/// account the logs do not have.
pub fn reports(job: &Job) -> Result<(Vec<Report>, String)> {
    let mut reports = Vec::with_capacity(job.runs.len());
    let mut warning = String::new();
    for run in &job.runs {
        let replayed = replay(job, run)?;
        if let (Some(account), Some(known), true) = (
            &job.account,
            unknown_account(job, run, &replayed),
            warning.is_empty(),
        ) {
            warning = format!(
                "scanquota: warning: --account `{account}` has no row in the logs; the accounts are: {known}\n"
            );
        }
        reports.push(assemble(
            &run.plan,
            &replayed.schedule,
            replayed.usages,
            replayed.no_rows,
            job.account.as_deref(),
            &run.core_days,
        ));
    }
    Ok((reports, warning))
}
