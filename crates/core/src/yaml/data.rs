//! YAML data under JSON's rules: what a resolved YAML stream must become before a JSON writer can print it.
//!
//! [`ToJson`] runs after [`super::Resolve`] and applies, event by event, what JSON cannot leave to the reader:
//! tags are checked and dropped (a known tag must match its value; JSON has no place for the others), numbers are
//! respelled in JSON's grammar (`0x1F` is `31`, `.5` is `0.5`; `.inf` has no spelling at all), every mapping key
//! becomes a string, and a key repeated within one mapping is an error rather than a silent loss.
//!
//! The duplicate check sits on the hot path of large conversions, so it allocates nothing in the steady state:
//! the keys of all open mappings share one byte arena and one entry stack, each mapping owning the tail it added;
//! a mapping with more than [`LINEAR`] keys also gets a hash table (hashbrown's, keyed by the caller's seed), one
//! per depth, reused by the next mapping at that depth.

use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::keys::{KeyHasher, MAX_COMPARISONS};
use crate::source::Span;
use crate::yaml::core_kind;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use hashbrown::HashTable;

const STR: &[u8] = b"tag:yaml.org,2002:str";
const INT: &[u8] = b"tag:yaml.org,2002:int";
const FLOAT: &[u8] = b"tag:yaml.org,2002:float";
const BOOL: &[u8] = b"tag:yaml.org,2002:bool";
const NULL: &[u8] = b"tag:yaml.org,2002:null";
const MAP: &[u8] = b"tag:yaml.org,2002:map";
const SEQ: &[u8] = b"tag:yaml.org,2002:seq";

/// Turns resolved YAML data into events a JSON writer can print: untagged, with JSON numbers and string keys.
///
/// - Scalars: null, booleans and numbers are spelled as JSON spells them (integers of any size, in decimal;
///   floats keep their literal where JSON accepts it); `.inf` and `.nan` are [`ErrorCode::NonFinite`].
/// - Tags: `!!str` and `!` make a string; `!!int`, `!!float`, `!!bool`, `!!null` must match what the text
///   resolves to ([`ErrorCode::TagMismatch`] otherwise; an integer is a valid `!!float` and is written with `.0`);
///   `!!map` and `!!seq` must match the node. Any other tag is [`ErrorCode::UnsupportedTag`], or, with
///   `drop_tags`, ignored. Keys are checked the same way.
/// - Keys: scalars only, written as strings with their text as written; a key repeated in one mapping is
///   [`ErrorCode::DuplicateKey`].
#[derive(Debug)]
pub struct ToJson<S> {
    inner: S,
    drop_tags: bool,
    /// Open mappings and sequences.
    frames: Vec<Frame>,
    keys: Keys,
    /// The respelled text of the current number.
    number: Vec<u8>,
    /// Base-10^9 digits, least significant first, for converting hexadecimal and octal integers.
    limbs: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    mapping: bool,
    /// The next node is a key.
    key_next: bool,
    /// Where this mapping's keys begin.
    mark: Mark,
}

impl<S: Sink> ToJson<S> {
    /// Forwards to `inner`; with `drop_tags`, tags JSON has no meaning for are ignored instead of refused.
    pub fn new(inner: S, drop_tags: bool) -> Self {
        ToJson { inner, drop_tags, frames: Vec::new(), keys: Keys::default(), number: Vec::new(), limbs: Vec::new() }
    }

    /// Keys the hash of the duplicate-key index with `seed` ([`crate::Limits::hash_seed`]).
    pub fn seeded(mut self, seed: u64) -> Self {
        self.keys = Keys::new(seed);
        self
    }

    /// The sink the events go to.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// A node begins: true when it is a mapping key.
    #[inline]
    fn node_start(&mut self) -> bool {
        next_is_key(&mut self.frames)
    }

    fn open(&mut self, props: Props<'_>, mapping: bool, span: Span) -> Result<(), Error> {
        if self.node_start() {
            return Err(Error::new(ErrorCode::ComplexKey, span));
        }
        match props.tag {
            None | Some(b"!") => {}
            Some(MAP) if mapping => {}
            Some(SEQ) if !mapping => {}
            Some(STR | INT | FLOAT | BOOL | NULL | MAP | SEQ) => return Err(mismatch(span)),
            Some(_) if self.drop_tags => {}
            Some(_) => return Err(Error::new(ErrorCode::UnsupportedTag, span)),
        }
        let mark = self.keys.mark();
        self.frames.push(Frame { mapping, key_next: true, mark });
        Ok(())
    }

    /// What a scalar means once its tag is applied.
    fn meaning(&self, scalar: &Scalar<'_>, span: Span) -> Result<ScalarKind, Error> {
        let Some(tag) = scalar.props.tag else { return Ok(scalar.kind) };
        let want = match tag {
            b"!" | STR => return Ok(ScalarKind::String),
            INT => ScalarKind::Integer,
            FLOAT => ScalarKind::Float,
            BOOL => ScalarKind::Bool,
            NULL => ScalarKind::Null,
            MAP | SEQ => return Err(mismatch(span)),
            // Read as if untagged: a plain scalar resolves by the core schema, any other is a string.
            _ if self.drop_tags => {
                return Ok(match scalar.style {
                    ScalarStyle::Plain => core_kind(scalar.text),
                    _ => ScalarKind::String,
                });
            }
            _ => return Err(Error::new(ErrorCode::UnsupportedTag, span)),
        };
        let found = core_kind(scalar.text);
        // `[-+]?[0-9]+` is also a float in the core schema's float grammar.
        let decimal = |text: &[u8]| {
            let digits = text.strip_prefix(b"-").or_else(|| text.strip_prefix(b"+")).unwrap_or(text);
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        };
        if found == want || (want == ScalarKind::Float && found == ScalarKind::Integer && decimal(scalar.text)) {
            Ok(want)
        } else {
            Err(mismatch(span))
        }
    }

    fn scalar(&mut self, scalar: &Scalar<'_>, span: Span) -> Result<(), Error> {
        let key = self.node_start();
        let kind = self.meaning(scalar, span)?;
        if key {
            let depth = self.frames.len() - 1;
            let mark = self.frames[depth].mark;
            if let Err(first) = self.keys.insert(depth, mark, scalar.text, span.start) {
                return Err(Error::with(ErrorCode::DuplicateKey, Detail::Earlier(first), span));
            }
            let style = if scalar.style.is_json() { scalar.style } else { ScalarStyle::Decoded };
            let key = Scalar { text: scalar.text, kind: ScalarKind::String, style, props: Props::NONE };
            return self.inner.event(Event::new(EventKind::Scalar(key), span));
        }
        let text: &[u8] = match kind {
            ScalarKind::Null => b"null",
            ScalarKind::Bool => match scalar.text.first() {
                Some(b't' | b'T') => b"true",
                _ => b"false",
            },
            ScalarKind::Integer => match integer_into(scalar.text, &mut self.number, &mut self.limbs) {
                Ok(true) => &self.number,
                Ok(false) => scalar.text,
                Err(()) => return Err(invalid_number(span)),
            },
            ScalarKind::Float => match float_into(scalar.text, &mut self.number) {
                Ok(true) => &self.number,
                Ok(false) => scalar.text,
                Err(FloatError::NonFinite) => return Err(Error::new(ErrorCode::NonFinite, span)),
                Err(FloatError::Invalid) => return Err(invalid_number(span)),
            },
            ScalarKind::String | ScalarKind::DateTime => {
                let out = Scalar { text: scalar.text, kind, style: scalar.style, props: Props::NONE };
                return self.inner.event(Event::new(EventKind::Scalar(out), span));
            }
        };
        let out = Scalar { text, kind, style: ScalarStyle::Plain, props: Props::NONE };
        self.inner.event(Event::new(EventKind::Scalar(out), span))
    }
}

impl<S: Sink> Sink for ToJson<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let span = event.span;
        match event.kind {
            EventKind::Scalar(scalar) => self.scalar(&scalar, span),
            EventKind::MappingStart(props) => {
                self.open(props, true, span)?;
                self.inner.event(Event::new(EventKind::MappingStart(Props::NONE), span))
            }
            EventKind::SequenceStart(props) => {
                self.open(props, false, span)?;
                self.inner.event(Event::new(EventKind::SequenceStart(Props::NONE), span))
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                if let Some(frame) = self.frames.pop()
                    && frame.mapping
                {
                    self.keys.close(self.frames.len(), frame.mark);
                }
                self.inner.event(event)
            }
            EventKind::Alias(_) => Err(Error::new(ErrorCode::UnexpandedAlias, span)),
            EventKind::StreamStart
            | EventKind::StreamEnd
            | EventKind::DocumentStart { .. }
            | EventKind::DocumentEnd { .. }
            | EventKind::Comment(_)
            | EventKind::BlankLine => self.inner.event(event),
        }
    }
}

/// Checks that no mapping repeats a key, as YAML requires, and forwards every event unchanged: the check behind
/// `validate`. Scalar keys are equal when their kind and text are (`1` and `"1"` differ); a mapping or sequence
/// used as a key is not compared.
#[derive(Debug)]
pub struct UniqueKeys<S> {
    inner: S,
    frames: Vec<Frame>,
    keys: Keys,
    /// The current key: its kind, then its text, decoded.
    key: Vec<u8>,
    /// Where a JSON string key is decoded.
    scratch: Vec<u8>,
}

impl<S: Sink> UniqueKeys<S> {
    /// Forwards to `inner`.
    pub fn new(inner: S) -> Self {
        UniqueKeys { inner, frames: Vec::new(), keys: Keys::default(), key: Vec::new(), scratch: Vec::new() }
    }

    /// Keys the hash of the duplicate-key index with `seed` ([`crate::Limits::hash_seed`]).
    pub fn seeded(mut self, seed: u64) -> Self {
        self.keys = Keys::new(seed);
        self
    }

    /// The sink the events go to.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// A node begins: the index of its mapping when it is a key.
    fn key_of(&mut self) -> Option<usize> {
        next_is_key(&mut self.frames).then(|| self.frames.len() - 1)
    }
}

impl<S: Sink> Sink for UniqueKeys<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::Scalar(scalar) => {
                if let Some(depth) = self.key_of() {
                    self.key.clear();
                    self.key.push(scalar.kind as u8);
                    // JSON keys come as written: `"a"` and `"\u0061"` are the same key.
                    self.key.extend_from_slice(scalar.decode_into(&mut self.scratch));
                    let mark = self.frames[depth].mark;
                    if let Err(first) = self.keys.insert(depth, mark, &self.key, event.span.start) {
                        return Err(Error::with(ErrorCode::DuplicateKey, Detail::Earlier(first), event.span));
                    }
                }
            }
            EventKind::MappingStart(_) | EventKind::SequenceStart(_) => {
                self.key_of();
                let mapping = matches!(event.kind, EventKind::MappingStart(_));
                self.frames.push(Frame { mapping, key_next: true, mark: self.keys.mark() });
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                if let Some(frame) = self.frames.pop()
                    && frame.mapping
                {
                    self.keys.close(self.frames.len(), frame.mark);
                }
            }
            EventKind::Alias(_) => {
                self.key_of();
            }
            _ => {}
        }
        self.inner.event(event)
    }
}

/// A node begins inside `frames`: true when it is a key of the innermost mapping (which then expects a value).
#[inline]
fn next_is_key(frames: &mut [Frame]) -> bool {
    match frames.last_mut() {
        Some(top) if top.mapping => {
            let key = top.key_next;
            top.key_next = !key;
            key
        }
        _ => false,
    }
}

fn mismatch(span: Span) -> Error {
    Error::new(ErrorCode::TagMismatch, span)
}

fn invalid_number(span: Span) -> Error {
    Error::new(ErrorCode::YamlNotCoreNumber, span)
}

/// Splits an optional sign off `text`: (`-` or nothing, true when the sign was `+`, the rest).
fn sign(text: &[u8]) -> (&'static [u8], bool, &[u8]) {
    match text {
        [b'-', rest @ ..] => (b"-", false, rest),
        [b'+', rest @ ..] => (b"", true, rest),
        _ => (b"", false, text),
    }
}

/// The number of leading zeros of the digit run `digits` that JSON forbids (all but a last digit).
fn extra_zeros(digits: &[u8]) -> usize {
    digits.iter().take_while(|&&b| b == b'0').count().min(digits.len().saturating_sub(1))
}

/// Writes the core-schema integer `text` (`[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`) as a JSON integer into
/// `out`; returns false, writing nothing, when `text` already is one.
fn integer_into(text: &[u8], out: &mut Vec<u8>, limbs: &mut Vec<u32>) -> Result<bool, ()> {
    if let Some(hex) = text.strip_prefix(b"0x") {
        return radix_into(hex, 16, out, limbs).map(|()| true);
    }
    if let Some(octal) = text.strip_prefix(b"0o") {
        return radix_into(octal, 8, out, limbs).map(|()| true);
    }
    let (minus, plus, digits) = sign(text);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    let zeros = extra_zeros(digits);
    if zeros == 0 && !plus {
        return Ok(false);
    }
    out.clear();
    out.extend_from_slice(minus);
    out.extend_from_slice(&digits[zeros..]);
    Ok(true)
}

/// Writes the digits of `digits` in base `radix` as a decimal number into `out`, at any size: the value is built
/// in base 10^9 limbs, one input digit at a time.
fn radix_into(digits: &[u8], radix: u32, out: &mut Vec<u8>, limbs: &mut Vec<u32>) -> Result<(), ()> {
    const BASE: u64 = 1_000_000_000;
    if digits.is_empty() {
        return Err(());
    }
    limbs.clear();
    for &digit in digits {
        let mut carry = u64::from(char::from(digit).to_digit(radix).ok_or(())?);
        for limb in limbs.iter_mut() {
            let x = u64::from(*limb) * u64::from(radix) + carry;
            *limb = (x % BASE) as u32;
            carry = x / BASE;
        }
        if carry != 0 {
            // Less than `radix`, so it fits a limb.
            limbs.push(carry as u32);
        }
    }
    out.clear();
    match limbs.split_last() {
        None => out.push(b'0'),
        Some((&top, rest)) => {
            push_decimal(out, top, false);
            for &limb in rest.iter().rev() {
                push_decimal(out, limb, true);
            }
        }
    }
    Ok(())
}

/// Appends `n` (below 10^9) in decimal, padded with zeros to nine digits when `pad`.
fn push_decimal(out: &mut Vec<u8>, mut n: u32, pad: bool) {
    let mut digits = [b'0'; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[if pad { 1 } else { i }..]);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FloatError {
    NonFinite,
    Invalid,
}

/// Writes the core-schema float `text` in JSON's grammar into `out`; returns false, writing nothing, when `text`
/// already is JSON. An integer literal (a `!!float`-tagged one) gets `.0`, so that it reads back as a float.
fn float_into(text: &[u8], out: &mut Vec<u8>) -> Result<bool, FloatError> {
    let (minus, plus, body) = sign(text);
    if matches!(body, b".inf" | b".Inf" | b".INF" | b".nan" | b".NaN" | b".NAN") {
        return Err(FloatError::NonFinite);
    }
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let (int, mut rest) = body.split_at(digits(body));
    let mut fraction = None;
    if let [b'.', after @ ..] = rest {
        let (f, after) = after.split_at(digits(after));
        fraction = Some(f);
        rest = after;
    }
    if int.is_empty() && fraction.is_none_or(<[u8]>::is_empty) {
        return Err(FloatError::Invalid);
    }
    // What is left is the exponent, which JSON spells as YAML does.
    if let [b'e' | b'E', exp @ ..] = rest {
        let (_, _, exp) = sign(exp);
        if exp.is_empty() || digits(exp) != exp.len() {
            return Err(FloatError::Invalid);
        }
    } else if !rest.is_empty() {
        return Err(FloatError::Invalid);
    }
    let zeros = extra_zeros(int);
    let fraction_ok = fraction.is_none_or(|f| !f.is_empty());
    let is_float = fraction.is_some() || !rest.is_empty();
    if !plus && !int.is_empty() && zeros == 0 && fraction_ok && is_float {
        return Ok(false);
    }
    out.clear();
    out.extend_from_slice(minus);
    if int.is_empty() {
        out.push(b'0');
    } else {
        out.extend_from_slice(&int[zeros..]);
    }
    match fraction {
        Some([]) => out.extend_from_slice(b".0"),
        Some(f) => {
            out.push(b'.');
            out.extend_from_slice(f);
        }
        None if rest.is_empty() => out.extend_from_slice(b".0"),
        None => {}
    }
    out.extend_from_slice(rest);
    Ok(true)
}

/// Mappings with at most this many keys are searched linearly; more get a hash table. 16 rather than 8: real
/// mappings often have 5 to 16 keys, and hashing all of a mapping's keys to build its table costs more than
/// comparing (mostly lengths) against a few more entries (docs/benchmarks.md, "Duplicate keys").
const LINEAR: usize = 16;

/// Where a mapping's keys begin in [`Keys`].
#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    entries: usize,
    bytes: usize,
}

/// One key of an open mapping.
#[derive(Clone, Copy, Debug)]
struct Entry {
    start: usize,
    end: usize,
    /// Its hash, once its mapping has a table (zero before).
    hash: u64,
    /// Offset of the key in the input.
    at: u64,
}

/// The keys of the open mappings, for finding duplicates.
#[derive(Debug)]
struct Keys {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// Per depth, used only while the mapping at that depth has more than [`LINEAR`] keys.
    tables: Vec<Table>,
    hasher: KeyHasher,
    /// Key comparisons made in hash tables so far (tests bound it).
    compared: u64,
}

/// The index of one mapping's keys.
#[derive(Debug, Default)]
struct Table {
    /// Indexes into [`Keys::entries`], by the key's hash.
    index: HashTable<usize>,
    /// Set once a lookup compares more than [`MAX_COMPARISONS`] keys, which only keys crafted to collide make
    /// happen: the mapping's keys then go in a tree, which no choice of keys can slow down.
    tree: Option<BTreeMap<Vec<u8>, u64>>,
}

impl Default for Keys {
    fn default() -> Self {
        Keys::new(crate::Limits::DEFAULT.hash_seed)
    }
}

impl Keys {
    fn new(seed: u64) -> Keys {
        Keys { bytes: Vec::new(), entries: Vec::new(), tables: Vec::new(), hasher: KeyHasher::new(seed), compared: 0 }
    }

    fn mark(&self) -> Mark {
        Mark { entries: self.entries.len(), bytes: self.bytes.len() }
    }

    /// The mapping at `depth`, whose keys begin at `mark`, is closed.
    fn close(&mut self, depth: usize, mark: Mark) {
        self.entries.truncate(mark.entries);
        self.bytes.truncate(mark.bytes);
        if let Some(table) = self.tables.get_mut(depth) {
            table.index.clear();
            table.tree = None;
        }
    }

    /// Adds `key` at offset `at` to the mapping at `depth`; when it is there already, returns the first one's
    /// offset instead.
    fn insert(&mut self, depth: usize, mark: Mark, key: &[u8], at: u64) -> Result<(), u64> {
        let count = self.entries.len() - mark.entries;
        // Small mappings compare bytes and never hash; their entries get a hash when the table is first built.
        let mut hash = 0;
        if count < LINEAR {
            let own = &self.entries[mark.entries..];
            if let Some(first) = own.iter().find(|e| &self.bytes[e.start..e.end] == key) {
                return Err(first.at);
            }
        } else {
            hash = self.hasher.hash(0, key);
            if self.tables.len() <= depth {
                self.tables.resize_with(depth + 1, Table::default);
            }
            let table = &mut self.tables[depth];
            if let Some(tree) = &mut table.tree {
                return tree_insert(tree, key, at);
            }
            let bytes = &self.bytes;
            if table.index.is_empty() {
                for e in &mut self.entries[mark.entries..] {
                    e.hash = self.hasher.hash(0, &bytes[e.start..e.end]);
                }
                let entries = &self.entries;
                for n in mark.entries..entries.len() {
                    table.index.insert_unique(entries[n].hash, n, |&i| entries[i].hash);
                }
            }
            let entries = &self.entries;
            let mut comparisons = 0;
            let found = table.index.find(hash, |&i| {
                comparisons += 1;
                let e = &entries[i];
                e.hash == hash && &bytes[e.start..e.end] == key
            });
            self.compared += comparisons as u64;
            if let Some(&i) = found {
                return Err(entries[i].at);
            }
            if comparisons > MAX_COMPARISONS {
                let mut tree = BTreeMap::new();
                for e in &entries[mark.entries..] {
                    tree.insert(bytes[e.start..e.end].to_vec(), e.at);
                }
                let result = tree_insert(&mut tree, key, at);
                table.index.clear();
                table.tree = Some(tree);
                return result;
            }
            table.index.insert_unique(hash, entries.len(), |&i| entries[i].hash);
        }
        let start = self.bytes.len();
        crate::bytes::extend_short(&mut self.bytes, key);
        self.entries.push(Entry { start, end: self.bytes.len(), hash, at });
        Ok(())
    }
}

fn tree_insert(tree: &mut BTreeMap<Vec<u8>, u64>, key: &[u8], at: u64) -> Result<(), u64> {
    match tree.get(key) {
        Some(&first) => Err(first),
        None => {
            tree.insert(key.to_vec(), at);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::resolve::notation::{Render, feed};
    use super::*;
    use alloc::format;
    use alloc::string::String;

    fn run(src: &str, drop_tags: bool) -> Result<String, Error> {
        let mut to_json = ToJson::new(Render::default(), drop_tags);
        feed(src, &mut to_json)?;
        Ok(to_json.into_inner().0)
    }

    #[track_caller]
    fn check(src: &str, expect: &str) {
        assert_eq!(run(src, false).as_deref(), Ok(expect), "{src}");
    }

    #[track_caller]
    fn check_error(src: &str, kind: ErrorCode, at: &str) {
        let err = run(src, false).expect_err(src);
        assert_eq!(err.code, kind, "{src}");
        assert_eq!(&src[err.span.start as usize..err.span.end as usize], at, "{src}");
    }

    /// The JSON text of one plain scalar.
    #[track_caller]
    fn number(text: &str) -> String {
        run(&format!("[ {text} ]"), false).expect(text)
    }

    #[test]
    fn null_and_booleans() {
        check("[ % ~ null Null NULL ]", "[ null null null null null ]");
        check("[ true True TRUE false False FALSE ]", "[ true true true false false false ]");
    }

    #[test]
    fn integers_in_decimal() {
        for (yaml, json) in [
            ("0", "0"),
            ("12", "12"),
            ("-12", "-12"),
            ("+12", "12"),
            ("007", "7"),
            ("-007", "-7"),
            ("000", "0"),
            ("-0", "-0"),
            ("+0", "0"),
            ("0x1F", "31"),
            ("0xff", "255"),
            ("0x0", "0"),
            ("0x000", "0"),
            ("0o17", "15"),
            ("0o0", "0"),
            ("0x3B9ACA00", "1000000000"),
            ("0x3B9AC9FF", "999999999"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("0xFFFFFFFFFFFFFFFF", "18446744073709551615"),
            ("0x10000000000000000", "18446744073709551616"),
            // 40 hexadecimal digits: 2^160 - 1.
            ("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "1461501637330902918203684832716283019655932542975"),
            ("0o1777777777777777777777", "18446744073709551615"),
        ] {
            assert_eq!(number(yaml), format!("[ {json} ]"), "{yaml}");
        }
    }

    #[test]
    fn floats_in_json_grammar() {
        for (yaml, json) in [
            ("1.0", "1.0"),
            ("1e3", "1e3"),
            ("-0.5", "-0.5"),
            ("1E+3", "1E+3"),
            ("-1.5e-3", "-1.5e-3"),
            ("0.0", "0.0"),
            ("-0.0", "-0.0"),
            ("1.", "1.0"),
            (".5", "0.5"),
            ("-.5", "-0.5"),
            ("+.5", "0.5"),
            ("+1.5", "1.5"),
            ("01.5", "1.5"),
            ("00.5", "0.5"),
            ("1.e3", "1.0e3"),
            (".5e3", "0.5e3"),
            ("010e2", "10e2"),
            ("1e007", "1e007"),
        ] {
            assert_eq!(number(yaml), format!("[ {json} ]"), "{yaml}");
        }
    }

    #[test]
    fn non_finite_floats() {
        for text in [".inf", "-.inf", "+.inf", ".Inf", "-.INF", ".nan", ".NaN", ".NAN"] {
            check_error(&format!("[ {text} ]"), ErrorCode::NonFinite, text);
        }
    }

    #[test]
    fn the_number_buffer_is_reused() {
        let mut to_json = ToJson::new(|_: Event<'_>| Ok(()), false);
        feed("[ 0x1F +1 .5 007 ]", &mut to_json).expect("valid");
        let capacity = to_json.number.capacity();
        feed("[ 0x1F +1 .5 007 ]", &mut to_json).expect("valid");
        assert_eq!(to_json.number.capacity(), capacity);
    }

    #[test]
    fn strings_pass_through() {
        check("[ hello \"12 \"true 2001-12-14 ]", "[ hello \"12\" \"true\" 2001-12-14 ]");
    }

    #[test]
    fn core_tags() {
        check("[ !!str 12 ! true !!str \"x ]", "[ \"12\" \"true\" \"x\" ]");
        check("[ !!int \"0x1F !!int 007 !!float 1 !!float \"+2 !!float .5 ]", "[ 31 7 1.0 2.0 0.5 ]");
        check("[ !!bool \"True !!null ~ !!null \"null ]", "[ true null null ]");
        check("!!map { k !!seq [ ! [ ] ! { } ] }", "{ \"k\" [ [ ] { } ] }");
    }

    #[test]
    fn tags_must_match() {
        let mismatch = ErrorCode::TagMismatch;
        for (src, at) in [
            ("[ !!int 1.5 ]", "1.5"),
            ("[ !!int abc ]", "abc"),
            ("[ !!float 0x1F ]", "0x1F"),
            ("[ !!float abc ]", "abc"),
            ("[ !!bool yes ]", "yes"),
            ("[ !!null 0 ]", "0"),
            ("[ !!map x ]", "x"),
            ("[ !!seq { } ]", "{"),
            ("[ !!map [ ] ]", "["),
            ("[ !!str [ ] ]", "["),
            ("{ !!int k v }", "k"),
        ] {
            check_error(src, mismatch, at);
        }
        // A tagged float is still a float JSON cannot spell.
        check_error("[ !!float .inf ]", ErrorCode::NonFinite, ".inf");
    }

    #[test]
    fn other_tags_are_unsupported_unless_dropped() {
        for (src, at) in [
            ("[ !foo x ]", "x"),
            ("[ !!binary \"aGk= ]", "\"aGk="),
            ("[ !!timestamp 2001-12-14 ]", "2001-12-14"),
            ("!!set { a % }", "{"),
            ("!!omap [ ]", "["),
            ("{ !foo k v }", "k"),
            ("{ !!merge << v }", "<<"),
        ] {
            let err = run(src, false).expect_err(src);
            assert_eq!(err.code, ErrorCode::UnsupportedTag, "{src}");
            assert!(src[err.span.start as usize..].starts_with(at), "{src}");
        }
        let dropped = |src| run(src, true).expect(src);
        assert_eq!(dropped("[ !foo 12 !foo \"12 !foo x !foo 0x1F !!binary \"aGk= ]"), "[ 12 \"12\" x 31 \"aGk=\" ]");
        assert_eq!(dropped("!!set { a % } "), "{ \"a\" null }");
        assert_eq!(dropped("!!omap [ { a 1 } ]"), "[ { \"a\" 1 } ]");
    }

    #[test]
    fn keys_become_strings_as_written() {
        check(
            "{ 1 a true b null c % d 0x1F e 1.5 f \"q g ~ h }",
            "{ \"1\" a \"true\" b \"null\" c \"\" d \"0x1F\" e \"1.5\" f \"q\" g \"~\" h }",
        );
    }

    #[test]
    fn complex_keys_are_unsupported() {
        let complex = ErrorCode::ComplexKey;
        check_error("{ [ 1 ] v }", complex, "[");
        check_error("{ a { { } x } }", complex, "{");
    }

    #[test]
    fn comments_and_blank_lines_are_neither_keys_nor_values() {
        check("{ #c a _ #d 1 _ b 2 }", "{ #c \"a\" _ #d 1 _ \"b\" 2 }");
    }

    #[test]
    fn duplicate_keys() {
        let first = |src: &str, key: &str| src.find(key).expect("key") as u64;
        let src = "{ a 1 b 2 a 3 }";
        let err = run(src, false).expect_err(src);
        assert_eq!(err.detail, Detail::Earlier(first(src, "a")));
        assert_eq!(err.span.start, src.rfind('a').expect("a") as u64);
        // Keys are compared as the strings they become.
        let src = "{ 1 x \"1 y }";
        assert_eq!(run(src, false).map_err(|e| (e.code, e.detail)), Err((ErrorCode::DuplicateKey, Detail::Earlier(2))));
        // Each mapping has its own keys; a closed mapping's keys are forgotten.
        check(
            "{ a { a 1 } b [ { a 1 } { a 2 } ] c { b 1 } }",
            "{ \"a\" { \"a\" 1 } \"b\" [ { \"a\" 1 } { \"a\" 2 } ] \"c\" { \"b\" 1 } }",
        );
    }

    #[test]
    fn duplicate_keys_beyond_the_linear_search() {
        for (dup, of) in [(3, 20), (15, 20), (19, 200), (150, 200)] {
            let mut src = String::from("{ pad { x 1 }");
            for i in 0..of {
                src += &format!(" key{i} {i}");
                if i == dup {
                    src += " after 0";
                }
            }
            src += &format!(" key{dup} again }}");
            let err = run(&src, false).expect_err(&src);
            let first = src.find(&format!(" key{dup} ")).expect("first") as u64 + 1;
            assert_eq!((err.code, err.detail), (ErrorCode::DuplicateKey, Detail::Earlier(first)), "{dup} of {of}");
            assert_eq!(&src[err.span.start as usize..err.span.end as usize], format!("key{dup}"));
        }
    }

    #[test]
    fn a_big_mapping_without_duplicates() {
        let mut src = String::from("[ {");
        for i in 0..100_000 {
            src += &format!(" k{i} {i}");
        }
        // The next mapping at the same depth reuses the table, and the one after shrinks back to linear search.
        src += " } { k1 1 k2 2 } { a 1 a 2 } ]";
        let mut keys = 0;
        let mut to_json = ToJson::new(
            |event: Event<'_>| {
                if let EventKind::Scalar(s) = event.kind
                    && s.style == ScalarStyle::Decoded
                {
                    keys += 1;
                }
                Ok(())
            },
            false,
        );
        let err = feed(&src, &mut to_json).expect_err("the last mapping repeats a key");
        assert_eq!(err.detail, Detail::Earlier(src.rfind("{ a 1").expect("last") as u64 + 2));
        drop(to_json);
        assert_eq!(keys, 100_000 + 2 + 1);
    }

    #[test]
    fn keys_that_collide_move_to_a_tree_and_bound_the_comparisons() {
        // Under the degenerate seed every key hashes alike: the worst any crafted key set can do.
        let n = 150_000;
        let mut keys = Keys::new(crate::keys::DEGENERATE_SEED);
        let mark = keys.mark();
        for i in 0..n {
            assert_eq!(keys.insert(0, mark, format!("k{i}").as_bytes(), i), Ok(()));
        }
        assert!(keys.tables[0].tree.is_some());
        // The hash table compared keys only until the lookup that moved them to the tree: at most 1 + 2 + … + 65.
        let bound = (MAX_COMPARISONS as u64 + 1) * (MAX_COMPARISONS as u64 + 2) / 2;
        assert!(keys.compared <= bound, "{} comparisons", keys.compared);
        assert_eq!(keys.insert(0, mark, b"k149999", 999), Err(149_999));
        assert_eq!(keys.insert(0, mark, b"k3", 999), Err(3));
        assert_eq!(keys.insert(0, mark, b"fresh", 999), Ok(()));
        keys.close(0, mark);
        assert!(keys.tables[0].tree.is_none() && keys.tables[0].index.is_empty());

        // Random keys under a real seed: about one comparison per insertion past the linear search, no tree.
        let mut keys = Keys::new(42);
        for i in 0..n {
            assert_eq!(keys.insert(0, mark, format!("k{i}").as_bytes(), i), Ok(()));
        }
        assert!(keys.tables[0].tree.is_none());
        assert!(keys.compared < n / 10, "{} comparisons", keys.compared);
    }

    #[test]
    fn unique_keys_for_validation() {
        let check = |src: &str| {
            let mut sink = super::UniqueKeys::new(|_: Event<'_>| Ok(()));
            crate::yaml::read(src.as_bytes(), &crate::Limits::DEFAULT, &mut sink)
                .map_err(|e| (e.code, e.detail, e.span.start))
        };
        assert_eq!(check("a: 1\nb: {a: 2, b: 3}\nc: [x, x]\n"), Ok(()));
        assert_eq!(check("a: 1\nb: 2\na: 3\n"), Err((ErrorCode::DuplicateKey, Detail::Earlier(0), 10)));
        assert_eq!(check("m:\n  k: 1\n  k: 2\n"), Err((ErrorCode::DuplicateKey, Detail::Earlier(5), 12)));
        // `1` and `"1"` are different keys in YAML; `.inf` and a complex key are fine here.
        assert_eq!(check("1: a\n\"1\": b\nx: .inf\n? [a]\n: c\n"), Ok(()));
        assert_eq!(check("- {a: 1}\n- {a: 2}\n"), Ok(()));
    }

    #[test]
    fn aliases_must_be_expanded_first() {
        check_error("[ &a 1 *a ]", ErrorCode::UnexpandedAlias, "*a");
    }

    #[test]
    fn props_are_dropped() {
        check("&m { k &v !!str 1 } ", "{ \"k\" \"1\" }");
    }

    #[test]
    fn documents_pass_through() {
        check("--- 1 ... --- 2 ...", "--- 1 ... --- 2 ...");
    }

    /// YAML text through the whole conversion: read → Resolve → ToJson → the JSON writer, compact.
    fn convert(yaml: &str, max_nodes: u64) -> Result<String, Error> {
        use crate::json::{Indent, WriteOptions, Writer};
        let writer = Writer::new(Vec::new(), WriteOptions { indent: Indent::Compact, comments: false });
        let mut sink = super::super::Resolve::new(ToJson::new(writer, false), max_nodes, true);
        super::super::read(yaml.as_bytes(), &crate::Limits::DEFAULT, &mut sink)?;
        let out = sink.into_inner().into_inner().finish()?;
        Ok(String::from_utf8(out).expect("the writer writes UTF-8"))
    }

    #[test]
    fn yaml_text_to_json() {
        let yaml = "\
# A comment, and numbers of every spelling.
int: [0x1F, 0o17, +12, 007, -0]
float: [1., .5, -.5, 1.e3, 1E+3]
words: [yes, null, ~, True, '1']
1: one
? !!str 2
: two
text: |
  line \"1\"
";
        assert_eq!(
            convert(yaml, 100).as_deref(),
            Ok(concat!(
                r#"{"int":[31,15,12,7,-0],"float":[1.0,0.5,-0.5,1.0e3,1E+3],"words":["yes",null,null,true,"1"],"#,
                r#""1":"one","2":"two","text":"line \"1\"\n"}"#,
                "\n"
            ))
        );
    }

    #[test]
    fn yaml_anchors_and_merge_keys_to_json() {
        let yaml = "\
defaults: &defaults
  adapter: postgres
  host: localhost
development:
  database: dev
  <<: *defaults
test:
  <<: [*defaults, {port: 5432}]
  host: test.local
";
        assert_eq!(
            convert(yaml, 100).as_deref(),
            Ok(concat!(
                r#"{"defaults":{"adapter":"postgres","host":"localhost"},"#,
                r#""development":{"database":"dev","adapter":"postgres","host":"localhost"},"#,
                r#""test":{"adapter":"postgres","port":5432,"host":"test.local"}}"#,
                "\n"
            ))
        );
    }

    #[test]
    fn yaml_errors_through_the_pipeline() {
        fn at(yaml: &str, max_nodes: u64) -> (ErrorCode, &str) {
            let err = convert(yaml, max_nodes).expect_err(yaml);
            (err.code, &yaml[err.span.start as usize..err.span.end as usize])
        }
        assert_eq!(at("a: 1\nb: 2\na: 3\n", 100), (ErrorCode::DuplicateKey, "a"));
        assert_eq!(at("x: .inf\n", 100), (ErrorCode::NonFinite, ".inf"));
        assert_eq!(at("x: *nope\n", 100), (ErrorCode::YamlUndefinedAlias, "*nope"));
        assert_eq!(at("a: &a [1, 2]\nb: [*a, *a]\n", 5), (ErrorCode::AliasLimit, "*a"));
        assert_eq!(at("? [1]\n: x\n", 100).0, ErrorCode::ComplexKey);
        assert_eq!(at("x: !foo bar\n", 100).0, ErrorCode::UnsupportedTag);
    }

    #[test]
    fn yaml_billion_laughs() {
        let mut yaml = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..=9 {
            let aliases = alloc::vec![format!("*a{}", level - 1); 10].join(", ");
            yaml += &format!("a{level}: &a{level} [{aliases}]\n");
        }
        let err = convert(&yaml, 1_000_000).expect_err("too large");
        assert_eq!((err.code, err.detail), (ErrorCode::AliasLimit, Detail::Limit(1_000_000)));
        assert_eq!(&yaml[err.span.start as usize..err.span.end as usize], "*a4");
    }
}
