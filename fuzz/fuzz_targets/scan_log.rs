#![no_main]
//! Scan log CSV, read in a fixed offset and in a DST zone.

use libfuzzer_sys::fuzz_target;
use scanquota::domain::zone::Zone;
use scanquota::input::log::ScanLog;

fuzz_target!(|bytes: &[u8]| {
    for zone in ["+08:00", "Europe/Berlin"] {
        let zone = Zone::parse(zone).expect("a valid zone");
        let mut log = ScanLog::default();
        if let Err(err) = log.read_one("log.csv", bytes, zone) {
            assert_eq!(err.code(), 2);
            assert!(err.to_string().starts_with("log.csv"));
        }
        log.sort();
    }
});
