#![no_main]
//! The vendor's statistics JSON for `reconcile`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Err(err) = scanquota::model::reconcile::parse_vendor("vendor.json", bytes) {
        assert_eq!(err.code(), 2);
        assert!(err.to_string().starts_with("vendor.json"));
    }
});
