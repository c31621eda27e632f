//! The only module that speaks to lindera: IPADIC (embedded) plus kiyaku's user
//! dictionary of APPI terms, turned into plain tokens.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use lindera::dictionary::{DictionaryBuilder, DictionaryKind, Lattice, load_embedded_dictionary};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

/// One morpheme. Spans are byte ranges in the text that was tokenised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub surface: compact_str::CompactString,
    /// Base form as the dictionary has it; empty when it has none (`base` then gives the
    /// surface). Dictionary strings are borrowed, not copied: a document has tens of
    /// thousands of tokens.
    lemma: &'static str,
    /// Katakana reading; empty when unknown.
    pub reading: &'static str,
    /// Top-level part of speech: 名詞, 動詞, 助動詞, 助詞 …
    pub pos: &'static str,
    pub span: Range<usize>,
}

impl Token {
    /// Base form (lemma); the surface when the dictionary has none.
    pub fn base(&self) -> &str {
        if self.lemma.is_empty() {
            &self.surface
        } else {
            self.lemma
        }
    }
}

const USER_DICTIONARY: &str = include_str!("../dictionaries/user-dictionary.csv");

fn segmenter() -> &'static Segmenter {
    static SEGMENTER: LazyLock<Segmenter> = LazyLock::new(|| {
        let dictionary = load_embedded_dictionary(DictionaryKind::IPADIC)
            .expect("the IPADIC dictionary is embedded at build time");
        let user = DictionaryBuilder::new((*dictionary.metadata).clone())
            .build_user_dict_from_reader(USER_DICTIONARY.as_bytes())
            .expect("dictionaries/user-dictionary.csv is checked by the test suite");
        Segmenter::new(Mode::Normal, dictionary, Some(user))
    });
    &SEGMENTER
}

/// Surfaces of the user dictionary: the defined terms of the APPI and its guidelines.
pub fn user_terms() -> impl Iterator<Item = &'static str> {
    USER_DICTIONARY
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|t| !t.is_empty())
}

/// Loads the dictionaries now rather than on first use (the language server does
/// this at start-up so the first keystroke is not the slow one).
pub fn warm_up() {
    let _ = segmenter();
}

/// Tokenises `text`. Never fails: text lindera cannot segment yields no tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    tokenize_into(text, 0, &mut tokens);
    tokens
}

/// Tokenises `text`, which starts at byte `offset` of a larger text, appending its tokens
/// (with spans in the larger text) to `out`.
pub fn tokenize_into(text: &str, offset: usize, out: &mut Vec<Token>) {
    if text.is_empty() {
        return;
    }
    let Ok(tokens) = segment(text) else {
        return;
    };
    out.extend(tokens.into_iter().map(|t| {
        let kind = if t.word_id.is_unknown() {
            WordKind::Unknown
        } else if t.word_id.is_system() {
            WordKind::System
        } else {
            WordKind::User
        };
        let fields = word_fields(kind, t.word_id.id());
        Token {
            lemma: fields.base.unwrap_or(""),
            reading: fields.reading.unwrap_or(""),
            pos: fields.pos,
            span: t.byte_start + offset..t.byte_end + offset,
            surface: compact_str::CompactString::from(t.surface.as_ref()),
        }
    }));
}

#[derive(Clone, Copy)]
enum WordKind {
    Unknown,
    System,
    User,
}

/// What kiyaku reads from a dictionary entry; the strings are the dictionary's own.
#[derive(Clone, Copy)]
struct WordFields {
    pos: &'static str,
    base: Option<&'static str>,
    reading: Option<&'static str>,
}

/// The fields of a word, read from the dictionary the first time the word is met on this
/// thread and remembered (a document uses a few thousand distinct words; reading an entry
/// means validating and splitting its bytes).
fn word_fields(kind: WordKind, id: u32) -> WordFields {
    type Words = rustc_hash::FxHashMap<u64, WordFields>;
    thread_local! {
        static WORDS: std::cell::RefCell<Words> = std::cell::RefCell::new(Words::default());
    }
    /// Words remembered per thread before the table is emptied (bounded memory).
    const MAX_WORDS: usize = 200_000;
    WORDS.with(|words| {
        let Ok(mut words) = words.try_borrow_mut() else {
            return read_word_fields(kind, id);
        };
        let key = (kind as u64) << 32 | u64::from(id);
        if let Some(f) = words.get(&key) {
            return *f;
        }
        if words.len() >= MAX_WORDS {
            words.clear();
        }
        let f = read_word_fields(kind, id);
        words.insert(key, f);
        f
    })
}

/// The detail fields, read straight from the dictionary's bytes (what lindera's
/// `Token::details` returns, without materialising a vector). Rows shorter than the
/// schema are padded with "*", as lindera does.
fn read_word_fields(kind: WordKind, id: u32) -> WordFields {
    let segmenter = segmenter();
    let dictionary = &segmenter.dictionary;
    let expected = dictionary
        .metadata
        .dictionary_schema
        .get_custom_fields()
        .len();
    let id = id as usize;
    let mut detail: [&'static str; MAX_FIELDS] = [""; MAX_FIELDS];
    let present = match kind {
        WordKind::Unknown => read_fields(dictionary.unknown_word_details_iter(id), &mut detail),
        WordKind::System => read_fields(dictionary.word_details_iter(id), &mut detail),
        WordKind::User => match &segmenter.user_dictionary {
            Some(user) => read_fields(user.word_details_iter(id), &mut detail),
            // lindera's sentinel for a user word without its dictionary
            None => read_fields(["UNK"].into_iter(), &mut detail),
        },
    };
    let width = present.max(expected);
    let get = |i: usize| -> Option<&'static str> {
        if i < present.min(MAX_FIELDS) {
            Some(detail[i])
        } else if i < width {
            Some("*")
        } else {
            None
        }
    };
    let field = |i: usize| get(i).filter(|d| *d != "*" && !d.is_empty());
    // IPADIC rows have 9 detail fields; user-dictionary rows fewer (pos, …, reading)
    let (base, reading) = if width >= 9 {
        (field(6), field(7))
    } else {
        (None, field(width.saturating_sub(2).max(1)))
    };
    WordFields {
        pos: get(0).map_or("", intern_pos),
        base,
        reading,
    }
}

/// Detail fields read per token (IPADIC has 9).
const MAX_FIELDS: usize = 16;

/// Copies up to `MAX_FIELDS` fields into `out`; returns how many there were.
fn read_fields<'a>(
    fields: impl Iterator<Item = &'a str>,
    out: &mut [&'a str; MAX_FIELDS],
) -> usize {
    let mut n = 0;
    for f in fields {
        if n < MAX_FIELDS {
            out[n] = f;
        }
        n += 1;
    }
    n
}

/// Parts of speech as static strings (they repeat on every token).
fn intern_pos(pos: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "名詞",
        "動詞",
        "形容詞",
        "副詞",
        "助詞",
        "助動詞",
        "記号",
        "接頭詞",
        "連体詞",
        "接続詞",
        "感動詞",
        "フィラー",
        "カスタム名詞",
    ];
    KNOWN
        .iter()
        .copied()
        .find(|k| *k == pos)
        .unwrap_or("その他")
}

/// lindera's segmentation, reusing one lattice per thread (a document is tokenised line
/// by line; a fresh lattice per line would allocate it again every time).
fn segment(text: &str) -> lindera::LinderaResult<Vec<lindera::token::Token<'_>>> {
    thread_local! {
        static LATTICE: std::cell::RefCell<Lattice> = std::cell::RefCell::new(Lattice::default());
    }
    LATTICE.with(|lattice| match lattice.try_borrow_mut() {
        Ok(mut lattice) => segmenter().segment_with_lattice(Cow::Borrowed(text), &mut lattice),
        Err(_) => segmenter().segment(Cow::Borrowed(text)),
    })
}

/// Raw lindera segmentation, for benchmarks that compare against kiyaku's pipeline: the
/// tokens' surfaces and spans, no detail field read (lindera at its fastest, with the
/// same lattice reuse as `tokenize`).
pub fn raw_token_count(text: &str) -> usize {
    segment(text).map_or(0, |t| t.len())
}

/// lindera's tokenisation as its documentation shows it: segmentation, then each token's
/// dictionary fields (`Token::details`: part of speech, conjugation, lemma, reading). This
/// is what any lemma-based tool pays before its own work; benchmarks compare against it
/// as well as against segmentation alone (`raw_token_count`). Returns the number of fields.
pub fn raw_tokens_with_details(text: &str) -> usize {
    segment(text).map_or(0, |mut tokens| {
        tokens.iter_mut().map(|t| t.details().len()).sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward reading through lindera's `Token::get_detail`, which
    /// `tokenize` must reproduce exactly.
    fn tokenize_via_details(text: &str) -> Vec<Fields> {
        let tokens = segmenter().segment(Cow::Borrowed(text)).unwrap();
        tokens
            .into_iter()
            .map(|mut t| {
                let surface = t.surface.to_string();
                let span = t.byte_start..t.byte_end;
                let width = t.details_iter().count();
                let field = |t: &mut lindera::token::Token<'_>, i: usize| {
                    t.get_detail(i)
                        .filter(|d| *d != "*" && !d.is_empty())
                        .map(str::to_string)
                };
                let pos = t.get_detail(0).map_or("", intern_pos);
                let (base, reading) = if width >= 9 {
                    (field(&mut t, 6), field(&mut t, 7))
                } else {
                    (None, field(&mut t, width.saturating_sub(2).max(1)))
                };
                (
                    surface,
                    base.unwrap_or_default(),
                    reading.unwrap_or_default(),
                    pos,
                    span,
                )
            })
            .collect()
    }

    type Fields = (String, String, String, &'static str, Range<usize>);

    fn fields(t: Token) -> Fields {
        (
            t.surface.to_string(),
            t.lemma.to_string(),
            t.reading.to_string(),
            t.pos,
            t.span,
        )
    }

    #[test]
    fn fields_read_as_lindera_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/shared");
        let mut texts = vec![
            "個人情報取扱事業者は、再委託先に匿名加工情報を提供しない。ｘｙｚ１２３ 𠮷野家"
                .to_string(),
        ];
        for e in std::fs::read_dir(root).unwrap() {
            texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
        for text in &texts {
            for line in text.lines().filter(|l| !l.is_empty()) {
                let ours: Vec<Fields> = tokenize(line).into_iter().map(fields).collect();
                assert_eq!(ours, tokenize_via_details(line), "{line}");
            }
        }
    }

    #[test]
    fn lemmas_readings_and_user_terms() {
        let tokens = tokenize("個人情報取扱事業者は、個人データを持ち出してはならない。");
        let surfaces: Vec<_> = tokens.iter().map(|t| t.surface.as_str()).collect();
        assert!(surfaces.contains(&"個人情報取扱事業者"), "{surfaces:?}");
        let verb = tokens.iter().find(|t| t.surface == "持ち出し").unwrap();
        assert_eq!(verb.base(), "持ち出す");
        assert_eq!(verb.reading, "モチダシ");
        let kison: Vec<_> = tokenize("既存")
            .into_iter()
            .chain(tokenize("毀損"))
            .map(|t| t.reading)
            .collect();
        assert_eq!(kison, vec!["キソン", "キソン"]);
    }
}
