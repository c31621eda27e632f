//! The result cache and the order of files: cached runs print exactly what uncached runs
//! print, whatever the cache holds, and files come out in the same order on any number of
//! threads.

use std::path::{Path, PathBuf};

fn corpus(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(path)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("kiyaku-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kiyaku check` on `dir` (run from `dir`, paths relative) with the given cache folder
/// (`None`: `--no-cache`); stdout and exit status.
fn check(dir: &Path, cache: Option<&Path>, extra: &[&str]) -> (String, Option<i32>) {
    let mut cmd = crate::kiyaku_command();
    cmd.current_dir(dir).arg("check").args(extra).arg(".");
    match cache {
        Some(c) => cmd.arg("--cache-dir").arg(c),
        None => cmd.arg("--no-cache"),
    };
    let out = cmd
        .env("KIYAKU_CACHE_DIR", dir.join("unused"))
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    found.sort();
    found
}

/// A folder with the two shared real documents (they state different fees, so the run
/// has a value-mismatch across documents) and a contract.
fn documents(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    for (from, to) in [
        ("shared/regulation-tsc.txt", "docs/regulation.txt"),
        ("shared/privacy-policy-technocraft.txt", "docs/notice.txt"),
        ("contracts/08-seiso-shoko-seiri.txt", "docs/contract.txt"),
    ] {
        std::fs::copy(corpus(from), dir.join(to)).unwrap();
    }
    dir
}

#[test]
fn cached_output_is_byte_identical_to_uncached() {
    let dir = documents("identical");
    let cache = dir.join("cache");
    for format in [["--format", "text"], ["--format", "json"]] {
        let uncached = check(&dir, None, &format);
        assert!(uncached.0.contains("value-mismatch"), "{}", uncached.0);
        let cold = check(&dir, Some(&cache), &format);
        let warm = check(&dir, Some(&cache), &format);
        assert_eq!(cold, uncached);
        assert_eq!(warm, uncached);
    }
    // one entry per file and settings: text and json share them
    assert_eq!(entries(&cache).len(), 3);
    // --lang is a setting of its own
    let en = check(&dir, None, &["--lang", "en"]);
    assert_eq!(check(&dir, Some(&cache), &["--lang", "en"]), en);
    assert_eq!(check(&dir, Some(&cache), &["--lang", "en"]), en);
    assert_eq!(entries(&cache).len(), 6);
}

#[test]
fn corrupt_or_unreadable_entries_are_rebuilt() {
    let dir = documents("corrupt");
    let cache = dir.join("cache");
    let uncached = check(&dir, None, &["--format", "json"]);
    check(&dir, Some(&cache), &["--format", "json"]);
    let found = entries(&cache);
    assert_eq!(found.len(), 3);
    std::fs::write(&found[0], b"{\"format\": 1, \"kind\": ").unwrap();
    std::fs::write(&found[1], [0xff, 0xfe, 0x00]).unwrap();
    // valid JSON of the wrong shape
    std::fs::write(&found[2], b"{\"format\": 1}").unwrap();
    assert_eq!(check(&dir, Some(&cache), &["--format", "json"]), uncached);
    for entry in &found {
        let text = std::fs::read_to_string(entry).unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v["kind"].is_string()),
            "{} was not rebuilt: {text}",
            entry.display()
        );
    }
    // an entry that is a folder cannot be read or replaced: the run goes on
    std::fs::remove_file(&found[0]).unwrap();
    std::fs::create_dir(&found[0]).unwrap();
    assert_eq!(check(&dir, Some(&cache), &["--format", "json"]), uncached);
    // a cache folder that cannot be created: no cache, same output
    let blocked = dir.join("blocked");
    std::fs::write(&blocked, "a file, not a folder").unwrap();
    assert_eq!(check(&dir, Some(&blocked), &["--format", "json"]), uncached);
}

#[test]
fn changed_content_and_settings_invalidate() {
    let dir = documents("invalidate");
    let cache = dir.join("cache");
    check(&dir, Some(&cache), &["--format", "json"]);
    // the regulation's fee changes: the mismatch reported in the (cached) notice follows
    let regulation = dir.join("docs/regulation.txt");
    let text = std::fs::read_to_string(&regulation).unwrap();
    assert!(text.contains("500円"), "the fixture states a 500円 fee");
    std::fs::write(&regulation, text.replace("500円", "700円")).unwrap();
    let uncached = check(&dir, None, &["--format", "json"]);
    assert!(uncached.0.contains("700円"));
    assert_eq!(check(&dir, Some(&cache), &["--format", "json"]), uncached);
    // --kind is in the key
    let kind = ["--format", "json", "--kind", "consignment-contract"];
    let uncached = check(&dir, None, &kind);
    assert_eq!(check(&dir, Some(&cache), &kind), uncached);
    // so is the configuration
    std::fs::write(
        dir.join("kiyaku.toml"),
        "[severity]\n\"regulation/security-measures\" = \"info\"\n",
    )
    .unwrap();
    let uncached = check(&dir, None, &["--format", "json"]);
    assert_eq!(check(&dir, Some(&cache), &["--format", "json"]), uncached);
}

#[test]
fn a_changed_regulation_changes_the_contracts_held_to_it() {
    let dir = temp_dir("derive");
    crate::beside_the_regulation(
        &dir,
        "regulation.md",
        "\n[kinds]\n\"contracts/**\" = \"consignment-contract\"\n",
    );
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::write(
        dir.join("contracts/a.txt"),
        "取引基本契約\n第1条 乙は、本件業務を誠実に行う。\n",
    )
    .unwrap();
    let cache = dir.join("cache");
    let args = ["--format", "json", "contracts"];
    let before = check(&dir, Some(&cache), &args);
    // the regulation's article loses its last listed item
    let regulation = std::fs::read_to_string(dir.join("regulation.md")).unwrap();
    let edited: String = {
        let (head, tail) = regulation.split_at(regulation.find("第36条").unwrap());
        let line = tail
            .lines()
            .find(|l| l.starts_with("(11)"))
            .expect("article 36 paragraph 4 lists eleven items");
        format!("{head}{}", tail.replacen(&format!("{line}\n"), "", 1))
    };
    std::fs::write(dir.join("regulation.md"), edited).unwrap();
    let uncached = check(&dir, None, &args);
    assert_ne!(uncached, before);
    assert_eq!(check(&dir, Some(&cache), &args), uncached);
}

/// Writes `names` (each `name.txt` under `dir`, folders made as needed) as a regulation, a
/// privacy notice and a consignment contract in turn.
fn documents_of_three_kinds(dir: &Path, names: &[impl AsRef<str>]) {
    let seeds = [
        corpus("shared/regulation-tsc.txt"),
        corpus("shared/privacy-policy-technocraft.txt"),
        corpus("contracts/08-seiso-shoko-seiri.txt"),
    ];
    for (i, name) in names.iter().enumerate() {
        let path = dir.join(format!("{}.txt", name.as_ref()));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(&seeds[i % seeds.len()], path).unwrap();
    }
}

#[test]
fn files_come_out_sorted_by_path_on_any_number_of_threads() {
    let dir = temp_dir("order");
    // names whose creation order is not their sorted order
    documents_of_three_kinds(&dir, &["m", "b", "z/a", "a", "k/c", "c", "y", "k/a"]);
    let run = |threads: &str| {
        let out = crate::kiyaku_command()
            .current_dir(&dir)
            .args(["check", "--no-cache", "--format", "json", "."])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let one = run("1");
    for _ in 0..3 {
        assert_eq!(run("2"), one);
        assert_eq!(run("4"), one);
    }
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 8);
}

/// A run that starts on documents of several kinds at once, on more threads than cores, ends:
/// the first check of each kind compiles its terms on rayon's pool, and a thread that waited
/// for another's compile while holding a task that compile waited for hung the run (about
/// one run in forty, before the terms were compiled outside their cell).
#[test]
fn first_checks_of_several_kinds_at_once_do_not_hang() {
    let dir = temp_dir("kinds-at-once");
    let names: Vec<String> = (0..12).map(|i| format!("{i:02}")).collect();
    documents_of_three_kinds(&dir, &names);
    for round in 0..40 {
        let mut child = crate::kiyaku_command()
            .current_dir(&dir)
            .args(["check", "--no-cache", "--format", "json", "."])
            .env("RAYON_NUM_THREADS", if round % 2 == 0 { "4" } else { "8" })
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                panic!("round {round}: kiyaku check did not end within 60 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(1), "round {round}");
    }
}

#[test]
fn compact_reports_print_what_full_reports_print() {
    use kiyaku::diagnostic::Language;
    use kiyaku::report;
    let engine = kiyaku::engine::Engine::new(kiyaku::catalog::builtin_catalogs());
    let mut files = Vec::new();
    for folder in ["contracts", "notices", "regulations", "shared"] {
        for e in std::fs::read_dir(corpus(folder)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.sort();
    let check = |compact: bool| {
        let mut reports: Vec<_> = files
            .iter()
            .map(|p| {
                let r = engine.check(
                    &p.display().to_string(),
                    std::fs::read_to_string(p).unwrap(),
                    None,
                );
                if compact { r.compact() } else { r }
            })
            .collect();
        kiyaku::engine::cross_check(&mut reports);
        reports
    };
    let (full, compact) = (check(false), check(true));
    for language in [Language::Ja, Language::En] {
        assert_eq!(
            report::text::render(&compact, language),
            report::text::render(&full, language)
        );
        assert_eq!(
            report::json::render(&compact, language),
            report::json::render(&full, language)
        );
    }
    // and the compact reports hold far less text than the documents
    let kept: usize = compact
        .iter()
        .map(|r| r.document.source.as_str().len())
        .sum();
    let whole: usize = full.iter().map(|r| r.document.source.as_str().len()).sum();
    assert!(kept * 4 < whole, "{kept} of {whole} bytes kept");
}

#[test]
fn entries_older_than_thirty_days_are_removed() {
    let dir = documents("prune");
    let cache = dir.join("cache");
    let expected = check(&dir, None, &[]);
    check(&dir, Some(&cache), &[]);
    let found = entries(&cache);
    assert_eq!(found.len(), 3);
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 24 * 3600);
    let age = |path: &Path| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(long_ago)
            .unwrap()
    };
    age(&found[0]);
    let stray = cache.join(format!(".{}.123.tmp", "0".repeat(32)));
    std::fs::write(&stray, "").unwrap();
    age(&stray);
    let other = cache.join("notes.json");
    std::fs::write(&other, "{}").unwrap();
    age(&other);
    // pruned at most once a day: nothing happens while the marker is fresh
    assert_eq!(check(&dir, Some(&cache), &[]), expected);
    assert!(found[0].exists() && stray.exists());
    age(&cache.join(".pruned"));
    assert_eq!(check(&dir, Some(&cache), &[]), expected);
    // the old entry was removed, then written again by this run (its file was checked anew)
    assert!(found[0].exists());
    assert!(!stray.exists());
    assert!(
        other.exists(),
        "files the cache did not name are left alone"
    );
    let modified = std::fs::metadata(&found[0]).unwrap().modified().unwrap();
    assert!(modified > long_ago + std::time::Duration::from_secs(24 * 3600));
}

/// Without `--cache-dir`, entries go to `$KIYAKU_CACHE_DIR`, else the platform's cache
/// folder: `$XDG_CACHE_HOME/kiyaku`, else `~/.cache/kiyaku` (here, on Linux).
#[test]
fn the_default_cache_folder_follows_the_platform() {
    let dir = documents("default-folder");
    let run = |env: &[(&str, &Path)]| {
        let mut cmd = crate::kiyaku_command();
        cmd.current_dir(&dir).args(["check", "."]);
        for var in ["KIYAKU_CACHE_DIR", "XDG_CACHE_HOME", "HOME"] {
            cmd.env_remove(var);
        }
        for (var, value) in env {
            cmd.env(var, value);
        }
        assert_eq!(cmd.output().unwrap().status.code(), Some(1));
    };
    let (own, xdg, home) = (dir.join("own"), dir.join("xdg"), dir.join("home"));
    run(&[
        ("KIYAKU_CACHE_DIR", &own),
        ("XDG_CACHE_HOME", &xdg),
        ("HOME", &home),
    ]);
    assert_eq!(entries(&own).len(), 3);
    assert!(!xdg.exists() && !home.exists());
    run(&[("XDG_CACHE_HOME", &xdg), ("HOME", &home)]);
    assert_eq!(entries(&xdg.join("kiyaku")).len(), 3);
    assert!(!home.exists());
    run(&[("HOME", &home)]);
    assert_eq!(entries(&home.join(".cache/kiyaku")).len(), 3);
}
