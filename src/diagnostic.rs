//! Diagnostics: stable codes, severities, bilingual messages, related
//! information and mechanical fixes. Ranges are original byte ranges.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How much a finding matters (a catalog item's, or a code's by default).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The severity's name for people: 「警告」, or `warning` in English.
    pub fn name(self, language: Language) -> &'static str {
        match language {
            Language::Ja => match self {
                Severity::Info => "情報",
                Severity::Warning => "警告",
                Severity::Error => "エラー",
            },
            Language::En => self.as_str(),
        }
    }
}

/// Stable diagnostic codes, each documented beside what produces it (`codes::doc`;
/// `kiyaku explain <code>`, docs/codes.md).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Code {
    MissingClause,
    ConflictingClause,
    ValueMismatch,
    BrokenReference,
    Numbering,
    DefinedTerm,
    OutdatedReference,
    PhraseTypo,
    Placeholder,
    Bracket,
    UnknownKind,
    InvalidDirective,
}

impl Code {
    /// Every code, in the order of the documentation.
    pub const ALL: &'static [Code] = <Code as strum::VariantArray>::VARIANTS;

    /// The code's stable name (`missing-clause`), as in every output.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Code> {
        s.parse().ok()
    }

    /// Where the code is documented: its section of `docs/codes.md` as the crate's
    /// documentation renders it (the module `kiyaku::codes`), whose anchor is the code.
    pub fn url(self) -> String {
        format!(
            "https://docs.rs/kiyaku/latest/kiyaku/codes/index.html#{}",
            self.as_str()
        )
    }
}

/// A text fixed in both languages when kiyaku is built: a code's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bilingual {
    pub ja: &'static str,
    pub en: &'static str,
}

impl Bilingual {
    pub fn get(self, language: Language) -> &'static str {
        match language {
            Language::Ja => self.ja,
            Language::En => self.en,
        }
    }
}

/// What a diagnostic code finds and how to fix it, in both languages. Each code's lives
/// beside what produces it (`checks::broken_reference::DOC`, …) and `codes::doc` finds
/// it: `kiyaku explain`, the SARIF rules, the HTML report, the editor's hover and
/// `docs/codes.md` all read it there.
#[derive(Debug, Clone, Copy)]
pub struct CodeDoc {
    pub code: Code,
    /// A short heading (the HTML report's, the documentation's).
    pub title: Bilingual,
    /// What the code finds, in a few sentences (the first is the SARIF rule's short
    /// description).
    pub what: Bilingual,
    /// What it reports and what it leaves alone, in detail (documentation).
    pub details: Bilingual,
    /// Why such a finding matters (documentation).
    pub why: Bilingual,
    /// A finding and its correction, or the correction itself: what `kiyaku explain`, the
    /// SARIF rule's help and the hover print after `what`.
    pub example: Bilingual,
    /// How to correct such a finding (documentation).
    pub fix: Bilingual,
}

/// Messages come in Japanese (the default) and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Ja,
    En,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub ja: String,
    pub en: String,
}

impl Language {
    /// The language of a configuration's `language` value (`ja` or `en`; anything else is
    /// reported by `config` and asks for none).
    pub fn of_setting(value: Option<&str>) -> Option<Language> {
        match value {
            Some("ja") => Some(Language::Ja),
            Some("en") => Some(Language::En),
            _ => None,
        }
    }
}

impl Text {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ja: ja.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Ja => &self.ja,
            Language::En => &self.en,
        }
    }
}

/// Another place that explains a diagnostic: the legal basis (no location), the
/// regulation article a derived item comes from, or the other document of a mismatch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub message: Text,
    /// Path and 1-based line of the related place, when it is in a file.
    pub location: Option<(String, usize)>,
}

/// A text edit the user may accept: replace `range` (original bytes) with `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub title: Text,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Full item id (`consignment/audit-right`) for catalog diagnostics.
    pub item: Option<String>,
    pub message: Text,
    pub range: Range<usize>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Set when a suppression comment or the configuration silenced it (still reported in JSON).
    pub suppressed: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, severity: Severity, message: Text, range: Range<usize>) -> Self {
        Self {
            code,
            severity,
            item: None,
            message,
            range,
            related: Vec::new(),
            fix: None,
            suppressed: None,
        }
    }
}

/// The candidate closest to `word` when it is a likely misspelling of it (at most two
/// edits, and fewer than a third of its characters), for "did you mean" hints.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word: Vec<char> = word.chars().collect();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, c), c))
        .filter(|&(d, _)| d > 0 && d <= 2 && d * 3 <= word.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, a transposition counted as one edit.
fn edit_distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![(0..=b.len()).collect::<Vec<usize>>(); a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_are_matched_and_strangers_are_not() {
        let codes: [&str; 12] = std::array::from_fn(|i| Code::ALL[i].as_str());
        assert_eq!(did_you_mean("defined-terms", codes), Some("defined-term"));
        assert_eq!(did_you_mean("numberng", codes), Some("numbering"));
        assert_eq!(
            did_you_mean("disabel", ["disable", "enable"]),
            Some("disable")
        );
        assert_eq!(
            did_you_mean("audti-right", ["audit-right", "no-removal"]),
            Some("audit-right")
        );
        assert_eq!(did_you_mean("fr", ["ja", "en"]), None);
        assert_eq!(did_you_mean("numbering", codes), None, "exact is no hint");
        assert_eq!(did_you_mean("something-else", codes), None);
    }
}
