//! `scanquota ledger`: the audit trail, one row per input scan.

use super::CommandOutput;
use crate::cli::{LedgerArgs, LedgerFormat};
use crate::error::Result;
use crate::job::{Job, Needs};
use crate::ledger::{each_row, ledger};
use crate::render::ledger::{Sink, table};

pub fn run(args: &LedgerArgs) -> Result<CommandOutput> {
    let needs = Needs {
        texts: true,
        may_stream: false,
        by: args.by.clone(),
        ..Needs::default()
    };
    let job = Job::build(std::slice::from_ref(&args.plan), &args.input, None, needs)?;
    let notes = job.notes.clone();
    let format = args.format;
    if format == LedgerFormat::Table {
        let run = &job.runs[0];
        let log = job.log(run).expect("the ledger reads its logs");
        let schedule = job.schedule(run);
        let rows = ledger(&run.plan, log, &schedule, job.account.as_deref());
        return Ok(CommandOutput {
            stderr: notes,
            ..CommandOutput::success(table(&rows))
        });
    }
    // CSV and JSON Lines stream: every input is read and checked by now.
    Ok(CommandOutput {
        stderr: notes,
        ..CommandOutput::streamed(Box::new(move |out| {
            let run = &job.runs[0];
            let log = job.log(run).expect("the ledger reads its logs");
            let schedule = job.schedule(run);
            let mut sink = match format {
                LedgerFormat::Jsonl => Sink::jsonl(out),
                LedgerFormat::Csv | LedgerFormat::Table => Sink::csv(out, job.by.is_some())?,
            };
            let mut written = Ok(());
            each_row(&run.plan, log, &schedule, job.account.as_deref(), |row| {
                if written.is_ok() {
                    written = sink.row(&row);
                }
            });
            written?;
            sink.finish()
        }))
    })
}
