//! `GET /` and the web page's static files: from `Config::web_root` when given (the browser build of dfmt), else
//! a minimal page that describes the API.
//!
//! Every file goes out with the page's Content-Security-Policy as a header (a worker script takes its policy from
//! its own response, not from the page's meta tag), `nosniff`, and `Last-Modified` with `Cache-Control:
//! no-cache`, so a browser revalidates and gets `304` for what it has. A `NAME.gz` beside a file is sent instead,
//! `Content-Encoding: gzip`, to a client that accepts gzip.

use crate::AppState;
use crate::api::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower_http::services::ServeDir;

const MINIMAL_PAGE: &str = "<!doctype html>
<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dfmt serve</title><link rel=\"icon\" href=\"data:,\"></head>
<body><h1>dfmt serve</h1>
<p>Format, convert and validate JSON, JSONC, NDJSON, YAML and TOML. Nothing you send is stored.</p>
<ul>
<li><code>POST /v1/format?format=json&amp;indent=2</code></li>
<li><code>POST /v1/convert?from=yaml&amp;to=json</code></li>
<li><code>POST /v1/validate?format=toml</code></li>
<li><code>GET /healthz</code>, <code>GET /readyz</code>, <code>GET /metrics</code></li>
</ul>
<p>Example: <code>curl --data-binary @config.yaml 'http://HOST/v1/convert?from=yaml&amp;to=json'</code></p>
</body></html>
";

/// The page's policy: its own files only, no network beyond them, WebAssembly allowed.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'; \
                   style-src 'self'; img-src 'self' data: blob:; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// Serves a static file for `GET`/`HEAD`; anything else that matched no route is 404.
///
/// tower-http's `ServeDir` does the HTTP: media types, `Last-Modified` and `If-Modified-Since` (304), ranges,
/// `HEAD`, and a `NAME.gz` beside a file for a client whose `Accept-Encoding` takes gzip (q-values honoured).
/// Before it runs, the path must be plain names (no `..`, no hidden files, no backslashes) and must resolve,
/// symbolic links followed, to a file inside the web root: a link planted in the folder cannot reach out of it.
pub(crate) async fn static_file(State(state): State<AppState>, request: Request) -> Response {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource").into_response();
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return not_found();
    }
    let path = request.uri().path();
    let is_root = path == "/";
    let minimal = || page(Body::from(MINIMAL_PAGE), "text/html; charset=utf-8");
    // The checks run on the path as ServeDir will open it: percent-decoded.
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else { return not_found() };
    let relative = if is_root { "index.html" } else { decoded.trim_start_matches('/') };
    let plain = |part: &str| !part.is_empty() && !part.starts_with('.') && !part.contains(['\\', '\0']);
    let safe = relative.split('/').all(plain);
    let Some(root) = state.web_root.as_ref().filter(|_| safe) else {
        return if is_root { minimal() } else { not_found() };
    };
    // The file, and the `NAME.gz` that ServeDir would send instead, must both stay inside the root.
    let file = root.join(relative);
    if !inside(root, &file, false).await || !inside(root, &with_gz(&file), true).await {
        return if is_root { minimal() } else { not_found() };
    }
    let mut request = request;
    if is_root {
        *request.uri_mut() = Uri::from_static("/index.html");
    }
    let served =
        ServeDir::new(root).precompressed_gzip().append_index_html_on_directories(false).try_call(request).await;
    match served {
        Ok(response) if response.status() == StatusCode::NOT_FOUND => not_found(),
        Ok(response) => {
            let mut response = response.map(Body::new);
            let headers = response.headers_mut();
            let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(with_charset);
            if let Some(media) = media {
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            page_headers(headers);
            response
        }
        Err(error) => {
            tracing::debug!(%error, "reading a static file failed");
            not_found()
        }
    }
}

/// The text media types the page uses, with their charset (the page and its scripts are UTF-8).
fn with_charset(media: &str) -> Option<&'static str> {
    Some(match media {
        "text/html" => "text/html; charset=utf-8",
        "text/javascript" | "application/javascript" => "text/javascript; charset=utf-8",
        "text/css" => "text/css; charset=utf-8",
        "text/plain" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// True when `file` resolves, links followed, to a regular file inside `root` (also resolved); with `absent_ok`,
/// also when there is no `file` at all (nor a dangling link by that name).
async fn inside(root: &Path, file: &Path, absent_ok: bool) -> bool {
    let (root, file) = (root.to_owned(), file.to_owned());
    let check = move || {
        if absent_ok && std::fs::symlink_metadata(&file).is_err() {
            return true;
        }
        match (std::fs::canonicalize(&root), std::fs::canonicalize(&file)) {
            (Ok(root), Ok(file)) => file.starts_with(&root) && file.is_file(),
            _ => false,
        }
    };
    tokio::task::spawn_blocking(check).await.unwrap_or(false)
}

/// `NAME.gz` beside `file`.
fn with_gz(file: &Path) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".gz");
    name.into()
}

/// A response with `body` and the headers every page file carries ([`page_headers`]).
fn page(body: Body, media_type: &'static str) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    page_headers(headers);
    response
}

/// The headers every page file carries: the page's Content-Security-Policy (a worker script takes its policy
/// from its own response) and no referrer (`nosniff` goes on every response of the service).
fn page_headers(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}
