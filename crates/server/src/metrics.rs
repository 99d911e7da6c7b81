//! Counters for `GET /metrics`, in Prometheus' text format. Every counter is an atomic: requests update them
//! without taking a lock.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The routes requests are counted by (anything else is `other`).
pub(crate) const ROUTES: [&str; 9] =
    ["/v1/format", "/v1/convert", "/v1/validate", "/healthz", "/readyz", "/metrics", "/", "/test/panic", "other"];

/// The statuses requests are counted by (anything else is `other`).
const STATUSES: [u16; 12] = [200, 304, 400, 404, 405, 408, 413, 415, 422, 500, 503, 0];

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The service's counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: [[AtomicU64; STATUSES.len()]; ROUTES.len()],
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_us: AtomicU64,
    pub(crate) active_connections: AtomicI64,
    pub(crate) in_flight: AtomicI64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
    pub(crate) panics: AtomicU64,
}

/// The index of a route in [`ROUTES`].
pub(crate) fn route_index(path: &str) -> usize {
    let last = ROUTES.len() - 1;
    ROUTES[..last].iter().position(|&r| r == path).unwrap_or(if path.starts_with("/v1/") { last } else { 6 })
}

impl Metrics {
    /// Counts one finished request.
    pub(crate) fn request(&self, route: usize, status: u16, elapsed: Duration) {
        let s = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len() - 1);
        self.requests[route.min(ROUTES.len() - 1)][s].fetch_add(1, Relaxed);
        let seconds = elapsed.as_secs_f64();
        let bucket = BUCKETS.iter().position(|&b| seconds <= b).unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Relaxed);
        self.latency_sum_us.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP dfmt_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE dfmt_requests_total counter\n");
        for (r, route) in ROUTES.iter().enumerate() {
            for (s, status) in STATUSES.iter().enumerate() {
                let n = self.requests[r][s].load(Relaxed);
                if n > 0 {
                    let status = if *status == 0 { "other".to_owned() } else { status.to_string() };
                    let _ = writeln!(out, "dfmt_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
                }
            }
        }
        let gauges = [
            ("dfmt_active_connections", "Open client connections.", self.active_connections.load(Relaxed)),
            ("dfmt_conversions_in_flight", "Conversions running now.", self.in_flight.load(Relaxed)),
        ];
        for (name, help, value) in gauges {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");
        }
        let counters = [
            ("dfmt_request_bytes_total", "Request body bytes read.", self.bytes_in.load(Relaxed)),
            ("dfmt_response_bytes_total", "Response body bytes written.", self.bytes_out.load(Relaxed)),
            ("dfmt_panics_total", "Conversions that panicked (answered with 500).", self.panics.load(Relaxed)),
        ];
        for (name, help, value) in counters {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        }
        out.push_str("# HELP dfmt_request_duration_seconds Time from request to response, by bucket.\n");
        out.push_str("# TYPE dfmt_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.latency[i].load(Relaxed);
            let _ = writeln!(out, "dfmt_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.latency[BUCKETS.len()].load(Relaxed);
        let _ = writeln!(out, "dfmt_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.latency_sum_us.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "dfmt_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "dfmt_request_duration_seconds_count {cumulative}");
        out
    }
}
