#![no_main]
//! A whole run: plan and log from the input (split at the first NUL byte),
//! replayed and rendered in every format. Reaches the meter's arithmetic with
//! hostile units, prices and times.

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
    let report = scanquota::report::generate(&plan, &log, as_of, None);
    for format in [
        ReportFormat::Table,
        ReportFormat::Json,
        ReportFormat::Csv,
        ReportFormat::Markdown,
    ] {
        let _ = scanquota::render::exporter(format).report(&report);
    }
    let schedule = scanquota::meter::Schedule::new(&plan, as_of);
    let _ = scanquota::ledger::ledger(&plan, &log, &schedule, None);
});
