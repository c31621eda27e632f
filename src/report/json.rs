//! `--format json`: the stable contract, written as a JSON Schema in `json.schema.json` beside
//! this file (a suite test holds every output of the corpus to it).
//!
//! The output is serialised straight from borrowed views of the reports, field by field in
//! the contract's order, without building a `serde_json::Value` tree first: a cached run of
//! a large folder spends most of its time printing, and the tree's allocations were most of
//! that.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Language};
use crate::engine::FileReport;
use crate::report::Summary;
use crate::text::{Position, SourceText};

pub fn render(reports: &[FileReport], language: Language) -> String {
    let output = Output {
        version: 1,
        files: reports.iter().map(|r| file(r, language)).collect(),
        summary: Summary::of(reports),
    };
    let mut s = serde_json::to_string_pretty(&output).unwrap_or_default();
    s.push('\n');
    s
}

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    kind: &'static str,
    kind_source: crate::kind::KindSource,
    items: Vec<Item<'a>>,
    diagnostics: Vec<Finding<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lines: Option<[usize; 2]>,
    /// For a missing item: the nearest clause and the concepts it lacked.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a crate::engine::Evidence>,
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paragraph: Option<u32>,
    /// For a .pdf: the page of the start, and the line on that page.
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_line: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<Fix<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a str>,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Related<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    range: Range,
    text: &'a str,
}

fn range_of(source: &SourceText, bytes: &std::ops::Range<usize>) -> Range {
    Range {
        start: source.position(bytes.start),
        end: source.position(bytes.end),
    }
}

fn file(report: &FileReport, language: Language) -> File<'_> {
    File {
        path: &report.path,
        kind: report.kind.as_str(),
        kind_source: report.kind_source,
        items: report
            .items
            .iter()
            .map(|i| Item {
                id: &i.id,
                status: i.status.as_str(),
                lines: i.lines,
                evidence: i.evidence.as_ref(),
            })
            .collect(),
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| finding(report, d, language))
            .collect(),
    }
}

fn finding<'a>(report: &'a FileReport, d: &'a Diagnostic, language: Language) -> Finding<'a> {
    let source = &report.document.source;
    let range = range_of(source, &d.range);
    let paragraph = report.paragraph(range.start.line);
    let place = report.page_place(range.start.line, range.start.column);
    Finding {
        code: d.code.as_str(),
        severity: d.severity.as_str(),
        message: d.message.get(language),
        range,
        item: d.item.as_deref(),
        paragraph,
        page: place.map(|(page, _)| page),
        page_line: place.map(|(_, line)| line),
        related: d
            .related
            .iter()
            .map(|r| Related {
                message: r.message.get(language),
                path: r.location.as_ref().map(|(path, _)| path.as_str()),
                line: r.location.as_ref().map(|(_, line)| *line),
            })
            .collect(),
        fix: d.fix.as_ref().map(|fix| Fix {
            title: fix.title.get(language),
            edits: fix
                .edits
                .iter()
                .map(|e| Edit {
                    range: range_of(source, &e.range),
                    text: &e.text,
                })
                .collect(),
        }),
        suppressed: d.suppressed.as_deref(),
    }
}
