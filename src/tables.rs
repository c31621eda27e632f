//! The data tables compiled into the binary (`dictionaries/outdated.toml`, `phrases.toml`,
//! `values.toml`, `variants.toml`, `vocabulary.toml`), read by one loader. A table that does not parse is a
//! defect of the build, not of any input, so the loader panics — naming the file, the line
//! and the column — and `every_table_loads` below turns such a defect into a failing test
//! that names the table, instead of a panic in whichever check happens to run first.

use serde::de::DeserializeOwned;

/// Parses the table `name` (its file name in `dictionaries/`) from `text`, its content.
///
/// # Panics
/// When `text` is not a valid table, with `dictionaries/<name>:<line>:<column>: <error>`.
/// Only for data compiled into the binary (the catalogs the user adds are read by `catalog`,
/// whose errors are reported, never panicked on).
pub fn load<T: DeserializeOwned>(name: &str, text: &str) -> T {
    toml::from_str(text).unwrap_or_else(|e| panic!("{}", describe(name, text, &e)))
}

/// `dictionaries/<name>:<line>:<column>: <message>` for a parse error.
fn describe(name: &str, text: &str, error: &toml::de::Error) -> String {
    let at = error.span().map_or(0, |span| span.start);
    let position = crate::text::SourceText::new(text.to_string()).position(at);
    format!(
        "dictionaries/{name}:{}:{}: {}",
        position.line,
        position.column,
        error.message()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table compiled into the binary loads (and its patterns compile); a broken one
    /// fails here, by name.
    #[test]
    fn every_table_loads() {
        /// A table's file name, and what loads it and counts its entries.
        type Table = (&'static str, fn() -> usize);
        let tables: [Table; 5] = [
            ("outdated.toml", || {
                crate::checks::outdated_reference::table().len()
            }),
            ("phrases.toml", || crate::checks::phrase_typo::table().len()),
            ("values.toml", || {
                crate::checks::value_mismatch::specs().len()
            }),
            ("variants.toml", crate::normalize::variant_count),
            ("vocabulary.toml", || {
                crate::vocabulary::vocabulary()
                    .lists()
                    .iter()
                    .map(|(_, words)| words.len())
                    .sum()
            }),
        ];
        let mut failures = Vec::new();
        for (name, load) in tables {
            match std::panic::catch_unwind(load) {
                Ok(0) => failures.push(format!("{name}: no entries")),
                Ok(_) => {}
                Err(panic) => failures.push(format!(
                    "{name}: {}",
                    panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                        .unwrap_or("panicked")
                )),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Entry {
        id: String,
    }

    #[test]
    fn a_broken_table_panics_with_its_file_line_and_column() {
        let panic = std::panic::catch_unwind(|| {
            load::<Entry>("broken.toml", "# a comment\nid = \"x\"\nid = 5\n")
        })
        .expect_err("a duplicate key is an error");
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        assert!(
            message.starts_with("dictionaries/broken.toml:3:1: "),
            "{message}"
        );
    }
}
