//! The language server's input guard: whatever the client sends, what reaches the
//! transport is a sequence of well-framed messages whose bodies are JSON-RPC 2.0 objects.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut out: Vec<u8> = Vec::new();
    runtime.block_on(kiyaku::lsp::guard_input(data, &mut out));
    let mut rest = out.as_slice();
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
        let message: serde_json::Value = serde_json::from_slice(body).expect("JSON body");
        // valid JSON of another shape ([] or {}) ends the transport as broken JSON does
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
        rest = &rest[header_end + 4 + length..];
    }
});
