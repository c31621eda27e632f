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
//! listed in `--format json`. A kiyaku comment that would do nothing (a misspelt directive,
//! an unknown code or item, anything but one `item=` or `code=`) is an `invalid-directive`
//! finding on its line.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Text, did_you_mean};
use crate::text::SourceText;

/// What `invalid-directive` finds and how to fix it. Its home is here, beside the reading of
/// kiyaku comments, though the engine also reports an unknown `kind=` or `notice=` with it.
pub const INVALID_DIRECTIVE: CodeDoc = CodeDoc {
    code: Code::InvalidDirective,
    title: Bilingual {
        ja: "kiyaku 指示の誤り",
        en: "Invalid directive",
    },
    what: Bilingual {
        ja: "文書内の kiyaku 指示が読めず、何もしていません: 不明な文書の種類（kind=…）や明示文の種類（notice=…、指定できるのは at-acquisition）、綴りの誤った指示（kiyaku-disabel）、不明な診断コードや項目 ID（code=defined-terms）、item= か code= 一つ以外の書き方、閉じていないコメント。",
        en: "An in-document kiyaku directive cannot be read and does nothing: an unknown kind (kind=…) or notice (notice=…; at-acquisition is the one there is), a misspelt directive (kiyaku-disabel), an unknown code or item id (code=defined-terms), anything but one item= or code=, a comment never closed.",
    },
    details: Bilingual {
        ja: "誤りの箇所に「警告」として、意図したと思われる名前を添えて報告します。",
        en: "Reported as a warning at the mistake, with the name it probably meant.",
    },
    why: Bilingual {
        ja: "読めない指示は黙って無視されるため、抑止したつもりの指摘が残ったり、指定したつもりの種類で検査されなかったりします。",
        en: "A directive that cannot be read would be ignored silently: a finding meant to be suppressed stays, or the document is not checked as the kind it was meant to be.",
    },
    example: Bilingual {
        ja: "修正: 種類は privacy-notice / regulation / consignment-contract のいずれか。抑止は <!-- kiyaku-disable code=defined-term --> … <!-- kiyaku-enable --> のように書く。",
        en: "Fix: a kind is privacy-notice, regulation or consignment-contract; a suppression reads <!-- kiyaku-disable code=defined-term --> … <!-- kiyaku-enable -->.",
    },
    fix: Bilingual {
        ja: "指摘に示された名前に従って、綴りや書き方を直してください。",
        en: "Correct the spelling or the form as the finding suggests.",
    },
};

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

/// The directives a `kiyaku-` comment may name.
const DIRECTIVES: [&str; 3] = [
    "kiyaku-disable",
    "kiyaku-disable-next-line",
    "kiyaku-enable",
];

/// Every HTML comment whose text starts with `kiyaku`, to its first `-->` (or to the end of
/// the text, when it is never closed).
fn comment_pattern() -> &'static Regex {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)<!--\s*(kiyaku.*?)\s*(-->|\z)").expect("static regex"));
    &RE
}

fn argument_pattern() -> &'static Regex {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(item|code)\s*=\s*([A-Za-z0-9/_-]+)$").expect("static regex")
    });
    &RE
}

/// The kind directive as `kind::directive` reads it.
fn kind_pattern() -> &'static Regex {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:kind|notice)\s*=\s*[a-z-]+$").expect("static regex"));
    &RE
}

/// The kiyaku comments of a document: the suppressions they make, and a finding for each
/// one that does nothing.
pub struct Comments {
    rules: Vec<Rule>,
    pub problems: Vec<Diagnostic>,
}

impl Comments {
    /// Reads the comments of `source`; `is_item` tells the ids of the catalog items in force.
    pub fn read(source: &SourceText, is_item: impl Fn(&str) -> bool) -> Self {
        let text = source.as_str();
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        let mut problem = |range: Range<usize>, ja: String, en: String| {
            problems.push(Diagnostic::new(
                Code::InvalidDirective,
                Severity::Warning,
                Text::new(ja, en),
                range,
            ));
        };
        let mut open: Vec<(Target, usize, usize)> = Vec::new();
        for c in comment_pattern().captures_iter(text) {
            let whole = c.get(0).expect("match");
            let body = c.get(1).expect("group");
            let line = source.position(whole.start()).line;
            if c[2].is_empty() {
                problem(
                    body.start()..body.start() + "kiyaku".len(),
                    "kiyaku のコメントが「-->」で閉じられていないため、何もしません".into(),
                    "this kiyaku comment is never closed with `-->`, so it does nothing".into(),
                );
                continue;
            }
            let (name, args) = body
                .as_str()
                .split_once(char::is_whitespace)
                .map_or((body.as_str(), ""), |(n, a)| (n, a.trim()));
            let name_range = body.start()..body.start() + name.len();
            if let Some(rest) = body.as_str().strip_prefix("kiyaku:") {
                // the kind and notice directives (`kind::directive` and `kind::notice_directive`
                // read them, and the engine reports a bad value)
                let rest = rest.trim();
                if !kind_pattern().is_match(rest) {
                    problem(
                        body.range(),
                        format!(
                            "「kiyaku: {rest}」は読めないため、このコメントは何もしません（文書の種類は <!-- kiyaku: kind=regulation --> のように、抑止は <!-- kiyaku-disable … --> と書きます）"
                        ),
                        format!(
                            "`kiyaku: {rest}` cannot be read, so this comment does nothing (a kind is set with <!-- kiyaku: kind=regulation -->, a suppression with <!-- kiyaku-disable … -->)"
                        ),
                    );
                }
                continue;
            }
            if !DIRECTIVES.contains(&name) {
                // `kiyaku disable`: the word after a bare `kiyaku` is the directive meant
                let meant = match name {
                    "kiyaku" => format!("kiyaku-{}", args.split_whitespace().next().unwrap_or("")),
                    _ => name.to_string(),
                };
                let hint = DIRECTIVES
                    .into_iter()
                    .find(|d| *d == meant)
                    .or_else(|| did_you_mean(&meant, DIRECTIVES));
                // other comments that merely start with the word are not kiyaku's
                if hint.is_some() || name.starts_with("kiyaku-") || name.starts_with("kiyaku_") {
                    problem(
                        name_range,
                        format!(
                            "「{name}」は kiyaku の指示ではないため、このコメントは何もしません（kiyaku-disable、kiyaku-disable-next-line、kiyaku-enable、kiyaku: kind=… のいずれか）。{}",
                            hint.map(|h| format!("「{h}」の誤りではありませんか。"))
                                .unwrap_or_default()
                        ),
                        format!(
                            "`{name}` is not a kiyaku directive, so this comment does nothing (kiyaku-disable, kiyaku-disable-next-line, kiyaku-enable or kiyaku: kind=…){}",
                            hint.map(|h| format!("; did you mean `{h}`?"))
                                .unwrap_or_default()
                        ),
                    );
                }
                continue;
            }
            let args_range = if args.is_empty() {
                name_range.clone()
            } else {
                let start = body.start() + body.as_str().len()
                    - body.as_str()[name.len()..].trim_start().len();
                start..start + args.len()
            };
            let target = if args.is_empty() {
                Target::All
            } else if let Some(a) = argument_pattern().captures(args) {
                let value = a.get(2).expect("group");
                let value_range = args_range.start + value.start()..args_range.start + value.end();
                let value = value.as_str();
                if &a[1] == "code" {
                    if Code::parse(value).is_none() {
                        let codes = Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>();
                        let hint = did_you_mean(value, codes.iter().copied());
                        problem(
                            value_range,
                            format!(
                                "「{value}」は診断コードではないため、このコメントは何も無効にしません（{}）。{}",
                                codes.join("、"),
                                hint.map(|h| format!("「{h}」の誤りではありませんか。"))
                                    .unwrap_or_default()
                            ),
                            format!(
                                "`{value}` is not a diagnostic code, so this comment silences nothing ({}){}",
                                codes.join(", "),
                                hint.map(|h| format!("; did you mean `{h}`?"))
                                    .unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    Target::Code(value.to_string())
                } else {
                    if !is_item(value) {
                        problem(
                            value_range,
                            format!(
                                "「{value}」は検査に使うカタログの項目ではないため、このコメントは何も無効にしません（項目の一覧は kiyaku catalogs）"
                            ),
                            format!(
                                "`{value}` is not an item of the catalogs in force, so this comment silences nothing (items: kiyaku catalogs)"
                            ),
                        );
                        continue;
                    }
                    Target::Item(value.to_string())
                }
            } else {
                problem(
                    args_range,
                    format!(
                        "「{name}」の後には item=<項目ID> か code=<診断コード> を一つだけ書きます（「{args}」は読めないため、このコメントは何もしません）"
                    ),
                    format!(
                        "`{name}` takes one item=<item id> or code=<code>; `{args}` cannot be read, so this comment does nothing"
                    ),
                );
                continue;
            };
            match name {
                "kiyaku-disable-next-line" => {
                    let next = line; // 0-based index of the following line
                    if next < source.line_count() {
                        let covers = source.line_range(next);
                        rules.push(Rule {
                            target,
                            covers,
                            line,
                        });
                    } else {
                        problem(
                            name_range,
                            "kiyaku-disable-next-line の後に行がないため、このコメントは何もしません".into(),
                            "no line follows kiyaku-disable-next-line, so this comment does nothing".into(),
                        );
                    }
                }
                "kiyaku-disable" => open.push((target, whole.end(), line)),
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
        Comments { rules, problems }
    }

    /// Marks the diagnostics that the comments silence.
    pub fn apply(&self, diagnostics: &mut [Diagnostic]) {
        if self.rules.is_empty() {
            return;
        }
        for d in diagnostics.iter_mut().filter(|d| d.suppressed.is_none()) {
            let hit = self.rules.iter().find(|r| {
                let applies = match &r.target {
                    Target::All => true,
                    Target::Code(c) => c == d.code.as_str(),
                    Target::Item(i) => d.item.as_deref() == Some(i.as_str()),
                };
                let anywhere = d.code == Code::MissingClause
                    && matches!(r.target, Target::Item(_) | Target::All);
                applies
                    && (anywhere
                        || (r.covers.start <= d.range.start && d.range.start <= r.covers.end))
            });
            if let Some(r) = hit {
                d.suppressed = Some(format!("kiyaku-disable comment on line {}", r.line));
            }
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
        let comments = Comments::read(&source, |_| true);
        assert!(comments.problems.is_empty());
        comments.apply(&mut ds);
        let silenced: Vec<bool> = ds.iter().map(|d| d.suppressed.is_some()).collect();
        assert_eq!(silenced, vec![true, false, true, false, true, false]);
    }

    /// (line, column, what the English message says) of each problem in `text`.
    fn problems(text: &str) -> Vec<(usize, usize, String)> {
        let source = SourceText::new(text.to_string());
        Comments::read(&source, |id| id == "consignment/audit-right")
            .problems
            .iter()
            .map(|d| {
                assert_eq!(
                    (d.code, d.severity),
                    (Code::InvalidDirective, Severity::Warning)
                );
                assert!(!d.message.ja.is_empty());
                let p = source.position(d.range.start);
                (p.line, p.column, d.message.en.clone())
            })
            .collect()
    }

    #[test]
    fn comments_that_would_do_nothing_are_findings_at_the_mistake() {
        let text = "題\n<!-- kiyaku-disabel code=numbering -->\n<!-- kiyaku: disabel -->\n<!-- kiyaku-disable code=defined-terms -->\n<!-- kiyaku-disable item=consignment/audti-right -->\n<!-- kiyaku-disable-next-line code=numbering extra -->\n<!-- kiyaku disable -->\n<!-- kiyaku: kind=Regulation -->\n<!-- kiyaku-enable foo=bar -->\n<!-- kiyaku-disable-next-line -->";
        let found = problems(text);
        let summary: Vec<(usize, usize, &str)> = found
            .iter()
            .map(|(l, c, m)| (*l, *c, m.split([',', ';', '(']).next().unwrap().trim()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, 6, "`kiyaku-disabel` is not a kiyaku directive"),
                (3, 6, "`kiyaku: disabel` cannot be read"),
                (4, 26, "`defined-terms` is not a diagnostic code"),
                (
                    5,
                    26,
                    "`consignment/audti-right` is not an item of the catalogs in force"
                ),
                (
                    6,
                    31,
                    "`kiyaku-disable-next-line` takes one item=<item id> or code=<code>"
                ),
                (7, 6, "`kiyaku` is not a kiyaku directive"),
                (8, 6, "`kiyaku: kind=Regulation` cannot be read"),
                (
                    9,
                    20,
                    "`kiyaku-enable` takes one item=<item id> or code=<code>"
                ),
                (10, 6, "no line follows kiyaku-disable-next-line"),
            ]
        );
        assert!(
            found[0].2.ends_with("did you mean `kiyaku-disable`?"),
            "{found:?}"
        );
        assert!(
            found[2].2.ends_with("did you mean `defined-term`?"),
            "{found:?}"
        );
        assert!(
            found[5].2.ends_with("did you mean `kiyaku-disable`?"),
            "{found:?}"
        );
        // never closed
        assert_eq!(problems("a\n<!-- kiyaku-disable\nb\n")[0].0, 2);
    }

    #[test]
    fn well_written_comments_and_other_comments_are_no_finding() {
        let text = "<!-- kiyaku: kind=regulation -->\n<!-- kiyaku-disable item=consignment/audit-right -->\n<!--kiyaku-enable-->\n<!--\n  kiyaku-disable code = defined-term\n-->\n<!-- kiyaku-enable code=defined-term -->\n<!-- kiyaku-disable-next-line code=numbering -->\n第1条\n<!-- kiyakuの設定は別ファイル -->\n<!-- 作成: kiyaku-disable を使うこと -->\n";
        assert_eq!(problems(text), vec![]);
    }
}
