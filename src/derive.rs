//! Catalogs derived from a company's own regulation: the items an article lists
//! (「契約の内容として以下の事項を規定するものとする。(1)秘密保持義務 …」) become the
//! checklist of its consignment contracts, with the article as their basis.
//!
//! Each listed item is recognised as one of the built-in consignment items when that
//! item's own match spec finds it in the item's text (so 「秘密保持義務」 brings the full
//! confidentiality spec, examples and model clause); otherwise its match spec is built
//! from the item text's content words.

use crate::catalog::{
    Catalog, Example, Expectation, Item, ItemSource, MatchSpec, Polarity, Scope, Severity,
};
use crate::diagnostic::Text;
use crate::document::Document;
use crate::kind::DocumentKind;
use crate::lint::Engine;
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
}

impl std::fmt::Display for DeriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeriveError::Provision { message, .. } => {
                f.write_str(message.get(crate::diagnostic::Language::default()))
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
    let container = if paragraph <= 1 {
        a
    } else {
        *s.units[a]
            .children
            .iter()
            .find(|&&c| s.units[c].kind == UnitKind::Paragraph && s.units[c].number == paragraph)
            .ok_or_else(|| {
                provision(
                    "paragraph",
                    format!("{path} の第{article}条に第{paragraph}項がありません"),
                    format!("{path}: 第{article}条第{paragraph}項 not found"),
                )
            })?
    };
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
    for (n, &i) in items.iter().enumerate() {
        let unit = &s.units[i];
        let item_text = text[unit.body_start..s.units[i].span.end]
            .trim()
            .to_string();
        let provision = format!("第{article}条第{paragraph}項第{}号", unit.number);
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
            None => from_words(n + 1, &item_text, basis, source),
        };
        derived.push(item);
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

/// Words too common in contracts to recognise an item by.
const GENERIC: &[&str] = &[
    "発生",
    "場合",
    "行う",
    "する",
    "こと",
    "できる",
    "会社",
    "委託先",
    "契約",
    "規定",
    "求める",
];

/// An item recognised by the content words of its text: every noun or verb of two
/// characters or more, up to the three longest, must occur in one clause.
fn from_words(n: usize, text: &str, basis: String, source: Option<ItemSource>) -> Item {
    let normalized = crate::normalize::normalize(text).text;
    let mut words: Vec<String> = crate::morphology::tokenize(&normalized)
        .into_iter()
        .filter(|t| {
            matches!(t.pos, "名詞" | "動詞" | "カスタム名詞") && t.base().chars().count() >= 2
        })
        .filter(|t| !GENERIC.contains(&t.base()))
        .map(|t| t.base().to_string())
        .collect();
    words.dedup();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.truncate(3);
    if words.is_empty() {
        words.push(normalized.clone());
    }
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
        match_spec: MatchSpec {
            scope: Scope::Sentence,
            all: words.into_iter().map(|w| vec![w]).collect(),
            polarity: Polarity::Any,
            none: Vec::new(),
        },
        conflicts: Vec::new(),
        examples: vec![Example {
            text: text.to_string(),
            expect: Expectation::Present,
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
}
