//! The audit.toml reader on arbitrary text, diagnostics rendered: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        auditpress::load::fuzz::audit_toml(text);
    }
});
