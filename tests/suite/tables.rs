//! The tables of `dictionaries/` test themselves, as the catalogs do: every example of
//! `outdated.toml` and `phrases.toml` is checked alone as a tiny document by the real check,
//! and must give the finding of its entry (with the entry's quick fix); every near miss
//! (`not`) must give no finding of the check at all. Every entry comes with both.

use kiyaku::checks::{outdated_reference, phrase_typo};
use kiyaku::diagnostic::Diagnostic;
use kiyaku::document::Document;

/// Examples that do not behave as written, each a defect of the table or the check that is
/// known and not fixed yet: (entry id, example or near miss). A gap that starts to pass
/// fails the test, so that it is taken off this list.
const KNOWN_GAPS: &[(&str, &str)] = &[
    // The law's number in brackets between its name and the article: the patterns take the
    // name and 第N条 next to each other, and the quick fix replaces the whole match, so
    // taking the brackets in would also replace them.
    (
        "appi-art20-security-measures",
        "当社は、個人情報の保護に関する法律（平成十五年法律第五十七号）第二十条に基づき、安全管理措置を講じます。",
    ),
    // The current article cited right, in a sentence that also holds a context word of the
    // old one (第三者 in 「第三者による不正アクセス」; 受付方法 is also what the current 第32条
    // has published): context words cannot tell these apart, and the table has no words
    // that rule a match out.
    (
        "appi-art23-third-party",
        "当社は、個人情報保護法第23条に基づく安全管理措置として、第三者による不正アクセスを防止します。",
    ),
    (
        "appi-art32-request-procedure-2017",
        "当社は、個人情報保護法第32条に基づき、開示等の請求の受付方法を本人の知り得る状態に置きます。",
    ),
];

/// What a run of the examples found wrong, and how many ran.
#[derive(Default)]
struct Outcome {
    failures: Vec<String>,
    gaps_passing: Vec<String>,
    count: usize,
}

impl Outcome {
    /// Records the verdict on one example: `problem` is what is wrong with it, if anything.
    fn record(&mut self, id: &str, text: &str, problem: Option<String>) {
        self.count += 1;
        let known = KNOWN_GAPS.contains(&(id, text));
        match (problem, known) {
            (Some(problem), false) => self.failures.push(format!("{id}: {problem}: {text:?}")),
            (None, true) => self.gaps_passing.push(format!("{id}: {text:?}")),
            _ => {}
        }
    }

    fn assert_ok(self, table: &str) {
        assert!(self.count > 0, "no example of {table} ran");
        assert!(
            self.failures.is_empty(),
            "{} of {} examples of {table} fail:\n{}",
            self.failures.len(),
            self.count,
            self.failures.join("\n")
        );
        assert!(
            self.gaps_passing.is_empty(),
            "known gaps of {table} that pass now (take them off KNOWN_GAPS):\n{}",
            self.gaps_passing.join("\n")
        );
    }
}

/// The ids of the entries that gave findings, for failure messages.
fn ids(found: &[(&str, Diagnostic)]) -> Vec<String> {
    found.iter().map(|(id, _)| id.to_string()).collect()
}

/// The text the quick fix of `d` puts in place (its only edit), if it has one.
fn fix_text(d: &Diagnostic) -> Option<&str> {
    d.fix
        .as_ref()
        .and_then(|f| f.edits.first())
        .map(|e| e.text.as_str())
}

#[test]
fn every_outdated_reference_example_is_found_and_no_near_miss_is() {
    let mut outcome = Outcome::default();
    for c in outdated_reference::table() {
        let entry = &c.entry;
        for text in &entry.examples {
            let found = outdated_reference::check_by_entry(&Document::new(text.clone()));
            let mine: Vec<&Diagnostic> = found
                .iter()
                .filter(|(id, _)| *id == entry.id)
                .map(|(_, d)| d)
                .collect();
            // 「法第20条」 in a document that abbreviates the APPI is replaced by 「法第23条」
            let abbreviated = entry
                .replacement
                .as_ref()
                .and_then(|r| r.strip_prefix("個人情報保護法"))
                .map(|rest| format!("法{rest}"));
            let problem = match (mine.first(), &entry.replacement) {
                (None, _) => Some(format!("not found (found {:?})", ids(&found))),
                (Some(d), Some(replacement))
                    if fix_text(d) != Some(replacement.as_str())
                        && fix_text(d) != abbreviated.as_deref() =>
                {
                    Some(format!(
                        "the fix gives {:?}, not {replacement:?}",
                        fix_text(d)
                    ))
                }
                (Some(d), None) if d.fix.is_some() => {
                    Some(format!("a fix without a replacement: {:?}", fix_text(d)))
                }
                _ => None,
            };
            outcome.record(&entry.id, text, problem);
        }
        for text in &entry.not {
            let found = outdated_reference::check_by_entry(&Document::new(text.clone()));
            let problem =
                (!found.is_empty()).then(|| format!("a near miss gives {:?}", ids(&found)));
            outcome.record(&entry.id, text, problem);
        }
    }
    outcome.assert_ok("outdated.toml");
}

#[test]
fn every_phrase_typo_example_is_found_and_no_near_miss_is() {
    let mut outcome = Outcome::default();
    for phrase in phrase_typo::phrases() {
        let run = |text: &str| phrase_typo::check_by_phrase(&Document::new(text.to_string()));
        let near_miss = |text: &str| {
            let found = run(text);
            (!found.is_empty()).then(|| format!("a near miss gives {:?}", ids(&found)))
        };
        for text in &phrase.examples {
            let found = run(text);
            let problem = (!found.iter().any(|(id, _)| *id == phrase.id))
                .then(|| format!("not found (found {:?})", ids(&found)));
            outcome.record(&phrase.id, text, problem);
        }
        for text in &phrase.not {
            outcome.record(&phrase.id, text, near_miss(text));
        }
        for (n, typo) in phrase.typo.iter().enumerate() {
            let id = format!("{} typo {}", phrase.id, n + 1);
            // the text the check's quick fix puts in place of the wrong part
            let right = typo
                .right
                .clone()
                .or_else(|| typo.replacement.clone())
                .unwrap_or_default();
            for text in &typo.examples {
                let found = run(text);
                let mine: Vec<&Diagnostic> = found
                    .iter()
                    .filter(|(i, _)| *i == phrase.id)
                    .map(|(_, d)| d)
                    .collect();
                let problem = if mine.is_empty() {
                    Some(format!("not found (found {:?})", ids(&found)))
                } else if !mine.iter().any(|d| fix_text(d) == Some(right.as_str())) {
                    Some(format!(
                        "no fix gives {right:?} (fixes {:?})",
                        mine.iter().map(|d| fix_text(d)).collect::<Vec<_>>()
                    ))
                } else {
                    None
                };
                outcome.record(&id, text, problem);
            }
            for text in &typo.not {
                outcome.record(&id, text, near_miss(text));
            }
        }
    }
    outcome.assert_ok("phrases.toml");
}

/// Future entries come with their examples: every entry of `outdated.toml`, every phrase of
/// `phrases.toml` and every one of its typo patterns has at least one example that must
/// trigger and one near miss that must not.
#[test]
fn every_entry_has_examples_and_near_misses() {
    let mut bare = Vec::new();
    for c in outdated_reference::table() {
        if c.entry.examples.is_empty() || c.entry.not.is_empty() {
            bare.push(format!("outdated.toml {}", c.entry.id));
        }
    }
    for phrase in phrase_typo::phrases() {
        if phrase.examples.is_empty() || phrase.not.is_empty() {
            bare.push(format!("phrases.toml {}", phrase.id));
        }
        for (n, typo) in phrase.typo.iter().enumerate() {
            if typo.examples.is_empty() || typo.not.is_empty() {
                bare.push(format!("phrases.toml {} typo {}", phrase.id, n + 1));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "entries without `examples` or `not`:\n{}",
        bare.join("\n")
    );
}
