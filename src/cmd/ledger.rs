//! `scanquota ledger`: the audit trail, one row per input scan.

use super::CommandOutput;
use crate::cli::{LedgerArgs, LedgerFormat};
use crate::error::{Error, Result};
use crate::job::window_bound;
use crate::job::{Job, Needs};
use crate::ledger::{Window, ledger_in, ledger_row_in};
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
    let window = window(args, &job)?;
    if format == LedgerFormat::Table {
        let run = &job.runs[0];
        let log = job.log(run).expect("a ledger table reads its logs");
        super::report::refuse_unknown_account(&job, unknown_in_log(&job, log))?;
        let schedule = job.schedule(run);
        let rows = ledger_in(&run.plan, log, &schedule, job.account.as_deref(), &window);
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
                    if written.is_ok() && window.holds(read.event.at) {
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

/// `--from` and `--to` in the plan's zone; `--from` must come first.
fn window(args: &LedgerArgs, job: &Job) -> Result<Window> {
    let zone = job.runs[0].plan.zone;
    let from = args
        .from
        .as_deref()
        .map(|text| window_bound("--from", text, zone))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|text| window_bound("--to", text, zone))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(Error::Option {
            option: "--to",
            value: args.to.clone().unwrap_or_default(),
            fix: format!(
                "is not after --from ({}); the window holds the scans from --from up to, not including, --to",
                zone.format(from)
            ),
        });
    }
    Ok(Window { from, to })
}
