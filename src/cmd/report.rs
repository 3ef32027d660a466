//! `scanquota report`: replay the logs under the plan(s) and print the report,
//! or several plans side by side.

use super::{Outcome, load_many};
use crate::cli::ReportArgs;
use crate::cores::{billable_days, read_samples};
use crate::error::{Error, Result};
use crate::report::{Comparison, generate_with_cores};
use std::collections::BTreeMap;

pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let loaded = load_many(&args.plan, &args.input)?;
    let account = args.input.account.as_deref();
    let mut reports = Vec::with_capacity(loaded.len());
    for input in &loaded {
        let core_days = match &args.cores {
            None => BTreeMap::new(),
            Some(path) => {
                let Some(cores) = &input.plan.cores else {
                    return Err(Error::Usage(format!(
                        "--cores {path}: the plan `{}` has no [cores] section to price cores with; add one (licensed, daily_unit_price)",
                        input.plan.name
                    )));
                };
                let samples = read_samples(path, input.plan.zone)?;
                billable_days(&input.plan, cores, &samples, input.as_of)
            }
        };
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
