//! `scanquota stats` and `scanquota reconcile`: the HSS statistics view.

use super::{Outcome, Replayable, load_keeping_texts};
use crate::cli::{InputArgs, ReconcileArgs, StatsArgs, StatsFormat};
use crate::error::{Error, Result};
use crate::meter::Schedule;
use crate::reconcile::{differences, read_vendor};
use crate::render;
use crate::stats::{HssStatistics, read_inventory, statistics};

/// The one account statistics describe: `--account`, or the log's only one.
fn account_of(input: &Replayable, args: &InputArgs) -> Result<String> {
    if let Some(account) = &args.account {
        return Ok(account.clone());
    }
    match input.log.accounts.len() {
        0 => Ok("default".to_string()),
        1 => Ok(input.log.accounts.name(0).to_string()),
        _ => {
            let mut names: Vec<&str> = (0..input.log.accounts.len() as u32)
                .map(|id| input.log.accounts.name(id))
                .collect();
            names.sort_unstable();
            Err(Error::Usage(format!(
                "statistics describe one account and the log has several; give --account, one of: {}",
                names.join(", ")
            )))
        }
    }
}

fn compute(plan: &str, input_args: &InputArgs, inventory: Option<&str>) -> Result<HssStatistics> {
    let inventory = inventory
        .map(read_inventory)
        .transpose()?
        .unwrap_or_default();
    let input = load_keeping_texts(plan, input_args)?;
    let account = account_of(&input, input_args)?;
    let schedule = Schedule::new(&input.plan, input.as_of);
    Ok(statistics(
        &input.plan,
        &input.log,
        &schedule,
        &account,
        &inventory,
    ))
}

pub fn stats(args: &StatsArgs) -> Result<Outcome> {
    let stats = compute(&args.plan, &args.input, args.inventory.as_deref())?;
    let stdout = match args.format {
        StatsFormat::Json => {
            serde_json::to_string_pretty(&stats).expect("statistics serialise") + "\n"
        }
        StatsFormat::Table => render::stats::table(&stats),
    };
    Ok(Outcome::success(stdout))
}

pub fn reconcile(args: &ReconcileArgs) -> Result<Outcome> {
    let vendor = read_vendor(&args.vendor_stats)?;
    let stats = compute(&args.plan, &args.input, args.inventory.as_deref())?;
    let found = differences(&vendor, &stats);
    if found.is_empty() {
        return Ok(Outcome::success(
            "AGREE every field matches the vendor's statistics\n".to_string(),
        ));
    }
    let stdout: String = found.iter().map(|d| d.line() + "\n").collect();
    Ok(Outcome {
        stderr: format!(
            "{} field(s) differ from the vendor's statistics\n",
            found.len()
        ),
        stdout,
        code: 1,
        stream: None,
    })
}
