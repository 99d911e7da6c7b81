//! The service over a real socket, with a raw HTTP/1.1 client: body limits before reading, a client that trickles
//! its body, many requests at once, a panic in one request, settings reloaded on SIGHUP, and graceful shutdown.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use dfmt_server::{Config, Settings, serve_on};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A service running on its own runtime and thread.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    fn start(config: Config) -> Server {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                // A handler for SIGHUP exists before any test sends one (the default action would end the process).
                #[cfg(unix)]
                let _hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                serve_on(listener, config, async {
                    let _ = stopped.await;
                })
                .await
            })
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        Server { addr, stop: Some(stop), thread: Some(thread) }
    }

    /// Begins a graceful shutdown.
    fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits for the service to return, at most `limit`.
    fn join(&mut self, limit: Duration) -> std::io::Result<()> {
        let thread = self.thread.take().unwrap();
        let started = Instant::now();
        while !thread.is_finished() {
            assert!(started.elapsed() < limit, "the service did not stop within {limit:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
        thread.join().unwrap()
    }

    fn connect(&self) -> TcpStream {
        connect(self.addr)
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

impl Drop for Server {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}

/// Reads an HTTP/1.1 response to the end of the connection: status and body.
fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// One whole request (with `Connection: close`).
fn request(server: &Server, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    request_to(server.addr, method, path, body)
}

fn request_to(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = connect(addr);
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_response(&mut stream)
}

#[test]
fn a_body_declared_too_large_is_refused_before_it_is_sent() {
    let server = Server::start(Config {
        settings: Settings { max_body_bytes: 1024, ..Settings::default() },
        ..Config::default()
    });
    let mut stream = server.connect();
    let head = "POST /v1/format?format=json HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    // No body byte is sent: the answer comes from the header alone.
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    // The body was not read, so the connection cannot carry another request: the answer says it closes.
    assert!(text.to_ascii_lowercase().contains("connection: close"), "{text}");
    assert!(text.contains("\"kind\":\"too_large\""), "{text}");
}

#[test]
fn a_chunked_body_over_the_limit_is_cut_off() {
    let server = Server::start(Config {
        settings: Settings { max_body_bytes: 1024, ..Settings::default() },
        ..Config::default()
    });
    let mut stream = server.connect();
    let head =
        "POST /v1/format?format=json HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = format!("400\r\n{}\r\n", " ".repeat(0x400));
    for _ in 0..4 {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break; // The service may close as soon as it has answered.
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let (status, body) = read_response(&mut stream);
    assert_eq!(status, 413, "{body}");
}

#[test]
fn a_client_that_trickles_its_body_is_cut_off_by_the_timeout() {
    let settings = Settings { request_timeout: Duration::from_millis(400), ..Settings::default() };
    let server = Server::start(Config { settings, ..Config::default() });
    let mut stream = server.connect();
    let head = "POST /v1/format?format=json HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut cut_off = false;
    for _ in 0..60 {
        std::thread::sleep(Duration::from_millis(50));
        if stream.write_all(b" ").is_err() {
            cut_off = true;
            break;
        }
        stream.set_nonblocking(true).unwrap();
        let mut probe = [0u8; 1];
        let answered = matches!(stream.peek(&mut probe), Ok(n) if n > 0);
        stream.set_nonblocking(false).unwrap();
        if answered {
            break;
        }
    }
    let (status, body) = read_response(&mut stream);
    assert!(cut_off || status == 408, "status {status}: {body}");
    if status != 0 {
        assert_eq!(status, 408, "{body}");
        assert!(body.contains("\"kind\":\"timeout\""), "{body}");
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(3), "cut off only after {elapsed:?}");
    // The service still answers others.
    assert_eq!(request(&server, "POST", "/v1/format?format=json", b"[1]").0, 200);
}

#[test]
fn many_requests_at_once_each_get_their_own_answer() {
    let server = Server::start(Config::default());
    let addr = server.addr;
    let threads: Vec<_> = (0..16)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..25 {
                    let body = format!("{{\"thread\":{t},\"i\":{i},\"pad\":\"{}\"}}", "x".repeat(i * 40));
                    let (status, out) =
                        request_to(addr, "POST", "/v1/format?format=json&compact=true", body.as_bytes());
                    assert_eq!(status, 200);
                    assert_eq!(out, format!("{body}\n"));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let (_, metrics) = request(&server, "GET", "/metrics", b"");
    assert!(metrics.contains("dfmt_requests_total{route=\"/v1/format\",status=\"200\"} 400"), "{metrics}");
}

#[test]
fn a_panic_in_one_request_leaves_the_service_serving() {
    let server = Server::start(Config::default());
    let (status, body) = request(&server, "POST", "/test/panic?format=json", b"x");
    assert_eq!(status, 500);
    assert!(body.contains("\"message\":\"internal error\""), "{body}");
    assert!(!body.contains("test route"), "internal details leaked: {body}");
    for _ in 0..3 {
        assert_eq!(request(&server, "POST", "/v1/format?format=json", b"{}").0, 200);
    }
}

#[cfg(unix)]
#[test]
fn sighup_reloads_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dfmt.toml");
    std::fs::write(&file, "max_body_bytes = 1_000_000\n").unwrap();
    let config = Config { config_file: Some(file.clone()), ..Config::default() };
    let server = Server::start(config);
    let body = vec![b' '; 2000];
    assert_eq!(request(&server, "POST", "/v1/format?format=json", &[&body[..], b"[]"].concat()).0, 200);
    std::fs::write(&file, "# smaller\nmax_body_bytes = 1000\n").unwrap();
    rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::HUP).unwrap();
    let started = Instant::now();
    loop {
        let status = request(&server, "POST", "/v1/format?format=json", &[&body[..], b"[]"].concat()).0;
        if status == 413 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the new limit was not applied (status {status})");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn shutdown_finishes_requests_in_flight_and_refuses_new_ones() {
    let mut server = Server::start(Config::default());
    let mut stream = server.connect();
    let body = b"{\"in\": \"flight\"}";
    let head = format!(
        "POST /v1/format?format=json&compact=true HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    server.begin_shutdown();
    std::thread::sleep(Duration::from_millis(200));
    // New connections are no longer accepted.
    let refused = TcpStream::connect_timeout(&server.addr, Duration::from_secs(1))
        .map(|mut s| {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
            let mut buf = [0u8; 64];
            !matches!(s.read(&mut buf), Ok(n) if n > 0)
        })
        .unwrap_or(true);
    assert!(refused, "a new connection was served after shutdown began");
    // The request in flight completes.
    stream.write_all(&body[5..]).unwrap();
    let (status, out) = read_response(&mut stream);
    assert_eq!((status, out.as_str()), (200, "{\"in\":\"flight\"}\n"));
    server.join(Duration::from_secs(5)).unwrap();
}

#[test]
fn shutdown_is_bounded_by_the_grace_period() {
    let config = Config { shutdown_grace: Duration::from_millis(300), ..Config::default() };
    let mut server = Server::start(config);
    let mut stream = server.connect();
    // A request that never completes its body.
    stream.write_all(b"POST /v1/format?format=json HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n[").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    server.begin_shutdown();
    server.join(Duration::from_secs(5)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

/// True when the server closed `stream` (a read returns end of file or an error) within `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

#[test]
fn a_client_that_never_finishes_its_headers_is_closed() {
    let settings = Settings { header_read_timeout: Duration::from_millis(300), ..Settings::default() };
    let server = Server::start(Config { settings, ..Config::default() });
    let mut slow = server.connect();
    slow.write_all(b"POST /v1/format?format=json HTTP/1.1\r\nHost: t\r\n").unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(100));
        let _ = slow.write_all(b"X-Slow: 1\r\n");
    }
    assert!(closed_within(&mut slow, Duration::from_secs(5)), "a slowloris connection stayed open");
    assert!(started.elapsed() < Duration::from_secs(3), "closed only after {:?}", started.elapsed());
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    // The idle deadline is at least the request timeout and a second: 1.2 s here.
    let settings = Settings {
        idle_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(200),
        ..Settings::default()
    };
    let server = Server::start(Config { settings, ..Config::default() });
    let mut stream = server.connect();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"ok\n") {
        let mut chunk = [0u8; 256];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the answer");
        answer.extend_from_slice(&chunk[..n]);
    }
    let started = Instant::now();
    assert!(closed_within(&mut stream, Duration::from_secs(5)), "an idle connection stayed open");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_secs(4), "closed after {elapsed:?}");
}

#[test]
fn a_client_that_stops_reading_its_answer_is_dropped() {
    let settings = Settings { write_timeout: Duration::from_millis(300), ..Settings::default() };
    let server = Server::start(Config { settings, ..Config::default() });
    // A 12 MB answer (a few long strings, quick to format): more than the socket buffers hold, so the write
    // stalls when the client stops reading.
    let string = format!("\"{}\"", "x".repeat(1 << 20));
    let body = format!("[{}]", vec![string; 12].join(","));
    let mut stream = server.connect();
    let head = format!("POST /v1/format?format=json HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    // The server gave up on the stalled write and closed: what is left to read ends well short of the answer.
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    assert!(received.len() < 12 << 20, "the whole answer arrived ({} bytes)", received.len());
    let (status, _) = request(&server, "GET", "/metrics", b"");
    assert_eq!(status, 200);
}

#[test]
fn thousands_of_idle_connections_leave_the_probes_answering() {
    let server = Server::start(Config::default());
    let idle: Vec<TcpStream> = (0..2000).map(|_| server.connect()).collect();
    let started = Instant::now();
    let (status, body) = request(&server, "GET", "/healthz", b"");
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    assert!(started.elapsed() < Duration::from_secs(2), "/healthz took {:?}", started.elapsed());
    drop(idle);
}

#[test]
fn past_the_connection_cap_only_probes_are_answered() {
    let settings = Settings { max_connections: 5, ..Settings::default() };
    let server = Server::start(Config { settings, ..Config::default() });
    let held: Vec<TcpStream> = (0..6).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(request(&server, "GET", "/healthz", b"").0, 200);
    let (status, body) = request(&server, "POST", "/v1/format?format=json", b"[1]");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"kind\":\"overloaded\""), "{body}");
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(request(&server, "POST", "/v1/format?format=json", b"[1]").0, 200);
}
