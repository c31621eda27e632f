//! `defined-term`: terms defined with 以下「X」という / 「X」とは…をいう, then a
//! variant used for the same referent (当社 defined, 弊社 used), a term used
//! before its definition, defined twice, or never used.

use crate::resettable::Resettable;
use std::ops::Range;
use std::sync::Arc;

use regex::Regex;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Edit, Fix, Text};
use crate::document::Document;
use crate::rescan::{self, Hit};
use crate::structure::UnitKind;

/// The self-names, statutory terms and part headings of `dictionaries/vocabulary.toml`.
fn words() -> &'static crate::vocabulary::DefinedTermWords {
    &crate::vocabulary::vocabulary().defined_term
}

/// What `defined-term` finds and how to fix it (`kiyaku explain defined-term`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::DefinedTerm,
    title: Bilingual {
        ja: "定義語の不統一",
        en: "Defined term",
    },
    what: Bilingual {
        ja: "定義した用語（以下「当社」という）が別の語（弊社、当事務所）に置き換わっている、定義前に使われている、二重に定義されている、定義が使われていない、のいずれかです。",
        en: "A defined term is replaced by a variant, used before its definition, defined twice, or never used.",
    },
    details: Bilingual {
        ja: "「当社」と定義した文書での「弊社」、定義より前での使用、異なる内容での二重の定義、使われない定義。条の見出し、「第5条に定める」のような指示、法令上の用語、別紙ごとの定義は対象外です。",
        en: "弊社 where 当社 is defined, a term used before its definition, defined twice to different effect, or never used. An article's own heading, a pointer such as 第5条に定める, statutory terms and each annex's own definitions are not findings.",
    },
    why: Bilingual {
        ja: "定義した用語と別の語が混在すると、別の主体や対象を指しているとも読めてしまい、義務の及ぶ範囲があいまいになります。",
        en: "A variant beside the defined term can be read as naming another party or thing, which blurs whom or what an obligation covers.",
    },
    example: Bilingual {
        ja: "例: 「当社」と定義した文書で「弊社」→「当社」に統一。",
        en: "Example: 弊社 where 当社 is defined → 当社.",
    },
    fix: Bilingual {
        ja: "定義した用語に統一してください（クイックフィックスで置き換えられます）。定義は最初の使用より前に置き、二重の定義は一つにまとめ、使われない定義は削除してください。",
        en: "Use the defined term throughout (the quick fix replaces the variant); define a term before its first use, merge a double definition into one, and remove a definition never used.",
    },
};

#[derive(Debug, Clone)]
pub struct Definition {
    pub term: String,
    /// Normalised range of the term inside the definition.
    pub at: Range<usize>,
    /// Normalised range of the whole defining phrase (以下「X」という / 「X」とは、).
    clause: Range<usize>,
    /// 以下「X」という: a name given in passing, as opposed to 「X」とは、… (a definition clause).
    named: bool,
}

/// Generic nouns a gloss adds to the word it explains (「Cookie情報」とは…, 「プライバシーマーク
/// 制度」とは…).
const GLOSSED_HEADS: [&str; 6] = ["情報", "制度", "技術", "機能", "ファイル", "システム"];

/// Whether a definition clause 「X」とは、… explains a word the text uses in another form:
/// 「Cookie情報」とは… above a text that speaks of 「Cookie」, 「プライバシーマーク制度」とは… above
/// 「プライバシーマーク」. Such a gloss tells the reader what the word means; nothing in the text
/// was meant to use the longer term. A name given in passing (以下「X」という) is not a gloss.
fn glosses_a_word_in_use(d: &Definition, text: &str) -> bool {
    if d.named {
        return false;
    }
    GLOSSED_HEADS.iter().any(|head| {
        d.term.strip_suffix(head).is_some_and(|word| {
            word.chars().count() >= 2
                && text
                    .match_indices(word)
                    .any(|(at, _)| at < d.clause.start || at >= d.clause.end)
        })
    })
}

impl Definition {
    /// What the term stands for, as far as comparing two definitions needs: the words
    /// just before 「（以下「X」という）」, or just after 「「X」とは、」.
    fn referent(&self, text: &str) -> String {
        const CHARS: usize = 16;
        let word = |c: &char| crate::normalize::is_word_char(*c);
        if text[self.clause.clone()].starts_with("以下") {
            let before = text[..self.clause.start].trim_end_matches(['(', '（', ' ', '、', ',']);
            let mut taken: Vec<char> = before
                .chars()
                .rev()
                .take_while(|c| !matches!(c, '。' | '\n'))
                .filter(word)
                .take(CHARS)
                .collect();
            taken.reverse();
            taken.into_iter().collect()
        } else {
            text[self.clause.end..]
                .chars()
                .take_while(|c| !matches!(c, '。' | '\n'))
                .filter(word)
                .take(CHARS)
                .collect()
        }
    }
}

fn definition_pattern() -> Arc<Regex> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        // (a self-name is also defined without its brackets: 「（以下、弊社といいます）」「（以下 当社）」)
        Regex::new(r"以下(?:、|,)?(?:単に)?「([^」「]{1,24})」(?:と|って)?(?:いう|いい|いいます|称する|総称する|略称する)|「([^」「]{1,24})」とは、|以下(?:、|,)?[ 　]?((?:当|弊)(?:社|会|法人|院|事務所|店|園|校|局|事務局|委員会|協会|組合|センター|クリニック))(?:と(?:いう|いい|称する)|\))").expect("static")
    });
    RE.get()
}

/// Every definition in the document, in order.
pub fn definitions(doc: &Document) -> Vec<Definition> {
    definition_pattern()
        .captures_iter(&doc.normalized.text)
        .filter_map(|c| {
            let m = c.get(1).or_else(|| c.get(3)).or_else(|| c.get(2))?;
            Some(Definition {
                term: m.as_str().to_string(),
                at: m.range(),
                clause: c.get(0)?.range(),
                named: c.get(2).is_none(),
            })
        })
        .collect()
}

/// Where each defined term occurs in the document, as `str::match_indices` finds it
/// (non-overlapping, leftmost first), for all terms in one scan; in the language server
/// only the lines an edit changed are scanned again (a term holds no line break: one that
/// does is looked for in the whole text).
fn occurrences<'a>(
    doc: &Document,
    defs: &'a [Definition],
) -> rustc_hash::FxHashMap<&'a str, Vec<usize>> {
    let text = doc.normalized.text.as_str();
    let mut terms: Vec<&str> = defs.iter().map(|d| d.term.as_str()).collect();
    terms.sort_unstable();
    terms.dedup();
    let key: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
    let memo = doc
        .memo(|m| &m.defined_terms)
        .filter(|_| !terms.iter().any(|t| t.contains('\n')));
    let hits = rescan::scan_with(memo, text, &key, |lines| scan(text, lines, &terms));
    let mut found: rustc_hash::FxHashMap<&str, Vec<usize>> = rustc_hash::FxHashMap::default();
    for hit in hits.iter() {
        found
            .entry(terms[hit.value as usize])
            .or_default()
            .push(hit.range.start);
    }
    found
}

/// The occurrences of `terms` that start in `lines` (the term's number and its range),
/// sorted by start.
fn scan(text: &str, lines: Range<usize>, terms: &[&str]) -> Vec<Hit<u32>> {
    let mut hits = Vec::new();
    let hit = |i: usize, at: usize| Hit {
        value: i as u32,
        range: at..at + terms[i].len(),
    };
    // built for each scan: an NFA, which is quick to build for a few dozen terms
    let Ok(automaton) = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
        .build(terms)
    else {
        // unreachable for terms of at most 24 characters; search them one by one
        for (i, term) in terms.iter().enumerate() {
            let from = lines.start;
            hits.extend(
                text[lines.clone()]
                    .match_indices(term)
                    .map(|(p, _)| hit(i, from + p)),
            );
        }
        hits.sort_by_key(|h| (h.range.start, h.value));
        return hits;
    };
    // one term's matches come by position; a match that overlaps the term's previous one
    // is not one match_indices would give
    let mut last_end = vec![0usize; terms.len()];
    for m in automaton.find_overlapping_iter(aho_corasick::Input::new(text).span(lines)) {
        let i = m.pattern().as_usize();
        if m.start() >= last_end[i] {
            last_end[i] = m.end();
            hits.push(hit(i, m.start()));
        }
    }
    hits.sort_by_key(|h| (h.range.start, h.value));
    hits
}

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let text = &doc.normalized.text;
    let defs = definitions(doc);
    let occurrences = occurrences(doc, &defs);
    // the parts the text's lines head, and those the structure found (a second instrument's
    // title over articles numbered from 第1条 again, which defines its own terms)
    let mut parts = part_starts(text);
    parts.extend(
        doc.structure
            .units
            .iter()
            .filter(|u| u.kind == crate::structure::UnitKind::Annex)
            .map(|u| doc.normalized_range(u.span.clone()).start),
    );
    parts.sort_unstable();
    parts.dedup();
    let part_of = |p: usize| parts.partition_point(|&s| s <= p);
    let mut out = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        if let Some(first) = defs[..i].iter().find(|e| e.term == d.term) {
            // the same referent defined again (a policy repeated on one page, each annex
            // naming the contract it belongs to), or an annex's own definition
            // the parties named in a preamble (以下「データ輸出者」という) and then defined by
            // the definitions clause (「データ輸出者」とは、…) are one term
            let named_then_defined = first.named != d.named;
            if first.referent(text) == d.referent(text)
                || part_of(first.at.start) != part_of(d.at.start)
                || named_then_defined
            {
                continue;
            }
            let line = doc
                .source
                .position(doc.original(first.at.clone()).start)
                .line;
            out.push(diag(
                doc,
                d.at.clone(),
                Severity::Warning,
                Text::new(
                    format!(
                        "「{}」が二重に定義されています（最初の定義は{line}行目）。",
                        d.term
                    ),
                    format!("“{}” is defined twice (first on line {line}).", d.term),
                ),
                None,
            ));
            continue;
        }
        let uses: Vec<usize> = occurrences
            .get(d.term.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&p| p != d.at.start)
            .collect();
        // 「GitHub 関連会社」 used as 「GitHub の関連会社」
        let spaced_variant_used = d.term.contains(' ') && {
            let parts: Vec<String> = d.term.split(' ').map(regex::escape).collect();
            Regex::new(&parts.join(r"\s*の?\s*")).is_ok_and(|re| re.find_iter(text).count() > 1)
        };
        if uses.is_empty() && !spaced_variant_used && !glosses_a_word_in_use(d, text) {
            out.push(diag(
                doc,
                d.at.clone(),
                Severity::Info,
                Text::new(
                    format!("定義した「{}」が一度も使われていません。", d.term),
                    format!("“{}” is defined but never used.", d.term),
                ),
                None,
            ));
        }
        // Use before definition: only for terms that are not plain words of the text
        // (a term that also occurs as part of longer words before is not reported).
        let statutory = crate::morphology::user_terms().any(|t| t == d.term)
            || words().statutory.contains(&d.term);
        let standalone = |p: usize| {
            // not inside a longer word (基本規程 is not a use of 本規程) nor in a caption line
            let before = text[..p].chars().next_back();
            let continues = before.is_some_and(crate::normalize::is_word_char);
            let line_start = text[..p].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[p..].find('\n').map_or(text.len(), |i| p + i);
            let line = text[line_start..line_end].trim();
            let original = doc.original(p..p + 1).start;
            let caption_line = line.starts_with('(') && line.ends_with(')');
            let after = &text[p + d.term.len()..];
            // 「実施機関（…）」 quoted from another text, 第14条（要件定義作成支援業務の実施）
            // citing an article by its caption; 契約不適合責任, a longer compound
            let before_on_line = &text[line_start..p];
            let quoted = before_on_line.rfind('「').map(|i| i as isize).unwrap_or(-1)
                > before_on_line.rfind('」').map(|i| i as isize).unwrap_or(-1);
            let cites_caption = before_on_line
                .rfind('(')
                .filter(|&i| !before_on_line[i..].contains(')'))
                .is_some_and(|i| before_on_line[..i].trim_end().ends_with('条'));
            let other_part = part_of(p) != part_of(d.at.start);
            // 「…その他の一切の関係者\n（以下「関係者」といいます）」: the words the definition
            // names, its sentence run over a line break, are no use before it
            let named_here = d.named
                && p + d.term.len() <= d.clause.start
                && text[p + d.term.len()..d.clause.start]
                    .trim_matches(|c: char| {
                        c.is_whitespace() || matches!(c, '(' | '（' | '、' | ',')
                    })
                    .is_empty();
            let compound = after.chars().next().is_some_and(crate::normalize::is_kanji);
            // 第5項に定義する訂正等, 第14条（要件定義作成支援業務の実施）の要件定義作成支援業務:
            // a pointer to the definition
            let pointed = article_pointer().is_match(&text[line_start..p])
                || text[line_start..p]
                    .chars()
                    .rev()
                    .take(12)
                    .collect::<String>()
                    .chars()
                    .rev()
                    .collect::<String>()
                    .contains("定義する");
            if continues
                || caption_line
                || quoted
                || cites_caption
                || other_part
                || named_here
                || compound
                || pointed
            {
                return false;
            }
            // what needs the structure is asked last, and only as far as needed: a term used
            // thousands of times before its definition is looked up among thousands of units
            let in_heading = || {
                doc.structure.units.iter().any(|u| {
                    matches!(
                        u.kind,
                        UnitKind::Chapter
                            | UnitKind::Section
                            | UnitKind::Subsection
                            | UnitKind::Heading
                    ) && u.header.contains(&original)
                })
            };
            // the caption of the article that defines it: 第17条（反社会的勢力の排除）
            let names_own_article = || {
                doc.structure.units.iter().any(|u| {
                    u.kind == UnitKind::Article
                        && (u.header.contains(&original)
                            || u.caption_range
                                .as_ref()
                                .is_some_and(|r| r.contains(&original)))
                        && original < u.body_start
                        && u.span.contains(&doc.original(d.at.clone()).start)
                })
            };
            // a short heading line over the definition: the line that starts the unit holding
            // it (a notice's 「（7）センシティブ情報のお取扱い」 over 「…（以下、「センシティブ情報」
            // といいます。）」), or a line at most two lines above the article holding it
            // (or the line just above the definition's, on a page whose headings the structure
            // does not read: 「開示対象個人情報の請求手続きについて」 over the sentence defining it)
            let heading_over_definition = || {
                let defined_at = doc.original(d.at.clone()).start;
                let use_line = doc.source.line_of(original);
                let below = doc.original(line_end..line_end).start;
                !line.contains('。')
                    && line.chars().count() <= 30
                    && (doc.source.line_of(defined_at) == use_line + 1
                        || doc.structure.units.iter().any(|u| {
                            u.span.contains(&defined_at)
                                && (doc.source.line_of(u.span.start) == use_line
                                    || u.kind == UnitKind::Article
                                        && u.span.start >= below
                                        && doc.source.line_of(u.span.start)
                                            <= doc.source.line_of(below) + 2)
                        }))
            };
            !(in_heading() || heading_over_definition() || names_own_article())
        };
        if let Some(&early) = (!statutory)
            .then(|| uses.iter().find(|&&p| p < d.at.start && standalone(p)))
            .flatten()
        {
            let line_start = text[..d.at.start].rfind('\n').map_or(0, |i| i + 1);
            let in_title = doc
                .structure
                .title_lines
                .iter()
                .any(|r| r.contains(&doc.original(early..early + 1).start));
            // a note under the list that uses the term explains it there (「・…公的証明書の
            // コピー」 … 「※「公的証明書」とは、運転免許証、…」): the note's place, not a slip
            let note = text[line_start..].trim_start();
            let in_a_note_below = (note.starts_with('※')
                || note.starts_with("(注")
                || note.starts_with("注)")
                || note.starts_with("注:"))
                && text[early..line_start].matches('\n').count() <= NOTE_REACH_LINES;
            if early < line_start && !in_title && !in_a_note_below && d.term.chars().count() >= 3 {
                let line = doc.source.position(doc.original(d.at.clone()).start).line;
                out.push(diag(
                    doc,
                    early..early + d.term.len(),
                    Severity::Info,
                    Text::new(
                        format!("「{}」が定義（{line}行目）より前で使われています。", d.term),
                        format!("“{}” is used before its definition on line {line}.", d.term),
                    ),
                    None,
                ));
            }
        }
    }
    // Self-name drift: 当社 defined, 弊社 / 当事務所 used.
    if let Some(defined) = defs.iter().find(|d| words().self_names.contains(&d.term)) {
        let line = doc
            .source
            .position(doc.original(defined.at.clone()).start)
            .line;
        let inside_definitions = |p: usize| defs.iter().any(|d| d.at.contains(&p));
        let names: Vec<&str> = words().self_names.iter().map(String::as_str).collect();
        // a self-name holds no line break: only the lines an edit changed are scanned again
        let memo = doc
            .memo(|m| &m.self_names)
            .filter(|_| !names.iter().any(|n| n.contains('\n')));
        let hits = rescan::scan_with(memo, text, &(), |lines| scan(text, lines, &names));
        let mut by_name: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for hit in hits.iter() {
            by_name[hit.value as usize].push(hit.range.start);
        }
        for (variant, found) in words().self_names.iter().zip(&by_name) {
            if *variant == defined.term || defs.iter().any(|d| d.term == *variant) {
                continue;
            }
            for &p in found {
                let inside_word = text[..p]
                    .chars()
                    .next_back()
                    .is_some_and(crate::normalize::is_word_char);
                if inside_definitions(p) || inside_word {
                    continue;
                }
                let fix = Fix {
                    title: Text::new(
                        format!("「{}」に統一", defined.term),
                        format!("Use “{}”", defined.term),
                    ),
                    edits: vec![Edit {
                        range: doc.original(p..p + variant.len()),
                        text: defined.term.clone(),
                    }],
                };
                out.push(diag(
                    doc,
                    p..p + variant.len(),
                    Severity::Warning,
                    Text::new(
                        format!(
                            "「{variant}」は定義された「{}」（{line}行目）と異なります。",
                            defined.term
                        ),
                        format!(
                            "“{variant}” differs from the defined term “{}” (line {line}).",
                            defined.term
                        ),
                    ),
                    Some(fix),
                ));
            }
        }
    }
    out
}

/// Lines above a note (※) that its definition explains: a list and its entries.
const NOTE_REACH_LINES: usize = 30;

/// Where the parts after the main text start: lines that head an annex (別紙1, 付録 2 –
/// 標準契約条項, Annex I), short and starting with one of the part headings of
/// `dictionaries/vocabulary.toml`.
fn part_starts(text: &str) -> Vec<usize> {
    const MAX_HEADING_CHARS: usize = 40;
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.chars().count() <= MAX_HEADING_CHARS
            && words().part_headings.iter().any(|h| {
                trimmed.strip_prefix(h).is_some_and(|rest| {
                    rest.is_empty()
                        || rest.starts_with(|c: char| {
                            c.is_whitespace()
                                || c.is_ascii_alphanumeric()
                                || "（(第ⅠⅡⅢⅣⅤ一二三四五六七八九十".contains(c)
                        })
                })
            })
        {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

/// 「第14条（…）の」 or 「第14条に定める」 just before a term: it names the article defining it;
/// so does a notice's 「第６項の共同利用者」 or 「第3章に定める」, whose sections are numbered as
/// 項 or 章.
fn article_pointer() -> Arc<Regex> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"第[0-9一二三四五六七八九十百]+(?:条(?:の[0-9一二三四五六七八九十]+)?(?:第[0-9]+項)?|項|章|節)\s*(?:\([^()]*\))?\s*(?:の|に定める|で定める)$")
            .expect("static")
    });
    RE.get()
}

fn diag(
    doc: &Document,
    normalized: Range<usize>,
    severity: Severity,
    message: Text,
    fix: Option<Fix>,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::DefinedTerm,
        severity,
        message,
        doc.original(normalized),
    );
    d.fix = fix;
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_are_those_match_indices_finds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut texts = vec!["本規程は、以下「甲甲」という。甲甲甲と甲甲。".to_string()];
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
        let mut terms = 0;
        for text in texts {
            let doc = Document::new(text);
            let defs = definitions(&doc);
            let found = occurrences(&doc, &defs);
            for d in &defs {
                let expected: Vec<usize> = doc
                    .normalized
                    .text
                    .match_indices(d.term.as_str())
                    .map(|(p, _)| p)
                    .collect();
                assert_eq!(found.get(d.term.as_str()), Some(&expected), "{}", d.term);
                terms += 1;
            }
        }
        assert!(terms > 50, "{terms}");
    }

    /// The messages of the never-used findings on `text`.
    fn never_used(text: &str) -> Vec<String> {
        let doc = Document::new(text.to_string());
        check(&doc)
            .into_iter()
            .map(|d| d.message.ja.clone())
            .filter(|m| m.contains("一度も使われていません"))
            .collect()
    }

    #[test]
    fn a_gloss_of_a_word_the_text_uses_is_no_term_never_used() {
        for text in [
            "Cookieについて\n当サイトはCookie情報を収集します。「Cookie情報」とは、Cookieという技術で記録される情報をいいます。Cookieの機能は無効にできます。",
            "「プライバシーマーク制度」とは、一般財団法人日本情報経済社会推進協会が定める制度です。当社はプライバシーマークを取得しています。",
        ] {
            assert_eq!(never_used(text), Vec::<String>::new(), "{text}");
        }
        // a term defined for the text's own use and never used is still one, and so is a
        // gloss whose word the text never uses
        for text in [
            "「提携事業者」とは、当社と契約を結んだ事業者をいいます。当社は個人情報を保護します。",
            "「アクセス情報」とは、閲覧の記録をいいます。当社は個人情報を保護します。",
            "当社は、お客様の閲覧の記録（以下「アクセス情報」という。）を取得します。アクセスの多い時間を調べます。",
        ] {
            assert_eq!(never_used(text).len(), 1, "{text}");
        }
    }
}
