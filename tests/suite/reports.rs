//! The report formats of `kiyaku check --format`: what SARIF says (its validity against
//! the official schema is checked in tests/e2e/test_output_schemas.py), GitHub workflow commands, the CSV matrix, the HTML page (rendered in headless
//! Chromium when it is installed), snapshots of each on a small fixture, and the progress
//! bar's silence off a terminal.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const FIXTURE: &str = "tests/corpus/contracts/08-seiso-shoko-seiri.txt";

use crate::cli::{kiyaku, kiyaku_with};
use crate::temp_dir;

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The SARIF log as JSON. Its validity against the official schema is checked by
/// tests/e2e/test_output_schemas.py, with python-jsonschema.
fn sarif_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn sarif_of_the_corpus_names_rules_locations_and_fixes() {
    let out = kiyaku(&["check", "--format", "sarif", "tests/corpus"], None);
    assert_eq!(out.status.code(), Some(1));
    let v = sarif_of(&stdout(&out));
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kiyaku");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(rule_ids.contains(&"missing-clause"));
    assert!(rule_ids.contains(&"consignment/audit-right"));
    let audit = rules
        .iter()
        .find(|r| r["id"] == "consignment/audit-right")
        .unwrap();
    let help = audit["help"]["markdown"].as_str().unwrap();
    assert!(
        help.contains("根拠") && help.contains("ひな形条項"),
        "{help}"
    );
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("tests/corpus/"), "{uri}");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    assert!(results.iter().any(|r| r["fixes"].is_array()));
    assert!(results.iter().any(|r| r["level"] == "error"));
    // the same in English
    let out = kiyaku(
        &[
            "check",
            "--format",
            "sarif",
            "--lang",
            "en",
            "tests/corpus/contracts",
        ],
        None,
    );
    let v = sarif_of(&stdout(&out));
    assert_eq!(v["runs"][0]["tool"]["driver"]["language"], "en-US");
}

#[test]
fn sarif_marks_suppressions_and_relates_the_regulation() {
    let text = "<!-- kiyaku: kind=consignment-contract -->\n<!-- kiyaku-disable -->\n# 覚書\n第1条 乙は、業務を行う。\n";
    let out = kiyaku(&["check", "--format", "sarif", "-"], Some(text.as_bytes()));
    let v = sarif_of(&stdout(&out));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["suppressions"][0]["kind"], "inSource", "{r}");
    }

    let dir = temp_dir("sarif-derive");
    crate::beside_the_regulation(&dir, "regulation.txt", "");
    std::fs::write(
        dir.join("契約 書.txt"),
        "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n",
    )
    .unwrap();
    let out = kiyaku(
        &[
            "check",
            "--format",
            "sarif",
            "--kind",
            "consignment-contract",
            dir.join("契約 書.txt").to_str().unwrap(),
        ],
        None,
    );
    let v = sarif_of(&stdout(&out));
    let results = v["runs"][0]["results"].as_array().unwrap();
    let audit = results
        .iter()
        .find(|r| r["ruleId"] == "company/audit-right")
        .unwrap();
    let related = &audit["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 371);
    assert!(
        related["message"]["text"]
            .as_str()
            .unwrap()
            .contains("第36条第4項第10号")
    );
    let uri = audit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/%E5%A5%91%E7%B4%84%20%E6%9B%B8.txt"),
        "{uri}"
    );
}

#[test]
fn github_commands_are_one_per_finding_and_escaped() {
    let out = kiyaku(&["check", "--format", "github", FIXTURE], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let json: serde_json::Value =
        serde_json::from_slice(&kiyaku(&["check", "--format", "json", FIXTURE], None).stdout)
            .unwrap();
    let reported = json["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["suppressed"].is_null())
        .count();
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), reported);
    for c in &commands {
        let (head, message) = c[2..].split_once("::").unwrap();
        let (command, properties) = head.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{c}");
        let keys: Vec<&str> = properties
            .split(',')
            .map(|p| p.split_once('=').unwrap().0)
            .collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"],
            "{c}"
        );
        assert!(properties.contains("file=tests/corpus/contracts/08-seiso-shoko-seiri.txt,"));
        assert!(!message.contains('\n') && !message.contains('\r'));
    }
    // `%`, line breaks, `:` and `,` in a file name and in messages
    let dir = temp_dir("github");
    let file = dir.join("a,b:100%.md");
    std::fs::write(
        &file,
        "個人情報保護方針\n\n弊社は、個人情報を適切に取り扱います。\n",
    )
    .unwrap();
    let out = kiyaku(
        &["check", "--format", "github", file.to_str().unwrap()],
        None,
    );
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(first.contains("a%2Cb%3A100%25.md,line="), "{first}");
}

/// In GitHub Actions the job's page also gets a Markdown summary: every finding (the
/// annotations stop at ten per type and step), appended to what earlier steps wrote.
#[test]
fn github_format_writes_the_step_summary_when_asked() {
    let dir = temp_dir("step-summary");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let contracts = "tests/corpus/contracts";
    let out = kiyaku_with(
        &["check", "--format", "github", contracts],
        None,
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let commands = stdout(&out).lines().filter(|l| l.starts_with("::")).count();
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n## kiyaku: 規約・契約書の検査結果\n"),
        "{text}"
    );
    assert!(text.contains("12 ファイルを検査"), "{text}");
    assert!(text.contains("| 文書 | 種類 | エラー | 警告 | 情報 | 欠落 | 抵触 |"));
    // a row per document, a row per finding
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("| tests/corpus/contracts/")
                && l.split(" | ")
                    .next()
                    .unwrap()
                    .rsplit_once(':')
                    .is_some_and(|(_, line)| line.parse::<usize>().is_ok()))
            .count(),
        commands
    );
    assert!(text.contains("`consignment/compliance-reporting`"));
    // English with --lang en; the file is left alone by the other formats and when unset
    std::fs::remove_file(&summary).unwrap();
    let summary_path = summary.to_str().unwrap();
    kiyaku_with(
        &["check", "--format", "github", "--lang", "en", contracts],
        None,
        &[("GITHUB_STEP_SUMMARY", summary_path)],
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("checked 12 file(s)"), "{text}");
    std::fs::remove_file(&summary).unwrap();
    kiyaku_with(
        &["check", "--format", "text", contracts],
        None,
        &[("GITHUB_STEP_SUMMARY", summary_path)],
    );
    kiyaku(&["check", "--format", "github", contracts], None);
    assert!(!summary.exists());
    // a summary that cannot be written is an error, named
    let out = kiyaku_with(
        &["check", "--format", "github", contracts],
        None,
        &[("GITHUB_STEP_SUMMARY", "/dev/full")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/full"));
}

#[test]
fn csv_matrix_opens_in_excel_and_matches_the_json_statuses() {
    let out = kiyaku(
        &["check", "--format", "csv", "tests/corpus/contracts"],
        None,
    );
    let bytes = out.stdout.clone();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "no BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..2], ["文書", "種類"]);
    assert!(header.contains(&"委託者による監査 (consignment/audit-right)".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 12);
    let json: serde_json::Value = serde_json::from_slice(
        &kiyaku(
            &["check", "--format", "json", "tests/corpus/contracts"],
            None,
        )
        .stdout,
    )
    .unwrap();
    // cells in Japanese, as the HTML report's legend names them; --lang en gives the
    // engine's words, as the JSON's status
    let japanese = |status: &str| match status {
        "present" => "あり",
        "missing" => "欠落",
        "conflict" => "抵触",
        "not-applicable" => "対象外",
        other => panic!("{other}"),
    };
    let en = kiyaku(
        &[
            "check",
            "--format",
            "csv",
            "--lang",
            "en",
            "tests/corpus/contracts",
        ],
        None,
    );
    let en_text = String::from_utf8(en.stdout[3..].to_vec()).unwrap();
    let en_rows: Vec<csv::StringRecord> = csv::Reader::from_reader(en_text.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for ((row, en_row), file) in rows
        .iter()
        .zip(&en_rows)
        .zip(json["files"].as_array().unwrap())
    {
        assert_eq!(&row[0], file["path"].as_str().unwrap());
        assert_eq!(&row[1], "委託契約・覚書");
        assert_eq!(&en_row[1], file["kind"].as_str().unwrap());
        let statuses: HashMap<&str, &str> = file["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_str().unwrap(), i["status"].as_str().unwrap()))
            .collect();
        for ((h, cell), en_cell) in header.iter().zip(row.iter()).zip(en_row.iter()).skip(2) {
            let id = h.rsplit_once(" (").unwrap().1.trim_end_matches(')');
            let status = statuses.get(id).copied().unwrap_or("not-applicable");
            assert_eq!(cell, japanese(status));
            assert_eq!(en_cell, status);
            seen.insert(cell.to_string());
        }
    }
    assert!(
        seen.contains("欠落") && seen.contains("あり") && seen.contains("抵触"),
        "{seen:?}"
    );
    // quoting per RFC 4180: a path with a comma and a quote
    let dir = temp_dir("csv");
    let file = dir.join("覚書,\"改\".txt");
    std::fs::write(&file, "覚書\n第1条 乙は、業務を行う。\n").unwrap();
    let out = kiyaku(
        &[
            "check",
            "--format",
            "csv",
            "--lang",
            "en",
            file.to_str().unwrap(),
        ],
        None,
    );
    let text = stdout(&out);
    assert!(text.starts_with("\u{feff}document,kind,"), "{text}");
    assert!(
        text.contains("覚書,\"\"改\"\".txt\",consignment-contract,"),
        "{text}"
    );
    // --output writes the same bytes to a file
    let written = dir.join("matrix.csv");
    let out = kiyaku(
        &[
            "check",
            "--format",
            "csv",
            "--output",
            written.to_str().unwrap(),
            "tests/corpus/contracts",
        ],
        None,
    );
    assert!(out.stdout.is_empty());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&written).unwrap(), bytes);
}

#[test]
fn html_is_self_contained_and_escapes_the_documents() {
    // 日本工業規格 is an outdated reference, so the line is shown as an excerpt
    let text = "<!-- kiyaku: kind=consignment-contract -->\n# 覚書 <b>\n第1条 乙は、日本工業規格に従う。<script>alert(1)</script>\"&'\n";
    let out = kiyaku(&["check", "--format", "html", "-"], Some(text.as_bytes()));
    let html = stdout(&out);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
    assert!(!html.contains("<script"), "unescaped script");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;"));
    // nothing is loaded from elsewhere (a citation's URL shown as text is not a reference)
    for external in ["src=", "<link", "url(", "@import", "=\"http", "='http"] {
        assert!(!html.contains(external), "external reference: {external}");
    }
    assert!(html.contains("<th class=\"corner\" rowspan=\"2\">文書</th>"));
    assert!(html.contains("委託者による監査"));
    assert!(html.contains("ひな形条項を挿入"));
    let en = stdout(&kiyaku(
        &["check", "--format", "html", "--lang", "en", FIXTURE],
        None,
    ));
    assert!(en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(en.contains("Findings by document") && en.contains("Insert a model clause"));
}

/// Renders the report of the contracts folder in headless Chromium; skipped (with the
/// reason printed) when no Chromium is installed.
#[test]
fn html_report_of_the_contracts_renders_in_chromium() {
    let Some(browser) = crate::chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium fonts-noto-cjk)");
        return;
    };
    let dir = temp_dir("html");
    let page = dir.join("report.html");
    let png = dir.join("report.png");
    let out = kiyaku(
        &["check", "--format", "html", "tests/corpus/contracts"],
        None,
    );
    std::fs::write(&page, &out.stdout).unwrap();
    let profile = dir.join("profile");
    let status = crate::headless_chromium(browser, &profile, &page)
        .args([
            "--disable-quic",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,2000",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 2000));
    // a blank page compresses to a few kilobytes; the report is tables, colours and text
    assert!(bytes.len() > 100_000, "{} bytes", bytes.len());
}

/// Printed to PDF (as the guide for legal teams recommends), the matrix of contracts,
/// notices and regulations together (40 columns) loses no column at the page's edge: every
/// item id of its header is in the PDF's text. Skipped, with the reason printed, without
/// Chromium or poppler's pdftotext.
#[test]
fn html_report_prints_every_matrix_column() {
    let Some(browser) = crate::chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium fonts-noto-cjk)");
        return;
    };
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("skipped: no pdftotext on PATH (apt-get install poppler-utils)");
        return;
    }
    let dir = temp_dir("html-print");
    let page = dir.join("report.html");
    let pdf = dir.join("report.pdf");
    let out = kiyaku(
        &[
            "check",
            "--format",
            "html",
            "tests/corpus/contracts",
            "tests/corpus/notices",
            "tests/corpus/regulations",
        ],
        None,
    );
    let html = stdout(&out);
    std::fs::write(&page, &html).unwrap();
    assert!(crate::print_to_pdf(
        browser,
        &page,
        &pdf,
        &dir.join("profile")
    ));
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    // the matrix comes before the findings; its vertical headers are read a letter a line,
    // and backwards
    let matrix = text.split("文書ごとの指摘").next().unwrap();
    let printed: std::collections::HashSet<String> = matrix
        .lines()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .flat_map(|l| [l.chars().rev().collect(), l])
        .collect();
    let columns: std::collections::BTreeSet<&str> = html
        .split("<small>")
        .skip(1)
        .filter_map(|s| s.split_once("</small></span></th>").map(|(id, _)| id))
        .collect();
    assert!(columns.len() >= 35, "{columns:?}");
    let cut: Vec<&&str> = columns
        .iter()
        .filter(|id| !printed.contains(**id))
        .collect();
    assert!(
        cut.is_empty(),
        "columns cut from the printed matrix: {cut:?}"
    );
}

/// The folders of the tuned corpus (tests/corpus/blind is measured by the accuracy test).
const TUNED: [&str; 4] = [
    "tests/corpus/contracts",
    "tests/corpus/notices",
    "tests/corpus/regulations",
    "tests/corpus/shared",
];

#[test]
fn no_progress_output_off_a_terminal_or_when_quiet() {
    // the 40 documents of the tuned corpus: enough for the progress bar on a terminal
    for args in [
        &[
            "check", "--format", "json", TUNED[0], TUNED[1], TUNED[2], TUNED[3],
        ][..],
        &["check", "--quiet", TUNED[0], TUNED[1], TUNED[2], TUNED[3]][..],
    ] {
        let out = kiyaku(args, None);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// On a terminal (util-linux `script` provides one) the bar is drawn, and `--quiet` silences
/// it; skipped, with the reason printed, where `script` is not available.
#[test]
fn quiet_silences_the_progress_bar_on_a_terminal() {
    let on_terminal = |quiet: &str| {
        let command = format!(
            "'{}' check {quiet} --format json {} 2>&1 >/dev/null",
            env!("CARGO_BIN_EXE_kiyaku"),
            TUNED.join(" ")
        );
        Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.code().is_some())
    };
    let Some(drawn) = on_terminal("") else {
        eprintln!("skipped: util-linux `script` is not available to provide a terminal");
        return;
    };
    if drawn.stdout.is_empty() {
        eprintln!("skipped: `script` did not provide a terminal here");
        return;
    }
    assert!(String::from_utf8_lossy(&drawn.stdout).contains("/40"));
    let quiet = on_terminal("--quiet").unwrap();
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
}

#[test]
fn report_snapshots() {
    for format in ["sarif", "github", "csv", "html"] {
        let out = stdout(&kiyaku(&["check", "--format", format, FIXTURE], None));
        insta::assert_snapshot!(format!("report_{format}"), out);
    }
}

/// Every field of a `--format json` output, as a path such as `files[].diagnostics[].page`.
fn json_fields(
    value: &serde_json::Value,
    path: &str,
    seen: &mut std::collections::BTreeSet<String>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                seen.insert(child_path.clone());
                json_fields(child, &child_path, seen);
            }
        }
        serde_json::Value::Array(items) => {
            for child in items {
                json_fields(child, &format!("{path}[]"), seen);
            }
        }
        _ => {}
    }
}

/// The JSON contract is written down (`src/report/json.schema.json`; every output of the
/// corpus, the input formats and a suppressed finding conforms to it, in both languages:
/// tests/e2e/test_output_schemas.py), and every field the schema describes is seen in
/// those outputs, so it describes no field kiyaku does not write.
#[test]
fn json_output_writes_every_field_its_contract_describes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("src/report/json.schema.json")).unwrap(),
    )
    .unwrap();
    let dir = crate::temp_dir("json-contract");
    std::fs::write(
        dir.join("suppressed.md"),
        "# 業務委託契約書\n\n<!-- kiyaku-disable item=consignment/audit-right -->\n第1条（目的）甲は乙に個人情報の取扱いを委託する。\n<!-- kiyaku-enable -->\n",
    )
    .unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut seen = std::collections::BTreeSet::new();
    for lang in ["ja", "en"] {
        for target in ["tests/corpus", "tests/fixtures/inputs", &dir_arg] {
            let out = kiyaku(&["check", "--format", "json", "--lang", lang, target], None);
            let v = crate::json_of(&out);
            json_fields(&v, "", &mut seen);
        }
    }
    let mut described = std::collections::BTreeSet::new();
    fn schema_fields(
        schema: &serde_json::Value,
        node: &serde_json::Value,
        path: &str,
        out: &mut std::collections::BTreeSet<String>,
    ) {
        let node = match node["$ref"].as_str() {
            Some(r) => &schema["definitions"][r.trim_start_matches("#/definitions/")],
            None => node,
        };
        if let Some(properties) = node["properties"].as_object() {
            for (key, child) in properties {
                let child_path = format!("{path}.{key}");
                out.insert(child_path.clone());
                schema_fields(schema, child, &child_path, out);
            }
        }
        if node.get("items").is_some() {
            schema_fields(schema, &node["items"], &format!("{path}[]"), out);
        }
    }
    schema_fields(&schema, &schema, "", &mut described);
    let unseen: Vec<_> = described.difference(&seen).collect();
    assert!(unseen.is_empty(), "described but never written: {unseen:?}");
}
