//! `--format sarif`: SARIF 2.1.0 for code-scanning services and SARIF viewers.
//!
//! One rule per diagnostic code and per catalog item in force; a catalog diagnostic
//! (`missing-clause`, `conflicting-clause` …) is reported under its item's rule, so a
//! viewer shows the item's explanation, legal basis and model clause as the help text.
//! Columns count Unicode characters (`columnKind: unicodeCodePoints`).

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::catalog::{Catalog, Catalogs, Item, Severity};
use crate::diagnostic::{Code, Diagnostic, Language};
use crate::engine::FileReport;
use crate::text::SourceText;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub const INFORMATION_URI: &str = "https://docs.rs/kiyaku";

pub fn render(reports: &[FileReport], catalogs: &Catalogs, language: Language) -> String {
    let mut rules = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for &code in Code::ALL {
        index.insert(code.as_str().to_string(), rules.len());
        rules.push(code_rule(code, language));
    }
    for catalog in catalogs {
        for item in &catalog.items {
            let id = catalog.full_id(item);
            index.insert(id.clone(), rules.len());
            rules.push(item_rule(catalog, item, &id, language));
        }
    }
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(|d| result(r, d, &index, language)))
        .collect();
    let value = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "kiyaku",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "language": match language { Language::Ja => "ja-JP", Language::En => "en-US" },
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first sentence of a description, for `shortDescription`.
fn first_sentence(text: &str) -> &str {
    let end = text
        .find('。')
        .map(|i| i + '。'.len_utf8())
        .or_else(|| text.find(". ").map(|i| i + 1))
        .unwrap_or(text.len());
    &text[..end]
}

fn code_rule(code: Code, language: Language) -> Value {
    let doc = crate::codes::doc(code);
    let (what, example) = (doc.what.get(language), doc.example.get(language));
    json!({
        "id": code.as_str(),
        "name": code.as_str(),
        "shortDescription": { "text": first_sentence(what) },
        "fullDescription": { "text": what },
        "help": {
            "text": format!("{what}\n\n{example}"),
            "markdown": format!("{what}\n\n{example}"),
        },
        "helpUri": code.url(),
        "properties": { "tags": ["kiyaku", "diagnostic"] },
    })
}

fn item_rule(catalog: &Catalog, item: &Item, id: &str, language: Language) -> Value {
    let title = item.title(language);
    let explanation = item.explanation(language);
    let (basis_label, clause_label, catalog_label) = match language {
        Language::Ja => ("根拠", "ひな形条項", "カタログ"),
        Language::En => ("Legal basis", "Model clause", "Catalog"),
    };
    let catalog_name = catalog.title(language);
    let clause = item.model_clause.trim();
    let mut text = format!(
        "{title} ({id})\n{catalog_label}: {catalog_name}\n\n{explanation}\n\n{basis_label}:\n"
    );
    for b in &item.basis {
        let _ = writeln!(text, "- {b}");
    }
    let _ = write!(text, "\n{clause_label}:\n{clause}\n");
    let mut markdown = format!(
        "**{title}** (`{id}`)  \n{catalog_label}: {catalog_name}\n\n{explanation}\n\n**{basis_label}**\n\n"
    );
    for b in &item.basis {
        let _ = writeln!(markdown, "- {b}");
    }
    let _ = writeln!(markdown, "\n**{clause_label}**\n");
    for line in clause.lines() {
        let _ = writeln!(markdown, "> {line}  ");
    }
    if let Some(source) = &item.source {
        let required_by = match language {
            Language::Ja => "求める規定",
            Language::En => "Required by",
        };
        let _ = write!(
            text,
            "\n{required_by}: {} ({}:{})\n",
            source.provision, source.path, source.line
        );
        let _ = write!(
            markdown,
            "\n{required_by}: {} (`{}:{}`)\n",
            source.provision, source.path, source.line
        );
    }
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": title },
        "fullDescription": { "text": explanation },
        "help": { "text": text, "markdown": markdown },
        "helpUri": Code::MissingClause.url(),
        "defaultConfiguration": { "level": level(item.severity) },
        "properties": {
            "tags": ["kiyaku", "catalog-item", catalog.id.as_str()],
            "basis": item.basis,
        },
    })
}

fn region(source: &SourceText, range: &std::ops::Range<usize>) -> Value {
    let start = source.position(range.start);
    let end = source.position(range.end.max(range.start));
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn result(
    report: &FileReport,
    d: &Diagnostic,
    index: &HashMap<String, usize>,
    language: Language,
) -> Value {
    let source = &report.document.source;
    let uri = relative_uri(&report.path);
    let rule_id = d
        .item
        .as_deref()
        .filter(|i| index.contains_key(*i))
        .unwrap_or(d.code.as_str());
    let mut place = region(source, &d.range);
    let window = source.line_window(source.line_of(d.range.start), d.range.clone());
    let snippet = &source.as_str()[window.shown];
    place["snippet"] = json!({ "text": snippet.trim_end_matches(['\r', '\n']) });
    // a .pdf's text lines are nowhere in the file: the message names the printed place,
    // and the region carries it as properties
    let start = source.position(d.range.start);
    let mut message = d.message.get(language).to_string();
    if let Some(page) = report.page_label(start.line, start.column, language) {
        message.push_str(&format!(" ({page})"));
    }
    if let Some((page, line)) = report.page_place(start.line, start.column) {
        place["properties"] = json!({ "page": page, "pageLine": line });
    }
    let mut v = json!({
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": place,
            }
        }],
        "properties": { "code": d.code.as_str() },
    });
    let basis: Vec<&str> = d
        .related
        .iter()
        .filter(|r| r.location.is_none())
        .map(|r| r.message.get(language))
        .collect();
    if !basis.is_empty() {
        v["properties"]["related"] = json!(basis);
    }
    let related: Vec<Value> = d
        .related
        .iter()
        .filter_map(|r| r.location.as_ref().map(|loc| (r, loc)))
        .enumerate()
        .map(|(i, (r, (path, line)))| {
            json!({
                "id": i,
                "physicalLocation": {
                    "artifactLocation": { "uri": relative_uri(path) },
                    "region": { "startLine": (*line).max(1) },
                },
                "message": { "text": r.message.get(language) },
            })
        })
        .collect();
    if !related.is_empty() {
        v["relatedLocations"] = json!(related);
    }
    if let Some(fix) = &d.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "deletedRegion": region(source, &e.range),
                    "insertedContent": { "text": e.text },
                })
            })
            .collect();
        if !replacements.is_empty() {
            v["fixes"] = json!([{
                "description": { "text": fix.title.get(language) },
                "artifactChanges": [{
                    "artifactLocation": { "uri": relative_uri(&report.path) },
                    "replacements": replacements,
                }],
            }]);
        }
    }
    if let Some(why) = &d.suppressed {
        v["suppressions"] = json!([{ "kind": "inSource", "justification": why }]);
    }
    v
}

/// A path as a URI reference: relative to the current folder when it is inside it, with
/// forward slashes and percent-encoding (Japanese file names are common); `file:` URIs
/// for other absolute paths.
pub fn relative_uri(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    if std::path::Path::new(path).is_absolute()
        && let Ok(cwd) = std::env::current_dir()
    {
        let cwd = cwd.display().to_string().replace('\\', "/");
        if let Some(rest) = p.strip_prefix(&format!("{}/", cwd.trim_end_matches('/'))) {
            p = rest.to_string();
        }
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    let absolute = p.starts_with('/') || p.as_bytes().get(1) == Some(&b':');
    let encoded = percent_encode(&p);
    if absolute {
        if p.starts_with('/') {
            format!("file://{encoded}")
        } else {
            format!("file:///{encoded}")
        }
    } else {
        encoded
    }
}

/// Bytes a URI path keeps as they are: letters, digits, `-._~` and `/`.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn percent_encode(s: &str) -> String {
    let encode = |part: &str| percent_encoding::utf8_percent_encode(part, URI_PATH).to_string();
    // a Windows drive letter's colon (C:/…) stays
    match s.as_bytes().get(1) {
        Some(b':') => format!("{}:{}", encode(&s[..1]), encode(&s[2..])),
        _ => encode(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(
            relative_uri("./契約/a b.txt"),
            "%E5%A5%91%E7%B4%84/a%20b.txt"
        );
        assert_eq!(relative_uri("dir\\x.md"), "dir/x.md");
        assert_eq!(relative_uri("<stdin>"), "%3Cstdin%3E");
        let cwd = std::env::current_dir().unwrap();
        let inside = cwd.join("x.txt").display().to_string();
        assert_eq!(relative_uri(&inside), "x.txt");
    }

    #[test]
    fn short_descriptions_are_the_first_sentence() {
        assert_eq!(first_sentence("一文目です。二文目。"), "一文目です。");
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("no stop"), "no stop");
    }
}
