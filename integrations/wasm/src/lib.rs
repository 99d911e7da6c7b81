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

use dfmt_core::json::Indent;
use dfmt_core::{Error, ErrorKind, Format, Options, SliceInput};
use wasm_bindgen::prelude::*;

/// What to do with the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Format in the input's own format (`format`, and `minify` with `compact`).
    Format,
    /// Convert to another format.
    Convert(Format),
    /// Check only.
    Validate,
}

/// The layout settings the page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Indentation: spaces per level, a tab, or compact (`compact: true` wins over `indent`).
    pub indent: Indent,
    /// Sort the entries of every mapping by key.
    pub sort_keys: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout { indent: Indent::Spaces(2), sort_keys: false }
    }
}

/// Why a job failed, in the shape the page (and `dfmt serve`'s 422 answers) use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, as the CLI's first line of an error says it.
    pub message: String,
    /// 1-based line of the error in the input, when the input is at fault.
    pub line: Option<u64>,
    /// 1-based column in characters (Unicode scalar values), when the input is at fault.
    pub column: Option<u64>,
    /// A short stable name: `syntax`, `duplicate`, `not_representable`, `encoding`, `depth_limit`, `too_long`,
    /// `alias_limit`, or `usage` for a bad argument (an unknown format or option).
    pub kind: &'static str,
    /// The key path of the value the error is about (`servers[0].port`), when it is about a value.
    pub path: Option<String>,
}

impl Failure {
    /// A bad argument: no position.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure { message: message.into(), line: None, column: None, kind: "usage", path: None }
    }

    /// The core's `error` on `src`, with its line and column.
    fn from_error(src: &[u8], from: Format, options: &Options, error: &Error) -> Self {
        let located = dfmt_core::locate(src, error.span.start);
        let message = match error.kind {
            // Name the tag, as the CLI does: the span starts at the node's properties, the tag among them.
            ErrorKind::UnsupportedTag => {
                let rest = String::from_utf8_lossy(&located.line[located.byte_in_line..]);
                match rest.split([' ', '\t']).take(2).find(|w| w.starts_with('!')) {
                    Some(tag) => format!("the tag {tag} has no meaning in the target format"),
                    None => error.kind.to_string(),
                }
            }
            _ => error.kind.to_string(),
        };
        let path = if error.kind.is_about_a_value() {
            dfmt_core::key_path_at(src, from, options, error.span.start).filter(|p| !p.is_empty())
        } else {
            None
        };
        Failure {
            message,
            line: Some(located.position.line),
            column: Some(located.position.column),
            kind: error.kind.code(),
            path,
        }
    }
}

/// The format called `name` (`json`, `jsonc`, `ndjson`/`jsonl`, `yaml`/`yml`, `toml`).
pub fn parse_format(name: &str) -> Result<Format, Failure> {
    Format::parse(name).ok_or_else(|| {
        Failure::usage(format!("unknown format '{name}'; expected one of json, jsonc, ndjson, yaml, toml"))
    })
}

/// An indentation given as a number of spaces (0 to 16) or `"tab"`.
pub fn parse_indent(spaces: Option<f64>, word: Option<&str>) -> Result<Indent, Failure> {
    match (spaces, word) {
        (Some(n), _) if n.fract() == 0.0 && (0.0..=16.0).contains(&n) => Ok(Indent::Spaces(n as u8)),
        (None, Some(w)) if w.eq_ignore_ascii_case("tab") => Ok(Indent::Tab),
        (None, Some(w)) => match w.trim().parse::<u8>() {
            Ok(n) if n <= 16 => Ok(Indent::Spaces(n)),
            _ => Err(Failure::usage(format!("indent must be 0 to 16 or 'tab', not '{w}'"))),
        },
        (Some(n), _) => Err(Failure::usage(format!("indent must be 0 to 16 or 'tab', not {n}"))),
        (None, None) => Ok(Indent::Spaces(2)),
    }
}

/// Runs `action` on `input` read as `from`: the output text (empty for `Validate`), or why it failed.
pub fn run(input: &[u8], from: Format, action: Action, layout: Layout) -> Result<Vec<u8>, Failure> {
    let options = Options { indent: layout.indent, sort_keys: layout.sort_keys, ..Options::default() };
    let to = match action {
        Action::Format => from,
        Action::Convert(to) => to,
        Action::Validate => {
            let result = dfmt_core::validate(&mut SliceInput::new(input), from, &options.limits);
            return result.map(|()| Vec::new()).map_err(|e| Failure::from_error(input, from, &options, &e));
        }
    };
    // Pretty output is usually larger than its input; one allocation up front saves copying as it grows.
    let out = Vec::with_capacity(input.len().saturating_add(input.len() / 2).saturating_add(64));
    dfmt_core::convert(&mut SliceInput::new(input), from, to, &options, out)
        .map_err(|e| Failure::from_error(input, from, &options, &e))
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

fn layout_of(options: &JsValue) -> Result<Layout, Failure> {
    if options.is_null_or_undefined() {
        return Ok(Layout::default());
    }
    if !options.is_object() {
        return Err(Failure::usage("options must be an object"));
    }
    let options: &JsOptions = options.unchecked_ref();
    let indent_value = options.indent();
    let indent = if indent_value.is_null_or_undefined() {
        Indent::Spaces(2)
    } else {
        parse_indent(indent_value.as_f64(), indent_value.as_string().as_deref())?
    };
    let compact = options.compact().is_truthy();
    Ok(Layout { indent: if compact { Indent::Compact } else { indent }, sort_keys: options.sort_keys().is_truthy() })
}

/// The thrown value: a plain object `{ message, line, column, kind, path }` (it survives `postMessage`).
fn to_js(failure: Failure) -> JsValue {
    let object = js_sys::Object::new();
    let number = |n: Option<u64>| n.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64));
    let fields = [
        ("message", JsValue::from_str(&failure.message)),
        ("line", number(failure.line)),
        ("column", number(failure.column)),
        ("kind", JsValue::from_str(failure.kind)),
        ("path", failure.path.as_deref().map_or(JsValue::NULL, JsValue::from_str)),
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
    let job = || run(input, parse_format(from)?, action, layout_of(options)?);
    job().map_err(to_js)
}

fn convert_action(to: &str) -> Result<Action, JsValue> {
    parse_format(to).map(Action::Convert).map_err(to_js)
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

    fn ok(input: &str, from: &str, action: Action, layout: Layout) -> String {
        let from = parse_format(from).unwrap();
        String::from_utf8(run(input.as_bytes(), from, action, layout).unwrap()).unwrap()
    }

    #[test]
    fn formats_converts_and_validates() {
        let layout = Layout::default();
        assert_eq!(
            ok(r#"{"a":[1,2.50]}"#, "json", Action::Format, layout),
            "{\n  \"a\": [\n    1,\n    2.50\n  ]\n}\n"
        );
        let compact = Layout { indent: Indent::Compact, ..layout };
        assert_eq!(ok("{ \"a\" : 1 }", "json", Action::Format, compact), "{\"a\":1}\n");
        assert_eq!(ok("a: 1\n", "yaml", Action::Convert(Format::Json), layout), "{\n  \"a\": 1\n}\n");
        assert_eq!(ok("b = 1\na = 2\n", "toml", Action::Validate, layout), "");
        let sorted = Layout { sort_keys: true, ..compact };
        assert_eq!(ok(r#"{"b":1,"a":2}"#, "json", Action::Format, sorted), "{\"a\":2,\"b\":1}\n");
    }

    #[test]
    fn errors_have_a_position_and_a_kind() {
        let err = run(b"{\n  \"a\": 1\n  \"b\": 2\n}", Format::Json, Action::Validate, Layout::default()).unwrap_err();
        assert_eq!((err.line, err.column, err.kind), (Some(3), Some(3), "syntax"));
        assert_eq!(err.message, "expected ',' or '}' after object entry, found '\"'");
        let err = run(b"a: 1\na: 2\n", Format::Yaml, Action::Validate, Layout::default()).unwrap_err();
        assert_eq!((err.line, err.kind), (Some(2), "duplicate"));
        let err = run(b"x = inf\n", Format::Toml, Action::Convert(Format::Json), Layout::default()).unwrap_err();
        assert_eq!(
            (err.line, err.column, err.kind, err.path.as_deref()),
            (Some(1), Some(5), "not_representable", Some("x"))
        );
    }

    #[test]
    fn arguments() {
        assert_eq!(parse_indent(Some(4.0), None), Ok(Indent::Spaces(4)));
        assert_eq!(parse_indent(None, Some("tab")), Ok(Indent::Tab));
        assert_eq!(parse_indent(None, Some("3")), Ok(Indent::Spaces(3)));
        assert_eq!(parse_indent(None, None), Ok(Indent::Spaces(2)));
        assert_eq!(parse_indent(Some(17.0), None).unwrap_err().kind, "usage");
        assert_eq!(parse_indent(Some(1.5), None).unwrap_err().kind, "usage");
        assert_eq!(parse_format("yml").unwrap(), Format::Yaml);
        assert_eq!(parse_format("xml").unwrap_err().kind, "usage");
    }
}
