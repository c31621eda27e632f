//! `defined-term`: terms defined with 以下「X」という / 「X」とは…をいう, then a
//! variant used for the same referent (当社 defined, 弊社 used), a term used
//! before its definition, defined twice, or never used.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::catalog::Severity;
use crate::diagnostic::{Code, Diagnostic, Edit, Fix, Text};
use crate::document::Document;
use crate::structure::UnitKind;

/// Ways a document names its own author; one defined, the others are drift.
const SELF_NAMES: &[&str] = &[
    "当社",
    "弊社",
    "当事務所",
    "当法人",
    "本法人",
    "当院",
    "本学",
    "当学",
    "本会",
    "当会",
    "当団体",
    "当組合",
    "当店",
    "当行",
];

/// Terms the law defines; a document that repeats their definition late still uses them rightly before.
const STATUTORY: &[&str] = &[
    "利用目的",
    "個人情報",
    "個人データ",
    "本人",
    "従業者",
    "第三者",
    "漏えい等",
];

#[derive(Debug, Clone)]
pub struct Definition {
    pub term: String,
    /// Normalised range of the term inside the definition.
    pub at: Range<usize>,
}

fn definition_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"以下(?:、|,)?(?:単に)?「([^」「]{1,24})」(?:と|って)?(?:いう|いい|いいます|称する|総称する|略称する)|「([^」「]{1,24})」とは、").expect("static")
    })
}

/// Every definition in the document, in order.
pub fn definitions(doc: &Document) -> Vec<Definition> {
    definition_pattern()
        .captures_iter(&doc.normalized.text)
        .filter_map(|c| {
            let m = c.get(1).or_else(|| c.get(2))?;
            Some(Definition {
                term: m.as_str().to_string(),
                at: m.range(),
            })
        })
        .collect()
}

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let text = &doc.normalized.text;
    let defs = definitions(doc);
    let mut out = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        if let Some(first) = defs[..i].iter().find(|e| e.term == d.term) {
            let line = doc
                .source
                .position(doc.original(first.at.clone()).start)
                .line;
            out.push(diag(
                doc,
                d.at.clone(),
                Severity::Warning,
                Text::new(
                    format!(
                        "「{}」が二重に定義されています（最初の定義は{line}行目）。",
                        d.term
                    ),
                    format!("“{}” is defined twice (first on line {line}).", d.term),
                ),
                None,
            ));
            continue;
        }
        let uses: Vec<usize> = text
            .match_indices(d.term.as_str())
            .map(|(p, _)| p)
            .filter(|&p| p != d.at.start)
            .collect();
        if uses.is_empty() {
            out.push(diag(
                doc,
                d.at.clone(),
                Severity::Info,
                Text::new(
                    format!("定義した「{}」が一度も使われていません。", d.term),
                    format!("“{}” is defined but never used.", d.term),
                ),
                None,
            ));
        }
        // Use before definition: only for terms that are not plain words of the text
        // (a term that also occurs as part of longer words before is not reported).
        let statutory = crate::morphology::user_terms().any(|t| t == d.term)
            || STATUTORY.contains(&d.term.as_str());
        let standalone = |p: usize| {
            // not inside a longer word (基本規程 is not a use of 本規程) nor in a caption line
            let before = text[..p].chars().next_back();
            let continues = before.is_some_and(crate::normalize::is_word_char);
            let line_start = text[..p].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[p..].find('\n').map_or(text.len(), |i| p + i);
            let line = text[line_start..line_end].trim();
            let original = doc.original(p..p + 1).start;
            let in_heading = doc.structure.units.iter().any(|u| {
                matches!(
                    u.kind,
                    UnitKind::Chapter
                        | UnitKind::Section
                        | UnitKind::Subsection
                        | UnitKind::Heading
                ) && u.header.contains(&original)
            });
            let caption_line = line.starts_with('(') && line.ends_with(')');
            !(continues || in_heading || caption_line)
        };
        if let Some(&early) = uses
            .iter()
            .find(|&&p| p < d.at.start && standalone(p))
            .filter(|_| !statutory)
        {
            let line_start = text[..d.at.start].rfind('\n').map_or(0, |i| i + 1);
            let in_title = doc
                .structure
                .title_lines
                .iter()
                .any(|r| r.contains(&doc.original(early..early + 1).start));
            if early < line_start && !in_title && d.term.chars().count() >= 3 {
                let line = doc.source.position(doc.original(d.at.clone()).start).line;
                out.push(diag(
                    doc,
                    early..early + d.term.len(),
                    Severity::Info,
                    Text::new(
                        format!("「{}」が定義（{line}行目）より前で使われています。", d.term),
                        format!("“{}” is used before its definition on line {line}.", d.term),
                    ),
                    None,
                ));
            }
        }
    }
    // Self-name drift: 当社 defined, 弊社 / 当事務所 used.
    if let Some(defined) = defs.iter().find(|d| SELF_NAMES.contains(&d.term.as_str())) {
        let line = doc
            .source
            .position(doc.original(defined.at.clone()).start)
            .line;
        let inside_definitions = |p: usize| defs.iter().any(|d| d.at.contains(&p));
        for variant in SELF_NAMES
            .iter()
            .filter(|v| **v != defined.term && !defs.iter().any(|d| d.term == **v))
        {
            for (p, _) in text.match_indices(variant) {
                let inside_word = text[..p]
                    .chars()
                    .next_back()
                    .is_some_and(crate::normalize::is_word_char);
                if inside_definitions(p) || inside_word {
                    continue;
                }
                let fix = Fix {
                    title: Text::new(
                        format!("「{}」に統一", defined.term),
                        format!("Use “{}”", defined.term),
                    ),
                    edits: vec![Edit {
                        range: doc.original(p..p + variant.len()),
                        text: defined.term.clone(),
                    }],
                };
                out.push(diag(
                    doc,
                    p..p + variant.len(),
                    Severity::Warning,
                    Text::new(
                        format!(
                            "「{variant}」は定義された「{}」（{line}行目）と異なります。",
                            defined.term
                        ),
                        format!(
                            "“{variant}” differs from the defined term “{}” (line {line}).",
                            defined.term
                        ),
                    ),
                    Some(fix),
                ));
            }
        }
    }
    out
}

fn diag(
    doc: &Document,
    normalized: Range<usize>,
    severity: Severity,
    message: Text,
    fix: Option<Fix>,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::DefinedTerm,
        severity,
        message,
        doc.original(normalized),
    );
    d.fix = fix;
    d
}
