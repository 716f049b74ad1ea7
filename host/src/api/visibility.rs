//! Field visibility (show each role only the data it needs): what of a contact a role may see,
//! from `[access.visible_fields]`. Applied to every answer that carries contact data: the list, a
//! contact, and the contact after a rectification.
//!
//! Email and phone identities are the same data as the fields `email` and `phone`, so they follow those
//! fields' visibility: hiding the field but showing the identity would hide nothing. External ids
//! (`erp:C-42`) stay visible: they are keys a source system assigned, meaningful only inside it, and
//! the handle by which an operator ties the contact to its record there. Provenance (source labels,
//! files, plugins), consents and legal bases carry no field values and are not filtered.
//!
//! A role writes only what it may see ([`Visibility::check_write`]): an operator who cannot see
//! VAT ids could otherwise overwrite one it has never read, and neither it nor anyone checking its
//! work through the same role could tell. Imports are not checked: a file is the source's data,
//! written whole as the source gave it.

use super::problem::Problem;
use crate::config::AccessConfig;
use crate::domain::{ContactDetails, FieldValue, Identity, Role};
use crate::store::ContactPage;

/// What one role may see. `None`: every field (a role with no list).
#[derive(Debug, Clone, Copy)]
pub struct Visibility<'a> {
    role: Role,
    fields: Option<&'a [String]>,
}

impl<'a> Visibility<'a> {
    pub fn of(access: &'a AccessConfig, role: Role) -> Self {
        Visibility {
            role,
            fields: access.visible_fields.get(role.as_str()).map(Vec::as_slice),
        }
    }

    /// Refuses (403, naming the first one) a write of field values or identities the role may not
    /// see. `identities` are named by where they are in the body, e.g. `add_identities`.
    pub fn check_write<'i>(
        &self,
        fields: &[FieldValue],
        identities: impl IntoIterator<Item = (&'static str, &'i [Identity])>,
    ) -> Result<(), Problem> {
        if self.fields.is_none() {
            return Ok(());
        }
        let refuse = |at: String, what: String| {
            Err(Problem::forbidden(format!(
                "the role `{}` may not see {what} (`[access.visible_fields]`), so it may not write it either: leave it out, or ask a role that sees it",
                self.role
            ))
            .with_field(at))
        };
        if let Some(i) = fields.iter().position(|f| !self.field(&f.name)) {
            return refuse(
                format!("fields[{i}]"),
                format!("the field `{}`", fields[i].name),
            );
        }
        for (list, identities) in identities {
            if let Some(i) = identities.iter().position(|id| !self.identity(id)) {
                return refuse(
                    format!("{list}[{i}]"),
                    format!("{} identities", identities[i].kind()),
                );
            }
        }
        Ok(())
    }

    fn field(&self, name: &str) -> bool {
        self.fields.is_none_or(|f| f.iter().any(|n| n == name))
    }

    pub fn identity(&self, identity: &Identity) -> bool {
        match identity {
            Identity::Email(_) => self.field("email"),
            Identity::Phone(_) => self.field("phone"),
            Identity::External(_) => true,
        }
    }

    /// The contact without the fields (current and history) and identities the role may not see.
    pub fn details(&self, mut details: ContactDetails) -> ContactDetails {
        if self.fields.is_some() {
            details.fields.retain(|f| self.field(&f.name));
            details.identities.retain(|i| self.identity(&i.identity));
            details
                .former_identities
                .retain(|i| self.identity(&i.identity));
        }
        details
    }

    /// A page of the contact list without the identities the role may not see.
    pub fn page(&self, mut page: ContactPage) -> ContactPage {
        if self.fields.is_some() {
            for item in &mut page.items {
                item.identities.retain(|i| self.identity(i));
            }
        }
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ExternalId, Phone, PhoneCountry};

    fn identities() -> Vec<Identity> {
        vec![
            Identity::Email("anna@example.org".parse().unwrap()),
            Identity::Phone(Phone::parse("+39 333 123 4567", PhoneCountry::default()).unwrap()),
            Identity::External(ExternalId::parse("erp", "C-42").unwrap()),
        ]
    }

    #[test]
    fn email_and_phone_identities_follow_their_fields_and_external_ids_stay() {
        let access = AccessConfig {
            visible_fields: [("operator".to_string(), vec!["phone".to_string()])].into(),
        };
        let operator = Visibility::of(&access, Role::Operator);
        let kept: Vec<&str> = identities()
            .iter()
            .filter(|i| operator.identity(i))
            .map(|i| i.kind())
            .collect();
        assert_eq!(kept, ["phone", "external id"]);
        // A role with no list sees everything.
        let dpo = Visibility::of(&access, Role::Dpo);
        assert!(identities().iter().all(|i| dpo.identity(i)));
    }

    #[test]
    fn a_role_writes_only_what_it_sees() {
        let access = AccessConfig {
            visible_fields: [(
                "operator".to_string(),
                vec!["phone".to_string(), "city".to_string()],
            )]
            .into(),
        };
        let value = |name: &str| FieldValue {
            name: name.into(),
            value: "x".into(),
        };
        let operator = Visibility::of(&access, Role::Operator);
        let ids = identities();
        assert!(operator
            .check_write(&[value("city")], [("identities", &ids[1..])])
            .is_ok());
        let hidden = operator
            .check_write(&[value("city"), value("vat_id")], [])
            .unwrap_err();
        assert_eq!(
            (hidden.status, hidden.field.as_deref()),
            (403, Some("fields[1]"))
        );
        assert!(hidden.detail.contains("`vat_id`"), "{}", hidden.detail);
        let email = operator
            .check_write(
                &[],
                [
                    ("add_identities", &ids[..0]),
                    ("remove_identities", &ids[..]),
                ],
            )
            .unwrap_err();
        assert_eq!(email.field.as_deref(), Some("remove_identities[0]"));
        assert!(Visibility::of(&access, Role::Dpo)
            .check_write(&[value("vat_id")], [("identities", &ids[..])])
            .is_ok());
    }
}
