//! Data survives the YAML writer, both ways.
//!
//! - YAML that converts to JSON: formatting it succeeds, the formatted text converts to the same JSON bytes, and
//!   formatting that text again changes nothing (idempotence).
//! - JSON: converting it to YAML and back gives the same JSON as formatting it, compared as data (numbers by their
//!   literal text, floats with an exponent as the YAML writer spells them for YAML 1.1 readers, strings decoded, with an escaped lone surrogate read as U+FFFD as the YAML writer documents).
//!   JSON whose objects repeat a key may stop at the duplicate-key error instead, as YAML forbids repeated keys.
//!
//! All with the default options.
#![no_main]

use dfmt_core::json::Dialect;
use dfmt_core::{Error, ErrorCode, Event, EventKind, Format, Options, ScalarStyle, SliceInput, convert};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

fn run(src: &[u8], from: Format, to: Format) -> Result<Vec<u8>, Error> {
    convert(&mut SliceInput::new(src), from, to, &Options::default(), Vec::new())
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn yaml_round_trip(data: &[u8]) {
    let Ok(json) = run(data, Format::Yaml, Format::Json) else { return };
    let formatted = run(data, Format::Yaml, Format::Yaml)
        .unwrap_or_else(|e| panic!("formatting fails on YAML that converts to JSON: {e:?}"));
    let json_after = run(&formatted, Format::Yaml, Format::Json).unwrap_or_else(|e| {
        panic!("the formatted YAML does not convert to JSON: {e:?}\n--- formatted:\n{}", text(&formatted))
    });
    assert!(
        json == json_after,
        "formatting changed the data\n--- formatted:\n{}\n--- JSON before:\n{}\n--- JSON after:\n{}",
        text(&formatted),
        text(&json),
        text(&json_after)
    );
    let again = run(&formatted, Format::Yaml, Format::Yaml)
        .unwrap_or_else(|e| panic!("formatting the formatted YAML fails: {e:?}\n--- formatted:\n{}", text(&formatted)));
    assert!(
        again == formatted,
        "formatting is not idempotent\n--- once:\n{}\n--- twice:\n{}",
        text(&formatted),
        text(&again)
    );
}

fn json_round_trip(data: &[u8]) {
    let Ok(formatted) = run(data, Format::Json, Format::Json) else { return };
    let yaml = match run(data, Format::Json, Format::Yaml) {
        Ok(yaml) => yaml,
        // JSON allows a key twice and YAML does not: converting such JSON is refused, naming both keys.
        Err(e) if e.code == ErrorCode::DuplicateKey => return,
        Err(e) => panic!("JSON to YAML fails: {e:?}"),
    };
    match run(&yaml, Format::Yaml, Format::Json) {
        Ok(back) => {
            let (expected, got) = (data_of(&formatted), data_of(&back));
            assert!(
                expected == got,
                "JSON → YAML → JSON changed the data\n--- YAML:\n{}\n--- JSON formatted:\n{}\n--- JSON back:\n{}",
                text(&yaml),
                text(&formatted),
                text(&back)
            );
        }
        Err(e) if e.code == ErrorCode::DuplicateKey && repeats_a_key(data) => {}
        Err(e) => panic!("the YAML written for JSON does not convert back: {e:?}\n--- YAML:\n{}", text(&yaml)),
    }
}

/// One event of a JSON text, as data.
#[derive(Debug, PartialEq, Eq)]
enum Item {
    Mark(u8),
    Scalar(dfmt_core::ScalarKind, Vec<u8>),
}

/// The events of the JSON text `json` as data: structure, scalar kinds, number literals, decoded strings.
fn data_of(json: &[u8]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut sink = |event: Event<'_>| {
        items.push(match event.kind {
            EventKind::Scalar(s) if s.kind == dfmt_core::ScalarKind::Float => Item::Scalar(s.kind, yaml11(s.text)),
            EventKind::Scalar(s) => Item::Scalar(s.kind, decoded(s.text, s.style)),
            EventKind::MappingStart(_) => Item::Mark(b'{'),
            EventKind::MappingEnd => Item::Mark(b'}'),
            EventKind::SequenceStart(_) => Item::Mark(b'['),
            EventKind::SequenceEnd => Item::Mark(b']'),
            EventKind::DocumentStart { .. } => Item::Mark(b'<'),
            EventKind::DocumentEnd { .. } => Item::Mark(b'>'),
            _ => return Ok(()),
        });
        Ok(())
    };
    dfmt_core::json::read(&mut SliceInput::new(json), Dialect::Json, &Options::default().limits, &mut sink)
        .unwrap_or_else(|e| panic!("JSON output does not read back: {e:?}\n{}", text(json)));
    items
}

/// A float literal as the YAML writer spells it for YAML 1.1 readers: a point in the mantissa and a sign in the
/// exponent when it has one (`1e5` → `1.0e+5`); the digits are the same.
fn yaml11(literal: &[u8]) -> Vec<u8> {
    let Some(e) = literal.iter().position(|&b| b == b'e' || b == b'E') else { return literal.to_vec() };
    let (mantissa, exponent) = (&literal[..e], &literal[e + 1..]);
    let mut out = mantissa.to_vec();
    if !mantissa.contains(&b'.') {
        out.extend_from_slice(b".0");
    }
    out.push(literal[e]);
    if !matches!(exponent.first(), Some(b'+' | b'-')) {
        out.push(b'+');
    }
    out.extend_from_slice(exponent);
    out
}

/// True when some object of the JSON text `json` repeats a key (keys compared decoded).
fn repeats_a_key(json: &[u8]) -> bool {
    // Per open collection: its keys when it is an object, and whether its next node is a key.
    let mut open: Vec<(Option<BTreeSet<Vec<u8>>>, bool)> = Vec::new();
    let mut repeated = false;
    let mut sink = |event: Event<'_>| {
        let node = matches!(event.kind, EventKind::Scalar(_) | EventKind::MappingStart(_) | EventKind::SequenceStart(_));
        let key = match open.last_mut() {
            Some((Some(_), key_next)) if node => {
                let key = *key_next;
                *key_next = !key;
                key
            }
            _ => false,
        };
        match event.kind {
            EventKind::Scalar(s) if key => {
                if let Some((Some(keys), _)) = open.last_mut() {
                    repeated |= !keys.insert(decoded(s.text, s.style));
                }
            }
            EventKind::MappingStart(_) => open.push((Some(BTreeSet::new()), true)),
            EventKind::SequenceStart(_) => open.push((None, false)),
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                open.pop();
            }
            _ => {}
        }
        Ok::<(), Error>(())
    };
    let read = dfmt_core::json::read(&mut SliceInput::new(json), Dialect::Json, &Options::default().limits, &mut sink);
    read.is_ok() && repeated
}

/// A scalar's value: decoded text for a JSON string as written (an escaped lone surrogate becomes U+FFFD), the
/// text itself otherwise.
fn decoded(text: &[u8], style: ScalarStyle) -> Vec<u8> {
    if style.is_decoded() {
        return text.to_vec();
    }
    let body = &text[1..text.len() - 1];
    let mut units: Vec<u16> = Vec::with_capacity(body.len());
    let mut out = String::new();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{fffd}')));
    };
    let s = std::str::from_utf8(body).expect("JSON text is UTF-8");
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush(&mut units, &mut out);
            out.push(c);
            continue;
        }
        let e = chars.next().expect("a complete escape");
        if e == 'u' {
            let hex: String = chars.by_ref().take(4).collect();
            units.push(u16::from_str_radix(&hex, 16).expect("four hex digits"));
            continue;
        }
        flush(&mut units, &mut out);
        out.push(match e {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            other => other,
        });
    }
    flush(&mut units, &mut out);
    out.into_bytes()
}

fuzz_target!(|data: &[u8]| {
    yaml_round_trip(data);
    json_round_trip(data);
});
