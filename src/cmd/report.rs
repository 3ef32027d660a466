//! `scanquota report`: replay the logs under the plan and print the report.

use super::Outcome;
use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use crate::log::ScanLog;
use crate::plan::Plan;
use crate::report::generate;
use crate::zone::parse_timestamp;
use chrono::{DateTime, Utc};

pub fn run(args: &ReportArgs) -> Result<Outcome> {
    if args.plan.len() > 1 {
        return Err(Error::Usage(
            "comparing several plans is not available yet; give one --plan".into(),
        ));
    }
    let plan = Plan::from_path(&args.plan[0])?;
    let log = ScanLog::read_paths(&args.log, plan.zone)?;
    let as_of = resolve_as_of(args.as_of.as_deref(), &plan)?;
    let report = generate(&plan, &log, as_of, args.account.as_deref());
    Ok(Outcome::success(
        crate::render::exporter(args.format).report(&report),
    ))
}

/// `--as-of` in any log timestamp form (naive in the plan's zone), or now.
pub fn resolve_as_of(text: Option<&str>, plan: &Plan) -> Result<DateTime<Utc>> {
    let as_of = match text {
        Some(text) => parse_timestamp(text, plan.zone)
            .map_err(|err| Error::Usage(format!("--as-of `{text}` is not a usable time; {err}")))?,
        None => Utc::now(),
    };
    let earliest = plan
        .trial
        .as_ref()
        .map_or(plan.subscription.term.start, |trial| trial.start);
    if as_of < earliest {
        return Err(Error::Usage(format!(
            "--as-of {} is before the plan starts ({}); nothing has happened yet — give a later --as-of",
            plan.zone.format(as_of),
            plan.zone.format(earliest)
        )));
    }
    Ok(as_of)
}
