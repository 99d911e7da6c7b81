//! Property tests over generated documents: formatting is idempotent, compact and pretty agree, the data is
//! what serde_json reads, and streaming in pieces changes nothing.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use dfmt_core::json::Indent;
use dfmt_core::{ChunkedInput, Format, Options, PieceFill, SliceInput, convert, format};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

fn number() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,18})?([eE][+-]?[0-9]{1,3})?"
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z]{0,8}", any::<String>(), Just("\u{0}\u{1f}\"\\/\u{7f}é😀".to_owned()),]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        number().prop_map(Node::Number),
        string().prop_map(Node::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Node::Array),
            prop::collection::vec((string(), inner), 0..8).prop_map(Node::Object),
        ]
    })
}

/// Renders a node as JSON, with whitespace chosen by `ws` (so layouts vary) and escapes as serde_json writes
/// them, plus `\u` escapes for some ASCII letters.
fn render(node: &Node, ws: &[u8], i: &mut usize, out: &mut String) {
    fn space(ws: &[u8], i: &mut usize, out: &mut String) {
        // Whitespace, or (for JSONC documents, whose layout bytes are 200 and above) a comment.
        let byte = ws[*i % ws.len()];
        let w = if byte >= 200 {
            [" /* c */ ", "// line\n", "\n/* a\nb */", " //\n"][usize::from(byte) % 4]
        } else {
            [" ", "", "\n", "\t  ", "\r\n"][usize::from(byte) % 5]
        };
        *i += 1;
        out.push_str(w);
    }
    let quote = |s: &str, out: &mut String| {
        let escaped = serde_json::to_string(s).unwrap();
        if ws[0].is_multiple_of(2) {
            out.push_str(&escaped.replace('a', "\\u0061"));
        } else {
            out.push_str(&escaped);
        }
    };
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(n),
        Node::String(s) => quote(s, out),
        Node::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                space(ws, i, out);
                render(item, ws, i, out);
                space(ws, i, out);
            }
            out.push(']');
        }
        Node::Object(entries) => {
            out.push('{');
            for (k, (key, value)) in entries.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                space(ws, i, out);
                quote(key, out);
                space(ws, i, out);
                out.push(':');
                space(ws, i, out);
                render(value, ws, i, out);
            }
            space(ws, i, out);
            out.push('}');
        }
    }
}

fn fmt(text: &[u8], indent: Indent, sort_keys: bool) -> Vec<u8> {
    let options = Options { indent, sort_keys, ..Options::default() };
    format(&mut SliceInput::new(text), Format::Json, &options, Vec::new()).unwrap()
}

fn data(text: &[u8]) -> serde_json::Value {
    serde_json::from_slice(text).unwrap()
}

fn document() -> impl Strategy<Value = String> {
    (node(), prop::collection::vec(0u8..200, 1..16)).prop_map(|(node, ws)| {
        let mut out = String::new();
        render(&node, &ws, &mut 0, &mut out);
        out
    })
}

/// A JSON document with comments between its tokens.
fn jsonc_document() -> impl Strategy<Value = String> {
    (node(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(node, ws)| {
        let mut out = String::new();
        render(&node, &ws, &mut 0, &mut out);
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_idempotent(doc in document()) {
        for indent in [Indent::Spaces(2), Indent::Spaces(4), Indent::Tab, Indent::Compact] {
            let once = fmt(doc.as_bytes(), indent, false);
            prop_assert_eq!(&fmt(&once, indent, false), &once);
        }
    }

    #[test]
    fn compact_of_pretty_is_compact(doc in document()) {
        let pretty = fmt(doc.as_bytes(), Indent::Spaces(2), false);
        prop_assert_eq!(fmt(&pretty, Indent::Compact, false), fmt(doc.as_bytes(), Indent::Compact, false));
    }

    #[test]
    fn data_is_what_serde_json_reads(doc in document()) {
        let original = data(doc.as_bytes());
        prop_assert_eq!(&data(&fmt(doc.as_bytes(), Indent::Spaces(2), false)), &original);
        prop_assert_eq!(&data(&fmt(doc.as_bytes(), Indent::Compact, false)), &original);
        prop_assert_eq!(&data(&fmt(doc.as_bytes(), Indent::Spaces(2), true)), &original);
    }

    #[test]
    fn pretty_output_matches_serde_json_layout(doc in document()) {
        // serde_json's pretty printer has the conventional layout and, with arbitrary_precision and
        // preserve_order, keeps numbers and key order. Where it writes the same escapes as the input and no
        // duplicate keys merge, its output must be ours byte for byte.
        let ours = fmt(doc.as_bytes(), Indent::Spaces(2), false);
        let value = data(&ours);
        let compact = serde_json::to_string(&value).unwrap() + "\n";
        prop_assume!(compact.as_bytes() == fmt(doc.as_bytes(), Indent::Compact, false).as_slice());
        prop_assert_eq!(serde_json::to_string_pretty(&value).unwrap() + "\n", String::from_utf8(ours).unwrap());
    }

    #[test]
    fn streaming_in_pieces_changes_nothing(doc in document(), piece in 1usize..64) {
        let whole = fmt(doc.as_bytes(), Indent::Spaces(2), false);
        let mut input = ChunkedInput::new(PieceFill::new(doc.as_bytes(), piece), u64::MAX);
        let streamed = convert(&mut input, Format::Json, Format::Json, &Options::default(), Vec::new()).unwrap();
        prop_assert_eq!(streamed, whole);
    }
}

fn fmt_jsonc(text: &[u8], indent: Indent) -> Vec<u8> {
    let options = Options { indent, ..Options::default() };
    format(&mut SliceInput::new(text), Format::Jsonc, &options, Vec::new()).unwrap()
}

/// The document with its comments removed, by formatting it compact (which drops them).
fn without_comments(text: &[u8]) -> Vec<u8> {
    fmt_jsonc(text, Indent::Compact)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn jsonc_formatting_is_idempotent_and_keeps_every_comment(doc in jsonc_document()) {
        let once = fmt_jsonc(doc.as_bytes(), Indent::Spaces(2));
        prop_assert_eq!(&fmt_jsonc(&once, Indent::Spaces(2)), &once);
        // Comment openers, plus any "//" or "/*" inside strings, which are copied unchanged.
        let count = |t: &[u8]| t.windows(2).filter(|w| w == b"//" || w == b"/*").count();
        prop_assert_eq!(count(&once), count(doc.as_bytes()));
        prop_assert_eq!(without_comments(&once), without_comments(doc.as_bytes()));
    }
}

#[test]
fn layout_is_the_conventional_one() {
    let input = br#"{"a":[1,{"b":null},[]],"c":{},"d":"\u00e9"}"#;
    let expected = "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    },\n    []\n  ],\n  \"c\": {},\n  \"d\": \"\\u00e9\"\n}\n";
    assert_eq!(String::from_utf8(fmt(input, Indent::Spaces(2), false)).unwrap(), expected);
    assert_eq!(fmt(input, Indent::Compact, false), [&input[..], b"\n"].concat());
}

#[test]
fn scalars_are_written_as_read() {
    let input = br#"[1.0,-0,1E400,100000000000000000001,"a\/b\u0041"]"#;
    assert_eq!(fmt(input, Indent::Compact, false), [&input[..], b"\n"].concat());
}

#[test]
fn duplicate_keys_and_order_are_kept() {
    let input = br#"{"b":1,"a":2,"b":3}"#;
    assert_eq!(fmt(input, Indent::Compact, false), [&input[..], b"\n"].concat());
    assert_eq!(fmt(input, Indent::Compact, true), b"{\"a\":2,\"b\":1,\"b\":3}\n");
}
