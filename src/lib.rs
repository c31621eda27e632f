//! kiyaku checks Japanese compliance documents — privacy notices, personal-information
//! regulations and personal-data consignment contracts — against catalogs of required
//! clauses and for internal consistency. See ARCHITECTURE.md for the map.

pub mod cache;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod codes;
pub mod config;
pub mod decode;
pub mod derive;
pub mod diagnostic;
pub mod document;
pub mod engine;
pub mod explain;
pub mod extract;
pub mod help;
pub mod inputs;
pub mod kind;
pub mod literals;
pub mod locale;
pub mod lsp;
pub mod matcher;
pub mod messages;
pub mod morphology;
pub mod normalize;
pub mod numerals;
pub mod piece_cache;
pub mod report;
pub mod rescan;
pub mod resettable;
pub mod structure;
pub mod suppress;
pub mod tables;
pub mod text;
pub mod vocabulary;

/// A small deterministic generator (xorshift) for the unit tests that make random inputs: the
/// same inputs on every run. Each call gives a number below its argument.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % below.max(1) as u64) as usize
    }
}

/// One random edit of `text` for the tests that compare what is kept between edits with a
/// fresh analysis: one of `insertions` at a random character boundary, or (one time in four)
/// the deletion of up to 80 characters there.
#[cfg(test)]
pub(crate) fn random_edit(
    text: &mut String,
    next: &mut impl FnMut(usize) -> usize,
    insertions: &[&str],
) {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = bounds[next(bounds.len())];
    if next(4) == 0 {
        let from = bounds.partition_point(|&b| b < at);
        let to = bounds[(from + next(80)).min(bounds.len() - 1)];
        text.replace_range(at..to, "");
    } else {
        text.insert_str(at, insertions[next(insertions.len())]);
    }
}
