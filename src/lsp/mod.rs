//! `kiyaku lsp`: the language server. It shares the whole analysis with the
//! command line; what it adds is document sync (a rope per document, changes
//! applied strictly in order), position conversion, and the editor features
//! built on a report: diagnostics, fixes, hovers, outline, navigation, lens.

use std::collections::HashMap;
use std::ops::Range as ByteRange;
use std::sync::{Arc, Mutex};

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::catalog;
use crate::checks::defined_terms;
use crate::diagnostic::{self as diag, Language};
use crate::document::Document;
use crate::engine::{Engine, FileReport};
use crate::kind::DocumentKind;
use crate::matcher::Status;
use crate::structure::UnitKind;
use crate::text::SourceText;
use crate::token_cache::TokenCache;

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16,
}

/// An open document: its text and the latest analysis of it.
struct OpenDocument {
    rope: Rope,
    version: i32,
    report: Option<Arc<FileReport>>,
    /// The version the report is for.
    reported: i32,
    /// The engine that made the report (its catalogs explain the report's items).
    engine: Option<Arc<Engine>>,
    /// An analysis of this document is running.
    analysing: bool,
    /// Edits arrived while it ran: analyse again when it ends.
    stale: bool,
    /// Tokens of this document's pieces seen before; dropped with the document when it closes.
    tokens: Arc<TokenCache>,
}

/// Engines per `kiyaku.toml` (None: no configuration), rebuilt when the configuration,
/// its catalogs or its regulation change on disk, so edits take effect without a restart.
#[derive(Default)]
struct Engines {
    by_config: Mutex<HashMap<Option<std::path::PathBuf>, Built>>,
    /// Catalogs and kind globs from the client's settings, added to every engine.
    client: Mutex<ClientOptions>,
}

/// The client's `catalogs` and `kinds`, resolved against the workspace root.
#[derive(Debug, Clone, Default, PartialEq)]
struct ClientOptions {
    catalogs: Vec<std::path::PathBuf>,
    kinds: Vec<(String, DocumentKind)>,
    root: std::path::PathBuf,
}

type Stamp = (std::path::PathBuf, Option<std::time::SystemTime>);

/// An engine and the files (with their modification times) it was built from.
type Built = (Vec<Stamp>, Arc<Engine>);

fn stamp(path: std::path::PathBuf) -> Stamp {
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    (path, modified)
}

/// What building an engine found wrong.
struct Rebuilt {
    /// The configuration the engine was built for (None: no kiyaku.toml).
    config: Option<std::path::PathBuf>,
    /// Errors in files (kiyaku.toml, a catalog, the regulation), at their place.
    errors: Vec<catalog::CatalogError>,
    /// What is only logged: errors in the client's settings, the fallback taken.
    notes: Vec<String>,
}

impl Engines {
    /// The engine for a document at `path`, and what was wrong when it was (re)built.
    fn for_document(&self, path: Option<&std::path::Path>) -> (Arc<Engine>, Option<Rebuilt>) {
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
        // the client's globs come first: they decide before kiyaku.toml's [kinds]
        for (i, (glob, kind)) in client.kinds.iter().enumerate() {
            match globset::Glob::new(glob) {
                Ok(g) => engine
                    .kind_globs
                    .insert(i, (g.compile_matcher(), *kind, client.root.clone())),
                Err(e) => notes.push(format!("settings: kinds: {glob}: {e}")),
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
    fn set_client(&self, options: ClientOptions) {
        let mut client = lock(&self.client);
        if *client != options {
            *client = options;
            lock(&self.by_config).clear();
        }
    }
}

/// A configuration or catalog error placed in its file, as the client counts positions.
#[derive(Debug, Clone)]
struct FileError {
    uri: Uri,
    range: Range,
    message: diag::Text,
}

impl FileError {
    fn to_lsp(&self, language: Language) -> Diagnostic {
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
fn place(errors: &[catalog::CatalogError], encoding: Encoding) -> Vec<FileError> {
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

/// Settings the client sends (`initializationOptions`, `workspace/didChangeConfiguration`) or
/// kiyaku pulls (`workspace/configuration`, section `kiyaku`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Settings {
    language: Option<String>,
    kind: Option<String>,
    /// more catalog files, absolute or relative to the workspace root
    catalogs: Vec<String>,
    /// glob relative to the workspace root → document kind
    kinds: std::collections::BTreeMap<String, String>,
}

struct State {
    documents: HashMap<Uri, OpenDocument>,
    encoding: Encoding,
    /// The language the client's settings name; without one, each document's kiyaku.toml
    /// decides, else Japanese (the locale is not asked: editors start servers with
    /// environments of their own, often without the user's locale).
    language: Option<Language>,
    kind: Option<DocumentKind>,
    /// The client answers `workspace/configuration` (settings are pulled, not pushed).
    pulls_configuration: bool,
    /// The workspace root (the server's working folder when the client names none).
    root: std::path::PathBuf,
    /// Errors in the files each engine was last built from, by configuration (None: no
    /// kiyaku.toml), published on those files.
    file_errors: HashMap<Option<std::path::PathBuf>, Vec<FileError>>,
}

impl State {
    /// The language of what is shown for `uri`: the client's setting, else the `language`
    /// of the kiyaku.toml the document was checked with, else Japanese.
    fn language_of(&self, uri: &Uri) -> Language {
        self.language
            .or_else(|| {
                let doc = self.documents.get(uri)?;
                doc.engine.as_ref()?.language
            })
            .unwrap_or_default()
    }
}

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    engines: Arc<Engines>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Backend {
    fn new(client: Client) -> Self {
        Self {
            client,
            state: Arc::new(Mutex::new(State {
                documents: HashMap::new(),
                encoding: Encoding::Utf16,
                language: None,
                kind: None,
                pulls_configuration: false,
                root: std::env::current_dir().unwrap_or_default(),
                file_errors: HashMap::new(),
            })),
            engines: Arc::new(Engines::default()),
        }
    }

    /// Analyses the current text of `uri` off the async runtime and publishes the
    /// diagnostics, unless a newer version arrived meanwhile.
    async fn analyse(&self, uri: Uri) {
        let (text, version, kind, encoding, cache) = {
            let state = lock(&self.state);
            let Some(doc) = state.documents.get(&uri) else {
                return;
            };
            (
                doc.rope.to_string(),
                doc.version,
                state.kind,
                state.encoding,
                doc.tokens.clone(),
            )
        };
        let engines = self.engines.clone();
        let file = uri.to_file_path().map(|p| p.into_owned());
        // the decoded path: kiyaku.toml's [kinds] globs are written with the file's own name
        // (覚書.txt, not %E8%A6%9A…)
        let path = file.as_ref().map_or_else(
            || uri.path().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        let analysed = tokio::task::spawn_blocking(move || {
            cache.fit_to(text.len());
            let (engine, rebuilt) = engines.for_document(file.as_deref());
            let report =
                engine.check_document_in_parallel(&path, Document::with_cache(text, &cache), kind);
            let placed = rebuilt.map(|r| {
                let placed = place(&r.errors, encoding);
                (r, placed)
            });
            (report, engine, placed)
        })
        .await;
        let Ok((report, engine, rebuilt)) = analysed else {
            self.client
                .log_message(
                    MessageType::ERROR,
                    format!("analysis of {} failed", uri.as_str()),
                )
                .await;
            return;
        };
        // the errors of the files the engine was built from replace those it had before
        let mut others = Vec::new();
        if let Some((rebuilt, placed)) = rebuilt {
            let language = lock(&self.state)
                .language
                .or(engine.language)
                .unwrap_or_default();
            for e in &rebuilt.errors {
                self.client
                    .log_message(MessageType::ERROR, e.show(language))
                    .await;
            }
            for note in rebuilt.notes {
                self.client.log_message(MessageType::ERROR, note).await;
            }
            let mut state = lock(&self.state);
            let old = state
                .file_errors
                .insert(rebuilt.config, placed.clone())
                .unwrap_or_default();
            let mut uris: Vec<Uri> = old.into_iter().chain(placed).map(|e| e.uri).collect();
            uris.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            uris.dedup();
            others = uris
                .into_iter()
                .filter(|u| *u != uri)
                .map(|u| {
                    let (diagnostics, version) = published(&state, &u);
                    (u, diagnostics, version)
                })
                .collect();
        }
        let report = Arc::new(report);
        let diagnostics = {
            let mut state = lock(&self.state);
            match state.documents.get_mut(&uri) {
                // stale: a newer analysis is on its way
                Some(doc) if doc.version == version => {
                    doc.report = Some(report);
                    doc.reported = version;
                    doc.engine = Some(engine);
                    Some(published(&state, &uri).0)
                }
                _ => None,
            }
        };
        if let Some(diagnostics) = diagnostics {
            self.client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
        for (u, diagnostics, version) in others {
            self.client
                .publish_diagnostics(u, diagnostics, version)
                .await;
        }
    }

    /// Analyses `uri` now unless an analysis of it is running; edits that arrive
    /// meanwhile are analysed together once it ends. An isolated keystroke waits
    /// for nothing, and a burst costs one analysis more, not one per keystroke.
    async fn analyse_coalesced(&self, uri: Uri) {
        {
            let mut state = lock(&self.state);
            let Some(doc) = state.documents.get_mut(&uri) else {
                return;
            };
            if doc.analysing {
                doc.stale = true;
                return;
            }
            doc.analysing = true;
        }
        loop {
            self.analyse(uri.clone()).await;
            let mut state = lock(&self.state);
            let Some(doc) = state.documents.get_mut(&uri) else {
                return;
            };
            if !std::mem::take(&mut doc.stale) {
                doc.analysing = false;
                return;
            }
        }
    }

    /// Asks a client that supports it for the `kiyaku` settings section and applies it;
    /// false when the client does not pull or sent nothing usable.
    async fn pull_settings(&self) -> bool {
        if !lock(&self.state).pulls_configuration {
            return false;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("kiyaku".into()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => match values.into_iter().next() {
                Some(value) if value.is_object() => {
                    self.apply_settings(&value);
                    true
                }
                _ => false,
            },
            Err(e) => {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("workspace/configuration failed: {e}"),
                    )
                    .await;
                false
            }
        }
    }

    async fn analyse_all(&self) {
        let uris: Vec<Uri> = lock(&self.state).documents.keys().cloned().collect();
        for uri in uris {
            self.analyse(uri).await;
        }
    }

    fn with_report<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&FileReport, Encoding, Language) -> T,
    ) -> Option<T> {
        let state = lock(&self.state);
        let doc = state.documents.get(uri)?;
        let report = doc.report.as_ref()?;
        Some(f(report, state.encoding, state.language_of(uri)))
    }

    fn apply_settings(&self, value: &serde_json::Value) {
        let Ok(settings) = serde_json::from_value::<Settings>(
            value
                .get("kiyaku")
                .cloned()
                .unwrap_or_else(|| value.clone()),
        ) else {
            return;
        };
        let mut state = lock(&self.state);
        // the settings are the client's whole section: a language it no longer names
        // gives way to kiyaku.toml's
        state.language = crate::locale::of_setting(settings.language.as_deref());
        state.kind = settings.kind.as_deref().and_then(DocumentKind::parse);
        let root = state.root.clone();
        drop(state);
        self.engines.set_client(ClientOptions {
            catalogs: settings.catalogs.iter().map(|c| root.join(c)).collect(),
            kinds: settings
                .kinds
                .iter()
                .filter_map(|(glob, kind)| Some((glob.clone(), DocumentKind::parse(kind)?)))
                .collect(),
            root,
        });
    }
}

/// What to publish for `uri`: the findings of its analysis when it is open (with the version
/// they are for), and the configuration and catalog errors found in it.
fn published(state: &State, uri: &Uri) -> (Vec<Diagnostic>, Option<i32>) {
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

/// `value-mismatch` between `uri` and the other open documents (a notice beside its regulation).
fn workspace_mismatches(
    state: &State,
    uri: &Uri,
    codes: &crate::engine::CodeOverrides,
    encoding: Encoding,
    language: Language,
) -> Vec<Diagnostic> {
    let reports: Vec<(&Uri, &Arc<FileReport>)> = state
        .documents
        .iter()
        .filter_map(|(u, d)| d.report.as_ref().map(|r| (u, r)))
        .collect();
    let Some(me) = reports.iter().position(|(u, _)| *u == uri) else {
        return Vec::new();
    };
    if reports.len() < 2 {
        return Vec::new();
    }
    let line_fns: Vec<Box<dyn Fn(usize) -> usize + '_>> = reports
        .iter()
        .map(|(_, r)| {
            Box::new(move |o: usize| r.document.source.position(o).line)
                as Box<dyn Fn(usize) -> usize>
        })
        .collect();
    let paths: Vec<String> = reports.iter().map(|(u, _)| u.path().to_string()).collect();
    let inputs: Vec<crate::checks::values::DocumentValues<'_>> = reports
        .iter()
        .zip(&line_fns)
        .zip(&paths)
        .map(|(((_, r), f), p)| crate::checks::values::DocumentValues {
            path: p,
            kind: r.kind,
            values: &r.values,
            line_of: f.as_ref(),
        })
        .collect();
    let mut added = crate::checks::values::cross_check(&inputs);
    let mut mine = std::mem::take(&mut added[me]);
    codes.apply(&mut mine);
    let report = reports[me].1;
    mine.iter()
        .filter(|d| d.suppressed.is_none())
        .map(|d| {
            let mut lsp = to_lsp_diagnostics_one(report, d, encoding, language).remove(0);
            lsp.related_information = Some(
                d.related
                    .iter()
                    .filter_map(|r| {
                        let (path, line) = r.location.as_ref()?;
                        let other = reports
                            .iter()
                            .find(|(u, _)| u.path().as_str() == path)?
                            .0
                            .clone();
                        let at = Position::new(line.saturating_sub(1) as u32, 0);
                        Some(DiagnosticRelatedInformation {
                            location: Location::new(other, Range::new(at, at)),
                            message: r.message.get(language).to_string(),
                        })
                    })
                    .collect(),
            );
            lsp
        })
        .collect()
}

/// Byte offset in `text` of an LSP position; positions past the end clamp to it.
fn offset_of(source: &SourceText, position: Position, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf16 => source.offset_of_utf16(position.line, position.character),
        Encoding::Utf8 => {
            let line = position.line as usize;
            if line >= source.line_count() {
                return source.as_str().len();
            }
            let range = source.line_range(line);
            let mut at = (range.start + position.character as usize).min(range.end);
            while !source.as_str().is_char_boundary(at) {
                at -= 1;
            }
            at
        }
    }
}

fn position_of(source: &SourceText, offset: usize, encoding: Encoding) -> Position {
    match encoding {
        Encoding::Utf16 => {
            let (line, character) = source.utf16_position(offset);
            Position::new(line, character)
        }
        Encoding::Utf8 => {
            let offset = offset.min(source.as_str().len());
            let line = source.line_of(offset);
            Position::new(
                line as u32,
                (offset - source.line_range(line).start.min(offset)) as u32,
            )
        }
    }
}

fn range_of(source: &SourceText, range: &ByteRange<usize>, encoding: Encoding) -> Range {
    Range::new(
        position_of(source, range.start, encoding),
        position_of(source, range.end, encoding),
    )
}

fn severity(s: catalog::Severity) -> DiagnosticSeverity {
    match s {
        catalog::Severity::Error => DiagnosticSeverity::ERROR,
        catalog::Severity::Warning => DiagnosticSeverity::WARNING,
        catalog::Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

fn to_lsp_diagnostics(
    report: &FileReport,
    uri: &Uri,
    encoding: Encoding,
    language: Language,
) -> Vec<Diagnostic> {
    let source = &report.document.source;
    report
        .diagnostics
        .iter()
        // an editor opens every .txt and .md: a note that a memo is of no kind is noise
        // there (the command line still says it)
        .filter(|d| d.suppressed.is_none() && d.code != crate::diagnostic::Code::UnknownKind)
        .map(|d| {
            let range = range_of(source, &d.range, encoding);
            let related: Vec<DiagnosticRelatedInformation> = d
                .related
                .iter()
                .map(|r| {
                    // basis without a file is shown at the diagnostic itself
                    let location = match &r.location {
                        Some((path, line)) => Location::new(
                            related_uri(uri, path).unwrap_or_else(|| uri.clone()),
                            Range::new(
                                Position::new(line.saturating_sub(1) as u32, 0),
                                Position::new(line.saturating_sub(1) as u32, 0),
                            ),
                        ),
                        None => Location::new(uri.clone(), range),
                    };
                    DiagnosticRelatedInformation {
                        location,
                        message: r.message.get(language).to_string(),
                    }
                })
                .collect();
            Diagnostic {
                range,
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.as_str().to_string())),
                code_description: d
                    .code
                    .url()
                    .parse()
                    .ok()
                    .map(|href| CodeDescription { href }),
                source: Some("kiyaku".to_string()),
                message: match &d.item {
                    Some(item) => format!("{} [{item}]", d.message.get(language)),
                    None => d.message.get(language).to_string(),
                },
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: None,
            }
        })
        .collect()
}

/// The URI of a related file path: absolute, or relative to the document's folder.
fn related_uri(uri: &Uri, path: &str) -> Option<Uri> {
    let p = std::path::Path::new(path);
    let absolute = if p.is_absolute() {
        p.to_path_buf()
    } else {
        uri.to_file_path()?.parent()?.join(p)
    };
    Uri::from_file_path(absolute)
}

/// Applies one content change to a rope, converting the client's positions. The rope's lines
/// are the protocol's: \n, \r\n and \r end a line, nothing else (ropey is built with
/// `cr_lines`, not `unicode_lines`, which would also break at U+2028, U+0085…). A character
/// past the end of a line is the end of that line, before its line break; a line past the
/// end of the text is the end of the text.
fn apply_change(rope: &mut Rope, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
    let Some(range) = change.range else {
        *rope = Rope::from_str(&change.text);
        return;
    };
    let to_char = |p: Position| -> usize {
        let line = p.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let slice = rope.line(line);
        let chars = slice.len_chars();
        let line_break = match (
            chars.checked_sub(2).map(|i| slice.char(i)),
            chars.checked_sub(1).map(|i| slice.char(i)),
        ) {
            (Some('\r'), Some('\n')) => 2,
            (_, Some('\n' | '\r')) => 1,
            _ => 0,
        };
        let text = slice.slice(..chars - line_break);
        let column = match encoding {
            Encoding::Utf16 => {
                text.utf16_cu_to_char((p.character as usize).min(text.len_utf16_cu()))
            }
            Encoding::Utf8 => text.byte_to_char((p.character as usize).min(text.len_bytes())),
        };
        rope.line_to_char(line) + column
    };
    let start = to_char(range.start);
    let end = to_char(range.end).max(start);
    rope.remove(start..end);
    rope.insert(start, &change.text);
}

/// Gives the memory that closed documents freed back to the system. glibc's allocator keeps
/// freed memory in its arenas (one per thread that allocated it) and hands it back only from
/// the top of each; a server that analysed a large document on several threads would stay
/// at its peak after the document closes.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer; it only returns the allocator's free pages to the
    // system, under the allocator's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offers_utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let encoding = if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let pulls = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        #[allow(deprecated)] // root_uri: the fallback for clients without workspace folders
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| &f.uri)
            .or(params.root_uri.as_ref())
            .and_then(|u| u.to_file_path())
            .map(|p| std::fs::canonicalize(&p).unwrap_or_else(|_| p.into_owned()));
        {
            let mut state = lock(&self.state);
            state.encoding = encoding;
            state.pulls_configuration = pulls;
            if let Some(root) = root {
                state.root = root;
            }
        }
        if let Some(options) = &params.initialization_options {
            self.apply_settings(options);
        }
        // load the dictionary now, not on the first keystroke
        let _ = tokio::task::spawn_blocking(crate::morphology::warm_up).await;
        Ok(InitializeResult {
            offset_encoding: None,
            server_info: Some(ServerInfo {
                name: "kiyaku".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(if encoding == Encoding::Utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![SHOW_COVERAGE.to_string()],
                    ..Default::default()
                }),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.pull_settings().await {
            self.analyse_all().await;
        }
        self.client
            .log_message(MessageType::INFO, "kiyaku language server ready")
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        lock(&self.state).documents.insert(
            uri.clone(),
            OpenDocument {
                rope: Rope::from_str(&params.text_document.text),
                version: params.text_document.version,
                report: None,
                reported: params.text_document.version,
                engine: None,
                analysing: false,
                stale: false,
                tokens: Arc::new(TokenCache::default()),
            },
        );
        self.analyse(uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        // Applied synchronously, before any await, so changes keep their order.
        let accepted = {
            let mut state = lock(&self.state);
            let encoding = state.encoding;
            match state.documents.get_mut(&uri) {
                Some(doc) if params.text_document.version > doc.version => {
                    for change in &params.content_changes {
                        apply_change(&mut doc.rope, change, encoding);
                    }
                    doc.version = params.text_document.version;
                    Ok(())
                }
                Some(doc) => Err(format!(
                    "ignored change to {} with version {} (have {})",
                    uri.as_str(),
                    params.text_document.version,
                    doc.version
                )),
                None => Err(format!(
                    "ignored change to {}, which is not open",
                    uri.as_str()
                )),
            }
        };
        match accepted {
            Ok(()) => self.analyse_coalesced(uri).await,
            Err(message) => self.client.log_message(MessageType::WARNING, message).await,
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // a saved regulation, catalog or kiyaku.toml changes the checks of the others
        let mut uris: Vec<Uri> = lock(&self.state).documents.keys().cloned().collect();
        uris.sort_by_key(|u| u != &params.text_document.uri);
        for uri in uris {
            self.analyse(uri).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        // what stays: the configuration and catalog errors found in the file
        let (diagnostics, _) = {
            let mut state = lock(&self.state);
            state.documents.remove(&uri);
            published(&state, &uri)
        };
        release_freed_memory();
        self.client
            .publish_diagnostics(uri, diagnostics, None)
            .await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // a pulling client sends only the news that something changed
        if !self.pull_settings().await {
            self.apply_settings(&params.settings);
        }
        self.analyse_all().await;
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let actions = self.with_report(&uri, |report, encoding, language| {
            let source = &report.document.source;
            let wanted = offset_of(source, params.range.start, encoding)
                ..offset_of(source, params.range.end, encoding);
            let mut disabled = std::collections::HashSet::new();
            let under_cursor = |d: &&diag::Diagnostic| {
                d.suppressed.is_none() && d.range.start <= wanted.end && wanted.start <= d.range.end
            };
            report
                .diagnostics
                .iter()
                .filter(under_cursor)
                .filter_map(|d| {
                    let fix = d.fix.as_ref()?;
                    let edits: Vec<TextEdit> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            let (range, text) = before_the_last_line_break(source.as_str(), e);
                            TextEdit::new(range_of(source, &range, encoding), text)
                        })
                        .collect();
                    let mut changes = HashMap::new();
                    changes.insert(uri.clone(), edits);
                    // the same fix for findings on several lines: each title names its line
                    // (and its column, when there are two on a line)
                    let title = fix.title.get(language);
                    let at = source.position(d.range.start);
                    let same: Vec<usize> = report
                        .diagnostics
                        .iter()
                        .filter(under_cursor)
                        .filter(|o| {
                            o.fix
                                .as_ref()
                                .is_some_and(|f| f.title.get(language) == title)
                        })
                        .map(|o| source.position(o.range.start).line)
                        .collect();
                    let on_line = same.iter().filter(|&&l| l == at.line).count();
                    let title = match (same.len() > 1, on_line > 1, language) {
                        (false, _, _) => title.to_string(),
                        (true, false, Language::Ja) => format!("{title}（{}行目）", at.line),
                        (true, false, Language::En) => format!("{title} (line {})", at.line),
                        (true, true, Language::Ja) => {
                            format!("{title}（{}行{}文字目）", at.line, at.column)
                        }
                        (true, true, Language::En) => {
                            format!("{title} (line {}, column {})", at.line, at.column)
                        }
                    };
                    Some(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(to_lsp_diagnostics_one(report, d, encoding, language)),
                        edit: Some(WorkspaceEdit {
                            changes: Some(changes),
                            ..Default::default()
                        }),
                        is_preferred: Some(true),
                        ..Default::default()
                    }))
                })
                .chain(
                    // "disable here": a suppression comment on the line before; one action
                    // per item or code and line (two findings of one code on a line would
                    // insert the same comment), titled with its line so that clients that
                    // list actions by title (Emacs) tell them apart
                    report
                        .diagnostics
                        .iter()
                        .filter(under_cursor)
                        .filter(|d| {
                            let line = source.line_of(d.range.start);
                            disabled.insert((d.item.clone(), d.code, line))
                        })
                        .map(|d| {
                            let line_start = source.line_range(source.line_of(d.range.start)).start;
                            let comment = crate::suppress::disable_next_line_comment(
                                d.item.as_deref(),
                                d.code,
                            );
                            let mut changes = HashMap::new();
                            changes.insert(
                                uri.clone(),
                                vec![TextEdit::new(
                                    range_of(source, &(line_start..line_start), encoding),
                                    comment,
                                )],
                            );
                            let what = d
                                .item
                                .clone()
                                .unwrap_or_else(|| d.code.as_str().to_string());
                            CodeActionOrCommand::CodeAction(CodeAction {
                                title: {
                                    let line = source.position(d.range.start).line;
                                    match language {
                                        Language::Ja => format!("{what} を{line}行目で無効にする"),
                                        Language::En => format!("Disable {what} on line {line}"),
                                    }
                                },
                                kind: Some(CodeActionKind::QUICKFIX),
                                edit: Some(WorkspaceEdit {
                                    changes: Some(changes),
                                    ..Default::default()
                                }),
                                ..Default::default()
                            })
                        }),
                )
                .collect::<Vec<_>>()
        });
        Ok(actions.filter(|a| !a.is_empty()))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        let position = params.text_document_position_params.position;
        let catalogs = lock(&self.state)
            .documents
            .get(&uri)
            .and_then(|d| d.engine.clone());
        Ok(self
            .with_report(&uri, |report, encoding, language| {
                let source = &report.document.source;
                let at = offset_of(source, position, encoding);
                // 1. a diagnostic: its explanation and basis
                if let Some(d) = report
                    .diagnostics
                    .iter()
                    .find(|d| d.range.start <= at && at <= d.range.end.max(d.range.start + 1))
                {
                    let what = d
                        .item
                        .clone()
                        .unwrap_or_else(|| d.code.as_str().to_string());
                    let explanation = match (diag::Code::parse(&what), &catalogs) {
                        (Some(code), _) => Some(code.explain(language)),
                        (None, Some(engine)) => engine.catalogs.explain(&what, language),
                        (None, None) => catalog::Catalogs::builtin().explain(&what, language),
                    }
                    .unwrap_or_default();
                    return Some(markdown(format!(
                        "**{}**\n\n{}",
                        d.message.get(language),
                        explanation
                    )));
                }
                // 2. an article reference: the referenced provision's text
                if let Some(target) = reference_target(&report.document, at) {
                    let u = &report.document.structure.units[target];
                    let text = &source.as_str()[u.span.clone()];
                    return Some(markdown(format!("```\n{}\n```", text.trim_end())));
                }
                // 3. a defined term: its definition
                term_at(&report.document, at).map(|(term, definition)| {
                    let line = source.position(definition).line;
                    markdown(format!(
                        "「{term}」の定義（{line}行目）:\n\n{}",
                        source.line_text(line - 1).trim()
                    ))
                })
            })
            .flatten())
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(
            self.with_report(&params.text_document.uri, |report, encoding, _| {
                let s = &report.document.structure;
                fn build(
                    s: &crate::structure::Structure,
                    source: &SourceText,
                    index: usize,
                    encoding: Encoding,
                ) -> DocumentSymbol {
                    let u = &s.units[index];
                    let kind = match u.kind {
                        UnitKind::Chapter
                        | UnitKind::Section
                        | UnitKind::Subsection
                        | UnitKind::Supplementary => SymbolKind::NAMESPACE,
                        UnitKind::Article | UnitKind::Heading => SymbolKind::CLASS,
                        UnitKind::Paragraph => SymbolKind::FIELD,
                        UnitKind::Item | UnitKind::SubItem => SymbolKind::ENUM_MEMBER,
                    };
                    let children: Vec<DocumentSymbol> = u
                        .children
                        .iter()
                        .map(|&c| build(s, source, c, encoding))
                        .collect();
                    #[allow(deprecated)]
                    DocumentSymbol {
                        name: match &u.caption {
                            Some(c) => format!("{} {c}", u.label),
                            None => u.label.clone(),
                        },
                        detail: None,
                        kind,
                        tags: None,
                        deprecated: None,
                        range: range_of(source, &u.span, encoding),
                        selection_range: range_of(source, &u.header, encoding),
                        children: (!children.is_empty()).then_some(children),
                    }
                }
                DocumentSymbolResponse::Nested(
                    s.roots
                        .iter()
                        .map(|&r| build(s, &report.document.source, r, encoding))
                        .collect(),
                )
            }),
        )
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        let position = params.text_document_position_params.position;
        Ok(self
            .with_report(&uri, |report, encoding, _| {
                let source = &report.document.source;
                let at = offset_of(source, position, encoding);
                let target = match reference_target(&report.document, at) {
                    Some(unit) => report.document.structure.units[unit].header.clone(),
                    None => {
                        let (term, definition) = term_at(&report.document, at)?;
                        definition..definition + term.len()
                    }
                };
                Some(GotoDefinitionResponse::Scalar(Location::new(
                    uri.clone(),
                    range_of(source, &target, encoding),
                )))
            })
            .flatten())
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        let position = params.text_document_position.position;
        Ok(self
            .with_report(&uri, |report, encoding, _| {
                let source = &report.document.source;
                let at = offset_of(source, position, encoding);
                let (term, _) = term_at(&report.document, at)?;
                let text = source.as_str();
                Some(
                    text.match_indices(term.as_str())
                        .map(|(p, m)| {
                            Location::new(
                                uri.clone(),
                                range_of(source, &(p..p + m.len()), encoding),
                            )
                        })
                        .collect(),
                )
            })
            .flatten())
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command != SHOW_COVERAGE {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command {}",
                params.command
            )));
        }
        let uri = params
            .arguments
            .first()
            .and_then(|a| a.as_str())
            .and_then(|u| u.parse::<Uri>().ok());
        let list = uri.and_then(|uri| {
            self.with_report(&uri, |report, _, language| coverage_list(report, language))
        });
        match list {
            Some(text) => {
                self.client.show_message(MessageType::INFO, text).await;
                Ok(None)
            }
            None => Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                "the argument is not the URI of a checked open document",
            )),
        }
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(
            self.with_report(&params.text_document.uri, |report, _, language| {
                let mut by_catalog: Vec<(String, usize, usize)> = Vec::new();
                for item in report
                    .items
                    .iter()
                    .filter(|i| i.status != Status::NotApplicable)
                {
                    let catalog = item.id.split('/').next().unwrap_or("").to_string();
                    let present = usize::from(item.status == Status::Present);
                    match by_catalog.iter_mut().find(|(c, _, _)| *c == catalog) {
                        Some(entry) => {
                            entry.1 += present;
                            entry.2 += 1;
                        }
                        None => by_catalog.push((catalog, present, 1)),
                    }
                }
                let kind = match language {
                    Language::Ja => format!("文書の種類: {}", report.kind.name_ja()),
                    Language::En => format!("kind: {}", report.kind.as_str()),
                };
                let coverage: Vec<String> = by_catalog
                    .iter()
                    .map(|(c, p, n)| match language {
                        Language::Ja => format!("{c} 必須条項 {p}/{n}"),
                        Language::En => format!("{c} required clauses {p}/{n}"),
                    })
                    .collect();
                vec![CodeLens {
                    range: Range::new(Position::new(0, 0), Position::new(0, 0)),
                    // run: the list of items and their status, as a message
                    command: Some(Command {
                        title: format!("{kind} · {}", coverage.join(" · ")),
                        command: SHOW_COVERAGE.to_string(),
                        arguments: Some(vec![serde_json::Value::String(
                            params.text_document.uri.as_str().to_string(),
                        )]),
                    }),
                    // the same, as data: the VS Code extension's status bar reads it
                    data: Some(serde_json::json!({
                        "kind": report.kind.as_str(),
                        "kindName": match language {
                            Language::Ja => report.kind.name_ja(),
                            Language::En => report.kind.as_str(),
                        },
                        "coverage": by_catalog
                            .iter()
                            .map(|(c, p, n)| serde_json::json!({
                                "catalog": c, "present": p, "required": n
                            }))
                            .collect::<Vec<_>>(),
                    })),
                }]
            }),
        )
    }
}

/// An insertion of whole lines at the very end of a text that ends with a line break, moved
/// before that line break (`…。\n` + `第5条…\n` becomes `…。` + `\n第5条…` + `\n`): the same
/// text results, but the edit starts on an existing line. Past the last line, Neovim (0.10
/// and later) adds a line to apply the edit and leaves an extra blank line at the end.
fn before_the_last_line_break(text: &str, edit: &diag::Edit) -> (std::ops::Range<usize>, String) {
    let unchanged = (edit.range.clone(), edit.text.clone());
    if edit.range != (text.len()..text.len()) {
        return unchanged;
    }
    let Some(break_) = ["\r\n", "\n", "\r"].into_iter().find(|b| text.ends_with(b)) else {
        return unchanged;
    };
    let Some(lines) = edit.text.strip_suffix(break_) else {
        return unchanged;
    };
    let at = text.len() - break_.len();
    (at..at, format!("{break_}{lines}"))
}

/// The command of the code lens: shows the items of the document's catalogs with their status.
const SHOW_COVERAGE: &str = "kiyaku.showCoverage";

/// What `kiyaku.showCoverage` shows: each applicable item with its status, by catalog.
fn coverage_list(report: &FileReport, language: Language) -> String {
    let mut out = match language {
        Language::Ja => format!("文書の種類: {}", report.kind.name_ja()),
        Language::En => format!("kind: {}", report.kind.as_str()),
    };
    for item in report
        .items
        .iter()
        .filter(|i| i.status != Status::NotApplicable)
    {
        let (mark, status) = match (item.status, language) {
            (Status::Present, Language::Ja) => ("✓", "あり"),
            (Status::Missing, Language::Ja) => ("✗", "欠落"),
            (Status::Conflict, Language::Ja) => ("!", "抵触"),
            (Status::Present, Language::En) => ("✓", "present"),
            (Status::Missing, Language::En) => ("✗", "missing"),
            (Status::Conflict, Language::En) => ("!", "conflict"),
            (Status::NotApplicable, _) => continue,
        };
        let line = match (item.lines, language) {
            (Some([a, _]), Language::Ja) => format!("（{a}行目）"),
            (Some([a, _]), Language::En) => format!(" (line {a})"),
            (None, _) => String::new(),
        };
        out.push_str(&format!("\n{mark} {status} {}{line}", item.id));
    }
    out
}

fn to_lsp_diagnostics_one(
    report: &FileReport,
    d: &diag::Diagnostic,
    encoding: Encoding,
    language: Language,
) -> Vec<Diagnostic> {
    vec![Diagnostic {
        range: range_of(&report.document.source, &d.range, encoding),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("kiyaku".to_string()),
        message: d.message.get(language).to_string(),
        ..Default::default()
    }]
}

/// The unit an internal reference (第N条第M項…) under the cursor points at.
fn reference_target(doc: &Document, at: usize) -> Option<usize> {
    let n = doc.normalized.to_normalized(at);
    let text = &doc.normalized.text;
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"第([0-9]+)条(?:第([0-9]+)項)?(?:第([0-9]+)号)?").expect("static")
    });
    let line_start = text[..n.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[n.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| n + i);
    let c = re.captures_iter(&text[line_start..line_end]).find(|c| {
        let m = c.get(0).map(|m| m.range());
        m.is_some_and(|m| line_start + m.start <= n && n <= line_start + m.end)
    })?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let s = &doc.structure;
    let (article, _) = s
        .articles()
        .find(|(_, u)| Some(u.number) == num(1) && !u.supplementary && u.branch.is_none())?;
    let mut target = article;
    if let Some(p) = num(2) {
        target = s.paragraph(article, p)?;
    }
    if let Some(k) = num(3) {
        target = *s.units[target]
            .children
            .iter()
            .find(|&&c| s.units[c].kind == UnitKind::Item && s.units[c].number == k)?;
    }
    Some(target)
}

/// The defined term under the cursor and the original offset of its definition.
fn term_at(doc: &Document, at: usize) -> Option<(String, usize)> {
    let text = doc.source.as_str();
    defined_terms::definitions(doc).into_iter().find_map(|d| {
        let original = doc.original(d.at.clone());
        let term = &text[original.clone()];
        text.match_indices(term)
            .any(|(p, m)| p <= at && at <= p + m.len())
            .then(|| (term.to_string(), original.start))
    })
}

/// Runs the language server on standard input and output.
///
/// Exits with status 0 when the client sent `shutdown` before `exit` (or before closing the
/// input), 1 otherwise (the protocol's rule for `exit`), 2 when the server cannot start.
pub fn run() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kiyaku: error: cannot start the language server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let shut_down = runtime.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        let (input, forward) = tokio::io::duplex(1 << 16);
        let (transport_output, messages) = tokio::io::duplex(1 << 16);
        let stdout = Output::new(tokio::io::stdout());
        let guard = tokio::spawn(guard_input(tokio::io::stdin(), forward, stdout.clone()));
        let writer = tokio::spawn(write_messages(messages, stdout));
        Server::new(input, transport_output, socket)
            .serve(service)
            .await;
        // the transport's end of the pipe is closed: the writer ends once all is written
        let _ = writer.await;
        // The transport stops after `exit`, which the guard forwards last, or after the end of
        // the input, where the guard has ended already.
        let guard = tokio::time::timeout(std::time::Duration::from_secs(1), guard).await;
        matches!(guard, Ok(Ok(true)))
    });
    // The stdin reader blocks in a thread of its own; do not wait for it after `exit`.
    runtime.shutdown_background();
    std::process::ExitCode::from(u8::from(!shut_down))
}

/// The client's end of the connection (stdout), shared by the transport and the input guard.
///
/// The guard must answer messages the transport never sees (a body that is not JSON, JSON
/// that is not JSON-RPC 2.0) with an error response of id null, and tower-lsp-server offers no
/// way to send one: its `Client` sends requests and notifications only, and a request made up
/// for the server to answer with an error gets another error (or none) depending on the
/// server's state. So the transport writes into a pipe, [`write_messages`] copies that to
/// stdout one whole message at a time, and the guard writes its answers in between: whoever
/// holds the lock writes a whole message, so messages never interleave.
pub struct Output<W>(Arc<tokio::sync::Mutex<W>>);

impl<W> Clone for Output<W> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<W: tokio::io::AsyncWrite + Unpin> Output<W> {
    pub fn new(writer: W) -> Self {
        Self(Arc::new(tokio::sync::Mutex::new(writer)))
    }

    /// Writes `bytes` (whole messages) at once and flushes them.
    async fn send(&self, bytes: &[u8]) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut writer = self.0.lock().await;
        writer.write_all(bytes).await?;
        writer.flush().await
    }

    /// The writer, once no other copy of this `Output` is left.
    pub fn into_inner(self) -> Option<W> {
        Arc::into_inner(self.0).map(tokio::sync::Mutex::into_inner)
    }
}

/// Copies the transport's messages to `output`, one whole message (header and body) at a time.
async fn write_messages<W: tokio::io::AsyncWrite + Unpin>(
    transport: impl tokio::io::AsyncRead + Unpin,
    output: Output<W>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    let mut reader = BufReader::new(transport);
    loop {
        let mut message = Vec::new();
        let mut length = 0;
        loop {
            let start = message.len();
            match reader.read_until(b'\n', &mut message).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = message[start..].trim_ascii();
            if line.is_empty() {
                break;
            }
            if let Some(value) = header_value(line, b"content-length") {
                length = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
            }
        }
        let start = message.len();
        message.resize(start + length, 0);
        if reader.read_exact(&mut message[start..]).await.is_err()
            || output.send(&message).await.is_err()
        {
            return;
        }
    }
}

/// The value of a header line `line` (`Name: value`) when its name is `name` (ASCII case
/// insensitive).
fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    line[..colon]
        .eq_ignore_ascii_case(name)
        .then(|| line[colon + 1..].trim_ascii())
}

/// A header line may be at most this long (bytes, with its line break)…
const MAX_HEADER_LINE: usize = 8 << 10;
/// …and a message may have at most this many header lines.
const MAX_HEADER_LINES: usize = 64;
/// The largest body accepted.
const MAX_BODY: usize = 256 << 20;
/// Where a message starts: the guard skips to it after broken framing.
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// What the input guard decides about a body.
enum Verdict {
    /// A JSON-RPC 2.0 message, passed on: its method (empty for a response).
    Message(String),
    /// Not a message: answered with this error code, its message and a detail, and the id
    /// (null unless the body names a usable one).
    Rejected {
        code: i64,
        message: &'static str,
        detail: String,
        id: serde_json::Value,
    },
}

/// Whether the transport can decode `body`: JSON of the shape of its request type (which
/// every response also has), `jsonrpc` "2.0". Valid JSON of another shape (`[]`, `{}`, an
/// id that is an array, version "1.0") ends the transport as surely as broken JSON does.
fn classify(body: &[u8]) -> Verdict {
    // the transport's own types, field for field: method a string, params anything, id
    // an integer, a string or null
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Id {
        Number(i64),
        String(String),
        Null,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Request {
        jsonrpc: String,
        #[serde(default)]
        method: String,
        #[serde(default)]
        params: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        id: Option<Id>,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Message {
        Request(Request),
    }
    if let Ok(Message::Request(r)) = serde_json::from_slice(body)
        && r.jsonrpc == "2.0"
    {
        return Verdict::Message(r.method);
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => Verdict::Rejected {
            code: -32700,
            message: "Parse error",
            detail: format!("not JSON: {e}"),
            id: serde_json::Value::Null,
        },
        Ok(value) => Verdict::Rejected {
            code: -32600,
            message: "Invalid Request",
            detail: "not a JSON-RPC 2.0 message".into(),
            id: match value.get("id") {
                Some(id) if id.is_i64() || id.is_string() => id.clone(),
                _ => serde_json::Value::Null,
            },
        },
    }
}

/// The client's bytes as they arrive, read ahead as far as the guard needs.
struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    start: usize,
    eof: bool,
}

impl<R: tokio::io::AsyncRead + Unpin> Input<R> {
    fn available(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buffer.len());
    }

    /// Reads more; false at the end of the input (a read error ends it too).
    async fn fill(&mut self) -> bool {
        use tokio::io::AsyncReadExt;
        if self.eof {
            return false;
        }
        if self.start > 0 && self.start >= self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.reserve(64 << 10);
        match self.reader.read_buf(&mut self.buffer).await {
            Ok(0) | Err(_) => {
                self.eof = true;
                false
            }
            Ok(_) => true,
        }
    }

    /// The length of the next line (with its `\n`): None at the end of the input, Err when
    /// it is longer than `limit`.
    async fn line(&mut self, limit: usize) -> Option<std::result::Result<usize, ()>> {
        let mut searched = 0;
        loop {
            let available = self.available();
            let window = &available[..available.len().min(limit)];
            if let Some(i) = window[searched..].iter().position(|&b| b == b'\n') {
                return Some(Ok(searched + i + 1));
            }
            if window.len() == limit {
                return Some(Err(()));
            }
            searched = window.len();
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Skips to the next `Content-Length:` (any case); returns how many bytes it skipped.
    async fn skip_to_content_length(&mut self) -> usize {
        let mut skipped = 0;
        loop {
            let available = self.available();
            if let Some(i) = find_ignoring_case(available, CONTENT_LENGTH) {
                self.consume(i);
                return skipped + i;
            }
            // keep what could be the start of a header cut by the end of the read
            let drop = available.len().saturating_sub(CONTENT_LENGTH.len() - 1);
            self.consume(drop);
            skipped += drop;
            if !self.fill().await {
                let rest = self.available().len();
                self.consume(rest);
                return skipped + rest;
            }
        }
    }
}

fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// How a message's header block ended.
enum Header {
    Length(usize),
    /// Broken: what is wrong with it.
    Broken(String),
    End,
}

/// Reads a header block up to its empty line. Empty lines before it are skipped; a broken
/// block is left at the first byte after the line where it broke, or after its empty line.
async fn read_header<R: tokio::io::AsyncRead + Unpin>(input: &mut Input<R>) -> Header {
    let mut length: Option<std::result::Result<usize, String>> = None;
    let mut lines = 0;
    loop {
        let n = match input.line(MAX_HEADER_LINE).await {
            None => return Header::End,
            Some(Ok(n)) => n,
            Some(Err(())) => {
                input.consume(1);
                return Header::Broken(format!(
                    "a header line longer than {} KiB",
                    MAX_HEADER_LINE >> 10
                ));
            }
        };
        let line = input.available()[..n].trim_ascii();
        if line.is_empty() {
            input.consume(n);
            if lines == 0 {
                continue;
            }
            return match length {
                Some(Ok(length)) => Header::Length(length),
                Some(Err(problem)) => Header::Broken(problem),
                None => Header::Broken("a header without Content-Length".into()),
            };
        }
        lines += 1;
        if lines > MAX_HEADER_LINES {
            input.consume(1);
            return Header::Broken(format!("more than {MAX_HEADER_LINES} header lines"));
        }
        let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
        let name_ends = line.iter().position(|&b| b == b':');
        if !name_ends.is_some_and(|i| i > 0 && line[..i].iter().all(is_token)) {
            input.consume(1);
            return Header::Broken("a line that is not a header".into());
        }
        if let Some(value) = header_value(line, b"content-length") {
            let shown = String::from_utf8_lossy(&value[..value.len().min(40)]).into_owned();
            length = Some(match std::str::from_utf8(value).map(str::parse::<usize>) {
                Ok(Ok(l)) if l <= MAX_BODY => Ok(l),
                Ok(Ok(l)) => Err(format!(
                    "Content-Length {l} is over the limit of {} MiB",
                    MAX_BODY >> 20
                )),
                _ => Err(format!("Content-Length `{shown}` is not a length")),
            });
        }
        // other headers (Content-Type and any other) are not passed on: the guard writes
        // the only header the transport reads
        input.consume(n);
    }
}

/// Finds where a JSON object starting a body ends, byte by byte as the body arrives.
#[derive(Default)]
struct ObjectEnd {
    /// Bytes looked at.
    seen: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// The body does not start with an object, or its end was found already.
    off: bool,
}

impl ObjectEnd {
    /// Looks at `body` past what it saw; the length of the object once it ends in `body`.
    fn feed(&mut self, body: &[u8]) -> Option<usize> {
        while !self.off && self.seen < body.len() {
            let b = body[self.seen];
            self.seen += 1;
            if self.depth == 0 {
                match b {
                    b'{' => self.depth = 1,
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => self.off = true,
                }
            } else if self.in_string {
                match b {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.off = true;
                            return Some(self.seen);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// Inside an object that has not ended.
    fn open(&self) -> bool {
        !self.off && self.depth > 0
    }
}

fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// Reads the body of a message declared `length` bytes long. A correct length gives exactly
/// those bytes. A wrong one gives the message the client meant where that is clear:
/// - too large: the body ends where its JSON object ends (so the server does not wait for
///   bytes that never come), or before the next `Content-Length:` header read with it;
/// - too small (clients that count characters, not bytes): when the bytes declared are a cut
///   JSON object, the body goes on to where the object ends, if that comes before the next
///   header and within four bytes a character.
///
/// Returns the body and, when it is longer than declared, its length.
async fn read_body<R: tokio::io::AsyncRead + Unpin>(
    input: &mut Input<R>,
    length: usize,
) -> (Vec<u8>, Option<usize>) {
    let mut object = ObjectEnd::default();
    loop {
        let available = input.available();
        let declared = &available[..available.len().min(length)];
        if let Some(end) = object.feed(declared)
            && is_json(&declared[..end])
        {
            let body = declared[..end].to_vec();
            // what is left of the declared length is whitespace, or the next header
            input.consume(end);
            return (body, None);
        }
        if declared.len() == length {
            break;
        }
        if !input.fill().await {
            let body = input.available().to_vec();
            input.consume(body.len());
            return (body, None);
        }
    }
    let body = &input.available()[..length];
    let cut = match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => false,
        Err(e) => {
            if let Some(next) = find_ignoring_case(body, CONTENT_LENGTH).filter(|&i| i > 0) {
                let body = body[..next].to_vec();
                input.consume(next);
                return (body, None);
            }
            e.is_eof() && object.open()
        }
    };
    if cut {
        let limit = length.saturating_mul(4).min(MAX_BODY);
        let mut searched = length;
        loop {
            let available = input.available();
            let read = &available[..available.len().min(limit)];
            let from = searched
                .saturating_sub(CONTENT_LENGTH.len() - 1)
                .max(length);
            let next = find_ignoring_case(&read[from..], CONTENT_LENGTH).map(|i| from + i);
            if let Some(end) = object.feed(&read[..next.unwrap_or(read.len())]) {
                if is_json(&read[..end]) {
                    let body = read[..end].to_vec();
                    input.consume(end);
                    return (body, Some(end));
                }
                break;
            }
            if next.is_some() || read.len() == limit {
                break;
            }
            searched = read.len();
            if !input.fill().await {
                break;
            }
        }
    }
    let body = input.available()[..length].to_vec();
    input.consume(length);
    (body, None)
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut message = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    message.extend_from_slice(body);
    message
}

/// Forwards the client's messages to the transport, which must only ever see well-framed
/// JSON-RPC 2.0 messages: it stops reading for good after one it cannot decode.
///
/// - A body that is not JSON is answered on `replies` with -32700 (Parse error), JSON that is
///   not a JSON-RPC 2.0 message with -32600 (Invalid Request); id null unless it has one.
/// - Broken framing (a header line that is not one, a missing, unreadable or too large
///   Content-Length, a header line over 8 KiB or more than 64 of them) is skipped to the
///   next `Content-Length:` header, and said on stderr; bytes that are not UTF-8 are no
///   worse than other ones.
/// - A Content-Length that is too large or too small (clients that count characters) is
///   corrected where the message is clear (see [`read_body`]).
/// - Nothing after `exit` is read: the transport stops there too.
///
/// Returns whether `shutdown` came before `exit` or the end of the input.
pub async fn guard_input<W: tokio::io::AsyncWrite + Unpin>(
    input: impl tokio::io::AsyncRead + Unpin,
    mut output: impl tokio::io::AsyncWrite + Unpin,
    replies: Output<W>,
) -> bool {
    use tokio::io::AsyncWriteExt;
    let mut input = Input {
        reader: input,
        buffer: Vec::new(),
        start: 0,
        eof: false,
    };
    let mut shut_down = false;
    let mut told_length = false;
    loop {
        let length = match read_header(&mut input).await {
            Header::Length(length) => length,
            Header::End => return shut_down,
            Header::Broken(problem) => {
                let skipped = input.skip_to_content_length().await;
                eprintln!(
                    "kiyaku lsp: {problem}; skipped {skipped} bytes to the next Content-Length header"
                );
                continue;
            }
        };
        let (body, longer) = read_body(&mut input, length).await;
        if let Some(actual) = longer
            && !std::mem::replace(&mut told_length, true)
        {
            eprintln!(
                "kiyaku lsp: a message declared {length} bytes long was {actual} bytes long \
                 (the client may count characters); read as the longer one, as will be others"
            );
        }
        match classify(&body) {
            Verdict::Message(method) => {
                if output.write_all(&frame(&body)).await.is_err() || output.flush().await.is_err() {
                    return shut_down;
                }
                match method.as_str() {
                    "shutdown" => shut_down = true,
                    "exit" => return shut_down,
                    _ => {}
                }
            }
            Verdict::Rejected {
                code,
                message,
                detail,
                id,
            } => {
                let answer = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "error": {"code": code, "message": message, "data": detail},
                });
                let what = format!(
                    "kiyaku lsp: a message of {} bytes is {}",
                    body.len(),
                    if code == -32700 {
                        "not JSON"
                    } else {
                        "not a JSON-RPC 2.0 message"
                    }
                );
                match replies.send(&frame(answer.to_string().as_bytes())).await {
                    Ok(()) => eprintln!("{what}; answered {code} ({message})"),
                    Err(e) => eprintln!("{what}; the answer could not be sent: {e}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insertion_at_the_end_moves_before_the_last_line_break() {
        let edit = |range: std::ops::Range<usize>, text: &str| diag::Edit {
            range,
            text: text.to_string(),
        };
        let apply = |text: &str, (range, new): (std::ops::Range<usize>, String)| {
            format!("{}{new}{}", &text[..range.start], &text[range.end..])
        };
        for (text, clause) in [
            ("第1条 甲は…。\n", "第2条 乙は…。\n"),
            ("第1条 甲は…。\r\n", "第2条 乙は…。\r\n"),
        ] {
            let insert = edit(text.len()..text.len(), clause);
            let moved = before_the_last_line_break(text, &insert);
            assert!(moved.0.end < text.len(), "{moved:?}");
            assert_eq!(apply(text, moved), format!("{text}{clause}"));
        }
        // elsewhere, or a text without a final line break: unchanged
        let text = "第1条 甲は…。";
        let insert = edit(text.len()..text.len(), "\n第2条 乙は…。");
        assert_eq!(before_the_last_line_break(text, &insert).0, insert.range);
        let insert = edit(0..0, "前文\n");
        assert_eq!(before_the_last_line_break("a\n", &insert).0, 0..0);
    }
}
