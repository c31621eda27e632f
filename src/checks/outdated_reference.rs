//! `outdated-reference`: references that were right once and are not any more
//! (pre-2022 APPI article numbers with the topic that fixes their meaning,
//! 日本工業規格, superseded JIS Q 15001 editions, 通知カード, …). The table is
//! `dictionaries/outdated.toml`; each entry cites its source.

use crate::resettable::Resettable;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Edit, Fix, Related, Text};
use crate::document::Document;
use crate::rescan::{self, Hit};

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
                regex: Regex::new(&rescan::within_lines(&entry.pattern))
                    .unwrap_or_else(|e| panic!("outdated.toml {}: {e}", entry.id)),
                abbreviated: entry
                    .pattern
                    .strip_prefix(APPI_NAME)
                    .map(|rest| Regex::new(&rescan::within_lines(&format!("法{rest}"))))
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
        LazyLock::new(|| RegexSet::new(table().iter().map(|c| c.regex.as_str())).ok());
    SET.as_ref().map(|set| set.matches(text))
}

/// The references of the table that start in `lines` (whole lines of `text`): each
/// entry's matches, and where the document abbreviates the APPI as 「法」 the matches of the
/// abbreviated patterns (「法第20条」, where 法 is a word of its own: 番号法第20条 is another
/// law), sorted by start. Every pattern is `rescan::line_local` (a test asserts it).
fn references_in(text: &str, lines: Range<usize>, abbreviated: bool) -> Vec<Hit<(u32, bool)>> {
    let part = &text[lines.clone()];
    let occurring = occurring(part);
    let at = |r: Range<usize>| lines.start + r.start..lines.start + r.end;
    let mut hits = Vec::new();
    for (i, c) in table().iter().enumerate() {
        if occurring.as_ref().is_none_or(|o| o.matched(i)) {
            hits.extend(c.regex.find_iter(part).map(|m| Hit {
                value: (i as u32, false),
                range: at(m.range()),
            }));
        }
        let Some(re) = c.abbreviated.as_ref().filter(|_| abbreviated) else {
            continue;
        };
        hits.extend(
            re.find_iter(part)
                .filter(|m| {
                    !text[..lines.start + m.start()]
                        .chars()
                        .next_back()
                        .is_some_and(crate::normalize::is_word_char)
                })
                .map(|m| Hit {
                    value: (i as u32, true),
                    range: at(m.range()),
                }),
        );
    }
    hits.sort_by_key(|h| (h.range.start, h.value));
    hits
}

/// Characters of context looked at after the match's sentence, on its line, when the sentence
/// does not settle it.
const CONTEXT_AFTER: usize = 40;

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    check_by_entry(doc).into_iter().map(|(_, d)| d).collect()
}

/// The findings of `check`, each with the id of the entry that gave it (for the tests that
/// run every entry's examples).
pub fn check_by_entry(doc: &Document) -> Vec<(&'static str, Diagnostic)> {
    let text = &doc.normalized.text;
    let mut out = Vec::new();
    let abbreviated = abbreviates_appi(text);
    let hits = rescan::scan_with(doc.memo(|m| &m.outdated), text, &abbreviated, |lines| {
        references_in(text, lines, abbreviated)
    });
    // each entry's own matches, then those by the abbreviation that overlap none of them
    let mut by_entry: Vec<Vec<Range<usize>>> = vec![Vec::new(); table().len()];
    for hit in hits.iter().filter(|h| !h.value.1) {
        by_entry[hit.value.0 as usize].push(hit.range.clone());
    }
    for hit in hits.iter().filter(|h| h.value.1) {
        let matches = &mut by_entry[hit.value.0 as usize];
        if !matches
            .iter()
            .any(|n| n.start < hit.range.end && hit.range.start < n.end)
        {
            matches.push(hit.range.clone());
        }
    }
    for (c, mut matches) in table().iter().zip(by_entry) {
        let mut reported = false;
        matches.sort_by_key(|m| m.start);
        for m in matches {
            // terminology without a mechanical fix is reported once per document
            if reported && c.entry.replacement.is_none() {
                break;
            }
            if !c.entry.context.is_empty() {
                let sentence_start = text[..m.start].rfind(['。', '\n']).map_or(0, |i| {
                    i + text[i..].chars().next().map_or(1, char::len_utf8)
                });
                let sentence_end = text[m.end..]
                    .find(['。', '\n'])
                    .map_or(text.len(), |i| m.end + i);
                // the rest of the line only: the next line may be another section's heading
                // (「…第28条に基づき…行われます。」 over 「8. 開示・訂正・削除の請求」)
                let rest = &text[sentence_end..];
                let line_rest = rest[..rest.find('\n').unwrap_or(rest.len())].chars();
                let after: String = line_rest.take(CONTEXT_AFTER).collect();
                let window = format!("{}{}", &text[sentence_start..sentence_end], after);
                if !c.entry.context.iter().any(|w| window.contains(w.as_str())) {
                    continue;
                }
            }
            let range = doc.original(m.clone());
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
                    text[m.clone()].starts_with('法'),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `references_in` scans only the lines an edit changed: no pattern may find a match
    /// that holds a line break or depends on where the text starts.
    #[test]
    fn every_pattern_is_line_local() {
        for c in table() {
            assert!(
                crate::rescan::line_local(c.regex.as_str()),
                "outdated.toml {}: {}",
                c.entry.id,
                c.regex.as_str()
            );
            if let Some(re) = &c.abbreviated {
                assert!(crate::rescan::line_local(re.as_str()), "{}", re.as_str());
            }
        }
    }
}
