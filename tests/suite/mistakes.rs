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

/// The ids of the items a `--format json` run judged in its first file.
fn items_judged(out: &std::process::Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["files"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
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

#[test]
fn unknown_ids_and_languages_in_kiyaku_toml_are_reported_at_the_value() {
    let dir = temp_dir("config-mistakes");
    let contract = dir.join("contract.txt");
    std::fs::write(&contract, CONTRACT).unwrap();
    let config = "disable = [\"consignment/audti-right\", \"consignment/no-removal\"]\nlanguage = \"fr\"\n\n[severity]\n\"defined-terms\" = \"error\"\n";
    std::fs::write(dir.join("kiyaku.toml"), config).unwrap();
    let path = dir.join("kiyaku.toml").display().to_string();
    let check = |lang: &[&str]| {
        let mut args = vec!["check", "--no-cache", "--format", "json"];
        args.extend(lang);
        args.push(contract.to_str().unwrap());
        kiyaku(&args, None)
    };
    let out = check(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    for (line, column, ja) in [
        (2, 12, "language「fr」は使えません"),
        (1, 12, "「consignment/audit-right」のことではありませんか"),
        (5, 1, "「defined-term」のことではありませんか"),
    ] {
        assert!(
            said.contains(&format!("kiyaku: error: {path}:{line}:{column}: ")) && said.contains(ja),
            "{line}:{column} {ja}\n{said}"
        );
    }
    assert_eq!(said.lines().count(), 3, "{said}");
    // the rest of the configuration works: the known item is disabled
    let items = items_judged(&out);
    assert!(!items.is_empty());
    assert!(
        !items.iter().any(|i| i == "consignment/no-removal"),
        "{items:?}"
    );
    let english = stderr(&check(&["--lang", "en"]));
    assert!(
        english.contains("did you mean `consignment/audit-right`?"),
        "{english}"
    );
}

#[test]
fn a_diagnostic_code_in_disable_or_severity_takes_effect() {
    let dir = temp_dir("config-codes");
    let contract = dir.join("contract.txt");
    std::fs::write(
        &contract,
        "業務委託契約書\n第1条 乙（以下「受託者」という。）は、本件業務を行う。\n第3条 甲は委託料を支払う。\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("kiyaku.toml"),
        "disable = [\"defined-term\"]\nlanguage = \"ja\"\n[severity]\n\"numbering\" = \"info\"\n",
    )
    .unwrap();
    let out = kiyaku(
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            contract.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(stderr(&out), "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = v["files"][0]["diagnostics"].as_array().unwrap();
    let of = |code: &'static str| diagnostics.iter().filter(move |d| d["code"] == code);
    assert!(of("defined-term").count() > 0, "{diagnostics:?}");
    assert!(of("defined-term").all(|d| d["suppressed"].is_string()));
    assert!(of("numbering").count() > 0, "{diagnostics:?}");
    assert!(of("numbering").all(|d| d["severity"] == "info"));
}
