//! Precision of the findings other than missing clauses (broken references, numbering,
//! defined terms, conflicting clauses, outdated references, phrase typos …), reviewed by
//! reading the documents.
//!
//! Every such finding kiyaku reports on a corpus must be in that corpus's `reviewed.toml`
//! with a verdict: a new finding fails the test until someone reviews it. The blind
//! corpus's precision per code is held at its floor in tests/corpus/blind/floor.toml; the
//! tuned corpus may hold no false alarm at all. Drafting defects that the blind labels
//! record (`[[document.defect]]`) give each code's recall.

use std::collections::BTreeMap;
use std::path::Path;

use kiyaku::catalog;
use kiyaku::diagnostic::Code;
use kiyaku::engine::Engine;
use serde::Deserialize;

use crate::corpus::{corpus_dir, labeled_documents};

#[derive(Deserialize)]
struct Reviewed {
    #[serde(default)]
    finding: Vec<Finding>,
}

#[derive(Deserialize, Clone)]
struct Finding {
    file: String,
    line: usize,
    code: String,
    subject: String,
    #[serde(rename = "true")]
    right: bool,
    #[allow(dead_code)]
    note: String,
}

/// A finding as reported: file, line, code and subject (the first 「…」 of its message).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reported {
    file: String,
    line: usize,
    code: String,
    subject: String,
}

/// The codes reviewed here: every finding but the catalog verdicts and notes about the run.
fn reviewed_code(code: Code) -> bool {
    !matches!(
        code,
        Code::MissingClause | Code::UnknownKind | Code::InvalidDirective
    )
}

fn subject(message: &str) -> String {
    message
        .split_once('「')
        .and_then(|(_, rest)| rest.split_once('」'))
        .map(|(s, _)| s.to_string())
        .unwrap_or_default()
}

/// Checks every labeled document as a user would (kind detected) and lists its findings.
fn report(root: &Path, files: &[String]) -> Vec<Reported> {
    let engine = Engine::new(catalog::builtin_catalogs());
    let mut out = Vec::new();
    for file in files {
        let bytes = std::fs::read(root.join(file)).unwrap();
        let (text, _) = kiyaku::decode::decode(&bytes).unwrap();
        let report = engine.check(file, text, None);
        for d in report.diagnostics.iter().filter(|d| reviewed_code(d.code)) {
            out.push(Reported {
                file: file.clone(),
                line: report.document.source.position(d.range.start).line,
                code: d.code.as_str().to_string(),
                subject: subject(&d.message.ja),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Precision per code of the reported findings; panics listing the unreviewed ones.
fn precision(reported: &[Reported], reviewed: &[Finding]) -> BTreeMap<String, (usize, usize)> {
    let mut per_code: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unreviewed = Vec::new();
    for r in reported {
        let verdict = reviewed.iter().find(|f| {
            f.file == r.file && f.line == r.line && f.code == r.code && f.subject == r.subject
        });
        match verdict {
            Some(f) => {
                let (right, wrong) = per_code.entry(r.code.clone()).or_default();
                if f.right {
                    *right += 1;
                } else {
                    *wrong += 1;
                    println!("    false alarm {}:{} {} 「{}」", r.file, r.line, r.code, r.subject);
                }
            }
            None => unreviewed.push(format!(
                "[[finding]]\nfile = \"{}\"\nline = {}\ncode = \"{}\"\nsubject = \"{}\"\ntrue = ?\nnote = \"\"\n",
                r.file, r.line, r.code, r.subject
            )),
        }
    }
    assert!(
        unreviewed.is_empty(),
        "findings not reviewed yet (read each in its document, then add it with its verdict):\n{}",
        unreviewed.join("\n")
    );
    println!(
        "\n{:<20} {:>9} {:>6} {:>6}",
        "code", "precision", "true", "false"
    );
    for (code, (right, wrong)) in &per_code {
        let p = *right as f64 / (*right + *wrong).max(1) as f64;
        println!("{code:<20} {p:>9.3} {right:>6} {wrong:>6}");
    }
    per_code
}

fn reviewed(path: &Path) -> Vec<Finding> {
    let parsed: Reviewed = toml::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parsed.finding
}

#[test]
fn reviewed_findings_on_the_blind_corpus() {
    let blind = corpus_dir().join("blind");
    let docs = labeled_documents(&blind.join("labels"), "");
    let files: Vec<String> = docs.iter().map(|d| d.file.clone()).collect();
    let reported = report(&blind, &files);
    println!(
        "\n== findings on the blind corpus ({} documents)",
        files.len()
    );
    let per_code = precision(&reported, &reviewed(&blind.join("reviewed.toml")));

    // recall of the drafting defects the labels record
    let mut recall: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for doc in &docs {
        for defect in &doc.defect {
            let found = reported
                .iter()
                .any(|r| r.file == doc.file && r.line == defect.line && r.code == defect.code);
            let (hit, all) = recall.entry(defect.code.as_str()).or_default();
            *all += 1;
            if found {
                *hit += 1;
            } else {
                println!("    not found {}:{} {}", doc.file, defect.line, defect.code);
            }
        }
    }
    for (code, (hit, all)) in &recall {
        println!("recall of {code:<20} {hit}/{all}");
    }

    let floor: BTreeMap<String, f64> =
        toml::from_str(&std::fs::read_to_string(blind.join("floor.toml")).unwrap()).unwrap();
    let mut below = Vec::new();
    for (code, (right, wrong)) in &per_code {
        let got = *right as f64 / (*right + *wrong).max(1) as f64;
        let at_least = floor
            .get(&format!("{code} precision"))
            .copied()
            .unwrap_or(0.95);
        if got + 1e-9 < at_least {
            below.push(format!("{code}: {got:.3} < floor {at_least:.3}"));
        }
    }
    assert!(below.is_empty(), "findings below their floor: {below:?}");
}

#[test]
fn no_false_alarm_on_the_tuned_corpus() {
    let root = corpus_dir();
    let mut files: Vec<String> = labeled_documents(&root.join("labels"), "")
        .into_iter()
        .map(|d| d.file)
        .collect();
    files.sort();
    files.dedup();
    let reported = report(&root, &files);
    println!(
        "\n== findings on the tuned corpus ({} documents)",
        files.len()
    );
    let per_code = precision(&reported, &reviewed(&root.join("reviewed.toml")));
    let wrong: usize = per_code.values().map(|(_, w)| w).sum();
    assert_eq!(wrong, 0, "false alarms on the tuned corpus (listed above)");
}
