//! Find references: every place a defined term is used.

use tower_lsp_server::ls_types::{Location, Position, Uri};

use super::convert::{PositionEncoding, offset_of, range_of};
use super::cursor::term_at;
use crate::engine::FileReport;

/// Each occurrence of the defined term at `position` (its definition included).
pub(super) fn references(
    report: &FileReport,
    uri: &Uri,
    position: Position,
    encoding: PositionEncoding,
) -> Option<Vec<Location>> {
    let source = &report.document.source;
    let at = offset_of(source, position, encoding);
    let (term, _) = term_at(&report.document, at)?;
    let text = source.as_str();
    Some(
        text.match_indices(term.as_str())
            .map(|(p, m)| Location::new(uri.clone(), range_of(source, &(p..p + m.len()), encoding)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{REGULATION, position, report};

    fn lines(at: &str) -> Option<Vec<u32>> {
        let uri: Uri = "file:///tmp/kitei.txt".parse().expect("a URI");
        let found = references(
            &report(REGULATION),
            &uri,
            position(REGULATION, at),
            PositionEncoding::Utf16,
        )?;
        Some(found.iter().map(|l| l.range.start.line).collect())
    }

    #[test]
    fn a_defined_term_is_found_wherever_it_is_used() {
        let line = |needle: &str| position(REGULATION, needle).line;
        assert_eq!(
            lines("本情報を委託"),
            Some(vec![line("「本情報」とは"), line("本情報を委託")])
        );
    }

    #[test]
    fn a_word_that_is_no_defined_term_has_no_references() {
        assert_eq!(lines("再委託しない"), None);
    }
}
