//! What the language server remembers of a document's pieces between keystrokes: a keystroke
//! changes one line (or one sentence of a long line), so only that piece is tokenised,
//! normalised and classified again (`document::AnalysisCache` holds one cache for each); the
//! rest of an analysis puts the remembered results together. Each cache is bounded by the bytes it holds, not by its number of entries, and
//! forgets the least recently used pieces first: what it keeps follows the document's
//! content, not the history of typing in it.

use std::sync::{Arc, Mutex};

use crate::morphology::{self, Token};

/// Bytes a cache holds by default: the tokens of a document of about 2 MB.
pub const DEFAULT_BUDGET: usize = 32 * 1024 * 1024;

/// The least a document's cache may hold, whatever its size.
const MIN_BUDGET: usize = 4 * 1024 * 1024;

/// Bytes of token cache per byte of text: a document's tokens cost about 16 bytes per byte
/// of Japanese text (one token of 88 bytes per two or three characters, plus the key); twice
/// that leaves room for the pieces an edit replaces until they are forgotten.
const BYTES_PER_TEXT_BYTE: usize = 32;

/// Bytes an entry costs besides its key and value (the LRU's node and the `Arc`).
const ENTRY_OVERHEAD: usize = 96;

/// What a cached value costs in memory besides its own `size_of`.
pub trait HeapSize {
    fn heap_size(&self) -> usize;
}

impl HeapSize for Vec<Token> {
    /// The tokens, and their surfaces when they do not fit inline.
    fn heap_size(&self) -> usize {
        let surfaces: usize = self
            .iter()
            .filter(|t| t.surface.is_heap_allocated())
            .map(|t| t.surface.capacity())
            .sum();
        std::mem::size_of_val(self.as_slice()) + surfaces
    }
}

impl<T: HeapSize> HeapSize for Option<T> {
    fn heap_size(&self) -> usize {
        self.as_ref().map_or(0, HeapSize::heap_size)
    }
}

/// A value per piece of text, least recently used forgotten first once `budget` bytes are
/// held. Shared by the analyses of one document (its lock is held only to look up and
/// insert, never while computing a value).
pub struct PieceCache<V> {
    inner: Mutex<Inner<V>>,
    /// Budget per byte of the document's text (`fit_to`).
    per_text_byte: usize,
}

struct Inner<V> {
    pieces: lru::LruCache<Box<str>, Arc<V>, foldhash::fast::RandomState>,
    bytes: usize,
    budget: usize,
}

impl<V: HeapSize> Inner<V> {
    /// Forgets the least recently used pieces until the budget is kept.
    fn evict(&mut self) {
        while self.bytes > self.budget {
            match self.pieces.pop_lru() {
                Some((key, old)) => self.bytes = self.bytes.saturating_sub(cost(&key, &*old)),
                None => {
                    self.bytes = 0;
                    break;
                }
            }
        }
    }
}

/// The tokens of pieces seen before.
pub type TokenCache = PieceCache<Vec<Token>>;

impl Default for TokenCache {
    fn default() -> Self {
        Self::with_budget(DEFAULT_BUDGET)
    }
}

impl TokenCache {
    /// A token cache that holds at most `budget` bytes until `fit_to` sets another.
    pub fn with_budget(budget: usize) -> Self {
        Self::new(budget, BYTES_PER_TEXT_BYTE)
    }

    /// The tokens of `piece` (spans relative to it), tokenised now if it is not cached.
    pub fn tokens(&self, piece: &str) -> Arc<Vec<Token>> {
        self.get_or_compute(piece, morphology::tokenize)
    }
}

impl<V: HeapSize> PieceCache<V> {
    /// A cache that holds at most `budget` bytes until `fit_to` sets one of `per_text_byte`
    /// bytes per byte of the document's text.
    pub fn new(budget: usize, per_text_byte: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                pieces: lru::LruCache::unbounded_with_hasher(foldhash::fast::RandomState::default()),
                bytes: 0,
                budget,
            }),
            per_text_byte,
        }
    }

    /// A budget that follows the document the cache serves: room for what its `text_bytes`
    /// give twice over (at least `MIN_BUDGET`), so that what typing leaves behind is bounded
    /// by the document's size, not by how long one typed. Forgets what no longer fits.
    pub fn fit_to(&self, text_bytes: usize) {
        let mut inner = self.lock();
        inner.budget = text_bytes
            .saturating_mul(self.per_text_byte)
            .max(MIN_BUDGET);
        inner.evict();
    }

    /// The value of `piece`, computed now by `compute` if it is not cached.
    pub fn get_or_compute(&self, piece: &str, compute: impl FnOnce(&str) -> V) -> Arc<V> {
        if let Some(v) = self.lock().pieces.get(piece).cloned() {
            return v;
        }
        let value = Arc::new(compute(piece));
        let cost = cost(piece, &*value);
        let mut inner = self.lock();
        // a piece larger than the whole budget is not kept (it would evict everything)
        if cost <= inner.budget {
            // another analysis may have put the same piece meanwhile
            if let Some(old) = inner.pieces.put(piece.into(), value.clone()) {
                inner.bytes = inner.bytes.saturating_sub(self::cost(piece, &*old));
            }
            inner.bytes += cost;
            inner.evict();
        }
        drop(inner);
        value
    }

    /// Bytes held now (keys, values and what they keep on the heap).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Pieces held now.
    pub fn len(&self) -> usize {
        self.lock().pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What an entry costs in memory: its key, its value, and a fixed overhead.
fn cost<V: HeapSize>(piece: &str, value: &V) -> usize {
    piece.len() + std::mem::size_of::<V>() + value.heap_size() + ENTRY_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_stay_within_the_budget_and_recent_pieces_are_kept() {
        let one = cost(
            "個人情報を取得する。",
            &morphology::tokenize("個人情報を取得する。"),
        );
        // room for about five pieces of this size
        let cache = TokenCache::with_budget(one * 5);
        for i in 0..200 {
            let piece = format!("個人情報を取得する{}。", "あ".repeat(i % 3));
            cache.tokens(&piece);
            let piece = format!("第{i}条 個人情報を取得する。");
            cache.tokens(&piece);
            assert!(cache.bytes() <= one * 5, "{} > {}", cache.bytes(), one * 5);
        }
        assert!(cache.len() >= 2, "{}", cache.len());
        // the most recent piece is still there: asking again returns the same tokens
        let last = cache.tokens("第199条 個人情報を取得する。");
        assert!(Arc::ptr_eq(
            &last,
            &cache.tokens("第199条 個人情報を取得する。")
        ));
    }

    #[test]
    fn the_least_recently_used_piece_goes_first() {
        let a = "個人情報を取得する。";
        let b = "個人データを提供しない。";
        let c = "保有個人データを開示する。";
        let budget = [a, b, c]
            .iter()
            .map(|p| cost(p, &morphology::tokenize(p)))
            .max()
            .unwrap()
            * 2
            + 1;
        let cache = TokenCache::with_budget(budget);
        let first_a = cache.tokens(a);
        cache.tokens(b);
        // a used again: b is now the least recent, and c evicts it
        assert!(Arc::ptr_eq(&first_a, &cache.tokens(a)));
        cache.tokens(c);
        assert!(Arc::ptr_eq(&first_a, &cache.tokens(a)));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_budget_follows_the_document() {
        let cache = TokenCache::default();
        for i in 0..2000 {
            cache.tokens(&format!("第{i}条 委託先は、個人データを安全に管理する。"));
        }
        let held = cache.bytes();
        assert!(held > MIN_BUDGET / 4, "{held}");
        // a small document: the cache shrinks to the least budget
        cache.fit_to(10_000);
        assert!(cache.bytes() <= MIN_BUDGET && cache.bytes() > 0);
        // a large one: nothing is forgotten
        let cache2 = TokenCache::default();
        cache2.fit_to(1_000_000);
        for i in 0..2000 {
            cache2.tokens(&format!("第{i}条 委託先は、個人データを安全に管理する。"));
        }
        assert_eq!(cache2.len(), 2000);
    }

    #[test]
    fn a_piece_larger_than_the_budget_is_tokenised_but_not_kept() {
        let cache = TokenCache::with_budget(64);
        let tokens = cache.tokens("個人情報取扱事業者は、個人データを提供しない。");
        assert!(!tokens.is_empty());
        assert!(cache.is_empty());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn cached_tokens_equal_fresh_ones() {
        let cache = TokenCache::default();
        let piece = "委託先は、再委託先に匿名加工情報を提供しない。";
        cache.tokens(piece);
        assert_eq!(*cache.tokens(piece), morphology::tokenize(piece));
    }
}
