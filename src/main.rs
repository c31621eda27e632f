use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    kiyaku::cli::run(kiyaku::cli::Cli::parse())
}
