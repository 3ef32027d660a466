//! `scanquota ledger`: the audit trail, one row per input scan.

use super::{Outcome, load_keeping_texts};
use crate::cli::{LedgerArgs, LedgerFormat};
use crate::error::Result;
use crate::ledger::ledger;
use crate::meter::Schedule;
use crate::render;

pub fn run(args: &LedgerArgs) -> Result<Outcome> {
    let input = load_keeping_texts(&args.plan, &args.input)?;
    let schedule = Schedule::new(&input.plan, input.as_of);
    let rows = ledger(
        &input.plan,
        &input.log,
        &schedule,
        args.input.account.as_deref(),
    );
    let stdout = match args.format {
        LedgerFormat::Table => render::ledger::table(&rows),
        LedgerFormat::Csv => render::ledger::csv(&rows),
        LedgerFormat::Jsonl => render::ledger::jsonl(&rows),
    };
    Ok(Outcome::success(stdout))
}
