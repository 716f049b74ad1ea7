//! The HTTP client of `--server`: requests with the token, and answers read as JSON or turned into
//! an error that says what the server said (its problem details).

use std::time::Duration;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::problem::Problem;

pub struct Client {
    agent: ureq::Agent,
    pub(super) base: String,
    authorization: String,
}

/// A request being built: method, path and query.
type Request = ureq::RequestBuilder<ureq::typestate::WithoutBody>;

impl Client {
    pub fn new(server: &str, token: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .build()
            .into();
        Client {
            agent,
            base: server.trim_end_matches('/').to_string(),
            authorization: format!("Bearer {token}"),
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(super) fn get(&self, path: &str) -> Request {
        self.agent
            .get(self.url(path))
            .header("Authorization", &self.authorization)
    }

    pub(super) fn with_body(
        &self,
        method: &str,
        path: &str,
    ) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let url = self.url(path);
        let builder = match method {
            "PUT" => self.agent.put(url),
            _ => self.agent.post(url),
        };
        builder.header("Authorization", &self.authorization)
    }

    pub fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<T> {
        let mut request: Request = self.get(path);
        for (k, v) in query {
            request = request.query(*k, v);
        }
        answer(&self.base, request.call())
    }

    pub fn send_json<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<T> {
        answer(&self.base, self.with_body(method, path).send_json(body))
    }

    /// POSTs JSON and returns the answer's media type and bytes (a rendered document).
    pub(super) fn document(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<(String, Vec<u8>)> {
        let mut response = self
            .with_body("POST", path)
            .send_json(body)
            .with_context(|| format!("cannot reach the server at {}", self.base))?;
        if !response.status().is_success() {
            return answer(&self.base, Ok(response));
        }
        let media_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()?;
        Ok((media_type, bytes))
    }

    /// GETs a document: its media type and bytes.
    pub fn get_document(&self, path: &str) -> anyhow::Result<(String, Vec<u8>)> {
        let mut response = self
            .get(path)
            .call()
            .with_context(|| format!("cannot reach the server at {}", self.base))?;
        if !response.status().is_success() {
            return answer(&self.base, Ok(response));
        }
        let media_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()?;
        Ok((media_type, bytes))
    }

    pub(super) fn post_empty<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        answer(&self.base, self.with_body("POST", path).send_empty())
    }

    pub(super) fn delete(&self, path: &str) -> anyhow::Result<()> {
        let request = self
            .agent
            .delete(self.url(path))
            .header("Authorization", &self.authorization);
        answer::<serde_json::Value>(&self.base, request.call()).map(drop)
    }

    /// POSTs a file; `path` carries the query.
    pub(super) fn post_file<T: DeserializeOwned>(
        &self,
        path: &str,
        file: std::fs::File,
    ) -> anyhow::Result<T> {
        let request = self
            .with_body("POST", path)
            .header("Content-Type", "application/octet-stream");
        answer(&self.base, request.send(file))
    }
}

/// Reads a JSON answer, or turns a problem into an error that says what the server said.
pub(super) fn answer<T: DeserializeOwned>(
    server: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> anyhow::Result<T> {
    let mut response = response.with_context(|| {
        format!("cannot reach the server at {server}: is it running? (`custode serve`)")
    })?;
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_string()
        .context("reading the server's answer")?;
    if status.is_success() {
        let text = if text.is_empty() { "null" } else { &text };
        return serde_json::from_str(text).with_context(|| {
            format!("the server's answer is not what this CLI expects: {text:.200}")
        });
    }
    match serde_json::from_str::<Problem>(&text) {
        Ok(p) => anyhow::bail!(
            "{} ({}, HTTP {}, request {})",
            p.detail,
            p.kind,
            p.status,
            p.request_id.as_deref().unwrap_or("?")
        ),
        Err(_) => anyhow::bail!("the server answered HTTP {status}: {text:.500}"),
    }
}
