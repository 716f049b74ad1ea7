//! # `csv`: contacts from CSV files
//!
//! Reads spreadsheets and CRM exports: a header row, then one contact per row. Handles what Excel
//! writes on Italian systems: `;` separators, a UTF-8 byte order mark or Windows-1252 text, quoted
//! cells with line breaks, `dd/mm/yyyy` dates, `sì`/`no` or `VERO`/`FALSO` consent cells.
//!
//! **Columns.** Common English and Italian headers are recognised (see
//! [`custode_sdk::columns::standard_column`]): `Email`/`E-mail`/`Indirizzo email` become email
//! identities, `Telefono`/`Cellulare` phone identities, `Nome`, `Cognome`, `Ragione sociale`,
//! `Partita IVA`, `Città`, ... catalogue fields; `Fonte`/`Provenienza` is the source label,
//! `Ultimo contatto` the last interaction, `Data raccolta` the collection date, `Versione
//! informativa` the privacy notice version, `Codice cliente` an external id. The setting `columns`
//! maps other headers. Any other column is passed through as a field named after its header: the
//! host keeps only fields of its catalogue (minimisation is the host's job).
//!
//! **Consents.** A consent column (`Consenso marketing`, `newsletter`, `Consenso profilazione`, or
//! any named in `consents`) with yes (`sì`, `yes`, `1`, `true`, `x`) records consent given for its
//! purpose and channel, with the column and value as evidence and the row's collection date and
//! notice version. A no records nothing unless `consent_no` says `withdrawn` or `objected`.
//!
//! **Rows that cannot be read** are returned as row errors (the host skips or aborts, as the admin
//! chose): a row with no email, phone or external id; a bad date; a consent cell that is not
//! yes/no; more cells than the header. Blank rows (also `;;;;`) are skipped.
//!
//! Copy this crate to start an importer of your own: `CsvImport` is a `ConfiguredImporter`, built
//! from the settings (`new`), fed chunks (`push`) and told the input ended (`finish`); the SDK's
//! `Configured` adapter opens it with the admin's settings, and the tests build it from settings
//! given by hand. All the logic is in plain functions tested natively.

use custode_sdk::columns::{standard_column, Column};
use custode_sdk::config::{Config, ConfigError};
use custode_sdk::consent::{consent_value, standard_consent_column, ConsentTarget};
use custode_sdk::csv::{parse_delimiter, CsvReader, CsvRow, Encoding};
use custode_sdk::importer::{ChunkResult, Configured, ConfiguredImporter};
use custode_sdk::time::{parse_date, DateOrder, Timestamp};
use custode_sdk::types::{
    ConsentAction, ConsentClaim, ContactRecord, ExternalId, FieldValue, Identity, ImportError,
    PluginInfo, PluginKind, RowError, SourceChannel,
};

#[cfg(test)]
mod tests;

/// What the settings say; read once per import.
struct Settings {
    /// `columns`: normalised header → what it holds.
    columns: Vec<(String, Column)>,
    /// `consents`: normalised header → purpose and channel.
    consents: Vec<(String, ConsentTarget)>,
    /// `consent_no`: what a "no" records.
    consent_no: Option<ConsentAction>,
    date_order: DateOrder,
    source_channel: Option<SourceChannel>,
    external_system: Option<String>,
    delimiter: Option<u8>,
    encoding: Encoding,
}

impl Settings {
    fn read(config: &Config) -> Result<Settings, ConfigError> {
        let normalise = custode_sdk::columns::normalise;
        let columns = config
            .map("columns")?
            .into_iter()
            .map(|(h, t)| (normalise(&h), Column::from_setting(&t)))
            .collect();
        let mut consents = Vec::new();
        for (header, target) in config.map("consents")? {
            let target =
                ConsentTarget::parse(&target).map_err(|e| ConfigError::new("consents", e))?;
            consents.push((normalise(&header), target));
        }
        let consent_no = match config.choice("consent_no", &["ignore", "withdrawn", "objected"])? {
            Some("withdrawn") => Some(ConsentAction::Withdrawn),
            Some("objected") => Some(ConsentAction::Objected),
            _ => None,
        };
        let date_order = match config.choice("date_order", &["dmy", "mdy"])? {
            Some("mdy") => DateOrder::MonthFirst,
            _ => DateOrder::DayFirst,
        };
        let source_channel = match config.string("source_channel") {
            Some(name) => Some(SourceChannel::from_name(&name).ok_or_else(|| {
                let all: Vec<&str> = SourceChannel::ALL.iter().map(|c| c.name()).collect();
                ConfigError::new(
                    "source_channel",
                    format!(
                        "`{name}` is not a source channel; use one of {}",
                        all.join(", ")
                    ),
                )
            })?),
            None => None,
        };
        let delimiter = match config.string("delimiter") {
            Some(d) => Some(parse_delimiter(&d).map_err(|e| ConfigError::new("delimiter", e))?),
            None => None,
        };
        let encoding = match config.choice("encoding", &["auto", "utf-8", "windows-1252"])? {
            Some("windows-1252") => Encoding::Windows1252,
            _ => Encoding::Auto,
        };
        Ok(Settings {
            columns,
            consents,
            consent_no,
            date_order,
            source_channel,
            external_system: config.string("external_system"),
            delimiter,
            encoding,
        })
    }
}

/// What one column of the file holds.
enum Role {
    Column(Column),
    Consent {
        target: ConsentTarget,
        evidence_prefix: String,
    },
}

/// The header row, resolved.
struct Header {
    /// Per column: the header as written and its role.
    columns: Vec<(String, Role)>,
    /// How many columns are identities, and fields: to size a record's lists once.
    identity_columns: usize,
    field_columns: usize,
    consent_columns: usize,
}

impl Header {
    fn resolve(record: &CsvRow, s: &Settings) -> Result<Header, ImportError> {
        let mut columns = Vec::with_capacity(record.len());
        for name in record.iter() {
            let name = name.trim().to_string();
            let key = custode_sdk::columns::normalise(&name);
            let configured = s
                .columns
                .iter()
                .find(|(h, _)| *h == key)
                .map(|(_, c)| c.clone());
            let consent = s
                .consents
                .iter()
                .find(|(h, _)| *h == key)
                .map(|(_, t)| t.clone());
            let role = match (configured, consent) {
                (Some(column), _) => Role::Column(column),
                (None, Some(target)) => consent_role(&name, target),
                _ if key.is_empty() => Role::Column(Column::Ignore),
                _ => match (standard_consent_column(&name), standard_column(&name)) {
                    (Some(target), _) => consent_role(&name, target),
                    (None, Some(column)) => Role::Column(column),
                    (None, None) => Role::Column(Column::Field(name.clone())),
                },
            };
            if matches!(role, Role::Column(Column::ExternalId)) && s.external_system.is_none() {
                return Err(ImportError::at_row(
                    record.line(),
                    Some(&name),
                    format!(
                        "column `{name}` holds ids of another system, but setting `external_system` is not set; \
                         set it to that system's name (e.g. `erp`), or map the column with `columns = {name}=ignore`"
                    ),
                ));
            }
            columns.push((name, role));
        }
        let identifies = |r: &Role| {
            matches!(
                r,
                Role::Column(Column::Email | Column::Phone | Column::ExternalId)
            )
        };
        if !columns.iter().any(|(_, r)| identifies(r)) {
            let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            return Err(ImportError::at_row(
                record.line(),
                None,
                format!(
                    "the header has no email, phone or external id column (it has: {}); rename one, or map it \
                     with the setting `columns`, e.g. `columns = Posta=email`",
                    names.join(", ")
                ),
            ));
        }
        let field_columns = columns
            .iter()
            .filter(|(_, r)| matches!(r, Role::Column(Column::Field(_))))
            .count();
        let identity_columns = columns.iter().filter(|(_, r)| identifies(r)).count();
        let consent_columns = columns
            .iter()
            .filter(|(_, r)| matches!(r, Role::Consent { .. }))
            .count();
        Ok(Header {
            columns,
            identity_columns,
            field_columns,
            consent_columns,
        })
    }
}

fn consent_role(name: &str, target: ConsentTarget) -> Role {
    Role::Consent {
        target,
        evidence_prefix: format!("CSV column `{name}` = "),
    }
}

/// Turns one data row into a contact record, or the reasons it cannot be read.
fn read_row(
    record: &CsvRow,
    header: &Header,
    s: &Settings,
) -> Result<ContactRecord, Vec<RowError>> {
    let row = record.line();
    let mut contact = ContactRecord::new(row);
    contact.identities.reserve_exact(header.identity_columns);
    contact.fields.reserve_exact(header.field_columns);
    contact.consents.reserve_exact(header.consent_columns);
    contact.source.channel = s.source_channel;
    let mut errors = Vec::new();
    if record.len() > header.columns.len()
        && record
            .iter()
            .skip(header.columns.len())
            .any(|c| !c.trim().is_empty())
    {
        errors.push(RowError::new(
            row,
            None,
            format!(
                "row {row} has {} cells but the header has {}; check the delimiter and the quotes in this row",
                record.len(),
                header.columns.len()
            ),
        ));
    }
    let mut notice: Option<&str> = None;
    for (cell, (name, role)) in record.iter().zip(&header.columns) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let date = |errors: &mut Vec<RowError>| -> Option<Timestamp> {
            parse_date(cell, s.date_order)
                .map_err(|e| {
                    errors.push(RowError::new(
                        row,
                        Some(name),
                        format!("column `{name}`, row {row}: {e}"),
                    ))
                })
                .ok()
        };
        match role {
            Role::Column(Column::Email) => {
                contact.identities.push(Identity::Email(cell.to_string()))
            }
            Role::Column(Column::Phone) => {
                contact.identities.push(Identity::Phone(cell.to_string()))
            }
            Role::Column(Column::ExternalId) => {
                contact.identities.push(Identity::External(ExternalId {
                    system: s.external_system.clone().unwrap_or_default(),
                    id: cell.to_string(),
                }))
            }
            Role::Column(Column::Source) => contact.source.label = Some(cell.to_string()),
            Role::Column(Column::LastInteraction) => contact.last_interaction = date(&mut errors),
            Role::Column(Column::CollectedAt) => contact.source.collected_at = date(&mut errors),
            Role::Column(Column::NoticeVersion) => notice = Some(cell),
            Role::Column(Column::Field(field)) => contact.fields.push(FieldValue {
                name: field.clone(),
                value: cell.to_string(),
            }),
            Role::Column(Column::Ignore) => {}
            Role::Consent {
                target,
                evidence_prefix,
            } => {
                let action = match consent_value(cell) {
                    Ok(Some(true)) => ConsentAction::Granted,
                    Ok(Some(false)) => match s.consent_no {
                        Some(action) => action,
                        None => continue,
                    },
                    Ok(None) => continue,
                    Err(e) => {
                        errors.push(RowError::new(
                            row,
                            Some(name),
                            format!("column `{name}`, row {row}: {e}"),
                        ));
                        continue;
                    }
                };
                // Built by hand: this runs for most rows, and `format!` costs more than the copy.
                let mut evidence = String::with_capacity(evidence_prefix.len() + cell.len() + 2);
                evidence.push_str(evidence_prefix);
                evidence.push('`');
                evidence.push_str(cell);
                evidence.push('`');
                contact.consents.push(
                    ConsentClaim::new(&target.purpose, &target.channel, action)
                        .with_evidence(evidence),
                );
            }
        }
    }
    if contact.identities.is_empty() {
        errors.push(RowError::new(
            row,
            None,
            format!("row {row} has no email, phone or external id"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Known only once every cell is read: the columns may come in any order.
    let at = contact.source.collected_at;
    for claim in &mut contact.consents {
        claim.at = at;
        claim.notice_version = notice.map(str::to_string);
    }
    if let Some(version) = notice {
        contact = contact.with_notice(version, at);
    }
    Ok(contact)
}

/// One import of one CSV input.
pub struct CsvImport {
    settings: Settings,
    reader: CsvReader,
    header: Option<Header>,
    /// Input bytes and records so far, to size each chunk's record list once.
    bytes_seen: usize,
    records_seen: usize,
}

/// What one `push` or `finish` has produced so far.
#[derive(Default)]
struct Output {
    records: Vec<ContactRecord>,
    rejected: Vec<RowError>,
    /// A problem that stops the import (a bad header); later rows are not looked at.
    failure: Option<ImportError>,
}

impl Output {
    fn take(&mut self, row: CsvRow, settings: &Settings, header: &mut Option<Header>) {
        if self.failure.is_some() {
            return;
        }
        let Some(h) = header else {
            match Header::resolve(&row, settings) {
                Ok(h) => *header = Some(h),
                Err(e) => self.failure = Some(e),
            }
            return;
        };
        if row.is_blank() {
            return;
        }
        match read_row(&row, h, settings) {
            Ok(contact) => self.records.push(contact),
            Err(errors) => self.rejected.extend(errors),
        }
    }

    fn into_result(
        self,
        read: Result<(), custode_sdk::csv::CsvError>,
    ) -> Result<ChunkResult, ImportError> {
        read.map_err(|e| ImportError::at_row(e.line, None, e.to_string()))?;
        match self.failure {
            Some(e) => Err(e),
            None => Ok(ChunkResult {
                records: self.records,
                rejected: self.rejected,
            }),
        }
    }
}

impl ConfiguredImporter for CsvImport {
    /// What the plugin says about itself, and every setting it reads. The name is the package's, so a
    /// copy renamed in its `Cargo.toml` describes itself by its new name.
    fn describe() -> PluginInfo {
        PluginInfo::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), PluginKind::Importer, "Contacts from CSV files and Excel exports, with consent columns")
            .with_config_key(
                "columns",
                "Extra header mapping `Header=target, ...`; target: email, phone, external_id, source, last_interaction, \
                 collected_at, notice_version, ignore, or a field name (adds to the built-in English/Italian headers)",
                false,
                None,
            )
            .with_config_key(
                "consents",
                "Extra consent columns `Header=purpose:channel, ...` (built in: Consenso marketing, marketing_consent, \
                 newsletter = marketing:email; Consenso profilazione = profiling:any; Consenso terze parti = third-party-transfer:any)",
                false,
                None,
            )
            .with_config_key("consent_no", "What a `no` in a consent column records: ignore (nothing), withdrawn or objected", false, Some("ignore"))
            .with_config_key("delimiter", "Cell separator: `,` `;` `tab` or `|`; detected from the header line when not set", false, None)
            .with_config_key("encoding", "auto (UTF-8, rows that are not UTF-8 read as Windows-1252) or windows-1252", false, Some("auto"))
            .with_config_key("date_order", "Dates with the year last: dmy (dd/mm/yyyy) or mdy (mm/dd/yyyy); ISO dates always work", false, Some("dmy"))
            .with_config_key(
                "source_channel",
                "Channel of the source column's label: phone, email, lead-generation, fair, web-form, ...; not set: the import's channel",
                false,
                None,
            )
            .with_config_key(
                "external_system",
                "Name of the system the external id column (e.g. `Codice cliente`) comes from, e.g. `erp`; required with such a column",
                false,
                None,
            )
    }

    /// Starts an import with these settings (the host's, or a test's).
    fn new(config: &Config) -> Result<Self, ImportError> {
        let settings = Settings::read(config)?;
        let mut reader = CsvReader::new().with_encoding(settings.encoding);
        if let Some(d) = settings.delimiter {
            reader = reader.with_delimiter(d);
        }
        Ok(CsvImport {
            settings,
            reader,
            header: None,
            bytes_seen: 0,
            records_seen: 0,
        })
    }

    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        let mut out = Output::default();
        // Growing a list of a few thousand records step by step costs more than reading them.
        let bytes_per_record = (self.bytes_seen / self.records_seen.max(1)).max(32);
        out.records.reserve(chunk.len() / bytes_per_record + 16);
        let CsvImport {
            reader,
            settings,
            header,
            ..
        } = self;
        let read = reader.push_each(chunk, |row| out.take(row, settings, header));
        self.bytes_seen += chunk.len();
        self.records_seen += out.records.len() + out.rejected.len();
        out.into_result(read)
    }

    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        let mut out = Output::default();
        let CsvImport {
            reader,
            settings,
            header,
            ..
        } = self;
        let read = reader.finish_each(|row| out.take(row, settings, header));
        if read.is_ok() && out.failure.is_none() && header.is_none() {
            return Err(ImportError::new(
                "the input is empty: a CSV file needs a header row",
            ));
        }
        out.into_result(read)
    }
}

custode_sdk::export_importer!(Configured<CsvImport>);
