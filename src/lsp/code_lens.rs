//! The code lens at the top of a document: its kind and how many required clauses of each
//! catalog it has; its command, `kiyaku.showCoverage`, lists the items with their status.

use tower_lsp_server::ls_types::{CodeLens, Command, Position, Range, Uri};

use crate::diagnostic::Language;
use crate::engine::FileReport;
use crate::matcher::Status;

/// The lens of `uri`: its command shows the coverage list; its data (kind and counts) is what
/// the VS Code extension's status bar reads.
pub(super) fn code_lens(report: &FileReport, uri: &Uri, language: Language) -> Vec<CodeLens> {
    let mut by_catalog: Vec<(String, usize, usize)> = Vec::new();
    for item in report
        .items
        .iter()
        .filter(|i| i.status != Status::NotApplicable)
    {
        let catalog = item.id.split('/').next().unwrap_or("").to_string();
        let present = usize::from(item.status == Status::Present);
        match by_catalog.iter_mut().find(|(c, _, _)| *c == catalog) {
            Some(entry) => {
                entry.1 += present;
                entry.2 += 1;
            }
            None => by_catalog.push((catalog, present, 1)),
        }
    }
    let kind = match language {
        Language::Ja => format!("文書の種類: {}", report.kind.name_ja()),
        Language::En => format!("kind: {}", report.kind.as_str()),
    };
    let coverage: Vec<String> = by_catalog
        .iter()
        .map(|(c, p, n)| match language {
            Language::Ja => format!("{c} 必須条項 {p}/{n}"),
            Language::En => format!("{c} required clauses {p}/{n}"),
        })
        .collect();
    vec![CodeLens {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        // run: the list of items and their status, as a message
        command: Some(Command {
            title: format!("{kind} · {}", coverage.join(" · ")),
            command: SHOW_COVERAGE.to_string(),
            arguments: Some(vec![serde_json::Value::String(uri.as_str().to_string())]),
        }),
        // the same, as data: the VS Code extension's status bar reads it
        data: Some(serde_json::json!({
            "kind": report.kind.as_str(),
            "kindName": match language {
                Language::Ja => report.kind.name_ja(),
                Language::En => report.kind.as_str(),
            },
            "coverage": by_catalog
                .iter()
                .map(|(c, p, n)| serde_json::json!({
                    "catalog": c, "present": p, "required": n
                }))
                .collect::<Vec<_>>(),
        })),
    }]
}

/// The command of the code lens: shows the items of the document's catalogs with their status.
pub(super) const SHOW_COVERAGE: &str = "kiyaku.showCoverage";

/// What `kiyaku.showCoverage` shows: each applicable item with its status, by catalog.
pub(super) fn coverage_list(report: &FileReport, language: Language) -> String {
    let mut out = match language {
        Language::Ja => format!("文書の種類: {}", report.kind.name_ja()),
        Language::En => format!("kind: {}", report.kind.as_str()),
    };
    for item in report
        .items
        .iter()
        .filter(|i| i.status != Status::NotApplicable)
    {
        let (mark, status) = match (item.status, language) {
            (Status::Present, Language::Ja) => ("✓", "あり"),
            (Status::Missing, Language::Ja) => ("✗", "欠落"),
            (Status::Conflict, Language::Ja) => ("!", "抵触"),
            (Status::Present, Language::En) => ("✓", "present"),
            (Status::Missing, Language::En) => ("✗", "missing"),
            (Status::Conflict, Language::En) => ("!", "conflict"),
            (Status::NotApplicable, _) => continue,
        };
        let line = match (item.lines, language) {
            (Some([a, _]), Language::Ja) => format!("（{a}行目）"),
            (Some([a, _]), Language::En) => format!(" (line {a})"),
            (None, _) => String::new(),
        };
        out.push_str(&format!("\n{mark} {status} {}{line}", item.id));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{REGULATION, report};

    fn uri() -> Uri {
        "file:///tmp/kitei.txt".parse().expect("a URI")
    }

    #[test]
    fn a_regulation_shows_its_kind_and_coverage() {
        let report = report(REGULATION);
        let lens = code_lens(&report, &uri(), Language::Ja);
        let command = lens[0].command.as_ref().expect("a command");
        assert!(
            command.title.starts_with("文書の種類: 個人情報取扱規程 · "),
            "{}",
            command.title
        );
        assert!(command.title.contains("必須条項"), "{}", command.title);
        assert_eq!(command.command, SHOW_COVERAGE);
        let list = coverage_list(&report, Language::En);
        assert!(list.starts_with("kind: regulation\n"), "{list}");
        assert!(list.contains("✗ missing "), "{list}");
    }

    #[test]
    fn a_memo_of_no_kind_counts_no_clause() {
        let report = report("買い物メモ\n牛乳と卵。\n");
        let lens = code_lens(&report, &uri(), Language::En);
        let data = lens[0].data.as_ref().expect("data");
        assert_eq!(data["coverage"], serde_json::json!([]));
        assert_eq!(coverage_list(&report, Language::En), "kind: unknown");
    }
}
