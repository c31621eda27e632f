//! The language server survives any client input: messages that are not JSON, JSON
//! that is not a JSON-RPC 2.0 message, and broken framing are answered or skipped, and
//! the next message is still served (found by fuzzing the input guard).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiyaku"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
