//! # `web-form`: contact-form and newsletter sign-up submissions
//!
//! Reads JSON lines, one submission per line (or an array of submissions per line), as form
//! plugins and serverless form handlers log them:
//!
//! ```text
//! {"submitted_at":"2026-01-15T10:30:00Z","page":"https://example.com/contatti","form":"contatti",
//!  "notice_version":"2026-01","fields":{"email":"anna@example.it","nome":"Anna"},
//!  "consents":{"marketing":true,"profilazione":false},"privacy":true}
//! ```
//!
//! - **Fields** come from the `fields` object, or, without one, from the top-level members that are
//!   not listed below. Names are read like CSV headers ([`custode_sdk::columns`]): `email`,
//!   `telefono`, `nome`, `azienda`, ... become identities and catalogue fields; others pass through
//!   under their own name (the host keeps only its catalogue's fields). Arrays (multiple choice) are
//!   joined with `, `; nested objects are flattened to `name.member`.
//! - **Consent checkboxes**: the members of `consents`, and top-level `consent_<name>` /
//!   `consenso_<name>` members and standard consent names (`newsletter`, `marketing_consent`). A
//!   checked box (`true`, `"on"`, `"yes"`, `1`, ...) is consent `granted`, timed at the submission,
//!   with evidence like ``checkbox `marketing` of form `contatti` on https://example.com/contatti,
//!   notice 2026-01`` and the notice version. An unchecked box records nothing (not a withdrawal).
//!   The purpose and channel come from the setting `consents`, else from the standard names
//!   (`newsletter` = marketing by email), else the checkbox name is the purpose and the channel is
//!   the setting `channel`.
//! - **Notice**: `notice_version` (or `privacy_version`, `informativa`) in the submission, else the
//!   setting `notice_version`, becomes a notice receipt at the submission time. A `privacy`
//!   acknowledgement checkbox is not a consent.
//! - **Time**: `submitted_at`, `timestamp`, `created_at`, `date` or `time`: ISO 8601, `dd/mm/yyyy
//!   HH:MM`, or Unix seconds or milliseconds.
//! - **Source**: channel `web-form`, label the page URL (`page`, `page_url`, `url`) or the form name.
//!   IP addresses and user agents are not imported (minimisation).
//!
//! Row errors: a line that is not JSON or not an object, a submission without email or phone, an
//! unreadable time, a checkbox value that is not yes/no.

mod submission;
#[cfg(test)]
mod tests;

use custode_sdk::columns::{normalise, Column};
use custode_sdk::config::{Config, ConfigError};
use custode_sdk::consent::{ConsentTarget, CHANNELS};
use custode_sdk::importer::{ChunkResult, Configured, ConfiguredImporter};
use custode_sdk::text::Lines;
use custode_sdk::types::{ImportError, PluginInfo, PluginKind, RowError};

/// What the settings say; read once per import.
pub struct Settings {
    /// `columns`: normalised member name → what it holds.
    pub columns: Vec<(String, Column)>,
    /// `consents`: normalised checkbox name → purpose and channel.
    pub consents: Vec<(String, ConsentTarget)>,
    /// Channel of a checkbox whose purpose is its own name.
    pub channel: String,
    pub notice_version: Option<String>,
}

impl Settings {
    fn read(config: &Config) -> Result<Settings, ConfigError> {
        let columns = config
            .map("columns")?
            .into_iter()
            .map(|(k, t)| (normalise(&k), Column::from_setting(&t)))
            .collect();
        let mut consents = Vec::new();
        for (checkbox, target) in config.map("consents")? {
            let target =
                ConsentTarget::parse(&target).map_err(|e| ConfigError::new("consents", e))?;
            consents.push((normalise(&checkbox), target));
        }
        let channel = config
            .string("channel")
            .unwrap_or_else(|| "any".into())
            .to_ascii_lowercase();
        if !CHANNELS.contains(&channel.as_str()) {
            return Err(ConfigError::new(
                "channel",
                format!(
                    "`{channel}` is not a consent channel; use one of {}",
                    CHANNELS.join(", ")
                ),
            ));
        }
        Ok(Settings {
            columns,
            consents,
            channel,
            notice_version: config.string("notice_version"),
        })
    }
}

/// One import of one file of submissions.
pub struct FormImport {
    settings: Settings,
    lines: Lines,
}

impl FormImport {
    fn take(&self, lines: Vec<(u64, String)>) -> ChunkResult {
        let mut out = ChunkResult {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        for (row, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let value = match custode_sdk::json::parse(&line) {
                Ok(v) => v,
                Err(e) => {
                    let message =
                        format!("line {row} is not JSON ({e}); write one submission per line");
                    out.rejected.push(RowError::new(row, None, message));
                    continue;
                }
            };
            let submissions = match &value {
                custode_sdk::json::Value::Array(items) => items.iter().collect(),
                _ => vec![&value],
            };
            for s in submissions {
                match submission::read(row, s, &self.settings) {
                    Ok(record) => out.records.push(record),
                    Err(errors) => out.rejected.extend(errors),
                }
            }
        }
        out
    }
}

impl ConfiguredImporter for FormImport {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "web-form",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Web form submissions (JSON lines) with consent checkboxes, notice version, time and page",
        )
        .with_config_key(
            "columns",
            "Extra field mapping `name=target, ...`; target: email, phone, external_id, source, last_interaction, collected_at, \
             notice_version, ignore, or a field name",
            false,
            None,
        )
        .with_config_key(
            "consents",
            "Checkbox purposes `checkbox=purpose:channel, ...` (built in: newsletter and marketing = marketing:email, \
             profilazione = profiling:any); other checkboxes: their name is the purpose",
            false,
            None,
        )
        .with_config_key("channel", "Consent channel of a checkbox whose name is its purpose: email, phone, sms, post, messaging or any", false, Some("any"))
        .with_config_key("notice_version", "Privacy notice version to record when a submission names none", false, None)
    }

    fn new(config: &Config) -> Result<Self, ImportError> {
        Ok(FormImport {
            settings: Settings::read(config)?,
            lines: Lines::new(),
        })
    }

    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        let lines = self.lines.push(chunk);
        Ok(self.take(lines))
    }

    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        let lines = self.lines.finish();
        Ok(self.take(lines))
    }
}

custode_sdk::export_importer!(Configured<FormImport>);
