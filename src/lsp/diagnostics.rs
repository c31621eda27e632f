//! Findings as the client's diagnostics: ranges in its encoding, related information as
//! locations, and `value-mismatch` across the open documents.

use std::sync::Arc;

use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

use super::convert::{PositionEncoding, range_of};
use super::state::State;
use crate::catalog;
use crate::checks::value_mismatch;
use crate::diagnostic::{self as diag, Language};
use crate::engine::FileReport;

/// `value-mismatch` between `uri` and the other open documents (a notice beside its regulation).
pub(super) fn workspace_mismatches(
    state: &State,
    uri: &Uri,
    codes: &crate::engine::CodeOverrides,
    encoding: PositionEncoding,
    language: Language,
) -> Vec<Diagnostic> {
    let reports: Vec<(&Uri, &Arc<FileReport>)> = state
        .documents
        .iter()
        .filter_map(|(u, d)| d.report.as_ref().map(|r| (u, r)))
        .collect();
    let Some(me) = reports.iter().position(|(u, _)| *u == uri) else {
        return Vec::new();
    };
    if reports.len() < 2 {
        return Vec::new();
    }
    let line_fns: Vec<Box<dyn Fn(usize) -> usize + '_>> = reports
        .iter()
        .map(|(_, r)| {
            Box::new(move |o: usize| r.document.source.position(o).line)
                as Box<dyn Fn(usize) -> usize>
        })
        .collect();
    let paths: Vec<String> = reports.iter().map(|(u, _)| u.path().to_string()).collect();
    let inputs: Vec<value_mismatch::DocumentValues<'_>> = reports
        .iter()
        .zip(&line_fns)
        .zip(&paths)
        .map(|(((_, r), f), p)| value_mismatch::DocumentValues {
            path: p,
            kind: r.kind,
            values: &r.values,
            line_of: f.as_ref(),
        })
        .collect();
    let mut added = value_mismatch::cross_check(&inputs);
    let mut mine = std::mem::take(&mut added[me]);
    codes.apply(&mut mine);
    let report = reports[me].1;
    mine.iter()
        .filter(|d| d.suppressed.is_none())
        .map(|d| {
            let mut lsp = to_lsp_diagnostics_one(report, d, encoding, language).remove(0);
            lsp.related_information = Some(
                d.related
                    .iter()
                    .filter_map(|r| {
                        let (path, line) = r.location.as_ref()?;
                        let other = reports
                            .iter()
                            .find(|(u, _)| u.path().as_str() == path)?
                            .0
                            .clone();
                        let at = Position::new(line.saturating_sub(1) as u32, 0);
                        Some(DiagnosticRelatedInformation {
                            location: Location::new(other, Range::new(at, at)),
                            message: r.message.get(language).to_string(),
                        })
                    })
                    .collect(),
            );
            lsp
        })
        .collect()
}

pub(super) fn severity(s: catalog::Severity) -> DiagnosticSeverity {
    match s {
        catalog::Severity::Error => DiagnosticSeverity::ERROR,
        catalog::Severity::Warning => DiagnosticSeverity::WARNING,
        catalog::Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub(super) fn to_lsp_diagnostics(
    report: &FileReport,
    uri: &Uri,
    encoding: PositionEncoding,
    language: Language,
) -> Vec<Diagnostic> {
    let source = &report.document.source;
    report
        .diagnostics
        .iter()
        // an editor opens every .txt and .md: a note that a memo is of no kind is noise
        // there (the command line still says it)
        .filter(|d| d.suppressed.is_none() && d.code != crate::diagnostic::Code::UnknownKind)
        .map(|d| {
            let range = range_of(source, &d.range, encoding);
            let related: Vec<DiagnosticRelatedInformation> = d
                .related
                .iter()
                .map(|r| {
                    // basis without a file is shown at the diagnostic itself
                    let location = match &r.location {
                        Some((path, line)) => Location::new(
                            related_uri(uri, path).unwrap_or_else(|| uri.clone()),
                            Range::new(
                                Position::new(line.saturating_sub(1) as u32, 0),
                                Position::new(line.saturating_sub(1) as u32, 0),
                            ),
                        ),
                        None => Location::new(uri.clone(), range),
                    };
                    DiagnosticRelatedInformation {
                        location,
                        message: r.message.get(language).to_string(),
                    }
                })
                .collect();
            Diagnostic {
                range,
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.as_str().to_string())),
                code_description: d
                    .code
                    .url()
                    .parse()
                    .ok()
                    .map(|href| CodeDescription { href }),
                source: Some("kiyaku".to_string()),
                message: match &d.item {
                    Some(item) => format!("{} [{item}]", d.message.get(language)),
                    None => d.message.get(language).to_string(),
                },
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: None,
            }
        })
        .collect()
}

/// The URI of a related file path: absolute, or relative to the document's folder.
pub(super) fn related_uri(uri: &Uri, path: &str) -> Option<Uri> {
    let p = std::path::Path::new(path);
    let absolute = if p.is_absolute() {
        p.to_path_buf()
    } else {
        uri.to_file_path()?.parent()?.join(p)
    };
    Uri::from_file_path(absolute)
}

pub(super) fn to_lsp_diagnostics_one(
    report: &FileReport,
    d: &diag::Diagnostic,
    encoding: PositionEncoding,
    language: Language,
) -> Vec<Diagnostic> {
    vec![Diagnostic {
        range: range_of(&report.document.source, &d.range, encoding),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("kiyaku".to_string()),
        message: d.message.get(language).to_string(),
        ..Default::default()
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{position, report};

    fn uri() -> Uri {
        "file:///tmp/kitei.txt".parse().expect("a URI")
    }

    #[test]
    fn a_finding_is_published_at_its_place_with_its_code() {
        let text = "第1条（目的）\nこの規程は、第7条に定める。\n";
        let published =
            to_lsp_diagnostics(&report(text), &uri(), PositionEncoding::Utf16, Language::En);
        let broken = published
            .iter()
            .find(|d| d.code == Some(NumberOrString::String("broken-reference".into())))
            .expect("a broken reference");
        assert_eq!(broken.range.start, position(text, "第7条"));
        assert_eq!(broken.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(broken.source.as_deref(), Some("kiyaku"));
    }

    #[test]
    fn a_memo_of_no_kind_publishes_nothing() {
        // the command line says a memo is of no kind; in an editor, where every .txt is
        // opened, that is noise
        let report = report("買い物メモ\n牛乳と卵。\n");
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.code == diag::Code::UnknownKind)
        );
        assert_eq!(
            to_lsp_diagnostics(&report, &uri(), PositionEncoding::Utf16, Language::Ja),
            Vec::new()
        );
    }

    #[test]
    fn a_related_path_is_read_beside_the_document() {
        let related = related_uri(&uri(), "kitei.pdf").expect("a URI");
        assert_eq!(related.as_str(), "file:///tmp/kitei.pdf");
    }
}
