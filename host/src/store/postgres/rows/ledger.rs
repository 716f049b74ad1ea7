//! The consent ledger, legal bases and privacy notices as rows: what a contact's details, the
//! access package and the consent store all read (`sqlite/rows/ledger.rs` on PostgreSQL).

use postgres::GenericClient;

use super::from_code;
use crate::domain::{
    BasisPeriod, BatchId, ConsentAction, ConsentChannel, ConsentRecord, ContactId, Evidence,
    LegalBasis, NoticeReceipt, ProvenanceId, Timestamp,
};
use crate::store::common::PurposeIds;
use crate::store::error::DbContext;
use crate::store::Result;

/// The id of a notice version, registering it when an import names a version nobody published here:
/// the import proves the person saw *some* text under that name; the DPO can add its digest later.
pub(crate) fn notice_id_or_register(
    client: &mut impl GenericClient,
    version: &str,
    at: i64,
    batch: Option<BatchId>,
) -> Result<i64> {
    if let Some(id) = notice_id(client, version)? {
        return Ok(id);
    }
    let summary = batch.map(|b| format!("registered by import batch {}", b.0));
    client
        .query_one(
            "INSERT INTO notices (version, published_at, summary) VALUES ($1, $2, $3) RETURNING id",
            &[&version, &at, &summary],
        )
        .map(|r| r.get(0))
        .db("cannot register the notice version")
}

/// The id of a published (or imported) notice version.
pub(crate) fn notice_id(client: &mut impl GenericClient, version: &str) -> Result<Option<i64>> {
    client
        .query_opt("SELECT id FROM notices WHERE version = $1", &[&version])
        .map(|r| r.map(|r| r.get(0)))
        .db("cannot read the notices")
}

/// A contact's consent ledger, in ledger order.
pub(crate) fn consent_history(
    purposes: &PurposeIds,
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<ConsentRecord>> {
    let rows = client
        .query(
            "SELECT e.seq, e.purpose_id, e.channel, e.action, e.at,
                    coalesce(e.method,
                             'imported from ' || p.source_label || coalesce(', import batch ' || p.batch_id, '')
                               || coalesce(', row ' || e.source_row, ''),
                             'recorded'),
                    e.notice_version, e.evidence,
                    coalesce(e.collected_by, p.operator, 'unknown'), e.provenance_id, p.batch_id, e.source_row
             FROM consent_events e LEFT JOIN provenance p ON p.id = e.provenance_id
             WHERE e.contact_id = $1 ORDER BY e.seq",
            &[&id.0],
        )
        .db("cannot read the consent ledger")?;
    rows.iter()
        .map(|r| {
            Ok(ConsentRecord {
                seq: r.get(0),
                purpose: purposes.name(r.get(1)),
                channel: from_code(r.get(2), ConsentChannel::from_code, "channel")?,
                action: from_code(r.get(3), ConsentAction::from_code, "consent action")?,
                at: Timestamp(r.get(4)),
                evidence: Evidence {
                    method: r.get(5),
                    notice_version: r.get(6),
                    text: r.get(7),
                    collected_by: r.get(8),
                },
                provenance: r.get::<_, Option<i64>>(9).map(ProvenanceId),
                batch: r.get::<_, Option<i64>>(10).map(BatchId),
                row: r
                    .get::<_, Option<i64>>(11)
                    .and_then(|row| u64::try_from(row).ok()),
            })
        })
        .collect()
}

/// A contact's legal-basis periods, by purpose and start.
pub(crate) fn legal_bases(
    purposes: &PurposeIds,
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<BasisPeriod>> {
    let rows = client
        .query(
            r#"SELECT purpose_id, basis, start, "end" FROM legal_bases WHERE contact_id = $1
               ORDER BY purpose_id, start, seq"#,
            &[&id.0],
        )
        .db("cannot read the legal bases")?;
    rows.iter()
        .map(|r| {
            Ok(BasisPeriod {
                purpose: purposes.name(r.get(0)),
                basis: from_code(r.get(1), LegalBasis::from_code, "legal basis")?,
                start: Timestamp(r.get(2)),
                end: r.get::<_, Option<i64>>(3).map(Timestamp),
            })
        })
        .collect()
}

/// The notice versions a contact received, explicit receipts and those named by consent events.
pub(crate) fn notice_receipts(
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<NoticeReceipt>> {
    let rows = client
        .query(
            r#"SELECT version, at FROM (
                   SELECT n.version, r.at FROM notice_receipts r JOIN notices n ON n.id = r.notice_id
                   WHERE r.contact_id = $1
                   UNION SELECT notice_version, at FROM consent_events
                   WHERE contact_id = $1 AND notice_version IS NOT NULL) u
               ORDER BY at, version COLLATE "C""#,
            &[&id.0],
        )
        .db("cannot read the notice receipts")?;
    Ok(rows
        .iter()
        .map(|r| NoticeReceipt {
            version: r.get(0),
            at: Timestamp(r.get(1)),
        })
        .collect())
}
