//! The TCP listener and its connections: each accepted stream is counted (a guard decrements the gauge when the
//! connection is dropped) and carries two deadlines that a client cannot stretch.
//!
//! - Idle: a connection on which nothing was read or written for `idle_timeout` while it waits to read (a
//!   client that stopped sending in the middle of a body) is closed. hyper's header read timeout covers the
//!   headers of a request, and the wait for the next one; this covers the silence in the middle.
//! - Write: a response that makes no progress for `write_timeout` (a client that stopped reading) is abandoned,
//!   and the connection closed, so its buffers go back. A client that reads slowly but steadily is served; what
//!   bounds the memory it holds is the service's budget of bodies in flight, which counts answers too.
//!
//! One timer per connection, armed when a wait begins and re-armed only when it fires early (progress moved the
//! deadline): a request that reads and writes at once never touches the timer wheel.

use crate::metrics::Metrics;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// A listener whose connections are counted in [`Metrics::active_connections`].
#[derive(Debug)]
pub(crate) struct Counted {
    pub(crate) inner: TcpListener,
    pub(crate) metrics: Arc<Metrics>,
}

/// How long a connection may wait.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadlines {
    /// Longest wait with no byte read or written.
    pub(crate) idle: Duration,
    /// Longest stall of a write.
    pub(crate) write: Duration,
}

impl Counted {
    /// The next connection. Accept errors (out of descriptors, a connection reset before it was accepted) are
    /// logged and waited out: the accept loop must not die.
    pub(crate) async fn accept(&mut self, deadlines: Deadlines) -> Connection {
        loop {
            match self.inner.accept().await {
                Ok((stream, _)) => {
                    // Small responses go out at once rather than waiting for more to coalesce.
                    let _ = stream.set_nodelay(true);
                    self.metrics.active_connections.fetch_add(1, Relaxed);
                    return Connection {
                        stream,
                        metrics: self.metrics.clone(),
                        deadlines,
                        last_activity: Instant::now(),
                        write_stalled: None,
                        timer: None,
                    };
                }
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// An accepted connection; dropping it counts it closed.
#[derive(Debug)]
pub(crate) struct Connection {
    stream: TcpStream,
    metrics: Arc<Metrics>,
    deadlines: Deadlines,
    /// When a read or a write last moved bytes (or the connection was accepted): a download in progress is not
    /// idle, though hyper polls the read side meanwhile to notice a client that leaves.
    last_activity: Instant,
    /// Since when a write has been waiting without progress.
    write_stalled: Option<Instant>,
    /// Armed while a read or write waits; boxed once per connection that ever waits.
    timer: Option<Pin<Box<Sleep>>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.metrics.active_connections.fetch_sub(1, Relaxed);
    }
}

impl Connection {
    /// The earliest deadline of the waits in progress.
    fn deadline(&self, reading: bool) -> Option<Instant> {
        let read = reading.then(|| self.last_activity + self.deadlines.idle);
        let write = self.write_stalled.map(|since| since + self.deadlines.write);
        match (read, write) {
            (Some(r), Some(w)) => Some(r.min(w)),
            (r, w) => r.or(w),
        }
    }

    /// After an operation returned `Pending`: an error when the wait is over its deadline, else `Pending` with the
    /// timer armed to wake the task at the deadline.
    fn wait(&mut self, cx: &mut Context<'_>, reading: bool) -> Poll<io::Error> {
        let Some(deadline) = self.deadline(reading) else { return Poll::Pending };
        loop {
            if Instant::now() >= deadline {
                return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "the client was idle too long"));
            }
            let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
            // A timer armed for a later deadline (progress moved it) is moved back; an earlier one fires, and is
            // moved on here.
            if timer.deadline() != deadline && (timer.deadline() > deadline || timer.is_elapsed()) {
                timer.as_mut().reset(deadline);
            }
            match timer.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) => continue,
            }
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.last_activity = Instant::now();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => this.wait(cx, true).map(Err),
        }
    }
}

impl Connection {
    /// Records a write's outcome: progress clears the stall; `Pending` starts it, and may time out.
    fn wrote(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match poll {
            Poll::Pending => {
                self.write_stalled.get_or_insert_with(Instant::now);
                self.wait(cx, false).map(Err)
            }
            ready => {
                self.write_stalled = None;
                if matches!(ready, Poll::Ready(Ok(n)) if n > 0) {
                    self.last_activity = Instant::now();
                }
                ready
            }
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.wrote(cx, poll)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.wrote(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
