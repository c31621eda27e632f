//! Output formats for `kiyaku check`.

pub mod csv;
pub mod github;
pub mod html;
pub mod json;
pub mod sarif;
pub mod text;

use std::collections::HashSet;

use crate::catalog::{Catalog, Item, Severity};
use crate::diagnostic::Language;
use crate::engine::FileReport;
use crate::matcher::Status;

/// Counts of reported (not suppressed) diagnostics by severity.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    /// 「N ファイルを検査: エラー …」, the closing line of the text outputs.
    pub fn line(&self, language: crate::diagnostic::Language) -> String {
        match language {
            crate::diagnostic::Language::Ja => format!(
                "{} ファイルを検査: エラー {}、警告 {}、情報 {}",
                self.files, self.errors, self.warnings, self.infos
            ),
            crate::diagnostic::Language::En => format!(
                "checked {} file(s): {} error(s), {} warning(s), {} info(s)",
                self.files, self.errors, self.warnings, self.infos
            ),
        }
    }

    pub fn of(reports: &[FileReport]) -> Self {
        let mut s = Summary {
            files: reports.len(),
            ..Default::default()
        };
        for d in reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.suppressed.is_none())
        {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// One column of the documents × items matrix (`csv`, `html`).
pub struct Column<'c> {
    /// Full item id (`consignment/audit-right`).
    pub id: String,
    pub catalog: &'c Catalog,
    pub item: &'c Item,
}

/// Every catalog item judged in at least one of the documents, in catalog order.
pub fn matrix_columns<'c>(reports: &[FileReport], catalogs: &'c [Catalog]) -> Vec<Column<'c>> {
    let judged: HashSet<&str> = reports
        .iter()
        .flat_map(|r| r.items.iter().map(|i| i.id.as_str()))
        .collect();
    catalogs
        .iter()
        .flat_map(|c| {
            c.items.iter().map(move |item| Column {
                id: c.full_id(item),
                catalog: c,
                item,
            })
        })
        .filter(|col| judged.contains(col.id.as_str()))
        .collect()
}

/// The engine's status of an item in a document; `not-applicable` when no catalog that
/// applies to the document's kind holds the item.
pub fn status_in(report: &FileReport, id: &str) -> (Status, Option<[usize; 2]>) {
    report
        .items
        .iter()
        .find(|i| i.id == id)
        .map(|i| (i.status, i.lines))
        .unwrap_or((Status::NotApplicable, None))
}

impl FileReport {
    /// The .docx paragraph of a 1-based line of the extracted text, if the file was a .docx.
    pub fn paragraph(&self, line: usize) -> Option<u32> {
        self.paragraphs.as_ref()?.get(line.checked_sub(1)?).copied()
    }

    /// The page and the line on the page of a 1-based line and column of the extracted
    /// text, if the file was a .pdf.
    pub fn page_place(&self, line: usize, column: usize) -> Option<(u32, u32)> {
        self.pages.as_ref()?.place(line, column)
    }

    /// 「3ページ 12行目」 / `page 3, line 12` for a position in a .pdf, if the file was one.
    pub fn page_label(&self, line: usize, column: usize, language: Language) -> Option<String> {
        let (page, line) = self.page_place(line, column)?;
        Some(match language {
            Language::Ja => format!("{page}ページ {line}行目"),
            Language::En => format!("page {page}, line {line}"),
        })
    }
}

/// Whether a file is a report kiyaku wrote (in any `--format`), so that a report saved
/// inside a checked folder is not checked as a document on the next run. Only the
/// report's fixed frame is looked at: its first and last bytes.
pub fn written_by_kiyaku(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]);
    let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(512)..]);
    let head = head.trim_start_matches('\u{feff}');
    let html = head.starts_with("<!DOCTYPE html>")
        && head.contains("<meta name=\"generator\" content=\"kiyaku ");
    let json = head.starts_with("{\n  \"version\": 1,\n  \"files\": [")
        && tail.trim_end().ends_with('}')
        && tail.contains("\"summary\"");
    let sarif = head.starts_with('{')
        && head.contains("sarif-schema-2.1.0")
        && head.contains("\"name\": \"kiyaku\"");
    let csv = head.starts_with("文書,種類,") || head.starts_with("document,kind,");
    // text and github outputs end with the summary line
    let summary = tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(is_summary_line);
    html || json || sarif || csv || summary
}

/// The closing line of the text outputs, in either language (`Summary::line`).
fn is_summary_line(line: &str) -> bool {
    static SUMMARY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(\d+ ファイルを検査: エラー \d+、警告 \d+、情報 \d+|checked \d+ file\(s\): \d+ error\(s\), \d+ warning\(s\), \d+ info\(s\))$",
        )
        .expect("summary pattern")
    });
    // `--format github` prefixes it with the tool's name
    SUMMARY.is_match(line.trim_end().trim_start_matches("kiyaku: "))
}
