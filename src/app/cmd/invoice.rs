//! `scanquota invoice`: the bill, per account and cycle, posted and projected.

use super::CommandOutput;
use crate::app::cli::InvoiceArgs;
use crate::app::job::{Job, Needs};
use crate::domain::error::Result;
use crate::model::focus::{Focus, Sources};
use crate::model::invoice::Invoice;
use crate::model::report::assemble;
use crate::replay::{self, Observer, unknown_account};

pub fn run(args: &InvoiceArgs) -> Result<CommandOutput> {
    let needs = Needs {
        texts: false,
        may_stream: true,
        ..Needs::default()
    }
    .breakdown(&args.billed.breakdown)
    .window(&args.window);
    let Some(view) = super::invoice_view(args.format) else {
        return focus(args, needs);
    };
    let job = Job::build(
        std::slice::from_ref(&args.plan),
        &args.billed.input,
        Some(&args.billed),
        needs,
    )?;
    let found = super::report::reports(&job)?;
    let invoice = Invoice::of(&found.reports[0])?;
    Ok(CommandOutput {
        stderr: job.notes.clone() + &found.notes,
        ..CommandOutput::success(view.invoice(&invoice))
    })
}

/// `--format focus`: the invoice as FOCUS rows, with the units drawn per day
/// (and `--by` group) that the replay tallied.
fn focus(args: &InvoiceArgs, needs: Needs) -> Result<CommandOutput> {
    let job = Job::build(
        std::slice::from_ref(&args.plan),
        &args.billed.input,
        Some(&args.billed),
        needs,
    )?;
    let run = &job.runs[0];
    let replayed = replay::run(&job.inputs, &run.plan, job.schedule(run), Observer::Usages)?;
    let known = (replayed.accounts_in_logs.iter())
        .chain(run.core_days.keys())
        .map(String::as_str);
    super::report::refuse_unknown_account(
        &job,
        unknown_account(job.inputs.account.as_deref(), known),
    )?;
    let breakdown = job.breakdown(replayed.group_names.clone());
    let mut report = assemble(
        &run.plan,
        &replayed.schedule,
        replayed.usages.clone(),
        replayed.no_rows,
        job.inputs.account.as_deref(),
        &run.core_days,
        breakdown.as_ref(),
    )?;
    if let Some(window) = run.window {
        report.set_window(run.plan.zone, window.from, window.to);
    }
    let invoice = Invoice::of(&report)?;
    let focus = Focus::of(&Sources {
        plan: &run.plan,
        schedule: &replayed.schedule,
        report: &report,
        invoice: &invoice,
        usages: &replayed.usages,
        group_names: &replayed.group_names,
        by: job.by.as_deref(),
    })?;
    Ok(CommandOutput {
        stderr: job.notes.clone() + &replayed.notes + &focus.notes(run.plan.zone),
        ..CommandOutput::success(crate::render::focus::write(&focus))
    })
}
