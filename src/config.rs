//! `kiyaku.toml`, found upward from the checked path:
//!
//! ```toml
//! catalogs = ["catalogs/our-extra.toml"]      # more catalogs, relative to this file
//! disable = ["consignment/staff-designation"]  # items not checked, codes suppressed
//! language = "ja"                               # or "en"
//! notices-at-acquisition = ["forms/**"]         # forms' notes, judged whole by jisq15001-direct
//!
//! [kinds]                                       # globs (relative to this file) → kind
//! "contracts/**" = "consignment-contract"
//!
//! [severity]                                    # per-item or per-code severity
//! "consignment/audit-right" = "error"
//! "numbering" = "info"
//!
//! [derive]                                      # contracts are held to our regulation
//! regulation = "規程/個人情報取扱規程.txt"
//! article = 36
//! paragraph = 4
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::{self, Catalog, CatalogError, Catalogs, Severity, Step, span_at};
use crate::diagnostic::{Code, Language, Text, did_you_mean};
use crate::engine::{CodeOverrides, Engine};
use crate::kind::DocumentKind;

pub const FILE_NAME: &str = "kiyaku.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub catalogs: Vec<PathBuf>,
    /// Catalog items (`consignment/audit-right`) not checked, and diagnostic codes
    /// (`defined-term`) whose findings are suppressed.
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub kinds: std::collections::BTreeMap<String, DocumentKind>,
    /// Globs of the files that are the notice given when personal information is acquired
    /// directly in writing (JIS Q 15001 A.3.4.2.5), as `<!-- kiyaku: notice=at-acquisition -->`
    /// would say in each: forms' notes kept as `.docx` or `.txt`.
    #[serde(default, rename = "notices-at-acquisition")]
    pub notices_at_acquisition: Vec<String>,
    /// Severity by catalog item or by diagnostic code (an item's own wins over its code's).
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, Severity>,
    #[serde(default)]
    pub derive: Option<Derive>,
    /// The folder of the file (paths in it are relative to it).
    #[serde(skip)]
    pub root: PathBuf,
    /// The file and its text, which errors about its values point into.
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub text: String,
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
            Text::new(format!("読めません: {e}"), format!("cannot read: {e}")),
        )
    })?;
    parse(path, text)
}

/// A configuration from the text of the file at `path`.
pub fn parse(path: &Path, text: String) -> Result<Config, CatalogError> {
    let mut config: Config = toml::from_str(&text)
        .map_err(|e| catalog::toml_error(&path.display().to_string(), &text, &e))?;
    config.root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    config.path = path.to_path_buf();
    config.text = text;
    Ok(config)
}

impl Config {
    /// Builds the engine: built-in catalogs, the configuration's and `extra` catalogs, the
    /// derived catalog (which replaces the built-in consignment catalog), severities,
    /// disabled items and codes, kind globs. Broken files, and values that would do nothing
    /// (an unknown id, an unknown language), are returned as errors; the rest works.
    pub fn engine(&self, extra: &[PathBuf]) -> (Engine, Vec<CatalogError>) {
        let mut paths: Vec<PathBuf> = self.catalogs.iter().map(|p| self.root.join(p)).collect();
        paths.extend(extra.iter().cloned());
        let (mut catalogs, mut errors) = Catalogs::with_extra(&paths);
        // a catalog that failed to load (or to be derived) is reported; ids that may name
        // one of its items are not reported as unknown as well
        let mut incomplete = !errors.is_empty();
        if let Some(d) = &self.derive {
            match self.derived(d, &catalogs) {
                Ok(derived) => {
                    catalogs.remove("consignment");
                    catalogs.push(derived);
                }
                Err(e) => {
                    errors.extend(e);
                    incomplete = true;
                }
            }
        }
        errors.extend(self.values_that_do_nothing(&catalogs, incomplete));
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
        engine.language = Language::of_setting(self.language.as_deref());
        engine.codes = CodeOverrides {
            disabled: self.disable.iter().filter_map(|c| Code::parse(c)).collect(),
            severity: self
                .severity
                .iter()
                .filter_map(|(c, s)| Some((Code::parse(c)?, *s)))
                .collect(),
            items_with_severity: self
                .severity
                .keys()
                .filter(|k| Code::parse(k).is_none())
                .cloned()
                .collect(),
        };
        for (glob, kind) in &self.kinds {
            let at = [Step::Key("kinds"), Step::Key(glob)];
            match self.glob(glob, &at, "[kinds]") {
                Ok(g) => engine.kind_globs.push((g, *kind, self.root.clone())),
                Err(e) => errors.push(e),
            }
        }
        for (i, glob) in self.notices_at_acquisition.iter().enumerate() {
            let at = [Step::Key("notices-at-acquisition"), Step::Index(i)];
            match self.glob(glob, &at, "notices-at-acquisition") {
                Ok(g) => engine.acquisition_globs.push((g, self.root.clone())),
                Err(e) => errors.push(e),
            }
        }
        (engine, errors)
    }

    /// An error about the value (or, with `key`, the key) at `path` in this file.
    /// A glob of the file (`field` names where it stands), or the error that names its line.
    fn glob(
        &self,
        glob: &str,
        path: &[Step<'_>],
        field: &str,
    ) -> Result<globset::GlobMatcher, CatalogError> {
        globset::Glob::new(glob)
            .map(|g| g.compile_matcher())
            .map_err(|e| {
                self.error(
                    path,
                    true,
                    Text::new(
                        format!("{field} のグロブ「{glob}」が不正です: {e}"),
                        format!("{field} {glob}: {e}"),
                    ),
                )
            })
    }

    fn error(&self, path: &[Step<'_>], key: bool, message: Text) -> CatalogError {
        let span = span_at(&self.text, path, key);
        CatalogError::at(&self.path.display().to_string(), &self.text, span, message)
    }

    /// Values that parse but would silently do nothing: a language kiyaku does not speak, an
    /// id in `disable` or `[severity]` that is neither an item of the catalogs in force nor a
    /// diagnostic code, a `[derive]` article or paragraph 0.
    fn values_that_do_nothing(&self, catalogs: &[Catalog], incomplete: bool) -> Vec<CatalogError> {
        let mut errors = Vec::new();
        if let Some(language) = self
            .language
            .as_deref()
            .filter(|l| !["ja", "en"].contains(l))
        {
            errors.push(self.error(
                &[Step::Key("language")],
                false,
                Text::new(
                    format!("language「{language}」は使えません（ja か en）。ja として扱います"),
                    format!("language `{language}` is not supported (ja or en); taken as ja"),
                ),
            ));
        }
        let items: Vec<String> = catalogs
            .iter()
            .flat_map(|c| c.items.iter().map(|i| c.full_id(i)))
            .collect();
        let known = |id: &str| {
            Code::parse(id).is_some()
                || items.iter().any(|i| i == id)
                // an item of a catalog that failed to load
                || (incomplete
                    && id
                        .split_once('/')
                        .is_some_and(|(c, _)| !catalogs.iter().any(|k| k.id == c)))
        };
        let unknown = |id: &str| {
            let candidates = items
                .iter()
                .map(String::as_str)
                .chain(Code::ALL.iter().map(|c| c.as_str()));
            // a misspelling, or the same item in another catalog (consignment/… once
            // [derive] has replaced the consignment catalog with company/…)
            let hint = did_you_mean(id, candidates).or_else(|| {
                let (_, item) = id.split_once('/')?;
                items
                    .iter()
                    .find(|i| i.split_once('/').is_some_and(|(_, x)| x == item))
                    .map(String::as_str)
            });
            Text::new(
                format!(
                    "「{id}」はカタログ項目でも診断コードでもないので、この指定は何もしません（項目の一覧は kiyaku catalogs）。{}",
                    hint.map(|h| format!("「{h}」のことではありませんか。"))
                        .unwrap_or_default()
                ),
                format!(
                    "`{id}` is neither a catalog item nor a diagnostic code, so this does nothing (items: kiyaku catalogs){}",
                    hint.map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default()
                ),
            )
        };
        for (i, id) in self.disable.iter().enumerate() {
            if !known(id) {
                errors.push(self.error(
                    &[Step::Key("disable"), Step::Index(i)],
                    false,
                    unknown(id),
                ));
            }
        }
        for id in self.severity.keys() {
            if !known(id) {
                errors.push(self.error(&[Step::Key("severity"), Step::Key(id)], true, unknown(id)));
            }
        }
        if let Some(d) = &self.derive {
            for (field, n, ja, en) in [
                ("article", d.article, "条", "article"),
                ("paragraph", d.paragraph, "項", "paragraph"),
            ] {
                if n == 0 {
                    errors.push(self.error(
                        &[Step::Key("derive"), Step::Key(field)],
                        false,
                        Text::new(
                            format!("[derive] の {field} は 1 から数えます（第0{ja}はありません）"),
                            format!("[derive] {field} counts from 1 (there is no {en} 0)"),
                        ),
                    ));
                }
            }
        }
        errors
    }

    fn derived(&self, d: &Derive, catalogs: &[Catalog]) -> Result<Catalog, Vec<CatalogError>> {
        let path = self.root.join(&d.regulation);
        let at = |field: &str, message: Text| {
            vec![self.error(&[Step::Key("derive"), Step::Key(field)], false, message)]
        };
        // read as a checked document is: a regular file only (a FIFO would stall every engine
        // built after it, in the language server every document's diagnostics), capped in
        // size, a .docx or .html regulation through its extractor
        let input = crate::inputs::Input::File(path.clone());
        let text = match crate::inputs::read(&input, None) {
            Ok(crate::inputs::Reading::Document(extracted)) => extracted.text,
            Ok(crate::inputs::Reading::OwnReport) => {
                return Err(at(
                    "regulation",
                    Text::new(
                        format!(
                            "{}: kiyaku が書いたレポートで、規程ではありません",
                            path.display()
                        ),
                        format!(
                            "{}: a report written by kiyaku, not a regulation",
                            path.display()
                        ),
                    ),
                ));
            }
            Err(e) => {
                return Err(at(
                    "regulation",
                    Text::new(
                        format!("規程を読めません（{}）", e.ja),
                        format!("cannot read the regulation ({})", e.en),
                    ),
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
        .map_err(|e| match e {
            crate::derive::DeriveError::Provision { field, message } => at(field, message),
            // errors in the regulation name it as kiyaku reads it, from this file's folder
            crate::derive::DeriveError::Items(errors) => errors
                .into_iter()
                .map(|mut e| {
                    e.path = path.display().to_string();
                    e
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<CatalogError> {
        let config = parse(Path::new("kiyaku.toml"), text.to_string()).unwrap();
        config.engine(&[]).1
    }

    /// The 1-based line and column of `needle` in `text`.
    fn at(text: &str, needle: &str) -> (usize, usize) {
        let offset = text.find(needle).unwrap();
        let line = text[..offset].matches('\n').count() + 1;
        let column = text[..offset].rsplit('\n').next().unwrap().chars().count() + 1;
        (line, column)
    }

    #[test]
    fn values_that_would_do_nothing_are_reported_at_the_value() {
        let text = "disable = [\"consignment/audit-right\", \"consignment/audti-right\", \"defined-terms\"]\nlanguage = \"fr\"\n\n[severity]\n\"numbering\" = \"error\"\n\"apppi-notice/purposes\" = \"info\"\n";
        let all = errors(text);
        let found: Vec<((usize, usize), &str)> = all
            .iter()
            .map(|e| ((e.line, e.column), e.message.en.as_str()))
            .map(|(p, m)| (p, m.split_once("; did you mean ").map_or("", |(_, h)| h)))
            .collect();
        assert_eq!(
            found,
            vec![
                (at(text, "\"fr\""), ""),
                (
                    at(text, "\"consignment/audti"),
                    "`consignment/audit-right`?"
                ),
                (at(text, "\"defined-terms"), "`defined-term`?"),
                (at(text, "\"apppi"), "`appi-notice/purposes`?"),
            ]
        );
        for e in all {
            assert_eq!(e.path, "kiyaku.toml");
            assert!(!e.message.ja.is_empty() && !e.message.en.is_empty());
        }
    }

    #[test]
    fn known_items_and_codes_are_no_error_and_codes_take_effect() {
        let text = "disable = [\"consignment/audit-right\", \"defined-term\"]\nlanguage = \"en\"\n[severity]\n\"numbering\" = \"error\"\n\"missing-clause\" = \"info\"\n\"consignment/no-removal\" = \"error\"\n";
        let config = parse(Path::new("kiyaku.toml"), text.to_string()).unwrap();
        let (engine, errors) = config.engine(&[]);
        assert_eq!(errors, vec![]);
        let report = engine.check(
            "c.txt",
            "業務委託契約書\n第1条 乙（以下「受託者」という。）は、本件業務を行う。\n第3条 甲は委託料を支払う。\n".to_string(),
            None,
        );
        let of = |code: Code| report.diagnostics.iter().filter(move |d| d.code == code);
        assert!(of(Code::DefinedTerm).count() > 0);
        assert!(of(Code::DefinedTerm).all(|d| d.suppressed.is_some()));
        assert!(of(Code::Numbering).all(|d| d.severity == Severity::Error));
        assert!(of(Code::Numbering).count() > 0);
        let missing: Vec<(&str, Severity)> = of(Code::MissingClause)
            .map(|d| (d.item.as_deref().unwrap(), d.severity))
            .collect();
        assert!(missing.contains(&("consignment/no-removal", Severity::Error)));
        assert!(missing.contains(&("consignment/confidentiality", Severity::Info)));
        assert!(!missing.iter().any(|(i, _)| *i == "consignment/audit-right"));
    }

    #[test]
    fn misspelt_keys_and_zero_provisions_are_named() {
        let e = parse(
            Path::new("k.toml"),
            "language = \"ja\"\ndisabel = []\n".into(),
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.en.ends_with("did you mean `disable`?"), "{e:?}");
        let text = "[derive]\nregulation = \"none.txt\"\narticle = 0\n";
        let found = errors(text);
        assert!(
            found
                .iter()
                .any(|e| (e.line, e.column) == (3, 11) && e.message.en.contains("counts from 1")),
            "{found:?}"
        );
        // the regulation that cannot be read, at its name
        assert!(
            found.iter().any(|e| (e.line, e.column) == (2, 14)),
            "{found:?}"
        );
    }
}
