//! `scanquota invoice`: the bill, per account and cycle, posted and projected.

use super::Outcome;
use crate::cli::InvoiceArgs;
use crate::error::Result;
use crate::invoice::Invoice;
use crate::job::{Job, Needs};

pub fn run(args: &InvoiceArgs) -> Result<Outcome> {
    let needs = Needs {
        texts: false,
        may_stream: true,
    };
    let job = Job::build(
        std::slice::from_ref(&args.plan),
        &args.input,
        args.cores.as_deref(),
        needs,
    )?;
    let (reports, warnings) = super::report::reports(&job)?;
    let invoice = Invoice::of(&reports[0]);
    Ok(Outcome {
        stderr: job.notes.clone() + &warnings,
        ..Outcome::success(crate::render::exporter(args.format).invoice(&invoice))
    })
}
