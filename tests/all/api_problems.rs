//! Bad input is answered with RFC 9457 problem details: a stable type, the status, a detail that
//! names the thing and the fix, the field, and the request id of the response. The OpenAPI
//! document's bodies, required properties and answers are the handlers' own.

use crate::support::schema::{fits, resolve};
use crate::support::server::{Answer, TestServer};
use custode::api::access::ROUTES;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

fn assert_problem(a: &Answer, status: u16, kind: &str, detail_has: &str) {
    assert_eq!(a.status, status, "{:?}", a.body);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(
        a.body["type"],
        format!("urn:custode:problem:{kind}"),
        "{:?}",
        a.body
    );
    assert_eq!(a.body["status"], status);
    assert!(!a.body["title"].as_str().unwrap().is_empty());
    let detail = a.body["detail"].as_str().unwrap();
    assert!(
        detail.contains(detail_has),
        "`{detail}` should contain `{detail_has}`"
    );
    assert!(!a.request_id.is_empty());
    assert_eq!(a.body["request_id"], a.request_id.as_str());
}

fn contact(email: &str) -> serde_json::Value {
    json!({
        "identities": [{"email": email}],
        "fields": [{"name": "first_name", "value": "Mario"}],
        "source_label": "phone call",
        "channel": "phone"
    })
}

#[test]
fn bad_input_is_answered_with_problem_details() {
    let server = TestServer::start_with(|c| c.server.max_body_bytes = 4096);
    let c = server.client();
    let op = &server.operator;

    let malformed = c.send(
        "POST",
        "/api/v1/contacts",
        Some(op),
        Some(b"{\"identities\": [".as_slice()),
    );
    assert_problem(&malformed, 400, "malformed-json", "not valid JSON");

    let mut unknown = contact("mario.rossi@example.it");
    unknown["colour"] = json!("blue");
    let a = c.post("/api/v1/contacts", op, &unknown);
    assert_problem(&a, 400, "unknown-field", "unknown field `colour`");
    assert_eq!(a.body["field"], "colour");
    let nested = c.post(
        "/api/v1/consent-events",
        op,
        &json!({
            "subject": "mario.rossi@example.it", "purpose": "marketing", "channel": "email",
            "action": "withdrawn", "evidence": {"method": "unsubscribe link", "signed": true}
        }),
    );
    assert_problem(
        &nested,
        400,
        "unknown-field",
        "unknown field `evidence.signed`",
    );

    // Unknown fields are refused at any depth, named by their path.
    let mut deep = contact("mario.rossi@example.it");
    deep["fields"][0]["colour"] = json!(1);
    let a = c.post("/api/v1/contacts", op, &deep);
    assert_problem(&a, 400, "unknown-field", "unknown field `fields[0].colour`");
    assert_eq!(a.body["field"], "fields[0].colour");
    let mut deep = contact("mario.rossi@example.it");
    deep["identities"] = json!([{"external": {"system": "erp", "id": "C-1", "kind": "crm"}}]);
    let a = c.post("/api/v1/contacts", op, &deep);
    assert_problem(
        &a,
        400,
        "unknown-field",
        "unknown field `identities[0].external.kind`",
    );
    let rectify = c.post(
        "/api/v1/contacts/1/rectify",
        op,
        &json!({"fields": [{"name": "city", "value": "Roma", "source": "x"}], "reason": "moved"}),
    );
    assert_problem(&rectify, 400, "unknown-field", "`fields[0].source`");
    // An external id from JSON is checked as the CLI and importers check it.
    let mut bad_id = contact("mario.rossi@example.it");
    bad_id["identities"] = json!([{"external": {"system": "my erp", "id": "C-1"}}]);
    let a = c.post("/api/v1/contacts", op, &bad_id);
    assert_problem(&a, 422, "invalid-input", "not a usable system name");
    assert_eq!(a.body["field"], "identities[0].external");
    let mut two = contact("mario.rossi@example.it");
    two["identities"] = json!([{"email": "mario.rossi@example.it", "phone": "+393331234567"}]);
    let a = c.post("/api/v1/contacts", op, &two);
    assert_problem(&a, 422, "invalid-input", "has exactly one key");
    assert_eq!(a.body["field"], "identities[0]");

    let invalid = c.post("/api/v1/contacts", op, &contact("mario.rossi@"));
    assert_problem(
        &invalid,
        422,
        "invalid-input",
        "email `mario.rossi@` is not a valid address: it has no domain",
    );
    assert_eq!(invalid.body["field"], "identities[0].email");

    let big = json!({ "identity": "x".repeat(5000), "reason": "too long" });
    assert_problem(
        &c.post("/api/v1/suppression", op, &big),
        413,
        "body-too-large",
        "server.max_body_bytes",
    );

    let missing = c.post("/api/v1/tokens", &server.admin, &json!({"name": "crm"}));
    assert_problem(&missing, 422, "invalid-input", "`role` is required");
    let role = c.post(
        "/api/v1/tokens",
        &server.admin,
        &json!({"name": "crm", "role": "boss"}),
    );
    assert_problem(
        &role,
        422,
        "invalid-input",
        "`boss` is not a known role: use one of admin, dpo, operator, auditor",
    );

    let query = c.get(
        "/api/v1/can-process?subject=mario%40example.it&purpose=marketing",
        op,
    );
    assert_problem(&query, 400, "invalid-query", "channel");
    let subject = c.get(
        "/api/v1/can-process?subject=nobody&purpose=marketing&channel=email",
        op,
    );
    assert_problem(
        &subject,
        422,
        "invalid-input",
        "`nobody` is not an email, a phone number or an external id",
    );

    assert_problem(
        &c.get("/api/v1/contacts/424242", op),
        404,
        "not-found",
        "contact 424242 does not exist",
    );
    assert_problem(
        &c.get("/api/v1/nothing-here", op),
        404,
        "not-found",
        "there is no route GET /api/v1/nothing-here",
    );
    assert_problem(
        &c.send("PATCH", "/api/v1/contacts", Some(op), None),
        405,
        "method-not-allowed",
        "PATCH is not allowed",
    );

    let created = c.post("/api/v1/contacts", op, &contact("mario.rossi@example.it"));
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_problem(
        &c.post("/api/v1/contacts", op, &contact("Mario.Rossi@example.it")),
        409,
        "conflict",
        "",
    );
    // A response that is not a problem carries the request id too.
    assert!(!created.request_id.is_empty());
}

/// The OpenAPI document against the handlers. Each JSON body's example is sent, in an order where
/// each finds what it names (the contact, the notice version its consent cites): it is accepted with
/// the documented status and an answer that fits the documented schema. The example cut down to its
/// required properties is not refused for its shape; each required property left out is refused
/// naming it; an unknown property is refused, as `additionalProperties: false` says. Then every GET
/// answers with what its schema says, about that contact before it is erased.
#[test]
fn the_documents_bodies_and_answers_are_the_handlers() {
    let server = TestServer::start();
    let c = server.client();
    let doc = c.send("GET", "/api/v1/openapi.json", None, None).body;
    let (dpo, admin) = (server.dpo.as_str(), server.admin.as_str());
    let plan = [
        ("post", "/api/v1/contacts", dpo, 201),
        ("post", "/api/v1/contacts/{id}/rectify", dpo, 200),
        ("post", "/api/v1/contacts/{id}/legal-bases", dpo, 204),
        ("post", "/api/v1/notices", dpo, 201),
        ("post", "/api/v1/consent-events", dpo, 201),
        ("post", "/api/v1/suppression", dpo, 201),
        ("post", "/api/v1/suppression/check", dpo, 200),
        ("post", "/api/v1/contacts/{id}/restrict", dpo, 204),
        ("post", "/api/v1/contacts/{id}/notices", dpo, 204),
        ("post", "/api/v1/requests", dpo, 201),
        ("post", "/api/v1/requests/{id}/verify", dpo, 200),
        ("post", "/api/v1/requests/{id}/extend", dpo, 200),
        ("post", "/api/v1/requests/{id}/fulfil", dpo, 200),
        ("post", "/api/v1/requests/{id}/delivered", dpo, 200),
        ("post", "/api/v1/requests/{id}/close", dpo, 200),
        ("post", "/api/v1/requests/{id}/refuse", dpo, 200),
        ("post", "/api/v1/contacts/{id}/legal-hold", dpo, 204),
        ("post", "/api/v1/requests/access", dpo, 200),
        ("post", "/api/v1/retention/runs", dpo, 200),
        // No run has asked for a review: the example names an item that does not exist.
        ("post", "/api/v1/retention/review/{id}", dpo, 404),
        ("post", "/api/v1/tokens", admin, 201),
        ("post", "/api/v1/backup", admin, 201),
        ("put", "/api/v1/plugins/{name}/settings", admin, 200),
        ("post", "/api/v1/requests/erasure", dpo, 200),
    ];
    // Every JSON body of the document is in the plan.
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !operation["requestBody"]["content"]["application/json"].is_null() {
                documented.push((method.clone(), path.clone()));
            }
        }
    }
    let mut planned: Vec<(String, String)> = plan
        .iter()
        .map(|(m, p, ..)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    planned.sort();
    assert_eq!(documented, planned);

    let mut contact = String::new();
    let mut case = String::new();
    for (method, template, token, status) in plan {
        if template == "/api/v1/requests/erasure" {
            every_get_fits(&server, &doc, &contact, &case_with_document(&server));
        }
        if template == "/api/v1/requests/{id}/refuse" {
            // The case before was closed: a refusal needs an open one.
            case = open_case(&server)["id"].to_string();
        }
        let id = if template.starts_with("/api/v1/requests/") {
            &case
        } else {
            &contact
        };
        let path = template.replace("{id}", id).replace("{name}", "csv");
        let answer = check_example(&server, &doc, method, template, &path, token, status);
        if template.ends_with("/legal-hold") {
            // The example places a hold: lifted, so the erasure at the end is not refused.
            let lift = json!({"held": false, "reason": "example done"});
            assert_eq!(c.post(&path, token, &lift).status, 204);
        }
        if template == "/api/v1/contacts" {
            contact = answer["id"].to_string();
        }
        if template == "/api/v1/requests" {
            case = answer["id"].to_string();
        }
    }
}

/// A case for the example contact.
fn open_case(server: &TestServer) -> Value {
    let c = server.client();
    let body = json!({"kind": "access", "subject": "mario.rossi@example.com", "channel": "email"});
    let answer = c.post("/api/v1/requests", &server.dpo, &body);
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.body
}

/// An access case whose document waits for delivery (its GET answers with the document).
fn case_with_document(server: &TestServer) -> String {
    let c = server.client();
    let id = open_case(server)["id"].to_string();
    let verify = json!({"outcome": "verified", "method": "reply from the address on file"});
    assert_eq!(
        c.post(
            &format!("/api/v1/requests/{id}/verify"),
            &server.dpo,
            &verify
        )
        .status,
        200
    );
    let done = c.post(
        &format!("/api/v1/requests/{id}/fulfil"),
        &server.dpo,
        &json!({"plugin": "json"}),
    );
    assert_eq!(done.status, 200, "{:?}", done.body);
    id
}

/// Sends the example body of `method template` to `path` as the test above says; returns the answer.
fn check_example(
    server: &TestServer,
    doc: &Value,
    method: &str,
    template: &str,
    path: &str,
    token: &str,
    status: u16,
) -> Value {
    let c = server.client();
    let operation = &doc["paths"][template][method];
    let json = &operation["requestBody"]["content"]["application/json"];
    let schema = resolve(doc, &json["schema"]);
    let example = json["example"].as_object().unwrap().clone();
    let send = |body: &serde_json::Map<String, Value>| {
        let text = serde_json::to_vec(body).unwrap();
        c.send(&method.to_uppercase(), path, Some(token), Some(&text))
    };
    let what = format!("{method} {template}");

    assert_eq!(schema["additionalProperties"], false, "{what}");
    let values: Vec<&Value> = example.values().collect();
    let array = serde_json::to_vec(&values).unwrap();
    let refused = c.send(&method.to_uppercase(), path, Some(token), Some(&array));
    assert_problem(&refused, 422, "invalid-input", "the body is a JSON array");
    // A text the schema forbids (a pattern, too short, too long) is refused, naming its property.
    for (name, property) in schema["properties"].as_object().unwrap() {
        let length = |bound: &str| property[bound].as_u64().map(|n| n as usize);
        let forbidden = [
            property.get("pattern").map(|_| "../Ñ name".to_string()),
            length("minLength").map(|min| "x".repeat(min - 1)),
            length("maxLength").map(|max| "x".repeat(max + 1)),
        ];
        for text in forbidden.into_iter().flatten() {
            let mut odd = example.clone();
            odd.insert(name.clone(), json!(text));
            let refused = send(&odd);
            assert_problem(&refused, 422, "invalid-input", "");
            assert_eq!(refused.body["field"], name.as_str(), "{what}: {text:?}");
        }
    }
    let mut unknown = example.clone();
    unknown.insert("unexpected".into(), json!(1));
    let refused = send(&unknown);
    assert_problem(&refused, 400, "unknown-field", "unknown field `unexpected`");

    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|n| n.as_str().unwrap()).collect())
        .unwrap_or_default();
    for name in &required {
        assert!(
            example.contains_key(*name),
            "{what}: the example lacks {name}"
        );
        let mut without = example.clone();
        without.remove(*name);
        let refused = send(&without);
        assert_problem(
            &refused,
            422,
            "invalid-input",
            &format!("`{name}` is required"),
        );
        assert_eq!(refused.body["field"], *name, "{what}");
    }
    // The refusals first: an erasure leaves nothing to refuse.
    let answer = send(&example);
    assert_eq!(answer.status, status, "{what}: {:?}", answer.body);
    let documented = &operation["responses"][status.to_string()]["content"]["application/json"];
    if let Some(body) = documented.get("schema") {
        if let Err(e) = fits(doc, body, &answer.body, "answer") {
            panic!(
                "{what}: the answer does not fit its schema: {e}\n{:#}",
                answer.body
            );
        }
    }

    // A rectification must change something, which `required` cannot say (its description does):
    // its minimal body keeps one change.
    let kept = |k: &str| required.contains(&k) || (k == "fields" && template.ends_with("/rectify"));
    let minimal: serde_json::Map<String, Value> = example
        .iter()
        .filter(|(k, _)| kept(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if minimal.len() < example.len() {
        let answer = send(&minimal);
        assert!(
            answer.status != 400 && answer.status != 422,
            "{what}: the document says only {required:?} are required, but {:?}",
            answer.body
        );
    }
    answer.body
}

/// Every GET of the document, with its path filled (`contact`, the plugin `csv`, an import of the
/// sample file) and its required query parameters set to their example (or the first value of their
/// enum), answers 200 with a body that fits its schema.
fn every_get_fits(server: &TestServer, doc: &Value, contact: &str, case: &str) {
    let c = server.client();
    let sample = std::fs::read(crate::support::repo_root().join("examples/contacts.csv")).unwrap();
    let started = c.post_bytes(
        "/api/v1/imports?plugin=csv&source=Fiera%20Milano%202026&channel=fair&on_error=skip&unknown_fields=reject",
        &server.dpo,
        &sample,
    );
    assert_eq!(started.status, 202, "{:?}", started.body);
    let job = started.body["id"].to_string();
    let schema = &doc["paths"]["/api/v1/imports"]["post"]["responses"]["202"]["content"]
        ["application/json"]["schema"];
    fits(doc, schema, &started.body, "answer").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // Finished, so its status holds the import's report.
    let finished = loop {
        let status = c.get(&format!("/api/v1/imports/{job}"), &server.dpo).body;
        if status["state"] != "running" {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the import did not finish"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(finished["state"], "succeeded", "{finished:#}");
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(operation) = item.get("get") else {
            continue;
        };
        let route = ROUTES
            .iter()
            .find(|r| r.method == "GET" && r.path == template)
            .unwrap();
        let token = server.token(route.roles[0]);
        let mut query = Vec::new();
        for p in operation["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "query" && p["required"] == true {
                let value = p["example"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        resolve(doc, &p["schema"])["enum"][0]
                            .as_str()
                            .unwrap()
                            .to_string()
                    });
                query.push(format!("{}={value}", p["name"].as_str().unwrap()));
            }
        }
        let id = if template.starts_with("/api/v1/imports/") {
            &job
        } else if template.starts_with("/api/v1/requests/") {
            case
        } else {
            contact
        };
        let path = template
            .replace("{id}", id)
            .replace("{contact_id}", id)
            .replace("{name}", "csv");
        let path = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        };
        let answer = c.get(&path, token);
        assert_eq!(answer.status, 200, "GET {path}: {:?}", answer.body);
        let json = &operation["responses"]["200"]["content"]["application/json"]["schema"];
        if json.is_null() {
            continue; // metrics: Prometheus text
        }
        if let Err(e) = fits(doc, json, &answer.body, "answer") {
            panic!(
                "GET {path}: the answer does not fit its schema: {e}\n{:#}",
                answer.body
            );
        }
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} answers checked");
}

/// A request written by hand: the status line and headers (lower-cased) and the body as text.
fn raw(addr: SocketAddr, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_lowercase(), body.to_string())
}

/// Answers keep their contract at the edges: one JSON value in UTF-8 with a JSON `Content-Type`,
/// problem details even for what the HTTP layer refuses by itself, and no server path or leftover
/// file for a backup name too long for the disk.
#[test]
fn the_edges_of_the_contract_are_problem_details_too() {
    let server = TestServer::start();
    let c = server.client();
    let op = &server.operator;
    let body = contact("mario.rossi@example.it").to_string();

    let trailing = format!("{body} {{\"identities\": []}}");
    let a = c.post_bytes("/api/v1/contacts", op, trailing.as_bytes());
    assert_problem(&a, 400, "malformed-json", "exactly one JSON object");
    let mut latin1 = body.replace("Mario", "Mar\u{e9}").into_bytes();
    let at = latin1.iter().position(|&b| b == 0xc3).unwrap();
    latin1.remove(at); // a lone 0xa9: Latin-1, not UTF-8
    let a = c.post_bytes("/api/v1/contacts", op, &latin1);
    assert_problem(&a, 400, "malformed-json", "UTF-8");
    let listed = c.get("/api/v1/contacts", &server.dpo);
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was written: {:?}",
        listed.body
    );

    let addr = server.addr;
    let (head, text) = raw(
        addr,
        &format!("POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {op}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
    );
    assert!(head.starts_with("http/1.1 415"), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    assert!(text.contains("application/json"), "{text}");

    let long = "a".repeat(70 * 1024);
    let (head, text) = raw(addr, &format!("GET /{long} HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert!(head.starts_with("http/1.1 414"), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    let problem: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(problem["type"], "urn:custode:problem:uri-too-long");

    for (path, field) in [
        ("/api/v1/suppression", "identity"),
        ("/api/v1/suppression/check", "identity"),
    ] {
        for wrong in ["nonsense", "mario@", "+39 12", "", "#42", "erp:", "tel:x"] {
            let mut body = json!({ field: wrong });
            if path == "/api/v1/suppression" {
                body["reason"] = json!("asked");
            }
            let a = c.post(path, op, &body);
            assert_problem(&a, 422, "invalid-input", "");
            assert_eq!(a.body["field"], field, "{path} {wrong}: {:?}", a.body);
            let detail = a.body["detail"].as_str().unwrap();
            assert!(!detail.contains("subject"), "{path} {wrong}: {detail}");
        }
    }

    for (query, field, says) in [
        (
            "purpose=nonexistent",
            "purpose",
            "not in the purpose catalogue",
        ),
        (
            "purpose=marketing&channel=fax",
            "channel",
            "not a known consent channel",
        ),
        ("channel=email", "channel", "add `purpose=`"),
        ("allowed=false", "allowed", "add `purpose=`"),
    ] {
        let a = c.get(&format!("/api/v1/contacts?{query}"), &server.dpo);
        assert_problem(&a, 422, "invalid-input", says);
        assert_eq!(a.body["field"], field, "{query}");
    }
    let fine = c.get(
        "/api/v1/contacts?purpose=marketing&channel=email",
        &server.dpo,
    );
    assert_eq!(fine.status, 200, "{:?}", fine.body);

    let name = format!("{}.db", "b".repeat(260));
    let a = c.post("/api/v1/backup", &server.admin, &json!({ "file": name }));
    assert_problem(&a, 422, "invalid-input", "at most 100");
    let detail = a.body["detail"].as_str().unwrap();
    assert!(
        !detail.contains(&server.dir.path().display().to_string()),
        "{detail}"
    );
    let backups = server.dir.path().join("backups");
    let left: Vec<_> = std::fs::read_dir(&backups)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}
