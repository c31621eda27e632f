use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // chosen before parsing: the help and the usage errors are in it too
    let language = kiyaku::locale::for_command_line(&args);
    let parsed = kiyaku::help::command(language)
        .try_get_matches_from(&args)
        .and_then(|matches| kiyaku::cli::Cli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => kiyaku::cli::run(cli, language),
        Err(e) => kiyaku::help::exit_with(e, language),
    }
}
