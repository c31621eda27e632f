//! Consistency checks that need no catalog: references, numbering, defined
//! terms, outdated references, phrase typos, template placeholders and brackets. Each takes a prepared document
//! and returns diagnostics with original byte ranges.

pub mod brackets;
pub mod defined_terms;
pub mod numbering;
pub mod outdated;
pub mod phrases;
pub mod placeholders;
pub mod references;
pub mod values;

use crate::diagnostic::Diagnostic;
use crate::document::Document;

/// Like `run`, the checks spread over two of rayon's threads (the language server, where
/// one document's latency counts): the same findings in the same order.
pub fn run_parallel(doc: &Document) -> Vec<Diagnostic> {
    type Check = fn(&Document) -> Vec<Diagnostic>;
    // two halves of about the same cost, each in `run`'s order
    let first: [Check; 3] = [references::check, numbering::check, defined_terms::check];
    let second: [Check; 4] = [
        outdated::check,
        phrases::check,
        placeholders::check,
        brackets::check,
    ];
    let (a, b) = rayon::join(
        || first.map(|check| check(doc)),
        || second.map(|check| check(doc)),
    );
    a.into_iter().chain(b).flatten().collect()
}

/// Runs every consistency check on a document.
pub fn run(doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(references::check(doc));
    out.extend(numbering::check(doc));
    out.extend(defined_terms::check(doc));
    out.extend(outdated::check(doc));
    out.extend(phrases::check(doc));
    out.extend(placeholders::check(doc));
    out.extend(brackets::check(doc));
    out
}
