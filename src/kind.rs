//! Document kinds and how a document's kind is decided: an in-document
//! directive, the configuration's globs, then the title and vocabulary.

use crate::resettable::Resettable;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::structure::Structure;
use crate::text::SourceText;
use crate::vocabulary::KindWords;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    PrivacyNotice,
    Regulation,
    ConsignmentContract,
    Unknown,
}

impl DocumentKind {
    /// Every kind, in the order of `index`.
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::PrivacyNotice,
        DocumentKind::Regulation,
        DocumentKind::ConsignmentContract,
        DocumentKind::Unknown,
    ];

    /// The kind's position in `ALL`.
    pub fn index(self) -> usize {
        match self {
            DocumentKind::PrivacyNotice => 0,
            DocumentKind::Regulation => 1,
            DocumentKind::ConsignmentContract => 2,
            DocumentKind::Unknown => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::PrivacyNotice => "privacy-notice",
            DocumentKind::Regulation => "regulation",
            DocumentKind::ConsignmentContract => "consignment-contract",
            DocumentKind::Unknown => "unknown",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            DocumentKind::PrivacyNotice => "個人情報保護方針・プライバシーポリシー",
            DocumentKind::Regulation => "個人情報取扱規程",
            DocumentKind::ConsignmentContract => "委託契約・覚書",
            DocumentKind::Unknown => "不明",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            DocumentKind::PrivacyNotice,
            DocumentKind::Regulation,
            DocumentKind::ConsignmentContract,
            DocumentKind::Unknown,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// How the kind was decided; printed as `kind_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KindSource {
    /// `--kind` on the command line or the editor's setting.
    Override,
    /// `kiyaku: { kind: … }` front matter or `<!-- kiyaku: kind=… -->`.
    Directive,
    /// A glob in `kiyaku.toml`.
    Config,
    /// The title and vocabulary.
    Detected,
}

fn directive_pattern() -> Arc<Regex> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"(?m)(?:<!--\s*kiyaku:\s*kind\s*=\s*([a-z-]+)\s*-->|^kiyaku:\s*\{\s*kind:\s*([a-z-]+)\s*\})")
            .expect("static regex")
    });
    RE.get()
}

/// The kind named by an in-document directive, with the directive's byte range.
pub fn directive(text: &str) -> Option<(Result<DocumentKind, String>, std::ops::Range<usize>)> {
    let c = first_directive(text, &directive_pattern())?;
    let name = c.get(1).or_else(|| c.get(2))?.as_str();
    let range = c.get(0)?.range();
    Some((
        DocumentKind::parse(name).ok_or_else(|| name.to_string()),
        range,
    ))
}

/// The first match of a directive's pattern that is not shown as an example, inside a
/// Markdown code fence or an inline code span (`<!-- kiyaku: kind=… -->`).
fn first_directive<'t>(text: &'t str, pattern: &Regex) -> Option<regex::Captures<'t>> {
    let mut candidates = pattern.captures_iter(text).peekable();
    // the fences are looked for only in a text that has a directive at all
    candidates.peek()?;
    let fences = code_fences(text);
    let shown = |m: regex::Match<'_>| {
        fences.iter().any(|f| f.contains(&m.start())) || text[..m.start()].ends_with('`')
    };
    candidates.find(|c| c.get(0).is_some_and(|m| !shown(m)))
}

/// The `notice` directive of a text with its byte range: `Ok` for `at-acquisition`, the
/// name written otherwise (reported as an invalid directive). `<!-- kiyaku:
/// notice=at-acquisition -->`, or `kiyaku: { notice: at-acquisition }` in front matter,
/// declares the text the notice given when personal information is acquired directly from
/// the person in writing (JIS Q 15001 A.3.4.2.5). A form's note that never names its form
/// reads like a general policy; its drafter knows where it is shown, and says so once.
pub fn notice_directive(text: &str) -> Option<(Result<(), String>, std::ops::Range<usize>)> {
    static RE: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"(?m)(?:<!--\s*kiyaku:\s*notice\s*=\s*([a-z-]+)\s*-->|^kiyaku:\s*\{\s*notice:\s*([a-z-]+)\s*\})")
            .expect("static regex")
    });
    // most texts hold no directive: a plain search first
    if !text.contains("kiyaku:") {
        return None;
    }
    let c = first_directive(text, &RE.get())?;
    let name = c.get(1).or_else(|| c.get(2))?.as_str();
    let range = c.get(0)?.range();
    Some((
        (name == "at-acquisition")
            .then_some(())
            .ok_or_else(|| name.to_string()),
        range,
    ))
}

/// Byte ranges of the Markdown code fences (``` or ~~~ at the start of a line, to the
/// closing fence or the end of the text).
fn code_fences(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut fences = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (open, marker) {
            (None, Some(m)) => open = Some((at, m)),
            (Some((start, m)), Some(close)) if close == m => {
                fences.push(start..at + line.len());
                open = None;
            }
            _ => {}
        }
        at += line.len();
    }
    if let Some((start, _)) = open {
        fences.push(start..text.len());
    }
    fences
}

/// A title in English: 「Data Processing Agreement (DPA) — テンプレート」.
fn english_processing_agreement(titles: &[&str]) -> bool {
    let words = &words().contract_titles_en;
    titles.iter().any(|t| {
        let lower = t.to_ascii_lowercase();
        words.iter().any(|w| lower.contains(w.as_str()))
    })
}

/// The word lists of `dictionaries/vocabulary.toml` that tell a kind.
fn words() -> &'static KindWords {
    &crate::vocabulary::vocabulary().kind
}

/// Whether `text` contains any of `words`.
fn contains_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| text.contains(w.as_str()))
}

/// Whether `text` holds one of `words` as a word of its own, not as the end of a longer one
/// (「弁護士職務基本規程を遵守し」 does not name the text 「本規程」).
fn contains_any_word(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| {
        text.match_indices(w.as_str()).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(crate::normalize::is_word_char)
        })
    })
}

/// Detects the kind from the title lines, then from the vocabulary of the body.
pub fn detect(source: &SourceText, structure: &Structure) -> DocumentKind {
    let words = words();
    // Title lines before the first unit, and a Markdown document's first heading.
    let first_heading = structure
        .roots
        .first()
        .map(|&i| &structure.units[i])
        .filter(|u| u.style == crate::structure::LabelStyle::Markdown)
        .and_then(|u| u.caption.as_deref());
    let titles: Vec<&str> = structure
        .title_lines
        .iter()
        .take(6)
        .map(|r| source.as_str()[r.clone()].trim())
        .chain(first_heading)
        .filter(|l| l.chars().count() <= 60)
        .collect();
    let any = |list: &[String]| titles.iter().any(|t| contains_any(t, list));
    // contracts, terms and notices are named by a title, not by a sentence that cites them
    // (「来期の方針を決めた。」 in a memo)
    let any_title = |list: &[String]| {
        titles
            .iter()
            .any(|t| !is_sentence(t) && contains_any(t, list))
    };
    // an ordinance is named by its title (「…施行条例」), not by a sentence that cites one
    // (「…「青森県個人情報保護条例」に基づき、…」)
    let ordinance = titles.iter().any(|t| t.ends_with("条例"));
    // nor by a sentence among the first lines that uses the word as a verb (「…法律に規定される
    // 個人情報を指します。」)
    if (ordinance || any_title(&words.regulation_titles)) && !any(&words.regulation_title_unless) {
        return DocumentKind::Regulation;
    }
    if any_title(&words.contract_titles) || english_processing_agreement(&titles) {
        return DocumentKind::ConsignmentContract;
    }
    // Terms of service, general conditions and purchase orders are consignment terms when
    // they make the vendor handle the customer's personal data on its behalf, and none of
    // the three kinds otherwise (they are not privacy notices, however often they say 当社).
    if any_title(&words.terms_titles) {
        return if entrusts_personal_data(source.as_str()) {
            DocumentKind::ConsignmentContract
        } else if publishes_notice_items(source.as_str())
            || asks_to_take_part_in_research(&body_counts(source.as_str()))
        {
            // (a research app's 「利用規約および実験説明書」 shown at first launch is the
            // explanation its participants read before their data are taken)
            DocumentKind::PrivacyNotice
        } else {
            DocumentKind::Unknown
        };
    }
    // A text whose first article calls it 「この規程」 is a regulation, whatever its title
    // says (some associations publish their 規程 under the heading 「個人情報保護方針」).
    let first_article = structure
        .articles()
        .next()
        .map(|(_, u)| &source.as_str()[u.span.clone()]);
    if first_article.is_some_and(|a| contains_any_word(a, &words.regulation_self_names)) {
        return DocumentKind::Regulation;
    }
    if any_title(&words.notice_titles) || any_title(&words.notice_subject_titles) {
        return DocumentKind::PrivacyNotice;
    }
    by_body_words(source.as_str())
}

/// Whether a line before the first unit is a sentence of the preamble, not a title: a
/// notice's 「（なお、本ポリシーにおける用語の定義は、本サービスに係る利用規約等に準じる
/// ものとします。）」 names the terms it defers to, and does not make the notice a set of terms
/// (while a preamble's 「以下の方針に基づき」 is the notice speaking of itself).
fn is_sentence(line: &str) -> bool {
    // (also a line that ends in a verb without its 「。」: a form's checkbox label
    // 「弊社規定の「個人情報保護方針」の内容に同意する」, an instruction 「…をご確認ください」)
    let line = line.trim_end();
    line.contains('。')
        || ["する", "します", "ください", "下さい", "できます", "ません"]
            .iter()
            .any(|end| line.ends_with(end))
}

/// Whether a text makes one party handle personal data on another's behalf.
fn entrusts_personal_data(text: &str) -> bool {
    // the law's exception for a public body 「又はその委託を受けた者が法令の定める事務を遂行
    // する」 (APPI Art. 27(1)(iv)), quoted by every notice's third-party clause, entrusts nothing
    let text = text
        .replace("その委託を受けた者", "")
        .replace("その委託を受けたもの", "");
    contains_any(&text, &words().entrusting)
}

/// Whether terms of service hold the privacy notice of the data they collect: the purposes of
/// use and where requests for disclosure go (a job site's application terms with an article
/// 「個人情報の利用目的」 and 「開示等の申出先」), not a passing mention of personal data.
fn publishes_notice_items(text: &str) -> bool {
    let words = words();
    contains_any(text, &words.notice_purposes) && contains_any(text, &words.notice_requests)
}

/// The body's telling words of each kind (contract, regulation, notice, personal data), then
/// those of a research project's explanation to its participants (taking part, the data,
/// consent), in the order `body_counts` returns their counts.
fn body_lists(words: &KindWords) -> [&[String]; 7] {
    [
        &words.body_contract,
        &words.body_regulation,
        &words.body_notice,
        &words.body_personal,
        &words.research_participation,
        &words.research_data,
        &words.research_consent,
    ]
}

/// One automaton over every telling word of the body, each pattern tagged with its list.
/// Why: counting each word with its own pass read a large document dozens of times on every
/// keystroke whose title did not decide the kind.
struct BodyWords {
    automaton: aho_corasick::AhoCorasick,
    list_of_pattern: Vec<usize>,
}

static BODY_WORDS: Resettable<BodyWords> = Resettable::new(|| {
    let lists = body_lists(words());
    let patterns: Vec<&str> = lists
        .iter()
        .flat_map(|list| list.iter().map(String::as_str))
        .collect();
    let list_of_pattern = lists
        .iter()
        .enumerate()
        .flat_map(|(i, list)| std::iter::repeat_n(i, list.len()))
        .collect();
    BodyWords {
        automaton: aho_corasick::AhoCorasick::new(patterns).expect("vocabulary words are plain"),
        list_of_pattern,
    }
});

/// How often the words of each list of `body_lists` stand in `text`, each word counted as
/// `str::matches` counts it (occurrences that do not overlap one another; words of other
/// lists, and other words of the same list, may overlap: 「個人情報」 in 「特定個人情報」).
fn body_counts(text: &str) -> [usize; 7] {
    let body = BODY_WORDS.get();
    let mut counts = [0; 7];
    let mut next_start = vec![0usize; body.list_of_pattern.len()];
    for m in body.automaton.find_overlapping_iter(text) {
        let pattern = m.pattern().as_usize();
        if m.start() >= next_start[pattern] {
            next_start[pattern] = m.end();
            counts[body.list_of_pattern[pattern]] += 1;
        }
    }
    counts
}

/// Fallback: count telling words of each kind in the body.
fn by_body_words(text: &str) -> DocumentKind {
    let counts = body_counts(text);
    let [contract, regulation, notice, personal, ..] = counts;
    let best = contract.max(regulation).max(notice);
    // a memo, a README or a general contract that only mentions 当社 or お客様 is none of the
    // three: each kind is about personal information, and says so more than in passing
    if best < 3 || personal < 2 {
        if says_what_is_done_with_the_data(text) || asks_to_take_part_in_research(&counts) {
            DocumentKind::PrivacyNotice
        } else {
            DocumentKind::Unknown
        }
    } else if best == contract {
        DocumentKind::ConsignmentContract
    } else if best == regulation {
        DocumentKind::Regulation
    } else {
        DocumentKind::PrivacyNotice
    }
}

/// Whether a text (by its `body_counts`) asks its reader to take part in a research project
/// (an experiment, a survey) and says what becomes of the data, asking consent or saying
/// taking part is voluntary: the explanation a participant reads before the data are taken.
fn asks_to_take_part_in_research(counts: &[usize; 7]) -> bool {
    let [.., participation, data, consent] = *counts;
    participation > 0 && data > 0 && consent > 0
}

/// Whether one sentence of a text says what is done with the personal data the reader gives
/// (`use-subjects`, then `use-verbs`; or `reader-data-subjects`, then `use-limits`): the whole
/// of a short note beside a form.
fn says_what_is_done_with_the_data(text: &str) -> bool {
    let words = words();
    let said = |sentence: &str, subjects: &[String], verbs: &[String]| {
        subjects
            .iter()
            .filter_map(|subject| sentence.find(subject.as_str()))
            .min()
            .is_some_and(|at| contains_any(&sentence[at..], verbs))
    };
    text.split('。').any(|sentence| {
        said(sentence, &words.use_subjects, &words.use_verbs)
            || said(sentence, &words.reader_data_subjects, &words.use_limits)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_counted_as_each_word_alone_counts_it() {
        let texts = [
            "特定個人情報と個人情報、個人データ。当社は当社はお客様のお客さま。甲は乙は本契約。本規程この規程",
            "お申し込みお申込みご記入ご入力 本 DPA 本DPA データ処理契約 処理者は 責任者は職員は従業者は",
            "",
            "個人情報個人情報個人情報",
        ];
        for text in texts {
            let expected = body_lists(words()).map(|list| {
                list.iter()
                    .map(|w| text.matches(w.as_str()).count())
                    .sum::<usize>()
            });
            assert_eq!(body_counts(text), expected, "{text}");
        }
    }

    /// Asserts that each of `texts` is detected as `kind`.
    fn assert_kind_of_each(texts: &[&str], kind: DocumentKind) {
        for text in texts {
            assert_eq!(kind_of(text), kind, "{text}");
        }
    }

    fn kind_of(text: &str) -> DocumentKind {
        let src = SourceText::new(text.to_string());
        let s = crate::structure::parse(&src);
        detect(&src, &s)
    }

    #[test]
    fn a_regulation_published_under_a_policy_title_is_a_regulation() {
        assert_eq!(
            kind_of(
                "個人情報保護方針\n（目的）\n第1条 この規程は、協会が保有する個人情報の取扱いを定める。\n"
            ),
            DocumentKind::Regulation
        );
        assert_eq!(
            kind_of("個人情報保護方針\n第1条 当協会は、個人情報を適切に取り扱います。\n"),
            DocumentKind::PrivacyNotice
        );
    }

    #[test]
    fn an_english_processing_agreement_title_is_a_contract() {
        assert_eq!(
            kind_of(
                "Data Processing Agreement (DPA) — テンプレート\n第1条 (定義)\n本契約において…\n"
            ),
            DocumentKind::ConsignmentContract
        );
    }

    #[test]
    fn detects_from_title() {
        assert_eq!(
            kind_of("個人情報保護方針\n個人情報に関する基本規程\n第1条 目的"),
            DocumentKind::Regulation
        );
        assert_eq!(
            kind_of("個人情報の取扱いに関する覚書\n第1条 甲は"),
            DocumentKind::ConsignmentContract
        );
        assert_eq!(
            kind_of("プライバシーポリシー\n1. 基本方針\n"),
            DocumentKind::PrivacyNotice
        );
        assert_eq!(kind_of("メモ\n"), DocumentKind::Unknown);
        // a form's checkbox label that names the company's 規定 is no regulation's title
        assert_eq!(
            kind_of(
                "お問い合わせフォーム\n弊社規定の「個人情報保護方針」の内容に同意する\n個人情報保護方針\n【個人情報の利用目的】\nお問い合わせへの回答のため\n"
            ),
            DocumentKind::PrivacyNotice
        );
        // a sentence among the first lines that says 規定 is no regulation's title
        assert_eq!(
            kind_of(
                "プライバシーポリシー\n個人情報の定義\n本ポリシーにおける個人情報とは、法律に規定される個人情報を指します。\n利用目的\n当事務所は取得した個人情報を以下の目的で利用します。\n"
            ),
            DocumentKind::PrivacyNotice
        );
        assert_eq!(
            kind_of(
                "個人情報取扱規程\n（目的）\n第1条 この規程は、当社における個人情報の取扱いを定める。\n"
            ),
            DocumentKind::Regulation
        );
    }

    #[test]
    fn the_notes_under_a_form_that_speak_of_personal_information_are_a_notice() {
        assert_eq!(
            kind_of(
                "資料請求フォーム\n・ご入力内容をご確認のうえ、送信してください。お申込み確認メールをお送りします。\n※お申込みの際にいただいた個人情報は、当グループにおいて適正に管理いたします。\n※ご記入いただいた氏名・住所等の個人情報は、資料の発送にのみ利用いたします。\n"
            ),
            DocumentKind::PrivacyNotice
        );
        // the same words in a page that says nothing of personal information
        assert_eq!(
            kind_of(
                "資料請求フォーム\n・ご入力内容をご確認のうえ、送信してください。お申込み確認メールをお送りします。\n※お申込みの受付は平日のみです。ご記入の誤りにご注意ください。\n"
            ),
            DocumentKind::Unknown
        );
    }

    #[test]
    fn a_short_note_that_says_what_is_done_with_the_data_is_a_notice() {
        assert_kind_of_each(
            &[
                // a seminar booking's one sentence, the data named once
                "住まいフェア2025\n※個人情報は、セミナーの受付とご案内に使用させていただく場合がございます。\nフェア事務局\n",
                // a campaign's terms: the customer's information, never called 個人情報
                "＜応募規約＞\n●ご記入いただいたお客様情報は、賞品の発送のために使用させていただきます。\n●ご応募は1回限りとさせていただきます。\n",
                // a campaign's notes that hand the data to a contractor
                "注意事項\n本キャンペーンは予告なく変更する場合があります。\n取得した応募者の個人情報は、ポイント付与を目的として株式会社サンプルに取扱いを委託いたします。\n",
                // a list between the subject and its verb
                "資料請求\nご登録頂いた住所・氏名その他の個人情報は\n・資料の発送\n・学校からのお知らせ\nをおこなうために利用いたします。\n",
                // the limit the note keeps, its subject what the reader writes in
                "練習会申込フォーム\n【個人情報の取り扱い】ご入力いただいた情報は、運営および緊急連絡以外の目的には使用しません。\n申し込む\n",
                "買取依頼書兼同意書\n・当依頼書にご記入いただいた個人情報は厳重に管理し、法令による要請を除き第三者への提供はいたしません。\n上記に全て同意し、買取を依頼します\n",
                // a text with no title whose opening sentence says it sets out the handling
                "保育園の個人情報(園児と保護者を特定することのできる情報)の取り扱いについて明示しますので、ご理解ご協力をお願いします。\n1.利用目的\n日々の保育のために利用します。\n",
            ],
            DocumentKind::PrivacyNotice,
        );
        assert_kind_of_each(
            &[
                // a rule in the negative is no notice's statement
                "作業メモ\n個人情報は作業以外に利用しないこと。\n",
                // the verb before the data, in another sentence
                "お知らせ\n会議室を利用します。個人情報の件は次回に話します。\n",
                // personal information mentioned, nothing done with it
                "キャンペーン注意事項\n個人情報の取扱いは別に定めます。\nご応募は1回限りです。\n",
                // a limit whose subject is not what the reader writes in
                "業務メモ\n受託した個人情報は委託業務以外に使用しません。\n",
                // what the reader writes in, with no limit on its use
                "申込フォーム\nご入力いただいた内容をご確認ください。個人情報の欄は必須です。\n",
                // a memo that weighs setting out the handling, not a text that does
                "議事録\n個人情報の取扱いについて明示すべきかを次回に話す。\n会議室を予約する。\n",
            ],
            DocumentKind::Unknown,
        );
    }

    #[test]
    fn a_title_that_names_personal_information_is_a_notice() {
        assert_kind_of_each(
            &[
                "個人情報の取り扱い\n本企画の主催は株式会社サンプルです。\n",
                "個人情報保護について\n当機構は、取得する個人情報を適正に取り扱います。\n",
            ],
            DocumentKind::PrivacyNotice,
        );
        // a regulation and a contract keep their kinds; a sentence that names personal
        // information is no title
        assert_eq!(
            kind_of("個人情報保護規程\n第1条 この規程は、個人情報の取扱いを定める。\n"),
            DocumentKind::Regulation
        );
        assert_eq!(
            kind_of("個人情報の取扱いに関する覚書\n甲と乙は、次のとおり合意する。\n"),
            DocumentKind::ConsignmentContract
        );
        assert_eq!(
            kind_of("議事録\n個人情報の件は次回に話す。\n会議室を予約する。\n"),
            DocumentKind::Unknown
        );
    }

    #[test]
    fn a_research_projects_explanation_to_its_participants_is_a_notice() {
        assert_kind_of_each(
            &[
                "研究へのご協力のお願い\n以下の説明をお読みいただき、研究への参加にご同意いただける場合は、「同意して実験を開始する」ボタンを押してください。\n研究の目的\n本研究は、文字列の可読性を評価することを目的としています。\nデータの取り扱い\n得られたデータは匿名化して分析します。\n",
                "利用規約\n「利用規約および実験説明書」\n本研究のアプリケーションにご参加いただく方への説明です。\n研究への参加は任意です。\n収集したデータは匿名化して分析します。\n",
                "研究参加のご案内\nニュース記事に関するアンケート\n回答データの取り扱い\n回答内容は研究目的のみに使用します。\n参加について\n本研究への参加は任意です。参加しないことによる不利益はありません。\n",
                "実験参加の説明\n本実験では課題に回答していただきます。\nプライバシーの保護\n回答は全て匿名で扱われます。\n説明事項をよく読み、理解した上で、研究参加に同意します。\n",
            ],
            DocumentKind::PrivacyNotice,
        );
        assert_kind_of_each(
            &[
                // a paper's README reports consent obtained and asks the reader nothing
                "# Dataset\n本研究のデータは実験参加者20名から収集した。参加者の同意を得た。\n",
                // a call for participants that says nothing of the data
                "実験参加者募集\n本実験に参加していただける方を募集します。謝礼は1000円です。参加は任意です。\n",
            ],
            DocumentKind::Unknown,
        );
    }

    #[test]
    fn memos_readmes_and_general_contracts_are_none_of_the_three() {
        assert_kind_of_each(
            &[
                "定例会議メモ\n当社は来期の販売計画を確認した。お客様からのお問い合わせ件数が増えている。当社は窓口を増やす。お客様満足度の調査を行う。\n",
                "# policies\nThis repository holds our policies.\n当社は、お客様の声を大切にします。当社は、お客様に誠実に対応します。お問い合わせはこちら。\n",
                "秘密保持契約\n甲は、乙に対し営業秘密を開示する。乙は、本契約の目的以外に使用しない。甲は乙の求めに応じて資料を返還させる。乙は甲の承諾なく第三者に開示しない。\n",
                // a notice's title word in a sentence of the body names no notice
                "議事録\n来期の方針を決めた。\n会議室を予約する。\n",
            ],
            DocumentKind::Unknown,
        );
        // a body that is about personal information still falls back to its vocabulary
        assert_eq!(
            kind_of(
                "ご案内\n当社は、お客様の個人情報を次の利用目的で利用します。当社は、個人情報を第三者に提供しません。お問い合わせは窓口まで。\n"
            ),
            DocumentKind::PrivacyNotice
        );
    }

    #[test]
    fn a_notice_at_acquisition_is_declared_by_a_directive() {
        let declares_notice_at_acquisition =
            |text: &str| matches!(notice_directive(text), Some((Ok(()), _)));
        assert!(declares_notice_at_acquisition(
            "<!-- kiyaku: notice=at-acquisition -->\n個人情報の取扱い\n"
        ));
        assert!(declares_notice_at_acquisition(
            "---\nkiyaku: { notice: at-acquisition }\n---\n本文\n"
        ));
        assert!(!declares_notice_at_acquisition(
            "```\n<!-- kiyaku: notice=at-acquisition -->\n```\n"
        ));
        assert!(!declares_notice_at_acquisition(
            "<!-- kiyaku: kind=privacy-notice -->\n"
        ));
        assert!(!declares_notice_at_acquisition(
            "<!-- kiyaku: notice=general -->\n"
        ));
    }

    #[test]
    fn a_directive_in_a_code_fence_is_not_a_directive() {
        let readme = "# kiyaku\n```markdown\n<!-- kiyaku: kind=regulation -->\n```\n";
        assert!(directive(readme).is_none());
        assert!(directive("例: `<!-- kiyaku: kind=regulation -->` と書きます。\n").is_none());
        let doc = "```\nexample\n```\n<!-- kiyaku: kind=regulation -->\n";
        assert_eq!(directive(doc).unwrap().0, Ok(DocumentKind::Regulation));
    }

    #[test]
    fn a_sentence_citing_an_ordinance_is_not_a_title() {
        assert_eq!(
            kind_of(
                "個人情報の取り扱いについて\n当サイトでは、「青森県個人情報保護条例」に基づき適切に取り扱います。\nお問い合わせ\nお客様の利用目的\n"
            ),
            DocumentKind::PrivacyNotice
        );
    }

    #[test]
    fn ordinances_data_processing_terms_and_orders() {
        for title in [
            "○個人情報の保護に関する法律施行条例",
            "○○市個人情報保護条例施行規則",
            "○○町個人情報保護条例",
        ] {
            assert_eq!(
                kind_of(&format!("{title}\n第一条 この条例は")),
                DocumentKind::Regulation
            );
        }
        for title in [
            "GitHub データ保護契約",
            "データ処理委託契約",
            "個人情報取扱委託特約",
        ] {
            assert_eq!(
                kind_of(&format!("{title}\n1. 定義\n")),
                DocumentKind::ConsignmentContract,
                "{title}"
            );
        }
        // terms of service: consignment terms when the vendor handles the customer's data
        // on its behalf, none of the three otherwise
        for (body, kind) in [
            (
                "当社は、お客様から委託を受けて個人データを取り扱います。",
                DocumentKind::ConsignmentContract,
            ),
            (
                "当社は、お客様の個人情報の取扱いの委託を受けた受託者として",
                DocumentKind::ConsignmentContract,
            ),
            (
                "当社は、本サービスの提供に必要な範囲でのみお客様データを取り扱います。",
                DocumentKind::ConsignmentContract,
            ),
            (
                "当社は、お客様に本サービスを提供します。お客様は利用料を支払います。当社は、当社の判断で本サービスを変更できます。",
                DocumentKind::Unknown,
            ),
            (
                "当社は、お客様データのバックアップ機能を提供します。",
                DocumentKind::Unknown,
            ),
            // terms that publish the notice of the data they collect
            (
                "本サービスにおける個人情報の利用目的は以下のとおりです。\n開示等の申出先\n株式会社サンプル 電話番号：03-0000-0000",
                DocumentKind::PrivacyNotice,
            ),
            // the purposes of collection as a heading, with requests for disclosure
            (
                "【１】収集目的\n・予約受付\n・お申込み後のご連絡\n【２】開示、訂正、削除の要求\n個人情報の開示、訂正、削除要請には速やかに応じます。",
                DocumentKind::PrivacyNotice,
            ),
            // a passing mention of personal data in terms
            (
                "当社は、個人情報を別途定めるプライバシーポリシーに従い取り扱います。",
                DocumentKind::Unknown,
            ),
        ] {
            // (a service's 基本規約 or 会員規約, and a title that calls the terms those of the
            // personal data: 「ご同意いただく個人情報の規約」 over a SaaS's terms)
            for title in [
                "利用規約",
                "業務委託約款",
                "注文請書",
                "さぽかっぷ基本規約",
                "会員規約",
                "ご同意いただく個人情報の規約",
            ] {
                assert_eq!(
                    kind_of(&format!("{title}\n第1条（適用）\n{body}\n")),
                    kind,
                    "{title} {body}"
                );
            }
        }
    }

    /// A notice in articles whose first article cites another body's 規程 (「弁護士職務基本規程を
    /// 遵守し」) is a notice; a first article that calls the text 「本規程」 makes a regulation.
    #[test]
    fn a_regulation_names_itself_as_a_word_of_its_own() {
        let notice = "プライバシーポリシー\n第1条（個人情報保護方針）\n弁護士法人例（以下「当事務所」といいます。）は、個人情報保護法、弁護士法及び弁護士職務基本規程を遵守します。\n第2条（利用目的）\n当事務所は、法律相談のために個人情報を利用します。\n";
        assert_eq!(kind_of(notice), DocumentKind::PrivacyNotice);
        let regulation = "個人情報保護方針\n第1条（目的）\n本規程は、当会の個人情報の取扱いを定める。\n第2条（定義）\nこの規程において個人情報とは、法に定める個人情報をいう。\n";
        assert_eq!(kind_of(regulation), DocumentKind::Regulation);
    }

    /// A privacy notice stays a notice when its preamble defers to the service's terms and
    /// its third-party clause quotes the law's 「その委託を受けた者」; a title that is the terms
    /// themselves still makes terms, and a sentence is never a title.
    #[test]
    fn a_notice_that_cites_its_terms_and_the_law_is_a_notice() {
        let third_party = "第三者への提供について\n当社は、お客様の同意なく個人情報等を第三者に提供いたしません。\n・国の機関、地方公共団体、またはその委託を受けた者が法令に基づき事務を遂行する場合\n";
        for title in [
            "プライバシーポリシー",
            "個人情報保護方針",
            "個人情報の取扱いについて",
        ] {
            let notice = format!(
                "{title}\n株式会社サンプルは、以下のとおり本ポリシーを定めます。\n（なお、本ポリシーにおける用語の定義は、本サービスに係る利用規約等に準じるものとします。）\n1. 利用目的\n当社は、お客様の個人情報をお問い合わせへの回答のために利用します。\n2. 第三者提供\n{third_party}"
            );
            assert_eq!(kind_of(&notice), DocumentKind::PrivacyNotice, "{title}");
        }
        // terms whose title is the terms, and which entrust the data, are consignment terms
        let terms = format!(
            "クラウドサービス利用規約\n第1条（適用）\n当社は、お客様から委託を受けて個人データを取り扱います。\n{third_party}"
        );
        assert_eq!(kind_of(&terms), DocumentKind::ConsignmentContract);
        // the law's exception alone entrusts nothing: terms that only quote it are not
        // consignment terms
        let plain_terms = format!(
            "利用規約\n第1条（適用）\n当社は、お客様に本サービスを提供します。\n{third_party}"
        );
        assert_eq!(kind_of(&plain_terms), DocumentKind::Unknown);
        // a sentence naming a contract is not a contract's title
        let notice = "個人情報保護方針\n当社は、業務委託契約書に基づく業務においても個人情報を適切に取り扱います。\n1. 利用目的\n当社は、お客様の個人情報をお問い合わせへの回答のために利用します。\n";
        assert_eq!(kind_of(notice), DocumentKind::PrivacyNotice);
    }

    /// A data-processing agreement without a title line names itself and the processor in
    /// its body; a privacy notice that speaks of a 管理者 is still a notice.
    #[test]
    fn a_processing_agreement_is_known_by_its_body() {
        let dpa = "テンプレート — 確認が必要です。本データ処理契約（DPA）は、研究者がGDPR第28条に基づく義務を果たすことを支援するために提供されるものです。\n1. 当事者および役割\n管理者は研究者であり、処理者はSamplyです。本 DPA は個人データの処理に適用されます。\n2. 処理\n処理者は、管理者の文書化された指示に基づいてのみ個人データを処理します。本 DPA の期間中、個人データを保護します。\n";
        assert_eq!(kind_of(dpa), DocumentKind::ConsignmentContract);
        let notice = "当社は、お客様の個人情報を適切に取り扱います。\n1. 利用目的\n当社は、お客様の個人情報をお問い合わせへの回答のために利用します。\n2. 個人情報保護管理者\n当社の個人情報保護管理者は総務部長です。ご本人からのお問い合わせに対応します。\n";
        assert_eq!(kind_of(notice), DocumentKind::PrivacyNotice);
    }

    #[test]
    fn directive_wins_and_bad_names_are_reported() {
        assert_eq!(
            directive("<!-- kiyaku: kind=regulation -->\n").unwrap().0,
            Ok(DocumentKind::Regulation)
        );
        assert_eq!(
            directive("---\nkiyaku: { kind: consignment-contract }\n---")
                .unwrap()
                .0,
            Ok(DocumentKind::ConsignmentContract)
        );
        assert_eq!(
            directive("<!-- kiyaku: kind=contract -->").unwrap().0,
            Err("contract".to_string())
        );
    }
}
