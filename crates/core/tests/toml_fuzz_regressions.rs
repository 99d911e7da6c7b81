//! Inputs the TOML fuzz targets (`fuzz/fuzz_targets/toml_read.rs`, `toml_roundtrip.rs`) found, minimised, each
//! with the property it broke. A new finding that cannot be fixed at once goes here marked `#[ignore = "why"]`,
//! so that `-- --include-ignored` lists what is still open.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::time::Duration;

use dfmt_core::{Format, Limits, Options, SliceInput, convert, toml};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn to(src: &[u8], from: Format, to: Format) -> Vec<u8> {
    convert(&mut SliceInput::new(src), from, to, &Options::default(), Vec::new())
        .unwrap_or_else(|e| panic!("{from} → {to} fails on {:?}: {e:?}", text(src)))
}

/// What `toml_roundtrip` checks of formatting: the formatted text reads, formatting it again changes neither the
/// text nor the fingerprint, and it converts to the same JSON as the input.
#[track_caller]
fn assert_formats_stably(src: &[u8]) -> String {
    let once = toml::format(src, &Limits::DEFAULT, b"  ").unwrap();
    let twice = toml::format(&once.text, &Limits::DEFAULT, b"  ")
        .unwrap_or_else(|e| panic!("the formatted text of {:?} does not read: {e:?}\n{}", text(src), text(&once.text)));
    assert_eq!(text(&twice.text), text(&once.text), "formatting {:?} twice is not formatting it once", text(src));
    assert_eq!(twice.fingerprint, once.fingerprint, "formatting {:?} changed the data or a comment", text(src));
    assert_eq!(
        text(&to(&once.text, Format::Toml, Format::Json)),
        text(&to(src, Format::Toml, Format::Json)),
        "formatting changed the data of {:?}",
        text(src)
    );
    text(&once.text)
}

/// `toml_roundtrip`: a comment right after an array's `[` (a trailing comment, so not counted as an entry) with
/// no element after it: the formatter wrote the `]` on the comment's line (fmt.rs, `write_value`), so
/// `a=[#\n]` formatted to `a = [ #]`, an unterminated array.
#[test]
fn comment_in_an_array_without_elements_keeps_the_bracket_off_its_line() {
    assert_eq!(assert_formats_stably(b"a=[#\n]"), "a = [ #\n]\n");
    assert_eq!(assert_formats_stably(b"a = { a = [ # c\n] }\n"), "a = { a = [ # c\n] }\n");
    assert_eq!(assert_formats_stably(b"a = [[ # c\n], 1]\n"), "a = [\n  [ # c\n  ],\n  1,\n]\n");
}

/// Converts `src` from TOML to JSON and back to TOML with `max_depth`.
fn through_json(src: &[u8], max_depth: u32) -> Result<(), String> {
    let options = Options { limits: Limits { max_depth, ..Limits::DEFAULT }, ..Options::default() };
    let run = |src: &[u8], from, to| {
        convert(&mut SliceInput::new(src), from, to, &options, Vec::new()).map_err(|e| format!("{from} → {to}: {e:?}"))
    };
    let json = run(src, Format::Toml, Format::Json)?;
    run(&json, Format::Json, Format::Toml).map(drop)
}

/// Not found by the fuzzer (its inputs stay under 6 KB), but by reading `doc.rs` while checking what
/// `toml_roundtrip` compares: TOML's depth did not count the root table, which every other format counts, so a
/// TOML text nested exactly `max_depth` deep under the root (`a = [[…]]` with 1024 brackets, a 1024-part dotted
/// key or header) loaded and converted to JSON nested 1025 deep, which the JSON reader then refused.
#[test]
fn depth_limit_counts_the_root_table_as_json_does() {
    let nested = |n: usize| format!("a = {}{}\n", "[".repeat(n), "]".repeat(n));
    let dotted = |n: usize, value: &str| format!("{} = {value}\n", vec!["a"; n].join("."));
    let header = |n: usize| format!("[{}]\n", vec!["a"; n].join("."));
    for max in [4u32, 1024] {
        let n = max as usize;
        let limits = Limits { max_depth: max, ..Limits::DEFAULT };
        // Within the limit: survives TOML → JSON → TOML with the same limit.
        for src in [nested(n - 1), dotted(n - 1, "{}"), dotted(n, "1"), header(n - 1)] {
            assert!(toml::load(src.as_bytes(), &limits).is_ok(), "max {max}: {src:.60}");
            through_json(src.as_bytes(), max).unwrap_or_else(|e| panic!("max {max}: {src:.60}: {e}"));
        }
        // One level more: refused by TOML as JSON refuses it.
        for src in [nested(n), dotted(n, "{}"), dotted(n, "[]"), header(n)] {
            let error = toml::load(src.as_bytes(), &limits).unwrap_err();
            assert_eq!(
                (error.code, error.detail),
                (dfmt_core::ErrorCode::DepthLimit, dfmt_core::Detail::Limit(u64::from(max))),
                "max {max}: {src:.60}"
            );
            assert!(toml::format(src.as_bytes(), &limits, b"  ").is_err(), "max {max}: {src:.60}");
        }
    }
}

/// Found while checking the depth fix above (its 1023-deep arrays never finished), and what `toml_roundtrip`'s
/// JSON → TOML step runs into: the TOML writer laid out an array by writing it on one line and, when that was too
/// long, writing it again one element per line (write.rs, `Layout::array`), and every nested array did the same
/// within both attempts. The work doubled at each level of nesting at least: `{"a": [[[…]]]}` 47 deep took 25 s,
/// 60 deep would take days. Now nested arrays are tried on their parent's line without a second attempt of their
/// own, and an attempt stops once the line is too long.
#[test]
fn writing_nested_arrays_takes_linear_time() {
    let work = || {
        for depth in [60usize, 1000] {
            let json = format!("{{\"a\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
            let toml = to(json.as_bytes(), Format::Json, Format::Toml);
            assert_eq!(
                text(&to(&toml, Format::Toml, Format::Json)),
                text(&to(json.as_bytes(), Format::Json, Format::Json))
            );
            // The layout is the one the writer always chose: one element per line, each nested array likewise.
            assert!(text(&toml).starts_with("a = [\n  [\n    [\n"), "{}", text(&toml));
            assert_formats_stably(&toml);
        }
        // Arrays that fit stay on one line, nested ones included; a string with a line break makes its array
        // multi-line.
        let toml = to(br#"{"a": [[1, 2], [3, [4, 5]]], "b": [["x\ny"], 1]}"#, Format::Json, Format::Toml);
        assert_eq!(text(&toml), "a = [[1, 2], [3, [4, 5]]]\nb = [\n  [\n    \"\"\"\nx\ny\"\"\",\n  ],\n  1,\n]\n");
        assert_formats_stably(&toml);
    };
    let (done, answer) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        work();
        let _ = done.send(());
    });
    answer.recv_timeout(Duration::from_secs(60)).expect("finished (or panicked: see its message above) within 60 s");
}
