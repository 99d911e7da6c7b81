//! Any bytes read as JSON, JSONC or NDJSON (the first byte picks the dialect, the layout and the options) and
//! written as every format.
#![no_main]

mod convert_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let from = [dfmt_core::Format::Json, dfmt_core::Format::Jsonc, dfmt_core::Format::Ndjson][usize::from(choice >> 6) % 3];
    convert_common::every_conversion(rest, from, choice);
});
