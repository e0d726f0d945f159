//! The CSV reader on arbitrary text: no panic, every range on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        auditpress::load::fuzz::csv(text);
    }
});
