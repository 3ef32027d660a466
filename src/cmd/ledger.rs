//! `scanquota ledger`: the audit trail, one row per input scan.

use super::CommandOutput;
use crate::cli::{LedgerArgs, LedgerFormat};
use crate::error::Result;
use crate::job::{Job, Needs};
use crate::ledger::{ledger, ledger_row_in};
use crate::output::Failure;
use crate::render::ledger::{Sink, table};
use crate::replay::{each_row, row_source, unknown_in_log};

pub fn run(args: &LedgerArgs) -> Result<CommandOutput> {
    // A table is laid out whole; CSV and JSON Lines rows are written as the
    // replay makes them, from time-ordered files read again.
    let needs = Needs {
        texts: true,
        may_stream: args.format != LedgerFormat::Table,
        by: args.by.clone(),
        ..Needs::default()
    };
    let mut job = Job::build(std::slice::from_ref(&args.plan), &args.input, None, needs)?;
    let mut notes = job.notes.clone();
    let format = args.format;
    if format == LedgerFormat::Table {
        let run = &job.runs[0];
        let log = job.log(run).expect("a ledger table reads its logs");
        super::report::refuse_unknown_account(&job, unknown_in_log(&job, log))?;
        let schedule = job.schedule(run);
        let rows = ledger(&run.plan, log, &schedule, job.account.as_deref());
        return Ok(CommandOutput {
            stderr: notes,
            ..CommandOutput::success(table(&rows))
        });
    }
    // Every input is read and checked before the first row is written.
    let (mut source, skipped, unknown, unchanged) = row_source(&mut job)?;
    notes += &skipped;
    super::report::refuse_unknown_account(&job, unknown)?;
    Ok(CommandOutput {
        stderr: notes,
        ..CommandOutput::streamed(Box::new(move |out| {
            // The files are read again: first make sure they are the ones
            // checked, before a row is written.
            unchanged.check().map_err(Failure::Input)?;
            let run = &job.runs[0];
            let schedule = job.schedule(run);
            let mut sink = match format {
                LedgerFormat::Jsonl => Sink::jsonl(out),
                LedgerFormat::Csv | LedgerFormat::Table => Sink::csv(out, job.by.is_some())?,
            };
            let mut written = Ok(());
            let account = job.account.as_deref();
            let read = each_row(
                &mut source,
                &run.plan,
                &schedule,
                account,
                &job.read_options,
                |log, read, result| {
                    if written.is_ok() {
                        written = sink.row(&ledger_row_in(
                            schedule.display,
                            &run.plan,
                            log,
                            schedule.grouped,
                            read,
                            result,
                        ));
                    }
                    written.is_ok()
                },
            );
            // Whatever went wrong reading a file that changed meanwhile, the
            // change is the cause to name; any other is the input's error.
            unchanged.check().map_err(Failure::Input)?;
            read.map_err(Failure::Input)?;
            written?;
            Ok(sink.finish()?)
        }))
    })
}
