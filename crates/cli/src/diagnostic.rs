//! Diagnostics as the command line shows them: `PATH:LINE:COLUMN: error: MESSAGE`, then the source line with a
//! caret under the column, the key path, the earlier position, and a hint that names this tool's flags. With
//! `--message-format json`, one JSON object per line instead, for programs.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use dfmt_core::{Diagnostic, Hint, Located};
use std::fmt::Write as _;

/// How diagnostics look: coloured only on a terminal, and never when `NO_COLOR` is set; or JSON lines.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) color: bool,
    pub(crate) json: bool,
}

impl Style {
    pub(crate) fn for_stderr(json: bool) -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !json && !no_color && std::io::stderr().is_terminal(), json }
    }
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
    if style.json {
        return json_line(name, diagnostic);
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

/// One JSON object on one line: `file`, `line`, `column`, `severity`, `code`, `kind`, `message`, and `path`,
/// `related` (`line`, `column`, `message`) and `hint` (`code`, `message`) when there are.
fn json_line(name: &str, diagnostic: &Diagnostic) -> String {
    let mut out = Vec::with_capacity(256);
    let field = |out: &mut Vec<u8>, key: &str, value: &str| {
        out.extend_from_slice(format!(",\"{key}\":").as_bytes());
        dfmt_core::json::escape_into(out, value.as_bytes());
    };
    out.extend_from_slice(b"{\"file\":");
    dfmt_core::json::escape_into(&mut out, name.as_bytes());
    let at = diagnostic.position;
    out.extend_from_slice(format!(",\"line\":{},\"column\":{}", at.line, at.column).as_bytes());
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
    out.extend_from_slice(b"}\n");
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

    const PLAIN: Style = Style { color: false, json: false };

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
        let out = diagnose("a: 1\nb: 2\na: \"\\u00e9\"\n", Format::Yaml, Style { color: false, json: true });
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["code"], "duplicate_key");
        assert_eq!(value["kind"], "duplicate");
        assert_eq!((value["line"].as_u64(), value["column"].as_u64()), (Some(3), Some(1)));
        assert_eq!((value["related"]["line"].as_u64(), value["related"]["column"].as_u64()), (Some(1), Some(1)));
        assert!(out.ends_with("}\n") && out.lines().count() == 1, "{out}");
    }
}
