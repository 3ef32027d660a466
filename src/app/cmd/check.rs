//! `scanquota check`: threshold checks for scripts. It fails closed: an
//! unknown `--account` is an error, and an unpriced projected cost alerts.

use super::{CommandOutput, Status};
use crate::app::cli::{CheckArgs, CheckFormat};
use crate::app::job::{Job, Needs, thresholds};
use crate::domain::error::{Error, Result};
use crate::model::check::evaluate;
use crate::render;

pub(crate) fn run(args: &CheckArgs, quiet: bool) -> Result<CommandOutput> {
    let thresholds = thresholds(args)?;
    let needs = Needs {
        texts: false,
        may_stream: true,
        ..Needs::default()
    };
    let job = Job::build(
        std::slice::from_ref(&args.plan),
        &args.input,
        Some(&args.cores),
        needs,
    )?;
    // Fail closed: without the core samples the projected cost leaves out
    // the cores days posted so far, and would pass a budget the report
    // shows crossed.
    if let (Some(_), None, Some(run)) = (
        &args.max_projected_charges,
        &args.cores.cores,
        job.runs.first(),
    ) && run.plan.cores.is_some()
    {
        return Err(Error::Usage(format!(
            "--max-projected-charges: the plan {} prices cores ([cores]) and no --cores file was given, so the projected cost would leave out the cores days posted so far; pass --cores FILE (hourly samples; a file of only its header when no cores were online)",
            run.plan.file
        )));
    }
    let mut found = super::report::reports(&job)?;
    let report = found.reports.remove(0);
    let results = evaluate(&report, &thresholds)?;
    let alerts = results.iter().filter(|r| r.is_alert()).count();
    let status = match alerts {
        0 => Status::Success,
        _ => Status::Findings,
    };
    let mut stderr = job.notes.clone() + &found.notes;
    if alerts > 0 && !quiet {
        stderr += &format!("scanquota: {alerts} of {} checks alerted\n", results.len());
    }
    let stdout = match (quiet, args.format) {
        (true, _) => String::new(),
        (false, CheckFormat::Text) => render::check::text(&results),
        (false, CheckFormat::Json) => render::check::json(&results),
        (false, CheckFormat::Markdown) => render::check::markdown(&results),
    };
    Ok(CommandOutput {
        stdout,
        stderr,
        status,
        stream: None,
    })
}
