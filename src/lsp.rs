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
use crate::document::{Document, TokenCache};
use crate::kind::DocumentKind;
use crate::lint::{Engine, FileReport};
use crate::matcher::Status;
use crate::structure::UnitKind;
use crate::text::SourceText;

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
    /// The engine that made the report (its catalogs explain the report's items).
    engine: Option<Arc<Engine>>,
    /// An analysis of this document is running.
    analysing: bool,
    /// Edits arrived while it ran: analyse again when it ends.
    stale: bool,
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

impl Engines {
    /// The engine for a document at `path`, and the configuration errors when it was (re)built.
    fn for_document(&self, path: Option<&std::path::Path>) -> (Arc<Engine>, Vec<String>) {
        let config_path = path.and_then(crate::config::find);
        let config = match &config_path {
            Some(p) => crate::config::load(p).map_err(|e| e.to_string()),
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
            return (engine.clone(), Vec::new());
        }
        let (mut engine, mut errors) = match &config {
            Ok(c) => c.engine(&client.catalogs),
            Err(e) => (Engine::new(catalog::builtin_catalogs()), vec![e.clone()]),
        };
        if let Err(e) = &config {
            errors.push(format!("using the built-in catalogs ({e})"));
        }
        // the client's globs come first: they decide before kiyaku.toml's [kinds]
        for (i, (glob, kind)) in client.kinds.iter().enumerate() {
            match globset::Glob::new(glob) {
                Ok(g) => engine
                    .kind_globs
                    .insert(i, (g.compile_matcher(), *kind, client.root.clone())),
                Err(e) => errors.push(format!("settings: kinds: {glob}: {e}")),
            }
        }
        let engine = Arc::new(engine);
        cache.insert(config_path, (stamps, engine.clone()));
        (engine, errors)
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
    language: Language,
    kind: Option<DocumentKind>,
    /// The client answers `workspace/configuration` (settings are pulled, not pushed).
    pulls_configuration: bool,
    /// The workspace root (the server's working folder when the client names none).
    root: std::path::PathBuf,
}

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    engines: Arc<Engines>,
    cache: Arc<TokenCache>,
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
                language: Language::Ja,
                kind: None,
                pulls_configuration: false,
                root: std::env::current_dir().unwrap_or_default(),
            })),
            engines: Arc::new(Engines::default()),
            cache: Arc::new(TokenCache::default()),
        }
    }

    /// Analyses the current text of `uri` off the async runtime and publishes the
    /// diagnostics, unless a newer version arrived meanwhile.
    async fn analyse(&self, uri: Uri) {
        let (text, version, kind) = {
            let state = lock(&self.state);
            let Some(doc) = state.documents.get(&uri) else {
                return;
            };
            (doc.rope.to_string(), doc.version, state.kind)
        };
        let engines = self.engines.clone();
        let cache = self.cache.clone();
        let path = uri.path().to_string();
        let file = uri.to_file_path().map(|p| p.into_owned());
        let analysed = tokio::task::spawn_blocking(move || {
            let (engine, errors) = engines.for_document(file.as_deref());
            let report = engine.check_document(&path, Document::with_cache(text, &cache), kind);
            (report, engine, errors)
        })
        .await;
        let Ok((report, engine, errors)) = analysed else {
            self.client
                .log_message(
                    MessageType::ERROR,
                    format!("analysis of {} failed", uri.as_str()),
                )
                .await;
            return;
        };
        for e in errors {
            self.client.log_message(MessageType::ERROR, e).await;
        }
        let report = Arc::new(report);
        let diagnostics = {
            let mut state = lock(&self.state);
            let (encoding, language) = (state.encoding, state.language);
            let Some(doc) = state.documents.get_mut(&uri) else {
                return;
            };
            if doc.version != version {
                return; // stale: a newer analysis is on its way
            }
            doc.report = Some(report.clone());
            doc.engine = Some(engine);
            let mut diagnostics = to_lsp_diagnostics(&report, &uri, encoding, language);
            diagnostics.extend(workspace_mismatches(&state, &uri, encoding, language));
            diagnostics
        };
        self.client
            .publish_diagnostics(uri, diagnostics, Some(version))
            .await;
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
        Some(f(report, state.encoding, state.language))
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
        if let Some(l) = settings.language.as_deref() {
            state.language = if l == "en" {
                Language::En
            } else {
                Language::Ja
            };
        }
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

/// `value-mismatch` between `uri` and the other open documents (a notice beside its regulation).
fn workspace_mismatches(
    state: &State,
    uri: &Uri,
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
    let mine = std::mem::take(&mut added[me]);
    let report = reports[me].1;
    mine.iter()
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
        .filter(|d| d.suppressed.is_none())
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

/// Applies one content change to a rope, converting the client's positions.
fn apply_change(rope: &mut Rope, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
    let Some(range) = change.range else {
        *rope = Rope::from_str(&change.text);
        return;
    };
    let to_char = |p: Position| -> usize {
        let line = (p.line as usize).min(rope.len_lines().saturating_sub(1));
        if p.line as usize >= rope.len_lines() {
            return rope.len_chars();
        }
        let line_start = rope.line_to_char(line);
        let line_slice = rope.line(line);
        let column = match encoding {
            Encoding::Utf16 => {
                let units = (p.character as usize).min(line_slice.len_utf16_cu());
                line_slice.utf16_cu_to_char(units)
            }
            Encoding::Utf8 => {
                let bytes = (p.character as usize).min(line_slice.len_bytes());
                line_slice.byte_to_char(bytes)
            }
        };
        (line_start + column).min(rope.len_chars())
    };
    let start = to_char(range.start);
    let end = to_char(range.end).max(start);
    rope.remove(start..end);
    rope.insert(start, &change.text);
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
                engine: None,
                analysing: false,
                stale: false,
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
        lock(&self.state)
            .documents
            .remove(&params.text_document.uri);
        self.client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
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
                            TextEdit::new(range_of(source, &e.range, encoding), e.text.clone())
                        })
                        .collect();
                    let mut changes = HashMap::new();
                    changes.insert(uri.clone(), edits);
                    Some(CodeActionOrCommand::CodeAction(CodeAction {
                        title: fix.title.get(language).to_string(),
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
                    // "disable here": a suppression comment on the line before
                    report.diagnostics.iter().filter(under_cursor).map(|d| {
                        let line_start = source.line_range(source.line_of(d.range.start)).start;
                        let comment =
                            crate::suppress::disable_next_line_comment(d.item.as_deref(), d.code);
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
                            title: match language {
                                Language::Ja => format!("{what} をここで無効にする"),
                                Language::En => format!("Disable {what} here"),
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
            .and_then(|d| d.engine.clone())
            .map_or_else(catalog::builtin_catalogs, |e| e.catalogs.clone());
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
                    let explanation =
                        crate::explain::explain(&what, &catalogs, language).unwrap_or_default();
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
                    command: Some(Command {
                        title: format!("{kind} · {}", coverage.join(" · ")),
                        command: String::new(),
                        arguments: None,
                    }),
                    data: None,
                }]
            }),
        )
    }
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
    if let Some(p) = num(2).filter(|&p| p > 1) {
        target = *s.units[article]
            .children
            .iter()
            .find(|&&c| s.units[c].kind == UnitKind::Paragraph && s.units[c].number == p)?;
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
    runtime.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        let (input, forward) = tokio::io::duplex(1 << 16);
        tokio::spawn(guard_input(tokio::io::stdin(), forward));
        Server::new(input, tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // The stdin reader blocks in a thread of its own; do not wait for it after `exit`.
    runtime.shutdown_background();
    std::process::ExitCode::SUCCESS
}

/// Whether the transport can decode `body`: JSON of the shape of its request type (which
/// every response also has), `jsonrpc` "2.0". Valid JSON of another shape (`[]`, `{}`, an
/// id that is an array, version "1.0") ends the transport as surely as broken JSON does.
fn is_message(body: &[u8]) -> bool {
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
        params: Option<serde_json::Value>,
        #[serde(default)]
        id: Option<Id>,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Message {
        Request(Request),
    }
    matches!(serde_json::from_slice(body), Ok(Message::Request(r)) if r.jsonrpc == "2.0")
}

/// Forwards the client's messages to the server, replacing a message the transport
/// cannot decode with a request the server answers with an error: the transport stops
/// reading for good after one undecodable message, so it must never see one.
pub async fn guard_input(
    input: impl tokio::io::AsyncRead + Unpin,
    mut output: impl tokio::io::AsyncWrite + Unpin,
) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let mut reader = BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                if length.is_some() {
                    break;
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok();
            }
        }
        let Some(length) = length.filter(|&l| l <= 256 << 20) else {
            continue;
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        if !is_message(&body) {
            eprintln!(
                "kiyaku lsp: a message of {length} bytes is not a JSON-RPC 2.0 message; answered with an error"
            );
            body = br#"{"jsonrpc":"2.0","id":null,"method":"$/kiyaku/invalidMessage"}"#.to_vec();
        }
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
        {
            return;
        }
        let _ = output.flush().await;
    }
}
