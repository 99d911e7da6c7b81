//! `GET /` and the web page's static files: from `Config::web_root` when given (the browser build of dfmt), else
//! a minimal page that describes the API.
//!
//! Every file goes out with the page's Content-Security-Policy as a header (a worker script takes its policy from
//! its own response, not from the page's meta tag), `nosniff`, and an `ETag` (size and modification time) with
//! `Cache-Control: no-cache`, so a browser revalidates and gets `304` for what it has. A `NAME.gz` beside a file
//! is sent instead, `Content-Encoding: gzip`, to a client that accepts gzip.

use crate::AppState;
use crate::api::ApiError;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

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

/// The media type of a static file, by extension.
fn media_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves a static file for `GET`/`HEAD`; anything else that matched no route is 404.
pub(crate) async fn static_file(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource").into_response();
    if method != Method::GET && method != Method::HEAD {
        return not_found();
    }
    let path = uri.path();
    let relative = if path == "/" { "index.html" } else { path.trim_start_matches('/') };
    // Only plain names: no `..`, no hidden files, no backslashes.
    let safe = relative.split('/').all(|part| !part.is_empty() && !part.starts_with('.') && !part.contains('\\'));
    let minimal = || page(MINIMAL_PAGE.as_bytes().to_vec(), "text/html; charset=utf-8");
    let Some(root) = state.web_root.as_ref().filter(|_| safe) else {
        return if path == "/" { minimal() } else { not_found() };
    };
    let file = root.join(relative);
    let meta = match tokio::fs::metadata(&file).await {
        Ok(meta) if meta.is_file() => meta,
        _ => return if path == "/" { minimal() } else { not_found() },
    };
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
    let etag = format!("\"{:x}-{:x}\"", meta.len(), modified.as_nanos());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.split(';').next().is_some_and(|e| e.trim() == "gzip")));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let gzipped = if accepts_gzip { tokio::fs::read(with_gz(&file)).await.ok() } else { None };
        let gzip = gzipped.is_some();
        let bytes = match gzipped {
            Some(bytes) => bytes,
            None => match tokio::fs::read(&file).await {
                Ok(bytes) => bytes,
                Err(_) => return not_found(),
            },
        };
        let mut response = page(bytes, media_type(relative));
        if gzip {
            response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// `NAME.gz` beside `file`.
fn with_gz(file: &std::path::Path) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".gz");
    name.into()
}

fn page(bytes: Vec<u8>, media_type: &'static str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
