//! The literals that every match of a pattern starts with, and those it ends with. A
//! document is scanned once for the literals of all of a catalog's `re:` terms (with its
//! noun terms, in one automaton); a pattern cannot match where none of its opening
//! literals occurs, or none of its closing ones, and is not searched there. Most patterns
//! match nothing in a given document: each would otherwise scan it whole.

use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Shortest literal worth a gate, in bytes (two kanji or kana): shorter ones (「の」「第」)
/// occur in every document, and each occurrence is reported to the scan.
const MIN_LITERAL_BYTES: usize = 6;

/// Sets of literals every match of `pattern` holds one of each: those one of which it starts
/// with, and those one of which it ends with; a set is left out unless it is finite with
/// every literal at least `MIN_LITERAL_BYTES` long. Empty when neither is kept, or the
/// pattern is invalid: the pattern is then searched everywhere.
pub fn required_literals(pattern: &str) -> Vec<Vec<Vec<u8>>> {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return Vec::new();
    };
    let mut sets: Vec<Vec<Vec<u8>>> = [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .filter_map(|kind| {
            let suffix = matches!(kind, ExtractKind::Suffix);
            let seq = Extractor::new()
                .kind(kind)
                .limit_literal_len(MAX_LITERAL_BYTES)
                .extract(&hir);
            // an infinite set says nothing; an empty one, that nothing matches (left to
            // the pattern itself to find)
            let literals = seq.literals().filter(|l| !l.is_empty())?;
            let literals = fewest(
                literals
                    .iter()
                    .map(|l| whole_characters(l.as_bytes(), suffix))
                    .collect(),
            );
            let shortest = literals.iter().map(Vec::len).min()?;
            (shortest >= MIN_LITERAL_BYTES).then_some(literals)
        })
        .collect();
    // a pattern that opens or ends with a class (「(?m)^[^。\n]{0,30}…目的…」) may still hold a
    // literal every match passes through: the longest literal of its top-level sequence
    // (only where the opening or the ending gave no set, and unless a set holds it already)
    if let Some(inner) = inner_literal(&hir)
        .filter(|inner| sets.len() < 2 && !sets.iter().flatten().any(|l| l == inner))
    {
        sets.push(vec![inner]);
    }
    sets
}

/// The longest literal (cut at `MAX_LITERAL_BYTES`, at least `MIN_LITERAL_BYTES`) that
/// stands in the pattern's top-level sequence itself, not inside a repetition, an
/// alternation or an optional part: every match holds it.
fn inner_literal(hir: &regex_syntax::hir::Hir) -> Option<Vec<u8>> {
    use regex_syntax::hir::HirKind;
    let mut hir = hir;
    while let HirKind::Capture(c) = hir.kind() {
        hir = &c.sub;
    }
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    parts
        .iter()
        .filter_map(|part| match part.kind() {
            HirKind::Literal(l) => Some(whole_characters(
                &l.0[..l.0.len().min(MAX_LITERAL_BYTES)],
                false,
            )),
            _ => None,
        })
        .filter(|l| l.len() >= MIN_LITERAL_BYTES)
        .max_by_key(Vec::len)
}

/// Longest literal kept, in bytes (four kanji or kana): longer ones are cut, and the
/// alternations of a pattern (「(?:開示|訂正)(?:の)?(?:請求|求め)」) multiply into fewer
/// distinct literals, which keeps the automaton small.
const MAX_LITERAL_BYTES: usize = 12;

/// A literal cut at a character's boundary: its first bytes for a prefix, its last for a
/// suffix (the extractor cuts at `MAX_LITERAL_BYTES` whatever the bytes are).
fn whole_characters(bytes: &[u8], suffix: bool) -> Vec<u8> {
    if suffix {
        let continuation = |b: &&u8| *b & 0b1100_0000 == 0b1000_0000;
        let skip = bytes.iter().take_while(continuation).count();
        return bytes[skip..].to_vec();
    }
    let mut end = bytes.len();
    while end > 0 && std::str::from_utf8(&bytes[..end]).is_err() {
        end -= 1;
    }
    bytes[..end].to_vec()
}

/// A character no match of a pattern holds, and at which a search may therefore cut a text
/// into pieces searched apart: a line break, when the pattern cannot cross a line (its
/// `(?m)^` and `$` then meet a piece's ends where they met the line's), else 「。」 when it
/// cannot cross a sentence's end and asserts nothing of lines. A word boundary at a piece's
/// end reads the same either way: both characters are no word's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Barrier {
    LineBreak,
    FullStop,
}

impl Barrier {
    pub fn char(self) -> char {
        match self {
            Barrier::LineBreak => '\n',
            Barrier::FullStop => '。',
        }
    }
}

/// The `Barrier` of `pattern`, if it has one (none when it may hold both characters, asserts
/// the text's own start or end, or does not parse).
pub fn barrier(pattern: &str) -> Option<Barrier> {
    use regex_syntax::hir::{Class, HirKind, Look};
    let hir = regex_syntax::parse(pattern).ok()?;
    let (mut line_break, mut full_stop, mut line_looks) = (false, false, false);
    let mut stack = vec![&hir];
    while let Some(h) = stack.pop() {
        match h.kind() {
            HirKind::Literal(l) => {
                let text = String::from_utf8_lossy(&l.0);
                line_break |= text.contains('\n');
                full_stop |= text.contains('。');
            }
            HirKind::Class(Class::Unicode(c)) => {
                let holds = |ch: char| c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
                line_break |= holds('\n');
                full_stop |= holds('。');
            }
            HirKind::Class(Class::Bytes(c)) => {
                line_break |= c
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= b'\n' && b'\n' <= r.end());
                // a byte class reaches no multi-byte character: 「。」 is three bytes
                full_stop |= c.ranges().iter().any(|r| r.end() >= 0x80);
            }
            HirKind::Look(look) => match look {
                Look::Start | Look::End => return None,
                Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF => line_looks = true,
                _ => {}
            },
            HirKind::Repetition(r) => stack.push(&r.sub),
            HirKind::Capture(c) => stack.push(&c.sub),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => stack.extend(hs),
            HirKind::Empty => {}
        }
    }
    if !line_break {
        Some(Barrier::LineBreak)
    } else if !full_stop && !line_looks {
        Some(Barrier::FullStop)
    } else {
        None
    }
}

/// The literals that hold none of the others: a match that holds a longer one holds the
/// shorter one inside it, so the shorter alone opens the gate for both.
fn fewest(mut literals: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    literals.sort_by_key(Vec::len);
    literals.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for literal in literals {
        let holds_one = kept
            .iter()
            .any(|k| literal.windows(k.len().max(1)).any(|w| w == k.as_slice()));
        if !holds_one {
            kept.push(literal);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sets, each sorted.
    fn found(pattern: &str) -> Vec<Vec<String>> {
        required_literals(pattern)
            .into_iter()
            .map(|set| {
                let mut set: Vec<String> = set
                    .into_iter()
                    .map(|b| String::from_utf8(b).expect("whole characters"))
                    .collect();
                set.sort();
                set
            })
            .collect()
    }

    #[test]
    fn a_pattern_is_gated_by_how_it_opens_and_how_it_ends() {
        assert_eq!(
            found("(?:開示|訂正)の請求[^。]{0,20}(?:窓口|受付)"),
            // cut at four characters; 「窓口」「受付」 end every match too
            vec![vec!["訂正の請", "開示の請"], vec!["受付", "窓口"]]
        );
    }

    #[test]
    fn a_pattern_opening_with_a_class_is_gated_by_how_it_ends() {
        assert_eq!(
            found("[^。]{0,30}(?:委託先|再委託先)"),
            // 「再委託先」 holds 「委託先」, which opens the gate for both
            vec![vec!["委託先"]]
        );
        // 「の」 is too common to gate by: the ending alone is used
        assert_eq!(found("の[^。]*目的"), vec![vec!["目的"]]);
    }

    #[test]
    fn a_pattern_opening_and_ending_with_classes_is_gated_by_a_literal_inside() {
        assert_eq!(
            found("(?m)^[ \\t]*(?:[^。\\n]{0,30}の)?(?:利用|収集)目的[^。\\n]*$"),
            vec![vec!["目的"]]
        );
        // one inside a repetition or an optional part is no literal every match holds
        let none: Vec<Vec<&str>> = Vec::new();
        assert_eq!(found("[^。]{0,9}(?:個人情報)?[^。]*"), none);
    }

    #[test]
    fn a_pattern_is_cut_at_the_character_none_of_its_matches_holds() {
        assert_eq!(barrier("(?m)^[^。\\n]{0,60}判断"), Some(Barrier::LineBreak));
        assert_eq!(
            barrier("個人情報[^。]{0,150}利用します"),
            Some(Barrier::FullStop)
        );
        // a line's start asserted, the sentence's end crossed: neither
        assert_eq!(barrier("(?m)^[^\\n]*。"), Some(Barrier::LineBreak));
        assert_eq!(barrier("(?m)^.{0,5}[\\s\\S]"), None);
        assert_eq!(barrier("開示\\s*請求"), Some(Barrier::FullStop));
        assert_eq!(barrier("開示[\\s\\S]*。"), None);
        // the text's own start: a piece's start is not it
        assert_eq!(barrier("^第1条"), None);
    }

    #[test]
    fn short_or_unbounded_literals_give_no_gate() {
        let none: Vec<Vec<&str>> = Vec::new();
        assert_eq!(found("(?:の|が)[^。]*(?:に|を)"), none);
        assert_eq!(found(r"\p{Han}+[^。]*\p{Han}"), none);
        // a pattern that may match the empty string has no literal every match holds
        assert_eq!(found("(?:個人情報)?"), none);
        assert_eq!(found("(unclosed"), none);
    }
}
