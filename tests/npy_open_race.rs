//! Issue 10, defect 8: `mm_open_npy` (core `npy::open`) under a concurrent atomic replace
//! of its path by `mm_save_npy` (core `npy::save`). The header and the mapping come from
//! one descriptor, so every open sees one file: its dtype, shape and data agree, and r+
//! never extends a file (which would show as zeros after the data).
//!
//! A saver thread alternately saves two arrays of different dtype and size over one path;
//! the test thread opens it in r, r+ and c in turn (at least 20000 opens during at least
//! 50 replaces, at most 10 seconds), and checks each open's dtype, shape and every data
//! byte against the two sources.
//!
//! POSIX only: Windows refuses to replace a file that is open (MoveFileExW answers
//! ERROR_ACCESS_DENIED while a view maps the target), so this race cannot happen there;
//! tests/windows.rs checks that refusal instead.
#![cfg(unix)]

use std::fs;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mmarray::npy;
use mmarray::{guarded, DType, Mode, Order, View};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn filled(path: &std::path::Path, dtype: &str, n: usize, seed: u8) -> (View, Vec<u8>) {
    let dt = DType::parse(dtype).unwrap();
    let view = npy::create(path, &dt, &[n], Order::C).unwrap();
    let bytes: Vec<u8> = (0..view.nbytes())
        .map(|i| ((i % 251) as u8).wrapping_add(seed) | 1)
        .collect();
    unsafe { guarded::write_at(&view, 0, bytes.as_ptr(), bytes.len()) }.unwrap();
    view.flush().unwrap();
    (view, bytes)
}

#[test]
fn open_npy_during_atomic_replaces_sees_one_file() {
    let dir = TempDir::new("open-race");
    // Same header length (128), different dtype and data size (4000 and 2400 bytes).
    let (x, x_bytes) = filled(&dir.path("x.npy"), "<i4", 1000, 3);
    let (y, y_bytes) = filled(&dir.path("y.npy"), "<f8", 300, 101);
    let target = dir.path("target.npy");
    npy::save(&x, &target).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let saves = Arc::new(AtomicU64::new(0));
    let saver = {
        let (stop, saves, target) = (stop.clone(), saves.clone(), target.clone());
        let (x, y) = (x.clone(), y.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for v in [&y, &x] {
                    npy::save(v, &target).unwrap();
                    saves.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    let (i4, f8) = (DType::parse("<i4").unwrap(), DType::parse("<f8").unwrap());
    let start = Instant::now();
    let (mut opens, mut seen_x, mut seen_y) = (0u64, 0u64, 0u64);
    let mut mismatches: Vec<String> = Vec::new();
    let modes = [Mode::ReadOnly, Mode::ReadWrite, Mode::CopyOnWrite];
    // At least 20000 opens during at least 50 replaces, at most 10 seconds.
    while (opens < 20_000 || saves.load(Ordering::Relaxed) < 50)
        && start.elapsed() < Duration::from_secs(10)
    {
        let mode = modes[opens as usize % 3];
        opens += 1;
        let view = match npy::open(&target, mode) {
            Ok(v) => v,
            Err(e) => {
                mismatches.push(format!("{mode:?}: {:?} {}", e.kind, e.message));
                continue;
            }
        };
        let expect = if view.dtype() == &i4 && view.shape() == [1000] {
            seen_x += 1;
            &x_bytes
        } else if view.dtype() == &f8 && view.shape() == [300] {
            seen_y += 1;
            &y_bytes
        } else {
            mismatches.push(format!(
                "{mode:?}: dtype {} shape {:?}",
                view.dtype().typestr(),
                view.shape()
            ));
            continue;
        };
        let mut got = vec![0u8; view.nbytes()];
        if let Err(e) = unsafe { guarded::read_at(&view, 0, got.as_mut_ptr(), got.len()) } {
            mismatches.push(format!("{mode:?}: read: {}", e.message));
            continue;
        }
        if &got != expect {
            let first = got.iter().zip(expect).position(|(a, b)| a != b).unwrap();
            mismatches.push(format!(
                "{mode:?}: {} data differs from byte {first}",
                view.dtype().typestr()
            ));
        }
    }
    stop.store(true, Ordering::Relaxed);
    saver.join().unwrap();
    let saves = saves.load(Ordering::Relaxed);
    println!(
        "{opens} opens ({seen_x} saw x, {seen_y} saw y) during {saves} replaces in {:?}: {} mismatches",
        start.elapsed(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {opens} opens mismatched, e.g. {:?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(5)]
    );
    assert!(
        saves >= 20,
        "only {saves} replaces happened: the race was not exercised"
    );
    assert!(seen_x > 0 && seen_y > 0);
    // The sources and the last saved file are intact, and exactly as long as their headers.
    for p in ["x.npy", "y.npy", "target.npy"] {
        let (h, _) = npy::read_header(&dir.path(p)).unwrap();
        let n: usize = h.shape.iter().product::<usize>() * h.dtype.itemsize();
        assert_eq!(
            fs::metadata(dir.path(p)).unwrap().len(),
            h.data_offset + n as u64,
            "{p}"
        );
    }
}
