//! Required-clause catalogs: loading, validation with precise error positions,
//! and the built-in set shipped in `dictionaries/catalogs/`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use crate::diagnostic::Severity;
use crate::diagnostic::{Language, Text, did_you_mean};
use crate::kind::DocumentKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Sentence,
    Article,
    /// Each group anywhere in the document (facts a notice may give in different places,
    /// such as the business's name, address and representative).
    Document,
}

/// A term written `re:<regular expression>` matches the expression on the normalised text
/// (an address, a representative's title followed by a name), not lemmas.
pub const PATTERN_PREFIX: &str = "re:";

/// The `re:` terms' compiled expressions, by expression.
static PATTERNS: LazyLock<
    std::sync::Mutex<rustc_hash::FxHashMap<String, Result<Regex, regex::Error>>>,
> = LazyLock::new(Default::default);

/// Forgets the compiled expressions (see `matcher::forget_compiled_terms`).
pub fn forget_compiled_patterns() {
    if let Ok(mut patterns) = PATTERNS.lock() {
        patterns.clear();
    }
}

/// A `re:` term's expression, compiled once per process: a catalog is validated when it is
/// loaded and matched afterwards, and both need the compiled expression (compiling the
/// built-in catalogs' patterns is most of kiyaku's start-up).
pub fn compiled_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    if let Some(found) = PATTERNS.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    let compiled = Regex::new(pattern);
    if let Ok(mut cache) = PATTERNS.lock() {
        cache.insert(pattern.to_string(), compiled.clone());
    }
    compiled
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    #[default]
    Any,
    Obligation,
    Prohibition,
    Permission,
    Exemption,
}

/// Concept groups: every group must be matched; a group by any of its terms.
pub type Groups = Vec<Vec<String>>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    #[serde(default)]
    pub scope: Scope,
    pub all: Groups,
    #[serde(default)]
    pub polarity: Polarity,
    #[serde(default)]
    pub none: Groups,
    /// One group of `all` that another clause of the document may meet instead: a notice
    /// says in one section that requests are accepted and gives the desk they go to in its
    /// own section (「お問い合わせ窓口」 with the address), which is where the request is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elsewhere: Option<Elsewhere>,
    /// For a `document` item: words that open another organisation's block (the accredited
    /// body named with its desk and address under 「苦情解決の連絡先」). What lies in such a block
    /// is that organisation's, not the business's: its address is not the business's address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<String>,
}

/// Where a group of `match.all` may be met outside the clause: in another clause unit of the
/// same scope that holds every group of `all` together.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elsewhere {
    /// Index into `match.all` of the group this stands for.
    pub group: usize,
    pub all: Groups,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictSpec {
    #[serde(default)]
    pub scope: Scope,
    pub all: Groups,
    #[serde(default)]
    pub polarity: Polarity,
    #[serde(default)]
    pub lacking: Groups,
    /// Judged only when no clause of the document meets the item: re-consignment described
    /// as a practice (「…に再委託します」) is a conflict where the contract asks no consent
    /// anywhere, and says nothing against a consent required in another clause.
    #[serde(default)]
    pub when_missing: bool,
    pub message: String,
    #[serde(default)]
    pub message_en: Option<String>,
}

/// The verdict on one item of a catalog for one document; also what a catalog example
/// expects of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    Present,
    Missing,
    Conflict,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub expect: Status,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    pub basis: Vec<String>,
    pub explanation: String,
    #[serde(default)]
    pub explanation_en: Option<String>,
    pub model_clause: String,
    #[serde(default)]
    pub section_hint: Vec<String>,
    #[serde(default)]
    pub trigger: Vec<String>,
    /// Verbs that, following a trigger in a sentence that denies them (「国外にある第三者に
    /// 提供いたしません」), mean the sentence rules the condition out rather than raising it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trigger_denied_with: Vec<String>,
    /// Terms that, in the sentence of a trigger, show the sentence speaks of something else:
    /// 「外国にあるサーバに保管する場合、当該国の制度を把握した上で安全管理措置を実施」 is the
    /// security measure of knowing the environment abroad (外的環境の把握), not a transfer. A
    /// caption line over such a sentence raises nothing either.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trigger_unless: Vec<String>,
    /// A trigger in a heading counts only when the section under it names it again: the
    /// category whose statutory items repeat its name (共同利用: 「共同して利用する者の範囲」) is
    /// not taken up by a section that never names it (「第三者への提供および共同利用等」 over the
    /// third-party rule alone).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trigger_named_again_under_heading: bool,
    #[serde(rename = "match")]
    pub match_spec: MatchSpec,
    #[serde(default, rename = "conflict")]
    pub conflicts: Vec<ConflictSpec>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
    /// Set for items derived from a regulation: where the requirement comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ItemSource>,
}

/// The part of a document a catalog applies to, such as the notice given when personal
/// information is acquired directly in writing, which a privacy policy may hold as one of
/// its sections. Without such a part the catalog's items are not applicable; with one, they
/// are looked for only inside it, so values given elsewhere in the policy do not count.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Terms that open the part when they stand in the title, in the text before the
    /// first heading, or in a heading or list-item caption (which must not be a sentence
    /// ending in 「。」): the whole document, or that heading's unit, is the part.
    pub heading: Vec<String>,
    /// Terms that disqualify such a heading (「直接書面以外で取得する場合」).
    #[serde(default)]
    pub unless: Vec<String>,
    /// Concept groups that, found together in one sentence, open a part that runs from
    /// that sentence to the end of the document (「JIS Q 15001 の…直接書面によって取得する場合の措置に従い」).
    #[serde(default)]
    pub statement: Groups,
    /// Concept groups that, when at least `outline_min` of them each stand in a heading or
    /// caption of the document, make the whole document the part (a web form that lists
    /// the JIS a)–h) items as its headings without saying 直接書面).
    #[serde(default)]
    pub outline: Groups,
    #[serde(default)]
    pub outline_min: usize,
    /// Concept groups that, found in the last lines of a document, make it a consent form
    /// (「上記内容に同意する」): then `consent_outline_min` of the `outline` groups, each in a
    /// heading or at the opening of a numbered item (「１．個人情報は、採用目的のためです。」),
    /// make the whole document the part.
    #[serde(default)]
    pub consent: Groups,
    #[serde(default)]
    pub consent_outline_min: usize,
    /// A consent asked in the document's last lines or at its opening (「上記に同意の上、送信して
    /// ください」「個人情報の取扱いに同意する」), or an opening naming the form (`form`), which only
    /// a text shown where the data are entered has, makes it the notice with
    /// `form_outline_min` of the `outline` groups anywhere in it: a form's notice that names
    /// few of the matters still is the notice, and lacks the others. Optional; needs `consent`.
    #[serde(default)]
    pub form_outline_min: usize,
    /// Terms that make a consent no request of a form: a consent to use a service
    /// (「本ポリシーにご同意のうえご利用ください」), one deemed given by using it (「変更後に
    /// ご利用いただいた場合、…同意いただいたものとみなします」), the person's consent described as a
    /// condition of something else (「お客様が同意いただき、かつ…」). An opening holding one asks
    /// no consent of a form; nor does a line of the last lines that holds one.
    #[serde(default)]
    pub consent_to_use: Vec<String>,
    /// Terms that only the notice given at acquisition states (提供の任意性): a consent form
    /// or a form's notice with one of them in a heading needs only `marked_outline_min` of the
    /// `outline` groups there (a notice that lacks some of the matters is still the notice),
    /// and so does a page that states the `voluntariness`.
    #[serde(default)]
    pub marks: Vec<String>,
    #[serde(default)]
    pub marked_outline_min: usize,
    /// The id of this catalog's item that states the voluntariness of providing the data and
    /// its consequence (「ご提供は任意です。ただし…できません」): a text shown at no form whose
    /// headings name the `outline` groups is the notice when one clause meets that item's
    /// groups (the stand-alone page a business's forms point to). Without it only a form's
    /// text is read so.
    #[serde(default)]
    pub voluntariness: Option<String>,
    /// Concept groups naming the people a business's general policy covers besides those
    /// who fill in a form (採用応募者, 株主, 取引先): a page that names `general_min` of them
    /// is that policy, and its voluntariness heading does not make it the notice.
    #[serde(default)]
    pub general: Groups,
    #[serde(default)]
    pub general_min: usize,
    /// A form's note of at most `note_lines` lines, whose opening names the form (`form`), is
    /// the notice when `note_outline_min` of the `outline` groups stand anywhere in it: a note
    /// of a few sentences beside a form has no headings to name them.
    #[serde(default)]
    pub note_lines: usize,
    #[serde(default)]
    pub note_outline_min: usize,
    /// Concept groups that, found in the document's first two lines, make it the notice of a
    /// form (「お問い合わせフォームにおける個人情報の取扱いについて」): read as a consent form is.
    #[serde(default)]
    pub form: Groups,
    /// Concept groups naming the data the reader enters at this form (「ご入力いただいた個人
    /// 情報」「今回ご提供いただく個人情報」「本フォームで取得する個人情報」): found in the first half
    /// of a text, they show it given where the data are entered, read as a consent form is. A
    /// general policy names such data, if at all, in a section further down.
    #[serde(default)]
    pub entered: Groups,
    /// Concept groups naming the occasion the data are given on (「資料請求に際して登録頂きました
    /// 個人情報」「本キャンペーンの運営に関連して取得した応募者の個人情報」): anywhere in a note of
    /// at most `note_lines` lines, they show it given where the data are entered, read as a
    /// consent form is. A general policy long enough to have sections may name such data in
    /// its list of purposes.
    #[serde(default)]
    pub occasion: Groups,
    /// Concept groups naming one campaign or event as what the data were given for
    /// (「本キャンペーンに関して提供いただいた個人情報」): anywhere in a text, they show it given
    /// where the data are entered (a campaign's terms, read by those who enter it), however far
    /// down its personal-information part stands. A general policy speaks of the business's
    /// campaigns, never of 「本キャンペーン」.
    #[serde(default)]
    pub this_occasion: Groups,
    /// Concept groups asking the reader to agree to the text as the step before giving the
    /// data (「上記を全てあらかじめご同意の上、お申し込みをお願いいたします」): anywhere in a text,
    /// not only at its end or opening, they show it given where the data are entered (a
    /// registration page whose list of recipients follows the request). A general policy asks
    /// consent to use a service, not to apply.
    #[serde(default)]
    pub consent_before_applying: Groups,
}

/// Where a derived item comes from: a regulation's file and line, and its article path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSource {
    pub path: String,
    pub line: usize,
    pub provision: String,
}

fn default_severity() -> Severity {
    Severity::Warning
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub kinds: Vec<DocumentKind>,
    #[serde(default)]
    pub description: Option<String>,
    /// Set when the catalog applies only to one part of a document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<SectionSpec>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
    /// Where the catalog was loaded from (not part of the file).
    #[serde(skip)]
    pub origin: String,
}

impl Item {
    /// The item's title in `language` (Japanese when no English title is given).
    pub fn title(&self, language: Language) -> &str {
        match language {
            Language::Ja => &self.title,
            Language::En => self.title_en.as_deref().unwrap_or(&self.title),
        }
    }

    /// The item's explanation in `language` (Japanese when no English one is given).
    pub fn explanation(&self, language: Language) -> &str {
        match language {
            Language::Ja => &self.explanation,
            Language::En => self.explanation_en.as_deref().unwrap_or(&self.explanation),
        }
    }
}

impl Catalog {
    /// The catalog's title in `language` (Japanese when no English title is given).
    pub fn title(&self, language: Language) -> &str {
        match language {
            Language::Ja => &self.title,
            Language::En => self.title_en.as_deref().unwrap_or(&self.title),
        }
    }

    pub fn full_id(&self, item: &Item) -> String {
        format!("{}/{}", self.id, item.id)
    }

    pub fn applies_to(&self, kind: DocumentKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// A catalog or configuration file that could not be used, or a value in it that would
/// silently do nothing, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub path: String,
    /// 1-based line and column (in characters) of the offending value.
    pub line: usize,
    pub column: usize,
    /// The offending value's byte range in the file's text (empty when the whole file is meant).
    pub span: Range<usize>,
    pub message: Text,
}

impl CatalogError {
    /// An error about the value at byte `span` of `text`, the content of the file at `path`.
    pub fn at(path: &str, text: &str, span: Range<usize>, message: Text) -> Self {
        let (line, column) = line_column(text, span.start);
        Self {
            path: path.to_string(),
            line,
            column,
            span,
            message,
        }
    }

    /// An error about a whole file (one that cannot be read): its first line and column.
    pub fn file(path: &str, message: Text) -> Self {
        Self::at(path, "", 0..0, message)
    }

    /// `path:line:column: message`, in one language.
    pub fn show(&self, language: Language) -> String {
        format!(
            "{}:{}:{}: {}",
            self.path,
            self.line,
            self.column,
            self.message.get(language)
        )
    }
}

/// In kiyaku's default language, Japanese (`kiyaku check` shows errors in its own).
impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.show(Language::default()))
    }
}

/// The catalogs shipped with kiyaku, embedded so the binary is self-contained.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "consignment.toml",
        include_str!("../dictionaries/catalogs/consignment.toml"),
    ),
    (
        "appi-notice.toml",
        include_str!("../dictionaries/catalogs/appi-notice.toml"),
    ),
    (
        "jisq15001-direct.toml",
        include_str!("../dictionaries/catalogs/jisq15001-direct.toml"),
    ),
    (
        "regulation.toml",
        include_str!("../dictionaries/catalogs/regulation.toml"),
    ),
];

/// Parses and validates one catalog file's text. `path` is used in errors.
pub fn parse_catalog(path: &str, text: &str) -> Result<Catalog, CatalogError> {
    let mut catalog: Catalog = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    catalog.origin = path.to_string();
    validate(&catalog, text)?;
    Ok(catalog)
}

/// A TOML error of the file at `path`, at its line and column.
pub fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> CatalogError {
    let span = e.span().unwrap_or(0..0);
    CatalogError::at(path, text, span, toml_message(e.message().trim()))
}

/// toml's (and serde's) message, in Japanese too: a misspelt key or value is named, with the
/// names that would do and the nearest of them; anything else is given as toml gives it.
fn toml_message(message: &str) -> Text {
    static UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^unknown (field|variant) `([^`]*)`, (?:expected (?:one of )?(.*)|there are no fields)$")
            .expect("static regex")
    });
    let unknown = &*UNKNOWN;
    let Some(c) = unknown.captures(message) else {
        return Text::new(format!("TOML の内容に誤りがあります: {message}"), message);
    };
    let (what, name) = (&c[1], &c[2]);
    let expected: Vec<&str> = c
        .get(3)
        .map(|m| {
            m.as_str()
                .split(|ch: char| ch == ',' || ch.is_whitespace() || ch == '`')
                .filter(|w| !w.is_empty() && *w != "or")
                .collect()
        })
        .unwrap_or_default();
    let hint = did_you_mean(name, expected.iter().copied());
    let ja_what = if what == "field" { "キー" } else { "値" };
    Text::new(
        format!(
            "「{name}」という{ja_what}は使えません（使えるのは {}）。{}",
            if expected.is_empty() {
                "なし".to_string()
            } else {
                expected.join(", ")
            },
            hint.map(|h| format!("「{h}」の誤りではありませんか。"))
                .unwrap_or_default()
        ),
        format!(
            "{message}{}",
            hint.map(|h| format!("; did you mean `{h}`?"))
                .unwrap_or_default()
        ),
    )
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// One step of the way to a value in a TOML file: a key, or an index in an array (an array
/// of `[[tables]]` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The byte range, as toml parses `text`, of the value at `path` (of its key, with `key`),
/// or of the nearest value around it that the text has (an absent `paragraph` of
/// `[derive]`: the `[derive]` table); 0..0 when the text does not parse. Errors about a
/// value that deserialised well but means nothing (an unknown id, a bad pattern) point at
/// it this way.
pub fn span_at(text: &str, path: &[Step<'_>], key: bool) -> Range<usize> {
    use toml::de::{DeTable, DeValue};
    let Ok(root) = DeTable::parse(text) else {
        return 0..0;
    };
    let root_span = root.span();
    let root = toml::Spanned::new(root_span, DeValue::Table(root.into_inner()));
    let mut value = &root;
    let mut key_span = None;
    for step in path {
        let next = match (step, value.get_ref()) {
            (Step::Key(name), DeValue::Table(table)) => table
                .iter()
                .find(|(k, _)| k.get_ref() == name)
                .map(|(k, v)| (Some(k.span()), v)),
            (Step::Index(i), DeValue::Array(array)) => array.get(*i).map(|v| (None, v)),
            _ => None,
        };
        let Some((k, v)) = next else {
            return key_span.unwrap_or_else(|| value.span());
        };
        (key_span, value) = (k, v);
    }
    match key_span {
        Some(k) if key => k,
        _ => value.span(),
    }
}

/// What is wrong with one term: empty, or a `re:` term that is no regular expression.
fn term_problem(term: &str) -> Option<Text> {
    if term.trim().is_empty() {
        return Some(Text::new("空の語 \"\" があります", "an empty term \"\""));
    }
    let pattern = term.strip_prefix(PATTERN_PREFIX)?;
    let e = compiled_pattern(pattern).err()?;
    // the regex crate's message draws the pattern with a caret; its last line says what is wrong
    let shown = e.to_string();
    let reason = shown
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(shown.lines().last().unwrap_or(""))
        .trim()
        .to_string();
    Some(Text::new(
        format!("正規表現「{pattern}」が不正です（{reason}）。この語は何にも一致しません"),
        format!("bad pattern `{pattern}` ({reason}); the term would match nothing"),
    ))
}

/// The first problem of a list of terms: its index and what is wrong.
fn terms_problem(terms: &[String]) -> Option<(usize, Text)> {
    terms
        .iter()
        .enumerate()
        .find_map(|(i, t)| term_problem(t).map(|p| (i, p)))
}

/// The first problem of concept groups: an empty group (which nothing satisfies), or a
/// problem of one of its terms; with the indices of the group (and term) it is at.
fn groups_problem(groups: &Groups) -> Option<(Vec<usize>, Text)> {
    groups.iter().enumerate().find_map(|(g, group)| {
        if group.is_empty() {
            return Some((
                vec![g],
                Text::new(
                    "空のまとまり [] があります（何にも一致しません）",
                    "an empty group [] (nothing satisfies it)",
                ),
            ));
        }
        terms_problem(group).map(|(t, p)| (vec![g, t], p))
    })
}

fn validate(catalog: &Catalog, text: &str) -> Result<(), CatalogError> {
    let error = |path: &[Step<'_>], message: Text| {
        let span = span_at(text, path, false);
        Err(CatalogError::at(&catalog.origin, text, span, message))
    };
    let is_id = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !is_id(&catalog.id) {
        return error(
            &[Step::Key("id")],
            Text::new(
                format!(
                    "カタログ ID「{}」は小文字の英数字とハイフン（kebab-case）で書きます",
                    catalog.id
                ),
                format!(
                    "catalog id `{}` must be lowercase ascii kebab-case",
                    catalog.id
                ),
            ),
        );
    }
    if catalog.items.is_empty() {
        return error(
            &[Step::Key("item")],
            Text::new(
                "カタログには [[item]] が一つ以上必要です",
                "a catalog needs at least one [[item]]",
            ),
        );
    }
    if let Some(section) = &catalog.section {
        validate_section(section, &error)?;
        if let Some(id) = &section.voluntariness
            && !catalog.items.iter().any(|item| &item.id == id)
        {
            return error(
                &[Step::Key("section"), Step::Key("voluntariness")],
                Text::new(
                    format!(
                        "[section] の voluntariness「{id}」はこのカタログの項目の id ではありません"
                    ),
                    format!(
                        "[section] voluntariness `{id}` is not the id of an item of this catalog"
                    ),
                ),
            );
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (n, item) in catalog.items.iter().enumerate() {
        let at = |steps: &[Step<'static>]| -> Vec<Step<'static>> {
            [Step::Key("item"), Step::Index(n)]
                .into_iter()
                .chain(steps.iter().copied())
                .collect()
        };
        let id = &item.id;
        if !is_id(id) {
            return error(
                &at(&[Step::Key("id")]),
                Text::new(
                    format!("項目 ID「{id}」は小文字の英数字とハイフン（kebab-case）で書きます"),
                    format!("item id `{id}` must be lowercase ascii kebab-case"),
                ),
            );
        }
        if !seen.insert(id.as_str()) {
            return error(
                &at(&[Step::Key("id")]),
                Text::new(
                    format!("項目 ID「{id}」が重複しています"),
                    format!("duplicate item id `{id}`"),
                ),
            );
        }
        // every list of concept groups and of terms: groups where every group must match are
        // not empty (an empty `all` is met by every clause: an empty conflict.all would make
        // every clause a conflict), no group is empty, no term is empty or a bad pattern
        let mut groups: Vec<(Vec<Step<'static>>, &str, &Groups, bool)> = vec![
            (
                at(&[Step::Key("match"), Step::Key("all")]),
                "match.all",
                &item.match_spec.all,
                true,
            ),
            (
                at(&[Step::Key("match"), Step::Key("none")]),
                "match.none",
                &item.match_spec.none,
                false,
            ),
        ];
        if let Some(elsewhere) = &item.match_spec.elsewhere {
            let path = at(&[
                Step::Key("match"),
                Step::Key("elsewhere"),
                Step::Key("group"),
            ]);
            if elsewhere.group >= item.match_spec.all.len() {
                return error(
                    &path,
                    item_problem(
                        id,
                        "match.elsewhere.group",
                        Text::new(
                            format!(
                                "match.all にまとまり{}はありません（0から数えます）",
                                elsewhere.group
                            ),
                            format!(
                                "match.all has no group {} (groups count from 0)",
                                elsewhere.group
                            ),
                        ),
                    ),
                );
            }
            groups.push((
                at(&[Step::Key("match"), Step::Key("elsewhere"), Step::Key("all")]),
                "match.elsewhere.all",
                &elsewhere.all,
                true,
            ));
        }
        for (c, conflict) in item.conflicts.iter().enumerate() {
            let steps = at(&[Step::Key("conflict"), Step::Index(c)]);
            let with = |field: &'static str| {
                let mut s = steps.clone();
                s.push(Step::Key(field));
                s
            };
            groups.push((with("all"), "conflict.all", &conflict.all, true));
            groups.push((
                with("lacking"),
                "conflict.lacking",
                &conflict.lacking,
                false,
            ));
        }
        for (path, field, groups, needed) in groups {
            if needed && groups.is_empty() {
                let why = if field == "conflict.all" {
                    (
                        "空の conflict.all はすべての文を矛盾と判定します",
                        "an empty conflict.all would make every clause a conflict",
                    )
                } else {
                    (
                        "空の match.all はすべての文に一致します",
                        "an empty match.all would be met by every clause",
                    )
                };
                return error(
                    &path,
                    item_problem(
                        id,
                        field,
                        Text::new(
                            format!("まとまりが一つもありません（{}）", why.0),
                            format!("needs at least one group ({})", why.1),
                        ),
                    ),
                );
            }
            if let Some((indices, problem)) = groups_problem(groups) {
                let mut path = path;
                path.extend(indices.into_iter().map(Step::Index));
                return error(&path, item_problem(id, field, problem));
            }
        }
        if let Some((t, problem)) = terms_problem(&item.match_spec.others) {
            return error(
                &at(&[Step::Key("match"), Step::Key("others"), Step::Index(t)]),
                item_problem(id, "match.others", problem),
            );
        }
        if !item.match_spec.others.is_empty() && item.match_spec.scope != Scope::Document {
            return error(
                &at(&[Step::Key("match"), Step::Key("others")]),
                item_problem(
                    id,
                    "match.others",
                    Text::new(
                        "match.others は scope = \"document\" の項目にだけ使えます",
                        "match.others applies only to an item of scope = \"document\"",
                    ),
                ),
            );
        }
        for (field, terms) in [
            ("trigger", &item.trigger),
            ("trigger_denied_with", &item.trigger_denied_with),
            ("trigger_unless", &item.trigger_unless),
        ] {
            if let Some((t, problem)) = terms_problem(terms) {
                return error(
                    &at(&[Step::Key(field), Step::Index(t)]),
                    item_problem(id, field, problem),
                );
            }
        }
        if item.source.is_none() {
            let has = |e: Status| item.examples.iter().any(|x| x.expect == e);
            if !has(Status::Present) || !has(Status::Missing) {
                return error(
                    &at(&[Step::Key("id")]),
                    Text::new(
                        format!(
                            "項目「{id}」には \"present\" と \"missing\" の例がそれぞれ一つ以上必要です"
                        ),
                        format!(
                            "item `{id}` needs at least one \"present\" and one \"missing\" example"
                        ),
                    ),
                );
            }
            if !item.conflicts.is_empty() && !has(Status::Conflict) {
                return error(
                    &at(&[Step::Key("id")]),
                    Text::new(
                        format!(
                            "項目「{id}」には矛盾パターンがあるのに \"conflict\" の例がありません"
                        ),
                        format!("item `{id}` has conflict patterns but no \"conflict\" example"),
                    ),
                );
            }
        }
        if item.basis.is_empty() {
            return error(
                &at(&[Step::Key("id")]),
                Text::new(
                    format!("項目「{id}」には根拠（basis）が必要です"),
                    format!("item `{id}` needs a legal basis"),
                ),
            );
        }
    }
    Ok(())
}

fn item_problem(id: &str, field: &str, problem: Text) -> Text {
    Text::new(
        format!("項目「{id}」の {field}: {}", problem.ja),
        format!("item `{id}`: {field}: {}", problem.en),
    )
}

/// A `[section]` that can be found: its terms and groups well formed, something to find it by.
fn validate_section(
    section: &SectionSpec,
    error: &impl Fn(&[Step<'_>], Text) -> Result<(), CatalogError>,
) -> Result<(), CatalogError> {
    let problem = |field: &str, p: Text| {
        Text::new(
            format!("[section] の {field}: {}", p.ja),
            format!("[section] {field}: {}", p.en),
        )
    };
    for (field, terms) in [
        ("heading", &section.heading),
        ("unless", &section.unless),
        ("consent_to_use", &section.consent_to_use),
        ("marks", &section.marks),
    ] {
        if let Some((t, p)) = terms_problem(terms) {
            return error(
                &[Step::Key("section"), Step::Key(field), Step::Index(t)],
                problem(field, p),
            );
        }
    }
    for (field, groups) in [
        ("statement", &section.statement),
        ("outline", &section.outline),
        ("consent", &section.consent),
        ("general", &section.general),
        ("form", &section.form),
        ("entered", &section.entered),
        ("occasion", &section.occasion),
        ("this_occasion", &section.this_occasion),
        ("consent_before_applying", &section.consent_before_applying),
    ] {
        if let Some((indices, p)) = groups_problem(groups) {
            let path: Vec<Step<'_>> = [Step::Key("section"), Step::Key(field)]
                .into_iter()
                .chain(indices.into_iter().map(Step::Index))
                .collect();
            return error(&path, problem(field, p));
        }
    }
    if section.heading.is_empty() && section.statement.is_empty() && section.outline.is_empty() {
        return error(
            &[Step::Key("section")],
            Text::new(
                "[section] の heading・statement・outline がすべて空です（この部分は見つからず、項目はすべて「該当なし」になります）",
                "[section] has no heading, statement or outline (the part is never found and every item would be not-applicable)",
            ),
        );
    }
    // a count of groups (the outline's, or general's), with what asks for it (no count
    // without it; a required count must be given with it)
    let outline = ("outline", section.outline.len());
    for (field, min, given, without, required, (counted, groups)) in [
        (
            "outline_min",
            section.outline_min,
            !section.outline.is_empty(),
            "outline",
            true,
            outline,
        ),
        (
            "consent_outline_min",
            section.consent_outline_min,
            !section.consent.is_empty(),
            "consent",
            true,
            outline,
        ),
        (
            "marked_outline_min",
            section.marked_outline_min,
            !section.marks.is_empty(),
            "marks",
            true,
            outline,
        ),
        (
            "note_outline_min",
            section.note_outline_min,
            section.note_lines > 0,
            "note_lines",
            true,
            outline,
        ),
        (
            "form_outline_min",
            section.form_outline_min,
            !section.consent.is_empty(),
            "consent",
            false,
            outline,
        ),
        (
            "general_min",
            section.general_min,
            !section.general.is_empty(),
            "general",
            true,
            ("general", section.general.len()),
        ),
    ] {
        let absent_as_it_may_be = min == 0 && !required;
        if !absent_as_it_may_be && (min > groups || (min == 0) == given) {
            return error(
                &[Step::Key("section"), Step::Key(field)],
                Text::new(
                    format!(
                        "[section] の {field} ({min}) は 1 以上 {counted} のまとまりの数 ({groups}) 以下にします（{without} がなければ書きません）"
                    ),
                    format!(
                        "[section] {field} ({min}) must be between 1 and the number of {counted} groups ({groups}), and absent without {without}"
                    ),
                ),
            );
        }
    }
    Ok(())
}

/// Loads a catalog file from disk.
pub fn load_catalog_file(path: &Path) -> Result<Catalog, CatalogError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        CatalogError::file(
            &shown,
            Text::new(format!("読めません: {e}"), format!("cannot read: {e}")),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        CatalogError::at(
            &shown,
            &String::from_utf8_lossy(e.as_bytes()),
            at..at,
            Text::new("UTF-8 ではありません", "not valid UTF-8"),
        )
    })?;
    parse_catalog(&shown, &text)
}

/// The built-in catalogs. They are tested, so a failure here is a build defect.
pub fn builtin_catalogs() -> Vec<Catalog> {
    use rayon::prelude::*;
    // parsed side by side: validating a catalog compiles its patterns, most of kiyaku's start-up
    BUILTIN
        .par_iter()
        .map(|(name, text)| {
            parse_catalog(&format!("dictionaries/catalogs/{name}"), text)
                .unwrap_or_else(|e| panic!("built-in catalog is invalid: {e}"))
        })
        .collect()
}

/// The catalogs in force, in order, and their items looked up by full id (`catalog/item`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Catalogs(Vec<Catalog>);

impl Catalogs {
    /// The built-in catalogs.
    pub fn builtin() -> Self {
        Self(builtin_catalogs())
    }

    /// The built-in catalogs plus extra files. A broken extra file is reported and skipped;
    /// the others keep working.
    pub fn with_extra(extra: &[PathBuf]) -> (Self, Vec<CatalogError>) {
        let mut catalogs = Self::builtin();
        let mut errors = Vec::new();
        for path in extra {
            match load_catalog_file(path) {
                Ok(c) => catalogs.replace(c),
                Err(e) => errors.push(e),
            }
        }
        (catalogs, errors)
    }

    /// Adds `catalog`, in place of the one with its id if there is one (a user catalog with
    /// a built-in id replaces it).
    pub fn replace(&mut self, catalog: Catalog) {
        self.remove(&catalog.id);
        self.push(catalog);
    }

    /// Leaves out the catalog with id `id`.
    pub fn remove(&mut self, id: &str) {
        self.0.retain(|c| c.id != id);
    }

    /// Adds `catalog` after the others.
    pub fn push(&mut self, catalog: Catalog) {
        self.0.push(catalog);
    }

    /// The item with full id `catalog/item`.
    pub fn item(&self, full_id: &str) -> Option<&Item> {
        self.entry(full_id).map(|(_, item)| item)
    }

    /// The item with full id `catalog/item`, with its catalog.
    pub fn entry(&self, full_id: &str) -> Option<(&Catalog, &Item)> {
        let (catalog, item) = full_id.split_once('/')?;
        let c = self.0.iter().find(|c| c.id == catalog)?;
        Some((c, c.items.iter().find(|i| i.id == item)?))
    }

    /// What `kiyaku explain catalog/item` says of an item: its title, catalog, severity,
    /// condition, basis, explanation and model clause; None for an unknown id.
    pub fn explain(&self, full_id: &str, language: Language) -> Option<String> {
        use std::fmt::Write;
        let (catalog, item) = self.entry(full_id)?;
        let en = language == Language::En;
        let mut out = String::new();
        let _ = writeln!(out, "{full_id}: {}", item.title(language));
        let _ = writeln!(
            out,
            "{}: {}",
            if en { "catalog" } else { "カタログ" },
            catalog.title(language)
        );
        let _ = writeln!(
            out,
            "{}: {}",
            if en { "severity" } else { "重要度" },
            item.severity.name(language)
        );
        if !item.trigger.is_empty() {
            let _ = writeln!(
                out,
                "{}: {}",
                if en {
                    "applies when the document mentions"
                } else {
                    "適用条件（文書中の語）"
                },
                item.trigger.join("、")
            );
        }
        let _ = writeln!(out, "\n{}:", if en { "basis" } else { "根拠" });
        for b in &item.basis {
            let _ = writeln!(out, "  - {b}");
        }
        let _ = writeln!(out, "\n{}", item.explanation(language));
        let _ = writeln!(
            out,
            "\n{}:\n  {}",
            if en {
                "model clause"
            } else {
                "ひな形条項"
            },
            item.model_clause.trim()
        );
        Some(out)
    }

    pub fn into_vec(self) -> Vec<Catalog> {
        self.0
    }
}

impl From<Vec<Catalog>> for Catalogs {
    fn from(catalogs: Vec<Catalog>) -> Self {
        Self(catalogs)
    }
}

impl std::ops::Deref for Catalogs {
    type Target = [Catalog];

    fn deref(&self) -> &[Catalog] {
        &self.0
    }
}

impl<'c> IntoIterator for &'c Catalogs {
    type Item = &'c Catalog;
    type IntoIter = std::slice::Iter<'c, Catalog>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'c> IntoIterator for &'c mut Catalogs {
    type Item = &'c mut Catalog;
    type IntoIter = std::slice::IterMut<'c, Catalog>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl std::ops::DerefMut for Catalogs {
    fn deref_mut(&mut self) -> &mut [Catalog] {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_line_and_column() {
        let err = parse_catalog("x.toml", "id = \"x\"\ntitle = 3\n").unwrap_err();
        assert_eq!((err.line, err.path.as_str()), (2, "x.toml"));
        let unknown = parse_catalog(
            "y.toml",
            "id = \"y\"\ntitle = \"t\"\nkinds = []\nbogus = 1\n[[item]]\n",
        )
        .unwrap_err();
        assert_eq!(unknown.line, 4, "{unknown}");
    }

    #[test]
    fn duplicate_ids_and_missing_examples_are_rejected() {
        let item = |id: &str, examples: &str| {
            format!(
                "[[item]]\nid = \"{id}\"\ntitle = \"t\"\nbasis = [\"b\"]\nexplanation = \"e\"\nmodel_clause = \"m\"\n[item.match]\nall = [[\"秘密\"]]\n{examples}"
            )
        };
        let ex = "[[item.example]]\ntext = \"秘密\"\nexpect = \"present\"\n[[item.example]]\ntext = \"x\"\nexpect = \"missing\"\n";
        let head = "id = \"c\"\ntitle = \"t\"\nkinds = [\"consignment-contract\"]\n";
        let dup = format!("{head}{}{}", item("a", ex), item("a", ex));
        let err = parse_catalog("c.toml", &dup).unwrap_err();
        assert!(err.message.en.contains("duplicate"), "{err}");
        assert_eq!(err.line, 19);
        let no_examples = format!("{head}{}", item("a", ""));
        assert!(
            parse_catalog("c.toml", &no_examples)
                .unwrap_err()
                .message
                .en
                .contains("example")
        );
        assert!(parse_catalog("c.toml", &format!("{head}{}", item("a", ex))).is_ok());
    }

    /// A privacy-notice catalog of one item whose `[item.match]` table is `matching`, with a
    /// `present` example and a missing one.
    fn notice_item(matching: &str, present: &str) -> String {
        format!(
            "id = \"c\"\ntitle = \"t\"\nkinds = [\"privacy-notice\"]\n[[item]]\nid = \"a\"\ntitle = \"t\"\nbasis = [\"b\"]\nexplanation = \"e\"\nmodel_clause = \"m\"\n[item.match]\n{matching}\n[[item.example]]\ntext = \"{present}\"\nexpect = \"present\"\n[[item.example]]\ntext = \"x\"\nexpect = \"missing\"\n"
        )
    }

    /// `match.others` reads another organisation's block out of a document-wide item alone:
    /// on an item of another scope it is refused at its key.
    #[test]
    fn others_belong_to_document_items() {
        let catalog = |scope: &str| {
            notice_item(
                &format!(
                    "scope = \"{scope}\"\nall = [[\"株式会社\"], [\"東京都\"]]\nothers = [\"苦情解決の連絡先\"]"
                ),
                "株式会社サンプル 東京都",
            )
        };
        assert!(parse_catalog("c.toml", &catalog("document")).is_ok());
        let text = catalog("article");
        let err = parse_catalog("c.toml", &text).unwrap_err();
        assert!(err.message.en.contains("match.others"), "{err}");
        assert_eq!(err.line, 13, "{err}");
    }

    /// `match.elsewhere` names a group of `match.all` and brings groups of its own; a group
    /// that does not exist, or an empty `elsewhere.all`, is refused at its value.
    #[test]
    fn elsewhere_names_a_group_of_all() {
        let catalog = |elsewhere: &str| {
            notice_item(
                &format!(
                    "scope = \"article\"\nall = [[\"開示\"], [\"窓口\"]]\n[item.match.elsewhere]\n{elsewhere}"
                ),
                "開示の窓口",
            )
        };
        assert!(parse_catalog("c.toml", &catalog("group = 1\nall = [[\"電話\"]]")).is_ok());
        let text = catalog("group = 2\nall = [[\"電話\"]]");
        let err = parse_catalog("c.toml", &text).unwrap_err();
        assert_eq!((err.line, err.column), position(&text, "2\nall"), "{err}");
        assert!(err.message.en.contains("no group 2"), "{err}");
        let text = catalog("group = 1\nall = []");
        let err = parse_catalog("c.toml", &text).unwrap_err();
        assert!(err.message.en.contains("match.elsewhere.all"), "{err}");
    }

    /// A catalog of one item with conflict patterns, `extra` added to the item (before its
    /// tables) and `section` before the items.
    fn one_item(section: &str, extra: &str, conflict: &str) -> String {
        format!(
            "id = \"c\"\ntitle = \"t\"\nkinds = [\"consignment-contract\"]\n{section}\n[[item]]\nid = \"a\"\ntitle = \"t\"\nbasis = [\"b\"]\nexplanation = \"e\"\nmodel_clause = \"m\"\n{extra}\n[item.match]\nall = [[\"秘密\"]]\n[[item.conflict]]\n{conflict}\nmessage = \"m\"\n[[item.example]]\ntext = \"秘密\"\nexpect = \"present\"\n[[item.example]]\ntext = \"x\"\nexpect = \"missing\"\n[[item.example]]\ntext = \"y\"\nexpect = \"conflict\"\n"
        )
    }

    /// The 1-based line and column of the first `needle` in `text`.
    fn position(text: &str, needle: &str) -> (usize, usize) {
        let at = text.find(needle).expect("needle");
        line_column(text, at)
    }

    #[test]
    fn every_term_list_is_validated_where_it_is_written() {
        let fine = "all = [[\"再委託\"]]\nlacking = [[\"承諾\", \"re:同意|許諾\"]]";
        // (section, item lines, conflict lines, the value the error must point at, what it says)
        let cases = [
            (
                "",
                "",
                "all = []",
                "[]",
                "conflict.all: needs at least one group",
            ),
            ("", "", "all = [[\"再委託\"], []]", "[]]", "empty group"),
            ("", "", "all = [[\"再委託\", \"\"]]", "\"\"]]", "empty term"),
            (
                "",
                "",
                "all = [[\"re:(再委託\"]]",
                "\"re:(",
                "unclosed group",
            ),
            (
                "",
                "",
                "all = [[\"再委託\"]]\nlacking = [[\"承諾\", \"re:[同意\"]]",
                "\"re:[",
                "bad pattern",
            ),
            (
                "",
                "trigger = [\"共同利用\", \"re:共同(\"]",
                fine,
                "\"re:共同(",
                "trigger",
            ),
            (
                "",
                "trigger = [\"移転\"]\ntrigger_denied_with = [\"re:*\"]",
                fine,
                "\"re:*",
                "trigger_denied_with",
            ),
            (
                "[section]\nheading = [\"re:直接(\"]",
                "",
                fine,
                "\"re:直接(",
                "[section] heading",
            ),
            (
                "[section]\nheading = [\"直接\"]\nunless = [\"\"]",
                "",
                fine,
                "\"\"]",
                "[section] unless",
            ),
            (
                "[section]\nheading = []\nstatement = [[\"JIS\"], []]",
                "",
                fine,
                "[]]",
                "[section] statement",
            ),
            (
                "[section]\nheading = []\noutline = [[\"re:(\"]]\noutline_min = 1",
                "",
                fine,
                "\"re:(",
                "[section] outline",
            ),
            (
                "[section]\nheading = []",
                "",
                fine,
                "[section]",
                "no heading, statement or outline",
            ),
            (
                "[section]\nheading = [\"a\"]\noutline = [[\"b\"]]\noutline_min = 2",
                "",
                fine,
                "2",
                "outline_min",
            ),
            (
                "[section]\nheading = [\"a\"]\noutline = [[\"b\"]]\noutline_min = 1\nconsent = [[\"同意する\"]]\nconsent_outline_min = 3",
                "",
                fine,
                "3",
                "consent_outline_min",
            ),
            (
                "[section]\nheading = [\"a\"]\noutline = [[\"b\"]]\noutline_min = 1\nconsent = [[\"re:(\"]]\nconsent_outline_min = 1",
                "",
                fine,
                "\"re:(\"]]\nconsent_outline_min",
                "consent",
            ),
            (
                "[section]\nheading = [\"a\"]\noutline = [[\"b\"]]\noutline_min = 1\nmarked_outline_min = 4",
                "",
                fine,
                "4",
                "marked_outline_min",
            ),
            (
                "[section]\nheading = [\"a\"]\noutline = [[\"b\"]]\noutline_min = 1\nnote_outline_min = 5",
                "",
                fine,
                "5",
                "note_outline_min",
            ),
            (
                "[section]\nheading = [\"a\"]\noutline = [[\"b\"], [\"c\"], [\"d\"]]\noutline_min = 1\ngeneral = [[\"株主\"]]\ngeneral_min = 2",
                "",
                fine,
                "2",
                "general_min",
            ),
            (
                "[section]\nheading = [\"a\"]\nvoluntariness = \"nope\"",
                "",
                fine,
                "\"nope\"",
                "voluntariness",
            ),
        ];
        for (section, extra, conflict, at, says) in cases {
            let text = one_item(section, extra, conflict);
            let err = parse_catalog("c.toml", &text).expect_err(&text);
            assert_eq!((err.line, err.column), position(&text, at), "{err}\n{text}");
            assert!(err.message.en.contains(says), "{err:?}");
            assert!(!err.message.ja.is_empty());
        }
        // the same places, well written
        let text = one_item(
            "[section]\nheading = [\"re:直接書面|書面により\"]\nstatement = [[\"JIS\"]]",
            "trigger = [\"re:共同(利用|して)\"]\ntrigger_denied_with = [\"提供\"]",
            fine,
        );
        parse_catalog("c.toml", &text).unwrap();
    }

    #[test]
    fn misspelt_keys_are_named_with_the_keys_that_would_do() {
        let text = one_item("", "trigers = [\"共同利用\"]", "all = [[\"再委託\"]]");
        let err = parse_catalog("c.toml", &text).unwrap_err();
        assert_eq!((err.line, err.column), position(&text, "trigers"), "{err}");
        assert!(
            err.message.en.contains("did you mean `trigger`?"),
            "{err:?}"
        );
        assert!(err.message.ja.contains("「trigger」の誤り"), "{err:?}");
    }
}
