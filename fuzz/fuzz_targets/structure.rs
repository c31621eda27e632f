//! The structure parser: any text yields a tree whose spans lie inside the text.
#![no_main]
use kiyaku::structure;
use kiyaku::text::SourceText;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = SourceText::new(String::from_utf8_lossy(data).into_owned());
    let s = structure::parse(&source);
    let len = source.as_str().len();
    for (i, u) in s.units.iter().enumerate() {
        assert!(u.span.start <= u.span.end && u.span.end <= len, "{u:?}");
        assert!(u.body_start <= len);
        let _ = s.path_label(i);
        let _ = s.innermost_at(u.span.start);
    }
});
