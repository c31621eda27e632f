//! The language server's input guard: whatever the client sends, what reaches the
//! transport is a sequence of well-framed messages whose bodies are JSON-RPC 2.0 objects,
//! and what the guard answers itself is a sequence of JSON-RPC 2.0 error responses.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// The bodies of a stream of `Content-Length` framed messages.
fn bodies(mut rest: &[u8]) -> Vec<serde_json::Value> {
    let mut bodies = Vec::new();
    while !rest.is_empty() {
        let header_end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header");
        let header = std::str::from_utf8(&rest[..header_end]).expect("ascii header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|l| l.parse().ok())
            .expect("Content-Length");
        let body = &rest[header_end + 4..header_end + 4 + length];
        bodies.push(serde_json::from_slice(body).expect("JSON body"));
        rest = &rest[header_end + 4 + length..];
    }
    bodies
}

fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut out: Vec<u8> = Vec::new();
    let replies = kiyaku::lsp::Output::new(Vec::new());
    runtime.block_on(kiyaku::lsp::guard_input(data, &mut out, replies.clone()));
    for message in bodies(&out) {
        // valid JSON of another shape ([] or {}) ends the transport as broken JSON does
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
    }
    let replies = replies.into_inner().expect("the guard has ended");
    for reply in bodies(&replies) {
        assert_eq!(reply["jsonrpc"], "2.0", "{reply}");
        assert!(
            reply["error"]["code"] == -32700 || reply["error"]["code"] == -32600,
            "{reply}"
        );
        assert!(reply["id"].is_null() || reply["id"].is_i64() || reply["id"].is_string());
    }
});
