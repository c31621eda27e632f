//! Documents that are not plain text, turned into the text the linter reads:
//! `.docx` (paragraphs, Word's automatic numbering, tables), `.html`/`.htm`
//! (the visible text of a published page, with list numbering) and `.pdf` (the text
//! layer, lines joined as printed). A legacy `.doc` is refused with what to do. Everything
//! else is decoded as text (`decode`). Positions in findings are lines of the extracted
//! text; for a `.docx` each line also knows its paragraph, for a `.pdf` its page and the
//! line on the page.

pub mod docx;
pub mod html;
pub mod pdf;

use std::path::Path;

use thiserror::Error;

use crate::decode::{self, DecodeError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Docx,
    Html,
    Pdf,
    /// Word 97–2003: not read, but named so that a folder's `.doc` files are reported.
    Doc,
}

impl Format {
    /// The format a file's extension names; anything unknown is text.
    pub fn of(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("docx") => Format::Docx,
            Some("html" | "htm") => Format::Html,
            Some("pdf") => Format::Pdf,
            Some("doc") => Format::Doc,
            _ => Format::Text,
        }
    }
}

/// A document's text and, for a `.docx`, the 1-based paragraph of each line, for a
/// `.pdf`, the page and line on the page.
#[derive(Debug)]
pub struct Extracted {
    pub text: String,
    pub paragraphs: Option<Vec<u32>>,
    pub pages: Option<pdf::PageMap>,
    /// For a .docx with a large text, its turn as the one such file in flight: keep it
    /// until the text is checked (dropping the `Extracted` gives it back).
    pub large: Option<docx::LargeDocxTurn>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(
        "an OLE compound file, not a .docx: the document is password-protected (encrypted) or a legacy Word .doc; remove the password or save it as .docx"
    )]
    Encrypted,
    #[error("not a readable .docx (corrupt or truncated): {0}")]
    Corrupt(String),
    #[error(
        "{part} decompresses to more than {} MiB; refused as a probable zip bomb",
        limit >> 20
    )]
    TooLarge { part: String, limit: u64 },
    #[error(
        "its text passes {} MiB (some five million characters); refused as a probable zip bomb: checking it would take gigabytes of memory",
        limit >> 20
    )]
    TextTooLarge { limit: usize },
    #[error(
        "the page declares charset \"{declared}\" but its bytes are {actual} (from line {line}): a browser shows it garbled; correct the declaration to <meta charset=\"{actual}\">"
    )]
    CharsetMismatch {
        declared: String,
        actual: &'static str,
        line: usize,
    },
    #[error(
        "the page declares charset \"{declared}\" but is not valid {declared} (line {line}), nor UTF-8, Shift_JIS or EUC-JP; save it in the charset it declares"
    )]
    NotDeclaredCharset { declared: String, line: usize },
    #[error(
        "elements nested too deeply: one tag made the HTML parser search more than {open} open elements (some {} nested lists); refused, as parsing takes time that grows with the square of the depth",
        open / 2
    )]
    NestedTooDeep { open: u64 },
    #[error(
        "a PDF with images only: it has no text layer, so it cannot be checked (give a PDF that has been through OCR, or the Word version)"
    )]
    PdfNoText,
    #[error(
        "an encrypted PDF that needs a password to open; remove the password (or give an unprotected copy)"
    )]
    PdfEncrypted,
    #[error("a damaged PDF that cannot be read: {0}")]
    PdfDamaged(String),
    #[error(
        "a damaged PDF: it ends before its end marker (%%EOF), as a file cut short in a download or copy does"
    )]
    PdfCutShort,
    #[error("a PDF too large to read: {0}; refused as a probable PDF bomb")]
    PdfTooLarge(String),
    #[error(
        "reading the PDF took more than {seconds} s ({}); refused as a probable PDF bomb",
        pdf_reached_en(*.page, *.pages)
    )]
    PdfTooSlow {
        seconds: u64,
        page: usize,
        pages: usize,
    },
    #[error(
        "a PDF written in vertical lines (縦書き), which kiyaku does not read: give a horizontally written PDF or the Word version"
    )]
    PdfVertical,
    #[error(
        "a Word 97–2003 document (.doc), which kiyaku does not read: open it in Word and save it as .docx (Word Document)"
    )]
    LegacyDoc,
}

/// Where a PDF's reading had got when it ran out of time (`page` 0: still opening the file).
fn pdf_reached_en(page: usize, pages: usize) -> String {
    if page == 0 {
        "while opening the file".to_string()
    } else {
        format!("at page {page} of {pages}")
    }
}

/// Extracts the text of a document in `format`. Never panics; a bad file is an error.
pub fn extract(format: Format, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    match format {
        Format::Text => Ok(Extracted {
            text: decode::decode(bytes)?.0,
            paragraphs: None,
            pages: None,
            large: None,
        }),
        Format::Docx => docx::extract(bytes).map(|(text, paragraphs, large)| Extracted {
            text,
            paragraphs: Some(paragraphs),
            pages: None,
            large,
        }),
        Format::Html => Ok(Extracted {
            text: html::extract(bytes)?,
            paragraphs: None,
            pages: None,
            large: None,
        }),
        Format::Pdf => pdf::extract(bytes).map(|(text, pages)| Extracted {
            text,
            paragraphs: None,
            pages: Some(pages),
            large: None,
        }),
        // a .docx saved under the old name is still a .docx
        Format::Doc if bytes.starts_with(b"PK") => extract(Format::Docx, bytes),
        Format::Doc => Err(ExtractError::LegacyDoc),
    }
}
