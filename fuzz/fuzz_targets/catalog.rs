//! The catalog loader: TOML text → a validated catalog, or an error at a line and column.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = kiyaku::catalog::parse_catalog("fuzz.toml", &text) {
        assert!(e.line >= 1 && e.column >= 1);
    }
});
