//! Every reader's entry point on arbitrary bytes: an `Ok` or an exit-2 error,
//! never a panic. (The same entry points are the cargo-fuzz targets in
//! `fuzz/`; this keeps them honest in CI, which runs no fuzzer.)

use proptest::prelude::*;
use scanquota::domain::zone::{Zone, parse_timestamp};
use scanquota::input::log::{ReadOptions, ScanLog};
use scanquota::plan::Plan;

/// Bytes that look like the inputs often enough to get past the first line.
fn inputs(prefix: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        "[ -~\\n\\r\\t\"=\\[\\]{},.:+-]{0,300}"
            .prop_map(move |text| format!("{prefix}{text}").into_bytes()),
    ]
}

fn zones() -> impl Strategy<Value = Zone> {
    prop_oneof![
        Just(Zone::default()),
        Just(Zone::parse("+08:00").unwrap()),
        Just(Zone::parse("Europe/Berlin").unwrap())
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn plans(bytes in inputs("[subscription]\nstart = 2024-01-01T00:00:00Z\n")) {
        if let Err(err) = Plan::from_bytes("plan.toml", &bytes) {
            prop_assert_eq!(err.code(), 2);
            prop_assert!(err.to_string().starts_with("plan.toml"));
        }
    }

    #[test]
    fn scan_logs(bytes in inputs("timestamp,image,account,source,status,risk,scan_id\n"), zone in zones()) {
        let mut log = ScanLog::default();
        if let Err(err) = log.read_one("log.csv", bytes.as_slice(), zone) {
            prop_assert_eq!(err.code(), 2);
            prop_assert!(err.to_string().starts_with("log.csv"));
        }
    }

    #[test]
    fn scanner_documents(
        bytes in prop_oneof![
            inputs("{\"SchemaVersion\": 2, \"ArtifactName\": \"a\", "),
            inputs("{\"matches\": [], \"descriptor\": {\"timestamp\": "),
            inputs("{\"type\": \"SCANNING_COMPLETED\", \"occur_at\": 1, \"event_data\": "),
        ],
        by in prop::option::of(Just("repository".to_string())),
    ) {
        let options = ReadOptions { group_column: by, ..ReadOptions::default() };
        let mut log = ScanLog::default();
        if let Err(err) = log.read_one_with(&options, "reports.json", bytes.as_slice(), Zone::default()) {
            prop_assert_eq!(err.code(), 2);
            prop_assert!(err.to_string().starts_with("reports.json"));
        }
    }

    #[test]
    fn inventories(bytes in inputs("image,source\n")) {
        if let Err(err) = scanquota::input::inventory::parse_inventory("inventory.csv", bytes.as_slice()) {
            prop_assert!(err.to_string().starts_with("inventory.csv"));
        }
    }

    #[test]
    fn core_samples(bytes in inputs("timestamp,account,cores\n"), zone in zones()) {
        if let Err(err) = scanquota::input::cores::parse_samples("cores.csv", bytes.as_slice(), zone) {
            prop_assert!(err.to_string().starts_with("cores.csv"));
        }
    }

    #[test]
    fn vendor_statistics(bytes in inputs("{\"repository_scan_num\": ")) {
        if let Err(err) = scanquota::model::reconcile::parse_vendor("vendor.json", &bytes) {
            prop_assert!(err.to_string().starts_with("vendor.json"));
        }
    }

    #[test]
    fn timestamps(text in "[0-9TZtz:+. \\-\u{feff}é]{0,40}|\\PC{0,30}", zone in zones()) {
        let _ = parse_timestamp(&text, zone);
    }
}
