//! Which language kiyaku speaks when nothing says so on the command line: the
//! configuration's `language`, then the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, in the
//! order POSIX gives them), else Japanese, the language of the documents it checks.

use std::ffi::OsString;

use crate::diagnostic::Language;

/// The language a locale name asks for: `ja_JP.UTF-8` Japanese, `en_US.UTF-8` (any other
/// language) English; the neutral `C` and `POSIX` locales, which containers and CI run
/// under by default, ask for none.
pub fn of_locale(name: &str) -> Option<Language> {
    let language = name.split(['_', '.', '@']).next().unwrap_or("");
    match language {
        "" | "C" | "POSIX" => None,
        "ja" => Some(Language::Ja),
        _ => Some(Language::En),
    }
}

/// The language of the process's locale: the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
/// that is set and not empty decides.
pub fn from_environment() -> Option<Language> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .and_then(|v| of_locale(&v.to_string_lossy()))
}

/// The language of a configuration's `language` value (`ja` or `en`; anything else is
/// reported by `config` and asks for none).
pub fn of_setting(value: Option<&str>) -> Option<Language> {
    Language::of_setting(value)
}

/// `--lang X` or `--lang=X` among the arguments, before they are parsed (the help and the
/// errors of parsing itself must already be in that language). The last one wins, as
/// when parsed; an invalid value asks for none.
pub fn from_arguments(args: &[OsString]) -> Option<Language> {
    let mut found = None;
    let mut args = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--lang") {
            Some("") => args.next().map(|v| v.into_owned()),
            Some(rest) => match rest.strip_prefix('=') {
                Some(v) => Some(v.to_string()),
                None => continue,
            },
            None => continue,
        };
        if let Some(language) = of_setting(value.as_deref()) {
            found = Some(language);
        }
    }
    found
}

/// The language of the command line, decided before its arguments are parsed: `--lang`,
/// then the `language` of the configuration (`--config`, else the nearest kiyaku.toml above
/// the first path argument that exists, else above the current folder), then the locale,
/// else Japanese.
pub fn for_command_line(args: &[OsString]) -> Language {
    from_arguments(args)
        .or_else(|| configured(args))
        .or_else(from_environment)
        .unwrap_or_default()
}

fn configured(args: &[OsString]) -> Option<Language> {
    let strings: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let given = strings
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.as_str() {
            "--config" => strings.get(i + 1).cloned(),
            _ => a.strip_prefix("--config=").map(str::to_string),
        });
    let path = match given {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let start = strings
                .iter()
                .skip(1)
                .filter(|a| !a.starts_with('-'))
                .map(std::path::PathBuf::from)
                .find(|p| p.exists())
                .unwrap_or_else(|| std::path::PathBuf::from("."));
            crate::config::find(&start)?
        }
    };
    let config = crate::config::load(&path).ok()?;
    of_setting(config.language.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_name_a_language_or_none() {
        assert_eq!(of_locale("ja_JP.UTF-8"), Some(Language::Ja));
        assert_eq!(of_locale("ja"), Some(Language::Ja));
        assert_eq!(of_locale("en_US.UTF-8"), Some(Language::En));
        assert_eq!(of_locale("de_DE@euro"), Some(Language::En));
        assert_eq!(of_locale("C.UTF-8"), None);
        assert_eq!(of_locale("POSIX"), None);
        assert_eq!(of_locale(""), None);
    }

    #[test]
    fn lang_is_found_before_parsing() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            from_arguments(&args(&["kiyaku", "check", "--lang", "en", "x"])),
            Some(Language::En)
        );
        assert_eq!(
            from_arguments(&args(&["kiyaku", "--lang=ja", "explain"])),
            Some(Language::Ja)
        );
        assert_eq!(
            from_arguments(&args(&["kiyaku", "check", "--lang", "fr"])),
            None
        );
        assert_eq!(
            from_arguments(&args(&["kiyaku", "check", "--", "--lang", "en"])),
            None
        );
        assert_eq!(from_arguments(&args(&["kiyaku", "--language"])), None);
    }
}
