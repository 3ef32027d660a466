//! `scanquota merge`: one report from the JSON reports of account partitions.

use super::CommandOutput;
use crate::cli::MergeArgs;
use crate::error::Result;
use crate::merge::{merge, read_report};

pub fn run(args: &MergeArgs) -> Result<CommandOutput> {
    let reports = args
        .reports
        .iter()
        .map(|path| read_report(path).map(|report| (path.clone(), report)))
        .collect::<Result<Vec<_>>>()?;
    let merged = merge(reports)?;
    Ok(CommandOutput::success(
        crate::render::exporter(args.format).report(&merged),
    ))
}
