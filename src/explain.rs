//! `kiyaku explain` and `kiyaku catalogs`: what each code and item checks, why,
//! on what legal basis, and how to fix it (a code's text from `codes`, an item's from
//! `catalog`).

use std::fmt::Write;

use crate::catalog::{Catalog, Catalogs};
use crate::diagnostic::{Code, Language};

/// Explanation of a code or of a catalog item (`catalog/item`), or None if unknown.
pub fn explain(what: &str, catalogs: &Catalogs, language: Language) -> Option<String> {
    match Code::parse(what) {
        Some(code) => Some(crate::codes::explain(code, language)),
        None => catalogs.explain(what, language),
    }
}

/// `kiyaku catalogs`: a table, or JSON.
pub fn list_catalogs(catalogs: &[Catalog], json: bool, language: Language) -> String {
    if json {
        let value: Vec<serde_json::Value> = catalogs
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "title": c.title,
                    "kinds": c.kinds,
                    "origin": c.origin,
                    "items": c.items.iter().map(|i| serde_json::json!({
                        "id": c.full_id(i),
                        "title": i.title,
                        "severity": i.severity,
                        "basis": i.basis,
                        "conditional": !i.trigger.is_empty(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for c in catalogs {
        let kinds: Vec<&str> = c.kinds.iter().map(|k| k.as_str()).collect();
        let _ = writeln!(
            out,
            "{} — {} [{}] ({})",
            c.id,
            c.title(language),
            kinds.join(", "),
            c.origin
        );
        for i in &c.items {
            let cond = match (i.trigger.is_empty(), language) {
                (true, _) => "",
                (false, Language::Ja) => " (条件付き)",
                (false, Language::En) => " (conditional)",
            };
            let title = i.title(language);
            let _ = writeln!(out, "  {:<40} {title}{cond}", c.full_id(i));
        }
    }
    out
}
