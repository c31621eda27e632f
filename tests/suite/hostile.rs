//! Hostile and careless command lines: nothing a user has is lost, no failed write passes
//! for success, special files neither block nor exhaust memory, a report saved among the
//! documents is not checked as one, and long lines do not blow up the output.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::{checked_paths, kiyaku};
use crate::temp_dir;

fn contract() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/contracts/01-gyomu-itaku-kou-otsu.txt")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn output_that_names_an_input_document_is_refused_before_writing() {
    let dir = temp_dir("output-is-input");
    let doc = dir.join("contract.txt");
    std::fs::copy(contract(), &doc).unwrap();
    let before = std::fs::read(&doc).unwrap();
    // named directly, through the folder, and through another spelling of the same path
    let other_spelling = dir.join(".").join("contract.txt");
    for (input, output) in [
        (doc.clone(), doc.clone()),
        (dir.clone(), doc.clone()),
        (doc.clone(), other_spelling),
    ] {
        let out = kiyaku(
            &[
                "check",
                "--lang",
                "en",
                "--format",
                "html",
                input.to_str().unwrap(),
                "--output",
                output.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("refusing to overwrite"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read(&doc).unwrap(),
            before,
            "the document was changed"
        );
    }
}

#[test]
fn reports_saved_in_a_checked_folder_are_not_checked_next_time() {
    let dir = temp_dir("report-in-folder");
    std::fs::copy(contract(), dir.join("contract.txt")).unwrap();
    let folder = dir.to_str().unwrap();
    for (format, name) in [
        ("html", "report.html"),
        ("text", "report.txt"),
        ("github", "annotations.txt"),
        ("json", "report.md"),
        ("sarif", "report.htm"),
        ("csv", "matrix.txt"),
    ] {
        let target = dir.join(name);
        let write_report = || {
            let target = target.to_str().unwrap();
            kiyaku(
                &["check", "--format", format, folder, "--output", target],
                None,
            )
        };
        let out = write_report();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let again = kiyaku(&["check", "--lang", "en", "--format", "json", folder], None);
        let paths = checked_paths(&again);
        assert_eq!(paths.len(), 1, "{format}: {paths:?}");
        assert!(paths[0].ends_with("contract.txt"));
        assert!(
            stderr(&again).contains(name) && stderr(&again).contains("report written by kiyaku"),
            "{format}: {}",
            stderr(&again)
        );
        // writing the report again over the old one is allowed
        let out = write_report();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        std::fs::remove_file(&target).unwrap();
    }
}

#[test]
fn a_failed_write_of_output_is_exit_2_with_a_message() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full here; skipped");
        return;
    };
    for args in [
        vec![
            "check",
            contract().to_str().unwrap().to_string().leak() as &str,
        ],
        vec!["catalogs"],
        vec!["catalogs", "--json"],
        vec!["explain", "missing-clause"],
    ] {
        let out = crate::kiyaku_command()
            .args(&args)
            .env("LANG", "en_US.UTF-8")
            .env("KIYAKU_CACHE_DIR", temp_dir("dev-full-cache"))
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot write") && !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = kiyaku(
        &[
            "check",
            "--lang",
            "en",
            contract().to_str().unwrap(),
            "--output",
            "/dev/full",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn special_files_neither_block_nor_exhaust_memory() {
    let dir = temp_dir("special-files");
    let fifo = dir.join("pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let start = Instant::now();
        let out = kiyaku(&["check", "--lang", "en", fifo.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
        assert!(start.elapsed() < Duration::from_secs(30));
    }
    let out = kiyaku(&["check", "--lang", "en", "/dev/zero"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/dev/zero"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_and_loops_reported() {
    let dir = temp_dir("symlinks");
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::os::unix::fs::symlink(contract(), docs.join("linked.txt")).unwrap();
    std::os::unix::fs::symlink(&docs, docs.join("loop")).unwrap();
    let out = kiyaku(
        &[
            "check",
            "--lang",
            "en",
            "--format",
            "json",
            docs.to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{}", stderr(&out));
    assert!(files[0]["path"].as_str().unwrap().ends_with("linked.txt"));
    assert!(stderr(&out).contains("loop"), "{}", stderr(&out));
    let a = dir.join("a.txt");
    let b = dir.join("b.txt");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let out = kiyaku(&["check", "--lang", "en", a.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot follow the link") && !stderr(&out).contains("no such file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn standard_input_named_twice_is_read_once() {
    let text = std::fs::read(contract()).unwrap();
    let out = kiyaku(
        &["check", "--lang", "en", "--format", "json", "-", "-"],
        Some(&text),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
}

#[test]
fn a_folder_with_nothing_to_check_says_why() {
    let empty = temp_dir("empty-folder");
    let out = kiyaku(&["check", "--lang", "en", empty.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no document to check"),
        "{}",
        stderr(&out)
    );
    let others = temp_dir("only-others");
    std::fs::write(others.join("a.xlsx"), b"PK").unwrap();
    std::fs::write(others.join("b.pptx"), b"PK").unwrap();
    let out = kiyaku(&["check", others.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("1 .xlsx") && stderr(&out).contains("1 .pptx"),
        "{}",
        stderr(&out)
    );
    // a .pdf is read and a .doc named, each with its own reason
    let pdfs = temp_dir("only-pdfs");
    std::fs::write(pdfs.join("a.pdf"), b"%PDF-1.4").unwrap();
    std::fs::write(pdfs.join("b.doc"), b"\xd0\xcf\x11\xe0").unwrap();
    let out = kiyaku(&["check", "--lang", "ja", pdfs.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a.pdf: 破損したPDFです")
            && stderr(&out).contains("b.doc: Word 97–2003 形式"),
        "{}",
        stderr(&out)
    );
    let out = kiyaku(&["check", "--lang", "en", pdfs.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a.pdf: a damaged PDF")
            && stderr(&out).contains("b.doc: a Word 97–2003 document"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn the_cache_is_private_and_a_damaged_entry_is_a_miss() {
    use std::os::unix::fs::PermissionsExt;
    let cache = temp_dir("private-cache").join("cache");
    let dir = temp_dir("private-cache-docs");
    let doc = dir.join("c.txt");
    std::fs::write(
        &doc,
        "個人情報の取扱いに関する覚書\n乙は、個人情報を第三者に開示しない。\n",
    )
    .unwrap();
    let run = || {
        crate::kiyaku_command()
            .args(["check", "--format", "json", doc.to_str().unwrap()])
            .env("KIYAKU_CACHE_DIR", &cache)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(
        std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let entries: Vec<PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert!(!entries.is_empty());
    for entry in &entries {
        assert_eq!(
            std::fs::metadata(entry).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // an offset inside a multi-byte character: parses, but must not be trusted
        let text = std::fs::read_to_string(entry).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for d in v["diagnostics"].as_array_mut().unwrap() {
            d["range"]["start"] = serde_json::json!(1);
        }
        std::fs::write(entry, serde_json::to_vec(&v).unwrap()).unwrap();
    }
    for _ in 0..2 {
        let again = run();
        assert_eq!(
            again.status.code(),
            first.status.code(),
            "{}",
            stderr(&again)
        );
        assert!(!stderr(&again).contains("panicked"), "{}", stderr(&again));
        assert_eq!(again.stdout, first.stdout);
    }
}

#[test]
fn a_long_one_line_document_gives_a_bounded_report_quickly() {
    let dir = temp_dir("long-line");
    let doc = dir.join("one-line.txt");
    let sentence = "乙は、本業務に関して知り得た個人情報を適切に取り扱うものとする。";
    let filler = sentence.repeat((2 << 20) / sentence.len());
    // findings at the start, in the middle and at the end of one 4 MB line
    let line = format!("第99条に従う。{filler}前項及び第98条に従う。{filler}第97条に従う。");
    std::fs::write(&doc, &line).unwrap();
    let start = Instant::now();
    for format in ["text", "json", "sarif", "html"] {
        let out = kiyaku(
            &[
                "check",
                "--lang",
                "en",
                "--format",
                format,
                doc.to_str().unwrap(),
            ],
            None,
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        // each finding shows a window of its line, not the line
        assert!(
            out.stdout.len() < line.len() / 2,
            "{format}: {} bytes of output for {} bytes of input",
            out.stdout.len(),
            line.len()
        );
    }
    eprintln!(
        "4 MB one-line document, four formats: {:?}",
        start.elapsed()
    );
    assert!(start.elapsed() < Duration::from_secs(240));
}

/// A .docx of `paragraphs` paragraphs of contract text: a few hundred kilobytes that inflate
/// to as much text as is asked.
fn inflating_docx(paragraphs: usize) -> Vec<u8> {
    use std::io::Write;
    let paragraph = "<w:p><w:r><w:t>乙は、本業務に関して知り得た個人情報を甲の書面による承諾なく第三者に提供してはならない。</w:t></w:r></w:p>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", deflated).unwrap();
    zip.write_all(r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>業務委託契約書</w:t></w:r></w:p>"#.as_bytes())
        .unwrap();
    for _ in 0..paragraphs {
        zip.write_all(paragraph.as_bytes()).unwrap();
    }
    zip.write_all(b"</w:body></w:document>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A .docx that inflates to more text than kiyaku checks is refused as it streams (it cost
/// 3 GB and 15 s when its 128 MiB of XML were held and its text checked), and two .docx
/// with large texts are checked one at a time: the run stays within an address space that
/// one such check in flight fits in. Linux only (`ulimit -v`).
#[cfg(target_os = "linux")]
#[test]
fn inflating_docx_files_are_bounded_in_memory() {
    let dir = temp_dir("inflating-docx");
    // 136 bytes of text a paragraph: 300,000 paragraphs are 39 MiB of text (53 MB of XML,
    // whose check took 1.6 GB), 32,000 are 4.2 MiB, past the text a .docx checks alongside
    // others
    let bomb = inflating_docx(300_000);
    assert!(bomb.len() < 500 << 10, "{} bytes", bomb.len());
    std::fs::write(dir.join("bomb.docx"), &bomb).unwrap();
    std::fs::write(dir.join("large-1.docx"), inflating_docx(32_000)).unwrap();
    std::fs::write(dir.join("large-2.docx"), inflating_docx(32_000)).unwrap();
    let start = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" check --lang en --no-cache --format json \"$1\"",
            LIMIT_KIB
        ))
        .arg(env!("CARGO_BIN_EXE_kiyaku"))
        .arg(&dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env("RAYON_NUM_THREADS", "2")
        .env("MALLOC_ARENA_MAX", "2")
        .output()
        .unwrap();
    eprintln!("inflating .docx files: {:?}", start.elapsed());
    let stderr = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bomb.docx: its text passes 16 MiB"),
        "{stderr}"
    );
    let mut checked = checked_paths(&out);
    checked.sort();
    assert_eq!(checked.len(), 2, "{checked:?}");
    assert!(checked[0].ends_with("large-1.docx") && checked[1].ends_with("large-2.docx"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The address space `inflating_docx_files_are_bounded_in_memory` allows: 1 GiB, three
/// times what a debug build takes for the run (between 300 and 350 MiB, one large text in
/// flight); before the bounds, the bomb alone took more.
#[cfg(target_os = "linux")]
const LIMIT_KIB: u64 = 1 << 20;
