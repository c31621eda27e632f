//! The client's settings (`initializationOptions`, `workspace/didChangeConfiguration`, or
//! pulled with `workspace/configuration`): language, kind, more catalogs, kind globs, the
//! globs of the notices given at acquisition.

use tower_lsp_server::ls_types::{ConfigurationItem, MessageType};

use super::Backend;
use super::state::{ClientOptions, lock};
use crate::diagnostic::Language;
use crate::kind::DocumentKind;

/// Settings the client sends (`initializationOptions`, `workspace/didChangeConfiguration`) or
/// kiyaku pulls (`workspace/configuration`, section `kiyaku`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Settings {
    language: Option<String>,
    kind: Option<String>,
    /// more catalog files, absolute or relative to the workspace root
    catalogs: Vec<String>,
    /// glob relative to the workspace root → document kind
    kinds: std::collections::BTreeMap<String, String>,
    /// globs relative to the workspace root of the notices given where the data are entered
    /// (a form's note), as kiyaku.toml's `notices-at-acquisition`
    notices_at_acquisition: Vec<String>,
}

impl Settings {
    /// The settings in `value`: the `kiyaku` section of it, or the value itself; None when
    /// they do not have the settings' shape.
    fn read(value: &serde_json::Value) -> Option<Settings> {
        serde_json::from_value(
            value
                .get("kiyaku")
                .cloned()
                .unwrap_or_else(|| value.clone()),
        )
        .ok()
    }

    /// The catalogs and kind globs, resolved against the workspace `root`; kinds that are
    /// no kind are left out.
    fn client_options(&self, root: std::path::PathBuf) -> ClientOptions {
        ClientOptions {
            catalogs: self.catalogs.iter().map(|c| root.join(c)).collect(),
            kinds: self
                .kinds
                .iter()
                .filter_map(|(glob, kind)| Some((glob.clone(), DocumentKind::parse(kind)?)))
                .collect(),
            notices_at_acquisition: self.notices_at_acquisition.clone(),
            root,
        }
    }
}

impl Backend {
    /// Asks a client that supports it for the `kiyaku` settings section and applies it;
    /// false when the client does not pull or sent nothing usable.
    pub(super) async fn pull_settings(&self) -> bool {
        if !lock(&self.state).pulls_configuration {
            return false;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("kiyaku".into()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => match values.into_iter().next() {
                Some(value) if value.is_object() => {
                    self.apply_settings(&value);
                    true
                }
                _ => false,
            },
            Err(e) => {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("workspace/configuration failed: {e}"),
                    )
                    .await;
                false
            }
        }
    }

    /// Applies the client's whole settings section.
    pub(super) fn apply_settings(&self, value: &serde_json::Value) {
        let Some(settings) = Settings::read(value) else {
            return;
        };
        let mut state = lock(&self.state);
        // the settings are the client's whole section: a language it no longer names
        // gives way to kiyaku.toml's
        state.language = Language::of_setting(settings.language.as_deref());
        state.kind = settings.kind.as_deref().and_then(DocumentKind::parse);
        let root = state.root.clone();
        drop(state);
        self.engines.set_client(settings.client_options(root));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kiyaku_section_or_the_whole_value_is_read() {
        let value = serde_json::json!({"kiyaku": {"language": "en", "catalogs": ["x.toml"],
            "kinds": {"docs/*.txt": "regulation", "memo/*": "no-such-kind"},
            "noticesAtAcquisition": ["forms/**"]}});
        let settings = Settings::read(&value).expect("settings");
        assert_eq!(settings.language.as_deref(), Some("en"));
        let options = settings.client_options("/w".into());
        assert_eq!(
            options.catalogs,
            vec![std::path::PathBuf::from("/w/x.toml")]
        );
        assert_eq!(
            options.kinds,
            vec![("docs/*.txt".to_string(), DocumentKind::Regulation)]
        );
        assert_eq!(options.notices_at_acquisition, vec!["forms/**".to_string()]);
        let bare = Settings::read(&serde_json::json!({"kind": "regulation"})).expect("settings");
        assert_eq!(bare.kind.as_deref(), Some("regulation"));
    }

    #[test]
    fn settings_of_another_shape_are_none() {
        assert!(Settings::read(&serde_json::json!({"catalogs": "x.toml"})).is_none());
        assert!(Settings::read(&serde_json::json!("en")).is_none());
    }
}
