//! The word lists the checks read (`dictionaries/vocabulary.toml`): the words that tell a
//! document's kind, self-names, statutory terms, annex headings, the parties' names of
//! contracts, words too common to recognise an item by. Data, not code, so that
//! they can be read and extended without reading the checks.

use std::sync::LazyLock;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Vocabulary {
    pub polarity: PolarityWords,
    pub matcher: MatcherWords,
    pub broken_reference: BrokenReferenceWords,
    pub kind: KindWords,
    pub defined_term: DefinedTermWords,
    pub contract: ContractWords,
    pub derive: DeriveWords,
    pub document: DocumentWords,
}

/// What the division of a document into clause units reads (`document`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DocumentWords {
    /// Lines that close a notice's last numbered heading by themselves (「以上」).
    pub closing_lines: Vec<String>,
    /// Words that, with a date on a short line of their own, record the text's adoption or
    /// revision (制定, 改定, 施行).
    pub adoption_words: Vec<String>,
    /// Words that end the title of an instrument (「さぽかっぷ利用規約」「…に関する覚書」): such a
    /// title over articles numbered from 第1条 again starts a second instrument (`structure`).
    pub instrument_endings: Vec<String>,
}

/// What the model clauses of a contract read (`engine`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContractWords {
    /// The consignor's names instead of 甲 (委託者, 委託元, 発注者).
    pub consignor_names: Vec<String>,
    /// The contractor's names instead of 乙 (受託者, 委託先, 受注者).
    pub contractor_names: Vec<String>,
}

/// The markers of a clause's polarity (`document::polarity`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolarityWords {
    pub exemption: Vec<String>,
    pub prohibition: Vec<String>,
    pub proviso_openers: Vec<String>,
    pub permission: Vec<String>,
}

/// What `broken-reference` reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BrokenReferenceWords {
    pub other_instruments: Vec<String>,
}

/// What the matcher reads besides the catalogs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MatcherWords {
    pub referral_markers: Vec<String>,
    pub personal_data: Vec<String>,
}

/// What kind detection reads (`kind::detect`): title words, then the body's words.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KindWords {
    pub regulation_titles: Vec<String>,
    pub regulation_title_unless: Vec<String>,
    pub contract_titles: Vec<String>,
    pub contract_titles_en: Vec<String>,
    pub terms_titles: Vec<String>,
    pub regulation_self_names: Vec<String>,
    pub notice_titles: Vec<String>,
    pub notice_subject_titles: Vec<String>,
    pub entrusting: Vec<String>,
    pub notice_purposes: Vec<String>,
    pub notice_requests: Vec<String>,
    pub body_contract: Vec<String>,
    pub body_regulation: Vec<String>,
    pub body_notice: Vec<String>,
    pub body_personal: Vec<String>,
    pub use_subjects: Vec<String>,
    pub use_verbs: Vec<String>,
    pub reader_data_subjects: Vec<String>,
    pub use_limits: Vec<String>,
    pub research_participation: Vec<String>,
    pub research_data: Vec<String>,
    pub research_consent: Vec<String>,
}

/// What `defined-term` reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DefinedTermWords {
    /// Ways a document names its own author (当社, 当院 …).
    pub self_names: Vec<String>,
    /// Terms the law (and the Civil Code, the subcontracting acts) defines.
    pub statutory: Vec<String>,
    /// Words that head an annex, an appendix, a schedule.
    pub part_headings: Vec<String>,
}

/// What `[derive]` reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeriveWords {
    /// Words too common in contracts to recognise an item by.
    pub generic: Vec<String>,
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    crate::tables::load(
        "vocabulary.toml",
        include_str!("../dictionaries/vocabulary.toml"),
    )
});

/// The word lists, loaded once.
pub fn vocabulary() -> &'static Vocabulary {
    &VOCABULARY
}

impl Vocabulary {
    /// Every list with its name, for the test that no list is empty or repeats a word.
    pub fn lists(&self) -> [(&'static str, &[String]); 38] {
        let k = &self.kind;
        [
            ("polarity.exemption", &self.polarity.exemption),
            ("polarity.prohibition", &self.polarity.prohibition),
            ("polarity.permission", &self.polarity.permission),
            ("polarity.proviso-openers", &self.polarity.proviso_openers),
            (
                "broken-reference.other-instruments",
                &self.broken_reference.other_instruments,
            ),
            ("matcher.referral-markers", &self.matcher.referral_markers),
            ("matcher.personal-data", &self.matcher.personal_data),
            ("kind.regulation-titles", &k.regulation_titles),
            ("kind.regulation-title-unless", &k.regulation_title_unless),
            ("kind.contract-titles", &k.contract_titles),
            ("kind.contract-titles-en", &k.contract_titles_en),
            ("kind.terms-titles", &k.terms_titles),
            ("kind.regulation-self-names", &k.regulation_self_names),
            ("kind.notice-titles", &k.notice_titles),
            ("kind.notice-subject-titles", &k.notice_subject_titles),
            ("kind.entrusting", &k.entrusting),
            ("kind.notice-purposes", &k.notice_purposes),
            ("kind.notice-requests", &k.notice_requests),
            ("kind.body-contract", &k.body_contract),
            ("kind.body-regulation", &k.body_regulation),
            ("kind.body-notice", &k.body_notice),
            ("kind.body-personal", &k.body_personal),
            ("kind.use-subjects", &k.use_subjects),
            ("kind.use-verbs", &k.use_verbs),
            ("kind.reader-data-subjects", &k.reader_data_subjects),
            ("kind.use-limits", &k.use_limits),
            ("kind.research-participation", &k.research_participation),
            ("kind.research-data", &k.research_data),
            ("kind.research-consent", &k.research_consent),
            ("contract.consignor-names", &self.contract.consignor_names),
            ("contract.contractor-names", &self.contract.contractor_names),
            ("defined-term.self-names", &self.defined_term.self_names),
            ("defined-term.statutory", &self.defined_term.statutory),
            (
                "defined-term.part-headings",
                &self.defined_term.part_headings,
            ),
            ("derive.generic", &self.derive.generic),
            ("document.closing-lines", &self.document.closing_lines),
            ("document.adoption-words", &self.document.adoption_words),
            (
                "document.instrument-endings",
                &self.document.instrument_endings,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_list_is_empty_or_repeats_a_word() {
        for (name, words) in vocabulary().lists() {
            assert!(!words.is_empty(), "{name} is empty");
            let mut seen = std::collections::HashSet::new();
            for w in words {
                assert!(seen.insert(w), "{name} repeats {w}");
                assert_eq!(w.trim(), w, "{name}: {w:?} has spaces around it");
            }
        }
    }
}
