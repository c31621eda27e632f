//! .html extraction: charset sniffing, html5ever parsing, the visible-text walk.
#![no_main]
use kiyaku::extract::{Format, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = extract(Format::Html, data);
});
