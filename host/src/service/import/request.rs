//! What a person asks for when they import a file, described once: the command line's flags
//! (`custode import`), the HTTP API's query (`POST /api/v1/imports`, and its OpenAPI parameters),
//! and what the remote command line sends are all this struct.

use super::{FieldPolicy, ImportOptions, OnError};
use crate::domain::{Actor, SourceChannel, Timestamp};
use serde::{Deserialize, Serialize};

/// How to run one import: which importer, what the source was, how bad rows and fields outside the
/// catalogue are treated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportRequest {
    /// The importer: the name of an installed, enabled importer plugin (`csv`, `vcard`,
    /// `newsletter-optouts`, `web-form`, ...), run with its installed settings. The command line
    /// also takes a component file (`.wasm`), to try a plugin before installing it.
    #[arg(long)]
    pub plugin: String,
    /// Where the contacts came from, as the data subject will be told, e.g. "Fiera Milano 2026".
    #[arg(long)]
    pub source: String,
    /// How the data was collected: phone, email, lead-generation, public-database, fair,
    /// business-card, web-form, newsletter, erp, referral, manual, other.
    #[arg(long)]
    #[param(value_type = String)]
    pub channel: SourceChannel,
    /// What to do with a bad row: `abort` (the default: import nothing) or `skip` (import the rest,
    /// report the row).
    #[arg(long, value_enum, default_value_t = OnError::Abort)]
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub on_error: OnError,
    /// What to do with fields outside the field catalogue: `drop` them (the default; they are
    /// counted) or `reject` the row.
    #[arg(long, value_enum, default_value_t = FieldPolicy::Drop)]
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub unknown_fields: FieldPolicy,
}

impl ImportRequest {
    /// The names of its parameters, as the query and the flags spell them.
    pub const PARAMETERS: [&'static str; 5] =
        ["plugin", "source", "channel", "on_error", "unknown_fields"];

    /// How the import service runs it, for `actor`, with `collected_at` for records that carry no
    /// collection time.
    pub fn options(&self, actor: Actor, collected_at: Timestamp) -> ImportOptions {
        ImportOptions {
            source_label: self.source.clone(),
            channel: self.channel,
            on_error: self.on_error,
            unknown_fields: self.unknown_fields,
            actor,
            collected_at,
        }
    }

    /// The request as a query string, as `POST /api/v1/imports` reads it.
    pub fn query(&self) -> String {
        serde_urlencoded::to_string(self).expect("an import request is plain text")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the remote command line sends is what the API reads back, and the parameter names
    /// listed are the serialised ones.
    #[test]
    fn the_query_round_trips_and_names_every_parameter() {
        let request = ImportRequest {
            plugin: "csv".into(),
            source: "Fiera Milano 2026 & co".into(),
            channel: SourceChannel::BusinessCard,
            on_error: OnError::Skip,
            unknown_fields: FieldPolicy::Reject,
        };
        let query = request.query();
        assert!(query.contains("channel=business-card"), "{query}");
        assert_eq!(
            serde_urlencoded::from_str::<ImportRequest>(&query).unwrap(),
            request
        );
        let names: Vec<String> = serde_urlencoded::from_str::<Vec<(String, String)>>(&query)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(names, ImportRequest::PARAMETERS);
        let defaults: ImportRequest =
            serde_urlencoded::from_str("plugin=csv&source=x&channel=fair").unwrap();
        assert_eq!(
            (defaults.on_error, defaults.unknown_fields),
            (OnError::Abort, FieldPolicy::Drop)
        );
    }
}
