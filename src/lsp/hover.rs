//! Hover: what a finding means and why, the text of a referenced provision, or the
//! definition of a defined term.

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::convert::{PositionEncoding, offset_of};
use super::cursor::{reference_target, term_at};
use crate::catalog::Catalogs;
use crate::diagnostic::Language;
use crate::engine::FileReport;

/// The hover at `position`: 1. a finding there, with the explanation of its code or item
/// (from `catalogs`, those of the engine that made the report); 2. a reference to a
/// provision, with its text; 3. a defined term, with the line that defines it.
pub(super) fn hover(
    report: &FileReport,
    catalogs: &Catalogs,
    position: Position,
    encoding: PositionEncoding,
    language: Language,
) -> Option<Hover> {
    let source = &report.document.source;
    let at = offset_of(source, position, encoding);
    if let Some(d) = report
        .diagnostics
        .iter()
        .find(|d| d.range.start <= at && at <= d.range.end.max(d.range.start + 1))
    {
        let what = d
            .item
            .clone()
            .unwrap_or_else(|| d.code.as_str().to_string());
        let explanation = match crate::diagnostic::Code::parse(&what) {
            Some(code) => Some(crate::codes::explain(code, language)),
            None => catalogs.explain(&what, language),
        }
        .unwrap_or_default();
        return Some(markdown(format!(
            "**{}**\n\n{}",
            d.message.get(language),
            explanation
        )));
    }
    if let Some(target) = reference_target(&report.document, at) {
        let u = &report.document.structure.units[target];
        let text = &source.as_str()[u.span.clone()];
        return Some(markdown(format!("```\n{}\n```", text.trim_end())));
    }
    term_at(&report.document, at).map(|(term, definition)| {
        let line = source.position(definition).line;
        markdown(format!(
            "「{term}」の定義（{line}行目）:\n\n{}",
            source.line_text(line - 1).trim()
        ))
    })
}

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{REGULATION, position, report};

    fn shown(text: &str, at: &str) -> Option<String> {
        let report = report(text);
        let catalogs = Catalogs::builtin();
        let position = position(text, at);
        hover(
            &report,
            &catalogs,
            position,
            PositionEncoding::Utf16,
            Language::Ja,
        )
        .map(|h| match h.contents {
            HoverContents::Markup(m) => m.value,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn a_reference_shows_the_provision_it_names() {
        let shown = shown(REGULATION, "第3条の2に").expect("a hover");
        assert_eq!(shown, "```\n第3条の2（再委託）\n再委託しない。\n```");
        let shown = self::shown(REGULATION, "第1条の規定").expect("a hover");
        assert!(shown.starts_with("```\n第1条 "), "{shown}");
    }

    #[test]
    fn a_defined_term_shows_its_definition() {
        let shown = shown(REGULATION, "本情報を委託").expect("a hover");
        assert!(shown.starts_with("「本情報」の定義（"), "{shown}");
    }

    #[test]
    fn a_finding_shows_its_explanation() {
        let text = "第1条（目的）\nこの規程は、第7条に定める。\n";
        let shown = shown(text, "第7条").expect("a hover");
        assert!(shown.contains("broken-reference"), "{shown}");
    }

    #[test]
    fn plain_text_shows_nothing() {
        assert_eq!(shown(REGULATION, "再委託しない"), None);
    }
}
