//! `--format csv`: the documents × items matrix for spreadsheets. One row per document
//! (path, kind), one column per catalog item judged in any of them; each cell is the
//! item's status in the report's language: あり, 欠落, 抵触, 対象外 (the kind 「委託契約・覚書」 …),
//! or with `--lang en` the engine's words `present`, `missing`, `conflict`,
//! `not-applicable` (the kind's id). UTF-8 with a
//! byte-order mark and CRLF line ends, so that Excel opens Japanese text correctly;
//! quoting per RFC 4180.

use crate::catalog::Catalogs;
use crate::diagnostic::Language;
use crate::engine::FileReport;
use crate::matcher::Status;
use crate::report::{matrix_columns, status_in};

/// A status as the HTML report's legend names it.
fn status_ja(status: Status) -> &'static str {
    match status {
        Status::Present => "あり",
        Status::Missing => "欠落",
        Status::Conflict => "抵触",
        Status::NotApplicable => "対象外",
    }
}

pub fn render(reports: &[FileReport], catalogs: &Catalogs, language: Language) -> String {
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
            .map(|c| format!("{} ({})", c.item.title(language), c.id)),
    );
    let _ = writer.write_record(&header);
    for report in reports {
        let kind = match language {
            Language::Ja => report.kind.name_ja(),
            Language::En => report.kind.as_str(),
        };
        let mut row = vec![report.path.clone(), kind.to_string()];
        row.extend(columns.iter().map(|c| {
            let status = status_in(report, &c.id).0;
            match language {
                Language::Ja => status_ja(status),
                Language::En => status.as_str(),
            }
            .to_string()
        }));
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    let mut out = String::from('\u{feff}');
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}
