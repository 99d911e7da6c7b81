//! Hash flooding: 150,000 keys in one YAML mapping and one TOML table, converted to JSON, with the key indexes
//! keyed by a real seed and by `DEGENERATE_SEED`, under which every key hashes alike (the worst any crafted key
//! set can do, seed known or not). Prints the median times and their ratio; the bound is 3×.
//!
//! `cargo bench -p dfmt-core --bench hostile_keys --features test-hooks`

use dfmt_core::{DEGENERATE_SEED, Format, Limits, Options, SliceInput, convert};
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(text: &[u8], from: Format, seed: u64) -> Duration {
    let options = Options { limits: Limits { hash_seed: seed, ..Limits::DEFAULT }, ..Options::default() };
    let started = Instant::now();
    let out = convert(&mut SliceInput::new(text), from, Format::Json, &options, Vec::new()).expect("converts");
    let elapsed = started.elapsed();
    assert!(out.len() > text.len() / 2);
    elapsed
}

fn main() {
    let n = 150_000;
    let yaml: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
    let toml: String = (0..n).map(|i| format!("k{i} = {i}\n")).collect();
    println!("| input | seeded | all colliding | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, text, from) in [("YAML mapping", &yaml, Format::Yaml), ("TOML table", &toml, Format::Toml)] {
        let (mut seeded, mut colliding) = (Vec::new(), Vec::new());
        for _ in 0..7 {
            seeded.push(time(text.as_bytes(), from, 0x1234_5678));
            colliding.push(time(text.as_bytes(), from, DEGENERATE_SEED));
        }
        let (a, b) = (median(seeded), median(colliding));
        println!(
            "| {name}, {n} keys | {:.1} ms | {:.1} ms | {:.2}× |",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            b.as_secs_f64() / a.as_secs_f64()
        );
    }
}
