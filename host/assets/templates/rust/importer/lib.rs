//! `{{name}}`: a Custode importer. Reads a CSV file with a header line; the column named by the
//! setting `column` (default `email`) holds each contact's email address. A row without an
//! address is reported as a refused row and the import goes on.
//!
//! The host calls `open`, then `push` with the input in chunks of any size (a row, or a UTF-8
//! character, may be split between two chunks: `CsvReader` keeps the incomplete part), then
//! `finish`.

#[cfg(test)]
mod tests;

use custode_sdk::config::Config;
use custode_sdk::csv::CsvReader;
use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind, RowError};

pub struct Plugin {
    reader: CsvReader,
    /// The setting `column`: the header of the address column.
    column: String,
    /// Where that column is, once the header line has been read.
    index: Option<usize>,
}

impl Plugin {
    pub fn with_config(config: &Config) -> Result<Plugin, ImportError> {
        let column = config.string("column").unwrap_or_else(|| "email".into());
        Ok(Plugin {
            reader: CsvReader::new(),
            column,
            index: None,
        })
    }

    fn rows(&mut self, rows: Vec<custode_sdk::csv::CsvRecord>) -> Result<ChunkResult, ImportError> {
        let mut out = ChunkResult {
            records: vec![],
            rejected: vec![],
        };
        for row in rows {
            let Some(index) = self.index else {
                let headers: Vec<&str> = row.iter().map(str::trim).collect();
                let found = headers.iter().position(|h| h.eq_ignore_ascii_case(&self.column));
                self.index = Some(found.ok_or_else(|| {
                    ImportError::at_row(
                        row.line(),
                        None,
                        format!(
                            "the header has no column `{}` (it has: {}); set `column` to the one holding the email addresses",
                            self.column,
                            headers.join(", ")
                        ),
                    )
                })?);
                continue;
            };
            let address = row.get(index).unwrap_or("").trim();
            if address.contains('@') {
                out.records
                    .push(ContactRecord::new(row.line()).with_identity(Identity::Email(address.into())));
            } else {
                out.rejected.push(RowError::new(
                    row.line(),
                    Some(&self.column),
                    format!("`{address}` is not an email address"),
                ));
            }
        }
        Ok(out)
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        let rows = self.reader.push(chunk).map_err(csv_error)?;
        self.rows(rows)
    }

    pub fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        let rows = self.reader.finish().map_err(csv_error)?;
        self.rows(rows)
    }
}

fn csv_error(e: custode_sdk::csv::CsvError) -> ImportError {
    ImportError::at_row(e.line, None, e.message)
}

impl Importer for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "{{name}}",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Contacts from a CSV file: one email address per row",
        )
        .with_config_key("column", "The header of the column holding the email addresses", false, Some("email"))
    }
    fn open() -> Result<Self, ImportError> {
        Plugin::with_config(&Config::from_host())
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        Plugin::push(self, chunk)
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Plugin::finish(self)
    }
}

custode_sdk::export_importer!(Plugin);
