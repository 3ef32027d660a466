//! `scanquota check`: threshold checks for scripts.

use super::{Outcome, load};
use crate::check::{Thresholds, evaluate, threshold};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Error, Result};
use crate::render;
use crate::report::generate;

pub fn run(args: &CheckArgs, quiet: bool) -> Result<Outcome> {
    let thresholds = Thresholds {
        min_remaining: args
            .min_remaining
            .as_deref()
            .map(|t| threshold("--min-remaining", t))
            .transpose()?,
        allowance: args.allowance.clone(),
        max_used_percent: args
            .max_used_percent
            .as_deref()
            .map(|t| threshold("--max-used-percent", t))
            .transpose()?,
        max_projected_charges: args
            .max_projected_charges
            .as_deref()
            .map(|t| threshold("--max-projected-charges", t))
            .transpose()?,
        expiring_within_days: args.expiring_within,
    };
    if thresholds
        == (Thresholds {
            allowance: thresholds.allowance.clone(),
            ..Thresholds::default()
        })
    {
        return Err(Error::Usage(
            "no check asked for; give at least one of --min-remaining, --max-used-percent, \
             --max-projected-charges, --expiring-within"
                .into(),
        ));
    }
    let input = load(&args.plan, &args.input)?;
    let report = generate(
        &input.plan,
        &input.log,
        input.as_of,
        args.input.account.as_deref(),
    );
    let results = evaluate(&report, &thresholds)?;
    let alerts: Vec<_> = results.iter().filter(|r| r.is_alert()).collect();
    let code = if alerts.is_empty() { 0 } else { 1 };
    if quiet {
        return Ok(Outcome {
            stdout: String::new(),
            stderr: String::new(),
            code,
            stream: None,
        });
    }
    let stdout = match args.format {
        CheckFormat::Text => render::check::text(&results),
        CheckFormat::Json => render::check::json(&results),
        CheckFormat::Markdown => render::check::markdown(&results),
    };
    let stderr = alerts.iter().map(|r| r.line() + "\n").collect();
    Ok(Outcome {
        stdout,
        stderr,
        code,
        stream: None,
    })
}
