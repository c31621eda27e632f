//! Mistakes that used to do nothing silently (an unknown id in kiyaku.toml, a bad pattern
//! or an empty group in a catalog, a misspelt suppression comment, a regulation item that
//! names nothing) are reported where they are written; well-written ones are not.

use std::path::Path;

use crate::cli::kiyaku;
use crate::temp_dir;

const CONTRACT: &str = "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn builtin(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("dictionaries/catalogs")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_catalog_with_an_empty_conflict_group_or_a_bad_pattern_is_refused_at_the_value() {
    let dir = temp_dir("catalog-mistakes");
    let contract = dir.join("contract.txt");
    std::fs::write(&contract, CONTRACT).unwrap();
    let copy = builtin("consignment.toml").replacen("id = \"consignment\"", "id = \"extra\"", 1);
    // the first conflict pattern's `all`
    let conflict = copy.find("[[item.conflict]]").unwrap();
    let all = conflict + copy[conflict..].find("\nall = ").unwrap() + 1;
    let line = copy[..all].matches('\n').count() + 1;
    let end = all + copy[all..].find('\n').unwrap();
    let catalog = dir.join("extra.toml");
    let run = |text: &str| {
        std::fs::write(&catalog, text).unwrap();
        kiyaku(
            &[
                "check",
                "--no-cache",
                "--format",
                "json",
                "--catalog",
                catalog.to_str().unwrap(),
                contract.to_str().unwrap(),
            ],
            None,
        )
    };
    for (value, column, says) in [
        ("all = []", 7, "conflict.all"),
        ("all = [[\"再委託\"], []]", 17, "空のまとまり"),
        ("all = [[\"re:(再委託\"]]", 9, "正規表現「(再委託」が不正"),
    ] {
        let out = run(&format!("{}{value}{}", &copy[..all], &copy[end..]));
        assert_eq!(out.status.code(), Some(2), "{value}: {}", stderr(&out));
        let shown = format!("{}:{line}:{column}: ", catalog.display());
        assert!(stderr(&out).contains(&shown), "{value}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{value}: {}", stderr(&out));
        // the document is still checked, with the catalogs that work
        assert_eq!(crate::cli::checked_paths(&out).len(), 1);
    }
    // the catalog as written is no error
    let out = run(&copy);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}
