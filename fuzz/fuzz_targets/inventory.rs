#![no_main]
//! Inventory CSV (`image,source`) for `stats --inventory`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Err(err) = scanquota::input::inventory::parse_inventory("inventory.csv", bytes) {
        assert_eq!(err.code(), 2);
        assert!(err.to_string().starts_with("inventory.csv"));
    }
});
