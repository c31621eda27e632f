//! The result cache of `kiyaku check`: re-checking an unchanged folder (the pre-commit
//! case) reads each file's report from disk instead of analysing the file again.
//!
//! What is cached is one file's report as `Engine::check` makes it, made compact
//! (`FileReport::compact`): it depends only on that file and on the settings of the run,
//! and all of them are in the key — the file's text and path (absolute too: kind globs
//! match on it), kiyaku's version and executable, the catalogs in force (their content,
//! including a catalog derived from a regulation, so changing the regulation changes every
//! key), the configuration and the `--kind` override. Findings across documents
//! (`value-mismatch`) are not cached: `engine::cross_check` computes them on every run from
//! the values each report carries.
//!
//! An entry is a JSON file named by its key; an entry that cannot be read or parsed is
//! ignored and written again. Entries are written to a temporary file and renamed, so a
//! concurrent run never reads half an entry. At most once a day, a run removes the entries
//! written more than 30 days ago (one still in use is simply written again).

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};

use crate::checks::value_mismatch::StatedValue;
use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::engine::{Engine, FileReport, ItemResult};
use crate::kind::{DocumentKind, KindSource};
use crate::matcher::Status;
use crate::text::SourceText;

/// Bumped when the entry layout changes.
const FORMAT: u32 = 2;

/// Entries written longer ago than this are removed.
const MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How often a run looks for old entries.
const PRUNE_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The cache folder: `$KIYAKU_CACHE_DIR`, else the platform's cache folder + `kiyaku`
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux and macOS, `%LOCALAPPDATA%` on Windows).
pub fn default_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    if let Some(dir) = std::env::var_os("KIYAKU_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    etcetera::choose_base_strategy()
        .ok()
        .map(|base| base.cache_dir().join("kiyaku"))
}

/// An open cache for one run: its folder and the key of the run's settings.
pub struct Cache {
    dir: PathBuf,
    run_key: u128,
}

fn hasher() -> SipHasher13 {
    SipHasher13::new_with_keys(0x6b69_7961_6b75, FORMAT as u64)
}

/// Feeds a length-prefixed byte string, so that two fields never run together.
fn feed(h: &mut SipHasher13, bytes: &[u8]) {
    h.write_u64(bytes.len() as u64);
    h.write(bytes);
}

impl Cache {
    /// Opens (creating) the cache folder for a run of `engine`; `settings` describes
    /// everything else the reports depend on (configuration, `--kind`). `None` when
    /// the folder cannot be created: the run goes on without a cache.
    pub fn open(dir: PathBuf, engine: &Engine, settings: &str) -> Option<Self> {
        create_private_dir(&dir).ok()?;
        prune(&dir);
        let mut h = hasher();
        feed(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
        // A rebuilt kiyaku (new checks, new built-in tables) is a new executable.
        if let Some(meta) = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::metadata(exe).ok())
        {
            h.write_u64(meta.len());
            if let Ok(Ok(t)) = meta
                .modified()
                .map(|m| m.duration_since(std::time::UNIX_EPOCH))
            {
                h.write_u128(t.as_nanos());
            }
        }
        feed(
            &mut h,
            serde_json::to_string(&engine.catalogs)
                .unwrap_or_default()
                .as_bytes(),
        );
        for catalog in &engine.catalogs {
            // not serialised, and shown by nothing a report holds today; keyed all the same
            feed(&mut h, catalog.origin.as_bytes());
        }
        for (glob, kind, root) in &engine.kind_globs {
            feed(&mut h, glob.glob().glob().as_bytes());
            feed(&mut h, kind.as_str().as_bytes());
            feed(&mut h, root.as_os_str().as_encoded_bytes());
        }
        for (glob, root) in &engine.acquisition_globs {
            feed(&mut h, b"notices-at-acquisition");
            feed(&mut h, glob.glob().glob().as_bytes());
            feed(&mut h, root.as_os_str().as_encoded_bytes());
        }
        feed(&mut h, settings.as_bytes());
        Some(Self {
            dir,
            run_key: h.finish128().as_u128(),
        })
    }

    fn key(&self, path: &str, text: &str) -> u128 {
        let mut h = hasher();
        h.write_u128(self.run_key);
        feed(&mut h, path.as_bytes());
        let absolute = std::fs::canonicalize(path).unwrap_or_default();
        feed(&mut h, absolute.as_os_str().as_encoded_bytes());
        feed(&mut h, text.as_bytes());
        h.finish128().as_u128()
    }

    fn entry_path(&self, key: u128) -> PathBuf {
        self.dir.join(format!("{key:032x}.json"))
    }

    fn load(&self, key: u128, path: &str) -> Option<FileReport> {
        let bytes = std::fs::read(self.entry_path(key)).ok()?;
        serde_json::from_slice::<Entry>(&bytes)
            .ok()?
            .into_report(path)
    }

    fn store(&self, key: u128, report: &FileReport) {
        let Some(entry) = Entry::of(report) else {
            return;
        };
        let Ok(json) = serde_json::to_vec(&entry) else {
            return;
        };
        let target = self.entry_path(key);
        let temporary = self
            .dir
            .join(format!(".{key:032x}.{}.tmp", std::process::id()));
        if write_private(&temporary, &json).is_ok() && std::fs::rename(&temporary, target).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// Removes entries (and temporary files left by interrupted runs) older than `MAX_AGE`,
/// unless that was done less than `PRUNE_EVERY` ago. Only files named as the cache names
/// them are touched.
/// Creates the cache folder readable by its owner only: entries hold excerpts of
/// confidential contracts.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // a folder made by an earlier version (or by hand) is closed too
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    Ok(())
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

fn prune(dir: &Path) {
    let now = SystemTime::now();
    let age = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
    };
    let marker = dir.join(".pruned");
    if age(&marker).is_some_and(|a| a < PRUNE_EVERY) || std::fs::write(&marker, b"").is_err() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let hex = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let ours = name.strip_suffix(".json").is_some_and(hex)
            || name
                .strip_prefix('.')
                .and_then(|n| n.strip_suffix(".tmp"))
                .and_then(|n| n.split_once('.'))
                .is_some_and(|(key, pid)| hex(key) && pid.bytes().all(|b| b.is_ascii_digit()));
        if ours && age(&entry.path()).is_some_and(|a| a > MAX_AGE) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Checks one file through the cache (when there is one); the report is compact either
/// way, so cached and uncached runs print the same bytes.
pub fn check(
    engine: &Engine,
    cache: Option<&Cache>,
    path: &str,
    text: String,
    kind_override: Option<DocumentKind>,
) -> FileReport {
    let Some(cache) = cache else {
        return engine.check(path, text, kind_override).compact();
    };
    let key = cache.key(path, &text);
    if let Some(report) = cache.load(key, path) {
        return report;
    }
    let report = engine.check(path, text, kind_override).compact();
    cache.store(key, &report);
    report
}

/// A cached report (the path is in the key and given back on load).
#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    kind: DocumentKind,
    kind_source: String,
    items: Vec<(String, String, Option<[usize; 2]>)>,
    /// Each item's evidence, in the order of `items`.
    evidence: Vec<Option<crate::engine::Evidence>>,
    diagnostics: Vec<Diagnostic>,
    values: Vec<StatedValue>,
    excerpt: String,
    excerpt_lines: Vec<usize>,
}

const KIND_SOURCES: [KindSource; 4] = [
    KindSource::Override,
    KindSource::Directive,
    KindSource::Config,
    KindSource::Detected,
];

const STATUSES: [Status; 4] = [
    Status::Present,
    Status::Missing,
    Status::Conflict,
    Status::NotApplicable,
];

fn kind_source_name(k: KindSource) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl Entry {
    fn of(report: &FileReport) -> Option<Self> {
        let (excerpt, lines) = report.document.source.excerpt_parts()?;
        Some(Entry {
            format: FORMAT,
            kind: report.kind,
            kind_source: kind_source_name(report.kind_source),
            items: report
                .items
                .iter()
                .map(|i| (i.id.clone(), i.status.as_str().to_string(), i.lines))
                .collect(),
            evidence: report.items.iter().map(|i| i.evidence.clone()).collect(),
            diagnostics: report.diagnostics.clone(),
            values: report.values.clone(),
            excerpt: excerpt.to_string(),
            excerpt_lines: lines.to_vec(),
        })
    }

    fn into_report(self, path: &str) -> Option<FileReport> {
        if self.format != FORMAT {
            return None;
        }
        let kind_source = KIND_SOURCES
            .into_iter()
            .find(|k| kind_source_name(*k) == self.kind_source)?;
        if self.evidence.len() != self.items.len() {
            return None;
        }
        let items = self
            .items
            .into_iter()
            .zip(self.evidence)
            .map(|((id, status, lines), evidence)| {
                let status = STATUSES.into_iter().find(|s| s.as_str() == status)?;
                Some(ItemResult {
                    id,
                    status,
                    lines,
                    evidence,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let source = SourceText::from_excerpt_parts(self.excerpt, self.excerpt_lines)?;
        // An entry that parses may still have been damaged or written by hand: every range
        // must lie on character boundaries of its excerpt, or it is a miss.
        let text = source.as_str();
        let fits = |r: &std::ops::Range<usize>| {
            r.start <= r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
        };
        let ranges_fit =
            self.diagnostics.iter().all(|d| {
                fits(&d.range) && d.fix.iter().flat_map(|f| &f.edits).all(|e| fits(&e.range))
            }) && self.values.iter().all(|v| fits(&v.range));
        if !ranges_fit {
            return None;
        }
        Some(FileReport {
            path: path.to_string(),
            kind: self.kind,
            kind_source,
            items,
            diagnostics: self.diagnostics,
            values: self.values,
            document: Document::excerpt(source),
            // set by the caller from the input file (a .docx's paragraphs)
            paragraphs: None,
            pages: None,
        })
    }
}
