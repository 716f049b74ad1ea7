//! OpenAPI schemas of the types that serialise themselves by hand: the vocabularies (a kebab-case
//! name each), times (RFC 3339 text), ids (integers), emails and phones (text). The structs around them
//! derive `utoipa::ToSchema` where they are defined; these impls live here so the domain stays free of
//! the HTTP layer's vocabulary. Each schema says what the type's `Serialize` writes and its
//! `Deserialize` reads; a test in `openapi_tests.rs` checks them against serde.

use std::borrow::Cow;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::{
    BatchId, ConsentAction, ConsentChannel, ContactId, DataCategory, Email, LegalBasis, NoticeId,
    Phone, ProvenanceId, Role, SourceChannel, Timestamp,
};

fn text(description: &str, example: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
}

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        text(
            "A time in UTC, written RFC 3339 (`2026-01-31T09:30:00Z`). Requests may also give a date \
             (`2026-01-31`, midnight UTC) or whole seconds since 1970.",
            "2026-01-31T09:30:00Z",
        )
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .into()
    }
}

impl ToSchema for Timestamp {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
}

impl PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        text(
            "An email address; stored trimmed and lower-cased (`mailto:` is dropped).",
            "mario.rossi@example.com",
        )
        .into()
    }
}

impl ToSchema for Email {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Email")
    }
}

impl PartialSchema for Phone {
    fn schema() -> RefOr<Schema> {
        text(
            "A phone number; stored in E.164 (`+393331234567`). Requests may write it nationally \
             (`333 123 4567`: the configured default country applies) or with spaces.",
            "+393331234567",
        )
        .into()
    }
}

impl ToSchema for Phone {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Phone")
    }
}

/// Ids are integers on the wire (`serde(transparent)`).
macro_rules! id_schemas {
    ($($ty:ident => $description:literal),* $(,)?) => {$(
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some($description))
                    .into()
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($ty))
            }
        }
    )*};
}

id_schemas! {
    ContactId => "A contact (data subject). Never reused, not even after erasure.",
    BatchId => "One run of an importer over one source.",
    ProvenanceId => "Where a piece of data came from.",
    NoticeId => "A version of the privacy notice.",
}

/// A vocabulary is its kebab-case names (parsed case-insensitively).
macro_rules! vocabulary_schemas {
    ($($ty:ident => $description:literal),* $(,)?) => {$(
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some($ty::ALL.iter().map(|v| v.as_str())))
                    .description(Some($description))
                    .into()
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($ty))
            }
        }
    )*};
}

vocabulary_schemas! {
    SourceChannel => "How a contact's data was collected.",
    LegalBasis => "A lawful basis of Art. 6(1) GDPR; `contract` is Art. 6(1)(b) performance of a \
        contract, `pre-contract` steps taken at the person's request before one.",
    ConsentAction => "`granted` (Art. 7), `withdrawn` (Art. 7(3)) or `objected` (Art. 21).",
    DataCategory => "A category of personal data; every catalogue field belongs to one.",
    ConsentChannel => "A way to reach a person; `any` covers every channel.",
    Role => "What a token may do; `system` is Custode's own (scheduled runs), never a token's.",
}

/// A request or answer body of raw bytes (a plugin component, an import file, an exported document).
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Binary")
    }
}
