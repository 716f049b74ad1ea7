//! The review queue as the API and the CLI work through it: a rule's "review" decisions, resolved by a
//! DPO (keep until a date, erase, anonymise), each resolution audited.

use super::{ReviewItem, ReviewResolution};
use crate::domain::Actor;
use crate::service::{Compliance, Result};

impl Compliance {
    /// Review items oldest first, `limit` at a time after `after`; only the open ones unless `all`.
    pub fn review_items(
        &self,
        all: bool,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ReviewItem>> {
        self.store().review_items(!all, after, limit)
    }

    /// Resolves an open item: keep (not asked again before `review_after`), erase or anonymise.
    pub fn resolve_review(
        &self,
        actor: &Actor,
        id: i64,
        resolution: &ReviewResolution,
    ) -> Result<ReviewItem> {
        self.store().review_resolve(actor, id, resolution)
    }
}
