//! .docx and .html inputs: twins of corpus documents get the statuses of their .txt,
//! folders pick them up, and a bad file is an error for that file only.

use crate::temp_dir;
use std::path::Path;
use std::process::Output;

use kiyaku::extract::{self, Format};

const DOCX: &str = "tests/fixtures/inputs/07-call-center-itaku.docx";
const DOCX_TXT: &str = "tests/corpus/contracts/07-call-center-itaku.txt";
const HTML: &str = "tests/fixtures/inputs/06-takada-kogyosho.html";
const HTML_TXT: &str = "tests/corpus/notices/06-takada-kogyosho.txt";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kiyaku(args: &[&str]) -> Output {
    crate::kiyaku_command()
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    crate::json_of(out)
}

/// (id, status) of every item of the only file checked.
fn statuses(path: &str) -> Vec<(String, String)> {
    let v = json(&kiyaku(&["check", "--format", "json", path]));
    v["files"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                format!("{} {}", i["status"].as_str().unwrap(), i["lines"]),
            )
        })
        .collect()
}

fn extracted(path: &str) -> extract::Extracted {
    let path = root().join(path);
    extract::extract(Format::of(&path), &std::fs::read(&path).unwrap()).unwrap()
}

#[test]
fn docx_twin_reads_as_its_txt() {
    // Word's automatic numbering (第%1条, %2, （%3）) comes back as the typed labels, so the
    // extracted text is the .txt but for the signatures, which are a table (one cell a line)
    let docx = extracted(DOCX);
    let txt = std::fs::read_to_string(root().join(DOCX_TXT)).unwrap();
    let body = txt.split("甲　福岡県").next().unwrap();
    assert!(docx.text.starts_with(body), "{}", docx.text);
    assert!(docx.text.ends_with("甲\n福岡県福岡市中央区天神一丁目10番1号　株式会社さくら通販　代表取締役　松本　健太\n乙\n北海道札幌市中央区北五条西二丁目5番　株式会社テレコネクト　代表取締役　石川　由美\n\n"));
    let paragraphs = docx.paragraphs.unwrap();
    assert_eq!(paragraphs.len(), docx.text.lines().count());
    // statuses and lines equal, the conflict and missing items included
    let (d, t) = (statuses(DOCX), statuses(DOCX_TXT));
    assert_eq!(d, t);
    assert!(t.iter().any(|(_, s)| s.starts_with("missing")));
    assert!(t.iter().any(|(_, s)| s.starts_with("conflict")));
}

#[test]
fn docx_findings_name_line_and_paragraph() {
    let out = kiyaku(&["check", "--lang", "en", DOCX]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("07-call-center-itaku.docx:18:1 (paragraph 18)"),
        "{text}"
    );
    let v = json(&kiyaku(&["check", "--format", "json", DOCX]));
    let conflict = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "conflicting-clause")
        .unwrap();
    assert_eq!(conflict["range"]["start"]["line"], 18);
    assert_eq!(conflict["paragraph"], 18);
}

#[test]
fn html_twin_reads_as_its_txt() {
    let html = extracted(HTML).text;
    // visible text only, Shift_JIS decoded, lists numbered for the structure parser
    assert!(!html.contains("gaProperty") && !html.contains("本文へ移動") && !html.contains("｜"));
    assert!(html.contains("\n(1) 同意の撤回に関するご請求\n"), "{html}");
    assert!(html.contains("\n・当社は、適法かつ公正な手段によって、個人情報を取得いたします。\n"));
    assert!(html.ends_with("株式会社高田工業所\n代表取締役社長　髙田寿一郎\n"));
    let ids = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        v.into_iter()
            .map(|(id, s)| (id, s.split(' ').next().unwrap().to_string()))
            .collect()
    };
    assert_eq!(ids(statuses(HTML)), ids(statuses(HTML_TXT)));
}

#[test]
fn folders_pick_up_docx_and_html_and_bad_files_fail_alone() {
    let dir = temp_dir("inputs");
    let docx = std::fs::read(root().join(DOCX)).unwrap();
    std::fs::write(dir.join("contract.docx"), &docx).unwrap();
    std::fs::copy(root().join(HTML), dir.join("notice.htm")).unwrap();
    std::fs::copy(root().join(DOCX_TXT), dir.join("contract.txt")).unwrap();
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.resize(4096, 0);
    std::fs::write(dir.join("encrypted.docx"), cfb).unwrap();
    std::fs::write(dir.join("truncated.docx"), &docx[..docx.len() / 2]).unwrap();
    std::fs::write(dir.join("corrupt.docx"), b"PK\x03\x04 not really").unwrap();
    std::fs::write(dir.join("binary.html"), b"\x00\x01\x02garbage").unwrap();
    // a sound zip whose document.xml was cut short: its first half was checked, no error
    std::fs::write(dir.join("cut-short.docx"), cut_short(&docx)).unwrap();
    // UTF-8 declared iso-8859-1: a browser shows mojibake, which was checked (and passed)
    std::fs::write(
        dir.join("mislabelled.html"),
        "<meta charset=\"iso-8859-1\"><h1>個人情報保護方針</h1>",
    )
    .unwrap();
    let out = kiyaku(&[
        "check",
        "--lang",
        "en",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    let mut checked: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            Path::new(f["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    checked.sort();
    assert_eq!(checked, ["contract.docx", "contract.txt", "notice.htm"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (file, reason) in [
        ("encrypted.docx", "password-protected"),
        ("truncated.docx", "corrupt or truncated"),
        ("corrupt.docx", "corrupt or truncated"),
        (
            "cut-short.docx",
            "word/document.xml ends with 2 elements still open (cut short)",
        ),
        ("binary.html", "binary"),
        (
            "mislabelled.html",
            "declares charset \"iso-8859-1\" but its bytes are UTF-8",
        ),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(reason)),
            "{file}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `docx` again, its document.xml cut after the paragraph that ends nearest its middle.
fn cut_short(docx: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if name == "word/document.xml" {
            let half = bytes.len() / 2;
            let end = bytes[half..]
                .windows(6)
                .position(|w| w == b"</w:p>")
                .unwrap();
            bytes.truncate(half + end + 6);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The fuzz seeds in `subfolders` of `dir`, as paths relative to `dir` ("html/x.html"; a
/// subfolder "." gives bare file names), sorted.
fn seed_names(dir: &std::path::Path, subfolders: &[&str]) -> Vec<String> {
    let mut seeds: Vec<String> = subfolders
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).into_iter().flatten())
        .map(|e| {
            let path = e.unwrap().path();
            path.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .trim_start_matches("./")
                .to_owned()
        })
        .collect();
    seeds.sort();
    seeds
}

/// The seeds `.ci/fuzz` gives the `html` and `docx` targets (tests/fuzz/): each is refused
/// with its reason, or read.
#[test]
fn fuzz_seeds_are_refused_with_their_reason() {
    let expected: &[(&str, &str)] = &[
        ("docx/text-past-16-mib.docx", "its text passes 16 MiB"),
        (
            "docx/truncated-document-xml.docx",
            "word/document.xml ends with 5 elements still open (cut short)",
        ),
        (
            "html/charset-euc-jp-declared-shift-jis.html",
            "declares charset \"Shift_JIS\" but its bytes are EUC-JP",
        ),
        (
            "html/charset-shift-jis-declared-utf8.html",
            "declares charset \"utf-8\" but its bytes are Shift_JIS",
        ),
        (
            "html/charset-utf8-declared-latin1.html",
            "declares charset \"iso-8859-1\" but its bytes are UTF-8",
        ),
        (
            "html/charset-utf8-declared-shift-jis.html",
            "declares charset \"Shift_JIS\" but its bytes are UTF-8",
        ),
    ];
    let dir = root().join("tests/fuzz");
    let names: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        seed_names(&dir, &["html", "docx"]),
        names,
        "a seed without expectations, or one missing"
    );
    for (name, reason) in expected {
        let path = dir.join(name);
        let result = extract::extract(Format::of(&path), &std::fs::read(&path).unwrap());
        match result {
            Err(e) => assert!(e.to_string().contains(reason), "{name}: {e}"),
            Ok(e) => assert!(reason.is_empty(), "{name}: read as {:?}", e.text),
        }
    }
}

/// The seeds of the `pdf` fuzz target (tests/fuzz/pdf/): a file the PDF parser panics on is
/// refused as damaged (the panic caught, not a crash of kiyaku); the others are read.
#[test]
fn pdf_fuzz_seeds_are_read_or_refused_as_damaged() {
    let expected: &[(&str, Option<&str>)] = &[
        (
            "parser-panics-on-a-broken-object-header.pdf",
            Some("the PDF parser failed on its structure"),
        ),
        ("span-text-with-line-breaks.pdf", None),
    ];
    let dir = root().join("tests/fuzz/pdf");
    let names: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        seed_names(&dir, &["."]),
        names,
        "a seed without expectations, or one missing"
    );
    for (name, refusal) in expected {
        let path = dir.join(name);
        let result = extract::extract(Format::of(&path), &std::fs::read(&path).unwrap());
        match (result, refusal) {
            (Err(e), Some(reason)) => assert!(e.to_string().contains(reason), "{name}: {e}"),
            (Err(e), None) => panic!("{name}: refused: {e}"),
            (Ok(_), Some(reason)) => panic!("{name}: read, though it should be refused: {reason}"),
            (Ok(_), None) => {}
        }
    }
}

/// A PDF the parser panics on is one line on the terminal, naming the file as damaged: no
/// panic message or backtrace of the parser's, and the other files are checked.
#[test]
fn a_parser_panic_is_reported_as_a_damaged_file_without_a_backtrace() {
    let dir = temp_dir("pdf-panic");
    std::fs::copy(
        root().join("tests/fuzz/pdf/parser-panics-on-a-broken-object-header.pdf"),
        dir.join("broken.pdf"),
    )
    .unwrap();
    std::fs::write(dir.join("memo.txt"), "社内メモ\n").unwrap();
    let out = crate::cli::kiyaku_with(
        &["check", "--no-cache", "-q", dir.to_str().unwrap()],
        None,
        &[("RUST_BACKTRACE", "1")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.pdf"), "{stderr}");
    assert!(stderr.contains("破損したPDF"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
