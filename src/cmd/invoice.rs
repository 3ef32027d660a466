//! `scanquota invoice`: the bill, per account and cycle, posted and projected.

use super::CommandOutput;
use crate::cli::InvoiceArgs;
use crate::error::Result;
use crate::invoice::Invoice;
use crate::job::{Job, Needs};

pub fn run(args: &InvoiceArgs) -> Result<CommandOutput> {
    let needs = Needs {
        texts: false,
        may_stream: true,
        ..Needs::default()
    }
    .breakdown(&args.billed.breakdown)
    .window(&args.window);
    crate::render::refuse_openmetrics(args.format, "an invoice")?;
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
        ..CommandOutput::success(crate::render::exporter(args.format).invoice(&invoice))
    })
}
