//! JSON webhook events: one event (or an array of events) per line, or one JSON document.

use crate::event::{Kind, OptOut};
use crate::Skipped;
use custode_sdk::json::{self, Value};
use custode_sdk::time::{epoch_seconds_or_millis, parse_date, DateOrder, Timestamp};
use custode_sdk::types::RowError;

/// Reads the events of one JSON value (an event, or an array of events) found at line `row`.
/// `tool` is the configured tool name, if any. Returns the opt-outs with the tool each came from.
pub fn events(
    row: u64,
    value: &Value,
    tool: Option<&str>,
    skipped: &mut Skipped,
) -> Result<Vec<(OptOut, String)>, RowError> {
    match value {
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(event(row, item, tool, skipped)?);
            }
            Ok(out)
        }
        _ => Ok(event(row, value, tool, skipped)?.into_iter().collect()),
    }
}

/// Parses one line; `Err` is a row error naming the line.
pub fn parse_line(row: u64, text: &str) -> Result<Value, RowError> {
    json::parse(text).map_err(|e| {
        RowError::new(
            row,
            None,
            format!("line {row} is not JSON ({e}); send one JSON event per line"),
        )
    })
}

fn path<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| v.get(key))
}

fn first<'a>(v: &'a Value, paths: &[&[&str]]) -> Option<(&'a Value, String)> {
    paths.iter().find_map(|p| {
        path(v, p)
            .filter(|x| !x.is_null())
            .map(|x| (x, p.join(".")))
    })
}

fn text(v: &Value, paths: &[&[&str]]) -> Option<String> {
    first(v, paths)
        .and_then(|(x, _)| x.scalar_text())
        .filter(|s| !s.trim().is_empty())
}

/// Which tool a payload comes from, by the fields only that tool sends.
fn detect_tool(v: &Value) -> &'static str {
    if v.get("sg_event_id").is_some() || v.get("sg_message_id").is_some() {
        "SendGrid"
    } else if v.get("fired_at").is_some() && v.get("data").is_some() {
        "Mailchimp"
    } else if v.get("event-data").is_some() {
        "Mailgun"
    } else if v.get("RecordType").is_some() {
        "Postmark"
    } else if v.get("ts_event").is_some() || (v.get("ts").is_some() && v.get("event").is_some()) {
        "Brevo"
    } else {
        "newsletter tool"
    }
}

fn event(
    row: u64,
    v: &Value,
    tool: Option<&str>,
    skipped: &mut Skipped,
) -> Result<Option<(OptOut, String)>, RowError> {
    if v.as_object().is_none() {
        return Err(RowError::new(
            row,
            None,
            format!("line {row}: an event must be a JSON object, found `{v}`"),
        ));
    }
    let tool = tool
        .map(str::to_string)
        .unwrap_or_else(|| detect_tool(v).to_string());
    let name = text(
        v,
        &[
            &["event"],
            &["type"],
            &["RecordType"],
            &["event-data", "event"],
            &["Type"],
        ],
    )
    .unwrap_or_default();
    let Some(kind) = kind(v, &name) else {
        skipped.add(if name.is_empty() {
            "(no event name)"
        } else {
            &name
        });
        return Ok(None);
    };
    let email = text(
        v,
        &[
            &["email"],
            &["Email"],
            &["email_address"],
            &["recipient"],
            &["data", "email"],
            &["event-data", "recipient"],
        ],
    )
    .ok_or_else(|| {
        RowError::new(
            row,
            None,
            format!("line {row}: the `{name}` event has no email address"),
        )
    })?;
    let at = match first(
        v,
        &[
            &["timestamp"],
            &["ts_event"],
            &["ts"],
            &["fired_at"],
            &["date"],
            &["time"],
            &["event-data", "timestamp"],
            &["ReceivedAt"],
            &["BouncedAt"],
            &["ChangedAt"],
        ],
    ) {
        Some((value, key)) => Some(
            timestamp(value)
                .map_err(|e| RowError::new(row, Some(&key), format!("line {row}, `{key}`: {e}")))?,
        ),
        None => None,
    };
    let reason = text(
        v,
        &[
            &["reason"],
            &["data", "reason"],
            &["event-data", "delivery-status", "description"],
            &["Description"],
            &["SuppressionReason"],
        ],
    );
    let campaign = text(
        v,
        &[
            &["campaign_id"],
            &["data", "campaign_id"],
            &["campaign"],
            &["tag"],
        ],
    );
    Ok(Some((
        OptOut {
            row,
            email: email.trim().to_string(),
            kind,
            at,
            event_name: name,
            reason,
            campaign,
        },
        tool,
    )))
}

/// The kind of an event, with the details some tools put in a second field.
fn kind(v: &Value, name: &str) -> Option<Kind> {
    let sub = |p: &[&str]| {
        path(v, p)
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
    };
    match name.to_ascii_lowercase().as_str() {
        // Mailchimp: `cleaned` or `unsubscribe` with reason `abuse` follows a spam report.
        "cleaned" | "unsubscribe" if sub(&["data", "reason"]).as_deref() == Some("abuse") => {
            Some(Kind::Complaint)
        }
        // SendGrid: a `bounce` of type `blocked` is temporary.
        "bounce" if sub(&["type"]).as_deref() == Some("blocked") => None,
        // Postmark: only hard bounces; Mailgun: only permanent failures.
        "bounce" if v.get("RecordType").is_some() => {
            (sub(&["Type"]).as_deref() == Some("hardbounce")).then_some(Kind::HardBounce)
        }
        "failed" => (sub(&["event-data", "severity"]).as_deref() == Some("permanent"))
            .then_some(Kind::HardBounce),
        "subscriptionchange" => (path(v, &["SuppressSending"]).and_then(Value::as_bool)
            == Some(true))
        .then_some(Kind::Unsubscribe),
        _ => Kind::from_event(name),
    }
}

/// Seconds or milliseconds since 1970 (number or digits), or a date as [`parse_date`] reads it.
fn timestamp(v: &Value) -> Result<Timestamp, String> {
    if let Some(n) = v.as_i64() {
        return Ok(epoch_seconds_or_millis(n));
    }
    if let Some(f) = v.as_f64() {
        return Ok(epoch_seconds_or_millis(f.floor() as i64));
    }
    let s = v
        .as_str()
        .ok_or_else(|| format!("`{v}` is not a time"))?
        .trim();
    if !s.is_empty() && s.len() != 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map(epoch_seconds_or_millis)
            .map_err(|_| format!("`{s}` is not a time"));
    }
    parse_date(s, DateOrder::DayFirst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_form() {
        let t = |s: &str| timestamp(&json::parse(s).unwrap());
        assert_eq!(t("1768473000"), Ok(1_768_473_000));
        assert_eq!(t("1768473000123"), Ok(1_768_473_000));
        assert_eq!(t("1768473000.908181"), Ok(1_768_473_000));
        assert_eq!(t("\"1768473000\""), Ok(1_768_473_000));
        assert_eq!(t("\"2026-01-15 10:30:00\""), Ok(1_768_473_000));
        assert_eq!(t("\"2026-01-15T11:30:00+01:00\""), Ok(1_768_473_000));
        assert!(t("true").is_err());
        assert!(t("\"yesterday\"").is_err());
    }
}
