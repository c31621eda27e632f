//! The consignment contracts written for the tests get exactly their labeled
//! item statuses, and the text and JSON outputs are pinned by snapshots.

use std::collections::BTreeMap;
use std::path::Path;

use kiyaku::catalog;
use kiyaku::engine::Engine;
use serde::Deserialize;

#[derive(Deserialize)]
struct LabelFile {
    document: Vec<Doc>,
}

#[derive(Deserialize)]
struct Doc {
    file: String,
    items: BTreeMap<String, Label>,
}

#[derive(Deserialize)]
struct Label {
    status: String,
}

#[test]
fn every_fixture_contract_gets_exactly_its_labeled_statuses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let labels: LabelFile =
        toml::from_str(&std::fs::read_to_string(root.join("labels/contracts.toml")).unwrap())
            .unwrap();
    assert!(labels.document.len() >= 4);
    let engine = Engine::new(catalog::builtin_catalogs());
    let mut differences = Vec::new();
    for doc in &labels.document {
        let text = std::fs::read_to_string(root.join(&doc.file)).unwrap();
        let report = engine.check(&doc.file, text, None);
        assert_eq!(report.kind.as_str(), "consignment-contract", "{}", doc.file);
        for (id, label) in &doc.items {
            let got = report
                .items
                .iter()
                .find(|i| &i.id == id)
                .map(|i| i.status.as_str())
                .unwrap_or("absent");
            if got != label.status {
                differences.push(format!(
                    "{} {id}: expected {}, got {got}",
                    doc.file, label.status
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

fn run(args: &[&str]) -> String {
    let out = crate::kiyaku_command()
        .args(args)
        .env(
            "KIYAKU_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("kiyaku-cache"),
        )
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_output_snapshot() {
    insta::assert_snapshot!(run(&[
        "check",
        "tests/corpus/contracts/08-seiso-shoko-seiri.txt"
    ]));
}

#[test]
fn json_output_snapshot() {
    insta::assert_snapshot!(run(&[
        "check",
        "--format",
        "json",
        "tests/corpus/contracts/11-dm-hasso-kou-gou.txt"
    ]));
}

#[test]
fn english_messages() {
    let out = run(&[
        "check",
        "--lang",
        "en",
        "tests/corpus/contracts/08-seiso-shoko-seiri.txt",
    ]);
    assert!(out.contains("Required clause"), "{out}");
}
