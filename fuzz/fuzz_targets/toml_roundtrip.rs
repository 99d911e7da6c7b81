//! Data survives TOML, for any input that loads (default limits and options):
//!
//! - `toml::format` is idempotent: formatting the formatted text gives the same text and the same fingerprint
//!   (the data and every comment unchanged).
//! - The formatted text converts to the same JSON as the input (or, when the JSON conversion refuses inf or nan,
//!   to the same YAML).
//! - TOML → JSON → TOML → JSON gives the same JSON (when TOML → JSON succeeds), compared with sorted keys: the
//!   TOML writer puts a table's plain entries before its sub-tables, which may reorder keys.
#![no_main]

use dfmt_core::{Error, Format, Limits, Options, SliceInput, convert, toml};
use libfuzzer_sys::fuzz_target;

fn run(src: &[u8], from: Format, to: Format) -> Result<Vec<u8>, Error> {
    convert(&mut SliceInput::new(src), from, to, &Options::default(), Vec::new())
}

/// TOML → JSON with every mapping's keys sorted.
fn sorted_json(toml: &[u8]) -> Result<Vec<u8>, Error> {
    let options = Options { sort_keys: true, ..Options::default() };
    convert(&mut SliceInput::new(toml), Format::Toml, Format::Json, &options, Vec::new())
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::DEFAULT;
    if toml::load(data, &limits).is_err() {
        return;
    }
    let once = toml::format(data, &limits, b"  ").unwrap_or_else(|e| panic!("format fails on TOML that loads: {e:?}"));

    // (a) Idempotence, text and fingerprint.
    let twice = toml::format(&once.text, &limits, b"  ")
        .unwrap_or_else(|e| panic!("the formatted text does not read: {e:?}\n--- formatted:\n{}", text(&once.text)));
    assert!(
        twice.text == once.text,
        "formatting is not idempotent\n--- input:\n{}\n--- once:\n{}\n--- twice:\n{}",
        text(data),
        text(&once.text),
        text(&twice.text)
    );
    assert!(
        twice.fingerprint == once.fingerprint,
        "formatting changed the data or a comment (fingerprints differ)\n--- input:\n{}\n--- formatted:\n{}",
        text(data),
        text(&once.text)
    );

    // (b) The formatted text holds the same data, compared as JSON (or YAML for inf and nan).
    let json = run(data, Format::Toml, Format::Json);
    let (to, before) = match &json {
        Ok(json) => (Format::Json, json.clone()),
        Err(_) => (
            Format::Yaml,
            run(data, Format::Toml, Format::Yaml)
                .unwrap_or_else(|e| panic!("TOML that loads converts neither to JSON nor to YAML: {e:?}")),
        ),
    };
    let after = run(&once.text, Format::Toml, to).unwrap_or_else(|e| {
        panic!("the formatted text does not convert to {to}: {e:?}\n--- formatted:\n{}", text(&once.text))
    });
    assert!(
        before == after,
        "formatting changed the data\n--- input:\n{}\n--- formatted:\n{}\n--- {to} before:\n{}\n--- {to} after:\n{}",
        text(data),
        text(&once.text),
        text(&before),
        text(&after)
    );

    // (c) TOML → JSON → TOML → JSON.
    let Ok(json) = json else { return };
    let toml_again = run(&json, Format::Json, Format::Toml).unwrap_or_else(|e| {
        panic!("the JSON of a TOML text does not convert to TOML: {e:?}\n--- JSON:\n{}", text(&json))
    });
    let expected = sorted_json(data).unwrap_or_else(|e| panic!("TOML → JSON fails with sorted keys only: {e:?}"));
    let got = sorted_json(&toml_again).unwrap_or_else(|e| {
        panic!("the TOML written from JSON does not convert back: {e:?}\n--- TOML:\n{}", text(&toml_again))
    });
    assert!(
        expected == got,
        "TOML → JSON → TOML → JSON changed the data\n--- input:\n{}\n--- JSON:\n{}\n--- TOML:\n{}\n--- JSON before \
         (keys sorted):\n{}\n--- JSON after (keys sorted):\n{}",
        text(data),
        text(&json),
        text(&toml_again),
        text(&expected),
        text(&got)
    );
});
