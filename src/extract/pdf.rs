//! `.pdf` to text: the text layer of a PDF (what a PDF viewer lets you select and copy),
//! read with `pdf_oxide` and laid out by `layout`: printed lines in the producer's reading
//! order, running headers, footers and page numbers left out, lines that wrap at the edge
//! of their column joined again, so that an article reads as one line as in its .txt.
//! Each line of the text knows the page and the line on the page it came from (`PageMap`).
//!
//! What cannot be read is an error naming why: a PDF without text (a scan, an image), an
//! encrypted one that needs a password to open, a damaged one (with the parser's reason,
//! or cut short before its `%%EOF`). A file is read within bounds: pages, objects, the
//! decompressed size of its pages' content, the text it gives and the time it takes.
//! Vertical writing (縦書き) is not laid out: its characters come out one a line.
//!
//! Why `pdf_oxide`: measured on the corpus contracts printed to PDF by Chromium (Noto CJK
//! fonts, running header and page numbers, a two-column and a table variant) against
//! `pdf-extract` (on `lopdf`): every character of the source came out right and in order
//! (`pdf-extract`: 94.9 %, 1,059 CJK radicals such as ⼄ for 乙, ideographic spaces lost),
//! spans come with their positions (what the layout above needs), the same speed (about
//! 50 ms for a two-page contract, either crate), and 1 panic in 120 damaged variants of
//! two PDFs against 30 for `pdf-extract` (a panic is still caught and reported).

mod layout;

pub use layout::{PageMap, Piece, Span, assemble, is_page_number};

use std::time::{Duration, Instant};

use super::ExtractError;

/// The most pages a PDF may have: a contract has tens; thousands are a book or a bomb.
pub const MAX_PAGES: usize = 2_000;

/// The most objects a PDF may declare (a 500-page document has some tens of thousands).
pub const MAX_OBJECTS: usize = 1_000_000;

/// The most its pages' content may decompress to, all pages together: the drawing
/// instructions of a text page are tens of kilobytes, so a hundred megabytes are a bomb.
pub const MAX_CONTENT_BYTES: usize = 128 << 20;

/// The longest a PDF may take to read.
pub const MAX_TIME: Duration = Duration::from_secs(60);

/// The bounds an extraction keeps (smaller in tests).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub pages: usize,
    pub objects: usize,
    pub content: usize,
    pub text: usize,
    pub time: Duration,
}

pub const LIMITS: Limits = Limits {
    pages: MAX_PAGES,
    objects: MAX_OBJECTS,
    content: MAX_CONTENT_BYTES,
    text: super::docx::MAX_TEXT_BYTES,
    time: MAX_TIME,
};

/// How far from the end a PDF's `%%EOF` may be: readers accept up to 1,024 bytes of
/// trailing garbage.
const EOF_WINDOW: usize = 1024;

/// The text of a PDF and where each of its lines was printed.
pub fn extract(bytes: &[u8]) -> Result<(String, PageMap), ExtractError> {
    extract_limited(bytes, LIMITS)
}

/// `extract` within `limits`.
pub fn extract_limited(bytes: &[u8], limits: Limits) -> Result<(String, PageMap), ExtractError> {
    let head = &bytes[..bytes.len().min(EOF_WINDOW)];
    if !contains(head, b"%PDF-") {
        return Err(ExtractError::PdfDamaged(
            "not a PDF (no %PDF- header at its start)".into(),
        ));
    }
    let tail = &bytes[bytes.len().saturating_sub(EOF_WINDOW)..];
    if !contains(tail, b"%%EOF") {
        return Err(ExtractError::PdfCutShort);
    }
    // the parser is a large third-party crate: a panic on some malformed file is a
    // damaged file, not the end of the run
    match std::panic::catch_unwind(|| read(bytes, limits)) {
        Ok(result) => result,
        Err(_) => Err(ExtractError::PdfDamaged(
            "the PDF parser failed on its structure".into(),
        )),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn read(bytes: &[u8], limits: Limits) -> Result<(String, PageMap), ExtractError> {
    let start = Instant::now();
    let damaged = |e: pdf_oxide::Error| ExtractError::PdfDamaged(e.to_string());
    let doc = pdf_oxide::PdfDocument::from_bytes(bytes.to_vec()).map_err(damaged)?;
    // an empty user password opens a PDF protected by an owner password only (printing
    // or copying "restricted"): that one is read; one that needs a password to open is not
    if doc.is_encrypted() && !doc.is_authenticated() {
        return Err(ExtractError::PdfEncrypted);
    }
    let objects = doc.all_object_ids().len();
    if objects > limits.objects {
        return Err(ExtractError::PdfTooLarge(format!(
            "{objects} objects (more than {})",
            limits.objects
        )));
    }
    let pages = doc.page_count().map_err(damaged)?;
    if pages > limits.pages {
        return Err(ExtractError::PdfTooLarge(format!(
            "{pages} pages (more than {})",
            limits.pages
        )));
    }
    let mut content = 0usize;
    let mut spans_by_page = Vec::with_capacity(pages);
    let mut text_bytes = 0usize;
    for page in 0..pages {
        if start.elapsed() > limits.time {
            return Err(ExtractError::PdfTooSlow {
                seconds: limits.time.as_secs(),
                page: page + 1,
                pages,
            });
        }
        // the parser refuses a stream that inflates more than a hundredfold or past 256 MB
        // (a bomb); a page without content (a blank page) is no text
        content += match doc.get_page_content_data(page) {
            Ok(c) => c.len(),
            Err(e) if e.to_string().to_lowercase().contains("bomb") => {
                return Err(ExtractError::PdfTooLarge(format!("page {}: {e}", page + 1)));
            }
            Err(_) => 0,
        };
        if content > limits.content {
            return Err(ExtractError::PdfTooLarge(format!(
                "its pages' content decompresses to more than {} MiB",
                limits.content >> 20
            )));
        }
        let mut spans = doc.extract_spans(page).unwrap_or_default();
        spans.sort_by_key(|s| s.sequence);
        let spans: Vec<Span> = spans
            .into_iter()
            .map(|s| Span {
                x0: s.bbox.x,
                x1: s.bbox.x + s.bbox.width,
                y: s.bbox.y,
                size: s.font_size,
                text: s.text,
            })
            .collect();
        text_bytes += spans.iter().map(|s| s.text.len()).sum::<usize>();
        if text_bytes > limits.text {
            return Err(ExtractError::TextTooLarge { limit: limits.text });
        }
        spans_by_page.push(spans);
    }
    let (text, map) = assemble(&spans_by_page);
    if text.trim().is_empty() {
        return Err(ExtractError::PdfNoText);
    }
    Ok((text, map))
}
