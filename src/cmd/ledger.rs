//! `scanquota ledger`: the audit trail, one row per input scan.

use super::{Outcome, load_keeping_texts};
use crate::cli::{LedgerArgs, LedgerFormat};
use crate::error::Result;
use crate::ledger::{each_row, ledger};
use crate::meter::Schedule;
use crate::render::ledger::{Sink, table};

pub fn run(args: &LedgerArgs) -> Result<Outcome> {
    let input = load_keeping_texts(&args.plan, &args.input)?;
    let account = args.input.account.clone();
    let format = args.format;
    if format == LedgerFormat::Table {
        let schedule = Schedule::new(&input.plan, input.as_of);
        let rows = ledger(&input.plan, &input.log, &schedule, account.as_deref());
        return Ok(Outcome::success(table(&rows)));
    }
    // CSV and JSON Lines stream: every input is read and checked by now.
    Ok(Outcome::streamed(Box::new(move |out| {
        let schedule = Schedule::new(&input.plan, input.as_of);
        let mut sink = match format {
            LedgerFormat::Jsonl => Sink::jsonl(out),
            LedgerFormat::Csv | LedgerFormat::Table => Sink::csv(out)?,
        };
        let mut written = Ok(());
        each_row(
            &input.plan,
            &input.log,
            &schedule,
            account.as_deref(),
            |row| {
                if written.is_ok() {
                    written = sink.row(&row);
                }
            },
        );
        written?;
        sink.finish()
    })))
}
