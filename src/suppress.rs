//! Suppression comments (Markdown/HTML comments in the document):
//!
//! ```text
//! <!-- kiyaku-disable item=consignment/audit-right -->   … <!-- kiyaku-enable -->
//! <!-- kiyaku-disable code=defined-term -->              … <!-- kiyaku-enable -->
//! <!-- kiyaku-disable-next-line code=defined-term -->
//! ```
//!
//! A `missing-clause` has no place of its own, so disabling its item (or everything) anywhere in the
//! document silences it. Suppressed diagnostics stay in the report, marked, and are
//! listed in `--format json`.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostic::{Code, Diagnostic};
use crate::text::SourceText;

/// What a suppression applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Item(String),
    Code(String),
    All,
}

#[derive(Debug, Clone)]
struct Rule {
    target: Target,
    /// Byte range of the text the rule covers.
    covers: Range<usize>,
    /// 1-based line of the comment, for the report.
    line: usize,
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"<!--\s*kiyaku-(disable-next-line|disable|enable)\b\s*(?:(item|code)\s*=\s*([A-Za-z0-9/_-]+))?\s*-->")
            .expect("static regex")
    })
}

fn rules(source: &SourceText) -> Vec<Rule> {
    let text = source.as_str();
    let mut rules = Vec::new();
    let mut open: Vec<(Target, usize, usize)> = Vec::new();
    for c in pattern().captures_iter(text) {
        let whole = c.get(0).expect("match");
        let target = match (c.get(2).map(|m| m.as_str()), c.get(3)) {
            (Some("item"), Some(v)) => Target::Item(v.as_str().to_string()),
            (Some("code"), Some(v)) => Target::Code(v.as_str().to_string()),
            _ => Target::All,
        };
        let line = source.position(whole.start()).line;
        match &c[1] {
            "disable-next-line" => {
                let next = line; // 0-based index of the following line
                if next < source.line_count() {
                    let covers = source.line_range(next);
                    rules.push(Rule {
                        target,
                        covers,
                        line,
                    });
                }
            }
            "disable" => open.push((target, whole.end(), line)),
            _ => {
                // kiyaku-enable closes every open region (or only the named one)
                let mut still_open = Vec::new();
                for (t, start, l) in open.drain(..) {
                    if target == Target::All || t == target {
                        rules.push(Rule {
                            target: t,
                            covers: start..whole.start(),
                            line: l,
                        });
                    } else {
                        still_open.push((t, start, l));
                    }
                }
                open = still_open;
            }
        }
    }
    for (target, start, line) in open {
        rules.push(Rule {
            target,
            covers: start..text.len(),
            line,
        });
    }
    rules
}

/// Marks the diagnostics that suppression comments silence.
pub fn apply(source: &SourceText, diagnostics: &mut [Diagnostic]) {
    let rules = rules(source);
    if rules.is_empty() {
        return;
    }
    for d in diagnostics.iter_mut().filter(|d| d.suppressed.is_none()) {
        let hit = rules.iter().find(|r| {
            let applies = match &r.target {
                Target::All => true,
                Target::Code(c) => c == d.code.as_str(),
                Target::Item(i) => d.item.as_deref() == Some(i.as_str()),
            };
            let anywhere =
                d.code == Code::MissingClause && matches!(r.target, Target::Item(_) | Target::All);
            applies
                && (anywhere || (r.covers.start <= d.range.start && d.range.start <= r.covers.end))
        });
        if let Some(r) = hit {
            d.suppressed = Some(format!("kiyaku-disable comment on line {}", r.line));
        }
    }
}

/// The comment that disables `item` (or `code`) for the line holding `offset`, and where to
/// insert it: the start of that line. Used by the editor's "disable here" action.
pub fn disable_next_line_comment(item: Option<&str>, code: Code) -> String {
    match item {
        Some(i) => format!("<!-- kiyaku-disable item={i} -->\n"),
        None => format!("<!-- kiyaku-disable-next-line code={} -->\n", code.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Severity;
    use crate::diagnostic::Text;

    fn diag(code: Code, item: Option<&str>, at: usize) -> Diagnostic {
        let mut d = Diagnostic::new(code, Severity::Warning, Text::new("", ""), at..at + 1);
        d.item = item.map(str::to_string);
        d
    }

    #[test]
    fn regions_next_line_and_items() {
        let text = "a\n<!-- kiyaku-disable-next-line code=defined-term -->\n弊社\n<!-- kiyaku-disable code=numbering -->\n対象\n<!-- kiyaku-enable -->\ny\n<!-- kiyaku-disable item=consignment/audit-right -->\n";
        let source = SourceText::new(text.to_string());
        let at = |s: &str| text.find(s).unwrap();
        let mut ds = vec![
            diag(Code::DefinedTerm, None, at("弊社")),
            diag(Code::DefinedTerm, None, at("y")),
            diag(Code::Numbering, None, at("対象")),
            diag(Code::Numbering, None, at("y")),
            diag(Code::MissingClause, Some("consignment/audit-right"), 0),
            diag(Code::MissingClause, Some("consignment/no-removal"), 0),
        ];
        apply(&source, &mut ds);
        let silenced: Vec<bool> = ds.iter().map(|d| d.suppressed.is_some()).collect();
        assert_eq!(silenced, vec![true, false, true, false, true, false]);
    }
}
