//! The structure parser on the two real shared documents.

use kiyaku::structure::{self, UnitKind};
use kiyaku::text::SourceText;

fn parse_fixture(name: &str) -> (SourceText, structure::Structure) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/shared")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let source = SourceText::new(text);
    let s = structure::parse(&source);
    (source, s)
}

#[test]
fn regulation_chapters_articles_captions_paragraphs_items() {
    let (_, s) = parse_fixture("regulation-tsc.txt");
    let chapters: Vec<u32> = s
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Chapter)
        .map(|u| u.number)
        .collect();
    assert_eq!(chapters, (1..=10).collect::<Vec<_>>());
    let main: Vec<u32> = s
        .articles()
        .filter(|(_, u)| !u.supplementary)
        .map(|(_, u)| u.number)
        .collect();
    assert_eq!(main, (1..=59).collect::<Vec<_>>());
    let supplementary: Vec<String> = s
        .articles()
        .filter(|(_, u)| u.supplementary)
        .map(|(_, u)| u.label.clone())
        .collect();
    assert_eq!(supplementary, vec!["第1条"]);
    let uncaptioned: Vec<String> = s
        .articles()
        .filter(|(_, u)| !u.supplementary && u.caption.is_none())
        .map(|(_, u)| u.label.clone())
        .collect();
    assert!(
        uncaptioned.is_empty(),
        "articles without caption: {uncaptioned:?}"
    );
    let (index, art36) = s
        .articles()
        .find(|(_, u)| u.number == 36 && !u.supplementary)
        .unwrap();
    assert_eq!(art36.caption.as_deref(), Some("委託先における安全管理措置"));
    let paragraphs: Vec<usize> = art36
        .children
        .iter()
        .copied()
        .filter(|&c| s.units[c].kind == UnitKind::Paragraph)
        .collect();
    // the article line is paragraph 1; 2–6 are numbered
    assert_eq!(paragraphs.len() + 1, 6);
    let fourth = paragraphs[2];
    assert_eq!(s.units[fourth].number, 4);
    let items: Vec<u32> = s.units[fourth]
        .children
        .iter()
        .map(|&c| s.units[c].number)
        .collect();
    assert_eq!(items, (1..=11).collect::<Vec<_>>());
    assert_eq!(
        s.path_label(s.units[fourth].children[9]),
        "第36条第4項第10号"
    );
    assert_eq!(s.units[index].kind, UnitKind::Article);
}

#[test]
fn notice_outline_has_numbered_headings_and_no_articles() {
    let (_, s) = parse_fixture("privacy-policy-technocraft.txt");
    assert!(s.articles().next().is_none(), "a notice has no 第N条");
    let top: Vec<(String, Option<String>)> = s
        .roots
        .iter()
        .map(|&i| (s.units[i].label.clone(), s.units[i].caption.clone()))
        .collect();
    assert_eq!(top[0], ("1.".to_string(), Some("基本方針".to_string())));
    let labels: Vec<&str> = top.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, vec!["1.", "2.", "3."]);
    let children = |i: usize| -> Vec<String> {
        s.units[s.roots[i]]
            .children
            .iter()
            .map(|&c| s.units[c].label.clone())
            .collect()
    };
    assert_eq!(children(0), vec!["(1)", "(2)", "(3)", "(4)", "(5)"]);
    assert_eq!(children(1), vec!["(1)", "(2)"]);
    assert_eq!(
        children(2),
        vec!["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "1.1"]
    );
    // the document's second "(6)" (開示の請求) follows 1.1
    let decimal = *s.units[s.roots[2]].children.last().unwrap();
    assert!(
        s.units[decimal]
            .children
            .iter()
            .any(|&c| s.units[c].label == "(6)")
    );
}

/// A mark drawn before a numbered heading (「● 1. 個人情報の利用目的」「■2．安全管理」) leaves it
/// that numbered heading, with the bulleted lines under it inside; a mark before a number that
/// opens a word of the line (「● 3.5倍の速さ」) makes no heading.
#[test]
fn a_mark_before_a_numbered_heading_leaves_it_a_heading() {
    let text = "プライバシーポリシー\n● 1. 個人情報の利用目的\n・ 会員登録のため\n・ 問い合わせ対応のため\n■2．安全管理\n適切に管理します。\n● 3.5倍の速さで処理します。\n";
    let s = structure::parse(&SourceText::new(text.to_string()));
    let top: Vec<(String, Option<String>)> = s
        .roots
        .iter()
        .map(|&i| (s.units[i].label.clone(), s.units[i].caption.clone()))
        .collect();
    assert_eq!(
        top,
        vec![
            ("1.".to_string(), Some("個人情報の利用目的".to_string())),
            ("2.".to_string(), Some("安全管理".to_string())),
        ]
    );
}

/// A decimal number that opens a table row (a version in a revision history, 「2.0 | 2026年4月14日
/// | 全面改訂」) is a cell, not a heading numbered 2.0 under heading 2.
#[test]
fn a_version_in_a_table_row_is_no_heading() {
    let text = "プライバシーポリシー\n1. 利用目的\nサービスの提供のため。\n2. 改定履歴\n版 | 日付 | 内容\n1.0 | 2025年4月 | 初版制定\n2.0 | 2026年4月14日 | 全面改訂\n";
    let s = structure::parse(&SourceText::new(text.to_string()));
    let labels: Vec<&str> = s.units.iter().map(|u| u.label.as_str()).collect();
    assert_eq!(labels, vec!["1.", "2."]);
}
