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
            said.contains(&format!("kiyaku: エラー: {path}:{line}:{column}: "))
                && said.contains(ja),
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
    let out = check_json(&contract);
    assert_eq!(stderr(&out), "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = v["files"][0]["diagnostics"].as_array().unwrap();
    let of = |code: &'static str| diagnostics.iter().filter(move |d| d["code"] == code);
    assert!(of("defined-term").count() > 0, "{diagnostics:?}");
    assert!(of("defined-term").all(|d| d["suppressed"].is_string()));
    assert!(of("numbering").count() > 0, "{diagnostics:?}");
    assert!(of("numbering").all(|d| d["severity"] == "info"));
}

/// Every list of items (article, paragraph) in the corpus's regulations.
fn corpus_item_lists() -> Vec<(std::path::PathBuf, u32, u32)> {
    use kiyaku::structure::UnitKind;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files = vec![root.join("shared/regulation-tsc.txt")];
    for folder in ["regulations", "blind/regulations"] {
        files.extend(crate::sorted_files(&root.join(folder)));
    }
    let mut lists = Vec::new();
    for file in files {
        let doc = kiyaku::document::Document::new(std::fs::read_to_string(&file).unwrap());
        let s = &doc.structure;
        let has_items = |u: usize| {
            s.units[u]
                .children
                .iter()
                .any(|&c| s.units[c].kind == UnitKind::Item)
        };
        for (a, article) in s
            .articles()
            .filter(|(_, u)| u.branch.is_none() && !u.supplementary)
        {
            if has_items(a) {
                lists.push((file.clone(), article.number, 1));
            }
            for &p in &article.children {
                if s.units[p].kind == UnitKind::Paragraph && s.units[p].number > 1 && has_items(p) {
                    lists.push((file.clone(), article.number, s.units[p].number));
                }
            }
        }
    }
    lists
}

#[test]
fn the_corpus_regulations_derive_with_no_item_called_garbage() {
    let builtin = kiyaku::catalog::builtin_catalogs()
        .into_iter()
        .find(|c| c.id == "consignment")
        .unwrap();
    let lists = corpus_item_lists();
    assert!(lists.len() > 50, "{}", lists.len());
    for (file, article, paragraph) in lists {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.display().to_string();
        match kiyaku::derive::derive(&shown, &text, article, paragraph, &builtin) {
            Err(kiyaku::derive::DeriveError::Items(errors)) => {
                panic!("{shown} 第{article}条第{paragraph}項: {errors:?}")
            }
            Ok(c) if file.ends_with("regulation-tsc.txt") && (article, paragraph) == (36, 4) => {
                assert_eq!(c.items.len(), 11);
            }
            // an article number that comes twice: the first is taken
            _ => {}
        }
    }
}

#[test]
fn regulation_items_that_name_nothing_are_reported_at_their_line() {
    let dir = temp_dir("derive-garbage");
    let regulation = dir.join("規程.txt");
    std::fs::write(
        &regulation,
        "個人情報取扱規程\n（委託）\n第5条 会社は委託先を監督する。\n2 契約の内容として以下の事項を規定するものとする。\n(1)秘密保持義務\n(2)する\n(3)。。。\n(4)委託業務の報酬の支払方法\n",
    )
    .unwrap();
    let shown = regulation.display().to_string();
    let derive = kiyaku(
        &[
            "catalogs",
            "--derive",
            &shown,
            "--article",
            "5",
            "--paragraph",
            "2",
        ],
        None,
    );
    assert_eq!(derive.status.code(), Some(2));
    assert_eq!(
        stderr(&derive),
        format!(
            "kiyaku: エラー: {shown}:6:4: 第5条第2項第2号「する」からは契約書で探す語が取り出せません（「する」という動詞一語だけです）。規程の文言か、条・項の指定を確かめてください\nkiyaku: エラー: {shown}:7:4: 第5条第2項第3号「。。。」からは契約書で探す語が取り出せません（内容を表す文字が2文字に足りません）。規程の文言か、条・項の指定を確かめてください\n"
        )
    );
    assert!(derive.stdout.is_empty(), "no catalog with catch-all items");
    // the same regulation named by kiyaku.toml: the errors name its lines; the contract is
    // checked with the built-in consignment catalog
    std::fs::write(
        dir.join("kiyaku.toml"),
        "[derive]\nregulation = \"規程.txt\"\narticle = 5\nparagraph = 2\n",
    )
    .unwrap();
    let contract = dir.join("contract.txt");
    std::fs::write(&contract, CONTRACT).unwrap();
    let out = kiyaku(
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "--lang",
            "en",
            contract.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains(":6:4: 第5条第2項第2号 “する” gives nothing to look for"),
        "{said}"
    );
    assert!(said.contains(":7:4: "), "{said}");
    assert!(
        items_judged(&out)
            .iter()
            .all(|i| !i.starts_with("company/"))
    );
    // with the garbage gone, the rest derives
    std::fs::write(
        &regulation,
        "個人情報取扱規程\n（委託）\n第5条 会社は委託先を監督する。\n2 契約の内容として以下の事項を規定するものとする。\n(1)秘密保持義務\n(2)委託業務の報酬の支払方法\n",
    )
    .unwrap();
    let out = check_json(&contract);
    assert_eq!(stderr(&out), "");
    assert_eq!(
        items_judged(&out),
        ["company/confidentiality", "company/item-2"]
    );
}

#[test]
fn misspelt_or_malformed_suppression_comments_are_findings_on_their_line() {
    let dir = temp_dir("suppression-mistakes");
    let contract = dir.join("contract.md");
    std::fs::write(
        &contract,
        "# 業務委託契約書\n<!-- kiyaku-disabel code=numbering -->\n<!-- kiyaku-disable code=defined-terms -->\n<!-- kiyaku: disabel -->\n第1条 乙は、本件業務を誠実に行う。\n<!-- kiyaku-disable item=consignment/audit-right -->\n",
    )
    .unwrap();
    let out = check_json(&contract);
    assert_eq!(stderr(&out), "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = v["files"][0]["diagnostics"].as_array().unwrap();
    let invalid: Vec<(u64, u64, &str)> = diagnostics
        .iter()
        .filter(|d| d["code"] == "invalid-directive")
        .map(|d| {
            assert_eq!(d["severity"], "warning");
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(invalid.len(), 3, "{invalid:?}");
    assert_eq!((invalid[0].0, invalid[0].1), (2, 6));
    assert!(
        invalid[0].2.contains("「kiyaku-disable」の誤り"),
        "{invalid:?}"
    );
    assert_eq!((invalid[1].0, invalid[1].1), (3, 26));
    assert!(
        invalid[1].2.contains("「defined-term」の誤り"),
        "{invalid:?}"
    );
    assert_eq!((invalid[2].0, invalid[2].1), (4, 6));
    // the well-written comment works and is no finding
    let audit = diagnostics
        .iter()
        .find(|d| d["item"] == "consignment/audit-right")
        .unwrap();
    assert!(audit["suppressed"].is_string());
}

/// The fuzz seeds of these cases (tests/fuzz/catalog, tests/fuzz/engine), run as the
/// `catalog` and `engine` targets run them: refused with a position, checked without a panic.
#[test]
fn the_fuzz_seeds_of_these_mistakes_are_reported() {
    let seeds = |folder: &str| {
        let mut files: Vec<_> =
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(folder))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
        files.sort();
        assert!(!files.is_empty());
        files
    };
    for seed in seeds("tests/fuzz/catalog") {
        let text = std::fs::read_to_string(&seed).unwrap();
        let e = kiyaku::catalog::parse_catalog("fuzz.toml", &text).expect_err(&text);
        assert!(e.line > 1 && e.column >= 1, "{}: {e}", seed.display());
    }
    let engine = kiyaku::engine::Engine::new(kiyaku::catalog::builtin_catalogs());
    for seed in seeds("tests/fuzz/engine") {
        let report = engine.check("fuzz.md", std::fs::read_to_string(&seed).unwrap(), None);
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.code == kiyaku::diagnostic::Code::InvalidDirective),
            "{}",
            seed.display()
        );
    }
}

/// `kiyaku check --no-cache --format json PATH`.
fn check_json(path: &std::path::Path) -> std::process::Output {
    kiyaku(
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            path.to_str().unwrap(),
        ],
        None,
    )
}
