//! The whole engine on a text: kind detection, every catalog, every consistency check.
#![no_main]
use std::sync::OnceLock;

use kiyaku::engine::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::new(kiyaku::catalog::builtin_catalogs()));
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let report = engine.check("fuzz.txt", text.to_string(), None);
    for d in &report.diagnostics {
        assert!(d.range.start <= d.range.end && d.range.end <= text.len());
    }
});
