//! # `csv-export`: a subject's current data as a spreadsheet row (Art. 20 portability)
//!
//! Portability asks for a "structured, commonly used and machine-readable format": this exporter
//! writes the subject's identities and current field values as a CSV file with a header row and
//! one data row, ready to import into another CRM or open in Excel. History, provenance and
//! consents are left to the `json` exporter (the access package); this is only the data itself.
//!
//! - columns: `contact_id`, `email`, `phone`, one `<system>_id` per external-id system, then every
//!   current field in the order the package lists them; several values of one column are joined
//!   with `; `;
//! - RFC 4180: cells with the delimiter, quotes or line breaks are quoted; lines end with CRLF;
//! - `bom` (default true) starts the file with a UTF-8 byte order mark, so Excel reads accents right;
//! - `delimiter` `,` (default) or `;` (what Italian Excel expects) or tab;
//! - cells starting with `=`, `+`, `-`, `@` are prefixed with `'` so a spreadsheet does not run them
//!   as formulas (CSV injection), unless `formula_guard = false`.
//!
//! File name `subject-<id>.csv`, media type `text/csv; charset=utf-8`.

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::csv::parse_delimiter;
use custode_sdk::exporter::{ExportError, Exporter};
use custode_sdk::types::{Document, Identity, PluginInfo, PluginKind, SubjectPackage};

/// The settings.
pub struct Options {
    delimiter: u8,
    bom: bool,
    formula_guard: bool,
}

impl Options {
    pub fn from_config(config: &Config) -> Result<Options, ConfigError> {
        let delimiter = match config.string("delimiter") {
            Some(d) => parse_delimiter(&d).map_err(|e| ConfigError::new("delimiter", e))?,
            None => b',',
        };
        Ok(Options {
            delimiter,
            bom: config.bool("bom")?.unwrap_or(true),
            formula_guard: config.bool("formula_guard")?.unwrap_or(true),
        })
    }
}

/// Columns in order, each with its values.
fn columns(p: &SubjectPackage) -> Vec<(String, Vec<&str>)> {
    // Email and phone come first even when an external id is listed before them.
    let mut cols: Vec<(String, Vec<&str>)> =
        vec![("email".into(), vec![]), ("phone".into(), vec![])];
    for e in &p.identities {
        let (name, value) = match &e.identity {
            Identity::Email(v) => ("email".to_string(), v.as_str()),
            Identity::Phone(v) => ("phone".to_string(), v.as_str()),
            Identity::External(x) => (format!("{}_id", x.system), x.id.as_str()),
        };
        push(&mut cols, name, value);
    }
    for f in p.fields.iter().filter(|f| f.current) {
        push(&mut cols, f.name.clone(), &f.value);
    }
    cols.retain(|(_, values)| !values.is_empty());
    cols
}

fn push<'a>(cols: &mut Vec<(String, Vec<&'a str>)>, name: String, value: &'a str) {
    match cols.iter_mut().find(|(n, _)| *n == name) {
        Some((_, values)) => values.push(value),
        None => cols.push((name, vec![value])),
    }
}

fn cell(out: &mut String, text: &str, o: &Options) {
    let guarded = o.formula_guard && text.starts_with(['=', '+', '-', '@']);
    let quote = guarded
        || text
            .bytes()
            .any(|b| b == o.delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if quote {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    if quote {
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Renders the package's current data as CSV.
pub fn render(p: &SubjectPackage, o: &Options) -> Document {
    let cols = columns(p);
    let mut out = String::with_capacity(1024);
    if o.bom {
        out.push('\u{feff}');
    }
    let sep = char::from(o.delimiter);
    out.push_str("contact_id");
    for (name, _) in &cols {
        out.push(sep);
        cell(&mut out, name, o);
    }
    out.push_str("\r\n");
    out.push_str(&p.contact_id.to_string());
    for (_, values) in &cols {
        out.push(sep);
        cell(&mut out, &values.join("; "), o);
    }
    out.push_str("\r\n");
    Document {
        file_name: format!("subject-{}.csv", p.contact_id),
        media_type: "text/csv; charset=utf-8".into(),
        bytes: out.into_bytes(),
    }
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        "csv-export",
        env!("CARGO_PKG_VERSION"),
        PluginKind::Exporter,
        "A subject's current data as one CSV row, for portability",
    )
    .with_config_key(
        "delimiter",
        "Cell separator: `,` `;` `tab` or `|`",
        false,
        Some(","),
    )
    .with_config_key(
        "bom",
        "Start with a UTF-8 byte order mark, so Excel reads accents right: true or false",
        false,
        Some("true"),
    )
    .with_config_key(
        "formula_guard",
        "Prefix cells starting with = + - @ with ' so spreadsheets do not run them: true or false",
        false,
        Some("true"),
    )
}

struct Plugin;

impl Exporter for Plugin {
    fn describe() -> PluginInfo {
        describe()
    }
    fn render(subject: SubjectPackage) -> Result<Document, ExportError> {
        let options = Options::from_config(&Config::from_host()).map_err(|e| ExportError {
            message: e.to_string(),
        })?;
        Ok(render(&subject, &options))
    }
}

custode_sdk::export_exporter!(Plugin);

#[cfg(test)]
mod tests;
