//! `scanquota merge`: one report from the JSON reports of account partitions.

use super::CommandOutput;
use crate::app::cli::MergeArgs;
use crate::domain::error::Result;
use crate::model::merge::{merge, read_report};

pub fn run(args: &MergeArgs) -> Result<CommandOutput> {
    let reports = args
        .reports
        .iter()
        .map(|path| read_report(path).map(|report| (path.clone(), report)))
        .collect::<Result<Vec<_>>>()?;
    let merged = merge(reports)?;
    Ok(CommandOutput::success(
        super::report_view(args.format).report(&merged),
    ))
}
