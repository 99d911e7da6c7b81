//! Any request to `dfmt serve`'s router: the bytes are split into a method, a path and query, a `Content-Type`
//! and a body, and sent through the service as a client would send them (`app().oneshot`, no socket). No request
//! may panic (a caught panic is a 500, which fails here) or get any other 5xx but 503; every answer carries
//! `nosniff`, and an error answer is the documented JSON with a message no longer than a few hundred bytes.
#![no_main]

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"))
}

fn app() -> &'static dfmt_server::App {
    static APP: OnceLock<dfmt_server::App> = OnceLock::new();
    APP.get_or_init(|| {
        let mut config = dfmt_server::Config::default();
        config.settings.limits.max_depth = 64;
        config.settings.limits.max_output_bytes = 4 << 20;
        config.settings.limits.max_held_bytes = 4 << 20;
        config.settings.max_body_bytes = 1 << 20;
        dfmt_server::app(&config)
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |&b| b == 0);
    let (Some(head), Some(query), Some(media)) = (parts.next(), parts.next(), parts.next()) else { return };
    let body = parts.next().unwrap_or_default().to_vec();
    let method = match head.first().copied().unwrap_or(0) % 4 {
        0 | 1 => "POST",
        2 => "GET",
        _ => "PUT",
    };
    let path = ["/v1/format", "/v1/convert", "/v1/validate", "/healthz", "/metrics", "/", "/app.js"]
        [usize::from(head.get(1).copied().unwrap_or(0)) % 7];
    let query: String = String::from_utf8_lossy(query).chars().filter(|c| c.is_ascii_graphic() && *c != '#').collect();
    let uri = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
    let mut request = Request::builder().method(method).uri(uri.as_str());
    if let Ok(media) = std::str::from_utf8(media)
        && !media.is_empty()
    {
        request = request.header(header::CONTENT_TYPE, media);
    }
    let Ok(request) = request.body(Body::from(body)) else { return };
    runtime().block_on(async {
        let response = app().clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        assert!(!status.is_server_error() || status.as_u16() == 503, "{status} for {method} {uri}");
        assert_eq!(response.headers().get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
        let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/json");
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        if (status.is_client_error() || status.is_server_error()) && is_json {
            let value: serde_json::Value = serde_json::from_slice(&bytes).expect("an error answer is JSON");
            let message = value["error"]["message"].as_str().expect("an error has a message");
            assert!(message.len() < 600, "a message of {} bytes", message.len());
        }
    });
});
