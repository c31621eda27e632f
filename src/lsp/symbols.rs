//! Document symbols: the outline of 章, 節, 条, 項, 号 and headings, nested as written.

use tower_lsp_server::ls_types::{DocumentSymbol, DocumentSymbolResponse, SymbolKind};

use super::convert::{PositionEncoding, range_of};
use crate::engine::FileReport;
use crate::structure::{Structure, UnitKind};
use crate::text::SourceText;

/// The outline of the report's document.
pub(super) fn document_symbols(
    report: &FileReport,
    encoding: PositionEncoding,
) -> DocumentSymbolResponse {
    let s = &report.document.structure;
    DocumentSymbolResponse::Nested(
        s.roots
            .iter()
            .map(|&r| symbol(s, &report.document.source, r, encoding))
            .collect(),
    )
}

fn symbol(
    s: &Structure,
    source: &SourceText,
    index: usize,
    encoding: PositionEncoding,
) -> DocumentSymbol {
    let u = &s.units[index];
    let kind = match u.kind {
        UnitKind::Chapter
        | UnitKind::Section
        | UnitKind::Subsection
        | UnitKind::Supplementary
        | UnitKind::Annex => SymbolKind::NAMESPACE,
        UnitKind::Article | UnitKind::Heading => SymbolKind::CLASS,
        UnitKind::Paragraph => SymbolKind::FIELD,
        UnitKind::Item | UnitKind::SubItem => SymbolKind::ENUM_MEMBER,
    };
    let children: Vec<DocumentSymbol> = u
        .children
        .iter()
        .map(|&c| symbol(s, source, c, encoding))
        .collect();
    #[allow(deprecated)]
    DocumentSymbol {
        name: match &u.caption {
            Some(c) => format!("{} {c}", u.label),
            None => u.label.clone(),
        },
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: range_of(source, &u.span, encoding),
        selection_range: range_of(source, &u.header, encoding),
        children: (!children.is_empty()).then_some(children),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{REGULATION, report};

    fn names(symbols: &[DocumentSymbol]) -> Vec<String> {
        symbols
            .iter()
            .flat_map(|s| {
                std::iter::once(s.name.clone())
                    .chain(names(s.children.as_deref().unwrap_or_default()))
            })
            .collect()
    }

    #[test]
    fn articles_and_their_parts_are_the_outline() {
        let DocumentSymbolResponse::Nested(symbols) =
            document_symbols(&report(REGULATION), PositionEncoding::Utf16)
        else {
            panic!("nested symbols");
        };
        let names = names(&symbols);
        assert!(names.contains(&"第3条の2 再委託".to_string()), "{names:?}");
        assert!(names.contains(&"2".to_string()), "{names:?}");
        let article = symbols
            .iter()
            .find(|s| s.name == "第1条 目的")
            .expect("第1条");
        assert_eq!(article.kind, SymbolKind::CLASS);
        assert_eq!(article.selection_range.start.line, 1);
    }

    #[test]
    fn text_without_structure_has_no_outline() {
        let DocumentSymbolResponse::Nested(symbols) =
            document_symbols(&report("買い物メモ\n牛乳と卵。\n"), PositionEncoding::Utf16)
        else {
            panic!("nested symbols");
        };
        assert!(symbols.is_empty(), "{symbols:?}");
    }
}
