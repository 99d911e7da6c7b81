//! Every route and every error, through `app().oneshot(..)`: no socket. Each answer is also checked against
//! `openapi.yaml`: its status is documented for its route, and an error body has the documented shape.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use dfmt_core::{Format, Options, SliceInput};
use dfmt_server::{Config, Settings, app};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::OnceLock;
use tower::ServiceExt;

/// `openapi.yaml`, read with dfmt's own YAML reader.
fn openapi() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
        let json = dfmt_core::convert(
            &mut SliceInput::new(&text),
            Format::Yaml,
            Format::Json,
            &Options::default(),
            Vec::new(),
        )
        .unwrap();
        serde_json::from_slice(&json).unwrap()
    })
}

/// Follows a `$ref` inside the document.
fn resolve(value: &Value) -> &Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(openapi().pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}")))
        }
        None => value,
    }
}

/// Checks `value` against `schema`, a schema of the document (usually a `$ref` into it), with dfmt's own JSON
/// Schema validator (OpenAPI 3.1's schemas are JSON Schema 2020-12).
fn conforms(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let mut document = openapi().clone();
    for (key, keyword) in schema.as_object().unwrap() {
        document[key] = keyword.clone();
    }
    let settings = dfmt_schema::Settings::default();
    let schema = dfmt_schema::Schema::from_value(&document, None, &dfmt_schema::Sources::default(), &settings)
        .map_err(|e| format!("{at}: the documented schema does not compile: {e}"))?;
    let text = serde_json::to_vec(value).unwrap();
    let report = schema.check(&text, Format::Json, &Options::default(), &|| false).map_err(|d| format!("{d:?}"))?;
    match report.violations.first() {
        None => Ok(()),
        Some(v) => Err(format!("{at}{}: {} (schema {})", v.instance_path, v.diagnostic.message, v.schema_path)),
    }
}

/// The answer to one request.
struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    fn error_kind(&self) -> String {
        self.json()["error"]["kind"].as_str().unwrap().to_owned()
    }
}

async fn send(config: &Config, request: Request<Body>) -> Answer {
    let method = request.method().as_str().to_ascii_lowercase();
    let path = request.uri().path().to_owned();
    let response = app(config).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let answer = Answer { status, headers, body };
    check_documented(&method, &path, &answer);
    answer
}

/// The route and status are in `openapi.yaml`, and a JSON body conforms to the documented schema.
fn check_documented(method: &str, path: &str, answer: &Answer) {
    if path.starts_with("/test/") {
        return;
    }
    let doc = openapi();
    let documented_path = if doc["paths"].get(path).is_some() { path } else { "/" };
    let operation = &doc["paths"][documented_path][method];
    let status = answer.status.as_str();
    let Some(response) = operation.get("responses").and_then(|r| r.get(status)) else {
        // 405 (a method a route does not have) is the one answer not listed per operation.
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} → {status} is not in openapi.yaml");
        let schema = serde_json::json!({"$ref": "#/components/schemas/ErrorResponse"});
        conforms(&answer.json(), &schema, "body").unwrap();
        return;
    };
    if documented_path != path {
        return; // A static file: any media type.
    }
    let response = resolve(response);
    let media =
        answer.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    if let (Some(media), Some(content)) = (media, response.get("content")) {
        let schema = content.get(&media).map(|c| &c["schema"]);
        let schema = schema.unwrap_or_else(|| panic!("{method} {path} → {status}: {media} is not documented"));
        if media == "application/json" && resolve(schema).get("type") != Some(&Value::from("string")) {
            conforms(&answer.json(), schema, "body").unwrap_or_else(|e| panic!("{method} {path} → {status}: {e}"));
        }
    }
}

fn post(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri).body(Body::from(body.to_owned())).unwrap()
}

fn config() -> Config {
    Config::default()
}

#[tokio::test]
async fn format_json_with_options() {
    let c = config();
    let a = send(&c, post("/v1/format?format=json", "{\"b\":[1,2.50],\"a\":{}}")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(a.text(), "{\n  \"b\": [\n    1,\n    2.50\n  ],\n  \"a\": {}\n}\n");
    let a = send(&c, post("/v1/format?format=json&compact=true&sort_keys=true", "{\"b\": 1, \"a\": 2}")).await;
    assert_eq!(a.text(), "{\"a\":2,\"b\":1}\n");
    let a = send(&c, post("/v1/format?format=json&indent=4", "[1]")).await;
    assert_eq!(a.text(), "[\n    1\n]\n");
    let a = send(&c, post("/v1/format?format=jsonc&indent=tab", "[1, // one\n]")).await;
    assert_eq!(a.text(), "[\n\t1 // one\n]\n");
}

#[tokio::test]
async fn content_type_names_the_format() {
    let c = config();
    let request = Request::post("/v1/format")
        .header(header::CONTENT_TYPE, "application/yaml; charset=utf-8")
        .body(Body::from("a:   1  # one\n"))
        .unwrap();
    let a = send(&c, request).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/yaml");
    assert_eq!(a.text(), "a: 1 # one\n");
    let request = Request::post("/v1/convert?to=json")
        .header(header::CONTENT_TYPE, "application/toml")
        .body(Body::from("x = 0x1F\n"))
        .unwrap();
    assert_eq!(send(&c, request).await.text(), "{\n  \"x\": 31\n}\n");
}

#[tokio::test]
async fn convert_between_formats() {
    let c = config();
    let a = send(&c, post("/v1/convert?from=yaml&to=json", "a: &x [1]\nb: *x\n")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json(), serde_json::json!({"a": [1], "b": [1]}));
    let a = send(&c, post("/v1/convert?from=json&to=toml", "{\"a\": {\"b\": 1}}")).await;
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/toml");
    assert_eq!(a.text(), "[a]\nb = 1\n");
    let a = send(&c, post("/v1/convert?from=json&to=ndjson", "[1, {\"a\": 2}]")).await;
    assert_eq!(a.text(), "1\n{\"a\":2}\n");
    let a = send(&c, post("/v1/convert?from=toml&to=yaml", "x = inf\n")).await;
    assert_eq!(a.text(), "x: .inf\n");
}

#[tokio::test]
async fn validate_answers_valid_or_where_it_is_not() {
    let c = config();
    let a = send(&c, post("/v1/validate?format=toml", "[a]\nx = 1\n")).await;
    assert_eq!((a.status, a.json()), (StatusCode::OK, serde_json::json!({"valid": true})));
    let a = send(&c, post("/v1/validate?format=json", "{\n  \"a\": 1,\n  \"b\" 2\n}")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = &a.json()["error"];
    assert_eq!((error["line"].as_u64(), error["column"].as_u64()), (Some(3), Some(7)));
    assert_eq!(error["kind"], "syntax");
    assert!(error["message"].as_str().unwrap().starts_with("expected ':'"), "{error}");
}

#[tokio::test]
async fn invalid_input_is_422_with_a_kind() {
    let c = config();
    let cases = [
        ("/v1/validate?format=yaml", "a: 1\na: 2\n", "duplicate", 2),
        ("/v1/format?format=toml", "[a]\n[a]\n", "duplicate", 2),
        ("/v1/convert?from=json&to=toml", "{\"a\": null}", "not_representable", 1),
        ("/v1/convert?from=toml&to=json", "x = nan", "not_representable", 1),
        ("/v1/format?format=json", "\"\u{1}\"", "syntax", 1),
    ];
    for (uri, body, kind, line) in cases {
        let a = send(&c, post(uri, body)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert_eq!(a.error_kind(), kind, "{uri}: {}", a.text());
        assert_eq!(a.json()["error"]["line"], line, "{uri}");
    }
    let a = send(&c, post("/v1/convert?from=json&to=toml", "{\"servers\": [{\"port\": null}]}")).await;
    assert_eq!(a.json()["error"]["path"], "servers[0].port");
    let deep = "[".repeat(5000);
    let a = send(&c, post("/v1/validate?format=json", &deep)).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "depth_limit"));
    let bad_utf8 = Request::post("/v1/format?format=json").body(Body::from(vec![b'"', 0xff, b'"'])).unwrap();
    assert_eq!(send(&c, bad_utf8).await.error_kind(), "encoding");
}

#[tokio::test]
async fn bad_requests_are_400() {
    let c = config();
    for (uri, kind) in [
        ("/v1/format?format=xml", "unsupported_format"),
        ("/v1/format", "unsupported_format"),
        ("/v1/convert?from=json", "bad_request"),
        ("/v1/format?format=json&indent=99", "bad_request"),
        ("/v1/format?format=json&compact=maybe", "bad_request"),
        ("/v1/format?format=json&colour=red", "bad_request"),
    ] {
        let a = send(&c, post(uri, "{}")).await;
        assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::BAD_REQUEST, kind), "{uri}");
        assert!(a.json()["error"]["line"].is_null());
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_before_or_while_reading() {
    let c = Config { settings: Settings { max_body_bytes: 100, ..Settings::default() }, ..config() };
    // Declared too large: refused from the header alone (the body here is never read).
    let request = Request::post("/v1/format?format=json")
        .header(header::CONTENT_LENGTH, "1000000")
        .body(Body::from("[]"))
        .unwrap();
    let a = send(&c, request).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"));
    // Not declared (a stream): refused once the limit is passed.
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..10).map(|_| Ok(Bytes::from(vec![b' '; 50]))).collect();
    let stream = Body::new(futures_stream(chunks));
    let a = send(&c, Request::post("/v1/format?format=json").body(stream).unwrap()).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    // At the limit: fine.
    let a = send(&c, post("/v1/format?format=json", &format!("[{}]", " ".repeat(98)))).await;
    assert_eq!(a.status, StatusCode::OK);
}

/// A stream of body chunks, without a futures dependency.
fn futures_stream(
    chunks: Vec<Result<Bytes, std::io::Error>>,
) -> impl axum::body::HttpBody<Data = Bytes, Error = std::io::Error> {
    struct Chunks(std::collections::VecDeque<Result<Bytes, std::io::Error>>);
    impl axum::body::HttpBody for Chunks {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
            std::task::Poll::Ready(self.0.pop_front().map(|chunk| chunk.map(http_body::Frame::data)))
        }
    }
    Chunks(chunks.into())
}

#[tokio::test]
async fn overload_is_503_with_retry_after() {
    let c = Config { settings: Settings { max_conversions: 0, ..Settings::default() }, ..config() };
    let a = send(&c, post("/v1/format?format=json", "[]")).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::SERVICE_UNAVAILABLE, "overloaded"));
    assert_eq!(a.headers[header::RETRY_AFTER], "1");
}

#[tokio::test]
async fn large_bodies_run_on_the_blocking_pool_with_the_same_result() {
    let c = Config { settings: Settings { inline_below: 0, ..Settings::default() }, ..config() };
    let a = send(&c, post("/v1/format?format=json&compact=true", "{ \"a\" : [ 1 ] }")).await;
    assert_eq!((a.status, a.text()), (StatusCode::OK, "{\"a\":[1]}\n"));
    let a = send(&c, post("/v1/format?format=json", "{")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Bodies of several megabytes in many chunks, joined and formatted in buffers the service keeps and lends
    // again: every answer is whole and the same, an invalid body between them included.
    let text: String = format!("[{}0]", (0..400_000).map(|i| format!("{i},")).collect::<String>());
    let expected =
        dfmt_core::format(&mut SliceInput::new(text.as_bytes()), Format::Json, &Options::default(), Vec::new());
    let expected = expected.unwrap();
    let service = app(&c);
    for (round, valid) in [true, true, false, true, true].into_iter().enumerate() {
        let body = if valid { text.clone() } else { text.replace("399999,", "399999,,") };
        let chunks = body.as_bytes().chunks(64 << 10).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let request = Request::post("/v1/format?format=json").body(Body::new(futures_stream(chunks))).unwrap();
        let response = service.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        if valid {
            assert_eq!(status, StatusCode::OK, "round {round}");
            assert!(body == expected, "round {round}: {} bytes, expected {}", body.len(), expected.len());
        } else {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "round {round}");
        }
    }
}

#[tokio::test]
async fn a_panic_is_a_500_and_the_service_goes_on() {
    let c = config();
    for inline_below in [usize::MAX, 0] {
        let c = Config { settings: Settings { inline_below, ..c.settings }, ..c.clone() };
        let router = app(&c);
        let response = router.clone().oneshot(post("/test/panic?format=json", "x")).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {
                "message": "internal error", "line": null, "column": null, "kind": "internal", "code": "internal"
            }})
        );
        let response = router.clone().oneshot(post("/v1/format?format=json", "[]")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let metrics = router.oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
        let text = String::from_utf8(metrics.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(text.contains("dfmt_panics_total 1"), "{text}");
        assert!(text.contains("dfmt_conversions_in_flight 0"), "{text}");
    }
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let c = config();
    assert_eq!(send(&c, Request::get("/healthz").body(Body::empty()).unwrap()).await.text(), "ok\n");
    assert_eq!(send(&c, Request::get("/readyz").body(Body::empty()).unwrap()).await.status, StatusCode::OK);
    let router = app(&c);
    let _ = router.clone().oneshot(post("/v1/format?format=json", "[1]")).await.unwrap();
    let _ = router.clone().oneshot(post("/v1/format?format=json", "[")).await.unwrap();
    let response = router.oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    for line in [
        "dfmt_requests_total{route=\"/v1/format\",status=\"200\"} 1",
        "dfmt_requests_total{route=\"/v1/format\",status=\"422\"} 1",
        "dfmt_request_bytes_total 4",
        "dfmt_response_bytes_total 8",
        "dfmt_request_duration_seconds_count 2",
        "dfmt_active_connections 0",
        "# TYPE dfmt_request_duration_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
    }
}

#[tokio::test]
async fn pages_methods_and_unknown_paths() {
    let c = config();
    let a = send(&c, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("POST /v1/format"));
    let a = send(&c, Request::get("/nothing.js").body(Body::empty()).unwrap()).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let a = send(&c, Request::get("/v1/format").body(Body::empty()).unwrap()).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    // With a web root: its files, and nothing outside it.
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir(&web).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>dfmt</title>").unwrap();
    std::fs::write(web.join("app.js"), "export {}").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
    let c = Config { web_root: Some(web), ..config() };
    let a = send(&c, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(a.text(), "<!doctype html><title>dfmt</title>");
    let a = send(&c, Request::get("/app.js").body(Body::empty()).unwrap()).await;
    assert_eq!(a.headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    // The page's policy comes with every file (a worker script takes it from its own response).
    assert!(a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("connect-src 'self'"));
    assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // Revalidation: the Last-Modified given back is answered 304, without a body.
    let modified = a.headers[header::LAST_MODIFIED].clone();
    let again = Request::get("/app.js").header(header::IF_MODIFIED_SINCE, modified).body(Body::empty()).unwrap();
    let a = send(&c, again).await;
    assert_eq!((a.status, a.body.len()), (StatusCode::NOT_MODIFIED, 0));
    // A precompressed copy goes to clients that accept gzip, and only to them.
    std::fs::write(dir.path().join("web/app.js.gz"), b"gzipped bytes").unwrap();
    let gz = Request::get("/app.js").header(header::ACCEPT_ENCODING, "br, gzip;q=0.9").body(Body::empty()).unwrap();
    let a = send(&c, gz).await;
    assert_eq!((a.headers[header::CONTENT_ENCODING].to_str().unwrap(), a.text()), ("gzip", "gzipped bytes"));
    let a = send(&c, Request::get("/app.js").body(Body::empty()).unwrap()).await;
    assert_eq!((a.headers.get(header::CONTENT_ENCODING), a.text()), (None, "export {}"));
    // `q=0` refuses an encoding.
    let refused = Request::get("/app.js").header(header::ACCEPT_ENCODING, "gzip;q=0").body(Body::empty()).unwrap();
    let a = send(&c, refused).await;
    assert_eq!((a.headers.get(header::CONTENT_ENCODING), a.text()), (None, "export {}"));
    // A symbolic link inside the web root that points out of it serves nothing; a name that needs encoding works.
    std::fs::write(dir.path().join("web/a b.txt"), "spaced").unwrap();
    let a = send(&c, Request::get("/a%20b.txt").body(Body::empty()).unwrap()).await;
    assert_eq!((a.status, a.text()), (StatusCode::OK, "spaced"));
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), dir.path().join("web/linked.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("web/up")).unwrap();
    // A planted `NAME.gz` link is not sent either, nor is a file reached through percent-encoding.
    std::fs::write(dir.path().join("web/plain.js"), "let x").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), dir.path().join("web/plain.js.gz")).unwrap();
    let gz = Request::get("/plain.js").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let a = send(&c, gz).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    std::fs::write(dir.path().join("web/%65vil"), "decoy").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), dir.path().join("web/evil")).unwrap();
    for path in ["/linked.txt", "/up/secret.txt", "/%65vil", "/evil"] {
        let a = send(&c, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/.hidden"] {
        let a = send(&c, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[test]
fn openapi_documents_every_route_and_error_kind() {
    let doc = openapi();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (path, method) in [
        ("/v1/format", "post"),
        ("/v1/convert", "post"),
        ("/v1/validate", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is not documented");
    }
    for path in ["/v1/format", "/v1/convert", "/v1/validate"] {
        for status in ["200", "400", "408", "413", "422", "500", "503"] {
            assert!(doc["paths"][path]["post"]["responses"][status].is_object(), "{path} {status}");
        }
    }
    let kinds = &doc["components"]["schemas"]["ErrorResponse"]["properties"]["error"]["properties"]["kind"]["enum"];
    assert_eq!(kinds.as_array().unwrap().len(), 19);
}

/// The shared vectors (`tests/vectors/vectors.json`), one request each: the same output bytes as the CLI and the
/// web page, or the same error code, message, line and column.
#[tokio::test]
async fn the_service_gives_every_vector_its_expected_result() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/vectors.json");
    let vectors: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = config();
    let mut failures = Vec::new();
    for vector in &vectors {
        let field = |name: &str| vector[name].as_str().unwrap_or_default();
        let mut query = format!("format={}", field("from"));
        let endpoint = match field("action") {
            "format" => "format",
            "minify" => {
                query.push_str("&compact=true");
                "format"
            }
            "convert" => {
                query.push_str(&format!("&to={}", field("to")));
                "convert"
            }
            _ => "validate",
        };
        match &vector["options"]["indent"] {
            Value::Null => {}
            Value::String(word) => query.push_str(&format!("&indent={word}")),
            n => query.push_str(&format!("&indent={n}")),
        }
        if vector["options"]["sort_keys"] == true {
            query.push_str("&sort_keys=true");
        }
        let a = send(&c, post(&format!("/v1/{endpoint}?{query}"), field("input"))).await;
        let name = field("name");
        if let Some(expected) = vector.get("error") {
            let got = &a.json()["error"];
            let same = ["line", "column", "message", "code"].iter().all(|k| got[k] == expected[k]);
            if a.status != StatusCode::UNPROCESSABLE_ENTITY || !same {
                failures.push(format!("{name}: expected 422 and {expected}, got {} and {got}", a.status));
            }
        } else if endpoint == "validate" {
            if a.status != StatusCode::OK {
                failures.push(format!("{name}: expected valid, got {} {}", a.status, a.text()));
            }
        } else if a.status != StatusCode::OK || a.text() != field("output") {
            failures.push(format!("{name}: expected\n{}\ngot {}\n{}", field("output"), a.status, a.text()));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}

/// A service with the schemas of a folder: `service.yaml` (which refers to `defs/port.json`) and `list.json`.
fn schema_config() -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("service.yaml"),
        "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n  port: {$ref: 'defs/port.json'}\n",
    )
    .unwrap();
    std::fs::create_dir(p.join("defs")).unwrap();
    std::fs::write(p.join("defs/port.json"), r#"{"type": "integer", "minimum": 1, "maximum": 65535}"#).unwrap();
    std::fs::write(p.join("list.json"), r#"{"type": "array", "items": {"type": "integer"}}"#).unwrap();
    let schemas = dfmt_server::Schemas::load(p, dfmt_core::Limits::DEFAULT, false).unwrap();
    assert_eq!(schemas.names().collect::<Vec<_>>(), ["list", "service"]);
    (Config { schemas: std::sync::Arc::new(schemas), ..Config::default() }, dir)
}

#[tokio::test]
async fn validate_against_a_registered_schema() {
    let (c, _dir) = schema_config();
    let a = send(&c, post("/v1/validate?format=yaml&schema=service", "name: web\nport: 443\n")).await;
    assert_eq!((a.status, a.text()), (StatusCode::OK, "{\"valid\":true}\n"));
    // Every violation, each at its line and column; the error names the first.
    let a = send(&c, post("/v1/validate?format=toml&schema=service", "port = 70000\n")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = a.json();
    assert_eq!(body["error"]["kind"], "schema");
    assert_eq!(body["error"]["code"], "schema_violation");
    let violations = body["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 2, "{body}");
    assert_eq!(violations[0]["keyword"], "required");
    assert_eq!((violations[0]["line"].as_u64(), violations[0]["column"].as_u64()), (Some(1), Some(1)));
    assert_eq!(violations[1]["keyword"], "maximum");
    assert_eq!(violations[1]["path"], "port");
    assert_eq!(violations[1]["schema_path"], "/properties/port/$ref/maximum");
    assert_eq!((violations[1]["column"].as_u64(), violations[1]["end_column"].as_u64()), (Some(8), Some(13)));
    // Invalid syntax is reported as without a schema.
    let a = send(&c, post("/v1/validate?format=json&schema=list", "[1,")).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "syntax"));
    // At most a thousand violations in one answer.
    let many = format!("[{}\"x\"]", "\"x\",".repeat(2_500));
    let a = send(&c, post("/v1/validate?format=json&schema=list", &many)).await;
    let body = a.json();
    assert_eq!(body["violations"].as_array().unwrap().len(), 1000);
    assert!(body["error"]["message"].as_str().unwrap().contains("the first ones"), "{}", body["error"]);
}

#[tokio::test]
async fn schema_names_and_folders_that_are_refused() {
    let (c, dir) = schema_config();
    for name in ["nope", "../list", "defs/port", &"x".repeat(10_000), "service.yaml", ""] {
        let a = send(&c, post(&format!("/v1/validate?format=json&schema={name}"), "[]")).await;
        assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::BAD_REQUEST, "unknown_schema"), "{name:.20}");
        assert!(a.text().len() < 400, "the name is cut in the message: {}", a.text().len());
        assert!(a.text().contains("list, service"), "{}", a.text());
    }
    let a = send(&c, post("/v1/format?format=json&schema=list", "[]")).await;
    assert_eq!((a.status, a.error_kind().as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
    let a = send(&config(), post("/v1/validate?format=json&schema=list", "[]")).await;
    assert!(a.text().contains("has no schemas"), "{}", a.text());
    // A schema that refers outside its folder, or to the network, stops the service from starting.
    std::fs::write(dir.path().join("escape.json"), r#"{"$ref": "../secret.json"}"#).unwrap();
    let error = dfmt_server::Schemas::load(dir.path(), dfmt_core::Limits::DEFAULT, false).unwrap_err();
    assert!(error.to_string().contains("outside the schema folder"), "{error}");
    std::fs::write(dir.path().join("escape.json"), r#"{"$ref": "https://example.com/s.json"}"#).unwrap();
    let error = dfmt_server::Schemas::load(dir.path(), dfmt_core::Limits::DEFAULT, false).unwrap_err();
    assert!(error.to_string().contains("not fetched"), "{error}");
    std::fs::remove_file(dir.path().join("escape.json")).unwrap();
    std::fs::write(dir.path().join("list.yaml"), "type: array\n").unwrap();
    let error = dfmt_server::Schemas::load(dir.path(), dfmt_core::Limits::DEFAULT, false).unwrap_err();
    assert!(error.to_string().contains("two schemas are named list"), "{error}");
}
