//! `kiyaku lsp`: the language server. It shares the whole analysis with the
//! command line; what it adds is document sync (a rope per document, changes
//! applied strictly in order), position conversion, and the editor features
//! built on a report: diagnostics, fixes, hovers, outline, navigation, lens.

mod analysis;
mod code_action;
mod code_lens;
mod convert;
mod cursor;
mod definition;
mod diagnostics;
mod guard;
mod hover;
mod references;
mod settings;
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
use crate::document::AnalysisCache;
use crate::engine::FileReport;
use convert::{PositionEncoding, apply_change};
use guard::write_messages;
use state::{Engines, OpenDocument, State, lock, published, release_freed_memory};

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
                encoding: PositionEncoding::Utf16,
                language: None,
                kind: None,
                pulls_configuration: false,
                root: std::env::current_dir().unwrap_or_default(),
                file_errors: HashMap::new(),
            })),
            engines: Arc::new(Engines::default()),
        }
    }

    fn with_report<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&FileReport, PositionEncoding, Language) -> T,
    ) -> Option<T> {
        let state = lock(&self.state);
        let doc = state.documents.get(uri)?;
        let report = doc.report.as_ref()?;
        Some(f(report, state.encoding, state.language_of(uri)))
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
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
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
                position_encoding: Some(if encoding == PositionEncoding::Utf8 {
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
                cache: Arc::new(AnalysisCache::default()),
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
        let (diagnostics, nothing_open) = {
            let mut state = lock(&self.state);
            state.documents.remove(&uri);
            (published(&state, &uri).0, state.documents.is_empty())
        };
        if nothing_open {
            // the patterns' search caches, grown by every document searched, go with them
            // (compiled again for the next document); outside the state's lock
            crate::matcher::forget_compiled_terms();
        }
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
    state::keep_freed_buffers();
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
    use std::sync::LazyLock;

    use tower_lsp_server::ls_types::Position;

    use crate::engine::{Engine, FileReport};
    use crate::kind::DocumentKind;
    use crate::text::SourceText;

    /// A regulation with a defined term, a branch article (第3条の2), paragraphs and items,
    /// references to them, and 附則 with a reference to its own 第1条.
    pub const REGULATION: &str = "個人情報取扱規程\n第1条（目的）\nこの規程は、第3条の2に定めるほか、第3条第2項による。\n第2条（定義）\n「本情報」とは、会社が取り扱う個人情報をいう。\n第3条（委託）\n本情報を委託することができる。\n２　委託先と次の事項を定める。\n一　安全管理措置\n二　再委託の条件\n第3条の2（再委託）\n再委託しない。\n附則\n第1条 この規程は、公布の日から施行する。\n第2条 第1条の規定は、第9条には及ばない。\n";

    /// `text` checked as a regulation with the built-in catalogs.
    pub fn report(text: &str) -> FileReport {
        static ENGINE: LazyLock<Engine> =
            LazyLock::new(|| Engine::new(crate::catalog::Catalogs::builtin()));
        let engine = &*ENGINE;
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
