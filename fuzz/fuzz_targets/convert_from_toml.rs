//! Any bytes read as TOML (the first byte picks the layout and options) and written as every format.
#![no_main]

mod convert_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let from = dfmt_core::Format::Toml;
    convert_common::every_conversion(rest, from, choice);
});
