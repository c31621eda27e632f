//! kiyaku's integration tests, in one binary (each test binary links the
//! embedded dictionary, so one binary keeps builds fast).

mod cache;
mod catalogs;
mod checks;
mod cli;
mod codes;
mod corpus;
mod findings;
mod fixtures;
mod hostile;
mod inputs;
mod lsp;
mod lsp_input;
mod mistakes;
mod modules;
mod pathological;
mod pdf;
mod reports;
mod structure;
mod tables;

use std::path::{Path, PathBuf};

/// The kiyaku binary, run as it would be on a machine with no language preference and
/// outside GitHub Actions: the locale (which chooses the message language when neither
/// `--lang` nor kiyaku.toml does) and `$GITHUB_STEP_SUMMARY` are taken from the test, not
/// from the environment the tests run in.
pub fn kiyaku_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kiyaku"));
    for var in [
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "LANGUAGE",
        "GITHUB_STEP_SUMMARY",
    ] {
        command.env_remove(var);
    }
    command
}

/// A small deterministic generator (xorshift) for the tests that make random edits: the same
/// edits on every run. Each call gives a number below its argument.
pub fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % below.max(1) as u64) as usize
    }
}

/// The files of `folder`, sorted by name, so that a test reads them in the same order on
/// every machine.
pub fn sorted_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// The JSON a kiyaku run printed on standard output.
pub fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// The first Chromium on PATH, for the tests that print or render a page (skipped, with
/// the reason, without one — except where `KIYAKU_REQUIRE_TOOLS` is set, as CI sets it once
/// it has installed Chromium: there a missing browser fails the test instead of skipping it).
pub fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    assert!(
        found.is_some() || std::env::var_os("KIYAKU_REQUIRE_TOOLS").is_none(),
        "no chromium on PATH, and KIYAKU_REQUIRE_TOOLS says the tests that need it must run"
    );
    found
}

/// Headless Chromium (`browser`) opening `page`, with the flags that keep it quiet and
/// offline; `profile` is a folder of its own for the browser's state.
pub fn headless_chromium(browser: &str, profile: &Path, page: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// Prints the page `html` to `pdf` with headless Chromium (`browser`), as a user's
/// browser prints it, without the browser's own header and footer; `profile` is a folder
/// of its own for the browser's state. True when the PDF was written.
pub fn print_to_pdf(browser: &str, html: &Path, pdf: &Path, profile: &Path) -> bool {
    headless_chromium(browser, profile, html)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .status()
        .is_ok_and(|s| s.success())
        && pdf.exists()
}

/// An empty folder for one test, in the system's temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiyaku-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Puts the corpus regulation in `dir` as `file_name`, beside a `kiyaku.toml` that derives
/// the consignment checklist from its 第36条第4項, followed by `more_config`.
pub fn beside_the_regulation(dir: &Path, file_name: &str, more_config: &str) {
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/shared/regulation-tsc.txt"),
        dir.join(file_name),
    )
    .unwrap();
    std::fs::write(
        dir.join("kiyaku.toml"),
        format!(
            "[derive]\nregulation = \"{file_name}\"\narticle = 36\nparagraph = 4\n{more_config}"
        ),
    )
    .unwrap();
}
