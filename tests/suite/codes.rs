//! Each diagnostic code's documentation: `docs/codes.md` is what `codes::markdown` writes
//! from the codes' own texts (with `KIYAKU_UPDATE_DOCS=1` the test writes it again), with
//! one heading a code, the anchor `Code::url` names; each code has documents that must
//! trigger it and documents that must not, its findings on them pinned by snapshots.

use std::path::Path;

use kiyaku::catalog;
use kiyaku::codes;
use kiyaku::diagnostic::Code;
use kiyaku::engine::Engine;
use kiyaku::kind::DocumentKind;

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
    for &code in Code::ALL {
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

/// Each code's fixtures (`tests/fixtures/checks/<code>/`): a document whose name starts with
/// `triggers` must get the code, one whose name starts with `does-not-trigger` must not, and
/// the findings of that code are pinned by a snapshot (an empty list for the latter).
/// `name.<kind>.txt` is checked as that kind, `name.txt` as detected; the documents of the
/// code's `with/` folder are checked together with each fixture (`value-mismatch` compares
/// documents).
#[test]
fn each_codes_fixtures() {
    let engine = Engine::new(catalog::builtin_catalogs());
    insta::glob!("../fixtures/checks", "*/*.txt", |path| {
        let folder = path.parent().unwrap();
        let code_name = folder.file_name().unwrap().to_str().unwrap();
        let code = Code::parse(code_name)
            .unwrap_or_else(|| panic!("{}: no code is named {code_name}", path.display()));
        let check = |path: &Path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            let stem = name.strip_suffix(".txt").unwrap();
            let kind = stem.split_once('.').map(|(_, kind)| {
                DocumentKind::parse(kind)
                    .unwrap_or_else(|| panic!("{}: no kind is named {kind}", path.display()))
            });
            let relative = path.strip_prefix(folder).unwrap().to_str().unwrap();
            let text = std::fs::read_to_string(path).unwrap();
            engine.check(relative, text, kind)
        };
        let mut reports = vec![check(path)];
        if let Ok(entries) = std::fs::read_dir(folder.join("with")) {
            let mut with: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            with.sort();
            reports.extend(with.iter().map(|p| check(p)));
            kiyaku::engine::cross_check(&mut reports);
        }
        let report = &reports[0];
        let source = &report.document.source;
        let findings: Vec<serde_json::Value> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                let (start, end) = (source.position(d.range.start), source.position(d.range.end));
                serde_json::json!({
                    "range": format!("{}:{}-{}:{}", start.line, start.column, end.line, end.column),
                    "text": &source.as_str()[d.range.clone()],
                    "severity": d.severity.as_str(),
                    "item": d.item,
                    "message": d.message.ja,
                    "fix": d.fix.as_ref().map(|f| f.edits.iter().map(|e| e.text.as_str()).collect::<Vec<_>>()),
                    "suppressed": d.suppressed,
                })
            })
            .collect();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with("triggers") {
            assert!(
                !findings.is_empty(),
                "{} must get {code_name}",
                path.display()
            );
        } else {
            assert!(
                name.starts_with("does-not-trigger"),
                "{}: a fixture's name starts with `triggers` or `does-not-trigger`",
                path.display()
            );
            assert!(
                findings.is_empty(),
                "{} must not get {code_name}: {findings:?}",
                path.display()
            );
        }
        insta::assert_json_snapshot!(findings);
    });
}

#[test]
fn every_code_has_fixtures_that_trigger_it_and_that_do_not() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    for &code in Code::ALL {
        let names: Vec<String> = std::fs::read_dir(root.join(code.as_str()))
            .unwrap_or_else(|e| panic!("tests/fixtures/checks/{}: {e}", code.as_str()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for prefix in ["triggers", "does-not-trigger"] {
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(prefix) && n.ends_with(".txt")),
                "{}: no `{prefix}` fixture",
                code.as_str()
            );
        }
    }
}
