//! Document structure: title, 章/節/款, 条 with caption, 項, 号, 細目, 附則, and
//! the numbered headings of notices. The parser never fails: any text yields a
//! tree (possibly flat), and whatever looks wrong is left to the checks.

use crate::resettable::Resettable;
use std::ops::Range;
use std::sync::Arc;

use regex::Regex;

use crate::numerals::{GOJUON, IROHA, circled_value, kana_value, roman_value};
use crate::text::SourceText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    Chapter,
    Section,
    Subsection,
    Supplementary,
    Article,
    Paragraph,
    Item,
    SubItem,
    Heading,
    /// 別紙, 別記, 別表, 付録: a part after the main provisions, numbered on its own.
    Annex,
}

impl UnitKind {
    /// Japanese name used in messages.
    pub fn name_ja(self) -> &'static str {
        match self {
            UnitKind::Chapter => "章",
            UnitKind::Section => "節",
            UnitKind::Subsection => "款",
            UnitKind::Supplementary => "附則",
            UnitKind::Article => "条",
            UnitKind::Paragraph => "項",
            UnitKind::Item => "号",
            UnitKind::SubItem => "細目",
            UnitKind::Heading => "見出し",
            UnitKind::Annex => "別紙",
        }
    }
}

/// How a list label is written; references name labels in the same style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelStyle {
    Arabic,
    Kanji,
    Parenthesized,
    /// 1) ２） — a number closed by a parenthesis only.
    HalfParenthesized,
    Circled,
    Iroha,
    Latin,
    Decimal,
    Markdown,
    Roman,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Unit {
    pub kind: UnitKind,
    pub style: LabelStyle,
    /// The label as written, normalised to ASCII digits: "第36条", "2", "(1)", "①", "1.", "1.1".
    pub label: String,
    /// Ordinal of the label (第36条 → 36, ② → 2, ロ → 2); branch numbers like 第5条の2 → 5.
    pub number: u32,
    /// 第5条の2 → Some(2).
    pub branch: Option<u32>,
    pub caption: Option<String>,
    /// Byte range of the caption line when the caption stands on the line before.
    pub caption_range: Option<Range<usize>>,
    /// Byte range of the line holding the label.
    pub header: Range<usize>,
    /// The unit's whole text, from its caption or label line to the start of the next unit
    /// that is not inside it.
    pub span: Range<usize>,
    /// Where the unit's own text starts (after its label).
    pub body_start: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Inside 附則.
    pub supplementary: bool,
    /// An article numbered 第1, 第2 … without 条, as 特記事項 are: a reference to 第N条 made
    /// in such a document names another document's article (the contract's, the law's),
    /// never this one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub without_jo: bool,
    /// Inside the n-th 別紙/別記/別表 (0: the main provisions). An annex numbers its articles
    /// on its own, and a reference to 第N条 from the main provisions never names them.
    #[serde(skip_serializing_if = "is_zero")]
    pub annex: u16,
    /// For an item written after a list number (「3. (1) 開示の時に…」, a web page's
    /// numbered list around a contract's own labels): that number, which the next
    /// paragraph's number continues.
    #[serde(skip)]
    pub list_number: Option<u32>,
    rank: u8,
}

/// A reference to a provision of the same document: 第3条, 第3条の2, 第3条第2項第1号.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub article: u32,
    /// 第3条の2 → Some(2).
    pub branch: Option<u32>,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
    /// Made inside 附則, so naming its articles.
    pub supplementary: bool,
}

impl Reference {
    /// 第N条(のB)(第M項)(第K号) in normalised text (ASCII digits): groups 1 to 4 are the
    /// article, branch, paragraph and item numbers.
    pub fn pattern() -> Arc<Regex> {
        static RE: Resettable<Regex> = Resettable::new(|| {
            Regex::new(r"第([0-9]+)条(?:の([0-9]+))?(?:第([0-9]+)項)?(?:第([0-9]+)号)?")
                .expect("static")
        });
        RE.get()
    }
}

/// The level at which a reference names nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// No such article.
    Article,
    /// The article (its unit) has no such paragraph.
    Paragraph { article: usize },
    /// The article or paragraph (its unit) has no such item.
    Item { container: usize },
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Structure {
    /// Title lines before the first unit (e.g. 「個人情報取扱規程」, the company name).
    pub title_lines: Vec<Range<usize>>,
    pub units: Vec<Unit>,
    pub roots: Vec<usize>,
    /// A notice's closing block after its last section: the date it was made or revised,
    /// then the business's name, address and representative. It belongs to no section.
    pub closing: Option<Range<usize>>,
    /// Text that a 覚書 or 変更契約 writes into another contract (「原契約第9条を次のとおり
    /// 改める。」 and the new article after it): its articles, paragraphs and references are
    /// the other contract's, so they are neither units here nor resolved against this text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amended: Vec<Range<usize>>,
}

impl Unit {
    /// A list label of a notice or of an article's items (lists may restart at 1),
    /// as opposed to the numbering of articles, paragraphs and chapters.
    pub fn rank_is_list(&self) -> bool {
        self.rank >= rank::ITEM
    }
}

impl Structure {
    /// Where a unit's own text ends: at its first child (a paragraph, an item), or with its span.
    pub fn own_end(&self, unit: &Unit) -> usize {
        unit.children
            .first()
            .map_or(unit.span.end, |&c| self.units[c].span.start)
    }

    pub fn children_of(&self, parent: Option<usize>) -> &[usize] {
        match parent {
            Some(i) => &self.units[i].children,
            None => &self.roots,
        }
    }

    /// Articles of the main provisions (not 附則), in document order.
    pub fn articles(&self) -> impl Iterator<Item = (usize, &Unit)> {
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.kind == UnitKind::Article)
    }

    /// Each article's label and caption, for the tests that read a document's articles.
    #[cfg(test)]
    pub(crate) fn article_captions(&self) -> Vec<(String, Option<String>)> {
        self.articles()
            .map(|(_, u)| (u.label.clone(), u.caption.clone()))
            .collect()
    }

    /// The innermost unit containing byte `offset`.
    pub fn innermost_at(&self, offset: usize) -> Option<usize> {
        let mut found = None;
        let mut level = self.roots.as_slice();
        'descend: loop {
            for &i in level {
                if self.units[i].span.contains(&offset) {
                    found = Some(i);
                    level = &self.units[i].children;
                    continue 'descend;
                }
            }
            return found;
        }
    }

    /// The unit and its ancestors, innermost first.
    pub fn ancestry(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(index), |&i| self.units[i].parent)
    }

    /// A readable path such as 第36条第4項第1号 or 3.(5).
    pub fn path_label(&self, index: usize) -> String {
        let mut parts: Vec<String> = self
            .ancestry(index)
            .filter(|&i| {
                !matches!(
                    self.units[i].kind,
                    UnitKind::Chapter
                        | UnitKind::Section
                        | UnitKind::Subsection
                        | UnitKind::Supplementary
                )
            })
            .map(|i| {
                let u = &self.units[i];
                let implicit_paragraph = u.kind == UnitKind::Item
                    && u.parent.is_some_and(|p| {
                        self.units[p].kind == UnitKind::Article
                            && self.units[p]
                                .children
                                .iter()
                                .any(|&c| self.units[c].kind == UnitKind::Paragraph)
                    });
                match (u.kind, u.style) {
                    (UnitKind::Paragraph, _) => format!("第{}項", u.number),
                    (
                        UnitKind::Item,
                        LabelStyle::Parenthesized | LabelStyle::Kanji | LabelStyle::Arabic,
                    ) if implicit_paragraph => {
                        format!("第1項第{}号", u.number)
                    }
                    (
                        UnitKind::Item,
                        LabelStyle::Parenthesized | LabelStyle::Kanji | LabelStyle::Arabic,
                    ) if self.in_article(i) => {
                        format!("第{}号", u.number)
                    }
                    _ => u.label.clone(),
                }
            })
            .collect();
        parts.reverse();
        let prefix = if self.units[index].supplementary {
            "附則"
        } else {
            ""
        };
        format!("{prefix}{}", parts.concat())
    }

    /// Paragraph `number` of an article: its unit, or for paragraph 1 written without a
    /// number, the article itself (its own text is the first paragraph).
    pub fn paragraph(&self, article: usize, number: u32) -> Option<usize> {
        let explicit =
            self.units[article].children.iter().copied().find(|&c| {
                self.units[c].kind == UnitKind::Paragraph && self.units[c].number == number
            });
        match explicit {
            Some(p) => Some(p),
            None if number <= 1 => Some(article),
            None => None,
        }
    }

    /// Article `number` (`branch`: 第N条のB) of the main provisions, or of 附則.
    pub fn article(&self, number: u32, branch: Option<u32>, supplementary: bool) -> Option<usize> {
        self.articles()
            .find(|(_, u)| {
                u.number == number
                    && u.branch == branch
                    && u.supplementary == supplementary
                    && !u.without_jo
                    && u.annex == 0
            })
            .map(|(i, _)| i)
    }

    /// The unit a reference names, down to the deepest level it names: 第3条, 第3条の2,
    /// 第3条第2項, 第3条第2項第1号 (paragraph 1 of an article without numbered paragraphs is
    /// the article itself), in the main provisions or, for a reference made inside 附則, in
    /// 附則. The one resolver of the checks and the language server.
    pub fn resolve(&self, reference: &Reference) -> Result<usize, Unresolved> {
        let article = self
            .article(reference.article, reference.branch, reference.supplementary)
            .ok_or(Unresolved::Article)?;
        let container = match reference.paragraph {
            Some(p) => self
                .paragraph(article, p)
                .ok_or(Unresolved::Paragraph { article })?,
            None => article,
        };
        let Some(item) = reference.item else {
            return Ok(container);
        };
        self.units[container]
            .children
            .iter()
            .copied()
            .find(|&c| self.units[c].kind == UnitKind::Item && self.units[c].number == item)
            .ok_or(Unresolved::Item { container })
    }

    /// The reference written at `m` (a match of `Reference::pattern` in the normalised text,
    /// whose original start is `at`), read in the part of the document it stands in.
    pub fn reference_at(&self, captures: &regex::Captures<'_>, at: usize) -> Option<Reference> {
        let num = |i: usize| captures.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        Some(Reference {
            article: num(1)?,
            branch: num(2),
            paragraph: num(3),
            item: num(4),
            supplementary: self
                .innermost_at(at)
                .is_some_and(|u| self.units[u].supplementary),
        })
    }

    fn in_article(&self, index: usize) -> bool {
        self.ancestry(index)
            .any(|i| self.units[i].kind == UnitKind::Article)
    }
}

struct Patterns {
    chapter: Regex,
    article: Regex,
    caption: Regex,
    paragraph: Regex,
    paren_item: Regex,
    half_paren_item: Regex,
    kanji_item: Regex,
    comma_item: Regex,
    circled: Regex,
    iroha: Regex,
    latin: Regex,
    decimal: Regex,
    numbered_heading: Regex,
    roman_heading: Regex,
    markdown: Regex,
    /// Every label pattern above: most lines carry none, and one pass over the line says so.
    any_label: regex::RegexSet,
    dated: Regex,
    bullet: Regex,
    /// An instruction that writes text into another contract: 「…を次のとおり改める」
    /// 「…の次に次の1条を加える」.
    amendment: Regex,
    /// A line that starts an article, and its number (not 第N条の2).
    article_start: Regex,
    /// 「第1　基本的事項」: an article of a 特記事項 numbered without 条, and the rest of its line.
    article_without_jo: Regex,
    /// 別紙/別記/別表 and its number, then the rest of the line (see `annex_heading`).
    annex: Regex,
    /// The article an amendment replaces: 「第9条を次のとおり」 → 9.
    replaced_article: Regex,
}

/// The label patterns, in the order of `Patterns::any_label`.
#[derive(Clone, Copy)]
enum Label {
    Chapter,
    Article,
    Paragraph,
    ParenItem,
    HalfParenItem,
    KanjiItem,
    CommaItem,
    Circled,
    Iroha,
    Latin,
    Decimal,
    NumberedHeading,
    RomanHeading,
    Markdown,
}

/// An article's caption in brackets, as the article's line and a caption line above it write
/// it; it may hold one bracket of its own (「（生成AI（人工知能）の利用）」).
macro_rules! bracketed_caption {
    () => {
        r"\(((?:[^()]|\([^()]{0,20}\)){1,40})\)"
    };
}

fn patterns() -> Arc<Patterns> {
    static P: Resettable<Patterns> = Resettable::new(|| {
        let re = |s: &str| Regex::new(s).expect("static regex");
        // Each pattern stops where the text after its label begins, marked by its last
        // group (empty, or that text's first character), instead of running on with `(.*)$`:
        // a capture search costs as much as the text it matches, and most lines carry a
        // label (`rest_from` gives the rest of the line).
        let labels = [
            r"^第([0-9]+|[〇一二三四五六七八九十百]+)(章|節|款)(?:\s+|$)()",
            concat!(
                r"^第([0-9]+|[〇一二三四五六七八九十百]+)条(?:の([0-9]+|[一二三四五六七八九十]+))?(?:\s*",
                bracketed_caption!(),
                // the first sentence may follow the caption with no space between
                // (「第1条（個人情報）「個人情報」とは…」)
                r"\s*|\s+|$)()"
            ),
            r"^([0-9]{1,3})\s+(\S)",
            r"^\(([0-9]{1,3})\)\s*()",
            r"^([0-9]{1,2})\)\s*(\S)",
            r"^([一二三四五六七八九十]{1,3})\s+(\S)",
            r"^([0-9]{1,2})、\s*(\S)",
            r"^([①-⑳])\s*()",
            r"^([イロハニホヘトチリヌルヲワカヨタレソツネナラムアウエオキクケコ])\s+(\S)",
            r"^([a-z])[.)]\s*()",
            // 5.2 and 5-2. (the hyphen with its full stop, unlike a phone number 03-1234-5678)
            r"^([0-9]{1,2})(?:\.([0-9]{1,2})\.?|-([0-9]{1,2})\.)\s*()",
            // the caption may open with a number that is not a decimal (「16. 18歳未満の取扱」)
            r"^([0-9]{1,2})\.\s*([^0-9\s]|[0-9]+[^0-9.\s])",
            // Ⅴ 匿名加工情報, V. 匿名加工情報: the caption starts with a non-ASCII character,
            // so that English text at the start of a line is not taken for a numeral
            r"^(X{0,3}(?:IX|IV|V?I{0,3})|[Ⅰ-Ⅻ])(?:[.、]\s*|\s+)([^\x00-\x7F])",
            r"^(#{1,6})\s+()",
        ];
        Patterns {
            chapter: re(labels[0]),
            article: re(labels[1]),
            caption: re(concat!("^", bracketed_caption!(), "$")),
            paragraph: re(labels[2]),
            paren_item: re(labels[3]),
            half_paren_item: re(labels[4]),
            kanji_item: re(labels[5]),
            comma_item: re(labels[6]),
            circled: re(labels[7]),
            iroha: re(labels[8]),
            latin: re(labels[9]),
            decimal: re(labels[10]),
            numbered_heading: re(labels[11]),
            roman_heading: re(labels[12]),
            markdown: re(labels[13]),
            any_label: regex::RegexSet::new(labels).expect("static regex set"),
            dated: {
                // the adoption words are `[document]` of dictionaries/vocabulary.toml
                let words = &crate::vocabulary::vocabulary().document.adoption_words;
                let adoption = words
                    .iter()
                    .map(|w| regex::escape(w))
                    .collect::<Vec<_>>()
                    .join("|");
                re(&format!(
                    r"^(?:(?:最終)?(?:{adoption})(?:日|年月日)?\s*[:：]?\s*)?(?:(?:令和|平成|昭和)\s*(?:元|[0-9]{{1,2}})|[0-9]{{4}})\s*年\s*[0-9]{{1,2}}\s*月(?:\s*[0-9]{{1,2}}\s*日)?\s*(?:最終)?(?:{adoption}|以上)?\s*$"
                ))
            },
            bullet: re(r"^(?:[-*・]\s*)"),
            amendment: re(
                r"第\s*[0-9〇一二三四五六七八九十百千]+\s*条[^。]*?次の(?:とおり|ように|[0-9〇一二三四五六七八九十]+(?:条|項|号)を|条項?を|項を|号を)\s*(?:改める|改正する|変更する|加える|追加する|新設する)|(?:契約|規程|規則|約款)書?に次の(?:条項?|[0-9〇一二三四五六七八九十]+条)を(?:加える|追加する|新設する)",
            ),
            annex: re(
                r"^(別紙|別記|別表|別添|付録|付属書)(?:\s*(?:第\s*)?([0-9]{1,2}|[一二三四五六七八九十]{1,3}|[IVX]{1,4}|[Ⅰ-Ⅻ])号?)?(?:\s*$|(\s.{0,40}|[\-–—:].{0,40}|\(.{0,40})$)",
            ),
            article_without_jo: re(r"^第([0-9]{1,3}|[一二三四五六七八九十]{1,4})(?: +(.*))?$"),
            article_start: re(
                r"^(?:#+\s*)?第\s*([0-9〇一二三四五六七八九十百千]+)\s*条(?:[^の0-9]|$)",
            ),
            replaced_article: re(
                r"第\s*([0-9〇一二三四五六七八九十百千]+)\s*条(?:\s*の\s*[0-9]+)?\s*を\s*次の",
            ),
        }
    });
    P.get()
}

/// Folds full-width digits, letters, parentheses, periods and spaces so that the
/// line patterns see one spelling. Lengths change, so results are used only to
/// classify and read labels, never for offsets.
fn fold_line(line: &str) -> String {
    // trimmed before folding: folding keeps whitespace whitespace and the rest not
    let line = line.trim();
    let folded_char = |c: char| match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0),
        '（' => Some('('),
        '）' => Some(')'),
        '．' => Some('.'),
        '\u{3000}' | '\t' => Some(' '),
        _ => None,
    };
    // the runs between the characters folded are copied whole (every line is folded on
    // every keystroke in the language server)
    let mut folded = String::with_capacity(line.len());
    let mut copied = 0;
    // every character folded is a tab, U+3000 or a full-width form (whose UTF-8 starts
    // with the byte 0xEF): only those places are decoded, found by a vectorised search
    let bytes = line.as_bytes();
    let mut from = 0;
    let mut next_space = memchr::memmem::find(bytes, "\u{3000}".as_bytes());
    while from < bytes.len() {
        let other = memchr::memchr2(b'\t', 0xEF, &bytes[from..]).map(|i| from + i);
        let at = match (other, next_space) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(at) => at,
                None => break,
            },
        };
        let c = line[at..].chars().next().unwrap_or(' ');
        if let Some(f) = folded_char(c) {
            folded.push_str(&line[copied..at]);
            folded.push(f);
            copied = at + c.len_utf8();
        }
        from = at + c.len_utf8();
        if next_space.is_some_and(|s| s < from) {
            next_space =
                memchr::memmem::find(&bytes[from..], "\u{3000}".as_bytes()).map(|i| from + i);
        }
    }
    folded.push_str(&line[copied..]);
    // 【1.事業者情報】 is the heading 1. of a web page's outline
    let folded = match folded.strip_prefix('【').and_then(|l| l.strip_suffix('】')) {
        Some(inner) if inner.starts_with(|c: char| c.is_ascii_digit()) => inner.to_string(),
        _ => folded,
    };
    // 「● 1. 個人情報の利用目的」: a mark drawn before a numbered heading leaves it heading 1.
    let folded = match marked_number(&folded) {
        Some(start) => folded[start..].to_string(),
        None => folded,
    };
    // 5.2.(1) is the item (1) under heading 5.2, not 5.2 again
    match decimal_item_prefix(&folded) {
        Some(prefix) => folded[prefix..].to_string(),
        None => folded,
    }
}

/// Where the number starts on a line that opens with a mark drawn before a numbered heading
/// (「● 1. 個人情報の利用目的」「■2．第三者提供」): the mark, then the number with its full stop
/// or bracket and a caption that does not open with a digit (「● 3.5倍」 is no heading).
fn marked_number(folded: &str) -> Option<usize> {
    let rest = folded.strip_prefix(['●', '■', '◆', '□', '◇', '○'])?;
    let number = rest.trim_start();
    let digits = number.bytes().take_while(u8::is_ascii_digit).count();
    let after = number[digits..].chars().next()?;
    let caption = number[digits + after.len_utf8()..].trim_start();
    (digits > 0
        && digits <= 2
        && matches!(after, '.' | ')')
        && !caption.is_empty()
        && !caption.starts_with(|c: char| c.is_ascii_digit()))
    .then(|| folded.len() - number.len())
}

/// Whether a decimal heading's minor number is the start of a word of its caption: 「3．3D
/// プリンターについて」 is heading 3 whose caption opens with 「3D」, not heading 3.3 captioned
/// 「Dプリンターについて」 (a minor number is followed by a full stop, a space or the caption in
/// another script).
fn minor_is_a_word(line: &str, c: &regex::Captures) -> bool {
    match (c.get(2), c.get(4)) {
        (Some(minor), Some(caption)) => {
            minor.end() == caption.start()
                && line[caption.start()..].starts_with(|ch: char| {
                    // 「3．3Dプリンター」; a count or an age (「5．14才以下の方」); a number a
                    // particle follows (「3．2の申請書に」, the item 2 named in item 3)
                    ch.is_ascii_alphabetic()
                        || "才歳日月年円件名人回時分％%のにをでとがはもへ".contains(ch)
                })
        }
        _ => false,
    }
}

/// Whether a decimal number is the first cell of a table row (「2.0 | 2026年4月14日 | 全面改訂」,
/// a version in a revision history), not a heading's number.
fn opens_a_table_cell(line: &str, c: &regex::Captures) -> bool {
    let end = c
        .get(2)
        .or_else(|| c.get(3))
        .or_else(|| c.get(1))
        .map_or(0, |m| m.end());
    line[end..]
        .trim_start_matches(['.', ' '])
        .starts_with(['|', '｜'])
}

/// The length of 「5.2.」 in 「5.2.(1) …」: a decimal heading's number written before its
/// items' own labels.
fn decimal_item_prefix(line: &str) -> Option<usize> {
    // most lines do not open with a digit: no need to fetch the pattern for them
    if !line.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"^(?:[0-9]{1,2}\.){2,3}\s*\([0-9]{1,2}\)").expect("static regex")
    });
    let re = RE.get();
    re.find(line)
        .map(|m| line[..m.end()].rfind('(').unwrap_or(0))
}

/// 「第3条　定義」: a short caption after the number on the article's line, without
/// brackets (Markdown rule books). A sentence is body text, not a caption.
fn inline_caption(rest: &str) -> Option<String> {
    const MAX_CAPTION_CHARS: usize = 20;
    let rest = rest.trim();
    let caption_like = !rest.is_empty()
        && rest.chars().count() <= MAX_CAPTION_CHARS
        && !rest.contains(['。', '、', ',', '「'])
        && !rest.ends_with(['る', 'う', 'た', 'す']);
    caption_like.then(|| rest.to_string())
}

/// The rest of `line` from where group `i` of a label pattern starts (the patterns mark there
/// where the text after the label begins); empty when the group took no part.
fn rest_from<'l>(line: &'l str, c: &regex::Captures<'_>, i: usize) -> &'l str {
    c.get(i).map_or("", |m| &line[m.start()..])
}

/// 「## 第3条（定義）」: a Markdown heading marker in front of an article or chapter.
fn strip_heading_marker(line: &str) -> &str {
    let rest = line.trim_start_matches('#');
    if rest.len() < line.len() && rest.starts_with(' ') {
        let rest = rest.trim_start();
        if rest.starts_with('第') {
            return rest;
        }
    }
    line
}

/// Width of a line's indentation: a full-width space or a tab counts two.
fn indentation(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == ' ' { 1 } else { 2 })
        .sum()
}

/// 「(1)に同じ」 is a reference in running text, not the label (1).
fn starts_with_particle(rest: &str) -> bool {
    rest.trim_start()
        .starts_with(['に', 'と', 'の', 'を', 'は', 'が', 'も', 'で'])
}

fn ordinal(s: &str) -> u32 {
    s.parse::<u32>()
        .ok()
        .or_else(|| crate::numerals::kanji_value(s).map(|n| n as u32))
        .unwrap_or(0)
}

#[derive(Clone)]
pub struct Classified {
    kind: UnitKind,
    style: LabelStyle,
    label: String,
    number: u32,
    branch: Option<u32>,
    caption: Option<String>,
    list_number: Option<u32>,
    rank: u8,
}

/// Ranks order the units: a new unit closes every open unit of the same or a higher rank.
mod rank {
    pub const SUPPLEMENTARY: u8 = 1;
    pub const CHAPTER: u8 = 2;
    pub const SECTION: u8 = 3;
    pub const SUBSECTION: u8 = 4;
    pub const ARTICLE: u8 = 5;
    pub const PARAGRAPH: u8 = 6;
    pub const ITEM: u8 = 7;
    pub const SUBITEM: u8 = 8;
    pub const SUBSUBITEM: u8 = 9;
    pub const MARKDOWN: u8 = 10; // + level
    pub const ROMAN: u8 = 17;
    pub const NUMBERED: u8 = 18;
    pub const DECIMAL: u8 = 19;
    pub const NOTICE_ITEM: u8 = 20;
    pub const NOTICE_SUBITEM: u8 = 21;
    pub const NOTICE_SUBSUBITEM: u8 = 22;
    // up to NOTICE_ITEM + 4: a notice's list styles in the order they appear
}

struct Context {
    has_articles: bool,
    /// Sub-items are labelled ア イ ウ rather than イ ロ ハ.
    gojuon: bool,
    has_markdown_headings: bool,
}

impl crate::piece_cache::HeapSize for Classified {
    fn heap_size(&self) -> usize {
        self.label.capacity() + self.caption.as_ref().map_or(0, String::capacity)
    }
}

/// What the language server remembers of a document's lines for the structure parser: how
/// each line's text classifies (a label, a heading, nothing) under the flags it was read
/// with. Classifying is a function of the line and the flags alone, so a keystroke
/// classifies one line again.
pub type ClassifiedLines = crate::piece_cache::PieceCache<Option<Classified>>;

/// The flags a line is classified under, as one byte (`classify_cached`'s key and
/// `LineMemo`'s record of what a line was read with).
fn flags(ctx: &Context, in_article: bool) -> u8 {
    [
        ctx.has_articles,
        ctx.gojuon,
        ctx.has_markdown_headings,
        in_article,
    ]
    .iter()
    .fold(0, |bits, &flag| bits << 1 | u8::from(flag))
}

/// `classify`, through `cache` when there is one: keyed by the line with the flags before it.
fn classify_cached(
    p: &Patterns,
    cache: Option<&ClassifiedLines>,
    line: &str,
    ctx: &Context,
    in_article: bool,
) -> Arc<Option<Classified>> {
    let Some(cache) = cache else {
        return Arc::new(classify(p, line, ctx, in_article));
    };
    thread_local! {
        /// The key of the line being classified, kept between lines: no allocation a line.
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with_borrow_mut(|key| {
        key.clear();
        key.push(char::from(b'0' + flags(ctx, in_article)));
        key.push_str(line);
        cache.get_or_compute(key, |_| classify(p, line, ctx, in_article))
    })
}

/// How a line classified, and the flags it was classified under (`flags`).
type LineClass = (u8, Arc<Option<Classified>>);

/// The lines of an open document as the parser last read them: each folded, and how each
/// classified (once read). After an edit only the lines it changed (`rescan::Changed`) are
/// folded again, and only they, or lines read now under other flags, classified again;
/// the other lines are not even hashed.
#[derive(Default)]
pub struct LineMemo {
    last: std::sync::Mutex<Option<ReadLines>>,
}

struct ReadLines {
    /// The text the lines are of.
    text: Arc<str>,
    folded: Vec<String>,
    /// By line; `None` for a line not classified yet.
    classes: Vec<Option<LineClass>>,
}

impl LineMemo {
    /// The lines of `source` folded, each with its classification when it was not changed
    /// since the last parse (which gave the memo back with `keep`).
    fn lines_of(
        &self,
        source: &SourceText,
        shared: &crate::rescan::Shared,
    ) -> (Vec<String>, Vec<Option<LineClass>>) {
        let text = source.as_str();
        let count = source.line_count();
        let fold = |lines: Range<usize>| lines.map(|l| fold_line(source.line_text(l)));
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(ReadLines {
            text: old,
            mut folded,
            mut classes,
        }) = last
        else {
            return (fold(0..count).collect(), vec![None; count]);
        };
        if Arc::ptr_eq(&old, shared.text()) {
            return (folded, classes);
        }
        // the lines before the change and after it are the same lines in both texts
        let changed = shared.changed_from(&old);
        let start = source.line_of(changed.new.start);
        let new_end = if changed.new.end == text.len() {
            count
        } else {
            source.line_of(changed.new.end)
        };
        match folded.len().checked_sub(count - new_end) {
            Some(old_end) if old_end >= start && new_end >= start => {
                folded.splice(start..old_end, fold(start..new_end));
                classes.splice(start..old_end, std::iter::repeat_n(None, new_end - start));
                (folded, classes)
            }
            _ => (fold(0..count).collect(), vec![None; count]),
        }
    }

    /// Remembers the lines of `text` as this parse read them.
    fn keep(&self, text: &Arc<str>, folded: Vec<String>, classes: Vec<Option<LineClass>>) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(ReadLines {
            text: text.clone(),
            folded,
            classes,
        });
    }
}

/// What the language server remembers of a document for the structure parser.
#[derive(Clone, Copy)]
pub struct ParseMemo<'a> {
    /// Classifications by line text, whatever line it was.
    pub classified: &'a ClassifiedLines,
    /// The lines as the last parse read them.
    pub lines: &'a LineMemo,
    /// The text being parsed, shared with the analysis's other memos of it.
    pub text: &'a crate::rescan::Shared,
}

/// Whether an article label and its caption open a sentence that cites it rather than a
/// heading: the caption ends and a particle or a comma follows with no space (「第5条（第三者
/// 提供）に定める場合を除き」「第41条（秘密情報の取扱い）、第44条（…）…の規定は」), where an
/// article's own text begins with its subject (「第1条（個人情報）「個人情報」とは」「第5条
/// （第三者提供）当社は」).
fn cites_by_caption(line: &str, c: &regex::Captures) -> bool {
    let (Some(caption), Some(after)) = (c.get(3), c.get(4)) else {
        return false;
    };
    let rest = &line[after.start()..];
    matches!(line.get(caption.end()..after.start()), Some(")" | "）"))
        && (starts_with_particle(rest)
            || rest.starts_with([
                'や', '及', '又', '若', '並', 'ま', 'よ', 'へ', 'か', '、', ',', '，', '。', '・',
            ]))
}

fn classify(p: &Patterns, line: &str, ctx: &Context, in_article: bool) -> Option<Classified> {
    let matched = p.any_label.matches(line);
    if !matched.matched_any() {
        return None;
    }
    // a pattern's captures are read only when the set says it matches
    let captures = |label: Label, re: &Regex| {
        if matched.matched(label as usize) {
            re.captures(line)
        } else {
            None
        }
    };
    let simple = |kind, style, label: &str, number, rank| Classified {
        kind,
        style,
        label: label.to_string(),
        number,
        branch: None,
        caption: None,
        list_number: None,
        rank,
    };
    if ctx.has_articles {
        if let Some(c) = captures(Label::Chapter, &p.chapter) {
            let (kind, rank) = match &c[2] {
                "章" => (UnitKind::Chapter, rank::CHAPTER),
                "節" => (UnitKind::Section, rank::SECTION),
                _ => (UnitKind::Subsection, rank::SUBSECTION),
            };
            let number = ordinal(&c[1]);
            let mut u = simple(
                kind,
                LabelStyle::Kanji,
                &format!("第{number}{}", &c[2]),
                number,
                rank,
            );
            u.caption = Some(rest_from(line, &c, 3).trim().to_string()).filter(|s| !s.is_empty());
            return Some(u);
        }
        if let Some(c) = captures(Label::Article, &p.article)
            && !cites_by_caption(line, &c)
        {
            let number = ordinal(&c[1]);
            let branch = c.get(2).map(|b| ordinal(b.as_str()));
            let label = match branch {
                Some(b) => format!("第{number}条の{b}"),
                None => format!("第{number}条"),
            };
            let mut u = simple(
                UnitKind::Article,
                LabelStyle::Arabic,
                &label,
                number,
                rank::ARTICLE,
            );
            u.branch = branch;
            u.caption = c
                .get(3)
                .map(|m| m.as_str().trim().to_string())
                .or_else(|| inline_caption(rest_from(line, &c, 4)));
            return Some(u);
        }
        if in_article {
            if let Some(c) = captures(Label::Paragraph, &p.paragraph) {
                let n = ordinal(&c[1]);
                return Some(simple(
                    UnitKind::Paragraph,
                    LabelStyle::Arabic,
                    &c[1],
                    n,
                    rank::PARAGRAPH,
                ));
            }
            if let Some(c) = captures(Label::CommaItem, &p.comma_item) {
                let n = ordinal(&c[1]);
                return Some(simple(
                    UnitKind::Item,
                    LabelStyle::Arabic,
                    &format!("{n}、"),
                    n,
                    rank::ITEM,
                ));
            }
            if let Some(c) = captures(Label::KanjiItem, &p.kanji_item) {
                let n = ordinal(&c[1]);
                return Some(simple(
                    UnitKind::Item,
                    LabelStyle::Kanji,
                    &c[1],
                    n,
                    rank::ITEM,
                ));
            }
            if let Some(c) = captures(Label::NumberedHeading, &p.numbered_heading) {
                let n = ordinal(&c[1]);
                // 「3. (1) 開示の時に…」: a web page's list number around the contract's own item
                let caption = rest_from(line, &c, 2);
                if let Some(inner) = p
                    .paren_item
                    .captures(caption)
                    .filter(|i| !starts_with_particle(rest_from(caption, i, 2)))
                {
                    let k = ordinal(&inner[1]);
                    let mut u = simple(
                        UnitKind::Item,
                        LabelStyle::Parenthesized,
                        &format!("({k})"),
                        k,
                        rank::ITEM,
                    );
                    u.list_number = Some(n);
                    return Some(u);
                }
                // 2. / ２． numbered paragraphs, the drafting of web and Markdown contracts;
                // the parse decides from the article's layout whether they are 項 or 号
                return Some(simple(
                    UnitKind::Paragraph,
                    LabelStyle::Arabic,
                    &format!("{n}."),
                    n,
                    rank::PARAGRAPH,
                ));
            }
        }
    }
    let (item_rank, sub_rank, subsub_rank) = if ctx.has_articles {
        (rank::ITEM, rank::SUBITEM, rank::SUBSUBITEM)
    } else {
        (
            rank::NOTICE_ITEM,
            rank::NOTICE_SUBITEM,
            rank::NOTICE_SUBSUBITEM,
        )
    };
    // (1) and 1): numbered items, unless the text after them is a particle (「(1)に同じ」)
    let numbered = [
        (Label::ParenItem, &p.paren_item, LabelStyle::Parenthesized),
        (
            Label::HalfParenItem,
            &p.half_paren_item,
            LabelStyle::HalfParenthesized,
        ),
    ];
    for (label, re, style) in numbered {
        let Some(c) = captures(label, re).filter(|c| !starts_with_particle(rest_from(line, c, 2)))
        else {
            continue;
        };
        let n = ordinal(&c[1]);
        let written = match style {
            LabelStyle::Parenthesized => format!("({n})"),
            _ => format!("{n})"),
        };
        let mut u = simple(UnitKind::Item, style, &written, n, item_rank);
        if !ctx.has_articles {
            u.caption = Some(rest_from(line, &c, 2).trim().to_string()).filter(|s| !s.is_empty());
        }
        return Some(u);
    }
    if let Some(c) = captures(Label::Circled, &p.circled) {
        let n = c[1].chars().next().and_then(circled_value).unwrap_or(1);
        return Some(simple(
            UnitKind::SubItem,
            LabelStyle::Circled,
            &c[1],
            n,
            sub_rank,
        ));
    }
    if let Some(c) = captures(Label::Iroha, &p.iroha) {
        // イ ロ ハ … (iroha order) or ア イ ウ … (gojūon order): a list that uses ア is gojūon
        let order: &[char] = if ctx.gojuon { &GOJUON } else { &IROHA };
        let kana = c[1].chars().next().unwrap_or('イ');
        let n = kana_value(kana, order).unwrap_or(1);
        return Some(simple(
            UnitKind::SubItem,
            LabelStyle::Iroha,
            &c[1],
            n,
            sub_rank,
        ));
    }
    if let Some(c) = captures(Label::Latin, &p.latin) {
        let n = c[1].as_bytes()[0] as u32 - b'a' as u32 + 1;
        return Some(simple(
            UnitKind::SubItem,
            LabelStyle::Latin,
            &format!("{}.", &c[1]),
            n,
            subsub_rank,
        ));
    }
    if ctx.has_articles {
        return None;
    }
    if let Some(c) = captures(Label::Markdown, &p.markdown) {
        let level = c[1].len() as u8;
        let mut u = simple(
            UnitKind::Heading,
            LabelStyle::Markdown,
            &c[1],
            level as u32,
            rank::MARKDOWN + level,
        );
        u.caption = Some(rest_from(line, &c, 2).trim().to_string());
        return Some(u);
    }
    if let Some(c) = captures(Label::RomanHeading, &p.roman_heading).filter(|c| !c[1].is_empty()) {
        let mut u = simple(
            UnitKind::Heading,
            LabelStyle::Roman,
            &c[1],
            roman_value(&c[1]).unwrap_or(0),
            rank::ROMAN,
        );
        u.caption = Some(rest_from(line, &c, 2).trim().to_string());
        return Some(u);
    }
    if let Some(c) = captures(Label::Decimal, &p.decimal)
        .filter(|c| !minor_is_a_word(line, c) && !opens_a_table_cell(line, c))
    {
        let minor = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
        let label = format!("{}.{minor}", &c[1]);
        let mut u = simple(
            UnitKind::Heading,
            LabelStyle::Decimal,
            &label,
            ordinal(minor),
            rank::DECIMAL,
        );
        u.caption = Some(rest_from(line, &c, 4).trim().to_string()).filter(|s| !s.is_empty());
        return Some(u);
    }
    if let Some(c) = captures(Label::NumberedHeading, &p.numbered_heading) {
        let n = ordinal(&c[1]);
        let label = format!("{n}.");
        let (kind, rank) = if ctx.has_markdown_headings {
            (UnitKind::Item, rank::NOTICE_ITEM)
        } else {
            (UnitKind::Heading, rank::NUMBERED)
        };
        let mut u = simple(kind, LabelStyle::Arabic, &label, n, rank);
        u.caption = Some(rest_from(line, &c, 2).trim().to_string());
        return Some(u);
    }
    None
}

/// Parses the structure of a document.
pub fn parse(source: &SourceText) -> Structure {
    parse_with(source, None)
}

/// `parse`, with the lines remembered in `memo` (the language server): only the lines an
/// edit changed are folded and classified again.
pub fn parse_with(source: &SourceText, memo: Option<ParseMemo<'_>>) -> Structure {
    let p = patterns();
    let cache = memo.map(|m| m.classified);
    let (mut folded, mut classes) = match memo {
        Some(m) => m.lines.lines_of(source, m.text),
        None => (
            (0..source.line_count())
                .map(|l| fold_line(source.line_text(l)))
                .collect(),
            Vec::new(),
        ),
    };
    // 特記事項 numbered 第1, 第2 … without 条: read as articles, labelled as written (the
    // lines as folded are given back to the memo at the end)
    let without_jo = articles_without_jo(&folded);
    let mut as_folded = Vec::new();
    for &line in &without_jo {
        if let Some(c) = p.article_without_jo.captures(&folded[line]) {
            let rest = c.get(2).map_or("", |m| m.as_str());
            let read = format!("第{}条 {rest}", &c[1]);
            as_folded.push((line, std::mem::replace(&mut folded[line], read)));
        }
    }
    let ctx = Context {
        has_articles: folded
            .iter()
            .any(|l| p.article.is_match(strip_heading_marker(l))),
        has_markdown_headings: folded
            .iter()
            .any(|l| l.starts_with('#') && p.markdown.is_match(l)),
        gojuon: folded
            .iter()
            .any(|l| l.starts_with("ア ") || l.starts_with("ア\u{3000}")),
    };
    // a notice's sections numbered with a space (「01 事業者の名称」): read as 「1. 事業者の名称」
    let spaced = if ctx.has_articles {
        Vec::new()
    } else {
        spaced_number_headings(&folded)
    };
    for &(line, number, caption) in &spaced {
        let read = format!("{number}. {}", &folded[line][caption..]);
        as_folded.push((line, std::mem::replace(&mut folded[line], read)));
    }
    let rewritten = |line: usize| {
        without_jo.binary_search(&line).is_ok()
            || spaced.binary_search_by_key(&line, |&(l, _, _)| l).is_ok()
    };
    let list_order = if ctx.has_articles {
        Vec::new()
    } else {
        list_styles_in_order(&folded, &ctx, cache)
    };
    let mut s = Structure::default();
    let mut stack: Vec<usize> = Vec::new();
    let mut pending_caption: Option<(String, Range<usize>)> = None;
    let mut supplementary = false;
    // the 別紙 being read (0: the main provisions)
    let mut annex: u16 = 0;
    let mut seen_unit = false;
    let mut bare_items_next: Option<u32> = None;
    let mut dotted = DottedParagraphs::default();
    let mut text_lines_since_unit = 0usize;
    let mut blank_before = false;
    // In a Markdown rule book (## 第3条（定義）) each block of text under an article is a
    // paragraph: how many the current article has, while none carries a number.
    let mut markdown_paragraphs: Option<u32> = None;
    // After an amendment instruction: the text written into the other contract, until the
    // next article of this document's own numbering.
    let mut amendment_follows: Option<Option<u32>> = None;
    let mut amending: Option<Amending> = None;
    // A notice's list numbered 1. 2. … inside a numbered heading (a web page's nested lists
    // both drawn 「1.」): the heading number that comes next, and the list's next number.
    let mut nested_list: Option<(u32, u32)> = None;

    for (line, folded_line) in folded.iter().enumerate() {
        let range = source.line_range(line);
        if let Some(replaced) = amendment_follows.take() {
            amending = Some(Amending {
                start: range.start,
                own_next: own_article(&s, &stack) + 1,
                replaced,
            });
        }
        if let Some(region) = amending.as_mut() {
            if !region.ends_at(&p, folded_line) {
                continue;
            }
            s.amended.push(region.start..range.start);
            amending = None;
        }
        // every instruction says 「次の」: most lines are passed over by a plain search
        if ctx.has_articles && folded_line.contains("次の") && p.amendment.is_match(folded_line) {
            amendment_follows = Some(
                p.replaced_article
                    .captures(folded_line)
                    .map(|c| ordinal(&c[1])),
            );
        }
        if folded_line.is_empty() {
            blank_before = true;
            continue;
        }
        let after_blank = std::mem::take(&mut blank_before);
        if ctx.has_articles
            && let Some(heading) =
                annex_heading(&p, folded_line).or_else(|| instrument_title(&p, &folded, line, &s))
        {
            close(&mut s, &mut stack, 0, range.start);
            supplementary = false;
            annex += 1;
            let index = push(&mut s, &mut stack, heading, range.clone(), None, false);
            s.units[index].body_start = range.end;
            s.units[index].annex = annex;
            seen_unit = true;
            continue;
        }
        if ctx.has_articles && is_supplementary(folded_line) {
            close(&mut s, &mut stack, 0, range.start);
            supplementary = true;
            let index = push(
                &mut s,
                &mut stack,
                Classified {
                    kind: UnitKind::Supplementary,
                    style: LabelStyle::Kanji,
                    label: "附則".into(),
                    number: 1,
                    branch: None,
                    caption: None,
                    list_number: None,
                    rank: rank::SUPPLEMENTARY,
                },
                range.clone(),
                None,
                supplementary,
            );
            s.units[index].body_start = range.end;
            seen_unit = true;
            continue;
        }
        if ctx.has_articles
            && folded_line.starts_with('(')
            && let Some(c) = p.caption.captures(folded_line)
        {
            pending_caption = Some((c[1].trim().to_string(), range.clone()));
            continue;
        }
        let in_article = stack.iter().any(|&i| s.units[i].kind == UnitKind::Article);
        let bulleted = bullet_end(&p, folded_line);
        let content = bulleted.map_or(folded_line.as_str(), |end| &folded_line[end..]);
        let content = if ctx.has_articles {
            strip_heading_marker(content)
        } else {
            content
        };
        // the classification remembered of the line, when it was read under the same flags
        // (a line of 第1 read as 第1条, or of 01 read as 1., is neither taken from the memo
        // nor kept in it)
        let key = flags(&ctx, in_article);
        let slot = classes.get_mut(line).filter(|_| !rewritten(line));
        let class = match slot {
            Some(Some((k, class))) if *k == key => class.clone(),
            slot => {
                let class = classify_cached(&p, cache, content, &ctx, in_article);
                if let Some(slot) = slot {
                    *slot = Some((key, class.clone()));
                }
                class
            }
        };
        let classified = Option::clone(&class).filter(|c| {
            // A bullet line can carry a list label, never a heading.
            bulleted.is_none() || matches!(c.kind, UnitKind::Item | UnitKind::SubItem)
        });
        let caption = pending_caption.take();
        let indent = indentation(source.line_text(line));
        // 「第3条（定義）」 as a heading, then 「第3条　この規程において…」 as its text: one article
        let repeats_article = classified.as_ref().is_some_and(|c| {
            c.kind == UnitKind::Article
                && stack.last().is_some_and(|&top| {
                    let u = &s.units[top];
                    u.kind == UnitKind::Article
                        && u.number == c.number
                        && u.branch == c.branch
                        && u.children.is_empty()
                        && u.body_start >= u.header.end
                        && source.line_of(u.header.start) + 3 >= line
                })
        });
        let classified = classified.filter(|_| !repeats_article);
        let classified = classified.map(|mut c| {
            let dotted_label = c.kind == UnitKind::Paragraph && c.label.ends_with('.');
            match c.kind {
                UnitKind::Article => {
                    bare_items_next = None;
                    dotted = DottedParagraphs::default();
                }
                UnitKind::Paragraph if dotted_label => {
                    let article_is_bare = stack.last().is_some_and(|&top| {
                        let u = &s.units[top];
                        u.kind == UnitKind::Article && u.body_start >= u.header.end
                    }) && text_lines_since_unit == 0;
                    let continues_items = dotted.items_next == Some(c.number);
                    let is_paragraph = match dotted.indent {
                        // deeper than the paragraphs: the items of one
                        Some(at) if indent > at => false,
                        // the same depth (a list written flat): 1. after a paragraph starts
                        // its items, and the next paragraph's number ends them
                        Some(_) => {
                            let next_paragraph = dotted.last_paragraph.map_or(1, |n| n + 1);
                            if c.number == next_paragraph && continues_items {
                                // both fit: it is an item when the paragraph of that number
                                // comes later in the article
                                !numbered_later_in_article(&folded[line + 1..], c.number)
                            } else {
                                c.number == next_paragraph || !(continues_items || c.number == 1)
                            }
                        }
                        // 1. right under the article's heading: its paragraphs are numbered
                        None if article_is_bare => true,
                        // 1. after the article's own text starts a list of items (号)
                        None => c.number != 1 && !continues_items,
                    };
                    if is_paragraph {
                        dotted.indent.get_or_insert(indent);
                        dotted.items_next = None;
                        dotted.last_paragraph = Some(c.number);
                    } else {
                        dotted.items_next = Some(c.number + 1);
                        c.kind = UnitKind::Item;
                        c.rank = rank::ITEM;
                    }
                }
                UnitKind::Paragraph if c.number == 1 || bare_items_next == Some(c.number) => {
                    bare_items_next = Some(c.number + 1);
                    c.kind = UnitKind::Item;
                    c.rank = rank::ITEM;
                }
                UnitKind::Paragraph => bare_items_next = None,
                _ => {}
            }
            c
        });
        let classified = classified.map(|mut c| {
            // a notice's lists nest in the order their styles first appear (ｆ） over １） over ①)
            if let Some(depth) = list_order.iter().position(|&style| style == c.style)
                && matches!(c.kind, UnitKind::Item | UnitKind::SubItem)
                && c.rank >= rank::NOTICE_ITEM
            {
                c.rank = rank::NOTICE_ITEM + depth as u8;
            }
            c
        });
        // 「1. 個人情報の取得、及び、利用目的」 then 「1. 当園では、…。」: a numbering that starts
        // again at 1 with a sentence right under a numbered caption is a list inside it, and
        // runs on while its numbers follow and its lines are sentences (the heading's next
        // number written as a caption ends it)
        let classified = classified.map(|mut c| {
            if ctx.has_articles || c.kind != UnitKind::Heading || c.style != LabelStyle::Arabic {
                if c.kind == UnitKind::Heading {
                    nested_list = None;
                }
                return c;
            }
            let sentence = folded_line.contains('。');
            let under_caption = || {
                stack.last().map(|&top| &s.units[top]).filter(|u| {
                    u.kind == UnitKind::Heading
                        && u.style == LabelStyle::Arabic
                        && !source
                            .line_text(source.line_of(u.header.start))
                            .contains('。')
                })
            };
            let outer_next = match nested_list {
                Some((outer_next, inner_next))
                    if c.number == inner_next && (sentence || c.number != outer_next) =>
                {
                    Some(outer_next)
                }
                None if c.number == 1 && sentence && text_lines_since_unit == 0 => {
                    under_caption().map(|u| u.number + 1)
                }
                _ => None,
            };
            nested_list = outer_next.map(|o| (o, c.number + 1));
            if nested_list.is_some() {
                c.kind = UnitKind::Item;
                c.rank = rank::NOTICE_ITEM;
            }
            c
        });
        let heading_line = ctx.has_articles
            && content.len() < folded_line.len()
            && !content.is_empty()
            && bulleted.is_none();
        match classified.as_ref().map(|c| c.kind) {
            Some(UnitKind::Article) => {
                markdown_paragraphs = heading_line.then_some(0);
            }
            Some(UnitKind::Paragraph) => markdown_paragraphs = None,
            _ => {}
        }
        let classified = classified.or_else(|| {
            let count = markdown_paragraphs.as_mut()?;
            let at_article_level = stack.last().is_some_and(|&i| {
                matches!(s.units[i].kind, UnitKind::Article | UnitKind::Paragraph)
            });
            if *count == 0 {
                *count = 1;
                return None;
            }
            if !after_blank || !at_article_level {
                return None;
            }
            *count += 1;
            Some(Classified {
                kind: UnitKind::Paragraph,
                style: LabelStyle::Arabic,
                // no label is written: the block's text starts at its first character
                label: String::new(),
                number: *count,
                branch: None,
                caption: None,
                list_number: None,
                rank: rank::PARAGRAPH,
            })
        });
        let Some(mut unit) = classified else {
            if !seen_unit {
                s.title_lines.push(range);
            }
            text_lines_since_unit += 1;
            continue;
        };
        seen_unit = true;
        text_lines_since_unit = 0;
        let caption_range = match (&unit.kind, caption) {
            (UnitKind::Article, Some((text, caption_range))) if unit.caption.is_none() => {
                unit.caption = Some(text);
                Some(caption_range)
            }
            _ => None,
        };
        let start = caption_range.as_ref().map_or(range.start, |r| r.start);
        close(&mut s, &mut stack, unit.rank, start);
        let index = push(
            &mut s,
            &mut stack,
            unit,
            range.clone(),
            caption_range,
            supplementary,
        );
        s.units[index].span.start = start;
        s.units[index].annex = annex;
        s.units[index].body_start =
            body_start(source.line_text(line), range.start, &s.units[index]);
    }
    let end = source.as_str().len();
    if let Some(region) = amending {
        s.amended.push(region.start..end);
    }
    let last_header = s.units.last().map(|u| source.line_of(u.header.start));
    s.closing = last_header
        .filter(|_| !ctx.has_articles)
        .and_then(|after| closing_block(source, &folded, after))
        .map(|start| start..end);
    if let Some(m) = memo {
        for (line, original) in as_folded {
            folded[line] = original;
        }
        m.lines.keep(m.text.text(), folded, classes);
    }
    let sections_end = s.closing.as_ref().map_or(end, |c| c.start);
    close(&mut s, &mut stack, 0, sections_end);
    for u in s.units.iter_mut() {
        if u.kind == UnitKind::Article
            && without_jo
                .binary_search(&source.line_of(u.header.start))
                .is_ok()
        {
            u.without_jo = true;
            u.label = format!("第{}", u.number);
        }
    }
    s
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// A line that heads an annex: 「別紙」「別記」「別紙1　業務仕様書」「別紙 2 - 技術的および組織的対策」
/// 「別表第1（第3条関係）」 — the word, an optional number, then a short caption or nothing
/// (「別紙1のとおり…」 is a sentence that cites one, not a heading).
fn annex_heading(p: &Patterns, line: &str) -> Option<Classified> {
    // every line is asked: the pattern's words all open with 別 or 付
    if !line.starts_with(['別', '付']) {
        return None;
    }
    let c = p.annex.captures(line)?;
    let caption = c.get(3).map_or("", |m| m.as_str());
    let caption = caption.trim_matches(|ch: char| ch.is_whitespace() || "-–—:".contains(ch));
    if caption.contains('。') || caption.starts_with('の') {
        return None;
    }
    let number = c.get(2).map(|m| m.as_str());
    let value = match number {
        Some(n)
            if n.chars()
                .all(|ch| ch.is_ascii_digit() || "〇一二三四五六七八九十".contains(ch)) =>
        {
            ordinal(n)
        }
        Some(n) => roman_value(n)?,
        None => 1,
    };
    Some(Classified {
        kind: UnitKind::Annex,
        style: LabelStyle::Kanji,
        label: format!("{}{}", &c[1], number.unwrap_or("")),
        number: value,
        branch: None,
        caption: Some(caption.to_string()).filter(|s| !s.is_empty()),
        list_number: None,
        rank: rank::SUPPLEMENTARY,
    })
}

/// Lines looked ahead from a title for the article it opens.
const INSTRUMENT_TITLE_REACH: usize = 6;

/// A second instrument shown in one text after the first one's articles (a service's 基本規約
/// and then its 利用規約, as a sign-up page shows them): its title line, short and ending in an
/// instrument's name, over articles that number from 第1条 again. Like a 別紙, it numbers its
/// own articles and defines its own terms.
fn instrument_title(
    p: &Patterns,
    folded: &[String],
    line: usize,
    s: &Structure,
) -> Option<Classified> {
    const MAX_TITLE_CHARS: usize = 40;
    let title = folded[line].trim();
    // (the words are `[document]` of dictionaries/vocabulary.toml; the test that costs least
    // first, as every line of a text with articles is asked)
    let endings = &crate::vocabulary::vocabulary().document.instrument_endings;
    if !endings.iter().any(|e| title.ends_with(e.as_str()))
        || title.chars().count() > MAX_TITLE_CHARS
        || title.starts_with('第')
        || !s
            .units
            .iter()
            .any(|u| u.kind == UnitKind::Article && u.annex == 0)
    {
        return None;
    }
    let opens_at_first = folded
        .iter()
        .skip(line + 1)
        .take(INSTRUMENT_TITLE_REACH)
        .find_map(|l| p.article.captures(l.trim()))
        .is_some_and(|c| ordinal(&c[1]) == 1);
    opens_at_first.then(|| Classified {
        kind: UnitKind::Annex,
        style: LabelStyle::Kanji,
        label: title.to_string(),
        number: 1,
        branch: None,
        caption: None,
        list_number: None,
        rank: rank::SUPPLEMENTARY,
    })
}

/// The lines of a document whose articles are numbered 第1, 第2 … without 条 (the form of
/// many 個人情報取扱特記事項): none is numbered 第N条, and 第1 and 第2 both head a line.
fn articles_without_jo(folded: &[String]) -> Vec<usize> {
    let p = patterns();
    if folded
        .iter()
        .any(|l| p.article.is_match(strip_heading_marker(l)))
    {
        return Vec::new();
    }
    let lines: Vec<(usize, u32)> = folded
        .iter()
        .enumerate()
        .filter_map(|(i, l)| Some((i, ordinal(&p.article_without_jo.captures(l)?[1]))))
        .collect();
    let numbered = |n: u32| lines.iter().any(|&(_, m)| m == n);
    if numbered(1) && numbered(2) {
        lines.into_iter().map(|(i, _)| i).collect()
    } else {
        Vec::new()
    }
}

/// A notice's sections numbered with a space and no full stop, as web pages draw their
/// outline (「01 事業者の名称」「2 利用目的」): each line with its number and where its caption
/// starts. Such lines are headings only when their numbers run 1, 2, 3 … (three at least) and
/// each has text under it before the next: numbered lines one under another are a list
/// (「01 お問い合わせへの対応」「02 ご連絡」), and a line that is a sentence is no heading.
fn spaced_number_headings(folded: &[String]) -> Vec<(usize, u32, usize)> {
    static SPACED: Resettable<Regex> =
        Resettable::new(|| Regex::new(r"^(0?[1-9]|[1-9][0-9]) +[^0-9 ]").expect("static regex"));
    let spaced = SPACED.get();
    let numbered = |line: &str| {
        // most lines do not open with a digit: no need to run the pattern on them
        if !line.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let c = spaced.captures(line)?;
        let number = c[1].parse::<u32>().ok()?;
        let text = line[c[1].len()..].trim_start();
        let caption = line.len() - text.len();
        (!text.contains('。') && text.chars().count() <= 40).then_some((number, caption))
    };
    let mut headings = Vec::new();
    let mut next = 1;
    for (line, text) in folded.iter().enumerate() {
        let Some((number, caption)) = numbered(text) else {
            continue;
        };
        let text_under = folded[line + 1..]
            .iter()
            .find(|l| !l.is_empty())
            .is_some_and(|l| !spaced.is_match(l));
        if number == next && text_under {
            headings.push((line, number, caption));
            next += 1;
        }
    }
    if headings.len() < 3 {
        headings.clear();
    }
    headings
}

/// Where the bullet (・ - *) that opens a folded line ends, with the spaces after it; every
/// line is asked, and most open with none of them.
fn bullet_end(p: &Patterns, line: &str) -> Option<usize> {
    if !line.starts_with(['-', '*', '・']) {
        return None;
    }
    p.bullet.find(line).map(|m| m.end())
}

/// Text being written into another contract by an amendment instruction.
struct Amending {
    start: usize,
    /// The number this document's own next article has.
    own_next: u32,
    /// The article the instruction replaces (「第9条を次のとおり改める」), whose new text
    /// starts with that article's heading, even when it is also this document's next number.
    replaced: Option<u32>,
}

impl Amending {
    /// Whether `folded_line` is this document's own next article, which ends the text.
    /// (An amended article's number is rarely that close to the document's own.)
    fn ends_at(&mut self, p: &Patterns, folded_line: &str) -> bool {
        // every line of the text is asked: an article's line opens with 第 or a Markdown #
        if !folded_line.starts_with(['第', '#']) {
            return false;
        }
        let Some(c) = p.article_start.captures(folded_line) else {
            return false;
        };
        let number = ordinal(&c[1]);
        if self.replaced.take() == Some(number) {
            return false;
        }
        // this document's next article, or the one after it when a number was skipped
        (self.own_next..=self.own_next + 1).contains(&number)
    }
}

/// The number of the article the parser is in, else of the last one, else 0.
fn own_article(s: &Structure, stack: &[usize]) -> u32 {
    let article = |u: &&Unit| u.kind == UnitKind::Article && !u.supplementary;
    stack
        .iter()
        .rev()
        .map(|&i| &s.units[i])
        .find(article)
        .or_else(|| s.units.iter().rev().find(article))
        .map_or(0, |u| u.number)
}

/// The list styles of a document without articles, in the order they first appear.
fn list_styles_in_order(
    folded: &[String],
    ctx: &Context,
    cache: Option<&ClassifiedLines>,
) -> Vec<LabelStyle> {
    let p = patterns();
    let mut order = Vec::new();
    for line in folded.iter().filter(|l| !l.is_empty()) {
        let content = bullet_end(&p, line).map_or(line.as_str(), |end| &line[end..]);
        if let Some(c) = classify_cached(&p, cache, content, ctx, false).as_ref()
            && matches!(
                c.style,
                LabelStyle::Parenthesized
                    | LabelStyle::HalfParenthesized
                    | LabelStyle::Circled
                    | LabelStyle::Iroha
                    | LabelStyle::Latin
            )
            && !order.contains(&c.style)
        {
            order.push(c.style);
        }
    }
    order
}

/// Whether a line numbered `number.` comes in `lines` before the next article.
fn numbered_later_in_article(lines: &[String], number: u32) -> bool {
    let p = patterns();
    lines
        .iter()
        .take_while(|l| !p.article.is_match(strip_heading_marker(l)))
        .filter_map(|l| p.numbered_heading.captures(l))
        .any(|c| ordinal(&c[1]) == number)
}

/// How an article numbers its paragraphs 1. 2. 3. (web and Markdown contracts): the
/// indentation of those numbers, once the first one has shown that they are paragraphs.
/// Deeper-indented numbers are the items (号) of a paragraph.
#[derive(Default)]
struct DottedParagraphs {
    indent: Option<usize>,
    /// The number that continues a list of items written 1. 2. 3. in the same way.
    items_next: Option<u32>,
    last_paragraph: Option<u32>,
}

/// Where a notice's closing block starts: a line dating the notice (「令和4年4月1日改定」
/// 「2005年2月15日制定」) in the run of short lines without a full stop that ends the
/// document, after the last section's heading (line `after`).
fn closing_block(source: &SourceText, folded: &[String], after: usize) -> Option<usize> {
    /// Lines of a closing block: dates, a name, an address, a representative.
    const MAX_LINES: usize = 12;
    const MAX_CHARS: usize = 60;
    let dated = &patterns().dated;
    let mut start = None;
    let mut lines = 0;
    for (line, text) in folded.iter().enumerate().rev() {
        if line <= after || lines > MAX_LINES {
            break;
        }
        if text.is_empty() {
            continue;
        }
        if text.contains('。') || text.chars().count() > MAX_CHARS {
            break;
        }
        lines += 1;
        if dated.is_match(text) {
            start = Some(source.line_range(line).start);
        }
    }
    start
}

/// 「以上」 alone, or a line that only dates the text's adoption or revision (「制定日：2020年4月1日」,
/// 「2023年5月1日 改定」, 「最終更新日 令和5年4月1日」): what a notice's closing block starts with,
/// and what ends a notice's last heading (`document`). The words are `[document]` of
/// `dictionaries/vocabulary.toml`.
pub(crate) fn is_closing_line(line: &str) -> bool {
    crate::vocabulary::vocabulary()
        .document
        .closing_lines
        .iter()
        .any(|c| c == line)
        || dates_the_text(line)
}

/// Whether a line only dates the text's adoption or revision (「最終更新日：2026年7月1日」,
/// 「制定 平成19年7月1日」).
pub(crate) fn dates_the_text(line: &str) -> bool {
    patterns().dated.is_match(&fold_line(line))
}

fn is_supplementary(line: &str) -> bool {
    // every line is asked: most are passed over without being copied
    if !line.contains('附') {
        return false;
    }
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact == "附則"
        || compact == "(附則)"
        || compact.starts_with("附則(") && compact.ends_with(')') && compact.chars().count() < 40
}

/// Offset just past the label (and inline caption) in the unit's first line.
fn body_start(line: &str, line_start: usize, unit: &Unit) -> usize {
    let label_chars = match unit.kind {
        UnitKind::Article => {
            let upto = line.find('条').map_or(0, |i| i + '条'.len_utf8());
            let rest = &line[upto..];
            let mut consumed = upto;
            if let Some(r) = rest.strip_prefix('の') {
                let digits = r
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '(' && *c != '（')
                    .map(char::len_utf8)
                    .sum::<usize>();
                consumed += 'の'.len_utf8() + digits;
            }
            let rest = &line[consumed..];
            let trimmed = rest.trim_start();
            consumed += rest.len() - trimmed.len();
            if unit.caption.is_some()
                && (trimmed.starts_with('(') || trimmed.starts_with('（'))
                && let Some(close) = trimmed.find([')', '）'])
            {
                consumed += close + trimmed[close..].chars().next().map_or(1, char::len_utf8);
            } else if let Some(caption) =
                unit.caption.as_deref().filter(|c| trimmed.trim_end() == *c)
            {
                // 「第3条　定義」: the caption is the rest of the line
                consumed += caption.len();
            }
            return line_start + consumed;
        }
        _ => {
            // skip bullet, label and following spaces
            let trimmed = line.trim_start_matches(|c: char| {
                c.is_whitespace() || c == '-' || c == '・' || c == '*'
            });
            let offset = line.len() - trimmed.len();
            let label_len = label_prefix_len(trimmed, unit);
            offset + label_len
        }
    };
    let rest = &line[label_chars.min(line.len())..];
    line_start + label_chars + (rest.len() - rest.trim_start().len())
}

fn label_prefix_len(text: &str, unit: &Unit) -> usize {
    let mut chars = text.char_indices();
    let label_len = unit.label.chars().count();
    match unit.style {
        LabelStyle::Markdown => text.find(' ').unwrap_or(text.len()),
        _ => chars.nth(label_len).map_or(text.len(), |(i, _)| i),
    }
}

fn push(
    s: &mut Structure,
    stack: &mut Vec<usize>,
    c: Classified,
    header: Range<usize>,
    caption_range: Option<Range<usize>>,
    supplementary: bool,
) -> usize {
    let index = s.units.len();
    let parent = stack.last().copied();
    s.units.push(Unit {
        kind: c.kind,
        style: c.style,
        label: c.label,
        number: c.number,
        branch: c.branch,
        caption: c.caption,
        caption_range,
        span: header.start..header.end,
        body_start: header.start,
        header,
        parent,
        children: Vec::new(),
        supplementary,
        without_jo: false,
        annex: 0,
        list_number: c.list_number,
        rank: c.rank,
    });
    match parent {
        Some(p) => s.units[p].children.push(index),
        None => s.roots.push(index),
    }
    stack.push(index);
    index
}

/// Closes every open unit whose rank is at least `rank`, ending it at `end`.
fn close(s: &mut Structure, stack: &mut Vec<usize>, rank: u8, end: usize) {
    while let Some(&top) = stack.last() {
        if s.units[top].rank < rank {
            break;
        }
        s.units[top].span.end = end.max(s.units[top].header.end);
        stack.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parse that reads the lines remembered of the last one (the open document) gives the
    /// structure a fresh parse gives, after any run of edits: of labels, line breaks (\n,
    /// \r\n and a lone \r), articles numbered without 条, annexes, bullets and 附則, on every
    /// document of the corpus in turn with one memo.
    #[test]
    fn parsing_with_the_lines_remembered_equals_a_fresh_parse() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut texts = Vec::new();
        for folder in ["contracts", "notices", "regulations", "shared"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            texts.extend(paths.iter().map(|p| std::fs::read_to_string(p).unwrap()));
        }
        let crlf = texts[0].replace('\n', "\r\n");
        let cr = texts[2].replace('\n', "\r");
        texts.extend([crlf, cr]);
        let insertions = [
            "の",
            "\n",
            "\r\n",
            "\r",
            "第3条",
            "\n第2条（委託）\n",
            "第1 ",
            "\n第2　基本事項\n",
            "1. ",
            "(2) ",
            "・",
            "- ",
            "附則\n",
            "\n別紙1\n",
            "(定義)\n",
            "ア ",
            "# ",
            "\n\n",
            "第1章 総則\n",
            "次のとおり改める。\n",
            "令和6年4月1日制定\n",
        ];
        let classified = ClassifiedLines::new(1 << 20, 4);
        let lines = LineMemo::default();
        let parsed = |source: &SourceText| {
            let text = crate::rescan::Shared::new(source.as_str().into());
            let memo = ParseMemo {
                classified: &classified,
                lines: &lines,
                text: &text,
            };
            parse_with(source, Some(memo))
        };
        let same = |text: &str| {
            let source = SourceText::new(text.to_string());
            assert_eq!(
                format!("{:?}", parsed(&source)),
                format!("{:?}", parse(&source)),
                "{text}"
            );
        };
        // a 特記事項 numbered 第1, 第2 … stops being one when a 第N条 is written, and is one
        // again when it is taken out: its lines are read as written each time
        let without_jo = "特記事項\n第1　基本的事項\n乙は、個人情報を保護する。\n第2　秘密の保持\n乙は、秘密を保持する。\n";
        let with_jo = without_jo.replace("乙は、秘密", "第3条 乙は、秘密");
        for text in [without_jo, &with_jo, without_jo, &with_jo] {
            same(text);
        }
        let mut next = crate::xorshift(0x2545_F491_4F6C_DD1D);
        for (n, original) in texts.into_iter().enumerate() {
            let mut text = original;
            for edit in 0..12 {
                crate::random_edit(&mut text, &mut next, &insertions);
                let source = SourceText::new(text.clone());
                assert_eq!(
                    format!("{:?}", parsed(&source)),
                    format!("{:?}", parse(&source)),
                    "document {n}, edit {edit}"
                );
            }
        }
    }

    /// Folding looks only at the bytes that start a foldable character, and gives what
    /// folding every character does.
    #[test]
    fn folding_skips_what_cannot_fold() {
        let naive = |line: &str| -> String {
            line.trim()
                .chars()
                .map(|c| match c {
                    '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                        char::from_u32(c as u32 - 0xFEE0).unwrap()
                    }
                    '（' => '(',
                    '）' => ')',
                    '．' => '.',
                    '\u{3000}' | '\t' => ' ',
                    c => c,
                })
                .collect()
        };
        for line in [
            "第１条（目的）\tこの規程は、",
            "　ｉｐｈｏｎｅ　Ｚ　ａ９　「」・ー〜ｰ－",
            "￥１，０００（税込）．",
            "㈱テスト\u{3001}\u{3002}、。",
            "plain ascii (1). text",
        ] {
            assert_eq!(fold_line(line), naive(line), "{line}");
        }
    }

    fn parse_str(text: &str) -> (SourceText, Structure) {
        let src = SourceText::new(text.to_string());
        let s = parse(&src);
        (src, s)
    }

    /// `reference` resolved in `text`, as the label path of the unit it names.
    fn resolved(text: &str, reference: Reference) -> Result<String, Unresolved> {
        let (_, s) = parse_str(text);
        s.resolve(&reference).map(|u| s.path_label(u))
    }

    fn reference(article: u32) -> Reference {
        Reference {
            article,
            branch: None,
            paragraph: None,
            item: None,
            supplementary: false,
        }
    }

    const PROVISIONS: &str = "第1条（目的）\nこの規程は定める。\n第3条（委託）\n委託することができる。\n２　次の事項を定める。\n一　目的\n二　期間\n第3条の2（再委託）\n再委託しない。\n附則\n第1条 この規程は公布の日から施行する。\n";

    #[test]
    fn references_resolve_to_articles_paragraphs_and_items() {
        assert_eq!(resolved(PROVISIONS, reference(3)).as_deref(), Ok("第3条"));
        let branch = Reference {
            branch: Some(2),
            ..reference(3)
        };
        assert_eq!(resolved(PROVISIONS, branch).as_deref(), Ok("第3条の2"));
        let paragraph = Reference {
            paragraph: Some(2),
            ..reference(3)
        };
        assert_eq!(resolved(PROVISIONS, paragraph).as_deref(), Ok("第3条第2項"));
        let item = Reference {
            paragraph: Some(2),
            item: Some(1),
            ..reference(3)
        };
        assert_eq!(resolved(PROVISIONS, item).as_deref(), Ok("第3条第2項第1号"));
        let supplementary = Reference {
            supplementary: true,
            ..reference(1)
        };
        assert_eq!(
            resolved(PROVISIONS, supplementary).as_deref(),
            Ok("附則第1条")
        );
        assert_eq!(resolved(PROVISIONS, reference(1)).as_deref(), Ok("第1条"));
    }

    #[test]
    fn references_to_what_is_not_there_say_where_they_fail() {
        assert_eq!(resolved(PROVISIONS, reference(2)), Err(Unresolved::Article));
        let no_branch = Reference {
            branch: Some(3),
            ..reference(3)
        };
        assert_eq!(resolved(PROVISIONS, no_branch), Err(Unresolved::Article));
        let (_, s) = parse_str(PROVISIONS);
        let article = s.article(3, None, false).expect("第3条");
        let paragraph = Reference {
            paragraph: Some(5),
            ..reference(3)
        };
        assert_eq!(
            s.resolve(&paragraph),
            Err(Unresolved::Paragraph { article })
        );
        let item = Reference {
            paragraph: Some(1),
            item: Some(1),
            ..reference(3)
        };
        assert_eq!(
            s.resolve(&item),
            Err(Unresolved::Item { container: article })
        );
        // 附則 has no 第3条, though the main provisions do
        let supplementary = Reference {
            supplementary: true,
            ..reference(3)
        };
        assert_eq!(
            resolved(PROVISIONS, supplementary),
            Err(Unresolved::Article)
        );
    }

    #[test]
    fn a_caption_that_opens_with_a_number_and_a_letter_is_no_minor_number() {
        let text = "1．イベントについて\n本文です。\n2．データ作成について\n本文です。\n3．3Dプリンターについて\n本文です。\n4．3Dプリント製品について\n本文です。\n";
        assert_eq!(
            labels_and_captions(text),
            owned(&[
                ("1.", Some("イベントについて")),
                ("2.", Some("データ作成について")),
                ("3.", Some("3Dプリンターについて")),
                ("4.", Some("3Dプリント製品について"))
            ])
        );
        // a minor number before a space, or before a caption in another script, still is one
        let text = "5.2 Cookieについて\n本文です。\n5.3個人情報の管理\n本文です。\n";
        assert_eq!(
            labels_and_captions(text),
            owned(&[
                ("5.2", Some("Cookieについて")),
                ("5.3", Some("個人情報の管理"))
            ])
        );
    }

    /// Each unit's label and caption, in the order of the text.
    fn labels_and_captions(text: &str) -> Vec<(String, Option<String>)> {
        let (_, s) = parse_str(text);
        s.units
            .iter()
            .map(|u| (u.label.clone(), u.caption.clone()))
            .collect()
    }

    /// `labels_and_captions` as the tests write what they expect.
    fn owned(expected: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        expected
            .iter()
            .map(|(l, c)| (l.to_string(), c.map(str::to_string)))
            .collect()
    }

    #[test]
    fn hyphenated_decimal_headings_are_headings_and_phone_numbers_are_not() {
        let text = "5. 個人情報の委託\n委託します。\n5-2. 外国にある第三者への提供\n米国の事業者に委託します。\n03-1234-5678\n";
        assert_eq!(
            labels_and_captions(text),
            owned(&[
                ("5.", Some("個人情報の委託")),
                ("5.2", Some("外国にある第三者への提供"))
            ])
        );
    }

    #[test]
    fn a_numbered_heading_may_open_its_caption_with_a_number() {
        for text in [
            "15. 苦情\n窓口です。\n16. 18歳未満の取扱\n取得しません。\n17. 変更\n変更します。\n",
            // no space: an age, and the item 2 named in item 16, are no minor numbers
            "15. 苦情\n窓口です。\n16.18才以下の方\n取得しません。\n17. 変更\n変更します。\n",
            "15. 苦情\n窓口です。\n16.2の書面に記入してください。\n17. 変更\n変更します。\n",
        ] {
            let (_, s) = parse_str(text);
            let labels: Vec<&str> = s.units.iter().map(|u| u.label.as_str()).collect();
            assert_eq!(labels, ["15.", "16.", "17."], "{text}");
        }
    }

    #[test]
    fn sections_numbered_with_a_space_are_headings_and_lists_so_numbered_are_not() {
        let sections = "個人情報保護方針\n01 事業者の名称\n名称 サンプル事務所\n02 利用目的\n次の目的で利用します。\n03　安全管理措置\n従業者に研修を行います。\n";
        assert_eq!(
            labels_and_captions(sections),
            owned(&[
                ("1.", Some("事業者の名称")),
                ("2.", Some("利用目的")),
                ("3.", Some("安全管理措置"))
            ])
        );
        // one under another: a list; two only, or out of order: no outline
        for text in [
            "利用目的\n01 お問い合わせへの対応\n02 ご連絡\n03 サービスの改善\n",
            "01 事業者の名称\n名称 サンプル\n02 利用目的\n回答のため\n",
            "02 利用目的\n回答のため\n01 事業者の名称\n名称 サンプル\n03 安全管理\n研修\n",
            "1 当社は、次の目的で利用します。\n本文\n2 当社は、提供しません。\n本文\n3 当社は、管理します。\n本文\n",
        ] {
            assert!(
                parse_str(text)
                    .1
                    .units
                    .iter()
                    .all(|u| u.kind != UnitKind::Heading),
                "{text}"
            );
        }
    }

    #[test]
    fn the_reference_pattern_reads_every_level() {
        let c = Reference::pattern()
            .captures("第3条の2第1項第4号")
            .expect("a reference");
        let (_, s) = parse_str(PROVISIONS);
        let r = s.reference_at(&c, 0).expect("numbers");
        assert_eq!(
            (r.article, r.branch, r.paragraph, r.item),
            (3, Some(2), Some(1), Some(4))
        );
    }

    #[test]
    fn roman_numeral_lines_are_headings_above_numbered_ones() {
        let (_, s) = parse_str(
            "IV 第三者提供\n1.提供の制限\n本文。\nV 匿名加工情報\n1.作成について\n本文。\nⅨ．お問い合わせ\nI agree.\nVI\n",
        );
        let units: Vec<_> = s
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.number, u.parent))
            .collect();
        assert_eq!(
            units,
            vec![
                ("IV", 4, None),
                ("1.", 1, Some(0)),
                ("V", 5, None),
                ("1.", 1, Some(2)),
                ("Ⅸ", 9, None),
            ]
        );
        assert_eq!(s.units[2].caption.as_deref(), Some("匿名加工情報"));
    }

    #[test]
    fn a_notices_closing_block_belongs_to_no_section() {
        let text = "個人情報保護方針\n1. 利用目的\n次の目的で利用します。\n2. お問い合わせ\n窓口までご連絡ください。\n令和４年４月１日改定\n〒100-0001 東京都千代田区千代田1-1\n株式会社サンプル\n代表取締役 山田太郎\n";
        let (src, s) = parse_str(text);
        let closing = s.closing.clone().expect("closing block");
        assert!(src.as_str()[closing.clone()].starts_with("令和４年４月１日改定"));
        assert_eq!(s.units.last().unwrap().span.end, closing.start);
        // a dated line followed by sentences is not a closing block
        let (_, s) = parse_str("1. 利用目的\n2020年4月1日\n次の目的で利用します。\n");
        assert!(s.closing.is_none());
        // nor is anything in a document with articles
        let (_, s) = parse_str("第1条 目的\n本規程は定める。\n令和4年4月1日施行\n");
        assert!(s.closing.is_none());
    }

    #[test]
    fn bracketed_numbered_lines_are_headings() {
        let (_, s) = parse_str(
            "プライバシーポリシー\n【1.事業者情報】\n組織名:サンプル\n【2.お問い合わせ】\nメール:a@example.jp\n【お知らせ】\n",
        );
        let headings: Vec<_> = s
            .units
            .iter()
            .map(|u| (u.kind, u.label.clone(), u.caption.clone()))
            .collect();
        assert_eq!(
            headings,
            vec![
                (
                    UnitKind::Heading,
                    "1.".to_string(),
                    Some("事業者情報".to_string())
                ),
                (
                    UnitKind::Heading,
                    "2.".to_string(),
                    Some("お問い合わせ".to_string())
                ),
            ]
        );
    }

    #[test]
    fn articles_with_captions_paragraphs_and_items() {
        let (src, s) = parse_str(
            "個人情報取扱規程\n\n第1章 総則\n（目的）\n第１条　この規程は定める。\n２　会社は守る。\n(1)秘密保持\n(2)持出し禁止\n①細目\n第2条の2（定義） 用語。\n附則\n第1条 施行する。\n",
        );
        assert_eq!(s.title_lines.len(), 1);
        let articles: Vec<_> = s
            .articles()
            .map(|(_, u)| (u.label.clone(), u.caption.clone(), u.supplementary))
            .collect();
        assert_eq!(
            articles,
            vec![
                ("第1条".to_string(), Some("目的".to_string()), false),
                ("第2条の2".to_string(), Some("定義".to_string()), false),
                ("第1条".to_string(), None, true),
            ]
        );
        let (first, unit) = s.articles().next().unwrap();
        assert_eq!(
            &src.as_str()[unit.body_start..unit.header.end],
            "この規程は定める。"
        );
        let para = s.units[first].children[0];
        assert_eq!(s.units[para].label, "2");
        let items: Vec<_> = s.units[para]
            .children
            .iter()
            .map(|&i| s.units[i].label.clone())
            .collect();
        assert_eq!(items, vec!["(1)", "(2)"]);
        let sub = s.units[s.units[para].children[1]].children[0];
        assert_eq!(s.path_label(sub), "第1条第2項第2号①");
        assert_eq!(s.units[s.units[first].parent.unwrap()].label, "第1章");
    }

    /// A caption with a bracket of its own (「（生成AI（人工知能）の利用）」) still captions its
    /// article, on the article's line or on the line above it.
    #[test]
    fn a_caption_may_hold_a_bracket() {
        let (_, s) = parse_str(
            "第4条（第三者提供）\n第5条に定める場合を除く。\n第5条（生成AI（人工知能）の利用）\n当事務所はAIを利用します。\n（クッキー（Cookie）の利用）\n第6条 当サイトはクッキーを使います。\n",
        );
        assert_eq!(
            s.article_captions(),
            vec![
                ("第4条".to_string(), Some("第三者提供".to_string())),
                (
                    "第5条".to_string(),
                    Some("生成AI(人工知能)の利用".to_string())
                ),
                (
                    "第6条".to_string(),
                    Some("クッキー(Cookie)の利用".to_string())
                ),
            ]
        );
    }

    #[test]
    fn an_article_may_begin_its_text_right_after_its_caption() {
        let (_, s) = parse_str(
            "第1条（個人情報）「個人情報」とは、個人に関する情報をいいます。\n第2条(第三者提供)当社は、同意なく提供しません。\n第3条（委託）第2条（第三者提供）に定める場合を除きます。\n第4条（変更）第2条(第三者提供)の規定は準用します。\n",
        );
        assert_eq!(
            s.article_captions(),
            vec![
                ("第1条".to_string(), Some("個人情報".to_string())),
                ("第2条".to_string(), Some("第三者提供".to_string())),
                ("第3条".to_string(), Some("委託".to_string())),
                ("第4条".to_string(), Some("変更".to_string())),
            ]
        );
        // a label and caption that a particle follows cite an article, at a line's start too
        let (_, s) = parse_str(
            "第1条（目的）本規程の目的を定める。\n第5条（第三者提供）に定める場合を除き、提供しない。\n第1条（目的）、第5条（第三者提供）の規定は存続する。\n",
        );
        assert_eq!(s.articles().count(), 1);
    }

    #[test]
    fn a_second_instrument_numbers_its_own_articles() {
        let (_, s) = parse_str(
            "さぽかっぷ基本規約\n第1条（定義）\n本規約の用語は次のとおりとする。\n第2条（適用）\n本規約は適用される。\n以上\nさぽかっぷ利用規約\n以下に定める本規約をご確認ください。\n第1条（定義）\n用語は次のとおりとする。\n第2条（サービス内容）\n現状のまま提供する。\n",
        );
        let annexes: Vec<&Unit> = s
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Annex)
            .collect();
        assert_eq!(annexes.len(), 1);
        assert_eq!(annexes[0].label, "さぽかっぷ利用規約");
        let second: Vec<u16> = s
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Article)
            .map(|u| u.annex)
            .collect();
        assert_eq!(second, vec![0, 0, 1, 1]);
        // the first title, before any article, is the document's own; nor is a line that only
        // names an instrument over articles that go on
        let (_, s) = parse_str(
            "個人情報取扱規程\n第1条（目的）\n目的を定める。\n別に定める就業規則\n第2条（定義）\n定義する。\n",
        );
        assert!(s.units.iter().all(|u| u.kind != UnitKind::Annex));
    }

    #[test]
    fn notice_outline_without_articles() {
        let (_, s) = parse_str(
            "プライバシーポリシー\n1. 基本方針\n- (1)取得\n- 本文\n2.利用目的\n- 2.箇条\n1.1 明示\n",
        );
        let top: Vec<_> = s.roots.iter().map(|&i| s.units[i].label.clone()).collect();
        assert_eq!(top, vec!["1.", "2."]);
        assert_eq!(s.units[s.roots[0]].children.len(), 1);
        assert!(s.articles().next().is_none());
    }

    /// Nested lists both numbered 「1.」: sentences numbered again from 1 right under a
    /// numbered caption are its items, until the caption's next number comes as a caption;
    /// numbered headings that follow one another stay headings.
    #[test]
    fn a_list_numbered_again_under_a_numbered_caption_is_its_items() {
        let (_, s) = parse_str(
            "プライバシーポリシー\n1. 個人情報の取得、及び、利用目的\n1. 当園では、回答のために取得します。\n2. 当園では、写真を使用します。\n2. 個人情報の管理\n1. 当園は、厳重に管理します。\n3. お問い合わせ\n1. ご質問はアプリ経由でご連絡ください。\n",
        );
        let top: Vec<_> = s.roots.iter().map(|&i| s.units[i].label.clone()).collect();
        assert_eq!(top, vec!["1.", "2.", "3."]);
        let children: Vec<_> = s.roots.iter().map(|&i| s.units[i].children.len()).collect();
        assert_eq!(children, vec![2, 1, 1]);
        let (_, flat) = parse_str(
            "プライバシーポリシー\n1. 基本方針\n当社は、個人情報を守ります。\n2. 利用目的\n当社は、発送のために利用します。\n",
        );
        let top: Vec<_> = flat
            .roots
            .iter()
            .map(|&i| flat.units[i].label.clone())
            .collect();
        assert_eq!(top, vec!["1.", "2."]);
        let (_, numbered_sentences) = parse_str(
            "プライバシーポリシー\n1. 当社は、個人情報を守ります。\n2. 当社は、発送のために利用します。\n",
        );
        assert_eq!(numbered_sentences.roots.len(), 2);
    }

    #[test]
    fn never_fails_on_odd_input() {
        for text in [
            "",
            "\n\n",
            "（",
            "第",
            "第99999999999条",
            "２\n(1)",
            "附則\n附則",
        ] {
            let _ = parse_str(text);
        }
    }
}
