//! A digest of a stream's data, to prove that formatting changed nothing.

use crate::error::Error;
use crate::event::{Event, EventKind, Props, Sink};

/// A digest of a stream's data: structure, scalars with their kinds and text, and comments; not layout.
///
/// Two streams with equal digests hold the same data, barring a hash collision. `--write` compares the digest
/// of what it wrote with the digest of reading that back before it replaces a file.
///
/// Comments are digested apart from the data, each with the number of nodes (scalars, aliases, collections,
/// documents) that come before it: a comment must stay after the same node, but may move across the ends of
/// collections. `a: [x] # c` written in block style puts `# c` after `x` but before the sequence's end, and the
/// comment still follows `x`; moving it to another key's line changes its count and is caught.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    data: u64,
    comments: u64,
    /// Nodes seen so far.
    nodes: u64,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint { data: 0x243f_6a88_85a3_08d3, comments: 0x1319_8a2e_0370_7344, nodes: 0 }
    }
}

/// One step of the digest: `state` absorbs `word`.
#[inline]
fn step(state: u64, word: u64) -> u64 {
    (state ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
}

impl Fingerprint {
    /// The digest so far.
    pub fn value(&self) -> u64 {
        step(step(self.data, self.comments), self.nodes)
    }

    #[inline]
    fn mix(&mut self, word: u64) {
        self.data = step(self.data, word);
    }

    /// Counts a node: what a comment's place is measured in.
    #[inline]
    fn node(&mut self, word: u64) {
        self.nodes += 1;
        self.mix(word);
    }

    fn props(&mut self, props: &Props<'_>) {
        if let Some(anchor) = props.anchor {
            self.mix(12);
            absorb(&mut self.data, anchor);
        }
        if let Some(tag) = props.tag {
            self.mix(13);
            absorb(&mut self.data, tag);
        }
    }
}

/// `state` absorbs `bytes`, eight at a time, then their length.
fn absorb(state: &mut u64, bytes: &[u8]) {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        *state = step(*state, u64::from_le_bytes(w));
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    *state = step(*state, u64::from_le_bytes(w));
    *state = step(*state, bytes.len() as u64);
}

impl Sink for Fingerprint {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::StreamStart => self.mix(1),
            EventKind::StreamEnd => self.mix(2),
            EventKind::DocumentStart { .. } => self.node(3),
            EventKind::DocumentEnd { .. } => self.mix(4),
            EventKind::MappingStart(props) => {
                self.node(5);
                self.props(&props);
            }
            EventKind::MappingEnd => self.mix(6),
            EventKind::SequenceStart(props) => {
                self.node(7);
                self.props(&props);
            }
            EventKind::SequenceEnd => self.mix(8),
            // A scalar's data is its kind and text; its style is layout, except that JSON text as written (with
            // quotes and escapes) is not comparable with decoded text.
            EventKind::Scalar(s) => {
                let raw = u64::from(s.style.is_json());
                self.node(9 + ((s.kind as u64) << 8) + (raw << 16));
                absorb(&mut self.data, s.text);
                self.props(&s.props);
            }
            EventKind::Alias(name) => {
                self.node(10);
                absorb(&mut self.data, name);
            }
            EventKind::Comment(c) => {
                self.comments = step(step(self.comments, 11 + ((c.style as u64) << 8)), self.nodes);
                absorb(&mut self.comments, c.text);
            }
            EventKind::BlankLine => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Comment, CommentStyle, Scalar, ScalarKind, ScalarStyle};
    use crate::source::Span;

    const MAP: EventKind<'static> = EventKind::MappingStart(Props::NONE);
    const SEQ: EventKind<'static> = EventKind::SequenceStart(Props::NONE);

    fn plain(text: &str) -> EventKind<'_> {
        EventKind::Scalar(Scalar {
            text: text.as_bytes(),
            kind: ScalarKind::String,
            style: ScalarStyle::Plain,
            props: Props::NONE,
        })
    }

    fn comment(text: &str) -> EventKind<'_> {
        EventKind::Comment(Comment { text: text.as_bytes(), style: CommentStyle::Line, trailing: true })
    }

    fn of(events: &[EventKind<'_>]) -> u64 {
        let mut fingerprint = Fingerprint::default();
        for &kind in events {
            fingerprint.event(Event::new(kind, Span::default())).unwrap();
        }
        fingerprint.value()
    }

    #[test]
    fn comments_keep_their_node_but_may_cross_ends() {
        use EventKind::{MappingEnd as MEND, SequenceEnd as SEND};
        // `a: [x] # c` and `a:\n  - x # c`.
        let flow = of(&[MAP, plain("a"), SEQ, plain("x"), SEND, comment("c"), MEND]);
        let block = of(&[MAP, plain("a"), SEQ, plain("x"), comment("c"), SEND, MEND]);
        assert_eq!(flow, block);
        // After another node: caught.
        let moved = of(&[MAP, plain("a"), SEQ, plain("x"), SEND, MEND, comment("c")]);
        assert_eq!(moved, flow, "an end is not a node");
        let elsewhere = of(&[MAP, plain("a"), comment("c"), SEQ, plain("x"), SEND, MEND]);
        assert_ne!(elsewhere, flow);
        // Other text, a lost comment, other structure: caught.
        assert_ne!(of(&[MAP, plain("a"), SEQ, plain("x"), SEND, comment("d"), MEND]), flow);
        assert_ne!(of(&[MAP, plain("a"), SEQ, plain("x"), SEND, MEND]), flow);
        assert_ne!(
            of(&[SEQ, SEQ, plain("1"), SEND, plain("2"), SEND]),
            of(&[SEQ, SEQ, plain("1"), plain("2"), SEND, SEND])
        );
    }
}
