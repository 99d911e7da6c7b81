//! Rust peers for `bench/compare`: `peers MODE FILE`, output to standard output.
//!
//! JSON in (serde_json):
//! - `value-pretty`: parse into `serde_json::Value`, print pretty;
//! - `transcode-pretty`, `transcode-compact`: stream through `serde_transcode` without a tree;
//! - `ignored`: deserialize into `IgnoredAny` (validation only).
//!
//! YAML in, pretty JSON out, one JSON text per YAML document, each followed by a newline:
//! - `serde-yaml-value`: each document of `serde_yaml::Deserializer::from_slice` into a `serde_json::Value`,
//!   printed with `serde_json::to_writer_pretty`;
//! - `saphyr-events`: saphyr-parser's events written straight to JSON, no tree (see `saphyr_json.rs`).
//!
//! TOML in:
//! - `toml-json`: parse into a `toml::Table`, print it with `serde_json::to_writer_pretty` (a date or time comes
//!   out as the toml crate serializes it, an object `{"$__toml_private_datetime": "..."}`);
//! - `toml-edit-roundtrip`: parse into a `toml_edit::DocumentMut` (which keeps comments and layout) and print it
//!   back as TOML.
//!
//! HTTP (for `bench/load`):
//! - `hello-server ADDR`: an axum router answering `GET /` with `ok`, on a multi-threaded tokio runtime built as
//!   `dfmt serve` builds its own (all drivers, default worker count), serving until killed. The baseline that
//!   `dfmt serve`'s small requests are measured against.
//!
//! Each reads the whole file into memory first, as serde_json's fastest path (`from_slice`) requires (and
//! serde_yaml, saphyr-parser, toml and toml_edit take a slice or a `&str` too).

use serde::Deserialize;
use serde::de::IgnoredAny;
use std::io::{BufWriter, Write};

mod saphyr_json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, addr] = args.as_slice()
        && mode == "hello-server"
    {
        return hello_server(addr.parse()?);
    }
    if let [_, mode, addr] = args.as_slice()
        && mode == "echo-server"
    {
        return echo_server(addr.parse()?);
    }
    let [_, mode, path] = args.as_slice() else {
        return Err("usage: peers value-pretty|transcode-pretty|transcode-compact|ignored|serde-yaml-value|\
                    saphyr-events|toml-json|toml-edit-roundtrip FILE | hello-server ADDR"
            .into());
    };
    let bytes = std::fs::read(path)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match mode.as_str() {
        "serde-yaml-value" => {
            for document in serde_yaml::Deserializer::from_slice(&bytes) {
                let value = serde_json::Value::deserialize(document)?;
                serde_json::to_writer_pretty(&mut out, &value)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            return Ok(());
        }
        "saphyr-events" => {
            saphyr_json::run(std::str::from_utf8(&bytes)?, &mut out)?;
            out.flush()?;
            return Ok(());
        }
        "toml-edit-roundtrip" => {
            let document: toml_edit::DocumentMut = std::str::from_utf8(&bytes)?.parse()?;
            write!(out, "{document}")?;
            out.flush()?;
            return Ok(());
        }
        _ => {}
    }
    match mode.as_str() {
        "value-pretty" => {
            let value: serde_json::Value = serde_json::from_slice(&bytes)?;
            serde_json::to_writer_pretty(&mut out, &value)?;
        }
        "transcode-pretty" => {
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            let mut ser = serde_json::Serializer::pretty(&mut out);
            serde_transcode::transcode(&mut de, &mut ser)?;
            de.end()?;
        }
        "transcode-compact" => {
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            let mut ser = serde_json::Serializer::new(&mut out);
            serde_transcode::transcode(&mut de, &mut ser)?;
            de.end()?;
        }
        "toml-json" => {
            let table: toml::Table = toml::from_slice(&bytes)?;
            serde_json::to_writer_pretty(&mut out, &table)?;
        }
        "ignored" => {
            let _: IgnoredAny = serde_json::from_slice(&bytes)?;
        }
        _ => return Err(format!("unknown mode {mode}").into()),
    }
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// `GET /` → `ok`, served until the process is killed.
fn hello_server(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("hello").build()?;
    runtime.block_on(async move {
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("hello-server: listening on {}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// `POST /` → the request's body, as `application/json`, served until the process is killed: the same bytes in
/// and out as a small `dfmt serve` format request, with no work between (a ceiling for that request's size).
fn echo_server(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("echo").build()?;
    runtime.block_on(async move {
        let echo = |body: axum::body::Bytes| async move { ([("content-type", "application/json")], body) };
        let app = axum::Router::new().route("/", axum::routing::post(echo));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("echo-server: listening on {}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
