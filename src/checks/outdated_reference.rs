//! `outdated-reference`: references that were right once and are not any more
//! (pre-2022 APPI article numbers with the topic that fixes their meaning,
//! 日本工業規格, superseded JIS Q 15001 editions, 通知カード, …). The table is
//! `dictionaries/outdated.toml`; each entry cites its source.

use crate::resettable::Resettable;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Edit, Fix, Related, Text};
use crate::document::Document;

/// What `outdated-reference` finds and how to fix it (`kiyaku explain outdated-reference`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::OutdatedReference,
    title: Bilingual {
        ja: "改正前・廃止済みの参照",
        en: "Outdated reference",
    },
    what: Bilingual {
        ja: "改正・廃止前の条番号、規格名、書類を参照しています（2022年4月改正前の個人情報保護法の条番号、日本工業規格、旧版のJIS Q 15001、通知カードなど）。",
        en: "A reference is outdated: pre-2022 APPI article numbers, 日本工業規格, superseded JIS Q 15001 editions, 通知カード, ….",
    },
    details: Bilingual {
        ja: "2022年改正前の個人情報保護法の条番号（内容ごと）、日本工業規格、JIS Q 15001:2006/2017、通知カード、健康保険証、瑕疵担保責任など、`dictionaries/outdated.toml` の各項目。",
        en: "Pre-2022 APPI article numbers (by topic), 日本工業規格, JIS Q 15001:2006/2017, 通知カード, 健康保険証, 瑕疵担保責任 and the other entries of `dictionaries/outdated.toml`.",
    },
    why: Bilingual {
        ja: "改正で条番号や名称が変わった規定を引用していると、根拠として存在しない規定や別の規定を指すことになります。文書が現行法に合わせて見直されていないことの表れでもあります。",
        en: "A citation of a renumbered or abolished provision points at nothing or at another rule, and shows that the document was not reviewed against the law in force.",
    },
    example: Bilingual {
        ja: "例: 「個人情報保護法23条」（第三者提供）→「個人情報保護法第27条」",
        en: "Example: 個人情報保護法23条 (third-party provision) → 第27条.",
    },
    fix: Bilingual {
        ja: "現行の条番号・名称に置き換えてください（クイックフィックスで置き換えられます）。",
        en: "Replace it with the current article number or name (the quick fix makes the replacement).",
    },
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutdatedFile {
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Sentences as a drafter writes them that must give this entry's finding (a test runs them).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Near misses that must give no `outdated-reference` finding at all.
    #[serde(default)]
    pub not: Vec<String>,
}

pub struct Compiled {
    pub entry: Entry,
    pub regex: Regex,
    /// The pattern with the APPI's name replaced by 「法」, for documents that abbreviate
    /// it so (「個人情報の保護に関する法律（以下「法」という。）」… 「法第20条」).
    pub abbreviated: Option<Regex>,
}

/// How the patterns name the APPI; an entry whose pattern starts with it also matches 「法」
/// in a document that defines that abbreviation.
const APPI_NAME: &str = "(?:個人情報(?:の)?保護(?:に関する)?法(?:律)?|個情法)";

/// A document that abbreviates the APPI as 「法」.
fn abbreviates_appi(text: &str) -> bool {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"個人情報(?:の)?保護(?:に関する)?法(?:律)?\s*(?:\([^()]{0,30}\))?\s*\([^()]{0,20}以下[、,]?\s*「法」")
            .expect("static regex")
    });
    RE.get().is_match(text)
}

/// The table, compiled once. Invalid entries are a build defect caught by the tests.
pub fn table() -> &'static [Compiled] {
    static TABLE: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
        let file: OutdatedFile = crate::tables::load(
            "outdated.toml",
            include_str!("../../dictionaries/outdated.toml"),
        );
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
                abbreviated: entry
                    .pattern
                    .strip_prefix(APPI_NAME)
                    .map(|rest| Regex::new(&format!("法{rest}")))
                    .and_then(Result::ok),
                entry,
            })
            .collect()
    });
    &TABLE
}

/// Every pattern of the table in one automaton: one pass over a document tells which
/// entries occur at all (most occur in no document), so only those are searched.
fn occurring(text: &str) -> Option<regex::SetMatches> {
    static SET: LazyLock<Option<RegexSet>> =
        LazyLock::new(|| RegexSet::new(table().iter().map(|c| &c.entry.pattern)).ok());
    SET.as_ref().map(|set| set.matches(text))
}

/// Characters of context looked at after the match's sentence when the sentence does not settle it.
const CONTEXT_AFTER: usize = 40;

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    check_by_entry(doc).into_iter().map(|(_, d)| d).collect()
}

/// The findings of `check`, each with the id of the entry that gave it (for the tests that
/// run every entry's examples).
pub fn check_by_entry(doc: &Document) -> Vec<(&'static str, Diagnostic)> {
    let text = &doc.normalized.text;
    let mut out = Vec::new();
    let occurring = occurring(text);
    let abbreviated = abbreviates_appi(text);
    for (i, c) in table().iter().enumerate() {
        let by_abbreviation = c.abbreviated.as_ref().filter(|_| abbreviated);
        if occurring.as_ref().is_some_and(|o| !o.matched(i)) && by_abbreviation.is_none() {
            continue;
        }
        let mut reported = false;
        // 「法第20条」 counts only where 法 is a word of its own (番号法第20条 is another law)
        let short_matches = by_abbreviation
            .into_iter()
            .flat_map(|re| re.find_iter(text))
            .filter(|m| {
                !text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(crate::normalize::is_word_char)
            });
        let mut matches: Vec<regex::Match> = c.regex.find_iter(text).collect();
        for m in short_matches {
            if !matches
                .iter()
                .any(|n| n.start() < m.end() && m.start() < n.end())
            {
                matches.push(m);
            }
        }
        matches.sort_by_key(|m| m.start());
        for m in matches {
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
            // 「法第20条」 is replaced by 「法第23条」, keeping the document's abbreviation
            let replacement = c.entry.replacement.as_ref().map(|r| {
                match (
                    text[m.range()].starts_with('法'),
                    r.strip_prefix("個人情報保護法"),
                ) {
                    (true, Some(rest)) => format!("法{rest}"),
                    _ => r.clone(),
                }
            });
            if let Some(replacement) = &replacement {
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
            out.push((c.entry.id.as_str(), d));
            reported = true;
        }
    }
    out
}
