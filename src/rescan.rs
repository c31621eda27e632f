//! Scans of a document's normalised text redone only where an edit changed it (the language
//! server). A keystroke changes one line of a document of ten thousand; a scan whose every
//! hit lies within one line (a literal, or a pattern that cannot match a line break:
//! `line_local`) finds on the other lines what it found before, moved by the bytes the edit
//! added or removed. `ScanMemo` keeps a scan's hits and the text they were found in, and
//! after an edit scans only the lines between the unchanged start and the unchanged end of
//! the text (`Changed`). Without a memo (the command line) the same scan runs over the
//! whole text, so both give the same hits.

use std::ops::Range;
use std::sync::{Arc, Mutex};

/// The whole lines an edit changed: `old` in the text scanned before, `new` in the text
/// now. What precedes them is the same in both texts, and so is what follows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

impl Changed {
    /// The lines from the first byte that differs to the last, found by comparing the two
    /// texts from both ends.
    pub fn between(old: &str, new: &str) -> Changed {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let prefix = common_prefix(a, b);
        let start = b[..prefix]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let room = a.len().min(b.len()) - start;
        let suffix = common_suffix(&a[a.len() - room..], &b[b.len() - room..]);
        let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
        let ends_a_line = |t: &[u8], end: usize| end == start || t[end - 1] == b'\n';
        // the rest of the last changed line, which both texts share
        let rest = if ends_a_line(a, old_end) && ends_a_line(b, new_end) {
            0
        } else {
            b[new_end..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(suffix, |i| i + 1)
        };
        Changed {
            old: start..old_end + rest,
            new: start..new_end + rest,
        }
    }
}

/// Bytes compared at a time: a megabyte is compared in a tenth of a millisecond.
const CHUNK: usize = 256;

/// How many bytes `a` and `b` share from their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let chunks = a
        .chunks(CHUNK)
        .zip(b.chunks(CHUNK))
        .take_while(|(x, y)| x == y)
        .count();
    let at = (chunks * CHUNK).min(a.len()).min(b.len());
    at + a[at..]
        .iter()
        .zip(&b[at..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let chunks = a
        .rchunks(CHUNK)
        .zip(b.rchunks(CHUNK))
        .take_while(|(x, y)| x == y)
        .count();
    let at = (chunks * CHUNK).min(a.len()).min(b.len());
    at + a[..a.len() - at]
        .iter()
        .rev()
        .zip(b[..b.len() - at].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// One analysis's text, shared with the memos that scan it, and the changes found from the
/// texts they last scanned: every memo of a document last scanned the same text, so the two
/// texts are compared once an analysis, not once a scan.
pub struct Shared {
    text: Arc<str>,
    changes: Mutex<Vec<(Arc<str>, Changed)>>,
}

impl Shared {
    pub fn new(text: Arc<str>) -> Self {
        Self {
            text,
            changes: Mutex::new(Vec::new()),
        }
    }

    /// The text of this analysis.
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// The lines changed from `old` to this text (compared once an analysis, whatever asks).
    pub fn changed_from(&self, old: &Arc<str>) -> Changed {
        let mut changes = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, changed)) = changes.iter().find(|(o, _)| Arc::ptr_eq(o, old)) {
            return changed.clone();
        }
        let changed = Changed::between(old, &self.text);
        changes.push((old.clone(), changed.clone()));
        changed
    }
}

/// A hit of a scan: where it starts, and the same hit moved by an edit.
pub trait Located: Clone {
    fn start(&self) -> usize;
    /// The hit `by` bytes later (`by` may be negative).
    fn shift(&mut self, by: isize);
}

/// A scan's hits in the text it last scanned, under the `key` it ran with (the terms it
/// looked for, when they come from the document itself).
struct Memo<K, T> {
    text: Arc<str>,
    key: K,
    hits: Arc<Vec<T>>,
}

/// One scan of one open document, remembered between analyses.
pub struct ScanMemo<K, T> {
    last: Mutex<Option<Memo<K, T>>>,
}

impl<K, T> Default for ScanMemo<K, T> {
    fn default() -> Self {
        Self {
            last: Mutex::new(None),
        }
    }
}

impl<K: PartialEq + Clone, T: Located> ScanMemo<K, T> {
    /// The hits of `scan` in `text`, sorted by start: `scan(range)` gives those starting in
    /// `range` (whole lines), sorted. Only the lines changed since the last scan under the
    /// same `key` are scanned; the whole text when there was none.
    pub fn hits(
        &self,
        shared: &Shared,
        key: &K,
        scan: impl FnOnce(Range<usize>) -> Vec<T>,
    ) -> Arc<Vec<T>> {
        let text = &shared.text;
        // taken out while the hits are made: when no analysis holds them any more, they are
        // changed in place
        let last = self.lock().take().filter(|m| m.key == *key);
        let hits = match last {
            Some(m) if Arc::ptr_eq(&m.text, text) => m.hits,
            Some(m) => spliced(shared.changed_from(&m.text), m.hits, scan),
            None => Arc::new(scan(0..text.len())),
        };
        *self.lock() = Some(Memo {
            text: text.clone(),
            key: key.clone(),
            hits: hits.clone(),
        });
        hits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Memo<K, T>>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The hits before the changed lines, those `scan` finds in them, and those after them
/// moved by the bytes the edit added or removed: in place when nothing else holds the old
/// hits (the language server's report lets go of the tokens), else in a new vector.
fn spliced<T: Located>(
    changed: Changed,
    mut hits: Arc<Vec<T>>,
    scan: impl FnOnce(Range<usize>) -> Vec<T>,
) -> Arc<Vec<T>> {
    let by = changed.new.end as isize - changed.old.end as isize;
    let before = hits.partition_point(|h| h.start() < changed.old.start);
    let after = hits.partition_point(|h| h.start() < changed.old.end);
    let found = scan(changed.new.clone());
    let moved = before + found.len();
    let shift = |h: &mut T| h.shift(by);
    match Arc::get_mut(&mut hits) {
        Some(own) => {
            own.splice(before..after, found);
            own[moved..].iter_mut().for_each(shift);
            hits
        }
        None => {
            let mut new = Vec::with_capacity(hits.len() - (after - before) + found.len());
            new.extend_from_slice(&hits[..before]);
            new.extend(found);
            new.extend_from_slice(&hits[after..]);
            new[moved..].iter_mut().for_each(shift);
            Arc::new(new)
        }
    }
}

/// A scan's memo with the text to scan shared with it (`Document::memo`); none on the
/// command line.
pub type Remembered<'a, K, T> = Option<(&'a ScanMemo<K, T>, &'a Shared)>;

/// Runs `scan` over the whole of `text`, or through `memo` over the lines changed since
/// its last scan: the one entry point of the scans that a document may remember.
pub fn scan_with<K: PartialEq + Clone, T: Located>(
    memo: Remembered<'_, K, T>,
    text: &str,
    key: &K,
    scan: impl FnOnce(Range<usize>) -> Vec<T>,
) -> Arc<Vec<T>> {
    match memo {
        Some((memo, shared)) => memo.hits(shared, key, scan),
        None => Arc::new(scan(0..text.len())),
    }
}

/// A hit that is a byte range with a value (the term, entry or pattern it belongs to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<V> {
    pub value: V,
    pub range: Range<usize>,
}

impl<V: Clone> Located for Hit<V> {
    fn start(&self) -> usize {
        self.range.start
    }

    fn shift(&mut self, by: isize) {
        self.range =
            self.range.start.wrapping_add_signed(by)..self.range.end.wrapping_add_signed(by);
    }
}

/// A hit that is only a byte range (a sentence).
impl Located for Range<usize> {
    fn start(&self) -> usize {
        self.start
    }

    fn shift(&mut self, by: isize) {
        *self = self.start.wrapping_add_signed(by)..self.end.wrapping_add_signed(by);
    }
}

/// Whether a regular expression finds only what lies within one line, at the same places in
/// a line scanned alone as in the whole text: no match can hold a line break, and it does not
/// look at where the text starts or ends (`^`, `$`, `\A`, `\z` without the multi-line flag).
/// The scans that `ScanMemo` remembers use only such expressions (their tests assert it).
pub fn line_local(pattern: &str) -> bool {
    use regex_syntax::hir::{Class, HirKind, Look};
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return false;
    };
    let mut stack = vec![&hir];
    while let Some(h) = stack.pop() {
        match h.kind() {
            HirKind::Literal(l) => {
                if l.0.contains(&b'\n') {
                    return false;
                }
            }
            HirKind::Class(Class::Unicode(c)) => {
                if c.ranges()
                    .iter()
                    .any(|r| r.start() <= '\n' && '\n' <= r.end())
                {
                    return false;
                }
            }
            HirKind::Class(Class::Bytes(c)) => {
                if c.ranges()
                    .iter()
                    .any(|r| r.start() <= b'\n' && b'\n' <= r.end())
                {
                    return false;
                }
            }
            HirKind::Look(look) => {
                if matches!(look, Look::Start | Look::End) {
                    return false;
                }
            }
            HirKind::Repetition(r) => stack.push(&r.sub),
            HirKind::Capture(c) => stack.push(&c.sub),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => stack.extend(hs),
            HirKind::Empty => {}
        }
    }
    true
}

/// `pattern` made to find only what lies within one line: its classes no longer match a
/// line break (「法\s*第2条」 no longer finds a reference broken over two lines) and its `\A`
/// and `\z` are the start and end of a line, so that a
/// scan of the changed lines finds what a scan of the whole text finds. The tables' patterns
/// are compiled through it; an invalid pattern is returned unchanged, for the regular
/// expression's own error.
pub fn within_lines(pattern: &str) -> String {
    match regex_syntax::parse(pattern) {
        Ok(hir) => {
            let mut out = String::new();
            match print(&without_line_breaks(&hir), &mut out) {
                Some(()) => out,
                None => pattern.to_string(),
            }
        }
        Err(_) => pattern.to_string(),
    }
}

fn without_line_breaks(hir: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
        Look, Repetition,
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut c = c.clone();
            c.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n')]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(without_line_breaks(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(without_line_breaks(&c.sub)),
            ..c.clone()
        }),
        // where the text starts or ends becomes where a line does (「(?:\A|[^税])期間」)
        HirKind::Look(Look::Start) => Hir::look(Look::StartLF),
        HirKind::Look(Look::End) => Hir::look(Look::EndLF),
        HirKind::Concat(hs) => Hir::concat(hs.iter().map(without_line_breaks).collect()),
        HirKind::Alternation(hs) => Hir::alternation(hs.iter().map(without_line_breaks).collect()),
        _ => hir.clone(),
    }
}

/// Writes `hir` as a pattern: every repetition and alternation in a group of its own and
/// every character by its code point, so that it reads back as the same expression
/// (regex-syntax's own printer writes `(?:\d{2})?` as `\d{2}?`, a lazy repetition). None for
/// what it does not write (a look-around other than the line and word boundaries).
fn print(hir: &regex_syntax::hir::Hir, out: &mut String) -> Option<()> {
    use regex_syntax::hir::{Class, HirKind, Look};
    use std::fmt::Write;
    match hir.kind() {
        HirKind::Empty => out.push_str("(?:)"),
        HirKind::Literal(l) => {
            for c in std::str::from_utf8(&l.0).ok()?.chars() {
                write!(out, "\\x{{{:X}}}", c as u32).ok()?;
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            out.push('[');
            for r in c.ranges() {
                write!(
                    out,
                    "\\x{{{:X}}}-\\x{{{:X}}}",
                    r.start() as u32,
                    r.end() as u32
                )
                .ok()?;
            }
            if c.ranges().is_empty() {
                // a class that matches nothing
                out.push_str("a&&b");
            }
            out.push(']');
        }
        HirKind::Class(Class::Bytes(c)) => {
            out.push_str("(?-u:[");
            for r in c.ranges() {
                write!(out, "\\x{:02X}-\\x{:02X}", r.start(), r.end()).ok()?;
            }
            if c.ranges().is_empty() {
                out.push_str("a&&b");
            }
            out.push_str("])");
        }
        HirKind::Look(look) => out.push_str(match look {
            Look::Start => "\\A",
            Look::End => "\\z",
            Look::StartLF => "(?m:^)",
            Look::EndLF => "(?m:$)",
            Look::WordAscii => "(?-u:\\b)",
            Look::WordAsciiNegate => "(?-u:\\B)",
            Look::WordUnicode => "\\b",
            Look::WordUnicodeNegate => "\\B",
            _ => return None,
        }),
        HirKind::Repetition(r) => {
            out.push_str("(?:");
            print(&r.sub, out)?;
            match r.max {
                Some(max) => write!(out, "){{{},{}}}", r.min, max).ok()?,
                None => write!(out, "){{{},}}", r.min).ok()?,
            }
            if !r.greedy {
                out.push('?');
            }
        }
        HirKind::Capture(c) => {
            match &c.name {
                Some(name) => write!(out, "(?P<{name}>").ok()?,
                None => out.push('('),
            }
            print(&c.sub, out)?;
            out.push(')');
        }
        HirKind::Concat(hs) => {
            out.push_str("(?:");
            for h in hs {
                print(h, out)?;
            }
            out.push(')');
        }
        HirKind::Alternation(hs) => {
            out.push_str("(?:");
            for (i, h) in hs.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                print(h, out)?;
            }
            out.push(')');
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits_of(text: &str, word: &str, range: Range<usize>) -> Vec<Hit<()>> {
        text[range.clone()]
            .match_indices(word)
            .map(|(i, _)| Hit {
                value: (),
                range: range.start + i..range.start + i + word.len(),
            })
            .collect()
    }

    #[test]
    fn the_changed_lines_are_whole_lines_and_the_rest_is_shared() {
        let c = Changed::between("甲は\n乙は\n丙は\n", "甲は\n乙が\n丙は\n");
        assert_eq!(c.old, 7..14);
        assert_eq!(c.new, 7..14);
        // a line inserted
        let c = Changed::between("a\nb\n", "a\nx\nb\n");
        assert_eq!(
            ("a\nb\n"[c.old.clone()].len(), &"a\nx\nb\n"[c.new.clone()]),
            (0, "x\n")
        );
        // a line break removed joins two lines: both are changed
        let c = Changed::between("ab\ncd\nef", "ab\ncdef");
        assert_eq!(
            (&"ab\ncd\nef"[c.old.clone()], &"ab\ncdef"[c.new.clone()]),
            ("cd\nef", "cdef")
        );
        // the same text: nothing changed
        let c = Changed::between("a\nb", "a\nb");
        assert!(c.old.is_empty() && c.new.is_empty());
        // a repeated line: the change is placed within the lines that differ
        let c = Changed::between("x\nx\nx\n", "x\nx\n");
        assert_eq!(c.old.len() - c.new.len(), 2);
    }

    #[test]
    fn a_remembered_scan_gives_what_a_whole_scan_gives() {
        let memo: ScanMemo<(), Hit<()>> = ScanMemo::default();
        let mut text = String::from("当社は\n当社が当社を\n\nその他\n当社");
        let mut rand = crate::xorshift(0x9E3779B97F4A7C15);
        let inserts = ["当", "社", "当社", "\n", "は", ""];
        // hits still held by an analysis are spliced into a new vector, the others in place
        let mut held = Vec::new();
        for round in 0..500 {
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            let at = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
            let start = rand(chars.len() + 1);
            let end = (start + rand(3)).min(chars.len());
            let (from, to) = (at(start), at(end));
            text.replace_range(from..to, inserts[rand(inserts.len())]);
            let shared = Shared::new(text.as_str().into());
            let remembered = memo.hits(&shared, &(), |r| hits_of(&text, "当社", r));
            assert_eq!(
                *remembered,
                hits_of(&text, "当社", 0..text.len()),
                "{text:?}"
            );
            if round % 3 == 0 {
                held.push(remembered);
            }
        }
    }

    #[test]
    fn a_new_key_scans_the_whole_text() {
        let memo: ScanMemo<&str, Hit<()>> = ScanMemo::default();
        let text = "当社と弊社\n";
        memo.hits(&Shared::new(text.into()), &"当社", |r| {
            hits_of(text, "当社", r)
        });
        let other = "当社と弊社\n。";
        let hits = memo.hits(&Shared::new(other.into()), &"弊社", |r| {
            hits_of(other, "弊社", r)
        });
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn within_lines_keeps_a_pattern_to_one_line() {
        let re =
            regex::Regex::new(&within_lines(r"個人情報保護法\s*第?(?P<n>\d+)条[^。]*")).unwrap();
        assert!(line_local(re.as_str()), "{}", re.as_str());
        assert_eq!(
            re.captures("個人情報保護法 第23条の規定\n次").unwrap()["n"].to_string(),
            "23"
        );
        assert_eq!(
            re.find("個人情報保護法 第23条の規定\n次").unwrap().as_str(),
            "個人情報保護法 第23条の規定"
        );
        assert!(re.find("個人情報保護法\n第23条").is_none());
        assert_eq!(within_lines("(").as_str(), "(");
        // an optional repetition stays optional
        let re = regex::Regex::new(&within_lines(r"(?:\d{2})?[xX]{2,4}年")).unwrap();
        assert_eq!(re.find("xxxx年").unwrap().as_str(), "xxxx年");
        assert_eq!(re.find("20XX年").unwrap().as_str(), "20XX年");
        // lazy, bounded and unbounded repetitions, named groups, word boundaries
        let re = regex::Regex::new(&within_lines(r"(?P<a>ab+?)c{0,2}(?-u:\b)")).unwrap();
        assert_eq!(&re.captures("abbcc x").unwrap()["a"], "abb");
        let re = regex::Regex::new(&within_lines(r"(?:\A|[^税])(?P<wrong>期間)")).unwrap();
        assert!(line_local(re.as_str()), "{}", re.as_str());
        assert_eq!(
            re.captures("前\n期間")
                .unwrap()
                .name("wrong")
                .unwrap()
                .start(),
            4
        );
    }

    #[test]
    fn expressions_that_can_cross_a_line_are_not_line_local() {
        assert!(line_local("個人情報保護法第[0-9]+条"));
        assert!(line_local(r"以下「([^」「\n]{1,24})」"));
        assert!(line_local(r"\b第\d+条"));
        assert!(!line_local(r"以下「([^」「]{1,24})」"));
        assert!(!line_local(r"法\s+第"));
        assert!(!line_local(r"^第1条"));
        assert!(line_local(r"(?m)^第1条"));
        assert!(!line_local("a\nb"));
    }
}
