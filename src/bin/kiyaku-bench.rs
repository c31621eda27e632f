//! Benchmarks, as ratios measured in one run so machine noise cancels:
//!
//!   kiyaku-bench batch [FILES]   checking a generated corpus vs raw lindera tokenisation
//!                                of the same text, on 1 and 2 threads, with the peak
//!                                memory of each; PDF throughput next to text (the PDF
//!                                twins of corpus contracts); then `kiyaku check` on the
//!                                corpus written to disk, cold and with its result cache
//!   kiyaku-bench lsp             editor latency of `kiyaku lsp` on the 62 KB regulation and on
//!                                documents of 250 KB and 1 MB made of the corpus: didChange →
//!                                publishDiagnostics (p50, p95) and initialize → first
//!                                diagnostics per size; resident memory over 1,000 keystrokes
//!                                in a 100 KB line, with 53 documents open, and once all are
//!                                closed; p95 over a raw lindera tokenisation of the regulation
//!   kiyaku-bench lsp --guard     the same without the 250 KB document and the memory run
//!   kiyaku-bench corpus FILES DIR  writes the generated corpus to DIR (for other tools)
//!
//! Lines starting `metric ` are machine-readable (`.ci/perf-guard` compares them with
//! `.ci/perf-baseline.toml`). Run with `cargo run --release --features bench --bin kiyaku-bench -- batch`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use kiyaku::catalog;
use kiyaku::engine::Engine;
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

/// CPU time of every thread of this process so far (Linux: /proc/self/task/*/schedstat),
/// which other processes on a busy machine disturb much less than wall-clock time.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// CPU time of the children this process has waited for (/proc/self/stat cutime + cstime,
/// in clock ticks of 10 ms).
fn children_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Wall-clock and CPU time of `f`.
fn time_cpu<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let cpu = cpu_time();
    let (value, wall) = time(f);
    let used = cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a));
    (value, wall, used)
}

/// The generated corpus: the real documents, repeated with a numbered first line so no
/// two are equal. `None` when the corpus folder is missing.
fn generated_corpus(files: usize) -> Option<Vec<String>> {
    let seeds = seed_documents();
    if seeds.is_empty() {
        eprintln!(
            "kiyaku-bench: no documents under {}",
            corpus_root().display()
        );
        return None;
    }
    Some(
        (0..files)
            .map(|i| format!("{}\n{}", i, seeds[i % seeds.len()]))
            .collect(),
    )
}

/// Writes the corpus as DIR/doc-0000.txt …
fn write_corpus(corpus: &[String], dir: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    for (i, text) in corpus.iter().enumerate() {
        std::fs::write(dir.join(format!("doc-{i:04}.txt")), text)?;
    }
    Ok(())
}

fn corpus_command(files: usize, dir: &Path) -> ExitCode {
    let Some(corpus) = generated_corpus(files) else {
        return ExitCode::from(2);
    };
    match write_corpus(&corpus, dir) {
        Ok(()) => {
            println!("{files} files written to {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kiyaku-bench: {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}

/// Resets the process's peak resident memory (VmHWM), so that each phase reports its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// CPU time of the calling thread, in seconds, to the nanosecond (clock_gettime's
/// CLOCK_THREAD_CPUTIME_ID). /proc/thread-self/schedstat is no substitute here: it is
/// brought up to date only at the scheduler's ticks (1–4 ms), longer than lindera takes on
/// most files, which made the per-file ratios swing by a third from run to run.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn thread_cpu() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec, and the clock id is a constant the
    // kernel knows; clock_gettime writes nothing else.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        return 0.0;
    }
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}

/// CPU time of the calling thread (/proc/thread-self/schedstat, tick-grained), in seconds.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// CPU seconds spent on the corpus by each contender, measured file by file.
struct Contenders {
    segmentation: f64,
    details: f64,
    kiyaku: f64,
}

/// The three contenders take turns on each file, on the same thread, and each turn's CPU
/// time is added to its total: a machine that gets busier or quieter during the run
/// slows all three alike, so the ratios hold (phase-wise runs, one after the other, do not
/// have this property on a shared machine). Who goes first rotates from file to file: the
/// first to read a file and its dictionary entries pays for bringing them into the cache.
fn interleaved_cpu(pool: &rayon::ThreadPool, corpus: &[String], engine: &Engine) -> Contenders {
    let per_file: Vec<[f64; 3]> = pool.install(|| {
        corpus
            .par_iter()
            .enumerate()
            .map(|(i, t)| {
                let mut spent = [0.0; 3];
                for turn in 0..3 {
                    let contender = (i + turn) % 3;
                    let start = thread_cpu();
                    match contender {
                        0 => {
                            std::hint::black_box(
                                t.lines()
                                    .map(kiyaku::morphology::raw_token_count)
                                    .sum::<usize>(),
                            );
                        }
                        1 => {
                            std::hint::black_box(
                                t.lines()
                                    .map(kiyaku::morphology::raw_tokens_with_details)
                                    .sum::<usize>(),
                            );
                        }
                        _ => {
                            std::hint::black_box(
                                engine
                                    .check(&format!("doc-{i:04}.txt"), t.clone(), None)
                                    .compact(),
                            );
                        }
                    }
                    spent[contender] = thread_cpu() - start;
                }
                spent
            })
            .collect()
    });
    let sum = |k: usize| per_file.iter().map(|f| f[k]).sum::<f64>();
    Contenders {
        segmentation: sum(0),
        details: sum(1),
        kiyaku: sum(2),
    }
}

fn metric(name: &str, value: f64) {
    println!("metric {name} {value:.4}");
}

fn batch(files: usize) -> ExitCode {
    let Some(corpus) = generated_corpus(files) else {
        return ExitCode::from(2);
    };
    let seeds = seed_documents();
    let bytes: usize = corpus.iter().map(String::len).sum();
    let engine = Engine::new(catalog::builtin_catalogs());
    kiyaku::morphology::warm_up();
    println!(
        "corpus: {files} files, {:.1} MB (from {} real documents)",
        bytes as f64 / 1e6,
        seeds.len()
    );
    println!(
        "{:<8} {:>12} {:>12} {:>7} {:>10} {:>10} {:>7} {:>12} {:>11} {:>10}",
        "threads",
        "lindera (s)",
        "kiyaku (s)",
        "ratio",
        "lindera",
        "kiyaku",
        "ratio",
        "kiyaku MB/s",
        "lindera MB",
        "kiyaku MB"
    );
    println!(
        "{:<8} {:>12} {:>12} {:>7} {:>10} {:>10} {:>7}",
        "", "wall", "wall", "wall", "CPU (s)", "CPU (s)", "CPU"
    );
    let base_rss = peak_rss_kb(std::process::id()).unwrap_or(0);
    // Both pools live until the end: CPU time is summed over the process's threads, and a
    // thread that ends takes its time with it.
    let pools: Vec<(usize, rayon::ThreadPool)> = [1, 2]
        .into_iter()
        .map(|threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            (threads, pool)
        })
        .collect();
    for (threads, pool) in &pools {
        let threads = *threads;
        reset_peak_rss();
        let (_, lindera, lindera_cpu) = time_cpu(|| {
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
        let lindera_kb = peak_rss_kb(std::process::id()).unwrap_or(0);
        reset_peak_rss();
        // What `kiyaku check` does between reading and printing: check each file, keep its
        // compact report, compare values across documents.
        let (reports, checked, checked_cpu) = time_cpu(|| {
            pool.install(|| {
                let mut reports: Vec<_> = corpus
                    .par_iter()
                    .enumerate()
                    .map(|(i, t)| {
                        engine
                            .check(&format!("doc-{i:04}.txt"), t.clone(), None)
                            .compact()
                    })
                    .collect();
                kiyaku::engine::cross_check(&mut reports);
                reports
            })
        });
        let kiyaku_kb = peak_rss_kb(std::process::id()).unwrap_or(0);
        drop(reports);
        let ratio = checked.as_secs_f64() / lindera.as_secs_f64();
        let (lindera_cpu, checked_cpu) = (
            lindera_cpu.unwrap_or_default().as_secs_f64(),
            checked_cpu.unwrap_or_default().as_secs_f64(),
        );
        let cpu_ratio = checked_cpu / lindera_cpu.max(1e-9);
        println!(
            "{threads:<8} {:>12.3} {:>12.3} {:>7.2} {:>10.3} {:>10.3} {:>7.2} {:>12.2} {:>11.0} {:>10.0}",
            lindera.as_secs_f64(),
            checked.as_secs_f64(),
            ratio,
            lindera_cpu,
            checked_cpu,
            cpu_ratio,
            bytes as f64 / 1e6 / checked.as_secs_f64(),
            lindera_kb as f64 / 1024.0,
            kiyaku_kb as f64 / 1024.0,
        );
        metric(&format!("batch_wall_ratio_{threads}_threads"), ratio);
        metric(
            &format!("batch_phase_cpu_ratio_{threads}_threads"),
            cpu_ratio,
        );
        let ratios = interleaved_cpu(pool, &corpus, &engine);
        println!(
            "{:<8} per file, CPU time of its thread: kiyaku ×{:.2} over lindera's segmentation, ×{:.2} over lindera with token details",
            "",
            ratios.kiyaku / ratios.segmentation.max(1e-9),
            ratios.kiyaku / ratios.details.max(1e-9),
        );
        metric(
            &format!("batch_cpu_ratio_{threads}_threads"),
            ratios.kiyaku / ratios.segmentation.max(1e-9),
        );
        metric(
            &format!("batch_cpu_ratio_over_details_{threads}_threads"),
            ratios.kiyaku / ratios.details.max(1e-9),
        );
    }
    println!(
        "(peak resident memory of each phase; {:.0} MB of it is the corpus held in memory and the dictionary)",
        base_rss as f64 / 1024.0
    );
    pdf_throughput(&engine);
    cached_run(&corpus, bytes)
}

/// The PDF twins of corpus contracts (tests/fixtures/inputs), each with its text.
fn pdf_twins() -> Vec<(Vec<u8>, String)> {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs");
    let contracts = corpus_root().join("contracts");
    [
        ("01-gyomu-itaku-kou-otsu.pdf", "01-gyomu-itaku-kou-otsu.txt"),
        ("07-call-center-itaku.pdf", "07-call-center-itaku.txt"),
        (
            "04-saas-data-shori-hosoku.pdf",
            "04-saas-data-shori-hosoku.md",
        ),
    ]
    .iter()
    .filter_map(|(pdf, text)| {
        Some((
            std::fs::read(inputs.join(pdf)).ok()?,
            std::fs::read_to_string(contracts.join(text)).ok()?,
        ))
    })
    .collect()
}

/// PDF throughput next to text, on one thread: the same contracts checked from their PDF
/// (extraction included) and from their text, files per second and the ratio.
fn pdf_throughput(engine: &Engine) {
    let twins = pdf_twins();
    if twins.is_empty() {
        println!("pdf: no PDF twins under tests/fixtures/inputs; skipped");
        return;
    }
    let rounds = 20;
    let files = rounds * twins.len();
    let pdf_bytes: usize = twins.iter().map(|(p, _)| p.len()).sum::<usize>() * rounds;
    let (_, from_text, _) = time_cpu(|| {
        for i in 0..rounds {
            for (j, (_, text)) in twins.iter().enumerate() {
                drop(
                    engine
                        .check(&format!("doc-{i}-{j}.txt"), text.clone(), None)
                        .compact(),
                );
            }
        }
    });
    let mut extraction = Duration::ZERO;
    let (_, from_pdf, _) = time_cpu(|| {
        for i in 0..rounds {
            for (j, (pdf, _)) in twins.iter().enumerate() {
                let (extracted, took) =
                    time(|| kiyaku::extract::extract(kiyaku::extract::Format::Pdf, pdf));
                extraction += took;
                if let Ok(e) = extracted {
                    drop(
                        engine
                            .check(&format!("doc-{i}-{j}.pdf"), e.text, None)
                            .compact(),
                    );
                }
            }
        }
    });
    let rate = |d: Duration| files as f64 / d.as_secs_f64();
    println!(
        "pdf: {files} contracts (1 thread): from PDF {:.1} files/s ({:.2} MB/s of PDF; extraction {:.0} % of the time), from text {:.1} files/s; PDF/text time ×{:.2}",
        rate(from_pdf),
        pdf_bytes as f64 / 1e6 / from_pdf.as_secs_f64(),
        100.0 * extraction.as_secs_f64() / from_pdf.as_secs_f64(),
        rate(from_text),
        from_pdf.as_secs_f64() / from_text.as_secs_f64()
    );
    metric(
        "pdf_over_text_time",
        from_pdf.as_secs_f64() / from_text.as_secs_f64(),
    );
}

/// `kiyaku check` on the corpus written to disk: cold (empty cache), then again (the
/// pre-commit case: nothing changed), then with one file changed.
fn cached_run(corpus: &[String], bytes: usize) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("kiyaku-bench-{}", std::process::id()));
    let files = dir.join("corpus");
    let cache = dir.join("cache");
    if let Err(e) = write_corpus(corpus, &files) {
        eprintln!("kiyaku-bench: {}: {e}", files.display());
        return ExitCode::from(2);
    }
    let Ok(exe) = std::env::current_exe().map(|e| e.with_file_name("kiyaku")) else {
        return ExitCode::from(2);
    };
    let run = |extra: &[&str]| {
        let cpu = children_cpu_time();
        let start = Instant::now();
        let out = Command::new(&exe)
            .args(["check", "--quiet", "--cache-dir"])
            .arg(&cache)
            .args(extra)
            .arg(&files)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output();
        let wall = start.elapsed();
        let cpu = cpu
            .zip(children_cpu_time())
            .map_or(0.0, |(a, b)| b.saturating_sub(a).as_secs_f64());
        // exit 0 (clean) or 1 (findings); 2 is an error, whose empty output proves nothing
        let out = out.ok().filter(|o| matches!(o.status.code(), Some(0 | 1)));
        (wall, out.map(|o| o.stdout), cpu)
    };
    let (cold, cold_out, cold_cpu) = run(&[]);
    // The unchanged run takes a tenth of the cold one, short enough for a page fault or a
    // wake-up to move it by a third: the median of three, each with the same output.
    let warm_runs: Vec<_> = (0..3).map(|_| run(&[])).collect();
    let mut warm_cpus: Vec<f64> = warm_runs.iter().map(|r| r.2).collect();
    warm_cpus.sort_by(f64::total_cmp);
    let warm_cpu = percentile(&warm_cpus, 0.5);
    let mut warm_walls: Vec<Duration> = warm_runs.iter().map(|r| r.0).collect();
    warm_walls.sort();
    let warm = percentile(&warm_walls, 0.5);
    let warm_out = warm_runs
        .iter()
        .all(|r| r.1 == warm_runs[0].1)
        .then(|| warm_runs[0].1.clone())
        .flatten();
    let (uncached, uncached_out, _) = run(&["--no-cache"]);
    let _ = std::fs::write(files.join("doc-0000.txt"), format!("x{}", corpus[0]));
    let (one_changed, _, _) = run(&[]);
    let _ = std::fs::remove_dir_all(&dir);
    if cold_out.is_none() || cold_out != warm_out || cold_out != uncached_out {
        eprintln!(
            "kiyaku-bench: kiyaku check failed or cached output differs (build kiyaku with cargo build --release)"
        );
        return ExitCode::from(1);
    }
    println!(
        "kiyaku check, {} files ({:.1} MB) on disk, all cores: --no-cache {:.3} s, cold cache {:.3} s, unchanged {:.3} s ({:.1} % of cold), one file changed {:.3} s",
        corpus.len(),
        bytes as f64 / 1e6,
        uncached.as_secs_f64(),
        cold.as_secs_f64(),
        warm.as_secs_f64(),
        100.0 * warm.as_secs_f64() / cold.as_secs_f64(),
        one_changed.as_secs_f64(),
    );
    println!(
        "  CPU time: cold {cold_cpu:.2} s, unchanged {warm_cpu:.2} s ({:.1} % of cold)",
        100.0 * warm_cpu / cold_cpu.max(0.01)
    );
    metric(
        "cached_over_cold_wall",
        warm.as_secs_f64() / cold.as_secs_f64(),
    );
    metric("cached_over_cold_cpu", warm_cpu / cold_cpu.max(0.01));
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
    status_kb(pid, "VmRSS:")
}

/// A field of /proc/PID/status, in KB.
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))
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
        serde_json::from_slice(&self.read_body()?.0).ok()
    }

    /// The next message's body, and when its last byte arrived: the moment the server's
    /// answer is there, before this client spends any time reading it.
    fn read_body(&mut self) -> Option<(Vec<u8>, Instant)> {
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
        Some((body, Instant::now()))
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

    /// Waits for the diagnostics of `version` of `uri`; returns when they arrived. Only the
    /// envelope is decoded (the diagnostics are skipped unread), so the time this client
    /// takes to read a large list is not counted as the server's.
    fn wait_diagnostics(&mut self, uri: &str, version: i64) -> Option<Instant> {
        #[derive(serde::Deserialize)]
        struct Envelope {
            method: Option<String>,
            params: Option<Published>,
        }
        #[derive(serde::Deserialize)]
        struct Published {
            uri: Option<String>,
            version: Option<i64>,
        }
        loop {
            let (body, arrived) = self.read_body()?;
            let Ok(m) = serde_json::from_slice::<Envelope>(&body) else {
                continue;
            };
            if m.method.as_deref() == Some("textDocument/publishDiagnostics")
                && let Some(p) = m.params
                && p.uri.as_deref() == Some(uri)
                && p.version == Some(version)
            {
                return Some(arrived);
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

/// The value at fraction `p` (0 to 1) of `sorted`, by nearest rank: latencies, or the CPU
/// seconds of repeated runs.
fn percentile<T: Copy>(sorted: &[T], p: f64) -> T {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The regulation, then the corpus's other documents in turn, until `bytes` is reached: a
/// large document of the kind an editor opens (a 就業規則 with its 別表, a 例規集 in one file).
fn concatenated(regulation: &str, seeds: &[String], bytes: usize) -> String {
    let mut text = regulation.to_string();
    for seed in seeds.iter().cycle() {
        if text.len() >= bytes {
            break;
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(seed);
    }
    text
}

/// One pasted contract without line breaks: the corpus's text with its lines joined, cut at
/// `bytes` (on a character boundary).
fn one_line(seeds: &[String], bytes: usize) -> String {
    let mut text = String::new();
    for seed in seeds.iter().cycle() {
        for line in seed.lines() {
            if text.len() >= bytes {
                return text;
            }
            text.push_str(line.trim());
        }
    }
    text
}

/// What one size of document measured: initialize → first diagnostics, and the latencies of
/// 100 single-character edits spread over it, sorted.
struct EditRun {
    first: Duration,
    latencies: Vec<Duration>,
}

fn server_stopped() -> ExitCode {
    eprintln!("kiyaku-bench: the server stopped");
    ExitCode::from(1)
}

fn cannot_start() -> ExitCode {
    eprintln!("kiyaku-bench: cannot start kiyaku lsp (build it with cargo build --release first)");
    ExitCode::from(2)
}

/// A fresh server: initialize, open `text`, then 100 single-character edits spread over the
/// document, each awaited until its diagnostics are published.
fn edit_run(text: &str, name: &str) -> Result<EditRun, ExitCode> {
    let mut lsp = Lsp::start().map_err(|_| cannot_start())?;
    let uri = format!("file:///bench/{name}");
    let started = Instant::now();
    lsp.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    lsp.notify("initialized", json!({}));
    lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}));
    let first = lsp.wait_diagnostics(&uri, 1).ok_or_else(server_stopped)? - started;
    let lines = text.lines().count().max(1) as u32;
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
        let arrived = lsp
            .wait_diagnostics(&uri, version)
            .ok_or_else(server_stopped)?;
        latencies.push(arrived - sent);
    }
    latencies.sort();
    Ok(EditRun { first, latencies })
}

/// Resident memory a phase may reach before the benchmark stops it (the machine is shared).
const RSS_LIMIT_KB: u64 = 3 * 1024 * 1024;

/// What the memory run measured, in KB of resident memory.
struct MemoryRun {
    /// After initialize and one document opened and closed (the dictionary loaded, the
    /// server warm), nothing open.
    start: u64,
    /// With the 100 KB one-line document open, before typing.
    opened: u64,
    /// After the keystrokes (or when the limit stopped them).
    typed: u64,
    keystrokes: usize,
    /// With the sized documents and 50 corpus documents open as well.
    many_open: u64,
    /// After every document is closed.
    closed: u64,
    /// After the same documents are opened and closed once more.
    closed_again: u64,
    /// Of `start` and `closed`, the pages of files (the binary and its embedded dictionary,
    /// read as words are met), not memory the server allocated.
    start_file: u64,
    closed_file: u64,
}

/// A fresh server: 1,000 keystrokes typed one after the other in the middle of a 100 KB line,
/// each awaited; then the large documents and 50 more opened, and everything closed.
fn memory_run(warm: &str, line: &str, others: &[(String, String)]) -> Result<MemoryRun, ExitCode> {
    let mut lsp = Lsp::start().map_err(|_| cannot_start())?;
    let pid = lsp.child.id();
    let rss = || rss_kb(pid).unwrap_or(0);
    lsp.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    lsp.notify("initialized", json!({}));
    let warm_uri = "file:///bench/warm.txt";
    lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": warm_uri, "languageId": "plaintext", "version": 1, "text": warm}}));
    lsp.wait_diagnostics(warm_uri, 1)
        .ok_or_else(server_stopped)?;
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": warm_uri}}),
    );
    let start = rss();
    let start_file = status_kb(pid, "RssFile:").unwrap_or(0);
    let uri = "file:///bench/one-line.txt";
    lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": line}}));
    lsp.wait_diagnostics(uri, 1).ok_or_else(server_stopped)?;
    let opened = rss();
    let middle = line.chars().count() / 2;
    let mut keystrokes = 0;
    let mut typed = opened;
    for i in 0..1000usize {
        let version = 2 + i as i64;
        let at = json!({"line": 0, "character": middle + i});
        let change = json!({"range": {"start": at, "end": at}, "text": "あ"});
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        lsp.wait_diagnostics(uri, version)
            .ok_or_else(server_stopped)?;
        keystrokes += 1;
        typed = rss();
        if typed > RSS_LIMIT_KB {
            break;
        }
    }
    let mut uris = vec![uri.to_string()];
    for (i, (name, text)) in others.iter().enumerate() {
        let u = format!("file:///bench/{i}-{name}");
        lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": u, "languageId": "plaintext", "version": 1, "text": text}}));
        let _ = lsp.wait_diagnostics(&u, 1);
        uris.push(u);
    }
    let many_open = rss();
    close_all(&mut lsp, &uris);
    let closed = rss();
    let closed_file = status_kb(pid, "RssFile:").unwrap_or(0);
    // the same documents again: what stays after the first round is not kept twice
    for (i, (name, text)) in others.iter().enumerate() {
        let u = format!("file:///bench/{i}-{name}");
        lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": u, "languageId": "plaintext", "version": 1, "text": text}}));
        let _ = lsp.wait_diagnostics(&u, 1);
    }
    close_all(&mut lsp, &uris[1..]);
    let closed_again = rss();
    Ok(MemoryRun {
        start,
        opened,
        typed,
        keystrokes,
        many_open,
        closed,
        closed_again,
        start_file,
        closed_file,
    })
}

/// Closes the documents and waits until the server has handled the closes.
fn close_all(lsp: &mut Lsp, uris: &[String]) {
    for u in uris {
        lsp.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    }
    // a request answered after the closes: they have been handled
    lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///bench/none.txt"}}),
    );
    std::thread::sleep(Duration::from_millis(200));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// The 62 KB regulation the editor runs start from (and the larger documents are made from).
fn regulation() -> Result<String, ExitCode> {
    std::fs::read_to_string(corpus_root().join("shared/regulation-tsc.txt")).map_err(|e| {
        eprintln!("kiyaku-bench: {e}");
        ExitCode::from(2)
    })
}

/// `guard`: what `.ci/perf-guard` needs and no more (the 62 KB and 1 MB runs, no 250 KB
/// run and no memory run), to keep the guard short.
fn lsp(guard: bool) -> ExitCode {
    let text = match regulation() {
        Ok(t) => t,
        Err(code) => return code,
    };
    let seeds = seed_documents();
    let mut sizes = vec![
        ("62KB", text.clone()),
        ("250KB", concatenated(&text, &seeds, 250_000)),
        ("1MB", concatenated(&text, &seeds, 1_000_000)),
    ];
    if guard {
        sizes.remove(1);
    }
    let mut runs = Vec::new();
    for (label, doc) in &sizes {
        match edit_run(doc, &format!("regulation-{label}.txt")) {
            Ok(run) => runs.push(run),
            Err(code) => return code,
        }
    }
    println!(
        "{:<7} {:>9} {:>14} {:>9} {:>9} {:>9}",
        "size", "KB", "first (ms)", "p50 (ms)", "p95 (ms)", "max (ms)"
    );
    for ((label, doc), run) in sizes.iter().zip(&runs) {
        println!(
            "{:<7} {:>9.1} {:>14.1} {:>9.1} {:>9.1} {:>9.1}",
            label,
            doc.len() as f64 / 1e3,
            ms(run.first),
            ms(percentile(&run.latencies, 0.5)),
            ms(percentile(&run.latencies, 0.95)),
            run.latencies.last().map_or(0.0, |d| ms(*d)),
        );
    }
    println!(
        "(first: initialize → first diagnostics; p50/p95/max: didChange → publishDiagnostics over 100 edits)"
    );
    let large = runs.last().expect("three sizes, or two");
    let p95 = percentile(&runs[0].latencies, 0.95);
    let p95_large = percentile(&large.latencies, 0.95);
    println!(
        "p95(1 MB) / p95(62 KB): {:.2}; first diagnostics (1 MB) / (62 KB): {:.2}",
        p95_large.as_secs_f64() / p95.as_secs_f64(),
        large.first.as_secs_f64() / runs[0].first.as_secs_f64(),
    );
    metric(
        "lsp_p95_1mb_over_62kb",
        p95_large.as_secs_f64() / p95.as_secs_f64(),
    );
    metric(
        "lsp_first_1mb_over_62kb",
        large.first.as_secs_f64() / runs[0].first.as_secs_f64(),
    );
    if !guard && memory_report(&text, &seeds, &sizes).is_err() {
        return server_stopped();
    }
    lindera_ratios(&text, &runs[0]);
    ExitCode::SUCCESS
}

/// The memory run, printed.
fn memory_report(text: &str, seeds: &[String], sizes: &[(&str, String)]) -> Result<(), ExitCode> {
    let others: Vec<(String, String)> = sizes
        .iter()
        .skip(1)
        .map(|(label, doc)| (format!("regulation-{label}.txt"), doc.clone()))
        .chain((0..50).map(|i| (format!("doc-{i}.txt"), seeds[i % seeds.len()].clone())))
        .collect();
    let line = one_line(seeds, 100_000);
    let memory = memory_run(text, &line, &others)?;
    println!(
        "resident memory: {:.0} MB at start (a document opened and closed); {:.0} MB with a {:.0} KB one-line document open; {:.0} MB after {} keystrokes in it (+{:.0} MB){}",
        mb(memory.start),
        mb(memory.opened),
        line.len() as f64 / 1e3,
        mb(memory.typed),
        memory.keystrokes,
        mb(memory.typed.saturating_sub(memory.opened)),
        if memory.keystrokes < 1000 {
            " (stopped at the limit)"
        } else {
            ""
        },
    );
    println!(
        "resident memory: {:.0} MB with {} documents open; {:.0} MB once all are closed ({:+.1} % of the start)",
        mb(memory.many_open),
        others.len() + 1,
        mb(memory.closed),
        100.0 * (memory.closed as f64 - memory.start as f64) / memory.start.max(1) as f64,
    );
    println!(
        "  of which pages of the binary and its embedded dictionary: {:.0} MB at start, {:.0} MB once all are closed",
        mb(memory.start_file),
        mb(memory.closed_file),
    );
    println!(
        "resident memory once the same documents are opened and closed again: {:.0} MB",
        mb(memory.closed_again),
    );
    metric(
        "lsp_typing_rss_growth_mb",
        mb(memory.typed.saturating_sub(memory.opened)),
    );
    metric(
        "lsp_closed_rss_over_start",
        memory.closed as f64 / memory.start.max(1) as f64,
    );
    metric(
        "lsp_closed_again_rss_over_closed",
        memory.closed_again as f64 / memory.closed.max(1) as f64,
    );
    Ok(())
}

/// The machine's speed, measured now: raw lindera tokenisation of the regulation (median
/// of 21), so that latency / lindera is comparable across machines.
fn lindera_ratios(text: &str, run: &EditRun) {
    kiyaku::morphology::warm_up();
    let mut raw: Vec<Duration> = (0..21)
        .map(|_| {
            time(|| {
                text.lines()
                    .map(kiyaku::morphology::raw_token_count)
                    .sum::<usize>()
            })
            .1
        })
        .collect();
    raw.sort();
    let raw = percentile(&raw, 0.5);
    let p95 = percentile(&run.latencies, 0.95);
    println!(
        "raw lindera tokenisation of the 62 KB document: {:.1} ms; p95 / lindera: {:.2}",
        ms(raw),
        p95.as_secs_f64() / raw.as_secs_f64(),
    );
    metric(
        "lsp_p95_over_lindera",
        p95.as_secs_f64() / raw.as_secs_f64(),
    );
    metric(
        "lsp_first_over_lindera",
        run.first.as_secs_f64() / raw.as_secs_f64(),
    );
}

/// In-process, on one thread pool: the time of each phase of the analysis an edit starts
/// (the document prepared with the open document's caches; the engine's judgement and
/// checks), over the same 100 edits as `lsp`, per size. Where the language server's time goes.
fn phases() -> ExitCode {
    use kiyaku::document::{AnalysisCache, Document};
    use std::sync::Arc;
    let text = match regulation() {
        Ok(t) => t,
        Err(code) => return code,
    };
    let seeds = seed_documents();
    let engine = Engine::new(catalog::builtin_catalogs());
    println!(
        "{:<7} {:>16} {:>16} {:>16}",
        "size", "prepare p50/p95", "check p50/p95", "drop p50/p95"
    );
    for (label, bytes) in [("62KB", 0), ("250KB", 250_000), ("1MB", 1_000_000)] {
        let mut doc = concatenated(&text, &seeds, bytes);
        let cache = Arc::new(AnalysisCache::default());
        cache.fit_to(doc.len());
        let report = engine.check_document_in_parallel(
            label,
            Document::with_cache(doc.clone(), &cache),
            None,
        );
        drop(report);
        let (mut prepare, mut check, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..100usize {
            let lines: Vec<usize> = std::iter::once(0)
                .chain(doc.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let at = lines[(i * 7919) % lines.len()].min(doc.len());
            doc.insert(at, 'の');
            let (document, p) = time(|| Document::with_cache(doc.clone(), &cache));
            let (report, c) = time(|| engine.check_document_in_parallel(label, document, None));
            let ((), d) = time(|| drop(report));
            prepare.push(p);
            check.push(c);
            dropped.push(d);
        }
        for v in [&mut prepare, &mut check, &mut dropped] {
            v.sort();
        }
        let pair = |v: &[Duration]| {
            format!(
                "{:.1}/{:.1}",
                ms(percentile(v, 0.5)),
                ms(percentile(v, 0.95))
            )
        };
        println!(
            "{:<7} {:>16} {:>16} {:>16}",
            label,
            pair(&prepare),
            pair(&check),
            pair(&dropped)
        );
    }
    ExitCode::SUCCESS
}

/// Checks the generated corpus `rounds` times on this thread and nothing else: a run for
/// a profiler (`valgrind --tool=callgrind`), which sees kiyaku's work alone, with the
/// first round's one-off costs (compiling patterns, warming search caches) spread over the
/// rounds as a long batch spreads them.
fn check_only(files: usize, rounds: usize) -> ExitCode {
    let Some(corpus) = generated_corpus(files) else {
        return ExitCode::from(2);
    };
    let engine = Engine::new(catalog::builtin_catalogs());
    let (findings, wall) = time(|| {
        let mut findings = 0;
        for _ in 0..rounds {
            for (i, t) in corpus.iter().enumerate() {
                findings += engine
                    .check(&format!("doc-{i:04}.txt"), t.clone(), None)
                    .diagnostics
                    .len();
            }
        }
        findings
    });
    println!(
        "{} checks in {:.2} s ({findings} diagnostics)",
        files * rounds,
        wall.as_secs_f64()
    );
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("batch") => batch(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000)),
        Some("lsp") => lsp(args.get(1).is_some_and(|a| a == "--guard")),
        Some("phases") => phases(),
        Some("check") => check_only(
            args.get(1).and_then(|n| n.parse().ok()).unwrap_or(200),
            args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1),
        ),
        Some("corpus") => match (args.get(1).and_then(|n| n.parse().ok()), args.get(2)) {
            (Some(files), Some(dir)) => corpus_command(files, Path::new(dir)),
            _ => {
                eprintln!("usage: kiyaku-bench corpus FILES DIR");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!(
                "usage: kiyaku-bench batch [FILES] | kiyaku-bench lsp [--guard] | kiyaku-bench phases | kiyaku-bench check [FILES] [ROUNDS] | kiyaku-bench corpus FILES DIR"
            );
            ExitCode::from(2)
        }
    }
}
