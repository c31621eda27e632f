//! Accuracy on the labeled corpora: per catalog, precision and recall of `missing`
//! verdicts, and kind-detection accuracy. Labels were made by reading the documents.
//!
//! - The tuned corpus (tests/corpus/labels/*.toml) is what the catalogs were developed
//!   on; its bar is 0.95 for each figure.
//! - The blind corpus (tests/corpus/blind/labels/*.toml) holds documents labeled before
//!   kiyaku first ran on them (tests/corpus/blind/README.md); it says how kiyaku does on
//!   documents no one tuned on. Each figure is held at the floor recorded in
//!   tests/corpus/blind/floor.toml, which may only be raised. The notices that stood at a
//!   form (tests/corpus/blind/placement.toml) are declared so, as their users would, and
//!   jisq15001-direct is measured again from the text alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kiyaku::catalog;
use kiyaku::engine::Engine;
use kiyaku::kind::DocumentKind;
use kiyaku::matcher::Status;
use serde::Deserialize;

const BAR: f64 = 0.95;

#[derive(Deserialize)]
struct LabelFile {
    document: Vec<LabeledDocument>,
}

#[derive(Deserialize)]
pub struct LabeledDocument {
    pub file: String,
    kind: String,
    #[allow(dead_code)]
    source: String,
    items: BTreeMap<String, Label>,
    /// Drafting defects a careful reader found (the blind labels from batch 5 on).
    #[serde(default)]
    pub defect: Vec<Defect>,
}

#[derive(Deserialize)]
pub struct Defect {
    pub line: usize,
    pub code: String,
    #[allow(dead_code)]
    note: String,
}

#[derive(Deserialize)]
struct Label {
    status: String,
    #[serde(default)]
    #[allow(dead_code)]
    lines: Vec<usize>,
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    errors: Vec<String>,
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The labeled documents of the label files in `labels` whose names start with `prefix`.
pub fn labeled_documents(labels: &Path, prefix: &str) -> Vec<LabeledDocument> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(labels)
        .unwrap_or_else(|e| panic!("{}: {e}", labels.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let parsed: LabelFile =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            parsed.document
        })
        .collect()
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

#[test]
fn accuracy_on_the_labeled_corpus() {
    let docs = labeled_documents(&corpus_dir().join("labels"), "");
    assert!(docs.len() >= 20, "corpus too small: {}", docs.len());
    println!("\n== tuned corpus ({} documents)", docs.len());
    let scores = measure(&corpus_dir(), &docs, &BTreeSet::new());
    let failed: Vec<String> = scores
        .iter()
        .filter(|(_, v)| **v < BAR)
        .map(|(k, v)| format!("{k} {v:.3}"))
        .collect();
    assert!(failed.is_empty(), "below the bar of {BAR}: {failed:?}");
}

/// The blind corpus, whole and batch by batch (`KIYAKU_BLIND_BATCH=batch2` measures only
/// the label files of that batch, as RUNS.md records them).
#[test]
fn accuracy_on_the_blind_corpus() {
    let blind = corpus_dir().join("blind");
    let prefix = std::env::var("KIYAKU_BLIND_BATCH").unwrap_or_default();
    let docs = labeled_documents(&blind.join("labels"), &prefix);
    println!("\n== blind corpus {prefix} ({} documents)", docs.len());
    let scores = measure(&blind, &docs, &placed_at_forms(&blind));
    if !prefix.is_empty() {
        return;
    }
    let floor: BTreeMap<String, f64> =
        toml::from_str(&std::fs::read_to_string(blind.join("floor.toml")).unwrap()).unwrap();
    let mut below = Vec::new();
    for (figure, at_least) in &floor {
        // the precision of other findings, by code, is held by the findings test
        let code = figure
            .split(' ')
            .next()
            .and_then(kiyaku::diagnostic::Code::parse);
        if code.is_some() {
            continue;
        }
        let got = scores.get(figure).copied().unwrap_or(0.0);
        if got + 1e-9 < *at_least {
            below.push(format!("{figure}: {got:.3} < floor {at_least:.3}"));
        }
    }
    assert!(below.is_empty(), "blind corpus below its floor: {below:?}");
}

/// The notices whose labels record that they were shown at a form (`placement.toml`): the
/// page context a user declares with `notice=at-acquisition` or kiyaku.toml.
fn placed_at_forms(blind: &Path) -> BTreeSet<String> {
    #[derive(Deserialize)]
    struct Placement {
        notice: Vec<Placed>,
    }
    #[derive(Deserialize)]
    struct Placed {
        file: String,
    }
    let path = blind.join("placement.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let placement: Placement =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    placement.notice.into_iter().map(|p| p.file).collect()
}

/// The catalog whose applicability a document's placement decides, measured a second time
/// from the text alone.
const PLACED_CATALOG: &str = "jisq15001-direct";

/// Prints precision and recall per catalog and kind-detection accuracy; returns each
/// figure by name (`<catalog> precision`, `<catalog> recall`, `kind detection`). The
/// documents in `placed` are checked declared the notice given at acquisition, as their
/// users would declare them; `jisq15001-direct (text alone)` is the same catalog measured
/// without that declaration.
fn measure(
    root: &Path,
    docs: &[LabeledDocument],
    placed: &BTreeSet<String>,
) -> BTreeMap<String, f64> {
    let engine = Engine::new(catalog::builtin_catalogs());
    let mut declaring = Engine::new(catalog::builtin_catalogs());
    for file in placed {
        let glob = globset::Glob::new(&globset::escape(file))
            .unwrap()
            .compile_matcher();
        declaring.acquisition_globs.push((glob, root.to_path_buf()));
    }
    let mut per_catalog: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut kinds_right, mut kind_errors) = (0, Vec::new());
    for doc in docs {
        let path = root.join(&doc.file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (text, _) = kiyaku::decode::decode(&bytes).unwrap();
        let labeled_kind = DocumentKind::parse(&doc.kind).expect("label kind");
        let detected = engine.check(&doc.file, text.clone(), None);
        if detected.kind == labeled_kind {
            kinds_right += 1;
        } else {
            kind_errors.push(format!(
                "{}: labeled {}, detected {}",
                doc.file,
                doc.kind,
                detected.kind.as_str()
            ));
        }
        let from_text = engine.check(&doc.file, text.clone(), Some(labeled_kind));
        let declared = placed
            .contains(&doc.file)
            .then(|| declaring.check(&doc.file, text, Some(labeled_kind)));
        let report = declared.as_ref().unwrap_or(&from_text);
        // each item as judged, then the placement's catalog again from the text alone
        let judgements = doc
            .items
            .iter()
            .map(|(id, label)| (id, label, report, false))
            .chain(
                doc.items
                    .iter()
                    .filter(|(id, _)| id.starts_with(PLACED_CATALOG))
                    .map(|(id, label)| (id, label, &from_text, true)),
            );
        for (id, label, report, alone) in judgements {
            let mut catalog_id = id.split('/').next().unwrap().to_string();
            if alone {
                catalog_id.push_str(" (text alone)");
            }
            let got = report.items.iter().find(|i| &i.id == id).map(|i| i.status);
            let Some(got) = got else {
                panic!("{}: labeled item {id} is not judged by kiyaku", doc.file);
            };
            let counts = per_catalog.entry(catalog_id).or_default();
            let said_missing = got == Status::Missing;
            let is_missing = label.status == "missing";
            match (said_missing, is_missing) {
                (true, true) => counts.tp += 1,
                (true, false) => {
                    counts.fp += 1;
                    counts.errors.push(format!(
                        "false missing  {} {id} (label {})",
                        doc.file, label.status
                    ));
                }
                (false, true) => {
                    counts.fn_ += 1;
                    counts.errors.push(format!(
                        "missed missing {} {id} (kiyaku {})",
                        doc.file,
                        got.as_str()
                    ));
                }
                (false, false) => {
                    if got.as_str() != label.status {
                        counts.errors.push(format!(
                            "status differs {} {id}: label {}, kiyaku {}",
                            doc.file,
                            label.status,
                            got.as_str()
                        ));
                    }
                }
            }
        }
    }
    let kind_accuracy = ratio(kinds_right, docs.len());
    println!(
        "\n{:<20} {:>9} {:>7} {:>4} {:>4} {:>4}",
        "catalog", "precision", "recall", "tp", "fp", "fn"
    );
    let mut scores = BTreeMap::new();
    for (id, c) in &per_catalog {
        let precision = ratio(c.tp, c.tp + c.fp);
        let recall = ratio(c.tp, c.tp + c.fn_);
        println!(
            "{id:<20} {precision:>9.3} {recall:>7.3} {:>4} {:>4} {:>4}",
            c.tp, c.fp, c.fn_
        );
        for e in &c.errors {
            println!("    {e}");
        }
        scores.insert(format!("{id} precision"), precision);
        scores.insert(format!("{id} recall"), recall);
    }
    println!(
        "kind detection: {kinds_right}/{} = {kind_accuracy:.3}",
        docs.len()
    );
    for e in &kind_errors {
        println!("    {e}");
    }
    scores.insert("kind detection".to_string(), kind_accuracy);
    scores
}
