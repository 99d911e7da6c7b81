//! A digest of a stream's data, to prove that formatting changed nothing.

use crate::error::Error;
use crate::event::{Event, EventKind, Props, Sink};

/// A 64-bit digest of a stream's data: structure, scalars with their kinds and text, and comments; not layout.
///
/// Two streams with equal digests hold the same data, barring a hash collision. `--write` compares the digest
/// of what it wrote with the digest of reading that back before it replaces a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0x243f_6a88_85a3_08d3)
    }
}

impl Fingerprint {
    /// The digest so far.
    pub fn value(&self) -> u64 {
        self.0
    }

    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }

    fn props(&mut self, props: &Props<'_>) {
        if let Some(anchor) = props.anchor {
            self.mix(12);
            self.bytes(anchor);
        }
        if let Some(tag) = props.tag {
            self.mix(13);
            self.bytes(tag);
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(w));
        }
        let mut w = [0u8; 8];
        w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(w));
        self.mix(bytes.len() as u64);
    }
}

impl Sink for Fingerprint {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::StreamStart => self.mix(1),
            EventKind::StreamEnd => self.mix(2),
            EventKind::DocumentStart { .. } => self.mix(3),
            EventKind::DocumentEnd { .. } => self.mix(4),
            EventKind::MappingStart(props) => {
                self.mix(5);
                self.props(&props);
            }
            EventKind::MappingEnd => self.mix(6),
            EventKind::SequenceStart(props) => {
                self.mix(7);
                self.props(&props);
            }
            EventKind::SequenceEnd => self.mix(8),
            // A scalar's data is its kind and text; its style is layout, except that JSON text as written (with
            // quotes and escapes) is not comparable with decoded text.
            EventKind::Scalar(s) => {
                let raw = u64::from(s.style.is_json());
                self.mix(9 + ((s.kind as u64) << 8) + (raw << 16));
                self.bytes(s.text);
                self.props(&s.props);
            }
            EventKind::Alias(name) => {
                self.mix(10);
                self.bytes(name);
            }
            EventKind::Comment(c) => {
                self.mix(11 + ((c.style as u64) << 8));
                self.bytes(c.text);
            }
            EventKind::BlankLine => {}
        }
        Ok(())
    }
}
