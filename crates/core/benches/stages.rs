//! Per-stage throughput of the core on `../shared/bench-data/json`, files held in memory:
//! read only (validate), read + write pretty, read + write compact, and read → tree → write (sort keys).
//!
//! `cargo bench -p dfmt-core --bench stages` prints the median MB/s of 5 samples per stage and file.
//! A command, not a test: timings on a shared machine are compared as ratios within one run.

#![allow(clippy::unwrap_used)] // A benchmark stops at the first surprise.

use dfmt_core::json::Indent;
use dfmt_core::{Discard, Format, Limits, Options, SliceInput, convert, validate};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn shared() -> PathBuf {
    std::env::var_os("DFMT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// Median MB/s of `samples` samples, each repeating `job` for about 200 ms.
fn measure(bytes: usize, mut job: impl FnMut()) -> f64 {
    let start = Instant::now();
    job();
    let once = start.elapsed().max(Duration::from_micros(1));
    let reps = (Duration::from_millis(200).as_secs_f64() / once.as_secs_f64()).ceil().max(1.0) as u32;
    let mut rates: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                job();
            }
            bytes as f64 * f64::from(reps) / start.elapsed().as_secs_f64() / 1e6
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[2]
}

fn main() {
    let dir = shared().join("bench-data/json");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("bench data not found at {}: set DFMT_SHARED", dir.display());
        std::process::exit(2);
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    println!("| file | MB | read MB/s | read+pretty MB/s | read+compact MB/s | read+tree+pretty (sort keys) MB/s |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let format = Format::from_extension(path.extension().unwrap().to_str().unwrap()).unwrap();
        let write = |options: Options| {
            let bytes = &bytes;
            move || {
                convert(&mut SliceInput::new(bytes), format, format, &options, Discard).unwrap();
            }
        };
        let read = measure(bytes.len(), || validate(&mut SliceInput::new(&bytes), format, &Limits::DEFAULT).unwrap());
        let pretty = measure(bytes.len(), write(Options::default()));
        let compact = measure(bytes.len(), write(Options { indent: Indent::Compact, ..Options::default() }));
        let sorted = measure(bytes.len(), write(Options { sort_keys: true, ..Options::default() }));
        let name = path.file_name().unwrap().to_string_lossy();
        let mb = bytes.len() as f64 / 1e6;
        println!("| {name} | {mb:.2} | {read:.0} | {pretty:.0} | {compact:.0} | {sorted:.0} |");
    }
}
