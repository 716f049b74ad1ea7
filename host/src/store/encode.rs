//! How a record is encoded for storage, by every backend: field values as one JSON object, and the
//! digest that recognises the same record from the same file.

use sha2::{Digest, Sha256};

use crate::domain::{FieldValue, NormalizedRecord};

pub(crate) fn first_notice(record: &NormalizedRecord, collected_at: i64) -> Option<i64> {
    let notices = record
        .notices
        .iter()
        .map(|n| n.at.map_or(collected_at, |t| t.0));
    let consents = record
        .consents
        .iter()
        .filter(|c| c.notice_version.is_some())
        .map(|c| c.at.map_or(collected_at, |t| t.0));
    notices.chain(consents).min()
}

pub(crate) fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    a.max(b)
}

pub(crate) fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    }
}

/// The field values as one JSON object; blank values are left out, and a name given twice keeps its
/// last value. Written by hand: this runs once per imported record.
pub(crate) fn fields_json(out: &mut String, fields: &[FieldValue]) {
    out.clear();
    out.push('{');
    let mut first = true;
    for (i, f) in fields.iter().enumerate() {
        let value = f.value.trim();
        if value.is_empty() || fields[i + 1..].iter().any(|g| g.name == f.name) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        push_json_string(out, &f.name);
        out.push(':');
        push_json_string(out, value);
    }
    out.push('}');
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Identifies "the same record from the same file" (a re-import changes nothing): the file digest and everything the record says,
/// each part length-prefixed. The row number is left out so a duplicate row of a file is recognised too.
pub(crate) fn record_digest(file_digest: Option<&str>, r: &NormalizedRecord) -> [u8; 16] {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u32).to_le_bytes());
        h.update(bytes);
    };
    part(file_digest.unwrap_or("").as_bytes());
    for i in &r.identities {
        part(i.key().as_bytes());
    }
    part(b"|fields");
    for f in &r.fields {
        part(f.name.as_bytes());
        part(f.value.trim().as_bytes());
    }
    part(b"|consents");
    for c in &r.consents {
        part(c.purpose.as_bytes());
        part(&[c.channel.code() as u8, c.action.code() as u8]);
        part(&c.at.map_or(i64::MIN, |t| t.0).to_le_bytes());
        part(c.evidence.as_deref().unwrap_or("").as_bytes());
        part(c.notice_version.as_deref().unwrap_or("").as_bytes());
    }
    part(b"|bases");
    for b in &r.legal_bases {
        part(b.purpose.as_bytes());
        part(&[b.basis.code() as u8]);
        part(&b.start.map_or(i64::MIN, |t| t.0).to_le_bytes());
        part(&b.end.map_or(i64::MIN, |t| t.0).to_le_bytes());
    }
    part(b"|notices");
    for n in &r.notices {
        part(n.version.as_bytes());
        part(&n.at.map_or(i64::MIN, |t| t.0).to_le_bytes());
    }
    part(b"|source");
    part(r.source.label.as_deref().unwrap_or("").as_bytes());
    part(&[r.source.channel.map_or(0, |c| c.code() as u8)]);
    part(
        &r.source
            .collected_at
            .map_or(i64::MIN, |t| t.0)
            .to_le_bytes(),
    );
    part(&r.last_interaction.map_or(i64::MIN, |t| t.0).to_le_bytes());
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_json_escapes_skips_blanks_and_keeps_the_last_repeat() {
        let f = |n: &str, v: &str| FieldValue {
            name: n.into(),
            value: v.into(),
        };
        let mut out = String::new();
        fields_json(
            &mut out,
            &[
                f("notes", "say \"hi\"\n\\"),
                f("city", "  "),
                f("company", "A"),
                f("company", " B "),
            ],
        );
        assert_eq!(out, r#"{"notes":"say \"hi\"\u000a\\","company":"B"}"#);
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["notes"], "say \"hi\"\n\\");
    }

    #[test]
    fn the_digest_ignores_the_row_but_not_the_file_or_content() {
        let a = NormalizedRecord {
            row: 1,
            fields: vec![FieldValue {
                name: "city".into(),
                value: "Roma".into(),
            }],
            ..NormalizedRecord::default()
        };
        let b = NormalizedRecord {
            row: 9,
            ..a.clone()
        };
        assert_eq!(record_digest(Some("f"), &a), record_digest(Some("f"), &b));
        assert_ne!(record_digest(Some("f"), &a), record_digest(Some("g"), &a));
        let mut c = a.clone();
        c.fields[0].value = "Milano".into();
        assert_ne!(record_digest(Some("f"), &a), record_digest(Some("f"), &c));
    }
}
