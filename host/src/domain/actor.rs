//! Who does something, as the audit log records it (Art. 5(2) accountability).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::vocab::Role;

/// A person or system acting through the CLI or the API: a token's name, an operator's login, or
/// `custode` itself for scheduled work. The name is staff data, never the data subject's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        Actor {
            name: name.into(),
            role,
        }
    }

    /// Custode itself (migrations, scheduled retention).
    pub fn system() -> Self {
        Actor::new("custode", Role::System)
    }
}

impl Role {
    /// The roles that read contacts' data: a DPO answering a data subject, an operator
    /// maintaining contacts. An admin runs the installation and an auditor reads the audit log;
    /// neither needs personal data. The API's route table grants exactly these roles the contact
    /// routes, and `[access.visible_fields]` can only restrict them.
    pub const CONTACT_READERS: [Role; 2] = [Role::Dpo, Role::Operator];

    pub fn reads_contacts(self) -> bool {
        Self::CONTACT_READERS.contains(&self)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.role)
    }
}
