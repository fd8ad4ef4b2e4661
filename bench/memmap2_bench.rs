//! The memmap2 baseline of bench/run.sh: the same work as bench/bench.c, with memmap2
//! used directly from Rust (no mmarray). Prints `R <row> memmap2 <median> <min> <max>
//! <unit> <samples>` lines.
//!
//! usage: bench_memmap2 DIR [--quick|full] [rows]

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use memmap2::{Mmap, MmapOptions};

fn report(row: &str, v: &mut [f64], unit: &str) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    let med = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    println!(
        "R {row} memmap2 {med:.6} {:.6} {:.6} {unit} {n}",
        v[0],
        v[n - 1]
    );
}

/// The same eight-accumulator loop as bench.c's sum_f64.
#[inline(never)]
fn sum_f64(p: &[f64]) -> f64 {
    let mut s = [0.0f64; 8];
    let chunks = p.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            s[k] += c[k];
        }
    }
    for &x in rest {
        s[0] += x;
    }
    ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

fn as_f64(map: &Mmap) -> &[f64] {
    // SAFETY: the mapping is page-aligned and holds len/8 whole f64 values.
    unsafe { std::slice::from_raw_parts(map.as_ptr().cast::<f64>(), map.len() / 8) }
}

fn open_map(path: &Path, populate: bool) -> Mmap {
    let file = File::open(path).unwrap();
    let mut options = MmapOptions::new();
    if populate {
        options.populate();
    }
    // SAFETY: benchmark files are not changed while mapped.
    unsafe { options.map(&file) }.unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(&args[1]);
    let quick = args.get(2).is_some_and(|a| a == "--quick");
    let rows = args.get(3).map(String::as_str).unwrap_or("1456");
    let open_path = dir.join("open.f8");
    let sum_path = dir.join("sum.f8");

    if rows.contains('1') {
        let (batch, samples) = if quick { (20, 5) } else { (2000, 31) };
        let mut v = Vec::new();
        for _ in 0..samples {
            let t = Instant::now();
            for _ in 0..batch {
                let file = File::open(&open_path).unwrap();
                let len = file.metadata().unwrap().len() as usize;
                // SAFETY: as above.
                let map = unsafe { MmapOptions::new().len(len).map(&file) }.unwrap();
                drop(file);
                black_box(&map);
            }
            v.push(t.elapsed().as_secs_f64() * 1e6 / batch as f64);
        }
        report("1", &mut v, "us");
    }
    if rows.contains('4') || rows.contains('5') {
        let reps = if quick { 3 } else { 11 };
        for (row, populate, hot) in [
            ("4", false, true),
            ("5a", false, false),
            ("5b", false, false),
            ("5c", true, false),
        ] {
            let mut v = Vec::new();
            for _ in 0..reps {
                let mut t = Instant::now();
                let map = open_map(&sum_path, populate);
                if row == "5b" {
                    map.advise(memmap2::Advice::Sequential).unwrap();
                }
                if hot {
                    black_box(sum_f64(as_f64(&map)));
                    t = Instant::now();
                }
                black_box(sum_f64(as_f64(&map)));
                let s = t.elapsed().as_secs_f64();
                v.push(map.len() as f64 / s / 1e9);
            }
            report(row, &mut v, "GB/s");
        }
    }
    if rows.contains('6') {
        let reps = if quick { 2 } else { 3 };
        let bytes: usize = if quick { 16 << 20 } else { 2 << 30 };
        let path = dir.join("create_memmap2.f8");
        let mut v = Vec::new();
        for _ in 0..reps {
            let _ = std::fs::remove_file(&path);
            // SAFETY: sync has no preconditions. The previous repetition's write-back
            // must not land in this one.
            unsafe { libc::sync() };
            let t = Instant::now();
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)
                .unwrap();
            file.set_len(bytes as u64).unwrap();
            // SAFETY: the file is ours alone.
            let mut map = unsafe { MmapOptions::new().map_mut(&file) }.unwrap();
            drop(file);
            // SAFETY: page-aligned, bytes/8 whole f64 values.
            let p = unsafe {
                std::slice::from_raw_parts_mut(map.as_mut_ptr().cast::<f64>(), bytes / 8)
            };
            for (i, x) in p.iter_mut().enumerate() {
                *x = i as f64;
            }
            map.flush().unwrap();
            drop(map);
            v.push(t.elapsed().as_secs_f64());
        }
        let _ = std::fs::remove_file(&path);
        report("6", &mut v, "s");
    }
}
