//! # `vcard`: contacts from address books and scanned business cards
//!
//! Reads vCard 2.1, 3.0 and 4.0 files (phone exports, Outlook, Google Contacts, card scanners), any
//! number of cards per file. Folded lines are joined (also across chunks and inside UTF-8
//! sequences); `ENCODING=QUOTED-PRINTABLE` values are decoded, soft line breaks included;
//! `CHARSET=UTF-8` and `CHARSET=ISO-8859-1` are honoured.
//!
//! | property | becomes |
//! |---|---|
//! | `EMAIL` (`mailto:` dropped) | an email identity |
//! | `TEL` (`tel:` dropped) | a phone identity |
//! | `UID` | an external id of system `external_system` (default `vcard`) |
//! | `FN` | field `name` |
//! | `N` | fields `last_name`, `first_name` (with additional names) |
//! | `ORG` | field `company`, and `department` for the units after it |
//! | `TITLE`, `ROLE` | field `role` |
//! | `ADR` | fields `address` (PO box, extended, street), `city`, `province`, `postal_code`, `country` |
//! | `NOTE` | field `notes` |
//! | `REV` | the collection time (an unreadable `REV` is logged and left out, not a reason to reject the card) |
//!
//! Other properties (`PHOTO`, `X-...`, ...) are left out. Each record's row is the line of its
//! `BEGIN:VCARD`. Row errors: a card with no email, phone or UID; `BEGIN:VCARD` inside a card or
//! `END:VCARD` outside one (the line is named); a card cut short by the end of the file; an
//! unsupported `VERSION` or `CHARSET`; a stray line between cards. A file that does not start with
//! `BEGIN:VCARD` stops the import: it is not a vCard file.

mod property;
#[cfg(test)]
mod tests;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::importer::{ChunkResult, Configured, ConfiguredImporter};
use custode_sdk::text::{decode, RawLines};
use custode_sdk::time::{parse_date, DateOrder};
use custode_sdk::types::{
    ContactRecord, ExternalId, Identity, ImportError, PluginInfo, PluginKind, RowError,
    SourceChannel,
};
use property::Property;

/// One import of one vCard input.
pub struct VcardImport {
    lines: RawLines,
    external_system: String,
    source_channel: Option<SourceChannel>,
    card: Option<Card>,
    /// The logical line being assembled: its first line number, its bytes, and whether it is a
    /// quoted-printable value ending in a soft break `=` (then the next line continues it as is).
    pending: Option<(u64, Vec<u8>, bool)>,
    seen_begin: bool,
}

/// The card being read.
struct Card {
    begin_line: u64,
    contact: ContactRecord,
    errors: Vec<RowError>,
    has_title: bool,
}

impl VcardImport {
    /// Joins physical lines into logical ones (folding, soft breaks) and reads each complete one.
    /// The last line is held back: the next chunk may continue it.
    fn take(&mut self, lines: Vec<(u64, Vec<u8>)>) -> Result<ChunkResult, ImportError> {
        let mut out = ChunkResult {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        for (number, line) in lines {
            match &mut self.pending {
                Some((_, joined, soft_break @ true)) => {
                    joined.pop(); // the `=`
                    joined.extend_from_slice(&line);
                    *soft_break = ends_in_soft_break(joined);
                }
                Some((_, joined, soft_break)) if matches!(line.first(), Some(b' ' | b'\t')) => {
                    joined.extend_from_slice(&line[1..]);
                    *soft_break = ends_in_soft_break(joined);
                }
                _ => {
                    let soft_break = ends_in_soft_break(&line);
                    if let Some((n, complete, _)) = self.pending.replace((number, line, soft_break))
                    {
                        self.property(n, &complete, &mut out)?;
                    }
                }
            }
        }
        Ok(out)
    }

    fn property(
        &mut self,
        number: u64,
        line: &[u8],
        out: &mut ChunkResult,
    ) -> Result<(), ImportError> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let prop = Property::parse(line);
        let (name, value) = match &prop {
            Some(p) => (
                p.name.as_str(),
                String::from_utf8_lossy(&p.value)
                    .trim()
                    .to_ascii_uppercase(),
            ),
            None => ("", String::new()),
        };
        match (name, value.as_str()) {
            ("BEGIN", "VCARD") => {
                self.seen_begin = true;
                if let Some(open) = self.card.take() {
                    out.rejected.push(RowError::new(
                        open.begin_line,
                        None,
                        format!(
                            "line {number}: BEGIN:VCARD inside the card that starts at line {}; is an END:VCARD missing?",
                            open.begin_line
                        ),
                    ));
                }
                let mut contact = ContactRecord::new(number);
                contact.source.channel = self.source_channel;
                self.card = Some(Card {
                    begin_line: number,
                    contact,
                    errors: Vec::new(),
                    has_title: false,
                });
            }
            ("END", "VCARD") => match self.card.take() {
                Some(card) => finish_card(card, out),
                None => out.rejected.push(RowError::new(
                    number,
                    None,
                    format!("line {number}: END:VCARD without a BEGIN:VCARD"),
                )),
            },
            _ if !self.seen_begin => {
                return Err(ImportError::at_row(
                    number,
                    None,
                    format!(
                        "this is not a vCard file: line {number} is `{}`, not BEGIN:VCARD",
                        excerpt(line)
                    ),
                ))
            }
            _ => match (&mut self.card, prop) {
                (Some(card), Some(p)) => card.add(&p, &self.external_system),
                // Inside a card, a line without `:` is the tail of a value we leave out (2.1 base64 photos).
                (Some(_), None) => {}
                (None, _) => out.rejected.push(RowError::new(
                    number,
                    None,
                    format!(
                        "line {number}: `{}` is outside any BEGIN:VCARD ... END:VCARD",
                        excerpt(line)
                    ),
                )),
            },
        }
        Ok(())
    }
}

fn ends_in_soft_break(line: &[u8]) -> bool {
    line.ends_with(b"=") && Property::parse(line).is_some_and(|p| p.is_quoted_printable())
}

fn excerpt(line: &[u8]) -> String {
    let text = decode(line);
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

fn finish_card(card: Card, out: &mut ChunkResult) {
    let line = card.begin_line;
    let mut errors = card.errors;
    if card.contact.identities.is_empty() {
        errors.push(RowError::new(
            line,
            None,
            format!("the card at line {line} has no EMAIL, TEL or UID"),
        ));
    }
    if errors.is_empty() {
        out.records.push(card.contact);
    } else {
        out.rejected.extend(errors);
    }
}

impl Card {
    fn add(&mut self, p: &Property, external_system: &str) {
        const READ: [&str; 12] = [
            "VERSION", "EMAIL", "TEL", "UID", "FN", "N", "ORG", "TITLE", "ROLE", "ADR", "NOTE",
            "REV",
        ];
        if !READ.contains(&p.name.as_str()) {
            return; // PHOTO, LOGO, X-...: not decoded at all
        }
        let fail = |errors: &mut Vec<RowError>, message: String| {
            errors.push(RowError::new(
                self.begin_line,
                Some(&p.name),
                format!("card at line {}: {message}", self.begin_line),
            ));
        };
        let parts = match p.components() {
            Ok(parts) => parts,
            Err(e) => return fail(&mut self.errors, format!("{}: {e}", p.name)),
        };
        let whole = || parts.join(";").trim().to_string();
        let part = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or_default();
        let c = &mut self.contact;
        match p.name.as_str() {
            "VERSION" if !["2.1", "3.0", "4.0"].contains(&whole().as_str()) => {
                let v = whole();
                fail(
                    &mut self.errors,
                    format!("VERSION {v} is not supported (2.1, 3.0 and 4.0 are)"),
                );
            }
            "EMAIL" => push_identity(c, whole().trim_start_matches("mailto:"), Identity::Email),
            "TEL" => push_identity(c, whole().trim_start_matches("tel:"), Identity::Phone),
            "UID" => push_identity(c, &whole(), |id| {
                Identity::External(ExternalId {
                    system: external_system.into(),
                    id,
                })
            }),
            "FN" => add_field(c, "name", &whole()),
            "N" => {
                add_field(c, "last_name", part(0));
                let given = [part(1), part(2)]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                add_field(c, "first_name", &given);
            }
            "ORG" => {
                add_field(c, "company", part(0));
                let units: Vec<&str> = parts
                    .iter()
                    .skip(1)
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect();
                add_field(c, "department", &units.join(", "));
            }
            "TITLE" => {
                self.has_title = true;
                add_field(c, "role", &whole());
            }
            "ROLE" if !self.has_title => add_field(c, "role", &whole()),
            "ADR" => {
                let street: Vec<&str> = [part(2), part(1), part(0)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                add_field(c, "address", &street.join(", "));
                add_field(c, "city", part(3));
                add_field(c, "province", part(4));
                add_field(c, "postal_code", part(5));
                add_field(c, "country", part(6));
            }
            "NOTE" => add_field(c, "notes", &whole()),
            "REV" => match parse_date(&whole(), DateOrder::DayFirst) {
                Ok(t) => c.source.collected_at = Some(t),
                Err(e) => custode_sdk::warn!("card at line {}: REV left out: {e}", self.begin_line),
            },
            _ => {}
        }
    }
}

fn add_field(c: &mut ContactRecord, name: &str, value: &str) {
    let value = value.trim();
    if !value.is_empty() {
        c.fields.push(custode_sdk::types::FieldValue {
            name: name.into(),
            value: value.into(),
        });
    }
}

fn push_identity(c: &mut ContactRecord, value: &str, make: impl FnOnce(String) -> Identity) {
    let value = value.trim();
    if !value.is_empty() {
        c.identities.push(make(value.to_string()));
    }
}

impl ConfiguredImporter for VcardImport {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "vcard",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Contacts from vCard files (2.1, 3.0, 4.0): phone address books, business-card scanners",
        )
        .with_config_key(
            "external_system",
            "System name given to each card's UID (an external id)",
            false,
            Some("vcard"),
        )
        .with_config_key(
            "source_channel",
            "Channel of the contacts: business-card, phone, fair, ...; not set: the import's channel",
            false,
            None,
        )
    }

    fn new(config: &Config) -> Result<Self, ImportError> {
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
        Ok(VcardImport {
            // Unfolding is done here, not by `RawLines`, because a quoted-printable soft break
            // makes the next line a continuation even when it starts with a space.
            lines: RawLines::new(),
            external_system: config
                .string("external_system")
                .unwrap_or_else(|| "vcard".into()),
            source_channel,
            card: None,
            pending: None,
            seen_begin: false,
        })
    }

    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        let lines = self.lines.push(chunk);
        self.take(lines)
    }

    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        let lines = self.lines.finish();
        let mut out = self.take(lines)?;
        if let Some((number, line, _)) = self.pending.take() {
            self.property(number, &line, &mut out)?;
        }
        if let Some(card) = self.card.take() {
            out.rejected.push(RowError::new(
                card.begin_line,
                None,
                format!(
                    "the card that starts at line {} has no END:VCARD; the file may be cut short",
                    card.begin_line
                ),
            ));
        }
        if !self.seen_begin {
            return Err(ImportError::new(
                "the input holds no vCard: there is no BEGIN:VCARD line",
            ));
        }
        Ok(out)
    }
}

custode_sdk::export_importer!(Configured<VcardImport>);
