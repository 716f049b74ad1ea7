//! What a plugin is and says about itself, whatever API version it was built against: its kind (the
//! world it implements) and its answer to `describe()`. The bottom of the runtime: it uses nothing
//! else of it, so validation, loading and every version's bindings can share it.

/// Which world a plugin implements.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PluginKind {
    Importer,
    RetentionRule,
    Exporter,
}

impl PluginKind {
    pub const ALL: [PluginKind; 3] = [
        PluginKind::Importer,
        PluginKind::RetentionRule,
        PluginKind::Exporter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Importer => "importer",
            PluginKind::RetentionRule => "retention-rule",
            PluginKind::Exporter => "exporter",
        }
    }

    /// The kind with its article, for messages: `an importer`, `a retention-rule`.
    pub fn with_article(self) -> &'static str {
        match self {
            PluginKind::Importer => "an importer",
            PluginKind::RetentionRule => "a retention-rule",
            PluginKind::Exporter => "an exporter",
        }
    }

    /// The interface whose export marks a component as this world.
    pub(crate) fn marker_interface(self) -> &'static str {
        match self {
            PluginKind::Importer => "source",
            PluginKind::RetentionRule => "rule",
            PluginKind::Exporter => "render",
        }
    }
}

impl std::fmt::Display for PluginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A setting a plugin declares in `describe()`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConfigKeyInfo {
    pub name: String,
    pub doc: String,
    pub required: bool,
    pub default_value: Option<String>,
}

/// A plugin's answer to `describe()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    pub name: String,
    pub version: String,
    /// The world it says it implements (checked against the one it exports).
    pub kind: PluginKind,
    pub summary: String,
    pub config_keys: Vec<ConfigKeyInfo>,
}

/// A setting a plugin refuses, from its own check of its settings (plugin API 0.2's
/// `check-config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The setting, as the plugin declares it.
    pub key: String,
    /// What is wrong with its value, in the plugin's words.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::StartError;

    #[test]
    fn messages_name_a_kind_with_its_article() {
        let wrong = StartError::WrongKind {
            plugin: "lines".into(),
            version: "0.1.0".into(),
            kind: PluginKind::RetentionRule,
            wanted: PluginKind::Importer,
        };
        assert_eq!(
            wrong.to_string(),
            "plugin `lines` 0.1.0 is of kind `retention-rule`, but an importer plugin is needed here: choose an importer plugin"
        );
    }
}
