//! Counters for `GET /metrics`, in Prometheus' text format. Every counter is an atomic: requests update them
//! without taking a lock.
//!
//! The per-request counters are kept in [`SHARDS`] copies, each on cache lines of its own, and a thread always
//! adds to the same copy; [`Metrics::render`] sums them. With one shared copy the two I/O threads of a 2-core
//! machine wrote the same lines on every request (route and status, bucket, sum, bytes in and out), and each
//! write waited for the line to come over from the other core.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

/// The routes requests are counted by (anything else is `other`).
pub(crate) const ROUTES: [&str; 9] =
    ["/v1/format", "/v1/convert", "/v1/validate", "/healthz", "/readyz", "/metrics", "/", "/test/panic", "other"];

/// The statuses requests are counted by (anything else is `other`).
const STATUSES: [u16; 12] = [200, 304, 400, 404, 405, 408, 413, 415, 422, 500, 503, 0];

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Copies of the per-request counters: more than the threads that usually answer requests (one I/O thread per
/// core, and the blocking pool's few).
pub(crate) const SHARDS: usize = 8;

/// The copy the current thread uses, the same for the thread's whole life. Threads take the next one in turn,
/// so the first [`SHARDS`] threads to count never share one.
pub(crate) fn shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Relaxed) % SHARDS;
    }
    SHARD.with(|&shard| shard)
}

/// A value alone on its cache lines (128 bytes: the adjacent-line prefetcher moves lines in pairs).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

/// One copy of the per-request counters.
#[derive(Debug, Default)]
struct Counters {
    requests: [[AtomicU64; STATUSES.len()]; ROUTES.len()],
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_us: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

/// The service's counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    shards: [Padded<Counters>; SHARDS],
    pub(crate) active_connections: AtomicI64,
    pub(crate) in_flight: AtomicI64,
    pub(crate) panics: AtomicU64,
    pub(crate) connections_refused: AtomicU64,
    /// Bytes of request bodies being read or held for a conversion.
    pub(crate) bodies_in_flight: AtomicU64,
}

/// The index of a route in [`ROUTES`], and whether `path` is that route exactly (not a static file counted
/// under `/`, nor an unknown `/v1/` path).
pub(crate) fn route_index(path: &str) -> (usize, bool) {
    let last = ROUTES.len() - 1;
    match ROUTES[..last].iter().position(|&r| r == path) {
        Some(route) => (route, true),
        None => (if path.starts_with("/v1/") { last } else { 6 }, false),
    }
}

impl Metrics {
    fn counters(&self) -> &Counters {
        &self.shards[shard()].0
    }

    /// Counts one finished request.
    pub(crate) fn request(&self, route: usize, status: u16, elapsed: Duration) {
        let counters = self.counters();
        let s = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len() - 1);
        counters.requests[route.min(ROUTES.len() - 1)][s].fetch_add(1, Relaxed);
        let seconds = elapsed.as_secs_f64();
        let bucket = BUCKETS.iter().position(|&b| seconds <= b).unwrap_or(BUCKETS.len());
        counters.latency[bucket].fetch_add(1, Relaxed);
        counters.latency_sum_us.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    /// Counts request body bytes read.
    pub(crate) fn add_bytes_in(&self, n: u64) {
        self.counters().bytes_in.fetch_add(n, Relaxed);
    }

    /// Counts response body bytes written.
    pub(crate) fn add_bytes_out(&self, n: u64) {
        self.counters().bytes_out.fetch_add(n, Relaxed);
    }

    /// The sum over the copies of one counter.
    fn sum(&self, counter: impl Fn(&Counters) -> &AtomicU64) -> u64 {
        self.shards.iter().map(|shard| counter(&shard.0).load(Relaxed)).sum()
    }

    /// The Prometheus text exposition of every counter.
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP dfmt_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE dfmt_requests_total counter\n");
        for (r, route) in ROUTES.iter().enumerate() {
            for (s, status) in STATUSES.iter().enumerate() {
                let n = self.sum(|c| &c.requests[r][s]);
                if n > 0 {
                    let status = if *status == 0 { "other".to_owned() } else { status.to_string() };
                    let _ = writeln!(out, "dfmt_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
                }
            }
        }
        let gauges = [
            ("dfmt_active_connections", "Open client connections.", self.active_connections.load(Relaxed)),
            ("dfmt_conversions_in_flight", "Conversions running now.", self.in_flight.load(Relaxed)),
            (
                "dfmt_request_body_bytes_in_flight",
                "Bytes of request bodies being read or held for a conversion.",
                i64::try_from(self.bodies_in_flight.load(Relaxed)).unwrap_or(i64::MAX),
            ),
        ];
        for (name, help, value) in gauges {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");
        }
        let counters = [
            ("dfmt_request_bytes_total", "Request body bytes read.", self.sum(|c| &c.bytes_in)),
            ("dfmt_response_bytes_total", "Response body bytes written.", self.sum(|c| &c.bytes_out)),
            ("dfmt_panics_total", "Conversions that panicked (answered with 500).", self.panics.load(Relaxed)),
            (
                "dfmt_connections_refused_total",
                "Connections closed at once: past the connection cap and its room for probes.",
                self.connections_refused.load(Relaxed),
            ),
        ];
        for (name, help, value) in counters {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        }
        out.push_str("# HELP dfmt_request_duration_seconds Time from request to response, by bucket.\n");
        out.push_str("# TYPE dfmt_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.sum(|c| &c.latency[i]);
            let _ = writeln!(out, "dfmt_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.sum(|c| &c.latency[BUCKETS.len()]);
        let _ = writeln!(out, "dfmt_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.sum(|c| &c.latency_sum_us) as f64 / 1e6;
        let _ = writeln!(out, "dfmt_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "dfmt_request_duration_seconds_count {cumulative}");
        out
    }
}
