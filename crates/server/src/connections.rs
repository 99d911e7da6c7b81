//! Serving accepted connections with hyper (HTTP/1.1): timeouts, a cap on connections, graceful shutdown.
//!
//! - hyper's header read timeout (given tokio's timer) bounds how long a client may take to send a request's
//!   headers; the connection's own deadlines ([`crate::listener`]) bound idle waits and stalled writes.
//! - At most `max_connections` connections are served. Past the cap, a connection is still accepted, for probes:
//!   it is served one request, with a short header timeout, and only `/healthz`, `/readyz` and `/metrics` are
//!   answered (anything else is 503 with `Retry-After`); past the cap plus [`PROBE_ROOM`], it is closed at once.
//!   The cap is kept below the process's limit of open files, so the service never runs out of descriptors.
//! - Shutdown: hyper-util's `GracefulShutdown` has every connection finish the request in flight and close.

use crate::listener::{Counted, Deadlines};
use crate::{App, Settings};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// Connections accepted past the cap, for probes, before new ones are closed at once.
pub(crate) const PROBE_ROOM: usize = 64;

/// The header timeout of a connection accepted past the cap.
const PROBE_HEADER_TIMEOUT: Duration = Duration::from_secs(2);

/// The service hyper calls for each request of a connection: the [`App`], by reference.
struct PerConnection {
    app: App,
    /// Accepted past the cap: probes only.
    probes_only: bool,
}

impl hyper::service::Service<hyper::Request<Incoming>> for PerConnection {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = crate::Observed;

    fn call(&self, request: hyper::Request<Incoming>) -> crate::Observed {
        if self.probes_only && !crate::is_probe(request.method(), request.uri().path()) {
            return self.app.over_capacity(request);
        }
        self.app.answer(request)
    }
}

/// Serves connections from `listener` with `app` until `stop` completes; then stops accepting, has every open
/// connection finish its request in flight and close, and returns when all are closed.
pub(crate) async fn serve(listener: Counted, app: App, stop: impl Future<Output = ()>) {
    let mut listener = listener;
    let graceful = GracefulShutdown::new();
    // Descriptors beyond the connections: the listener, files of the web page, the log, a reserve.
    let fd_cap = usize::try_from(raise_open_files_limit()).unwrap_or(usize::MAX).saturating_sub(PROBE_ROOM + 64);
    let mut stop = std::pin::pin!(stop);
    loop {
        let settings: Settings = app.state.settings();
        // A conversion may keep a connection silent for up to the request timeout: idle waits are longer.
        let idle = settings.idle_timeout.max(settings.request_timeout + Duration::from_secs(1));
        let deadlines = Deadlines { idle, write: settings.write_timeout };
        let connection = tokio::select! {
            biased;
            () = &mut stop => break,
            connection = listener.accept(deadlines) => connection,
        };
        let open = usize::try_from(app.state.metrics.active_connections.load(Relaxed)).unwrap_or(0);
        let cap = settings.max_connections.min(fd_cap).max(1);
        let over = open > cap;
        if open > cap + PROBE_ROOM {
            app.state.metrics.connections_refused.fetch_add(1, Relaxed);
            drop(connection);
            continue;
        }
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new());
        if over {
            builder.keep_alive(false).header_read_timeout(PROBE_HEADER_TIMEOUT);
        } else {
            builder.header_read_timeout(settings.header_read_timeout);
        }
        let service = PerConnection { app: app.clone(), probes_only: over };
        let served = graceful.watch(builder.serve_connection(TokioIo::new(connection), service));
        tokio::spawn(async move {
            if let Err(error) = served.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Raises the soft limit of open files to the hard limit (systemd's default soft limit, 1024, would cap the
/// service at about a thousand connections) and returns the limit in force.
#[cfg(unix)]
fn raise_open_files_limit() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => limit = getrlimit(Resource::Nofile),
            Err(error) => tracing::warn!(%error, "could not raise the open-files limit"),
        }
    }
    limit.current.unwrap_or(u64::MAX)
}

/// Elsewhere (Windows) sockets are not counted against a per-process limit of open files.
#[cfg(not(unix))]
fn raise_open_files_limit() -> u64 {
    u64::MAX
}
