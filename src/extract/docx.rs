//! `.docx` (Office Open XML) to text: one line per paragraph, in document order, table
//! cells included (each cell's paragraphs are lines of their own); Word's automatic
//! numbering is rendered from `word/numbering.xml` (第%1条, (%2), full-width digits,
//! イロハ, アイウ, 一二三, ①② …) so that a numbered article reads 「第1条（目的）」.
//!
//! Line `n` of the text is paragraph `paragraphs[n - 1]` of the document: a manual line
//! break inside a paragraph (Shift+Enter) starts a new line of the same paragraph.
//! Text boxes, headers, footers, footnotes, comments, deleted text, field codes and hidden
//! text are not read.
//!
//! The parts are read as they inflate, never held whole, within bounds: how much each
//! part may inflate to, how much text the document may give (`MAX_TEXT_BYTES`), and how
//! many documents with a large text may be extracted and checked at once (one,
//! `LargeDocxTurn`). A `document.xml` cut short is corrupt, not half a document.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::sync::{Condvar, Mutex, PoisonError};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::ExtractError;

/// The most `word/document.xml` may decompress to; a larger part is refused as a probable
/// zip bomb (a 10 MB document's XML is well under). The XML is streamed, never held whole:
/// what the bound limits is the time spent inflating and parsing it.
pub const MAX_PART_BYTES: u64 = 128 << 20;

/// The most `word/numbering.xml` and `word/styles.xml` may decompress to: Word writes them
/// in kilobytes, and what they hold is kept in tables for the whole extraction.
pub const MAX_DEFINITIONS_BYTES: u64 = 16 << 20;

/// The most text a .docx may give (its paragraphs, with their labels): some five million
/// Japanese characters, thousands of pages. Checking text costs memory some fifty times
/// its size, and a .docx a few hundred kilobytes large can inflate to a hundred megabytes
/// of it (which took 3 GB and 15 s to check); a document with more is refused.
pub const MAX_TEXT_BYTES: usize = 16 << 20;

/// How much text a .docx may give while other files are extracted and checked alongside
/// it; past this, the file waits for its turn as the one large .docx in flight
/// (`LargeDocxTurn`), so that parallel checks hold at most one such text at a time.
pub const SHARED_TEXT_BYTES: usize = 4 << 20;

/// An OLE compound file: what an encrypted .docx (and a legacy .doc) is.
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The bounds an extraction keeps (smaller in tests).
#[derive(Debug, Clone, Copy)]
struct Limits {
    document: u64,
    definitions: u64,
    text: usize,
    shared_text: usize,
}

const LIMITS: Limits = Limits {
    document: MAX_PART_BYTES,
    definitions: MAX_DEFINITIONS_BYTES,
    text: MAX_TEXT_BYTES,
    shared_text: SHARED_TEXT_BYTES,
};

/// Whether a large .docx (more than `SHARED_TEXT_BYTES` of text) is being extracted or
/// checked, and the signal that it is done.
static LARGE_DOCX: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// The turn of the one .docx whose text is past `SHARED_TEXT_BYTES`: taken when its text
/// grows past that (waiting while another file holds it), and given back when dropped,
/// which the caller does once the text is checked. Only a thread that holds no turn may
/// take one; each file is extracted and checked on one thread, so none waits for itself.
#[derive(Debug)]
pub struct LargeDocxTurn(());

impl LargeDocxTurn {
    fn take() -> LargeDocxTurn {
        let (busy, done) = &LARGE_DOCX;
        let mut busy = busy.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy {
            busy = done.wait(busy).unwrap_or_else(PoisonError::into_inner);
        }
        *busy = true;
        LargeDocxTurn(())
    }
}

impl Drop for LargeDocxTurn {
    fn drop(&mut self) {
        let (busy, done) = &LARGE_DOCX;
        *busy.lock().unwrap_or_else(PoisonError::into_inner) = false;
        done.notify_one();
    }
}

/// A .docx's text, the 1-based paragraph of each line, and the turn it holds if its text
/// is large.
pub type Docx = (String, Vec<u32>, Option<LargeDocxTurn>);

/// The text of a .docx and, for each line, its 1-based paragraph.
pub fn extract(bytes: &[u8]) -> Result<Docx, ExtractError> {
    extract_limited(bytes, LIMITS)
}

/// `extract` within `limits`.
fn extract_limited(bytes: &[u8], limits: Limits) -> Result<Docx, ExtractError> {
    if bytes.starts_with(CFB_MAGIC) {
        return Err(ExtractError::Encrypted);
    }
    if !bytes.starts_with(b"PK") {
        return Err(ExtractError::Corrupt("not a zip archive".into()));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::Corrupt(e.to_string()))?;
    // the definitions first, then the document streamed through them
    let styles = with_part(&mut archive, STYLES, limits.definitions, |reader| {
        Ok(parse_styles(reader.get_mut()).unwrap_or_default())
    })?
    .unwrap_or_default();
    let numbering = with_part(&mut archive, NUMBERING, limits.definitions, |reader| {
        Ok(parse_numbering(reader.get_mut()).unwrap_or_default())
    })?
    .unwrap_or_default();
    with_part(&mut archive, DOCUMENT, limits.document, |reader| {
        render(reader, &styles, &numbering, limits)
    })?
    .ok_or_else(|| ExtractError::Corrupt("no word/document.xml (not a Word document)".into()))
}

const DOCUMENT: &str = "word/document.xml";
const STYLES: &str = "word/styles.xml";
const NUMBERING: &str = "word/numbering.xml";

/// A part of the archive as it inflates, counted: it reads at most one byte past `limit`,
/// so a part over its bound is known without inflating the rest.
struct Counted<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let room = (self.limit + 1).saturating_sub(self.read);
        let n = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..n])?;
        self.read += n as u64;
        Ok(n)
    }
}

/// An XML reader over a part as it inflates.
type PartReader<'f, 'a> = Reader<BufReader<Counted<zip::read::ZipFile<'f, Cursor<&'a [u8]>>>>>;

/// `parse` run on the part `name` as it inflates; `None` when the archive has no such part.
/// A part that inflates past `limit` is `TooLarge`, whatever `parse` made of its first bytes.
fn with_part<'a, T>(
    archive: &mut zip::ZipArchive<Cursor<&'a [u8]>>,
    name: &str,
    limit: u64,
    parse: impl FnOnce(&mut PartReader<'_, 'a>) -> Result<T, ExtractError>,
) -> Result<Option<T>, ExtractError> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(zip::result::ZipError::UnsupportedArchive(m)) if m.contains("ncrypt") => {
            return Err(ExtractError::Encrypted);
        }
        Err(e) => return Err(ExtractError::Corrupt(format!("{name}: {e}"))),
    };
    let mut reader = Reader::from_reader(BufReader::new(Counted {
        inner: file,
        read: 0,
        limit,
    }));
    let parsed = parse(&mut reader);
    if reader.get_ref().get_ref().read > limit {
        return Err(ExtractError::TooLarge {
            part: name.to_string(),
            limit,
        });
    }
    parsed.map(Some)
}

fn xml_error<R>(part: &str, reader: &Reader<R>, e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Corrupt(format!(
        "{part}: malformed XML at byte {}: {e}",
        reader.error_position()
    ))
}

fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().into_inner() == local)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .ok()
            })
            .flatten()
    })
}

fn val(e: &BytesStart) -> Option<String> {
    attr(e, "val")
}

fn is_on(e: &BytesStart) -> bool {
    !matches!(val(e).as_deref(), Some("0" | "false" | "off"))
}

/// One level of a list definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
    suffix: Suffix,
    /// `w:lvlRestart`: restart after a level at or above this (1-based) is used; 0 never.
    restart: Option<u32>,
    legal: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Suffix {
    #[default]
    Tab,
    Space,
    Nothing,
}

#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u8, Level>>,
    /// numId → (abstractNumId, per-level start overrides, per-level level overrides).
    nums: HashMap<String, Num>,
}

#[derive(Debug, Default, Clone)]
struct Num {
    abstract_id: String,
    start_overrides: HashMap<u8, u32>,
    level_overrides: HashMap<u8, Level>,
}

impl Numbering {
    fn level(&self, num: &str, ilvl: u8) -> Option<Level> {
        let n = self.nums.get(num)?;
        if let Some(l) = n.level_overrides.get(&ilvl) {
            return Some(l.clone());
        }
        let mut level = self.abstracts.get(&n.abstract_id)?.get(&ilvl)?.clone();
        if let Some(&s) = n.start_overrides.get(&ilvl) {
            level.start = s;
        }
        Some(level)
    }
}

/// `word/numbering.xml` as written: the list definitions (`w:abstractNum`, each level a
/// `w:lvl`) and the lists that use them (`w:num`, with per-level overrides). quick-xml's serde
/// matches local names, so any namespace prefix reads; unknown elements are skipped.
mod numbering_xml {
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    pub struct Numbering {
        #[serde(rename = "abstractNum", default)]
        pub abstracts: Vec<AbstractNum>,
        #[serde(rename = "num", default)]
        pub nums: Vec<Num>,
    }

    #[derive(Deserialize)]
    pub struct AbstractNum {
        #[serde(rename = "@abstractNumId")]
        pub id: Option<String>,
        #[serde(rename = "lvl", default)]
        pub levels: Vec<Lvl>,
    }

    #[derive(Deserialize)]
    pub struct Num {
        #[serde(rename = "@numId")]
        pub id: Option<String>,
        #[serde(rename = "abstractNumId")]
        pub abstract_id: Option<Val>,
        #[serde(rename = "lvlOverride", default)]
        pub overrides: Vec<LvlOverride>,
    }

    #[derive(Deserialize)]
    pub struct LvlOverride {
        #[serde(rename = "@ilvl")]
        pub ilvl: Option<String>,
        #[serde(rename = "startOverride")]
        pub start: Option<Val>,
        pub lvl: Option<Lvl>,
    }

    #[derive(Deserialize)]
    pub struct Lvl {
        #[serde(rename = "@ilvl")]
        pub ilvl: Option<String>,
        pub start: Option<Val>,
        #[serde(rename = "numFmt")]
        pub format: Option<Val>,
        #[serde(rename = "lvlText")]
        pub text: Option<Val>,
        pub suff: Option<Val>,
        #[serde(rename = "lvlRestart")]
        pub restart: Option<Val>,
        #[serde(rename = "isLgl")]
        pub legal: Option<Val>,
    }

    /// An element whose meaning is its `w:val` attribute.
    #[derive(Deserialize)]
    pub struct Val {
        #[serde(rename = "@val")]
        pub val: Option<String>,
    }
}

/// `word/styles.xml` as written: of each paragraph style, the numbering it gives and the style
/// it is based on.
mod styles_xml {
    use super::numbering_xml::Val;
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    pub struct Styles {
        #[serde(rename = "style", default)]
        pub styles: Vec<Style>,
    }

    #[derive(Deserialize)]
    pub struct Style {
        #[serde(rename = "@styleId")]
        pub id: Option<String>,
        #[serde(rename = "basedOn")]
        pub based_on: Option<Val>,
        #[serde(rename = "pPr")]
        pub paragraph: Option<ParagraphProperties>,
    }

    #[derive(Deserialize)]
    pub struct ParagraphProperties {
        #[serde(rename = "numPr")]
        pub numbering: Option<NumberingProperties>,
    }

    #[derive(Deserialize)]
    pub struct NumberingProperties {
        #[serde(rename = "numId")]
        pub num: Option<Val>,
        pub ilvl: Option<Val>,
    }
}

/// The `w:val` of an optional element.
fn value(v: &Option<numbering_xml::Val>) -> Option<String> {
    v.as_ref().and_then(|v| v.val.clone())
}

fn parse_numbering(reader: impl BufRead) -> Result<Numbering, String> {
    let xml: numbering_xml::Numbering =
        quick_xml::de::from_reader(reader).map_err(|e| e.to_string())?;
    let mut numbering = Numbering::default();
    for a in xml.abstracts {
        let levels = numbering
            .abstracts
            .entry(a.id.unwrap_or_default())
            .or_default();
        for l in &a.levels {
            let (ilvl, level) = level_of(l);
            levels.insert(ilvl, level);
        }
    }
    for n in xml.nums {
        let mut num = Num {
            abstract_id: value(&n.abstract_id).unwrap_or_default(),
            ..Num::default()
        };
        for o in &n.overrides {
            let Some(ilvl) = o.ilvl.as_deref().and_then(|v| v.parse::<u8>().ok()) else {
                continue;
            };
            if o.start.is_some() {
                let start = value(&o.start).and_then(|v| v.parse().ok()).unwrap_or(1);
                num.start_overrides.insert(ilvl, start);
            }
            if let Some(l) = &o.lvl {
                num.level_overrides.insert(ilvl, level_of(l).1);
            }
        }
        numbering.nums.insert(n.id.unwrap_or_default(), num);
    }
    Ok(numbering)
}

/// A `w:lvl` element's level number (0–8) and what it says.
fn level_of(l: &numbering_xml::Lvl) -> (u8, Level) {
    let ilvl = l
        .ilvl
        .as_deref()
        .and_then(|v| v.parse::<u8>().ok())
        .unwrap_or(0)
        .min(8);
    let level = Level {
        start: l.start.as_ref().map_or(1, |v| {
            v.val.as_deref().and_then(|v| v.parse().ok()).unwrap_or(1)
        }),
        format: l.format.as_ref().map_or_else(
            || "decimal".into(),
            |v| v.val.clone().unwrap_or_else(|| "decimal".into()),
        ),
        text: value(&l.text).unwrap_or_default(),
        suffix: match value(&l.suff).as_deref() {
            Some("space") => Suffix::Space,
            Some("nothing") => Suffix::Nothing,
            _ => Suffix::Tab,
        },
        restart: value(&l.restart).and_then(|v| v.parse().ok()),
        legal: l
            .legal
            .as_ref()
            .is_some_and(|v| !matches!(v.val.as_deref(), Some("0" | "false" | "off"))),
    };
    (ilvl, level)
}

/// Paragraph styles that carry numbering: style id → (numId, ilvl, basedOn).
type Styles = HashMap<String, StyleNumbering>;

#[derive(Debug, Default, Clone)]
struct StyleNumbering {
    num: Option<String>,
    ilvl: Option<u8>,
    based_on: Option<String>,
}

fn parse_styles(reader: impl BufRead) -> Result<Styles, String> {
    let xml: styles_xml::Styles = quick_xml::de::from_reader(reader).map_err(|e| e.to_string())?;
    Ok(xml
        .styles
        .into_iter()
        .map(|s| {
            let numbering = s.paragraph.and_then(|p| p.numbering);
            let style = StyleNumbering {
                num: numbering.as_ref().and_then(|n| value(&n.num)),
                ilvl: numbering
                    .as_ref()
                    .and_then(|n| value(&n.ilvl))
                    .and_then(|v| v.parse().ok()),
                based_on: value(&s.based_on),
            };
            (s.id.unwrap_or_default(), style)
        })
        .collect())
}

/// The numbering a paragraph style gives, following `basedOn` a few steps.
fn style_numbering(styles: &Styles, id: &str) -> (Option<String>, Option<u8>) {
    let (mut num, mut ilvl) = (None, None);
    let mut next = Some(id.to_string());
    for _ in 0..8 {
        let Some(s) = next.take().and_then(|id| styles.get(&id)) else {
            break;
        };
        num = num.or_else(|| s.num.clone());
        ilvl = ilvl.or(s.ilvl);
        next = s.based_on.clone();
    }
    (num, ilvl)
}

/// Counters of each list in use, advanced in document order.
#[derive(Default)]
struct Counters {
    by_num: HashMap<String, [Option<u32>; 9]>,
}

impl Counters {
    /// The label of the next paragraph of list `num` at level `ilvl`, with its suffix.
    fn next(&mut self, numbering: &Numbering, num: &str, ilvl: u8) -> String {
        let ilvl = ilvl.min(8);
        let Some(level) = numbering.level(num, ilvl) else {
            return String::new();
        };
        let counters = self.by_num.entry(num.to_string()).or_default();
        let i = ilvl as usize;
        counters[i] = Some(match counters[i] {
            Some(n) => n.saturating_add(1),
            None => level.start,
        });
        for (deeper, counter) in counters.iter_mut().enumerate().skip(i + 1) {
            let restart = numbering
                .level(num, deeper as u8)
                .and_then(|l| l.restart)
                .unwrap_or(u32::MAX);
            // lvlRestart = 0: never; n: after a level numbered below n (1-based) is used
            if restart == u32::MAX || (restart > 0 && (i as u32) < restart) {
                *counter = None;
            }
        }
        if level.format == "none" {
            return suffix(String::new(), level.suffix);
        }
        if level.format == "bullet" {
            return suffix(level.text.clone(), level.suffix);
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
                && (1..=9).contains(&d)
            {
                chars.next();
                let l = d as usize - 1;
                let value = counters[l]
                    .unwrap_or_else(|| numbering.level(num, l as u8).map_or(1, |lv| lv.start));
                let format = if level.legal {
                    "decimal".to_string()
                } else {
                    numbering
                        .level(num, l as u8)
                        .map_or_else(|| "decimal".to_string(), |lv| lv.format)
                };
                label.push_str(&format_number(value, &format));
            } else {
                label.push(c);
            }
        }
        suffix(label, level.suffix)
    }
}

fn suffix(mut label: String, s: Suffix) -> String {
    if !label.is_empty() {
        match s {
            // A tab after a Japanese label is rendered as the full-width space typed by hand.
            Suffix::Tab => label.push('\u{3000}'),
            Suffix::Space => label.push(' '),
            Suffix::Nothing => {}
        }
    }
    label
}

/// A counter value in one of Word's number formats (`w:numFmt`). Katakana formats are
/// rendered full-width (Word's iroha/aiueo are half-width; kiyaku reads either the same).
pub fn format_number(n: u32, format: &str) -> String {
    use crate::numerals::{GOJUON, IROHA, STEMS, circled, kana, kanji, kanji_digits, roman};
    let cycle = |order: &[char]| kana(n, order).map_or(n.to_string(), String::from);
    let enclosed = |first: char| {
        (1..=20)
            .contains(&n)
            .then(|| char::from_u32(first as u32 + n - 1))
            .flatten()
            .map_or(n.to_string(), String::from)
    };
    match format {
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
            .collect(),
        "decimalZero" => format!("{n:02}"),
        // Word circles 1 to 20 and writes plain digits after
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            circled(n).map_or(n.to_string(), String::from)
        }
        "decimalEnclosedParen" => enclosed('⑴'),
        "decimalEnclosedFullstop" => enclosed('⒈'),
        "iroha" | "irohaFullWidth" => cycle(&IROHA),
        "aiueo" | "aiueoFullWidth" => cycle(&GOJUON),
        "ideographTraditional" => cycle(&STEMS),
        "lowerLetter" | "upperLetter" => {
            if n == 0 {
                return n.to_string();
            }
            let letter = (b'a' + ((n - 1) % 26) as u8) as char;
            let s = letter.to_string().repeat(((n - 1) / 26 + 1) as usize);
            if format == "upperLetter" {
                s.to_uppercase()
            } else {
                s
            }
        }
        "lowerRoman" => roman(n).map_or(n.to_string(), |s| s.to_lowercase()),
        "upperRoman" => roman(n).unwrap_or_else(|| n.to_string()),
        "japaneseCounting"
        | "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseDigitalTenThousand"
        | "taiwaneseCounting" => kanji(n).unwrap_or_else(|| n.to_string()),
        "ideographDigital" | "japaneseLegal" => kanji_digits(n),
        _ => n.to_string(),
    }
}

/// Walks document.xml as it inflates: paragraphs (also inside tables) become lines. The
/// text may grow to `limits.text`; past `limits.shared_text` it waits for the large-.docx
/// turn and keeps it.
fn render(
    reader: &mut Reader<impl BufRead>,
    styles: &Styles,
    numbering: &Numbering,
    limits: Limits,
) -> Result<Docx, ExtractError> {
    const PART: &str = DOCUMENT;
    let mut out = Output::default();
    // Paragraphs nested in text boxes are skipped, so one paragraph is open at a time.
    let mut paragraph: Option<Paragraph> = None;
    // Depth inside elements whose text is not shown (deleted text, field codes, text
    // boxes, alternate-content fallbacks); 0 when text is shown.
    let mut hidden_depth = 0usize;
    let (mut in_text, mut in_run, mut in_run_properties) = (false, false, false);
    // Elements open, and whether the root was seen: a part cut short (a zip whose
    // document.xml was truncated and stored again) ends with elements open, which XML
    // readers do not report.
    let (mut open, mut rooted) = (0usize, false);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(PART, reader, e))?;
        out.bound(paragraph.as_ref(), limits)?;
        match &event {
            Event::Start(_) => (open, rooted) = (open + 1, true),
            Event::Empty(_) => rooted = true,
            Event::End(_) => open = open.saturating_sub(1),
            Event::Eof if !rooted => {
                return Err(ExtractError::Corrupt(format!(
                    "{PART} has no root element (empty, or cut short)"
                )));
            }
            Event::Eof if open > 0 => {
                return Err(ExtractError::Corrupt(format!(
                    "{PART} ends with {open} elements still open (cut short)"
                )));
            }
            _ => {}
        }
        match event {
            Event::Start(e) => {
                if hidden_depth > 0 {
                    hidden_depth += 1;
                    continue;
                }
                match e.local_name().into_inner() {
                    "txbxContent" | "Fallback" | "delText" | "instrText" | "del" | "moveFrom" => {
                        hidden_depth = 1
                    }
                    "p" if paragraph.is_none() => paragraph = Some(Paragraph::default()),
                    "p" => hidden_depth = 1,
                    "t" => in_text = true,
                    "r" => {
                        in_run = true;
                        if let Some(p) = paragraph.as_mut() {
                            p.run_hidden = false;
                        }
                    }
                    "rPr" => in_run_properties = true,
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if hidden_depth > 0 {
                    continue;
                }
                let name = e.local_name().into_inner();
                if name == "p" && paragraph.is_none() {
                    out.finish(Paragraph::default(), styles, numbering);
                    continue;
                }
                let Some(p) = paragraph.as_mut() else {
                    continue;
                };
                let shown = in_run && !in_run_properties && !p.run_hidden;
                match name {
                    "pStyle" => p.style = val(&e),
                    "numId" => p.num = val(&e),
                    "ilvl" => p.ilvl = val(&e).and_then(|v| v.parse().ok()),
                    "vanish" if in_run && in_run_properties => p.run_hidden = is_on(&e),
                    "tab" if shown => p.text.push('\t'),
                    // a page or column break ends no line of text
                    "br" | "cr"
                        if shown
                            && !matches!(attr(&e, "type").as_deref(), Some("page" | "column")) =>
                    {
                        p.text.push('\n')
                    }
                    "noBreakHyphen" if shown => p.text.push('-'),
                    _ => {}
                }
            }
            Event::End(e) => {
                if hidden_depth > 0 {
                    hidden_depth -= 1;
                    continue;
                }
                match e.local_name().into_inner() {
                    "t" => in_text = false,
                    "r" => in_run = false,
                    "rPr" => in_run_properties = false,
                    "p" => {
                        if let Some(p) = paragraph.take() {
                            out.finish(p, styles, numbering);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && hidden_depth == 0 => {
                if let Some(p) = paragraph.as_mut().filter(|p| !p.run_hidden) {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if in_text && hidden_depth == 0 => {
                if let Some(p) = paragraph.as_mut().filter(|p| !p.run_hidden) {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text && hidden_depth == 0 => {
                if let Some(p) = paragraph.as_mut().filter(|p| !p.run_hidden) {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        p.text.push(c);
                    } else if let Some(s) =
                        quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                    {
                        p.text.push_str(s);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out.bound(paragraph.as_ref(), limits)?;
    Ok((out.text, out.paragraphs, out.turn))
}

#[derive(Default)]
struct Output {
    text: String,
    /// 1-based paragraph of each line.
    paragraphs: Vec<u32>,
    counters: Counters,
    number: u32,
    turn: Option<LargeDocxTurn>,
}

impl Output {
    /// Keeps the text (with the open paragraph's) within `limits`: an error past
    /// `limits.text`, the large-.docx turn past `limits.shared_text`.
    fn bound(&mut self, open: Option<&Paragraph>, limits: Limits) -> Result<(), ExtractError> {
        let size = self.text.len() + open.map_or(0, |p| p.text.len());
        if size > limits.text {
            return Err(ExtractError::TextTooLarge { limit: limits.text });
        }
        if size > limits.shared_text && self.turn.is_none() {
            self.turn = Some(LargeDocxTurn::take());
        }
        Ok(())
    }

    fn finish(&mut self, p: Paragraph, styles: &Styles, numbering: &Numbering) {
        self.number += 1;
        let (style_num, style_ilvl) = p
            .style
            .as_deref()
            .map_or((None, None), |s| style_numbering(styles, s));
        match p.num.or(style_num).as_deref() {
            Some(n) if n != "0" => {
                let label = self
                    .counters
                    .next(numbering, n, p.ilvl.or(style_ilvl).unwrap_or(0));
                // a label is part of its paragraph's first line, whatever its lvlText holds
                self.text
                    .extend(label.chars().map(|c| if c == '\n' { ' ' } else { c }));
            }
            _ => {}
        }
        for c in p.text.chars() {
            if c == '\n' {
                self.paragraphs.push(self.number);
            }
            self.text.push(c);
        }
        self.text.push('\n');
        self.paragraphs.push(self.number);
    }
}

#[derive(Default)]
struct Paragraph {
    style: Option<String>,
    num: Option<String>,
    ilvl: Option<u8>,
    text: String,
    run_hidden: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_like_word() {
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(2, "iroha"), "ロ");
        assert_eq!(format_number(3, "aiueoFullWidth"), "ウ");
        assert_eq!(format_number(12, "japaneseCounting"), "十二");
        assert_eq!(format_number(20, "japaneseCounting"), "二十");
        assert_eq!(format_number(105, "japaneseCounting"), "百五");
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
        assert_eq!(format_number(2, "ideographTraditional"), "乙");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(14, "upperRoman"), "XIV");
        assert_eq!(format_number(0, "iroha"), "0");
    }

    pub(crate) fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn numbered(ilvl: u8, num: u8, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="840"/></w:tabs><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    }

    #[test]
    fn numbering_tables_breaks_and_paragraph_map() {
        let body = [
            "<w:p><w:r><w:t>業務委託契約書</w:t></w:r></w:p>".to_string(),
            numbered(0, 1, "（目的）"),
            numbered(1, 1, "甲は委託する。"),
            numbered(2, 1, "秘密保持"),
            numbered(3, 1, "細目"),
            numbered(2, 1, "持出し禁止"),
            numbered(0, 1, "（定義）"),
            numbered(2, 1, "用語"),
            r#"<w:p><w:pPr><w:pStyle w:val="Item"/></w:pPr><w:r><w:t>スタイルの番号</w:t></w:r></w:p>"#.to_string(),
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t xml:space="preserve">東京都 </w:t><w:br/><w:t>株式会社A&amp;B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
            r#"<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隠し</w:t></w:r><w:del><w:r><w:delText>削除</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>見える</w:t></w:r></w:p>"#.to_string(),
            "<w:p/>".to_string(),
        ]
        .concat();
        let document = format!("<w:document {W}><w:body>{body}</w:body></w:document>");
        let numbering = format!(
            r#"<w:numbering {W}><w:abstractNum w:abstractNumId="7">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="第%1条"/><w:suff w:val="nothing"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="2"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="%2"/></w:lvl>
            <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="(%3)"/><w:suff w:val="space"/></w:lvl>
            <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="iroha"/><w:lvlText w:val="%4"/><w:suff w:val="space"/></w:lvl>
            </w:abstractNum><w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:numFmt w:val="japaneseCounting"/><w:lvlText w:val="%1"/></w:lvl></w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="8"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride></w:num></w:numbering>"#
        );
        let styles = format!(
            r#"<w:styles {W}><w:style w:styleId="List"><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style><w:style w:styleId="Item"><w:basedOn w:val="List"/></w:style></w:styles>"#
        );
        let bytes = docx(&[
            ("word/document.xml", &document),
            ("word/numbering.xml", &numbering),
            ("word/styles.xml", &styles),
        ]);
        let (text, paragraphs, _) = extract(&bytes).unwrap();
        assert_eq!(
            text,
            "業務委託契約書\n第1条（目的）\n２　甲は委託する。\n(1) 秘密保持\nイ 細目\n(2) 持出し禁止\n第2条（定義）\n(1) 用語\n三　スタイルの番号\n甲\n東京都 \n株式会社A&B\n見える\n\n"
        );
        assert_eq!(
            paragraphs,
            vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 12, 13]
        );
        // the structure parser sees the articles Word numbered
        let source = crate::text::SourceText::new(text);
        let structure = crate::structure::parse(&source);
        assert_eq!(
            structure.article_captions(),
            vec![
                ("第1条".to_string(), Some("目的".to_string())),
                ("第2条".to_string(), Some("定義".to_string()))
            ]
        );
    }

    /// The definitions are read by local name, whatever the prefix (some generators write
    /// `ns0:` for Word's namespace), and an abstract list defined in two pieces, with lists
    /// and overrides between them, reads whole.
    #[test]
    fn definitions_read_by_local_name_and_in_pieces() {
        let document = format!(
            "<w:document {W}><w:body>{}{}{}</w:body></w:document>",
            numbered(0, 1, "一"),
            numbered(1, 1, "二"),
            numbered(0, 2, "三")
        );
        let numbering = r#"<ns0:numbering xmlns:ns0="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><ns0:abstractNum ns0:abstractNumId="1"><ns0:lvl ns0:ilvl="0"><ns0:numFmt ns0:val="decimal"/><ns0:lvlText ns0:val="第%1条"/><ns0:suff ns0:val="nothing"/></ns0:lvl></ns0:abstractNum><ns0:num ns0:numId="1"><ns0:abstractNumId ns0:val="1"/></ns0:num><ns0:num ns0:numId="2"><ns0:abstractNumId ns0:val="1"/><ns0:lvlOverride ns0:ilvl="0"><ns0:startOverride ns0:val="5"/></ns0:lvlOverride></ns0:num><ns0:abstractNum ns0:abstractNumId="1"><ns0:lvl ns0:ilvl="1"><ns0:numFmt ns0:val="decimal"/><ns0:lvlText ns0:val="(%2)"/><ns0:suff ns0:val="nothing"/></ns0:lvl></ns0:abstractNum></ns0:numbering>"#;
        let bytes = docx(&[
            ("word/document.xml", &document),
            ("word/numbering.xml", numbering),
        ]);
        let (text, _, _) = extract(&bytes).unwrap();
        assert_eq!(text, "第1条一\n(1)二\n第5条三\n");
    }

    #[test]
    fn a_label_never_adds_a_line() {
        let document = format!(
            "<w:document {W}><w:body>{}<w:p><w:r><w:t>次&#10;行</w:t></w:r></w:p></w:body></w:document>",
            numbered(0, 1, "本文")
        );
        let numbering = format!(
            r#"<w:numbering {W}><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:lvlText w:val="第%1条&#10;"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
        );
        let bytes = docx(&[
            ("word/document.xml", &document),
            ("word/numbering.xml", &numbering),
        ]);
        let (text, paragraphs, _) = extract(&bytes).unwrap();
        assert_eq!(text, "第1条 本文\n次\n行\n");
        assert_eq!(paragraphs, vec![1, 2, 2]);
    }

    #[test]
    fn bad_files_are_errors_that_say_why() {
        let mut cfb = CFB_MAGIC.to_vec();
        cfb.extend([0u8; 504]);
        assert!(matches!(extract(&cfb), Err(ExtractError::Encrypted)));
        assert!(matches!(extract(b"hello"), Err(ExtractError::Corrupt(_))));
        assert!(matches!(extract(b""), Err(ExtractError::Corrupt(_))));
        let good = docx(&[(
            "word/document.xml",
            &format!(
                "<w:document {W}><w:body><w:p><w:r><w:t>本文</w:t></w:r></w:p></w:body></w:document>"
            ),
        )]);
        assert_eq!(extract(&good).unwrap().0, "本文\n");
        for cut in [good.len() / 2, good.len() - 10, 30] {
            assert!(
                matches!(extract(&good[..cut]), Err(ExtractError::Corrupt(_))),
                "truncated at {cut}"
            );
        }
        let no_document = docx(&[("word/other.xml", "<x/>")]);
        assert!(
            matches!(extract(&no_document), Err(ExtractError::Corrupt(m)) if m.contains("document.xml"))
        );
        let broken_xml = docx(&[("word/document.xml", "<w:document><w:body><w:p></w:body>")]);
        assert!(matches!(extract(&broken_xml), Err(ExtractError::Corrupt(m)) if m.contains("XML")));
        // a document.xml cut short anywhere, zipped again (the zip itself is sound)
        let document = format!(
            "<?xml version=\"1.0\"?>\n<w:document {W}><w:body><w:p><w:r><w:t>第1条 本文</w:t></w:r></w:p><w:p/></w:body></w:document>"
        );
        for cut in (1..document.len()).filter(|&i| document.is_char_boundary(i)) {
            let truncated = docx(&[("word/document.xml", &document[..cut])]);
            assert!(
                matches!(extract(&truncated), Err(ExtractError::Corrupt(_))),
                "cut at {cut}: {:?}",
                extract(&truncated)
            );
        }
        assert_eq!(
            extract(&docx(&[("word/document.xml", &document)]))
                .unwrap()
                .0,
            "第1条 本文\n\n"
        );
        assert_eq!(
            extract(&docx(&[("word/document.xml", "")])).unwrap_err(),
            ExtractError::Corrupt(
                "word/document.xml has no root element (empty, or cut short)".into()
            )
        );
        // a part that inflates past the bound is refused as soon as it passes it
        let bomb = docx(&[("word/document.xml", &paragraphs("", 1 << 14))]);
        assert!(bomb.len() < 8 << 10);
        let limits = Limits {
            document: 1 << 16,
            ..LIMITS
        };
        assert_eq!(
            extract_limited(&bomb, limits).unwrap_err(),
            ExtractError::TooLarge {
                part: "word/document.xml".into(),
                limit: 1 << 16
            }
        );
        let definitions = Limits {
            definitions: 1 << 16,
            ..LIMITS
        };
        let numbering_bomb = docx(&[
            ("word/document.xml", &paragraphs("本文", 1)),
            ("word/numbering.xml", &"<w:numbering>".repeat(1 << 16)),
        ]);
        assert_eq!(
            extract_limited(&numbering_bomb, definitions).unwrap_err(),
            ExtractError::TooLarge {
                part: "word/numbering.xml".into(),
                limit: 1 << 16
            }
        );
    }

    /// A document.xml of `n` paragraphs reading `text`.
    fn paragraphs(text: &str, n: usize) -> String {
        format!(
            "<w:document {W}><w:body>{}</w:body></w:document>",
            format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>").repeat(n)
        )
    }

    #[test]
    fn text_past_the_bound_is_refused() {
        let limits = Limits {
            text: 1 << 16,
            ..LIMITS
        };
        // many paragraphs, or one long one: refused once the text passes the bound
        for document in [
            paragraphs("個人情報", 10_000),
            paragraphs(&"個人情報".repeat(10_000), 1),
        ] {
            let bytes = docx(&[("word/document.xml", &document)]);
            assert_eq!(
                extract_limited(&bytes, limits).unwrap_err(),
                ExtractError::TextTooLarge { limit: 1 << 16 }
            );
        }
        let (text, _, turn) = extract_limited(
            &docx(&[("word/document.xml", &paragraphs("個人情報", 5_000))]),
            limits,
        )
        .unwrap();
        assert_eq!(text.len(), 65_000);
        assert!(turn.is_none());
        assert!(
            ExtractError::TextTooLarge {
                limit: MAX_TEXT_BYTES
            }
            .to_string()
            .contains("16 MiB")
        );
    }

    #[test]
    fn one_large_docx_at_a_time() {
        let limits = Limits {
            shared_text: 1 << 10,
            ..LIMITS
        };
        let small = docx(&[("word/document.xml", &paragraphs("個人情報", 10))]);
        let large = docx(&[("word/document.xml", &paragraphs("個人情報", 1_000))]);
        let (_, _, first) = extract_limited(&large, limits).unwrap();
        assert!(first.is_some());
        // while the first large text is held, a small one goes on and a large one waits
        let (_, _, turn) = extract_limited(&small, limits).unwrap();
        assert!(turn.is_none());
        let (done, finished) = std::sync::mpsc::channel();
        let waiting = std::thread::spawn(move || {
            let second = extract_limited(&large, limits).unwrap();
            done.send(()).unwrap();
            second
        });
        assert!(
            finished
                .recv_timeout(std::time::Duration::from_millis(300))
                .is_err()
        );
        drop(first);
        finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap();
        assert!(waiting.join().unwrap().2.is_some());
    }
}
