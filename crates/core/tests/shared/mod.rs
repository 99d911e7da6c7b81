//! Finding `../shared` (conformance suites, benchmark inputs): at `$DFMT_SHARED`, or beside the checkout.
//! In CI (`CI=true`) missing data fails the test; elsewhere the test says loudly that it skipped.

use std::path::PathBuf;

pub(crate) fn shared_dir(sub: &str) -> Option<PathBuf> {
    let candidates = std::env::var_os("DFMT_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")]);
    for dir in candidates {
        let dir = dir.join(sub);
        if dir.is_dir() {
            return Some(dir);
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared data {sub} not found (set DFMT_SHARED or put shared/ beside the checkout)");
    }
    eprintln!("SKIPPED: shared data {sub} not found; set DFMT_SHARED to run this test");
    None
}

/// The files of `dir` whose names pass `keep`, in name order.
#[allow(dead_code)] // Every test crate compiles this module; only the round-trip tests use this.
pub(crate) fn files(dir: &std::path::Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && keep(p.file_name().unwrap().to_str().unwrap()))
        .collect();
    files.sort();
    files
}

/// Prints how many of `total` inputs passed, and fails with the list of those that did not.
#[allow(dead_code)] // As above.
pub(crate) fn report(what: &str, total: usize, failures: &[String]) {
    println!("{what}: {}/{total} pass", total - failures.len());
    for failure in failures {
        println!("  {failure}");
    }
    assert!(total > 0, "{what}: no inputs");
    assert!(failures.is_empty(), "{what}: {} of {total} fail:\n{}", failures.len(), failures.join("\n"));
}

/// The test cases of the yaml-test-suite in `root`: every directory that holds `in.yaml`, named by its id
/// (`229Q`, or `DK95/00` for a numbered sub-test), in id order.
#[allow(dead_code)] // Every test crate compiles this module; only the YAML tests use this.
pub(crate) fn yaml_suite_cases(root: &std::path::Path) -> Vec<(String, PathBuf)> {
    let sorted_dirs = |dir: &std::path::Path| {
        let mut dirs: Vec<PathBuf> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        dirs
    };
    let name = |p: &std::path::Path| p.file_name().unwrap().to_str().unwrap().to_owned();
    let mut cases = Vec::new();
    for dir in sorted_dirs(root) {
        if dir.join("in.yaml").is_file() {
            cases.push((name(&dir), dir));
        } else {
            for sub in sorted_dirs(&dir).into_iter().filter(|d| d.join("in.yaml").is_file()) {
                cases.push((format!("{}/{}", name(&dir), name(&sub)), sub));
            }
        }
    }
    cases
}

/// An error as `line:column: message`, located in `src`.
#[allow(dead_code)] // Every test crate compiles this module; only the YAML tests use this.
pub(crate) fn located(src: &[u8], error: &dfmt_core::Error) -> String {
    let at = dfmt_core::locate(src, error.span.start).position;
    format!("{}:{}: {error}", at.line, at.column)
}

/// Runs `work` on its own thread and waits at most `deadline` for it, so that a reader that loops forever or
/// panics fails one case with a reason instead of hanging or ending the whole run.
#[allow(dead_code)] // Every test crate compiles this module; only the YAML tests use this.
pub(crate) fn within<T: Send + 'static>(
    deadline: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (done, answer) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        // The receiver is gone only after the deadline passed; nobody waits for this answer any more.
        let _ = done.send(result);
    });
    match answer.recv_timeout(deadline) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("panicked: {message}"))
        }
        Err(_) => Err(format!("no answer within {} s", deadline.as_secs())),
    }
}

/// JSON texts as data: parsing a stream of values, and saying where two values first differ.
#[allow(dead_code)] // Every test crate compiles this module; only the YAML tests use it.
pub(crate) mod values {
    use serde_json::{Number, Value};

    /// What counts as the same data.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Compare {
        /// Numbers by their literal text (serde_json keeps it with `arbitrary_precision`) and mapping keys in the
        /// same order: for data that only dfmt touched, which keeps both. A float's exponent may have gained the
        /// point and sign YAML 1.1 readers need (`1e5` and `1.0e+5` are the same here): same digits.
        Exact,
        /// Numbers by value (integers exactly, anything else as `f64`, so `1` equals `1.0`) and keys in any
        /// order: for expectations written by other tools.
        Data,
    }

    impl Compare {
        fn numbers_equal(self, a: &Number, b: &Number) -> bool {
            let (a, b) = (a.to_string(), b.to_string());
            match self {
                Compare::Exact => a == b || yaml11_float(&a) == yaml11_float(&b),
                Compare::Data => {
                    let integer = |s: &str| !s.contains(['.', 'e', 'E']);
                    if integer(&a) && integer(&b) {
                        canonical_integer(&a) == canonical_integer(&b)
                    } else {
                        a.parse::<f64>().ok() == b.parse::<f64>().ok()
                    }
                }
            }
        }
    }

    /// A float literal with an exponent as dfmt writes it into YAML: a point in the mantissa, a sign in the
    /// exponent. Other literals as they are.
    fn yaml11_float(s: &str) -> String {
        let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else { return s.to_owned() };
        let e = &s[mantissa.len()..=mantissa.len()];
        let point = if mantissa.contains('.') { "" } else { ".0" };
        let sign = if exponent.starts_with(['+', '-']) { "" } else { "+" };
        format!("{mantissa}{point}{e}{sign}{exponent}")
    }

    /// An integer literal without sign noise or leading zeros, so that equal integers of any size are equal text.
    fn canonical_integer(s: &str) -> String {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let digits = digits.trim_start_matches('0');
        match (negative, digits.is_empty()) {
            (_, true) => "0".to_owned(),
            (true, false) => format!("-{digits}"),
            (false, false) => digits.to_owned(),
        }
    }

    /// The JSON values in `bytes`, one after another (a JSON text, NDJSON, or concatenated JSON); none if empty.
    pub(crate) fn parse_stream(bytes: &[u8]) -> Result<Vec<Value>, String> {
        serde_json::Deserializer::from_slice(bytes)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())
    }

    /// Where `got` first differs from `expected`, in one line (`at /0/name: expected "a", got "b"`), or `None`
    /// when they hold the same data.
    pub(crate) fn first_difference(expected: &Value, got: &Value, compare: Compare) -> Option<String> {
        difference(expected, got, compare, &mut String::new())
    }

    fn difference(expected: &Value, got: &Value, compare: Compare, path: &mut String) -> Option<String> {
        let at = |path: &str| if path.is_empty() { "/".to_owned() } else { path.to_owned() };
        match (expected, got) {
            (Value::Number(a), Value::Number(b)) if compare.numbers_equal(a, b) => None,
            (Value::Array(a), Value::Array(b)) => {
                for (i, (a, b)) in a.iter().zip(b).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    let found = difference(a, b, compare, path);
                    path.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                (a.len() != b.len()).then(|| format!("at {}: {} items, expected {}", at(path), b.len(), a.len()))
            }
            (Value::Object(a), Value::Object(b)) => {
                let missing = a.keys().find(|k| !b.contains_key(*k));
                let extra = b.keys().find(|k| !a.contains_key(*k));
                if let Some(key) = missing {
                    return Some(format!("at {}: key {key:?} is missing", at(path)));
                }
                if let Some(key) = extra {
                    return Some(format!("at {}: unexpected key {key:?}", at(path)));
                }
                if matches!(compare, Compare::Exact) && !a.keys().eq(b.keys()) {
                    let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>().join(",");
                    return Some(format!("at {}: keys in order [{}], expected [{}]", at(path), keys(b), keys(a)));
                }
                for (key, a) in a {
                    let len = path.len();
                    path.push('/');
                    path.push_str(key);
                    let found = difference(a, &b[key], compare, path);
                    path.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            (a, b) if a == b => None,
            (a, b) => Some(format!("at {}: expected {}, got {}", at(path), short(a), short(b))),
        }
    }

    /// A value as compact JSON, cut to one short line.
    pub(crate) fn short(value: &Value) -> String {
        let text = value.to_string();
        match text.char_indices().nth(60) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    }
}
