//! A native CSV parser for `import_vs_native`: it reads the benchmark's files into exactly the records
//! the bundled Wasm `csv` importer returns (the scenario checks that on the first chunk), and hands
//! them to the same import service, so the two runs differ only in where parsing happens.
//!
//! It is an ordinary chunk-safe CSV reader (quotes, doubled quotes, CRLF, delimiter from the header
//! line) that knows the header names the benchmark writes, not the plugin's whole vocabulary.

use custode::domain::{
    ConsentAction, FieldValue, NoticeClaim, SourceChunk, SourceConsent, SourceIdentity,
    SourceRecord, Timestamp,
};
use custode::runtime::PluginError;
use custode::service::import::ChunkParser;

/// What a column holds.
#[derive(Clone)]
enum Role {
    Email,
    Phone,
    Field(String),
    Consent {
        purpose: &'static str,
        channel: &'static str,
        evidence_prefix: String,
    },
    NoticeVersion,
    CollectedAt,
    LastInteraction,
    Source,
}

fn role(header: &str) -> Role {
    let consent = |purpose, channel| Role::Consent {
        purpose,
        channel,
        evidence_prefix: format!("CSV column `{header}` = "),
    };
    match header.to_lowercase().as_str() {
        "nome" => Role::Field("first_name".into()),
        "cognome" => Role::Field("last_name".into()),
        "e-mail" | "email" => Role::Email,
        "telefono" | "cellulare" => Role::Phone,
        "azienda" => Role::Field("company".into()),
        "città" | "citta" => Role::Field("city".into()),
        "consenso marketing" => consent("marketing", "email"),
        "consenso profilazione" => consent("profiling", "any"),
        "versione informativa" => Role::NoticeVersion,
        "data raccolta" => Role::CollectedAt,
        "ultimo contatto" => Role::LastInteraction,
        "fonte" => Role::Source,
        _ => Role::Field(header.to_string()),
    }
}

pub struct NativeCsv {
    buf: Vec<u8>,
    line: u64,
    delimiter: u8,
    header: Option<Vec<(String, Role)>>,
    cells: Vec<String>,
}

impl NativeCsv {
    pub fn new() -> NativeCsv {
        NativeCsv {
            buf: Vec::new(),
            line: 1,
            delimiter: b',',
            header: None,
            cells: Vec::new(),
        }
    }

    /// Reads every complete record in the buffer (all of it at the end of input).
    fn read(&mut self, eof: bool) -> Result<SourceChunk, PluginError> {
        let mut out = SourceChunk {
            records: Vec::with_capacity(self.buf.len() / 128 + 16),
            rejected: Vec::new(),
        };
        let mut pos = 0;
        if self.header.is_none() {
            let Some(end) = self.buf.iter().position(|b| *b == b'\n') else {
                return Ok(out);
            };
            let line = &self.buf[..end];
            let semis = line.iter().filter(|b| **b == b';').count();
            let commas = line.iter().filter(|b| **b == b',').count();
            self.delimiter = if semis > commas { b';' } else { b',' };
        }
        while pos < self.buf.len() {
            let Some((next, lines)) = self.record(pos, eof) else {
                break;
            };
            let row = self.line;
            self.line += lines;
            pos = next;
            if self.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            match &self.header {
                None => {
                    let header = self
                        .cells
                        .iter()
                        .map(|h| (h.trim().to_string(), role(h.trim())))
                        .collect();
                    self.header = Some(header);
                }
                Some(header) => out.records.push(contact(row, &self.cells, header)),
            }
        }
        self.buf.drain(..pos);
        Ok(out)
    }

    /// Splits the record starting at `start` into `self.cells`; returns where the next one starts and
    /// how many lines it spanned, or None when the buffer ends inside it.
    fn record(&mut self, start: usize, eof: bool) -> Option<(usize, u64)> {
        self.cells.clear();
        let b = &self.buf;
        let mut i = start;
        let mut lines = 1;
        let mut cell = String::new();
        loop {
            if i < b.len() && b[i] == b'"' {
                // Quoted: runs to the closing quote; "" is one quote.
                i += 1;
                let mut bytes = Vec::new();
                loop {
                    if i >= b.len() {
                        return None;
                    }
                    if b[i] == b'"' {
                        if b.get(i + 1) == Some(&b'"') {
                            bytes.push(b'"');
                            i += 2;
                            continue;
                        }
                        if i + 1 >= b.len() && !eof {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    if b[i] == b'\n' {
                        lines += 1;
                    }
                    bytes.push(b[i]);
                    i += 1;
                }
                cell.push_str(&String::from_utf8_lossy(&bytes));
            }
            let from = i;
            while i < b.len() && b[i] != self.delimiter && b[i] != b'\n' && b[i] != b'\r' {
                i += 1;
            }
            if i >= b.len() && !eof {
                return None;
            }
            cell.push_str(&String::from_utf8_lossy(&b[from..i]));
            self.cells.push(std::mem::take(&mut cell));
            if i >= b.len() {
                return Some((i, lines));
            }
            match b[i] {
                d if d == self.delimiter => i += 1,
                b'\r' if b.get(i + 1) == Some(&b'\n') => return Some((i + 2, lines)),
                b'\r' if i + 1 >= b.len() && !eof => return None,
                _ => return Some((i + 1, lines)),
            }
        }
    }
}

impl ChunkParser for NativeCsv {
    fn push(&mut self, chunk: &[u8]) -> Result<SourceChunk, PluginError> {
        self.buf.extend_from_slice(chunk);
        self.read(false)
    }

    fn finish(&mut self) -> Result<SourceChunk, PluginError> {
        self.read(true)
    }
}

/// One data row as the `csv` importer builds it: identities, catalogue-or-not fields, consent claims
/// with their evidence, the row's collection date and notice version on every claim.
fn contact(row: u64, cells: &[String], header: &[(String, Role)]) -> SourceRecord {
    let mut c = SourceRecord {
        row,
        ..SourceRecord::default()
    };
    let mut notice: Option<&str> = None;
    for (cell, (_, role)) in cells.iter().zip(header) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match role {
            Role::Email => c.identities.push(SourceIdentity::Email(cell.to_string())),
            Role::Phone => c.identities.push(SourceIdentity::Phone(cell.to_string())),
            Role::Field(name) => c.fields.push(FieldValue {
                name: name.clone(),
                value: cell.to_string(),
            }),
            Role::Source => c.source.label = Some(cell.to_string()),
            Role::NoticeVersion => notice = Some(cell),
            Role::CollectedAt => c.source.collected_at = dmy(cell),
            Role::LastInteraction => c.last_interaction = dmy(cell),
            Role::Consent {
                purpose,
                channel,
                evidence_prefix,
            } => {
                let lower = cell.to_lowercase();
                if !matches!(lower.as_str(), "sì" | "si" | "yes" | "1" | "true" | "x") {
                    continue;
                }
                c.consents.push(SourceConsent {
                    purpose: purpose.to_string(),
                    channel: channel.to_string(),
                    action: ConsentAction::Granted,
                    at: None,
                    evidence: Some(format!("{evidence_prefix}`{cell}`")),
                    notice_version: None,
                    origin: None,
                });
            }
        }
    }
    let at = c.source.collected_at;
    for claim in &mut c.consents {
        claim.at = at;
        claim.notice_version = notice.map(str::to_string);
    }
    if let Some(version) = notice {
        c.notices.push(NoticeClaim {
            version: version.to_string(),
            at,
        });
    }
    c
}

/// `dd/mm/yyyy` at midnight UTC.
fn dmy(text: &str) -> Option<Timestamp> {
    let mut parts = text.split('/');
    let d: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let y: i64 = parts.next()?.parse().ok()?;
    Some(Timestamp(days_from_civil(y, m, d) * 86_400))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
