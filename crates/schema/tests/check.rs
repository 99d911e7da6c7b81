//! `Schema::check` on its own: documents, positions, the deadline, and inputs built to be slow.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use dfmt_core::{ErrorCode, Format, Options};
use dfmt_schema::{Schema, Settings, Sources};
use std::time::{Duration, Instant};

fn schema(text: &str) -> Schema {
    Schema::from_text(text.as_bytes(), Format::Yaml, None, &Sources::default(), &Settings::default()).unwrap()
}

#[test]
fn each_document_of_a_stream_on_its_own() {
    let s = schema("type: object\nrequired: [a]\n");
    let report = s.check(b"a: 1\n---\nb: 2\n---\n- 3\n", Format::Yaml, &Options::default(), &|| false).unwrap();
    assert_eq!(report.documents, 3);
    let found: Vec<_> =
        report.violations.iter().map(|v| (v.document, v.keyword.as_str(), v.diagnostic.position.line)).collect();
    assert_eq!(found, [(1, "required", 3), (2, "type", 5)]);
}

#[test]
fn a_deadline_stops_the_check() {
    let s = schema("type: array\nitems: {type: string}\n");
    let big = format!("[{}1]", "1,".repeat(200_000));
    let failed = s.check(big.as_bytes(), Format::Json, &Options::default(), &|| true).unwrap_err();
    assert_eq!(failed[0].code, ErrorCode::Cancelled);
    // Between documents too: NDJSON, one per line.
    let lines = "{}\n".repeat(10);
    let asked = std::cell::Cell::new(0);
    let stop = || {
        asked.set(asked.get() + 1);
        false
    };
    s.check(lines.as_bytes(), Format::Ndjson, &Options::default(), &stop).unwrap();
    assert!(asked.get() >= 10, "asked {} times", asked.get());
}

#[test]
fn many_violations_in_one_large_mapping_stay_fast() {
    // 100,000 keys, each value of the wrong type: each violation is found through the mapping's key table, not
    // a scan of its keys.
    let s = schema("additionalProperties: {type: string}\n");
    let mut text = String::from("{");
    for i in 0..100_000 {
        text.push_str(&format!("\"k{i}\": {i},"));
    }
    text.push_str("\"last\": 0}");
    let started = Instant::now();
    let report = s.check(text.as_bytes(), Format::Json, &Options::default(), &|| false).unwrap();
    assert_eq!(report.violations.len(), 100_001);
    assert_eq!(report.violations[99_999].diagnostic.path.as_deref(), Some("k99999"));
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
    // At most N, the first N in the text.
    let few = s.check_at_most(text.as_bytes(), Format::Json, &Options::default(), 3, &|| false).unwrap();
    let paths: Vec<_> = few.violations.iter().map(|v| v.diagnostic.path.clone().unwrap()).collect();
    assert_eq!(paths, ["k0", "k1", "k2"]);
}

#[test]
fn keys_given_twice_are_refused_in_json() {
    let s = schema("{}");
    let failed = s.check(br#"{"a": 1, "a": 2}"#, Format::Json, &Options::default(), &|| false).unwrap_err();
    assert_eq!((failed[0].code, failed[0].position.column), (ErrorCode::DuplicateKey, 10));
}

#[test]
fn numbers_are_compared_exactly() {
    let s = schema("maximum: 18446744073709551615\n");
    let ok = s.check(b"18446744073709551615", Format::Json, &Options::default(), &|| false).unwrap();
    assert!(ok.violations.is_empty());
    let over = s.check(b"18446744073709551616", Format::Json, &Options::default(), &|| false).unwrap();
    assert_eq!(over.violations.len(), 1);
    let toml = schema("properties: {n: {multipleOf: 3}}\n");
    let report = toml.check(b"n = 0x1_F\n", Format::Toml, &Options::default(), &|| false).unwrap();
    assert_eq!(report.violations.len(), 1, "31 is not a multiple of 3");
}
