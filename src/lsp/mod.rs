//! `kiyaku lsp`: the language server. It shares the whole analysis with the
//! command line; what it adds is document sync (a rope per document, changes
//! applied strictly in order), position conversion, and the editor features
//! built on a report: diagnostics, fixes, hovers, outline, navigation, lens.

mod code_action;
mod code_lens;
mod convert;
mod cursor;
mod definition;
mod diagnostics;
mod guard;
mod hover;
mod references;
mod state;
mod symbols;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

pub use guard::{Output, guard_input};

use crate::catalog::Catalogs;
use crate::diagnostic::Language;
use crate::document::Document;
use crate::engine::FileReport;
use crate::kind::DocumentKind;
use crate::token_cache::TokenCache;
use convert::{Encoding, apply_change};
use guard::write_messages;
use state::{
    ClientOptions, Engines, OpenDocument, Settings, State, lock, place, published,
    release_freed_memory,
};

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    engines: Arc<Engines>,
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
                    commands: vec![code_lens::SHOW_COVERAGE.to_string()],
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
        let uri = &params.text_document.uri;
        let actions = self.with_report(uri, |report, encoding, language| {
            code_action::code_actions(report, uri, params.range, encoding, language)
        });
        Ok(actions.filter(|a| !a.is_empty()))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = &params.text_document_position_params.text_document.uri;
        let position = params.text_document_position_params.position;
        // the catalogs of the engine that made the report explain its items
        let engine = lock(&self.state)
            .documents
            .get(uri)
            .and_then(|d| d.engine.clone());
        let builtin;
        let catalogs = match &engine {
            Some(engine) => &engine.catalogs,
            None => {
                builtin = Catalogs::builtin();
                &builtin
            }
        };
        Ok(self
            .with_report(uri, |report, encoding, language| {
                hover::hover(report, catalogs, position, encoding, language)
            })
            .flatten())
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(
            self.with_report(&params.text_document.uri, |report, encoding, _| {
                symbols::document_symbols(report, encoding)
            }),
        )
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = &params.text_document_position_params.text_document.uri;
        let position = params.text_document_position_params.position;
        Ok(self
            .with_report(uri, |report, encoding, _| {
                definition::definition(report, uri, position, encoding)
            })
            .flatten())
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = &params.text_document_position.text_document.uri;
        let position = params.text_document_position.position;
        Ok(self
            .with_report(uri, |report, encoding, _| {
                references::references(report, uri, position, encoding)
            })
            .flatten())
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command != code_lens::SHOW_COVERAGE {
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
            self.with_report(&uri, |report, _, language| {
                code_lens::coverage_list(report, language)
            })
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
        let uri = &params.text_document.uri;
        Ok(self.with_report(uri, |report, _, language| {
            code_lens::code_lens(report, uri, language)
        }))
    }
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

/// What the feature modules' tests check against: a regulation analysed in process.
#[cfg(test)]
mod testing {
    use std::sync::OnceLock;

    use tower_lsp_server::ls_types::Position;

    use crate::engine::{Engine, FileReport};
    use crate::kind::DocumentKind;
    use crate::text::SourceText;

    /// A regulation with a defined term, a branch article (第3条の2), paragraphs and items,
    /// references to them, and 附則 with a reference to its own 第1条.
    pub const REGULATION: &str = "個人情報取扱規程\n第1条（目的）\nこの規程は、第3条の2に定めるほか、第3条第2項による。\n第2条（定義）\n「本情報」とは、会社が取り扱う個人情報をいう。\n第3条（委託）\n本情報を委託することができる。\n２　委託先と次の事項を定める。\n一　安全管理措置\n二　再委託の条件\n第3条の2（再委託）\n再委託しない。\n附則\n第1条 この規程は、公布の日から施行する。\n第2条 第1条の規定は、第9条には及ばない。\n";

    /// `text` checked as a regulation with the built-in catalogs.
    pub fn report(text: &str) -> FileReport {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        let engine = ENGINE.get_or_init(|| Engine::new(crate::catalog::Catalogs::builtin()));
        let kind = (text.contains("規程")).then_some(DocumentKind::Regulation);
        engine.check("kitei.txt", text.to_string(), kind)
    }

    /// The byte offset of the first `needle` in `text`.
    pub fn offset(text: &str, needle: &str) -> usize {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} is not in the text"))
    }

    /// The UTF-16 position of the first `needle` in `text`.
    pub fn position(text: &str, needle: &str) -> Position {
        let (line, character) =
            SourceText::new(text.to_string()).utf16_position(offset(text, needle));
        Position::new(line, character)
    }
}
