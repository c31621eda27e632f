//! The command line's help and usage errors in the language of the run. clap writes them
//! in English; in Japanese every about, argument help, heading, usage line and the common
//! usage errors are given here. The language is chosen before parsing
//! (`locale::for_command_line`), since `--help` and a mistyped argument must already be
//! answered in it.

use std::process::ExitCode;

use clap::builder::Command as ClapCommand;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, CommandFactory};

use crate::cli::Cli;
use crate::diagnostic::Language;

const TEMPLATE_JA: &str = "{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// Japanese texts of the commands: (subcommand, about, usage).
const COMMANDS_JA: &[(&str, &str, &str)] = &[
    (
        "",
        "日本語の個人情報保護方針・個人情報取扱規程・業務委託契約書を、必須条項と整合性について検査します。",
        "kiyaku <コマンド> [オプション]",
    ),
    (
        "check",
        "ファイルやフォルダを検査します（サブフォルダも。.gitignore に従います）。'-' は標準入力を読みます。",
        "kiyaku check [オプション] [パス]...",
    ),
    (
        "explain",
        "診断コードやカタログ項目を説明します: 何を検査するか、その理由、根拠、修正例。",
        "kiyaku explain [オプション] <コードまたは項目ID>",
    ),
    (
        "lsp",
        "言語サーバーを標準入出力で起動します。",
        "kiyaku lsp",
    ),
    (
        "catalogs",
        "有効なカタログと項目を一覧します。規程からカタログを作ることもできます。",
        "kiyaku catalogs [オプション]",
    ),
];

/// Japanese help of the arguments: (subcommand, argument id, value name, help).
const ARGS_JA: &[(&str, &str, &str, &str)] = &[
    (
        "check",
        "paths",
        "パス",
        "検査するファイルやフォルダ。'-' は標準入力。省略すると現在のフォルダ",
    ),
    (
        "check",
        "format",
        "形式",
        "出力の形式: text（既定。端末向け）、json、sarif（コードスキャン）、github（GitHub Actions）、csv（Excel 用の一覧表）、html（法務部門向けのレポート）",
    ),
    (
        "check",
        "kind",
        "種類",
        "文書の種類を判定せず、この種類として検査します: privacy-notice（個人情報保護方針）、regulation（規程）、consignment-contract（委託契約）",
    ),
    (
        "check",
        "catalogs",
        "ファイル",
        "追加のカタログファイル（TOML）",
    ),
    (
        "check",
        "fail_on",
        "重要度",
        "この重要度以上の指摘があれば終了コードを 1 にします: error、warning（既定）、info",
    ),
    (
        "check",
        "lang",
        "言語",
        "メッセージの言語: ja、en（既定: kiyaku.toml の language、なければロケール、なければ ja）",
    ),
    (
        "check",
        "config",
        "ファイル",
        "設定ファイル（既定: 最初のパスから上にたどって最も近い kiyaku.toml）",
    ),
    ("check", "quiet", "", "進行状況を表示しません"),
    (
        "check",
        "output",
        "ファイル",
        "レポートを標準出力ではなくこのファイルに書きます（Windows PowerShell の > と違い、文字コードを変えません）",
    ),
    (
        "check",
        "no_cache",
        "",
        "結果のキャッシュを読み書きしません",
    ),
    (
        "check",
        "cache_dir",
        "フォルダ",
        "結果のキャッシュのフォルダ（既定: $KIYAKU_CACHE_DIR、なければ $XDG_CACHE_HOME/kiyaku、なければ ~/.cache/kiyaku。Windows では %LOCALAPPDATA%\\kiyaku）",
    ),
    (
        "explain",
        "what",
        "コードまたは項目ID",
        "診断コード（missing-clause など）またはカタログ項目ID（consignment/audit-right など）",
    ),
    (
        "explain",
        "lang",
        "言語",
        "言語: ja、en（既定: kiyaku.toml の language、なければロケール、なければ ja）",
    ),
    ("catalogs", "json", "", "JSON で出力します"),
    (
        "catalogs",
        "lang",
        "言語",
        "言語: ja、en（既定: kiyaku.toml の language、なければロケール、なければ ja）",
    ),
    (
        "catalogs",
        "catalogs",
        "ファイル",
        "追加のカタログファイル（TOML）",
    ),
    (
        "catalogs",
        "derive",
        "規程",
        "規程の条が列挙する項目を、委託契約のカタログ（TOML）として出力します",
    ),
    (
        "catalogs",
        "article",
        "条",
        "項目を列挙している条の番号（--derive とともに）",
    ),
    (
        "catalogs",
        "paragraph",
        "項",
        "項目を列挙している項の番号（1 = 第1項。既定 1）",
    ),
];

/// The command line's definition, with its help in `language`.
pub fn command(language: Language) -> ClapCommand {
    let command = Cli::command();
    match language {
        Language::En => command,
        Language::Ja => japanese(command),
    }
}

fn japanese(command: ClapCommand) -> ClapCommand {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let mut command = localise(command, "")
        .subcommand_help_heading("コマンド")
        .subcommand_value_name("コマンド")
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("バージョンを表示します")
                .help_heading("オプション"),
        );
    for name in names {
        command = command.mut_subcommand(name.clone(), |sub| localise(sub, &name));
    }
    // the `help` subcommand is made by clap when the command is built
    command.build();
    command.mut_subcommand("help", |help| {
        help.about("このヘルプ、または指定したコマンドのヘルプを表示します")
            .override_usage("kiyaku help [コマンド]")
            .help_template(TEMPLATE_JA)
    })
}

/// One command's about, usage, argument helps and headings in Japanese; its help flag
/// replaced by one that says 「ヘルプを表示します」.
fn localise(mut command: ClapCommand, name: &str) -> ClapCommand {
    if let Some((_, about, usage)) = COMMANDS_JA.iter().find(|(n, _, _)| *n == name) {
        command = command.about(*about).override_usage(*usage);
    }
    if name == "check" {
        command = command.after_help(crate::inputs::INPUTS_HELP_JA);
    }
    let ids: Vec<(String, bool)> = command
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let text = ARGS_JA.iter().find(|(c, a, _, _)| *c == name && *a == id);
        command = command.mut_arg(&id, |mut arg| {
            if let Some((_, _, value, help)) = text {
                arg = arg.help(*help).long_help(None);
                // the values and the default are named in the help, in Japanese
                if arg.get_action().takes_values() {
                    arg = arg.hide_possible_values(true).hide_default_value(true);
                }
                if !value.is_empty() {
                    arg = arg.value_name(*value);
                }
            }
            arg.help_heading(if positional {
                "引数"
            } else {
                "オプション"
            })
        });
    }
    command
        .help_template(TEMPLATE_JA)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("ヘルプを表示します")
                .help_heading("オプション"),
        )
}

/// Answers a parse that ended early: the help or version (exit status 0), or a usage
/// error in `language` (exit status 2).
pub fn exit_with(error: clap::Error, language: Language) -> ExitCode {
    let kind = error.kind();
    if matches!(kind, ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || language == Language::En
    {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    }
    if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // the help, on standard error
        let _ = error.print();
        return ExitCode::from(2);
    }
    eprint!("{}", japanese_error(&error));
    ExitCode::from(2)
}

fn context(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A usage error in Japanese, with what was meant when clap knows it, the usage line and
/// where to read more.
fn japanese_error(error: &clap::Error) -> String {
    let arg = context(error, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(error, ContextKind::InvalidValue).unwrap_or_default();
    let mut message = match error.kind() {
        ErrorKind::UnknownArgument => format!("不明な引数 '{arg}' です"),
        ErrorKind::InvalidSubcommand => format!(
            "不明なコマンド '{}' です",
            context(error, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} に値がありません"),
        ErrorKind::InvalidValue => match context(error, ContextKind::ValidValue) {
            Some(valid) => format!("'{value}' は {arg} に使えない値です（使える値: {valid}）"),
            None => format!("'{value}' は {arg} に使えない値です"),
        },
        ErrorKind::ValueValidation => format!("'{value}' は {arg} の値として正しくありません"),
        ErrorKind::MissingRequiredArgument => format!("必要な引数がありません: {arg}"),
        ErrorKind::MissingSubcommand => "コマンドがありません".to_string(),
        ErrorKind::ArgumentConflict => format!(
            "{arg} は {} と同時に使えません",
            context(error, ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::NoEquals => format!("{arg} には = で値を続けてください"),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} の値の数が正しくありません")
        }
        ErrorKind::InvalidUtf8 => "引数が UTF-8 ではありません".to_string(),
        _ => format!(
            "コマンドラインの誤りです: {}",
            error.kind().as_str().unwrap_or("")
        ),
    };
    if let Some(suggested) = context(error, ContextKind::SuggestedArg)
        .or_else(|| context(error, ContextKind::SuggestedSubcommand))
        .or_else(|| context(error, ContextKind::SuggestedValue))
    {
        message.push_str(&format!("（もしかして: '{suggested}'）"));
    }
    let usage = context(error, ContextKind::Usage)
        .map(|u| {
            let u = u.trim();
            let u = u.strip_prefix("Usage:").unwrap_or(u).trim();
            format!("\n使い方: {u}\n")
        })
        .unwrap_or_default();
    format!("kiyaku: エラー: {message}\n{usage}\n詳しくは '--help' を付けて実行してください。\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument of every subcommand has Japanese help (a new option must add one).
    #[test]
    fn every_argument_has_japanese_help() {
        let command = Cli::command();
        for sub in command.get_subcommands() {
            assert!(
                COMMANDS_JA.iter().any(|(n, _, _)| *n == sub.get_name()),
                "{}",
                sub.get_name()
            );
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                assert!(
                    ARGS_JA
                        .iter()
                        .any(|(c, a, _, _)| *c == sub.get_name() && *a == id),
                    "{} {id}: no Japanese help",
                    sub.get_name()
                );
            }
        }
        command.debug_assert();
        let mut japanese = command_for_test();
        japanese.build();
    }

    fn command_for_test() -> ClapCommand {
        command(Language::Ja)
    }
}
