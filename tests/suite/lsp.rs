//! The language server over stdio, driven as an editor would drive it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    pending: Vec<Value>,
}

impl Client {
    fn start() -> Self {
        let mut child = crate::kiyaku_command()
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages: rx,
            next_id: 1,
            pending: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id)
    }

    /// Waits for a message, keeping the others for later waits.
    fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&want) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .messages
                .recv_timeout(left)
                .expect("the server answered in time");
            if want(&m) {
                return m;
            }
            self.pending.push(m);
        }
    }

    /// The diagnostics published for `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn initialize(&mut self, encodings: &[&str]) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": encodings}}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
        );
        self.diagnostics(uri, 1)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn corpus(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus")
            .join(name),
    )
    .unwrap()
}

fn summary(diagnostics: &[Value]) -> Vec<(Value, Value, String)> {
    let mut v: Vec<(Value, Value, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["range"].clone(),
                d["code"].clone(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    v
}

/// Replaces the chars `range` of `text` by `insert`, in the server's copy (an incremental
/// didChange at UTF-16 positions) and in the test's own.
fn replace(
    c: &mut Client,
    uri: &str,
    version: i64,
    text: &mut Vec<char>,
    range: std::ops::Range<usize>,
    insert: &str,
) {
    let current: String = text.iter().collect();
    let (sl, sc) = utf16_position(&current, range.start);
    let (el, ec) = utf16_position(&current, range.end);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version},
               "contentChanges": [{"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": insert}]}),
    );
    text.splice(range, insert.chars());
}

/// UTF-16 position of a char index in `text`.
fn utf16_position(text: &str, char_index: usize) -> (usize, usize) {
    let mut line = 0;
    let mut col = 0;
    for c in text.chars().take(char_index) {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += c.len_utf16();
        }
    }
    (line, col)
}

#[test]
fn initialize_negotiates_encoding_and_announces_features() {
    let mut c = Client::start();
    let r = c.initialize(&["utf-8", "utf-16"]);
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(r["result"]["capabilities"]["textDocumentSync"]["change"], 2);
    let mut c = Client::start();
    let r = c.initialize(&[]);
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn random_incremental_edits_end_where_a_fresh_open_does() {
    let original = corpus("contracts/02-oboegaki-itakusha-jutakusha.txt");
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-edit-test.txt";
    c.open(uri, &original);
    let mut text: Vec<char> = original.chars().collect();
    let mut rand = crate::xorshift(0x9E3779B97F4A7C15);
    let inserts = ["甲", "乙は、", "\n", "漏えい", "。", "第3条", "𠮷", "a"];
    let mut version = 1;
    for _ in 0..200 {
        version += 1;
        let start = rand(text.len() + 1);
        let end = (start + rand(4)).min(text.len());
        let insert = if rand(3) == 0 {
            ""
        } else {
            inserts[rand(inserts.len())]
        };
        replace(&mut c, uri, version, &mut text, start..end, insert);
    }
    let after_edits = c.diagnostics(uri, version);
    let final_text: String = text.iter().collect();
    let mut fresh = Client::start();
    fresh.initialize(&["utf-16"]);
    let from_scratch = fresh.open("file:///tmp/kiyaku-edit-test.txt", &final_text);
    assert_eq!(summary(&after_edits), summary(&from_scratch));
}

/// A large document: the regulation, then the corpus's documents in turn, up to `bytes`.
fn large_document(bytes: usize) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut text = corpus("shared/regulation-tsc.txt");
    let mut others = Vec::new();
    for folder in ["contracts", "notices", "regulations"] {
        others.extend(
            crate::sorted_files(&root.join(folder))
                .into_iter()
                .map(|p| std::fs::read_to_string(p).unwrap()),
        );
    }
    for other in others.iter().cycle() {
        if text.len() >= bytes {
            break;
        }
        text.push('\n');
        text.push_str(other);
    }
    text
}

/// Random edits, in bursts (some analysed together, some one by one), to large documents
/// and to one long line: at every checkpoint what the server publishes for the edited
/// document is what another server publishes for the same text opened fresh — every field
/// of every diagnostic.
#[test]
fn random_edits_on_large_documents_publish_what_a_fresh_open_does() {
    let one_line: String = large_document(40_000)
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .concat();
    let mut rand = crate::xorshift(0x2545F4914F6CDD1D);
    let inserts = [
        "甲",
        "乙は、",
        "\n",
        "漏えい",
        "。",
        "第3条",
        "𠮷",
        "a",
        "「本規程」という。",
        "(定義)\n",
        "以下「委託先」という。",
        "第12条第2項",
        "",
    ];
    let mut fresh = Client::start();
    fresh.initialize(&["utf-16"]);
    for (name, original) in [
        ("large.txt", large_document(200_000)),
        ("one-line.txt", one_line),
    ] {
        let uri = format!("file:///tmp/kiyaku-large-edit-{name}");
        let mut c = Client::start();
        c.initialize(&["utf-16"]);
        c.open(&uri, &original);
        let mut text: Vec<char> = original.chars().collect();
        let mut version = 1;
        for checkpoint in 0..8 {
            // a burst: edits sent without waiting, or one edit awaited
            let burst = if checkpoint % 2 == 0 { 1 + rand(12) } else { 1 };
            for _ in 0..burst {
                version += 1;
                let start = rand(text.len() + 1);
                let end = (start + rand(6)).min(text.len());
                let insert = inserts[rand(inserts.len())];
                replace(&mut c, &uri, version, &mut text, start..end, insert);
            }
            let edited = c.diagnostics(&uri, version);
            c.pending.clear();
            let now: String = text.iter().collect();
            fresh.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": version, "text": now}}),
            );
            let opened = fresh.diagnostics(&uri, version);
            fresh.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri}}),
            );
            assert!(!opened.is_empty(), "{name}: no diagnostics to compare");
            assert_eq!(
                edited, opened,
                "{name}, version {version}: the edited document's diagnostics differ from a fresh open's"
            );
        }
    }
}

#[test]
fn code_action_inserts_the_model_clause_and_the_item_is_then_present() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-action.txt";
    let text = "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n";
    let diagnostics = c.open(uri, text);
    let audit = diagnostics
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("consignment/audit-right")
        })
        .unwrap()
        .clone();
    assert!(
        audit["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .contains("missing-clause")
    );
    assert!(!audit["relatedInformation"].as_array().unwrap().is_empty());
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": audit["range"], "context": {"diagnostics": [audit]}}),
    );
    let action = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("監査"))
        .expect("a fix for the audit clause")
        .clone();
    let edit = &action["edit"]["changes"][uri][0];
    let at = &edit["range"]["start"];
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": edit["range"], "text": edit["newText"]}]}),
    );
    let after = c.diagnostics(uri, 2);
    assert!(
        after.iter().all(|d| !d["message"]
            .as_str()
            .unwrap()
            .contains("consignment/audit-right")),
        "at {at}"
    );
    assert_eq!(after.len(), diagnostics.len() - 1);
}

#[test]
fn hover_symbols_definition_references_and_lens() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-regulation.txt";
    let text = corpus("shared/regulation-tsc.txt");
    c.open(uri, &text);
    // 第57条第2項 cites 第34条第1項第1号: hover shows that item, definition jumps to it
    let (line, character) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("第34条第1項第1号")
                .map(|b| (i, l[..b].encode_utf16().count() + 1))
        })
        .unwrap();
    let position = json!({"line": line, "character": character});
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    let shown = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        shown.contains("本人確認書類") || shown.contains("所定の"),
        "{shown}"
    );
    let definition = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    let target_line = definition["result"]["range"]["start"]["line"]
        .as_u64()
        .unwrap() as usize;
    assert!(
        text.lines().nth(target_line).unwrap().starts_with("(1)"),
        "{}",
        text.lines().nth(target_line).unwrap()
    );
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let chapters = symbols["result"].as_array().unwrap();
    assert!(chapters.len() >= 10);
    assert!(chapters[0]["name"].as_str().unwrap().starts_with("第1章"));
    // a defined term: 本規程 is defined on line 11; references find its uses
    let (tl, tc) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("本規程は")
                .map(|b| (i, l[..b].encode_utf16().count()))
        })
        .unwrap();
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": {"line": tl, "character": tc}, "context": {"includeDeclaration": true}}),
    );
    assert!(refs["result"].as_array().unwrap().len() > 3);
    let lens = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let title = lens["result"][0]["command"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(title.contains("regulation 必須条項"), "{title}");
    // the lens runs a command the server announced (Neovim's codelens.run sends it back)
    let command = &lens["result"][0]["command"];
    assert_eq!(command["command"], "kiyaku.showCoverage");
    let data = &lens["result"][0]["data"];
    assert_eq!(data["kind"], "regulation");
    assert_eq!(data["coverage"][0]["catalog"], "regulation");
    assert!(
        data["coverage"][0]["required"].as_u64().unwrap() >= 10,
        "{data}"
    );
    let run = c.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert!(run["error"].is_null(), "{run}");
    let shown = c.wait(|m| m["method"] == "window/showMessage");
    let list = shown["params"]["message"].as_str().unwrap();
    assert!(list.starts_with("文書の種類: 個人情報取扱規程"), "{list}");
    assert!(list.contains("✓ あり regulation/"), "{list}");
    let unknown = c.request(
        "workspace/executeCommand",
        json!({"command": "kiyaku.showCoverage", "arguments": ["file:///not/open.txt"]}),
    );
    assert!(unknown["error"].is_object(), "{unknown}");
}

/// Actions that clients list by title (Emacs asks which one to apply by its title) are
/// told apart: across a whole document with many findings no two titles are equal.
#[test]
fn code_action_titles_are_distinct() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-titles.txt";
    let text = corpus("shared/privacy-policy-technocraft.txt");
    let diagnostics = c.open(uri, &text);
    assert!(diagnostics.len() > 5);
    let lines = text.lines().count();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}},
               "context": {"diagnostics": diagnostics}}),
    );
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    let disable: Vec<&&str> = titles.iter().filter(|t| t.contains("無効にする")).collect();
    assert!(disable.len() > 5, "{titles:?}");
    assert!(
        disable.iter().all(|t| t.contains("行目で無効にする")),
        "{titles:?}"
    );
    let mut unique = titles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), titles.len(), "{titles:?}");
}

/// The language of kiyaku.toml is followed unless the client's settings name one.
#[test]
fn the_language_of_kiyaku_toml_is_followed_unless_the_client_names_one() {
    let dir = crate::temp_dir("lsp-language");
    std::fs::write(dir.join("kiyaku.toml"), "language = \"en\"\n").unwrap();
    let (contract, uri) = bare_contract(&dir);
    let text = std::fs::read_to_string(&contract).unwrap();
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let english = c.open(&uri, &text);
    let message = |ds: &[Value]| ds[0]["message"].as_str().unwrap().to_string();
    assert!(
        message(&english).starts_with("Required clause"),
        "{english:?}"
    );
    // the client names Japanese: it wins; naming none again gives way to kiyaku.toml
    for (settings, japanese) in [(json!({"language": "ja"}), true), (json!({}), false)] {
        c.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"kiyaku": settings}}),
        );
        let after = c.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        });
        let shown = message(after["params"]["diagnostics"].as_array().unwrap());
        assert_eq!(shown.starts_with("必須条項"), japanese, "{shown}");
    }
}

#[test]
fn bad_requests_are_answered_and_the_server_stays_up() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-robust.txt";
    c.open(uri, "業務委託契約書\n第1条 乙は、業務を行う。\n");
    // malformed JSON, an unknown method, a position out of range, an unknown document, a version gap
    c.send_raw("{not json");
    let unknown = c.request("kiyaku/unknown", json!({}));
    assert!(unknown["error"].is_object());
    let far = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 999, "character": 999}}),
    );
    assert!(far["error"].is_null());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.txt", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 1}, "contentChanges": [{"text": "stale"}]}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5},
               "contentChanges": [{"range": {"start": {"line": 50, "character": 3}, "end": {"line": 60, "character": 0}}, "text": "末尾"}]}),
    );
    let after = c.diagnostics(uri, 5);
    assert!(!after.is_empty());
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(symbols["result"].is_array());
}

#[test]
fn disable_here_action_silences_the_item() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-disable.md";
    let diagnostics = c.open(
        uri,
        "# 業務委託契約書\n\n第1条 乙は、本件業務を誠実に行う。\n",
    );
    let target = diagnostics
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("consignment/no-removal")
        })
        .unwrap()
        .clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": target["range"], "context": {"diagnostics": [target]}}),
    );
    let disable = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .contains("consignment/no-removal")
                && a["title"].as_str().unwrap().contains("無効")
        })
        .expect("a disable action")
        .clone();
    let edit = &disable["edit"]["changes"][uri][0];
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": edit["range"], "text": edit["newText"]}]}),
    );
    let after = c.diagnostics(uri, 2);
    assert!(after.iter().all(|d| {
        !d["message"]
            .as_str()
            .unwrap()
            .contains("consignment/no-removal")
    }));
    assert_eq!(after.len(), diagnostics.len() - 1);
}

#[test]
fn a_regulation_in_the_workspace_drives_contracts_and_config_changes_apply() {
    let dir = std::env::temp_dir().join(format!("kiyaku-lsp-ws-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("regulation.txt"),
        corpus("shared/regulation-tsc.txt"),
    )
    .unwrap();
    std::fs::write(
        dir.join("kiyaku.toml"),
        "[derive]\nregulation = \"regulation.txt\"\narticle = 36\nparagraph = 4\n",
    )
    .unwrap();
    let (contract, uri) = bare_contract(&dir);
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let before = c.open(&uri, &std::fs::read_to_string(&contract).unwrap());
    let company: Vec<&Value> = before
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("[company/"))
        .collect();
    assert_eq!(company.len(), 11, "{before:?}");
    let related = company[0]["relatedInformation"].as_array().unwrap();
    assert!(
        related[0]["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("regulation.txt")
    );
    // the configuration changes on disk: one item disabled; a save re-checks
    std::fs::write(
        dir.join("kiyaku.toml"),
        "disable = [\"company/audit-right\"]\n[derive]\nregulation = \"regulation.txt\"\narticle = 36\nparagraph = 4\n",
    )
    .unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let after = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    assert_eq!(
        after["params"]["diagnostics"].as_array().unwrap().len(),
        before.len() - 1
    );
}

#[test]
fn values_are_compared_across_open_documents() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let notice = "file:///tmp/kiyaku-ws/notice.txt";
    let regulation = "file:///tmp/kiyaku-ws/regulation.txt";
    c.open(notice, &corpus("shared/privacy-policy-technocraft.txt"));
    let diagnostics = c.open(regulation, &corpus("shared/regulation-tsc.txt"));
    let mismatch = diagnostics
        .iter()
        .find(|d| d["code"] == "value-mismatch")
        .expect("the regulation's 500円 against the notice's 無料");
    assert_eq!(mismatch["range"]["start"]["line"], 341);
    assert_eq!(mismatch["relatedInformation"][0]["location"]["uri"], notice);
}

#[test]
fn settings_are_pulled_from_a_client_that_offers_workspace_configuration() {
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {"workspace": {"configuration": true}}}),
    );
    c.notify("initialized", json!({}));
    let pull = c.wait(|m| m["method"] == "workspace/configuration");
    assert_eq!(pull["params"]["items"][0]["section"], "kiyaku");
    let id = pull["id"].clone();
    c.send(json!({"jsonrpc": "2.0", "id": id, "result": [{"language": "en"}]}));
    let uri = "file:///tmp/kiyaku-pull-test.txt";
    let english = c.open(uri, "業務委託契約書\n第1条 乙は、本件業務を行う。\n");
    assert!(
        english.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .starts_with("Required clause")),
        "{english:?}"
    );
    // a change notice makes the server pull again
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let pull = c.wait(|m| m["method"] == "workspace/configuration");
    let id = pull["id"].clone();
    c.send(json!({"jsonrpc": "2.0", "id": id, "result": [{"language": "ja"}]}));
    let japanese = c.diagnostics(uri, 1);
    assert!(
        japanese
            .iter()
            .any(|d| d["message"].as_str().unwrap().starts_with("必須条項")),
        "{japanese:?}"
    );
}

#[test]
fn client_settings_add_catalogs_and_kind_globs() {
    let dir = std::env::temp_dir().join(format!("kiyaku-lsp-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    // a second copy of the consignment catalog under another id: its items are reported too
    let consignment = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("dictionaries/catalogs/consignment.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("extra.toml"),
        consignment.replacen("id = \"consignment\"", "id = \"extra\"", 1),
    )
    .unwrap();
    // no title: detected as no particular kind, so no contract items without a glob
    let note = dir.join("notes/a.txt");
    let text = "お知らせ\n第1条 本書は、社内の連絡事項を定める。\n";
    std::fs::write(&note, text).unwrap();
    let uri = format!("file://{}", note.display());
    let items = |ds: &[Value], catalog: &str| {
        ds.iter()
            .filter(|d| {
                d["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("[{catalog}/"))
            })
            .count()
    };

    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", dir.display()), "capabilities": {},
               "initializationOptions": {"kiyaku": {
                   "catalogs": ["extra.toml"],
                   "kinds": {"notes/**": "consignment-contract"}}}}),
    );
    c.notify("initialized", json!({}));
    let with = c.open(&uri, text);
    assert_eq!(items(&with, "consignment"), 12, "{with:?}");
    assert_eq!(items(&with, "extra"), 12, "{with:?}");

    // the settings change: no glob, no extra catalog; the open document is re-checked
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kiyaku": {"catalogs": [], "kinds": {}}}}),
    );
    let after = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    let without = after["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(items(without, "consignment"), 0, "{without:?}");
    assert_eq!(items(without, "extra"), 0, "{without:?}");
}

#[test]
fn client_settings_name_the_notices_given_at_acquisition() {
    let dir = std::env::temp_dir().join(format!("kiyaku-lsp-notices-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("forms")).unwrap();
    // a form's note that says nothing of the form: only a glob makes it the notice given at
    // acquisition, whose JIS items are then judged
    let note = dir.join("forms/contact.txt");
    let text = "個人情報の取扱いについて\n株式会社サンプルは、お預かりした個人情報を資料の送付に利用します。\n法令に基づく場合を除き、第三者に提供しません。\n";
    std::fs::write(&note, text).unwrap();
    let uri = format!("file://{}", note.display());
    let jis = |ds: &[Value]| {
        ds.iter()
            .filter(|d| {
                d["message"]
                    .as_str()
                    .unwrap()
                    .contains("[jisq15001-direct/")
            })
            .count()
    };

    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", dir.display()), "capabilities": {},
               "initializationOptions": {"kiyaku": {"noticesAtAcquisition": ["forms/**"]}}}),
    );
    c.notify("initialized", json!({}));
    let with = c.open(&uri, text);
    assert!(jis(&with) > 0, "{with:?}");

    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kiyaku": {"noticesAtAcquisition": []}}}),
    );
    let after = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    let without = after["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(jis(without), 0, "{without:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_change_past_the_end_of_a_line_stops_at_its_line_break() {
    // the protocol's line breaks are \n, \r\n and \r; U+2028 and U+0085 are characters
    let original =
        "業務委託契約書\r\n第1条 目的\n第2条 定義\u{2028}注記\u{85}補足\n第3条 秘密保持\n";
    // the editor's text after each change: a character past the end of its line is the end
    // of that line (before \r\n, never between \r and \n, never past the line break)
    let changes = [
        (
            (0, 50),
            (0, 60),
            "（案）",
            "業務委託契約書（案）\r\n第1条 目的\n",
        ),
        ((1, 99), (1, 99), "及び範囲", "第1条 目的及び範囲\n第2条"),
        ((2, 99), (3, 0), "\n第4条 追加\n", "補足\n第4条 追加\n第3条"),
    ];
    for encoding in ["utf-16", "utf-8"] {
        let mut c = Client::start();
        c.initialize(&[encoding]);
        let uri = "file:///tmp/kiyaku-clamp.txt";
        c.open(uri, original);
        let mut expected = original.to_string();
        for (version, ((sl, sc), (el, ec), insert, after)) in (2..).zip(changes) {
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": insert}]}),
            );
            let line_end = |line: usize| {
                let mut at = 0;
                for _ in 0..line {
                    at += expected[at..].find('\n').unwrap() + 1;
                }
                at + expected[at..].find(['\r', '\n']).unwrap()
            };
            let (start, end) = (
                line_end(sl),
                if el == sl {
                    line_end(el)
                } else {
                    line_end(el - 1) + 1
                },
            );
            expected.replace_range(start..end, insert);
            assert!(expected.contains(after), "{expected:?}");
        }
        let after_edits = c.diagnostics(uri, 4);
        let symbols = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        );
        let mut fresh = Client::start();
        fresh.initialize(&[encoding]);
        let from_scratch = fresh.open(uri, &expected);
        let fresh_symbols = fresh.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(
            symbols["result"], fresh_symbols["result"],
            "{encoding}: {expected:?}"
        );
        assert_eq!(summary(&after_edits), summary(&from_scratch), "{encoding}");
    }
}

#[cfg(unix)]
#[test]
fn a_derive_regulation_that_blocks_on_read_stalls_nothing() {
    // a FIFO with no writer: opening it to read blocks until one comes
    let dir = crate::temp_dir("lsp-fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("regulation.txt"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::write(
        dir.join("kiyaku.toml"),
        "[derive]\nregulation = \"regulation.txt\"\narticle = 36\nparagraph = 4\n",
    )
    .unwrap();
    let text = "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n";
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    // the document is on disk, beside kiyaku.toml (the configuration is found from it)
    std::fs::write(dir.join("contract.txt"), text).unwrap();
    let here = format!("file://{}", dir.join("contract.txt").display());
    let elsewhere = "file:///tmp/kiyaku-not-beside-a-fifo.txt";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": here, "languageId": "plaintext", "version": 1, "text": text}}),
    );
    // another document's diagnostics, then this one's (with the built-in catalogs)
    assert!(!c.open(elsewhere, text).is_empty());
    assert!(!c.diagnostics(&here, 1).is_empty());
    let said = c.wait(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("regulation.txt"))
    });
    assert!(
        said["params"]["message"]
            .as_str()
            .unwrap()
            .contains("通常のファイルではない"),
        "{said}"
    );
}

/// kiyaku.toml's [kinds] globs match a file's own name, Japanese and spaces included.
#[test]
fn kind_globs_match_japanese_file_names() {
    let dir = crate::temp_dir("lsp-kind-glob");
    std::fs::write(
        dir.join("kiyaku.toml"),
        "[kinds]\n\"契約書/*.txt\" = \"consignment-contract\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("契約書")).unwrap();
    let file = dir.join("契約書").join("業務 委託.txt");
    // no title or vocabulary that would tell its kind: only the glob can
    let text = "第1条 甲は乙に業務を委託する。\n";
    std::fs::write(&file, text).unwrap();
    // as editors send it: every byte but unreserved ones and '/' percent-encoded
    let encoded: String = file
        .to_str()
        .unwrap()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let uri = format!("file://{encoded}");
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let found = c.open(&uri, text);
    let consignment_items = found
        .iter()
        .filter(|d| {
            d["code"] == "missing-clause"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("[consignment/"))
        })
        .count();
    assert!(
        consignment_items > 0,
        "{uri}: {} diagnostics, none of the consignment catalog",
        found.len()
    );
}

/// A text that is none of the three kinds (a memo, a README) gets no diagnostics in the
/// editor, not even the command line's unknown-kind hint; a notice does.
#[test]
fn documents_of_no_kind_get_no_diagnostics_in_the_editor() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let memo = c.open(
        "file:///tmp/kiyaku-memo.txt",
        "定例会議メモ\n当社は来期の販売計画を確認した。日本工業規格に沿って検査する。\n",
    );
    assert!(memo.is_empty(), "{memo:?}");
    let notice = c.open(
        "file:///tmp/kiyaku-notice.txt",
        "プライバシーポリシー\n当社は、お客様の個人情報を適切に取り扱います。\n",
    );
    assert!(!notice.is_empty());
}

/// The diagnostics the server publishes for a file it was not asked to open.
fn published_for(c: &mut Client, uri: &str) -> Vec<Value> {
    let m =
        c.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
    m["params"]["diagnostics"].as_array().unwrap().clone()
}

fn at(d: &Value) -> (u64, u64, u64, u64) {
    let r = &d["range"];
    let n = |v: &Value| v.as_u64().unwrap();
    (
        n(&r["start"]["line"]),
        n(&r["start"]["character"]),
        n(&r["end"]["line"]),
        n(&r["end"]["character"]),
    )
}

#[test]
fn configuration_errors_are_published_on_kiyaku_toml_and_cleared_when_fixed() {
    let dir = crate::temp_dir("lsp-config-errors");
    let config = dir.join("kiyaku.toml");
    // a value after Japanese text: the columns differ by encoding
    let text = "disable = [\"秘密保持\", \"defined-terms\"]\nlanguage = \"fr\"\n";
    std::fs::write(&config, text).unwrap();
    let (contract, uri) = bare_contract(&dir);
    let config_uri = format!("file://{}", config.display());
    for (encoding, column) in [("utf-16", 19), ("utf-8", 27)] {
        let mut c = Client::start();
        c.initialize(&[encoding]);
        assert!(
            !c.open(&uri, &std::fs::read_to_string(&contract).unwrap())
                .is_empty()
        );
        let errors = published_for(&mut c, &config_uri);
        let found: Vec<(u64, u64, u64, u64)> = errors.iter().map(at).collect();
        // the unknown ids and the language, each underlined whole (quotes included)
        let width = if encoding == "utf-16" { 6 } else { 14 };
        assert_eq!(
            found,
            vec![
                (1, 11, 1, 15),
                (0, 11, 0, 11 + width),
                (0, column, 0, column + 15)
            ],
            "{encoding}: {errors:?}"
        );
        assert!(
            errors
                .iter()
                .all(|d| d["severity"] == 1 && d["source"] == "kiyaku")
        );
        assert!(
            errors[2]["message"]
                .as_str()
                .unwrap()
                .contains("「defined-term」のことではありませんか"),
            "{errors:?}"
        );
    }
    // fixed on disk: a save re-checks, and the errors are withdrawn
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    c.open(&uri, &std::fs::read_to_string(&contract).unwrap());
    assert_eq!(published_for(&mut c, &config_uri).len(), 3);
    std::fs::write(&config, "disable = [\"defined-term\"]\nlanguage = \"ja\"\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(published_for(&mut c, &config_uri), Vec::<Value>::new());
}

#[test]
fn catalog_and_regulation_errors_are_published_where_they_are_written() {
    let dir = crate::temp_dir("lsp-catalog-errors");
    // a client catalog with an empty conflict group
    let copy = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("dictionaries/catalogs/consignment.toml"),
    )
    .unwrap()
    .replacen("id = \"consignment\"", "id = \"extra\"", 1);
    let all = copy.find("[[item.conflict]]\nall = ").unwrap() + "[[item.conflict]]\n".len();
    let end = all + copy[all..].find('\n').unwrap();
    let line = copy[..all].matches('\n').count() as u64;
    std::fs::write(
        dir.join("extra.toml"),
        format!("{}all = []{}", &copy[..all], &copy[end..]),
    )
    .unwrap();
    // a regulation whose article lists 「する」
    let regulation = dir.join("regulation.txt");
    let regulation_text = "個人情報取扱規程\n第5条 契約の内容として以下の事項を規定するものとする。\n(1)秘密保持義務\n(2)する\n";
    std::fs::write(&regulation, regulation_text).unwrap();
    std::fs::write(
        dir.join("kiyaku.toml"),
        "[derive]\nregulation = \"regulation.txt\"\narticle = 5\n",
    )
    .unwrap();
    let (contract, uri) = bare_contract(&dir);
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", dir.display()), "capabilities": {},
               "initializationOptions": {"kiyaku": {"language": "en", "catalogs": ["extra.toml"]}}}),
    );
    c.notify("initialized", json!({}));
    c.open(&uri, &std::fs::read_to_string(&contract).unwrap());
    let catalog = published_for(
        &mut c,
        &format!("file://{}", dir.join("extra.toml").display()),
    );
    assert_eq!(
        catalog.iter().map(at).collect::<Vec<_>>(),
        vec![(line, 6, line, 8)]
    );
    assert!(
        catalog[0]["message"]
            .as_str()
            .unwrap()
            .contains("conflict.all: needs at least one group"),
        "{catalog:?}"
    );
    let regulation_uri = format!("file://{}", regulation.display());
    let garbage = published_for(&mut c, &regulation_uri);
    assert_eq!(
        garbage.iter().map(at).collect::<Vec<_>>(),
        vec![(3, 3, 3, 5)]
    );
    assert!(
        garbage[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("第5条第1項第2号 “する” gives nothing to look for"),
        "{garbage:?}"
    );
    // the regulation opened as a document: its own findings and the error together
    let opened = c.open(&regulation_uri, regulation_text);
    assert!(opened.iter().any(|d| at(d) == (3, 3, 3, 5)), "{opened:?}");
    assert!(opened.iter().any(|d| d["code"].is_string()), "{opened:?}");
    // closed, the error stays
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": regulation_uri}}),
    );
    let closed = published_for(&mut c, &regulation_uri);
    assert_eq!(
        closed.iter().map(at).collect::<Vec<_>>(),
        vec![(3, 3, 3, 5)]
    );
}

/// A contract with none of the consignment items, written in `dir`: its path and URI.
fn bare_contract(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let contract = dir.join("contract.txt");
    std::fs::write(
        &contract,
        "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n",
    )
    .unwrap();
    let uri = format!("file://{}", contract.display());
    (contract, uri)
}

#[test]
fn lines_ended_by_a_lone_carriage_return_are_the_clients_lines() {
    let mut c = Client::start();
    c.initialize(&["utf-16"]);
    let uri = "file:///tmp/kiyaku-cr/contract.txt";
    let text = "<!-- kiyaku: kind=consignment-contract -->\r業務委託契約書\r第1条（目的）\r甲は乙に業務を委託する。\r第3条（協議）\r前条の規定による。\r";
    let diagnostics = c.open(uri, text);
    let gap = diagnostics
        .iter()
        .find(|d| d["code"] == "numbering")
        .expect("the gap before 第3条");
    // the protocol's lines: \r ends one, so 第3条 is on line 4 (0-based) at column 0
    assert_eq!(gap["range"]["start"]["line"], 4);
    assert_eq!(gap["range"]["start"]["character"], 0);
}

/// After any run of edits, the language server's analysis (which reuses what its cache
/// holds of the pieces seen before) reports what a fresh analysis of the same text
/// reports: random insertions and deletions (of labels, sentence ends, brackets, line
/// breaks, whole lines) on corpus documents and on a long concatenation of them.
#[test]
fn analysis_after_edits_equals_a_fresh_one() {
    let engine = kiyaku::engine::Engine::new(kiyaku::catalog::builtin_catalogs());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let regulation = read("shared/regulation-tsc.txt");
    let notice = read("shared/privacy-policy-technocraft.txt");
    let mut long = regulation.clone();
    for folder in ["contracts", "notices"] {
        for p in crate::sorted_files(&root.join(folder)).iter().take(6) {
            long.push('\n');
            long.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    let insertions = [
        "の",
        "第3条",
        "\n",
        "\n第12条（委託）\n",
        "。",
        "（",
        "）",
        "1. ",
        "\n(2) ",
        "・",
        "個人情報",
        "再委託",
        "してはならない",
        "\n\n",
        "「",
        "」",
        "ア ",
        "附則\n",
        "目的",
        "第 五 条",
        "必 要",
    ];
    let mut next = crate::xorshift(0x9E37_79B9_7F4A_7C15);
    // one cache for every text: the same line read in documents of other kinds (with and
    // without articles) must not bring one's reading into the other
    let cache = std::sync::Arc::new(kiyaku::document::AnalysisCache::default());
    for (name, text, edits) in [
        ("notice", notice, 40),
        ("regulation", regulation, 40),
        ("long", long, 12),
    ] {
        let mut text = text;
        for edit in 0..edits {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = boundaries[next(boundaries.len())];
            if next(3) == 0 {
                // a deletion of up to a line or two
                let from = boundaries.partition_point(|&b| b < at);
                let to = boundaries[(from + next(120)).min(boundaries.len() - 1)];
                text.replace_range(at..to, "");
            } else {
                text.insert_str(at, insertions[next(insertions.len())]);
            }
            cache.fit_to(text.len());
            let edited = engine.check_document_in_parallel(
                name,
                kiyaku::document::Document::with_cache(text.clone(), &cache),
                None,
            );
            let fresh = engine.check(name, text.clone(), None);
            assert_eq!(edited.kind, fresh.kind, "{name}, edit {edit}");
            assert_eq!(edited.items, fresh.items, "{name}, edit {edit}");
            assert_eq!(edited.diagnostics, fresh.diagnostics, "{name}, edit {edit}");
            assert_eq!(edited.values, fresh.values, "{name}, edit {edit}");
        }
    }
}
