//! Diagnostics as the command line shows them: `PATH:LINE:COLUMN: error: MESSAGE`, then the source line with a
//! caret under the column, the key path, the earlier position, notes, and a hint that names this tool's flags.
//! For programs, `--message-format`: `json` (one object per line, on standard error), `github` (workflow
//! commands that GitHub Actions turns into annotations, on standard output), `sarif` (one SARIF 2.1.0 log for
//! the whole run, on standard output; each diagnostic is rendered here as one result, and the printer wraps
//! them, [`sarif_log`]).
//!
//! Columns count characters (Unicode code points) in every format: the human and JSON formats say so in their
//! documentation, the SARIF log by its `columnKind`, and GitHub's annotations take a character column.

use crate::args::MessageFormat;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use dfmt_core::{Diagnostic, Hint, Located, Position};
use std::fmt::Write as _;

/// How diagnostics look: coloured only on a terminal, and never when `NO_COLOR` is set; or for programs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) color: bool,
    pub(crate) format: MessageFormat,
}

impl Style {
    pub(crate) fn for_stderr(format: MessageFormat) -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = format == MessageFormat::Human && !no_color && std::io::stderr().is_terminal();
        Style { color, format }
    }

    /// True when diagnostics go to standard output (annotations and SARIF), not standard error.
    pub(crate) fn on_stdout(self) -> bool {
        matches!(self.format, MessageFormat::Github | MessageFormat::Sarif)
    }
}

/// What a diagnostic of a schema violation adds: the keyword, where in the schema, and which schema.
#[derive(Clone, Debug, Default)]
pub(crate) struct SchemaNote {
    pub(crate) keyword: String,
    pub(crate) schema_path: String,
    pub(crate) instance_path: String,
    /// The schema's file or URI, as the user named it.
    pub(crate) schema: String,
}

/// Most of a very long line (minified JSON) is noise: show this many characters on each side of the column.
const CONTEXT_CHARS: usize = 60;

/// A hint in this tool's words: the flags that do what it suggests.
pub(crate) fn hint_text(hint: Hint) -> &'static str {
    match hint {
        Hint::AllowComments => "comments are allowed with --from jsonc",
        Hint::AllowTrailingCommas => "remove the comma, or read the file with --from jsonc",
        Hint::OneValuePerLine => "one value per line is NDJSON: use --from ndjson; or wrap the values in an array",
        Hint::RaiseDepthLimit => "raise the limit with --max-depth if the input is trusted",
        Hint::DropTags => "drop tags with --yaml-drop-tags, or remove the tag",
        Hint::RaiseAliasLimit => "raise the limit with --max-alias-nodes if the input is trusted",
        Hint::RaiseAliasBytesLimit => "raise the limit with --max-alias-bytes if the input is trusted",
        other => other.text(),
    }
}

/// Renders `diagnostic` about the input called `name`; `locate` gives the source line around an offset.
pub(crate) fn render<'a>(
    name: &str,
    diagnostic: &Diagnostic,
    locate: &dyn Fn(u64) -> Located<'a>,
    style: Style,
) -> String {
    render_with(name, diagnostic, locate, style, None, None)
}

/// [`render`], with what a schema violation adds.
pub(crate) fn render_with<'a>(
    name: &str,
    diagnostic: &Diagnostic,
    locate: &dyn Fn(u64) -> Located<'a>,
    style: Style,
    schema: Option<&SchemaNote>,
    end: Option<Position>,
) -> String {
    let end = || {
        let at = diagnostic.span.end.max(diagnostic.span.start);
        match end {
            Some(end) => end,
            None if at == diagnostic.span.start => diagnostic.position,
            None => locate(at).position,
        }
    };
    match style.format {
        MessageFormat::Human => {}
        MessageFormat::Json => return json_line(name, diagnostic, end(), schema),
        MessageFormat::Github => return github_line(name, diagnostic, end(), schema),
        MessageFormat::Sarif => return sarif_result(name, diagnostic, end(), schema),
    }
    let position = diagnostic.position;
    let mut out = String::new();
    let label = if style.color { "\x1b[1;31merror\x1b[0m" } else { "error" };
    let message = &diagnostic.message;
    let _ = writeln!(out, "{name}:{}:{}: {label}: {message}", position.line, position.column);

    let located = &locate(diagnostic.span.start);
    let (line, caret_start, caret_len) = excerpt(located, diagnostic.span.end.saturating_sub(diagnostic.span.start));
    let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
    let mut group = Level::ERROR.primary_title(message.as_str()).element(
        Snippet::source(line.as_str())
            .line_start(usize::try_from(position.line).unwrap_or(usize::MAX))
            .path(name)
            .annotation(AnnotationKind::Primary.span(caret_start..caret_start + caret_len)),
    );
    if let Some(path) = &diagnostic.path {
        group = group.element(Level::NOTE.message(format!("at key path {path}")));
    }
    if let Some(related) = &diagnostic.related {
        let at = related.position;
        group = group.element(Level::NOTE.message(format!("{} at {name}:{}:{}", related.what, at.line, at.column)));
    }
    if let Some(schema) = schema {
        let at = if schema.schema_path.is_empty() { "its root" } else { schema.schema_path.as_str() };
        group = group
            .element(Level::NOTE.message(format!("`{}` of the schema {}, at {at}", schema.keyword, schema.schema)));
    }
    if let Some(hint) = diagnostic.hint {
        group = group.element(Level::HELP.message(hint_text(hint)));
    }
    let rendered = renderer.render(&[group]);
    // The renderer's own title line repeats the header above; keep what follows it.
    let body = rendered.split_once('\n').map_or("", |(_, rest)| rest);
    out.push_str(body);
    out.push('\n');
    out
}

/// One JSON object on one line: `file`, `line`, `column`, `end_line`, `end_column`, `severity`, `code`, `kind`,
/// `message`, and `path`, `related` (`line`, `column`, `message`), `hint` (`code`, `message`) and `schema`
/// (`keyword`, `schema_path`, `instance_path`, `schema`) when there are.
fn json_line(name: &str, diagnostic: &Diagnostic, end: Position, schema: Option<&SchemaNote>) -> String {
    let mut out = Vec::with_capacity(256);
    let field = |out: &mut Vec<u8>, key: &str, value: &str| {
        out.extend_from_slice(format!(",\"{key}\":").as_bytes());
        dfmt_core::json::escape_into(out, value.as_bytes());
    };
    out.extend_from_slice(b"{\"file\":");
    dfmt_core::json::escape_into(&mut out, name.as_bytes());
    let at = diagnostic.position;
    out.extend_from_slice(format!(",\"line\":{},\"column\":{}", at.line, at.column).as_bytes());
    out.extend_from_slice(format!(",\"end_line\":{},\"end_column\":{}", end.line, end.column).as_bytes());
    field(&mut out, "severity", diagnostic.severity.name());
    field(&mut out, "code", diagnostic.code.name());
    field(&mut out, "kind", diagnostic.kind());
    field(&mut out, "message", &diagnostic.message);
    if let Some(path) = &diagnostic.path {
        field(&mut out, "path", path);
    }
    if let Some(related) = &diagnostic.related {
        let at = related.position;
        out.extend_from_slice(format!(",\"related\":{{\"line\":{},\"column\":{}", at.line, at.column).as_bytes());
        field(&mut out, "message", related.what);
        out.push(b'}');
    }
    if let Some(hint) = diagnostic.hint {
        out.extend_from_slice(b",\"hint\":{\"code\":");
        dfmt_core::json::escape_into(&mut out, hint.name().as_bytes());
        field(&mut out, "message", hint_text(hint));
        out.push(b'}');
    }
    if let Some(schema) = schema {
        out.extend_from_slice(b",\"schema\":{\"keyword\":");
        dfmt_core::json::escape_into(&mut out, schema.keyword.as_bytes());
        field(&mut out, "schema_path", &schema.schema_path);
        field(&mut out, "instance_path", &schema.instance_path);
        field(&mut out, "schema", &schema.schema);
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
    String::from_utf8(out).unwrap_or_default()
}

/// The finding of `fmt --check` for a file that formatting would change, for the formats programs read: code
/// `unformatted`, at the first line that changes.
pub(crate) fn unformatted(name: &str, line: u64, style: Style) -> String {
    const MESSAGE: &str = "the file is not formatted as dfmt fmt would format it";
    let mut out = Vec::with_capacity(160);
    match style.format {
        MessageFormat::Human => return format!("{name}\n"),
        MessageFormat::Json => {
            out.extend_from_slice(b"{\"file\":");
            dfmt_core::json::escape_into(&mut out, name.as_bytes());
            out.extend_from_slice(
                format!(",\"line\":{line},\"column\":1,\"end_line\":{line},\"end_column\":1,\"severity\":\"error\",\"code\":\"unformatted\",\"kind\":\"format\",\"message\":\"{MESSAGE}\"}}\n").as_bytes(),
            );
        }
        MessageFormat::Github => {
            return format!("::error file={},line={line},title=dfmt unformatted::{MESSAGE}\n", github_property(name));
        }
        MessageFormat::Sarif => {
            out.extend_from_slice(b"{\"ruleId\":\"unformatted\",\"level\":\"error\",\"message\":{\"text\":\"");
            out.extend_from_slice(MESSAGE.as_bytes());
            out.extend_from_slice(b"\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
            dfmt_core::json::escape_into(&mut out, artifact_uri(name).as_bytes());
            out.extend_from_slice(format!("}},\"region\":{{\"startLine\":{line}}}}}}}]}}\n").as_bytes());
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A GitHub Actions workflow command: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`,
/// escaped as the runner reads it (`%`, CR and LF in the message; also `:` and `,` in properties).
fn github_line(name: &str, diagnostic: &Diagnostic, end: Position, schema: Option<&SchemaNote>) -> String {
    let level = match diagnostic.severity {
        dfmt_core::Severity::Error => "error",
        dfmt_core::Severity::Warning => "warning",
        _ => "notice",
    };
    let at = diagnostic.position;
    let mut message = diagnostic.message.clone();
    if let Some(path) = &diagnostic.path {
        let _ = write!(message, " (at {path})");
    }
    if let Some(schema) = schema {
        let _ = write!(message, "\nschema {}: `{}` at {}", schema.schema, schema.keyword, schema.schema_path);
    }
    let mut out = format!("::{level} file={},line={},col={}", github_property(name), at.line, at.column);
    if end.line > 0 {
        let _ = write!(out, ",endLine={},endColumn={}", end.line, end.column);
    }
    let _ = writeln!(
        out,
        ",title={}::{}",
        github_property(&format!("dfmt {}", diagnostic.code.name())),
        github_data(&message)
    );
    out
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One SARIF 2.1.0 `result` object on one line (the printer puts them into one log, [`sarif_log`]).
fn sarif_result(name: &str, diagnostic: &Diagnostic, end: Position, schema: Option<&SchemaNote>) -> String {
    let mut out = Vec::with_capacity(256);
    let string = |out: &mut Vec<u8>, text: &str| dfmt_core::json::escape_into(out, text.as_bytes());
    out.extend_from_slice(b"{\"ruleId\":");
    string(&mut out, diagnostic.code.name());
    out.extend_from_slice(b",\"level\":");
    string(&mut out, if diagnostic.severity == dfmt_core::Severity::Error { "error" } else { "warning" });
    let mut message = diagnostic.message.clone();
    if let Some(path) = &diagnostic.path {
        let _ = write!(message, " (at {path})");
    }
    out.extend_from_slice(b",\"message\":{\"text\":");
    string(&mut out, &message);
    out.extend_from_slice(b"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
    string(&mut out, &artifact_uri(name));
    out.extend_from_slice(b"}");
    let at = diagnostic.position;
    if at.line > 0 {
        let _ = write!(
            Bytes(&mut out),
            ",\"region\":{{\"startLine\":{},\"startColumn\":{},\"endLine\":{},\"endColumn\":{}}}",
            at.line,
            at.column,
            end.line.max(at.line),
            // SARIF's end column is one past the last character.
            if end.line > at.line { end.column } else { end.column.max(at.column + 1) }
        );
    }
    out.extend_from_slice(b"}");
    if let Some(path) = &diagnostic.path {
        out.extend_from_slice(b",\"logicalLocations\":[{\"fullyQualifiedName\":");
        string(&mut out, path);
        out.extend_from_slice(b",\"kind\":\"member\"}]");
    }
    out.extend_from_slice(b"}]");
    if let Some(schema) = schema {
        out.extend_from_slice(b",\"properties\":{\"keyword\":");
        string(&mut out, &schema.keyword);
        out.extend_from_slice(b",\"schemaPath\":");
        string(&mut out, &schema.schema_path);
        out.extend_from_slice(b",\"instancePath\":");
        string(&mut out, &schema.instance_path);
        out.extend_from_slice(b",\"schema\":");
        string(&mut out, &schema.schema);
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
    String::from_utf8(out).unwrap_or_default()
}

/// `fmt::Write` into bytes.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// An input's name as a SARIF artifact URI: a relative path stays relative (with `/`), characters outside
/// URI syntax percent-encoded; standard input is `stdin`.
fn artifact_uri(name: &str) -> String {
    /// What a relative URI reference keeps as it is: the unreserved characters, the sub-delimiters, `:`, `@`, `/`.
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/')
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=')
        .remove(b':')
        .remove(b'@');
    if name == "<stdin>" {
        return "stdin".to_owned();
    }
    percent_encoding::utf8_percent_encode(&name.replace('\\', "/"), KEEP).to_string()
}

/// The SARIF 2.1.0 log around `results` (each one line from [`sarif_result`]): one run of dfmt, with a rule
/// for each code the results use, and columns counted in code points.
pub(crate) fn sarif_log(results: &[String]) -> String {
    let mut codes: Vec<&str> =
        results.iter().filter_map(|r| r.strip_prefix("{\"ruleId\":\"")?.split('"').next()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut out = Vec::with_capacity(1024 + results.iter().map(String::len).sum::<usize>());
    out.extend_from_slice(
        b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"dfmt\",\"version\":",
    );
    dfmt_core::json::escape_into(&mut out, env!("CARGO_PKG_VERSION").as_bytes());
    out.extend_from_slice(b",\"informationUri\":");
    dfmt_core::json::escape_into(&mut out, env!("CARGO_PKG_REPOSITORY").as_bytes());
    out.extend_from_slice(b",\"rules\":[");
    for (i, code) in codes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"id\":");
        dfmt_core::json::escape_into(&mut out, code.as_bytes());
        let text = dfmt_core::ErrorCode::from_name(code)
            .map_or("the file is not formatted as dfmt fmt would format it", |c| c.message());
        out.extend_from_slice(b",\"shortDescription\":{\"text\":");
        dfmt_core::json::escape_into(&mut out, text.replace("{}", "…").as_bytes());
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(b"]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
    for (i, result) in results.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(result.trim_end().as_bytes());
    }
    out.extend_from_slice(b"]}]}\n");
    String::from_utf8(out).unwrap_or_default()
}

/// The part of the line to show, and where the caret goes in it (byte offsets into the returned string).
fn excerpt(located: &Located<'_>, span_len: u64) -> (String, usize, usize) {
    let before = String::from_utf8_lossy(&located.line[..located.byte_in_line]);
    let after = String::from_utf8_lossy(&located.line[located.byte_in_line..]);
    let mut head: String = {
        let n = before.chars().count();
        let skip = n.saturating_sub(CONTEXT_CHARS);
        let tail: String = before.chars().skip(skip).collect();
        if skip > 0 || located.line_is_partial { format!("…{tail}") } else { tail }
    };
    let shown_after: String = after.chars().take(CONTEXT_CHARS).collect();
    let truncated = shown_after.len() < after.len();
    let caret_start = head.len();
    let caret_len = usize::try_from(span_len).unwrap_or(usize::MAX).min(shown_after.len());
    // Keep whole characters under the caret.
    let caret_len = (caret_len..=shown_after.len()).find(|&n| shown_after.is_char_boundary(n)).unwrap_or(0);
    head.push_str(&shown_after);
    if truncated {
        head.push('…');
    }
    (head, caret_start, caret_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dfmt_core::{Action, Format, Job, SliceInput, locate};

    fn diagnose(text: &str, format: Format, style: Style) -> String {
        let job = Job::new(Action::Validate, format);
        let diagnostics = job.run(&mut SliceInput::new(text.as_bytes()), dfmt_core::Discard).unwrap_err();
        render("in.json", &diagnostics[0], &|at| locate(text.as_bytes(), at), style)
    }

    const PLAIN: Style = Style { color: false, format: MessageFormat::Human };

    #[test]
    fn header_then_snippet_with_caret() {
        let out = diagnose("{\n  \"a\": 1\n  \"b\": 2\n}\n", Format::Json, PLAIN);
        let first = out.lines().next().unwrap();
        assert_eq!(first, "in.json:3:3: error: expected ',' or '}' after object entry, found '\"'");
        assert!(out.contains("3 |   \"b\": 2"), "{out}");
        assert!(out.contains("  |   ^"), "{out}");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let text = format!("[{}x]", "1,".repeat(1000));
        let out = diagnose(&text, Format::Json, PLAIN);
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
        assert!(out.contains('…'));
    }

    #[test]
    fn json_lines_carry_the_code_and_the_related_position() {
        let out =
            diagnose("a: 1\nb: 2\na: \"\\u00e9\"\n", Format::Yaml, Style { color: false, format: MessageFormat::Json });
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["code"], "duplicate_key");
        assert_eq!(value["kind"], "duplicate");
        assert_eq!((value["line"].as_u64(), value["column"].as_u64()), (Some(3), Some(1)));
        assert_eq!((value["related"]["line"].as_u64(), value["related"]["column"].as_u64()), (Some(1), Some(1)));
        assert!(out.ends_with("}\n") && out.lines().count() == 1, "{out}");
    }
}
