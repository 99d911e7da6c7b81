//! dfmt in the browser: `format`, `convert` and `validate` over `dfmt-core`, exported with wasm-bindgen.
//!
//! The core is built without `std`: it does no I/O and starts no threads, so this crate only turns JavaScript
//! arguments into a job and the job's result into a string or a structured error. The page (`web/`) calls it
//! from a Web Worker.
//!
//! From JavaScript (after `await init()` of the generated glue):
//!
//! ```js
//! format(text, "json", { indent: 4, sort_keys: true });   // → formatted text
//! format(text, "yaml", { indent: "tab" });
//! format(text, "json", { compact: true });                 // minify
//! convert(text, "yaml", "json", {});
//! validate(text, "toml");                                  // → undefined
//! format_bytes(utf8, "json", {});                          // Uint8Array in, Uint8Array out (also convert_bytes,
//!                                                          // validate_bytes)
//! // Invalid input throws a plain object: { message, line, column, kind, path }
//! ```
//!
//! The work is done by [`run`], which is plain Rust (tested on the host); the exported functions only adapt
//! their arguments and results.

use dfmt_core::{Action, Diagnostic, Format, Hint, Job, Options, Params, SliceInput};
use wasm_bindgen::prelude::*;

#[cfg(feature = "schema")]
pub mod schema;

/// Why a job failed, in the shape the page (and `dfmt serve`'s 422 answers) use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, as the CLI's first line of an error says it.
    pub message: String,
    /// 1-based line of the error in the input, when the input is at fault.
    pub line: Option<u64>,
    /// 1-based column in characters (Unicode scalar values), when the input is at fault.
    pub column: Option<u64>,
    /// A short stable class name: `syntax`, `duplicate`, `not_representable`, `encoding`, `depth_limit`,
    /// `too_long`, `alias_limit`, or `usage` for a bad argument (an unknown format or option).
    pub kind: &'static str,
    /// The stable error code (`duplicate_key`, `yaml_tab_indentation`; `usage` for a bad argument).
    pub code: &'static str,
    /// The key path of the value the error is about (`servers[0].port`), when it is about a value.
    pub path: Option<String>,
    /// The hint, in the page's words.
    pub hint: Option<&'static str>,
}

impl Failure {
    /// A bad argument: no position.
    pub fn usage(message: impl Into<String>) -> Box<Self> {
        let message = message.into();
        Box::new(Failure { message, line: None, column: None, kind: "usage", code: "usage", path: None, hint: None })
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure {
            line: Some(d.position.line),
            column: Some(d.position.column),
            kind: d.kind(),
            code: d.code.name(),
            hint: d.hint.map(hint_text),
            path: d.path,
            message: d.message,
        }
    }
}

/// A hint in the page's words: its controls.
pub fn hint_text(hint: Hint) -> &'static str {
    match hint {
        Hint::AllowComments => "comments are allowed in JSONC: choose JSONC as the input format",
        Hint::AllowTrailingCommas => "remove the comma, or choose JSONC as the input format",
        Hint::OneValuePerLine => {
            "one value per line is NDJSON: choose NDJSON as the input format; or wrap the values in an array"
        }
        Hint::RaiseDepthLimit => "the page reads at most 1024 levels of nesting",
        Hint::DropTags => "remove the tag",
        Hint::RaiseAliasLimit => "the page expands at most 1,000,000 alias nodes, or 10 per input byte",
        Hint::RaiseAliasBytesLimit => "the page expands at most 64 MiB of aliases, or 10 bytes per input byte",
        other => other.text(),
    }
}

/// Runs `action` on `input` read as `from` with `options`: the output text (empty for `Validate`), or why it
/// failed.
pub fn run(input: &[u8], from: Format, action: Action, options: Options) -> Result<Vec<u8>, Box<Failure>> {
    // Pretty output is usually larger than its input; one allocation up front saves copying as it grows.
    let out = match action {
        Action::Validate => Vec::new(),
        _ => Vec::with_capacity(input.len().saturating_add(input.len() / 2).saturating_add(64)),
    };
    let job = Job { action, from, options };
    match job.run(&mut SliceInput::new(input), out) {
        Ok(done) => Ok(done.output),
        Err(mut diagnostics) => Err(Box::new(diagnostics.swap_remove(0).into())),
    }
}

// ---- The JavaScript surface ----

#[wasm_bindgen]
extern "C" {
    /// The options object the page passes: `{ indent?: number | "tab", compact?: boolean, sort_keys?: boolean }`.
    #[wasm_bindgen(typescript_type = "{ indent?: number | string, compact?: boolean, sort_keys?: boolean }")]
    pub type JsOptions;
    #[wasm_bindgen(method, getter)]
    fn indent(this: &JsOptions) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn compact(this: &JsOptions) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn sort_keys(this: &JsOptions) -> JsValue;
}

/// The page's options object read with the core's one parser of parameters: `indent` (0 to 16 or `"tab"`),
/// `compact`, `sort_keys`.
fn options_of(options: &JsValue) -> Result<Options, Box<Failure>> {
    let mut params = Params::default();
    if !options.is_null_or_undefined() {
        if !options.is_object() {
            return Err(Failure::usage("options must be an object"));
        }
        let options: &JsOptions = options.unchecked_ref();
        let indent = options.indent();
        if !indent.is_null_or_undefined() {
            let word = match (indent.as_f64(), indent.as_string()) {
                (Some(n), _) if n.fract() == 0.0 && (0.0..256.0).contains(&n) => format!("{n}"),
                (Some(n), _) => return Err(Failure::usage(format!("indent must be 0 to 16 or 'tab', not {n}"))),
                (None, Some(word)) => word,
                (None, None) => return Err(Failure::usage("indent must be 0 to 16 or 'tab'")),
            };
            params.set("indent", &word).map_err(|e| Failure::usage(e.to_string()))?;
        }
        params.compact = options.compact().is_truthy();
        params.sort_keys = options.sort_keys().is_truthy();
    }
    let limits = dfmt_core::Limits { hash_seed: page_seed(), ..dfmt_core::Limits::DEFAULT };
    Ok(params.options(Options { limits, ..Options::default() }))
}

/// A seed for the core's key indexes, drawn once per page load from the browser's random numbers (the core has
/// no entropy of its own), so that keys crafted to collide under one seed do not here.
pub(crate) fn page_seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| {
        let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        high << 32 | low
    })
}

/// The format called `name` (`json`, `jsonc`, `ndjson`/`jsonl`, `yaml`/`yml`, `toml`).
pub fn parse_format(name: &str) -> Result<Format, Box<Failure>> {
    name.parse().map_err(|e: dfmt_core::ParseError| Failure::usage(e.to_string()))
}

/// The thrown value: a plain object `{ message, line, column, kind, code, path, hint }` (it survives
/// `postMessage`).
pub(crate) fn to_js(failure: &Failure) -> JsValue {
    let object = js_sys::Object::new();
    let number = |n: Option<u64>| n.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64));
    let fields = [
        ("message", JsValue::from_str(&failure.message)),
        ("line", number(failure.line)),
        ("column", number(failure.column)),
        ("kind", JsValue::from_str(failure.kind)),
        ("code", JsValue::from_str(failure.code)),
        ("path", failure.path.as_deref().map_or(JsValue::NULL, JsValue::from_str)),
        ("hint", failure.hint.map_or(JsValue::NULL, JsValue::from_str)),
    ];
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &value);
    }
    object.into()
}

fn text(bytes: Vec<u8>) -> String {
    // Valid UTF-8 in gives valid UTF-8 out (scalars are copied as written); the fallback never runs in practice.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn call(input: &[u8], from: &str, action: Action, options: &JsValue) -> Result<Vec<u8>, JsValue> {
    let job = || run(input, parse_format(from)?, action, options_of(options)?);
    job().map_err(|f| to_js(&f))
}

fn convert_action(to: &str) -> Result<Action, JsValue> {
    parse_format(to).map(Action::Convert).map_err(|f| to_js(&f))
}

/// Formats `input` (in `from`) in its own format. `options`: `{ indent, compact, sort_keys }`.
#[wasm_bindgen]
pub fn format(input: &str, from: &str, options: JsValue) -> Result<String, JsValue> {
    call(input.as_bytes(), from, Action::Format, &options).map(text)
}

/// Converts `input` from `from` to `to`. `options`: `{ indent, compact, sort_keys }`.
#[wasm_bindgen]
pub fn convert(input: &str, from: &str, to: &str, options: JsValue) -> Result<String, JsValue> {
    call(input.as_bytes(), from, convert_action(to)?, &options).map(text)
}

/// Checks that `input` is valid `from`; throws the error otherwise.
#[wasm_bindgen]
pub fn validate(input: &str, from: &str) -> Result<(), JsValue> {
    call(input.as_bytes(), from, Action::Validate, &JsValue::UNDEFINED).map(drop)
}

/// [`format`] on UTF-8 bytes (a `Uint8Array`), giving UTF-8 bytes: no string encoding or decoding on the way, so
/// a file's bytes go straight in and the result can be transferred between threads without a copy.
#[wasm_bindgen]
pub fn format_bytes(input: &[u8], from: &str, options: JsValue) -> Result<Vec<u8>, JsValue> {
    call(input, from, Action::Format, &options)
}

/// [`convert`] on UTF-8 bytes, giving UTF-8 bytes.
#[wasm_bindgen]
pub fn convert_bytes(input: &[u8], from: &str, to: &str, options: JsValue) -> Result<Vec<u8>, JsValue> {
    call(input, from, convert_action(to)?, &options)
}

/// [`validate`] on UTF-8 bytes.
#[wasm_bindgen]
pub fn validate_bytes(input: &[u8], from: &str) -> Result<(), JsValue> {
    call(input, from, Action::Validate, &JsValue::UNDEFINED).map(drop)
}

/// The version of dfmt this module was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dfmt_core::Indent;

    fn layout(indent: Indent, sort_keys: bool) -> Options {
        Options { indent, sort_keys, ..Options::default() }
    }

    fn ok(input: &str, from: &str, action: Action, options: Options) -> String {
        let from = parse_format(from).unwrap();
        String::from_utf8(run(input.as_bytes(), from, action, options).unwrap()).unwrap()
    }

    #[test]
    fn formats_converts_and_validates() {
        let pretty = Options::default();
        assert_eq!(
            ok(r#"{"a":[1,2.50]}"#, "json", Action::Format, pretty),
            "{\n  \"a\": [\n    1,\n    2.50\n  ]\n}\n"
        );
        let compact = layout(Indent::Compact, false);
        assert_eq!(ok("{ \"a\" : 1 }", "json", Action::Format, compact), "{\"a\":1}\n");
        assert_eq!(ok("a: 1\n", "yaml", Action::Convert(Format::Json), pretty), "{\n  \"a\": 1\n}\n");
        assert_eq!(ok("b = 1\na = 2\n", "toml", Action::Validate, pretty), "");
        let sorted = layout(Indent::Compact, true);
        assert_eq!(ok(r#"{"b":1,"a":2}"#, "json", Action::Format, sorted), "{\"a\":2,\"b\":1}\n");
    }

    #[test]
    fn errors_have_a_position_a_kind_and_a_code() {
        let default = Options::default();
        let err = run(b"{\n  \"a\": 1\n  \"b\": 2\n}", Format::Json, Action::Validate, default).unwrap_err();
        assert_eq!((err.line, err.column, err.kind), (Some(3), Some(3), "syntax"));
        assert_eq!(err.code, "expected_comma_or_object_end");
        assert_eq!(err.message, "expected ',' or '}' after object entry, found '\"'");
        let err = run(b"a: 1\na: 2\n", Format::Yaml, Action::Validate, default).unwrap_err();
        assert_eq!((err.line, err.kind, err.code), (Some(2), "duplicate", "duplicate_key"));
        let err = run(b"x = inf\n", Format::Toml, Action::Convert(Format::Json), default).unwrap_err();
        assert_eq!(
            (err.line, err.column, err.kind, err.path.as_deref()),
            (Some(1), Some(5), "not_representable", Some("x"))
        );
        let err = run(b"// c\n{}", Format::Json, Action::Validate, default).unwrap_err();
        assert_eq!(err.hint, Some(hint_text(Hint::AllowComments)));
    }

    #[test]
    fn arguments() {
        assert_eq!(parse_format("yml").unwrap(), Format::Yaml);
        let err = parse_format("xml").unwrap_err();
        assert_eq!((err.kind, err.code), ("usage", "usage"));
        assert!(err.message.starts_with("unknown format 'xml'"), "{}", err.message);
    }
}
