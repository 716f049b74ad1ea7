//! Any configuration key from the environment: `CUSTODE__<SECTION>__<KEY>`, e.g.
//! `CUSTODE__SERVER__MAX_BODY_BYTES=2097152` or
//! `CUSTODE__ACCESS__VISIBLE_FIELDS__OPERATOR='["first_name", "email"]'`. The value is read as a
//! TOML value (a number, `true`, an array) and, when that does not fit the key, as a string, so
//! `CUSTODE__COMPLIANCE__CONTROLLER_NAME=Rossi S.r.l.` needs no quotes. Double underscores separate
//! the levels because keys have single ones.

use super::Config;

/// What names a configuration key in the environment.
pub const PREFIX: &str = "CUSTODE__";

/// Applies every `CUSTODE__…` variable of `vars` to `config`, in name order; an unknown key or a
/// value the key cannot take is an error naming the variable.
pub fn apply(
    config: &mut Config,
    vars: impl Iterator<Item = (String, String)>,
) -> anyhow::Result<()> {
    let mut vars: Vec<(String, String)> = vars.filter(|(k, _)| k.starts_with(PREFIX)).collect();
    vars.sort();
    for (name, value) in vars {
        let path: Vec<String> = name[PREFIX.len()..]
            .split("__")
            .map(|part| part.to_ascii_lowercase())
            .collect();
        if path.iter().any(|p| p.is_empty()) {
            anyhow::bail!(
                "environment variable {name}: write `CUSTODE__<SECTION>__<KEY>`, e.g. CUSTODE__SERVER__MAX_BODY_BYTES"
            );
        }
        let typed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"));
        let attempts = typed
            .into_iter()
            .chain(std::iter::once(toml::Value::String(value.clone())));
        let mut last_error = None;
        for candidate in attempts {
            match with_value(config, &path, candidate) {
                Ok(updated) => {
                    *config = updated;
                    last_error = None;
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        if let Some(e) = last_error {
            anyhow::bail!(
                "environment variable {name}={value:?} does not fit `{}`: {e}",
                path.join(".")
            );
        }
    }
    Ok(())
}

/// `config` with the key at `path` set to `value`, if the result is a valid configuration.
fn with_value(config: &Config, path: &[String], value: toml::Value) -> anyhow::Result<Config> {
    let mut root = toml::Value::try_from(config)?;
    let (key, parents) = path.split_last().expect("a path has a key");
    let mut table = root.as_table_mut().expect("the configuration is a table");
    for part in parents {
        table = table
            .entry(part.clone())
            .or_insert_with(|| toml::Value::Table(Default::default()))
            .as_table_mut()
            .ok_or_else(|| anyhow::anyhow!("`{part}` is a value, not a section"))?;
    }
    table.insert(key.clone(), value);
    root.try_into::<Config>()
        .map_err(|e| anyhow::anyhow!("{}", e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn any_key_can_be_set_and_strings_need_no_quotes() {
        let mut config = Config::default();
        apply(
            &mut config,
            vars(&[
                ("CUSTODE__SERVER__MAX_BODY_BYTES", "2097152"),
                (
                    "CUSTODE__COMPLIANCE__CONTROLLER_NAME",
                    "Rossi Forniture S.r.l.",
                ),
                ("CUSTODE__COMPLIANCE__PHONE_DEFAULT_COUNTRY", "DE"),
                (
                    "CUSTODE__ACCESS__VISIBLE_FIELDS__OPERATOR",
                    r#"["first_name", "email"]"#,
                ),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(config.server.max_body_bytes, 2_097_152);
        assert_eq!(config.compliance.controller_name, "Rossi Forniture S.r.l.");
        assert_eq!(config.compliance.phone_default_country, "DE");
        assert_eq!(
            config.access.visible_fields["operator"],
            vec!["first_name".to_string(), "email".to_string()]
        );
    }

    #[test]
    fn a_number_given_to_a_text_key_stays_text() {
        let mut config = Config::default();
        apply(
            &mut config,
            vars(&[("CUSTODE__COMPLIANCE__CONTROLLER_NAME", "1848")]),
        )
        .unwrap();
        assert_eq!(config.compliance.controller_name, "1848");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_variable() {
        let mut config = Config::default();
        let err = apply(
            &mut config,
            vars(&[("CUSTODE__SERVER__LISTN", "127.0.0.1:1")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("CUSTODE__SERVER__LISTN") && err.contains("listn"),
            "{err}"
        );
        let err = apply(
            &mut config,
            vars(&[("CUSTODE__SERVER__WRITE_WAIT_SECS", "soon")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("CUSTODE__SERVER__WRITE_WAIT_SECS")
                && err.contains("server.write_wait_secs"),
            "{err}"
        );
        let err = apply(&mut config, vars(&[("CUSTODE__SERVER", "x")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("CUSTODE__<SECTION>__<KEY>") || err.contains("does not fit"),
            "{err}"
        );
        assert_eq!(
            config,
            Config::default(),
            "a refused variable changes nothing"
        );
    }
}
