//! The conversion endpoints: `POST /v1/format`, `/v1/convert`, `/v1/validate`.
//!
//! Each request goes through the same steps: parse the query (400 on a bad one), refuse a body whose declared
//! length is over the limit (413, before reading it), take a conversion slot (503 with `Retry-After` when all
//! are busy), read the body within the limit and the request's deadline (413, 408), convert — inline when the
//! body is small, on the blocking pool at lower CPU priority when it is large — and answer: 200 with the
//! output, 422 with the error's position, 500 if the conversion panicked (caught here; details go to the log).

use crate::buffers::Pool;
use crate::metrics::Metrics;
use crate::{AppState, Schemas, Settings};
use axum::body::{Body, Bytes, HttpBody};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use dfmt_core::{Action, Diagnostic, ErrorCode, Format, Hint, Job, Options, Params, ParseErrorKind, SliceInput};
use http_body_util::BodyExt;
use std::borrow::Borrow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::task::Poll;
use std::time::Instant;

/// What a request asks for: the core's job, validation against a registered schema, or (test builds) a
/// conversion that panics.
#[derive(Clone, Debug)]
pub(crate) enum Work {
    Job(Job),
    /// `/v1/validate?schema=NAME`.
    Schema(Job, Arc<dfmt_schema::Schema>),
    /// Panics inside the conversion, to prove the request boundary catches it.
    #[cfg(feature = "test-routes")]
    Panic,
}

impl Work {
    /// The format of the output, for the jobs that write one.
    fn output_format(&self) -> Option<Format> {
        match self {
            Work::Job(job) => job.to(),
            Work::Schema(..) => None,
            #[cfg(feature = "test-routes")]
            Work::Panic => None,
        }
    }
}

/// Which endpoint.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Endpoint {
    Format,
    Convert,
    Validate,
    #[cfg(feature = "test-routes")]
    Panic,
}

/// An error answer: `{"error": {"message", "line", "column", "kind", "code"}}`, with `path`, `related` and `hint`
/// where there are.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    /// The core's diagnostic, for input it refused.
    diagnostic: Option<Box<Diagnostic>>,
    retry_after: bool,
    /// The body was not read to its end: the connection cannot carry another request, so say it closes.
    close: bool,
    /// The violations of a schema, each as the answer shows it.
    violations: Vec<serde_json::Value>,
}

/// Most violations one answer lists (`truncated` says when there were more).
pub(crate) const MAX_VIOLATIONS: usize = 1000;

/// Why a job gave no output.
pub(crate) enum Refused {
    /// The core refused the input.
    Invalid(Box<Diagnostic>),
    /// The data breaks the schema: the violations as shown, and whether more were left out.
    Violations(Vec<serde_json::Value>, bool),
}

impl ApiError {
    /// Asks the client to retry after a second.
    pub(crate) fn retry_after(&mut self) {
        self.retry_after = true;
    }

    pub(crate) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            diagnostic: None,
            retry_after: false,
            close: false,
            violations: Vec::new(),
        }
    }

    /// The answer for data that breaks the schema: 422, the first violation's position as the error's, and
    /// every violation listed.
    fn violations(violations: Vec<serde_json::Value>, truncated: bool) -> Self {
        let n = violations.len();
        let more = if truncated { " (the first ones)" } else { "" };
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "schema",
            format!("the document does not match the schema: {n} violation{}{more}", if n == 1 { "" } else { "s" }),
        );
        e.violations = violations;
        e
    }

    /// The answer for input the core refused: 422, with the diagnostic's position, code, key path, earlier
    /// position and hint.
    fn invalid(diagnostic: Box<Diagnostic>) -> Self {
        if diagnostic.code == ErrorCode::Cancelled {
            let mut e = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the conversion did not finish within the request timeout",
            );
            e.retry_after = true;
            return e;
        }
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, diagnostic.kind(), diagnostic.message.clone());
        e.diagnostic = Some(diagnostic);
        e
    }
}

/// A hint in this service's words: the query parameters that do what it suggests, and the settings of the
/// service where the client cannot change a limit.
fn hint_text(hint: Hint) -> &'static str {
    match hint {
        Hint::AllowComments => "comments are allowed with format=jsonc",
        Hint::AllowTrailingCommas => "remove the comma, or send the body with format=jsonc",
        Hint::OneValuePerLine => {
            "one value per line is NDJSON: send it with format=ndjson; or wrap the values in an array"
        }
        Hint::RaiseDepthLimit => "the service's max_depth setting bounds the nesting",
        Hint::DropTags => "remove the tag",
        Hint::RaiseAliasLimit => "the service's max_alias_nodes setting bounds alias expansion",
        Hint::RaiseAliasBytesLimit => "the service's max_alias_bytes setting bounds alias expansion",
        other => other.text(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({
            "message": self.message, "line": null, "column": null, "kind": self.kind, "code": self.kind,
        });
        if let Some(d) = self.diagnostic {
            error["line"] = d.position.line.into();
            error["column"] = d.position.column.into();
            error["code"] = d.code.name().into();
            if let Some(path) = d.path {
                error["path"] = path.into();
            }
            if let Some(related) = d.related {
                error["related"] = serde_json::json!({
                    "line": related.position.line, "column": related.position.column, "message": related.what,
                });
            }
            if let Some(hint) = d.hint {
                error["hint"] = serde_json::json!({ "code": hint.name(), "message": hint_text(hint) });
            }
        }
        if let Some(first) = self.violations.first() {
            error["line"] = first["line"].clone();
            error["column"] = first["column"].clone();
            error["code"] = "schema_violation".into();
        }
        let mut body = serde_json::json!({ "error": error });
        if !self.violations.is_empty() {
            body["violations"] = serde_json::Value::Array(self.violations);
        }
        let mut response = (self.status, json_body(&body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

fn json_body(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The media type of output in `format`.
fn media_type(format: Format) -> &'static str {
    match format {
        Format::Json | Format::Jsonc => "application/json",
        Format::Ndjson => "application/x-ndjson",
        Format::Yaml => "application/yaml",
        Format::Toml => "application/toml",
        _ => "application/octet-stream",
    }
}

/// The format a `Content-Type` names, if it names one.
fn format_of_content_type(headers: &HeaderMap) -> Option<Format> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    let subtype = essence.rsplit('/').next()?;
    let subtype = subtype.strip_prefix("x-").unwrap_or(subtype);
    Some(match subtype {
        "json" => Format::Json,
        "jsonc" => Format::Jsonc,
        "ndjson" | "jsonl" | "json-seq" => Format::Ndjson,
        "yaml" | "yml" => Format::Yaml,
        "toml" => Format::Toml,
        _ => return None,
    })
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

/// Reads the query (and `Content-Type`) into a job, with the core's one parser of parameters.
pub(crate) fn job(
    endpoint: Endpoint,
    uri: &Uri,
    headers: &HeaderMap,
    settings: &Settings,
    schemas: &Schemas,
) -> Result<Work, ApiError> {
    let mut params = Params::default();
    let mut schema = None;
    // `form_urlencoded` borrows a pair from the query unless it holds `%` or `+`: `?format=json` allocates nothing.
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if name == "schema" {
            if !matches!(endpoint, Endpoint::Validate) {
                return Err(bad_request("the parameter schema applies to /v1/validate only"));
            }
            let found = schemas.get(&value).ok_or_else(|| unknown_schema(&value, schemas))?;
            schema = Some(found.clone());
            continue;
        }
        params.set(&name, &value).map_err(|error| match error.kind() {
            ParseErrorKind::Format => ApiError::new(StatusCode::BAD_REQUEST, "unsupported_format", error.to_string()),
            _ => bad_request(error.to_string()),
        })?;
    }
    let Some(from) = params.from.or_else(|| format_of_content_type(headers)) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_format",
            "name the input format: ?format=json|jsonc|ndjson|yaml|toml, or a Content-Type such as application/yaml",
        ));
    };
    let action = match endpoint {
        Endpoint::Format => Action::Format,
        Endpoint::Validate => Action::Validate,
        Endpoint::Convert => {
            let to = params.to.ok_or_else(|| bad_request("name the output format: ?to=json|jsonc|ndjson|yaml|toml"))?;
            Action::Convert(to)
        }
        #[cfg(feature = "test-routes")]
        Endpoint::Panic => return Ok(Work::Panic),
    };
    let options = params.options(Options { limits: settings.limits, ..Options::default() });
    let job = Job { action, from, options };
    Ok(match schema {
        Some(schema) => Work::Schema(job, schema),
        None => Work::Job(job),
    })
}

/// 400 for a schema name the service does not have, naming (some of) those it has.
fn unknown_schema(name: &str, schemas: &Schemas) -> ApiError {
    let shown: String = name.chars().take(64).collect();
    let mut known: Vec<&str> = schemas.names().take(20).collect();
    if schemas.len() > known.len() {
        known.push("…");
    }
    let message = if known.is_empty() {
        format!("no schema named {shown:?}: this service has no schemas (dfmt serve --schema-dir)")
    } else {
        format!("no schema named {shown:?}; this service has: {}", known.join(", "))
    };
    ApiError::new(StatusCode::BAD_REQUEST, "unknown_schema", message)
}

/// Runs a job over a whole body into `output` (an empty buffer): the output and its format, or the core's
/// diagnostics.
#[cfg_attr(not(feature = "test-routes"), allow(clippy::infallible_destructuring_match))]
fn run(work: &Work, body: &[u8], output: Vec<u8>, deadline: Instant) -> Result<(Vec<u8>, Format), Refused> {
    // The core asks every thousand events or so whether the deadline passed, and stops if it has: a conversion
    // past its time frees its slot and its thread at once, inline ones too.
    let past_deadline = || Instant::now() >= deadline;
    let job = match work {
        Work::Job(job) => job,
        Work::Schema(job, schema) => return check(job, schema, body, &past_deadline),
        #[cfg(feature = "test-routes")]
        Work::Panic => panic!("a conversion panicked (test route)"),
    };
    let done = job.run_until(&mut SliceInput::new(body), output, &past_deadline);
    let done = done.map_err(|mut d| Refused::Invalid(Box::new(d.swap_remove(0))))?;
    Ok(match job.to() {
        Some(to) => (done.output, to),
        None => (b"{\"valid\":true}\n".to_vec(), Format::Json),
    })
}

/// Validates `body` against `schema`: `{"valid":true}`, or every violation (up to [`MAX_VIOLATIONS`]).
fn check(
    job: &Job,
    schema: &dfmt_schema::Schema,
    body: &[u8],
    stop: &dyn Fn() -> bool,
) -> Result<(Vec<u8>, Format), Refused> {
    let report = schema
        .check_at_most(body, job.from, &job.options, MAX_VIOLATIONS + 1, stop)
        .map_err(|mut d| Refused::Invalid(Box::new(d.swap_remove(0))))?;
    if report.violations.is_empty() {
        return Ok((b"{\"valid\":true}\n".to_vec(), Format::Json));
    }
    let truncated = report.violations.len() > MAX_VIOLATIONS;
    let shown = report.violations.iter().take(MAX_VIOLATIONS).map(|v| {
        let d = &v.diagnostic;
        let end = v.end_position;
        let mut shown = serde_json::json!({
            "message": d.message, "line": d.position.line, "column": d.position.column,
            "end_line": end.line, "end_column": end.column, "keyword": v.keyword,
            "instance_path": v.instance_path, "schema_path": v.schema_path, "document": v.document,
        });
        if let Some(path) = &d.path {
            shown["path"] = path.as_str().into();
        }
        shown
    });
    Err(Refused::Violations(shown.collect(), truncated))
}

/// The output buffer for a body of `n` bytes converted inline. A small body's JSON-family output is the JSON
/// writer's own buffer, handed over whole: an empty `Vec` takes it without a copy. Other small output gets room
/// for what formatting adds (compact input indented grows by half or more; a compact 1 KiB tweet 1.6 times); a
/// large body (when `inline_below` lets one run inline) gets [`large_output`].
fn inline_output(job: &Work, n: usize) -> Vec<u8> {
    match (n < 64 << 10, job.output_format()) {
        (true, Some(Format::Json | Format::Jsonc | Format::Ndjson) | None) => Vec::new(),
        (true, Some(_)) => Vec::with_capacity(2 * n),
        (false, _) => Vec::with_capacity(large_output(n)),
    }
}

/// The room a large body's output (`n` bytes in) starts with: it arrives in pieces, and a quarter more than the
/// input saves most of the reallocations.
fn large_output(n: usize) -> usize {
    n + n / 4
}

/// Holds a conversion slot; gives it back when dropped, wherever the work ends. A slot for an inline conversion
/// borrows the metrics (cloning the `Arc` would be one more atomic that both I/O threads write); one that moves
/// to the blocking pool owns them.
struct Slot<M: Borrow<Metrics>>(M);

impl<M: Borrow<Metrics>> Drop for Slot<M> {
    fn drop(&mut self) {
        self.0.borrow().in_flight.fetch_sub(1, Relaxed);
    }
}

impl Slot<&Metrics> {
    /// The same slot, holding `metrics` (the same counters) by `Arc`.
    fn owned(self, metrics: Arc<Metrics>) -> Slot<Arc<Metrics>> {
        std::mem::forget(self);
        Slot(metrics)
    }
}

/// Takes a conversion slot if one is free.
fn take_slot(metrics: &Metrics, max: usize) -> Option<Slot<&Metrics>> {
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    if metrics.in_flight.fetch_add(1, Relaxed) >= max {
        metrics.in_flight.fetch_sub(1, Relaxed);
        return None;
    }
    Some(Slot(metrics))
}

/// A request body as it arrived: the frames, and their total length. The first frame is kept apart: a small
/// body is one frame, and then no list is allocated.
struct Received {
    first: Bytes,
    rest: Vec<Bytes>,
    len: usize,
}

impl Received {
    /// The body in one piece: the frame itself when there was one, else a copy.
    fn whole(self) -> Bytes {
        if self.rest.is_empty() {
            return self.first;
        }
        let mut whole = Vec::with_capacity(self.len);
        self.append_to(&mut whole);
        Bytes::from(whole)
    }

    /// The same for a large body, on the blocking pool: a copy goes into a buffer from `pool`.
    fn joined(self, pool: &Pool) -> Whole {
        if self.rest.is_empty() {
            return Whole::Frame(self.first);
        }
        let mut whole = pool.take(self.len);
        self.append_to(&mut whole);
        Whole::Joined(whole)
    }

    fn append_to(&self, whole: &mut Vec<u8>) {
        whole.extend_from_slice(&self.first);
        for part in &self.rest {
            whole.extend_from_slice(part);
        }
    }
}

/// A large body in one piece: the one frame it came in, or the frames joined in a buffer of the pool.
enum Whole {
    Frame(Bytes),
    Joined(Vec<u8>),
}

impl Whole {
    fn bytes(&self) -> &[u8] {
        match self {
            Whole::Frame(bytes) => bytes,
            Whole::Joined(joined) => joined,
        }
    }

    /// Gives a joined buffer back to the pool.
    fn give_back(self, pool: &Pool) {
        if let Whole::Joined(buffer) = self {
            pool.give(buffer);
        }
    }
}

/// Reads the body, at most `limit` bytes; `Err` is the answer to give instead.
async fn read_body<B: RequestBody>(
    body: B,
    limit: usize,
    metrics: &Metrics,
    reserved: &mut Reservation,
) -> Result<Received, ApiError> {
    let mut body = body;
    let mut received = Received { first: Bytes::new(), rest: Vec::new(), len: 0 };
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            tracing::debug!(error = %e, "reading the request body failed");
            let mut error = bad_request("the request body could not be read");
            error.close = true;
            error
        })?;
        if let Ok(data) = frame.into_data() {
            received.len += data.len();
            metrics.add_bytes_in(data.len() as u64);
            if received.len > limit {
                return Err(too_large(limit));
            }
            if !reserved.grow(data.len()) {
                let mut error = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "overloaded",
                    "too many request bodies in flight; retry shortly",
                );
                error.retry_after = true;
                error.close = true;
                return Err(error);
            }
            if received.first.is_empty() {
                received.first = data;
            } else {
                received.rest.push(data);
            }
        }
    }
    Ok(received)
}

/// The bytes of one request's body, and then of its answer, counted against the service's budget of bodies in
/// flight ([`Settings::max_bodies_in_flight`]); given back when dropped (the answer's, once hyper is done with it).
#[derive(Debug)]
pub(crate) struct Reservation {
    metrics: Arc<Metrics>,
    bytes: u64,
    budget: u64,
}

impl Reservation {
    /// Counts `n` more bytes, unless the budget would be passed.
    pub(crate) fn grow(&mut self, n: usize) -> bool {
        let n = n as u64;
        let before = self.metrics.bodies_in_flight.fetch_add(n, Relaxed);
        if before.saturating_add(n) > self.budget {
            self.metrics.bodies_in_flight.fetch_sub(n, Relaxed);
            return false;
        }
        self.bytes += n;
        true
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.metrics.bodies_in_flight.fetch_sub(self.bytes, Relaxed);
    }
}

/// 503: the answer would pass the budget of bodies and answers in flight.
fn answers_in_flight() -> ApiError {
    let mut error =
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "too many answers in flight; retry shortly");
    error.retry_after = true;
    error
}

/// A small answer on its way to the client, holding its reservation until hyper drops it.
struct Held {
    bytes: Vec<u8>,
    _reserved: Reservation,
}

impl AsRef<[u8]> for Held {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// 413; the rest of the body is not read, so the connection closes after the answer.
fn too_large(limit: usize) -> ApiError {
    let message = format!("the body is larger than the limit of {limit} bytes");
    let mut error = ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message);
    error.close = true;
    error
}

#[cfg(unix)]
thread_local! {
    /// Whether this blocking-pool thread has lowered its CPU priority.
    static NICED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Lowers the CPU priority of the current thread once (Linux: per thread), so that large conversions on the
/// blocking pool yield the CPU to the I/O threads that answer small requests. Elsewhere (Windows) a no-op.
#[cfg(unix)]
fn lower_priority() {
    NICED.with(|niced| {
        if !niced.get() {
            niced.set(true);
            let tid = rustix::thread::gettid();
            if let Err(error) = rustix::process::setpriority_process(Some(tid), 10) {
                tracing::debug!(%error, "could not lower the priority of a conversion thread");
            }
        }
    });
}

#[cfg(not(unix))]
fn lower_priority() {}

/// A request body the conversion endpoints read: hyper's own, as a connection delivers it (boxing it into axum's
/// `Body` would be an allocation per request), or axum's, through the router and in tests.
pub(crate) trait RequestBody:
    HttpBody<Data = Bytes, Error: std::error::Error + Send + Sync> + Unpin + Send + 'static
{
}

impl<B> RequestBody for B where
    B: HttpBody<Data = Bytes, Error: std::error::Error + Send + Sync> + Unpin + Send + 'static
{
}

/// One conversion request, from headers to answer; its timeout counts from `started`. The state comes back
/// with the answer, for the caller to count it without a clone of its own.
pub(crate) async fn handle<B: RequestBody>(
    state: AppState,
    endpoint: Endpoint,
    request: axum::http::Request<B>,
    started: Instant,
) -> (Response, AppState) {
    let settings = state.settings();
    let (parts, body) = request.into_parts();
    let response = match respond(&state, endpoint, &parts, body, &settings, started).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    (response, state)
}

async fn respond<B: RequestBody>(
    state: &AppState,
    endpoint: Endpoint,
    parts: &Parts,
    body: B,
    settings: &Settings,
    started: Instant,
) -> Result<Response, ApiError> {
    let job = job(endpoint, &parts.uri, &parts.headers, settings, &state.schemas)?;
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > settings.max_body_bytes as u64) {
        return Err(too_large(settings.max_body_bytes));
    }
    let deadline = tokio::time::Instant::from_std(started + settings.request_timeout);
    // Bodies being read and held count against one budget for the whole service, until the answer is made.
    let mut reserved = Reservation { metrics: state.metrics.clone(), bytes: 0, budget: settings.max_bodies_in_flight };
    let received = {
        let mut reading = std::pin::pin!(read_body(body, settings.max_body_bytes, &state.metrics, &mut reserved));
        // A small body has usually arrived with the headers: one poll reads it, and no timer is set up (which
        // costs a handle on the runtime, an atomic that both I/O threads share).
        let first = std::future::poll_fn(|cx| Poll::Ready(reading.as_mut().poll(cx))).await;
        match first {
            Poll::Ready(received) => received?,
            Poll::Pending => match tokio::time::timeout_at(deadline, reading).await {
                Ok(received) => received?,
                Err(_) => {
                    let mut error = ApiError::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "timeout",
                        "the request body did not arrive within the request timeout",
                    );
                    error.close = true;
                    return Err(error);
                }
            },
        }
    };
    // The slot is taken once the body is in: a client that uploads slowly holds a connection, not a slot.
    let Some(slot) = take_slot(&state.metrics, settings.max_conversions) else {
        let mut error =
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "too many conversions at once; retry shortly");
        error.retry_after = true;
        return Err(error);
    };
    let (len, format, body) = if received.len < settings.inline_below {
        let output = inline_output(&job, received.len);
        let outcome = answer(&job, &received.whole(), &state.metrics, output, deadline.into_std());
        drop(slot);
        let (output, format) = outcome?;
        let len = output.len();
        if !reserved.grow(len) {
            return Err(answers_in_flight());
        }
        // The answer's bytes stay counted, with the body's, until hyper is done with them: a client that reads
        // slowly holds its share of the budget, not more.
        (len, format, Body::from(Bytes::from_owner(Held { bytes: output, _reserved: reserved })))
    } else {
        let (metrics, buffers) = (state.metrics.clone(), state.buffers.clone());
        let slot = slot.owned(metrics.clone());
        let work = tokio::task::spawn_blocking(move || {
            let (_slot, mut reserved) = (slot, reserved);
            lower_priority();
            // Joining, converting, and explaining an error (which may read the body again for a key path) all
            // run here: a large body never holds an I/O thread. The buffers come from the pool and go back to
            // it: the joined body now, the output once it is sent.
            let input = received.joined(&buffers);
            let output = match job.output_format() {
                Some(_) => buffers.take(large_output(input.bytes().len())),
                None => Vec::new(),
            };
            let outcome = answer(&job, input.bytes(), &metrics, output, deadline.into_std());
            input.give_back(&buffers);
            let (output, format) = outcome?;
            if !reserved.grow(output.len()) {
                buffers.give(output);
                return Err(answers_in_flight());
            }
            Ok((output.len(), format, Body::from(crate::buffers::lend(output, buffers, reserved))))
        });
        match tokio::time::timeout_at(deadline, work).await {
            Ok(Ok(outcome)) => outcome?,
            Ok(Err(_)) => return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")),
            Err(_) => {
                let mut error = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "timeout",
                    "the conversion did not finish within the request timeout",
                );
                error.retry_after = true;
                return Err(error);
            }
        }
    };
    state.metrics.add_bytes_out(len as u64);
    let mut response = Response::new(body);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type(format)));
    Ok(response)
}

/// Runs a job under `catch_unwind`: the output, 422 for input the core refused, 500 (logged) for a panic.
fn answer(
    job: &Work,
    body: &[u8],
    metrics: &Metrics,
    output: Vec<u8>,
    deadline: Instant,
) -> Result<(Vec<u8>, Format), ApiError> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| run(job, body, output, deadline))) {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(Refused::Invalid(diagnostic))) => Err(ApiError::invalid(diagnostic)),
        Ok(Err(Refused::Violations(violations, truncated))) => Err(ApiError::violations(violations, truncated)),
        Err(_) => {
            metrics.panics.fetch_add(1, Relaxed);
            tracing::error!(?job, "a conversion panicked; answered 500");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"))
        }
    }
}
