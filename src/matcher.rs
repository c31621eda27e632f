//! Decides, for each catalog item, whether a document has it: concept groups of
//! lemma terms that must co-occur in one clause unit, with polarity, exclusions,
//! conflict patterns and triggers.

use crate::resettable::Resettable;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use rustc_hash::FxHashMap;
use std::ops::Range;

pub use crate::catalog::Status;
use crate::catalog::{Catalog, Groups, Item, MatchSpec, Polarity, Scope, SectionSpec};
use crate::document::{ClauseUnit, Document, polarity};
use crate::morphology::{self, Token};
use crate::normalize;
use crate::rescan::{self, Hit};

/// The verdict on one item, with where it was found (original byte range).
#[derive(Debug, Clone)]
pub struct ItemVerdict {
    pub status: Status,
    pub found: Option<Range<usize>>,
    /// Index of the conflict pattern that matched.
    pub conflict: Option<usize>,
    /// For a `missing` item: the clause that came nearest, and what it lacked.
    pub nearest: Option<Nearest>,
    /// For an item judged only where its condition is raised (joint use, transfer abroad):
    /// the original byte range of the word that raised it, which a `missing` verdict cites.
    pub trigger: Option<Range<usize>>,
}

/// The clause that holds most of a missing item's concepts: the evidence a drafter needs to
/// judge the verdict (「承諾」が見つかりません), or to find the clause kiyaku did not read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearest {
    /// Original byte range of the clause.
    pub at: Range<usize>,
    /// Indices into the item's `match.all` of the concept groups the clause lacks.
    pub lacking: Vec<usize>,
    /// Every group is there, but the clause says it the wrong way (「…に努める」 where an
    /// obligation is needed) or holds an excluded term.
    pub excluded: bool,
}

/// A term compiled for matching: its normalised tokens, or its normalised text
/// when it is made of nouns only (nouns do not inflect, and may sit inside a
/// user-dictionary compound such as 再委託先).
#[derive(Debug, Clone)]
struct CompiledTerm {
    text: String,
    tokens: Vec<Token>,
    nouns_only: bool,
    /// A `re:` term.
    pattern: Option<regex::Regex>,
    /// The character no match of a `re:` term holds (`literals::barrier`): a document is
    /// searched for it only in the pieces between two of them that hold one of each set of
    /// its literals. A line break makes the term line-local (`rescan::line_local`): an open
    /// document then scans again only the lines an edit changed.
    barrier: Option<crate::literals::Barrier>,
    /// A `re:` term's sets of literals (`literals::required_literals`), found with the
    /// compiled term, once per process.
    literals: Vec<Vec<Vec<u8>>>,
}

/// A `re:` term's number, and the bit of one of its sets of literals.
type Gate = (usize, u8);

/// Every term of a set of catalogs, numbered once per engine so that a document's index
/// is a vector by term number. The noun terms are in one automaton (a document is scanned
/// once for all of them), the other lemma terms are indexed by their first token (found in
/// one pass over a document's tokens); `re:` terms are searched when first asked for.
pub struct TermSet {
    /// A number no other term set has, under which a document remembers its scan for
    /// these terms (`rescan`).
    id: u64,
    /// Catalog term → its number.
    ids: FxHashMap<String, usize>,
    /// The terms by number.
    texts: Vec<String>,
    /// The address and length of each term as its catalog holds it → its number: a judge
    /// asks for a term thousands of times a document, always the catalog's own string, and
    /// an address hashes in a few instructions where the text takes its length (`id`).
    by_address: FxHashMap<(usize, usize), usize>,
    /// The noun terms and the `re:` terms' literals (`literals::required_literals`).
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Pattern index → the noun terms it stands for (several terms may normalise alike).
    patterns: Vec<Vec<usize>>,
    /// Pattern index → the `re:` terms it is a literal of, with the bit of the term's set
    /// of literals it is in (`literals::required_literals`): a term one of each of whose
    /// sets occurs in a document may match there, and only those are searched.
    gates: Vec<Vec<Gate>>,
    /// The `re:` terms that have literals, with the bits of all their sets (the other terms
    /// are always searched).
    gated: Vec<(usize, u8)>,
    /// Terms matched on tokens (those with a verb or an ending), with the terms each
    /// stands for.
    lemma_terms: Vec<(std::sync::Arc<CompiledTerm>, Vec<usize>)>,
    /// Each lemma term's anchor: the position of its least common token (`anchor_token`).
    anchors: Vec<usize>,
    /// A token's surface or lemma → the lemma terms whose anchor token has that surface,
    /// and those whose anchor token has that lemma.
    by_anchor: FxHashMap<String, (Vec<usize>, Vec<usize>)>,
    /// The first characters of `by_anchor`'s keys, as bits over the Basic Multilingual
    /// Plane: most tokens start with another character and are passed over unhashed.
    first_chars: Vec<u64>,
}

impl TermSet {
    pub fn new<'c>(catalogs: impl IntoIterator<Item = &'c Catalog>) -> Self {
        let mut ids: FxHashMap<String, usize> = FxHashMap::default();
        // an automaton pattern → the noun terms it is, and the `re:` terms it is a literal of
        let mut by_text: HashMap<Vec<u8>, (Vec<usize>, Vec<Gate>)> = HashMap::new();
        let mut gated = Vec::new();
        let mut by_tokens: HashMap<String, (Arc<CompiledTerm>, Vec<usize>)> = HashMap::new();
        // each term once, numbered in the order met, and all of them compiled side by side
        // (tokenising and compiling them is most of an engine's build)
        let mut unique: Vec<String> = Vec::new();
        let mut by_address: FxHashMap<(usize, usize), usize> = FxHashMap::default();
        for term in catalogs.into_iter().flat_map(catalog_terms) {
            let id = match ids.get(term.as_str()) {
                Some(&id) => id,
                None => {
                    ids.insert(term.clone(), unique.len());
                    unique.push(term.clone());
                    unique.len() - 1
                }
            };
            by_address.insert((term.as_ptr() as usize, term.len()), id);
        }
        let compiled_terms: Vec<Arc<CompiledTerm>> = {
            use rayon::prelude::*;
            unique.par_iter().map(|term| compiled(term)).collect()
        };
        for (id, c) in compiled_terms.into_iter().enumerate() {
            if c.pattern.is_some() {
                if !c.literals.is_empty() {
                    gated.push((id, (1u8 << c.literals.len()) - 1));
                }
                for (k, set) in c.literals.iter().enumerate() {
                    for literal in set {
                        by_text
                            .entry(literal.clone())
                            .or_default()
                            .1
                            .push((id, 1 << k));
                    }
                }
                continue;
            }
            if c.text.is_empty() {
                continue;
            }
            if c.nouns_only || c.tokens.is_empty() {
                by_text
                    .entry(c.text.as_bytes().to_vec())
                    .or_default()
                    .0
                    .push(id);
            } else {
                by_tokens
                    .entry(c.text.clone())
                    .or_insert_with(|| (c.clone(), Vec::new()))
                    .1
                    .push(id);
            }
        }
        let lemma_terms: Vec<_> = by_tokens.into_values().collect();
        let anchors: Vec<usize> = lemma_terms
            .iter()
            .map(|(term, _)| anchor_token(&term.tokens))
            .collect();
        let mut by_anchor = FxHashMap::<String, (Vec<usize>, Vec<usize>)>::default();
        for (i, ((term, _), &k)) in lemma_terms.iter().zip(&anchors).enumerate() {
            let anchor = &term.tokens[k];
            by_anchor
                .entry(anchor.surface.to_string())
                .or_default()
                .0
                .push(i);
            if !anchor.base().is_empty() {
                by_anchor
                    .entry(anchor.base().to_string())
                    .or_default()
                    .1
                    .push(i);
            }
        }
        let mut first_chars = vec![0u64; 1 << 10];
        for c in by_anchor.keys().filter_map(|k| k.chars().next()) {
            let c = c as usize;
            if c < 1 << 16 {
                first_chars[c >> 6] |= 1 << (c & 63);
            }
        }
        let mut texts = Vec::with_capacity(by_text.len());
        let (mut patterns, mut gates) = (Vec::new(), Vec::new());
        for (text, (nouns, gated_by)) in by_text {
            texts.push(text);
            patterns.push(nouns);
            gates.push(gated_by);
        }
        // a contiguous NFA: with the patterns' literals, some thousands of words, a DFA
        // scans a document about 0.2 ms faster but takes three times as long to build and
        // several times the memory (built per kind, when its first document is judged)
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&texts)
            .ok();
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Self {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            ids,
            texts: unique,
            by_address,
            automaton,
            patterns,
            gates,
            gated,
            lemma_terms,
            anchors,
            by_anchor,
            first_chars,
        }
    }

    /// A term's number: by the address of the catalog's own string when it is that string
    /// (its text compared, so a string freed and its memory reused is not taken for it),
    /// otherwise by its text.
    fn id(&self, term: &str) -> Option<usize> {
        match self.by_address.get(&(term.as_ptr() as usize, term.len())) {
            Some(&id) if self.texts[id] == term => Some(id),
            _ => self.ids.get(term).copied(),
        }
    }

    /// Whether some lemma term's anchor token may have `key` as its surface or lemma.
    fn may_start(&self, key: &str) -> bool {
        match key.chars().next().map(|c| c as usize) {
            Some(c) if c < 1 << 16 => self.first_chars[c >> 6] & (1 << (c & 63)) != 0,
            Some(_) => true,
            None => false,
        }
    }

    /// Every lemma term's occurrences in `doc`, in one pass over its tokens, into `found`
    /// (by term number): a token that may be a term's anchor token is checked as such.
    fn find_lemma_terms(&self, doc: &Document, found: &mut [Option<Vec<Range<usize>>>]) {
        let text = doc.normalized.text.as_str();
        // a term matched on tokens lies within one line (`term_at`): only the lines an edit
        // changed are scanned again
        let hits = rescan::scan_with(doc.memo(|m| &m.lemma_terms), text, &self.id, |lines| {
            self.lemma_terms_in(doc, lines)
        });
        let mut spans: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.lemma_terms.len()];
        for hit in hits.iter() {
            spans[hit.value as usize].push(hit.range.clone());
        }
        for ((_, ids), spans) in self.lemma_terms.iter().zip(spans) {
            for &id in ids {
                found[id] = Some(spans.clone());
            }
        }
    }

    /// The lemma terms whose anchor token starts in `lines` (whole lines of the
    /// document's text): the term's number and its span, sorted by start.
    fn lemma_terms_in(&self, doc: &Document, lines: Range<usize>) -> Vec<Hit<u32>> {
        let mut hits = Vec::new();
        let mut candidates: Vec<usize> = Vec::new();
        let first = doc.tokens.partition_point(|t| t.span.start < lines.start);
        let last = doc.tokens.partition_point(|t| t.span.start < lines.end);
        for (i, token) in doc.tokens.iter().enumerate().take(last).skip(first) {
            candidates.clear();
            let (surface, base) = (token.surface.as_str(), token.base());
            if self.may_start(surface)
                && let Some((by_surface, by_base)) = self.by_anchor.get(surface)
            {
                candidates.extend(by_surface);
                if base == surface {
                    candidates.extend(by_base);
                }
            }
            if base != surface
                && self.may_start(base)
                && let Some((_, by_base)) = self.by_anchor.get(base)
            {
                candidates.extend(by_base);
            }
            if candidates.is_empty() {
                continue;
            }
            candidates.sort_unstable();
            candidates.dedup();
            for &t in &candidates {
                if let Some(start) = i.checked_sub(self.anchors[t])
                    && let Some(span) = term_at(doc, &self.lemma_terms[t].0, start)
                {
                    hits.push(Hit {
                        value: t as u32,
                        range: span,
                    });
                }
            }
        }
        hits.sort_by_key(|h| (h.range.start, h.value));
        hits
    }
}

/// The token of a term that a document's tokens match least often: a content word before a
/// particle or an ending, one starting with a kanji or katakana before one in hiragana, the
/// longest, the first. (Terms such as 「に基づき」 or 「のみ利用」 start with a particle,
/// which half of a document's tokens would match.)
fn anchor_token(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .enumerate()
        .max_by_key(|(i, t)| {
            let content = matches!(t.pos, "名詞" | "カスタム名詞" | "動詞" | "形容詞" | "副詞");
            let not_hiragana = t
                .surface
                .chars()
                .next()
                .is_some_and(|c| !('\u{3041}'..='\u{309F}').contains(&c));
            (
                content,
                not_hiragana,
                t.surface.len(),
                std::cmp::Reverse(*i),
            )
        })
        .map_or(0, |(i, _)| i)
}

/// Every term a catalog mentions: match groups, exclusions, conflicts, triggers, sections.
fn catalog_terms(catalog: &Catalog) -> impl Iterator<Item = &String> + '_ {
    let section = catalog.section.iter().flat_map(|s| {
        s.heading
            .iter()
            .chain(&s.unless)
            .chain(s.statement.iter().flatten())
            .chain(s.outline.iter().flatten())
            .chain(s.consent.iter().flatten())
            .chain(&s.consent_to_use)
            .chain(&s.marks)
            .chain(s.form.iter().flatten())
            .chain(s.entered.iter().flatten())
            .chain(s.occasion.iter().flatten())
            .chain(s.this_occasion.iter().flatten())
            .chain(s.consent_before_applying.iter().flatten())
            .chain(s.general.iter().flatten())
    });
    section.chain(catalog.items.iter().flat_map(|item| {
        let groups = item
            .match_spec
            .all
            .iter()
            .chain(&item.match_spec.none)
            .chain(item.match_spec.elsewhere.iter().flat_map(|e| &e.all))
            .chain(std::iter::once(&item.match_spec.others))
            .chain(
                item.conflicts
                    .iter()
                    .flat_map(|c| c.all.iter().chain(&c.lacking)),
            )
            .flatten()
            .chain(&item.trigger)
            .chain(&item.trigger_denied_with)
            .chain(&item.trigger_unless);
        groups.collect::<Vec<_>>()
    }))
}

/// Term occurrences in one document, computed once per term.
pub struct TermIndex<'d> {
    doc: &'d Document,
    terms: &'d TermSet,
    /// Occurrences by term number (`TermSet::ids`); `None` until first asked for.
    found: Vec<Option<Vec<Range<usize>>>>,
    /// Occurrences of terms no catalog of the set mentions.
    other: FxHashMap<String, Vec<Range<usize>>>,
    /// Sentences that send the reader elsewhere (「…については、こちらをご参照ください。」).
    referrals: Vec<Range<usize>>,
    /// Where the literals of the `re:` terms occur, for the search of each (`Pieces`).
    pieces: Pieces,
    /// A catalog group's terms' occurrences outside referrals, merged and sorted, by the
    /// address and length of the group as its catalog holds it (`group_in`).
    groups: FxHashMap<(usize, usize), Vec<Range<usize>>>,
}

/// Where the literals of the `re:` terms occur in a document: a term with a `Barrier` is
/// searched only in the pieces of text between two barriers that hold one literal of each
/// of its sets (most hold none).
#[derive(Default)]
struct Pieces {
    /// Term number → its literals' hits: the bit of the literal's set, and where it starts.
    hits: FxHashMap<usize, Vec<(u8, usize)>>,
    /// Where each barrier character stands in the normalised text, found when first needed.
    line_breaks: std::cell::OnceCell<Vec<usize>>,
    full_stops: std::cell::OnceCell<Vec<usize>>,
}

impl Pieces {
    /// The pieces of `text` (between two `barrier`s, or an end) that hold a hit of each of
    /// the sets in `all`, in order; `None` when the term's hits were not kept.
    fn of(
        &self,
        text: &str,
        id: usize,
        all: u8,
        barrier: crate::literals::Barrier,
    ) -> Option<Vec<Range<usize>>> {
        let hits = self.hits.get(&id)?;
        let cell = match barrier {
            crate::literals::Barrier::LineBreak => &self.line_breaks,
            crate::literals::Barrier::FullStop => &self.full_stops,
        };
        let stops =
            cell.get_or_init(|| text.match_indices(barrier.char()).map(|(i, _)| i).collect());
        let width = barrier.char().len_utf8();
        // (piece number, bit), the piece a hit lies in being the number of barriers before it
        let mut by_piece: Vec<(usize, u8)> = hits
            .iter()
            .map(|&(bit, at)| (stops.partition_point(|&b| b < at), bit))
            .collect();
        by_piece.sort_unstable();
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < by_piece.len() {
            let piece = by_piece[i].0;
            let mut bits = 0;
            while i < by_piece.len() && by_piece[i].0 == piece {
                bits |= by_piece[i].1;
                i += 1;
            }
            if bits == all {
                let start = if piece == 0 {
                    0
                } else {
                    stops[piece - 1] + width
                };
                let end = stops.get(piece).copied().unwrap_or(text.len());
                pieces.push(start..end);
            }
        }
        Some(pieces)
    }
}

/// Whether `range` lies in one of `referrals` (sorted sentences that only refer the reader
/// elsewhere).
fn in_referral(referrals: &[Range<usize>], range: &Range<usize>) -> bool {
    if referrals.is_empty() {
        return false;
    }
    let i = referrals.partition_point(|s| s.end <= range.start);
    referrals
        .get(i)
        .is_some_and(|s| s.start <= range.start && range.end <= s.end)
}

/// A `TermIndex`'s occurrences of `term`, computed the first time it is asked for (its
/// fields taken apart, so that the caller may read its referrals beside the answer).
fn occurrences_of<'i>(
    doc: &Document,
    terms: &TermSet,
    pieces: &Pieces,
    found: &'i mut [Option<Vec<Range<usize>>>],
    other: &'i mut FxHashMap<String, Vec<Range<usize>>>,
    term: &str,
) -> &'i [Range<usize>] {
    match terms.id(term) {
        Some(id) => found[id].get_or_insert_with(|| {
            let compiled = compiled(term);
            // the pieces that may hold a match, for a term with a barrier and literals
            let within = compiled.barrier.and_then(|barrier| {
                let all = (1u8 << compiled.literals.len()) - 1;
                (all != 0)
                    .then(|| pieces.of(&doc.normalized.text, id, all, barrier))
                    .flatten()
            });
            find_term(doc, &compiled, within)
        }),
        None => other
            .entry(term.to_string())
            .or_insert_with(|| find_term(doc, &compiled(term), None)),
    }
}

/// The sentences of `doc` that hold a referral marker, found in one scan of its text.
fn referral_sentences(doc: &Document) -> Vec<Range<usize>> {
    static MARKERS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        // a sentence that says where something is written, not what it is: its words say
        // nothing of the clause it names
        let words = &crate::vocabulary::vocabulary().matcher.referral_markers;
        aho_corasick::AhoCorasick::new(words).expect("referral markers")
    });
    let markers = &*MARKERS;
    let text = doc.normalized.text.as_str();
    // the words never hold a line break: only the lines an edit changed are scanned again
    let found = rescan::scan_with(doc.memo(|m| &m.referrals), text, &(), |lines| {
        let mut found: Vec<Hit<()>> = markers
            .find_overlapping_iter(aho_corasick::Input::new(text).span(lines))
            .map(|m| Hit {
                value: (),
                range: m.range(),
            })
            .collect();
        found.sort_by_key(|h| (h.range.start, h.range.end));
        found
    });
    let mut out: Vec<Range<usize>> = Vec::new();
    for m in found.iter().map(|h| &h.range) {
        let i = doc.sentences.partition_point(|s| s.end < m.end);
        if let Some(s) = doc.sentences.get(i).filter(|s| s.start <= m.start) {
            out.push(s.clone());
        }
    }
    out.sort_by_key(|s| s.start);
    out.dedup();
    out
}

impl<'d> TermIndex<'d> {
    /// Indexes a document: the noun and lemma terms of `terms` in one pass each; `re:`
    /// terms on demand.
    pub fn new(doc: &'d Document, terms: &'d TermSet) -> Self {
        let mut found: Vec<Option<Vec<Range<usize>>>> = vec![None; terms.ids.len()];
        let mut pieces = Pieces::default();
        for ids in &terms.patterns {
            for &id in ids {
                found[id] = Some(Vec::new());
            }
        }
        if let Some(automaton) = &terms.automaton {
            let text = doc.normalized.text.as_str();
            // catalog terms hold no line break: each is found within one line
            let hits = rescan::scan_with(doc.memo(|m| &m.terms), text, &terms.id, |lines| {
                let mut hits: Vec<Hit<u32>> = automaton
                    .find_overlapping_iter(aho_corasick::Input::new(text).span(lines))
                    .map(|m| Hit {
                        value: m.pattern().as_u32(),
                        range: m.range(),
                    })
                    .collect();
                hits.sort_unstable_by_key(|h| (h.range.start, h.range.end, h.value));
                hits
            });
            // by term, the bits of the sets of literals one of which occurs, and where
            let mut open = vec![0u8; found.len()];
            for hit in hits.iter() {
                let pattern = hit.value as usize;
                for &id in &terms.patterns[pattern] {
                    if let Some(v) = &mut found[id] {
                        v.push(hit.range.clone());
                    }
                }
                for &(id, set) in &terms.gates[pattern] {
                    open[id] |= set;
                    pieces
                        .hits
                        .entry(id)
                        .or_default()
                        .push((set, hit.range.start));
                }
            }
            for v in found.iter_mut().flatten() {
                v.sort_by_key(|r| (r.start, r.end));
            }
            // a `re:` term with a set of literals none of which occurs has no match: not
            // searched
            for &(id, _) in terms.gated.iter().filter(|&&(id, all)| open[id] != all) {
                found[id] = Some(Vec::new());
            }
        }
        terms.find_lemma_terms(doc, &mut found);
        let referrals = referral_sentences(doc);
        Self {
            doc,
            terms,
            found,
            other: FxHashMap::default(),
            referrals,
            pieces,
            groups: FxHashMap::default(),
        }
    }

    /// Normalised byte ranges where `term` occurs, sorted.
    fn occurrences(&mut self, term: &str) -> &[Range<usize>] {
        self.occurrences_and_referrals(term).0
    }

    /// `occurrences`, with the document's referral sentences borrowed beside them.
    fn occurrences_and_referrals(&mut self, term: &str) -> (&[Range<usize>], &[Range<usize>]) {
        let occ = occurrences_of(
            self.doc,
            self.terms,
            &self.pieces,
            &mut self.found,
            &mut self.other,
            term,
        );
        (occ, &self.referrals)
    }

    /// Where `term` first occurs inside `segments` (taken in order), outside referrals.
    fn term_in(&mut self, term: &str, segments: &[Range<usize>]) -> Option<Range<usize>> {
        let (occ, referrals) = self.occurrences_and_referrals(term);
        segments.iter().find_map(|seg| {
            let i = occ.partition_point(|r| r.start < seg.start);
            occ[i..]
                .iter()
                .take_while(|r| r.start < seg.end)
                .find(|r| r.end <= seg.end && !in_referral(referrals, r))
                .cloned()
        })
    }

    /// Whether a term of `group` occurs inside one of `segments`, outside referrals. A group
    /// is asked of every clause unit: its terms' occurrences outside referrals are merged
    /// once per document, under the address of the catalog's group (`groups`).
    fn group_in(&mut self, group: &[String], segments: &[Range<usize>]) -> bool {
        let key = (group.as_ptr() as usize, group.len());
        if !self.groups.contains_key(&key) {
            let mut merged: Vec<Range<usize>> = Vec::new();
            for term in group {
                merged.extend_from_slice(self.occurrences(term));
            }
            merged.retain(|r| !in_referral(&self.referrals, r));
            merged.sort_by_key(|r| (r.start, r.end));
            self.groups.insert(key, merged);
        }
        let occ = &self.groups[&key];
        segments.iter().any(|seg| {
            let i = occ.partition_point(|r| r.start < seg.start);
            occ[i..]
                .iter()
                .take_while(|r| r.start < seg.end)
                .any(|r| r.end <= seg.end)
        })
    }

    /// The first place inside `segments` where a term of `group` occurs, outside referrals.
    fn first_in(&mut self, group: &[String], segments: &[Range<usize>]) -> Option<Range<usize>> {
        group
            .iter()
            .filter_map(|term| self.term_in(term, segments))
            .min_by_key(|r| r.start)
    }

    fn all_in(&mut self, groups: &Groups, segments: &[Range<usize>]) -> bool {
        groups.iter().all(|g| self.group_in(g, segments))
    }

    /// `all_in`, with the group `met` (when there is one) already met by another clause.
    fn all_in_but(
        &mut self,
        groups: &Groups,
        segments: &[Range<usize>],
        met: Option<usize>,
    ) -> bool {
        (0..groups.len()).all(|g| Some(g) == met || self.group_in(&groups[g], segments))
    }

    fn none_in(&mut self, groups: &Groups, segments: &[Range<usize>]) -> bool {
        !groups.iter().any(|g| self.group_in(g, segments))
    }

    /// Whether the item's condition is raised: a trigger term occurs, not in a sentence that
    /// denies one of `trigger_denied_with` after it (「国外にある第三者に提供いたしません」
    /// says there is no transfer abroad to describe), nor in one that holds a
    /// `trigger_unless` term (the sentence speaks of something else), nor in a caption line
    /// over such a sentence (「c）認定個人情報保護団体」 over 「…加盟する認定個人情報保護団体は
    /// ありません。」).
    /// Returns the normalised range of the first occurrence that raises it.
    fn trigger_raised(&mut self, item: &Item) -> Option<Range<usize>> {
        let doc = self.doc;
        let mut occurrences: Vec<Range<usize>> = item
            .trigger
            .iter()
            .flat_map(|t| self.occurrences(t).to_vec())
            .collect();
        if !item.trigger_unless.is_empty() {
            let unless: Vec<Range<usize>> = item
                .trigger_unless
                .iter()
                .flat_map(|t| self.occurrences(t).to_vec())
                .collect();
            let text = &doc.normalized.text;
            let holds_unless = |span: Range<usize>| {
                unless
                    .iter()
                    .any(|u| span.start <= u.start && u.end <= span.end)
            };
            occurrences.retain(|r| {
                let in_sentence = sentence_at(&doc.sentences, r.start)
                    .is_some_and(|i| holds_unless(doc.sentences[i].clone()));
                let line = line_around(text, r);
                let line_text = &text[line.clone()];
                // (a bulleted entry of a list, 「・Vercel（米国）：ウェブサイトのホスティング」, is
                // no caption over the entry after it)
                let entry = line_text
                    .trim_start()
                    .starts_with(crate::document::LIST_BULLETS);
                let caption = !entry && !line_text.contains('。');
                let over_unless = caption && holds_unless(line_after(text, &line));
                !in_sentence && !over_unless
            });
        }
        // a heading that names the category (「3. 第三者への提供および共同利用等」) over a
        // section that never speaks of it again announces nothing, for the items whose
        // sections name their category again
        if item.trigger_named_again_under_heading {
            let all = occurrences.clone();
            occurrences.retain(|r| !heading_over_silence(doc, r, &all));
        }
        if only_hypothetical(&doc.normalized.text, &occurrences) {
            return None;
        }
        if item.trigger_denied_with.is_empty() {
            return occurrences.into_iter().min_by_key(|r| r.start);
        }
        let verbs: Vec<Range<usize>> = item
            .trigger_denied_with
            .iter()
            .flat_map(|t| self.occurrences(t).to_vec())
            .collect();
        let text = &doc.normalized.text;
        let denied = |r: &Range<usize>| {
            let Some(sentence) = sentence_at(&doc.sentences, r.start).map(|i| &doc.sentences[i])
            else {
                return false;
            };
            polarity(&text[sentence.clone()]) == Polarity::Prohibition
                && verbs
                    .iter()
                    .any(|v| v.start >= r.end && v.end <= sentence.end)
        };
        // each occurrence judged once, then split into the denied and the rest
        let (mut denials, kept): (Vec<Range<usize>>, Vec<Range<usize>>) =
            occurrences.into_iter().partition(|r| denied(r));
        // the proviso of a denial (「…第三者（日本国外にある者を含みます。）に提供しません。但し、
        // 次に掲げる…第三者（日本国外にある者を含みます。）に提供する場合はこの限りではありません。」)
        // lists the law's exceptions to it, and raises nothing either
        let sentence_of = |r: &Range<usize>| sentence_at(&doc.sentences, r.start);
        let (provisos, kept): (Vec<Range<usize>>, Vec<Range<usize>>) =
            kept.into_iter().partition(|r| {
                sentence_of(r).is_some_and(|i| {
                    let opens = text[doc.sentences[i].clone()].trim_start();
                    i > 0
                        && (opens.starts_with("ただし") || opens.starts_with("但し"))
                        && denials.iter().any(|d| sentence_of(d) == Some(i - 1))
                })
            });
        denials.extend(provisos);
        // a caption (「5. 第三者への提供・共同利用について」) over a sentence that denies the
        // trigger (「…第三者に提供または共同利用することはありません。」) announces nothing either
        let over_a_denial = |r: &Range<usize>| {
            let line = line_around(text, r);
            if text[line.clone()].contains('。') {
                return false;
            }
            let next = line_after(text, &line);
            denials
                .iter()
                .any(|d| next.start <= d.start && d.end <= next.end)
        };
        kept.into_iter()
            .filter(|r| !over_a_denial(r))
            .min_by_key(|r| r.start)
    }
}

/// The index of the sentence (of `sentences`, in order) that holds byte `at`, if one does.
fn sentence_at(sentences: &[Range<usize>], at: usize) -> Option<usize> {
    let i = sentences.partition_point(|s| s.end <= at);
    sentences.get(i).filter(|s| s.start <= at).map(|_| i)
}

/// Whether a document speaks of a trigger only as a condition (「第三者と共同利用する場合は、予め
/// お知らせします」, an exception 「…共同利用を行う場合」) and in captions over such statements
/// (「個人情報の共同利用について」): it announces what it would do, and does not do it.
/// 「共同利用する場合があります」 and 「共同利用する場合の項目」 are not conditions, nor is a place
/// (「カード発行会社が外国にある場合」 says where data may go): the condition is an act.
fn only_hypothetical(text: &str, occurrences: &[Range<usize>]) -> bool {
    // the act on the trigger (「共同利用する場合」), or on a trigger named as a noun
    // (「匿名加工情報を作成する場合」「…を第三者に提供する場合」), after a definition in brackets;
    // or the first of two acts in one condition (「共同利用し、または、…を委託する場合には」);
    // or the trigger named as the case itself, the law's category in a list of exceptions
    // (「・共同利用の場合（事前に通知…したもの）」「同条5項各号（外部委託、事業承継もしくは共同利用）
    // の場合」「同第3項(共同利用)の方法による場合」「共同利用する場合（利用者への通知がある場合）」),
    // a note in brackets after it
    static CONDITION: Resettable<regex::Regex> = Resettable::new(|| {
        regex::Regex::new(
            r"^(?:(?:\([^()\n]*\))?(?:を行う|を行なう|する|をする|される|を(?:[^。、\n]{0,12}に)?\p{Han}{2,4}(?:する|される)|を取り?扱う|(?:し|して)、?(?:または|又は|もしくは|若しくは|あるいは)、?[^。\n]{0,40}?(?:する|される|を行う))場合(?:は|には|であって|、|,|\(|\s*$)|\)?の(?:方法による)?場合(?:は|には|、|,|\(|\s*$))",
        )
        .expect("static regex")
    });
    let condition = CONDITION.get();
    let mut hypothetical = false;
    // where the sentence of the last condition ends: the law's exception quoted whole
    // (「個人情報を特定の者との間で共同して利用する場合であって、その旨並びに共同して利用される
    // 個人情報の項目…を…置いた場合」) names the trigger again inside the same condition
    let mut condition_until = 0;
    let mut in_order = occurrences.to_vec();
    in_order.sort_by_key(|r| (r.start, r.end));
    for r in &in_order {
        let line = line_around(text, r);
        let after = &text[r.end..line.end];
        let after = after.split('。').next().unwrap_or(after);
        if condition.is_match(after) {
            hypothetical = true;
            condition_until = r.end + after.len();
            // what would then be done, listed under the condition (「…を作成する場合、以下の
            // 対応を行います。」 over 「1. …を公表する」): the list is part of the condition
            if ["以下", "次", "下記"].iter().any(|w| after.contains(w)) {
                condition_until = list_after(text, condition_until);
            }
            continue;
        }
        if r.start < condition_until {
            continue;
        }
        // a caption in 【】 that opens its line (「【共同利用】…と共同利用する場合は、…明示します。」)
        // names the topic of the sentence after it, as a caption line above it does
        let line_start = line.start;
        let line = &text[line];
        if line.starts_with('【')
            && line
                .find('】')
                .is_some_and(|close| r.end <= line_start + close)
        {
            continue;
        }
        // at most CAPTION_CHARS characters, counted no further than that
        let caption = !line.contains('。') && line.chars().nth(CAPTION_CHARS).is_none();
        if !caption {
            return false;
        }
    }
    hypothetical
}

/// The end of the list entries (「1. …」「・…」) on the lines that follow `offset`'s line, or
/// `offset` when none follows.
fn list_after(text: &str, offset: usize) -> usize {
    let mut end = offset;
    let mut line = line_around(text, &(offset..offset));
    loop {
        line = line_after(text, &line);
        if line.is_empty() || !crate::document::starts_as_list_entry(&text[line.clone()]) {
            return end;
        }
        end = line.end;
    }
}

/// The line of `text` that holds `range` (without its line break).
fn line_around(text: &str, range: &Range<usize>) -> Range<usize> {
    let start = text[..range.start].rfind('\n').map_or(0, |n| n + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |n| range.end + n);
    start..end
}

/// The line after `line` (empty at the end of the text).
fn line_after(text: &str, line: &Range<usize>) -> Range<usize> {
    let start = (line.end + 1).min(text.len());
    start..line_around(text, &(start..start)).end
}

/// Longest line read as a caption over the statements of a trigger, in characters.
const CAPTION_CHARS: usize = 30;

/// The compiled terms, shared by every document that uses a catalog.
static COMPILED: LazyLock<Mutex<HashMap<String, Arc<CompiledTerm>>>> =
    LazyLock::new(Default::default);

/// Terms are compiled once per process: catalogs repeat across documents.
fn compiled(term: &str) -> Arc<CompiledTerm> {
    let cache = &*COMPILED;
    if let Some(c) = cache.lock().ok().and_then(|m| m.get(term).cloned()) {
        return c;
    }
    let c = Arc::new(compile(term));
    if let Ok(mut m) = cache.lock() {
        m.insert(term.to_string(), c.clone());
    }
    c
}

/// Forgets the compiled terms and their patterns (`catalog::forget_compiled_patterns`), and the
/// checks' and the parser's own expressions (`resettable`), for a language server with no
/// document open: a pattern's search caches (the regex crate's lazy DFA, one per thread that
/// searched) grow with the documents searched and are freed only with the pattern. The next
/// document compiles them again.
pub fn forget_compiled_terms() {
    if let Ok(mut terms) = COMPILED.lock() {
        terms.clear();
    }
    crate::catalog::forget_compiled_patterns();
    crate::resettable::forget_all();
}

fn compile(term: &str) -> CompiledTerm {
    if let Some(pattern) = term.strip_prefix(crate::catalog::PATTERN_PREFIX) {
        // catalogs are validated on load; an invalid pattern matches nothing
        let pattern = crate::catalog::compiled_pattern(pattern)
            .unwrap_or_else(|_| regex::Regex::new("$^").expect("static regex"));
        return CompiledTerm {
            text: term.to_string(),
            tokens: Vec::new(),
            nouns_only: false,
            barrier: crate::literals::barrier(pattern.as_str()),
            literals: crate::literals::required_literals(pattern.as_str()),
            pattern: Some(pattern),
        };
    }
    let text = normalize::normalize(term).text;
    let tokens = morphology::tokenize(&text);
    let nouns_only = !tokens.is_empty()
        && tokens
            .iter()
            .all(|t| t.pos == "名詞" || t.pos == "カスタム名詞" || t.pos == "接頭詞");
    CompiledTerm {
        text,
        tokens,
        nouns_only,
        pattern: None,
        barrier: None,
        literals: Vec::new(),
    }
}

/// Where `term` occurs in `doc`; a `re:` term only in the pieces `within` when given (those
/// that may hold a match: `Pieces::of`), unless the document keeps a memo of its hits.
fn find_term(
    doc: &Document,
    term: &CompiledTerm,
    within: Option<Vec<Range<usize>>>,
) -> Vec<Range<usize>> {
    if let Some(pattern) = &term.pattern {
        let text = doc.normalized.text.as_str();
        let scan = |lines: Range<usize>| {
            pattern
                .find_iter(&text[lines.clone()])
                .map(|m| Hit {
                    value: (),
                    range: lines.start + m.start()..lines.start + m.end(),
                })
                .collect()
        };
        let hits = match (
            doc.pattern_memo(&term.text)
                .filter(|_| term.barrier == Some(crate::literals::Barrier::LineBreak)),
            within,
        ) {
            (Some((memo, shared)), _) => memo.hits(shared, &(), scan),
            (None, Some(pieces)) => {
                let hits: Vec<Hit<()>> = pieces.into_iter().flat_map(scan).collect();
                hits.into()
            }
            (None, None) => scan(0..text.len()).into(),
        };
        return hits.iter().map(|h| h.range.clone()).collect();
    }
    if term.text.is_empty() {
        return Vec::new();
    }
    if term.nouns_only || term.tokens.is_empty() {
        return doc
            .normalized
            .text
            .match_indices(term.text.as_str())
            .map(|(i, m)| i..i + m.len())
            .collect();
    }
    (0..doc.tokens.len())
        .filter_map(|i| term_at(doc, term, i))
        .collect()
}

/// The span of a lemma term whose first token is `doc.tokens[i]`, if it occurs there.
fn term_at(doc: &Document, term: &CompiledTerm, i: usize) -> Option<Range<usize>> {
    let n = term.tokens.len();
    let tokens = doc.tokens.get(i..i + n)?;
    let matches = tokens.iter().zip(&term.tokens).all(|(d, t)| {
        // the last token of a verb term may be inflected: compare lemmas
        d.surface == t.surface || (d.base() == t.base() && !t.base().is_empty())
    });
    let span = tokens[0].span.start..tokens[n - 1].span.end;
    // contiguous within one line
    (matches && !doc.normalized.text[span.clone()].contains('\n')).then_some(span)
}

fn polarity_ok(required: Polarity, actual: Polarity) -> bool {
    required == Polarity::Any || required == actual
}

fn units_of(doc: &Document, scope: Scope) -> impl Iterator<Item = &ClauseUnit> {
    doc.units().iter().filter(move |u| u.scope == scope)
}

/// The parts of a document a sectioned catalog applies to (normalised byte ranges).
fn sections(
    index: &mut TermIndex<'_>,
    spec: &SectionSpec,
    voluntariness: Option<&MatchSpec>,
) -> Vec<Range<usize>> {
    let doc = index.doc;
    let text = &doc.normalized.text;
    let s = &doc.structure;
    let first_unit = s.roots.first().map_or(text.len(), |&i| {
        doc.normalized_range(s.units[i].span.clone()).start
    });
    let preamble = 0..first_unit;
    if first_unit > 0 && index.group_in(&spec.heading, std::slice::from_ref(&preamble)) {
        let whole = 0..text.len();
        return std::iter::once(whole).collect();
    }
    let mut found = Vec::new();
    let mut captions = Vec::new();
    for unit in &s.units {
        let header = doc.normalized_range(unit.header.clone());
        let caption = unit.caption_range.clone().map(|r| doc.normalized_range(r));
        let lines: Vec<Range<usize>> = caption.into_iter().chain([header]).collect();
        let is_caption = lines
            .iter()
            .all(|r| !text[r.clone()].trim_end().ends_with('。'));
        if !is_caption {
            continue;
        }
        if index.group_in(&spec.heading, &lines) && !index.group_in(&spec.unless, &lines) {
            found.push(doc.normalized_range(unit.span.clone()));
        }
        captions.extend(lines);
    }
    // the text's non-empty lines, read by the form rules below (which apply only when no
    // heading opened the part), and the form's captions that the structure does not read as
    // headings among them: 【事業者の名称】, 「・個人情報保護管理者」, 「1（事業者名）」
    let lines: Vec<Range<usize>> = if found.is_empty() {
        crate::document::non_empty_lines(text, 0..text.len())
            .into_iter()
            .map(|(line, _)| line)
            .collect()
    } else {
        Vec::new()
    };
    let caption_lines = caption_lines(text, &lines);
    captions.extend(caption_lines.iter().cloned());
    // how many of the outline's groups stand in `lines`
    let named = |index: &mut TermIndex<'_>, lines: &[Range<usize>]| {
        groups_named(index, &spec.outline, lines)
    };
    // (not the policy over every person the business knows, which may set the same matters
    // out as its headings: 「保有個人データに関する周知事項」 over the purposes of its users,
    // partners, staff and applicants)
    if found.is_empty()
        && spec.outline_min > 0
        && named(index, &captions) >= spec.outline_min
        && !covers_every_person(index, spec)
    {
        return std::iter::once(0..text.len()).collect();
    }
    let opens_as_form = found.is_empty() && opens_as_form_notice(index, spec);
    // a text that shows itself as a form's (asking consent before sending, at its end or
    // opening, or opening with the form it is about) is the notice however few matters it names
    let shown_at_a_form = found.is_empty()
        && (opens_as_form
            || consent_at_end(index, spec)
            || consent_at_opening(index, spec)
            || names_the_entered_data(index, spec, &lines)
            || names_the_occasion(index, spec, &lines)
            // one campaign or event named as what the data are given for (a campaign's
            // terms), or consent asked before applying (a registration page), anywhere
            || all_anywhere(index, &spec.this_occasion)
            || all_anywhere(index, &spec.consent_before_applying));
    if shown_at_a_form && spec.form_outline_min > 0 {
        let whole = 0..text.len();
        if named(index, std::slice::from_ref(&whole)) >= spec.form_outline_min {
            return std::iter::once(whole).collect();
        }
    }
    // whether the text states the voluntariness with its consequence, looked for once and
    // only when a rule below asks
    let mut voluntary = None;
    let mut states_voluntariness = |index: &mut TermIndex<'_>| {
        *voluntary.get_or_insert_with(|| states_the_voluntariness(index, voluntariness))
    };
    // a note of a few sentences beside a form: it opens naming the form, or states the
    // voluntariness of what the reader is about to give (「個人情報を当社に与えていただくことは
    // 任意ですが、…」), which is said only where the data are entered
    if found.is_empty()
        && spec.note_lines > 0
        && lines.len() <= spec.note_lines
        && (opens_as_form || states_voluntariness(index))
    {
        let whole = 0..text.len();
        if named(index, std::slice::from_ref(&whole)) >= spec.note_outline_min {
            return std::iter::once(whole).collect();
        }
    }
    if found.is_empty() && (shown_at_a_form || spec.marked_outline_min > 0) {
        // a form's captions may be plain short lines over their text (「事業者の氏名または名称」
        // over the name)
        let headers: Vec<Range<usize>> = s
            .units
            .iter()
            .map(|u| doc.normalized_range(u.header.clone()))
            .chain(caption_lines)
            .chain(plain_caption_lines(text, &lines))
            .collect();
        let named_here = named(index, &headers);
        // or fewer, when one heading states what only such a notice states (the voluntariness
        // of providing the data): a form's notice that lacks some matters is still the
        // notice, and so is the page a business's forms point to, which sets the matters out
        // as its outline with that heading among them
        let marked = spec.marked_outline_min > 0
            && named_here >= spec.marked_outline_min
            && index.group_in(&spec.marks, &headers);
        let outlined = marked || named_here >= spec.consent_outline_min;
        // a page at no form is the notice its forms point to when it states the voluntariness
        // with its consequence and is not the policy over every person the business knows
        if outlined
            && (shown_at_a_form
                || (states_voluntariness(index) && !covers_every_person(index, spec)))
        {
            return std::iter::once(0..text.len()).collect();
        }
    }
    if !spec.statement.is_empty() {
        for sentence in doc.sentences.iter() {
            if index.all_in(&spec.statement, std::slice::from_ref(sentence)) {
                found.push(sentence.start..text.len());
                break;
            }
        }
    }
    found
}

/// Whether one clause unit states the voluntariness of providing the data and what follows
/// when they are not given (「個人情報のご提供は任意です。ただし、ご提供いただけない場合は…
/// できません」), which the page a business's forms point to states and a general policy does
/// not; what the item excludes (a cookie refused in the browser) states none.
fn states_the_voluntariness(index: &mut TermIndex<'_>, voluntariness: Option<&MatchSpec>) -> bool {
    let doc = index.doc;
    voluntariness.is_some_and(|spec| {
        doc.units().iter().any(|unit| {
            index.all_in(&spec.all, &unit.segments) && index.none_in(&spec.none, &unit.segments)
        })
    })
}

/// Whether a text names `general_min` of the `general` groups (the business's applicants,
/// shareholders, partners): the policy over all the personal information it handles, not the
/// page its forms point to.
fn covers_every_person(index: &mut TermIndex<'_>, spec: &SectionSpec) -> bool {
    let whole = 0..index.doc.normalized.text.len();
    spec.general_min > 0
        && groups_named(index, &spec.general, std::slice::from_ref(&whole)) >= spec.general_min
}

/// How many of `groups` stand in `lines` (each group met by one of its terms).
fn groups_named(index: &mut TermIndex<'_>, groups: &Groups, lines: &[Range<usize>]) -> usize {
    groups.iter().filter(|g| index.group_in(g, lines)).count()
}

/// Lines at the end of a document read for a request of consent: the consent line, then
/// the business's name and contact under it.
const CONSENT_TAIL_LINES: usize = 5;

/// Whether the document's opening (its first two lines: the title and the sentence under it)
/// names a form or the data a form takes (「お問い合わせフォームにおける個人情報の取扱いに
/// ついて」, 「お問い合わせに際して取得する個人情報を以下の通り取り扱います」): a notice given
/// where the data are entered.
fn opens_as_form_notice(index: &mut TermIndex<'_>, spec: &SectionSpec) -> bool {
    if spec.form.is_empty() {
        return false;
    }
    let opening = opening_lines(&index.doc.normalized.text, 1);
    index.all_in(&spec.form, std::slice::from_ref(&opening))
}

/// Whether the first half of a text (its opening at least) names the data the reader enters at
/// the form (`entered`);
/// `lines` are the text's non-empty lines.
fn names_the_entered_data(
    index: &mut TermIndex<'_>,
    spec: &SectionSpec,
    lines: &[Range<usize>],
) -> bool {
    if spec.entered.is_empty() {
        return false;
    }
    // (at least the opening: a title and the one sentence under it)
    let half = lines.len().div_ceil(2).max(2);
    let Some(end) = lines
        .get(half.min(lines.len()).saturating_sub(1))
        .map(|line| line.end)
    else {
        return false;
    };
    let first_half = 0..end;
    index.all_in(&spec.entered, std::slice::from_ref(&first_half))
}

/// Whether a note of at most `note_lines` lines (`lines`, its non-empty lines) names the
/// occasion its data are given on (`occasion`).
fn names_the_occasion(
    index: &mut TermIndex<'_>,
    spec: &SectionSpec,
    lines: &[Range<usize>],
) -> bool {
    !lines.is_empty() && lines.len() <= spec.note_lines && all_anywhere(index, &spec.occasion)
}

/// Whether every one of `groups` stands somewhere in the text (never, when a catalog gives no
/// groups).
fn all_anywhere(index: &mut TermIndex<'_>, groups: &Groups) -> bool {
    if groups.is_empty() {
        return false;
    }
    let whole = 0..index.doc.normalized.text.len();
    index.all_in(groups, std::slice::from_ref(&whole))
}

/// How many lines under a title may still belong to it (a subtitle, the date of the text).
const TITLE_BLOCK_LINES: usize = 2;

/// A document's first lines: its title, the lines under it that still belong to the title (a
/// subtitle in brackets 「（NOCSY塾 資料請求）」, a second title line 「プライバシーポリシー」, the
/// text's date 「最終更新日：2026年7月1日」) and `sentence_lines` lines under them (the sentence
/// that opens the text).
fn opening_lines(text: &str, sentence_lines: usize) -> Range<usize> {
    let first = line_around(text, &(0..0));
    let mut last = line_after(text, &first);
    for _ in 0..TITLE_BLOCK_LINES {
        if !belongs_to_the_title(&text[last.clone()]) {
            break;
        }
        last = line_after(text, &last);
    }
    for _ in 1..sentence_lines {
        last = line_after(text, &last);
    }
    first.start..last.end.max(first.end)
}

/// Whether a line under a title is still part of it: a subtitle in brackets, a date line
/// (「最終更新日: 2026年5月31日」「制定 平成19年7月1日」), or the name of the kind of text as a second
/// title (「プライバシーポリシー」 under 「採用サイトの情報の取り扱い」). Not a heading that opens
/// the first section (「個人情報の収集について」「個人情報の利用目的」).
fn belongs_to_the_title(line: &str) -> bool {
    static KIND_OF_TEXT: Resettable<regex::Regex> = Resettable::new(|| {
        regex::Regex::new(r"(?i)^(?:プライバシー[・ ]?ポリシー|個人情報保護(?:方針|指針|宣言|ポリシー)|privacy[ ]?policy)$")
            .expect("static regex")
    });
    let words = line.trim();
    (words.starts_with('(') && words.ends_with(')'))
        || crate::structure::dates_the_text(words)
        || KIND_OF_TEXT.get().is_match(words)
}

/// Lines that are captions by their shape alone, each as the range of its caption's words:
/// 【…】 opening a line, a number with the caption in brackets (「1（事業者名）」, normalised to
/// 「1(事業者名)」), a line that is its caption in brackets over text (「（第三者への提供に
/// ついて）」) or in angle brackets (「＜個人情報保護管理者＞」), a bulleted line that is no
/// sentence and heads text, not another entry (「・個人情報保護管理者」 over its name; not
/// 「・会社名・部署名（任意）」 in a list of fields). `lines` are the text's non-empty lines.
fn caption_lines(text: &str, lines: &[Range<usize>]) -> Vec<Range<usize>> {
    static CAPTION: Resettable<regex::Regex> = Resettable::new(|| {
        regex::Regex::new(
            r"^[ \t]*(?:【(?P<bracketed>[^】\n]{2,40})】|\d{1,2}[ \t]*\((?P<numbered>[^)\n]{2,40})\)[ \t\r]*$|\((?P<parenthesised>[^()\n。]{2,40})\)[ \t\r]*$|[<＜〈《](?P<angled>[^<>＜＞〈〉《》\n。]{2,40})[>＞〉》][ \t\r]*$|[・●■◆◇□▼▶][ \t]*(?P<bulleted>[^。\n]{2,40}?)[ \t\r]*$)",
        )
        .expect("static regex")
    });
    let caption = CAPTION.get();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = caption.captures(&text[line.clone()]) else {
            continue;
        };
        let heads_text = || {
            lines
                .get(i + 1)
                .is_some_and(|next| !crate::document::starts_as_list_entry(&text[next.clone()]))
        };
        let caption = c
            .name("bracketed")
            .or_else(|| c.name("numbered"))
            .or_else(|| c.name("parenthesised").filter(|_| heads_text()))
            .or_else(|| c.name("angled"))
            .or_else(|| c.name("bulleted").filter(|_| heads_text()));
        out.extend(caption.map(|m| line.start + m.start()..line.start + m.end()));
    }
    out
}

/// Short lines that are no sentence and stand over another line (「個人情報保護管理者」 over
/// 「開発部部長」), as a form's captions in plain text are written; `lines` are the text's
/// non-empty lines.
fn plain_caption_lines(text: &str, lines: &[Range<usize>]) -> Vec<Range<usize>> {
    lines[..lines.len().saturating_sub(1)]
        .iter()
        .filter(|line| {
            let words = text[(*line).clone()].trim();
            !words.ends_with('。') && words.chars().nth(CAPTION_CHARS).is_none()
        })
        .cloned()
        .collect()
}

/// Whether a document ends by asking the person to agree to it (a form's 「上記内容に同意する」).
fn consent_at_end(index: &mut TermIndex<'_>, spec: &SectionSpec) -> bool {
    let text = index.doc.normalized.text.as_str();
    let mut start = text.trim_end().len();
    for _ in 0..CONSENT_TAIL_LINES {
        match text[..start].trim_end().rfind('\n') {
            Some(n) => start = n,
            None => {
                start = 0;
                break;
            }
        }
    }
    // a line of the tail that asks consent, and no consent to something else
    crate::document::non_empty_lines(text, start..text.len())
        .into_iter()
        .any(|(line, _)| {
            let one = std::slice::from_ref(&line);
            index.all_in(&spec.consent, one) && !index.group_in(&spec.consent_to_use, one)
        })
}

/// Lines under a document's title read for a request of consent: the instruction over a form
/// often comes second, under a line on what to fill in (「以下のフォームに必要事項をご入力の上…」
/// over 「※個人情報に関する内容をご確認後、同意いただける場合のみお問い合わせ下さい。」).
const CONSENT_OPENING_LINES: usize = 2;

/// Whether a document opens by asking the person to agree to it (in its title and the
/// `CONSENT_OPENING_LINES` lines under it), as the instruction over a form (「当社の個人情報の
/// 取扱い及び利用目的に同意の上、内容を送信してください。」), not to the use of a service
/// (「本ポリシーにご同意のうえご利用ください」).
fn consent_at_opening(index: &mut TermIndex<'_>, spec: &SectionSpec) -> bool {
    let opening = opening_lines(&index.doc.normalized.text, CONSENT_OPENING_LINES);
    let opening = std::slice::from_ref(&opening);
    index.all_in(&spec.consent, opening) && !index.group_in(&spec.consent_to_use, opening)
}

fn mentions_personal_data(doc: &Document, unit: &ClauseUnit) -> bool {
    unit.segments.iter().any(|s| {
        let text = &doc.normalized.text[s.clone()];
        let words = &crate::vocabulary::vocabulary().matcher.personal_data;
        words.iter().any(|w| text.contains(w.as_str()))
    })
}

/// A general clause (「乙は、本業務を再委託することができる」) gives way to one on
/// personal data that meets the item (「個人データを取り扱う再委託は甲の書面による同意を
/// 得る」): the specific provision governs the entrusted data.
fn lifted_by_a_specific_clause(
    index: &mut TermIndex<'_>,
    item: &Item,
    conflicting: &ClauseUnit,
    inside: &dyn Fn(&ClauseUnit) -> bool,
) -> bool {
    let doc = index.doc;
    let spec = &item.match_spec;
    if spec.scope == Scope::Document || mentions_personal_data(doc, conflicting) {
        return false;
    }
    units_of(doc, spec.scope).filter(|u| inside(u)).any(|unit| {
        mentions_personal_data(doc, unit)
            && polarity_ok(spec.polarity, unit.polarity)
            && index.all_in(&spec.all, &unit.segments)
            && index.none_in(&spec.none, &unit.segments)
    })
}

/// The group of `match.all` that another clause meets (`match.elsewhere`): a clause unit of
/// the item's scope, inside the catalog's sections, that holds every group of
/// `elsewhere.all` (the desk with its address that a request clause sends the reader to).
fn met_elsewhere(
    index: &mut TermIndex<'_>,
    spec: &crate::catalog::MatchSpec,
    inside: &dyn Fn(&ClauseUnit) -> bool,
) -> Option<usize> {
    let elsewhere = spec.elsewhere.as_ref()?;
    let doc = index.doc;
    units_of(doc, spec.scope)
        .filter(|u| inside(u))
        .any(|unit| index.all_in(&elsewhere.all, &unit.segments))
        .then_some(elsewhere.group)
}

/// The first clause that meets one of the item's conflict patterns: those judged before the
/// item's match, or (`when_missing`) those judged only once no clause meets the item.
fn conflicting(
    index: &mut TermIndex<'_>,
    item: &Item,
    when_missing: bool,
    inside: &dyn Fn(&ClauseUnit) -> bool,
) -> Option<ItemVerdict> {
    let doc = index.doc;
    for (c, conflict) in item.conflicts.iter().enumerate() {
        if conflict.when_missing != when_missing {
            continue;
        }
        for unit in units_of(doc, conflict.scope).filter(|u| inside(u)) {
            // a caption (「（再委託）」「5.3 再委託先と目的」) says what its article is about,
            // not what it allows: only a sentence describes the practice
            if when_missing
                && !unit
                    .segments
                    .iter()
                    .any(|s| doc.normalized.text[s.clone()].contains('。'))
            {
                continue;
            }
            if polarity_ok(conflict.polarity, unit.polarity)
                && index.all_in(&conflict.all, &unit.segments)
                && index.none_in(&conflict.lacking, &unit.segments)
                && !lifted_by_a_specific_clause(index, item, unit, inside)
            {
                // in a whole article, the line of the pattern's last group is the one to
                // mend (the exception under the rule), not the article's caption
                let focus = match conflict.scope {
                    Scope::Article => {
                        exception_under_the_rule(index, &conflict.all, &unit.segments)
                            .map(|at| doc.original(line_around(&doc.normalized.text, &at)))
                            .unwrap_or_else(|| unit.focus_in(doc))
                    }
                    _ => unit.focus_in(doc),
                };
                return Some(ItemVerdict {
                    status: Status::Conflict,
                    found: Some(focus),
                    conflict: Some(c),
                    nearest: None,
                    trigger: None,
                });
            }
        }
    }
    None
}

/// Where a conflict found in a whole article is to be mended: the first occurrence of its last
/// group (the exception) from the point where the other groups (the rule) have all begun,
/// since a unit that runs over two captioned sections may hold words of the last group above
/// the rule too (a purpose 「…必要であると判断した場合」 above the third-party rule and its
/// exceptions); the first occurrence anywhere when none follows.
fn exception_under_the_rule(
    index: &mut TermIndex<'_>,
    groups: &Groups,
    segments: &[Range<usize>],
) -> Option<Range<usize>> {
    let (last, rule) = groups.split_last()?;
    let rule_start = rule
        .iter()
        .filter_map(|g| index.first_in(g, segments))
        .map(|at| at.start)
        .max()
        .unwrap_or(0);
    let after: Vec<Range<usize>> = segments
        .iter()
        .filter(|s| s.end > rule_start)
        .map(|s| s.start.max(rule_start)..s.end)
        .collect();
    index
        .first_in(last, &after)
        .or_else(|| index.first_in(last, segments))
}

/// Whether `at` stands in a heading line (no 「。」) that opens an article-sized unit in which
/// no other of the trigger's `occurrences` stands: the heading names a category the section
/// under it does not take up (「第三者への提供および共同利用等」 over the third-party rule alone).
fn heading_over_silence(doc: &Document, at: &Range<usize>, occurrences: &[Range<usize>]) -> bool {
    let text = &doc.normalized.text;
    let line = line_around(text, at);
    if text[line.clone()].contains('。') {
        return false;
    }
    // the article-sized unit that opens with the heading's line and goes on past it (a heading
    // numbered with a space, 「2 個人情報の利用および共同利用について」, is one since the parser
    // reads such outlines)
    let end = units_of(doc, Scope::Article).find_map(|u| {
        let start = u.segments.iter().map(|s| s.start).min()?;
        let end = u.segments.iter().map(|s| s.end).max()?;
        (start == line.start && end > line.end).then_some(end)
    });
    let Some(end) = end else {
        return false;
    };
    !occurrences
        .iter()
        .any(|o| o.start >= line.end && o.end <= end)
}

/// Judges one item on a document, within `sections` when the catalog has them.
pub fn judge(
    index: &mut TermIndex<'_>,
    item: &Item,
    sections: Option<&[Range<usize>]>,
) -> ItemVerdict {
    let not_applicable = ItemVerdict {
        status: Status::NotApplicable,
        found: None,
        conflict: None,
        nearest: None,
        trigger: None,
    };
    if sections.is_some_and(|s| s.is_empty()) {
        return not_applicable;
    }
    if item.trigger.is_empty() {
        return judge_raised(index, item, sections);
    }
    let Some(trigger) = index.trigger_raised(item) else {
        return not_applicable;
    };
    let mut verdict = judge_raised(index, item, sections);
    verdict.trigger = Some(index.doc.original(trigger));
    verdict
}

/// Judges an item whose condition, if it has one, is raised.
fn judge_raised(
    index: &mut TermIndex<'_>,
    item: &Item,
    sections: Option<&[Range<usize>]>,
) -> ItemVerdict {
    let doc = index.doc;
    let inside = |unit: &ClauseUnit| {
        sections.is_none_or(|sections| {
            unit.segments.last().is_some_and(|seg| {
                sections
                    .iter()
                    .any(|s| s.start <= seg.start && seg.end <= s.end)
            })
        })
    };
    if let Some(verdict) = conflicting(index, item, false, &inside) {
        return verdict;
    }
    let spec = &item.match_spec;
    if spec.scope == Scope::Document {
        return document_verdict(index, spec);
    }
    let met = met_elsewhere(index, spec, &inside);
    // a page's captions with the sentences under them may meet the item (not a conflict,
    // judged above on the units alone)
    let captioned = doc.caption_units().iter().filter(|u| u.scope == spec.scope);
    for unit in units_of(doc, spec.scope)
        .chain(captioned)
        .filter(|u| inside(u))
    {
        if polarity_ok(spec.polarity, unit.polarity)
            && index.all_in_but(&spec.all, &unit.segments, met)
            && index.none_in(&spec.none, &unit.segments)
        {
            return ItemVerdict {
                status: Status::Present,
                found: Some(unit.focus_in(doc)),
                conflict: None,
                nearest: None,
                trigger: None,
            };
        }
    }
    // a section is an article-sized unit of its own (a list item with its lines)
    if spec.scope == Scope::Article && spec.polarity == Polarity::Any {
        for section in sections.unwrap_or_default() {
            let segments = std::slice::from_ref(section);
            if index.all_in_but(&spec.all, segments, met) && index.none_in(&spec.none, segments) {
                return ItemVerdict {
                    status: Status::Present,
                    found: Some(doc.original(section.clone())),
                    conflict: None,
                    nearest: None,
                    trigger: None,
                };
            }
        }
    }
    if let Some(verdict) = conflicting(index, item, true, &inside) {
        return verdict;
    }
    let nearest = nearest(
        index,
        spec,
        met,
        units_of(doc, spec.scope).filter(|u| inside(u)),
    );
    ItemVerdict {
        status: Status::Missing,
        found: None,
        conflict: None,
        nearest,
        trigger: None,
    }
}

/// Clauses shorter than this (about ten characters) are taken for captions.
const CAPTION_BYTES: usize = 32;

/// The unit that holds the most of the item's concept groups, its subject (the first group)
/// among them, for a missing item; when none speaks of the subject, the subject is what the
/// document lacks.
fn nearest<'d>(
    index: &mut TermIndex<'d>,
    spec: &crate::catalog::MatchSpec,
    met: Option<usize>,
    units: impl Iterator<Item = &'d ClauseUnit>,
) -> Option<Nearest> {
    let mut best: Option<(usize, Nearest)> = None;
    for unit in units {
        let lacking: Vec<usize> = (0..spec.all.len())
            .filter(|&g| Some(g) != met && !index.group_in(&spec.all[g], &unit.segments))
            .collect();
        let held = spec.all.len() - lacking.len();
        if held == 0 || lacking.first() == Some(&0) || best.as_ref().is_some_and(|(h, _)| *h > held)
        {
            continue;
        }
        // the clause itself: its longest part (a heading's unit would point at the heading)
        let at = unit.segments.iter().max_by_key(|s| s.len()).map_or_else(
            || unit.focus_in(index.doc),
            |s| index.doc.original(s.clone()),
        );
        // more concepts win; on a tie, a clause wins over a bare caption before it
        let better = best.as_ref().is_none_or(|(h, n)| {
            *h < held || (*h == held && n.at.len() < CAPTION_BYTES && at.len() >= CAPTION_BYTES)
        });
        // a candidate must speak of the item's subject (its first group): a clause that only
        // names the parties is no evidence of anything
        if !better {
            continue;
        }
        let excluded = lacking.is_empty();
        best = Some((
            held,
            Nearest {
                at,
                lacking,
                excluded,
            },
        ));
        if excluded {
            break;
        }
    }
    // no clause speaks of the subject at all: that is what the document lacks
    Some(best.map_or_else(
        || Nearest {
            at: 0..0,
            lacking: vec![0],
            excluded: false,
        },
        |(_, n)| n,
    ))
}

/// `document` scope: every group somewhere in the document and no `none` group anywhere;
/// found where the first group first occurs.
fn document_verdict(index: &mut TermIndex<'_>, spec: &crate::catalog::MatchSpec) -> ItemVerdict {
    let (all, none) = (&spec.all, &spec.none);
    // the document less the blocks of the other organisations it names
    let whole = 0..index.doc.normalized.text.len();
    let own = outside(&whole, &others_blocks(index, spec));
    let present = index.all_in(all, &own) && index.none_in(none, std::slice::from_ref(&whole));
    let found = present
        .then(|| {
            all.first()?
                .iter()
                .filter_map(|t| index.term_in(t, &own))
                .min_by_key(|r| r.start)
        })
        .flatten()
        .map(|r| index.doc.original(r));
    // what a missing document-wide item lacks is what the document does not hold anywhere
    let nearest = (!present).then(|| Nearest {
        at: 0..0,
        lacking: (0..all.len())
            .filter(|&g| !index.group_in(&all[g], &own))
            .collect(),
        excluded: false,
    });
    ItemVerdict {
        status: if present {
            Status::Present
        } else {
            Status::Missing
        },
        found,
        conflict: None,
        nearest,
        trigger: None,
    }
}

/// Most lines an organisation's block runs over after the line that names it.
const OTHERS_BLOCK_LINES: usize = 8;

/// The blocks of the other organisations a document names (`match.others`: the accredited
/// body with its desk and address): each from the word that names it to the end of its
/// line and over the lines under it, up to a blank line, a heading or article of the
/// structure, a line that names an organisation (a term of the item's first group) other
/// than one of `others`, or `OTHERS_BLOCK_LINES` lines; a block that names one of `others`
/// again runs on from there. Normalised ranges, in order.
fn others_blocks(index: &mut TermIndex<'_>, spec: &crate::catalog::MatchSpec) -> Vec<Range<usize>> {
    if spec.others.is_empty() {
        return Vec::new();
    }
    let doc = index.doc;
    let text = &doc.normalized.text;
    let mut starts: Vec<usize> = spec
        .others
        .iter()
        .flat_map(|t| {
            index
                .occurrences(t)
                .iter()
                .map(|r| r.start)
                .collect::<Vec<_>>()
        })
        .collect();
    starts.sort_unstable();
    let headers: Vec<usize> = doc
        .structure
        .units
        .iter()
        .map(|u| doc.normalized.to_normalized(u.header.start))
        .collect();
    let names = spec.all.first().map(Vec::as_slice).unwrap_or_default();
    let mut blocks: Vec<Range<usize>> = Vec::new();
    for start in starts {
        let mut end = line_around(text, &(start..start)).end;
        for _ in 0..OTHERS_BLOCK_LINES {
            if end >= text.len() {
                break;
            }
            let line = line_after(text, &(start..end));
            let line_slice = std::slice::from_ref(&line);
            let another_name =
                index.group_in(names, line_slice) && !index.group_in(&spec.others, line_slice);
            if text[line.clone()].trim().is_empty()
                || headers.binary_search(&line.start).is_ok()
                || another_name
            {
                break;
            }
            end = line.end;
        }
        // a name within a block runs it on from its own line
        match blocks.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => blocks.push(start..end),
        }
    }
    blocks
}

/// `whole` less `blocks` (in order, inside it): the ranges between them.
fn outside(whole: &Range<usize>, blocks: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut at = whole.start;
    for block in blocks {
        if block.start > at {
            ranges.push(at..block.start);
        }
        at = at.max(block.end);
    }
    if at < whole.end {
        ranges.push(at..whole.end);
    }
    ranges
}

/// The parts of the document a sectioned catalog applies to (normalised byte ranges);
/// `None` for a catalog that applies to the whole document.
pub fn catalog_sections(
    index: &mut TermIndex<'_>,
    catalog: &Catalog,
    at_acquisition: bool,
) -> Option<Vec<Range<usize>>> {
    catalog.section.as_ref().map(|spec| {
        // a text declared the notice given at acquisition (its directive, the configuration)
        // is that part whole
        if at_acquisition {
            return std::iter::once(0..index.doc.normalized.text.len()).collect();
        }
        // the match of the item that states the voluntariness, read by the section's rules
        let voluntariness = spec
            .voluntariness
            .as_ref()
            .and_then(|id| catalog.items.iter().find(|item| &item.id == id))
            .map(|item| &item.match_spec);
        sections(index, spec, voluntariness)
    })
}

/// Judges every item of a catalog, within `sections` (from `catalog_sections`).
pub fn judge_catalog(
    index: &mut TermIndex<'_>,
    catalog: &Catalog,
    sections: Option<&[Range<usize>]>,
) -> Vec<ItemVerdict> {
    catalog
        .items
        .iter()
        .map(|item| judge(index, item, sections))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What lies outside the blocks: the ranges between them, none empty.
    #[test]
    fn outside_leaves_the_blocks_out() {
        assert_eq!(outside(&(0..10), &[]), vec![0..10]);
        assert_eq!(outside(&(0..10), &[2..4, 6..8]), vec![0..2, 4..6, 8..10]);
        assert_eq!(outside(&(0..10), &[0..4, 8..10]), vec![4..8]);
        assert_eq!(
            outside(&(0..10), std::slice::from_ref(&(0..10))),
            Vec::<Range<usize>>::new()
        );
    }

    /// A trigger said only as a condition (and in captions over it) raises nothing; a
    /// statement, a possibility (「…場合があります」) or a place (「外国にある場合」) does.
    #[test]
    fn triggers_said_only_as_conditions_are_hypothetical() {
        let at = |text: &str, word: &str| -> Vec<Range<usize>> {
            text.match_indices(word)
                .map(|(i, m)| i..i + m.len())
                .collect()
        };
        for (text, expected) in [
            (
                "共同利用について\n第三者と共同利用する場合は、予めお知らせします。",
                true,
            ),
            ("2. 共同利用を行う場合\n", true),
            (
                "共同利用について\n当社は共同利用する場合があります。",
                false,
            ),
            ("共同利用する場合の項目は次のとおりです。", false),
            (
                "当社は共同利用を行う場合、次の事項を公表します。当社は共同利用しています。",
                false,
            ),
            ("共同利用について\n", false),
            // the first of two acts in one condition, the trigger named again inside it
            (
                "個人情報を第三者との間で共同利用し、または、個人情報の取扱いを第三者に委託する場合には、共同利用の相手方について監督を行います。",
                true,
            ),
            // a possibility of the two acts is a practice
            ("当社は共同利用し、または委託する場合があります。", false),
            // the trigger named as the case, the law's category among the exceptions
            (
                "次の場合を除き、第三者に提供しません。\n・法令に基づく場合\n・共同利用の場合(事前に通知したもの)",
                true,
            ),
            (
                "法第27条第5項各号(外部委託、事業承継もしくは共同利用)の場合",
                true,
            ),
            ("(2) 同第3項(共同利用)の方法による場合", true),
            // (the act's case with a note in brackets after it)
            ("共同利用する場合(利用者への通知がある場合)\n", true),
            // …but not the case's particulars
            ("共同利用の場合の項目は次のとおりです。", false),
        ] {
            assert_eq!(
                only_hypothetical(text, &at(text, "共同利用")),
                expected,
                "{text}"
            );
        }
        let text = "カード発行会社が外国にある場合、情報は移転されます。";
        assert!(!only_hypothetical(text, &at(text, "外国にある")));
        // a noun trigger, defined in brackets, acted on in the condition; what would then be
        // done listed under it
        let text = "当社は、匿名加工情報(復元できないよう加工したもの)を作成する場合、以下の対応を行います。\n1. 匿名加工情報に含まれる情報の項目を公表する\n2. 匿名加工情報を安全に管理する\n";
        assert!(only_hypothetical(text, &at(text, "匿名加工情報")));
        let text = "当社は、匿名加工情報を作成する場合、以下の対応を行います。\n1. 項目を公表する\n当社は匿名加工情報を第三者に提供しています。\n";
        assert!(!only_hypothetical(text, &at(text, "匿名加工情報")));
    }

    /// Forgetting the compiled terms (the language server with nothing open) changes no
    /// verdict: the next document compiles them again.
    #[test]
    fn verdicts_are_the_same_after_the_compiled_terms_are_forgotten() {
        let catalogs = crate::catalog::builtin_catalogs();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let verdicts = |path: &str| {
            let doc = Document::new(std::fs::read_to_string(root.join(path)).unwrap());
            let terms = TermSet::new(&catalogs);
            let mut index = TermIndex::new(&doc, &terms);
            catalogs
                .iter()
                .flat_map(|catalog| {
                    let sections = catalog_sections(&mut index, catalog, false);
                    judge_catalog(&mut index, catalog, sections.as_deref())
                })
                .map(|v| format!("{:?} {:?}", v.status, v.found))
                .collect::<Vec<_>>()
        };
        for path in [
            "notices/01-kanamic-network.txt",
            "contracts/02-oboegaki-itakusha-jutakusha.txt",
        ] {
            let before = verdicts(path);
            // (other tests may compile terms again at the same time: only the verdicts are
            // compared)
            forget_compiled_terms();
            assert_eq!(verdicts(path), before, "{path}");
        }
    }

    /// The one-pass search by anchor token finds what checking every token position finds.
    #[test]
    fn lemma_terms_found_in_one_pass_as_position_by_position() {
        let catalogs = crate::catalog::builtin_catalogs();
        let terms = TermSet::new(&catalogs);
        assert!(terms.lemma_terms.len() > 50);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut found_any = 0;
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                let doc = Document::new(std::fs::read_to_string(e.unwrap().path()).unwrap());
                let mut found = vec![None; terms.ids.len()];
                terms.find_lemma_terms(&doc, &mut found);
                for (term, ids) in &terms.lemma_terms {
                    let expected: Vec<Range<usize>> = (0..doc.tokens.len())
                        .filter_map(|i| term_at(&doc, term, i))
                        .collect();
                    found_any += expected.len();
                    for &id in ids {
                        assert_eq!(found[id].as_ref(), Some(&expected), "{}", term.text);
                    }
                }
            }
        }
        assert!(found_any > 500, "{found_any}");
    }

    /// A term's barrier is a line break exactly when its pattern is line-local, as the open
    /// document's scan memo takes it (`rescan::line_local`).
    #[test]
    fn a_line_break_barrier_is_what_makes_a_pattern_line_local() {
        let catalogs = crate::catalog::builtin_catalogs();
        let terms = TermSet::new(&catalogs);
        for text in &terms.texts {
            let term = compiled(text);
            if let Some(pattern) = &term.pattern {
                assert_eq!(
                    term.barrier == Some(crate::literals::Barrier::LineBreak),
                    rescan::line_local(pattern.as_str()),
                    "{text}"
                );
            }
        }
    }

    /// A `re:` term whose literals a document lacks is not searched there
    /// (`literals::required_literals`): searched anyway, it finds nothing. One searched only
    /// in the pieces that hold its literals (`Pieces`) finds what a search of the whole text
    /// finds.
    #[test]
    fn a_pattern_passed_over_for_its_literals_finds_nothing_when_searched() {
        let catalogs = crate::catalog::builtin_catalogs();
        let terms = TermSet::new(&catalogs);
        assert!(terms.gated.len() > 250, "{}", terms.gated.len());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let (mut passed_over, mut found_any, mut pieces_searched) = (0, 0, 0);
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for e in std::fs::read_dir(root.join(folder)).unwrap() {
                let doc = Document::new(std::fs::read_to_string(e.unwrap().path()).unwrap());
                let index = TermIndex::new(&doc, &terms);
                for &(id, all) in &terms.gated {
                    let term = compiled(&terms.texts[id]);
                    let searched = find_term(&doc, &term, None);
                    found_any += searched.len();
                    if index.found[id].is_some() {
                        passed_over += 1;
                        assert_eq!(searched, Vec::<Range<usize>>::new(), "{}", terms.texts[id]);
                    } else if let Some(barrier) = term.barrier {
                        let within = index.pieces.of(&doc.normalized.text, id, all, barrier);
                        assert!(within.is_some(), "{}", terms.texts[id]);
                        pieces_searched += 1;
                        assert_eq!(
                            find_term(&doc, &term, within),
                            searched,
                            "{}",
                            terms.texts[id]
                        );
                    }
                }
            }
        }
        // most patterns are passed over in most documents, and some do match
        assert!(
            passed_over > 5_000 && found_any > 100 && pieces_searched > 1_000,
            "{passed_over} {found_any} {pieces_searched}"
        );
    }
}
