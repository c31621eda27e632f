//! .pdf extraction: the PDF parser on damaged files (behind kiyaku's own header, end-marker
//! and bounds checks, a caught panic is a damaged file), then the layout of its spans.
//! The time bound is 5 s here instead of 60 s, so that a file stuck inside one page is
//! given up within libFuzzer's 10-second timeout, as a user's file is within a minute.
#![no_main]
use std::time::Duration;

use kiyaku::extract::pdf::{LIMITS, Limits, extract_limited};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        time: Duration::from_secs(5),
        ..LIMITS
    };
    if let Ok((text, pages)) = extract_limited(data, limits) {
        // a page and line for every line of the extracted text
        let lines = text.split('\n').count() - 1;
        assert_eq!(pages.len(), lines);
        for line in 1..=lines {
            assert!(pages.place(line, 1).is_some());
        }
    }
});
