//! .pdf extraction: the PDF parser on damaged files (behind kiyaku's own header, end-marker
//! and bounds checks, a caught panic is a damaged file), then the layout of its spans.
#![no_main]
use kiyaku::extract::{Format, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = extract(Format::Pdf, data) {
        // a page and line for every line of the extracted text
        let lines = e.text.split('\n').count() - 1;
        let pages = e.pages.expect("a PDF's page map");
        assert_eq!(pages.len(), lines);
        for line in 1..=lines {
            assert!(pages.place(line, 1).is_some());
        }
    }
});
