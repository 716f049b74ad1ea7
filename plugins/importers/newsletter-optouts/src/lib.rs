//! # `newsletter-optouts`: opt-outs captured by mail-marketing tools
//!
//! Reads what Mailchimp, Brevo (Sendinblue), SendGrid, Mailgun, Postmark and similar tools give
//! out about people who no longer want mail, so that Custode's consent ledger knows too:
//!
//! - **CSV exports**: Mailchimp's `unsubscribed` / `cleaned` exports (`Email Address`,
//!   `UNSUB_TIME`, `UNSUB_REASON`, `UNSUB_CAMPAIGN_TITLE`, `CLEAN_TIME`, ...), or any export with an
//!   email column and an event/status column, or a plain list with `event` set;
//! - **JSON webhook events**, one per line (or an array of events per line, as SendGrid posts
//!   them, or a whole JSON document): `{"event":"unsubscribe","email":"...","timestamp":...}`,
//!   Mailchimp `{"type":"unsubscribe","fired_at":...,"data":{"email":...}}`, SendGrid
//!   `unsubscribe` / `group_unsubscribe` / `spamreport` / `bounce`, Brevo `unsubscribed` /
//!   `spam` / `hard_bounce`, Mailgun `unsubscribed` / `complained` / permanent `failed`.
//!
//! The format is detected from the first non-blank character (`{` or `[` is JSON) unless `format`
//! is set. Each opt-out becomes a record with the email identity and a consent claim for
//! `purpose` (default `marketing`) by `channel` (default `email`), timed at the event:
//!
//! | event | claim |
//! |---|---|
//! | unsubscribe | `withdrawn` (Art. 7(3)) |
//! | complaint, spam report, Mailchimp `abuse` | `objected` (Art. 21(2): absolute for direct marketing) |
//! | hard bounce | no consent event (the person said nothing); the field `email_status` = `bounced`, or no record with `bounces = ignore` |
//!
//! The evidence names the tool, the event and its reason and campaign, e.g. `SendGrid webhook
//! event: complaint (event `spamreport`), reason: ...`. Records carry source channel
//! `newsletter` and no last interaction (an opt-out must not extend retention). Other events
//! (opens, clicks, soft bounces, subscriptions) are skipped and counted in the log.

mod event;
mod export;
#[cfg(test)]
mod tests;
mod webhook;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::consent::ConsentTarget;
use custode_sdk::csv::{parse_delimiter, CsvReader};
use custode_sdk::importer::{ChunkResult, Configured, ConfiguredImporter};
use custode_sdk::text::Lines;
use custode_sdk::time::DateOrder;
use custode_sdk::types::{ImportError, PluginInfo, PluginKind};
use event::{Kind, Target};
use export::ExportHeader;

/// Events skipped because they are not opt-outs, by name, for the log.
#[derive(Default)]
pub struct Skipped(Vec<(String, u64)>);

impl Skipped {
    fn add(&mut self, name: &str) {
        if let Some((_, count)) = self.0.iter_mut().find(|(n, _)| n == name) {
            *count += 1;
        } else if self.0.len() < 50 {
            self.0.push((name.to_string(), 1));
        }
    }
}

/// The largest JSON document (not JSON lines) read whole.
const MAX_DOCUMENT: usize = 32 << 20;

enum Mode {
    /// Not known yet: the bytes before the first non-blank one.
    Undecided(Vec<u8>),
    Csv {
        reader: CsvReader,
        header: Option<ExportHeader>,
    },
    /// `document`: a pretty-printed JSON document being gathered whole; `started`: a line was read.
    JsonLines {
        lines: Lines,
        document: Option<(u64, String)>,
        started: bool,
    },
}

struct Settings {
    target: Target,
    tool: Option<String>,
    event: Option<Kind>,
    format: Option<&'static str>,
    delimiter: Option<u8>,
    date_order: DateOrder,
}

impl Settings {
    fn read(config: &Config) -> Result<Settings, ConfigError> {
        let purpose = config
            .string("purpose")
            .unwrap_or_else(|| "marketing".into());
        let channel = config.string("channel").unwrap_or_else(|| "email".into());
        let checked = ConsentTarget::parse(&format!("{purpose}:{channel}"))
            .map_err(|e| ConfigError::new("channel", e))?;
        let event = match config.choice("event", &["unsubscribe", "complaint", "bounce"])? {
            Some("unsubscribe") => Some(Kind::Unsubscribe),
            Some("complaint") => Some(Kind::Complaint),
            Some(_) => Some(Kind::HardBounce),
            None => None,
        };
        let delimiter = match config.string("delimiter") {
            Some(d) => Some(parse_delimiter(&d).map_err(|e| ConfigError::new("delimiter", e))?),
            None => None,
        };
        Ok(Settings {
            target: Target {
                purpose: checked.purpose,
                channel: checked.channel,
                record_bounces: config.choice("bounces", &["field", "ignore"])? != Some("ignore"),
            },
            tool: config.string("tool"),
            event,
            format: config
                .choice("format", &["auto", "csv", "jsonl"])?
                .filter(|f| *f != "auto"),
            delimiter,
            date_order: match config.choice("date_order", &["dmy", "mdy"])? {
                Some("mdy") => DateOrder::MonthFirst,
                _ => DateOrder::DayFirst,
            },
        })
    }
}

/// One import of one export or webhook log.
pub struct OptOutImport {
    settings: Settings,
    mode: Mode,
    skipped: Skipped,
}

impl OptOutImport {
    fn start(&self, csv: bool) -> Mode {
        if csv {
            let mut reader = CsvReader::new();
            if let Some(d) = self.settings.delimiter {
                reader = reader.with_delimiter(d);
            }
            Mode::Csv {
                reader,
                header: None,
            }
        } else {
            Mode::JsonLines {
                lines: Lines::new(),
                document: None,
                started: false,
            }
        }
    }

    fn feed(&mut self, bytes: &[u8], eof: bool) -> Result<ChunkResult, ImportError> {
        let mut out = ChunkResult {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        let OptOutImport {
            settings,
            mode,
            skipped,
        } = self;
        match mode {
            Mode::Undecided(_) => {}
            Mode::Csv { reader, header } => {
                let mut failure = None;
                let mut each = |row: custode_sdk::csv::CsvRow| {
                    let Some(h) = header else {
                        match ExportHeader::resolve(&row, settings.event, settings.tool.as_deref())
                        {
                            Ok(h) => *header = Some(h),
                            Err(e) => failure = failure.take().or(Some(e)),
                        }
                        return;
                    };
                    if failure.is_some() || row.is_blank() {
                        return;
                    }
                    match h.read(&row, settings.date_order, skipped) {
                        Ok(Some(opt_out)) => out.records.extend(
                            opt_out.into_record(&format!("{} export", h.tool), &settings.target),
                        ),
                        Ok(None) => {}
                        Err(e) => out.rejected.push(e),
                    }
                };
                let read = if eof {
                    reader.finish_each(&mut each)
                } else {
                    reader.push_each(bytes, &mut each)
                };
                read.map_err(|e| ImportError::at_row(e.line, None, e.to_string()))?;
                if let Some(e) = failure {
                    return Err(e);
                }
            }
            Mode::JsonLines {
                lines,
                document,
                started,
            } => {
                let lines = if eof {
                    lines.finish()
                } else {
                    lines.push(bytes)
                };
                for (row, line) in lines {
                    if let Some((_, text)) = document {
                        text.push_str(&line);
                        text.push('\n');
                        if text.len() > MAX_DOCUMENT {
                            return Err(ImportError::new("the JSON document is over 32 MiB; send one JSON event per line instead"));
                        }
                        continue;
                    }
                    if line.trim().is_empty() {
                        continue;
                    }
                    let first = !std::mem::replace(started, true);
                    match webhook::parse_line(row, &line) {
                        Ok(value) => json_events(row, &value, settings, skipped, &mut out),
                        // The first line opens a pretty-printed document: read it whole at the end.
                        Err(_)
                            if first
                                && matches!(
                                    line.trim_start().as_bytes().first(),
                                    Some(b'{' | b'[')
                                ) =>
                        {
                            *document = Some((row, format!("{line}\n")));
                        }
                        Err(e) => out.rejected.push(e),
                    }
                }
                if eof {
                    if let Some((row, text)) = document.take() {
                        let value = custode_sdk::json::parse(&text).map_err(|e| {
                            ImportError::at_row(row, None, format!("the JSON document that starts at line {row} is not valid JSON: {e}"))
                        })?;
                        json_events(row, &value, settings, skipped, &mut out);
                    }
                }
            }
        }
        Ok(out)
    }
}

fn json_events(
    row: u64,
    value: &custode_sdk::json::Value,
    s: &Settings,
    skipped: &mut Skipped,
    out: &mut ChunkResult,
) {
    match webhook::events(row, value, s.tool.as_deref(), skipped) {
        Ok(events) => {
            for (opt_out, tool) in events {
                out.records
                    .extend(opt_out.into_record(&format!("{tool} webhook event"), &s.target));
            }
        }
        Err(e) => out.rejected.push(e),
    }
}

impl ConfiguredImporter for OptOutImport {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "newsletter-optouts",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Unsubscribes, spam complaints and hard bounces from mail-marketing tools (CSV exports, JSON webhook events)",
        )
        .with_config_key("format", "auto (JSON when the input starts with `{` or `[`), csv or jsonl", false, Some("auto"))
        .with_config_key("purpose", "Purpose the withdrawals and objections are for", false, Some("marketing"))
        .with_config_key("channel", "Consent channel they are for: email, sms, phone, post, messaging or any", false, Some("email"))
        .with_config_key("tool", "Tool name written in the evidence; detected from the data when not set", false, None)
        .with_config_key(
            "event",
            "For a CSV without an event/status column or UNSUB_/CLEAN_ columns: what every row is (unsubscribe, complaint, bounce)",
            false,
            None,
        )
        .with_config_key("bounces", "field (a record with email_status = bounced) or ignore (no record)", false, Some("field"))
        .with_config_key("delimiter", "CSV cell separator: `,` `;` `tab` or `|`; detected when not set", false, None)
        .with_config_key("date_order", "CSV dates with the year last: dmy or mdy", false, Some("dmy"))
    }

    fn new(config: &Config) -> Result<Self, ImportError> {
        let settings = Settings::read(config)?;
        let mut import = OptOutImport {
            settings,
            mode: Mode::Undecided(Vec::new()),
            skipped: Skipped::default(),
        };
        if let Some(format) = import.settings.format {
            import.mode = import.start(format == "csv");
        }
        Ok(import)
    }

    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        if let Mode::Undecided(seen) = &mut self.mode {
            seen.extend_from_slice(chunk);
            let text = seen
                .strip_prefix(b"\xEF\xBB\xBF".as_slice())
                .unwrap_or(seen);
            let Some(&first) = text.iter().find(|b| !b.is_ascii_whitespace()) else {
                return Ok(ChunkResult {
                    records: Vec::new(),
                    rejected: Vec::new(),
                });
            };
            let seen = std::mem::take(seen);
            self.mode = self.start(first != b'{' && first != b'[');
            return self.feed(&seen, false);
        }
        self.feed(chunk, false)
    }

    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        let out = self.feed(&[], true)?;
        if !self.skipped.0.is_empty() {
            let list: Vec<String> = self
                .skipped
                .0
                .iter()
                .map(|(n, c)| format!("{n} ×{c}"))
                .collect();
            custode_sdk::info!("skipped events that are not opt-outs: {}", list.join(", "));
        }
        Ok(out)
    }
}

custode_sdk::export_importer!(Configured<OptOutImport>);
