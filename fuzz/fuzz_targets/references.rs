//! The reference resolver (第N条第M項第K号, 前条, 前項, 次の各号, 「イ」, 前述1.1 a.) on a
//! prepared document.
#![no_main]
use kiyaku::checks::broken_reference;
use kiyaku::document::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let doc = Document::new(text.to_string());
    for d in broken_reference::check(&doc) {
        assert!(d.range.start <= d.range.end && d.range.end <= text.len());
    }
});
