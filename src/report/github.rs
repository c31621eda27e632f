//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request (`::error file=…,line=…::message`).

use std::fmt::Write;

use crate::catalog::Severity;
use crate::diagnostic::Language;
use crate::lint::FileReport;
use crate::report::Summary;

pub fn render(reports: &[FileReport], language: Language) -> String {
    let mut out = String::new();
    for report in reports {
        let source = &report.document.source;
        let file = report.path.replace('\\', "/");
        let file = file.strip_prefix("./").unwrap_or(&file);
        for d in report.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let start = source.position(d.range.start);
            let end = source.position(d.range.end.max(d.range.start));
            let title = match &d.item {
                Some(item) => format!("kiyaku {} ({item})", d.code.as_str()),
                None => format!("kiyaku {}", d.code.as_str()),
            };
            let mut message = d.message.get(language).to_string();
            for r in &d.related {
                message.push('\n');
                message.push_str(r.message.get(language));
                if let Some((path, line)) = &r.location {
                    let _ = write!(message, " ({path}:{line})");
                }
            }
            if let Some(fix) = &d.fix {
                let label = match language {
                    Language::Ja => "修正案",
                    Language::En => "fix",
                };
                let _ = write!(message, "\n{label}: {}", fix.title.get(language));
            }
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(file),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&title),
                escape_data(&message)
            );
        }
    }
    let _ = writeln!(out, "kiyaku: {}", Summary::of(reports).line(language));
    out
}

/// A command's message: `%`, carriage returns and line feeds are percent-encoded.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as data, plus `:` and `,`, which delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("100%\r\nnext: a,b"), "100%25%0D%0Anext: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
