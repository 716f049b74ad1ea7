//! # `access-report`: a person's access report as one HTML page (Art. 12(1), Art. 15)
//!
//! Renders the subject package as a page a person can read without help, in English or Italian:
//! who the controller is and how to reach them, the request it answers (received, due), the data
//! held with where each value came from, the purposes and their legal bases, the recipients, how
//! long each kind of data is kept, the sources, the consents and their history, former
//! identifiers, restriction and legal hold, the rights in plain words and how to complain.
//!
//! - Language: the request's (`subject.request.language`, e.g. `it`) when written here, else the
//!   setting `language` (`en` or `it`), else English.
//! - One self-contained file, `access-report-<date>.html` (`text/html; charset=utf-8`): inline
//!   CSS, no script, no external resource (a content security policy forbids them too), readable
//!   on a phone. Every value from the package is HTML-escaped.

mod html;
mod lang;
mod sections;
mod words;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::exporter::{ExportError, Exporter};
use custode_sdk::time::format_date;
use custode_sdk::types::{ConfigProblem, Document, PluginInfo, PluginKind, SubjectPackage};

pub use lang::Lang;

const NAME: &str = "access-report";

/// Reads the `language` setting: `en` (the default) or `it`.
pub fn configured_language(config: &Config) -> Result<Lang, ConfigError> {
    match config.string("language") {
        None => Ok(Lang::En),
        Some(v) if v.trim().is_empty() => Ok(Lang::En),
        Some(v) => Lang::from_tag(&v).ok_or_else(|| {
            ConfigError::new(
                "language",
                format!(
                    "`{v}` is not a language the access report is written in: use {} (English or Italian)",
                    Lang::NAMES.join(" or ")
                ),
            )
        }),
    }
}

/// The request's language when the report is written in it, else `fallback`.
pub fn language(p: &SubjectPackage, fallback: Lang) -> Lang {
    p.request
        .as_ref()
        .and_then(|r| r.language.as_deref())
        .and_then(Lang::from_tag)
        .unwrap_or(fallback)
}

/// Renders the report in `lang`.
pub fn render(p: &SubjectPackage, lang: Lang) -> Document {
    let report = sections::Report {
        lang,
        t: lang.texts(),
        p,
    };
    let name = format!("{NAME} {}", env!("CARGO_PKG_VERSION"));
    Document {
        file_name: format!("{NAME}-{}.html", format_date(p.generated_at)),
        media_type: "text/html; charset=utf-8".into(),
        bytes: sections::page(&report, &name).into_bytes(),
    }
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        NAME,
        env!("CARGO_PKG_VERSION"),
        PluginKind::Exporter,
        "A person's access report as one readable HTML page, in English or Italian",
    )
    .with_config_key(
        "language",
        "The report's language when the request names none: en or it",
        false,
        Some("en"),
    )
}

struct Plugin;

impl Exporter for Plugin {
    fn describe() -> PluginInfo {
        describe()
    }
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        configured_language(config)
            .map(drop)
            .map_err(|e| vec![e.into()])
    }
    fn render(subject: SubjectPackage) -> Result<Document, ExportError> {
        let fallback = configured_language(&Config::from_host()).map_err(|e| ExportError {
            message: e.to_string(),
        })?;
        Ok(render(&subject, language(&subject, fallback)))
    }
}

custode_sdk::export_exporter!(Plugin);

#[cfg(test)]
mod tests;
