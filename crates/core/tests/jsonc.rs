//! JSONC formatting keeps every comment where it stood, and formatting the result again changes nothing.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use dfmt_core::{Format, Options, SliceInput, format};

fn fmt(input: &str) -> String {
    let out = format(&mut SliceInput::new(input.as_bytes()), Format::Jsonc, &Options::default(), Vec::new()).unwrap();
    String::from_utf8(out).unwrap()
}

fn check(input: &str, expected: &str) {
    let once = fmt(input);
    assert_eq!(once, expected, "formatting {input:?}");
    assert_eq!(fmt(&once), once, "formatting is not idempotent for {input:?}");
}

#[test]
fn comments_stay_where_they_stood() {
    check("// head\n{\"a\": 1}", "// head\n{\n  \"a\": 1\n}\n");
    check("{\"a\": 1, // one\n \"b\": 2}", "{\n  \"a\": 1, // one\n  \"b\": 2\n}\n");
    check("{\"a\": 1 // last\n}", "{\n  \"a\": 1 // last\n}\n");
    check("[1,\n // before two\n 2]", "[\n  1,\n  // before two\n  2\n]\n");
    check("[ /* inline */ 1]", "[ /* inline */\n  1\n]\n");
    check("{\"a\": /* why */ 1}", "{\n  \"a\": /* why */ 1\n}\n");
    check("[] // tail", "[] // tail\n");
    check("{}\n// after", "{}\n// after\n");
}

#[test]
fn comments_in_empty_containers_keep_them_open() {
    check("[ // nothing yet\n]", "[ // nothing yet\n]\n");
    check("{\n // nothing yet\n}", "{\n  // nothing yet\n}\n");
}

#[test]
fn trailing_commas_are_accepted_and_dropped() {
    check("[1, 2,]", "[\n  1,\n  2\n]\n");
    check("{\"a\": [1,], }", "{\n  \"a\": [\n    1\n  ]\n}\n");
}

#[test]
fn block_comments_may_span_lines_and_line_comments_may_end_the_input() {
    check("/* a\n   b */\n[1]", "/* a\n   b */\n[\n  1\n]\n");
    check("[1] // no newline at the end", "[\n  1\n] // no newline at the end\n");
    // Found by fuzzing: a carriage return ends a line comment, so that formatting stays idempotent.
    check("1//x\r\r\r", "1 //x\n");
    check("[1, // one\r\n 2]", "[\n  1, // one\n  2\n]\n");
}

#[test]
fn compact_output_drops_comments() {
    let options = Options { indent: dfmt_core::json::Indent::Compact, ..Options::default() };
    let out = format(&mut SliceInput::new(b"// c\n[1, /* x */ 2,]"), Format::Jsonc, &options, Vec::new()).unwrap();
    assert_eq!(out, b"[1,2]\n");
}
