//! Consistency checks: each code has text that must trigger it and text that
//! must not; the real findings of the shared documents are found at their
//! lines; every mechanical fix, applied, removes its diagnostic and adds none.

use kiyaku::catalog;
use kiyaku::diagnostic::{Code, Diagnostic};
use kiyaku::engine::{Engine, FileReport, ItemResult};
use kiyaku::kind::DocumentKind;
use kiyaku::matcher::Status;
use kiyaku::structure::UnitKind;

fn engine() -> Engine {
    Engine::new(catalog::builtin_catalogs())
}

fn check(text: &str, kind: DocumentKind) -> FileReport {
    engine().check("t.txt", text.to_string(), Some(kind))
}

/// The report's result for one catalog item, by its full id.
fn item<'r>(report: &'r FileReport, id: &str) -> &'r ItemResult {
    report
        .items
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("{id} is not judged"))
}

/// The missing-clause finding of one catalog item, by its full id.
fn missing_finding<'r>(report: &'r FileReport, id: &str) -> &'r Diagnostic {
    codes(report, Code::MissingClause)
        .into_iter()
        .find(|d| d.item.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no missing-clause finding for {id}"))
}

fn codes(report: &FileReport, code: Code) -> Vec<&Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect()
}

fn lines_of(report: &FileReport, code: Code) -> Vec<usize> {
    codes(report, code)
        .iter()
        .map(|d| report.document.source.position(d.range.start).line)
        .collect()
}

const REG: DocumentKind = DocumentKind::Regulation;
const NOTICE: DocumentKind = DocumentKind::PrivacyNotice;

#[test]
fn broken_reference_triggers_and_does_not() {
    let bad = "規程\n第1条 前条の規定により行う。\n第2条 第9条に定める。\n2 第1条第3項による。\n第3条 次の各号に掲げる措置を講ずる。\n第4条 第2条第1項第1号「イ 書類」を提出する。\n第5条 前各号の場合は次条による。\n";
    assert_eq!(
        lines_of(&check(bad, REG), Code::BrokenReference),
        vec![2, 3, 4, 5, 6, 7, 7]
    );
    let good = "規程\n第1条 次の各号に掲げる措置を講ずる。次条も同様とする。\n(1) 記録\n①台帳\n2 前各号の措置は記録する。\n第2条 前条第1号①による。個人情報保護法第27条、番号法第19条及び同法第20条並びに規則第5条を準用する。\n2 前項の規定は、第1条から第2条までに準用する。\n";
    assert!(lines_of(&check(good, REG), Code::BrokenReference).is_empty());
    // a foreign law cited by its abbreviation, its articles joined in kana, is not this
    // document's; the document's own articles after 「および」 still are
    let gdpr = "プライバシーポリシー\n第1条（目的）\n本方針は個人情報の取扱いを定める。\n第2条（EEAのユーザー）\n製作者は、処理の記録を保持します（GDPR第30条）。処理者の選定はGDPR第26条、第28条、および第29条に従います。CCPA第1798条も同様とします。\n第3条（準用）\n前条および第9条の規定を準用する。\n";
    assert_eq!(
        lines_of(&check(gdpr, NOTICE), Code::BrokenReference),
        vec![7]
    );
}

/// A conflict found in a whole unit stands on the exception under the rule, not on a line of
/// the same wording above the rule (a purpose 「…必要であると判断した場合」 over the third-party
/// rule of a page whose plain captions the parser does not read as sections).
#[test]
fn a_conflict_stands_on_the_exception_under_its_rule() {
    let text = "個人情報保護方針\n利用目的\n商品の発送のため\n弊社がお客様へ連絡の必要であると判断した場合\n上記以外の利用目的で個人情報を収集する必要が生じた場合、その都度利用目的を明示いたします。\n第三者提供\n弊社はお客様の個人情報を以下に該当する場合を除き、第三者に提供することはありません。\nお客様の同意を得た場合\nやむを得ない事情により弊社が必要であると判断した場合\n";
    assert_eq!(
        lines_of(&check(text, NOTICE), Code::ConflictingClause),
        vec![9]
    );
}

#[test]
fn numbering_triggers_and_does_not() {
    let bad = "規程\n第1条 目的\n第3条 定義\n2 一\n2 二\n(1) ア\n(3) イ\n";
    let found = lines_of(&check(bad, REG), Code::Numbering);
    assert_eq!(found, vec![3, 5, 7], "{found:?}");
    let good =
        "規程\n第1条 目的\n2 二\n(1) ア\n(2) イ\n第2条 定義\n第2条の2 追加\n附則\n第1条 施行\n";
    assert!(lines_of(&check(good, REG), Code::Numbering).is_empty());
    // one article quoted from longer terms is no run missing its first articles; two are
    let quoted = "第１７条　個人情報及びプライバシーの取り扱い\n１．当館は、安全管理措置を講じます。\n２．当館は、個人情報を宿泊契約の履行のために利用します。\n";
    assert!(lines_of(&check(quoted, NOTICE), Code::Numbering).is_empty());
    let two = "第１７条　個人情報の取り扱い\n当館は、安全管理措置を講じます。\n第１８条　免責\n当館は責任を負いません。\n";
    assert_eq!(lines_of(&check(two, NOTICE), Code::Numbering), vec![1]);
}

/// The cells of a table each number a list of their own: the row that opens the second list
/// holds its ① inside the row, so only ② and ③ come as lines; a number repeated inside one
/// cell is still a duplicate.
#[test]
fn numbering_restarts_in_a_table_cell() {
    let table = "共同利用\n共同利用する項目 | ①基本情報：氏名、住所\n②契約情報：契約番号\n③利用情報：使用量\n管理責任者 | ①基本情報：小売電気事業者\n②契約情報：一般送配電事業者\n③利用情報：需要抑制契約者\n";
    let found = lines_of(&check(table, NOTICE), Code::Numbering);
    assert!(found.is_empty(), "{found:?}");
    let tabbed = table.replace(" | ", "\t");
    let found = lines_of(&check(&tabbed, NOTICE), Code::Numbering);
    assert!(found.is_empty(), "{found:?}");
    let repeated = "共同利用\n共同利用する項目 | ①基本情報：氏名、住所\n②契約情報：契約番号\n②利用情報：使用量\n";
    let found = lines_of(&check(repeated, NOTICE), Code::Numbering);
    assert_eq!(found, vec![4], "{found:?}");
}

#[test]
fn defined_term_triggers_and_does_not() {
    let bad = "プライバシーポリシー\n株式会社例（以下「当社」という。）は、個人情報を保護します。\n弊社は、利用目的を公表します。\n当社のアプリ（以下「本サービス」という。）\n当社のウェブサイト（以下「本サービス」という。）を提供します。\n";
    let found = check(bad, NOTICE);
    let messages: Vec<String> = codes(&found, Code::DefinedTerm)
        .iter()
        .map(|d| d.message.ja.clone())
        .collect();
    assert!(messages.iter().any(|m| m.contains("弊社")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("二重に定義")),
        "{messages:?}"
    );
    let good = "プライバシーポリシー\n株式会社例（以下「当社」という。）は、個人情報を保護します。\n当社は、該当法人の情報を扱います。\n";
    assert!(codes(&check(good, NOTICE), Code::DefinedTerm).is_empty());
}

/// Drafting conventions that are not defects of defined terms.
#[test]
fn defined_terms_respect_drafting_conventions() {
    let conventions = [
        // the article's heading names the term its own body defines
        "業務委託契約書\n第1条（反社会的勢力の排除）\n甲及び乙は、暴力団その他これらに準ずる者（以下「反社会的勢力」という。）でないことを保証する。\n第2条 反社会的勢力に該当した場合は解除できる。\n",
        // a statutory term used before the document repeats its definition
        "個人情報取扱規程\n第1条 本人は利用停止等を請求できる。\n第2条 利用の停止又は消去（以下「利用停止等」という。）は、遅滞なく行う。利用停止等の記録を残す。\n",
        // the Civil Code's term used in its ordinary sense before the contract defines it
        "業務委託契約書\n第1条 乙は、仕様書の過誤に起因する成果物の契約不適合に関する責任を負わない。\n第2条（契約不適合責任）\n契約の内容に適合しないもの（以下「契約不適合」という。）が発見された場合、乙は修補する。\n",
        // a pointer to the definition, and an article cited by its caption
        "業務委託契約書\n第1条 第3条（要件定義支援業務の実施）の要件定義支援業務及び第3条に定める成果物確認書による。\n第2条 乙は、報告書を提出する。\n第3条（要件定義支援業務の実施）\n乙は、要件の整理を支援する（以下「要件定義支援業務」という。）。乙は、確認書（以下「成果物確認書」という。）を作成する。要件定義支援業務は書面で行う。\n",
        // an annex that names the same contract, and a term quoted from another text
        // a note under the list that uses the term explains it
        "プライバシーポリシー\n1. 開示等の請求\n開示等の請求には、本人の住所を確認できる公的証明書のコピーをお送りください。\n代理人による請求には、代理人の公的証明書のコピーも必要です。\n※「公的証明書」とは、運転免許証、旅券等をいいます。\n2. 苦情\n窓口で受け付けます。\n",
        "業務委託契約書\n甲と乙は、業務委託契約（以下「本契約」という。）を締結する。\n第1条 情報公開条例中「実施機関」とあるのは「都の機関」と読み替える。\n第2条 都の機関（以下「実施機関」という。）は、本契約を守る。\n別紙1\n甲乙間の業務委託契約（以下「本契約」という。）の業務は次のとおり。\n別紙2\n本別紙において、個人データを処理する者（以下「処理者」という。）は本契約を守る。\n付録 1\n受託者の委託先（以下「処理者」という。）も同様とする。\n",
    ];
    for text in conventions {
        let report = check(text, DocumentKind::ConsignmentContract);
        assert!(
            codes(&report, Code::DefinedTerm).is_empty(),
            "{text}\n{:?}",
            codes(&report, Code::DefinedTerm)
                .iter()
                .map(|d| &d.message.ja)
                .collect::<Vec<_>>()
        );
    }
    // what must still be found: the same term defined in a sentence below its use, not in a note
    let late = "プライバシーポリシー\n1. 開示等の請求\n開示等の請求には、本人の住所を確認できる公的証明書のコピーをお送りください。\n代理人による請求には、代理人の公的証明書のコピーも必要です。\n本人確認には、運転免許証、旅券等の書類（以下「公的証明書」といいます。）を用います。\n2. 苦情\n窓口で受け付けます。\n";
    assert!(
        codes(&check(late, NOTICE), Code::DefinedTerm)
            .iter()
            .any(|d| d.message.ja.contains("より前")),
        "{late}"
    );
    let bad = "業務委託契約書\n第1条 乙は、秘密情報を守る。\n第2条 甲が開示した技術情報（以下「秘密情報」という。）は秘密とする。\n第3条 甲の営業情報（以下「秘密情報」という。）も同様とする。\n";
    let messages: Vec<String> = codes(
        &check(bad, DocumentKind::ConsignmentContract),
        Code::DefinedTerm,
    )
    .iter()
    .map(|d| d.message.ja.clone())
    .collect();
    assert!(
        messages.iter().any(|m| m.contains("より前")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("二重に定義")),
        "{messages:?}"
    );
}

/// Contracts and Markdown rule books that number paragraphs 1. 2. 3., with items as an
/// indented or a flat list, bullets, or a web page's list numbers around (1) (2).
#[test]
fn paragraphs_numbered_with_a_full_stop_are_paragraphs() {
    let markdown = "# 個人情報取扱規程\n\n## 第1条　目的\n\n1. この規程は、個人情報の取扱いを定める。\n2. 前項の規定は、従業者に適用する。\n\n## 第2条（定義）\n第2条　この規程において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。\n   1. 個人情報　生存する個人に関する情報\n   2. 従業者　会社の指揮監督を受ける者\n\n### 第3条 安全管理\n1. 会社は、次の各号の措置を講ずる。\n    1. 組織的安全管理措置\n    2. 人的安全管理措置\n2. 前項の措置は、毎年見直す。\n";
    let report = check(markdown, REG);
    assert!(lines_of(&report, Code::BrokenReference).is_empty());
    assert!(lines_of(&report, Code::Numbering).is_empty());
    let s = &report.document.structure;
    let captions: Vec<_> = s.articles().map(|(_, u)| u.caption.clone()).collect();
    assert_eq!(
        captions,
        vec![
            Some("目的".to_string()),
            Some("定義".to_string()),
            Some("安全管理".to_string())
        ]
    );

    let flat = "業務委託契約書\n第1条（秘密保持）\n1. 甲及び乙は、秘密情報を第三者に開示しない。\n2. 次の各号に定める情報は、前項の秘密情報に含まれない。\n3. (1) 開示の時に公知であったもの\n4. (2) 開示後に公知となったもの\n5. 第1項の規定にかかわらず、法令に基づく場合は開示できる。\n第2条（解除）\n1. 甲は、乙が次の各号のいずれかに該当した場合、解除できる。\n1. 本契約に違反したとき\n2. 差押えを受けたとき\n3. 破産手続開始の申立てがあったとき\n2. 前項により解除した場合、損害の賠償を請求できる。\n第3条（免責）\n1. 乙は、損害を賠償する。\n2. 次の各号の事由について、乙は責を負わない。\n・天災地変\n・甲が提供したデータの内容\n";
    let report = check(flat, DocumentKind::ConsignmentContract);
    assert!(
        lines_of(&report, Code::BrokenReference).is_empty(),
        "{:?}",
        codes(&report, Code::BrokenReference)
    );
    assert!(lines_of(&report, Code::Numbering).is_empty());

    // what must still be found in that style
    let bad = "業務委託契約書\n第1条（秘密保持）\n1. 甲は、前項の情報を開示しない。\n2. 乙は、秘密を守る。\n4. 乙は、次の各号の措置を講ずる。\n第2条（損害賠償）\n1. 乙は、損害を賠償する。\n";
    let report = check(bad, DocumentKind::ConsignmentContract);
    assert_eq!(lines_of(&report, Code::BrokenReference), vec![3, 5]);
    assert_eq!(lines_of(&report, Code::Numbering), vec![5]);
}

/// A contract printed from a page (a PDF of a Markdown or HTML document) writes each
/// paragraph on a line of its own without a number: 前項 and 第N条第2項 there are not judged
/// broken by numbers that were never written, but still are where the article has one
/// sentence only, or fewer paragraphs than the reference names.
#[test]
fn paragraphs_without_numbers_one_per_line_are_not_broken_references() {
    let printed = "業務委託契約書\n第1条（再委託）\n受託者は、本学の書面による承諾を得なければ、再委託してはならない。\n受託者は、前項の承諾を得て再委託するときは、再委託先に同等の義務を課す。\n第2条（報告）\n受託者は、毎月、進捗を報告する。\n受託者は、業務を完了したときは、業務完了報告書を提出する。\n第3条（支払）\n本学は、第2条第2項の業務完了報告書を受理した後に支払う。\n";
    let report = check(printed, DocumentKind::ConsignmentContract);
    assert!(
        lines_of(&report, Code::BrokenReference).is_empty(),
        "{:?}",
        codes(&report, Code::BrokenReference)
    );
    let broken = "業務委託契約書\n第1条（再委託）\n受託者は、前項の承諾を得て再委託する。\n第2条（報告）\n受託者は、毎月、進捗を報告する。\n第3条（支払）\n本学は、第2条第2項の報告書を受理した後に支払う。\n";
    let report = check(broken, DocumentKind::ConsignmentContract);
    assert_eq!(lines_of(&report, Code::BrokenReference), vec![3, 7]);
    // the page ran the first item of the list onto the line of the paragraph's sentence: that
    // line still holds the first paragraph
    let run_on = "プライバシーポリシー\n第5条（個人情報の第三者提供）\n当社は、次に掲げる場合を除いて、個人情報を第三者に提供しません。 人の生命、身体または財産の保護のために必要がある場合\n法令に基づく場合\n前項の定めにかかわらず、次に掲げる場合には、当該情報の提供先は第三者に該当しないものとします。\n業務を委託する場合\n第6条（開示）\n当社は、開示します。\n";
    let report = check(run_on, DocumentKind::PrivacyNotice);
    assert!(
        lines_of(&report, Code::BrokenReference).is_empty(),
        "{:?}",
        codes(&report, Code::BrokenReference)
    );
}

/// A notice whose numbered headings hold lists numbered 1. 2. 3. again, written flat or
/// indented with a full-width space, is not a duplicate of its outline.
#[test]
fn lists_under_numbered_headings_are_not_the_outline() {
    let good = "個人情報保護方針\n1.個人情報の収集について\n収集します。\n2.個人情報の利用について\n以下の場合を除き利用しません。\n　1. ご本人の了解を得た場合\n　2. 法令に基づく場合\n3. 適正管理\n管理します。\n利用の範囲\n1. 院内での利用\n1. 医療サービス\n2. 医療保険事務\n3. 会計\n2. 院外への提供\n1. 他の医療機関との連携\n2. 審査支払機関への提供\n3. その他の利用\n";
    assert!(lines_of(&check(good, NOTICE), Code::Numbering).is_empty());
    // 1. 2. 2. 4.: the second 2. is the slip (4. goes on from 3.), one finding, not a
    // duplicate and then a gap
    let bad = "個人情報保護方針\n1. 収集\n収集します。\n2. 利用\n利用します。\n2. 管理\n管理します。\n4. 窓口\n窓口です。\n";
    let report = check(bad, NOTICE);
    assert_eq!(lines_of(&report, Code::Numbering), vec![6]);
    assert!(
        codes(&report, Code::Numbering)[0]
            .message
            .ja
            .contains("番号の誤り"),
        "{:?}",
        codes(&report, Code::Numbering)
    );
    let gap = "個人情報保護方針\n1. 収集\n収集します。\n2. 利用\n利用します。\n4. 窓口\n窓口です。\n5. 改定\n改定します。\n";
    assert_eq!(lines_of(&check(gap, NOTICE), Code::Numbering), vec![6]);
    let duplicate = "個人情報保護方針\n1. 収集\n収集します。\n2. 利用\n利用します。\n2. 管理\n管理します。\n3. 窓口\n窓口です。\n";
    assert_eq!(
        lines_of(&check(duplicate, NOTICE), Code::Numbering),
        vec![6]
    );
}

/// A caption cited with an article number must be that article's.
#[test]
fn a_reference_by_caption_names_the_right_article() {
    let bad = "業務委託契約書\n第1条（秘密保持）\n乙は秘密を守る。\n第2条（損害賠償）\n乙は損害を賠償する。\n第3条（存続条項）\n第1条（秘密保持）及び第3条（損害賠償）の規定は存続する。\n";
    let report = check(bad, DocumentKind::ConsignmentContract);
    let found = codes(&report, Code::BrokenReference);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.ja.contains("「損害賠償」は第2条"),
        "{}",
        found[0].message.ja
    );
    let good = "業務委託契約書\n第1条（秘密保持義務）\n乙は秘密を守る。\n第2条（その他）\n協議する。\n第3条（存続）\n第1条（秘密保持）、第2条（その他）及び個人情報保護法第27条（第三者提供の制限）の規定は存続する。\n";
    assert!(
        codes(
            &check(good, DocumentKind::ConsignmentContract),
            Code::BrokenReference
        )
        .is_empty()
    );
}

/// A contract that abbreviates the APPI as 「法」 cites its old numbers as 法第N条.
#[test]
fn old_appi_numbers_under_the_abbreviation_ho() {
    let text = "業務委託契約書\n第1条 乙は、個人情報の保護に関する法律（以下「法」という。）を守り、個人データ（法第2条第4項に規定する個人データをいう。）について安全管理措置（法第20条に規定する安全管理措置をいう。）を講ずる。番号法第20条の安全管理措置とは別とする。\n";
    let report = check(text, DocumentKind::ConsignmentContract);
    let found = codes(&report, Code::OutdatedReference);
    assert_eq!(
        found.len(),
        2,
        "{:?}",
        found.iter().map(|d| &d.message.ja).collect::<Vec<_>>()
    );
    let fixes: Vec<&str> = found
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .map(|f| f.edits[0].text.as_str())
        .collect();
    assert_eq!(fixes, vec!["法第16条第3項", "法第23条"]);
    // without the abbreviation, 法第20条 is no citation of the APPI
    let plain = "業務委託契約書\n第1条 乙は、法第20条に規定する安全管理措置を講ずる。\n";
    assert!(
        codes(
            &check(plain, DocumentKind::ConsignmentContract),
            Code::OutdatedReference
        )
        .is_empty()
    );
}

#[test]
fn outdated_reference_triggers_and_does_not() {
    let bad = "プライバシーポリシー\n当社は、個人情報保護法第23条に基づき、第三者に提供しません。\n日本工業規格に準拠します。\n";
    assert_eq!(
        lines_of(&check(bad, NOTICE), Code::OutdatedReference),
        vec![2, 3]
    );
    let good = "プライバシーポリシー\n当社は、個人情報保護法第27条に基づき、第三者に提供しません。\n個人情報保護法第23条に基づく安全管理措置を講じます。\n日本産業規格に準拠します。\n";
    assert!(lines_of(&check(good, NOTICE), Code::OutdatedReference).is_empty());
}

#[test]
fn phrase_typo_triggers_and_does_not() {
    let bad = "規程\n第1条 個人データの漏えい、滅失又は既存の防止に努める。\n第2条 変更した1場合は通知する。\n";
    assert_eq!(lines_of(&check(bad, REG), Code::PhraseTypo), vec![2, 3]);
    let good = "規程\n第1条 個人データの漏えい、滅失又は毀損の防止に努める。既存の設備を用いる。\n第2条 変更した場合は、第1項の規定により通知する。\n";
    assert!(lines_of(&check(good, REG), Code::PhraseTypo).is_empty());
}

#[test]
fn value_mismatch_across_documents_of_different_kinds() {
    let e = engine();
    let notice = e.check(
        "notice.txt",
        "プライバシーポリシー\n開示の請求の手数料は無料です。\n".into(),
        Some(NOTICE),
    );
    let regulation = e.check(
        "reg.txt",
        "規程\n第1条 開示の手数料は1件につき500円とする。\n".into(),
        Some(REG),
    );
    let other_notice = e.check(
        "other.txt",
        "プライバシーポリシー\n開示の手数料は1,000円です。\n".into(),
        Some(NOTICE),
    );
    let mut reports = vec![notice, regulation, other_notice];
    kiyaku::engine::cross_check(&mut reports);
    let mismatches: Vec<usize> = reports
        .iter()
        .map(|r| codes(r, Code::ValueMismatch).len())
        .collect();
    // each notice disagrees with the regulation; the two notices are not compared
    assert_eq!(mismatches, vec![1, 2, 1]);
    let d = codes(&reports[0], Code::ValueMismatch)[0];
    assert_eq!(d.related[0].location, Some(("reg.txt".to_string(), 2)));
}

fn shared(name: &str) -> FileReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/shared")
        .join(name);
    engine().check(name, std::fs::read_to_string(path).unwrap(), None)
}

#[test]
fn real_findings_in_the_shared_regulation() {
    let r = shared("regulation-tsc.txt");
    let typos = lines_of(&r, Code::PhraseTypo);
    // 「滅失及び既存」: the connective (及び → 又は) and the same-reading word (既存 → 毀損)
    assert_eq!(typos, vec![65, 65, 537]);
    assert_eq!(lines_of(&r, Code::BrokenReference), vec![603, 603]);
}

#[test]
fn real_findings_in_the_shared_notice() {
    let r = shared("privacy-policy-technocraft.txt");
    let text = r.document.source.as_str();
    let found = |code: Code, needle: &str| {
        codes(&r, code)
            .iter()
            .any(|d| text[d.range.clone()].contains(needle))
    };
    assert!(found(Code::OutdatedReference, "個人情報保護法23条"));
    assert!(found(Code::OutdatedReference, "日本工業規格"));
    assert!(found(Code::OutdatedReference, "JIS Q 15001:2017"));
    assert!(found(Code::OutdatedReference, "健康保険証"));
    assert!(found(Code::DefinedTerm, "当事務所"));
    assert!(found(Code::DefinedTerm, "弊社"));
    assert!(found(Code::BrokenReference, "前述1.2"));
    assert!(found(Code::BrokenReference, "前述1.1 a. から"));
}

/// Applies a diagnostic's fix and checks the document again.
fn apply(text: &str, d: &Diagnostic) -> String {
    let mut out = text.to_string();
    let mut edits = d.fix.as_ref().expect("fix").edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in edits {
        out.replace_range(e.range.clone(), &e.text);
    }
    out
}

#[test]
fn every_fix_applied_removes_its_diagnostic_and_adds_none() {
    let e = engine();
    let documents = [
        ("privacy-policy-technocraft.txt", None),
        ("regulation-tsc.txt", None),
        (
            "contract.txt",
            Some("業務委託契約書\n第1条 乙は、本件業務を行う。\n"),
        ),
    ];
    let mut applied = 0;
    for (name, inline) in documents {
        let text = match inline {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/corpus/shared")
                    .join(name),
            )
            .unwrap(),
        };
        let before = e.check(name, text.clone(), None);
        for d in before.diagnostics.iter().filter(|d| d.fix.is_some()) {
            let fixed = apply(&text, d);
            let after = e.check(name, fixed, None);
            let count = |r: &FileReport, code: Code, item: &Option<String>| {
                r.diagnostics
                    .iter()
                    .filter(|x| x.code == code && &x.item == item)
                    .count()
            };
            assert!(
                count(&after, d.code, &d.item) < count(&before, d.code, &d.item),
                "{name}: fix for {:?} {:?} did not remove it: {}",
                d.code,
                d.item,
                d.message.ja
            );
            // a model clause carries blanks for the drafter to fill in (株式会社○○), which
            // the placeholder check rightly points at once it is inserted
            let counted = |x: &&kiyaku::diagnostic::Diagnostic| {
                x.code != d.code && !(d.code == Code::MissingClause && x.code == Code::Placeholder)
            };
            let new_codes = after.diagnostics.iter().filter(counted).count();
            let old_codes = before.diagnostics.iter().filter(counted).count();
            assert!(
                new_codes <= old_codes,
                "{name}: fix for {:?} {:?} added diagnostics: {:?}",
                d.code,
                d.item,
                after
                    .diagnostics
                    .iter()
                    .filter(|x| x.code != d.code)
                    .map(|x| x.message.ja.clone())
                    .collect::<Vec<_>>()
            );
            applied += 1;
        }
    }
    assert!(applied >= 15, "only {applied} fixes exercised");
}

#[test]
fn reviewed_corpus_diagnostics_snapshot() {
    // Every diagnostic other than missing-clause over the whole labeled corpus, reviewed by hand.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<std::path::PathBuf> = ["contracts", "notices", "regulations", "shared"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(root.join(d))
                .into_iter()
                .flatten()
                .map(|e| e.unwrap().path())
        })
        .collect();
    files.sort();
    let e = engine();
    let mut reports: Vec<FileReport> = files
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().display().to_string();
            e.check(&rel, std::fs::read_to_string(p).unwrap(), None)
        })
        .collect();
    // documents are compared with the others of their folder (the corpus holds many companies)
    for folder in ["contracts/", "notices/", "regulations/", "shared/"] {
        let mut group: Vec<FileReport> = Vec::new();
        let mut rest: Vec<FileReport> = Vec::new();
        for r in reports.drain(..) {
            if r.path.starts_with(folder) {
                group.push(r)
            } else {
                rest.push(r)
            }
        }
        kiyaku::engine::cross_check(&mut group);
        rest.extend(group);
        reports = rest;
    }
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    let mut lines = Vec::new();
    for r in &reports {
        for d in r
            .diagnostics
            .iter()
            .filter(|d| d.code != Code::MissingClause)
        {
            let p = r.document.source.position(d.range.start);
            lines.push(format!(
                "{}:{}:{} {} {}",
                r.path,
                p.line,
                p.column,
                d.code.as_str(),
                d.message.ja
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

/// A missing item says why: the nearest clause (its line and text) and the concepts it
/// lacked; an item looked for across the whole document names what the document lacks.
#[test]
fn missing_items_name_the_nearest_clause_and_what_it_lacked() {
    let report = check(
        "個人情報の取扱いに関する覚書\n第1条 乙は、本業務の一部を第三者に再委託する場合は、甲と協議の上、再委託先に本覚書と同等の義務を課す。\n第2条 乙は、個人情報を秘密として保持し、第三者に漏えいしてはならない。\n",
        DocumentKind::ConsignmentContract,
    );
    let consent = item(&report, "consignment/subcontract-consent");
    let evidence = consent
        .evidence
        .as_ref()
        .expect("evidence of a missing item");
    assert_eq!(evidence.line, Some(2));
    assert!(evidence.text.as_deref().unwrap().contains("再委託"));
    assert!(
        evidence.lacking.iter().flatten().any(|t| t == "承諾"),
        "{evidence:?}"
    );
    let d = missing_finding(&report, "consignment/subcontract-consent");
    let first = &d.related[0];
    assert_eq!(first.location, Some(("t.txt".to_string(), 2)));
    assert!(
        first.message.ja.contains("「承諾」"),
        "{}",
        first.message.ja
    );
    // a present item carries no evidence
    let confidentiality = item(&report, "consignment/confidentiality");
    assert!(confidentiality.evidence.is_none());
    // document-wide: the business identity of a notice that gives no address anywhere
    let notice = check(
        "プライバシーポリシー\n株式会社サンプル（代表取締役 山田太郎）は、個人情報を適切に取り扱います。\n",
        DocumentKind::PrivacyNotice,
    );
    let identity = item(&notice, "appi-notice/business-identity");
    let evidence = identity.evidence.as_ref().unwrap();
    assert_eq!(
        (evidence.line, evidence.lacking.len()),
        (None, 1),
        "{evidence:?}"
    );
}

/// A conditional item (transfer abroad, joint use) says what raised it: the words and their
/// line, in the evidence and as a related line of its finding; an item every notice must
/// have says nothing of the kind.
#[test]
fn missing_conditional_items_name_what_raised_them() {
    let report = check(
        "プライバシーポリシー\n1. 利用目的\n当社は、お客様の個人情報を商品の発送のために利用します。\n2. 保存\nお客様のデータはFirebase上に保存します。\n",
        DocumentKind::PrivacyNotice,
    );
    let foreign = item(&report, "appi-notice/foreign-transfer");
    assert_eq!(foreign.status, Status::Missing);
    let trigger = foreign
        .evidence
        .as_ref()
        .and_then(|e| e.trigger.as_ref())
        .expect("what raised the item");
    assert_eq!((trigger.line, trigger.text.as_str()), (5, "Firebase"));
    let d = missing_finding(&report, "appi-notice/foreign-transfer");
    assert!(
        d.related
            .iter()
            .any(|r| r.location == Some(("t.txt".to_string(), 5))
                && r.message.ja.contains("「Firebase」の記載があるため")),
        "{:?}",
        d.related
    );
    let security = item(&report, "appi-notice/security-measures");
    assert_eq!(security.status, Status::Missing);
    assert!(security.evidence.as_ref().unwrap().trigger.is_none());
    // the JSON report carries it too
    let json = kiyaku::report::json::render(
        std::slice::from_ref(&report),
        kiyaku::diagnostic::Language::Ja,
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    // the JSON lists the items in the report's order
    let at = report
        .items
        .iter()
        .position(|i| i.id == "appi-notice/foreign-transfer")
        .unwrap();
    let listed = &json["files"][0]["items"][at];
    assert_eq!(listed["id"], "appi-notice/foreign-transfer");
    assert_eq!(
        listed["evidence"]["trigger"],
        serde_json::json!({"line": 5, "text": "Firebase"})
    );
}

/// A document that is none of the three kinds gets no catalog and no consistency check, only
/// the hint that says how to name its kind; the same text named a regulation is checked.
#[test]
fn documents_of_no_kind_are_not_linted() {
    let memo = "定例会議メモ\n当社は、日本工業規格に沿った品質管理を続ける。お客様からの問い合わせは第9条のとおり扱う。\n";
    let report = engine().check("memo.txt", memo.to_string(), None);
    assert_eq!(report.kind, DocumentKind::Unknown);
    assert!(report.items.is_empty());
    let found: Vec<Code> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(found, vec![Code::UnknownKind]);
    let named = check(memo, DocumentKind::Regulation);
    assert!(!codes(&named, Code::OutdatedReference).is_empty());
}

/// The model-clause fix lands where a drafter would put it: after the last article of the
/// body and before the closing (attestation, date, signatures), numbered as the next
/// article, in the contract's own party names; an insertion among the articles names the
/// articles to renumber.
#[test]
fn model_clauses_land_at_the_end_of_the_body_in_the_contracts_words() {
    let contract = "個人情報の取扱いに関する覚書\n株式会社A（以下「委託者」という。）と株式会社B（以下「受託者」という。）は、次のとおり合意する。\n（秘密保持）\n第1条　受託者は、委託者から預託された個人情報を秘密として保持し、第三者に開示してはならない。\n（目的外利用の禁止）\n第2条　受託者は、預託された個人情報を本業務の目的以外に利用してはならない。\n\n本覚書の成立を証するため、本書2通を作成し、各1通を保有する。\n令和7年4月1日\n委託者　東京都千代田区　株式会社A\n受託者　東京都港区　株式会社B\n";
    let report = check(contract, DocumentKind::ConsignmentContract);
    let closing = contract.find("本覚書の成立を証する").unwrap();
    let fixes: Vec<&kiyaku::diagnostic::Edit> = codes(&report, Code::MissingClause)
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| &f.edits)
        .collect();
    assert!(!fixes.is_empty());
    for edit in &fixes {
        assert!(edit.range.start <= closing, "after the closing: {edit:?}");
        assert!(
            !edit.text.contains('甲') && !edit.text.contains('乙'),
            "{}",
            edit.text
        );
    }
    let audit = missing_finding(&report, "consignment/audit-right");
    let edit = &audit.fix.as_ref().unwrap().edits[0];
    assert_eq!(edit.range.start, closing);
    assert!(
        edit.text.starts_with("第3条（委託者による監査）\n委託者は"),
        "{}",
        edit.text
    );
    // a hinted article among the others: the later ones are named for renumbering
    let kou_otsu = "業務委託契約書\n（秘密保持）\n第1条　乙は、個人情報を秘密として保持し、第三者に漏えいしてはならない。\n（再委託）\n第2条　乙は、本業務を第三者に再委託する場合は、甲と協議の上、再委託先に本契約と同等の義務を課す。\n（協議）\n第3条　本契約に定めのない事項は、甲乙協議の上定める。\n";
    let report = check(kou_otsu, DocumentKind::ConsignmentContract);
    let consent = missing_finding(&report, "consignment/subcontract-consent");
    let fix = consent.fix.as_ref().unwrap();
    assert!(
        fix.edits[0].text.starts_with("第3条（"),
        "{}",
        fix.edits[0].text
    );
    assert!(fix.edits[0].text.contains("甲の"), "{}", fix.edits[0].text);
    assert!(
        fix.title.ja.contains("第3条から第3条まで"),
        "{}",
        fix.title.ja
    );
}

/// A 覚書 that amends its base contract writes the base contract's articles into its own
/// text (「原契約第9条を次のとおり改める。」 then the new 第9条): those are neither the 覚書's
/// own articles (no numbering gap) nor resolved against it, and nor is a reference to the
/// base contract by name (基本契約第5条). The 覚書's own numbering and references are still
/// checked.
#[test]
fn articles_written_into_a_base_contract_are_not_the_memorandums_own() {
    let amending = "個人情報の取扱いに関する覚書\n甲と乙は、業務委託基本契約（以下「原契約」という。）に関し、次のとおり合意する。\n第1条（原契約の変更）\n原契約第9条を次のとおり改める。\n第9条（秘密保持）\n1 乙は、甲の秘密情報を第三者に開示してはならない。\n2 前項の規定は、公知の情報には適用しない。\n3 第12条第2項の場合も同様とする。\n第2条（条項の追加）\n原契約第15条の次に次の1条を加える。\n第15条の2（個人情報の取扱い）\n乙は、個人情報を原契約第3条に定める目的以外に利用してはならない。\n第3条（有効期間）\n本覚書は、原契約第20条に定める期間有効とし、前条の規定は基本契約第5条に優先する。\n";
    let report = check(amending, DocumentKind::ConsignmentContract);
    for code in [Code::Numbering, Code::BrokenReference] {
        assert!(
            lines_of(&report, code).is_empty(),
            "{:?}",
            codes(&report, code)
        );
    }
    // the amended article has the memorandum's own next number: still the base contract's
    let same_number = "覚書\n第1条（変更）\n原契約第2条を次のとおり改める。\n第2条（定義）\n1 本契約において個人情報とは、法第2条第1項に定めるものをいう。\n2 前項の定義は、第8条にも適用する。\n第2条（効力）\n本覚書は、締結日から効力を生じる。\n";
    let report = check(same_number, DocumentKind::ConsignmentContract);
    for code in [Code::Numbering, Code::BrokenReference] {
        assert!(
            lines_of(&report, code).is_empty(),
            "{:?}",
            codes(&report, code)
        );
    }
    // the memorandum's own gap and its own reference to an article it does not have
    let own_defects = "覚書\n第1条（変更）\n原契約第9条を次のとおり改める。\n第9条（秘密保持）\n乙は秘密を守る。\n第3条（効力）\n本覚書は第7条の定めにより効力を生じ、本契約第8条に優先する。\n";
    let report = check(own_defects, DocumentKind::ConsignmentContract);
    assert_eq!(lines_of(&report, Code::Numbering), vec![6]);
    assert_eq!(lines_of(&report, Code::BrokenReference), vec![7, 7]);
    // 「次のとおり変更する」 without an article of another contract is no amendment: the
    // article's own list is still its own
    let ordinary = "業務委託契約書\n第1条（変更）\n甲は、業務の内容を次のとおり変更することができる。\n(1) 作業日\n(3) 作業場所\n第2条（協議）\n協議する。\n";
    let report = check(ordinary, DocumentKind::ConsignmentContract);
    assert_eq!(lines_of(&report, Code::Numbering), vec![5]);
}

/// Items written after their decimal heading's number (5.2.(1), 5.2.(2) under 5.2) are its
/// children, not 5.2 again; the next number run on inside a heading's line (「…とする。
/// 12.3 本合意書に…」) is reported as a missing line break, and only there.
#[test]
fn decimal_headings_their_items_and_a_number_run_on() {
    let good = "個人情報の取扱いに関する合意書\n5. 委託先の監督\n5.1 委託者は、委託先を監督する。\n5.2 受託者は、次の措置を講じる。\n5.2.(1) 従業者の教育\n5.2.(2) アクセス制御\n5.3 受託者は、報告する。\n6. 雑則\n6.1 本合意書は、日本法に準拠する。\n6.2 管轄は東京地方裁判所とする。\n6.3 本合意書に定めのない事項は、6.1の趣旨に従い協議する。\n";
    let report = check(good, DocumentKind::ConsignmentContract);
    assert!(
        lines_of(&report, Code::Numbering).is_empty(),
        "{:?}",
        codes(&report, Code::Numbering)
    );
    let run_on = "個人情報の取扱いに関する合意書\n5. 委託先の監督\n5.1 委託者は、委託先を監督する。\n5.2 受託者は、次の措置を講じる。\n5.2.(1) 従業者の教育\n5.2.(3) アクセス制御\n6. 雑則\n6.1 本合意書は、日本法に準拠する。\n6.2 管轄は東京地方裁判所とする。 6.3 本合意書に定めのない事項は協議する。\n";
    let report = check(run_on, DocumentKind::ConsignmentContract);
    assert_eq!(lines_of(&report, Code::Numbering), vec![6, 9]);
    let found = codes(&report, Code::Numbering);
    assert!(
        found[1]
            .message
            .ja
            .contains("「6.3」が「6.2」と同じ行に続いています"),
        "{}",
        found[1].message.ja
    );
}

/// Provision numbers written with spaces (「第 20 条」「第　二十　条」) are cited provisions
/// like 第20条: an outdated article is found, underlined as written, and a spaced reference
/// to an article the document lacks is broken; 「第 三者」 stays a word.
#[test]
fn provision_numbers_written_with_spaces_are_provisions() {
    for cited in ["第20条", "第 20 条", "第　二十　条"] {
        let text = format!(
            "個人情報保護方針\n1. 安全管理\n当社は、個人情報保護法{cited}に定める安全管理措置を講じます。\n"
        );
        let report = check(&text, NOTICE);
        let found = codes(&report, Code::OutdatedReference);
        assert_eq!(found.len(), 1, "{cited}: {found:?}");
        let underlined = &report.document.source.as_str()[found[0].range.clone()];
        assert!(underlined.ends_with(cited), "{cited}: {underlined}");
    }
    let broken = "業務委託契約書\n第1条（目的）\n乙は、第 5 条に定める業務を行い、第 三者に委託しない。\n第2条（協議）\n協議する。\n";
    let report = check(broken, DocumentKind::ConsignmentContract);
    assert_eq!(lines_of(&report, Code::BrokenReference), vec![3]);
}

/// A reference cited for a topic (「共同利用については第3条」) must lead to the article on it:
/// reported when the topic is another article's caption and the article cited neither is
/// captioned for it nor speaks of it; not when it does, nor for a topic no article has.
#[test]
fn a_reference_cited_for_a_topic_leads_to_the_article_on_it() {
    let wrong = "個人情報保護方針\n第1条（利用目的）\n当社は、個人情報をサービスの提供のために利用します。共同利用については第3条に定めます。\n第2条（共同利用）\n当社は、グループ会社と個人情報を共同利用します。\n第3条（方針の変更）\n当社は、本方針を変更することがあります。\n";
    let report = check(wrong, NOTICE);
    let found = codes(&report, Code::BrokenReference);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.ja.contains("「共同利用」は第2条です"),
        "{}",
        found[0].message.ja
    );
    for right in [
        // the article cited is the one captioned for it
        wrong.replace("第3条に定めます", "第2条に定めます"),
        // the article cited speaks of it without the caption
        wrong.replace(
            "本方針を変更することがあります。",
            "本方針を変更することがあります。共同利用の範囲を変更するときも同様とします。",
        ),
        // no article is captioned for the topic
        wrong.replace("共同利用については", "変更の手続については"),
    ] {
        let report = check(&right, NOTICE);
        assert!(codes(&report, Code::BrokenReference).is_empty(), "{right}");
    }
}

const CONTRACT: DocumentKind = DocumentKind::ConsignmentContract;

/// A 個人情報取扱特記事項 numbered 第１, 第２ … without 条, as many public bodies write them.
const TOKKI: &str = "個人情報の取扱いに関する特記事項\n\n第１　基本的事項\n　受託者は、個人情報の取扱いを適正に行わなければならない。\n第２　秘密の保持\n　受託者は、業務に関して知り得た個人情報をみだりに他人に知らせてはならない。\n２　前項の規定は、この契約が終了した後においても、同様とする。\n第３　収集の制限\n　受託者は、次の各号に掲げる事項を守らなければならない。\n(1) 必要な範囲内で収集すること。\n(2) 適法かつ公正な手段により収集すること。\n第４　再委託の禁止\n　受託者は、発注者の承諾があるときを除き、業務を第三者に委託してはならない。\n２　受託者は、前項の承諾を得たときは、契約書第５条の定めによる。\n";

#[test]
fn articles_numbered_without_jo_are_articles_with_their_own_labels() {
    let report = check(TOKKI, CONTRACT);
    let s = &report.document.structure;
    let labels: Vec<&str> = s.articles().map(|(_, u)| u.label.as_str()).collect();
    assert_eq!(labels, ["第1", "第2", "第3", "第4"]);
    assert!(s.articles().all(|(_, u)| u.without_jo));
    let captions: Vec<Option<&str>> = s.articles().map(|(_, u)| u.caption.as_deref()).collect();
    assert_eq!(captions[1], Some("秘密の保持"));
    // 前項 in 第２'s second paragraph, 次の各号 with its items: nothing broken; 契約書第５条 is
    // the contract's, never this document's 第５ (there is none)
    assert_eq!(
        lines_of(&report, Code::BrokenReference),
        Vec::<usize>::new()
    );
    assert_eq!(lines_of(&report, Code::Numbering), Vec::<usize>::new());
    // a reference to 第N条 never resolves to 第N written without 条
    assert_eq!(s.article(2, None, false), None);

    let gap = TOKKI.replace("第４　再委託の禁止", "第５　再委託の禁止");
    let report = check(&gap, CONTRACT);
    let numbering = codes(&report, Code::Numbering);
    assert_eq!(lines_of(&report, Code::Numbering), vec![12]);
    assert!(numbering[0].message.ja.contains("第5の前に4番がありません"));
    // one line 第1 is not a numbering style: 第1 and 第2 must both head a line
    let single = "覚書\n第１　本覚書は、甲乙間の契約に適用する。\n以上\n";
    assert_eq!(
        check(single, CONTRACT)
            .document
            .structure
            .articles()
            .count(),
        0
    );
    // 第三者 and 第1回 are words, not labels
    let words = "覚書\n第三者への提供は行わない。\n第1回 打合せ\n第2回 打合せ\n";
    assert_eq!(
        check(words, CONTRACT).document.structure.articles().count(),
        0
    );
}

/// A contract with an annex numbered on its own, and sentences that cite annexes.
const WITH_ANNEX: &str = "業務委託契約書\n第1条（目的）\n甲は乙に業務を委託する。業務の内容は別紙1のとおりとする。\n第2条（再委託）\n乙は、第1条の業務を第三者に委託してはならない。\n第3条（協議）\n本契約に定めのない事項は協議する。\n\n別紙1　業務仕様書\n第1条（対象）\n対象は甲の顧客情報とする。\n第2条（期間）\n前条の対象を、第1条に定める期間処理する。\n第4条（報告）\n乙は第9条により報告する。\n\n別表第2（第2条関係）\n1. 氏名\n2. 住所\n";

#[test]
fn annexes_are_parts_of_their_own() {
    let report = check(WITH_ANNEX, CONTRACT);
    let s = &report.document.structure;
    let annexes: Vec<(&str, Option<&str>)> = s
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Annex)
        .map(|u| (u.label.as_str(), u.caption.as_deref()))
        .collect();
    assert_eq!(
        annexes,
        [
            ("別紙1", Some("業務仕様書")),
            ("別表2", Some("(第2条関係)"))
        ]
    );
    let main: Vec<u32> = s
        .articles()
        .filter(|(_, u)| u.annex == 0)
        .map(|(_, u)| u.number)
        .collect();
    assert_eq!(main, [1, 2, 3]);
    // 第1条 of the main provisions, not the annex's
    let first = s.article(1, None, false).unwrap();
    assert_eq!(s.units[first].annex, 0);
    // the annex's 第1条 is not a duplicate; its own gap (第4条 after 第2条) is reported;
    // references inside the annex are not checked against the main provisions
    assert_eq!(lines_of(&report, Code::Numbering), vec![14]);
    assert_eq!(
        lines_of(&report, Code::BrokenReference),
        Vec::<usize>::new()
    );
    // a sentence that cites an annex is not one
    assert!(
        !s.units
            .iter()
            .any(|u| u.kind == UnitKind::Annex && u.label == "別紙1" && u.caption.is_none())
    );
}

#[test]
fn a_document_with_old_mac_line_ends_is_read_line_by_line() {
    // lines ended by a lone \r (classic Mac, some exports): its articles, and the gap
    let text = "業務委託契約書\r第1条（目的）\r甲は乙に業務を委託する。\r第3条（協議）\r前条の規定による。\r";
    let report = check(text, CONTRACT);
    assert_eq!(report.document.structure.articles().count(), 2);
    assert_eq!(lines_of(&report, Code::Numbering), vec![4]);
    assert_eq!(
        lines_of(&report, Code::BrokenReference),
        Vec::<usize>::new()
    );
}
