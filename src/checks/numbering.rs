//! `numbering`: gaps, duplicates and order of chapters, articles, paragraphs,
//! items and numbered headings.

use crate::catalog::Severity;
use crate::diagnostic::{Code, Diagnostic, Text};
use crate::document::Document;
use crate::structure::{Structure, Unit, UnitKind};

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let s = &doc.structure;
    let mut out = Vec::new();
    // Articles count through the whole main provisions (chapters do not restart them),
    // and separately through the supplementary provisions.
    for supplementary in [false, true] {
        let articles: Vec<&Unit> = s
            .units
            .iter()
            .filter(|u| {
                u.kind == UnitKind::Article
                    && u.supplementary == supplementary
                    && u.branch.is_none()
            })
            .collect();
        sequence(&articles, 1, &mut out);
    }
    let chapters: Vec<&Unit> = s
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Chapter)
        .collect();
    sequence(&chapters, 1, &mut out);
    for parent in std::iter::once(None).chain((0..s.units.len()).map(Some)) {
        siblings(s, parent, &mut out);
    }
    out
}

/// Checks the children of one parent, grouped by kind and label style.
fn siblings(s: &Structure, parent: Option<usize>, out: &mut Vec<Diagnostic>) {
    let children = s.children_of(parent);
    let mut groups: Vec<((UnitKind, crate::structure::LabelStyle), Vec<&Unit>)> = Vec::new();
    for &c in children {
        let u = &s.units[c];
        if matches!(
            u.kind,
            UnitKind::Article
                | UnitKind::Chapter
                | UnitKind::Supplementary
                | UnitKind::Section
                | UnitKind::Subsection
        ) || matches!(
            u.style,
            crate::structure::LabelStyle::Markdown | crate::structure::LabelStyle::Latin
        ) {
            continue;
        }
        let key = (u.kind, u.style);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(u),
            None => groups.push((key, vec![u])),
        }
    }
    for ((kind, _), units) in groups {
        // paragraphs start at 2 (the article's first line is paragraph 1)
        let first = if kind == UnitKind::Paragraph { 2 } else { 1 };
        sequence(&units, first, out);
    }
}

fn sequence(units: &[&Unit], first: u32, out: &mut Vec<Diagnostic>) {
    let mut expected = first;
    let mut seen: Vec<u32> = Vec::new();
    for u in units {
        let n = u.number;
        if n == first && !seen.is_empty() && restartable(u) {
            // a new list under the same heading starts again at 1
            seen.clear();
            expected = first;
        }
        if seen.is_empty() && restartable(u) {
            // a list may continue one that the structure could not attach (（２） after a sub-list)
            expected = n;
        }
        if seen.contains(&n) {
            out.push(diag(
                u,
                Text::new(
                    format!(
                        "「{}」が重複しています（{}の番号）。",
                        u.label,
                        u.kind.name_ja()
                    ),
                    format!("Duplicate number {} ({}).", u.label, u.kind.name_ja()),
                ),
            ));
        } else if n < expected {
            out.push(diag(
                u,
                Text::new(
                    format!("「{}」の位置が番号順ではありません。", u.label),
                    format!("{} is out of order.", u.label),
                ),
            ));
        } else if n > expected {
            out.push(diag(
                u,
                Text::new(
                    format!(
                        "番号が飛んでいます: {}の前に{}番がありません。",
                        u.label, expected
                    ),
                    format!(
                        "Numbering gap: {} comes where number {} was expected.",
                        u.label, expected
                    ),
                ),
            ));
        }
        seen.push(n);
        expected = expected.max(n.saturating_add(1));
    }
}

/// Lists in notices restart their numbering; articles, paragraphs and chapters never do.
fn restartable(u: &Unit) -> bool {
    !matches!(
        u.kind,
        UnitKind::Article | UnitKind::Chapter | UnitKind::Paragraph
    ) && !u.supplementary
        && u.rank_is_list()
}

fn diag(u: &Unit, message: Text) -> Diagnostic {
    let end = if u.body_start > u.header.start && u.body_start <= u.header.end {
        u.body_start
    } else {
        u.header.end
    };
    Diagnostic::new(
        Code::Numbering,
        Severity::Warning,
        message,
        u.header.start..end,
    )
}
