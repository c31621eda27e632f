//! `phrase-typo`: fixed legal phrases with a wrong word of the same reading
//! (漏えい、滅失又は既存 → 毀損) or a stray character. Two sources: the
//! explicit patterns of `dictionaries/phrases.toml`, and a reading-based scan
//! that looks, near a word of a fixed phrase, for a word that reads like
//! another word of the phrase but is written differently (through lindera's
//! readings).

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Edit, Fix, Text};
use crate::document::Document;
use crate::morphology::{self, Token};
use crate::rescan::{self, Hit};

/// What `phrase-typo` finds and how to fix it (`kiyaku explain phrase-typo`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::PhraseTypo,
    title: Bilingual {
        ja: "定型句の誤記",
        en: "Phrase typo",
    },
    what: Bilingual {
        ja: "法令の定型句に、同じ読みの別の語や紛れ込んだ文字があります（形態素解析の読みで検出）。",
        en: "A fixed legal phrase contains a same-reading wrong word or a stray character (found through readings).",
    },
    details: Bilingual {
        ja: "「滅失又は既存」（毀損と同じ読み）、減失、尊守、順ずる、費用を有する、法の規程、必要かつ適正な監督、紛れ込んだ数字など、`dictionaries/phrases.toml` の定型句。",
        en: "滅失又は既存 (same reading as 毀損), 減失, 尊守, 順ずる, 費用を有する, 法の規程, 必要かつ適正な監督, stray digits, and the other phrases of `dictionaries/phrases.toml`.",
    },
    why: Bilingual {
        ja: "同じ読みの別の語は変換の誤りで生じやすく、スペルチェックでは見つかりませんが、法令の定型句の意味を変えてしまいます（「既存」では「毀損」への安全管理措置になりません）。",
        en: "A same-reading wrong word is an input-method slip that spell checkers miss, yet it changes the meaning of a statutory phrase (既存, existing, is not 毀損, damage).",
    },
    example: Bilingual {
        ja: "例: 「漏えい、滅失及び既存」→「漏えい、滅失及び毀損」",
        en: "Example: 既存 (existing) for 毀損 (damage), both read キソン.",
    },
    fix: Bilingual {
        ja: "法令の定型句どおりに直してください（クイックフィックスで置き換えられます）。",
        en: "Restore the statutory phrase (the quick fix makes the replacement).",
    },
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhraseFile {
    phrase: Vec<Phrase>,
}

/// A fixed phrase of `dictionaries/phrases.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    pub id: String,
    pub phrase: String,
    #[serde(default)]
    pub typo: Vec<Typo>,
    /// Sentences with a typo of the phrase that must give its finding (a test runs them).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Sentences that must give no `phrase-typo` finding at all (the phrase written right).
    #[serde(default)]
    pub not: Vec<String>,
}

/// An explicit typo pattern of a phrase.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typo {
    pub pattern: String,
    #[serde(default)]
    pub right: Option<String>,
    #[serde(default)]
    pub replacement: Option<String>,
    pub message: String,
    #[serde(default)]
    pub message_en: Option<String>,
    /// Sentences this pattern must find, its fix putting `right` in place.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Near misses that must give no `phrase-typo` finding at all.
    #[serde(default)]
    pub not: Vec<String>,
}

pub(crate) struct CompiledPhrase {
    phrase: Phrase,
    typos: Vec<Regex>,
    /// Content tokens of the phrase (nouns and verbs), for the reading scan.
    words: Vec<Token>,
}

/// The table, compiled once (a defect in it is a build defect: `tables` tests it).
pub(crate) fn table() -> &'static [CompiledPhrase] {
    static TABLE: LazyLock<Vec<CompiledPhrase>> = LazyLock::new(|| {
        let file: PhraseFile = crate::tables::load(
            "phrases.toml",
            include_str!("../../dictionaries/phrases.toml"),
        );
        file.phrase
            .into_iter()
            .map(|phrase| CompiledPhrase {
                typos: phrase
                    .typo
                    .iter()
                    .map(|t| {
                        Regex::new(&rescan::within_lines(&t.pattern))
                            .unwrap_or_else(|e| panic!("phrases.toml {}: {e}", phrase.id))
                    })
                    .collect(),
                words: morphology::tokenize(&crate::normalize::normalize(&phrase.phrase).text)
                    .into_iter()
                    .filter(|t| t.pos == "名詞" || t.pos == "動詞" || t.pos == "カスタム名詞")
                    .filter(|t| t.surface.chars().count() >= 2 && !t.reading.is_empty())
                    .collect(),
                phrase,
            })
            .collect()
    });
    &TABLE
}

/// The phrases of the table, as written in `dictionaries/phrases.toml`.
pub fn phrases() -> impl Iterator<Item = &'static Phrase> {
    table().iter().map(|p| &p.phrase)
}

/// What a document is first scanned for, once for every phrase: which typo patterns occur
/// at all (one automaton for all of them), and the surfaces of the phrases' words.
struct Prefilter {
    typos: Option<RegexSet>,
    /// For the surface of each phrase word: the phrases that have it, with the place of its
    /// first occurrence among their words (a token is an anchor of those phrases alone).
    words: rustc_hash::FxHashMap<&'static str, Vec<(usize, usize)>>,
    /// For the reading of each phrase word: the phrases and the places among their words
    /// of the words read so, in order.
    readings: rustc_hash::FxHashMap<&'static str, Vec<(usize, usize)>>,
}

fn prefilter() -> &'static Prefilter {
    static P: LazyLock<Prefilter> = LazyLock::new(|| Prefilter {
        typos: RegexSet::new(
            table()
                .iter()
                .flat_map(|p| p.typos.iter().map(Regex::as_str)),
        )
        .ok(),
        words: {
            let mut words: rustc_hash::FxHashMap<&'static str, Vec<(usize, usize)>> =
                rustc_hash::FxHashMap::default();
            for (i, p) in table().iter().enumerate() {
                for (a, w) in p.words.iter().enumerate() {
                    let phrases = words.entry(w.surface.as_str()).or_default();
                    if !phrases.iter().any(|&(j, _)| j == i) {
                        phrases.push((i, a));
                    }
                }
            }
            words
        },
        readings: {
            let mut readings: rustc_hash::FxHashMap<&'static str, Vec<(usize, usize)>> =
                rustc_hash::FxHashMap::default();
            for (i, p) in table().iter().enumerate() {
                for (k, w) in p.words.iter().enumerate() {
                    readings.entry(w.reading).or_default().push((i, k));
                }
            }
            readings
        },
    });
    &P
}

/// How many typo patterns the table has (each phrase's, in turn).
fn typo_count() -> usize {
    table().iter().map(|p| p.typos.len()).sum()
}

/// The typos that start in `lines` (whole lines of `text`): the number of the pattern
/// (each phrase's patterns in turn) and the part that is wrong, sorted by start. Every
/// pattern is `rescan::line_local` (a test asserts it).
fn typos_in(text: &str, lines: Range<usize>) -> Vec<Hit<u32>> {
    let part = &text[lines.clone()];
    let occurring = prefilter().typos.as_ref().map(|set| set.matches(part));
    let mut hits = Vec::new();
    for (pattern, regex) in table().iter().flat_map(|p| &p.typos).enumerate() {
        if occurring.as_ref().is_some_and(|o| !o.matched(pattern)) {
            continue;
        }
        for c in regex.captures_iter(part) {
            let m = c.name("wrong").or_else(|| c.get(0)).expect("match");
            hits.push(Hit {
                value: pattern as u32,
                range: lines.start + m.start()..lines.start + m.end(),
            });
        }
    }
    hits.sort_by_key(|h| (h.range.start, h.value));
    hits
}

/// How many tokens either side of an anchor word are searched.
const WINDOW: usize = 4;

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    check_by_phrase(doc).into_iter().map(|(_, d)| d).collect()
}

/// The findings of `check`, each with the id of the phrase that gave it (for the tests that
/// run every phrase's examples).
pub fn check_by_phrase(doc: &Document) -> Vec<(&'static str, Diagnostic)> {
    let text = &doc.normalized.text;
    let filter = prefilter();
    let hits = rescan::scan_with(doc.memo(|m| &m.typos), text, &(), |lines| {
        typos_in(text, lines)
    });
    // each typo pattern's matches (the part that is wrong), in order
    let mut by_pattern: Vec<Vec<Range<usize>>> = vec![Vec::new(); typo_count()];
    for hit in hits.iter() {
        by_pattern[hit.value as usize].push(hit.range.clone());
    }
    // tokens that are a word of some phrase, the only possible anchors, by phrase; a
    // token lies within one line, so only the lines an edit changed are looked at again
    let words = rescan::scan_with(doc.memo(|m| &m.phrase_words), text, &(), |lines| {
        let mut words = Vec::new();
        for t in doc.tokens_in(lines) {
            for &(p, a) in filter.words.get(t.surface.as_str()).into_iter().flatten() {
                words.push(Hit {
                    value: (p as u32, a as u32),
                    range: t.span.clone(),
                });
            }
        }
        words
    });
    // nouns read as some phrase's word but written otherwise: the only possible typos of
    // the reading scan, few, and line-local like the words
    let same_readings = rescan::scan_with(doc.memo(|m| &m.same_readings), text, &(), |lines| {
        let mut found = Vec::new();
        for t in doc.tokens_in(lines) {
            if t.pos != "名詞" {
                continue;
            }
            for &(p, k) in filter.readings.get(t.reading).into_iter().flatten() {
                let w = &table()[p].words[k];
                if t.surface != w.surface && t.base() != w.base() {
                    found.push(Hit {
                        value: (p as u32, k as u32),
                        range: t.span.clone(),
                    });
                }
            }
        }
        found
    });
    // each finding with the place it would have among the findings of a scan phrase by
    // phrase (its phrase, its typo patterns before its reading scan): the first of those
    // with a range is the one kept
    let mut found: Vec<((usize, usize, usize), &'static str, Diagnostic)> = Vec::new();
    let mut pattern = 0;
    for (i, p) in table().iter().enumerate() {
        for typo in &p.phrase.typo {
            pattern += 1;
            for wrong in &by_pattern[pattern - 1] {
                let right = typo
                    .right
                    .clone()
                    .or_else(|| typo.replacement.clone())
                    .unwrap_or_default();
                found.push((
                    (i, 0, pattern),
                    p.phrase.id.as_str(),
                    typo_diag(
                        doc,
                        wrong.clone(),
                        &right,
                        Text::new(
                            typo.message.clone(),
                            typo.message_en.clone().unwrap_or_else(|| {
                                format!("Typo in the fixed phrase “{}”.", p.phrase.phrase)
                            }),
                        ),
                    ),
                ));
            }
        }
    }
    // reading scan: a candidate is a typo when a word of its phrase (other than the one it
    // is read as) is an anchor within `WINDOW` tokens of it
    for group in same_readings.chunk_by(|a, b| a.range == b.range && a.value.0 == b.value.0) {
        let p = group[0].value.0 as usize;
        let i = doc.token_at(group[0].range.start);
        let from = doc.tokens[i.saturating_sub(WINDOW)].span.start;
        let to = doc.tokens[(i + WINDOW).min(doc.tokens.len() - 1)]
            .span
            .start;
        let near = words.partition_point(|w| w.range.start < from);
        let chosen = words[near..]
            .iter()
            .take_while(|w| w.range.start <= to)
            .filter(|w| w.value.0 as usize == p)
            .find_map(|anchor| {
                group
                    .iter()
                    .map(|c| c.value.1 as usize)
                    .find(|&k| k != anchor.value.1 as usize)
            });
        let Some(k) = chosen else {
            continue;
        };
        let (phrase, w) = (&table()[p], &table()[p].words[k]);
        let t = &doc.tokens[i];
        found.push((
            (p, 1, 0),
            phrase.phrase.id.as_str(),
            typo_diag(
                doc,
                t.span.clone(),
                &w.surface,
                Text::new(
                    format!(
                        "「{}」は定型句「{}」の「{}」の誤りと思われます（同じ読み「{}」）。",
                        t.surface, phrase.phrase.phrase, w.surface, w.reading
                    ),
                    format!(
                        "“{}” looks like a same-reading typo for “{}” in the fixed phrase “{}”.",
                        t.surface, w.surface, phrase.phrase.phrase
                    ),
                ),
            ),
        ));
    }
    found.sort_by_key(|(order, _, d)| (d.range.start, d.range.end, *order));
    let mut out: Vec<(&'static str, Diagnostic)> =
        found.into_iter().map(|(_, id, d)| (id, d)).collect();
    out.sort_by_key(|(_, d)| (d.range.start, d.range.end));
    out.dedup_by(|(_, a), (_, b)| a.range == b.range);
    out
}

fn typo_diag(
    doc: &Document,
    normalized: std::ops::Range<usize>,
    right: &str,
    message: Text,
) -> Diagnostic {
    let range = doc.original(normalized);
    let mut d = Diagnostic::new(Code::PhraseTypo, Severity::Warning, message, range.clone());
    let title = if right.is_empty() {
        Text::new("余分な文字を削除", "Delete the stray characters")
    } else {
        Text::new(
            format!("「{right}」に修正"),
            format!("Replace with “{right}”"),
        )
    };
    d.fix = Some(Fix {
        title,
        edits: vec![Edit {
            range,
            text: right.to_string(),
        }],
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `typos_in` scans only the lines an edit changed: no pattern may find a match that
    /// holds a line break or depends on where the text starts.
    #[test]
    fn every_pattern_is_line_local() {
        for p in table() {
            assert_eq!(p.typos.len(), p.phrase.typo.len());
            for re in &p.typos {
                assert!(
                    crate::rescan::line_local(re.as_str()),
                    "phrases.toml {}: {}",
                    p.phrase.id,
                    re.as_str()
                );
            }
        }
    }

    /// The reading scan finds a same-reading word only within `WINDOW` tokens of another
    /// word of its phrase, on either side, and keeps one finding per range.
    #[test]
    fn a_same_reading_word_is_a_typo_only_near_its_phrase() {
        let found = |text: &str| -> Vec<String> {
            check_by_phrase(&Document::new(text.to_string()))
                .into_iter()
                .map(|(id, d)| format!("{id} {}", &text[d.range]))
                .collect()
        };
        assert_eq!(
            found("漏えい、滅失又は既存を防止する。"),
            ["leak-loss-damage 既存"]
        );
        assert_eq!(found("既存又は滅失を防止する。"), ["leak-loss-damage 既存"]);
        assert!(
            found("既存のシステムを更新し、その後に何度も確認したうえで滅失を防ぐ。").is_empty()
        );
        assert!(found("既存のシステムを更新する。").is_empty());
        assert!(found("漏えい、滅失又は毀損を防止する。").is_empty());
    }
}
