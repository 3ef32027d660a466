//! `scanquota report`: replay the logs under the plan(s) and print the report,
//! or several plans side by side.

use super::{Outcome, load_many, plan_without_log, resolve_as_of};
use crate::cli::ReportArgs;
use crate::cores::{CoreDay, billable_days, read_samples};
use crate::error::{Error, Result};
use crate::meter::Schedule;
use crate::plan::Plan;
use crate::report::{Comparison, assemble, generate_with_cores};
use crate::stream;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let account = args.input.account.as_deref();
    if let [spec] = args.plan.as_slice()
        && stream::rereadable(&args.input.log)
        && let Some(plan) = plan_without_log(spec, &args.input)?
    {
        let as_of = resolve_as_of(args.input.as_of.as_deref(), &plan)?;
        let core_days = core_days(args.cores.as_deref(), &plan, as_of)?;
        let schedule = Schedule::new(&plan, as_of);
        if let Some((log, usages)) =
            stream::replay_streaming(&plan, &args.input.log, &schedule, account)?
        {
            let report = assemble(
                &plan,
                &schedule,
                usages,
                log.accounts.is_empty(),
                account,
                &core_days,
            );
            return Ok(Outcome::success(
                crate::render::exporter(args.format).report(&report),
            ));
        }
    }
    let loaded = load_many(&args.plan, &args.input)?;
    let mut reports = Vec::with_capacity(loaded.len());
    for input in &loaded {
        let core_days = core_days(args.cores.as_deref(), &input.plan, input.as_of)?;
        reports.push(generate_with_cores(
            &input.plan,
            &input.log,
            input.as_of,
            account,
            &core_days,
        ));
    }
    let exporter = crate::render::exporter(args.format);
    let stdout = if reports.len() == 1 {
        exporter.report(&reports.remove(0))
    } else {
        exporter.compare(&Comparison::new(reports))
    };
    Ok(Outcome::success(stdout))
}

/// Billable core days per account from `--cores`, if given.
fn core_days(
    path: Option<&str>,
    plan: &Plan,
    as_of: DateTime<Utc>,
) -> Result<BTreeMap<String, Vec<CoreDay>>> {
    let Some(path) = path else {
        return Ok(BTreeMap::new());
    };
    let Some(cores) = &plan.cores else {
        return Err(Error::Usage(format!(
            "--cores {path}: the plan `{}` has no [cores] section to price cores with; add one (licensed, daily_unit_price)",
            plan.name
        )));
    };
    let samples = read_samples(path, plan.zone)?;
    Ok(billable_days(plan, cores, &samples, as_of))
}
