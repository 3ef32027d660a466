//! `scanquota estimate`: the purchase that covers a demand, per plan.

use super::{Outcome, load_many};
use crate::check::threshold;
use crate::cli::{EstimateArgs, EstimateFormat, InputArgs};
use crate::error::{Error, Result};
use crate::estimate::{Demand, demand_from_log, rank, recommend};
use crate::plan::Plan;
use crate::render;
use crate::report::Units;
use crate::zone::parse_timestamp;
use chrono::{DateTime, Utc};

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
            let plan = plan_without_log(spec, args.start.as_deref())?;
            recommendations.push(recommend(&plan, demand, args.months, None));
        }
    } else {
        let input = InputArgs {
            log: args.from_log.clone(),
            as_of: args.as_of.clone(),
            account: args.account.clone(),
            start: args.start.clone(),
        };
        for loaded in load_many(&args.plan, &input)? {
            let (demand, cycles) = demand_from_log(&loaded.plan, &loaded.log, loaded.as_of, args.account.as_deref())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "the log has no closed cycle of plan `{}` by {}; give a later --as-of, or --first-scans and --repeat-scans",
                        loaded.plan.name,
                        loaded.plan.zone.format(loaded.as_of)
                    ))
                })?;
            recommendations.push(recommend(&loaded.plan, demand, args.months, Some(cycles)));
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

/// A plan for a demand given by hand: built-ins start at `--start` or now.
fn plan_without_log(spec: &str, start: Option<&str>) -> Result<Plan> {
    if !Plan::is_builtin(spec) {
        return Plan::load(spec, None).and_then(|plan| match start {
            Some(_) => Err(Error::Usage(format!(
                "--start is for built-in plans; {spec} sets its own subscription.start"
            ))),
            None => Ok(plan),
        });
    }
    let zone = Plan::load(spec, Some(DateTime::UNIX_EPOCH))?.zone;
    let start: DateTime<Utc> = match start {
        Some(text) => parse_timestamp(text, zone)
            .map_err(|err| Error::Usage(format!("--start `{text}` is not a usable time; {err}")))?,
        None => Utc::now(),
    };
    Plan::load(spec, Some(start))
}
