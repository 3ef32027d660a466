//! `scanquota report`: replay the logs under the plan(s) and print the report,
//! or several plans side by side.

use super::{Outcome, load_many};
use crate::cli::ReportArgs;
use crate::error::Result;
use crate::report::{Comparison, generate};

pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let loaded = load_many(&args.plan, &args.input)?;
    let account = args.input.account.as_deref();
    let mut reports: Vec<_> = loaded
        .iter()
        .map(|input| generate(&input.plan, &input.log, input.as_of, account))
        .collect();
    let exporter = crate::render::exporter(args.format);
    let stdout = if reports.len() == 1 {
        exporter.report(&reports.remove(0))
    } else {
        exporter.compare(&Comparison::new(reports))
    };
    Ok(Outcome::success(stdout))
}
