//! `value-mismatch`: amounts and periods that two documents checked together
//! state differently (a notice's free disclosure against a regulation's 500円;
//! 2週間以内 against 30日以内). Values are read per `dictionaries/values.toml`.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Related, Text};
use crate::document::Document;
use crate::rescan::Hit;

/// What `value-mismatch` finds and how to fix it (`kiyaku explain value-mismatch`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::ValueMismatch,
    title: Bilingual {
        ja: "金額・期間の食い違い",
        en: "Value mismatch",
    },
    what: Bilingual {
        ja: "金額・期間・件数が、カタログの制約や同時に検査した他の文書と食い違っています（例: 方針では開示手数料無料、規程では500円）。",
        en: "An amount, period or count contradicts the catalog or another document checked together.",
    },
    details: Bilingual {
        ja: "同時に検査した方針と規程で、開示等の手数料や回答期間が食い違うもの（`dictionaries/values.toml` の値）。",
        en: "A notice and a regulation checked together that disagree on the disclosure fee or the answer period (the values of `dictionaries/values.toml`).",
    },
    why: Bilingual {
        ja: "公表した方針と社内規程で手数料や期限が違うと、本人への対応でどちらに従うべきか分からず、公表した内容と異なる運用は法令上の問題にもなります。",
        en: "When the published notice and the internal regulation state different fees or deadlines, staff cannot tell which to follow, and a practice that differs from what was published is itself a compliance problem.",
    },
    example: Bilingual {
        ja: "修正: どちらの文書が正しいかを確認し、もう一方を合わせてください。",
        en: "Fix: decide which document is right and align the other.",
    },
    fix: Bilingual {
        ja: "関連情報に示された相手の文書の値と比べ、誤っている方を直してください。",
        en: "Compare with the value in the other document, named in the related information, and correct the wrong one.",
    },
};

#[derive(Debug, Deserialize)]
struct ValueFile {
    value: Vec<ValueSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValueSpec {
    id: String,
    title: String,
    title_en: String,
    kind: ValueKind,
    focus: Vec<Vec<String>>,
    context: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ValueKind {
    Amount,
    Period,
}

pub(crate) fn specs() -> &'static [ValueSpec] {
    static SPECS: LazyLock<Vec<ValueSpec>> = LazyLock::new(|| {
        crate::tables::load::<ValueFile>(
            "values.toml",
            include_str!("../../dictionaries/values.toml"),
        )
        .value
    });
    &SPECS
}

/// Every value's focus terms as one automaton, and each value's groups of them by number.
struct FocusTerms {
    automaton: aho_corasick::AhoCorasick,
    /// For each value of `specs()`, its focus groups as term numbers.
    groups: Vec<Vec<Vec<u32>>>,
}

fn focus_terms() -> &'static FocusTerms {
    static F: LazyLock<FocusTerms> = LazyLock::new(|| {
        let mut terms: Vec<&'static str> = Vec::new();
        let mut number = |t: &'static str| match terms.iter().position(|x| *x == t) {
            Some(i) => i as u32,
            None => {
                terms.push(t);
                (terms.len() - 1) as u32
            }
        };
        let groups = specs()
            .iter()
            .map(|spec| {
                spec.focus
                    .iter()
                    .map(|g| g.iter().map(|t| number(t.as_str())).collect())
                    .collect()
            })
            .collect();
        FocusTerms {
            automaton: aho_corasick::AhoCorasick::new(&terms).expect("focus terms"),
            groups,
        }
    });
    &F
}

struct Patterns {
    amount: Regex,
    free: Regex,
    period: Regex,
}

fn patterns() -> &'static Patterns {
    static P: LazyLock<Patterns> = LazyLock::new(|| Patterns {
        amount: Regex::new(r"([0-9][0-9,]*)\s*円").expect("static"),
        free: Regex::new(
            r"無料|無償|いただきません|いただいておりません|徴収しません|徴収しない|不要です",
        )
        .expect("static"),
        period: Regex::new(r"([0-9]+)\s*(日|週間|か月|ヶ月|箇月|カ月)以内").expect("static"),
    });
    &P
}

/// A value stated in a document: which one, its normalised quantity (円 or days), where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct StatedValue {
    pub id: String,
    pub quantity: u64,
    /// As written, for messages.
    pub written: String,
    /// Original byte range.
    pub range: Range<usize>,
}

/// Whether `hay` holds a term of every group.
fn has(hay: &str, groups: &[Vec<String>]) -> bool {
    groups
        .iter()
        .all(|g| g.iter().any(|t| hay.contains(t.as_str())))
}

/// The lines of `text` (each with its line break) and where each starts.
fn lines_of(text: &str) -> Vec<(usize, &str)> {
    text.split_inclusive('\n')
        .scan(0, |start, line| {
            let at = *start;
            *start += line.len();
            Some((at, line))
        })
        .collect()
}

/// Reads the values a document states.
pub fn extract(doc: &Document) -> Vec<StatedValue> {
    let text = &doc.normalized.text;
    let lines = lines_of(text);
    // the focus terms of every value found in one pass: the lines that hold one, each with
    // the terms it holds (a term never holds a line break)
    let focus = focus_terms();
    let found = crate::rescan::scan_with(doc.memo(|m| &m.value_focus), text, &(), |lines| {
        let mut found: Vec<Hit<u32>> = focus
            .automaton
            .find_overlapping_iter(aho_corasick::Input::new(text.as_str()).span(lines))
            .map(|m| Hit {
                value: m.pattern().as_u32(),
                range: m.range(),
            })
            .collect();
        // overlapping matches come by their end
        found.sort_by_key(|h| (h.range.start, h.range.end));
        found
    });
    let mut held: Vec<(usize, u32)> = found
        .iter()
        .map(|h| {
            let line = lines.partition_point(|&(start, _)| start <= h.range.start) - 1;
            (line, h.value)
        })
        .collect();
    held.sort_unstable();
    held.dedup();
    read_values(doc, &lines, |v, spec| {
        if spec.focus.is_empty() {
            return (0..lines.len()).collect();
        }
        let groups = &focus.groups[v];
        let mut candidates: Vec<usize> = held
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|terms| {
                groups
                    .iter()
                    .all(|g| g.iter().any(|t| terms.iter().any(|&(_, h)| h == *t)))
            })
            .map(|terms| terms[0].0)
            .collect();
        candidates.dedup();
        candidates
    })
}

/// The values stated on the lines `candidates` gives for each value (its number and spec):
/// the lines that hold its focus terms, in order.
fn read_values(
    doc: &Document,
    lines: &[(usize, &str)],
    candidates: impl Fn(usize, &ValueSpec) -> Vec<usize>,
) -> Vec<StatedValue> {
    let p = patterns();
    let mut out = Vec::new();
    for (v, spec) in specs().iter().enumerate() {
        for i in candidates(v, spec) {
            let (start, line) = lines[i];
            let context: String = lines[i.saturating_sub(2)..=i]
                .iter()
                .map(|(_, l)| *l)
                .collect();
            if !has(&context, &spec.context) {
                continue;
            }
            let found: Vec<(Range<usize>, u64)> = match spec.kind {
                ValueKind::Amount => p
                    .amount
                    .captures_iter(line)
                    .filter_map(|c| Some((c.get(0)?.range(), c[1].replace(',', "").parse().ok()?)))
                    .chain(p.free.find_iter(line).map(|m| (m.range(), 0)))
                    .collect(),
                ValueKind::Period => p
                    .period
                    .captures_iter(line)
                    .filter_map(|c| {
                        let n: u64 = c[1].parse().ok()?;
                        let days = match &c[2] {
                            "日" => n,
                            "週間" => n * 7,
                            _ => n * 30,
                        };
                        Some((c.get(0)?.range(), days))
                    })
                    .collect(),
            };
            for (range, quantity) in found {
                let normalized = start + range.start..start + range.end;
                out.push(StatedValue {
                    id: spec.id.clone(),
                    quantity,
                    written: line[range].to_string(),
                    range: doc.original(normalized),
                });
            }
        }
    }
    out
}

/// One document's values, with what is needed to point at them from another document.
pub struct DocumentValues<'a> {
    pub path: &'a str,
    /// Only documents of different kinds are compared: a notice publishes what the
    /// regulation beside it decides; two notices of different companies need not agree.
    pub kind: crate::kind::DocumentKind,
    pub values: &'a [StatedValue],
    /// 1-based line of a byte offset in this document.
    pub line_of: &'a dyn Fn(usize) -> usize,
}

/// Compares the values of documents checked together; returns, for each document index,
/// the `value-mismatch` diagnostics to add to it.
pub fn cross_check(documents: &[DocumentValues<'_>]) -> Vec<Vec<Diagnostic>> {
    let mut out: Vec<Vec<Diagnostic>> = documents.iter().map(|_| Vec::new()).collect();
    for spec in specs() {
        for (i, a) in documents.iter().enumerate() {
            // the first statement of the value in each document speaks for it
            let Some(va) = a.values.iter().find(|v| v.id == spec.id) else {
                continue;
            };
            for (j, b) in documents.iter().enumerate() {
                if i == j || a.kind == b.kind {
                    continue;
                }
                let Some(vb) = b.values.iter().find(|v| v.id == spec.id) else {
                    continue;
                };
                if va.quantity == vb.quantity {
                    continue;
                }
                let line = (b.line_of)(vb.range.start);
                let mut d = Diagnostic::new(
                    Code::ValueMismatch,
                    Severity::Warning,
                    Text::new(
                        format!(
                            "{}「{}」が{}（{}行目）の「{}」と食い違っています。",
                            spec.title, va.written, b.path, line, vb.written
                        ),
                        format!(
                            "The {} “{}” differs from “{}” in {} (line {}).",
                            spec.title_en, va.written, vb.written, b.path, line
                        ),
                    ),
                    va.range.clone(),
                );
                d.related.push(Related {
                    message: Text::new(
                        format!("{}: 「{}」", b.path, vb.written),
                        format!("{}: “{}”", b.path, vb.written),
                    ),
                    location: Some((b.path.to_string(), line)),
                });
                out[i].push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The focus terms are found in an open document only on the lines an edit changed
    /// (`ScanMemos::value_focus`): none may hold a line break.
    #[test]
    fn focus_terms_lie_within_a_line() {
        for spec in specs() {
            for term in spec.focus.iter().flatten() {
                assert!(!term.contains(['\n', '\r']), "{term:?}");
            }
        }
    }

    /// The values read from the lines found by searching every line for each value's
    /// focus terms, as before they were found in one pass.
    fn line_by_line(doc: &Document) -> Vec<StatedValue> {
        let lines = lines_of(&doc.normalized.text);
        read_values(doc, &lines, |_, spec| {
            (0..lines.len())
                .filter(|&i| has(lines[i].1, &spec.focus))
                .collect()
        })
    }

    /// One pass for the focus terms finds the values that searching each line for each
    /// value's terms finds, in the same order, on every document of the corpus.
    #[test]
    fn values_are_read_as_by_searching_each_line() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut values = 0;
        for folder in [
            "contracts",
            "notices",
            "regulations",
            "shared",
            "blind/contracts",
            "blind/notices",
            "blind/regulations",
        ] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                let path = e.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let doc = Document::new(text);
                let found = extract(&doc);
                assert_eq!(found, line_by_line(&doc), "{}", path.display());
                values += found.len();
            }
        }
        assert!(values > 30, "{values}");
    }
}
