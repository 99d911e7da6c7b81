//! Any bytes, read as JSON, JSONC and NDJSON, whole and streamed in small pieces: no panic, the same verdict
//! and the same output either way, and whatever is accepted formats to text that reads back to itself.
#![no_main]

use dfmt_core::json::Indent;
use dfmt_core::{ChunkedInput, Format, Limits, Options, PieceFill, SliceInput, convert};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let piece = usize::from(data.first().copied().unwrap_or(1)) % 17 + 1;
    let limits = Limits { max_depth: 64, ..Limits::DEFAULT };
    for format in [Format::Json, Format::Jsonc, Format::Ndjson] {
        for indent in [Indent::Spaces(2), Indent::Compact] {
            let options = Options { indent, limits, ..Options::default() };
            let whole = convert(&mut SliceInput::new(data), format, format, &options, Vec::new());
            let mut input = ChunkedInput::new(PieceFill::new(data, piece), u64::MAX);
            let streamed = convert(&mut input, format, format, &options, Vec::new());
            match (&whole, &streamed) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => assert_eq!(a, b),
                _ => panic!("whole and streamed disagree: {whole:?} vs {streamed:?}"),
            }
            if let Ok(out) = whole {
                let again = convert(&mut SliceInput::new(&out), format, format, &options, Vec::new())
                    .expect("formatted output reads back");
                assert_eq!(again, out, "formatting is idempotent");
            }
        }
    }
});
