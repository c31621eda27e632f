//! Consistency checks that need no catalog, one module a diagnostic code, named after it
//! (`broken_reference` finds `broken-reference`): references, numbering, defined terms,
//! outdated references, phrase typos, template placeholders and brackets, and the values
//! that `value_mismatch` compares across documents. Each takes a prepared document and
//! returns diagnostics with original byte ranges, and holds its code's documentation
//! (`DOC`); `catalog_codes` holds that of the codes the engine's catalog judgement produces.

pub mod bracket;
pub mod broken_reference;
pub mod catalog_codes;
pub mod defined_term;
pub mod numbering;
pub mod outdated_reference;
pub mod phrase_typo;
pub mod placeholder;
pub mod value_mismatch;

use crate::diagnostic::Diagnostic;
use crate::document::Document;

/// Like `run`, each check a task on rayon's threads (the language server, where one
/// document's latency counts): the same findings in the same order.
pub fn run_parallel(doc: &Document) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    type Check = fn(&Document) -> Vec<Diagnostic>;
    // each check a task of its own, in `run`'s order: a thread that is done (with the
    // catalogs' judgement, run beside them) takes the next, so the cores end together
    let checks: [Check; 7] = [
        broken_reference::check,
        numbering::check,
        defined_term::check,
        outdated_reference::check,
        phrase_typo::check,
        placeholder::check,
        bracket::check,
    ];
    let found: Vec<Vec<Diagnostic>> = checks
        .par_iter()
        .with_max_len(1)
        .map(|check| check(doc))
        .collect();
    found.into_iter().flatten().collect()
}

/// Runs every consistency check on a document.
pub fn run(doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(broken_reference::check(doc));
    out.extend(numbering::check(doc));
    out.extend(defined_term::check(doc));
    out.extend(outdated_reference::check(doc));
    out.extend(phrase_typo::check(doc));
    out.extend(placeholder::check(doc));
    out.extend(bracket::check(doc));
    out
}
