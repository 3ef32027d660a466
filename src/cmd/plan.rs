use super::Outcome;
use crate::cli::PlanFormat;
use crate::error::Result;
use crate::plan::{NormalisedPlan, Plan};

/// `scanquota plan check P`: validate, then print the plan normalised.
pub fn check(path: &str, format: PlanFormat) -> Result<Outcome> {
    let plan = Plan::from_path(path)?;
    let normalised = NormalisedPlan::new(&plan);
    let text = match format {
        PlanFormat::Toml => normalised.to_toml(),
        PlanFormat::Json => normalised.to_json() + "\n",
    };
    Ok(Outcome::success(text))
}
