//! `scanquota plan check|list|show`.

use super::CommandOutput;
use crate::app::cli::PlanFormat;
use crate::app::job::plan_on_its_own;
use crate::domain::error::{Error, Result};
use crate::plan::NormalisedPlan;
use crate::plan::builtin::{BUILTINS, PREFIX, lookup};

/// `scanquota plan check P`: validate, then print the plan normalised.
/// A built-in without `--start` is shown starting now, to the minute.
pub(crate) fn check(spec: &str, start: Option<&str>, format: PlanFormat) -> Result<CommandOutput> {
    let plan = plan_on_its_own(spec, start)?;
    let normalised = NormalisedPlan::new(&plan);
    let text = match format {
        PlanFormat::Toml => normalised.to_toml(),
        PlanFormat::Json => crate::render::json::pretty(&normalised),
    };
    Ok(CommandOutput {
        stderr: plan.notes(),
        ..CommandOutput::success(text)
    })
}

pub(crate) fn list() -> CommandOutput {
    let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0) + PREFIX.len();
    let text = BUILTINS
        .iter()
        .map(|b| format!("{:width$}  {}\n", format!("{PREFIX}{}", b.name), b.summary))
        .collect();
    CommandOutput::success(text)
}

/// The built-in's own commented TOML with the purchase moment written in.
pub(crate) fn show(spec: &str, start: Option<&str>) -> Result<CommandOutput> {
    let found = match lookup(spec) {
        Some(Ok(found)) => found,
        Some(Err(names)) => {
            return Err(Error::NotBuiltin {
                plan: spec.to_string(),
                why: format!("no such built-in plan; use one of {names}"),
            });
        }
        None => {
            return Err(Error::NotBuiltin {
                plan: spec.to_string(),
                why:
                    "plan show prints built-in plans; give builtin:NAME (see `scanquota plan list`)"
                        .into(),
            });
        }
    };
    // With --start, the purchase moment is written in; without it, the key
    // stays commented out (never today's clock, which would meter nothing on
    // an older log) and the saved file needs --start when it is used.
    let line = match start {
        Some(_) => {
            let plan = plan_on_its_own(spec, start)?;
            format!(
                "start = {}\n",
                plan.zone.format(plan.subscription.term.start)
            )
        }
        None => "# start = 2024-03-15T14:00:00+08:00   # uncomment and set, or give --start TIME\n"
            .to_string(),
    };
    let mut text = String::with_capacity(found.toml.len() + line.len());
    for original in found.toml.lines() {
        text.push_str(original);
        text.push('\n');
        if original.trim_start().starts_with("# start:") {
            text.push_str(&line);
        }
    }
    Ok(CommandOutput::success(text))
}
