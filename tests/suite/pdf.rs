//! .pdf inputs: corpus contracts printed to PDF give the item statuses and consistency
//! findings of their text, at the right page and line; what cannot be read (a scan, an
//! encrypted or damaged PDF, a legacy .doc, a PDF bomb) is an error for that file only.
//!
//! The committed PDFs (tests/fixtures/inputs, made by make_fixtures.py) let the core test
//! run anywhere; where Chromium is installed, every corpus contract is printed afresh and
//! checked too, and so is one long PDF of all of them.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use kiyaku::catalog;
use kiyaku::engine::Engine;
use kiyaku::extract::pdf::{self, Limits};
use kiyaku::extract::{self, ExtractError, Format};

use crate::temp_dir;

const INPUTS: &str = "tests/fixtures/inputs";
const CONTRACTS: &str = "tests/corpus/contracts";

/// The committed twins: (pdf, its text, how it was printed).
const TWINS: [(&str, &str, &str); 3] = [
    (
        "01-gyomu-itaku-kou-otsu.pdf",
        "01-gyomu-itaku-kou-otsu.txt",
        "one column",
    ),
    (
        "07-call-center-itaku.pdf",
        "07-call-center-itaku.txt",
        "two columns",
    ),
    (
        "04-saas-data-shori-hosoku.pdf",
        "04-saas-data-shori-hosoku.md",
        "a table",
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kiyaku(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiyaku"))
        .args(args)
        .arg("--no-cache")
        .current_dir(root())
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    crate::json_of(out)
}

/// What must be equal between a document and its PDF: the kind, every item's status,
/// and each finding's code, item and the text it points at. (Line numbers differ: a PDF's
/// text has no blank lines; its findings carry the page and line instead.)
#[derive(Debug, PartialEq)]
struct Verdicts {
    kind: String,
    items: Vec<(String, &'static str)>,
    findings: Vec<(String, Option<String>, String)>,
}

fn verdicts(engine: &Engine, path: &str, text: String) -> (Verdicts, kiyaku::engine::FileReport) {
    let report = engine.check(path, text, None);
    let source = report.document.source.as_str();
    let mut findings: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code != kiyaku::diagnostic::Code::MissingClause)
        .map(|d| {
            (
                d.code.as_str().to_string(),
                d.item.clone(),
                source[d.range.clone()].to_string(),
            )
        })
        .collect();
    findings.sort();
    let v = Verdicts {
        kind: report.kind.as_str().to_string(),
        items: report
            .items
            .iter()
            .map(|i| (i.id.clone(), i.status.as_str()))
            .collect(),
        findings,
    };
    (v, report)
}

/// The PDF's text and page map, and the verdicts on it and on its source text, which must
/// be equal; every finding is placed on a page and line the page has.
fn assert_twin(pdf_path: &Path, text_path: &Path) -> (String, pdf::PageMap, Verdicts) {
    let engine = Engine::new(catalog::builtin_catalogs());
    let (text, map) = pdf::extract(&std::fs::read(pdf_path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", pdf_path.display()));
    assert_eq!(map.len(), text.lines().count());
    let source = std::fs::read_to_string(text_path).unwrap();
    let (expected, _) = verdicts(&engine, &text_path.display().to_string(), source);
    let (got, report) = verdicts(&engine, &pdf_path.display().to_string(), text.clone());
    assert_eq!(got, expected, "{}", pdf_path.display());
    for d in &report.diagnostics {
        let start = report.document.source.position(d.range.start);
        let (page, line) = map.place(start.line, start.column).unwrap();
        assert!(page >= 1 && line >= 1, "{d:?}");
    }
    (text, map, got)
}

#[test]
fn committed_pdf_twins_give_the_verdicts_of_their_text() {
    for (pdf_name, text_name, layout) in TWINS {
        let (text, _, verdicts) = assert_twin(
            &root().join(INPUTS).join(pdf_name),
            &root().join(CONTRACTS).join(text_name),
        );
        // the running header (社外秘 and the title) and the page numbers are left out,
        // and each article is one line again
        assert!(!text.contains("社外秘"), "{layout}: {text}");
        assert!(!text.lines().any(pdf::is_page_number), "{layout}: {text}");
        assert!(!verdicts.items.is_empty());
    }
}

#[test]
fn pdf_text_keeps_lines_articles_and_table_rows() {
    let read = |name: &str| pdf::extract(&std::fs::read(root().join(INPUTS).join(name)).unwrap());
    let (text, map) = read("01-gyomu-itaku-kou-otsu.pdf").unwrap();
    let source =
        std::fs::read_to_string(root().join(CONTRACTS).join("01-gyomu-itaku-kou-otsu.txt"))
            .unwrap();
    // the text is the source without its blank lines, line for line
    let lines: Vec<&str> = source.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(text.lines().collect::<Vec<_>>(), lines);
    // 第11条 opens page 2, under the running header; 第9条 is line 27 of page 1 (its
    // article starts there; the page's lines above it are wrapped lines of earlier ones)
    let line_of = |prefix: &str| text.lines().position(|l| l.starts_with(prefix)).unwrap() + 1;
    assert_eq!(map.place(line_of("第11条"), 1), Some((2, 1)));
    assert_eq!(map.place(line_of("第9条"), 1), Some((1, 27)));
    // its first printed line holds 45 characters: the 50th was printed on the next one
    assert_eq!(map.place(line_of("第9条"), 45), Some((1, 27)));
    assert_eq!(map.place(line_of("第9条"), 50), Some((1, 28)));
    // two columns: read down the first, then the second, never across
    let (two, _) = read("07-call-center-itaku.pdf").unwrap();
    let source =
        std::fs::read_to_string(root().join(CONTRACTS).join("07-call-center-itaku.txt")).unwrap();
    let lines: Vec<&str> = source.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(two.lines().collect::<Vec<_>>(), lines);
    // a table row is one line, its cells apart
    let (table, _) = read("04-saas-data-shori-hosoku.pdf").unwrap();
    assert!(
        table.contains("\n株式会社メールリレー 大阪府大阪市 通知メールの配信\n"),
        "{table}"
    );
}

#[test]
fn findings_in_a_pdf_name_page_and_line_in_every_format() {
    let pdf = "tests/fixtures/inputs/07-call-center-itaku.pdf";
    let v = json(&kiyaku(&["check", "--format", "json", pdf]));
    let diagnostics = v["files"][0]["diagnostics"].as_array().unwrap();
    let conflict = diagnostics
        .iter()
        .find(|d| d["code"] == "conflicting-clause")
        .unwrap();
    // 第5条第4項 of the two-column print, on the 50th line of page 1 (as pdf_oxide's own
    // text of the page has it too)
    let (page, line) = (&conflict["page"], &conflict["page_line"]);
    assert_eq!(
        (page.as_u64(), line.as_u64()),
        (Some(1), Some(50)),
        "{conflict}"
    );
    assert!(conflict["range"]["start"]["line"].as_u64().is_some());
    assert!(diagnostics.iter().all(|d| d["page"].as_u64().is_some()));
    let text = String::from_utf8(kiyaku(&["check", pdf]).stdout).unwrap();
    assert!(text.contains(" (1ページ 50行目)"), "{text}");
    let en = String::from_utf8(kiyaku(&["check", "--lang", "en", pdf]).stdout).unwrap();
    assert!(en.contains(" (page 1, line 50)"), "{en}");
    let github = String::from_utf8(kiyaku(&["check", "--format", "github", pdf]).stdout).unwrap();
    assert!(github.contains("(1ページ 50行目)"), "{github}");
    let sarif = json(&kiyaku(&["check", "--format", "sarif", pdf]));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["region"]["properties"]
            == serde_json::json!({ "page": 1, "pageLine": 50 })
    }));
    let html = String::from_utf8(kiyaku(&["check", "--format", "html", pdf]).stdout).unwrap();
    assert!(html.contains("1ページ 50行目"), "{html}");
    // a text file's findings are as they were: no page
    let txt = json(&kiyaku(&[
        "check",
        "--format",
        "json",
        "tests/corpus/contracts/07-call-center-itaku.txt",
    ]));
    assert!(
        txt["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.get("page").is_none() && d.get("page_line").is_none())
    );
}

#[test]
fn unreadable_pdfs_and_doc_files_are_named_and_the_others_checked() {
    let dir = temp_dir("pdf-inputs");
    let inputs = root().join(INPUTS);
    let contract = std::fs::read(inputs.join("01-gyomu-itaku-kou-otsu.pdf")).unwrap();
    std::fs::write(dir.join("contract.pdf"), &contract).unwrap();
    for name in [
        "scanned.pdf",
        "encrypted.pdf",
        "owner-password.pdf",
        "bomb.pdf",
    ] {
        std::fs::copy(inputs.join(name), dir.join(name)).unwrap();
    }
    std::fs::write(dir.join("truncated.pdf"), &contract[..contract.len() / 2]).unwrap();
    std::fs::write(
        dir.join("damaged.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog\n%%EOF\n",
    )
    .unwrap();
    std::fs::write(dir.join("renamed.pdf"), b"PK\x03\x04 a zip named .pdf").unwrap();
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.resize(4096, 0);
    std::fs::write(dir.join("old.doc"), cfb).unwrap();
    let dir_arg = dir.display().to_string();
    let out = kiyaku(&["check", "--format", "json", &dir_arg]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error_for = |name: &str| -> String {
        stderr
            .lines()
            .find(|l| l.contains(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no error for {name}: {stderr}"))
            .to_string()
    };
    assert!(error_for("scanned.pdf").contains(
        "画像のみのPDFです（文字情報がないため検査できません。OCR済みのPDFかWord版を指定してください）"
    ));
    assert!(error_for("encrypted.pdf").contains("暗号化されたPDFです"));
    assert!(error_for("truncated.pdf").contains("破損したPDFです"));
    assert!(error_for("truncated.pdf").contains("%%EOF"));
    assert!(error_for("damaged.pdf").contains("破損したPDFです（読み取れません: "));
    assert!(error_for("renamed.pdf").contains("not a PDF"));
    assert!(error_for("bomb.pdf").contains("PDF爆弾"));
    assert!(error_for("old.doc").contains("「Word 文書（.docx）」として保存"));
    // the readable ones are checked: the contract, and the one with an owner password only
    let paths = crate::cli::checked_paths(&out);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("contract.pdf") && paths[1].ends_with("owner-password.pdf"));
    // in English on request
    let en = kiyaku(&["check", "--lang", "en", &dir_arg]);
    let stderr = String::from_utf8_lossy(&en.stderr);
    assert!(stderr.contains("scanned.pdf: a PDF with images only: it has no text layer"));
    assert!(stderr.contains("old.doc: a Word 97–2003 document (.doc)"));
}

#[test]
fn a_pdf_is_read_within_bounds() {
    let bytes = std::fs::read(root().join(INPUTS).join("01-gyomu-itaku-kou-otsu.pdf")).unwrap();
    let limits = pdf::LIMITS;
    let refused = |limits: Limits| pdf::extract_limited(&bytes, limits).unwrap_err();
    assert!(pdf::extract_limited(&bytes, limits).is_ok());
    assert!(
        matches!(refused(Limits { pages: 1, ..limits }), ExtractError::PdfTooLarge(m) if m.contains("2 pages"))
    );
    assert!(
        matches!(refused(Limits { objects: 10, ..limits }), ExtractError::PdfTooLarge(m) if m.contains("objects"))
    );
    assert!(
        matches!(refused(Limits { content: 1 << 10, ..limits }), ExtractError::PdfTooLarge(m) if m.contains("decompresses"))
    );
    assert!(matches!(
        refused(Limits {
            text: 1 << 10,
            ..limits
        }),
        ExtractError::TextTooLarge { .. }
    ));
    assert!(matches!(
        refused(Limits {
            time: Duration::ZERO,
            ..limits
        }),
        ExtractError::PdfTooSlow {
            page: 1,
            pages: 2,
            ..
        }
    ));
    // the bomb: 1 KB whose page inflates to 256 MiB, refused in well under a second
    let bomb = std::fs::read(root().join(INPUTS).join("bomb.pdf")).unwrap();
    let start = std::time::Instant::now();
    assert!(
        matches!(pdf::extract(&bomb), Err(ExtractError::PdfTooLarge(m)) if m.contains("page 1: ") && m.contains("256 MB"))
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    // garbage never panics
    for junk in [
        &b""[..],
        b"%PDF-",
        b"%PDF-1.4\n%%EOF",
        &bytes[..bytes.len() - 10],
    ] {
        assert!(extract::extract(Format::Pdf, junk).is_err());
    }
}

/// A contract as Chromium prints it: A4, a running header (社外秘 and the title) and page
/// numbers (- 1 -) in the margins, each line a paragraph (as make_fixtures.py does).
fn print_page(title: &str, body: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{t}</title><style>
@page {{ size: A4; margin: 25mm 20mm;
  @top-right {{ content: "社外秘　{t}"; font-size: 9pt; }}
  @bottom-center {{ content: "- " counter(page) " -"; font-size: 9pt; }} }}
body {{ font-family: "Noto Serif CJK JP", serif; font-size: 10.5pt; line-height: 1.7; }}
p {{ margin: 0; white-space: pre-wrap; }}
.next {{ break-before: page; }}
</style></head><body>{body}</body></html>"#,
        t = escape(title),
    )
}

fn paragraphs(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            if l.is_empty() {
                "<p>&nbsp;</p>".to_string()
            } else {
                format!("<p>{l}</p>")
            }
        })
        .collect()
}

fn print_to_pdf(browser: &str, page: &str, pdf: &Path) {
    let html = pdf.with_extension("html");
    std::fs::write(&html, page).unwrap();
    let profile = pdf.with_extension("profile");
    assert!(
        crate::print_to_pdf(browser, &html, pdf, &profile),
        "{}",
        pdf.display()
    );
}

/// Every corpus contract printed by Chromium, and all of them in one long PDF, read as
/// their text. Skipped, with the reason, where Chromium is not installed.
#[test]
fn every_corpus_contract_printed_by_chromium_reads_as_its_text() {
    let Some(browser) = crate::chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium fonts-noto-cjk)");
        return;
    };
    let dir = temp_dir("pdf-print");
    let sources = crate::sorted_files(&root().join(CONTRACTS));
    let mut all = String::new();
    for source in &sources {
        let text = std::fs::read_to_string(source).unwrap();
        let title = text.lines().next().unwrap().trim_start_matches("# ");
        let pdf = dir.join(source.with_extension("pdf").file_name().unwrap());
        print_to_pdf(browser, &print_page(title, &paragraphs(&text)), &pdf);
        assert_twin(&pdf, source);
        all.push_str(&format!("<div class=\"next\">{}</div>", paragraphs(&text)));
    }
    // the long one: every page's header and number left out, every page reached
    let long = dir.join("all-contracts.pdf");
    print_to_pdf(browser, &print_page("契約書集", &all), &long);
    let (text, map) = pdf::extract(&std::fs::read(&long).unwrap()).unwrap();
    let left: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("社外秘") || pdf::is_page_number(l))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let last_page = (1..=map.len())
        .filter_map(|l| map.place(l, 1))
        .map(|(page, _)| page)
        .max()
        .unwrap();
    assert!(last_page >= 20, "{last_page} pages");
    let expected: usize = sources
        .iter()
        .map(|s| {
            std::fs::read_to_string(s)
                .unwrap()
                .lines()
                .filter(|l| !l.is_empty())
                .count()
        })
        .sum();
    // every source line is a line, but where a contract's last line reaches the right edge
    // and the next contract starts on the next page, the two run on (a page break after a
    // full line is not a paragraph's end to the layout): a few such joins, no more
    let lines = text.lines().count();
    assert!(
        lines <= expected && lines * 100 >= expected * 99,
        "{lines} of {expected}"
    );
}

/// The PDFs fuzzing found (tests/fuzz/pdf/): each is read with a page and line for every
/// line of its text, or refused with its reason, never a panic.
#[test]
fn fuzz_found_pdfs_map_every_line_to_its_page() {
    for entry in std::fs::read_dir(root().join("tests/fuzz/pdf")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(e) = extract::extract(Format::Pdf, &bytes) {
            let lines = e.text.matches('\n').count();
            let pages = e.pages.expect("a PDF's page map");
            assert_eq!(pages.len(), lines, "{}", path.display());
            for line in 1..=lines {
                assert!(pages.place(line, 1).is_some(), "{}", path.display());
            }
        }
    }
}

/// A contract printed in vertical lines (縦書き) is refused with its reason, in Japanese and
/// in English, and not checked as broken text; the same contract printed horizontally is
/// read. Skipped, with the reason, where Chromium is not installed.
#[test]
fn a_pdf_in_vertical_writing_is_refused_with_its_reason() {
    let Some(browser) = crate::chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium fonts-noto-cjk)");
        return;
    };
    let dir = temp_dir("pdf-vertical");
    let text = std::fs::read_to_string(root().join(CONTRACTS).join("01-gyomu-itaku-kou-otsu.txt"))
        .unwrap();
    let body = paragraphs(&text.lines().take(30).collect::<Vec<_>>().join("\n"));
    let page = |style: &str| {
        format!(
            "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><style>body {{ {style} font-family: 'Noto Serif CJK JP', serif; font-size: 11pt; }}</style></head><body>{body}</body></html>"
        )
    };
    let vertical = dir.join("vertical.pdf");
    let horizontal = dir.join("horizontal.pdf");
    for (pdf, style) in [(&vertical, "writing-mode: vertical-rl;"), (&horizontal, "")] {
        print_to_pdf(browser, &page(style), pdf);
    }
    assert!(matches!(
        pdf::extract(&std::fs::read(&vertical).unwrap()),
        Err(ExtractError::PdfVertical)
    ));
    assert!(pdf::extract(&std::fs::read(&horizontal).unwrap()).is_ok());
    let out = kiyaku(&["check", &vertical.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("縦書きのPDFは検査できません"));
    let out = kiyaku(&["check", "--lang", "en", &vertical.to_string_lossy()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("a PDF written in vertical lines"));
}
