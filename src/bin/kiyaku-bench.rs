//! Benchmarks, as ratios measured in one run so machine noise cancels:
//!
//!   kiyaku-bench batch [FILES]   checking a generated corpus vs raw lindera tokenisation
//!                                of the same text, on 1 and 2 threads
//!   kiyaku-bench lsp             editor latency of `kiyaku lsp` on the 62 KB regulation:
//!                                didChange → publishDiagnostics (p50, p95), initialize →
//!                                first diagnostics, resident memory with 50 documents open
//!
//! Run with `cargo run --release --bin kiyaku-bench -- batch` (or `lsp`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use kiyaku::catalog;
use kiyaku::lint::Engine;
use rayon::prelude::*;
use serde_json::{Value, json};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The real documents of the corpus, as texts.
fn seed_documents() -> Vec<String> {
    let mut out = Vec::new();
    for folder in ["contracts", "notices", "regulations", "shared"] {
        let Ok(entries) = std::fs::read_dir(corpus_root().join(folder)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push(t);
            }
        }
    }
    out
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

fn batch(files: usize) -> ExitCode {
    let seeds = seed_documents();
    if seeds.is_empty() {
        eprintln!(
            "kiyaku-bench: no documents under {}",
            corpus_root().display()
        );
        return ExitCode::from(2);
    }
    // The generated corpus: the real documents, repeated with a numbered title so no two are equal.
    let corpus: Vec<String> = (0..files)
        .map(|i| format!("{}\n{}", i, seeds[i % seeds.len()]))
        .collect();
    let bytes: usize = corpus.iter().map(String::len).sum();
    let engine = Engine::new(catalog::builtin_catalogs());
    kiyaku::morphology::warm_up();
    println!(
        "corpus: {files} files, {:.1} MB (from {} real documents)",
        bytes as f64 / 1e6,
        seeds.len()
    );
    println!(
        "{:<8} {:>14} {:>14} {:>8} {:>10}",
        "threads", "lindera (s)", "kiyaku (s)", "ratio", "kiyaku MB/s"
    );
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let (_, lindera) = time(|| {
            pool.install(|| {
                corpus
                    .par_iter()
                    .map(|t| {
                        t.lines()
                            .map(kiyaku::morphology::raw_token_count)
                            .sum::<usize>()
                    })
                    .sum::<usize>()
            })
        });
        let (findings, checked) = time(|| {
            pool.install(|| {
                corpus
                    .par_iter()
                    .enumerate()
                    .map(|(i, t)| {
                        engine
                            .check(&format!("doc-{i}.txt"), t.clone(), None)
                            .diagnostics
                            .len()
                    })
                    .sum::<usize>()
            })
        });
        println!(
            "{threads:<8} {:>14.3} {:>14.3} {:>8.2} {:>10.1}",
            lindera.as_secs_f64(),
            checked.as_secs_f64(),
            checked.as_secs_f64() / lindera.as_secs_f64(),
            bytes as f64 / 1e6 / checked.as_secs_f64()
        );
        let _ = findings;
    }
    if let Some(rss) = peak_rss_kb(std::process::id()) {
        println!("peak memory: {:.0} MB", rss as f64 / 1024.0);
    }
    ExitCode::SUCCESS
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

struct Lsp {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    reader: BufReader<std::process::ChildStdout>,
    next_id: i64,
}

impl Lsp {
    fn start() -> std::io::Result<Self> {
        let exe = std::env::current_exe()?.with_file_name("kiyaku");
        let mut child = Command::new(exe)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let reader = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Self {
            child,
            stdin,
            reader,
            next_id: 1,
        })
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.stdin.flush();
    }

    fn read(&mut self) -> Option<Value> {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.parse().ok()?;
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).ok()?;
        serde_json::from_slice(&body).ok()
    }

    fn request(&mut self, method: &str, params: Value) -> Option<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.read()?;
            if m["id"] == id {
                return Some(m);
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn wait_diagnostics(&mut self, uri: &str, version: i64) -> Option<()> {
        loop {
            let m = self.read()?;
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
            {
                return Some(());
            }
        }
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn lsp() -> ExitCode {
    let text = match std::fs::read_to_string(corpus_root().join("shared/regulation-tsc.txt")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kiyaku-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(mut lsp) = Lsp::start() else {
        eprintln!(
            "kiyaku-bench: cannot start kiyaku lsp (build it with cargo build --release first)"
        );
        return ExitCode::from(2);
    };
    let uri = "file:///bench/regulation-tsc.txt";
    let started = Instant::now();
    lsp.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    lsp.notify("initialized", json!({}));
    lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}));
    if lsp.wait_diagnostics(uri, 1).is_none() {
        eprintln!("kiyaku-bench: the server stopped");
        return ExitCode::from(1);
    }
    let first = started.elapsed();
    // 100 single-character edits spread over the document, each awaited.
    let lines = text.lines().count() as u32;
    let mut latencies = Vec::new();
    for i in 0..100u32 {
        let version = 2 + i as i64;
        let line = (i * 7919) % lines;
        let change = json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "の"});
        let sent = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        if lsp.wait_diagnostics(uri, version).is_none() {
            eprintln!("kiyaku-bench: the server stopped");
            return ExitCode::from(1);
        }
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    // Memory with 50 documents open.
    let seeds = seed_documents();
    for i in 0..50 {
        let u = format!("file:///bench/doc-{i}.txt");
        lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": u, "languageId": "plaintext", "version": 1, "text": seeds[i % seeds.len()]}}));
        let _ = lsp.wait_diagnostics(&u, 1);
    }
    let rss = rss_kb(lsp.child.id());
    println!(
        "document: regulation-tsc.txt, {:.1} KB",
        text.len() as f64 / 1e3
    );
    println!(
        "initialize → first diagnostics: {:.1} ms",
        first.as_secs_f64() * 1e3
    );
    println!(
        "didChange → publishDiagnostics over 100 edits: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.95).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    if let Some(kb) = rss {
        println!(
            "resident memory with 51 documents open: {:.0} MB",
            kb as f64 / 1024.0
        );
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("batch") => batch(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000)),
        Some("lsp") => lsp(),
        _ => {
            eprintln!("usage: kiyaku-bench batch [FILES] | kiyaku-bench lsp");
            ExitCode::from(2)
        }
    }
}
