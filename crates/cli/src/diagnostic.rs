//! Diagnostics: `PATH:LINE:COLUMN: error: MESSAGE`, then the source line with a caret under the column.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use dfmt_core::{Error, ErrorKind, Located};
use std::fmt::Write as _;

/// How diagnostics look: coloured only on a terminal, and never when `NO_COLOR` is set.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) color: bool,
}

impl Style {
    pub(crate) fn for_stderr() -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stderr().is_terminal() }
    }
}

/// Most of a very long line (minified JSON) is noise: show this many characters on each side of the column.
const CONTEXT_CHARS: usize = 60;

/// Renders `error` in the input called `name`; `locate` finds an offset's line, column and source line.
pub(crate) fn render<'a>(name: &str, error: &Error, locate: &dyn Fn(u64) -> Located<'a>, style: Style) -> String {
    render_at(name, error, locate, style, None)
}

/// As [`render`], with a note naming the key path of the value the error is about, when known.
pub(crate) fn render_at<'a>(
    name: &str,
    error: &Error,
    locate: &dyn Fn(u64) -> Located<'a>,
    style: Style,
    key_path: Option<&str>,
) -> String {
    let located = &locate(error.span.start);
    let position = located.position;
    let mut out = String::new();
    let label = if style.color { "\x1b[1;31merror\x1b[0m" } else { "error" };
    let message = match error.kind {
        // Name the tag: the span starts at the node's properties, the tag among them.
        ErrorKind::UnsupportedTag => match tag_at(located) {
            Some(tag) => format!("the tag {tag} has no meaning in the target format"),
            None => error.kind.to_string(),
        },
        _ => error.kind.to_string(),
    };
    let _ = writeln!(out, "{name}:{}:{}: {label}: {message}", position.line, position.column);

    let (line, caret_start, caret_len) = excerpt(located, error.span.end.saturating_sub(error.span.start));
    let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
    let mut group = Level::ERROR.primary_title(message).element(
        Snippet::source(line.as_str())
            .line_start(usize::try_from(position.line).unwrap_or(usize::MAX))
            .path(name)
            .annotation(AnnotationKind::Primary.span(caret_start..caret_start + caret_len)),
    );
    let earlier = match error.kind {
        ErrorKind::DuplicateKey { first } => Some(("the key was first defined", first)),
        ErrorKind::Conflict { first, .. } => Some(("the earlier definition is", first)),
        _ => None,
    };
    if let Some(path) = key_path.filter(|p| !p.is_empty()) {
        group = group.element(Level::NOTE.message(format!("at key path {path}")));
    }
    if let Some((what, first)) = earlier {
        let first = locate(first).position;
        group = group.element(Level::NOTE.message(format!("{what} at {name}:{}:{}", first.line, first.column)));
    }
    if let Some(hint) = error.hint() {
        group = group.element(Level::HELP.message(hint));
    }
    let rendered = renderer.render(&[group]);
    // The renderer's own title line repeats the header above; keep what follows it.
    let body = rendered.split_once('\n').map_or("", |(_, rest)| rest);
    out.push_str(body);
    out.push('\n');
    out
}

/// The first tag (`!…`) among the properties that start at `located`.
fn tag_at(located: &Located<'_>) -> Option<String> {
    let rest = &located.line[located.byte_in_line..];
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split([' ', '\t']).take(2);
    words.find(|w| w.starts_with('!')).map(str::to_owned)
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
    use dfmt_core::{Format, SliceInput, locate};

    fn diagnose(text: &str, format: Format) -> String {
        let mut input = SliceInput::new(text.as_bytes());
        let error = dfmt_core::validate(&mut input, format, &dfmt_core::Limits::DEFAULT).unwrap_err();
        render("in.json", &error, &|at| locate(text.as_bytes(), at), Style { color: false })
    }

    #[test]
    fn header_then_snippet_with_caret() {
        let out = diagnose("{\n  \"a\": 1\n  \"b\": 2\n}\n", Format::Json);
        let first = out.lines().next().unwrap();
        assert_eq!(first, "in.json:3:3: error: expected ',' or '}' after object entry, found '\"'");
        assert!(out.contains("3 |   \"b\": 2"), "{out}");
        assert!(out.contains("  |   ^"), "{out}");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let text = format!("[{}x]", "1,".repeat(1000));
        let out = diagnose(&text, Format::Json);
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
        assert!(out.contains('…'));
    }
}
