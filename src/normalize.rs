//! Text normalised for matching — NFKC, kanji numerals in numbering and
//! quantities turned into digits, spelling variants folded — with a map from
//! every normalised byte back to the original text, so that whatever is found
//! on the normalised text is reported at its real place.

use crate::resettable::Resettable;
use std::sync::Arc;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// Normalised text and, for each of its bytes (and its end), the byte offset in the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    origin: Vec<usize>,
}

impl Normalized {
    /// Original byte offset of normalised byte `offset` (its end maps to the original's end).
    pub fn origin(&self, offset: usize) -> usize {
        self.origin[offset.min(self.origin.len() - 1)]
    }

    /// Original byte range of a normalised range.
    pub fn origin_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.origin(range.start);
        let end = if range.end > range.start {
            // the end of the last normalised byte's source character
            self.origin_end(range.end)
        } else {
            start
        };
        start..end.max(start)
    }

    /// Normalised byte offset of original byte `offset` (the first normalised byte
    /// that comes from at or after it).
    pub fn to_normalized(&self, offset: usize) -> usize {
        let origin = &self.origin;
        let below = |i: usize| origin[i] < offset;
        // the map grows about as the text does: a guess by proportion lands near the answer,
        // which is then bracketed by doubling steps and searched for within them (a binary
        // search over the whole map of a large document misses the cache at every step)
        let last = origin.len() - 1;
        let total = origin[last].max(1);
        let guess = ((offset as u128 * last as u128) / total as u128).min(last as u128) as usize;
        let (mut lo, mut hi) = (guess, guess + 1);
        let mut step = 1;
        if below(guess) {
            // the answer is past the guess: lo stays below the offset
            while hi <= last && below(hi) {
                lo = hi;
                hi = (hi + step).min(last + 1);
                step *= 2;
            }
            lo += 1;
        } else {
            // the answer is at the guess or before it: hi stays at or above the offset
            hi = guess;
            lo = guess;
            while lo > 0 && !below(lo - 1) {
                hi = lo - 1;
                lo = lo.saturating_sub(step);
                step *= 2;
            }
            // origin[hi] is not below; the first such index lies in lo..=hi
            return lo + origin[lo..hi].partition_point(|&o| o < offset);
        }
        lo + origin[lo..hi].partition_point(|&o| o < offset)
    }

    fn origin_end(&self, end: usize) -> usize {
        // The original position just past the source of byte end-1: the first origin
        // that differs from it, or the mapped end.
        let last = self.origin(end - 1);
        let mut i = end;
        while i < self.origin.len() - 1 && self.origin[i] == last {
            i += 1;
        }
        self.origin[i]
            .max(last + 1)
            .min(*self.origin.last().unwrap_or(&0))
    }
}

impl crate::piece_cache::HeapSize for Normalized {
    /// The text and its map.
    fn heap_size(&self) -> usize {
        self.text.capacity() + self.origin.capacity() * std::mem::size_of::<usize>()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantFile {
    variant: Vec<Variant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Variant {
    canonical: String,
    forms: Vec<String>,
}

struct VariantTable {
    pattern: Regex,
    canonical_of: std::collections::HashMap<String, String>,
}

/// `dictionaries/variants.toml` as written.
fn variant_file() -> VariantFile {
    crate::tables::load(
        "variants.toml",
        include_str!("../dictionaries/variants.toml"),
    )
}

/// How many forms the variant table folds (for the test that loads every table).
#[cfg(test)]
pub(crate) fn variant_count() -> usize {
    variant_table().as_ref().map_or(0, |t| t.canonical_of.len())
}

fn variant_table() -> &'static Option<VariantTable> {
    static TABLE: LazyLock<Option<VariantTable>> = LazyLock::new(|| {
        let file = variant_file();
        let mut forms: Vec<(String, String)> = file
            .variant
            .into_iter()
            .flat_map(|v| {
                let canonical = nfkc(&v.canonical);
                v.forms
                    .into_iter()
                    .map(move |f| (nfkc(&f), canonical.clone()))
            })
            .filter(|(form, canonical)| !form.is_empty() && form != canonical)
            .collect();
        if forms.is_empty() {
            return None;
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.0.len()));
        let alternation = forms
            .iter()
            .map(|(f, _)| regex::escape(f))
            .collect::<Vec<_>>()
            .join("|");
        Some(VariantTable {
            pattern: Regex::new(&alternation).expect("escaped alternation"),
            canonical_of: forms.into_iter().collect(),
        })
    });
    &TABLE
}

/// A character that continues a Japanese or Latin word (kanji, katakana, letters, digits).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !('\u{3041}'..='\u{309F}').contains(&c)
}

fn nfkc(s: &str) -> String {
    s.nfkc().collect()
}

/// Normalises text for matching. Total: never fails, whatever the input.
pub fn normalize(original: &str) -> Normalized {
    let stage1 = nfkc_with_map(original);
    let stage1 = spaced_provisions(&stage1).unwrap_or(stage1);
    let stage1 = spaces_inside_words(&stage1).unwrap_or(stage1);
    let stage2 = kanji_numerals(&stage1).unwrap_or(stage1);
    let stage2 = tame_in_kana(&stage2).unwrap_or(stage2);
    match variant_table() {
        Some(table) => fold_variants(&stage2, table).unwrap_or(stage2),
        None => stage2,
    }
}

/// Normalises text line by line, each line (with its line break) by `line`: normalising
/// never looks past a line break (no step's pattern matches one, and the one step that reads
/// context reads the line's end), so this equals `normalize(original)` — the language server
/// passes a cache of normalised lines, and a keystroke normalises one line again.
pub fn normalize_by_line(
    original: &str,
    mut line: impl FnMut(&str) -> Arc<Normalized>,
) -> Normalized {
    let mut text = String::with_capacity(original.len() + original.len() / 8);
    let mut origin = Vec::with_capacity(original.len() + original.len() / 8 + 1);
    let mut start = 0;
    for piece in original.split_inclusive('\n') {
        let n = line(piece);
        text.push_str(&n.text);
        // a line's map ends with its own end, which is the next line's start
        origin.extend(n.origin[..n.origin.len() - 1].iter().map(|o| o + start));
        start += piece.len();
    }
    origin.push(original.len());
    Normalized { text, origin }
}

/// The text an open document was last normalised from, and what that gave: the next
/// analysis normalises only the lines an edit changed (`rescan::Changed`) and copies the
/// rest, moved, instead of looking every line up again.
#[derive(Default)]
pub struct LastNormalized {
    last: std::sync::Mutex<Option<(Arc<str>, Arc<Normalized>)>>,
}

impl LastNormalized {
    /// `normalize_by_line` of the analysis's text `original`, made from the last one.
    pub fn normalize(
        &self,
        original: &crate::rescan::Shared,
        line: impl FnMut(&str) -> Arc<Normalized>,
    ) -> Arc<Normalized> {
        let new = original.text();
        let last = self.lock().take();
        let normalized = match last {
            Some((old, previous)) if Arc::ptr_eq(&old, new) => previous,
            Some((old, previous)) => Arc::new(spliced(
                original.changed_from(&old),
                old.len(),
                &previous,
                new,
                line,
            )),
            None => Arc::new(normalize_by_line(new, line)),
        };
        *self.lock() = Some((new.clone(), normalized.clone()));
        normalized
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Arc<str>, Arc<Normalized>)>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `new` normalised, from `previous` (a text of `old_len` bytes normalised) and the lines
/// that `changed`: the lines before and after them normalise as they did, and only their
/// offsets in the original move.
fn spliced(
    changed: crate::rescan::Changed,
    old_len: usize,
    previous: &Normalized,
    new: &str,
    line: impl FnMut(&str) -> Arc<Normalized>,
) -> Normalized {
    // the changed lines start and end at line starts, where a line's normalised text does
    let from = previous.to_normalized(changed.old.start);
    let to = previous.to_normalized(changed.old.end);
    let middle = normalize_by_line(&new[changed.new.clone()], line);
    let mut text = String::with_capacity(from + middle.text.len() + previous.text.len() - to);
    text.push_str(&previous.text[..from]);
    text.push_str(&middle.text);
    text.push_str(&previous.text[to..]);
    let mut origin = Vec::with_capacity(text.len() + 1);
    origin.extend_from_slice(&previous.origin[..from]);
    // the middle's own end is where the lines after it start
    let middle_origin = &middle.origin[..middle.origin.len() - 1];
    origin.extend(middle_origin.iter().map(|o| o + changed.new.start));
    let by = new.len() as isize - old_len as isize;
    origin.extend(
        previous.origin[to..]
            .iter()
            .map(|o| o.wrapping_add_signed(by)),
    );
    Normalized { text, origin }
}

/// Whether a character is a kanji (CJK Unified Ideographs and Extension A).
pub fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

fn nfkc_with_map(original: &str) -> Normalized {
    let mut text = String::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len() + 1);
    for (i, c) in original.char_indices() {
        let before = text.len();
        if c.is_ascii()
            || ('\u{3041}'..='\u{30FF}').contains(&c) && c != '\u{309B}' && c != '\u{309C}'
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
        {
            text.push(c);
        } else {
            text.extend(std::iter::once(c).nfkc());
        }
        origin.resize(origin.len() + (text.len() - before), i);
    }
    origin.push(original.len());
    Normalized { text, origin }
}

/// Applies the replacements of a later step to `prev`, mapping every byte of the result
/// straight to the original text (copied stretches copy `prev`'s map). `None` when there
/// is nothing to replace, so a step that changes nothing costs one search.
fn replace_matches(
    prev: &Normalized,
    matches: impl Iterator<Item = (std::ops::Range<usize>, String)>,
) -> Option<Normalized> {
    let text = prev.text.as_str();
    let mut matches = matches.peekable();
    matches.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut last = 0;
    for (range, replacement) in matches {
        out.push_str(&text[last..range.start]);
        origin.extend_from_slice(&prev.origin[last..range.start]);
        out.push_str(&replacement);
        origin.resize(origin.len() + replacement.len(), prev.origin[range.start]);
        last = range.end;
    }
    out.push_str(&text[last..]);
    origin.extend_from_slice(&prev.origin[last..]);
    Some(Normalized { text: out, origin })
}

fn fold_variants(prev: &Normalized, table: &VariantTable) -> Option<Normalized> {
    replace_matches(
        prev,
        table
            .pattern
            .find_iter(&prev.text)
            .map(|m| (m.range(), table.canonical_of[m.as_str()].clone())),
    )
}

/// 「連絡の為」「ご案内の為に」「取り組む為、」: 為 after a hiragana is the kanji spelling of
/// ため (ため in kana is what the catalogs write), not the 為 of a word (行為, 作為, 為替 —
/// 「…の為替」 keeps it — nor 為す, 為し遂げる).
fn tame_in_kana(prev: &Normalized) -> Option<Normalized> {
    static RE: Resettable<Regex> =
        Resettable::new(|| Regex::new(r"\p{Hiragana}為").expect("static regex"));
    let re = RE.get();
    let text = prev.text.as_str();
    replace_matches(
        prev,
        re.find_iter(text).filter_map(|m| {
            let next = text[m.end()..].chars().next();
            (!matches!(next, Some('替' | 'す' | 'せ' | 'し' | 'さ')))
                .then(|| (m.end() - '為'.len_utf8()..m.end(), "ため".to_string()))
        }),
    )
}

/// 「第 25 条」「第 36 条第 1 項」: a provision's number written with spaces (as word
/// processors' justified text and some templates have it) reads as 第25条.
fn spaced_provisions(prev: &Normalized) -> Option<Normalized> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"第( *)([0-9]+|[〇一二三四五六七八九十百千]+)( *)(条|項|号|章|節|款)")
            .expect("static regex")
    });
    let re = RE.get();
    replace_matches(
        prev,
        re.captures_iter(&prev.text).filter_map(|c| {
            let whole = c.get(0)?;
            (!c[1].is_empty() || !c[3].is_empty())
                .then(|| (whole.range(), format!("第{}{}", &c[2], &c[4])))
        }),
    )
}

/// 「必 要な範囲」「ありま せん」「削 除」: a space inside Japanese text where a line was
/// wrapped or justified (a page's or a PDF's copied text) does not part its words, and is
/// dropped for matching: inside a word of two characters or more on its left (not after a
/// label such as 「イ 本人確認書類」), beside a hiragana, or between other Japanese characters
/// inside a sentence (a line ending in 。) unless it follows a provision's label (「第23条
/// 漏えい」).
/// Tabs (table cells), line breaks, spaces beside any other character (「1. 利用目的」) and
/// those between the fields of a line that is no sentence (「代表者名 平島 彰一」) stay.
fn spaces_inside_words(prev: &Normalized) -> Option<Normalized> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"[\p{Han}\p{Hiragana}\p{Katakana}ー]([\p{Han}\p{Hiragana}\p{Katakana}ー])( {1,2})([\p{Han}\p{Hiragana}\p{Katakana}ー])")
            .expect("static regex")
    });
    let re = RE.get();
    let text = prev.text.as_str();
    let hiragana = |c: char| ('\u{3041}'..='\u{309F}').contains(&c);
    // whether the line holding a space ends in 。, found once per line: a long line with many
    // spaces is not scanned to its end for each of them
    let mut line: (usize, bool) = (0, false);
    let mut in_a_sentence = |at: usize| {
        if at >= line.0 {
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            line = (end, text[..end].trim_end().ends_with('。'));
        }
        line.1
    };
    let mut spaces = Vec::new();
    // (a match's characters overlap the next one's: 「あ い う」 is searched from each space)
    let mut at = 0;
    while let Some(c) = re.captures_at(text, at) {
        let (left, space, right) = (c.get(1)?, c.get(2)?, c.get(3)?);
        at = right.start();
        let (l, r) = (
            left.as_str().chars().next()?,
            right.as_str().chars().next()?,
        );
        let label = matches!(l, '条' | '項' | '号' | '章' | '節' | '款');
        if hiragana(l) || hiragana(r) || (!label && in_a_sentence(space.start())) {
            spaces.push((space.range(), String::new()));
        }
    }
    replace_matches(prev, spaces.into_iter())
}

fn kanji_numeral_pattern() -> Arc<Regex> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        // Only numerals that number provisions or count quantities: 第二十三条, 三十日, 五百円.
        Regex::new(
            r"(第)?([〇一二三四五六七八九十百千]+)(条|項|号|章|節|款|日|年|月|週間|か月|ヶ月|箇月|円|人|回|時間|営業日)?",
        )
        .expect("static regex")
    });
    RE.get()
}

fn kanji_numerals(prev: &Normalized) -> Option<Normalized> {
    let re = kanji_numeral_pattern();
    let text = prev.text.as_str();
    replace_matches(
        prev,
        re.captures_iter(text).filter_map(|c| {
            let numeral = c.get(2)?;
            // 第三者 and 一般 stay words: only numerals followed by a unit are numbers;
            // 5千人 (digits before) is left as written
            c.get(3)?;
            if text[..numeral.start()].ends_with(|ch: char| ch.is_ascii_digit()) {
                return None;
            }
            let value = crate::numerals::kanji_value(numeral.as_str())?;
            Some((numeral.range(), value.to_string()))
        }),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn tame_written_in_kanji_reads_as_in_kana() {
        let folded = |s: &str| super::normalize(s).text;
        assert_eq!(folded("ご連絡の為\n"), "ご連絡のため\n");
        assert_eq!(folded("業務を果たす為、"), "業務を果たすため、");
        // the 為 of a word stays
        for kept in [
            "不正な行為",
            "郵便の為替",
            "定額小為替",
            "善を為す",
            "目的を為し遂げる",
        ] {
            assert!(folded(kept).contains('為'), "{kept}");
        }
    }

    use super::*;

    /// The original text that the first `normalized` in `n`'s text comes from.
    fn source_of<'a>(original: &'a str, n: &Normalized, normalized: &str) -> &'a str {
        let at = n.text.find(normalized).unwrap();
        &original[n.origin_range(at..at + normalized.len())]
    }

    #[test]
    fn provision_numbers_written_with_spaces_read_without() {
        let original = "個人情報保護法第 25 条及び第　三十六　条第 1 項、第3条、第 三者";
        let n = normalize(original);
        assert_eq!(
            n.text,
            "個人情報保護法第25条及び第36条第1項、第3条、第 三者"
        );
        assert_eq!(source_of(original, &n, "第25条"), "第 25 条");
    }

    /// A space where a copied line was wrapped does not part a word; the spaces between a
    /// label and its text, or between the fields of a line that is no sentence, stay.
    #[test]
    fn spaces_inside_words_are_dropped_for_matching() {
        let original = "ご案内に必 要な範囲で利用しま す。";
        let n = normalize(original);
        assert_eq!(n.text, "ご案内に必要な範囲で利用します。");
        assert_eq!(source_of(original, &n, "必要"), "必 要");
        for kept in [
            "代表者名 平島 彰一",
            "第34条第1号「イ 本人確認書類」による。",
            "第23条 漏えいの1件。",
            "1. 利用目的",
        ] {
            assert_eq!(normalize(kept).text, kept, "{kept}");
        }
    }

    /// Normalising line by line gives what normalising the whole text gives, on every
    /// document of the corpus and on lines whose steps read context (a sentence's end, a
    /// digit before a numeral, a wrapped line's spaces, \r\n and lone \r line ends).
    #[test]
    fn normalizing_by_line_equals_normalizing_the_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut texts = vec![
            "ご案内に必 要な範囲で\r\n利用しま す。\n第 二十三 条\r5千人\n三十日\n\n".to_string(),
            "代表者名 平島 彰一\n第23条 漏えいの1件。".to_string(),
            String::new(),
            "\n".to_string(),
        ];
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
            }
        }
        for text in &texts {
            let whole = normalize(text);
            let by_line = normalize_by_line(text, |line| Arc::new(normalize(line)));
            assert_eq!(by_line.text, whole.text);
            assert_eq!(by_line.origin, whole.origin);
        }
    }

    #[test]
    fn normalizes_with_offsets() {
        let original = "第二十三条　漏洩の１件。一般に";
        let n = normalize(original);
        assert_eq!(n.text, "第23条 漏えいの1件。一般に");
        assert_eq!(source_of(original, &n, "漏えい"), "漏洩");
        let one = n.text.find('1').unwrap();
        assert_eq!(&original[n.origin_range(one..one + 1)], "１");
        let num = n.text.find("23").unwrap();
        assert_eq!(&original[n.origin_range(num..num + 2)], "二十三");
    }
}

/// `dictionaries/variants.toml` verifies itself, as a spelling table must: folding is a
/// function (each form has one canonical) and a fixed point (a canonical never folds again).
#[cfg(test)]
mod variant_table_tests {
    use super::*;

    #[test]
    fn every_form_is_unique_across_the_file() {
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        let mut duplicates = Vec::new();
        for v in variant_file().variant {
            for form in &v.forms {
                if let Some(other) = seen.insert(nfkc(form), v.canonical.clone()) {
                    duplicates.push(format!("{form}: a form of {other} and of {}", v.canonical));
                }
            }
        }
        assert!(duplicates.is_empty(), "{}", duplicates.join("\n"));
    }

    #[test]
    fn no_form_equals_its_canonical_and_no_canonical_is_a_form() {
        let file = variant_file();
        let forms: std::collections::HashMap<String, &str> = file
            .variant
            .iter()
            .flat_map(|v| v.forms.iter().map(|f| (nfkc(f), v.canonical.as_str())))
            .collect();
        let mut bad = Vec::new();
        for v in &file.variant {
            if v.forms.is_empty() {
                bad.push(format!("{}: no forms", v.canonical));
            }
            for form in &v.forms {
                if form.is_empty() || nfkc(form) == nfkc(&v.canonical) {
                    bad.push(format!(
                        "{}: the form {form:?} is the canonical",
                        v.canonical
                    ));
                }
            }
            if let Some(other) = forms.get(&nfkc(&v.canonical)) {
                bad.push(format!("{}: also a form of {other}", v.canonical));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn folding_is_idempotent() {
        let mut bad = Vec::new();
        for v in variant_file().variant {
            let canonical = nfkc(&v.canonical);
            let folded = normalize(&v.canonical).text;
            if folded != canonical {
                bad.push(format!("canonical {canonical} folds to {folded}"));
            }
            for form in &v.forms {
                let folded = normalize(form).text;
                if folded != canonical {
                    bad.push(format!("form {form} folds to {folded}, not {canonical}"));
                }
                if normalize(&folded).text != folded {
                    bad.push(format!("form {form}: folding {folded} again changes it"));
                }
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}

#[cfg(test)]
mod offset_tests {
    use super::*;

    /// `to_normalized` finds what a binary search over the whole map finds, on maps that
    /// grow faster and slower than the text and on real normalised text.
    #[test]
    fn normalising_from_the_last_text_equals_normalising_afresh() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut paths: Vec<_> = ["contracts", "notices", "regulations", "shared"]
            .iter()
            .flat_map(|f| std::fs::read_dir(root.join(f)).unwrap())
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let insertions = [
            "の",
            "\n",
            "\r\n",
            "\r",
            "１２３",
            "第十二条",
            "ＡＢＣ",
            "（",
            "）",
            "必 要",
            "㈱",
            "\n\n",
            "令和六年",
            "　",
            "ｶﾞ",
        ];
        let last = LastNormalized::default();
        let cache = crate::piece_cache::PieceCache::new(1 << 20, 20);
        let mut next = crate::xorshift(0x9E37_79B9_7F4A_7C15);
        for path in paths {
            let mut text = std::fs::read_to_string(&path).unwrap();
            for edit in 0..10 {
                if edit > 0 {
                    crate::random_edit(&mut text, &mut next, &insertions);
                }
                let shared = crate::rescan::Shared::new(text.as_str().into());
                let made = last.normalize(&shared, |l| cache.get_or_compute(l, normalize));
                let fresh = normalize(&text);
                assert_eq!(made.text, fresh.text, "{path:?}, edit {edit}");
                assert_eq!(made.origin, fresh.origin, "{path:?}, edit {edit}");
            }
        }
    }

    #[test]
    fn to_normalized_is_the_partition_point() {
        let mut rand = crate::xorshift(0x2545F4914F6CDD1D);
        for _ in 0..200 {
            let len = 1 + rand(300);
            let mut at = 0;
            let origin: Vec<usize> = (0..len)
                .map(|_| {
                    at += rand(4);
                    at
                })
                .collect();
            let map = Normalized {
                text: String::new(),
                origin: origin.clone(),
            };
            for offset in 0..at + 3 {
                assert_eq!(
                    map.to_normalized(offset),
                    origin.partition_point(|&o| o < offset),
                    "{origin:?} {offset}"
                );
            }
        }
        let text = "第１条（目的）　本規程は、個人情報の取扱いを定める。\n第二条 ＡＢＣ";
        let n = normalize(text);
        for offset in 0..=text.len() {
            assert_eq!(
                n.to_normalized(offset),
                n.origin.partition_point(|&o| o < offset)
            );
        }
    }
}
