//! Any bytes, read as TOML with the default limits: no panic, no hang, bounded memory; `toml::load` and
//! `toml::format` agree (they run the same checks, so both succeed or both fail with the same error), and an
//! error's span lies within the input.
#![no_main]

use dfmt_core::{Error, Limits, locate, toml};
use libfuzzer_sys::fuzz_target;

fn check_span(data: &[u8], what: &str, e: &Error) {
    assert!(
        e.span.start <= e.span.end && e.span.end <= data.len() as u64,
        "{what}: error span outside the input ({}): {e:?}",
        data.len()
    );
    let _ = locate(data, e.span.start);
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::DEFAULT;
    let loaded = toml::load(data, &limits);
    let formatted = toml::format(data, &limits, b"  ");
    match (&loaded, &formatted) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => {
            check_span(data, "load", a);
            check_span(data, "format", b);
            assert_eq!(a, b, "load and format fail with different errors");
        }
        (Ok(_), Err(e)) => panic!("load succeeds but format fails: {e:?}"),
        (Err(e), Ok(f)) => {
            panic!("format succeeds but load fails: {e:?}\n--- formatted:\n{}", String::from_utf8_lossy(&f.text))
        }
    }
});
