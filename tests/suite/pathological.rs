//! Pathological input: huge documents, a huge line, deep nesting, binary garbage, an
//! empty file. Each is handled without a panic, in bounded time, and without quadratic
//! blow-up (the bounds are generous for a debug build on a slow shared machine).

use std::time::{Duration, Instant};

use kiyaku::catalog::builtin_catalogs;
use kiyaku::engine::Engine;
use kiyaku::extract::{self, Format};

fn engine() -> Engine {
    Engine::new(builtin_catalogs())
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    eprintln!("{what}: {took:?}");
    (out, took)
}

/// Measured in a debug build on the 2-core development machine under a load average of
/// about 10: 1 MB line 7 s, 10,000 nested lists 8 s, 1 MB of garbage 8 s; 1 MB document 6 s.
/// 50,000 nested lists are refused after 4 s under a load average of 4.
const BOUND: Duration = Duration::from_secs(30);
/// The 10 MB document: 66 s measured under that load (6.6 s/MB, linear; kiyaku's own code
/// is not optimised in a debug build, its dependencies are); about 4 s in a release build.
const BOUND_10_MB: Duration = Duration::from_secs(180);

/// A regulation with articles, paragraphs, items and references, repeated to `bytes`.
fn document_of(bytes: usize) -> String {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/shared/regulation-tsc.txt"
    ))
    .unwrap();
    let mut text = String::with_capacity(bytes + unit.len());
    while text.len() < bytes {
        text.push_str(&unit);
    }
    text
}

#[test]
fn ten_megabyte_document_is_linear() {
    let engine = engine();
    let small = document_of(1 << 20);
    let large = document_of(10 << 20);
    let (_, t_small) = timed("1 MB document", || engine.check("r.txt", small, None));
    let (report, t_large) = timed("10 MB document", || engine.check("r.txt", large, None));
    assert!(!report.items.is_empty());
    assert!(t_large < BOUND_10_MB, "10 MB took {t_large:?}");
    // linear work is ×10; a quadratic step would be ×100
    assert!(
        t_large < t_small * 30 + Duration::from_secs(1),
        "1 MB {t_small:?}, 10 MB {t_large:?}"
    );
}

#[test]
fn one_megabyte_line() {
    let engine = engine();
    let line =
        "委託先は個人情報を第三者に提供しない、第5条第2項及び前条に定める".repeat(1 << 20 >> 7);
    let cut = (0..=1 << 20)
        .rev()
        .find(|&i| line.is_char_boundary(i))
        .unwrap();
    let line = &line[..cut];
    for text in [
        line.to_string(),
        format!("個人情報取扱規程\n第1条 {line}\n2 {line}"),
    ] {
        let (_, took) = timed("1 MB line", || engine.check("l.txt", text, None));
        assert!(took < BOUND, "{took:?}");
    }
}

#[test]
fn ten_thousand_nested_list_levels() {
    let engine = engine();
    const LEVELS: usize = 10_000;
    // HTML lists nested 10,000 deep
    let mut page = String::from("<html><body><h1>プライバシーポリシー</h1>");
    for i in 0..LEVELS {
        page.push_str(&format!("<ol><li>項目{i}"));
    }
    page.push_str(&"</li></ol>".repeat(LEVELS));
    let (text, took) = timed("10,000 nested <ol>", || {
        extract::extract(Format::Html, page.as_bytes())
            .unwrap()
            .text
    });
    assert!(took < BOUND, "{took:?}");
    assert_eq!(text.lines().count(), LEVELS + 1);
    let (_, took) = timed("  … checked", || engine.check("n.html", text, None));
    assert!(took < BOUND, "{took:?}");
    // Word tables nested 10,000 deep
    let mut body = String::new();
    for i in 0..LEVELS {
        body.push_str(&format!(
            "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{i}</w:t></w:r></w:p>"
        ));
    }
    body.push_str(&"</w:tc></w:tr></w:tbl>".repeat(LEVELS));
    let docx = docx_with(&body);
    let (e, took) = timed("10,000 nested tables", || {
        extract::extract(Format::Docx, &docx).unwrap()
    });
    assert!(took < BOUND, "{took:?}");
    assert_eq!(e.paragraphs.unwrap().len(), LEVELS);
    // text whose labels nest as deep as labels go, 10,000 times over
    let labels = [
        "第1条",
        "2",
        "(1)",
        "①",
        "イ",
        "a.",
        "1.",
        "1.1",
        "# 見出し",
        "- (2)",
    ];
    let text: String = (0..LEVELS)
        .map(|i| {
            format!(
                "{}{} 前号及び次の各号並びに第1条第2項第1号「イ」\n",
                " ".repeat(i % 40),
                labels[i % labels.len()]
            )
        })
        .collect();
    let (_, took) = timed("10,000 nested labels", || engine.check("l.txt", text, None));
    assert!(took < BOUND, "{took:?}");
}

/// html5ever's tree construction is quadratic in nesting depth (each block tag searches the
/// open elements for a `<p>`): 50,000 nested lists took over 110 s. The parse is bounded per
/// token, so such a page is refused once a tag would search more than
/// `MAX_OPEN_SEARCHED` open elements, after a time that does not grow with the page.
#[test]
fn fifty_thousand_nested_list_levels_are_refused_in_bounded_time() {
    const LEVELS: usize = 50_000;
    let mut page = String::from("<html><body><h1>プライバシーポリシー</h1>");
    for i in 0..LEVELS {
        page.push_str(&format!("<ol><li>項目{i}"));
    }
    page.push_str(&"</li></ol>".repeat(LEVELS));
    let (result, took) = timed("50,000 nested <ol>", || {
        extract::extract(Format::Html, page.as_bytes())
    });
    assert!(took < BOUND, "{took:?}");
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("nested too deeply")
            && message.contains(&extract::html::MAX_OPEN_SEARCHED.to_string()),
        "{message}"
    );
}

fn docx_with(body: &str) -> Vec<u8> {
    use std::io::Write;
    let document = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Deterministic pseudo-random bytes.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_garbage() {
    let engine = engine();
    for seed in [1, 2] {
        let bytes = garbage(1 << 20, seed);
        let (results, took) = timed("1 MB of garbage", || {
            [Format::Text, Format::Docx, Format::Html].map(|f| extract::extract(f, &bytes))
        });
        assert!(took < BOUND, "{took:?}");
        assert!(results[0].is_err() && results[1].is_err());
        // garbage that does decode (no NUL, lossily read) goes through the whole engine
        let text = String::from_utf8_lossy(&bytes).replace('\0', " ");
        let (_, took) = timed("  … checked", || engine.check("g.txt", text, None));
        assert!(took < BOUND, "{took:?}");
    }
    let mut docx_like = b"PK\x03\x04".to_vec();
    docx_like.extend(garbage(4096, 9));
    assert!(extract::extract(Format::Docx, &docx_like).is_err());
}

#[test]
fn empty_file() {
    let engine = engine();
    assert_eq!(extract::extract(Format::Text, b"").unwrap().text, "");
    assert_eq!(extract::extract(Format::Html, b"").unwrap().text, "");
    assert!(extract::extract(Format::Docx, b"").is_err());
    for text in ["", "\n", "\u{feff}", "\r\n\r\n"] {
        let report = engine.check("e.txt", text.to_string(), None);
        assert!(report.diagnostics.iter().all(|d| d.range.end <= text.len()));
    }
}

/// Inputs that panicked (arithmetic overflow in a debug build), kept as regressions.
#[test]
fn inputs_that_once_panicked() {
    let engine = engine();
    for text in [
        // article number u32::MAX twice: the numbering check's next expected number overflowed
        "規程\n第4294967295条 a\n第4294967295条 b\n",
        // 25 kanji digits: the kanji numeral reader overflowed u64
        "規程\n第一二三四五六七八九一二三四五六七八九一二三四五条 x\n",
        "規程\n第1条 金一二三四五六七八九一二三四五六七八九一二三四五円\n",
    ] {
        let report = engine.check(
            "p.txt",
            text.to_string(),
            Some(kiyaku::kind::DocumentKind::Regulation),
        );
        assert!(report.diagnostics.iter().all(|d| d.range.end <= text.len()));
    }
}
