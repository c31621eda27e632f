//! Bytes → text: UTF-8 with or without BOM, Shift_JIS/CP932, binary rejected.
#![no_main]
use kiyaku::extract::{Format, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((text, _)) = kiyaku::decode::decode(data) {
        // a decoded text is indexed for positions without panicking anywhere
        let source = kiyaku::text::SourceText::new(text);
        let len = source.as_str().len();
        for offset in [0, len / 3, len / 2, len] {
            let p = source.position(offset);
            let (line, column) = source.utf16_position(offset);
            assert!(p.line >= 1 && p.line <= source.line_count());
            let _ = source.offset_of_utf16(line, column);
        }
    }
    let _ = extract(Format::Text, data);
});
