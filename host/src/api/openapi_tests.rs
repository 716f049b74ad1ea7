//! The document's invariants, the ones a client generator and a schema-driven fuzzer rely on: path
//! parameters match the path templates, query structs are in the query, every JSON body and answer
//! has a real schema, every `$ref` resolves, errors are problem details; and the hand-written
//! schemas of [`super::super::schema`] say what serde writes.

use std::collections::BTreeSet;

use serde_json::Value;
use utoipa::{PartialSchema, ToSchema};

use super::*;
use crate::api::routes::admin::TokenRole;
use crate::domain::{
    ConsentAction, ConsentChannel, ContactId, DataCategory, LegalBasis, Role, SourceChannel,
    Timestamp,
};

fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap()
}

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    assert!(all.len() >= 38, "only {} operations", all.len());
    all
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{reference} is not a component schema"));
            let target = &doc["components"]["schemas"][name];
            assert!(!target.is_null(), "{reference} resolves to nothing");
            resolve(doc, target)
        }
        None => schema,
    }
}

/// Calls `visit` on every object inside `value`, with its JSON pointer.
fn walk(value: &Value, at: &str, visit: &mut impl FnMut(&str, &Value)) {
    match value {
        Value::Object(map) => {
            visit(at, value);
            for (key, child) in map {
                walk(child, &format!("{at}/{key}"), visit);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{at}/{i}"), visit);
            }
        }
        _ => {}
    }
}

#[test]
fn the_document_is_openapi_3_1_with_a_title_and_the_bearer_scheme() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert_eq!(doc["info"]["title"], "Custode");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[test]
fn path_parameters_are_exactly_the_variables_of_their_path_template() {
    for (method, path, operation) in operations(&document()) {
        let template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut in_path = BTreeSet::new();
        for p in &parameters {
            let name = p["name"].as_str().unwrap();
            match p["in"].as_str().unwrap() {
                "path" => {
                    assert_eq!(p["required"], true, "{method} {path}: {name}");
                    in_path.insert(name);
                }
                "query" => assert!(!template.contains(name), "{method} {path}: {name}"),
                // The one header an operation declares: see the idempotency test below.
                "header" => assert_eq!(name, "Idempotency-Key", "{method} {path}"),
                other => panic!("{method} {path}: {name} is in {other}"),
            }
            assert!(
                !p["schema"].is_null(),
                "{method} {path}: {name} has no schema"
            );
            assert!(
                p["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{method} {path}: {name} has no description"
            );
        }
        let in_path: BTreeSet<&str> = in_path.into_iter().collect();
        assert_eq!(in_path, template, "{method} {path}");
    }
}

#[test]
fn the_query_structs_are_documented_in_the_query() {
    let doc = document();
    let query = |path: &str, method: &str| -> BTreeSet<String> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        query("/api/v1/contacts", "get"),
        names(&[
            "identity",
            "source",
            "purpose",
            "channel",
            "allowed",
            "updated_since",
            "after",
            "limit"
        ])
    );
    assert_eq!(
        query("/api/v1/can-process", "get"),
        names(&["subject", "purpose", "channel", "at"])
    );
    assert_eq!(
        query("/api/v1/audit", "get"),
        names(&["after", "target", "limit"])
    );
    assert_eq!(
        query("/api/v1/imports", "post"),
        names(&["plugin", "source", "channel", "on_error", "unknown_fields"])
    );
}

#[test]
fn every_json_body_has_a_schema_with_properties_and_an_example() {
    let doc = document();
    let mut bodies = 0;
    for (method, path, operation) in operations(&doc) {
        let Some(content) = operation["requestBody"]["content"].as_object() else {
            continue;
        };
        assert_eq!(
            operation["requestBody"]["required"], true,
            "{method} {path}"
        );
        let Some(json) = content.get("application/json") else {
            continue;
        };
        let schema = resolve(&doc, &json["schema"]);
        let properties = schema["properties"].as_object();
        assert!(
            properties.is_some_and(|p| !p.is_empty()),
            "{method} {path}: the body's schema has no properties: {schema}"
        );
        // The example is what a reader copies; `tests/all/api_problems.rs` sends it.
        assert!(json["example"].is_object(), "{method} {path}: no example");
        bodies += 1;
    }
    assert!(bodies >= 14, "only {bodies} JSON bodies");
}

#[test]
fn every_answer_is_typed_and_every_error_is_a_problem() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        let answers = operation["responses"].as_object().unwrap();
        assert!(
            answers.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success answer"
        );
        for (status, answer) in answers {
            assert!(
                answer["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{method} {path} {status}: no description"
            );
            let content = answer["content"].as_object();
            if status.starts_with(['4', '5']) || status == "default" {
                let problem = content.and_then(|c| c.get("application/problem+json"));
                assert_eq!(
                    problem.map(|p| &p["schema"]["$ref"]),
                    Some(&Value::from("#/components/schemas/Problem")),
                    "{method} {path} {status}: {answer}"
                );
                continue;
            }
            // A success answer with a body has a schema that is not a bare object.
            for (media_type, body) in content.into_iter().flatten() {
                let schema = resolve(&doc, &body["schema"]);
                assert!(!schema.is_null(), "{method} {path} {status} {media_type}");
                assert_ne!(
                    schema,
                    &serde_json::json!({"type": "object"}),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn every_reference_resolves_and_no_schema_is_a_bare_object() {
    let doc = document();
    let mut references = 0;
    walk(&doc, "#", &mut |at, node| {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            references += 1;
            let name = reference.strip_prefix("#/components/schemas/").unwrap();
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{at}: {reference} resolves to nothing"
            );
        }
        // `{"type": "object"}` alone says nothing: a client cannot build it, a fuzzer cannot
        // generate it. Maps say what their values are (`additionalProperties`).
        if node.get("type") == Some(&Value::from("object")) {
            let described = [
                "properties",
                "additionalProperties",
                "oneOf",
                "allOf",
                "anyOf",
            ]
            .iter()
            .any(|k| node.get(*k).is_some());
            assert!(described, "{at} is a bare object: {node}");
        }
        // A `$ref` wrapped in a one-item `oneOf` (to carry a default) is refused by generators.
        if let Some(one) = node.get("oneOf").and_then(Value::as_array) {
            assert!(one.len() > 1, "{at}: a oneOf of one schema: {node}");
        }
    });
    assert!(references > 60, "only {references} references");
}

#[test]
fn the_hand_written_schemas_say_what_serde_writes() {
    fn names<T: ToSchema + serde::Serialize>(all: &[T]) {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let written: Vec<Value> = all
            .iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect();
        assert_eq!(schema["enum"], Value::Array(written), "{}", T::name());
        assert_eq!(schema["type"], "string");
    }
    names(SourceChannel::ALL);
    names(LegalBasis::ALL);
    names(ConsentAction::ALL);
    names(DataCategory::ALL);
    names(ConsentChannel::ALL);
    names(Role::ALL);

    // A token can have every role but Custode's own.
    let token_roles = serde_json::to_value(TokenRole::schema()).unwrap();
    let givable: Vec<Value> = Role::ALL
        .iter()
        .filter(|r| **r != Role::System)
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    assert_eq!(token_roles["enum"], Value::Array(givable));

    let time = serde_json::to_value(Timestamp::schema()).unwrap();
    assert_eq!(
        (&time["type"], &time["format"]),
        (&"string".into(), &"date-time".into())
    );
    let written = serde_json::to_value(Timestamp(1_769_851_800)).unwrap();
    assert_eq!(written, time["examples"][0]);
    let read: Timestamp = serde_json::from_value(time["examples"][0].clone()).unwrap();
    assert_eq!(read, Timestamp(1_769_851_800));

    // An external id refuses unknown keys, and its schema says so.
    let external = serde_json::to_value(crate::domain::ExternalId::schema()).unwrap();
    assert_eq!(external["additionalProperties"], false);
    let unknown = r#"{"system": "erp", "id": "C-1", "note": "x"}"#;
    assert!(serde_json::from_str::<crate::domain::ExternalId>(unknown).is_err());

    let id = serde_json::to_value(ContactId::schema()).unwrap();
    assert_eq!(id["type"], "integer");
    assert_eq!(serde_json::to_value(ContactId(42)).unwrap(), 42);
}

#[test]
fn writes_that_take_an_idempotency_key_declare_it_and_reads_do_not() {
    let declares = |operation: &Value| {
        operation["parameters"].as_array().is_some_and(|all| {
            all.iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
        })
    };
    let mut keyed = 0;
    for (method, path, operation) in operations(&document()) {
        let write = ["POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str());
        let takes = write && !super::super::idempotency::UNSUPPORTED.contains(&path.as_str());
        assert_eq!(declares(&operation), takes, "{method} {path}");
        keyed += usize::from(takes);
    }
    // Consents, erasure, suppression and the other writes: a retry of them must be safe.
    assert!(keyed >= 15, "only {keyed} writes declare the key");
    let doc = document();
    let consent = &doc["paths"]["/api/v1/consent-events"]["post"];
    assert!(declares(consent), "{consent:#}");
}

#[test]
fn operation_ids_are_unique_for_a_generated_client() {
    let mut seen = BTreeSet::new();
    for (method, path, operation) in operations(&document()) {
        let id = operation["operationId"].as_str().unwrap().to_string();
        assert!(seen.insert(id.clone()), "{method} {path}: {id} twice");
    }
}

#[test]
fn the_document_names_no_internal_requirement_id() {
    // Requirement ids (R1–R18) are the project's bookkeeping; readers of the API get words.
    let text = document().to_string();
    let ids: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            w.len() >= 2 && w.starts_with('R') && w[1..].chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    assert!(ids.is_empty(), "{ids:?}");
}

#[test]
fn the_plugin_limits_schema_has_the_ranges_the_runtime_accepts() {
    use crate::runtime::Limits;
    let schema = serde_json::to_value(Limits::schema()).unwrap();
    let range = |name: &str| {
        let p = &schema["properties"][name];
        (
            p["minimum"].as_u64().unwrap(),
            p["maximum"].as_u64().unwrap(),
        )
    };
    let limits = |deadline_ms: u64, memory_bytes: u64| {
        serde_json::from_value::<Limits>(serde_json::json!({
            "deadline_ms": deadline_ms, "memory_bytes": memory_bytes
        }))
        .unwrap()
        .validate()
        .is_ok()
    };
    let (low, high) = range("deadline_ms");
    let memory = Limits::default().memory_bytes as u64;
    assert!(limits(low, memory) && limits(high, memory));
    assert!(!limits(low - 1, memory) && !limits(high + 1, memory));
    let (low, high) = range("memory_bytes");
    assert!(limits(5000, low) && limits(5000, high));
    assert!(!limits(5000, low - 1) && !limits(5000, high + 1));
}
