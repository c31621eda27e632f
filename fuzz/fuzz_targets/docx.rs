//! .docx extraction: zip container, document/numbering/styles XML, numbering counters.
#![no_main]
use kiyaku::extract::{Format, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = extract(Format::Docx, data) {
        // one paragraph number for every line of the extracted text
        let lines = e.text.split('\n').count() - 1;
        assert_eq!(e.paragraphs.map(|p| p.len()), Some(lines));
    }
});
