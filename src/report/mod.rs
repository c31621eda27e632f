//! Output formats for `kiyaku check`.

pub mod json;
pub mod text;

use crate::catalog::Severity;
use crate::lint::FileReport;

/// Counts of reported (not suppressed) diagnostics by severity.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
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

impl FileReport {
    /// The .docx paragraph of a 1-based line of the extracted text, if the file was a .docx.
    pub fn paragraph(&self, line: usize) -> Option<u32> {
        self.paragraphs.as_ref()?.get(line.checked_sub(1)?).copied()
    }
}
