//! Catalogs derived from a company's own regulation: the items an article lists
//! (「契約の内容として以下の事項を規定するものとする。(1)秘密保持義務 …」) become the
//! checklist of its consignment contracts, with the article as their basis.
//!
//! Each listed item is recognised as one of the built-in consignment items when that
//! item's own match spec finds it in the item's text (so 「秘密保持義務」 brings the full
//! confidentiality spec, examples and model clause); otherwise its match spec is built
//! from the item text's content words.

use crate::catalog::{
    Catalog, CatalogError, Example, Item, ItemSource, MatchSpec, Polarity, Scope, Severity,
};
use crate::diagnostic::Text;
use crate::document::Document;
use crate::engine::Engine;
use crate::kind::DocumentKind;
use crate::matcher::Status;
use crate::structure::UnitKind;

/// The id of a derived catalog.
pub const DERIVED_ID: &str = "company";

/// Why a regulation's article gives no catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeriveError {
    /// The article or paragraph is not in the regulation, or lists no items; `field` is the
    /// setting that named it (`article` or `paragraph`).
    Provision { field: &'static str, message: Text },
    /// Items whose text gives nothing to look for (「する」「。。。」), at their place in the
    /// regulation; made into items, they would be met by almost any clause, or by none.
    Items(Vec<CatalogError>),
}

impl std::fmt::Display for DeriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeriveError::Provision { message, .. } => {
                f.write_str(message.get(crate::diagnostic::Language::default()))
            }
            DeriveError::Items(errors) => {
                let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&shown.join("\n"))
            }
        }
    }
}

/// Derives a catalog from `text` (the regulation at `path`), article `article`, paragraph
/// `paragraph` (1 for the article's own items).
pub fn derive(
    path: &str,
    text: &str,
    article: u32,
    paragraph: u32,
    builtin: &Catalog,
) -> Result<Catalog, DeriveError> {
    let doc = Document::new(text.to_string());
    let s = &doc.structure;
    let provision = |field, ja: String, en: String| DeriveError::Provision {
        field,
        message: Text::new(ja, en),
    };
    let (a, _) = s
        .articles()
        .find(|(_, u)| u.number == article && u.branch.is_none() && !u.supplementary)
        .ok_or_else(|| {
            provision(
                "article",
                format!("{path} に第{article}条がありません"),
                format!("{path}: 第{article}条 not found"),
            )
        })?;
    let container = s.paragraph(a, paragraph).ok_or_else(|| {
        provision(
            "paragraph",
            format!("{path} の第{article}条に第{paragraph}項がありません"),
            format!("{path}: 第{article}条第{paragraph}項 not found"),
        )
    })?;
    let items: Vec<usize> = s.units[container]
        .children
        .iter()
        .copied()
        .filter(|&c| s.units[c].kind == UnitKind::Item)
        .collect();
    if items.is_empty() {
        return Err(provision(
            "paragraph",
            format!(
                "{path} の第{article}条第{paragraph}項には号（(1)、一 など）の列挙がありません"
            ),
            format!("{path}: 第{article}条第{paragraph}項 lists no items"),
        ));
    }
    let engine = Engine::new(vec![builtin.clone()]);
    let mut used: Vec<String> = Vec::new();
    let mut derived = Vec::new();
    let mut garbage = Vec::new();
    for (n, &i) in items.iter().enumerate() {
        let unit = &s.units[i];
        let body = &text[unit.body_start..unit.span.end];
        let item_text = body.trim().to_string();
        let provision = format!("第{article}条第{paragraph}項第{}号", unit.number);
        let words = match words_of(&item_text) {
            Ok(words) => words,
            Err(reason) => {
                let start = unit.body_start + (body.len() - body.trim_start().len());
                garbage.push(CatalogError::at(
                    path,
                    text,
                    start..start + item_text.len(),
                    Text::new(
                        format!(
                            "{provision}「{item_text}」からは契約書で探す語が取り出せません（{}）。規程の文言か、条・項の指定を確かめてください",
                            reason.ja
                        ),
                        format!(
                            "{provision} “{item_text}” gives nothing to look for in a contract ({}); check the regulation's wording, or the article and paragraph named",
                            reason.en
                        ),
                    ),
                ));
                continue;
            }
        };
        let line = doc.source.position(unit.header.start).line;
        let source = Some(ItemSource {
            path: path.to_string(),
            line,
            provision: provision.clone(),
        });
        let basis = format!("{path} {provision}（{item_text}）");
        // which built-in item does this text name?
        // the regulation speaks of 会社 and 委託先; contracts of 甲 and 乙
        let as_contract = item_text.replace("委託先", "乙").replace("会社", "甲");
        let report = engine.check("item", as_contract, Some(DocumentKind::ConsignmentContract));
        let mapped = report
            .items
            .iter()
            .filter(|r| r.status == Status::Present)
            .filter_map(|r| r.id.split_once('/').map(|(_, id)| id.to_string()))
            .find(|id| !used.contains(id));
        let item = match mapped.and_then(|id| builtin.items.iter().find(|b| b.id == id)) {
            Some(b) => {
                used.push(b.id.clone());
                let mut item = b.clone();
                item.title = item_text.clone();
                item.basis.insert(0, basis);
                item.source = source;
                item
            }
            None => from_words(n + 1, &item_text, words, basis, source),
        };
        derived.push(item);
    }
    if !garbage.is_empty() {
        return Err(DeriveError::Items(garbage));
    }
    Ok(Catalog {
        id: DERIVED_ID.to_string(),
        title: format!("{path} 第{article}条第{paragraph}項が委託契約に求める事項"),
        title_en: Some(format!(
            "Items {path} article {article}({paragraph}) requires in consignment contracts"
        )),
        kinds: vec![DocumentKind::ConsignmentContract],
        description: None,
        section: None,
        items: derived,
        origin: format!("derived from {path}"),
    })
}

/// A word too common in contracts to recognise an item by (`dictionaries/vocabulary.toml`).
fn is_generic(word: &str) -> bool {
    crate::vocabulary::vocabulary()
        .derive
        .generic
        .iter()
        .any(|g| g == word)
}

/// The words an item is recognised by: every noun or verb of two characters or more, up to
/// the three longest, which must occur in one clause (without any, the whole text). An item
/// text that names nothing is no requirement kiyaku can look for, and the reason is
/// returned: fewer than two content characters (「。。。」「一」), a single verb or particle
/// (「する」「行う」「は」), or only words every contract has (「契約」「場合」).
fn words_of(text: &str) -> Result<Vec<String>, Text> {
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Err(Text::new(
            "内容を表す文字が2文字に足りません",
            "fewer than 2 content characters",
        ));
    }
    let normalized = crate::normalize::normalize(text).text;
    let tokens = crate::morphology::tokenize(&normalized);
    // the words of the text, an inflection's auxiliaries (「し・ない」) not counted apart
    let content: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.pos, "記号" | "助動詞") && !t.surface.trim().is_empty())
        .collect();
    if let [only] = content.as_slice()
        && matches!(only.pos, "動詞" | "助詞")
    {
        let en = if only.pos == "動詞" {
            "verb"
        } else {
            "particle"
        };
        return Err(Text::new(
            format!("「{}」という{}一語だけです", only.surface, only.pos),
            format!("only the {en} “{}”", only.surface),
        ));
    }
    let mut words: Vec<String> = tokens
        .iter()
        .filter(|t| {
            matches!(t.pos, "名詞" | "動詞" | "カスタム名詞") && t.base().chars().count() >= 2
        })
        .filter(|t| !is_generic(t.base()))
        .map(|t| t.base().to_string())
        .collect();
    words.dedup();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.truncate(3);
    if words.is_empty() {
        // short words (「持出日」): the whole text is the term; but a text of words every
        // contract has (「契約」「会社の規定」) would be met by any contract
        let specific = tokens.iter().any(|t| {
            matches!(t.pos, "名詞" | "動詞" | "カスタム名詞" | "形容詞") && !is_generic(t.base())
        });
        if !specific {
            return Err(Text::new(
                "どの契約書にもある語しかありません",
                "only words every contract has",
            ));
        }
        words.push(normalized);
    }
    Ok(words)
}

/// An item recognised by `words`, the content words of its text (`words_of`).
fn from_words(
    n: usize,
    text: &str,
    words: Vec<String>,
    basis: String,
    source: Option<ItemSource>,
) -> Item {
    Item {
        id: format!("item-{n}"),
        title: text.to_string(),
        title_en: None,
        severity: Severity::Warning,
        basis: vec![basis],
        explanation: format!("会社の規程が委託契約に定めることを求める事項「{text}」です。"),
        explanation_en: None,
        model_clause: format!("乙は、{text}について、甲の定めるところに従う。"),
        section_hint: Vec::new(),
        trigger: Vec::new(),
        trigger_denied_with: Vec::new(),
        trigger_unless: Vec::new(),
        trigger_named_again_under_heading: false,
        match_spec: MatchSpec {
            scope: Scope::Sentence,
            all: words.into_iter().map(|w| vec![w]).collect(),
            polarity: Polarity::Any,
            none: Vec::new(),
            elsewhere: None,
            others: Vec::new(),
        },
        conflicts: Vec::new(),
        examples: vec![Example {
            text: text.to_string(),
            expect: Status::Present,
        }],
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_mapped_or_built_from_words() {
        let builtin = crate::catalog::builtin_catalogs()
            .into_iter()
            .find(|c| c.id == "consignment")
            .unwrap();
        let text = "規程\n（委託）\n第5条 会社は委託先を監督する。\n2 契約の内容として以下の事項を規定するものとする。\n(1)秘密保持義務\n(2)委託業務の報酬の支払方法\n";
        let c = derive("reg.txt", text, 5, 2, &builtin).unwrap();
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[0].id, "confidentiality");
        assert_eq!(
            c.items[0].source.as_ref().unwrap().provision,
            "第5条第2項第1号"
        );
        assert_eq!(c.items[1].id, "item-2");
        assert!(derive("reg.txt", text, 9, 1, &builtin).is_err());
    }

    #[test]
    fn items_that_name_nothing_are_errors_at_their_line() {
        let builtin = crate::catalog::builtin_catalogs()
            .into_iter()
            .find(|c| c.id == "consignment")
            .unwrap();
        let text = "規程\n第5条 契約の内容として以下の事項を規定するものとする。\n(1)秘密保持義務\n(2)する\n(3) 。。。\n(4)持出日\n(5)契約\n(6)行う。\n";
        let Err(DeriveError::Items(errors)) = derive("reg.txt", text, 5, 1, &builtin) else {
            panic!("garbage derived");
        };
        let found: Vec<(usize, usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.column, e.message.en.as_str()))
            .collect();
        fn says(en: &str) -> &str {
            en.split_once(" (").unwrap().1.split_once(')').unwrap().0
        }
        assert_eq!(
            found
                .iter()
                .map(|&(l, c, en)| (l, c, says(en)))
                .collect::<Vec<_>>(),
            vec![
                (4, 4, "only the verb “する”"),
                (5, 5, "fewer than 2 content characters"),
                (7, 4, "only words every contract has"),
                (8, 4, "only the verb “行う”"),
            ]
        );
        assert!(errors.iter().all(|e| e.path == "reg.txt"));
        assert!(
            errors[0].message.ja.contains("第5条第1項第2号「する」"),
            "{:?}",
            errors[0]
        );
        // the others are items: the built-in one, and 「持出日」 by its whole text
        let fine = text
            .replace("(2)する\n(3) 。。。\n", "")
            .replace("(5)契約\n(6)行う。\n", "");
        let c = derive("reg.txt", &fine, 5, 1, &builtin).unwrap();
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[1].match_spec.all, vec![vec!["持出日".to_string()]]);
        // a particle, an inflected verb, a conjunction, a single character
        for garbage in ["から", "しない", "及び", "一", ""] {
            assert!(words_of(garbage).is_err(), "{garbage}");
        }
        for fine in ["監査", "持出日", "再委託の禁止", "返却する"] {
            assert!(words_of(fine).is_ok(), "{fine}");
        }
    }
}
