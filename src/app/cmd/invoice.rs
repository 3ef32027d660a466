//! `scanquota invoice`: the bill, per account and cycle, posted and projected.

use super::CommandOutput;
use crate::app::cli::InvoiceArgs;
use crate::app::cli::InvoiceFormat;
use crate::app::job::{Job, Needs};
use crate::domain::error::{Error, Result};
use crate::model::focus::{Focus, Sources};
use crate::model::invoice::Invoice;

pub(crate) fn run(args: &InvoiceArgs, width: u16) -> Result<CommandOutput> {
    refuse_allocation_of_a_window(args)?;
    let needs = Needs {
        texts: false,
        may_stream: true,
        ..Needs::default()
    }
    .breakdown(&args.billed.breakdown)
    .window(&args.window);
    let job = Job::build(
        std::slice::from_ref(&args.plan),
        &args.billed.input,
        Some(&args.billed.cores),
        needs,
    )?;
    let run = &job.runs[0];
    // Every format but FOCUS has a view; FOCUS rows also need the units
    // drawn per day (and `--by` group) that the replay tallied.
    let view = super::invoice_view(args.format, width);
    let (report, replayed) = super::report::report_of(&job, run, view.is_none())?;
    let invoice = Invoice::of(&report)?;
    let Some(view) = view else {
        // `--format focus`: the invoice as FOCUS rows, with the units drawn
        // per day (and `--by` group) that the replay tallied.
        let focus = Focus::of(&Sources {
            plan: &run.plan,
            schedule: &replayed.schedule,
            report: &report,
            invoice: &invoice,
            usages: &replayed.usages,
            group_names: &replayed.group_names,
            by: job.by.as_deref(),
        })?;
        return Ok(CommandOutput {
            stderr: job.notes.clone() + &replayed.notes + &focus.notes(run.plan.zone),
            ..CommandOutput::success(crate::render::focus::write(&focus))
        });
    };
    Ok(CommandOutput {
        stderr: job.notes.clone() + &replayed.notes,
        ..CommandOutput::success(view.invoice(&invoice))
    })
}

/// `--by` with a billing window, but for FOCUS: the allocation shares out
/// every charge up to as-of, not the window's lines, and printed under one
/// month's bill it would read as that month's split (docs/decisions.md).
/// FOCUS tags each day's rows with their group, so its window is split.
fn refuse_allocation_of_a_window(args: &InvoiceArgs) -> Result<()> {
    let window = &args.window;
    let windowed = window.month.is_some() || window.from.is_some() || window.to.is_some();
    match &args.billed.breakdown.by {
        Some(by) if windowed && args.format != InvoiceFormat::Focus => Err(Error::Option {
            option: "--by",
            value: by.clone(),
            fix: "shares out every charge up to as-of, not a window's: leave out --month/--from/--to (and give --as-of), or use --format focus, whose rows for the window carry their group".into(),
        }),
        _ => Ok(()),
    }
}
