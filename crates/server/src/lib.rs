//! `dfmt serve`: dfmt's format, convert and validate over HTTP, for teams that want a formatter inside their own
//! network rather than pasting configs into a third-party website.
//!
//! [`app`] builds the service: the router (axum) inside [`App`], which counts and logs every request; [`serve`]
//! binds, serves until SIGTERM or Ctrl-C, reloads settings on SIGHUP, and drains in-flight requests for a bounded
//! time before returning. The API is documented in `openapi.yaml` beside this crate's manifest.
//!
//! The shared state is an [`Arc`]: the settings behind `parking_lot::RwLock`s (one copy per metrics shard, read
//! on every request, replaced on reload) and the metrics as atomics.

mod api;
mod buffers;
mod config;
mod connections;
mod listener;
mod metrics;
mod pages;
mod schemas;

pub use config::{Config, ConfigError, Settings, process_seed};
pub use schemas::{SchemaDirError, Schemas};

use api::Endpoint;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use axum::routing::{get, post};
use metrics::{Metrics, Padded};
use parking_lot::RwLock;
use std::borrow::Cow;
use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::task::{Context, Poll, ready};
use std::time::Instant;
use tokio::net::TcpListener;

/// The state every request sees.
#[derive(Debug)]
pub(crate) struct Shared {
    /// One copy per metrics shard ([`metrics::shard`]): a request reads the copy of its thread, whose lock word
    /// no other core writes. A reload replaces every copy.
    settings: [Padded<RwLock<Settings>>; metrics::SHARDS],
    pub(crate) metrics: Arc<Metrics>,
    /// Large buffers kept between conversions on the blocking pool.
    pub(crate) buffers: Arc<buffers::Pool>,
    pub(crate) web_root: Option<PathBuf>,
    /// The JSON Schemas `/v1/validate?schema=NAME` checks against, loaded at start.
    pub(crate) schemas: Arc<Schemas>,
    pub(crate) ready: AtomicBool,
}

impl Shared {
    /// The settings in force.
    pub(crate) fn settings(&self) -> Settings {
        *self.settings[metrics::shard()].0.read()
    }

    #[cfg(unix)] // Called on SIGHUP only.
    fn set_settings(&self, settings: Settings) {
        for copy in &self.settings {
            *copy.0.write() = settings;
        }
    }
}

pub(crate) type AppState = Arc<Shared>;

/// The service (the router inside [`App`]), for `config`'s settings. The state is fresh: [`serve`] shares its
/// own with its listener and signal handlers.
pub fn app(config: &Config) -> App {
    App::new(state(config))
}

fn state(config: &Config) -> AppState {
    Arc::new(Shared {
        settings: std::array::from_fn(|_| Padded(RwLock::new(config.settings))),
        metrics: Arc::new(Metrics::default()),
        buffers: Arc::new(buffers::Pool::default()),
        web_root: config.web_root.clone(),
        schemas: config.schemas.clone(),
        ready: AtomicBool::new(true),
    })
}

fn router(state: AppState) -> Router {
    let conversion = |endpoint: Endpoint| {
        move |State(state): State<AppState>, request: Request| async move {
            api::handle(state, endpoint, request, Instant::now()).await.0
        }
    };
    let router = Router::new()
        .route("/v1/format", post(conversion(Endpoint::Format)))
        .route("/v1/convert", post(conversion(Endpoint::Convert)))
        .route("/v1/validate", post(conversion(Endpoint::Validate)))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    #[cfg(feature = "test-routes")]
    let router = router.route("/test/panic", post(conversion(Endpoint::Panic)));
    router
        .fallback(pages::static_file)
        .method_not_allowed_fallback(|| async {
            api::ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed here")
        })
        .with_state(state)
}

/// The service: the router, with every request (every route, 404s, static files) counted in the metrics and
/// logged as one line with method, path, status and latency.
///
/// It wraps the router from outside and its future, [`Observed`], is a plain struct around the router's: axum's
/// `middleware::from_fn` boxes the future, and `Router::layer` wraps each route in one more service.
#[derive(Clone, Debug)]
pub struct App {
    router: Router,
    state: AppState,
}

impl App {
    fn new(state: AppState) -> App {
        App { router: router(state.clone()), state }
    }
}

impl tower::Service<Request> for App {
    type Response = Response;
    type Error = Infallible;
    type Future = Observed;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Observed {
        self.answer(request)
    }
}

impl App {
    /// Answers one request through (a clone of) the router.
    fn answer<B>(&self, request: axum::http::Request<B>) -> Observed
    where
        B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let started = Instant::now();
        let method = request.method().clone();
        let (route, exact) = metrics::route_index(request.uri().path());
        // A known route is logged with its name from the route table; only other paths are copied.
        let path = match exact {
            true => Cow::Borrowed(metrics::ROUTES[route]),
            false => Cow::Owned(request.uri().path().to_owned()),
        };
        let request = request.map(axum::body::Body::new);
        let inner = Answer::Routed(tower::Service::call(&mut self.router.clone(), request));
        Observed { inner, state: self.state.clone(), started, method, route, path }
    }

    /// The answer to a request on a connection accepted past the connection cap that is not a probe: 503.
    fn over_capacity<B>(&self, request: axum::http::Request<B>) -> Observed {
        let (route, exact) = metrics::route_index(request.uri().path());
        let path = match exact {
            true => Cow::Borrowed(metrics::ROUTES[route]),
            false => Cow::Owned(request.uri().path().to_owned()),
        };
        let mut error =
            api::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "too many connections; retry shortly");
        error.retry_after();
        let response = error.into_response();
        let (method, started) = (request.method().clone(), Instant::now());
        Observed { inner: Answer::Ready(Some(response)), state: self.state.clone(), started, method, route, path }
    }
}

/// True for the requests a connection accepted past the cap still answers: the probes and the metrics.
pub(crate) fn is_probe(method: &Method, path: &str) -> bool {
    method == Method::GET && matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// How a request is answered: by the router, or at once.
enum Answer {
    Routed(RouteFuture<Infallible>),
    Ready(Option<Response>),
}

/// One request through [`App`]: the router's answer, counted and logged when it is ready.
pub struct Observed {
    inner: Answer,
    state: AppState,
    started: Instant,
    method: Method,
    route: usize,
    path: Cow<'static, str>,
}

impl std::fmt::Debug for Observed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observed").field("method", &self.method).field("path", &self.path).finish_non_exhaustive()
    }
}

impl Future for Observed {
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut response = match &mut this.inner {
            Answer::Routed(answer) => {
                let Ok(response) = ready!(Pin::new(answer).poll(cx));
                response
            }
            Answer::Ready(response) => response.take().unwrap_or_default(),
        };
        // No answer of this service is to be sniffed into another media type (an error's JSON, a YAML output).
        response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        let elapsed = this.started.elapsed();
        let status = response.status().as_u16();
        this.state.metrics.request(this.route, status, elapsed);
        let (method, path) = (&this.method, &*this.path);
        tracing::info!(%method, path, status, latency_us = elapsed.as_micros() as u64, "request");
        Poll::Ready(Ok(response))
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.ready.load(Relaxed) {
        "ready\n".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    response
}

/// Serves `config` until `shutdown` completes (or, with [`serve`], a signal), then stops accepting, lets
/// in-flight requests finish for at most `config.shutdown_grace`, and returns.
pub async fn serve_on(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = state(&config);
    // Large buffers kept between conversions are freed once unused for a while.
    let pool = state.buffers.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            pool.trim(std::time::Instant::now(), buffers::IDLE);
        }
    });
    if let Some(path) = &config.config_file {
        spawn_reloader(state.clone(), config.settings, path.clone());
    }
    install_panic_hook();
    let listener = listener::Counted { inner: listener, metrics: state.metrics.clone() };
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let draining = state.clone();
    let server = connections::serve(listener, App::new(state), async move {
        shutdown.await;
        draining.ready.store(false, Relaxed);
        tracing::info!("shutting down: no new connections; finishing requests in flight");
        let _ = stopping.send(true);
    });
    let grace = config.shutdown_grace;
    let deadline = async move {
        let _ = stopped.wait_for(|&stop| stop).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        () = server => Ok(()),
        () = deadline => {
            tracing::warn!(?grace, "grace period over; exiting with requests still open");
            Ok(())
        }
    }
}

/// Binds `config.listen` (settings from `config.config_file` applied first) and serves until SIGTERM or Ctrl-C.
pub async fn serve(mut config: Config) -> Result<(), ServeError> {
    if let Some(path) = &config.config_file {
        config.settings = config.settings.with_file(path)?;
    }
    let listener = TcpListener::bind(config.listen).await.map_err(|e| ServeError::Bind(config.listen, e))?;
    tracing::info!(address = %listener.local_addr().map_err(ServeError::Io)?, "dfmt serve: listening");
    serve_on(listener, config, shutdown_signal()).await.map_err(ServeError::Io)
}

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The config file is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound.
    #[error("binding {0}: {1}")]
    Bind(std::net::SocketAddr, std::io::Error),
    /// Serving failed.
    #[error(transparent)]
    Io(std::io::Error),
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Reloads the settings from `path` (over `base`, the settings given at start) on every SIGHUP. A bad file is
/// logged and the settings in force stay.
fn spawn_reloader(state: AppState, base: Settings, path: PathBuf) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangup) = signal(SignalKind::hangup()) else { return };
        while hangup.recv().await.is_some() {
            match base.with_file(&path) {
                Ok(settings) => {
                    state.set_settings(settings);
                    tracing::info!(?settings, "settings reloaded");
                }
                Err(error) => tracing::error!(%error, "settings not reloaded; the previous ones stay"),
            }
        }
    });
    #[cfg(not(unix))]
    let _ = (state, base, path);
}

/// Sends panic messages to the log (the request that hit one gets a bare 500), then to the hook that was there
/// before (the default one prints to standard error, which is also where the log goes).
fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%location, %message, "panic");
            previous(info);
        }));
    });
}
