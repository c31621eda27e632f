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

type Check = fn(&Document) -> Vec<Diagnostic>;

/// Every consistency check, in the order their findings are reported.
const CHECKS: [Check; 7] = [
    broken_reference::check,
    numbering::check,
    defined_term::check,
    outdated_reference::check,
    phrase_typo::check,
    placeholder::check,
    bracket::check,
];

/// Like `run`, each check a task on rayon's threads (the language server, where one
/// document's latency counts): the same findings in the same order. A thread that is done
/// (with the catalogs' judgement, run beside them) takes the next check, so the cores end
/// together.
pub fn run_parallel(doc: &Document) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = CHECKS
        .par_iter()
        .with_max_len(1)
        .map(|check| check(doc))
        .collect();
    found.into_iter().flatten().collect()
}

/// Runs every consistency check on a document.
pub fn run(doc: &Document) -> Vec<Diagnostic> {
    CHECKS.iter().flat_map(|check| check(doc)).collect()
}
