#![no_main]
//! A whole run: plan and log from the input (split at the first NUL byte),
//! replayed and rendered in every format, invoiced, and sized by `estimate`.
//! Reaches the meter's and the charges' arithmetic with hostile units, prices
//! and times: an overflow must be an exit-2 error, never a panic.

use libfuzzer_sys::fuzz_target;
use scanquota::app::cli::{InvoiceFormat, ReportFormat};
use scanquota::app::cmd::{invoice_view, report_view};
use scanquota::engine::meter::{ScanResult, Schedule};
use scanquota::input::log::{ReadOptions, ReadRow, ScanEvent, ScanLog};
use scanquota::model::estimate::{DemandTally, unlimited};
use scanquota::model::ledger::ledger_row;
use scanquota::model::report::assemble;
use scanquota::plan::Plan;
use scanquota::replay::{self, Inputs, Logs, Observer};

fuzz_target!(|bytes: &[u8]| {
    let Some(split) = bytes.iter().position(|&b| b == 0) else {
        return;
    };
    let Ok(plan) = Plan::from_bytes("plan.toml", &bytes[..split]) else {
        return;
    };
    let mut log = ScanLog::default();
    if log
        .read_one("log.csv", &bytes[split + 1..], plan.zone)
        .is_err()
    {
        return;
    }
    log.sort();
    let as_of = chrono::DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
        .expect("a valid instant")
        .to_utc();
    // Through the one replay entry, with each observer a command passes it.
    let plan_zone = plan.zone;
    let inputs = Inputs {
        logs: Logs::Read(vec![(plan_zone, log)]),
        read_options: ReadOptions::default(),
        account: None,
    };
    let mut draws = String::new();
    let mut each = |log: &ScanLog, read: &ReadRow<'_>, result: Option<&ScanResult<'_>>| {
        let _ = ledger_row(&plan, log, false, read, result, &mut draws);
    };
    let schedule = Schedule::new(&plan, as_of);
    let _ = replay::run(&inputs, &plan, schedule, Observer::EachRow(&mut each));
    let unlimited = unlimited(&plan);
    let schedule = Schedule::new(&unlimited, as_of);
    let mut tally = DemandTally::new(&schedule, &plan.metering);
    let mut observe = |log: &ScanLog, event: &ScanEvent, result: &ScanResult<'_>| {
        tally.observe(log, event, result)
    };
    if let Ok(replayed) = replay::run(
        &inputs,
        &unlimited,
        schedule,
        Observer::EachScan(&mut observe),
    ) && let Ok(observed) = tally.demand(&plan, &replayed.accounts_in_logs, None)
    {
        for seen in observed {
            let _ = scanquota::model::estimate::recommend(&plan, seen.peak, 12, Some(1));
        }
    }
    let schedule = Schedule::new(&plan, as_of);
    let report = replay::run(&inputs, &plan, schedule, Observer::Usages).and_then(|replayed| {
        assemble(
            &plan,
            &replayed.schedule,
            replayed.usages,
            replayed.no_rows,
            None,
            None,
            None,
        )
    });
    let report = match report {
        Ok(report) => report,
        Err(err) => {
            assert_eq!(err.code(), 2);
            return;
        }
    };
    for format in [
        ReportFormat::Table,
        ReportFormat::Json,
        ReportFormat::Csv,
        ReportFormat::Markdown,
        ReportFormat::Html,
        ReportFormat::Openmetrics,
    ] {
        let _ = report_view(format, scanquota::render::DEFAULT_TABLE_WIDTH).report(&report);
    }
    if let Ok(invoice) = scanquota::model::invoice::Invoice::of(&report) {
        if let Some(view) =
            invoice_view(InvoiceFormat::Json, scanquota::render::DEFAULT_TABLE_WIDTH)
        {
            let _ = view.invoice(&invoice);
        }
    }
});
