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
//! Vertical writing (縦書き) is not laid out: a PDF written mostly in vertical lines is refused
//! with its reason rather than checked as broken text.
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

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
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

/// How long past its time bound a reading stuck inside one page is waited for before the
/// file is given up: the bound itself is checked between pages, where the message can say
/// which page was reached.
const STUCK_GRACE: Duration = Duration::from_secs(1);

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
    read_within_time(bytes.to_vec(), limits, read)
}

/// A panic inside the parser (or its thread ending without an answer): a damaged file.
fn parser_failed() -> ExtractError {
    ExtractError::PdfDamaged("the PDF parser failed on its structure".into())
}

type Reader = fn(&[u8], Limits, &Progress) -> Result<(String, PageMap), ExtractError>;

fn read_catching_panics(
    bytes: &[u8],
    limits: Limits,
    progress: &Progress,
    reader: Reader,
) -> Result<(String, PageMap), ExtractError> {
    std::panic::catch_unwind(|| reader(bytes, limits, progress))
        .unwrap_or_else(|_| Err(parser_failed()))
}

/// The characters of a page printed in vertical lines (縦書き): runs of at least three
/// one-character spans, one below the other at the same horizontal position.
fn vertical_characters(spans: &[pdf_oxide::layout::TextSpan]) -> usize {
    let below = |a: &pdf_oxide::layout::TextSpan, b: &pdf_oxide::layout::TextSpan| {
        (a.bbox.x - b.bbox.x).abs() < a.bbox.width.max(1.0) * 0.25
            && b.bbox.y < a.bbox.y
            && a.bbox.y - b.bbox.y < a.bbox.height.max(1.0) * 1.6
    };
    let single = |s: &pdf_oxide::layout::TextSpan| s.text.chars().count() == 1;
    let mut vertical = 0;
    let mut run = 0;
    for (i, span) in spans.iter().enumerate() {
        let continues =
            i > 0 && single(span) && single(&spans[i - 1]) && below(&spans[i - 1], span);
        if continues {
            run += 1;
        } else {
            if run >= 3 {
                vertical += run;
            }
            run = usize::from(single(span));
        }
    }
    if run >= 3 {
        vertical += run;
    }
    vertical
}

/// How far a reading has got, shared with the thread that waits for it.
#[derive(Default)]
struct Progress {
    page: AtomicUsize,
    pages: AtomicUsize,
}

/// The name of the thread a PDF is read on.
const PARSER_THREAD: &str = "kiyaku-pdf";

/// Keeps a panic of the parser off the user's terminal: it is a damaged PDF, reported as
/// such with the file's name, not a crash with a backtrace. The panic hook says nothing on the
/// parser's thread and does as before on every other.
fn quiet_parser_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(PARSER_THREAD) {
                previous(info);
            }
        }));
    });
}

/// Runs `reader` on its own thread and waits at most the time bound (and a grace) for it:
/// the parser is a large third-party crate, and one page can keep it busy far longer than
/// the bound, which `read` can only check between pages. A reading given up is left to end
/// on its thread; the run goes on. A panic in the parser is a damaged file, not the end of
/// the run.
fn read_within_time(
    bytes: Vec<u8>,
    limits: Limits,
    reader: Reader,
) -> Result<(String, PageMap), ExtractError> {
    let progress = Arc::new(Progress::default());
    let bytes = Arc::new(bytes);
    let (send, receive) = mpsc::sync_channel(1);
    let (worker_bytes, worker_progress) = (Arc::clone(&bytes), Arc::clone(&progress));
    quiet_parser_panics();
    let spawned = std::thread::Builder::new()
        .name(PARSER_THREAD.into())
        .spawn(move || {
            // the waiting side may have given up: nobody to tell then
            let _ = send.send(read_catching_panics(
                &worker_bytes,
                limits,
                &worker_progress,
                reader,
            ));
        });
    if spawned.is_err() {
        // no thread to be had (a process at its limit): read here, bounded between pages
        return read_catching_panics(&bytes, limits, &progress, reader);
    }
    match receive.recv_timeout(limits.time.saturating_add(STUCK_GRACE)) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ExtractError::PdfTooSlow {
            seconds: limits.time.as_secs(),
            page: progress.page.load(Ordering::Relaxed),
            pages: progress.pages.load(Ordering::Relaxed),
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(parser_failed()),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn read(
    bytes: &[u8],
    limits: Limits,
    progress: &Progress,
) -> Result<(String, PageMap), ExtractError> {
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
    progress.pages.store(pages, Ordering::Relaxed);
    if pages > limits.pages {
        return Err(ExtractError::PdfTooLarge(format!(
            "{pages} pages (more than {})",
            limits.pages
        )));
    }
    let mut content = 0usize;
    let mut spans_by_page = Vec::with_capacity(pages);
    let mut text_bytes = 0usize;
    let (mut vertical_chars, mut all_chars) = (0usize, 0usize);
    for page in 0..pages {
        progress.page.store(page + 1, Ordering::Relaxed);
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
        vertical_chars += vertical_characters(&spans);
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
        all_chars += spans.iter().map(|s| s.text.chars().count()).sum::<usize>();
        if text_bytes > limits.text {
            return Err(ExtractError::TextTooLarge { limit: limits.text });
        }
        spans_by_page.push(spans);
    }
    // a PDF written mostly in vertical lines reads as broken text (brackets on lines of
    // their own, columns in the wrong order): said, not checked
    if vertical_chars * 2 > all_chars && all_chars > 0 {
        return Err(ExtractError::PdfVertical);
    }
    let (text, map) = assemble(&spans_by_page);
    if text.trim().is_empty() {
        return Err(ExtractError::PdfNoText);
    }
    Ok((text, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reading stuck inside one page, which no check between pages can stop.
    fn stuck_on_page_two(
        _: &[u8],
        _: Limits,
        progress: &Progress,
    ) -> Result<(String, PageMap), ExtractError> {
        progress.pages.store(3, Ordering::Relaxed);
        progress.page.store(2, Ordering::Relaxed);
        std::thread::sleep(Duration::from_secs(30));
        Err(ExtractError::PdfNoText)
    }

    fn panicking(_: &[u8], _: Limits, _: &Progress) -> Result<(String, PageMap), ExtractError> {
        panic!("a parser bug")
    }

    #[test]
    fn a_reading_stuck_inside_a_page_is_given_up_after_the_time_bound() {
        let limits = Limits {
            time: Duration::ZERO,
            ..LIMITS
        };
        let start = Instant::now();
        let error = read_within_time(b"%PDF-".to_vec(), limits, stuck_on_page_two).unwrap_err();
        assert!(
            start.elapsed() < STUCK_GRACE + Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        assert!(
            matches!(
                error,
                ExtractError::PdfTooSlow {
                    seconds: 0,
                    page: 2,
                    pages: 3
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("at page 2 of 3"), "{error}");
        let opening = ExtractError::PdfTooSlow {
            seconds: 60,
            page: 0,
            pages: 0,
        };
        assert!(
            opening.to_string().contains("while opening the file"),
            "{opening}"
        );
    }

    #[test]
    fn a_panic_in_the_parser_is_a_damaged_file() {
        let error = read_within_time(Vec::new(), LIMITS, panicking).unwrap_err();
        assert!(matches!(error, ExtractError::PdfDamaged(_)), "{error:?}");
    }
}
