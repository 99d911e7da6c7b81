//! Serving accepted connections with hyper (HTTP/1.1), and closing them gracefully on shutdown.
//!
//! axum's `serve` does the same, but it polls a shutdown notification beside every connection each time the
//! connection is polled, and that notification's state sits behind one lock that all connections share: on 2
//! cores at 100k requests a second, its cache line went from core to core several times per request
//! (`Notified::poll_notified` and `watch::Sender::closed`, about 1 % of the server's CPU time, plus the waiting).
//! It also cloned the whole service for every request, and boxed every request's body. Here a connection reads
//! one flag that nothing writes until shutdown, hands the shutdown its waker once, and calls the service by
//! reference with hyper's body as it is.

use crate::App;
use crate::listener::Counted;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Waker;

/// The service hyper calls for each request of a connection: the [`App`], by reference.
struct PerConnection(App);

impl hyper::service::Service<hyper::Request<Incoming>> for PerConnection {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = crate::Observed;

    fn call(&self, request: hyper::Request<Incoming>) -> crate::Observed {
        self.0.answer(request)
    }
}

/// What connections need to know of a shutdown: whether it has begun, and how to wake them when it does.
#[derive(Debug, Default)]
struct Shutdown {
    begun: AtomicBool,
    next_id: AtomicU64,
    /// The waker of every open connection that has waited at least once.
    wakers: Mutex<HashMap<u64, Waker>>,
}

impl Shutdown {
    /// Begins the shutdown: every connection is woken, and finishes the request it is answering (if any) and
    /// closes.
    fn begin(&self) {
        self.begun.store(true, Ordering::SeqCst);
        for waker in self.wakers.lock().values() {
            waker.wake_by_ref();
        }
    }

    /// Keeps `waker` for [`Shutdown::begin`]. A shutdown that began meanwhile wakes it at once: `begin` sets the
    /// flag before it takes the lock, so either it sees this waker or this sees the flag.
    fn register(&self, id: u64, waker: &Waker) {
        self.wakers.lock().insert(id, waker.clone());
        if self.begun.load(Ordering::SeqCst) {
            waker.wake_by_ref();
        }
    }
}

/// Serves connections from `listener` with `app` until `stop` completes; then stops accepting, has every open
/// connection finish its request in flight and close, and returns when all are closed.
pub(crate) async fn serve(listener: Counted, app: App, stop: impl Future<Output = ()>) {
    use axum::serve::Listener as _;
    let mut listener = listener;
    let shutdown = Arc::new(Shutdown::default());
    // Every connection task holds a sender; when the last is dropped, `recv` ends.
    let (open, mut all_closed) = tokio::sync::mpsc::channel::<()>(1);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let (app, shutdown, open) = (app.clone(), shutdown.clone(), open.clone());
        tokio::spawn(async move {
            let _open = open;
            let id = shutdown.next_id.fetch_add(1, Ordering::Relaxed);
            let connection =
                hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), PerConnection(app));
            let mut connection = std::pin::pin!(connection);
            let (mut asked, mut registered) = (false, None::<Waker>);
            let served = std::future::poll_fn(|cx| {
                if !asked && shutdown.begun.load(Ordering::SeqCst) {
                    connection.as_mut().graceful_shutdown();
                    asked = true;
                }
                let poll = connection.as_mut().poll(cx);
                // A task's waker stays the same from poll to poll: it is handed over once.
                if poll.is_pending() && !asked && !registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    shutdown.register(id, cx.waker());
                    registered = Some(cx.waker().clone());
                }
                poll
            })
            .await;
            if let Err(error) = served {
                tracing::debug!(%error, "connection ended with an error");
            }
            if registered.is_some() {
                shutdown.wakers.lock().remove(&id);
            }
        });
    }
    drop(listener);
    shutdown.begin();
    drop(open);
    let _ = all_closed.recv().await;
}
