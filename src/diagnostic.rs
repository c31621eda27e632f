//! Diagnostics: stable codes, severities, bilingual messages, related
//! information and mechanical fixes. Ranges are original byte ranges.

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use crate::catalog::Severity;

/// Stable diagnostic codes (documented by `kiyaku explain <code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    MissingClause,
    ConflictingClause,
    ValueMismatch,
    BrokenReference,
    Numbering,
    DefinedTerm,
    OutdatedReference,
    PhraseTypo,
    UnknownKind,
    InvalidDirective,
}

impl Code {
    pub const ALL: [Code; 10] = [
        Code::MissingClause,
        Code::ConflictingClause,
        Code::ValueMismatch,
        Code::BrokenReference,
        Code::Numbering,
        Code::DefinedTerm,
        Code::OutdatedReference,
        Code::PhraseTypo,
        Code::UnknownKind,
        Code::InvalidDirective,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingClause => "missing-clause",
            Code::ConflictingClause => "conflicting-clause",
            Code::ValueMismatch => "value-mismatch",
            Code::BrokenReference => "broken-reference",
            Code::Numbering => "numbering",
            Code::DefinedTerm => "defined-term",
            Code::OutdatedReference => "outdated-reference",
            Code::PhraseTypo => "phrase-typo",
            Code::UnknownKind => "unknown-kind",
            Code::InvalidDirective => "invalid-directive",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Where the code is documented.
    pub fn url(self) -> String {
        format!(
            "https://docs.rs/kiyaku/latest/kiyaku/explain/index.html#{}",
            self.as_str()
        )
    }
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
