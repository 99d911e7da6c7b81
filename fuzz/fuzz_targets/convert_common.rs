//! Shared by the `convert_from_*` targets: one input, read as `from`, written as every format through the job
//! API, with small limits. No input may panic; every failure must be a diagnostic that points inside the input;
//! no output may pass its limit.

use dfmt_core::{Action, Format, Indent, Job, Limits, Options, SliceInput};

/// Runs every conversion of `data` from `from`, with a layout chosen by `choice`.
pub fn every_conversion(data: &[u8], from: Format, choice: u8) {
    let limits = Limits {
        max_depth: 64,
        max_alias_nodes: 10_000,
        alias_nodes_per_byte: 10,
        max_alias_bytes: 1 << 20,
        alias_bytes_per_byte: 10,
        max_output_bytes: 4 << 20,
        max_held_bytes: 4 << 20,
        ..Limits::DEFAULT
    };
    let indent = match choice % 3 {
        0 => Indent::Spaces(2),
        1 => Indent::Tab,
        _ => Indent::Compact,
    };
    let options = Options { indent, sort_keys: choice & 4 != 0, yaml_drop_tags: choice & 8 != 0, limits, ..Options::default() };
    for to in Format::ALL {
        let action = if to == from { Action::Format } else { Action::Convert(to) };
        let job = Job { action, from, options };
        let run = if choice & 16 != 0 { Job::run_fingerprinted } else { Job::run };
        match run(&job, &mut SliceInput::new(data), Vec::new()) {
            Ok(done) => assert!(done.output.len() as u64 <= limits.max_output_bytes, "output past its limit"),
            Err(diagnostics) => {
                let d = &diagnostics[0];
                assert!(d.span.start <= data.len() as u64, "{d:?} points past the input");
                assert!(d.position.line >= 1 && d.position.column >= 1, "{d:?} has no position");
                assert!(!d.message.is_empty() && !d.message.contains("{}"), "{d:?}");
            }
        }
    }
    let validated = Job { action: Action::Validate, from, options };
    let _ = validated.run(&mut SliceInput::new(data), dfmt_core::Discard);
}
