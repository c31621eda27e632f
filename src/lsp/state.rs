//! The server's state: open documents with their latest analysis, the engines by
//! configuration (rebuilt when a file they were built from changes), the client's settings,
//! and the errors found in configuration and catalog files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ropey::Rope;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Position, Range, Uri};

use super::convert::{PositionEncoding, range_of};
use super::diagnostics::{to_lsp_diagnostics, workspace_mismatches};
use crate::catalog;
use crate::diagnostic::{self as diag, Language};
use crate::document::AnalysisCache;
use crate::engine::{Engine, FileReport};
use crate::kind::DocumentKind;
use crate::text::SourceText;

/// An open document: its text and the latest analysis of it.
pub(super) struct OpenDocument {
    pub(super) rope: Rope,
    pub(super) version: i32,
    pub(super) report: Option<Arc<FileReport>>,
    /// The version the report is for.
    pub(super) reported: i32,
    /// The engine that made the report (its catalogs explain the report's items).
    pub(super) engine: Option<Arc<Engine>>,
    /// An analysis of this document is running.
    pub(super) analysing: bool,
    /// Edits arrived while it ran: analyse again when it ends.
    pub(super) stale: bool,
    /// What was made of this document's pieces (tokens, normalised lines); dropped with the
    /// document when it closes.
    pub(super) cache: Arc<AnalysisCache>,
}

/// Engines per `kiyaku.toml` (None: no configuration), rebuilt when the configuration,
/// its catalogs or its regulation change on disk, so edits take effect without a restart.
#[derive(Default)]
pub(super) struct Engines {
    pub(super) by_config: Mutex<HashMap<Option<std::path::PathBuf>, Built>>,
    /// Catalogs and kind globs from the client's settings, added to every engine.
    pub(super) client: Mutex<ClientOptions>,
}

/// The client's `catalogs`, `kinds` and `noticesAtAcquisition`, resolved against the
/// workspace root.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ClientOptions {
    pub(super) catalogs: Vec<std::path::PathBuf>,
    pub(super) kinds: Vec<(String, DocumentKind)>,
    pub(super) notices_at_acquisition: Vec<String>,
    pub(super) root: std::path::PathBuf,
}

pub(super) type Stamp = (std::path::PathBuf, Option<std::time::SystemTime>);

/// An engine and the files (with their modification times) it was built from.
pub(super) type Built = (Vec<Stamp>, Arc<Engine>);

pub(super) fn stamp(path: std::path::PathBuf) -> Stamp {
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    (path, modified)
}

/// What building an engine found wrong.
pub(super) struct Rebuilt {
    /// The configuration the engine was built for (None: no kiyaku.toml).
    pub(super) config: Option<std::path::PathBuf>,
    /// Errors in files (kiyaku.toml, a catalog, the regulation), at their place.
    pub(super) errors: Vec<catalog::CatalogError>,
    /// What is only logged: errors in the client's settings, the fallback taken.
    pub(super) notes: Vec<String>,
}

impl Engines {
    /// The engine for a document at `path`, and what was wrong when it was (re)built.
    pub(super) fn for_document(
        &self,
        path: Option<&std::path::Path>,
    ) -> (Arc<Engine>, Option<Rebuilt>) {
        let config_path = path.and_then(crate::config::find);
        let config = match &config_path {
            Some(p) => crate::config::load(p),
            None => Ok(crate::config::Config::default()),
        };
        let client = lock(&self.client).clone();
        let mut stamps: Vec<Stamp> = config_path.iter().cloned().map(stamp).collect();
        stamps.extend(client.catalogs.iter().cloned().map(stamp));
        if let Ok(c) = &config {
            stamps.extend(c.catalogs.iter().map(|p| stamp(c.root.join(p))));
            stamps.extend(c.derive.iter().map(|d| stamp(c.root.join(&d.regulation))));
        }
        let mut cache = lock(&self.by_config);
        if let Some((old, engine)) = cache.get(&config_path)
            && *old == stamps
        {
            return (engine.clone(), None);
        }
        let mut notes = Vec::new();
        let (mut engine, errors) = match &config {
            Ok(c) => c.engine(&client.catalogs),
            Err(e) => {
                notes.push(format!("{}: using the built-in catalogs", e.path));
                (Engine::new(catalog::builtin_catalogs()), vec![e.clone()])
            }
        };
        // a glob of the client's settings, or a note naming the setting it stands in
        let mut compile = |field: &str, glob: &str| match globset::Glob::new(glob) {
            Ok(g) => Some(g.compile_matcher()),
            Err(e) => {
                notes.push(format!("settings: {field}: {glob}: {e}"));
                None
            }
        };
        // the client's kind globs come first: they decide before kiyaku.toml's [kinds]
        let client_kinds: Vec<_> = client
            .kinds
            .iter()
            .filter_map(|(glob, kind)| Some((compile("kinds", glob)?, *kind, client.root.clone())))
            .collect();
        engine.kind_globs.splice(0..0, client_kinds);
        // and its notices given at acquisition join kiyaku.toml's
        for glob in &client.notices_at_acquisition {
            if let Some(g) = compile("noticesAtAcquisition", glob) {
                engine.acquisition_globs.push((g, client.root.clone()));
            }
        }
        let engine = Arc::new(engine);
        cache.insert(config_path.clone(), (stamps, engine.clone()));
        let rebuilt = Rebuilt {
            config: config_path,
            errors,
            notes,
        };
        (engine, Some(rebuilt))
    }

    /// New client options; engines built with other ones are dropped.
    pub(super) fn set_client(&self, options: ClientOptions) {
        let mut client = lock(&self.client);
        if *client != options {
            *client = options;
            lock(&self.by_config).clear();
        }
    }
}

/// A configuration or catalog error placed in its file, as the client counts positions.
#[derive(Debug, Clone)]
pub(super) struct FileError {
    pub(super) uri: Uri,
    pub(super) range: Range,
    pub(super) message: diag::Text,
}

impl FileError {
    pub(super) fn to_lsp(&self, language: Language) -> Diagnostic {
        Diagnostic {
            range: self.range,
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("kiyaku".to_string()),
            message: self.message.get(language).to_string(),
            ..Default::default()
        }
    }
}

/// Places errors in their files: each file is read again (as kiyaku reads it: a regular file,
/// a .docx or .html through its extractor) to count the columns as the client does; a file
/// that cannot be read gets the error's line and column as they are.
pub(super) fn place(
    errors: &[catalog::CatalogError],
    encoding: PositionEncoding,
) -> Vec<FileError> {
    let mut texts: HashMap<&str, Option<SourceText>> = HashMap::new();
    errors
        .iter()
        .filter_map(|e| {
            let path = std::path::absolute(&e.path).ok()?;
            let uri = Uri::from_file_path(&path)?;
            let source = texts.entry(&e.path).or_insert_with(|| {
                match crate::inputs::read(&crate::inputs::Input::File(path), None) {
                    Ok(crate::inputs::Reading::Document(extracted)) => {
                        Some(SourceText::new(extracted.text))
                    }
                    _ => None,
                }
            });
            let range = match source {
                Some(source) => range_of(source, &e.span, encoding),
                None => {
                    let at = Position::new(
                        e.line.saturating_sub(1) as u32,
                        e.column.saturating_sub(1) as u32,
                    );
                    Range::new(at, at)
                }
            };
            Some(FileError {
                uri,
                range,
                message: e.message.clone(),
            })
        })
        .collect()
}

pub(super) struct State {
    pub(super) documents: HashMap<Uri, OpenDocument>,
    pub(super) encoding: PositionEncoding,
    /// The language the client's settings name; without one, each document's kiyaku.toml
    /// decides, else Japanese (the locale is not asked: editors start servers with
    /// environments of their own, often without the user's locale).
    pub(super) language: Option<Language>,
    pub(super) kind: Option<DocumentKind>,
    /// The client answers `workspace/configuration` (settings are pulled, not pushed).
    pub(super) pulls_configuration: bool,
    /// The workspace root (the server's working folder when the client names none).
    pub(super) root: std::path::PathBuf,
    /// Errors in the files each engine was last built from, by configuration (None: no
    /// kiyaku.toml), published on those files.
    pub(super) file_errors: HashMap<Option<std::path::PathBuf>, Vec<FileError>>,
}

impl State {
    /// The language of what is shown for `uri`: the client's setting, else the `language`
    /// of the kiyaku.toml the document was checked with, else Japanese.
    pub(super) fn language_of(&self, uri: &Uri) -> Language {
        self.language
            .or_else(|| {
                let doc = self.documents.get(uri)?;
                doc.engine.as_ref()?.language
            })
            .unwrap_or_default()
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What to publish for `uri`: the findings of its analysis when it is open (with the version
/// they are for), and the configuration and catalog errors found in it.
pub(super) fn published(state: &State, uri: &Uri) -> (Vec<Diagnostic>, Option<i32>) {
    let (encoding, language) = (state.encoding, state.language_of(uri));
    let mut diagnostics = Vec::new();
    let mut version = None;
    if let Some(doc) = state.documents.get(uri)
        && let Some(report) = &doc.report
    {
        diagnostics = to_lsp_diagnostics(report, uri, encoding, language);
        let codes = doc
            .engine
            .as_ref()
            .map(|e| e.codes.clone())
            .unwrap_or_default();
        diagnostics.extend(workspace_mismatches(state, uri, &codes, encoding, language));
        version = Some(doc.reported);
    }
    diagnostics.extend(
        state
            .file_errors
            .values()
            .flatten()
            .filter(|e| e.uri == *uri)
            .map(|e| e.to_lsp(language)),
    );
    (diagnostics, version)
}

/// Keeps the large buffers of an analysis (a megabyte's text, its 8-byte-per-byte offset
/// map, its tokens) in the allocator's arenas once freed, for the next keystroke's analysis
/// to reuse. By default glibc maps each buffer above its threshold afresh and unmaps it when
/// freed, so every keystroke in a large document faulted in megabytes of new pages. What is
/// kept is given back when documents close (`release_freed_memory`).
pub(super) fn keep_freed_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// Largest buffer taken from the arenas rather than mapped on its own.
        const MMAP_THRESHOLD: libc::c_int = 32 << 20;
        /// Free memory an arena keeps at its top before giving it back.
        const TRIM_THRESHOLD: libc::c_int = 256 << 20;
        // SAFETY: mallopt takes no pointer; it sets two of the allocator's parameters, under
        // the allocator's own lock.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        }
    }
}

/// Gives the memory that closed documents freed back to the system. glibc's allocator keeps
/// freed memory in its arenas (one per thread that allocated it) and hands it back only from
/// the top of each; a server that analysed a large document on several threads would stay
/// at its peak after the document closes.
pub(super) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer; it only returns the allocator's free pages to the
    // system, under the allocator's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}
