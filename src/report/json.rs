//! `--format json`: the stable contract of design section 6.

use serde_json::{Value, json};

use crate::diagnostic::Language;
use crate::lint::FileReport;
use crate::report::Summary;

pub fn render(reports: &[FileReport], language: Language) -> String {
    let files: Vec<Value> = reports.iter().map(|r| file(r, language)).collect();
    let value = json!({
        "version": 1,
        "files": files,
        "summary": Summary::of(reports),
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

fn file(report: &FileReport, language: Language) -> Value {
    let source = &report.document.source;
    let items: Vec<Value> = report
        .items
        .iter()
        .map(|i| {
            let mut v = json!({ "id": i.id, "status": i.status.as_str() });
            if let Some(lines) = i.lines {
                v["lines"] = json!(lines);
            }
            v
        })
        .collect();
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let start = source.position(d.range.start);
            let end = source.position(d.range.end);
            let mut v = json!({
                "code": d.code.as_str(),
                "severity": d.severity.as_str(),
                "message": d.message.get(language),
                "range": {
                    "start": { "line": start.line, "column": start.column },
                    "end": { "line": end.line, "column": end.column },
                },
            });
            if let Some(item) = &d.item {
                v["item"] = json!(item);
            }
            if let Some(paragraph) = report.paragraph(start.line) {
                v["paragraph"] = json!(paragraph);
            }
            if !d.related.is_empty() {
                v["related"] = d
                    .related
                    .iter()
                    .map(|r| {
                        let mut rv = json!({ "message": r.message.get(language) });
                        if let Some((path, line)) = &r.location {
                            rv["path"] = json!(path);
                            rv["line"] = json!(line);
                        }
                        rv
                    })
                    .collect();
            }
            if let Some(fix) = &d.fix {
                v["fix"] = json!({
                    "title": fix.title.get(language),
                    "edits": fix.edits.iter().map(|e| {
                        let s = source.position(e.range.start);
                        let t = source.position(e.range.end);
                        json!({
                            "range": {
                                "start": { "line": s.line, "column": s.column },
                                "end": { "line": t.line, "column": t.column },
                            },
                            "text": e.text,
                        })
                    }).collect::<Vec<_>>(),
                });
            }
            if let Some(why) = &d.suppressed {
                v["suppressed"] = json!(why);
            }
            v
        })
        .collect();
    json!({
        "path": report.path,
        "kind": report.kind.as_str(),
        "kind_source": report.kind_source,
        "items": items,
        "diagnostics": diagnostics,
    })
}
