//! What the service is told: where to listen (fixed at start), and the settings it can change while running
//! (limits, timeouts, concurrency), which a SIGHUP reloads from the config file.

use dfmt_core::Limits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything `serve` needs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The settings in force at start.
    pub settings: Settings,
    /// A TOML file of settings, read at start (over `settings`) and again on SIGHUP.
    pub config_file: Option<PathBuf>,
    /// A folder of static files served at `/` (the web page); a minimal page when absent.
    pub web_root: Option<PathBuf>,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub shutdown_grace: Duration,
    /// The JSON Schemas of `--schema-dir`, compiled at start ([`crate::Schemas::load`]).
    pub schemas: std::sync::Arc<crate::Schemas>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            settings: Settings::default(),
            config_file: None,
            web_root: None,
            shutdown_grace: Duration::from_secs(10),
            schemas: std::sync::Arc::default(),
        }
    }
}

/// The settings read on every request; replaced as a whole on reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Largest request body accepted; larger is 413, refused before the body is read.
    pub max_body_bytes: usize,
    /// Longest a request may take, body upload included (408 while reading the body, 503 after).
    pub request_timeout: Duration,
    /// Conversions running at once; one more is refused with 503 and `Retry-After`.
    pub max_conversions: usize,
    /// Bodies smaller than this are converted on the I/O thread; larger ones on the blocking pool.
    pub inline_below: usize,
    /// The readers' limits.
    pub limits: Limits,
    /// Longest a client may take to send a request's headers (slowloris).
    pub header_read_timeout: Duration,
    /// Longest a connection may go with nothing read or written (a stalled upload or download); at least the
    /// request timeout and a second, so that a conversion's own silence is never cut short.
    pub idle_timeout: Duration,
    /// Longest a response may make no progress (a client that stopped reading); the connection is then closed.
    pub write_timeout: Duration,
    /// Most connections served at once; past it, a few more are accepted for probes only (see
    /// `connections.rs`), then new ones are closed at once. Kept below the process's open-file limit.
    pub max_connections: usize,
    /// Most bytes of request bodies and answers read or held at once, over all requests (an answer counts until it
    /// is sent); a body or an answer that would pass it is 503 with `Retry-After`. Bodies are read before a
    /// conversion slot is taken (a slow upload holds no slot), so this is what bounds their memory, and a client
    /// that reads its answer slowly holds only its share.
    pub max_bodies_in_flight: u64,
}

/// The default body limit, 16 MiB; the output, memory held per conversion and bodies in flight default to
/// multiples of it.
const BODY: u64 = 16 << 20;

impl Default for Settings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Settings {
            max_body_bytes: BODY as usize,
            request_timeout: Duration::from_secs(30),
            max_conversions: 4 * cores,
            inline_below: 64 << 10,
            limits: Limits {
                hash_seed: process_seed(),
                max_output_bytes: 8 * BODY,
                max_held_bytes: 8 * BODY,
                ..Limits::DEFAULT
            },
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            max_bodies_in_flight: 16 * BODY,
        }
    }
}

/// A seed for the core's key indexes drawn once per process (from the standard library's randomly keyed
/// hasher), so that keys crafted to collide under one process's seed do not under another's.
pub fn process_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| RandomState::new().hash_one(std::process::id()))
}

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{path}:{line}:{column}: {error}")]
    Syntax {
        /// The file.
        path: String,
        /// Where.
        line: u64,
        /// Where.
        column: u64,
        /// What.
        error: dfmt_core::Error,
    },
    /// A key that is not a setting, or a value of the wrong type.
    #[error("{path}: {message}")]
    Setting {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Settings {
    /// These settings with the keys of a TOML config file applied over them:
    ///
    /// ```toml
    /// max_body_bytes = 16777216
    /// request_timeout_ms = 30000
    /// max_conversions = 8
    /// inline_below_bytes = 65536
    /// max_depth = 1024
    /// max_alias_nodes = 1000000
    /// max_alias_bytes = 67108864
    /// header_read_timeout_ms = 10000
    /// idle_timeout_ms = 60000
    /// write_timeout_ms = 30000
    /// max_connections = 10000
    /// max_output_bytes = 134217728
    /// max_held_bytes = 134217728
    /// max_bodies_in_flight = 268435456
    /// ```
    pub fn with_file(self, path: &std::path::Path) -> Result<Settings, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read(path).map_err(|source| ConfigError::Read { path: name.clone(), source })?;
        let doc = dfmt_core::toml::load(&text, &Limits::DEFAULT).map_err(|error| {
            let at = dfmt_core::locate(&text, error.span.start).position;
            ConfigError::Syntax { path: name.clone(), line: at.line, column: at.column, error }
        })?;
        let mut json = Vec::new();
        doc.emit(&mut dfmt_core::json::Writer::new(&mut json, Default::default()), true)
            .map_err(|error| ConfigError::Setting { path: name.clone(), message: error.to_string() })?;
        let value: serde_json::Value = serde_json::from_slice(&json)
            .map_err(|e| ConfigError::Setting { path: name.clone(), message: e.to_string() })?;
        let mut settings = self;
        let bad = |message: String| ConfigError::Setting { path: name.clone(), message };
        for (key, value) in value.as_object().into_iter().flatten() {
            let number = value.as_u64().ok_or_else(|| bad(format!("{key}: expected a whole number ≥ 0")))?;
            let size = usize::try_from(number).map_err(|_| bad(format!("{key}: too large")))?;
            match key.as_str() {
                "max_body_bytes" => settings.max_body_bytes = size,
                "request_timeout_ms" => settings.request_timeout = Duration::from_millis(number),
                "max_conversions" => settings.max_conversions = size.max(1),
                "inline_below_bytes" => settings.inline_below = size,
                "max_depth" => {
                    settings.limits.max_depth = u32::try_from(number).map_err(|_| bad(format!("{key}: too large")))?
                }
                "max_alias_nodes" => settings.limits.max_alias_nodes = number,
                "max_alias_bytes" => settings.limits.max_alias_bytes = number,
                "header_read_timeout_ms" => settings.header_read_timeout = Duration::from_millis(number.max(1)),
                "idle_timeout_ms" => settings.idle_timeout = Duration::from_millis(number.max(1)),
                "write_timeout_ms" => settings.write_timeout = Duration::from_millis(number.max(1)),
                "max_connections" => settings.max_connections = size.max(1),
                "max_output_bytes" => settings.limits.max_output_bytes = number,
                "max_held_bytes" => settings.limits.max_held_bytes = number,
                "max_bodies_in_flight" => settings.max_bodies_in_flight = number,
                _ => return Err(bad(format!("unknown setting '{key}'"))),
            }
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(text: &str) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().map_err(|source| ConfigError::Read { path: String::new(), source })?;
        let path = dir.path().join("dfmt.toml");
        std::fs::write(&path, text).map_err(|source| ConfigError::Read { path: String::new(), source })?;
        Settings::default().with_file(&path)
    }

    #[test]
    fn the_alias_byte_budget_key_takes_a_whole_number_and_refuses_anything_else() {
        let settings = with("max_alias_bytes = 9223372036854775807\n").map_err(|e| e.to_string());
        assert_eq!(settings.map(|s| s.limits.max_alias_bytes), Ok(i64::MAX as u64));
        for bad in
            ["max_alias_bytes = -1", "max_alias_bytes = 1.5", "max_alias_bytes = \"64MiB\"", "max_alias_bytes = []"]
        {
            let error = with(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.contains("max_alias_bytes: expected a whole number"), "{bad}: {error}");
        }
    }
}
