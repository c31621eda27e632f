// The diagnostic codes' documentation, found where each code is produced: a check's in its
// own module (`checks::broken_reference::DOC`), the catalog judgement's in
// `checks::catalog_codes`, `invalid-directive`'s in `suppress`. `doc` is the one place that
// maps a code to its text, and everything that explains a code (`kiyaku explain`, the SARIF
// rules, the HTML report, the editor's hover) asks it. The map lives here rather than in
// `diagnostic`, which the checks themselves use: a `Code::doc` would tie the two into a
// cycle. This module's documentation is `docs/codes.md`, which `markdown` writes (a suite
// test keeps the file equal to it); `Code::url` points at its anchors as docs.rs renders it.
#![doc = include_str!("../docs/codes.md")]

use std::fmt::Write;

use crate::checks::{
    bracket, broken_reference, catalog_codes, defined_term, numbering, outdated_reference,
    phrase_typo, placeholder, value_mismatch,
};
use crate::diagnostic::{Code, CodeDoc, Language};

/// What `code` finds and how to fix it, from the module that produces it.
pub fn doc(code: Code) -> &'static CodeDoc {
    match code {
        Code::MissingClause => &catalog_codes::MISSING_CLAUSE,
        Code::ConflictingClause => &catalog_codes::CONFLICTING_CLAUSE,
        Code::ValueMismatch => &value_mismatch::DOC,
        Code::BrokenReference => &broken_reference::DOC,
        Code::Numbering => &numbering::DOC,
        Code::DefinedTerm => &defined_term::DOC,
        Code::OutdatedReference => &outdated_reference::DOC,
        Code::PhraseTypo => &phrase_typo::DOC,
        Code::Placeholder => &placeholder::DOC,
        Code::Bracket => &bracket::DOC,
        Code::UnknownKind => &catalog_codes::UNKNOWN_KIND,
        Code::InvalidDirective => &crate::suppress::INVALID_DIRECTIVE,
    }
}

/// `kiyaku explain <code>` (and the editor's hover): the code, what it finds and an example.
pub fn explain(code: Code, language: Language) -> String {
    let doc = doc(code);
    format!(
        "{}\n\n{}\n\n{}\n",
        code.as_str(),
        doc.what.get(language),
        doc.example.get(language)
    )
}

/// `docs/codes.md`: every code under a heading that is exactly its name (so that its
/// anchor is the code, which `Code::url` names), Japanese then English under it.
pub fn markdown() -> String {
    let mut out = String::from(
        "# 診断コード — Diagnostic codes\n\n\
         kiyaku の診断コードごとに、見つけるもの、問題になる理由、例と直し方を示します。\
         `kiyaku explain <コード>` は、このうち見つけるものと例を表示します。\n\n\
         What each of kiyaku's diagnostic codes finds, why it matters, an example and how to fix \
         it. `kiyaku explain <code>` prints what it finds and the example.\n\n\
         この文書は、各コードを生み出すモジュールにある説明から生成されます。\
         This document is generated from the documentation each code has beside the code that \
         produces it (`src/checks/`, `src/suppress.rs`); after changing one, run the tests with \
         `KIYAKU_UPDATE_DOCS=1` to write it again.\n\n\
         | コード / code | 日本語 | English |\n|---|---|---|\n",
    );
    for &code in Code::ALL {
        let doc = doc(code);
        let name = code.as_str();
        let _ = writeln!(
            out,
            "| [`{name}`](#{name}) | {} | {} |",
            doc.title.ja, doc.title.en
        );
    }
    for &code in Code::ALL {
        let doc = doc(code);
        let _ = write!(out, "\n### {}\n", code.as_str());
        for (language, why, fix) in [
            (Language::Ja, "問題になる理由", "直し方"),
            (Language::En, "Why it matters", "How to fix"),
        ] {
            let text = |b: crate::diagnostic::Bilingual| escape(b.get(language));
            let _ = write!(
                out,
                "\n**{}**\n\n{}\n\n{}\n\n**{why}** — {}\n\n{}\n\n**{fix}** — {}\n",
                text(doc.title),
                text(doc.what),
                text(doc.details),
                text(doc.why),
                text(doc.example),
                text(doc.fix),
            );
        }
    }
    out
}

/// A text as Markdown, shown as written: outside code spans, a kiyaku comment quoted in it
/// (`<!-- kiyaku-enable -->`) becomes a code span (not HTML, nor typographic dashes), other
/// `<` and `>` entities, and `--` (`--kind`) is kept from becoming a dash.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(piece);
            continue;
        }
        let mut rest = piece;
        while let Some(start) = rest.find("<!--") {
            let Some(end) = rest[start..].find("-->").map(|e| start + e + "-->".len()) else {
                break;
            };
            out.push_str(&plain(&rest[..start]));
            out.push('`');
            out.push_str(&rest[start..end]);
            out.push('`');
            rest = &rest[end..];
        }
        out.push_str(&plain(rest));
    }
    out
}

fn plain(text: &str) -> String {
    text.replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("--", "-\\-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_its_own_doc_in_both_languages() {
        for &code in Code::ALL {
            let doc = doc(code);
            assert_eq!(
                doc.code,
                code,
                "{} is mapped to another code's doc",
                code.as_str()
            );
            for b in [
                doc.title,
                doc.what,
                doc.details,
                doc.why,
                doc.example,
                doc.fix,
            ] {
                assert!(
                    !b.ja.trim().is_empty() && !b.en.trim().is_empty(),
                    "{code:?}: {b:?}"
                );
            }
        }
    }

    #[test]
    fn explain_prints_the_code_what_and_example() {
        let text = explain(Code::BrokenReference, Language::En);
        assert!(
            text.starts_with("broken-reference\n\nAn internal reference"),
            "{text}"
        );
        assert!(text.ends_with("①②③.\n"), "{text}");
    }

    #[test]
    fn markdown_shows_comments_outside_code_spans_and_keeps_code_spans() {
        assert_eq!(
            escape("a <!-- b --> <c> --kind `<d> --e`"),
            "a `<!-- b -->` &lt;c&gt; -\\-kind `<d> --e`"
        );
    }
}
