#![no_main]
//! A whole run: plan and log from the input (split at the first NUL byte),
//! replayed and rendered in every format, invoiced, and sized by `estimate`.
//! Reaches the meter's and the charges' arithmetic with hostile units, prices
//! and times: an overflow must be an exit-2 error, never a panic.

use libfuzzer_sys::fuzz_target;
use scanquota::cli::ReportFormat;
use scanquota::log::ScanLog;
use scanquota::plan::Plan;

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
    let schedule = scanquota::meter::Schedule::new(&plan, as_of);
    let _ = scanquota::ledger::ledger(&plan, &log, &schedule, None);
    if let Ok(observed) = scanquota::estimate::demand_from_log(&plan, &log, as_of, None) {
        for seen in observed {
            let _ = scanquota::estimate::recommend(&plan, seen.peak, 12, Some(1));
        }
    }
    let report = match scanquota::report::generate(&plan, &log, as_of, None) {
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
        let _ = scanquota::render::exporter(format).report(&report);
    }
    if let Ok(invoice) = scanquota::invoice::Invoice::of(&report) {
        let _ = scanquota::render::exporter(ReportFormat::Json).invoice(&invoice);
    }
});
