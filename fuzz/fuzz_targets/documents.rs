#![no_main]
//! Scanner reports and registry events: recognised by content, and read as
//! each named format, through the log reader and through `import`'s reader.

use libfuzzer_sys::fuzz_target;
use scanquota::domain::zone::Zone;
use scanquota::input::log::formats::{FormatOptions, LogFormat, Skipped, read_documents};
use scanquota::input::log::{ReadOptions, ScanLog};

fuzz_target!(|bytes: &[u8]| {
    for format in [
        None,
        Some(LogFormat::Jsonl),
        Some(LogFormat::Trivy),
        Some(LogFormat::Grype),
        Some(LogFormat::Harbor),
    ] {
        let options = FormatOptions {
            format,
            ..FormatOptions::default()
        };
        let reading = ReadOptions {
            formats: options.clone(),
            group_column: Some("repository".into()),
            ..ReadOptions::default()
        };
        let mut log = ScanLog::default();
        if let Err(err) = log.read_one_with(&reading, "reports.json", bytes, Zone::default()) {
            assert_eq!(err.code(), 2);
            assert!(err.to_string().starts_with("reports.json"));
        }
        let mut skipped = Skipped::default();
        if let Err(err) =
            read_documents("reports.json", bytes, &options, &mut skipped, |_| Ok(true))
        {
            assert_eq!(err.code(), 2);
            assert!(err.to_string().starts_with("reports.json"));
        }
    }
});
