//! Code actions on the findings under the cursor: each finding's fix, and a comment that
//! disables its item or code on that line.

use std::collections::{HashMap, HashSet};

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::convert::{PositionEncoding, offset_of, range_of};
use super::diagnostics::to_lsp_diagnostics_one;
use crate::diagnostic::{self as diag, Language};
use crate::engine::FileReport;

/// The actions for the findings that touch `range`: fixes (titles distinct when the same fix
/// is offered for several findings) and then "disable here" comments.
pub(super) fn code_actions(
    report: &FileReport,
    uri: &Uri,
    range: Range,
    encoding: PositionEncoding,
    language: Language,
) -> Vec<CodeActionOrCommand> {
    let source = &report.document.source;
    let wanted = offset_of(source, range.start, encoding)..offset_of(source, range.end, encoding);
    let mut disabled = HashSet::new();
    let under_cursor = |d: &&diag::Diagnostic| {
        d.suppressed.is_none() && d.range.start <= wanted.end && wanted.start <= d.range.end
    };
    report
        .diagnostics
        .iter()
        .filter(under_cursor)
        .filter_map(|d| {
            let fix = d.fix.as_ref()?;
            let edits: Vec<TextEdit> = fix
                .edits
                .iter()
                .map(|e| {
                    let (range, text) = before_the_last_line_break(source.as_str(), e);
                    TextEdit::new(range_of(source, &range, encoding), text)
                })
                .collect();
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), edits);
            // the same fix for findings on several lines: each title names its line
            // (and its column, when there are two on a line)
            let title = fix.title.get(language);
            let at = source.position(d.range.start);
            let same: Vec<usize> = report
                .diagnostics
                .iter()
                .filter(under_cursor)
                .filter(|o| {
                    o.fix
                        .as_ref()
                        .is_some_and(|f| f.title.get(language) == title)
                })
                .map(|o| source.position(o.range.start).line)
                .collect();
            let on_line = same.iter().filter(|&&l| l == at.line).count();
            let title = match (same.len() > 1, on_line > 1, language) {
                (false, _, _) => title.to_string(),
                (true, false, Language::Ja) => format!("{title}（{}行目）", at.line),
                (true, false, Language::En) => format!("{title} (line {})", at.line),
                (true, true, Language::Ja) => {
                    format!("{title}（{}行{}文字目）", at.line, at.column)
                }
                (true, true, Language::En) => {
                    format!("{title} (line {}, column {})", at.line, at.column)
                }
            };
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(to_lsp_diagnostics_one(report, d, encoding, language)),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            }))
        })
        .chain(
            // "disable here": a suppression comment on the line before; one action
            // per item or code and line (two findings of one code on a line would
            // insert the same comment), titled with its line so that clients that
            // list actions by title (Emacs) tell them apart
            report
                .diagnostics
                .iter()
                .filter(under_cursor)
                .filter(|d| {
                    let line = source.line_of(d.range.start);
                    disabled.insert((d.item.clone(), d.code, line))
                })
                .map(|d| {
                    let line_start = source.line_range(source.line_of(d.range.start)).start;
                    let comment =
                        crate::suppress::disable_next_line_comment(d.item.as_deref(), d.code);
                    let mut changes = HashMap::new();
                    changes.insert(
                        uri.clone(),
                        vec![TextEdit::new(
                            range_of(source, &(line_start..line_start), encoding),
                            comment,
                        )],
                    );
                    let what = d
                        .item
                        .clone()
                        .unwrap_or_else(|| d.code.as_str().to_string());
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: {
                            let line = source.position(d.range.start).line;
                            match language {
                                Language::Ja => format!("{what} を{line}行目で無効にする"),
                                Language::En => format!("Disable {what} on line {line}"),
                            }
                        },
                        kind: Some(CodeActionKind::QUICKFIX),
                        edit: Some(WorkspaceEdit {
                            changes: Some(changes),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })
                }),
        )
        .collect::<Vec<_>>()
}

/// An insertion of whole lines at the very end of a text that ends with a line break, moved
/// before that line break (`…。\n` + `第5条…\n` becomes `…。` + `\n第5条…` + `\n`): the same
/// text results, but the edit starts on an existing line. Past the last line, Neovim (0.10
/// and later) adds a line to apply the edit and leaves an extra blank line at the end.
fn before_the_last_line_break(text: &str, edit: &diag::Edit) -> (std::ops::Range<usize>, String) {
    let unchanged = (edit.range.clone(), edit.text.clone());
    if edit.range != (text.len()..text.len()) {
        return unchanged;
    }
    let Some(break_) = ["\r\n", "\n", "\r"].into_iter().find(|b| text.ends_with(b)) else {
        return unchanged;
    };
    let Some(lines) = edit.text.strip_suffix(break_) else {
        return unchanged;
    };
    let at = text.len() - break_.len();
    (at..at, format!("{break_}{lines}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::testing::{position, report};

    fn titles(text: &str, at: &str) -> Vec<String> {
        let report = report(text);
        let uri: Uri = "file:///tmp/kitei.txt".parse().expect("a URI");
        let at = position(text, at);
        code_actions(
            &report,
            &uri,
            Range::new(at, at),
            PositionEncoding::Utf16,
            Language::En,
        )
        .into_iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a.title,
            CodeActionOrCommand::Command(c) => c.title,
        })
        .collect()
    }

    #[test]
    fn a_finding_under_the_cursor_can_be_disabled_on_its_line() {
        let text = "第1条（目的）\nこの規程は、第7条に定める。\n";
        let titles = titles(text, "第7条");
        assert!(
            titles.contains(&"Disable broken-reference on line 2".to_string()),
            "{titles:?}"
        );
    }

    #[test]
    fn no_finding_under_the_cursor_offers_nothing() {
        let text = "第1条（目的）\nこの規程は、第7条に定める。\n";
        assert_eq!(titles(text, "定める"), Vec::<String>::new());
    }

    #[test]
    fn an_insertion_at_the_end_moves_before_the_last_line_break() {
        let edit = |range: std::ops::Range<usize>, text: &str| diag::Edit {
            range,
            text: text.to_string(),
        };
        let apply = |text: &str, (range, new): (std::ops::Range<usize>, String)| {
            format!("{}{new}{}", &text[..range.start], &text[range.end..])
        };
        for (text, clause) in [
            ("第1条 甲は…。\n", "第2条 乙は…。\n"),
            ("第1条 甲は…。\r\n", "第2条 乙は…。\r\n"),
        ] {
            let insert = edit(text.len()..text.len(), clause);
            let moved = before_the_last_line_break(text, &insert);
            assert!(moved.0.end < text.len(), "{moved:?}");
            assert_eq!(apply(text, moved), format!("{text}{clause}"));
        }
        // elsewhere, or a text without a final line break: unchanged
        let text = "第1条 甲は…。";
        let insert = edit(text.len()..text.len(), "\n第2条 乙は…。");
        assert_eq!(before_the_last_line_break(text, &insert).0, insert.range);
        let insert = edit(0..0, "前文\n");
        assert_eq!(before_the_last_line_break("a\n", &insert).0, 0..0);
    }
}
