//! `kiyaku explain` and `kiyaku catalogs`: what each code and item checks, why,
//! on what legal basis, and how to fix it.

use std::fmt::Write;

use crate::catalog::Catalog;
use crate::diagnostic::{Code, Language};

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

/// What a code checks and an example fix, in one language (for report rule descriptions).
pub fn code_text(code: Code, language: Language) -> (&'static str, &'static str) {
    let doc = code_doc(code);
    match language {
        Language::Ja => (doc.what_ja, doc.example_ja),
        Language::En => (doc.what_en, doc.example_en),
    }
}

/// Explanation of a code or of a catalog item (`catalog/item`), or None if unknown.
pub fn explain(what: &str, catalogs: &[Catalog], language: Language) -> Option<String> {
    let mut out = String::new();
    if let Some(code) = Code::parse(what) {
        let doc = code_doc(code);
        let (what_text, example) = match language {
            Language::Ja => (doc.what_ja, doc.example_ja),
            Language::En => (doc.what_en, doc.example_en),
        };
        let _ = writeln!(out, "{}\n\n{what_text}\n\n{example}", code.as_str());
        return Some(out);
    }
    let (catalog, item) = crate::cli::find_item(catalogs, what)?;
    let en = language == Language::En;
    let _ = writeln!(
        out,
        "{what}: {}",
        if en {
            item.title_en.as_deref().unwrap_or(&item.title)
        } else {
            &item.title
        }
    );
    let _ = writeln!(
        out,
        "{}: {}",
        if en { "catalog" } else { "カタログ" },
        crate::report::catalog_title(catalog, language)
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
    let explanation = if en {
        item.explanation_en.as_deref().unwrap_or(&item.explanation)
    } else {
        &item.explanation
    };
    let _ = writeln!(out, "\n{explanation}");
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

/// `kiyaku catalogs`: a table, or JSON.
pub fn list_catalogs(catalogs: &[Catalog], json: bool, language: Language) -> String {
    if json {
        let value: Vec<serde_json::Value> = catalogs
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "title": c.title,
                    "kinds": c.kinds,
                    "origin": c.origin,
                    "items": c.items.iter().map(|i| serde_json::json!({
                        "id": c.full_id(i),
                        "title": i.title,
                        "severity": i.severity,
                        "basis": i.basis,
                        "conditional": !i.trigger.is_empty(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for c in catalogs {
        let kinds: Vec<&str> = c.kinds.iter().map(|k| k.as_str()).collect();
        let _ = writeln!(
            out,
            "{} — {} [{}] ({})",
            c.id,
            crate::report::catalog_title(c, language),
            kinds.join(", "),
            c.origin
        );
        for i in &c.items {
            let cond = match (i.trigger.is_empty(), language) {
                (true, _) => "",
                (false, Language::Ja) => " (条件付き)",
                (false, Language::En) => " (conditional)",
            };
            let title = crate::report::item_title(i, language);
            let _ = writeln!(out, "  {:<40} {title}{cond}", c.full_id(i));
        }
    }
    out
}
