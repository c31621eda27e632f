//! Diagnostics: stable codes, severities, bilingual messages, related
//! information and mechanical fixes. Ranges are original byte ranges.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How much a finding matters (a catalog item's, or a code's by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
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
    Placeholder,
    Bracket,
    UnknownKind,
    InvalidDirective,
}

impl Code {
    pub const ALL: [Code; 12] = [
        Code::MissingClause,
        Code::ConflictingClause,
        Code::ValueMismatch,
        Code::BrokenReference,
        Code::Numbering,
        Code::DefinedTerm,
        Code::OutdatedReference,
        Code::PhraseTypo,
        Code::Placeholder,
        Code::Bracket,
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
            Code::Placeholder => "placeholder",
            Code::Bracket => "bracket",
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
    /// What the code finds, and an example of its fix, in one language (`kiyaku explain`,
    /// the SARIF rules).
    pub fn text(self, language: Language) -> (&'static str, &'static str) {
        let doc = code_doc(self);
        match language {
            Language::Ja => (doc.what_ja, doc.example_ja),
            Language::En => (doc.what_en, doc.example_en),
        }
    }

    /// `kiyaku explain <code>`: the code, what it finds and how to fix it.
    pub fn explain(self, language: Language) -> String {
        let (what, example) = self.text(language);
        format!("{}\n\n{what}\n\n{example}\n", self.as_str())
    }
}

/// What a code finds and how to fix it, in both languages: what `kiyaku explain`, the
/// SARIF rules and the editor's hover say of it.
struct CodeDoc {
    what_ja: &'static str,
    what_en: &'static str,
    example_ja: &'static str,
    example_en: &'static str,
}

fn code_doc(code: Code) -> CodeDoc {
    let d = |what_ja, what_en, example_ja, example_en| CodeDoc {
        what_ja,
        what_en,
        example_ja,
        example_en,
    };
    match code {
        Code::MissingClause => d(
            "文書の種類に応じたカタログ（個人情報保護法の公表事項、会社の規程が委託契約に求める事項など）の必須条項が見当たりません。条項は「概念のまとまり」（例: 再委託＋承諾）が一つの文・号・条の中にそろって初めて「あり」と判定されます。",
            "A required item of a catalog that applies to the document's kind (APPI publication items, the items a company's regulation requires in consignment contracts, …) is not found. An item counts as present only when all of its concept groups occur together in one sentence, list item or article.",
            "修正: クイックフィックスで、ひな形条項を該当する条の末尾に挿入できます。例: 「甲は、必要と認めるときは、乙の事業所に立ち入り、本個人情報の管理状況を監査することができる。」",
            "Fix: the quick fix inserts the item's model clause where it belongs.",
        ),
        Code::ConflictingClause => d(
            "必須事項に反する条項です（委託者の承諾なしに再委託を認める、目的外利用を認める、秘密保持義務を免除する、訂正・利用停止に手数料を課す、など）。",
            "A clause says the opposite of a required item (re-consignment without consent, use beyond the purpose, confidentiality waived, a fee for correction or suspension, …).",
            "例: 「乙は、本業務の一部を第三者に再委託することができる。」→「乙は、甲の事前の書面による承諾を得た場合に限り、本業務の一部を第三者に再委託することができる。」",
            "Example: allow re-consignment only with the consignor's prior written consent.",
        ),
        Code::ValueMismatch => d(
            "金額・期間・件数が、カタログの制約や同時に検査した他の文書と食い違っています（例: 方針では開示手数料無料、規程では500円）。",
            "An amount, period or count contradicts the catalog or another document checked together.",
            "修正: どちらの文書が正しいかを確認し、もう一方を合わせてください。",
            "Fix: decide which document is right and align the other.",
        ),
        Code::BrokenReference => d(
            "「第N条第M項」「前条」「同項」「イ」などの参照先が文書内に存在しないか、種類が違います。",
            "An internal reference (第N条第M項, 前条, 同項, a list label) points to nothing or to the wrong kind of unit.",
            "例: 第34条第1項第1号の細目が①②③なのに「イ」「ウ」を参照している → 「①」「②」に直す。",
            "Example: a reference to イ where the sub-items are ①②③.",
        ),
        Code::Numbering => d(
            "条・項・号・章の番号に欠番・重複・順序の誤りがあります。",
            "Articles, paragraphs, items or chapters have gaps, duplicates or are out of order.",
            "例: (5) の次に (6) が二つある → 後の方を (7) に直す。",
            "Example: two items numbered (6).",
        ),
        Code::DefinedTerm => d(
            "定義した用語（以下「当社」という）が別の語（弊社、当事務所）に置き換わっている、定義前に使われている、二重に定義されている、定義が使われていない、のいずれかです。",
            "A defined term is replaced by a variant, used before its definition, defined twice, or never used.",
            "例: 「当社」と定義した文書で「弊社」→「当社」に統一。",
            "Example: 弊社 where 当社 is defined → 当社.",
        ),
        Code::OutdatedReference => d(
            "改正・廃止前の条番号、規格名、書類を参照しています（2022年4月改正前の個人情報保護法の条番号、日本工業規格、旧版のJIS Q 15001、通知カードなど）。",
            "A reference is outdated: pre-2022 APPI article numbers, 日本工業規格, superseded JIS Q 15001 editions, 通知カード, ….",
            "例: 「個人情報保護法23条」（第三者提供）→「個人情報保護法第27条」",
            "Example: 個人情報保護法23条 (third-party provision) → 第27条.",
        ),
        Code::PhraseTypo => d(
            "法令の定型句に、同じ読みの別の語や紛れ込んだ文字があります（形態素解析の読みで検出）。",
            "A fixed legal phrase contains a same-reading wrong word or a stray character (found through readings).",
            "例: 「漏えい、滅失及び既存」→「漏えい、滅失及び毀損」",
            "Example: 既存 (existing) for 毀損 (damage), both read キソン.",
        ),
        Code::Placeholder => d(
            "テンプレートの記入漏れが残っています: ○○・●●（○○株式会社、○○○○年○○月○○日、別添○）、【会社名】、XXXX、テンプレート変数（{data.clientName}）、作成時の注記（（必要に応じて記載））。公表する方針や署名に回す契約書には残さないでください。",
            "A template placeholder is left unfilled: ○○/●● for names and dates, 【会社名】, XXXX, a template variable ({data.clientName}) or a drafting note (（必要に応じて記載）).",
            "例: 「○○地方裁判所を第一審の専属的合意管轄裁判所とする」→「東京地方裁判所を…」",
            "Example: ○○地方裁判所 → the actual court, e.g. 東京地方裁判所.",
        ),
        Code::Bracket => d(
            "「」や（）が文の中で対応していません: 閉じられていない開き括弧、開かれていない閉じ括弧、全角の「（」を半角の「)」で閉じているもの。引用や括弧書きが後ろの文まで続いてしまい、条項の範囲が読み違えられます。",
            "Brackets 「」 or （） do not pair up: an opening never closed, a closing never opened, or a full-width （ closed by a half-width ).",
            "例: 「業務委託先（再委託先を含みます。)」→「業務委託先（再委託先を含みます。）」",
            "Example: （再委託先を含みます。) → （再委託先を含みます。）",
        ),
        Code::UnknownKind => d(
            "文書の種類を判定できず、必須条項の検査をしていません。",
            "The document's kind could not be decided, so no required-clause catalog was applied.",
            "修正: `--kind regulation` か文書内の `<!-- kiyaku: kind=regulation -->` で指定。",
            "Fix: --kind, a kiyaku.toml glob, or an in-document directive.",
        ),
        Code::InvalidDirective => d(
            "文書内の kiyaku 指示が読めず、何もしていません: 不明な文書の種類（kind=…）、綴りの誤った指示（kiyaku-disabel）、不明な診断コードや項目 ID（code=defined-terms）、item= か code= 一つ以外の書き方、閉じていないコメント。",
            "An in-document kiyaku directive cannot be read and does nothing: an unknown kind (kind=…), a misspelt directive (kiyaku-disabel), an unknown code or item id (code=defined-terms), anything but one item= or code=, a comment never closed.",
            "修正: 種類は privacy-notice / regulation / consignment-contract のいずれか。抑止は <!-- kiyaku-disable code=defined-term --> … <!-- kiyaku-enable --> のように書く。",
            "Fix: a kind is privacy-notice, regulation or consignment-contract; a suppression reads <!-- kiyaku-disable code=defined-term --> … <!-- kiyaku-enable -->.",
        ),
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
        let codes = Code::ALL.map(Code::as_str);
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
