//! The rows every aggregate of the PostgreSQL store writes: the audit entry each write appends and
//! the purpose catalogue (the same as `sqlite/rows`, in PostgreSQL's words); in the submodules, a
//! contact's own rows, the consent ledger and the suppression list.

pub(crate) mod contact;
pub(crate) mod ledger;
pub(crate) mod suppression;

use postgres::GenericClient;

use crate::domain::{Actor, Policy, Timestamp};
use crate::store::audit_chain::{self, EntryContent, GENESIS};
use crate::store::common::{AuditDraft, PurposeIds};
use crate::store::error::{DbContext, StoreError};
use crate::store::secret::Keys;
use crate::store::Result;

/// Decodes a vocabulary column (`from` is e.g. `LegalBasis::from_code`); an unknown code is an error,
/// never a guess.
pub(crate) fn from_code<T>(value: i64, from: fn(i64) -> Option<T>, what: &str) -> Result<T> {
    from(value).ok_or_else(|| {
        StoreError::Setup(format!(
            "the database holds an unknown {what} code {value}: it was written by a newer Custode; run that version"
        ))
    })
}

/// Gives every purpose of the catalogue an id; ids of purposes no longer configured are kept.
pub(crate) fn sync_purposes(
    client: &mut impl GenericClient,
    policy: &Policy,
) -> Result<PurposeIds> {
    for p in policy.catalogue.purposes() {
        client
            .execute(
                "INSERT INTO purposes (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                &[&p.name],
            )
            .db("cannot record the purpose catalogue")?;
    }
    let rows = client
        .query("SELECT id, name FROM purposes", &[])
        .db("purposes")?;
    Ok(PurposeIds::from_rows(
        rows.iter()
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1))),
    ))
}

/// Appends one entry chained to the current head, and moves the recorded head. The caller holds the
/// writer lock (see `PostgresStore::write`), so no other process appends between the read and the
/// insert; the primary key on `seq` would refuse a second entry with the same number anyway.
pub(crate) fn append_audit(
    client: &mut impl GenericClient,
    keys: &Keys,
    actor: &Actor,
    draft: &AuditDraft,
) -> Result<i64> {
    let head = client
        .query_opt(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .db("cannot read the audit log head")?;
    let (seq, prev_hash): (i64, Vec<u8>) = match head {
        Some(r) => (r.get::<_, i64>(0) + 1, r.get(1)),
        None => (1, GENESIS.to_vec()),
    };
    let details = draft.details.to_string();
    let role = actor.role.as_str();
    let at = Timestamp::now().0;
    let content = EntryContent {
        at,
        actor: &actor.name,
        role,
        action: draft.action,
        target: &draft.target,
        details: &details,
    };
    let hash = audit_chain::entry_hash(keys, &prev_hash, &content);
    client
        .execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &seq,
                &at,
                &actor.name,
                &role,
                &draft.action,
                &draft.target,
                &details,
                &prev_hash,
                &hash.as_slice(),
            ],
        )
        .db("cannot append to the audit log")?;
    client
        .execute(
            "INSERT INTO meta (key, value) VALUES ('audit_head', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&format!("{seq}:{}", hex::encode(hash))],
        )
        .db("cannot record the audit log head")?;
    Ok(seq)
}
