//! The consent ledger, legal bases and privacy notices as rows: what a contact's details, the
//! access package and the consent store all read.

use rusqlite::{params, Connection, OptionalExtension};

use super::{from_code, PurposeIds};
use crate::domain::{
    BasisPeriod, BatchId, ConsentAction, ConsentChannel, ConsentRecord, ContactId, Evidence,
    LegalBasis, NoticeReceipt, ProvenanceId, Timestamp,
};
use crate::store::error::DbContext;
use crate::store::Result;

/// The id of a notice version, registering it when an import names a version nobody published here:
/// the import proves the person saw *some* text under that name; the DPO can add its digest later.
pub(crate) fn notice_id_or_register(
    conn: &Connection,
    version: &str,
    at: i64,
    batch: Option<BatchId>,
) -> Result<i64> {
    if let Some(id) = notice_id(conn, version)? {
        return Ok(id);
    }
    let summary = batch.map(|b| format!("registered by import batch {}", b.0));
    conn.prepare_cached("INSERT INTO notices (version, published_at, summary) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![version, at, summary]))
        .db("cannot register the notice version")?;
    Ok(conn.last_insert_rowid())
}

/// The id of a published (or imported) notice version.
pub(crate) fn notice_id(conn: &Connection, version: &str) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM notices WHERE version = ?1")
        .and_then(|mut s| s.query_row([version], |r| r.get(0)).optional())
        .db("cannot read the notices")
}

/// A contact's consent ledger, in ledger order.
pub(crate) fn consent_history(
    purposes: &PurposeIds,
    conn: &Connection,
    id: ContactId,
) -> Result<Vec<ConsentRecord>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT e.seq, e.purpose_id, e.channel, e.action, e.at,
                    coalesce(e.method,
                             'imported from ' || p.source_label || coalesce(', import batch ' || p.batch_id, '')
                               || coalesce(', row ' || e.source_row, ''),
                             'recorded'),
                    e.notice_version, e.evidence,
                    coalesce(e.collected_by, p.operator, 'unknown'), e.provenance_id, p.batch_id, e.source_row
             FROM consent_events e LEFT JOIN provenance p ON p.id = e.provenance_id
             WHERE e.contact_id = ?1 ORDER BY e.seq",
        )
        .db("cannot read the consent ledger")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok(ConsentRecord {
                seq: r.get(0)?,
                purpose: purposes.name(r.get(1)?),
                channel: from_code(r.get(2)?, ConsentChannel::from_code, "channel")?,
                action: from_code(r.get(3)?, ConsentAction::from_code, "consent action")?,
                at: Timestamp(r.get(4)?),
                evidence: Evidence {
                    method: r.get(5)?,
                    notice_version: r.get(6)?,
                    text: r.get(7)?,
                    collected_by: r.get(8)?,
                },
                provenance: r.get::<_, Option<i64>>(9)?.map(ProvenanceId),
                batch: r.get::<_, Option<i64>>(10)?.map(BatchId),
                row: r
                    .get::<_, Option<i64>>(11)?
                    .and_then(|row| u64::try_from(row).ok()),
            })
        })
        .db("cannot read the consent ledger")?;
    rows.collect::<Result<_, _>>()
        .db("cannot read the consent ledger")
}

/// A contact's legal-basis periods, by purpose and start.
pub(crate) fn legal_bases(
    purposes: &PurposeIds,
    conn: &Connection,
    id: ContactId,
) -> Result<Vec<BasisPeriod>> {
    let mut stmt = conn
        .prepare_cached("SELECT purpose_id, basis, start, end FROM legal_bases WHERE contact_id = ?1 ORDER BY purpose_id, start, seq")
        .db("cannot read the legal bases")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok(BasisPeriod {
                purpose: purposes.name(r.get(0)?),
                basis: from_code(r.get(1)?, LegalBasis::from_code, "legal basis")?,
                start: Timestamp(r.get(2)?),
                end: r.get::<_, Option<i64>>(3)?.map(Timestamp),
            })
        })
        .db("cannot read the legal bases")?;
    rows.collect::<Result<_, _>>()
        .db("cannot read the legal bases")
}

/// The notice versions a contact received, explicit receipts and those named by consent events.
pub(crate) fn notice_receipts(conn: &Connection, id: ContactId) -> Result<Vec<NoticeReceipt>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT n.version, r.at FROM notice_receipts r JOIN notices n ON n.id = r.notice_id WHERE r.contact_id = ?1
             UNION SELECT notice_version, at FROM consent_events WHERE contact_id = ?1 AND notice_version IS NOT NULL
             ORDER BY 2, 1",
        )
        .db("cannot read the notice receipts")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok(NoticeReceipt {
                version: r.get(0)?,
                at: Timestamp(r.get(1)?),
            })
        })
        .db("cannot read the notice receipts")?;
    rows.collect::<Result<_, _>>()
        .db("cannot read the notice receipts")
}
