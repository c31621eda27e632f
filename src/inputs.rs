//! Which files `kiyaku check` reads, and reading them without surprises: folders are
//! walked (symbolic links to files followed, loops reported), only regular files are
//! read and only up to a size cap (a FIFO or `/dev/zero` would block or exhaust memory),
//! standard input is read once, and reports kiyaku wrote are not taken for documents.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::Text;
use crate::extract::{self, Extracted, Format};

/// File extensions checked when a folder is given (.docx, .html and .pdf are extracted
/// first).
pub const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "md", "markdown", "docx", "html", "htm", "pdf"];

/// File extensions a folder's walk also picks up only to say why they are not checked
/// (a legacy Word .doc: save it as .docx), so that none is passed over in silence.
pub const REFUSED_EXTENSIONS: &[&str] = &["doc"];

/// What `kiyaku check --help` says of the inputs it reads, with their limits (English).
pub const INPUTS_HELP_EN: &str = "\
Inputs: .txt/.md (UTF-8, UTF-16 with BOM, Shift_JIS), .docx, .html/.htm, and .pdf with a text
layer (horizontal writing; findings name the page and line). Not checked, each an error naming
the file (exit status 2, the other files still checked): scanned PDFs without text (give one
that has been through OCR, or the Word version), PDFs that need a password to open, damaged
PDFs, PDFs past the bounds (2,000 pages, 256 MiB of page content, 60 s), vertical writing, and
Word 97-2003 .doc files (save them as .docx).";

/// The same in Japanese, for the Japanese help.
pub const INPUTS_HELP_JA: &str = "\
入力: .txt・.md（UTF-8、BOM付き UTF-16、Shift_JIS）、.docx、.html・.htm、文字情報のある .pdf（横書き。
指摘の位置はページと行で示します）。次は検査せず、ファイルごとにエラーとして示します（終了コード 2。
ほかのファイルは検査します）: 文字情報のないスキャンPDF（OCR済みのPDFかWord版を指定してください）、
開くのにパスワードが必要なPDF、壊れたPDF、上限（2,000ページ、展開後256 MiB、60秒）を超えるPDF、
縦書きのPDF、Word 97–2003 形式の .doc（.docx として保存し直してください）。";

/// The largest file read (a 50 MB one-line document is checked; more is refused).
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// A document to check: a path on disk or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }
}

/// What reading an input gave.
pub enum Reading {
    Document(Extracted),
    /// A report kiyaku wrote, left out of the check.
    OwnReport,
}

/// The inputs named by `paths` (the current folder when none). Problems with a path are
/// pushed to `errors` with the path; the other paths are still collected.
pub fn collect(paths: &[PathBuf], errors: &mut Vec<Text>) -> Vec<Input> {
    let mut inputs = Vec::new();
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for path in paths {
        if path.as_os_str() == "-" {
            if !inputs.contains(&Input::Stdin) {
                inputs.push(Input::Stdin);
            }
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                let found = walk(&path, errors);
                if found.is_empty() {
                    errors.push(nothing_to_check(&path));
                }
                inputs.extend(found.into_iter().map(Input::File));
            }
            Ok(_) => inputs.push(Input::File(path)),
            // a dangling or looping symbolic link exists, but what it names does not
            Err(e) if std::fs::symlink_metadata(&path).is_ok() => {
                errors.push(Text::new(
                    format!(
                        "{}: リンクをたどれません（{}）",
                        path.display(),
                        io_reason(&e).ja
                    ),
                    format!("{}: cannot follow the link: {e}", path.display()),
                ));
            }
            Err(_) => errors.push(Text::new(
                format!(
                    "{}: そのようなファイルやフォルダはありません",
                    path.display()
                ),
                format!("{}: no such file or folder", path.display()),
            )),
        }
    }
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|i| match i {
        Input::File(p) => seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
        Input::Stdin => true,
    });
    inputs
}

/// The documents in a folder, sorted; links to files are followed, link loops reported.
fn walk(folder: &Path, errors: &mut Vec<Text>) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(folder)
        .follow_links(true)
        .build()
        .filter_map(|entry| match entry {
            Ok(e) => Some(e),
            Err(err) => {
                let message = format!("{}: {err}", folder.display());
                errors.push(Text::new(message.clone(), message));
                None
            }
        })
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| is_document(p))
        .collect();
    found.sort();
    found
}

/// Why a folder gave nothing to check, naming the files it does hold that kiyaku cannot read.
fn nothing_to_check(folder: &Path) -> Text {
    let mut others: std::collections::BTreeMap<String, usize> = Default::default();
    for entry in ignore::WalkBuilder::new(folder).build().flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let ext = entry
                .path()
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()))
                .unwrap_or_else(|| "(no extension)".to_string());
            *others.entry(ext).or_default() += 1;
        }
    }
    let supported = DOCUMENT_EXTENSIONS
        .iter()
        .map(|e| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(" ");
    let list: Vec<String> = others.iter().map(|(e, n)| format!("{n} {e}")).collect();
    let (held_ja, held_en) = if others.is_empty() {
        (
            "ファイルがありません".to_string(),
            "it holds no file".to_string(),
        )
    } else {
        (
            format!("あるのは {} だけです", list.join("、")),
            format!("it holds only {}", list.join(", ")),
        )
    };
    Text::new(
        format!(
            "{}: 検査する文書がありません（{held_ja}。kiyaku が読むのは {supported}）",
            folder.display()
        ),
        format!(
            "{}: no document to check ({held_en}; kiyaku reads {supported})",
            folder.display()
        ),
    )
}

pub fn is_document(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| {
            DOCUMENT_EXTENSIONS.contains(&e.as_str()) || REFUSED_EXTENSIONS.contains(&e.as_str())
        })
}

/// Why a file could not be read, in both languages (the system's own words in English).
pub fn io_reason(e: &std::io::Error) -> Text {
    use std::io::ErrorKind;
    let ja = match e.kind() {
        ErrorKind::NotFound => "ファイルがありません".to_string(),
        ErrorKind::PermissionDenied => "読み取る権限がありません".to_string(),
        ErrorKind::IsADirectory => "フォルダです".to_string(),
        ErrorKind::InvalidData => "データが壊れています".to_string(),
        _ => format!("読み取れません（{e}）"),
    };
    Text::new(ja, e.to_string())
}

fn cannot_read(e: std::io::Error) -> Text {
    let reason = io_reason(&e);
    Text::new(
        format!("読み取れません: {}", reason.ja),
        format!("cannot read: {}", reason.en),
    )
}

/// Reads at most `MAX_FILE_BYTES` from `reader`; more is an error.
pub fn read_capped(reader: impl Read) -> Result<Vec<u8>, Text> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Text::new(
            format!(
                "{} MiB を超えるため読みません（kiyaku が読む文書はその大きさまでです）",
                MAX_FILE_BYTES >> 20
            ),
            format!(
                "larger than {} MiB; refused (kiyaku reads documents up to that size)",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// The bytes of a file: only a regular file is read (a FIFO would block, a device never end).
pub fn read_file(path: &Path) -> Result<Vec<u8>, Text> {
    // asked before opening: opening a FIFO blocks until something writes to it
    let regular = |meta: std::fs::Metadata| {
        if meta.is_file() {
            Ok(())
        } else {
            Err(Text::new(
                "通常のファイルではない（パイプ、デバイス、ソケット）ため読みません",
                "not a regular file (a pipe, device or socket); not read",
            ))
        }
    };
    regular(std::fs::metadata(path).map_err(cannot_read)?)?;
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    // and again after, in case it was replaced in between
    regular(file.metadata().map_err(cannot_read)?)?;
    read_capped(file)
}

/// The text of an input: decoded, or extracted from a .docx, .html or .pdf by its extension.
pub fn read(input: &Input, stdin: Option<&[u8]>) -> Result<Reading, Text> {
    let (bytes, format) = match input {
        Input::File(p) => (
            read_file(p).map_err(|e| e.at(&p.display().to_string()))?,
            Format::of(p),
        ),
        Input::Stdin => (stdin.unwrap_or_default().to_vec(), Format::Text),
    };
    if matches!(input, Input::File(_)) && crate::report::written_by_kiyaku(&bytes) {
        return Ok(Reading::OwnReport);
    }
    extract::extract(format, &bytes)
        .map(Reading::Document)
        .map_err(|e| e.text().at(&input.display()))
}

/// Where `--output` would write, resolved like the inputs (the file need not exist yet).
pub fn resolve_output(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}
