//! Required-clause catalogs: loading, validation with precise error positions,
//! and the built-in set shipped in `dictionaries/catalogs/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::kind::DocumentKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Sentence,
    Article,
    /// Each group anywhere in the document (facts a notice may give in different places,
    /// such as the business's name, address and representative).
    Document,
}

/// A term written `re:<regular expression>` matches the expression on the normalised text
/// (an address, a representative's title followed by a name), not lemmas.
pub const PATTERN_PREFIX: &str = "re:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    #[default]
    Any,
    Obligation,
    Prohibition,
    Permission,
    Exemption,
}

/// Concept groups: every group must be matched; a group by any of its terms.
pub type Groups = Vec<Vec<String>>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    #[serde(default)]
    pub scope: Scope,
    pub all: Groups,
    #[serde(default)]
    pub polarity: Polarity,
    #[serde(default)]
    pub none: Groups,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictSpec {
    #[serde(default)]
    pub scope: Scope,
    pub all: Groups,
    #[serde(default)]
    pub polarity: Polarity,
    #[serde(default)]
    pub lacking: Groups,
    pub message: String,
    #[serde(default)]
    pub message_en: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    Present,
    Missing,
    Conflict,
    NotApplicable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub expect: Expectation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    pub basis: Vec<String>,
    pub explanation: String,
    #[serde(default)]
    pub explanation_en: Option<String>,
    pub model_clause: String,
    #[serde(default)]
    pub section_hint: Vec<String>,
    #[serde(default)]
    pub trigger: Vec<String>,
    /// Verbs that, following a trigger in a sentence that denies them (「国外にある第三者に
    /// 提供いたしません」), mean the sentence rules the condition out rather than raising it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trigger_denied_with: Vec<String>,
    #[serde(rename = "match")]
    pub match_spec: MatchSpec,
    #[serde(default, rename = "conflict")]
    pub conflicts: Vec<ConflictSpec>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
    /// Set for items derived from a regulation: where the requirement comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ItemSource>,
}

/// The part of a document a catalog applies to, such as the notice given when personal
/// information is acquired directly in writing, which a privacy policy may hold as one of
/// its sections. Without such a part the catalog's items are not applicable; with one, they
/// are looked for only inside it, so values given elsewhere in the policy do not count.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Terms that open the part when they stand in the title, in the text before the
    /// first heading, or in a heading or list-item caption (which must not be a sentence
    /// ending in 「。」): the whole document, or that heading's unit, is the part.
    pub heading: Vec<String>,
    /// Terms that disqualify such a heading (「直接書面以外で取得する場合」).
    #[serde(default)]
    pub unless: Vec<String>,
    /// Concept groups that, found together in one sentence, open a part that runs from
    /// that sentence to the end of the document (「JIS Q 15001 の…直接書面によって取得する場合の措置に従い」).
    #[serde(default)]
    pub statement: Groups,
    /// Concept groups that, when at least `outline_min` of them each stand in a heading or
    /// caption of the document, make the whole document the part (a web form that lists
    /// the JIS a)–h) items as its headings without saying 直接書面).
    #[serde(default)]
    pub outline: Groups,
    #[serde(default)]
    pub outline_min: usize,
}

/// Where a derived item comes from: a regulation's file and line, and its article path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSource {
    pub path: String,
    pub line: usize,
    pub provision: String,
}

fn default_severity() -> Severity {
    Severity::Warning
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub kinds: Vec<DocumentKind>,
    #[serde(default)]
    pub description: Option<String>,
    /// Set when the catalog applies only to one part of a document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<SectionSpec>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
    /// Where the catalog was loaded from (not part of the file).
    #[serde(skip)]
    pub origin: String,
}

impl Catalog {
    pub fn full_id(&self, item: &Item) -> String {
        format!("{}/{}", self.id, item.id)
    }

    pub fn applies_to(&self, kind: DocumentKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// A catalog file that could not be used, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// The catalogs shipped with kiyaku, embedded so the binary is self-contained.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "consignment.toml",
        include_str!("../dictionaries/catalogs/consignment.toml"),
    ),
    (
        "appi-notice.toml",
        include_str!("../dictionaries/catalogs/appi-notice.toml"),
    ),
    (
        "jisq15001-direct.toml",
        include_str!("../dictionaries/catalogs/jisq15001-direct.toml"),
    ),
    (
        "regulation.toml",
        include_str!("../dictionaries/catalogs/regulation.toml"),
    ),
];

/// Parses and validates one catalog file's text. `path` is used in errors.
pub fn parse_catalog(path: &str, text: &str) -> Result<Catalog, CatalogError> {
    let mut catalog: Catalog = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    catalog.origin = path.to_string();
    validate(&catalog, text)?;
    Ok(catalog)
}

/// A TOML error of the file at `path`, at its line and column.
pub fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> CatalogError {
    let (line, column) = e
        .span()
        .map_or((1, 1), |span| line_column(text, span.start));
    CatalogError {
        path: path.to_string(),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Position of the `n`-th `id = "…"` line naming `id`, for errors about an item.
fn position_of_id(text: &str, id: &str, nth: usize) -> (usize, usize) {
    let needle = format!("\"{id}\"");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("id") && l.contains(&needle))
        .nth(nth)
        .map_or((1, 1), |(i, l)| (i + 1, l.len() - l.trim_start().len() + 1))
}

fn validate(catalog: &Catalog, text: &str) -> Result<(), CatalogError> {
    let error = |id: &str, nth: usize, message: String| {
        let (line, column) = position_of_id(text, id, nth);
        Err(CatalogError {
            path: catalog.origin.clone(),
            line,
            column,
            message,
        })
    };
    let is_id = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !is_id(&catalog.id) {
        return error(
            &catalog.id,
            0,
            format!(
                "catalog id `{}` must be lowercase ascii kebab-case",
                catalog.id
            ),
        );
    }
    if catalog.items.is_empty() {
        return error(
            &catalog.id,
            0,
            "a catalog needs at least one [[item]]".into(),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for item in &catalog.items {
        if !is_id(&item.id) {
            return error(
                &item.id,
                0,
                format!("item id `{}` must be lowercase ascii kebab-case", item.id),
            );
        }
        if !seen.insert(item.id.as_str()) {
            return error(&item.id, 1, format!("duplicate item id `{}`", item.id));
        }
        if item.match_spec.all.is_empty()
            || item
                .match_spec
                .all
                .iter()
                .any(|g| g.is_empty() || g.iter().any(|t| t.trim().is_empty()))
        {
            return error(
                &item.id,
                0,
                format!(
                    "item `{}`: match.all needs non-empty groups of non-empty terms",
                    item.id
                ),
            );
        }
        let patterns = item
            .match_spec
            .all
            .iter()
            .chain(&item.match_spec.none)
            .flatten()
            .filter_map(|t| t.strip_prefix(PATTERN_PREFIX));
        for pattern in patterns {
            if let Err(e) = regex::Regex::new(pattern) {
                return error(
                    &item.id,
                    0,
                    format!("item `{}`: bad pattern `{pattern}`: {e}", item.id),
                );
            }
        }
        if item.source.is_none() {
            let has = |e: Expectation| item.examples.iter().any(|x| x.expect == e);
            if !has(Expectation::Present) || !has(Expectation::Missing) {
                return error(
                    &item.id,
                    0,
                    format!(
                        "item `{}` needs at least one \"present\" and one \"missing\" example",
                        item.id
                    ),
                );
            }
            if !item.conflicts.is_empty() && !has(Expectation::Conflict) {
                return error(
                    &item.id,
                    0,
                    format!(
                        "item `{}` has conflict patterns but no \"conflict\" example",
                        item.id
                    ),
                );
            }
        }
        if item.basis.is_empty() {
            return error(
                &item.id,
                0,
                format!("item `{}` needs a legal basis", item.id),
            );
        }
    }
    Ok(())
}

/// Loads a catalog file from disk.
pub fn load_catalog_file(path: &Path) -> Result<Catalog, CatalogError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CatalogError {
        path: shown.clone(),
        line: 1,
        column: 1,
        message: format!("cannot read: {e}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        CatalogError {
            path: shown.clone(),
            line,
            column,
            message: "not valid UTF-8".into(),
        }
    })?;
    parse_catalog(&shown, &text)
}

/// The built-in catalogs. They are tested, so a failure here is a build defect.
pub fn builtin_catalogs() -> Vec<Catalog> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            parse_catalog(&format!("dictionaries/catalogs/{name}"), text)
                .unwrap_or_else(|e| panic!("built-in catalog is invalid: {e}"))
        })
        .collect()
}

/// Catalogs in force: the built-in ones plus extra files. A broken extra file is
/// reported and skipped; the others keep working.
pub fn catalogs_with_extra(extra: &[PathBuf]) -> (Vec<Catalog>, Vec<CatalogError>) {
    let mut catalogs = builtin_catalogs();
    let mut errors = Vec::new();
    for path in extra {
        match load_catalog_file(path) {
            Ok(c) => {
                // a user catalog with a built-in id replaces it
                catalogs.retain(|existing| existing.id != c.id);
                catalogs.push(c);
            }
            Err(e) => errors.push(e),
        }
    }
    (catalogs, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_line_and_column() {
        let err = parse_catalog("x.toml", "id = \"x\"\ntitle = 3\n").unwrap_err();
        assert_eq!((err.line, err.path.as_str()), (2, "x.toml"));
        let unknown = parse_catalog(
            "y.toml",
            "id = \"y\"\ntitle = \"t\"\nkinds = []\nbogus = 1\n[[item]]\n",
        )
        .unwrap_err();
        assert_eq!(unknown.line, 4, "{unknown}");
    }

    #[test]
    fn duplicate_ids_and_missing_examples_are_rejected() {
        let item = |id: &str, examples: &str| {
            format!(
                "[[item]]\nid = \"{id}\"\ntitle = \"t\"\nbasis = [\"b\"]\nexplanation = \"e\"\nmodel_clause = \"m\"\n[item.match]\nall = [[\"秘密\"]]\n{examples}"
            )
        };
        let ex = "[[item.example]]\ntext = \"秘密\"\nexpect = \"present\"\n[[item.example]]\ntext = \"x\"\nexpect = \"missing\"\n";
        let head = "id = \"c\"\ntitle = \"t\"\nkinds = [\"consignment-contract\"]\n";
        let dup = format!("{head}{}{}", item("a", ex), item("a", ex));
        let err = parse_catalog("c.toml", &dup).unwrap_err();
        assert!(err.message.contains("duplicate"), "{err}");
        assert_eq!(err.line, 19);
        let no_examples = format!("{head}{}", item("a", ""));
        assert!(
            parse_catalog("c.toml", &no_examples)
                .unwrap_err()
                .message
                .contains("example")
        );
        assert!(parse_catalog("c.toml", &format!("{head}{}", item("a", ex))).is_ok());
    }
}
