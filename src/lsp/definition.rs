//! Go to definition: from a reference to the provision it names, from a defined term to
//! where it is defined.

use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Position, Uri};

use super::convert::{PositionEncoding, offset_of, range_of};
use super::cursor::{reference_target, term_at};
use crate::engine::FileReport;

/// Where what stands at `position` is defined: a provision's header line, or a term's
/// definition.
pub(super) fn definition(
    report: &FileReport,
    uri: &Uri,
    position: Position,
    encoding: PositionEncoding,
) -> Option<GotoDefinitionResponse> {
    let source = &report.document.source;
    let at = offset_of(source, position, encoding);
    let target = match reference_target(&report.document, at) {
        Some(unit) => report.document.structure.units[unit].header.clone(),
        None => {
            let (term, definition) = term_at(&report.document, at)?;
            definition..definition + term.len()
        }
    };
    Some(GotoDefinitionResponse::Scalar(Location::new(
        uri.clone(),
        range_of(source, &target, encoding),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{REGULATION, position, report};

    fn uri() -> Uri {
        "file:///tmp/kitei.txt".parse().expect("a URI")
    }

    fn line_of(at: &str) -> Option<u32> {
        match definition(
            &report(REGULATION),
            &uri(),
            position(REGULATION, at),
            PositionEncoding::Utf16,
        )? {
            GotoDefinitionResponse::Scalar(location) => Some(location.range.start.line),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_reference_goes_to_its_provision_and_a_term_to_its_definition() {
        let line = |needle: &str| position(REGULATION, needle).line;
        assert_eq!(line_of("第3条の2に"), Some(line("第3条の2（")));
        assert_eq!(line_of("本情報を委託"), Some(line("「本情報」とは")));
    }

    #[test]
    fn plain_text_goes_nowhere() {
        assert_eq!(line_of("再委託しない"), None);
        assert_eq!(line_of("第9条"), None);
    }
}
