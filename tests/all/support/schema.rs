//! A JSON Schema check small enough to read, for the schemas of Custode's OpenAPI document: the tests
//! compare the server's answers with what the document says of them.

use serde_json::Value;

/// The schema a `$ref` names, or the schema itself.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(
            doc,
            &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        ),
        None => schema,
    }
}

/// Whether `value` fits `schema`, for the JSON Schema the document uses: `$ref`, `type` (one or a
/// list), `enum`, `properties`, `required`, `additionalProperties`, `items`, `oneOf`, `allOf`.
/// Stricter than JSON Schema in one way: a property the schema does not declare is an error, so an
/// answer cannot carry more than its documentation says.
pub fn fits(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    fits_part(doc, schema, value, at, true)
}

fn fits_part(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    strict: bool,
) -> Result<(), String> {
    let fits = |s: &Value, v: &Value, at: &str| fits_part(doc, s, v, at, true);
    let schema = resolve(doc, schema);
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            one => vec![one.as_str().unwrap()],
        };
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits_type = types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
        if !fits_type {
            return Err(format!("{at}: {value} is not {types:?}"));
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    // The parts of an `allOf` (a flattened struct) each declare some of the properties.
    let mut declared: Vec<&str> = Vec::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        fits_part(doc, part, value, at, false)?;
        let part = resolve(doc, part);
        declared.extend(
            part["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str()),
        );
    }
    if let Some(one) = schema["oneOf"].as_array() {
        let matching = one.iter().filter(|s| fits(s, value, at).is_ok()).count();
        if matching != 1 {
            return Err(format!(
                "{at}: {value} fits {matching} of {} oneOf schemas",
                one.len()
            ));
        }
    }
    if let (Some(items), Value::Array(values)) = (schema.get("items"), value) {
        for (i, v) in values.iter().enumerate() {
            fits(items, v, &format!("{at}[{i}]"))?;
        }
    }
    if let Value::Object(object) = value {
        let properties = schema["properties"].as_object();
        for name in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(name.as_str().unwrap()) {
                return Err(format!("{at}: {name} is missing"));
            }
        }
        for (name, v) in object {
            let at = format!("{at}.{name}");
            match (
                properties.and_then(|p| p.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(s), _) | (None, Some(s @ Value::Object(_))) => fits(s, v, &at)?,
                // A schema that declares no property at all (any JSON) allows any.
                _ if properties.is_none() && declared.is_empty() => {}
                _ if !strict || declared.contains(&name.as_str()) => {}
                _ => return Err(format!("{at} is not in the schema")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schema_check_refuses_what_does_not_fit() {
        // The check the API tests rely on can say no: an undeclared property, a wrong type, a
        // missing required property, a value outside an enum, a value that fits two `oneOf` schemas.
        let doc = json!({"components": {"schemas": {
            "Created": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            "Channel": {"type": "string", "enum": ["email", "any"]}
        }}});
        let created = json!({"$ref": "#/components/schemas/Created"});
        let channel = json!({"$ref": "#/components/schemas/Channel"});
        assert!(fits(&doc, &created, &json!({"id": 1}), "x").is_ok());
        assert!(fits(&doc, &created, &json!({"id": 1, "extra": 2}), "x").is_err());
        assert!(fits(&doc, &created, &json!({"id": "1"}), "x").is_err());
        assert!(fits(&doc, &created, &json!({}), "x").is_err());
        assert!(fits(&doc, &channel, &json!("sms"), "x").is_err());
        let either = json!({"oneOf": [{"type": "string"}, {"type": ["string", "null"]}]});
        assert!(fits(&doc, &either, &json!("a"), "x").is_err());
        assert!(fits(&doc, &either, &Value::Null, "x").is_ok());
    }
}
