#![no_main]
//! Timestamps in every form the log and `--as-of` accept.

use libfuzzer_sys::fuzz_target;
use scanquota::domain::zone::{Zone, parse_plan_timestamp, parse_timestamp};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    for zone in ["+00:00", "-09:30", "Europe/Berlin", "Asia/Shanghai"] {
        let zone = Zone::parse(zone).expect("a valid zone");
        let _ = parse_timestamp(text, zone);
        let _ = parse_plan_timestamp(text, zone);
    }
});
