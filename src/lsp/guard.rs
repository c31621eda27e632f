//! The transport's input guard: the client's bytes are framed, checked and forwarded to
//! tower-lsp-server's transport only as messages it can decode (it stops for good at one it
//! cannot); the others are answered here, and the transport's output is written one whole
//! message at a time beside those answers.

use std::sync::Arc;

use tower_lsp_server::jsonrpc;

/// The client's end of the connection (stdout), shared by the transport and the input guard.
///
/// The guard must answer messages the transport never sees (a body that is not JSON, JSON
/// that is not JSON-RPC 2.0) with an error response of id null, and tower-lsp-server offers no
/// way to send one: its `Client` sends requests and notifications only, and a request made up
/// for the server to answer with an error gets another error (or none) depending on the
/// server's state. So the transport writes into a pipe, [`write_messages`] copies that to
/// stdout one whole message at a time, and the guard writes its answers in between: whoever
/// holds the lock writes a whole message, so messages never interleave.
pub struct Output<W>(Arc<tokio::sync::Mutex<W>>);

impl<W> Clone for Output<W> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<W: tokio::io::AsyncWrite + Unpin> Output<W> {
    pub fn new(writer: W) -> Self {
        Self(Arc::new(tokio::sync::Mutex::new(writer)))
    }

    /// Writes `bytes` (whole messages) at once and flushes them.
    async fn send(&self, bytes: &[u8]) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut writer = self.0.lock().await;
        writer.write_all(bytes).await?;
        writer.flush().await
    }

    /// The writer, once no other copy of this `Output` is left.
    pub fn into_inner(self) -> Option<W> {
        Arc::into_inner(self.0).map(tokio::sync::Mutex::into_inner)
    }
}

/// Copies the transport's messages to `output`, one whole message (header and body) at a time.
pub(super) async fn write_messages<W: tokio::io::AsyncWrite + Unpin>(
    transport: impl tokio::io::AsyncRead + Unpin,
    output: Output<W>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    let mut reader = BufReader::new(transport);
    loop {
        let mut message = Vec::new();
        let mut length = 0;
        loop {
            let start = message.len();
            match reader.read_until(b'\n', &mut message).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = message[start..].trim_ascii();
            if line.is_empty() {
                break;
            }
            if let Some(value) = header_value(line, b"content-length") {
                length = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
            }
        }
        let start = message.len();
        message.resize(start + length, 0);
        if reader.read_exact(&mut message[start..]).await.is_err()
            || output.send(&message).await.is_err()
        {
            return;
        }
    }
}

/// The value of a header line `line` (`Name: value`) when its name is `name` (ASCII case
/// insensitive).
pub(super) fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    line[..colon]
        .eq_ignore_ascii_case(name)
        .then(|| line[colon + 1..].trim_ascii())
}

/// A header line may be at most this long (bytes, with its line break)…
pub(super) const MAX_HEADER_LINE: usize = 8 << 10;
/// …and a message may have at most this many header lines.
pub(super) const MAX_HEADER_LINES: usize = 64;
/// The largest body accepted.
pub(super) const MAX_BODY: usize = 256 << 20;
/// Where a message starts: the guard skips to it after broken framing.
pub(super) const CONTENT_LENGTH: &[u8] = b"content-length:";

/// What the input guard decides about a body.
pub(super) enum Verdict {
    /// A JSON-RPC 2.0 message, passed on: its method (empty for a response).
    Message(String),
    /// Not a message: answered with this error, to the id the body names when it names a
    /// usable one (else null).
    Rejected {
        error: jsonrpc::Error,
        id: jsonrpc::Id,
    },
}

/// Whether the transport can decode `body`: JSON of the shape of its request type,
/// `jsonrpc::Request` (which every response also has: all its fields but `jsonrpc` may be
/// left out), `jsonrpc` "2.0". Valid JSON of another shape (`[]`, `{}`, an id that is an
/// array, version "1.0") ends the transport as surely as broken JSON does.
pub(super) fn classify(body: &[u8]) -> Verdict {
    // the messages the specification gives these codes (the transport's own descriptions
    // differ in case: "Invalid request")
    let error = |code, message: &'static str, detail: String| jsonrpc::Error {
        code,
        message: message.into(),
        data: Some(serde_json::Value::String(detail)),
    };
    // JSON is UTF-8 throughout; decoding skips the strings of fields it does not know
    // without looking at them, so it is checked first
    let body = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            return Verdict::Rejected {
                error: error(
                    jsonrpc::ErrorCode::ParseError,
                    "Parse error",
                    format!("not JSON: invalid UTF-8 at byte {}", e.valid_up_to()),
                ),
                id: jsonrpc::Id::Null,
            };
        }
    };
    if let Ok(request) = serde_json::from_str::<jsonrpc::Request>(body) {
        return Verdict::Message(request.method().to_string());
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Err(e) => Verdict::Rejected {
            error: error(
                jsonrpc::ErrorCode::ParseError,
                "Parse error",
                format!("not JSON: {e}"),
            ),
            id: jsonrpc::Id::Null,
        },
        Ok(value) => Verdict::Rejected {
            error: error(
                jsonrpc::ErrorCode::InvalidRequest,
                "Invalid Request",
                "not a JSON-RPC 2.0 message".into(),
            ),
            id: match value.get("id") {
                Some(serde_json::Value::Number(n)) if n.is_i64() => {
                    n.as_i64().map_or(jsonrpc::Id::Null, jsonrpc::Id::Number)
                }
                Some(serde_json::Value::String(s)) => jsonrpc::Id::String(s.clone()),
                _ => jsonrpc::Id::Null,
            },
        },
    }
}

/// The client's bytes as they arrive, read ahead as far as the guard needs.
pub(super) struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    start: usize,
    eof: bool,
}

impl<R: tokio::io::AsyncRead + Unpin> Input<R> {
    fn available(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buffer.len());
    }

    /// Reads more; false at the end of the input (a read error ends it too).
    async fn fill(&mut self) -> bool {
        use tokio::io::AsyncReadExt;
        if self.eof {
            return false;
        }
        if self.start > 0 && self.start >= self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.reserve(64 << 10);
        match self.reader.read_buf(&mut self.buffer).await {
            Ok(0) | Err(_) => {
                self.eof = true;
                false
            }
            Ok(_) => true,
        }
    }

    /// The length of the next line (with its `\n`): None at the end of the input, Err when
    /// it is longer than `limit`.
    async fn line(&mut self, limit: usize) -> Option<std::result::Result<usize, ()>> {
        let mut searched = 0;
        loop {
            let available = self.available();
            let window = &available[..available.len().min(limit)];
            if let Some(i) = window[searched..].iter().position(|&b| b == b'\n') {
                return Some(Ok(searched + i + 1));
            }
            if window.len() == limit {
                return Some(Err(()));
            }
            searched = window.len();
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Skips to the next `Content-Length:` (any case); returns how many bytes it skipped.
    async fn skip_to_content_length(&mut self) -> usize {
        let mut skipped = 0;
        loop {
            let available = self.available();
            if let Some(i) = find_ignoring_case(available, CONTENT_LENGTH) {
                self.consume(i);
                return skipped + i;
            }
            // keep what could be the start of a header cut by the end of the read
            let drop = available.len().saturating_sub(CONTENT_LENGTH.len() - 1);
            self.consume(drop);
            skipped += drop;
            if !self.fill().await {
                let rest = self.available().len();
                self.consume(rest);
                return skipped + rest;
            }
        }
    }
}

pub(super) fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// How a message's header block ended.
pub(super) enum Header {
    Length(usize),
    /// Broken: what is wrong with it.
    Broken(String),
    End,
}

/// Reads a header block up to its empty line. Empty lines before it are skipped; a broken
/// block is left at the first byte after the line where it broke, or after its empty line.
pub(super) async fn read_header<R: tokio::io::AsyncRead + Unpin>(input: &mut Input<R>) -> Header {
    let mut length: Option<std::result::Result<usize, String>> = None;
    let mut lines = 0;
    loop {
        let n = match input.line(MAX_HEADER_LINE).await {
            None => return Header::End,
            Some(Ok(n)) => n,
            Some(Err(())) => {
                input.consume(1);
                return Header::Broken(format!(
                    "a header line longer than {} KiB",
                    MAX_HEADER_LINE >> 10
                ));
            }
        };
        let line = input.available()[..n].trim_ascii();
        if line.is_empty() {
            input.consume(n);
            if lines == 0 {
                continue;
            }
            return match length {
                Some(Ok(length)) => Header::Length(length),
                Some(Err(problem)) => Header::Broken(problem),
                None => Header::Broken("a header without Content-Length".into()),
            };
        }
        lines += 1;
        if lines > MAX_HEADER_LINES {
            input.consume(1);
            return Header::Broken(format!("more than {MAX_HEADER_LINES} header lines"));
        }
        let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
        let name_ends = line.iter().position(|&b| b == b':');
        if !name_ends.is_some_and(|i| i > 0 && line[..i].iter().all(is_token)) {
            input.consume(1);
            return Header::Broken("a line that is not a header".into());
        }
        if let Some(value) = header_value(line, b"content-length") {
            let shown = String::from_utf8_lossy(&value[..value.len().min(40)]).into_owned();
            length = Some(match std::str::from_utf8(value).map(str::parse::<usize>) {
                Ok(Ok(l)) if l <= MAX_BODY => Ok(l),
                Ok(Ok(l)) => Err(format!(
                    "Content-Length {l} is over the limit of {} MiB",
                    MAX_BODY >> 20
                )),
                _ => Err(format!("Content-Length `{shown}` is not a length")),
            });
        }
        // other headers (Content-Type and any other) are not passed on: the guard writes
        // the only header the transport reads
        input.consume(n);
    }
}

/// Finds where a JSON object starting a body ends, byte by byte as the body arrives.
#[derive(Default)]
pub(super) struct ObjectEnd {
    /// Bytes looked at.
    seen: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// The body does not start with an object, or its end was found already.
    off: bool,
}

impl ObjectEnd {
    /// Looks at `body` past what it saw; the length of the object once it ends in `body`.
    fn feed(&mut self, body: &[u8]) -> Option<usize> {
        while !self.off && self.seen < body.len() {
            let b = body[self.seen];
            self.seen += 1;
            if self.depth == 0 {
                match b {
                    b'{' => self.depth = 1,
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => self.off = true,
                }
            } else if self.in_string {
                match b {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.off = true;
                            return Some(self.seen);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// Inside an object that has not ended.
    fn open(&self) -> bool {
        !self.off && self.depth > 0
    }
}

pub(super) fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// Reads the body of a message declared `length` bytes long. A correct length gives exactly
/// those bytes. A wrong one gives the message the client meant where that is clear:
/// - too large: the body ends where its JSON object ends (so the server does not wait for
///   bytes that never come), or before the next `Content-Length:` header read with it;
/// - too small (clients that count characters, not bytes): when the bytes declared are a cut
///   JSON object, the body goes on to where the object ends, if that comes before the next
///   header and within four bytes a character.
///
/// Returns the body and, when it is longer than declared, its length.
pub(super) async fn read_body<R: tokio::io::AsyncRead + Unpin>(
    input: &mut Input<R>,
    length: usize,
) -> (Vec<u8>, Option<usize>) {
    let mut object = ObjectEnd::default();
    loop {
        let available = input.available();
        let declared = &available[..available.len().min(length)];
        if let Some(end) = object.feed(declared)
            && is_json(&declared[..end])
        {
            let body = declared[..end].to_vec();
            // what is left of the declared length is whitespace, or the next header
            input.consume(end);
            return (body, None);
        }
        if declared.len() == length {
            break;
        }
        if !input.fill().await {
            let body = input.available().to_vec();
            input.consume(body.len());
            return (body, None);
        }
    }
    let body = &input.available()[..length];
    let cut = match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => false,
        Err(e) => {
            if let Some(next) = find_ignoring_case(body, CONTENT_LENGTH).filter(|&i| i > 0) {
                let body = body[..next].to_vec();
                input.consume(next);
                return (body, None);
            }
            e.is_eof() && object.open()
        }
    };
    if cut {
        let limit = length.saturating_mul(4).min(MAX_BODY);
        let mut searched = length;
        loop {
            let available = input.available();
            let read = &available[..available.len().min(limit)];
            let from = searched
                .saturating_sub(CONTENT_LENGTH.len() - 1)
                .max(length);
            let next = find_ignoring_case(&read[from..], CONTENT_LENGTH).map(|i| from + i);
            if let Some(end) = object.feed(&read[..next.unwrap_or(read.len())]) {
                if is_json(&read[..end]) {
                    let body = read[..end].to_vec();
                    input.consume(end);
                    return (body, Some(end));
                }
                break;
            }
            if next.is_some() || read.len() == limit {
                break;
            }
            searched = read.len();
            if !input.fill().await {
                break;
            }
        }
    }
    let body = input.available()[..length].to_vec();
    input.consume(length);
    (body, None)
}

pub(super) fn frame(body: &[u8]) -> Vec<u8> {
    let mut message = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    message.extend_from_slice(body);
    message
}

/// Forwards the client's messages to the transport, which must only ever see well-framed
/// JSON-RPC 2.0 messages: it stops reading for good after one it cannot decode.
///
/// - A body that is not JSON is answered on `replies` with -32700 (Parse error), JSON that is
///   not a JSON-RPC 2.0 message with -32600 (Invalid Request); id null unless it has one.
/// - Broken framing (a header line that is not one, a missing, unreadable or too large
///   Content-Length, a header line over 8 KiB or more than 64 of them) is skipped to the
///   next `Content-Length:` header, and said on stderr; bytes that are not UTF-8 are no
///   worse than other ones.
/// - A Content-Length that is too large or too small (clients that count characters) is
///   corrected where the message is clear (see [`read_body`]).
/// - Nothing after `exit` is read: the transport stops there too.
///
/// Returns whether `shutdown` came before `exit` or the end of the input.
pub async fn guard_input<W: tokio::io::AsyncWrite + Unpin>(
    input: impl tokio::io::AsyncRead + Unpin,
    mut output: impl tokio::io::AsyncWrite + Unpin,
    replies: Output<W>,
) -> bool {
    use tokio::io::AsyncWriteExt;
    let mut input = Input {
        reader: input,
        buffer: Vec::new(),
        start: 0,
        eof: false,
    };
    let mut shut_down = false;
    let mut told_length = false;
    loop {
        let length = match read_header(&mut input).await {
            Header::Length(length) => length,
            Header::End => return shut_down,
            Header::Broken(problem) => {
                let skipped = input.skip_to_content_length().await;
                eprintln!(
                    "kiyaku lsp: {problem}; skipped {skipped} bytes to the next Content-Length header"
                );
                continue;
            }
        };
        let (body, longer) = read_body(&mut input, length).await;
        if let Some(actual) = longer
            && !std::mem::replace(&mut told_length, true)
        {
            eprintln!(
                "kiyaku lsp: a message declared {length} bytes long was {actual} bytes long \
                 (the client may count characters); read as the longer one, as will be others"
            );
        }
        match classify(&body) {
            Verdict::Message(method) => {
                if output.write_all(&frame(&body)).await.is_err() || output.flush().await.is_err() {
                    return shut_down;
                }
                match method.as_str() {
                    "shutdown" => shut_down = true,
                    "exit" => return shut_down,
                    _ => {}
                }
            }
            Verdict::Rejected { error, id } => {
                // the envelope written as before: jsonrpc, id, error (the transport's
                // `Response` puts the id last)
                let answer = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": error});
                let (code, message) = (error.code.code(), &error.message);
                let what = format!(
                    "kiyaku lsp: a message of {} bytes is {}",
                    body.len(),
                    if code == -32700 {
                        "not JSON"
                    } else {
                        "not a JSON-RPC 2.0 message"
                    }
                );
                match replies.send(&frame(answer.to_string().as_bytes())).await {
                    Ok(()) => eprintln!("{what}; answered {code} ({message})"),
                    Err(e) => eprintln!("{what}; the answer could not be sent: {e}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(body: &str) -> (i64, String, serde_json::Value) {
        match classify(body.as_bytes()) {
            Verdict::Rejected { error, id } => (
                error.code.code(),
                error.message.to_string(),
                serde_json::to_value(id).expect("an id"),
            ),
            Verdict::Message(method) => panic!("passed on as {method}"),
        }
    }

    #[test]
    fn requests_notifications_and_responses_are_passed_on() {
        for (body, method) in [
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
                "initialize",
            ),
            (r#"{"jsonrpc":"2.0","method":"exit"}"#, "exit"),
            (r#"{"jsonrpc":"2.0","id":"a","result":null}"#, ""),
        ] {
            match classify(body.as_bytes()) {
                Verdict::Message(m) => assert_eq!(m, method),
                Verdict::Rejected { error, .. } => panic!("{body}: {error}"),
            }
        }
    }

    #[test]
    fn what_the_transport_cannot_decode_is_answered() {
        let (code, message, id) = rejected("{\"jsonrpc\":");
        assert_eq!(
            (code, message.as_str(), id),
            (-32700, "Parse error", serde_json::Value::Null)
        );
        let (code, message, id) = rejected(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#);
        assert_eq!(
            (code, message.as_str(), id),
            (-32600, "Invalid Request", serde_json::json!(7))
        );
        for body in ["[]", "{}", r#"{"jsonrpc":"2.0","id":[1],"method":"x"}"#] {
            assert_eq!(rejected(body).0, -32600, "{body}");
        }
        assert_eq!(rejected(r#"{"id":"q"}"#).2, serde_json::json!("q"));
    }
}
