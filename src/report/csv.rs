//! `--format csv`: the documents × items matrix for spreadsheets. One row per document
//! (path, kind), one column per catalog item judged in any of them; each cell is the
//! engine's status (`present`, `missing`, `conflict`, `not-applicable`). UTF-8 with a
//! byte-order mark and CRLF line ends, so that Excel opens Japanese text correctly;
//! quoting per RFC 4180.

use crate::catalog::Catalog;
use crate::diagnostic::Language;
use crate::lint::FileReport;
use crate::report::{item_title, matrix_columns, status_in};

pub fn render(reports: &[FileReport], catalogs: &[Catalog], language: Language) -> String {
    let columns = matrix_columns(reports, catalogs);
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .flexible(false)
        .from_writer(Vec::new());
    let (path, kind) = match language {
        Language::Ja => ("文書", "種類"),
        Language::En => ("document", "kind"),
    };
    let mut header = vec![path.to_string(), kind.to_string()];
    header.extend(
        columns
            .iter()
            .map(|c| format!("{} ({})", item_title(c.item, language), c.id)),
    );
    let _ = writer.write_record(&header);
    for report in reports {
        let mut row = vec![report.path.clone(), report.kind.as_str().to_string()];
        row.extend(
            columns
                .iter()
                .map(|c| status_in(report, &c.id).0.as_str().to_string()),
        );
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    let mut out = String::from('\u{feff}');
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}
