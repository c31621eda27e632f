//! Each diagnostic code's documentation: `docs/codes.md` is what `codes::markdown` writes
//! from the codes' own texts (with `KIYAKU_UPDATE_DOCS=1` the test writes it again), with
//! one heading a code, the anchor `Code::url` names.

use std::path::Path;

use kiyaku::codes;
use kiyaku::diagnostic::Code;

fn committed() -> (std::path::PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/codes.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    (path, text)
}

#[test]
fn docs_codes_md_is_generated_from_the_codes() {
    let (path, text) = committed();
    let generated = codes::markdown();
    if std::env::var_os("KIYAKU_UPDATE_DOCS").is_some() {
        if text != generated {
            std::fs::write(&path, &generated).unwrap();
        }
        return;
    }
    assert!(
        text == generated,
        "docs/codes.md differs from the codes' documentation: run the tests with KIYAKU_UPDATE_DOCS=1"
    );
}

#[test]
fn every_code_has_its_heading_and_its_url_names_it() {
    let (_, text) = committed();
    for code in Code::ALL {
        let heading = format!("### {}", code.as_str());
        assert_eq!(
            text.lines().filter(|l| *l == heading).count(),
            1,
            "docs/codes.md has no single heading `{heading}`"
        );
        assert_eq!(
            code.url(),
            format!(
                "https://docs.rs/kiyaku/latest/kiyaku/codes/index.html#{}",
                code.as_str()
            )
        );
    }
    // no other heading could take an anchor of a code's
    let headings = text.lines().filter(|l| l.starts_with('#')).count();
    assert_eq!(
        headings,
        Code::ALL.len() + 1,
        "one title, one heading a code"
    );
}
