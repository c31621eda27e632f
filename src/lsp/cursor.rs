//! What stands under the cursor: a reference to a provision of the same document, or a
//! defined term. Shared by hover, definition and references.

use crate::checks::defined_term;
use crate::document::Document;
use crate::structure::Reference;

/// The unit an internal reference (第N条(のB)第M項第K号, in 附則 its articles) under the
/// cursor points at.
pub(super) fn reference_target(doc: &Document, at: usize) -> Option<usize> {
    let n = doc.normalized.to_normalized(at);
    let text = &doc.normalized.text;
    let line_start = text[..n.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[n.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| n + i);
    let c = Reference::pattern()
        .captures_iter(&text[line_start..line_end])
        .find(|c| {
            let m = c.get(0).map(|m| m.range());
            m.is_some_and(|m| line_start + m.start <= n && n <= line_start + m.end)
        })?;
    let whole = c.get(0)?.range();
    let here = doc.original(line_start + whole.start..line_start + whole.end);
    let reference = doc.structure.reference_at(&c, here.start)?;
    doc.structure.resolve(&reference).ok()
}

/// The defined term under the cursor and the original offset of its definition.
pub(super) fn term_at(doc: &Document, at: usize) -> Option<(String, usize)> {
    let text = doc.source.as_str();
    defined_term::definitions(doc).into_iter().find_map(|d| {
        let original = doc.original(d.at.clone());
        let term = &text[original.clone()];
        text.match_indices(term)
            .any(|(p, m)| p <= at && at <= p + m.len())
            .then(|| (term.to_string(), original.start))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{REGULATION, offset, report};

    #[test]
    fn a_reference_under_the_cursor_names_its_unit() {
        let report = report(REGULATION);
        let doc = &report.document;
        let s = &doc.structure;
        let target = reference_target(doc, offset(REGULATION, "第3条の2に")).expect("a target");
        assert_eq!(s.path_label(target), "第3条の2");
        let target = reference_target(doc, offset(REGULATION, "第2項")).expect("a target");
        assert_eq!(s.path_label(target), "第3条第2項");
        // inside 附則, 第1条 is the supplementary provisions' own
        let target = reference_target(doc, offset(REGULATION, "第1条の規定")).expect("a target");
        assert_eq!(s.path_label(target), "附則第1条");
    }

    #[test]
    fn plain_text_and_missing_provisions_name_nothing() {
        let report = report(REGULATION);
        let doc = &report.document;
        assert_eq!(
            reference_target(doc, offset(REGULATION, "この規程は")),
            None
        );
        assert_eq!(reference_target(doc, offset(REGULATION, "第9条")), None);
    }

    #[test]
    fn a_defined_term_is_found_with_its_definition() {
        let report = report(REGULATION);
        let doc = &report.document;
        let (term, definition) = term_at(doc, offset(REGULATION, "本情報を委託")).expect("a term");
        assert_eq!(term, "本情報");
        assert_eq!(definition, offset(REGULATION, "本情報」とは"));
        assert_eq!(term_at(doc, offset(REGULATION, "再委託しない")), None);
    }
}
