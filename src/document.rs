//! A document prepared for checking: decoded text, its normalised form,
//! structure, sentences, tokens and clause units. Built once, shared by every
//! check and by both the command line and the language server.

use crate::resettable::Resettable;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use aho_corasick::AhoCorasick;

use crate::catalog::{Polarity, Scope};
use crate::morphology::{self, Token};
use crate::normalize::{self, Normalized};
use crate::piece_cache::{self, PieceCache, TokenCache};
use crate::rescan::{Hit, Located, Remembered, ScanMemo, Shared};
use crate::structure::{self, Structure, UnitKind};
use crate::text::SourceText;

/// A place where a required clause may stand: one sentence, a list item with
/// the sentence that introduces its list, or a whole article with its caption.
#[derive(Debug, Clone)]
pub struct ClauseUnit {
    pub scope: Scope,
    /// Normalised byte ranges that make up the unit (lead-in first).
    pub segments: Vec<Range<usize>>,
    /// The part reported to the user (the item or the sentence itself).
    pub focus: Focus,
    pub polarity: Polarity,
}

/// Where a clause unit is reported, kept as it was found: most units are found as normalised
/// ranges and only the few that a verdict names are ever shown, so the range is mapped to the
/// original bytes when asked (`ClauseUnit::focus_in`) rather than for every unit of the
/// document (on a large document each mapping is a cache miss in the offset map).
#[derive(Debug, Clone)]
pub enum Focus {
    /// A range of the normalised text.
    Normalized(Range<usize>),
    /// A range of the original text (a structure unit's header, a line of the source).
    Original(Range<usize>),
}

impl ClauseUnit {
    /// The part reported to the user, in original bytes.
    pub fn focus_in(&self, doc: &Document) -> Range<usize> {
        match &self.focus {
            Focus::Normalized(range) => doc.original(range.clone()),
            Focus::Original(range) => range.clone(),
        }
    }
}

pub struct Document {
    pub source: SourceText,
    /// Shared with the open document's memo (`AnalysisCache::last_normalized`).
    pub normalized: Arc<Normalized>,
    pub structure: Structure,
    /// Tokens of the normalised text; spans are normalised byte ranges. Shared with the
    /// open document's memo (`ScanMemos::tokens`), which splices them after an edit; a
    /// language server's report lets go of them once checked (`Engine`), so that the
    /// splice is made in place.
    pub tokens: Arc<Vec<Token>>,
    /// Sentences as normalised byte ranges. A sentence never crosses a line break, so the
    /// open document's memo (`ScanMemos::sentences`) splits only the lines an edit changed
    /// (in place, as for the tokens, once the report lets go of them).
    pub sentences: Arc<Vec<Range<usize>>>,
    /// The clause units (`units`) and the caption units (`caption_units`), made when the
    /// catalogs first ask for them: only the catalogs' judgement reads them, so the
    /// language server makes them beside the consistency checks.
    clause_units: std::sync::OnceLock<ClauseUnits>,
    /// The polarity markers the clause units are judged by.
    markers: MarkerIndex,
    /// The open document's scans remembered between analyses (the language server), with
    /// this analysis's normalised text shared with them; dropped once the document is
    /// checked.
    pub rescans: Option<Rescans>,
}

/// What a document's scans need to be redone only where it changed (`rescan`).
pub struct Rescans {
    cache: Arc<AnalysisCache>,
    text: Shared,
    /// The source text, shared with the memos of it (the normalised text, the structure
    /// parser's lines, `source_memo`): compared with the last text once an analysis.
    source: Shared,
}

/// A document's clause units and caption units.
struct ClauseUnits {
    units: Vec<ClauseUnit>,
    caption_units: Vec<ClauseUnit>,
}

impl Document {
    /// The places where a required clause may stand.
    pub fn units(&self) -> &[ClauseUnit] {
        &self.clause_units().units
    }

    /// In a page without numbered units, each caption line read with a sentence under it
    /// (「個人情報の利用目的」 over 「…ご送付に利用いたします。」), as a heading reads; and an
    /// article that is only its label and caption (「第2条（利用目的）」) read with each of its
    /// own sentences: units that may meet an item, but not a conflict (a caption names a
    /// section's topics, not what each sentence under it says of them).
    pub fn caption_units(&self) -> &[ClauseUnit] {
        &self.clause_units().caption_units
    }

    fn clause_units(&self) -> &ClauseUnits {
        self.clause_units.get_or_init(|| {
            let (units, caption_units) = build_units(self, &self.markers);
            ClauseUnits {
                units,
                caption_units,
            }
        })
    }

    /// The memo of a catalog's `re:` term, with this analysis's normalised text; none on
    /// the command line.
    pub fn pattern_memo(&self, term: &str) -> Option<(Arc<PatternMemo>, &Shared)> {
        self.rescans
            .as_ref()
            .map(|r| (r.cache.scans.pattern(term), &r.text))
    }

    /// The memo of one scan, with this analysis's normalised text, for `rescan::scan_with`;
    /// none on the command line.
    pub fn memo<K, T>(
        &self,
        of: impl FnOnce(&ScanMemos) -> &ScanMemo<K, T>,
    ) -> Remembered<'_, K, T> {
        self.rescans.as_ref().map(|r| (of(&r.cache.scans), &r.text))
    }

    /// Like `memo`, for a scan of the source text rather than the normalised text.
    pub fn source_memo<K, T>(
        &self,
        of: impl FnOnce(&SourceScans) -> &ScanMemo<K, T>,
    ) -> Remembered<'_, K, T> {
        self.rescans
            .as_ref()
            .map(|r| (of(&r.cache.source_scans), &r.source))
    }
}

impl Document {
    pub fn new(text: String) -> Self {
        Self::build(text, None)
    }

    /// What remains of a document once checked, for a report that outlives it: only the
    /// source excerpt its findings point at; no normalised text, structure or tokens.
    pub fn excerpt(source: SourceText) -> Self {
        Document {
            source,
            normalized: Arc::new(normalize::normalize("")),
            structure: Structure::default(),
            tokens: Arc::default(),
            sentences: Arc::default(),
            clause_units: std::sync::OnceLock::new(),
            markers: MarkerIndex {
                found: Arc::default(),
            },
            rescans: None,
        }
    }

    /// Like `new`, reusing what was made of the pieces seen before (their tokens, their
    /// lines normalised), and parsing the structure on another thread meanwhile (the
    /// language server).
    pub fn with_cache(text: String, cache: &Arc<AnalysisCache>) -> Self {
        Self::build(text, Some(cache))
    }

    fn build(text: String, cache: Option<&Arc<AnalysisCache>>) -> Self {
        let source = SourceText::new(text);
        let (normalized, structure, tokens, sentences, markers, rescans) = match cache {
            // the language server: the structure is parsed beside the rest (on rayon's
            // threads), for the latency of one document
            Some(cache) => {
                let source_text = Shared::new(source.as_str().into());
                let ((normalized, tokens, sentences, markers, shared), structure) = rayon::join(
                    || {
                        // only the lines an edit changed are normalised again (or found
                        // in the cache of lines)
                        let normalized = cache.last_normalized.normalize(&source_text, |line| {
                            cache.normalized.get_or_compute(line, normalize::normalize)
                        });
                        let shared = Shared::new(normalized.text.as_str().into());
                        // tokens never cross a line: only the changed lines are tokenised
                        // again (or found in the cache of pieces)
                        let tokens = cache.scans.tokens.hits(&shared, &(), |lines| {
                            let mut tokens = tokenize_lines(
                                &normalized.text[lines.clone()],
                                Some(&cache.tokens),
                            );
                            for t in &mut tokens {
                                t.shift(lines.start as isize);
                            }
                            tokens
                        });
                        let sentences = cache.scans.sentences.hits(&shared, &(), |lines| {
                            split_sentences(&normalized.text, lines)
                        });
                        let markers = MarkerIndex::new(
                            &normalized.text,
                            Some((&cache.scans.markers, &shared)),
                        );
                        (normalized, tokens, sentences, markers, shared)
                    },
                    || {
                        structure::parse_with(
                            &source,
                            Some(structure::ParseMemo {
                                classified: &cache.classified,
                                lines: &cache.lines,
                                text: &source_text,
                            }),
                        )
                    },
                );
                let rescans = Rescans {
                    cache: cache.clone(),
                    text: shared,
                    source: source_text,
                };
                (
                    normalized,
                    structure,
                    tokens,
                    sentences,
                    markers,
                    Some(rescans),
                )
            }
            None => {
                let normalized = Arc::new(normalize::normalize(source.as_str()));
                let structure = structure::parse(&source);
                let tokens = Arc::new(tokenize_lines(&normalized.text, None));
                let sentences =
                    Arc::new(split_sentences(&normalized.text, 0..normalized.text.len()));
                let markers = MarkerIndex::new(&normalized.text, None);
                (normalized, structure, tokens, sentences, markers, None)
            }
        };
        Document {
            source,
            normalized,
            structure,
            tokens,
            sentences,
            clause_units: std::sync::OnceLock::new(),
            markers,
            rescans,
        }
    }

    /// Original byte range of a normalised range.
    pub fn original(&self, range: Range<usize>) -> Range<usize> {
        self.normalized.origin_range(range)
    }

    /// Normalised byte range of an original range.
    pub fn normalized_range(&self, range: Range<usize>) -> Range<usize> {
        self.normalized.to_normalized(range.start)..self.normalized.to_normalized(range.end)
    }

    /// The tokens that start within the normalised byte range `range`.
    pub fn tokens_in(&self, range: Range<usize>) -> &[Token] {
        &self.tokens[self.token_at(range.start)..self.token_at(range.end)]
    }

    /// Index of the first token starting at or after normalised byte `offset`.
    pub fn token_at(&self, offset: usize) -> usize {
        self.tokens.partition_point(|t| t.span.start < offset)
    }
}

/// Everything the language server remembers of one open document's pieces
/// (`piece_cache`): its tokens per piece, each line normalised and each line's structure
/// classification. Dropped with the document when it closes.
pub struct AnalysisCache {
    pub tokens: TokenCache,
    /// Each line's normalised text and map (normalisation never looks past a line break).
    pub normalized: PieceCache<Normalized>,
    /// How each line classifies for the structure parser.
    pub classified: structure::ClassifiedLines,
    /// The lines as the structure parser last read them.
    pub lines: structure::LineMemo,
    /// The text last normalised, and what that gave.
    pub last_normalized: normalize::LastNormalized,
    /// The scans of the normalised text, redone only where it changed.
    pub scans: ScanMemos,
    /// The scans of the source text, redone only where it changed.
    pub source_scans: SourceScans,
}

/// The scans of an open document's source text that are redone only where it changed.
#[derive(Default)]
pub struct SourceScans {
    /// The brackets of `bracket`.
    pub brackets: ScanMemo<(), Hit<()>>,
}

/// The scans of an open document that are redone only where it changed: their hits in the
/// text they last scanned (`rescan::ScanMemo`).
#[derive(Default)]
pub struct ScanMemos {
    /// The catalog terms matched as text, under the number of the term set scanned for.
    pub terms: ScanMemo<u64, Hit<u32>>,
    /// The defined terms' occurrences, under the terms scanned for.
    pub defined_terms: ScanMemo<Vec<String>, Hit<u32>>,
    /// The self-names (当社, 弊社 …) of `defined-term`, by their number.
    pub self_names: ScanMemo<(), Hit<u32>>,
    /// The outdated references (entry number, and whether by the law's abbreviation), under
    /// whether the document abbreviates the law.
    pub outdated: ScanMemo<bool, Hit<(u32, bool)>>,
    /// The typos of fixed phrases (pattern number).
    pub typos: ScanMemo<(), Hit<u32>>,
    /// The tokens that are a word of a fixed phrase (the phrase's number, the word's place
    /// among its words).
    pub phrase_words: ScanMemo<(), Hit<(u32, u32)>>,
    /// The nouns read as a word of a fixed phrase and written otherwise (the phrase's
    /// number, the word's place among its words).
    pub same_readings: ScanMemo<(), Hit<(u32, u32)>>,
    /// The document's tokens (each piece's from `AnalysisCache::tokens`).
    pub tokens: ScanMemo<(), Token>,
    /// The catalog terms matched on tokens (the term's number in its term set), under the
    /// term set's number.
    pub lemma_terms: ScanMemo<u64, Hit<u32>>,
    /// The polarity markers of clauses.
    pub markers: ScanMemo<(), Hit<Polarity>>,
    /// The words of a sentence that refers the reader elsewhere.
    pub referrals: ScanMemo<(), Hit<()>>,
    /// The template placeholders (〇〇, 【会社名】 …).
    pub placeholders: ScanMemo<(), Hit<()>>,
    /// The sentences (`Document::sentences`).
    pub sentences: ScanMemo<(), Range<usize>>,
    /// The focus terms of the values `value-mismatch` reads (the term's number).
    pub value_focus: ScanMemo<(), Hit<u32>>,
    /// The catalogs' `re:` terms that find only what lies within one line, by term.
    patterns: std::sync::Mutex<rustc_hash::FxHashMap<String, Arc<PatternMemo>>>,
}

/// The memo of one catalog `re:` term: where it matches.
pub type PatternMemo = ScanMemo<(), Hit<()>>;

impl ScanMemos {
    /// The memo of the `re:` term `term`.
    fn pattern(&self, term: &str) -> Arc<PatternMemo> {
        let mut patterns = self.patterns.lock().unwrap_or_else(|p| p.into_inner());
        match patterns.get(term) {
            Some(memo) => memo.clone(),
            None => patterns.entry(term.to_string()).or_default().clone(),
        }
    }
}

impl Located for Token {
    fn start(&self) -> usize {
        self.span.start
    }

    fn shift(&mut self, by: isize) {
        self.span = self.span.start.wrapping_add_signed(by)..self.span.end.wrapping_add_signed(by);
    }
}

/// Bytes of normalised-line cache per byte of text: the text and a map of 8 bytes per byte,
/// twice over.
const NORMALIZED_BYTES_PER_TEXT_BYTE: usize = 20;

/// Bytes of classified-line cache per byte of text: a key of the line's size and a small
/// value, twice over.
const CLASSIFIED_BYTES_PER_TEXT_BYTE: usize = 4;

impl Default for AnalysisCache {
    fn default() -> Self {
        Self {
            tokens: TokenCache::default(),
            normalized: PieceCache::new(
                piece_cache::DEFAULT_BUDGET / 2,
                NORMALIZED_BYTES_PER_TEXT_BYTE,
            ),
            classified: PieceCache::new(
                piece_cache::DEFAULT_BUDGET / 8,
                CLASSIFIED_BYTES_PER_TEXT_BYTE,
            ),
            lines: structure::LineMemo::default(),
            last_normalized: normalize::LastNormalized::default(),
            scans: ScanMemos::default(),
            source_scans: SourceScans::default(),
        }
    }
}

impl AnalysisCache {
    /// Every cache's budget set for a document of `text_bytes` (`PieceCache::fit_to`).
    pub fn fit_to(&self, text_bytes: usize) {
        self.tokens.fit_to(text_bytes);
        self.normalized.fit_to(text_bytes);
        self.classified.fit_to(text_bytes);
    }
}

/// Tokenises line by line: lines are independent for lindera's lattice in
/// legal text, and this keeps memory flat and allows per-line caching.
fn tokenize_lines(text: &str, cache: Option<&TokenCache>) -> Vec<Token> {
    // about one token per two characters of Japanese (three bytes each)
    let mut tokens = Vec::with_capacity(text.len() / 6);
    let Some(cache) = cache else {
        for (start, piece) in pieces_of(text) {
            morphology::tokenize_into(piece, start, &mut tokens);
        }
        return tokens;
    };
    // the pieces the cache does not hold (all of them when a document is opened) are
    // tokenised on rayon's threads; the tokens are put together in the order of the text
    use rayon::prelude::*;
    let pieces: Vec<(usize, &str)> = pieces_of(text).collect();
    let tokenised: Vec<std::sync::Arc<Vec<Token>>> = pieces
        .par_iter()
        .with_min_len(64)
        .map(|(_, piece)| cache.tokens(piece))
        .collect();
    for ((start, _), piece_tokens) in pieces.iter().zip(&tokenised) {
        tokens.extend(piece_tokens.iter().map(|t| {
            let mut t = t.clone();
            t.span = t.span.start + start..t.span.end + start;
            t
        }));
    }
    tokens
}

/// The pieces of every line of `text` (line breaks left out), with their byte offsets.
fn pieces_of(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').flat_map(move |line| {
        let content = line.trim_end_matches(['\n', '\r']);
        let mut piece_start = start;
        start += line.len();
        pieces(content).map(move |piece| {
            let at = piece_start;
            piece_start += piece.len();
            (at, piece)
        })
    })
}

/// Lines longer than this are tokenised in pieces.
const PIECE_BYTES: usize = 4096;

/// A line cut into the pieces it is tokenised in: a line up to `PIECE_BYTES` is one piece; a
/// longer one is cut after each 。 (a run of more than `PIECE_BYTES` without one, after its
/// last 、 within that many bytes, or at a character boundary). lindera's lattice grows with
/// the text it is given, and a pasted contract without line breaks would otherwise be one
/// lattice of megabytes; and a keystroke in such a line changes one sentence, the piece the
/// language server's token cache tokenises again (what it holds for the line grows with the
/// sentence, not with the line). A sentence end is a boundary the segmentation does not
/// cross, so the tokens are those of the whole line.
fn pieces(line: &str) -> impl Iterator<Item = &str> {
    let long = line.len() > PIECE_BYTES;
    let mut rest = line;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if !long {
            return Some(std::mem::take(&mut rest));
        }
        let mut limit = PIECE_BYTES.min(rest.len());
        while !rest.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = &rest[..limit];
        let cut = window
            .find('。')
            .map(|i| i + '。'.len_utf8())
            .or_else(|| {
                (limit < rest.len())
                    .then(|| window.rfind('、').map(|i| i + '、'.len_utf8()))
                    .flatten()
            })
            .filter(|&i| i > 0)
            .unwrap_or(limit);
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

/// The sentences of `text` within `lines` (whole lines). Sentences end at 。 outside
/// brackets (「…という。」 and （…含む。） stay inside their sentence) and at line ends
/// (headings and list items are lines).
fn split_sentences(text: &str, lines: Range<usize>) -> Vec<Range<usize>> {
    // the only characters that matter, found in one vectorised pass
    static BOUNDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new(["(", "「", "『", "[", ")", "」", "』", "]", "。", "\n"])
            .expect("sentence bounds")
    });
    let mut out = Vec::new();
    let mut start = lines.start;
    let mut depth = 0usize;
    for m in BOUNDS.find_iter(aho_corasick::Input::new(text).span(lines.clone())) {
        let i = m.start();
        let end = match m.pattern().as_usize() {
            0..4 => {
                depth += 1;
                continue;
            }
            4..8 => {
                depth = depth.saturating_sub(1);
                continue;
            }
            8 if depth == 0 => m.end(),
            9 => {
                depth = 0;
                i
            }
            _ => continue,
        };
        push_trimmed(text, start..end, &mut out);
        start = m.end();
    }
    push_trimmed(text, start..lines.end, &mut out);
    out
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        out.push(range.start + lead..range.start + lead + trimmed.len());
    }
}

/// Lines before the first unit that still make one preamble.
const PREAMBLE_LINES: usize = 20;

/// The clause units and the caption units (`Document::caption_units`) of a document, with
/// its polarity markers (found in one scan, beside the structure's parse).
fn build_units(doc: &Document, markers: &MarkerIndex) -> (Vec<ClauseUnit>, Vec<ClauseUnit>) {
    let text = &doc.normalized.text;
    let mut captioned = caption_units(doc, markers);
    let mut units: Vec<ClauseUnit> = doc
        .sentences
        .iter()
        .map(|s| ClauseUnit {
            scope: Scope::Sentence,
            segments: vec![s.clone()],
            focus: Focus::Normalized(s.clone()),
            polarity: markers.polarity(s),
        })
        .collect();
    // A proviso (ただし…この限りでない) or a follow-up (この場合…) belongs to the sentence before it;
    // the main sentence decides the polarity.
    for pair in doc.sentences.windows(2) {
        let next = &text[pair[1].clone()];
        if crate::vocabulary::vocabulary()
            .polarity
            .proviso_openers
            .iter()
            .any(|p| next.starts_with(p.as_str()))
        {
            units.push(ClauseUnit {
                scope: Scope::Sentence,
                segments: std::iter::once(pair[0].start..pair[1].end).collect(),
                focus: Focus::Normalized(pair[0].start..pair[1].end),
                polarity: markers.polarity(&pair[0]),
            });
        }
    }
    // An objection with no object of its own answers the sentence before it on the same line
    // (「サブプロセッサの追加・変更時は委託元に通知する。委託元は、合理的な理由がある場合、
    // 書面で異議を申し立てることができる。」): read together, the objection is to that change;
    // so does a sentence on what follows when the reader does not give what was asked.
    for pair in doc.sentences.windows(2) {
        let between = &text[pair[0].end..pair[1].start];
        let next = &text[pair[1].clone()];
        if !between.contains('\n')
            && (objects_to_what_came_before(next) || opens_on_what_was_not_given(next))
        {
            units.push(ClauseUnit {
                scope: Scope::Sentence,
                segments: std::iter::once(pair[0].start..pair[1].end).collect(),
                focus: Focus::Normalized(pair[0].start..pair[1].end),
                polarity: markers.polarity(&pair[0]),
            });
        }
    }
    units.extend(captioned_sentences(doc, markers));
    units.extend(captioned_lists(doc, markers));
    let s = &doc.structure;
    // the lead-in of the list whose items are being read: (its parent unit, the lead-in)
    let mut lead_of: Option<(usize, Option<Range<usize>>)> = None;
    for unit in &s.units {
        // 附則 made of articles of its own (a regulation's transitional provisions) is read
        // article by article, not as one block of all of them
        if unit.kind == UnitKind::Supplementary && !unit.children.is_empty() {
            continue;
        }
        let own_end = s.own_end(unit);
        match unit.kind {
            UnitKind::Item | UnitKind::SubItem => {
                // the item (with its caption text) and the sentence that introduces its list
                let mut item = doc.normalized_range(unit.header.start..own_end);
                let header_end = doc.normalized.to_normalized(unit.header.end);
                let bullets = bullet_lines(text, header_end, item.end);
                if !bullets.is_empty() {
                    // a heading over a bulleted list: each bullet is a unit with the heading
                    // as its lead-in, and the heading alone stands for the item
                    item.end = header_end;
                    for line in bullets {
                        let segments = vec![item.clone(), line];
                        units.push(ClauseUnit {
                            scope: Scope::Sentence,
                            focus: Focus::Normalized(segments[1].clone()),
                            polarity: markers.polarity_joined(text, &segments),
                            segments,
                        });
                    }
                }
                let mut segments = Vec::new();
                // every item of a list has the same lead-in: it is looked up once a list
                if let Some(parent) = unit.parent {
                    if lead_of.as_ref().is_none_or(|(p, _)| *p != parent) {
                        lead_of = Some((parent, lead_in(doc, parent)));
                    }
                    segments.extend(lead_of.as_ref().and_then(|(_, lead)| lead.clone()));
                }
                segments.push(item.clone());
                units.push(ClauseUnit {
                    scope: Scope::Sentence,
                    focus: Focus::Normalized(item),
                    polarity: markers.polarity_joined(text, &segments),
                    segments,
                });
            }
            // (附則, the supplementary provisions: a notice's may hold its contact, 「（附則）
            // 本ポリシーに関するお問い合わせは、電子メール（…）へお願いいたします」)
            UnitKind::Article
            | UnitKind::Heading
            | UnitKind::Section
            | UnitKind::Subsection
            | UnitKind::Supplementary
            | UnitKind::Paragraph => {
                let whole = doc.normalized_range(unit.span.clone());
                // the header line and the end of the unit's own text, normalised: where a
                // caption's units begin and end
                let header = doc.normalized_range(unit.header.clone());
                let own_end = doc.normalized_range(unit.header.start..own_end).end;
                // a notice's last numbered heading runs on over sections headed without a
                // number (「著作権について」「SSLについて」): each is a division of its own
                let blocks = if unit.kind == UnitKind::Heading && unit.children.is_empty() {
                    let body = doc.normalized_range(unit.header.clone()).end..whole.end;
                    caption_blocks(text, body, true)
                } else {
                    Vec::new()
                };
                if let Some(first) = blocks.first() {
                    let own = whole.start..first.start;
                    units.push(ClauseUnit {
                        scope: Scope::Article,
                        segments: vec![own.clone()],
                        focus: Focus::Original(unit.header.clone()),
                        polarity: markers.polarity(&own),
                    });
                    units.extend(block_units(doc, markers, &blocks));
                } else if unit.kind != UnitKind::Paragraph {
                    units.push(ClauseUnit {
                        scope: Scope::Article,
                        segments: vec![whole.clone()],
                        focus: Focus::Original(unit.header.clone()),
                        polarity: markers.polarity(&whole),
                    });
                }
                let caption_only = unit.kind == UnitKind::Article
                    && unit.caption_range.is_none()
                    && unit.caption.as_deref().is_some_and(|caption| {
                        // the header is the label and the caption alone (「第2条（…）」)
                        let header = doc.source.as_str()[unit.header.clone()].trim();
                        header.contains(caption)
                            && header.chars().count()
                                <= unit.label.chars().count() + caption.chars().count() + 3
                    });
                if caption_only {
                    // its own sentences, before any paragraph, read with the caption as a
                    // page's caption reads (「第2条（利用目的）」 over 「本サービスの提供・運用、
                    // 料金請求、…」): they may meet an item, and are no conflict (a caption
                    // names the article's topic, not what each sentence says of it)
                    captioned.extend(caption_with_sentences(
                        doc,
                        markers,
                        header.clone(),
                        own_end,
                    ));
                }
                if caption_only
                    && unit.children.first().is_some_and(|&c| {
                        s.units[c].kind == UnitKind::Paragraph
                            && text[doc.normalized_range(unit.header.end..s.units[c].span.start)]
                                .trim()
                                .is_empty()
                    })
                {
                    // an article that is its caption over numbered paragraphs and nothing else
                    // (「第2条（個人情報の利用目的）」 over 「1. ご本人確認のため」 …, 「第4条（第三者
                    // 提供）」 over the exceptions): each paragraph reads with the caption, which is
                    // its only lead-in
                    for &c in &unit.children {
                        let child = &s.units[c];
                        if child.kind != UnitKind::Paragraph {
                            continue;
                        }
                        let own = doc.normalized_range(child.header.start..s.own_end(child));
                        units.push(ClauseUnit {
                            scope: Scope::Sentence,
                            focus: Focus::Normalized(own.clone()),
                            polarity: markers.polarity(&own),
                            segments: vec![header.clone(), own],
                        });
                    }
                }
                if unit.kind == UnitKind::Heading {
                    // a notice's heading 「2. 利用目的」 reads with each sentence under it
                    units.extend(caption_with_sentences(doc, markers, header, own_end));
                }
            }
            _ => {}
        }
    }
    // The preamble (title, parties, the company's name) before the first unit is a unit of its
    // own; a long text before the first recognised unit is an outline kiyaku could not read,
    // not one clause.
    let first_root = s.roots.first().map(|&i| s.units[i].span.start);
    if let Some(first) =
        first_root.filter(|&start| start > 0 && doc.source.line_of(start) <= PREAMBLE_LINES)
    {
        let preamble = doc.normalized_range(0..first);
        units.push(ClauseUnit {
            scope: Scope::Article,
            segments: vec![preamble.clone()],
            focus: Focus::Original(0..doc.source.line_range(0).end),
            polarity: markers.polarity(&preamble),
        });
    } else if let Some(first) = first_root.filter(|&start| start > 0) {
        // a long text before the first recognised unit, when it is a page of sections headed
        // by caption lines without numbers (「個人情報の取得」「個人情報に対する安全対策の
        // 実施」…, then a lettered list) saved one line a paragraph, is read section by section;
        // with blank lines in it, it stays an outline kiyaku could not read
        let before = doc.normalized_range(0..first);
        let blank_line = text[before.clone()].lines().any(|l| l.trim().is_empty());
        let blocks = if blank_line {
            Vec::new()
        } else {
            caption_blocks(text, before, false)
        };
        if blocks.len() >= 2 {
            units.extend(block_units(doc, markers, &blocks));
        }
    }
    if let Some(closing) = &s.closing {
        let whole = doc.normalized_range(closing.clone());
        units.push(ClauseUnit {
            scope: Scope::Article,
            segments: vec![whole.clone()],
            focus: Focus::Original(doc.source.line_range(doc.source.line_of(closing.start))),
            polarity: markers.polarity(&whole),
        });
    }
    if !s
        .units
        .iter()
        .any(|u| matches!(u.kind, UnitKind::Article | UnitKind::Heading))
    {
        // Without articles or headings, the top-level list items are the document's divisions
        for &root in &s.roots {
            let whole = doc.normalized_range(s.units[root].span.clone());
            units.push(ClauseUnit {
                scope: Scope::Article,
                segments: vec![whole.clone()],
                focus: Focus::Original(s.units[root].header.clone()),
                polarity: markers.polarity(&whole),
            });
        }
    }
    if s.units.is_empty() {
        // An unstructured document is one article.
        let whole = 0..text.len();
        units.push(ClauseUnit {
            scope: Scope::Article,
            segments: vec![whole.clone()],
            focus: Focus::Original(0..doc.source.line_range(0).end),
            polarity: markers.polarity(&whole),
        });
    }
    (units, captioned)
}

/// Longest list entry read under a caption, in characters.
const LIST_ENTRY_CHARS: usize = 60;

/// Most entries read under one caption.
const LIST_ENTRIES: usize = 20;

/// Whether a line opens as a list entry: a bullet (・ ■ - …) or a number (1. (1) ① 一、).
pub(crate) fn starts_as_list_entry(line: &str) -> bool {
    static LABEL: Resettable<regex::Regex> = Resettable::new(|| {
        regex::Regex::new(
            r"^(?:[・\-*●○■□◆◇•※]|\d{1,2}[.)．]|\(\d{1,2}\)|[①-⑳]|[一二三四五六七八九十]、)",
        )
        .expect("static regex")
    });
    let line = line.trim_start();
    // the label's first character, checked before the pattern is fetched (most lines of a
    // document open with none of them): a bullet, a note mark, a digit or circled number
    // (numeric), a parenthesis or a kanji numeral
    let opens = line
        .chars()
        .next()
        .is_some_and(|c| c.is_numeric() || "・-*●○■□◆◇•※(一二三四五六七八九十".contains(c));
    opens && LABEL.get().is_match(line)
}

/// The marks that open the lines of an unnumbered list.
pub(crate) const LIST_BULLETS: [char; 10] = ['・', '-', '*', '●', '○', '■', '□', '◆', '◇', '•'];

/// Whether a line opens with a bullet (・ ■ - …) or a note mark (※), not a number.
fn starts_with_bullet(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with(LIST_BULLETS) || line.starts_with('※')
}

/// A caption line followed by a list of entries that are not sentences (「個人情報の利用目的」
/// over 「・サービスの提供・運営」「・お問い合わせ対応」…, a web page's heading over its list):
/// one unit, the caption and its entries as one piece, since the entries say nothing without
/// the caption. Lists made of sentences are read sentence by sentence as before.
fn captioned_lists(doc: &Document, markers: &MarkerIndex) -> Vec<ClauseUnit> {
    let text = &doc.normalized.text;
    let lines: Vec<Range<usize>> = non_empty_lines(text, 0..text.len())
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    // (a line that is a caption in brackets, 「（第三者への提供について）」, heads the next part)
    let entry = |t: &str| {
        !t.contains('。') && t.chars().nth(LIST_ENTRY_CHARS).is_none() && !bracketed_caption(t)
    };
    // what is asked of a line, read once: a caption is asked of its entries, and an entry
    // is asked again as the caption of the entries after it
    const READ: u8 = 1;
    const ENTRY: u8 = 2;
    const MARKED: u8 = 4;
    const BULLETED: u8 = 8;
    let read: Vec<std::cell::Cell<u8>> = vec![std::cell::Cell::new(0); lines.len()];
    let is = |line: usize, what: u8| {
        let mut facts = read[line].get();
        if facts & READ == 0 {
            let t = &text[lines[line].clone()];
            facts = READ
                | if entry(t) { ENTRY } else { 0 }
                | if starts_as_list_entry(t) { MARKED } else { 0 }
                | if starts_with_bullet(t) { BULLETED } else { 0 };
            read[line].set(facts);
        }
        facts & what != 0
    };
    let mut units = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let caption = &text[lines[i].clone()];
        // a comma is allowed in a caption that ends in a noun (「本アプリが収集、送信する情報の
        // 利用目的」), not in one that reads as a clause; most lines of a document are no
        // caption, and nothing more is read of them
        let is_caption = caption.chars().nth(BLOCK_CAPTION_CHARS).is_none()
            && !caption.contains('。')
            && (!caption.contains('、') || ends_in_noun(caption))
            && !caption.starts_with('第');
        // or one sentence that announces the entries under it (「当社は、次の各号のいずれかに
        // 該当すると認める場合は、…第三者に提供する場合があります。」 over 「本人から同意を得た
        // 場合」「法令に基づく場合」), whose entries carry no marks
        let lead_in = !is_caption && announces_a_list(caption);
        if !is_caption && !lead_in {
            i += 1;
            continue;
        }
        // a numbered heading (「3. 個人情報の利用目的」) is a caption over bulleted entries
        let numbered = is(i, MARKED) && !is(i, BULLETED);
        // under a numbered heading, the next numbered line is the next heading
        let run = (i + 1..lines.len())
            .take(LIST_ENTRIES)
            .take_while(|&e| is(e, ENTRY) && !(numbered && is(e, MARKED) && !is(e, BULLETED)))
            .count();
        if run < 2 {
            i += 1;
            continue;
        }
        let entries = i + 1..i + 1 + run;
        let listed = if lead_in {
            false
        } else if numbered {
            entries.clone().filter(|&e| is(e, BULLETED)).count() >= 2
        } else {
            !is(i, MARKED) && entries.clone().filter(|&e| is(e, MARKED)).count() >= 2
        };
        // or a list written without marks: noun phrases one a line (「入所待機状況の管理」), two
        // or more, not a contact block (numbers, addresses, mail, a colon's field); the list
        // ends where such a block begins (「利用目的」 over its entries, then 「お問合せ窓口」 over
        // 「〒107-0052」), its caption with it
        let (listed, run) = if listed {
            (true, run)
        } else {
            let phrases = entries
                .clone()
                .take_while(|&e| !is(e, MARKED) && noun_phrase(&text[lines[e].clone()]))
                .count();
            let breaker = i + 1 + phrases;
            if phrases == run {
                (true, run)
            } else if !is(breaker, MARKED) {
                // (a contact block's first line broke it, not the next numbered heading)
                let kept = phrases.saturating_sub(1);
                (kept >= 2, kept)
            } else {
                (false, run)
            }
        };
        if listed {
            let whole = lines[i].start..lines[i + run].end;
            units.push(ClauseUnit {
                scope: Scope::Sentence,
                segments: vec![whole.clone()],
                focus: Focus::Normalized(lines[i].clone()),
                polarity: markers.polarity(&whole),
            });
            i += run + 1;
        } else {
            i += 1;
        }
    }
    units
}

/// Whether a line is one sentence that announces a list under it: it ends at its only 「。」,
/// is at most `LEAD_IN_CHARS` characters long, and names the entries to come (次の, 以下の,
/// 下記の, 各号).
fn announces_a_list(line: &str) -> bool {
    let line = line.trim_end();
    line.ends_with('。')
        && line.matches('。').count() == 1
        && line.chars().nth(LEAD_IN_CHARS).is_none()
        && ["次の", "以下の", "下記の", "各号"]
            .iter()
            .any(|w| line.contains(w))
}

/// Longest sentence read as the lead-in of an unmarked list under it, in characters.
const LEAD_IN_CHARS: usize = 150;

/// Whether a line reads as a noun phrase standing alone, as an unmarked list's entry does
/// (「面談・見学の日程調整など、お申し込みに関するご連絡」, or a purpose 「広告を表示するため」,
/// also with a note in brackets after it: 「広告の配信・広告パフォーマンスの測定（AdMob 経由）」):
/// it ends in a kanji or katakana word or in 「ため」, and holds none of a contact block's marks
/// (a colon, a mail address, a postal mark, a number of three digits or more, a digit joined to
/// a hyphen as in 「1-2-3」); a count such as 「1日あたりのプレイ回数」 is no contact.
fn noun_phrase(line: &str) -> bool {
    let line = line.trim_end();
    let phrase = without_trailing_note(line);
    (ends_in_noun(phrase) || phrase.ends_with("ため"))
        && !line.contains([':', '@', '〒'])
        && !holds_a_contact_number(line)
}

/// `line` without a note in round brackets at its end (normalised text holds ASCII ones),
/// when something stands before it.
fn without_trailing_note(line: &str) -> &str {
    line.strip_suffix(')')
        .and_then(|inner| inner.rfind('('))
        .map(|open| line[..open].trim_end())
        .filter(|before| !before.is_empty())
        .unwrap_or(line)
}

/// Whether a line holds a number of three digits or more, or a digit next to a hyphen: the
/// marks of a telephone number, a postal code or a street address.
fn holds_a_contact_number(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            run += 1;
            let hyphen_next = bytes.get(i + 1) == Some(&b'-');
            let hyphen_before = i > 0 && bytes[i - 1] == b'-';
            if run >= 3 || hyphen_next || hyphen_before {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Whether a line is a caption wrapped in brackets and nothing else (「（利用目的について）」,
/// 「【第三者提供】」; normalised text holds ASCII parentheses).
fn bracketed_caption(line: &str) -> bool {
    let line = line.trim();
    [('(', ')'), ('【', '】'), ('〔', '〕')]
        .iter()
        .any(|&(open, close)| {
            line.starts_with(open)
                && line.ends_with(close)
                && line[open.len_utf8()..line.len() - close.len_utf8()]
                    .chars()
                    .all(|c| c != open && c != close)
        })
}

/// Whether a line ends in a kanji or katakana word.
fn ends_in_noun(line: &str) -> bool {
    line.trim_end().chars().last().is_some_and(|c| {
        crate::normalize::is_kanji(c) || matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー')
    })
}

/// The non-empty lines of `range` (trimmed), each with whether a blank line stands before it.
pub(crate) fn non_empty_lines(text: &str, range: Range<usize>) -> Vec<(Range<usize>, bool)> {
    let mut lines = Vec::new();
    let mut at = range.start;
    let mut blank_before = false;
    for line in text[range].split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blank_before = true;
        } else {
            let start = at + (line.len() - line.trim_start().len());
            lines.push((start..start + trimmed.len(), blank_before));
            blank_before = false;
        }
        at += line.len();
    }
    lines
}

/// Longest line read as an unnumbered section caption, in characters.
const BLOCK_CAPTION_CHARS: usize = 30;

/// Longest bulleted line read as a section caption, in characters.
const BULLETED_CAPTION_CHARS: usize = 45;

/// The sections of `range` (normalised text) headed by caption lines without a number: a
/// short line with no 「。」, not a list line, set off by a blank line before it and followed
/// by a line that is a sentence (ends in 「。」). Each runs from its caption to the next;
/// empty when there is none. Captions run together without blank lines are sub-headings of
/// one section (an information-security policy's 「経営者の責任」「社内体制の整備」…) and stay
/// in it. Without `set_off` (a text saved one line a paragraph, with no blank line to set
/// anything off), every such caption line starts a section.
fn caption_blocks(text: &str, range: Range<usize>, set_off: bool) -> Vec<Range<usize>> {
    let lines = non_empty_lines(text, range.clone());
    let mut starts = Vec::new();
    for (i, pair) in lines.windows(2).enumerate() {
        let ((caption, blank_before), (next, _)) = (&pair[0], &pair[1]);
        // 「以上」 or the date of adoption (「最終改定日：2025年3月10日」) closes the last heading:
        // what follows (the company's rows, another text) is none of its own
        if set_off && structure::is_closing_line(text[caption.clone()].trim()) {
            starts.push(caption.start);
            continue;
        }
        if set_off && !blank_before {
            continue;
        }
        let caption = text[caption.clone()].trim();
        let next = text[next.clone()].trim();
        let chars = caption.chars().count();
        let bulleted = starts_with_bullet(caption);
        // a bulleted caption between sentences (a form's 「・個人情報の委託について」 over its
        // text) heads a section, naming a JIS item at length (「・個人情報を与えることの任意性
        // 及び当該情報を与えなかった場合に生じる結果」); a bullet after a list entry is an entry
        let bulleted_heading = || {
            !set_off
                && i.checked_sub(1)
                    .is_some_and(|p| !starts_as_list_entry(text[lines[p].0.clone()].trim()))
        };
        let longest = if bulleted {
            BULLETED_CAPTION_CHARS
        } else {
            BLOCK_CAPTION_CHARS
        };
        let is_caption = (2..=longest).contains(&chars)
            && !caption.contains('。')
            && !caption.ends_with(['、', ':', ','])
            && (!bulleted || bulleted_heading())
            && !caption.starts_with(['(', '「', '['])
            && !caption.starts_with(|c: char| c.is_ascii_digit())
            && next.ends_with('。');
        if is_caption {
            starts.push(pair[0].0.start);
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| start..starts.get(i + 1).copied().unwrap_or(range.end))
        .collect()
}

/// The caption units of a page without numbered units (`Document::caption_units`): its
/// lines saved one a paragraph, with at least two caption-headed sections.
fn caption_units(doc: &Document, markers: &MarkerIndex) -> Vec<ClauseUnit> {
    let text = &doc.normalized.text;
    if !doc.structure.units.is_empty() || text.lines().any(|l| l.trim().is_empty()) {
        return Vec::new();
    }
    let blocks = caption_blocks(text, 0..text.len(), false);
    if blocks.len() < 2 {
        return Vec::new();
    }
    block_units(doc, markers, &blocks)
        .into_iter()
        .filter(|u| u.scope == Scope::Sentence)
        .collect()
}

/// A caption (a heading, an article's caption, a page's caption line) read with each
/// sentence that starts after it and before `end` (normalised bytes): one unit a sentence,
/// the caption its lead-in.
fn caption_with_sentences(
    doc: &Document,
    markers: &MarkerIndex,
    caption: Range<usize>,
    end: usize,
) -> Vec<ClauseUnit> {
    let first = doc.sentences.partition_point(|s| s.start < caption.end);
    let upto = doc.sentences.partition_point(|s| s.start < end);
    doc.sentences[first..upto.max(first)]
        .iter()
        .map(|sentence| ClauseUnit {
            scope: Scope::Sentence,
            segments: vec![caption.clone(), sentence.clone()],
            focus: Focus::Normalized(sentence.clone()),
            polarity: markers.polarity(sentence),
        })
        .collect()
}

/// Caption-headed sections as units: each section, and its caption with each sentence under
/// it (as a numbered heading reads).
fn block_units(doc: &Document, markers: &MarkerIndex, blocks: &[Range<usize>]) -> Vec<ClauseUnit> {
    let text = &doc.normalized.text;
    let mut units = Vec::new();
    for block in blocks {
        let caption_end = text[block.clone()]
            .find('\n')
            .map_or(block.end, |n| block.start + n);
        let caption = block.start..caption_end;
        units.push(ClauseUnit {
            scope: Scope::Article,
            segments: vec![block.clone()],
            focus: Focus::Normalized(caption.clone()),
            polarity: markers.polarity(block),
        });
        units.extend(caption_with_sentences(doc, markers, caption, block.end));
    }
    units
}

/// Longest caption that opens a line as a sentence of its own (「・再処理者。」), in characters.
const LINE_CAPTION_CHARS: usize = 16;

/// A line that opens with a caption written as a short sentence (「・再処理者。 Samply は、…
/// 関与させます。Samply は、予定される変更について管理者に通知し、…異議を申し立てる機会を与え
/// ます。」, the style of data-processing agreements) reads with that caption before each of its
/// later sentences, as a heading reads with each sentence under it.
fn captioned_sentences(doc: &Document, markers: &MarkerIndex) -> Vec<ClauseUnit> {
    let text = &doc.normalized.text;
    let mut units = Vec::new();
    let mut i = 0;
    while i < doc.sentences.len() {
        let caption = &doc.sentences[i];
        let line_start = text[..caption.start].rfind('\n').map_or(0, |n| n + 1);
        let line_end = text[caption.end..]
            .find('\n')
            .map_or(text.len(), |n| caption.end + n);
        let words = &text[caption.clone()];
        let is_caption = text[line_start..caption.start].trim().is_empty()
            && words.ends_with('。')
            && words.chars().count() <= LINE_CAPTION_CHARS
            && !words.contains('、');
        let rest = doc.sentences[i + 1..]
            .iter()
            .take_while(|s| s.end <= line_end)
            .count();
        if is_caption {
            for sentence in &doc.sentences[i + 1..i + 1 + rest] {
                units.push(ClauseUnit {
                    scope: Scope::Sentence,
                    segments: vec![caption.clone(), sentence.clone()],
                    focus: Focus::Normalized(sentence.clone()),
                    polarity: markers.polarity(sentence),
                });
            }
        }
        i += 1 + rest;
    }
    units
}

/// Whether a sentence raises an objection without naming what it objects to (「異議を申し
/// 立てることができる」, not 「本契約の解除に異議を申し立てる」).
fn objects_to_what_came_before(sentence: &str) -> bool {
    static OBJECT_NAMED: Resettable<regex::Regex> = Resettable::new(|| {
        regex::Regex::new(r"(?:に|について|に対し(?:て)?|に関し(?:て)?)、?異議")
            .expect("a valid pattern")
    });
    let named = OBJECT_NAMED.get();
    sentence.contains("異議") && !named.is_match(sentence)
}

/// Whether a sentence opens on the condition that what the sentence before asked of the
/// reader is not given (「各項目の入力は任意となっております。正確な情報をご入力いただけない
/// 場合には、…対応できないことがあります。」): read together, they state the choice and what
/// follows from it.
fn opens_on_what_was_not_given(sentence: &str) -> bool {
    static NOT_GIVEN: Resettable<regex::Regex> = Resettable::new(|| {
        regex::Regex::new(
            r"^[^。、]{0,24}(?:いただけ|頂け|いただか|頂か|され|(?:記入|入力|提供|回答)が)(?:ない|なかった)場合",
        )
        .expect("a valid pattern")
    });
    // asked of every sentence that follows another on its line: most have no 「場合」
    sentence.contains("場合") && NOT_GIVEN.get().is_match(sentence)
}

/// The lines of `start..end` when there are at least two and every one is a bullet
/// (「- 」「・」「●」…): an unnumbered list whose lines are not to be read as one clause.
fn bullet_lines(text: &str, start: usize, end: usize) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut at = start;
    for line in text[start..end].split_inclusive('\n') {
        let range = at..at + line.trim_end().len();
        at += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !trimmed.starts_with(LIST_BULLETS) {
            return Vec::new();
        }
        lines.push(range);
    }
    if lines.len() < 2 { Vec::new() } else { lines }
}

/// The last sentence of a unit's own text (before its first child): the lead-in of its list.
fn lead_in(doc: &Document, parent: usize) -> Option<Range<usize>> {
    let unit = &doc.structure.units[parent];
    let own = doc.normalized_range(unit.header.start..doc.structure.own_end(unit));
    let first = doc.sentences.partition_point(|s| s.start < own.start);
    let upto = doc.sentences.partition_point(|s| s.start < own.end);
    if upto > first {
        Some(doc.sentences[upto - 1].clone())
    } else {
        unit.caption_range
            .as_ref()
            .map(|r| doc.normalized_range(r.clone()))
    }
}

fn markers() -> &'static AhoCorasick {
    static MARKERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        let words = &crate::vocabulary::vocabulary().polarity;
        // a DFA: every document is scanned, and the markers are few
        AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(
                words
                    .exemption
                    .iter()
                    .chain(&words.prohibition)
                    .chain(&words.permission),
            )
            .expect("polarity markers")
    });
    &MARKERS
}

/// The length in bytes of the longest polarity marker.
fn longest_marker() -> usize {
    static LONGEST: LazyLock<usize> = LazyLock::new(|| {
        let words = &crate::vocabulary::vocabulary().polarity;
        words
            .exemption
            .iter()
            .chain(&words.prohibition)
            .chain(&words.permission)
            .map(String::len)
            .max()
            .unwrap_or(0)
    });
    *LONGEST
}

/// Which list a marker (a pattern of `markers()`) belongs to.
fn marker_class(pattern: usize) -> Polarity {
    let words = &crate::vocabulary::vocabulary().polarity;
    if pattern < words.exemption.len() {
        Polarity::Exemption
    } else if pattern < words.exemption.len() + words.prohibition.len() {
        Polarity::Prohibition
    } else {
        Polarity::Permission
    }
}

/// An exemption marker anywhere wins, then a prohibition, then a permission.
fn decide(classes: impl Iterator<Item = Polarity>) -> Polarity {
    let (mut prohibition, mut permission) = (false, false);
    for class in classes {
        match class {
            Polarity::Exemption => return Polarity::Exemption,
            Polarity::Prohibition => prohibition = true,
            _ => permission = true,
        }
    }
    if prohibition {
        Polarity::Prohibition
    } else if permission {
        Polarity::Permission
    } else {
        Polarity::Obligation
    }
}

/// What a clause says: a prohibition, a permission, an exemption, or an obligation.
/// An exemption marker anywhere wins, then a prohibition, then a permission.
pub fn polarity(text: &str) -> Polarity {
    decide(
        markers()
            .find_overlapping_iter(text)
            .map(|m| marker_class(m.pattern().as_usize())),
    )
}

/// The polarity markers of a whole text, found in one scan: units overlap (a sentence
/// is also part of its article), and the polarity of any stretch is then a lookup.
struct MarkerIndex {
    /// Every marker occurrence (overlapping ones included), by start.
    found: Arc<Vec<Hit<Polarity>>>,
}

impl MarkerIndex {
    /// The markers of `text`; through `memo`, only those of the lines an edit changed are
    /// looked for again (a marker is a word: it never holds a line break).
    fn new(text: &str, memo: Remembered<'_, (), Hit<Polarity>>) -> Self {
        let found = crate::rescan::scan_with(memo, text, &(), |lines| {
            let mut found: Vec<Hit<Polarity>> = markers()
                .find_overlapping_iter(aho_corasick::Input::new(text).span(lines))
                .map(|m| Hit {
                    value: marker_class(m.pattern().as_usize()),
                    range: m.range(),
                })
                .collect();
            found.sort_by_key(|h| h.range.start);
            found
        });
        Self { found }
    }

    /// `polarity` of the segments of `text` joined: the markers wholly inside a segment,
    /// from the index, and those that the joining makes across a junction, found in the few
    /// bytes either side of it (a list item read with its lead-in).
    fn polarity_joined(&self, text: &str, segments: &[Range<usize>]) -> Polarity {
        let inside = segments.iter().flat_map(|range| self.classes_in(range));
        // a marker across a junction has a byte on each side and is at most `longest` long
        let reach = longest_marker().saturating_sub(1);
        let across = (1..segments.len()).flat_map(|junction| {
            let mut left = String::new();
            for segment in segments[..junction].iter().rev() {
                let part = &text[segment.clone()];
                let need = reach - left.len();
                if part.len() >= need {
                    let mut cut = part.len() - need;
                    while !part.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    left.insert_str(0, &part[cut..]);
                    break;
                }
                left.insert_str(0, part);
            }
            let at = left.len();
            let mut window = left;
            for segment in &segments[junction..] {
                let part = &text[segment.clone()];
                let need = reach - (window.len() - at);
                if part.len() >= need {
                    let mut cut = need;
                    while !part.is_char_boundary(cut) {
                        cut += 1;
                    }
                    window.push_str(&part[..cut]);
                    break;
                }
                window.push_str(part);
            }
            markers()
                .find_overlapping_iter(window.as_str())
                .filter(|m| m.start() < at && m.end() > at)
                .map(|m| marker_class(m.pattern().as_usize()))
                .collect::<Vec<_>>()
        });
        decide(inside.chain(across))
    }

    /// `polarity(&text[range])`: the markers that lie wholly inside `range`.
    fn polarity(&self, range: &Range<usize>) -> Polarity {
        decide(self.classes_in(range))
    }

    /// The classes of the markers that lie wholly inside `range`.
    fn classes_in(&self, range: &Range<usize>) -> impl Iterator<Item = Polarity> + '_ {
        let first = self.found.partition_point(|h| h.range.start < range.start);
        let end = range.end;
        self.found[first..]
            .iter()
            .take_while(move |h| h.range.start < end)
            .filter(move |h| h.range.end <= end)
            .map(|h| h.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unmarked list's entry is a noun phrase, also with a note in brackets after it or a
    /// count in it; a contact block's line (a number, an address, a field) is none.
    #[test]
    fn noun_phrases_and_contact_lines() {
        for line in [
            "ゲーム機能の提供(スコア記録・ランキング表示)",
            "広告の配信・広告パフォーマンスの測定(AdMob 経由)",
            "1日あたりのプレイ回数制限の管理",
            "広告を表示するため",
        ] {
            assert!(noun_phrase(line), "{line}");
        }
        for line in [
            "電話 03-1234-5678",
            "東京都港区芝公園1-1-1",
            "メール:info@example.com",
            "〒100-0001",
            "受付時間 平日10時から17時まで(土日祝日を除く)",
            "(AdMob 経由)",
        ] {
            assert!(!noun_phrase(line), "{line}");
        }
    }

    /// A long line is tokenised in pieces that end at sentence ends, with the tokens the
    /// whole line gives (spans included).
    #[test]
    fn long_lines_are_tokenised_in_pieces_with_the_same_tokens() {
        let sentence = "乙は、甲の書面による承諾を得ずに、個人情報を第三者に提供してはならない。";
        let line = sentence.repeat(400);
        let cut: Vec<&str> = pieces(&line).collect();
        assert!(cut.len() > 1 && cut.iter().all(|p| p.len() <= PIECE_BYTES));
        // one sentence a piece: a keystroke changes one of them
        assert!(cut.iter().all(|p| p == &sentence));
        assert_eq!(cut.concat(), line);
        let text = format!("第1条\n{line}\n");
        let fields = |t: &Token| (t.span.clone(), t.surface.to_string(), t.base().to_string());
        let whole: Vec<_> = {
            let mut v = Vec::new();
            morphology::tokenize_into("第1条", 0, &mut v);
            morphology::tokenize_into(&line, "第1条\n".len(), &mut v);
            v.iter().map(fields).collect()
        };
        let pieced: Vec<_> = tokenize_lines(&text, None).iter().map(fields).collect();
        assert_eq!(pieced, whole);
        let cached: Vec<_> = tokenize_lines(&text, Some(&TokenCache::default()))
            .iter()
            .map(fields)
            .collect();
        assert_eq!(cached, whole);
        // no sentence end at all: cut at a character boundary, every byte kept
        let run = "あ".repeat(5000);
        assert_eq!(pieces(&run).collect::<Vec<_>>().concat(), run);
    }

    /// The first-character check before the list label's pattern rejects no line the
    /// pattern accepts.
    #[test]
    fn list_entries_are_found_as_by_the_pattern_alone() {
        let label = regex::Regex::new(
            r"^(?:[・\-*●○■□◆◇•※]|\d{1,2}[.)．]|\(\d{1,2}\)|[①-⑳]|[一二三四五六七八九十]、)",
        )
        .unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut entries = 0;
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let normalized = crate::normalize::normalize(&text).text;
                for line in text.lines().chain(normalized.lines()) {
                    let expected = label.is_match(line.trim_start());
                    assert_eq!(starts_as_list_entry(line), expected, "{line}");
                    entries += usize::from(expected);
                }
            }
        }
        for line in [
            "１．全角",
            "٣) Arabic-Indic",
            "⑳ 二十",
            "十、十",
            "(12) x",
            "※注",
        ] {
            assert_eq!(starts_as_list_entry(line), label.is_match(line), "{line}");
        }
        assert!(entries > 1000, "{entries}");
    }

    /// Sentences are split where a character-by-character reading splits them.
    #[test]
    fn sentences_split_as_by_reading_every_character() {
        let by_characters = |text: &str| {
            let mut out = Vec::new();
            let mut start = 0;
            let mut depth = 0usize;
            for (i, c) in text.char_indices() {
                let end = match c {
                    '(' | '「' | '『' | '[' => {
                        depth += 1;
                        continue;
                    }
                    ')' | '」' | '』' | ']' => {
                        depth = depth.saturating_sub(1);
                        continue;
                    }
                    '。' if depth == 0 => i + c.len_utf8(),
                    '\n' => {
                        depth = 0;
                        i
                    }
                    _ => continue,
                };
                push_trimmed(text, start..end, &mut out);
                start = i + c.len_utf8();
            }
            push_trimmed(text, start..text.len(), &mut out);
            out
        };
        let whole = |text: &str| split_sentences(text, 0..text.len());
        // line by line, as the open document's memo splits the lines an edit changed
        let by_lines = |text: &str| {
            let mut start = 0;
            let mut out = Vec::new();
            for line in text.split_inclusive('\n') {
                out.extend(split_sentences(text, start..start + line.len()));
                start += line.len();
            }
            out
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let normalized = crate::normalize::normalize(&text).text;
                for t in [&normalized, &text] {
                    assert_eq!(whole(t), by_characters(t));
                    assert_eq!(by_lines(t), by_characters(t));
                }
            }
        }
        for text in ["", "。", "「a。」b。\n(c", "))。((\n。", "「a\nb」。\n"] {
            assert_eq!(whole(text), by_characters(text), "{text}");
            assert_eq!(by_lines(text), by_characters(text), "{text}");
        }
    }

    /// A marker that only the joining makes (split between a lead-in and its item, or
    /// over three segments) counts, as in the joined text.
    #[test]
    fn markers_across_the_junctions_of_joined_segments_count() {
        let words = &crate::vocabulary::vocabulary().polarity;
        for marker in words
            .exemption
            .iter()
            .chain(&words.prohibition)
            .chain(&words.permission)
        {
            let chars: Vec<char> = marker.chars().collect();
            if chars.len() < 3 {
                continue;
            }
            let pieces = [
                chars[..1].iter().collect::<String>(),
                chars[1..2].iter().collect::<String>(),
                chars[2..].iter().collect::<String>(),
            ];
            let text = format!("当社は、{}\n{}\n{}。", pieces[0], pieces[1], pieces[2]);
            let lines: Vec<Range<usize>> = {
                let mut start = 0;
                text.split('\n')
                    .map(|l| {
                        let r = start..start + l.len();
                        start = r.end + 1;
                        r
                    })
                    .collect()
            };
            let index = MarkerIndex::new(&text, None);
            let joined: String = lines.iter().map(|r| &text[r.clone()]).collect();
            assert_eq!(
                index.polarity_joined(&text, &lines),
                polarity(&joined),
                "{marker}"
            );
            assert_ne!(
                index.polarity_joined(&text, &lines),
                Polarity::Obligation,
                "{marker}"
            );
            let two = [lines[0].start..lines[1].end, lines[2].clone()];
            let joined: String = two.iter().map(|r| &text[r.clone()]).collect();
            assert_eq!(
                index.polarity_joined(&text, &two),
                polarity(&joined),
                "{marker}"
            );
        }
    }

    #[test]
    fn polarity_is_decided_as_by_substring_search() {
        let words = &crate::vocabulary::vocabulary().polarity;
        let naive = |text: &str| {
            let any = |list: &[String]| list.iter().any(|m| text.contains(m.as_str()));
            if any(&words.exemption) {
                Polarity::Exemption
            } else if any(&words.prohibition) {
                Polarity::Prohibition
            } else if any(&words.permission) {
                Polarity::Permission
            } else {
                Polarity::Obligation
            }
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut checked = 0;
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let doc = Document::new(text);
                let markers = MarkerIndex::new(&doc.normalized.text, None);
                for unit in doc.units() {
                    for r in &unit.segments {
                        let stretch = &doc.normalized.text[r.clone()];
                        assert_eq!(markers.polarity(r), naive(stretch), "{stretch}");
                    }
                    let joined: String = unit
                        .segments
                        .iter()
                        .map(|r| &doc.normalized.text[r.clone()])
                        .collect();
                    assert_eq!(polarity(&joined), naive(&joined), "{joined}");
                    assert_eq!(
                        markers.polarity_joined(&doc.normalized.text, &unit.segments),
                        naive(&joined),
                        "{joined}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        for s in [
            "しないことができる",
            "禁止することができる",
            "免除する。禁止",
            "",
        ] {
            assert_eq!(polarity(s), naive(s), "{s}");
        }
    }

    /// A caption opening a line reads with each later sentence of that line, and only there.
    #[test]
    fn a_caption_opening_a_line_reads_with_its_sentences() {
        let doc = Document::new(
            "・再処理者。 受託者は再処理者を関与させる。受託者は変更を通知する。\n委託者は異議を述べることができる。\n受託者は、再処理者を関与させる。委託者は同意する。\n"
                .to_string(),
        );
        let text = &doc.normalized.text;
        let joined: Vec<String> = doc
            .units()
            .iter()
            .filter(|u| u.segments.len() == 2)
            .map(|u| u.segments.iter().map(|r| &text[r.clone()]).collect())
            .collect();
        assert!(joined.contains(&"・再処理者。受託者は変更を通知する。".to_string()));
        assert!(joined.contains(&"・再処理者。受託者は再処理者を関与させる。".to_string()));
        // not across lines, and not after a first sentence that is a clause
        assert!(
            !joined
                .iter()
                .any(|j| j.contains("異議") || j.contains("同意")),
            "{joined:?}"
        );
    }

    /// An objection that names nothing reads with the sentence before it on its line; one
    /// that names its object, or stands on a line of its own, reads alone.
    #[test]
    fn an_objection_without_its_object_reads_with_the_sentence_before() {
        let doc = Document::new(
            "受託者は再処理者の変更を通知する。委託者は書面で異議を申し立てることができる。\n受託者は再処理者を関与させる。委託者は本契約の解除に異議を述べることができる。\n受託者は変更を通知する。\n委託者は異議を述べることができる。\n"
                .to_string(),
        );
        let text = &doc.normalized.text;
        let joined: Vec<&str> = doc
            .units()
            .iter()
            .filter(|u| {
                u.segments.len() == 1 && text[u.segments[0].clone()].matches('。').count() == 2
            })
            .map(|u| &text[u.segments[0].clone()])
            .collect();
        assert_eq!(
            joined,
            ["受託者は再処理者の変更を通知する。委託者は書面で異議を申し立てることができる。"]
        );
    }

    #[test]
    fn polarity_of_clauses() {
        assert_eq!(
            polarity("乙は、再委託してはならない。ただし、甲の承諾を得た場合はこの限りでない。"),
            Polarity::Prohibition
        );
        assert_eq!(
            polarity("乙は、第三者に再委託することができる。"),
            Polarity::Permission
        );
        assert_eq!(
            polarity("乙は、秘密保持義務を負わないものとする。"),
            Polarity::Exemption
        );
        assert_eq!(
            polarity("乙は、甲に報告するものとする。"),
            Polarity::Obligation
        );
    }

    #[test]
    fn list_items_carry_their_lead_in() {
        let doc = Document::new(
            "覚書\n第1条 乙は、次の事項を遵守する。\n(1) 目的外利用の禁止\n".to_string(),
        );
        let item = doc.units().iter().find(|u| u.segments.len() == 2).unwrap();
        let joined: String = item
            .segments
            .iter()
            .map(|r| &doc.normalized.text[r.clone()])
            .collect();
        assert!(
            joined.contains("遵守する。") && joined.contains("目的外利用"),
            "{joined}"
        );
        assert_eq!(item.polarity, Polarity::Prohibition);
    }

    /// The article-sized units whose text holds `word`.
    fn articles_with<'d>(doc: &'d Document, word: &str) -> Vec<&'d str> {
        doc.units()
            .iter()
            .filter(|u| u.scope == Scope::Article)
            .map(|u| {
                let r = u.segments[0].clone();
                &doc.normalized.text[r]
            })
            .filter(|t| t.contains(word))
            .collect()
    }

    /// Sections headed without a number after a notice's last numbered heading, each set off
    /// by a blank line, are divisions of their own; captions run together without blank lines
    /// stay in their section.
    #[test]
    fn unnumbered_sections_after_the_last_heading_are_units_of_their_own() {
        let doc = Document::new(
            "1. 利用目的\n商品の発送のために利用します。\n2. 苦情の申出先\n苦情はお問い合わせフォームからお願いします。\n\nSSLについて\n当社のサイトは、個人情報を暗号化して送受信します。\n\n安全管理措置\n当社は、必要な措置を講じます。\n"
                .to_string(),
        );
        let with_ssl = articles_with(&doc, "暗号化");
        assert!(
            with_ssl.iter().all(|t| !t.contains("安全管理措置")),
            "{with_ssl:?}"
        );
        assert!(
            with_ssl.iter().any(|t| t.starts_with("SSLについて")),
            "{with_ssl:?}"
        );
        let runs_together = Document::new(
            "1. 利用目的\n商品の発送のために利用します。\n2. 情報セキュリティ基本方針\n当社は、次のとおり取り組みます。\n経営者の責任\n当社は、組織的に取り組みます。\n社内体制の整備\n当社は、情報セキュリティ対策を定めます。\n"
                .to_string(),
        );
        let together = articles_with(&runs_together, "組織的");
        assert!(
            together.iter().any(|t| t.contains("情報セキュリティ対策")),
            "{together:?}"
        );
    }

    /// 「以上」 or a date of adoption closes a notice's last numbered heading: the company's rows
    /// after it are no part of that heading's article (a desk set up, with the footer's 所在地,
    /// is still a desk without a contact).
    #[test]
    fn the_last_heading_ends_at_a_closing_line() {
        let doc = Document::new(
            "1. 利用目的\n商品の発送のために利用します。\n2. お問い合わせ対応\n当社は、苦情・相談を受け付ける窓口を設置し、適切に対応いたします。\n最終改定日：2025年3月10日\n所在地：東京都北区中里1-15-2\n会社名：サンプル\n"
                .to_string(),
        );
        let desk = articles_with(&doc, "窓口を設置");
        assert!(desk.iter().all(|t| !t.contains("所在地")), "{desk:?}");
        assert!(
            articles_with(&doc, "所在地")
                .iter()
                .any(|t| t.starts_with("最終改定日"))
        );
        for closing in [
            "以上",
            "制定日：2020年4月1日",
            "2023年5月1日 改定",
            "最終更新日 令和5年4月1日",
            "施行 2012年9月24日",
        ] {
            assert!(structure::is_closing_line(closing), "{closing}");
        }
        for not in [
            "以上の目的で利用します。",
            "2023年5月1日に改定した本方針は、次のとおりです。",
            "制定の目的",
        ] {
            assert!(!structure::is_closing_line(not), "{not}");
        }
    }

    /// A long page before its first numbered unit, saved one line a paragraph with captions
    /// without numbers, is read section by section; with blank lines in it, it is an outline
    /// kiyaku does not divide.
    #[test]
    fn a_long_page_of_captioned_sections_before_the_first_unit_is_divided() {
        let filler = "当院は、個人情報を適切に取り扱います。\n".repeat(20);
        let page = format!(
            "プライバシーポリシー\n個人情報の取得\n当院は、適正に取得します。\n安全対策の実施\n当院は、職員に教育を行い、安全対策を講じます。\n免責事項\n{filler}a) 事業者の名称\nサンプル医院\n"
        );
        let doc = Document::new(page);
        let with_education = articles_with(&doc, "教育");
        assert!(
            with_education
                .iter()
                .any(|t| t.starts_with("安全対策の実施") && !t.contains("免責事項")),
            "{with_education:?}"
        );
        let outline = format!(
            "プライバシーポリシー\n\n個人情報の取得\n当院は、適正に取得します。\n安全対策の実施\n当院は、職員に教育を行い、安全対策を講じます。\n免責事項\n{filler}a) 事業者の名称\nサンプル医院\n"
        );
        let doc = Document::new(outline);
        assert!(articles_with(&doc, "教育").is_empty());
    }

    /// A caption over a list of entries that are not sentences is one unit with its entries;
    /// a line that is itself an entry, or a purpose phrase with 「、」, is no caption, and
    /// entries without bullets or numbers (a table, a signature block) make no list.
    #[test]
    fn a_caption_reads_with_the_list_under_it() {
        let pieces = |text: &str| -> Vec<String> {
            let doc = Document::new(text.to_string());
            doc.units()
                .iter()
                .filter(|u| u.scope == Scope::Sentence && u.segments.len() == 1)
                .map(|u| doc.normalized.text[u.segments[0].clone()].to_string())
                .filter(|t| t.contains('\n'))
                .collect()
        };
        let listed = pieces("個人情報の利用目的\n・サービスの提供\n・お問い合わせ対応\n");
        assert_eq!(
            listed,
            vec!["個人情報の利用目的\n・サービスの提供\n・お問い合わせ対応"]
        );
        assert!(pieces("・無断欠勤\n・迷惑行為\n・個人情報漏洩\n").is_empty());
        assert!(pieces("支払条件\n発注書により定める\n発注書に定めるとおり\n").is_empty());
        assert!(pieces("お問い合わせ対応、その管理のため\n・一\n・二\n").is_empty());
        // a numbered heading over bullets, up to the next numbered heading
        let numbered =
            pieces("3. 個人情報の利用目的\n・イベントの運営\n・お問い合わせ対応\n4. 第三者提供\n");
        assert_eq!(
            numbered,
            vec!["3. 個人情報の利用目的\n・イベントの運営\n・お問い合わせ対応"]
        );
        // numbered headings over numbered headings are no list
        assert!(pieces("3. 利用目的\n4. 第三者提供\n5. 安全管理\n").is_empty());
        // unmarked entries up to a contact block, whose caption stays out of the list
        let before_contacts = pieces(
            "利用目的\nお申込み時の連絡・手配\n保険手続き\n商品案内、アンケート\nお問合せ窓口\n〒107-0052\nTel: 03-6230-9855\n",
        );
        assert_eq!(
            before_contacts,
            vec!["利用目的\nお申込み時の連絡・手配\n保険手続\n商品案内、アンケート"]
        );
        // …but entries cut off by the next numbered heading are none
        assert!(pieces("法令に基づく場合\n人の生命の保護に必要な場合\n委託する場合\n6. 外部サービスの利用\n").is_empty());
    }
}
