//! rustc-like text output with source excerpts; underlines use the display
//! width of Japanese characters (two columns each).

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::diagnostic::Language;
use crate::lint::FileReport;
use crate::report::Summary;

pub fn render(reports: &[FileReport], language: Language) -> String {
    let mut out = String::new();
    for report in reports {
        render_file(&mut out, report, language);
    }
    let _ = writeln!(out, "{}", Summary::of(reports).line(language));
    out
}

fn render_file(out: &mut String, report: &FileReport, language: Language) {
    let source = &report.document.source;
    for d in report.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
        let start = source.position(d.range.start);
        let line_text = source.line_text(start.line - 1);
        let gutter = start.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(
            out,
            "{}[{}]: {}",
            d.severity.as_str(),
            d.code.as_str(),
            d.message.get(language)
        );
        let paragraph = match (report.paragraph(start.line), language) {
            (Some(p), Language::Ja) => format!(" (段落 {p})"),
            (Some(p), Language::En) => format!(" (paragraph {p})"),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "{pad}--> {}:{}:{}{paragraph}",
            report.path, start.line, start.column
        );
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{} | {}", start.line, line_text.trim_end());
        let line_start = source.line_range(start.line - 1).start;
        let line_end = source.line_range(start.line - 1).end;
        let col_from = d.range.start.clamp(line_start, line_end);
        let col_to = d.range.end.clamp(col_from, line_end);
        let indent = UnicodeWidthStr::width(&source.as_str()[line_start..col_from]);
        let width = UnicodeWidthStr::width(&source.as_str()[col_from..col_to]).max(1);
        let label = d.item.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "{pad} | {}{} {label}",
            " ".repeat(indent),
            "^".repeat(width)
        );
        for r in &d.related {
            match &r.location {
                Some((path, line)) => {
                    let _ = writeln!(out, "{pad} = {} ({path}:{line})", r.message.get(language));
                }
                None => {
                    let _ = writeln!(out, "{pad} = {}", r.message.get(language));
                }
            }
        }
        if let Some(fix) = &d.fix {
            let label = match language {
                Language::Ja => "修正案",
                Language::En => "fix",
            };
            let _ = writeln!(out, "{pad} = {label}: {}", fix.title.get(language));
        }
        out.push('\n');
    }
}
