//! When an upload may take the place of an installed plugin: only when asked by name, and never
//! as another kind. An upload that silently replaced the bundled `csv` importer with anything that
//! calls itself `csv` would change what every later import does, unnoticed.

use super::super::{Error, Result};
use crate::runtime::Inspection;
use crate::store::StoredPlugin;

/// Refuses an upload that would replace `existing` without `replace` naming it, one of another
/// kind, and a `replace` that names another plugin than the upload's.
pub(super) fn check_replacement(
    upload: &Inspection,
    existing: Option<&StoredPlugin>,
    replace: Option<&str>,
) -> Result<()> {
    let name = &upload.name;
    let new = format!("`{name}` {} ({})", upload.version, short(&upload.digest));
    if let Some(asked) = replace.filter(|asked| *asked != name) {
        return Err(Error::invalid(
            "replace",
            format!("`replace` names plugin `{asked}`, but the upload is plugin {new}: name the plugin the upload replaces, or upload it without `replace`"),
        ));
    }
    let Some(old) = existing else {
        return match replace {
            Some(_) => Err(Error::invalid(
                "replace",
                format!("no plugin `{name}` is installed, so the upload {new} replaces nothing: upload it without `replace`"),
            )),
            None => Ok(()),
        };
    };
    let old_text = format!("`{name}` {} ({})", old.version, short(&old.digest));
    if old.kind != upload.kind.as_str() {
        return Err(Error::Conflict(format!(
            "plugin {old_text} is installed as {} plugin, and the upload {new} is {} plugin: a plugin cannot change its kind; give the new one another name",
            with_article(&old.kind),
            upload.kind.with_article()
        )));
    }
    if replace.is_none() {
        return Err(Error::Conflict(format!(
            "plugin {old_text} is installed; the upload is {new}: to replace it, upload again with `replace={name}` (`custode plugin install --replace {name} FILE`)"
        )));
    }
    Ok(())
}

/// `an importer`, `a retention-rule`.
fn with_article(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// `sha256:` and the first 12 hex digits of a digest.
fn short(digest: &str) -> String {
    format!("sha256:{}", &digest[..digest.len().min(12)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;
    use crate::runtime::PluginKind;

    fn upload(kind: PluginKind) -> Inspection {
        Inspection {
            digest: "b".repeat(64),
            size_bytes: 1,
            name: "lines".into(),
            version: "9.9.9".into(),
            kind,
            summary: String::new(),
            config_keys: vec![],
            api_version: "0.1.0".into(),
            imports: vec![],
            exports: vec![],
            uses_wasi: false,
        }
    }

    fn installed() -> StoredPlugin {
        StoredPlugin {
            name: "lines".into(),
            version: "0.1.0".into(),
            kind: "importer".into(),
            digest: "a".repeat(64),
            component: vec![],
            enabled: true,
            settings: serde_json::Value::Null,
            bundled: true,
            installed_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn replacing_needs_the_name_and_the_same_kind() {
        let old = installed();
        let importer = upload(PluginKind::Importer);
        let silent = check_replacement(&importer, Some(&old), None).unwrap_err();
        assert!(matches!(silent, Error::Conflict(_)), "{silent}");
        assert!(silent.to_string().contains("replace=lines"), "{silent}");
        assert!(check_replacement(&importer, Some(&old), Some("lines")).is_ok());
        let other = check_replacement(&importer, Some(&old), Some("csv")).unwrap_err();
        assert!(other.to_string().contains("names plugin `csv`"), "{other}");
        let rule = upload(PluginKind::RetentionRule);
        let kind = check_replacement(&rule, Some(&old), Some("lines")).unwrap_err();
        assert!(
            kind.to_string()
                .contains("is installed as an importer plugin, and the upload `lines` 9.9.9 (sha256:bbbbbbbbbbbb) is a retention-rule plugin"),
            "{kind}"
        );
        assert!(check_replacement(&importer, None, None).is_ok());
        assert!(check_replacement(&importer, None, Some("lines")).is_err());
    }
}
