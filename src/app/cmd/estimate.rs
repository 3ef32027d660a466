//! `scanquota estimate`: the purchase that covers a demand, per plan and,
//! from a log, per account.

use super::CommandOutput;
use crate::app::cli::{EstimateArgs, EstimateFormat, FormatArgs, InputArgs, SizeForArg};
use crate::app::job::{Job, Needs, plan_on_its_own, refuse_plans_alike};
use crate::domain::error::{Error, Result};
use crate::domain::periods::Reset;
use crate::domain::values::Scans;
use crate::engine::meter::{ScanResult, Schedule};
use crate::input::log::{ScanEvent, ScanLog};
use crate::model::check::threshold;
use crate::model::estimate::{
    Demand, DemandTally, SizeFor, plan_estimate, rank, recommend, recommend_at, unlimited,
};
use crate::plan::{AllowanceKind, Plan};
use crate::render;
use crate::replay::{self, Observer};
use chrono::Datelike;

pub(crate) fn run(args: &EstimateArgs, width: u16) -> Result<CommandOutput> {
    let mut plans = Vec::new();
    let mut notes = String::new();
    let size_for = match args.size_for.unwrap_or(SizeForArg::Peak) {
        SizeForArg::Peak => SizeFor::Peak,
        SizeForArg::Mean => SizeFor::Mean,
    };
    let sized = if args.from_log.is_empty() {
        let (Some(first), Some(repeat)) = (&args.first_scans, &args.repeat_scans) else {
            return Err(Error::Usage(
                "give --first-scans and --repeat-scans, or --from-log".into(),
            ));
        };
        // Options that only shape how a log is read and sized would be
        // taken and do nothing: refused, as every input is used or refused.
        let window = &args.window;
        let layout = &args.layout;
        let given: Vec<&str> = [
            ("--account", window.account.is_some()),
            ("--size-for", args.size_for.is_some()),
            ("--as-of", window.as_of.is_some()),
            ("--display-zone", window.display_zone.is_some()),
            ("--column", !layout.columns.is_empty()),
            ("--delimiter", layout.delimiter.is_some()),
            ("--log-zone", layout.log_zone.is_some()),
        ]
        .into_iter()
        .filter_map(|(option, set)| set.then_some(option))
        .collect();
        if !given.is_empty() {
            return Err(Error::Usage(format!(
                "{} appl{} to a demand read --from-log only; remove {} or give --from-log instead of --first-scans and --repeat-scans",
                given.join(", "),
                if given.len() == 1 { "ies" } else { "y" },
                if given.len() == 1 { "it" } else { "them" },
            )));
        }
        let demand = Demand {
            first_scans: Scans::new(threshold("--first-scans", first)?),
            repeat_scans: Scans::new(threshold("--repeat-scans", repeat)?),
        };
        let given: Vec<Plan> = (args.plan.iter())
            .map(|spec| plan_on_its_own(spec, args.window.start.as_deref()))
            .collect::<Result<_>>()?;
        refuse_plans_alike(&given.iter().collect::<Vec<_>>(), false)?;
        for plan in &given {
            notes += &plan.notes();
            notes += &term_notes(plan, args.months);
            let recommendation = recommend(plan, demand, args.months, None)?;
            plans.push(plan_estimate(plan, vec![recommendation])?);
        }
        None
    } else {
        let input = InputArgs {
            log: args.from_log.clone(),
            window: args.window.clone(),
            formats: FormatArgs {
                layout: args.layout.clone(),
                ..Default::default()
            },
        };
        let needs = Needs {
            texts: false,
            may_stream: false,
            ..Needs::default()
        };
        let job = Job::build(&args.plan, &input, None, needs)?;
        refuse_plans_alike(
            &job.runs.iter().map(|run| &run.plan).collect::<Vec<_>>(),
            false,
        )?;
        notes = job.notes.clone();
        for run in &job.runs {
            // Demand is observed with unlimited quota: denial does not hide it.
            let unlimited = unlimited(&run.plan);
            let schedule = Schedule::new(&unlimited, run.as_of);
            let mut tally = DemandTally::new(&schedule, &run.plan.metering);
            let mut observe = |log: &ScanLog, event: &ScanEvent, result: &ScanResult<'_>| {
                tally.observe(log, event, result)
            };
            let replayed = replay::run(
                &job.inputs,
                &unlimited,
                schedule,
                Observer::EachScan(&mut observe),
            )?;
            let account = job.inputs.account.as_deref();
            let known = replayed.accounts_in_logs.iter().map(String::as_str);
            super::report::refuse_unknown_account(&job, replay::unknown_account(account, known))?;
            let observed = tally.demand(&run.plan, &replayed.accounts_in_logs, account)?;
            if observed.is_empty() {
                return Err(Error::NoClosedCycle {
                    plan: run.plan.name.clone(),
                    as_of: job.display_zone.unwrap_or(run.plan.zone).format(run.as_of),
                });
            }
            let accounts = observed
                .into_iter()
                .map(|seen| {
                    let demand = match size_for {
                        SizeFor::Peak => seen.peak,
                        SizeFor::Mean => seen.mean,
                    };
                    let mut recommendation = recommend_at(
                        &run.plan,
                        demand,
                        args.months,
                        Some(seen.cycles_observed),
                        seen.rules_at,
                    )
                    .map_err(|err| match err {
                        Error::Overflow { what, fix } => Error::Overflow {
                            what: format!("account {}: {what}", seen.account),
                            fix,
                        },
                        Error::Usage(problem) => {
                            Error::Usage(format!("account {}: {problem}", seen.account))
                        }
                        other => other,
                    })?;
                    recommendation.account = Some(seen.account.clone());
                    recommendation.observed = Some(seen);
                    Ok(recommendation)
                })
                .collect::<Result<_>>()?;
            notes += &term_notes(&run.plan, args.months);
            plans.push(plan_estimate(&run.plan, accounts)?);
        }
        Some(size_for)
    };
    let estimate = rank(plans, args.months, sized);
    let stdout = match args.format {
        EstimateFormat::Table => render::estimate::table(&estimate, width),
        EstimateFormat::Json => crate::render::json::pretty(&estimate),
    };
    Ok(CommandOutput {
        stderr: notes,
        ..CommandOutput::success(stdout)
    })
}

/// Said out loud: `--months` past the plan's term prices renewals on the
/// same terms, fewer months than a fee is sold for price less than any
/// purchase could cost, and a plan's cores are not priced.
fn term_notes(plan: &Plan, months: u32) -> String {
    let mut notes = String::new();
    // A calendar-month period inside cycles that start mid-month: the
    // first cycle holds two period starts, each charged in full by an
    // invoice, which the estimate's one period a cycle leaves out.
    let start = plan.zone.local_naive(plan.subscription.term.start);
    let mid_month = start.day() != 1 || start.time() != chrono::NaiveTime::MIN;
    for allowance in (plan.allowances.iter())
        .filter(|a| a.kind == AllowanceKind::Prepaid && a.reset == Reset::CalendarMonth)
    {
        if mid_month {
            notes += &format!(
                "scanquota: the plan {}'s allowance `{}` resets each calendar month but its cycles start at {}, not at a month's start: the estimate prices one period a cycle, but an invoice charges each period as it starts and the first cycle holds two (the rest of its month, and the next), one period more over the term\n",
                plan.file,
                allowance.name,
                plan.zone.format(plan.subscription.term.start)
            );
        }
    }
    if plan.cores.is_some() {
        // As report and invoice say it without --cores.
        notes += &format!(
            "scanquota: the plan {} prices cores ([cores]); the estimate leaves them out: cores days follow the cores online, not the scans\n",
            plan.file
        );
    }
    if let Some(term) = plan.subscription.months
        && months > term
    {
        notes += &format!(
            "scanquota: the plan {} runs {term} months; its cost over {months} cycles assumes it is renewed on the same terms\n",
            plan.file
        );
    }
    for fee in &plan.fees {
        if let Some(least) = fee.min_months
            && months < least
        {
            notes += &format!(
                "scanquota: the plan {}'s fee `{}` is sold for at least {least} months; its cost over {months} cycles is less than a purchase of it\n",
                plan.file, fee.name
            );
        }
    }
    notes
}
