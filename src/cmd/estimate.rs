//! `scanquota estimate`: the purchase that covers a demand, per plan.

use super::Outcome;
use crate::check::threshold;
use crate::cli::{EstimateArgs, EstimateFormat, InputArgs};
use crate::error::{Error, Result};
use crate::estimate::{Demand, demand_from_log, rank, recommend};
use crate::job::{Job, Needs, plan_on_its_own};
use crate::render;
use crate::report::Units;

pub fn run(args: &EstimateArgs) -> Result<Outcome> {
    let mut recommendations = Vec::new();
    if args.from_log.is_empty() {
        let (Some(first), Some(repeat)) = (&args.first_scans, &args.repeat_scans) else {
            return Err(Error::Usage(
                "give --first-scans and --repeat-scans, or --from-log".into(),
            ));
        };
        let demand = Demand {
            first_scans: Units(threshold("--first-scans", first)?),
            repeat_scans: Units(threshold("--repeat-scans", repeat)?),
        };
        for spec in &args.plan {
            let plan = plan_on_its_own(spec, args.start.as_deref())?;
            recommendations.push(recommend(&plan, demand, args.months, None));
        }
    } else {
        let input = InputArgs {
            log: args.from_log.clone(),
            as_of: args.as_of.clone(),
            account: args.account.clone(),
            start: args.start.clone(),
        };
        let needs = Needs {
            texts: false,
            may_stream: false,
        };
        let job = Job::build(&args.plan, &input, None, needs)?;
        for run in &job.runs {
            let log = job.log(run).expect("estimate reads its logs");
            let (demand, cycles) = demand_from_log(&run.plan, log, run.as_of, job.account.as_deref())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "the log has no closed cycle of plan `{}` by {}; give a later --as-of, or --first-scans and --repeat-scans",
                        run.plan.name,
                        run.plan.zone.format(run.as_of)
                    ))
                })?;
            recommendations.push(recommend(&run.plan, demand, args.months, Some(cycles)));
        }
    }
    let estimate = rank(recommendations);
    let stdout = match args.format {
        EstimateFormat::Table => render::estimate::table(&estimate),
        EstimateFormat::Json => {
            serde_json::to_string_pretty(&estimate).expect("the estimate serialises") + "\n"
        }
    };
    Ok(Outcome::success(stdout))
}
