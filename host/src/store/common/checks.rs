//! Checks of what a caller hands a store, the same on both backends, before anything is written.

use crate::domain::Identity;
use crate::store::error::StoreError;
use crate::store::Result;

/// What anonymisation writes in place of a value.
pub(crate) const ANONYMISED: &str = "[anonymised]";

/// A short free text such as a source label.
pub(crate) fn check_text(field: &str, text: &str, example: &str) -> Result<()> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 500 {
        return Err(StoreError::invalid(
            field,
            format!("give a short text (up to 500 characters), e.g. `{example}`"),
        ));
    }
    Ok(())
}

/// A reason recorded in the audit log, which must not hold personal data.
pub(crate) fn check_reason(reason: &str, example: &str) -> Result<()> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 200 {
        return Err(StoreError::invalid(
            "reason",
            format!("give a short reason without personal data (up to 200 characters), e.g. `{example}`"),
        ));
    }
    Ok(())
}

/// The kinds of the identities, for audit entries (never the identities themselves).
pub(crate) fn kinds(identities: &[Identity]) -> Vec<&'static str> {
    identities.iter().map(|i| i.kind()).collect()
}
