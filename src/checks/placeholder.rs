//! `placeholder`: template leftovers a drafter forgot to fill in — ○○ and ●● for names
//! and dates (○○株式会社, ○○○○年○○月○○日, 別添○), 【会社名】, XXXX, template variables ({data.clientName}) and drafting notes (（必要に応じて記載）). A
//! published notice or a contract sent for signature should hold none.

use crate::resettable::Resettable;
use regex::Regex;
use std::sync::Arc;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Text};
use crate::document::Document;
use crate::rescan::{self, Hit};

/// What `placeholder` finds and how to fix it (`kiyaku explain placeholder`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::Placeholder,
    title: Bilingual {
        ja: "テンプレートの記入漏れ",
        en: "Placeholder",
    },
    what: Bilingual {
        ja: "テンプレートの記入漏れが残っています: ○○・●●（○○株式会社、○○○○年○○月○○日、別添○）、【会社名】、XXXX、テンプレート変数（{data.clientName}）、作成時の注記（（必要に応じて記載））。公表する方針や署名に回す契約書には残さないでください。",
        en: "A template placeholder is left unfilled: ○○/●● for names and dates, 【会社名】, XXXX, a template variable ({data.clientName}) or a drafting note (（必要に応じて記載）).",
    },
    details: Bilingual {
        ja: "ひな形の残り: ○○株式会社、○○○○年○○月○○日、別添○、【会社名】、XXXX、xxxx年xx月xx日、例示用のドメインのアドレス（xxxx@example.com）、（姓名　入力）、{data.clientName}、（必要に応じて記載）。",
        en: "Template leftovers: ○○株式会社, ○○○○年○○月○○日, 別添○, 【会社名】, XXXX, xxxx年xx月xx日, an address at a domain reserved for examples (xxxx@example.com), （姓名　入力）, {data.clientName}, （必要に応じて記載）.",
    },
    why: Bilingual {
        ja: "記入漏れのまま公表・締結すると、当事者・裁判所・日付などが定まらず、その条項は意味をなしません。",
        en: "Published or signed with a blank, a clause names no party, court or date and means nothing.",
    },
    example: Bilingual {
        ja: "例: 「○○地方裁判所を第一審の専属的合意管轄裁判所とする」→「東京地方裁判所を…」",
        en: "Example: ○○地方裁判所 → the actual court, e.g. 東京地方裁判所.",
    },
    fix: Bilingual {
        ja: "実際の名称・日付・内容を記入し、作成時の注記は削除してください。",
        en: "Fill in the actual name, date or content, and delete the drafting notes.",
    },
};

fn pattern() -> Arc<Regex> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        // through `within_lines`: \s never takes a line break ({\n name }), so that an edit's
        // lines alone are scanned again
        Regex::new(&rescan::within_lines(concat!(
            // ○○ ●● △△ (two or more), or one beside what it stands for: ○年間, 別添○, ○○銀行
            r"[○◯●]{2,}",
            r"|[○◯●](?:年|か月|ヶ月|箇月|日|円|%|名|部|条|項|号|台|件|回|枚|階|時|分|歳)",
            r"|(?:別添|別紙|別表|第)[○◯●]",
            // 【会社名】 【住所】 【日付】
            r"|【[^】\n]{0,12}(?:名|名称|住所|所在地|日付|年月日|氏名|会社|記載|入力|記入)[^】\n]{0,6}】",
            // a date never filled in: xxxx年xx月xx日, XXXX年XX月 (before XXXX, which would
            // take the year alone and fail as no word of its own)
            // (also with the century written: 20XX年XX月XX日; an era's year: 令和X年X月X日)
            r"|(?:\d{2})?[xX]{2,4}年[xX]{1,2}月(?:[xX]{1,2}日)?",
            r"|(?:令和|平成)[xX]{1,2}年[xX]{1,2}月(?:[xX]{1,2}日)?",
            // an address at the domains reserved for examples (RFC 2606; example.jp by JPRS):
            // xxxxxxxx@example.com, https://example.jp/…
            // (an ASCII word boundary after the domain: a Unicode one would cost the lazy DFA,
            // as below)
            r"|[A-Za-z0-9._%+-]*@example\.(?:com|net|org|jp|co\.jp)(?-u:\b)",
            r"|https?://(?:www\.)?example\.(?:com|net|org|jp|co\.jp)(?-u:\b)",
            // XXXX, ＸＸＸ (NFKC-folded), xxxx
            // XXXX as a word of its own: the word boundaries are checked by `stands_alone`, as
            // a Unicode `\b` would make the regex crate give up its lazy DFA on Japanese text
            // (ten times slower on a large document)
            r"|X{3,}|x{3,}",
            // template variables: {data.clientName}, {{company}}, ${name}, Smarty's
            // {$site.tel}, ERB's and EJS's <%= name %>
            r"|\$?\{\{?\s*\$?[A-Za-z_][A-Za-z0-9_.]*\s*\}\}?",
            r"|<%=?\s*[A-Za-z_][A-Za-z0-9_.]*\s*%>",
            // drafting notes: （必要に応じて記載）（ほか、必要に応じて記載）
            r"|\((?:ほか、?)?必要に応じて[^()\n]{0,10}(?:記載|記入|追記|追加|修正|変更)[^()\n]{0,6}\)",
            // a model's instruction to its user: （各社請求方法を指定）（貴社名を記載）
            // （住所を入力してください）
            r"|\((?:各社|貴社|御社|自社)[^()\n]{0,20}(?:を|に)(?:指定|記載|記入|入力|設定)[^()\n]{0,8}\)",
            r"|\([^()\n]{1,20}を(?:記載|記入|入力|指定)(?:してください|して下さい|すること|のこと)\)",
            // a field's name with what to do with it: （姓名　入力）（会社名を記入）
            r"|\((?:氏名|姓名|お名前|名前|会社名|法人名|団体名|住所|所在地|電話番号|日付|年月日|代表者名?|担当者名?|責任者名?|メールアドレス)\s*を?(?:入力|記入|記載)\)",
            // a value promised for later: （後日記載）（追って掲載）（※要記載）（記載予定）
            r"|\(※?(?:後日|追って|後ほど)(?:記載|掲載|記入|追記|公表)(?:予定|します)?\)",
            r"|\(※?要(?:記載|記入)\)|\(※?(?:記載|記入)予定\)",
        )))
        .expect("static regex")
    });
    RE.get()
}

/// 「署名（必須：お名前を入力してください）」: a web form's prompt under its required (or
/// optional) mark, saved with the notice the form shows, is what the form asks of its reader,
/// not an instruction a drafter left unfilled.
fn is_form_field_prompt(found: &str) -> bool {
    ["(必須", "(任意"]
        .iter()
        .any(|mark| found.starts_with(mark))
}

/// 「【団体名】 〔一般社団法人…〕」: a caption in 【】 with its value after it on the same line is
/// the label of a filled-in field, not a blank (a blank after it, ＿＿ or ○○, is found by itself).
fn is_field_caption(text: &str, start: usize, end: usize) -> bool {
    if !text[start..].starts_with('【') {
        return false;
    }
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    // a caption alone on its line, its value on the next (「【事業者の名称】」 over the name):
    // a line that is neither another caption nor a blank of its own
    if text[end..line_end].trim().is_empty() {
        let next_start = (line_end + 1).min(text.len());
        let next_end = text[next_start..]
            .find('\n')
            .map_or(text.len(), |i| next_start + i);
        let next = text[next_start..next_end].trim();
        return !next.starts_with('【') && !pattern().is_match(next) && filled(next);
    }
    filled(&text[end..line_end])
}

/// Whether a field's value is written: two characters or more besides punctuation, brackets
/// and the marks of a blank (＿, ○, -).
fn filled(value: &str) -> bool {
    let value = value.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ':' | '：' | '〔' | '〕' | '[' | ']' | '(' | ')' | '「' | '」'
            )
    });
    value
        .chars()
        .filter(|c| !matches!(c, '_' | '＿' | '○' | '◯' | '●' | '-' | '－'))
        .count()
        >= 2
}

/// Whether a match of `X{3,}` (or `x{3,}`) is a word of its own (what `\bX{3,}\b` would
/// match): no word character, in Unicode's sense, just before or after it. Other matches
/// always stand.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(regex_syntax::is_word_character);
    !text[start..].starts_with(['X', 'x'])
        || !(is_word(text[..start].chars().next_back()) || is_word(text[end..].chars().next()))
}

/// Whether a run of marks is a line's decoration, not a blank: a whole line of ● and ○ (or ◯)
/// mixed (「●○●○●○…」 between a heading and a contact block). A blank repeats one mark
/// (○○○○, ●●).
fn is_decorative_rule(text: &str, line_start: usize, run: &str) -> bool {
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    run.contains('●') && run.contains(['○', '◯']) && text[line_start..line_end].trim() == run
}

/// Whether a mark found with the word after it (「●日」 of 「●日本製紙クレシア社員の応募は
/// できません。」) is the bullet that opens its line: one mark at the line's start, with no
/// other mark in the line (「○年○月○日制定」 is a blank date).
fn is_bullet(text: &str, line_start: usize, start: usize) -> bool {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    let marks = |c: char| matches!(c, '○' | '◯' | '●');
    text[line_start..start].trim().is_empty()
        && text[start..].starts_with(marks)
        && line.chars().filter(|&c| marks(c)).count() == 1
}

/// One finding per line: a template line often holds several blanks.
/// A placeholder found: its range in the text.
struct Match<'t> {
    range: std::ops::Range<usize>,
    text: &'t str,
}

impl Match<'_> {
    fn start(&self) -> usize {
        self.range.start
    }

    fn end(&self) -> usize {
        self.range.end
    }

    fn range(&self) -> std::ops::Range<usize> {
        self.range.clone()
    }

    fn as_str(&self) -> &str {
        &self.text[self.range.clone()]
    }
}

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let text = &doc.normalized.text;
    let mut out = Vec::new();
    let mut last_line = None;
    // the pattern keeps to one line: only the lines an edit changed are scanned again
    let found = rescan::scan_with(doc.memo(|m| &m.placeholders), text, &(), |lines| {
        pattern()
            .find_iter(&text[lines.clone()])
            .map(|m| Hit {
                value: (),
                range: lines.start + m.start()..lines.start + m.end(),
            })
            .collect()
    });
    for m in found.iter().map(|h| &h.range) {
        let m = Match {
            range: m.clone(),
            text,
        };
        let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        if !stands_alone(text, m.start(), m.end())
            || last_line == Some(line_start)
            || is_field_caption(text, m.start(), m.end())
            || is_decorative_rule(text, line_start, m.as_str())
            || is_bullet(text, line_start, m.start())
            || is_form_field_prompt(m.as_str())
        {
            continue;
        }
        last_line = Some(line_start);
        let range = doc.original(m.range());
        let written = doc
            .source
            .as_str()
            .get(range.clone())
            .unwrap_or(m.as_str())
            .to_string();
        out.push(Diagnostic::new(
            Code::Placeholder,
            Severity::Warning,
            Text::new(
                format!("「{written}」はテンプレートの記入漏れと思われます。実際の名称・日付・数値を記入してください。"),
                format!("“{written}” looks like a template placeholder left unfilled: write the actual name, date or number."),
            ),
            range,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check` scans only the lines an edit changed: the pattern may not find a match that
    /// holds a line break or depends on where the text starts.
    #[test]
    fn the_pattern_is_line_local() {
        assert!(crate::rescan::line_local(pattern().as_str()));
    }

    fn found(text: &str) -> Vec<String> {
        let doc = Document::new(text.to_string());
        check(&doc)
            .iter()
            .map(|d| doc.source.as_str()[d.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn template_leftovers_are_found_once_per_line() {
        assert_eq!(
            found(
                "○○（以下「甲」という。）と○○は、○○○○年○○月○○日に締結する。\n本条は終了後○年間存続する。\n分担は別添○のとおり。\n【会社名】\n{data.clientName}（以下「乙」という）\n（ほか、必要に応じて記載）\n"
            ),
            vec![
                "○○",
                "○年",
                "別添○",
                "【会社名】",
                "{data.clientName}",
                "（ほか、必要に応じて記載）"
            ]
        );
        assert_eq!(
            found(
                "所在地：バーチャルオフィス（後日記載）
メール（※要記載）
電話：（記載予定）
"
            ),
            vec!["（後日記載）", "（※要記載）", "（記載予定）"]
        );
        assert_eq!(
            found(
                "電話：{$mst_siteconf.tel}\n担当：<%= staff.name %>\n手順でご請求ください。（各社請求方法を指定）\n（会社の住所を記載してください）\n"
            ),
            vec![
                "{$mst_siteconf.tel}",
                "<%= staff.name %>",
                "（各社請求方法を指定）",
                "（会社の住所を記載してください）"
            ]
        );
        // a web form's prompt under its required or optional mark is the form's own text
        assert_eq!(
            found(
                "署名（必須：お名前を入力してください）\n備考（任意：ご要望を記入してください）\n"
            ),
            Vec::<String>::new()
        );
    }

    /// XXXX counts as a word of its own only, as `\bX{3,}\b` would find it: not inside a
    /// word, Latin or Japanese (an NFKC-folded ＸＸＸ too).
    #[test]
    fn xxxx_counts_as_a_word_of_its_own() {
        assert_eq!(
            found("会員番号 XXXX まで\n電話：ＸＸＸ－1234\n(XXXX)\n"),
            vec!["XXXX", "ＸＸＸ", "XXXX"]
        );
        assert!(found("品番aXXXXや XXXXb、番号XXXX様、_XXX、XXX9\n").is_empty());
    }

    /// A template's contact block left as it came: an address at a domain reserved for
    /// examples, a date of x's, a field's name with 入力.
    #[test]
    fn a_template_s_example_values_are_blanks() {
        assert_eq!(
            found(
                "xxxxxxxx@example.com\n管理部：個人情報保護管理責任者（姓名　入力）\n制定：xxxx年xx月xx日\n改定：XXXX年XX月\n制定日：20XX年XX月XX日\n施行：令和X年X月X日\nURL: https://www.example.jp/privacy\n連絡先 info@example.co.jp\n"
            ),
            vec![
                "xxxxxxxx@example.com",
                "（姓名　入力）",
                "xxxx年xx月xx日",
                "XXXX年XX月",
                "20XX年XX月XX日",
                "令和X年X月X日",
                "https://www.example.jp",
                "info@example.co.jp"
            ]
        );
        // real addresses, words with x, a form's marks
        assert!(found("info@example-shop.co.jp\nhttps://myexample.com/\nmax 100\nbox 3台\nメールアドレス（任意入力）\n電話番号（半角入力）\nexamples.com\n").is_empty());
    }

    #[test]
    fn a_mark_beside_its_unit_is_a_blank() {
        assert_eq!(found("駐車場　○台\n定員○名\n"), vec!["○台", "○名"]);
        // a line of ● and ○ mixed is a decoration; one mark repeated is a blank
        assert!(found("お問い合わせ\n●○●○●○●○●○●○\n株式会社サンプル\n").is_empty());
        assert_eq!(found("担当：●●●●\n").len(), 1);
        // a bullet that opens its line is no blank, a blank date at a line's start is
        assert!(found("●日本製紙クレシア社員の応募はできません。\n").is_empty());
        assert_eq!(found("○年○月○日制定\n").len(), 1);
        assert_eq!(found("保存期間は○年とします。\n").len(), 1);
    }

    #[test]
    fn marks_and_words_that_are_not_placeholders() {
        assert!(found("○ 個人情報の取扱いについて\n● お問い合わせ\n評価は◎○△で示す。\nXML と XBRL の書式。\n【お問い合わせ窓口】\n本人確認（必要に応じて）を行う。\n署名：＿＿＿＿＿＿\n結果は後日記載のとおり通知します。\n料金は（当社が指定する方法）で支払う。\n（ご希望の日時をご指定ください）\n").is_empty());
    }

    #[test]
    fn a_field_caption_with_its_value_is_no_blank() {
        assert!(
            found("【団体名】 〔 一般社団法人 日本協会 〕\n【所在地】：東京都新宿区西新宿1-3-3\n【会社名】 株式会社サンプル\n").is_empty()
        );
        // the value on the next line
        assert!(
            found("【事業者の名称】\n一般社団法人サンプル協会\n【利用目的】\n受験票の作成のため\n")
                .is_empty()
        );
        // the caption alone, or with a blank after it, is one
        assert_eq!(
            found(
                "【会社名】\n【住所】：＿＿＿＿\n【氏名】 ○○○○\n【所在地】\n\n【代表者名】\n＿＿＿＿\n"
            ),
            vec![
                "【会社名】",
                "【住所】",
                "【氏名】",
                "【所在地】",
                "【代表者名】"
            ]
        );
    }
}
