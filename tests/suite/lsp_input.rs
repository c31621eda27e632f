//! The language server survives any client input: messages that are not JSON, JSON
//! that is not a JSON-RPC 2.0 message, and broken framing are answered or skipped, and
//! the next message is still served (found by fuzzing the input guard). The seeds of the
//! `lsp_input` fuzz target (tests/fuzz/lsp/) are checked here too.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn malformed_messages_do_not_stop_the_server() {
    let mut input = Vec::new();
    for body in [
        &b"[]"[..],
        b"{}",
        b"\"text\"",
        b"{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"shutdown\"}",
        b"{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"x\"}",
        b"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}",
        b"{\"jsonrpc\":\"2.0\",\"method\":null}",
        b"{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\"}",
        b"{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"method\":\"x\"}",
        b"{\"jsonrpc\":",
        b"\xff\xfe",
        b"",
    ] {
        input.extend(frame(body));
    }
    // a header the transport would refuse (charset) is not passed on
    input.extend(b"Content-Type: application/vscode-jsonrpc; charset=latin1\r\n");
    input.extend(frame(br#"{"jsonrpc":"2.0","method":"$/x"}"#));
    input.extend(frame(
        br#"{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"capabilities":{}}}"#,
    ));
    let mut child = server();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&input).unwrap();
    stdin.flush().unwrap();
    // read answers until initialize's
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut answers = Vec::new();
    let initialized = loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(v) = line.trim().strip_prefix("Content-Length: ") {
                length = v.parse().unwrap();
            } else if line.trim().is_empty() {
                break;
            }
        }
        if length == 0 {
            break None;
        }
        let mut body = vec![0; length];
        stdout.read_exact(&mut body).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if v["id"] == 7 {
            break Some(v);
        }
        answers.push(v);
    };
    let initialized = initialized.unwrap_or_else(|| panic!("initialize not answered: {answers:?}"));
    // each body was answered with an error (id null: none of them has a usable one but the
    // version 1.0 request)
    let codes: Vec<i64> = answers
        .iter()
        .map(|a| a["error"]["code"].as_i64().unwrap())
        .collect();
    assert_eq!(
        codes,
        [[-32600; 9].as_slice(), &[-32700; 3]].concat(),
        "{answers:?}"
    );
    assert_eq!(answers[3]["id"], 2);
    assert!(
        initialized["result"]["capabilities"].is_object(),
        "{initialized}"
    );
    stdin
        .write_all(&frame(br#"{"jsonrpc":"2.0","id":8,"method":"shutdown"}"#))
        .unwrap();
    stdin
        .write_all(&frame(br#"{"jsonrpc":"2.0","method":"exit"}"#))
        .unwrap();
    drop(stdin);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.contains(r#""id":8"#), "{rest}");
    let _ = child.wait();
}

/// The server driven with raw bytes: what it writes arrives on a channel, its stderr is kept.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    seen: Vec<Value>,
    stderr: std::thread::JoinHandle<String>,
}

impl Raw {
    fn start() -> Self {
        let mut child = server();
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for body in read_frames(BufReader::new(stdout)) {
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Raw {
            stdin: child.stdin.take(),
            child,
            messages: rx,
            seen: Vec::new(),
            stderr,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// The first message `want` accepts; a server that went deaf (or away) fails the test.
    fn wait(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&want) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(m) => self.seen.push(m),
                Err(e) => panic!("{what}: no answer ({e}); before it: {:?}", self.seen),
            }
        }
    }

    fn answer(&mut self, id: i64) -> Value {
        self.wait(&format!("request {id}"), |m| m["id"] == id)
    }

    fn initialize(&mut self) {
        self.write(&frame(
            br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        ));
        self.answer(1);
        self.write(&frame(
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
    }

    /// Closes stdin after `last` and returns the exit status, the messages not waited for
    /// and stderr.
    fn finish(mut self, last: &[u8]) -> (std::process::ExitStatus, Vec<Value>, String) {
        self.write(last);
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = std::mem::take(&mut self.seen);
        rest.extend(self.messages.iter());
        (status, rest, self.stderr.join().unwrap())
    }
}

/// The bodies of `Content-Length` framed messages as the server writes them.
fn read_frames(mut reader: impl BufRead) -> impl Iterator<Item = Vec<u8>> {
    std::iter::from_fn(move || {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if let Some(v) = line.trim().strip_prefix("Content-Length: ") {
                length = v.parse().ok();
            } else if line.trim().is_empty() {
                break;
            }
        }
        let mut body = vec![0; length?];
        reader.read_exact(&mut body).ok()?;
        Some(body)
    })
}

fn ping(id: i64) -> Vec<u8> {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"kiyaku/ping","params":{{"text":"第1条"}}}}"#)
        .into_bytes()
}

const SHUTDOWN_AND_EXIT: &[u8] =
    b"Content-Length: 44\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":90,\"method\":\"shutdown\"}\
Content-Length: 33\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}";

#[test]
fn broken_headers_are_skipped_to_the_next_message() {
    let mut server = Raw::start();
    server.initialize();
    let long_line = format!("X-Junk: {}\r\n", "x".repeat(9000));
    let many_lines = "X-Junk: 1\r\n".repeat(70);
    let cases: [(&str, Vec<u8>); 9] = [
        (
            "a header that is not UTF-8",
            b"X-Note: \xff\xfe\x80\r\n".to_vec(),
        ),
        (
            "a Content-Length that is not UTF-8",
            [&b"Content-Length: 1\xff2\r\n\r\n"[..], &ping(0)].concat(),
        ),
        (
            "no Content-Length",
            [
                &b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"[..],
                &ping(0),
            ]
            .concat(),
        ),
        (
            "a length that is not a number",
            [&b"Content-Length: abc\r\n\r\n"[..], &ping(0)].concat(),
        ),
        (
            "a negative length",
            [&b"Content-Length: -5\r\n\r\n"[..], &ping(0)].concat(),
        ),
        (
            "a length over the limit",
            [&b"Content-Length: 99999999999999\r\n\r\n"[..], &ping(0)].concat(),
        ),
        ("a header line over 8 KiB", long_line.into_bytes()),
        ("more than 64 header lines", many_lines.into_bytes()),
        (
            "a line that is not a header",
            [&ping(0)[..], b"\r\n"].concat(),
        ),
    ];
    for (id, (what, broken)) in (10..).zip(cases) {
        server.write(&broken);
        server.write(&frame(&ping(id)));
        let answer = server.wait(what, |m| m["id"] == id);
        assert_eq!(answer["error"]["code"], -32601, "{what}: {answer}");
    }
    let (status, rest, stderr) = server.finish(SHUTDOWN_AND_EXIT);
    assert!(rest.iter().all(|m| m["id"] != 0), "{rest:?}");
    for said in [
        "a header without Content-Length",
        "Content-Length `abc` is not a length",
        "Content-Length `-5` is not a length",
        "Content-Length 99999999999999 is over the limit of 256 MiB",
        "a header line longer than 8 KiB",
        "more than 64 header lines",
        "a line that is not a header",
        "skipped",
    ] {
        assert!(stderr.contains(said), "{said}: {stderr}");
    }
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn lengths_counted_in_characters_or_too_large_are_read_as_meant() {
    let mut server = Raw::start();
    // initialize, counted in characters, and the client waits for the answer
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{},"initializationOptions":{"kind":"契約書"}}}"#;
    server.write(
        [
            format!("Content-Length: {}\r\n\r\n", initialize.chars().count()).as_bytes(),
            initialize.as_bytes(),
        ]
        .concat()
        .as_slice(),
    );
    assert!(server.answer(1)["result"]["capabilities"].is_object());
    // counted in characters, followed by another message
    let body = ping(2);
    let chars = String::from_utf8(body.clone()).unwrap().chars().count();
    assert!(chars < body.len());
    server.write(
        &[
            format!("Content-Length: {chars}\r\n\r\n").as_bytes(),
            &body,
            &frame(&ping(3)),
        ]
        .concat(),
    );
    server.answer(2);
    server.answer(3);
    // too large, and the client waits
    let body = ping(4);
    server.write(
        &[
            format!("Content-Length: {}\r\n\r\n", body.len() + 40).as_bytes(),
            &body,
        ]
        .concat(),
    );
    server.answer(4);
    // too large, followed by another message
    let body = ping(5);
    server.write(
        &[
            format!("Content-Length: {}\r\n\r\n", body.len() + 40).as_bytes(),
            &body,
            &frame(&ping(6)),
        ]
        .concat(),
    );
    server.answer(5);
    server.answer(6);
    let (status, rest, stderr) = server.finish(SHUTDOWN_AND_EXIT);
    assert!(
        rest.iter().all(|m| m["error"]["code"] != -32700),
        "{rest:?}"
    );
    assert_eq!(stderr.matches("count characters").count(), 1, "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn bodies_that_are_not_json_rpc_are_answered_with_errors() {
    let mut server = Raw::start();
    let is_error = |code: i64| move |m: &Value| m["error"]["code"] == code;
    // before initialize too
    server.write(&frame(b"{not json"));
    let answer = server.wait("not JSON before initialize", is_error(-32700));
    assert!(answer["id"].is_null(), "{answer}");
    server.initialize();
    server.write(&frame(b"{not json"));
    let answer = server.wait("not JSON", is_error(-32700));
    assert_eq!(answer["error"]["message"], "Parse error");
    assert!(answer["id"].is_null(), "{answer}");
    server.write(&frame(b"[]"));
    let answer = server.wait("not an object", is_error(-32600));
    assert_eq!(answer["error"]["message"], "Invalid Request");
    assert!(answer["id"].is_null(), "{answer}");
    server.write(&frame(br#"{"jsonrpc":"1.0","id":7,"method":"shutdown"}"#));
    let answer = server.answer(7);
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    server.write(&frame(&ping(8)));
    server.answer(8);
    let (status, rest, stderr) = server.finish(SHUTDOWN_AND_EXIT);
    assert!(
        rest.iter()
            .all(|m| !m["error"].is_object() || m["id"] == 90),
        "{rest:?}"
    );
    // stderr says an answer was sent exactly as often as one was
    assert_eq!(
        stderr.matches("answered -32700 (Parse error)").count(),
        2,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("answered -32600 (Invalid Request)").count(),
        2,
        "{stderr}"
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn exit_status_is_1_unless_shutdown_came_first() {
    let exit = frame(br#"{"jsonrpc":"2.0","method":"exit"}"#);
    let mut server = Raw::start();
    server.initialize();
    let (status, _, stderr) = server.finish(&exit);
    assert_eq!(status.code(), Some(1), "exit without shutdown: {stderr}");

    let mut server = Raw::start();
    server.initialize();
    server.write(&frame(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    server.answer(2);
    let (status, _, stderr) = server.finish(&exit);
    assert_eq!(status.code(), Some(0), "shutdown, then exit: {stderr}");

    // the client goes away without either
    let mut server = Raw::start();
    server.initialize();
    let (status, _, stderr) = server.finish(b"");
    assert_eq!(
        status.code(),
        Some(1),
        "end of input without shutdown: {stderr}"
    );
}

/// Runs the input guard over a seed of the `lsp_input` fuzz target: the forwarded messages,
/// the guard's own answers, and whether it saw `shutdown` before the end.
fn guard(input: &[u8]) -> (Vec<Value>, Vec<Value>, bool) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut out: Vec<u8> = Vec::new();
    let replies = kiyaku::lsp::Output::new(Vec::new());
    let shut_down = runtime.block_on(kiyaku::lsp::guard_input(input, &mut out, replies.clone()));
    let parse = |bytes: &[u8]| -> Vec<Value> {
        read_frames(bytes)
            .map(|body| serde_json::from_slice(&body).expect("a JSON body"))
            .collect()
    };
    let replies = replies.into_inner().unwrap();
    (parse(&out), parse(&replies), shut_down)
}

#[test]
fn fuzz_seeds_are_framed_and_answered() {
    // seed: ids of the messages passed on; error codes answered; shutdown seen
    let expected: &[(&str, &[Value], &[i64], bool)] = &[
        ("malformed", &[], &[-32700, -32600], false),
        ("shutdown", &[json!(1)], &[], true),
        ("header-not-utf8", &[json!(1), json!(99)], &[], false),
        ("header-without-length", &[json!(99)], &[], false),
        ("header-junk-line", &[json!(1), json!(99)], &[], false),
        ("header-line-too-long", &[json!(1), json!(99)], &[], false),
        ("header-too-many-lines", &[json!(1), json!(99)], &[], false),
        ("length-unreadable", &[json!(99)], &[], false),
        ("length-in-characters", &[json!(1), json!(99)], &[], false),
        ("length-too-large", &[json!(1), json!(99)], &[], false),
        (
            "body-not-json-rpc",
            &[json!(99)],
            &[-32700, -32600, -32600],
            false,
        ),
        ("exit-without-shutdown", &[Value::Null], &[], false),
        // a body whose unknown field holds bytes that are not UTF-8 (found by fuzzing)
        (
            "body-not-utf8",
            &[],
            &[-32700, -32600, -32600, -32700],
            false,
        ),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/lsp");
    let seeds = crate::sorted_files(&dir);
    assert_eq!(
        seeds.len(),
        expected.len(),
        "a seed without expectations: {seeds:?}"
    );
    for (name, ids, codes, shutdown) in expected {
        let input = std::fs::read(dir.join(name)).unwrap();
        let (messages, replies, shut_down) = guard(&input);
        assert!(
            messages.iter().all(|m| m["jsonrpc"] == "2.0"),
            "{name}: {messages:?}"
        );
        let forwarded: Vec<Value> = messages.iter().map(|m| m["id"].clone()).collect();
        assert_eq!(&forwarded, ids, "{name}: {messages:?}");
        let answered: Vec<i64> = replies
            .iter()
            .map(|r| r["error"]["code"].as_i64().unwrap())
            .collect();
        assert_eq!(&answered, codes, "{name}: {replies:?}");
        assert_eq!(shut_down, *shutdown, "{name}");
    }
}

/// `kiyaku lsp` with all three standard streams piped.
fn server() -> Child {
    crate::kiyaku_command()
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}
