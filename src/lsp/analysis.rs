//! Analysis of open documents: off the async runtime, one at a time per document with the
//! edits that arrive meanwhile coalesced, stale results dropped, diagnostics published
//! (with the errors found in the files the engine was built from).

use std::sync::Arc;

use tower_lsp_server::ls_types::{MessageType, Uri};

use super::Backend;
use super::state::{lock, place, published};
use crate::document::Document;

impl Backend {
    /// Analyses the current text of `uri` off the async runtime and publishes the
    /// diagnostics, unless a newer version arrived meanwhile.
    pub(super) async fn analyse(&self, uri: Uri) {
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
                doc.cache.clone(),
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
            // the engine (built when a document is first opened, or when a file it was built
            // from changed) and the document's preparation need nothing of each other. The
            // engine is built on a thread of its own, off rayon's pool: `for_document` holds the
            // engines' lock while the catalogs compile on the pool, and a pool thread waiting for
            // them could take up another analysis's `for_document` and block on that lock it
            // holds itself. (A thread the system cannot start leaves the engine to be built here,
            // after the preparation.)
            let (document, (engine, rebuilt)) = std::thread::scope(|scope| {
                let built = std::thread::Builder::new()
                    .spawn_scoped(scope, || engines.for_document(file.as_deref()));
                let document = Document::with_cache(text, &cache);
                let engine = match built {
                    Ok(built) => match built.join() {
                        Ok(engine) => engine,
                        Err(panic) => std::panic::resume_unwind(panic),
                    },
                    Err(_) => engines.for_document(file.as_deref()),
                };
                (document, engine)
            });
            let report = engine.check_document_in_parallel(&path, document, kind);
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
        // the report replaced is let go of once the diagnostics are out: freeing a large
        // document's analysis takes a millisecond or two
        let mut replaced = None;
        let diagnostics = {
            let mut state = lock(&self.state);
            match state.documents.get_mut(&uri) {
                // stale: a newer analysis is on its way
                Some(doc) if doc.version == version => {
                    replaced = doc.report.replace(report);
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
        if let Some(replaced) = replaced {
            tokio::task::spawn_blocking(move || drop(replaced));
        }
    }

    /// Analyses `uri` now unless an analysis of it is running; edits that arrive
    /// meanwhile are analysed together once it ends. An isolated keystroke waits
    /// for nothing, and a burst costs one analysis more, not one per keystroke.
    pub(super) async fn analyse_coalesced(&self, uri: Uri) {
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

    /// Analyses every open document (after the settings or a file they depend on changed).
    pub(super) async fn analyse_all(&self) {
        let uris: Vec<Uri> = lock(&self.state).documents.keys().cloned().collect();
        for uri in uris {
            self.analyse(uri).await;
        }
    }
}
