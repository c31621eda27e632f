//! `.html` / `.htm` to text: what a reader of the published page sees. The declared
//! charset (BOM, `<meta charset>` or `http-equiv`) is honoured, Shift_JIS included, and a
//! page whose bytes are not in the charset it declares is an error, not mojibake;
//! `head`, `script`, `style`, `template`, hidden elements and the like are dropped;
//! block elements, table cells and `<br>` end lines; entities are decoded by the parser
//! (html5ever, into scraper's tree, its work per token bounded by `src/extract/html_bounded`:
//! a page nested too deep is an error, not a parse quadratic in its depth).
//!
//! List items get the label a reader sees, written so the structure parser reads it:
//! an `<ol>` is numbered `1.`, a list inside a list item or under a numbered heading
//! (「1. 利用目的」) `(1)`, one deeper `①`; `type`/`list-style-type` letters, roman
//! numerals, イロハ and アイウ are followed; `<ul>` items get 「・」. An item whose text
//! already starts with a label (「(1)」「第1条」「①」) keeps its own.

use ego_tree::iter::Edge;
use encoding_rs::{DecoderResult, Encoding};
use scraper::{Html, Node};

use super::ExtractError;
use crate::decode;

/// Decodes an HTML page and extracts its visible text, one block a line.
pub fn extract(bytes: &[u8]) -> Result<String, ExtractError> {
    let source = decode_html(bytes)?;
    Ok(render(&parse(&source)?))
}

/// The most open elements html5ever may search for one token (a tag, a run of text). For
/// most block tags (`<p>`, `<div>`, `<ol>`, `<li>`, `</p>` …) the HTML standard's tree
/// construction asks whether a `<p>` is open "in button scope": a search down the stack of
/// open elements that only a table, a button or the like stops. A page whose blocks nest
/// N deep therefore costs N² steps (50,000 nested `<ol><li>`: over 110 s). The bound keeps
/// the parse linear in the page's length, at most twice this many looks at a node a token.
/// 10,000 nested lists (20,000 open elements) parse.
pub const MAX_OPEN_SEARCHED: u64 = 25_000;

/// The page's tree, as `Html::parse_document` builds it, but refused once one token makes
/// the parser search more than `MAX_OPEN_SEARCHED` open elements.
fn parse(source: &str) -> Result<Html, ExtractError> {
    kiyaku_html_bounded::parse_document(source, 2 * MAX_OPEN_SEARCHED).map_err(|_| {
        ExtractError::NestedTooDeep {
            open: MAX_OPEN_SEARCHED,
        }
    })
}

/// The charset a page declares in its first bytes (`<meta charset=…>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`): the label as written and
/// the encoding it names.
fn declared_charset(bytes: &[u8]) -> Option<(String, &'static Encoding)> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"charset") {
        let mut j = from + i + b"charset".len();
        from = j;
        while j < lower.len() && lower[j].is_ascii_whitespace() {
            j += 1;
        }
        if lower.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while j < lower.len() && matches!(lower[j], b' ' | b'\t' | b'"' | b'\'') {
            j += 1;
        }
        let end = lower[j..]
            .iter()
            .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
            .map_or(lower.len(), |p| j + p);
        if let Some(e) = Encoding::for_label(&lower[j..end]) {
            return Some((String::from_utf8_lossy(&head[j..end]).into_owned(), e));
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A page's text in the charset it declares. A page that declares nothing, or starts with a
/// byte-order mark (which browsers follow whatever the page declares), is detected as any
/// text is (`decode`). A page whose bytes are not what it declares (UTF-8 declared
/// iso-8859-1 or Shift_JIS, Shift_JIS declared UTF-8 …) is an error naming both: a browser
/// shows it garbled, and reading it as declared would check mojibake.
fn decode_html(bytes: &[u8]) -> Result<String, ExtractError> {
    let bom = [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"];
    let declared = declared_charset(bytes);
    let Some((label, declared)) = declared.filter(|_| !bom.iter().any(|b| bytes.starts_with(b)))
    else {
        return Ok(decode::decode(bytes)?.0);
    };
    if bytes.contains(&0) {
        return Err(decode::DecodeError::Binary.into());
    }
    // a page that calls itself UTF-16 but has no byte-order mark is read as UTF-8, as
    // browsers do (it could not declare anything in UTF-16 that an ASCII scan finds)
    let declared = if declared == encoding_rs::UTF_16LE || declared == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else {
        declared
    };
    let line_of = |at: usize| bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    match decode_strictly(bytes, declared) {
        Ok(text) if declared == encoding_rs::UTF_8 => Ok(text),
        Ok(text) => match likely_encoding(bytes, declared, Some(&text)) {
            Some(actual) => Err(ExtractError::CharsetMismatch {
                declared: label,
                actual: actual.name(),
                line: line_of(bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0)),
            }),
            _ => Ok(text),
        },
        Err(at) => Err(match likely_encoding(bytes, declared, None) {
            Some(actual) => ExtractError::CharsetMismatch {
                declared: label,
                actual: actual.name(),
                line: line_of(at),
            },
            None => ExtractError::NotDeclaredCharset {
                declared: label,
                line: line_of(at),
            },
        }),
    }
}

/// `bytes` in `encoding`, or the offset of the first byte that is not valid in it.
fn decode_strictly(bytes: &[u8], encoding: &'static Encoding) -> Result<String, usize> {
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| e.valid_up_to());
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::new();
    let mut read = 0;
    loop {
        let need = decoder
            .max_utf8_buffer_length_without_replacement(bytes.len() - read)
            .unwrap_or(bytes.len() - read);
        text.reserve(need);
        let (result, n) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut text, true);
        read += n;
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            DecoderResult::Malformed(bad, after) => {
                return Err(read - usize::from(after) - usize::from(bad));
            }
            DecoderResult::OutputFull => {}
        }
    }
}

/// What a page's bytes most likely are, if not the `declared` charset, when they are
/// Japanese text: valid UTF-8 that is not ASCII; else Shift_JIS or EUC-JP decoded without
/// an error into text with kana (EUC-JP has no byte that Shift_JIS uses for kana, so the
/// two are told apart); else the one of them that decodes into more Japanese characters
/// than the declared charset did (`as_declared`, `None` when it could not decode the page).
/// Text in a single-byte charset is taken as declared unless kana say otherwise: a Latin-1
/// é before a letter decodes as a kanji.
fn likely_encoding(
    bytes: &[u8],
    declared: &'static Encoding,
    as_declared: Option<&str>,
) -> Option<&'static Encoding> {
    if bytes.is_ascii() {
        return None;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Some(encoding_rs::UTF_8);
    }
    let clean: Vec<(&'static Encoding, String)> = [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP]
        .into_iter()
        .filter(|&e| e != declared)
        .filter_map(|e| {
            e.decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| (e, text.into_owned()))
        })
        .collect();
    let kana = |c: char| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ');
    if let Some((e, _)) = clean.iter().find(|(_, text)| text.chars().any(kana)) {
        return Some(e);
    }
    if declared.is_single_byte() && as_declared.is_some() {
        return None;
    }
    let japanese = |text: &str| {
        text.chars()
            .filter(|&c| {
                matches!(c, '\u{3000}'..='\u{303F}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF01}'..='\u{FF5E}')
            })
            .count()
    };
    let floor = as_declared.map_or(0, japanese);
    clean
        .iter()
        .map(|(e, text)| (*e, japanese(text)))
        .filter(|&(_, n)| n > floor)
        .max_by_key(|&(_, n)| n)
        .map(|(e, _)| e)
}

/// Elements whose content a reader does not see.
fn is_invisible(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "template"
            | "noscript"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "canvas"
            | "select"
            | "datalist"
            | "title"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListStyle {
    /// Decimal, written by nesting depth: 1. → (1) → ①.
    Decimal,
    LowerLatin,
    UpperLatin,
    LowerRoman,
    UpperRoman,
    Iroha,
    Aiueo,
    Kanji,
    Bullet,
    None,
}

struct List {
    style: ListStyle,
    /// Nesting depth among decimal lists (plus one under a numbered heading).
    depth: usize,
    next: i64,
}

fn list_style(element: &scraper::node::Element, ordered: bool) -> ListStyle {
    let css = element.attr("style").unwrap_or("").to_ascii_lowercase();
    if let Some(i) = css.find("list-style") {
        let value = css[i..]
            .split_once(':')
            .map_or("", |(_, v)| v.split(';').next().unwrap_or(""));
        for token in value.split_whitespace() {
            let style = match token {
                "none" => Some(ListStyle::None),
                "decimal" | "decimal-leading-zero" | "cjk-decimal" => Some(ListStyle::Decimal),
                "lower-alpha" | "lower-latin" => Some(ListStyle::LowerLatin),
                "upper-alpha" | "upper-latin" => Some(ListStyle::UpperLatin),
                "lower-roman" => Some(ListStyle::LowerRoman),
                "upper-roman" => Some(ListStyle::UpperRoman),
                "katakana-iroha" | "hiragana-iroha" => Some(ListStyle::Iroha),
                "katakana" | "hiragana" => Some(ListStyle::Aiueo),
                "cjk-ideographic" | "japanese-informal" | "japanese-formal" => {
                    Some(ListStyle::Kanji)
                }
                "disc" | "circle" | "square" => Some(ListStyle::Bullet),
                _ => None,
            };
            if let Some(s) = style {
                return s;
            }
        }
    }
    if !ordered {
        return ListStyle::Bullet;
    }
    match element.attr("type").map(str::trim) {
        Some("a") => ListStyle::LowerLatin,
        Some("A") => ListStyle::UpperLatin,
        Some("i") => ListStyle::LowerRoman,
        Some("I") => ListStyle::UpperRoman,
        _ => ListStyle::Decimal,
    }
}

fn label(list: &List, n: i64) -> String {
    let n = n.max(0) as u32;
    let word = |format: &str| super::docx::format_number(n, format);
    match list.style {
        ListStyle::Decimal => match list.depth {
            0 => format!("{n}. "),
            2 if (1..=20).contains(&n) => format!("{} ", word("decimalEnclosedCircle")),
            _ => format!("({n}) "),
        },
        ListStyle::LowerLatin => format!("{}. ", word("lowerLetter")),
        ListStyle::UpperLatin => format!("{}. ", word("upperLetter")),
        ListStyle::LowerRoman => format!("{}. ", word("lowerRoman")),
        ListStyle::UpperRoman => format!("{}. ", word("upperRoman")),
        ListStyle::Iroha => format!("{} ", word("iroha")),
        ListStyle::Aiueo => format!("{} ", word("aiueo")),
        ListStyle::Kanji => format!("{} ", word("japaneseCounting")),
        ListStyle::Bullet => "・".to_string(),
        ListStyle::None => String::new(),
    }
}

/// Whether text already begins with a list label of its own: (1) （１） 1. １． ① 第1条 イ ・.
pub fn starts_with_label(text: &str) -> bool {
    let fold = |c: char| match c {
        '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '（' => '(',
        '）' => ')',
        '．' => '.',
        _ => c,
    };
    let mut chars = text.trim_start().chars().map(fold);
    let Some(first) = chars.next() else {
        return false;
    };
    let second = chars.next();
    match first {
        '①'..='⑳' | '⑴'..='⒇' | '・' | '●' | '○' | '■' | '□' | '◆' | '◇' | '※' | '-' | '*' => {
            true
        }
        '(' => second.is_some_and(|c| {
            c.is_ascii_alphanumeric() || "一二三四五六七八九十イロハニホヘトアイウエオ".contains(c)
        }),
        '第' => second.is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c)),
        c if c.is_ascii_digit() => {
            let mut rest = second;
            let mut rest_chars = chars;
            while rest.is_some_and(|c| c.is_ascii_digit()) {
                rest = rest_chars.next();
            }
            matches!(rest, Some('.' | ')' | '、'))
        }
        _ => false,
    }
}

struct Renderer {
    out: String,
    lists: Vec<List>,
    /// How many of `lists` are decimal (their depth sets the label: 1. (1) ①).
    decimal_lists: usize,
    /// Labels of open list items that have shown no text yet.
    pending: Option<String>,
    /// Inside `<pre>`: whitespace is kept.
    pre: usize,
    /// Byte offset where the open heading's text starts.
    heading_start: Option<usize>,
    under_numbered_heading: bool,
}

impl Renderer {
    fn end_line(&mut self) {
        while self.out.ends_with([' ', '\t']) {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            if !text.is_empty() {
                self.label(text);
                self.out.push_str(text);
            }
            return;
        }
        let mut collapsed = String::with_capacity(text.len());
        let mut space = false;
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                space = true;
            } else {
                if space {
                    collapsed.push(' ');
                }
                space = false;
                collapsed.push(c);
            }
        }
        if space {
            collapsed.push(' ');
        }
        let at_line_start = self.out.is_empty() || self.out.ends_with('\n');
        let collapsed = if at_line_start || self.out.ends_with(' ') {
            collapsed.trim_start_matches(' ')
        } else {
            &collapsed
        };
        if collapsed.is_empty() {
            return;
        }
        self.label(collapsed);
        self.out.push_str(collapsed);
    }

    /// Writes the label of a list item before its first text, unless the text has its own.
    fn label(&mut self, text: &str) {
        if let Some(label) = self.pending.take()
            && !starts_with_label(text)
        {
            self.out.push_str(&label);
        }
    }

    fn open(&mut self, element: &scraper::node::Element) {
        let name = element.name();
        if is_block(name) {
            self.end_line();
        }
        match name {
            "br" => {
                while self.out.ends_with([' ', '\t']) {
                    self.out.pop();
                }
                self.out.push('\n');
            }
            "pre" => self.pre += 1,
            "ol" | "ul" => {
                let ordered = name == "ol";
                let style = list_style(element, ordered);
                let depth = if style == ListStyle::Decimal {
                    self.decimal_lists += 1;
                    self.decimal_lists - 1 + usize::from(self.under_numbered_heading)
                } else {
                    0
                };
                let start = element
                    .attr("start")
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .unwrap_or(1);
                self.lists.push(List {
                    style,
                    depth,
                    next: start,
                });
            }
            "li" => {
                if let Some(list) = self.lists.last_mut() {
                    if let Some(v) = element.attr("value").and_then(|s| s.trim().parse().ok()) {
                        list.next = v;
                    }
                    let n = list.next;
                    list.next = list.next.saturating_add(1);
                    let l = label(list, n);
                    self.pending = Some(l).filter(|l| !l.is_empty());
                }
            }
            h if is_heading(h) => self.heading_start = Some(self.out.len()),
            _ => {}
        }
    }

    fn close(&mut self, element: &scraper::node::Element) {
        let name = element.name();
        match name {
            "pre" => self.pre = self.pre.saturating_sub(1),
            "ol" | "ul" => {
                let closed = self.lists.pop();
                self.decimal_lists -=
                    usize::from(closed.is_some_and(|l| l.style == ListStyle::Decimal));
            }
            "li" => self.pending = None,
            h if is_heading(h) => {
                if let Some(start) = self.heading_start.take() {
                    let heading = &self.out[start.min(self.out.len())..];
                    self.under_numbered_heading = starts_with_number(heading);
                }
            }
            _ => {}
        }
        if is_block(name) {
            self.end_line();
        }
    }
}

/// 「1. 利用目的」「１．」「第1」: a heading that numbers its section.
fn starts_with_number(text: &str) -> bool {
    let t = text.trim_start();
    let first = t.chars().next();
    first.is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '第')
        || t.starts_with(['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', 'Ⅵ', 'Ⅶ', 'Ⅷ', 'Ⅸ', 'Ⅹ'])
}

fn is_hidden(element: &scraper::node::Element) -> bool {
    element.attr("hidden").is_some()
        || element.attr("aria-hidden") == Some("true")
        || element.attr("style").is_some_and(|s| {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// The visible text of a parsed page. Iterative: nesting depth costs no stack.
fn render(html: &Html) -> String {
    let mut r = Renderer {
        out: String::new(),
        lists: Vec::new(),
        decimal_lists: 0,
        pending: None,
        pre: 0,
        heading_start: None,
        under_numbered_heading: false,
    };
    let mut skip = 0usize;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    if skip > 0 || is_invisible(e.name()) || is_hidden(e) {
                        skip += 1;
                    } else {
                        r.open(e);
                    }
                }
                Node::Text(t) if skip == 0 => r.text(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip > 0 {
                        skip -= 1;
                    } else {
                        r.close(e);
                    }
                }
            }
        }
    }
    r.end_line();
    r.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        extract(html.as_bytes()).unwrap()
    }

    #[test]
    fn visible_text_only_with_blocks_and_breaks() {
        let t = text(
            "<html><head><title>T</title><style>p{}</style></head><body>\
             <script>var x = '秘密';</script><h1>個人情報保護方針</h1>\
             <p>当社は&amp;お客様の<b>個人情報</b>を\n   保護します。<br>以上</p>\
             <div hidden>隠し</div><table><tr><td>窓口</td><td>03-0000-0000</td></tr></table></body></html>",
        );
        assert_eq!(
            t,
            "個人情報保護方針\n当社は&お客様の個人情報を 保護します。\n以上\n窓口\n03-0000-0000\n"
        );
    }

    #[test]
    fn lists_are_numbered_for_the_structure_parser() {
        let t = text(
            "<h2>1. 利用目的</h2><ol><li>商品の発送</li><li>ご連絡<ol><li>電話</li></ol></li></ol>\
             <h2>お問合せ</h2><ol start=\"3\"><li>窓口</li><li>（５）既に番号</li></ol>\
             <ol type=\"a\"><li>甲</li></ol><ol style=\"list-style-type: katakana-iroha\"><li>乙</li></ol>\
             <ul><li>箇条</li></ul>",
        );
        assert_eq!(
            t,
            "1. 利用目的\n(1) 商品の発送\n(2) ご連絡\n① 電話\nお問合せ\n3. 窓口\n（５）既に番号\na. 甲\nイ 乙\n・箇条\n"
        );
    }

    #[test]
    fn declared_shift_jis_is_decoded() {
        let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head><body><p>個人情報の利用目的</p></body></html>";
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(page);
        assert_eq!(extract(&bytes).unwrap(), "個人情報の利用目的\n");
        let euc_page = page.replace("Shift_JIS", "EUC-JP");
        let (euc, _, _) = encoding_rs::EUC_JP.encode(&euc_page);
        assert_eq!(extract(&euc).unwrap(), "個人情報の利用目的\n");
    }

    #[test]
    fn a_page_not_in_its_declared_charset_is_an_error_naming_both() {
        let page = |charset: &str| {
            format!(
                "<html><head><meta charset=\"{charset}\"><title>t</title></head><body>\n\
                 <h1>個人情報保護方針</h1>\n<p>当社は、お客様の個人情報を適切に取り扱います。</p></body></html>"
            )
        };
        let mismatch = |bytes: &[u8]| match extract(bytes) {
            Err(ExtractError::CharsetMismatch {
                declared,
                actual,
                line,
            }) => (declared, actual, line),
            other => panic!("{other:?}"),
        };
        let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
        let euc = |s: &str| encoding_rs::EUC_JP.encode(s).0.into_owned();
        // UTF-8 bytes declared a single-byte charset decode without an error, to mojibake
        let expected = |d: &str, a| (d.to_string(), a, 2);
        assert_eq!(
            mismatch(page("iso-8859-1").as_bytes()),
            expected("iso-8859-1", "UTF-8")
        );
        assert_eq!(
            mismatch(page("Shift_JIS").as_bytes()),
            expected("Shift_JIS", "UTF-8")
        );
        assert_eq!(
            mismatch(&sjis(&page("utf-8"))),
            expected("utf-8", "Shift_JIS")
        );
        assert_eq!(
            mismatch(&sjis(&page("windows-1252"))),
            expected("windows-1252", "Shift_JIS")
        );
        assert_eq!(
            mismatch(&euc(&page("Shift_JIS"))),
            expected("Shift_JIS", "EUC-JP")
        );
        assert_eq!(
            mismatch(&sjis(&page("EUC-JP"))),
            expected("EUC-JP", "Shift_JIS")
        );
        // kanji without kana: EUC-JP decodes into more of them than Shift_JIS does
        let kanji = "<meta charset=Shift_JIS>\n<p>個人情報保護方針</p><p>利用目的</p>";
        assert_eq!(mismatch(&euc(kanji)), ("Shift_JIS".into(), "EUC-JP", 2));
        // the message names both
        let message = extract(page("iso-8859-1").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("\"iso-8859-1\"") && message.contains("UTF-8"),
            "{message}"
        );
        // bytes that are no Japanese encoding either
        assert_eq!(
            extract(b"<meta charset=\"utf-8\">\n\n\xff\xfe\xfd\xfc"),
            Err(ExtractError::NotDeclaredCharset {
                declared: "utf-8".into(),
                line: 3
            })
        );
    }

    #[test]
    fn pages_in_their_declared_charset_or_undeclared_are_read() {
        let body = "<p>個人情報の利用目的</p>";
        for (charset, bytes) in [
            ("UTF-8", body.as_bytes().to_vec()),
            (
                "Shift_JIS",
                encoding_rs::SHIFT_JIS.encode(body).0.into_owned(),
            ),
            ("EUC-JP", encoding_rs::EUC_JP.encode(body).0.into_owned()),
            // UTF-16 declared without a byte-order mark is read as UTF-8, as browsers do
            ("utf-16", body.as_bytes().to_vec()),
        ] {
            let mut page = format!("<meta charset={charset}>").into_bytes();
            page.extend(&bytes);
            assert_eq!(extract(&page).unwrap(), "個人情報の利用目的\n", "{charset}");
            // undeclared: detected as text is (UTF-8, Shift_JIS), EUC-JP not guessed
            if charset != "EUC-JP" {
                assert_eq!(
                    extract(&bytes).unwrap(),
                    "個人情報の利用目的\n",
                    "{charset}"
                );
            }
        }
        // a page in the Latin-1 it declares stays readable
        assert_eq!(
            extract(b"<meta charset=iso-8859-1><p>Caf\xe9 cr\xe8me</p>").unwrap(),
            "Café crème\n"
        );
        // a byte-order mark wins over the declaration, as in browsers
        let mut bom = b"\xEF\xBB\xBF<meta charset=\"shift_jis\">".to_vec();
        bom.extend(body.as_bytes());
        assert_eq!(extract(&bom).unwrap(), "個人情報の利用目的\n");
    }

    #[test]
    fn the_bounded_parse_builds_the_tree_html5ever_builds() {
        let fixture = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/inputs/06-takada-kogyosho.html"
        ))
        .unwrap();
        let fixture = decode_html(&fixture).unwrap();
        for page in [
            fixture.as_str(),
            "<p>一<b>二<p>三</b>四<table><td>五<tr>六</table><select><option>七</select><svg><text>八</svg>",
            "<ul><li>a<li>b<ol><li>c</ul></ol>d<template><p>e</template><noscript>f</noscript>",
        ] {
            let bounded = kiyaku_html_bounded::parse_document(page, u64::MAX).unwrap();
            assert_eq!(bounded.html(), Html::parse_document(page).html());
        }
    }

    #[test]
    fn a_token_that_searches_too_many_open_elements_ends_the_parse() {
        let parse = |page: &str, max| kiyaku_html_bounded::parse_document(page, max).map(|_| ());
        // 100 nested blocks: the last <div> searches all of them for a <p>, two looks each
        let nested = "<div>".repeat(100) + "本文";
        assert!(parse(&nested, 150).is_err());
        assert!(parse(&nested, 250).is_ok());
        // a shallow page with many tags never comes near the bound
        let wide = "<div><p>本文</p></div>".repeat(10_000);
        assert!(parse(&wide, 50).is_ok());
        // the bound is per token: stray end tags over 60 open blocks are searched each time
        let stray = "<div>".repeat(60) + &"</li>".repeat(1_000);
        assert!(parse(&stray, 100).is_err());
        assert!(parse(&stray, 250).is_ok());
    }
}
