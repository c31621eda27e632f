use std::process::ExitCode;

use clap::Parser;

/// A document is thousands of small tokens, each with its own strings: mimalloc makes
/// their allocation and freeing markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kiyaku::cli::run(kiyaku::cli::Cli::parse())
}
