//! CSV exports of unsubscribed, cleaned (bounced) and complained contacts.

use crate::event::{Kind, OptOut};
use crate::Skipped;
use custode_sdk::columns::{normalise, standard_column, Column};
use custode_sdk::csv::CsvRow;
use custode_sdk::time::{parse_date, DateOrder};
use custode_sdk::types::{ImportError, RowError};

/// The header of an export, resolved.
pub struct ExportHeader {
    names: Vec<String>,
    email: usize,
    event: Option<usize>,
    time: Option<usize>,
    reasons: Vec<usize>,
    campaign: Option<usize>,
    /// What every row records, when the file is all of one kind (Mailchimp's unsubscribed.csv).
    file_kind: Option<Kind>,
    /// The tool named in the evidence.
    pub tool: String,
}

impl ExportHeader {
    pub fn resolve(
        row: &CsvRow,
        event_setting: Option<Kind>,
        tool_setting: Option<&str>,
    ) -> Result<ExportHeader, ImportError> {
        let names: Vec<String> = row.iter().map(|h| h.trim().to_string()).collect();
        let norm: Vec<String> = names.iter().map(|h| normalise(h)).collect();
        let find = |pred: &dyn Fn(&str) -> bool| norm.iter().position(|h| pred(h));
        let email = names.iter().position(|h| standard_column(h) == Some(Column::Email)).ok_or_else(|| {
            ImportError::at_row(
                row.line(),
                None,
                format!("the export has no email column (it has: {}); the column must be named like `Email Address`", names.join(", ")),
            )
        })?;
        let event = find(&|h| {
            matches!(
                h,
                "event" | "event type" | "type" | "status" | "stato" | "evento" | "tipo"
            )
        });
        // The event's own time: Mailchimp exports also carry OPTIN_TIME, CONFIRM_TIME, LAST_CHANGED.
        let timed = |h: &str| {
            h.contains("time") || h.contains("date") || h.contains("data") || h.ends_with(" at")
        };
        let about_event = |h: &str| {
            [
                "unsub", "clean", "bounce", "complain", "spam", "event", "disiscri",
            ]
            .iter()
            .any(|w| h.contains(w))
        };
        let time = find(&|h| about_event(h) && timed(h)).or_else(|| {
            find(&|h| {
                matches!(
                    h,
                    "date" | "time" | "timestamp" | "data" | "ts" | "event time"
                )
            })
        });
        let reasons = norm
            .iter()
            .enumerate()
            .filter(|(_, h)| h.contains("reason") || h.contains("motivo"))
            .map(|(i, _)| i)
            .collect();
        let campaign =
            find(&|h| (h.contains("campaign") || h.contains("campagna")) && h.contains("title"))
                .or_else(|| find(&|h| h.contains("campaign") || h.contains("campagna")));
        let file_kind = event_setting.or_else(|| {
            let has = |w: &str| norm.iter().any(|h| h.starts_with(w));
            if has("unsub") {
                Some(Kind::Unsubscribe)
            } else if has("complain") || has("spam") || has("abuse") {
                Some(Kind::Complaint)
            } else if has("clean") || has("bounce") {
                Some(Kind::HardBounce)
            } else {
                None
            }
        });
        if event.is_none() && file_kind.is_none() {
            return Err(ImportError::at_row(
                row.line(),
                None,
                "cannot tell what this export records: it has no event or status column and no UNSUB_ or CLEAN_ \
                 columns; set `event` to unsubscribe, complaint or bounce",
            ));
        }
        let mailchimp = norm
            .iter()
            .any(|h| matches!(h.as_str(), "leid" | "euid" | "unsub time" | "clean time"));
        let tool = tool_setting.map(str::to_string).unwrap_or_else(|| {
            if mailchimp {
                "Mailchimp"
            } else {
                "newsletter tool"
            }
            .into()
        });
        Ok(ExportHeader {
            names,
            email,
            event,
            time,
            reasons,
            campaign,
            file_kind,
            tool,
        })
    }

    /// The opt-out a data row states, `None` for a row about something else (an event column
    /// saying `open`), or a row error.
    pub fn read(
        &self,
        row: &CsvRow,
        order: DateOrder,
        skipped: &mut Skipped,
    ) -> Result<Option<OptOut>, RowError> {
        let line = row.line();
        let cell = |i: usize| row.get(i).map(str::trim).unwrap_or_default();
        let event_name = self.event.map(cell).unwrap_or_default().to_string();
        let kind = match (self.event, self.file_kind) {
            (Some(_), _) if !event_name.is_empty() => Kind::from_event(&event_name),
            (_, file_kind) => file_kind,
        };
        let Some(kind) = kind else {
            skipped.add(if event_name.is_empty() {
                "(no event name)"
            } else {
                &event_name
            });
            return Ok(None);
        };
        let email = cell(self.email);
        if email.is_empty() {
            return Err(RowError::new(
                line,
                Some(&self.names[self.email]),
                format!("row {line} has no email address"),
            ));
        }
        let at = match self
            .time
            .map(|i| (i, cell(i)))
            .filter(|(_, t)| !t.is_empty())
        {
            Some((i, text)) => {
                let name = &self.names[i];
                Some(parse_date(text, order).map_err(|e| {
                    RowError::new(
                        line,
                        Some(name),
                        format!("column `{name}`, row {line}: {e}"),
                    )
                })?)
            }
            None => None,
        };
        let reasons: Vec<&str> = self
            .reasons
            .iter()
            .map(|&i| cell(i))
            .filter(|r| !r.is_empty())
            .collect();
        Ok(Some(OptOut {
            row: line,
            email: email.to_string(),
            kind,
            at,
            event_name,
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            campaign: self
                .campaign
                .map(cell)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
        }))
    }
}
