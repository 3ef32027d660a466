#![no_main]
//! Core samples CSV (`timestamp,account,cores`), then billing them.

use libfuzzer_sys::fuzz_target;
use scanquota::domain::zone::Zone;

fuzz_target!(|bytes: &[u8]| {
    let zone = Zone::parse("Europe/Berlin").expect("a valid zone");
    match scanquota::input::cores::parse_samples("cores.csv", bytes, zone) {
        Ok(samples) => {
            let plan = scanquota::plan::Plan::from_str(
                "plan.toml",
                "currency = \"CNY\"\ntimezone = \"Europe/Berlin\"\n\
                 [subscription]\nstart = 2024-03-15T14:00:00+01:00\n\
                 [cores]\nlicensed = 100\ndaily_unit_price = 1\ndaily_cap = 5000\n",
            )
            .expect("a valid plan");
            let cores = plan.cores.clone().expect("a [cores] section");
            let as_of = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
                .expect("a valid instant")
                .to_utc();
            let _ = scanquota::engine::core_days::billable_days(&plan, &cores, &samples, as_of);
        }
        Err(err) => {
            assert_eq!(err.code(), 2);
            assert!(err.to_string().starts_with("cores.csv"));
        }
    }
});
