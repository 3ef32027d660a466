#![no_main]
//! Plan TOML: any bytes give a plan or an exit-2 error naming the file.

use libfuzzer_sys::fuzz_target;
use scanquota::plan::Plan;

fuzz_target!(|bytes: &[u8]| {
    if let Err(err) = Plan::from_bytes("plan.toml", bytes) {
        assert_eq!(err.code(), 2);
        assert!(err.to_string().starts_with("plan.toml"));
    }
});
