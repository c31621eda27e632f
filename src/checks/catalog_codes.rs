//! The documentation of the codes that no check module produces: `missing-clause`,
//! `conflicting-clause` and `unknown-kind` are the outcome of the engine's catalog
//! judgement (an item absent, an item said the other way round, no catalog applied
//! because the document's kind is unknown), which works through the matcher over every
//! catalog at once rather than as a pass of its own over the document. Their texts live
//! here, beside the checks' own, and not in `engine`, which stays about judging.

use crate::diagnostic::{Bilingual, Code, CodeDoc};

/// What `missing-clause` finds and how to fix it.
pub const MISSING_CLAUSE: CodeDoc = CodeDoc {
    code: Code::MissingClause,
    title: Bilingual {
        ja: "必須条項の欠落",
        en: "Missing clause",
    },
    what: Bilingual {
        ja: "文書の種類に応じたカタログ（個人情報保護法の公表事項、会社の規程が委託契約に求める事項など）の必須条項が見当たりません。条項は「概念のまとまり」（例: 再委託＋承諾）が一つの文・号・条の中にそろって初めて「あり」と判定されます。",
        en: "A required item of a catalog that applies to the document's kind (APPI publication items, the items a company's regulation requires in consignment contracts, …) is not found. An item counts as present only when all of its concept groups occur together in one sentence, list item or article.",
    },
    details: Bilingual {
        ja: "最も近い条項と、そこに欠けていたものを示します。クイックフィックスはひな形条項をふさわしい位置に挿入します: 契約書では関係する条の後か本文の末尾（後文・日付・署名の前）に、次の第N条として見出しを付け、委託者・受託者など契約書自身の当事者の呼び方で。修正の名前に、番号を振り直す条を示します。",
        en: "The finding names the nearest clause and what it lacked. Its fix inserts the model clause where it belongs: in a contract after the article it belongs with or at the end of the body, before the attestation, date and signatures, numbered as the next 第N条 with its caption, in the contract's own party names such as 委託者/受託者; the fix's title names the articles to renumber.",
    },
    why: Bilingual {
        ja: "法令や社内規程が求める事項を欠いた方針・契約は、それだけで法令違反・規程違反となり得ます（公表事項の不足、委託先の監督の不備など）。",
        en: "A notice or contract that lacks an item the law or a company regulation requires can by itself be a breach (a publication item left out, a consignee not supervised).",
    },
    example: Bilingual {
        ja: "修正: クイックフィックスで、ひな形条項を該当する条の末尾に挿入できます。例: 「甲は、必要と認めるときは、乙の事業所に立ち入り、本個人情報の管理状況を監査することができる。」",
        en: "Fix: the quick fix inserts the item's model clause where it belongs.",
    },
    fix: Bilingual {
        ja: "項目のひな形条項（`kiyaku explain <項目ID>`）をもとに条項を追加してください。当てはまらない項目は、kiyaku.toml の disable か抑止コメントで外せます。",
        en: "Add the clause, starting from the item's model clause (`kiyaku explain <item-id>`); an item that does not apply is turned off with kiyaku.toml's disable or a suppression comment.",
    },
};

/// What `conflicting-clause` finds and how to fix it.
pub const CONFLICTING_CLAUSE: CodeDoc = CodeDoc {
    code: Code::ConflictingClause,
    title: Bilingual {
        ja: "必須事項に反する条項",
        en: "Conflicting clause",
    },
    what: Bilingual {
        ja: "必須事項に反する条項です（委託者の承諾なしに再委託を認める、目的外利用を認める、秘密保持義務を免除する、訂正・利用停止に手数料を課す、など）。",
        en: "A clause says the opposite of a required item (re-consignment without consent, use beyond the purpose, confidentiality waived, a fee for correction or suspension, …).",
    },
    details: Bilingual {
        ja: "必須事項が逆の意味で書かれている条項: 承諾のない再委託、目的外利用の容認、秘密保持義務の免除、訂正・利用停止への手数料。",
        en: "An item present with the wrong polarity: 再委託 without consent, 目的外利用 allowed, confidentiality waived, a fee for 訂正/利用停止.",
    },
    why: Bilingual {
        ja: "必須事項を打ち消す条項は、その事項がないこと以上に危険です。書かれたとおりに運用すれば、法令や規程に反します。",
        en: "A clause that says the opposite of a required item is worse than its absence: applied as written, it breaches the law or the regulation.",
    },
    example: Bilingual {
        ja: "例: 「乙は、本業務の一部を第三者に再委託することができる。」→「乙は、甲の事前の書面による承諾を得た場合に限り、本業務の一部を第三者に再委託することができる。」",
        en: "Example: allow re-consignment only with the consignor's prior written consent.",
    },
    fix: Bilingual {
        ja: "条項を必須事項に沿う内容に書き換えるか、削除してください。",
        en: "Rewrite the clause to meet the required item, or remove it.",
    },
};

/// What `unknown-kind` finds and how to fix it.
pub const UNKNOWN_KIND: CodeDoc = CodeDoc {
    code: Code::UnknownKind,
    title: Bilingual {
        ja: "文書の種類が不明",
        en: "Unknown document kind",
    },
    what: Bilingual {
        ja: "文書の種類を判定できず、必須条項の検査をしていません。",
        en: "The document's kind could not be decided, so no required-clause catalog was applied.",
    },
    details: Bilingual {
        ja: "種類のない文書（メモや README など）の唯一の指摘で、1行目に「情報」として報告します。カタログの検査も整合性の検査も行いません。",
        en: "The only finding of a document of no kind (a memo, a README), on its first line, as information: neither the catalogs nor the consistency checks run on it.",
    },
    why: Bilingual {
        ja: "種類を判定できない文書は検査されないため、必須条項の欠落や参照の誤りがあっても報告されません。",
        en: "A document of no kind is not checked at all, so a missing clause or a broken reference in it goes unreported.",
    },
    example: Bilingual {
        ja: "修正: `--kind regulation` か文書内の `<!-- kiyaku: kind=regulation -->` で指定。",
        en: "Fix: --kind, a kiyaku.toml glob, or an in-document directive.",
    },
    fix: Bilingual {
        ja: "`--kind`、kiyaku.toml の `[kinds]`、または文書内の `<!-- kiyaku: kind=… -->` で種類を指定してください。",
        en: "Name the kind with `--kind`, kiyaku.toml's `[kinds]`, or the directive `<!-- kiyaku: kind=… -->` in the document.",
    },
};
