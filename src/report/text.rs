//! rustc-like text output with source excerpts; underlines use the display
//! width of Japanese characters (two columns each).

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::diagnostic::Language;
use crate::engine::FileReport;
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
            (None, _) => match report.page_label(start.line, start.column, language) {
                Some(page) => format!(" ({page})"),
                None => String::new(),
            },
        };
        let _ = writeln!(
            out,
            "{pad}--> {}:{}:{}{paragraph}",
            report.path, start.line, start.column
        );
        let _ = writeln!(out, "{pad} |");
        // a long line is shown as a window around the finding, cut with "..."
        let window = source.line_window(start.line - 1, d.range.clone());
        let text = source.as_str();
        let cut_before = if window.cut_before { "..." } else { "" };
        let cut_after = if window.cut_after { "..." } else { "" };
        let _ = writeln!(
            out,
            "{} | {cut_before}{}{cut_after}",
            start.line,
            text[window.shown.clone()].trim_end()
        );
        let indent =
            cut_before.len() + UnicodeWidthStr::width(&text[window.shown.start..window.mark.start]);
        let width = UnicodeWidthStr::width(&text[window.mark.clone()]).max(1);
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
