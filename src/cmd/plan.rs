//! `scanquota plan check|list|show`.

use super::Outcome;
use crate::cli::PlanFormat;
use crate::error::{Error, Result};
use crate::plan::builtin::{BUILTINS, PREFIX, lookup};
use crate::plan::{NormalisedPlan, Plan};
use crate::zone::parse_timestamp;
use chrono::{DateTime, Timelike, Utc};

/// The purchase moment for a built-in shown or checked on its own: `--start`
/// read in the plan's zone, or now to the minute.
fn builtin_start(spec: &str, start: Option<&str>) -> Result<DateTime<Utc>> {
    let provisional = Plan::load(spec, Some(DateTime::UNIX_EPOCH))?;
    match start {
        Some(text) => parse_timestamp(text, provisional.zone)
            .map_err(|err| Error::Usage(format!("--start `{text}` is not a usable time; {err}"))),
        None => {
            let now = Utc::now();
            Ok(now
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now))
        }
    }
}

/// `scanquota plan check P`: validate, then print the plan normalised.
pub fn check(spec: &str, start: Option<&str>, format: PlanFormat) -> Result<Outcome> {
    let plan = if Plan::is_builtin(spec) {
        Plan::load(spec, Some(builtin_start(spec, start)?))?
    } else {
        if start.is_some() {
            return Err(Error::Usage(format!(
                "--start is for built-in plans; {spec} sets its own subscription.start"
            )));
        }
        Plan::from_path(spec)?
    };
    let normalised = NormalisedPlan::new(&plan);
    let text = match format {
        PlanFormat::Toml => normalised.to_toml(),
        PlanFormat::Json => normalised.to_json() + "\n",
    };
    Ok(Outcome::success(text))
}

pub fn list() -> Outcome {
    let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0) + PREFIX.len();
    let text = BUILTINS
        .iter()
        .map(|b| format!("{:width$}  {}\n", format!("{PREFIX}{}", b.name), b.summary))
        .collect();
    Outcome::success(text)
}

/// The built-in's own commented TOML with the purchase moment written in.
pub fn show(spec: &str, start: Option<&str>) -> Result<Outcome> {
    let found = match lookup(spec) {
        Some(Ok(found)) => found,
        Some(Err(names)) => {
            return Err(Error::Usage(format!(
                "{spec}: no such built-in plan; use one of {names}"
            )));
        }
        None => {
            return Err(Error::Usage(format!(
                "{spec}: plan show prints built-in plans; give builtin:NAME (see `scanquota plan list`)"
            )));
        }
    };
    let start = builtin_start(spec, start)?;
    let zone = Plan::load(spec, Some(start))?.zone;
    let line = format!("start = {}\n", zone.format(start));
    let mut text = String::with_capacity(found.toml.len() + line.len());
    for original in found.toml.lines() {
        text.push_str(original);
        text.push('\n');
        if original.trim_start().starts_with("# start:") {
            text.push_str(&line);
        }
    }
    Ok(Outcome::success(text))
}
