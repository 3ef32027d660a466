//! `scanquota invoice`: the bill, per account and cycle, posted and projected.

use super::CommandOutput;
use crate::app::cli::InvoiceArgs;
use crate::app::job::{Job, Needs};
use crate::domain::error::Result;
use crate::model::invoice::Invoice;

pub fn run(args: &InvoiceArgs) -> Result<CommandOutput> {
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
        Some(&args.billed),
        needs,
    )?;
    let found = super::report::reports(&job)?;
    let invoice = Invoice::of(&found.reports[0])?;
    Ok(CommandOutput {
        stderr: job.notes.clone() + &found.notes,
        ..CommandOutput::success(super::invoice_view(args.format).invoice(&invoice))
    })
}
