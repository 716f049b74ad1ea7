//! Identifiers the store assigns. Newtypes so a batch id is never passed where a contact id is meant.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, " {}"), self.0)
            }
        }
    };
}

id_type!(
    /// A contact (data subject). Stable for the contact's lifetime and never reused, not even after
    /// erasure: the audit log keeps referring to it.
    ContactId, "contact"
);
id_type!(
    /// One run of an importer over one source.
    BatchId, "import batch"
);
id_type!(
    /// Where a piece of data came from.
    ProvenanceId, "provenance"
);
id_type!(
    /// A version of the privacy notice.
    NoticeId, "notice"
);
