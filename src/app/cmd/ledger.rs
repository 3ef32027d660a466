//! `scanquota ledger`: the audit trail, one row per input scan.

use super::CommandOutput;
use crate::app::cli::{LedgerArgs, LedgerFormat};
use crate::app::job::window_bound;
use crate::app::job::{Job, Needs};
use crate::app::output::Failure;
use crate::domain::error::{Error, Result};
use crate::engine::meter::ScanResult;
use crate::input::log::{ReadRow, ScanLog};
use crate::model::ledger::{Window, ledger_row_in};
use crate::render::ledger::{LedgerTable, Sink};
use crate::replay::{self, Observer, each_row, row_source, unknown_account};

pub(crate) fn run(args: &LedgerArgs, width: u16) -> Result<CommandOutput> {
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
        let schedule = job.schedule(run);
        let (shown, grouped) = (schedule.display, schedule.grouped);
        let mut table = LedgerTable::new(grouped, width);
        let mut draws = String::new();
        let mut each = |log: &ScanLog, read: &ReadRow<'_>, result: Option<&ScanResult<'_>>| {
            if window.holds(read.event.at) {
                table.row(&ledger_row_in(
                    shown, &run.plan, log, grouped, read, result, &mut draws,
                ));
            }
        };
        let replayed = replay::run(
            &job.inputs,
            &run.plan,
            schedule,
            Observer::EachRow(&mut each),
        )?;
        let known = replayed.accounts_in_logs.iter().map(String::as_str);
        let account = job.inputs.account.as_deref();
        super::report::refuse_unknown_account(&job, unknown_account(account, known))?;
        return Ok(CommandOutput {
            stderr: notes,
            ..CommandOutput::success(table.finish())
        });
    }
    // Every input is read and checked before the first row is written.
    let zone = job.runs[0].plan.zone;
    let (mut source, skipped, unknown, unchanged) = row_source(&mut job.inputs, zone)?;
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
            let mut draws = String::new();
            let account = job.inputs.account.as_deref();
            let read = each_row(
                &mut source,
                &run.plan,
                &schedule,
                account,
                &job.inputs.read_options,
                |log, read, result| {
                    if written.is_ok() && window.holds(read.event.at) {
                        written = sink.row(&ledger_row_in(
                            schedule.display,
                            &run.plan,
                            log,
                            schedule.grouped,
                            read,
                            result,
                            &mut draws,
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
