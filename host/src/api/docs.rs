//! `/docs`: the API reference, rendered in the browser by Scalar from `/api/v1/openapi.json`. Scalar's
//! script is vendored (`host/assets/scalar/`, with its licence) and served from the binary: an
//! installation without internet access gets a working page, and the browser of an admin holding a
//! token talks to no one but this server. Scalar's options that would reach the internet are off, and
//! the page's Content-Security-Policy lets the browser load and connect to this server only.

use std::sync::LazyLock;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use sha2::Digest;

/// The vendored release (`host/assets/scalar/README.md` says how to move to another).
macro_rules! scalar_version {
    () => {
        "1.76.0"
    };
}
pub const SCALAR_VERSION: &str = scalar_version!();

/// Where the page loads the script from. The version is in the path, so the file can be cached for
/// good: a new release is a new URL.
pub const SCALAR_PATH: &str = concat!(
    "/docs/assets/scalar-api-reference-",
    scalar_version!(),
    ".js"
);

/// SHA-384 of `dist/browser/standalone.js` of the release, as subresource integrity: the browser
/// refuses the script if the bytes differ, and a unit test checks the vendored file against it.
const SCALAR_INTEGRITY: &str =
    "sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ";

/// The script, gzip-compressed: 1.4 MB in the repository and the binary instead of 4.9 MB. Browsers
/// get these bytes as they are (`Content-Encoding: gzip`).
static SCALAR_GZ: &[u8] = include_bytes!("../../assets/scalar/standalone.js.gz");

/// The script decompressed, for the rare client that does not accept gzip; made on first use.
static SCALAR_PLAIN: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut plain = Vec::with_capacity(5 << 20);
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(SCALAR_GZ), &mut plain)
        .expect("the vendored Scalar script is valid gzip (checked by a unit test)");
    plain
});

/// Starts Scalar with every option that would reach the internet turned off: the default fonts come
/// from fonts.scalar.com; without an explicit empty `proxyUrl`, "Send request" would go through
/// proxy.scalar.com, token included; the agent and MCP buttons call Scalar's services; the client
/// button opens client.scalar.com with this document's URL.
const INIT_SCRIPT: &str = "Scalar.createApiReference('#app', {
      url: '/api/v1/openapi.json',
      withDefaultFonts: false,
      proxyUrl: '',
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: 'never',
      hideClientButton: true,
    })";

fn page_html() -> String {
    format!(
        r#"<!doctype html>
<html>
  <head>
    <title>Custode API</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="data:,">
  </head>
  <body>
    <div id="app"></div>
    <script src="{SCALAR_PATH}" integrity="{SCALAR_INTEGRITY}"></script>
    <script>{INIT_SCRIPT}</script>
  </body>
</html>
"#
    )
}

/// What the page may load and connect to: this server, plus the inline start script by its hash.
/// Styles may be inline (Scalar injects its stylesheet); images and fonts may be `data:` URLs.
static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let init = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(INIT_SCRIPT));
    format!(
        "default-src 'none'; script-src 'self' 'sha256-{init}'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
});

pub async fn page() -> Response {
    let csp = HeaderValue::from_str(&CONTENT_SECURITY_POLICY)
        .expect("the policy is ASCII without control characters");
    (
        [
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Html(page_html()),
    )
        .into_response()
}

/// Serves the Scalar script: compressed to clients that accept gzip (every browser), plain to the
/// others, cached for a year (the URL names the release).
pub async fn scalar(headers: HeaderMap) -> Response {
    let fixed = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if accepts_gzip(&headers) {
        let gzip = [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))];
        (fixed, gzip, SCALAR_GZ).into_response()
    } else {
        (fixed, SCALAR_PLAIN.as_slice()).into_response()
    }
}

/// Whether `Accept-Encoding` allows gzip: listed (or `*`) with a non-zero quality, and not refused
/// by name (`gzip;q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                gzip = Some(!refused);
            } else if coding == "*" {
                any = !refused;
            }
        }
    }
    gzip.unwrap_or(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_script_is_the_pinned_release_byte_for_byte() {
        let digest = sha2::Sha384::digest(SCALAR_PLAIN.as_slice());
        let integrity = format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert_eq!(integrity, SCALAR_INTEGRITY);
        assert!(SCALAR_GZ.len() < 5 << 20, "keep the asset under 5 MB");
        assert!(SCALAR_VERSION.split('.').all(|n| n.parse::<u32>().is_ok()));
        assert!(SCALAR_PATH.contains(SCALAR_VERSION));
    }

    #[test]
    fn the_page_loads_only_this_server_s_script_and_turns_off_what_reaches_the_internet() {
        let page = page_html();
        assert!(page.contains(&format!(
            r#"<script src="{SCALAR_PATH}" integrity="{SCALAR_INTEGRITY}"></script>"#
        )));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{page}"
        );
        for option in [
            "withDefaultFonts: false",
            "proxyUrl: ''",
            "telemetry: false",
            "agent: { disabled: true }",
            "hideClientButton: true",
            "url: '/api/v1/openapi.json'",
        ] {
            assert!(page.contains(option), "{option}");
        }
        // The start script is allowed by its hash: the policy must follow any change to it.
        let policy = CONTENT_SECURITY_POLICY.as_str();
        let hash = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(INIT_SCRIPT.as_bytes()));
        assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
        assert!(policy.contains("connect-src 'self';") && policy.contains("default-src 'none'"));
        assert!(!policy.contains("http"), "{policy}");
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_accept_it() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("gzip; q=0.0, *"));
        assert!(!with("br, deflate"));
        assert!(!with("*;q=0"));
        assert!(!with("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
