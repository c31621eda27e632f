//! `kiyaku.toml`, found upward from the checked path:
//!
//! ```toml
//! catalogs = ["catalogs/our-extra.toml"]      # more catalogs, relative to this file
//! disable = ["consignment/staff-designation"]  # items not checked
//! language = "ja"                               # or "en"
//!
//! [kinds]                                       # globs (relative to this file) → kind
//! "contracts/**" = "consignment-contract"
//!
//! [severity]                                    # per-item severity overrides
//! "consignment/audit-right" = "error"
//!
//! [derive]                                      # contracts are held to our regulation
//! regulation = "規程/個人情報取扱規程.txt"
//! article = 36
//! paragraph = 4
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::{self, Catalog, CatalogError, Severity};
use crate::kind::DocumentKind;
use crate::lint::Engine;

pub const FILE_NAME: &str = "kiyaku.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub catalogs: Vec<PathBuf>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub kinds: std::collections::BTreeMap<String, DocumentKind>,
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, Severity>,
    #[serde(default)]
    pub derive: Option<Derive>,
    /// The folder of the file (paths in it are relative to it).
    #[serde(skip)]
    pub root: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derive {
    pub regulation: PathBuf,
    pub article: u32,
    #[serde(default = "first")]
    pub paragraph: u32,
}

fn first() -> u32 {
    1
}

/// The nearest `kiyaku.toml` at or above `start` (a file or folder).
pub fn find(start: &Path) -> Option<PathBuf> {
    let absolute = std::fs::canonicalize(start).ok()?;
    let mut dir = if absolute.is_dir() {
        absolute
    } else {
        absolute.parent()?.to_path_buf()
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = dir.parent()?.to_path_buf();
    }
}

/// Reads a configuration file; errors name the file, line and column.
pub fn load(path: &Path) -> Result<Config, CatalogError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        CatalogError::file(
            &shown,
            crate::diagnostic::Text::new(format!("読めません: {e}"), format!("cannot read: {e}")),
        )
    })?;
    let mut config: Config =
        toml::from_str(&text).map_err(|e| catalog::toml_error(&shown, &text, &e))?;
    config.root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(config)
}

impl Config {
    /// Builds the engine: built-in catalogs, the configuration's and `extra` catalogs, the
    /// derived catalog (which replaces the built-in consignment catalog), severities,
    /// disabled items and kind globs. Broken files are returned as errors; the rest works.
    pub fn engine(&self, extra: &[PathBuf]) -> (Engine, Vec<String>) {
        let mut paths: Vec<PathBuf> = self.catalogs.iter().map(|p| self.root.join(p)).collect();
        paths.extend(extra.iter().cloned());
        let (mut catalogs, errors) = catalog::catalogs_with_extra(&paths);
        let mut errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        if let Some(d) = &self.derive {
            match self.derived(d, &catalogs) {
                Ok(derived) => {
                    catalogs.retain(|c| c.id != "consignment");
                    catalogs.push(derived);
                }
                Err(e) => errors.push(e),
            }
        }
        for c in &mut catalogs {
            let id = c.id.clone();
            c.items
                .retain(|i| !self.disable.contains(&format!("{id}/{}", i.id)));
            for i in &mut c.items {
                if let Some(s) = self.severity.get(&format!("{id}/{}", i.id)) {
                    i.severity = *s;
                }
            }
        }
        let mut engine = Engine::new(catalogs);
        for (glob, kind) in &self.kinds {
            match globset::Glob::new(glob) {
                Ok(g) => engine
                    .kind_globs
                    .push((g.compile_matcher(), *kind, self.root.clone())),
                Err(e) => errors.push(format!(
                    "{}: [kinds] {glob}: {e}",
                    self.root.join(FILE_NAME).display()
                )),
            }
        }
        (engine, errors)
    }

    fn derived(&self, d: &Derive, catalogs: &[Catalog]) -> Result<Catalog, String> {
        let path = self.root.join(&d.regulation);
        // read as a checked document is: a regular file only (a FIFO would stall every engine
        // built after it, in the language server every document's diagnostics), capped in
        // size, a .docx or .html regulation through its extractor
        let input = crate::inputs::Input::File(path.clone());
        let text = match crate::inputs::read(&input, None)? {
            crate::inputs::Reading::Document(extracted) => extracted.text,
            crate::inputs::Reading::OwnReport => {
                return Err(format!(
                    "{}: a report written by kiyaku, not a regulation",
                    path.display()
                ));
            }
        };
        let builtin = catalogs
            .iter()
            .find(|c| c.id == "consignment")
            .cloned()
            .unwrap_or_else(|| {
                catalog::builtin_catalogs()
                    .into_iter()
                    .find(|c| c.id == "consignment")
                    .expect("built-in consignment catalog")
            });
        crate::derive::derive(
            &d.regulation.display().to_string(),
            &text,
            d.article,
            d.paragraph,
            &builtin,
        )
    }
}
