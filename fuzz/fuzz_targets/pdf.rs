//! .pdf extraction: the PDF parser on damaged files (behind kiyaku's own header, end-marker
//! and bounds checks, a panic of the parser is caught and the file is damaged), then the layout of
//! its spans.
//! The time bound is 5 s here instead of 60 s, so that a file stuck inside one page is
//! given up within libFuzzer's 10-second timeout, as a user's file is within a minute.
#![no_main]
use std::time::Duration;

use kiyaku::extract::pdf::{LIMITS, Limits, extract_limited};
use libfuzzer_sys::fuzz_target;

/// libfuzzer-sys aborts on every panic, even one caught. kiyaku catches the PDF parser's own
/// panics by design (`read_catching_panics`: a damaged file, reported as such), so those are
/// let through; a panic anywhere else, kiyaku's own code included, still aborts.
fn let_the_parsers_panics_be_caught() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|l| l.file().contains("/pdf_oxide-"));
            if !in_parser {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_the_parsers_panics_be_caught();
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
