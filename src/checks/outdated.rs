//! `outdated-reference`: references that were right once and are not any more
//! (pre-2022 APPI article numbers with the topic that fixes their meaning,
//! 日本工業規格, superseded JIS Q 15001 editions, 通知カード, …). The table is
//! `dictionaries/outdated.toml`; each entry cites its source.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::catalog::Severity;
use crate::diagnostic::{Code, Diagnostic, Edit, Fix, Related, Text};
use crate::document::Document;

#[derive(Debug, Deserialize)]
struct OutdatedFile {
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    pub id: String,
    pub pattern: String,
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default)]
    pub replacement: Option<String>,
    pub message: String,
    #[serde(default)]
    pub message_en: Option<String>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

pub struct Compiled {
    pub entry: Entry,
    pub regex: Regex,
}

/// The table, compiled once. Invalid entries are a build defect caught by the tests.
pub fn table() -> &'static [Compiled] {
    static TABLE: OnceLock<Vec<Compiled>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let file: OutdatedFile = toml::from_str(include_str!("../../dictionaries/outdated.toml"))
            .expect("dictionaries/outdated.toml is checked by the test suite");
        file.entry
            .into_iter()
            .map(|mut entry| {
                // context words are compared with normalised text
                for w in &mut entry.context {
                    *w = crate::normalize::normalize(w).text;
                }
                entry
            })
            .map(|entry| Compiled {
                regex: Regex::new(&entry.pattern)
                    .unwrap_or_else(|e| panic!("outdated.toml {}: {e}", entry.id)),
                entry,
            })
            .collect()
    })
}

/// Every pattern of the table in one automaton: one pass over a document tells which
/// entries occur at all (most occur in no document), so only those are searched.
fn occurring(text: &str) -> Option<regex::SetMatches> {
    static SET: OnceLock<Option<RegexSet>> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(table().iter().map(|c| &c.entry.pattern)).ok())
        .as_ref()
        .map(|set| set.matches(text))
}

/// Characters of context looked at after the match's sentence when the sentence does not settle it.
const CONTEXT_AFTER: usize = 40;

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let text = &doc.normalized.text;
    let mut out = Vec::new();
    let occurring = occurring(text);
    for (i, c) in table().iter().enumerate() {
        if occurring.as_ref().is_some_and(|o| !o.matched(i)) {
            continue;
        }
        let mut reported = false;
        for m in c.regex.find_iter(text) {
            // terminology without a mechanical fix is reported once per document
            if reported && c.entry.replacement.is_none() {
                break;
            }
            if !c.entry.context.is_empty() {
                let sentence_start = text[..m.start()].rfind(['。', '\n']).map_or(0, |i| {
                    i + text[i..].chars().next().map_or(1, char::len_utf8)
                });
                let sentence_end = text[m.end()..]
                    .find(['。', '\n'])
                    .map_or(text.len(), |i| m.end() + i);
                let after: String = text[sentence_end..].chars().take(CONTEXT_AFTER).collect();
                let window = format!("{}{}", &text[sentence_start..sentence_end], after);
                if !c.entry.context.iter().any(|w| window.contains(w.as_str())) {
                    continue;
                }
            }
            let range = doc.original(m.range());
            let mut d = Diagnostic::new(
                Code::OutdatedReference,
                Severity::Warning,
                Text::new(
                    c.entry.message.clone(),
                    c.entry
                        .message_en
                        .clone()
                        .unwrap_or_else(|| c.entry.message.clone()),
                ),
                range.clone(),
            );
            if let Some(source) = &c.entry.source {
                d.related.push(Related {
                    message: Text::new(format!("出典: {source}"), format!("Source: {source}")),
                    location: None,
                });
            }
            if let Some(replacement) = &c.entry.replacement {
                d.fix = Some(Fix {
                    title: Text::new(
                        format!("「{replacement}」に置き換え"),
                        format!("Replace with “{replacement}”"),
                    ),
                    edits: vec![Edit {
                        range,
                        text: replacement.clone(),
                    }],
                });
            }
            out.push(d);
            reported = true;
        }
    }
    out
}
