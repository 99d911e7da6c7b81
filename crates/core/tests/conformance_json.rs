//! JSONTestSuite: every `y_` file accepted, every `n_` file rejected, every `i_` file decided as documented in
//! ARCHITECTURE.md — read whole and streamed in small pieces, with the same verdict and the same output.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod shared;

use dfmt_core::{ChunkedInput, Format, Limits, Options, PieceFill, SliceInput, convert, validate};

/// The implementation-defined cases dfmt accepts; every other `i_` case is rejected.
/// Numbers are kept as written, so no number is out of range; escaped lone surrogates are kept as written
/// (they are valid escapes); raw bytes that are not UTF-8, and UTF-16 input, are rejected.
const ACCEPTED_I: &[&str] = &[
    "i_number_double_huge_neg_exp.json",
    "i_number_huge_exp.json",
    "i_number_neg_int_huge_exp.json",
    "i_number_pos_double_huge_exp.json",
    "i_number_real_neg_overflow.json",
    "i_number_real_pos_overflow.json",
    "i_number_real_underflow.json",
    "i_number_too_big_neg_int.json",
    "i_number_too_big_pos_int.json",
    "i_number_very_big_negative_int.json",
    "i_object_key_lone_2nd_surrogate.json",
    "i_string_1st_surrogate_but_2nd_missing.json",
    "i_string_1st_valid_surrogate_2nd_invalid.json",
    "i_string_incomplete_surrogate_and_escape_valid.json",
    "i_string_incomplete_surrogate_pair.json",
    "i_string_incomplete_surrogates_escape_valid.json",
    "i_string_invalid_lonely_surrogate.json",
    "i_string_invalid_surrogate.json",
    "i_string_inverted_surrogates_U+1D11E.json",
    "i_string_lone_second_surrogate.json",
    "i_structure_500_nested_arrays.json",
    "i_structure_UTF-8_BOM_empty_object.json",
];

fn verdict_whole(bytes: &[u8]) -> Result<Vec<u8>, dfmt_core::Error> {
    validate(&mut SliceInput::new(bytes), Format::Json, &Limits::DEFAULT)?;
    convert(&mut SliceInput::new(bytes), Format::Json, Format::Json, &Options::default(), Vec::new())
}

fn verdict_streamed(bytes: &[u8], piece: usize) -> Result<Vec<u8>, dfmt_core::Error> {
    let mut input = ChunkedInput::new(PieceFill::new(bytes, piece), u64::MAX);
    convert(&mut input, Format::Json, Format::Json, &Options::default(), Vec::new())
}

#[test]
fn json_test_suite_parsing() {
    let Some(dir) = shared::shared_dir("conformance/json/parsing") else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (mut accepted, mut rejected, mut failures) = (0, 0, Vec::new());
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let bytes = std::fs::read(path).unwrap();
        let whole = verdict_whole(&bytes);
        for piece in [1, 7, 4096] {
            let streamed = verdict_streamed(&bytes, piece);
            if streamed.as_ref().ok() != whole.as_ref().ok()
                || streamed.as_ref().err().map(|e| e.span) != whole.as_ref().err().map(|e| e.span)
            {
                failures.push(format!("{name}: streamed in pieces of {piece} differs: {streamed:?} vs {whole:?}"));
            }
        }
        let expect_ok = match name.as_bytes()[0] {
            b'y' => true,
            b'n' => false,
            _ => ACCEPTED_I.contains(&name.as_str()),
        };
        match (&whole, expect_ok) {
            (Ok(_), true) => accepted += 1,
            (Err(_), false) => rejected += 1,
            (Ok(_), false) => failures.push(format!("{name}: accepted, should be rejected")),
            (Err(e), true) => failures.push(format!("{name}: rejected ({e}), should be accepted")),
        }
        // Whatever is accepted formats to something that reads back to the same text.
        if let Ok(out) = &whole {
            let again = verdict_whole(out).map_err(|e| format!("{name}: output does not read back: {e}"));
            if again.as_ref() != Ok(out) {
                failures.push(format!("{name}: formatting is not idempotent: {again:?}"));
            }
        }
    }
    eprintln!(
        "JSONTestSuite: {accepted} accepted, {rejected} rejected, {} failures, of {}",
        failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(accepted + rejected, 318);
}
