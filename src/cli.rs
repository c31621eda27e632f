//! The command line: `kiyaku check | explain | catalogs`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::catalog::{self, Catalog, Severity};
use crate::decode;
use crate::diagnostic::{Code, Language};
use crate::explain;
use crate::extract::{self, Extracted, Format as InputFormat};
use crate::kind::DocumentKind;
use crate::lint::FileReport;
use crate::report;

#[derive(Parser, Debug)]
#[command(
    name = "kiyaku",
    version,
    about = "Checks Japanese privacy notices, personal-information regulations and consignment contracts for required and consistent clauses."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files or folders (recursive, .gitignore respected); '-' reads standard input.
    Check(CheckArgs),
    /// Explain a diagnostic code or a catalog item: what it checks, why, the basis, a fix.
    Explain {
        /// A code (missing-clause …) or an item id (consignment/audit-right).
        what: String,
        #[arg(long, value_enum, default_value = "ja")]
        lang: Language,
    },
    /// Run the language server on standard input and output.
    Lsp,
    /// List the catalogs and items in force, or derive one from a regulation.
    Catalogs {
        #[arg(long)]
        json: bool,
        /// Extra catalog files.
        #[arg(long = "catalog")]
        catalogs: Vec<PathBuf>,
        /// Print, as catalog TOML, the items a regulation's article lists for contracts.
        #[arg(long, value_name = "REGULATION")]
        derive: Option<PathBuf>,
        #[arg(long, requires = "derive")]
        article: Option<u32>,
        #[arg(long, requires = "derive", default_value = "1")]
        paragraph: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// The documents × items matrix, for spreadsheets (UTF-8 with BOM, CRLF).
    Csv,
    /// One self-contained page for a legal team.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders; '-' for standard input. Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Treat every document as this kind instead of detecting it.
    #[arg(long, value_enum)]
    pub kind: Option<DocumentKind>,
    /// Extra catalog files (TOML).
    #[arg(long = "catalog")]
    pub catalogs: Vec<PathBuf>,
    /// Exit with status 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_on: FailOn,
    /// Message language (default: kiyaku.toml's, else ja).
    #[arg(long, value_enum)]
    pub lang: Option<Language>,
    /// The configuration file (default: the nearest kiyaku.toml above the first path).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the report to this file instead of standard output (byte for byte, unlike
    /// Windows PowerShell's `>`, which re-encodes it).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Neither read nor write the result cache.
    #[arg(long)]
    pub no_cache: bool,
    /// The result cache folder (default: $KIYAKU_CACHE_DIR, else $XDG_CACHE_HOME/kiyaku,
    /// else ~/.cache/kiyaku).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// File extensions checked when a folder is given (.docx and .html are extracted first).
const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "md", "markdown", "docx", "html", "htm"];

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Lsp => crate::lsp::run(),
        Command::Explain { what, lang } => {
            match explain::explain(&what, &catalog::builtin_catalogs(), lang) {
                Some(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!(
                        "kiyaku: error: `{what}` is neither a diagnostic code nor a catalog item id (see `kiyaku catalogs`)"
                    );
                    ExitCode::from(2)
                }
            }
        }
        Command::Catalogs {
            derive: Some(regulation),
            article,
            paragraph,
            ..
        } => derive_catalog(&regulation, article, paragraph),
        Command::Catalogs { json, catalogs, .. } => {
            let (catalogs, errors) = catalog::catalogs_with_extra(&catalogs);
            for e in &errors {
                eprintln!("kiyaku: error: {e}");
            }
            print!("{}", explain::list_catalogs(&catalogs, json));
            if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
    }
}

/// A document to check: a path on disk or standard input.
enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }
}

fn collect_inputs(paths: &[PathBuf], errors: &mut Vec<String>) -> Vec<Input> {
    let mut inputs = Vec::new();
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(&path)
                .build()
                .filter_map(|entry| match entry {
                    Ok(e) => Some(e),
                    Err(err) => {
                        errors.push(format!("{}: {err}", path.display()));
                        None
                    }
                })
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .map(|e| e.into_path())
                .filter(|p| is_document(p))
                .collect();
            found.sort();
            inputs.extend(found.into_iter().map(Input::File));
        } else if path.exists() {
            inputs.push(Input::File(path));
        } else {
            errors.push(format!("{}: no such file or folder", path.display()));
        }
    }
    inputs
}

fn is_document(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The text of a document: decoded, or extracted from a .docx or .html by its extension.
fn read_input(input: &Input, stdin: &Option<Vec<u8>>) -> Result<Extracted, String> {
    let (bytes, format) = match input {
        Input::File(p) => (
            std::fs::read(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?,
            InputFormat::of(p),
        ),
        Input::Stdin => (stdin.clone().unwrap_or_default(), InputFormat::Text),
    };
    extract::extract(format, &bytes).map_err(|e| format!("{}: {e}", input.display()))
}

fn check(args: CheckArgs) -> ExitCode {
    let mut errors = Vec::new();
    let start = args
        .paths
        .first()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = match args.config.clone().or_else(|| crate::config::find(&start)) {
        Some(path) => match crate::config::load(&path) {
            Ok(c) => c,
            Err(e) => {
                errors.push(e.to_string());
                crate::config::Config::default()
            }
        },
        None => crate::config::Config::default(),
    };
    let (engine, config_errors) = config.engine(&args.catalogs);
    errors.extend(config_errors);
    let language = args
        .lang
        .unwrap_or(if config.language.as_deref() == Some("en") {
            Language::En
        } else {
            Language::Ja
        });
    let inputs = collect_inputs(&args.paths, &mut errors);
    let stdin = inputs.iter().any(|i| matches!(i, Input::Stdin)).then(|| {
        let mut buf = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut buf);
        buf
    });
    let cache = (!args.no_cache)
        .then(|| args.cache_dir.clone().or_else(crate::cache::default_dir))
        .flatten()
        .and_then(|dir| {
            let settings = format!("{:?} {language:?} {config:?}", args.kind);
            crate::cache::Cache::open(dir, &engine, &settings)
        });
    let progress = progress_bar(inputs.len(), args.quiet);
    // Files are checked in parallel; each report is made compact (its document dropped)
    // as soon as the file is checked, and `collect` keeps the inputs' order.
    let results: Vec<Result<FileReport, String>> = inputs
        .par_iter()
        .map(|input| {
            let result = read_input(input, &stdin).map(|extracted| {
                let path = input.display();
                let cache = match input {
                    Input::File(_) => cache.as_ref(),
                    Input::Stdin => None,
                };
                let mut report =
                    crate::cache::check(&engine, cache, &path, extracted.text, args.kind);
                report.paragraphs = extracted.paragraphs;
                report
            });
            if let Some(p) = &progress {
                p.inc(1);
            }
            result
        })
        .collect();
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let mut reports = Vec::new();
    for r in results {
        match r {
            Ok(report) => reports.push(report),
            Err(e) => errors.push(e),
        }
    }
    crate::lint::cross_check(&mut reports);
    let rendered = match args.format {
        Format::Text => report::text::render(&reports, language),
        Format::Json => report::json::render(&reports, language),
        Format::Sarif => report::sarif::render(&reports, &engine.catalogs, language),
        Format::Github => report::github::render(&reports, language),
        Format::Csv => report::csv::render(&reports, &engine.catalogs, language),
        Format::Html => report::html::render(&reports, &engine.catalogs, language),
    };
    if let Some(path) = &args.output {
        if let Err(e) = std::fs::write(path, rendered.as_bytes()) {
            errors.push(format!("{}: cannot write: {e}", path.display()));
        }
    } else {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(rendered.as_bytes());
        let _ = stdout.flush();
    }
    for e in &errors {
        eprintln!("kiyaku: error: {e}");
    }
    if !errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match args.fail_on {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.suppressed.is_none() && d.severity >= threshold);
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn progress_bar(len: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || len < 20 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    Some(bar)
}

fn derive_catalog(regulation: &Path, article: Option<u32>, paragraph: u32) -> ExitCode {
    let Some(article) = article else {
        eprintln!("kiyaku: error: --derive needs --article");
        return ExitCode::from(2);
    };
    let text = match std::fs::read(regulation)
        .map_err(|e| e.to_string())
        .and_then(|b| {
            decode::decode(&b)
                .map(|(t, _)| t)
                .map_err(|e| e.to_string())
        }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kiyaku: error: {}: {e}", regulation.display());
            return ExitCode::from(2);
        }
    };
    let builtin = catalog::builtin_catalogs()
        .into_iter()
        .find(|c| c.id == "consignment")
        .expect("built-in consignment catalog");
    match crate::derive::derive(
        &regulation.display().to_string(),
        &text,
        article,
        paragraph,
        &builtin,
    ) {
        Ok(c) => match toml::to_string(&c) {
            Ok(t) => {
                print!("{t}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("kiyaku: error: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("kiyaku: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Every code is explainable (checked by tests).
pub fn all_codes() -> impl Iterator<Item = Code> {
    Code::ALL.into_iter()
}

/// Catalog lookup by full item id.
pub fn find_item<'c>(
    catalogs: &'c [Catalog],
    id: &str,
) -> Option<(&'c Catalog, &'c catalog::Item)> {
    let (cat, item) = id.split_once('/')?;
    let c = catalogs.iter().find(|c| c.id == cat)?;
    Some((c, c.items.iter().find(|i| i.id == item)?))
}
