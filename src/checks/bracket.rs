//! `bracket`: 「」 and （） that do not pair up within a sentence — an opening never
//! closed, a closing never opened, or a full-width （ closed by a half-width ) — the
//! kind of slip that makes a quoted term or a parenthetical swallow the rest of a clause.
//! A quotation may run over a few lines; list labels such as 1) or a) are not brackets.

use crate::resettable::Resettable;
use regex::Regex;
use std::sync::Arc;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Text};
use crate::document::Document;
use crate::rescan::Hit;

/// What `bracket` finds and how to fix it (`kiyaku explain bracket`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::Bracket,
    title: Bilingual {
        ja: "括弧の対応の誤り",
        en: "Unbalanced bracket",
    },
    what: Bilingual {
        ja: "「」や（）が文の中で対応していません: 閉じられていない開き括弧、開かれていない閉じ括弧、全角の「（」を半角の「)」で閉じているもの。引用や括弧書きが後ろの文まで続いてしまい、条項の範囲が読み違えられます。",
        en: "Brackets 「」 or （） do not pair up: an opening never closed, a closing never opened, or a full-width （ closed by a half-width ).",
    },
    details: Bilingual {
        ja: "文の中で対応しない「」と（）、全角の「（」を半角の「)」で閉じたもの。重大度は「情報」です。",
        en: "「」 and （） that do not pair up within a sentence, or a full-width （ closed by a half-width ). Reported as information.",
    },
    why: Bilingual {
        ja: "括弧が閉じていないと、引用や括弧書きがどこで終わるのかが分からず、条項の範囲が読み違えられます。",
        en: "An unclosed bracket leaves open where a quotation or a parenthetical ends, so the scope of the clause can be misread.",
    },
    example: Bilingual {
        ja: "例: 「業務委託先（再委託先を含みます。)」→「業務委託先（再委託先を含みます。）」",
        en: "Example: （再委託先を含みます。) → （再委託先を含みます。）",
    },
    fix: Bilingual {
        ja: "対応する括弧を補うか余分な括弧を削除し、全角・半角をそろえてください。",
        en: "Add the missing bracket or remove the stray one, in the same width as its pair.",
    },
};

/// Lines an open bracket may stay open before it is reported (a quotation over lines).
const CARRY_LINES: usize = 3;

#[derive(Clone, Copy)]
struct Open {
    at: usize,
    ch: char,
    line: usize,
}

fn closing_of(open: char) -> &'static [char] {
    match open {
        '「' | '｢' => &['」', '｣'],
        '『' => &['』'],
        _ => &[')', '）'],
    }
}

fn is_open(c: char) -> bool {
    matches!(c, '「' | '｢' | '『' | '(' | '（')
}

fn is_close(c: char) -> bool {
    matches!(c, '」' | '｣' | '』' | ')' | '）')
}

/// A list label at the start of a line, not a parenthesis: 1) a) イ) ①), also with a space
/// before the parenthesis (d ）).
fn label_prefix() -> Arc<Regex> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"^[\s　]*(?:[0-9０-９]{1,3}|[a-zａ-ｚA-ZＡ-Ｚ]|[ivxⅰ-ⅹ]{1,4}|[イロハニホヘトチリヌルヲアイウエオ]|[ｱ-ﾝ]|[①-⑳])[ 　]?[)）]")
            .expect("static regex")
    });
    RE.get()
}

/// Whether an unmatched closing bracket ends a label: a short word at the start of the line
/// (事例）, ｱ）, 注）) or a list number cited in running text (上記1．3）～6）, 以下a)～d)).
fn is_label(before: &str) -> bool {
    const MAX_LABEL_CHARS: usize = 3;
    let trimmed = before.trim_start();
    if !trimmed.is_empty()
        && trimmed.chars().count() <= MAX_LABEL_CHARS
        && !trimmed.contains(char::is_whitespace)
    {
        return true;
    }
    // an aside's label in running text (「…調査。 例)性別、年齢別…」「注)」)
    for word in ["例", "注", "註", "備考", "参考"] {
        if let Some(head) = before.strip_suffix(word)
            && head
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || matches!(c, '。' | '、' | '（' | '(' | '※'))
        {
            return true;
        }
    }
    let mut tail = before.chars().rev();
    let Some(last) = tail.next() else {
        return false;
    };
    if !label_char(last) {
        return false;
    }
    // at most two label characters, after something that is not part of a word
    let rest: Vec<char> = tail.take(3).collect();
    let label_len = 1 + rest
        .iter()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(*c))
        .count()
        .min(1);
    rest.get(label_len - 1).is_none_or(|c| {
        // 「上記1．3）」「下記a)」「以下a)～d)」: labels of a list cited in running text
        !c.is_alphanumeric() || matches!(c, '上' | '記' | '下' | '、' | '．' | '.' | '～' | '〜')
    })
}

/// Whether an unmatched closing bracket ends the first label of a range of labels cited in
/// running text, whatever stands before it (「以下のとおりa)～g)の事項」「次の1)～3)」): a
/// label character, the bracket, a wave dash and another label with its bracket.
fn opens_a_label_range(before: &str, from_bracket: &str) -> bool {
    let single = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(label_char) && chars.next().is_none()
    };
    let Some(last) = before.chars().next_back() else {
        return false;
    };
    let mut after = from_bracket.chars().skip(1);
    label_char(last)
        && !before[..before.len() - last.len_utf8()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && after.next().is_some_and(|c| matches!(c, '～' | '〜' | '~'))
        && {
            let rest: String = after.take(3).collect();
            let end = rest.find([')', '）']).unwrap_or(rest.len());
            end > 0 && single(&rest[..end])
        }
}

/// A character a list label is written with: a letter or digit (full-width too), a circled
/// number, a half-width katakana (ｱ）).
fn label_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('０'..='９').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
        || ('①'..='⑳').contains(&c)
        || ('ｱ'..='ﾝ').contains(&c)
}

fn width_ja(c: char) -> &'static str {
    if c.is_ascii() { "半角" } else { "全角" }
}

fn width_mismatch(open: char, close: char) -> bool {
    matches!((open, close), ('（', ')') | ('(', '）'))
}

/// The brackets `is_open` and `is_close` know, found in one vectorised pass.
fn brackets() -> &'static aho_corasick::AhoCorasick {
    static BRACKETS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::new(["「", "｢", "『", "(", "（", "」", "｣", "』", ")", "）"])
                .expect("brackets")
        });
    &BRACKETS
}

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let text = doc.source.as_str();
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut line_start = 0;
    let label_prefix = label_prefix();
    // where each bracket is: a line is only looked at where it has one (and in an open
    // document, only the lines an edit changed are searched again)
    let found = crate::rescan::scan_with(doc.source_memo(|m| &m.brackets), text, &(), |lines| {
        brackets()
            .find_iter(aho_corasick::Input::new(text).span(lines))
            .map(|m| Hit {
                value: (),
                range: m.range(),
            })
            .collect()
    });
    let mut next = 0;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        // brackets left open too long, or at a blank line, are reported
        if line.trim().is_empty() {
            out.extend(stack.drain(..).map(|o| unclosed(o, text)));
        } else {
            let keep: Vec<Open> = stack
                .iter()
                .copied()
                .filter(|o| line_no - o.line <= CARRY_LINES)
                .collect();
            for o in stack.iter().filter(|o| line_no - o.line > CARRY_LINES) {
                out.push(unclosed(*o, text));
            }
            stack = keep;
        }
        let line_end = line_start + line.len();
        let first = next;
        while next < found.len() && found[next].range.start < line_end {
            next += 1;
        }
        if first == next {
            line_start = line_end;
            continue;
        }
        let skip = label_prefix.find(line).map_or(0, |m| m.end());
        for at in found[first..next].iter().map(|h| h.range.start) {
            if at < line_start + skip {
                continue;
            }
            let i = at - line_start - skip;
            let Some(c) = line[skip + i..].chars().next() else {
                continue;
            };
            if is_open(c) {
                stack.push(Open {
                    at,
                    ch: c,
                    line: line_no,
                });
            } else if is_close(c) {
                match stack.iter().rposition(|o| closing_of(o.ch).contains(&c)) {
                    Some(p) => {
                        let open = stack[p];
                        // anything opened inside it and not closed is unclosed
                        for inner in stack.drain(p..).skip(1) {
                            out.push(unclosed(inner, text));
                        }
                        if width_mismatch(open.ch, c) {
                            out.push(diag(
                                at..at + c.len_utf8(),
                                Text::new(
                                    format!(
                                        "{}の「{}」が{}の「{c}」で閉じられています（全角・半角をそろえてください）。",
                                        width_ja(open.ch),
                                        open.ch,
                                        width_ja(c)
                                    ),
                                    format!("A full-width/half-width mismatch: “{}” is closed by “{c}”.", open.ch),
                                ),
                            ));
                        }
                    }
                    None if matches!(c, ')' | '）')
                        && (is_label(&line[skip..skip + i])
                            || opens_a_label_range(&line[skip..skip + i], &line[skip + i..])) => {}
                    None => out.push(diag(
                        at..at + c.len_utf8(),
                        Text::new(
                            format!("「{c}」に対応する開き括弧がありません。"),
                            format!("“{c}” closes a bracket that was never opened."),
                        ),
                    )),
                }
            }
        }
        line_start += line.len();
    }
    out.extend(stack.drain(..).map(|o| unclosed(o, text)));
    out.sort_by_key(|d| d.range.start);
    out
}

fn unclosed(open: Open, text: &str) -> Diagnostic {
    let _ = text;
    let close = closing_of(open.ch)[0];
    diag(
        open.at..open.at + open.ch.len_utf8(),
        Text::new(
            format!(
                "「{}」が閉じられていません（対応する「{close}」がありません）。",
                open.ch
            ),
            format!("“{}” is never closed (no matching “{close}”).", open.ch),
        ),
    )
}

fn diag(range: std::ops::Range<usize>, message: Text) -> Diagnostic {
    Diagnostic::new(Code::Bracket, Severity::Info, message, range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let doc = Document::new(text.to_string());
        check(&doc).iter().map(|d| d.message.ja.clone()).collect()
    }

    #[test]
    fn unbalanced_brackets_are_found() {
        let f = found(
            "② 上記①の業務委託先（再委託先を含みます。)\n当社は「個人情報を適切に扱います。\n\n利用目的）を定めます。\n",
        );
        assert_eq!(f.len(), 3, "{f:?}");
        // a closing bracket after a word with a space, not a label: still one
        assert_eq!(found("利用目的 ）を定めます。\n").len(), 1);
        assert!(f[0].contains("半角"));
        assert!(f[1].contains("閉じられていません"));
        assert!(f[2].contains("開き括弧がありません"));
    }

    #[test]
    fn balanced_text_labels_and_quotations_over_lines_are_not() {
        assert!(found("1) 氏名（フリガナ）\na) 住所\nd ）保有個人データの開示等の求めに応じる手続き\n2 ）利用目的\n（１）電話番号\n情報公開条例中「実施機関\n（都が設立した法人を除く。）」とあるのは「都の機関」と読み替える。\n『個人情報の保護に関する法律についてのガイドライン（通則編）』\n").is_empty());
        // an aside's label in running text
        assert!(found("マーケティング調査。 例)性別、年齢別等による意識調査等。\n回答は任意です。注)無記名です。\n").is_empty());
        // a word that only ends in 例 before a closing bracket is no label
        assert_eq!(found("事例)を参照してください。\n").len(), 0);
        assert_eq!(found("利用の実例)を示します。\n").len(), 1);
        // labels of the list below cited as a range
        assert!(found("ただし、以下a)～d)のいずれかに該当する場合は該当しません。\n下記1)～3)を除きます。\n").is_empty());
        // a range of labels after any word
        assert!(
            found("当社は、以下のとおりa)～g)の事項を遵守します。\n次の1)〜3)に掲げる場合\n")
                .is_empty()
        );
        // a bracket closing a word, not a label, is still unmatched
        assert_eq!(found("当社の規程ab)～c)を参照。\n").len(), 1);
        // a word before a closing bracket stays one
        assert_eq!(found("以下の場合)を除きます。\n").len(), 1);
    }
}
