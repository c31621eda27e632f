//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request (`::error file=…,line=…::message`), and a Markdown
//! summary for the job's page (`$GITHUB_STEP_SUMMARY`): GitHub shows only the first ten
//! annotations of each type per step, the summary shows every finding.

use std::fmt::Write;

use crate::catalog::Severity;
use crate::diagnostic::Language;
use crate::engine::FileReport;
use crate::matcher::Status;
use crate::report::Summary;

/// The most findings listed in the step summary (GitHub caps a summary at 1 MiB).
const SUMMARY_FINDINGS: usize = 1000;

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
            // the lines of a .pdf's text are nowhere in the file: name the printed place
            if let Some(page) = report.page_label(start.line, start.column, language) {
                let _ = write!(message, " ({page})");
            }
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

/// The Markdown step summary: the summary line, a table of the documents (kind, findings by
/// severity, missing and conflicting items), then the findings one a row.
pub fn step_summary(reports: &[FileReport], language: Language) -> String {
    let ja = language == Language::Ja;
    let t = |j: &'static str, e: &'static str| if ja { j } else { e };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## kiyaku: {}\n\n{}\n",
        t("規約・契約書の検査結果", "compliance document check"),
        Summary::of(reports).line(language)
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n|---|---|--:|--:|--:|---|---|",
        t("文書", "document"),
        t("種類", "kind"),
        t("エラー", "errors"),
        t("警告", "warnings"),
        t("情報", "infos"),
        t("欠落", "missing"),
        t("抵触", "conflicting"),
    );
    for report in reports {
        let s = Summary::of(std::slice::from_ref(report));
        let items = |status: Status| {
            let ids: Vec<String> = report
                .items
                .iter()
                .filter(|i| i.status == status)
                .map(|i| format!("`{}`", i.id))
                .collect();
            ids.join(" ")
        };
        let kind = if ja {
            report.kind.name_ja()
        } else {
            report.kind.as_str()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape_markdown(&report.path),
            escape_markdown(kind),
            s.errors,
            s.warnings,
            s.infos,
            items(Status::Missing),
            items(Status::Conflict),
        );
    }
    let findings: Vec<(&FileReport, &crate::diagnostic::Diagnostic)> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| d.suppressed.is_none())
                .map(move |d| (r, d))
        })
        .collect();
    if findings.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\n### {}\n\n| {} | {} | {} | {} |\n|---|---|---|---|",
        t("指摘", "Findings"),
        t("場所", "where"),
        t("重要度", "severity"),
        t("コード", "code"),
        t("内容", "message"),
    );
    for (report, d) in findings.iter().take(SUMMARY_FINDINGS) {
        let at = report.document.source.position(d.range.start);
        let severity = match (d.severity, ja) {
            (Severity::Error, true) => "エラー",
            (Severity::Warning, true) => "警告",
            (Severity::Info, true) => "情報",
            (Severity::Error, false) => "error",
            (Severity::Warning, false) => "warning",
            (Severity::Info, false) => "info",
        };
        let code = match &d.item {
            Some(item) => format!("`{}` `{item}`", d.code.as_str()),
            None => format!("`{}`", d.code.as_str()),
        };
        let _ = writeln!(
            out,
            "| {}:{} | {severity} | {code} | {} |",
            escape_markdown(&report.path),
            at.line,
            escape_markdown(d.message.get(language)),
        );
    }
    if findings.len() > SUMMARY_FINDINGS {
        let rest = findings.len() - SUMMARY_FINDINGS;
        let _ = writeln!(
            out,
            "\n{}",
            if ja {
                format!("ほか {rest} 件（すべては `kiyaku check` の出力にあります）")
            } else {
                format!("and {rest} more (all of them are in the output of `kiyaku check`)")
            }
        );
    }
    out
}

/// Text in a Markdown table cell: markup characters escaped, line breaks as `<br>`.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
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

    #[test]
    fn markdown_cells_keep_their_text() {
        assert_eq!(
            escape_markdown("a|b <i>*x*</i>\r\n`c`"),
            "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt;<br>\\`c\\`"
        );
    }
}
