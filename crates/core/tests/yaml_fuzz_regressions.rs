//! Inputs the YAML fuzz targets (`fuzz/fuzz_targets/yaml_read.rs`, `yaml_roundtrip.rs`) found, minimised, each
//! with the property it broke; all fixed. A new finding that cannot be fixed at once goes here marked
//! `#[ignore = "why"]`, so that `-- --include-ignored` lists what is still open.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use dfmt_core::{Event, EventKind, Format, Limits, Options, SliceInput, convert, format, yaml};

fn to_json(src: &[u8]) -> Vec<u8> {
    convert(&mut SliceInput::new(src), Format::Yaml, Format::Json, &Options::default(), Vec::new()).unwrap()
}

fn fmt(src: &[u8]) -> Vec<u8> {
    format(&mut SliceInput::new(src), Format::Yaml, &Options::default(), Vec::new()).unwrap()
}

/// What `yaml_roundtrip` checks: YAML that converts to JSON formats to text with the same JSON, and formatting
/// that text again changes nothing.
#[track_caller]
fn assert_formats_stably(src: &[u8]) {
    let json = to_json(src);
    let once = fmt(src);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(text(&to_json(&once)), text(&json), "formatting changed the data of {src:?}");
    let twice = fmt(&once);
    assert_eq!(text(&twice), text(&once), "formatting {src:?} twice is not formatting it once");
}

/// The comments of `src`, as the reader reports them.
fn comments(src: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    yaml::read(src, &Limits::DEFAULT, &mut |e: Event<'_>| {
        if let EventKind::Comment(c) = e.kind {
            out.push(String::from_utf8_lossy(c.text).into_owned());
        }
        Ok(())
    })
    .unwrap();
    out
}

/// `yaml_read`: an error's span must lie within the input. A double-quoted scalar that ends in a backslash, or in
/// a `\x`, `\u` or `\U` escape cut short, reports a span reaching past the end (scan.rs, `Scanner::escape`).
#[test]
fn escape_error_span_stays_in_the_input() {
    for src in [&b"\"\\"[..], b"\"\\x4", b"\"\\u12", b"\"\\U0001F6", b"\"\xef\xbb\xbf2bar\\"] {
        let err = yaml::read(src, &Limits::DEFAULT, &mut |_: Event<'_>| Ok(())).unwrap_err();
        assert!(err.span.start <= err.span.end && err.span.end <= src.len() as u64, "{src:?}: {err:?}");
    }
}

/// `yaml_roundtrip`: a comment on a block scalar's header keeps its trailing white space (scan.rs,
/// `scan_block_scalar`) while every other comment loses it, so `| # ` formats to `'' # ` and then to `'' #`.
#[test]
fn block_scalar_header_comment_is_trimmed_like_any_comment() {
    assert_formats_stably(b"| # ");
    assert_eq!(comments(b"a: | # note  \n  text\n"), comments(b"a: text # note  \n"));
}

/// `yaml_roundtrip`: a blank line after a scalar that the writer prints as a block scalar is kept once, then
/// read back as part of the block scalar (its chomped trailing lines), so the second format drops it.
#[test]
fn blank_line_after_a_block_scalar_survives() {
    assert_formats_stably(b"+\r\r+\r\r#");
    assert_formats_stably(b"key: a\n\n  b\n\nnext: 1\n");
}

/// `yaml_roundtrip`: comments at the top of a document arrive before `DocumentStart`, and the writer drops the
/// blank line between them and the document's first line (write.rs, `document_start`). A flow mapping whose
/// first entry follows a comment and a blank line formats with the blank line kept, then without it.
#[test]
fn blank_line_after_leading_comments_survives() {
    assert_formats_stably(b"{\n#\n\nl}");
    assert_formats_stably(b"{\n# c\n\na: 1}\n");
    assert_eq!(String::from_utf8(fmt(b"# c\n\na: 1\n")).unwrap(), "# c\n\na: 1\n");
}

/// `yaml_roundtrip`: a comment that comes first inside a collection that is a sequence item is written after
/// the item's dash (`-\n  # c\n  - x`), which the reader reports before the nested collection starts; that
/// formats to `# c\n- - x`.
#[test]
fn comment_first_in_a_nested_collection_stays_put() {
    assert_formats_stably(b"- {\n#-}\n\n l}");
    assert_formats_stably(b"- [\n  # c\n  x]\n");
    assert_formats_stably(b"---\n- {\n#- { molti\n  line, a: b}\n");
}

/// `yaml_roundtrip`: YAML limits an implicit key to 1024 characters; the writer counts characters, the scanner
/// counts bytes (scan.rs, `stale_simple_keys`). A flow mapping's key has no limit, so `{é…: 1}` with 600 `é`
/// converts to JSON, formats to the block key `é…: 1` (600 characters, 1200 bytes), and that fails to read:
/// "a mapping value (':') is not allowed here". JSON with such a key does not survive JSON → YAML → JSON either.
#[test]
fn implicit_key_limit_counts_characters() {
    let key = "é".repeat(600);
    assert_formats_stably(format!("{{{key}: 1}}\n").as_bytes());
    assert_eq!(to_json(format!("{key}: 1\n").as_bytes()), format!("{{\n  \"{key}\": 1\n}}\n").into_bytes());
    // 1024 characters with the quotes: still an implicit key.
    assert_formats_stably(format!("\"{}\": 1\n", "é".repeat(1022)).as_bytes());
    let json = format!("{{\n  \"{key}\": 1\n}}\n");
    let yaml =
        convert(&mut SliceInput::new(json.as_bytes()), Format::Json, Format::Yaml, &Options::default(), Vec::new())
            .unwrap();
    assert_eq!(String::from_utf8(to_json(&yaml)).unwrap(), json);
    // The fuzzer's input: a double-quoted flow key of 1023 characters whose escapes decode to 3-byte characters.
    let mut src = b"{\"".to_vec();
    src.extend(std::iter::repeat_n(b'K', 1019));
    src.extend_from_slice(b"\\uD4D2\\uD4D2a\": 1}\n");
    assert_formats_stably(&src);
}

/// Not a fuzz finding, seen while checking the fix above: since the scanner's `key: ` fast path (`scan_plain`),
/// a plain implicit key is not held to the 1024-character limit at all, while a quoted one is.
#[test]
fn implicit_key_limit_applies_to_plain_keys_too() {
    let read = |src: String| yaml::read(src.as_bytes(), &Limits::DEFAULT, &mut |_: Event<'_>| Ok(())).is_ok();
    assert!(read(format!("{}: 1\n", "K".repeat(1024))));
    assert!(!read(format!("{}: 1\n", "K".repeat(1025))), "a plain key of 1025 characters");
    assert!(!read(format!("\"{}\": 1\n", "K".repeat(1023))), "a quoted key of 1025 characters");
}

/// `yaml_roundtrip` at 8d31772: a blank line first inside a collection that is a sequence item or a mapping value
/// is written after the indicator (`-` / blank / `  # c`), which the reader reports before the nested collection
/// starts; the second format then drops it (`-\n  # c`).
#[test]
fn blank_line_first_in_a_nested_collection_stays_put() {
    assert_formats_stably(b"- [\r\t\n#\n o]");
    assert_formats_stably(b"- [\n\n  # c\n  x]\n");
    assert_formats_stably(b":\n-\n\n#\n -");
}

/// `yaml_roundtrip` at 8d31772: a comment on the line of a flow mapping's `?` inside a flow sequence is written on
/// the line of the item's dash (`- #` / `  ?` / `  :`), which the reader reports before the mapping starts; the
/// second format moves it to the end of the previous item's line (`- + #`). The same happens to any comment after
/// a bare dash: `- a\n- # c\n  - x` formats to `- a # c\n- - x`, the comment joining the item before.
#[test]
fn comment_after_a_bare_dash_stays_with_its_item() {
    assert_formats_stably(b"[+,? #\n]");
    let once = fmt(b"- a\n- # c\n  - x\n");
    assert!(!String::from_utf8(once).unwrap().starts_with("- a #"), "the comment moved to the item before");
}

/// `yaml_roundtrip`: a comment on a key's line before its sequence value (`key: # c` / `- one`) went inside the
/// sequence when the sequence was indented (`- # c` / `  one`), but stayed with the key when it was not; the
/// writer indents sequences, so formatting twice moved the comment (read.rs, `Parser::node`).
#[test]
fn comment_after_a_key_stays_with_the_key_before_a_sequence() {
    for src in [
        &b"key: # c\n- one\n"[..],
        b"key: # c\n  - one\n  - two\n",
        b"key: # c\n\n  - one\n",
        b"? explicit key # a\n: - one # b\n  - two # c\n",
    ] {
        assert_formats_stably(src);
        assert!(String::from_utf8(fmt(src)).unwrap().starts_with("key: # c\n") || src.starts_with(b"?"));
    }
}

/// `yaml_roundtrip`: an empty key's value after a comment and a blank line (`: # c` / `# d` / `` / ` x`): the
/// blank line, pending when the `:` was written, went before it, and on the next format after `# c` (write.rs,
/// `Writer::entry` and `Writer::comment`: a blank line before the comment on the indicator's line goes before
/// the indicator, one after the comments after them).
#[test]
fn blank_line_around_an_empty_key_stays_put() {
    assert_formats_stably(b"a: b\n: # c\n# d\n\n x\n");
    assert_formats_stably(b"a: b\n?\n\n: # c\n  # d\n  x\n");
    assert_eq!(String::from_utf8(fmt(b"a: b\n: # c\n# d\n\n x\n")).unwrap(), "a: b\n?\n: # c\n  # d\n\n  x\n");
    assert_eq!(String::from_utf8(fmt(b"a: b\n?\n\n: # c\n  x\n")).unwrap(), "a: b\n?\n\n: # c\n  x\n");
}

/// `yaml_roundtrip`: a key whose value is a tagged sequence, with a comment between the key and the tag's line
/// (`k: #c` / `  !` / `- ...`): the comment goes before the sequence and is written after the tag on the key's line
/// (`k: ! #c`); read back, that comment came after the tag and went inside the sequence, and the next format moved
/// the entry's own comment off the entry's line (read.rs, `node`: a comment trailing a block collection's
/// properties on their line now stays outside the collection, as one before them does).
#[test]
fn comment_before_a_bare_tag_entry_stays_put() {
    assert_formats_stably(b"-%TAG !e! tag:e.com: #\"\n    !\n-   #\"\n    !\n- \n\n");
    assert_formats_stably(b"k: !!seq # c\n  - # d\n    a\n");
    assert_formats_stably(b"k: !!map # c\n  a: b # d\n");
    assert_eq!(fmt(b"k: !!seq # c\n- a\n"), b"k: !!seq # c\n  - a\n");
    // At the root the comment stays inside (the writer puts one before the root on its own line).
    assert_formats_stably(b"  !\n-   #\"\n    #\"\n    !\n- \n\n");
}

/// `convert_from_yaml`: in a flow collection a tag ended at the `{` of `!!binary{}` and the mapping that followed
/// became its content, though YAML separates properties from content by a space (only `,`, `]` or `}` may
/// follow a tag at once: the node is then empty); and the message naming the tag read on to the next space
/// (`the tag !!binary{}]`), putting `{}` in the text (scan.rs, `fetch_tag`; diagnostic.rs, `tag_at`).
#[test]
fn a_tag_is_followed_by_a_space_or_the_end_of_its_node() {
    for src in [&b"a: [!!binary{}]\n"[..], b"[!foo[x]]", b"{k: !t{}}", b"[ocanonical: !!binary{}\\ ]"] {
        let err = yaml::read(src, &Limits::DEFAULT, &mut |_: Event<'_>| Ok(())).unwrap_err();
        assert_eq!(err.code, dfmt_core::ErrorCode::YamlExpectedSpaceAfterTag, "{src:?}");
    }
    // An empty tagged node is still fine before `,`, `]` and `}`.
    assert_eq!(to_json(b"[!!str, !!str]"), b"[\n  \"\",\n  \"\"\n]\n");
    assert_eq!(to_json(b"{a: !!str}"), b"{\n  \"a\": \"\"\n}\n");
    // The tag a message names is the tag, not what follows it in the flow.
    let job = dfmt_core::Job::new(dfmt_core::Action::Convert(Format::Json), Format::Yaml);
    let diagnostics = job.run(&mut SliceInput::new(b"a: [!foo]\n"), Vec::new()).unwrap_err();
    assert_eq!(diagnostics[0].message, "the tag !foo has no meaning in the target format");
    let diagnostics = job.run(&mut SliceInput::new(b"a: [!<tag:x,1:y>]\n"), Vec::new()).unwrap_err();
    assert_eq!(diagnostics[0].message, "the tag !<tag:x,1:y> has no meaning in the target format");
}
