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
use crate::lint::FileReport;
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

/// An item's title in the report language (Japanese when no English title is given).
pub fn item_title(item: &Item, language: Language) -> &str {
    match language {
        Language::Ja => &item.title,
        Language::En => item.title_en.as_deref().unwrap_or(&item.title),
    }
}

/// An item's explanation in the report language.
pub fn item_explanation(item: &Item, language: Language) -> &str {
    match language {
        Language::Ja => &item.explanation,
        Language::En => item.explanation_en.as_deref().unwrap_or(&item.explanation),
    }
}

/// A catalog's title in the report language.
pub fn catalog_title(catalog: &Catalog, language: Language) -> &str {
    match language {
        Language::Ja => &catalog.title,
        Language::En => catalog.title_en.as_deref().unwrap_or(&catalog.title),
    }
}

impl FileReport {
    /// The .docx paragraph of a 1-based line of the extracted text, if the file was a .docx.
    pub fn paragraph(&self, line: usize) -> Option<u32> {
        self.paragraphs.as_ref()?.get(line.checked_sub(1)?).copied()
    }
}
