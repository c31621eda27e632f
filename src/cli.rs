//! The command line: `kiyaku check | explain | catalogs`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::catalog::{self, Severity};
use crate::diagnostic::{Language, Text};
use crate::engine::FileReport;
use crate::explain;
use crate::inputs::{self, Input, Reading};
use crate::kind::DocumentKind;
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
    #[command(after_help = inputs::INPUTS_HELP_EN)]
    Check(CheckArgs),
    /// Explain a diagnostic code or a catalog item: what it checks, why, the basis, a fix.
    Explain {
        /// A code (missing-clause …) or an item id (consignment/audit-right).
        what: String,
        /// Language (default: kiyaku.toml's, else the locale's, else ja).
        #[arg(long, value_enum)]
        lang: Option<Language>,
    },
    /// Run the language server on standard input and output.
    Lsp,
    /// List the catalogs and items in force, or derive one from a regulation.
    Catalogs {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Language (default: kiyaku.toml's, else the locale's, else ja).
        #[arg(long, value_enum)]
        lang: Option<Language>,
        /// Extra catalog files.
        #[arg(long = "catalog")]
        catalogs: Vec<PathBuf>,
        /// Print, as catalog TOML, the items a regulation's article lists for contracts.
        #[arg(long, value_name = "REGULATION")]
        derive: Option<PathBuf>,
        /// The article (条) whose items are the contract's checklist.
        #[arg(long, requires = "derive", value_parser = clap::value_parser!(u32).range(1..))]
        article: Option<u32>,
        /// The paragraph (項) of the article that lists the items (1 = the first).
        #[arg(long, requires = "derive", default_value = "1", value_parser = clap::value_parser!(u32).range(1..))]
        paragraph: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
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

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders; '-' for standard input. Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Treat every document as this kind instead of detecting it.
    #[arg(long, value_enum)]
    pub kind: Option<DocumentKind>,
    /// Extra catalog files (TOML).
    #[arg(long = "catalog")]
    pub catalogs: Vec<PathBuf>,
    /// Exit with status 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_on: Severity,
    /// Message language (default: kiyaku.toml's, else the locale's, else ja).
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
    /// else ~/.cache/kiyaku; on Windows %LOCALAPPDATA%\kiyaku).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Runs a parsed command line; `language` is the one chosen before parsing
/// (`locale::for_command_line`), which a subcommand's `--lang` confirms.
pub fn run(cli: Cli, language: Language) -> ExitCode {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Lsp => crate::lsp::run(),
        Command::Explain { what, lang } => {
            let language = lang.unwrap_or(language);
            match explain::explain(&what, &catalog::Catalogs::builtin(), language) {
                Some(text) => emit_or_exit(&text, None, ExitCode::SUCCESS, language),
                None => {
                    error(
                        &Text::new(
                            format!(
                                "`{what}` は診断コードでもカタログ項目IDでもありません（`kiyaku catalogs` を参照）"
                            ),
                            format!(
                                "`{what}` is neither a diagnostic code nor a catalog item id (see `kiyaku catalogs`)"
                            ),
                        ),
                        language,
                    );
                    ExitCode::from(2)
                }
            }
        }
        Command::Catalogs {
            derive: Some(regulation),
            article,
            paragraph,
            lang,
            ..
        } => derive_catalog(&regulation, article, paragraph, lang.unwrap_or(language)),
        Command::Catalogs {
            json,
            catalogs,
            lang,
            ..
        } => {
            let language = lang.unwrap_or(language);
            let (catalogs, errors) = catalog::Catalogs::with_extra(&catalogs);
            for e in &errors {
                eprintln!("kiyaku: {}: {}", error_word(language), e.show(language));
            }
            let code = if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
            emit_or_exit(
                &explain::list_catalogs(&catalogs, json, language),
                None,
                code,
                language,
            )
        }
    }
}

/// 「エラー」 or "error", after `kiyaku:` on standard error.
fn error_word(language: Language) -> &'static str {
    match language {
        Language::Ja => "エラー",
        Language::En => "error",
    }
}

/// Prints an error of the command line on standard error, in `language`.
fn error(message: &Text, language: Language) {
    eprintln!(
        "kiyaku: {}: {}",
        error_word(language),
        message.get(language)
    );
}

fn check(args: CheckArgs) -> ExitCode {
    let mut errors = Vec::new();
    let mut config_errors = Vec::new();
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
                config_errors.push(e);
                crate::config::Config::default()
            }
        },
        None => crate::config::Config::default(),
    };
    let (engine, more) = config.engine(&args.catalogs);
    config_errors.extend(more);
    let language = args
        .lang
        .or_else(|| crate::locale::of_setting(config.language.as_deref()))
        .or_else(crate::locale::from_environment)
        .unwrap_or_default();
    errors.extend(
        config_errors
            .iter()
            .map(|e| Text::new(e.show(Language::Ja), e.show(Language::En))),
    );
    let mut inputs = inputs::collect(&args.paths, &mut errors);
    if let Some(output) = &args.output {
        // the report must never overwrite a document; an earlier report at that place is
        // not a document and is simply replaced
        let target = inputs::resolve_output(output);
        let mut refused = false;
        inputs.retain(|input| {
            let Input::File(p) = input else { return true };
            if std::fs::canonicalize(p).ok().as_ref() != Some(&target) {
                return true;
            }
            let own = inputs::read_file(p).is_ok_and(|b| report::written_by_kiyaku(&b));
            refused |= !own;
            false
        });
        if refused {
            error(
                &Text::new(
                    "--output は検査する文書を指しています。上書きしません（何も書き込んでいません）",
                    "--output names a document being checked; refusing to overwrite it (nothing was written)",
                )
                .at(&output.display().to_string()),
                language,
            );
            return ExitCode::from(2);
        }
    }
    let stdin = match inputs.contains(&Input::Stdin) {
        true => match inputs::read_capped(std::io::stdin().lock()) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                errors.push(e.at("<stdin>"));
                inputs.retain(|i| *i != Input::Stdin);
                None
            }
        },
        false => None,
    };
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
    let results: Vec<Result<Option<FileReport>, Text>> = inputs
        .par_iter()
        .map(|input| {
            let result = inputs::read(input, stdin.as_deref()).map(|reading| match reading {
                Reading::Document(extracted) => {
                    let path = input.display();
                    let cache = match input {
                        Input::File(_) => cache.as_ref(),
                        Input::Stdin => None,
                    };
                    let mut report =
                        crate::cache::check(&engine, cache, &path, extracted.text, args.kind);
                    report.paragraphs = extracted.paragraphs;
                    report.pages = extracted.pages;
                    // a large .docx's turn lasts until its text is checked (and dropped)
                    drop(extracted.large);
                    Some(report)
                }
                Reading::OwnReport => None,
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
    for (input, r) in inputs.iter().zip(results) {
        match r {
            Ok(Some(report)) => reports.push(report),
            Ok(None) => match language {
                Language::Ja => eprintln!(
                    "kiyaku: 注意: {}: kiyaku が書いたレポートのため検査しません",
                    input.display()
                ),
                Language::En => eprintln!(
                    "kiyaku: note: {}: skipped, a report written by kiyaku",
                    input.display()
                ),
            },
            Err(e) => errors.push(e),
        }
    }
    crate::engine::cross_check(&mut reports);
    for report in &mut reports {
        engine.codes.apply(&mut report.diagnostics);
    }
    let rendered = match args.format {
        OutputFormat::Text => report::text::render(&reports, language),
        OutputFormat::Json => report::json::render(&reports, language),
        OutputFormat::Sarif => report::sarif::render(&reports, &engine.catalogs, language),
        OutputFormat::Github => report::github::render(&reports, language),
        OutputFormat::Csv => report::csv::render(&reports, &engine.catalogs, language),
        OutputFormat::Html => report::html::render(&reports, &engine.catalogs, language),
    };
    if let Err(e) = emit(&rendered, args.output.as_deref()) {
        errors.push(e);
    }
    if args.format == OutputFormat::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
        && let Err(e) = append(
            Path::new(&path),
            &report::github::step_summary(&reports, language),
        )
    {
        errors.push(e);
    }
    for e in &errors {
        error(e, language);
    }
    if !errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = args.fail_on;
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

/// Writes a report or listing to `--output` or standard output. A failed write (a full
/// disk, a closed pipe, `/dev/full`) is an error that names where it went.
pub fn emit(text: &str, output: Option<&Path>) -> Result<(), Text> {
    match output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| cannot_write(&path.display().to_string(), &e)),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| cannot_write("standard output", &e))
        }
    }
}

fn cannot_write(place: &str, e: &std::io::Error) -> Text {
    let place_ja = if place == "standard output" {
        "標準出力"
    } else {
        place
    };
    Text::new(
        format!("{place_ja}: 書き込めません（{e}）"),
        format!("{place}: cannot write: {e}"),
    )
}

/// Appends to a file (the job summary GitHub collects from each step's
/// `$GITHUB_STEP_SUMMARY`); a failed write names the file.
fn append(path: &Path, text: &str) -> Result<(), Text> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| cannot_write(&path.display().to_string(), &e))
}

/// `emit`, then `code`; exit status 2 with the message when the write failed.
fn emit_or_exit(text: &str, output: Option<&Path>, code: ExitCode, language: Language) -> ExitCode {
    match emit(text, output) {
        Ok(()) => code,
        Err(e) => {
            error(&e, language);
            ExitCode::from(2)
        }
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

fn derive_catalog(
    regulation: &Path,
    article: Option<u32>,
    paragraph: u32,
    language: Language,
) -> ExitCode {
    let Some(article) = article else {
        error(
            &Text::new(
                "--derive には --article（条の番号）が必要です",
                "--derive needs --article",
            ),
            language,
        );
        return ExitCode::from(2);
    };
    // read like a checked document: a .docx or .html regulation is extracted first
    let text = match inputs::read(&Input::File(regulation.to_path_buf()), None) {
        Ok(Reading::Document(extracted)) => extracted.text,
        Ok(Reading::OwnReport) => {
            error(
                &Text::new(
                    "kiyaku が書いたレポートで、規程ではありません",
                    "a report written by kiyaku, not a regulation",
                )
                .at(&regulation.display().to_string()),
                language,
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            error(&e, language);
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
            Ok(t) => emit_or_exit(&t, None, ExitCode::SUCCESS, language),
            Err(e) => {
                eprintln!("kiyaku: {}: {e}", error_word(language));
                ExitCode::from(2)
            }
        },
        Err(crate::derive::DeriveError::Items(errors)) => {
            for e in errors {
                eprintln!("kiyaku: {}: {}", error_word(language), e.show(language));
            }
            ExitCode::from(2)
        }
        Err(crate::derive::DeriveError::Provision { message, .. }) => {
            error(&message, language);
            ExitCode::from(2)
        }
    }
}
