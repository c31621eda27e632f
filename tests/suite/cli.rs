//! The `kiyaku` binary end to end: formats, exit statuses, encodings, errors.

use crate::temp_dir;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// Runs the kiyaku binary from the repository root with its own result cache.
pub fn kiyaku(args: &[&str], stdin: Option<&[u8]>) -> Output {
    kiyaku_with(args, stdin, &[])
}

/// `kiyaku`, with these environment variables set.
pub fn kiyaku_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut child = crate::kiyaku_command()
        .args(args)
        .envs(env.iter().copied())
        .env(
            "KIYAKU_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("kiyaku-cache"),
        )
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

/// The paths of the files a `--format json` run checked, in its order.
pub fn checked_paths(out: &Output) -> Vec<String> {
    json(out)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

fn json(out: &Output) -> serde_json::Value {
    crate::json_of(out)
}

#[test]
fn regulation_json_follows_the_contract() {
    let out = kiyaku(
        &[
            "check",
            "--format",
            "json",
            "tests/corpus/shared/regulation-tsc.txt",
        ],
        None,
    );
    let v = json(&out);
    assert_eq!(v["version"], 1);
    let file = &v["files"][0];
    assert_eq!(file["kind"], "regulation");
    assert_eq!(file["kind_source"], "detected");
    let items = file["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|i| i["id"].as_str().unwrap().starts_with("regulation/"))
    );
    for i in items {
        assert!(
            ["present", "missing", "conflict", "not-applicable"]
                .contains(&i["status"].as_str().unwrap())
        );
    }
    for d in file["diagnostics"].as_array().unwrap() {
        assert!(d["range"]["start"]["line"].as_u64().unwrap() >= 1);
        assert!(d["range"]["start"]["column"].as_u64().unwrap() >= 1);
    }
    assert_eq!(v["summary"]["files"], 1);
}

#[test]
fn exit_status_follows_fail_on() {
    let complete = "tests/corpus/contracts/01-gyomu-itaku-kou-otsu.txt";
    let incomplete = "tests/corpus/contracts/08-seiso-shoko-seiri.txt";
    assert_eq!(kiyaku(&["check", complete], None).status.code(), Some(0));
    assert_eq!(kiyaku(&["check", incomplete], None).status.code(), Some(1));
    assert_eq!(
        kiyaku(&["check", "--fail-on", "error", incomplete], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(kiyaku(&["check", "--bogus"], None).status.code(), Some(2));
}

#[test]
fn stdin_shift_jis_and_kind_override() {
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("個人情報の取扱いに関する覚書\n第1条 乙は、本件業務に関して知り得た個人情報を第三者に漏えいしてはならない。\n");
    let out = kiyaku(&["check", "--format", "json", "-"], Some(&sjis));
    let v = json(&out);
    assert_eq!(v["files"][0]["path"], "<stdin>");
    assert_eq!(v["files"][0]["kind"], "consignment-contract");
    let confidentiality = v["files"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "consignment/confidentiality")
        .unwrap()
        .clone();
    assert_eq!(confidentiality["status"], "present");
    assert_eq!(confidentiality["lines"], serde_json::json!([2, 2]));
    let out = kiyaku(
        &["check", "--format", "json", "--kind", "regulation", "-"],
        Some("メモ".as_bytes()),
    );
    assert_eq!(json(&out)["files"][0]["kind_source"], "override");
}

#[test]
fn unreadable_files_are_reported_and_the_rest_is_checked() {
    let dir = temp_dir("bad-input");
    std::fs::write(dir.join("a-bad.txt"), b"\xff\xfe\x00\x01garbage").unwrap();
    std::fs::write(dir.join("b-bad.md"), b"ok line\n\x81\x20\x82").unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus/contracts/01-gyomu-itaku-kou-otsu.txt"),
        dir.join("c-good.txt"),
    )
    .unwrap();
    std::fs::write(dir.join("ignored.pdf"), b"%PDF").unwrap();
    let out = kiyaku(
        &[
            "check",
            "--lang",
            "en",
            "--format",
            "json",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a-bad.txt") && stderr.contains("binary"),
        "{stderr}"
    );
    assert!(
        stderr.contains("b-bad.md") && stderr.contains("line 2"),
        "{stderr}"
    );
    let v = json(&out);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0]["path"].as_str().unwrap().ends_with("c-good.txt"));
}

#[test]
fn folders_respect_gitignore_and_missing_paths_fail() {
    let dir = temp_dir("gitignore");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".gitignore"), "drafts/\n").unwrap();
    std::fs::create_dir_all(dir.join("drafts")).unwrap();
    std::fs::write(dir.join("drafts/x.txt"), "覚書").unwrap();
    std::fs::write(dir.join("y.txt"), "覚書\n").unwrap();
    let paths = checked_paths(&kiyaku(
        &["check", "--format", "json", dir.to_str().unwrap()],
        None,
    ));
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("y.txt"));
    let out = kiyaku(&["check", "no/such/file.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.txt"));
}

#[test]
fn text_output_underlines_with_display_width() {
    let out = kiyaku(
        &["check", "-"],
        Some("業務委託契約書\n第1条 乙は、本件業務を行う。\n".as_bytes()),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("warning[missing-clause]"), "{text}");
    assert!(text.contains("--> <stdin>:1:1"), "{text}");
    // 業務委託契約書 is 7 characters, 14 columns wide
    assert!(
        text.contains(&format!(" | {} consignment/", "^".repeat(14))),
        "{text}"
    );
}

#[test]
fn explain_and_catalogs() {
    for code in [
        "missing-clause",
        "conflicting-clause",
        "broken-reference",
        "numbering",
        "defined-term",
        "outdated-reference",
        "phrase-typo",
        "value-mismatch",
    ] {
        let out = kiyaku(&["explain", code], None);
        assert_eq!(out.status.code(), Some(0), "{code}");
        assert!(!out.stdout.is_empty());
    }
    let out = kiyaku(&["explain", "consignment/audit-right"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("根拠") && text.contains("ひな形条項"),
        "{text}"
    );
    assert_eq!(kiyaku(&["explain", "nothing"], None).status.code(), Some(2));
    let v: serde_json::Value =
        serde_json::from_slice(&kiyaku(&["catalogs", "--json"], None).stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 4);
}

#[test]
fn suppressed_findings_are_listed_but_do_not_fail() {
    let text = "<!-- kiyaku: kind=consignment-contract -->\n<!-- kiyaku-disable -->\n# 覚書\n第1条 乙は、業務を行う。\n";
    let out = kiyaku(&["check", "--format", "json", "-"], Some(text.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["files"][0]["kind_source"], "directive");
    let diagnostics = v["files"][0]["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    assert!(diagnostics.iter().all(|d| d["suppressed"].is_string()));
}

#[test]
fn contracts_are_held_to_the_regulation_named_in_kiyaku_toml() {
    let dir = temp_dir("derive");
    crate::beside_the_regulation(
        &dir,
        "regulation.txt",
        "\n[kinds]\n\"contracts/**\" = \"consignment-contract\"\n\n[severity]\n\"company/audit-right\" = \"error\"\n",
    );
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::write(
        dir.join("contracts/a.txt"),
        "取引基本契約\n第1条 乙は、本件業務を誠実に行う。\n",
    )
    .unwrap();
    let out = kiyaku(
        &[
            "check",
            "--format",
            "json",
            dir.join("contracts").to_str().unwrap(),
        ],
        None,
    );
    let v = json(&out);
    let file = &v["files"][0];
    assert_eq!(file["kind_source"], "config");
    let items = file["items"].as_array().unwrap();
    assert_eq!(items.len(), 11, "{items:?}");
    assert!(
        items
            .iter()
            .all(|i| i["id"].as_str().unwrap().starts_with("company/"))
    );
    let audit = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["item"] == "company/audit-right")
        .unwrap();
    assert_eq!(audit["severity"], "error");
    let related = audit["related"].as_array().unwrap();
    assert!(
        related[0]["message"]
            .as_str()
            .unwrap()
            .contains("第36条第4項第10号"),
        "{related:?}"
    );
    assert_eq!(related[0]["line"], 371);
    // the derived catalog printed as TOML
    let printed = kiyaku(
        &[
            "catalogs",
            "--derive",
            dir.join("regulation.txt").to_str().unwrap(),
            "--article",
            "36",
            "--paragraph",
            "4",
        ],
        None,
    );
    let toml_text = String::from_utf8(printed.stdout).unwrap();
    assert_eq!(toml_text.matches("[[item]]").count(), 11);
    // a broken kiyaku.toml is reported with its position
    std::fs::write(dir.join("kiyaku.toml"), "disable = 3\n").unwrap();
    let out = kiyaku(&["check", dir.join("contracts").to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kiyaku.toml:1:"));
}

/// Help, usage errors, the command line's own errors and `explain` speak Japanese unless
/// `--lang en`, then kiyaku.toml's `language`, then the locale say otherwise.
#[test]
fn the_command_line_speaks_the_language_chosen() {
    let text = |out: &Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    // every help in Japanese by default
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["explain", "--help"],
        &["lsp", "--help"],
        &["catalogs", "--help"],
        &["help", "check"],
    ] {
        let out = kiyaku(args, None);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let shown = text(&out);
        assert!(shown.contains("使い方: kiyaku"), "{args:?}\n{shown}");
        assert!(shown.contains("ヘルプを表示します"), "{args:?}\n{shown}");
        for english in [
            "Usage:",
            "Options:",
            "Print help",
            "[default:",
            "[possible values",
        ] {
            assert!(!shown.contains(english), "{args:?}: {english}\n{shown}");
        }
    }
    let check = text(&kiyaku(&["check", "--help"], None));
    assert!(
        check.contains("--format <形式>") && check.contains("出力の形式"),
        "{check}"
    );
    // English with --lang en, with an English locale, with kiyaku.toml's language
    let dir = temp_dir("cli-language");
    std::fs::write(dir.join("kiyaku.toml"), "language = \"en\"\n").unwrap();
    let folder = dir.to_str().unwrap();
    for (args, env) in [
        (vec!["check", "--lang", "en", "--help"], vec![]),
        (vec!["check", "--help"], vec![("LANG", "en_US.UTF-8")]),
        (
            vec!["check", folder, "--help"],
            vec![("LANG", "ja_JP.UTF-8")],
        ),
    ] {
        let shown = text(&kiyaku_with(&args, None, &env));
        assert!(shown.contains("Usage: kiyaku check"), "{args:?}\n{shown}");
    }
    // --lang wins over kiyaku.toml, kiyaku.toml over the locale; LC_ALL over LANG
    let shown = text(&kiyaku_with(
        &["check", "--lang", "ja", folder, "--help"],
        None,
        &[("LANG", "en_US.UTF-8")],
    ));
    assert!(shown.contains("使い方"), "{shown}");
    let shown = text(&kiyaku_with(
        &["--help"],
        None,
        &[("LANG", "en_US.UTF-8"), ("LC_ALL", "ja_JP.UTF-8")],
    ));
    assert!(shown.contains("使い方"), "{shown}");

    // usage errors: Japanese with what was meant, exit status 2; English under --lang en
    let out = kiyaku(&["chek"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("kiyaku: エラー: 不明なコマンド 'chek' です（もしかして: 'check'）"),
        "{}",
        text(&out)
    );
    let out = kiyaku(&["check", "--format", "xml", "."], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("'xml' は --format <形式> に使えない値です"),
        "{}",
        text(&out)
    );
    let out = kiyaku(&["check", "--lang", "en", "--formt", "json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("unexpected argument '--formt'"),
        "{}",
        text(&out)
    );

    // the command line's own errors
    let out = kiyaku(&["check", "no/such/file.txt"], None);
    assert!(
        text(&out).contains("no/such/file.txt: そのようなファイルやフォルダはありません"),
        "{}",
        text(&out)
    );
    let out = kiyaku_with(
        &["check", "no/such/file.txt"],
        None,
        &[("LANG", "en_US.UTF-8")],
    );
    assert!(
        text(&out).contains("no/such/file.txt: no such file or folder"),
        "{}",
        text(&out)
    );
    let out = kiyaku(&["explain", "nothing"], None);
    assert!(
        text(&out).contains("`nothing` は診断コードでもカタログ項目IDでもありません"),
        "{}",
        text(&out)
    );
    let out = kiyaku(&["check", "-"], Some(b"a\0b"));
    assert!(
        text(&out).contains("<stdin>: バイナリファイル"),
        "{}",
        text(&out)
    );

    // explain and catalogs
    let ja = text(&kiyaku(&["explain", "consignment/audit-right"], None));
    assert!(ja.contains("重要度: 警告"), "{ja}");
    let en = text(&kiyaku(
        &["explain", "--lang", "en", "consignment/audit-right"],
        None,
    ));
    assert!(
        en.contains("severity: warning") && en.contains("Consignor's right to audit"),
        "{en}"
    );
    let out = kiyaku(&["catalogs", "--lang", "en"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out).contains("Confidentiality obligation"),
        "{}",
        text(&out)
    );
    assert!(text(&kiyaku(&["catalogs"], None)).contains("秘密保持義務"));
}

/// Both pre-commit hooks hand kiyaku every kind of document it reads, and nothing it refuses.
#[test]
fn pre_commit_hooks_take_every_document_kiyaku_reads() {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let patterns: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("files: "))
        .collect();
    assert_eq!(patterns.len(), 2, "{hooks}");
    for pattern in patterns {
        let files = regex::Regex::new(pattern).unwrap();
        for extension in kiyaku::inputs::DOCUMENT_EXTENSIONS {
            let name = format!("policies/規程.{}", extension.to_uppercase());
            assert!(files.is_match(&name), "{pattern} misses {name}");
        }
        for extension in kiyaku::inputs::REFUSED_EXTENSIONS
            .iter()
            .chain(&["json", "rs"])
        {
            assert!(
                !files.is_match(&format!("a.{extension}")),
                "{pattern} takes .{extension}"
            );
        }
    }
}

/// kiyaku.toml's `notices-at-acquisition` declares forms' notes kept as files without a
/// directive: jisq15001-direct judges each whole, as a privacy notice.
#[test]
fn notices_at_acquisition_are_declared_in_kiyaku_toml() {
    let dir = temp_dir("at-acquisition");
    std::fs::create_dir_all(dir.join("forms")).unwrap();
    let note = "個人情報の取り扱いについて\nお客様よりお預かりした個人情報は、お問い合わせへの回答のために利用させていただきます。\n当社では、法令に基づく場合を除き、第三者に提供いたしません。\n";
    std::fs::write(dir.join("forms/inquiry.txt"), note).unwrap();
    std::fs::write(dir.join("policy.txt"), note).unwrap();
    std::fs::write(
        dir.join("kiyaku.toml"),
        "notices-at-acquisition = [\"forms/**\"]\n",
    )
    .unwrap();
    let out = kiyaku(
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let v = json(&out);
    let files = v["files"].as_array().unwrap();
    let jisq = |name: &str| {
        let file = files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap();
        let statuses: Vec<String> = file["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["id"].as_str().unwrap().starts_with("jisq15001-direct/"))
            .map(|i| format!("{} {}", i["id"], i["status"]))
            .collect();
        (file["kind_source"].as_str().unwrap().to_string(), statuses)
    };
    let (source, declared) = jisq("inquiry.txt");
    assert_eq!(source, "config");
    assert!(
        declared
            .iter()
            .any(|s| s.contains("purposes") && s.contains("present")),
        "{declared:?}"
    );
    assert!(
        declared
            .iter()
            .any(|s| s.contains("controller") && s.contains("missing")),
        "{declared:?}"
    );
    // the same text outside the glob reads as a general policy
    let (_, other) = jisq("policy.txt");
    assert!(
        other.iter().all(|s| s.contains("not-applicable")),
        "{other:?}"
    );
    // a broken glob is named with the file
    std::fs::write(
        dir.join("kiyaku.toml"),
        "notices-at-acquisition = [\"forms/[\"]\n",
    )
    .unwrap();
    let out = kiyaku(&["check", "--no-cache", dir.to_str().unwrap()], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("kiyaku.toml") && stderr.contains("notices-at-acquisition"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
