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
