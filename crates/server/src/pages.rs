//! `GET /` and the web page's static files: from `Config::web_root` when given (the browser build of dfmt), else
//! a minimal page that describes the API.

use crate::AppState;
use crate::api::ApiError;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
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
pub(crate) async fn static_file(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource").into_response();
    if method != Method::GET && method != Method::HEAD {
        return not_found();
    }
    let path = uri.path();
    let relative = if path == "/" { "index.html" } else { path.trim_start_matches('/') };
    // Only plain names: no `..`, no hidden files, no backslashes.
    let safe = relative.split('/').all(|part| !part.is_empty() && !part.starts_with('.') && !part.contains('\\'));
    let Some(root) = state.web_root.as_ref().filter(|_| safe) else {
        return if path == "/" {
            page(MINIMAL_PAGE.as_bytes().to_vec(), "text/html; charset=utf-8")
        } else {
            not_found()
        };
    };
    match tokio::fs::read(root.join(relative)).await {
        Ok(bytes) => page(bytes, media_type(relative)),
        Err(_) if path == "/" => page(MINIMAL_PAGE.as_bytes().to_vec(), "text/html; charset=utf-8"),
        Err(_) => not_found(),
    }
}

fn page(bytes: Vec<u8>, media_type: &'static str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
