//! `scanquota check`: threshold checks for scripts. It fails closed: an
//! unknown `--account` is an error, and an unpriced projected cost alerts.

use super::CommandOutput;
use crate::check::{Thresholds, evaluate, threshold};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Error, Result};
use crate::job::{Job, Needs};
use crate::render;

pub fn run(args: &CheckArgs, quiet: bool) -> Result<CommandOutput> {
    let decimal = |flag: &'static str, text: &Option<String>| {
        text.as_deref().map(|t| threshold(flag, t)).transpose()
    };
    let thresholds = Thresholds {
        min_remaining: decimal("--min-remaining", &args.min_remaining)?,
        allowance: args.allowance.clone(),
        max_used_percent: decimal("--max-used-percent", &args.max_used_percent)?,
        max_projected_charges: decimal("--max-projected-charges", &args.max_projected_charges)?,
        max_projected_denied: decimal("--max-projected-denied", &args.max_projected_denied)?,
        expiring_within_days: args.expiring_within,
    };
    if thresholds
        == (Thresholds {
            allowance: thresholds.allowance.clone(),
            ..Thresholds::default()
        })
    {
        return Err(Error::NoCheck);
    }
    let needs = Needs {
        texts: false,
        may_stream: true,
        ..Needs::default()
    };
    let job = Job::build(std::slice::from_ref(&args.plan), &args.input, None, needs)?;
    let mut found = super::report::reports(&job)?;
    if let (Some(account), Some(known)) = (&job.account, found.unknown_account) {
        return Err(Error::UnknownAccount {
            account: account.clone(),
            known,
        });
    }
    let report = found.reports.remove(0);
    let results = evaluate(&report, &thresholds)?;
    let alerts = results.iter().filter(|r| r.is_alert()).count();
    let code = if alerts == 0 { 0 } else { 1 };
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
        code,
        stream: None,
    })
}
