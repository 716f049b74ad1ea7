//! One form submission (a JSON object) to one contact record.

use crate::Settings;
use custode_sdk::columns::{normalise, standard_column, Column};
use custode_sdk::consent::{
    consent_value, is_notice_acknowledgement, standard_consent_column, ConsentTarget,
};
use custode_sdk::json::Value;
use custode_sdk::time::{epoch_seconds_or_millis, parse_date, DateOrder, Timestamp};
use custode_sdk::types::{
    ConsentAction, ConsentClaim, ContactRecord, Identity, RowError, SourceChannel,
};

/// What a top-level member of a submission is.
enum Member<'a> {
    Time,
    Page,
    Form,
    Notice,
    /// Not imported: IP address, user agent, the form tool's own ids.
    Ignored,
    /// The `fields` object.
    Fields,
    /// The `consents` object.
    Consents,
    /// A consent checkbox, by its name.
    Checkbox(&'a str),
    /// "I have read the privacy notice": a notice receipt, not a consent.
    Acknowledgement,
    Field,
}

fn classify<'a>(key: &'a str, top_level: bool, s: &Settings) -> Member<'a> {
    let n = normalise(key);
    if s.columns.iter().any(|(k, _)| *k == n) {
        return Member::Field;
    }
    if top_level {
        match n.as_str() {
            "submitted at" | "submitted" | "timestamp" | "created at" | "date" | "time" => {
                return Member::Time
            }
            "page" | "page url" | "url" | "form url" | "source url" | "pageurl" => {
                return Member::Page
            }
            "form" | "form id" | "form name" => return Member::Form,
            "notice version"
            | "privacy version"
            | "informativa"
            | "informativa version"
            | "versione informativa" => return Member::Notice,
            "ip" | "ip address" | "user agent" | "useragent" | "id" | "submission id"
            | "referrer" | "referer" => return Member::Ignored,
            "fields" => return Member::Fields,
            "consents" | "consensi" => return Member::Consents,
            _ => {}
        }
    }
    for prefix in ["consent_", "consenso_", "consent-", "consenso-"] {
        if let Some(name) = key.strip_prefix(prefix) {
            return Member::Checkbox(name);
        }
    }
    if s.consents.iter().any(|(k, _)| *k == n) || standard_consent_column(key).is_some() {
        Member::Checkbox(key)
    } else if is_notice_acknowledgement(key) {
        Member::Acknowledgement
    } else {
        Member::Field
    }
}

fn target(checkbox: &str, s: &Settings) -> ConsentTarget {
    let n = normalise(checkbox);
    s.consents
        .iter()
        .find(|(k, _)| *k == n)
        .map(|(_, t)| t.clone())
        .or_else(|| standard_consent_column(checkbox))
        .unwrap_or_else(|| ConsentTarget {
            purpose: checkbox.to_string(),
            channel: s.channel.clone(),
        })
}

/// A value as field text: scalars as written, arrays joined; `None` for null and objects.
fn field_text(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(Value::scalar_text).collect();
            Some(parts.join(", "))
        }
        other => other.scalar_text(),
    }
}

fn timestamp(v: &Value) -> Result<Timestamp, String> {
    if let Some(n) = v.as_i64() {
        return Ok(epoch_seconds_or_millis(n));
    }
    match v.as_str().map(str::trim) {
        Some(s) if s.len() > 8 && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse()
            .map(epoch_seconds_or_millis)
            .map_err(|_| format!("`{s}` is not a time")),
        Some(s) => parse_date(s, DateOrder::DayFirst),
        None => Err(format!("`{v}` is not a time; use ISO 8601 or Unix seconds")),
    }
}

/// The submission found at line `row` as a contact record, or every problem in it.
pub fn read(row: u64, v: &Value, s: &Settings) -> Result<ContactRecord, Vec<RowError>> {
    let Some(members) = v.as_object() else {
        return Err(vec![RowError::new(
            row,
            None,
            format!("line {row}: a submission must be a JSON object, found `{v}`"),
        )]);
    };
    let mut errors = Vec::new();
    let mut record = ContactRecord::new(row);
    record.source.channel = Some(SourceChannel::WebForm);
    let (mut page, mut form, mut notice, mut at) = (None, None, s.notice_version.clone(), None);
    let mut checkboxes: Vec<(&str, &Value)> = Vec::new();
    let mut fields: Vec<(String, &Value)> = Vec::new();
    let has_fields_object = members
        .iter()
        .any(|(k, v)| normalise(k) == "fields" && v.as_object().is_some());

    for (key, value) in members {
        match classify(key, true, s) {
            Member::Time => match timestamp(value) {
                Ok(t) => at = Some(t),
                Err(e) => errors.push(RowError::new(
                    row,
                    Some(key),
                    format!("line {row}, `{key}`: {e}"),
                )),
            },
            Member::Page => page = value.scalar_text(),
            Member::Form => form = value.scalar_text(),
            Member::Notice => notice = value.scalar_text().or(notice),
            Member::Ignored | Member::Acknowledgement => {}
            Member::Fields => {
                for (k, v) in value.as_object().unwrap_or_default() {
                    match classify(k, false, s) {
                        Member::Checkbox(name) => checkboxes.push((name, v)),
                        Member::Acknowledgement => {}
                        _ => flatten(k, v, &mut fields),
                    }
                }
            }
            Member::Consents => checkboxes.extend(
                value
                    .as_object()
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (k.as_str(), v)),
            ),
            Member::Checkbox(name) => checkboxes.push((name, value)),
            Member::Field if has_fields_object => {} // the form's own metadata, beside its `fields`
            Member::Field => flatten(key, value, &mut fields),
        }
    }

    for (name, value) in &fields {
        let Some(text) = field_text(value).filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let n = normalise(name);
        let column = s
            .columns
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, c)| c.clone())
            .or_else(|| standard_column(name));
        match column {
            Some(Column::Email) => record
                .identities
                .push(Identity::Email(text.trim().to_string())),
            Some(Column::Phone) => record
                .identities
                .push(Identity::Phone(text.trim().to_string())),
            Some(Column::Field(field)) => record = record.with_field(&field, &text),
            Some(Column::Source) => record.source.label = Some(text.trim().to_string()),
            Some(Column::NoticeVersion) => notice = Some(text.trim().to_string()),
            Some(Column::LastInteraction | Column::CollectedAt) => match timestamp(value) {
                Ok(t) if column == Some(Column::LastInteraction) => {
                    record.last_interaction = Some(t)
                }
                Ok(t) => at = Some(t),
                Err(e) => errors.push(RowError::new(
                    row,
                    Some(name),
                    format!("line {row}, `{name}`: {e}"),
                )),
            },
            Some(Column::Ignore) => {}
            Some(Column::ExternalId) | None => record = record.with_field(name, &text),
        }
    }
    if record.identities.is_empty() {
        errors.push(RowError::new(
            row,
            None,
            format!("line {row}: the submission has no email or phone"),
        ));
    }

    let mut where_ = String::new();
    if let Some(f) = &form {
        where_.push_str(&format!(" of form `{f}`"));
    }
    if let Some(p) = &page {
        where_.push_str(&format!(" on {p}"));
    }
    if let Some(v) = &notice {
        where_.push_str(&format!(", notice {v}"));
    }
    for (name, value) in checkboxes {
        let given = match value {
            Value::Bool(b) => Ok(Some(*b)),
            Value::Null => Ok(None),
            other => consent_value(&other.scalar_text().unwrap_or_default()),
        };
        match given {
            Ok(Some(true)) => {
                let t = target(name, s);
                let mut claim = ConsentClaim::new(&t.purpose, &t.channel, ConsentAction::Granted)
                    .at(at)
                    .with_evidence(format!("checkbox `{name}`{where_}"));
                claim.notice_version = notice.clone();
                record.consents.push(claim);
            }
            Ok(_) => {}
            Err(e) => errors.push(RowError::new(
                row,
                Some(name),
                format!("line {row}, checkbox `{name}`: {e}"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(version) = notice {
        record = record.with_notice(&version, at);
    }
    record.source.label = record.source.label.take().or(page).or(form);
    record.source.collected_at = at;
    Ok(record)
}

/// A member as fields: scalars and arrays under their name, an object's members as `name.member`.
fn flatten<'a>(key: &str, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match value.as_object() {
        Some(members) => out.extend(
            members
                .iter()
                .filter(|(_, v)| v.as_object().is_none())
                .map(|(k, v)| (format!("{key}.{k}"), v)),
        ),
        None => out.push((key.to_string(), value)),
    }
}
