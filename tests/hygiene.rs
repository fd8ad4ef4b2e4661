//! File hygiene (RELIABILITY.md, section 8): every descriptor the library opens is O_CLOEXEC (seen
//! in /proc/self/fdinfo while the library holds it), none leaks over thousands of opens,
//! failures and guarded copies, created files get 0666 & ~umask like fopen, and no file
//! is left behind by any failure. One #[test], so no other test thread opens files
//! meanwhile.

use std::collections::BTreeSet;
use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mmarray::ffi::*;

fn open(p: &Path, mode: &CStr, dtype: &CStr, shape: Option<&[usize]>) -> (mm_status, mm_array) {
    let c = CString::new(p.as_os_str().as_bytes()).unwrap();
    let mut h = 0;
    let (sp, n) = shape.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
    let st = unsafe {
        mm_open(
            c.as_ptr(),
            dtype.as_ptr(),
            mode.as_ptr(),
            0,
            sp,
            n,
            b'C' as _,
            &mut h,
        )
    };
    (st, h)
}

/// A path, mode, dtype, shape and the status its open must fail with.
type FailCase<'a> = (PathBuf, &'a CStr, &'a CStr, Option<&'a [usize]>, mm_status);

fn fd_count() -> usize {
    fs::read_dir("/proc/self/fd").unwrap().count()
}

fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

/// Watches /proc/self/fd for descriptors whose target contains `needle` and records
/// whether each one seen had O_CLOEXEC (octal 02000000 in fdinfo's flags).
fn watch_fds(
    needle: &'static str,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(usize, usize)> {
    // Descriptors that exist already (stdio pipes of the test runner...) are not ours.
    let existing: BTreeSet<(String, PathBuf)> = fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            Some((
                e.file_name().to_string_lossy().into_owned(),
                fs::read_link(e.path()).ok()?,
            ))
        })
        .collect();
    std::thread::spawn(move || {
        let (mut seen, mut without) = (0, 0);
        while !stop.load(Ordering::Relaxed) {
            let Ok(entries) = fs::read_dir("/proc/self/fd") else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(target) = fs::read_link(e.path()) else {
                    continue;
                };
                let name = e.file_name().to_string_lossy().into_owned();
                if !target.to_string_lossy().contains(needle)
                    || existing.contains(&(name, target.clone()))
                {
                    continue;
                }
                let info = format!("/proc/self/fdinfo/{}", e.file_name().to_string_lossy());
                let Ok(text) = fs::read_to_string(info) else {
                    continue;
                };
                if let Some(flags) = text.lines().find_map(|l| l.strip_prefix("flags:")) {
                    let flags = u32::from_str_radix(flags.trim(), 8).unwrap();
                    seen += 1;
                    if flags & 0o2000000 == 0 {
                        without += 1;
                    }
                }
            }
        }
        (seen, without)
    })
}

#[test]
fn file_hygiene() {
    let dir = std::env::temp_dir().join(format!("mmarray-hygiene-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("plain.bin");
    fs::write(&plain, vec![1u8; 8192]).unwrap();

    // 1. O_CLOEXEC on every descriptor seen while the library holds it.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_fds("mmarray-hygiene", stop.clone());
    let fresh = dir.join("fresh.bin");
    let t0 = std::time::Instant::now();
    let mut rounds = 0;
    while rounds < 200 || t0.elapsed().as_secs_f64() < 1.5 {
        for mode in [c"r", c"r+", c"c"] {
            let (st, h) = open(&plain, mode, c"u1", None);
            assert_eq!(st, MM_OK);
            assert_eq!(mm_close(h), MM_OK);
        }
        let (st, h) = open(&fresh, c"w+", c"u1", Some(&[100]));
        assert_eq!(st, MM_OK);
        // mm_save_npy: its temporary file and the directory it fsyncs.
        let saved = CString::new(dir.join("saved.npy").as_os_str().as_bytes()).unwrap();
        assert_eq!(
            unsafe { mmarray::ffi::mm_save_npy(h, saved.as_ptr()) },
            MM_OK
        );
        assert_eq!(mm_close(h), MM_OK);
        rounds += 1;
        if t0.elapsed().as_secs() > 10 {
            break;
        }
    }
    // The pipe of the guarded-copy fallback.
    let stop_pipes = Arc::new(AtomicBool::new(false));
    let pipe_watcher = watch_fds("pipe:", stop_pipes.clone());
    let src = vec![3u8; 100_000];
    let mut dst = vec![0u8; 100_000];
    let t1 = std::time::Instant::now();
    while t1.elapsed().as_secs_f64() < 1.0 {
        unsafe {
            mmarray::safecopy::copy_with(
                mmarray::safecopy::Method::Pipe,
                dst.as_mut_ptr(),
                src.as_ptr(),
                src.len(),
            )
        }
        .unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    stop_pipes.store(true, Ordering::Relaxed);
    let (seen, without) = watcher.join().unwrap();
    let (pipes_seen, pipes_without) = pipe_watcher.join().unwrap();
    assert_eq!(
        without, 0,
        "{without} of {seen} descriptors lacked O_CLOEXEC"
    );
    assert_eq!(
        pipes_without, 0,
        "{pipes_without} of {pipes_seen} pipe ends lacked O_CLOEXEC"
    );
    assert!(
        seen > 0,
        "no library descriptor observed in {rounds} rounds"
    );
    assert!(
        pipes_seen > 0,
        "no pipe of the guarded-copy fallback observed"
    );
    println!("O_CLOEXEC: {seen} file descriptors and {pipes_seen} pipe ends observed while held, all O_CLOEXEC");

    // 2. No descriptor leaks over many opens, failures and guarded copies.
    let fds_before = fd_count();
    let files_before = listing(&dir);
    let mut failures = 0;
    for i in 0..2000 {
        let (st, h) = open(&plain, c"r+", c"u1", Some(&[8192]));
        assert_eq!(st, MM_OK);
        let mut b = [0u8; 16];
        assert_eq!(unsafe { mm_read_at_ptr(h, &mut b) }, MM_OK);
        assert_eq!(mm_close(h), MM_OK);
        // Failures at every stage: missing file, bad dtype, too small, directory,
        // w+ whose mapping fails after the file was created (removed again).
        let fails: [FailCase; 5] = [
            (dir.join("missing.bin"), c"r", c"u1", None, MM_E_NOT_FOUND),
            (
                dir.join(format!("new-{i}.bin")),
                c"w+",
                c"zz",
                Some(&[8]),
                MM_E_INVALID_ARG,
            ),
            (
                plain.clone(),
                c"r",
                c"u1",
                Some(&[8193]),
                MM_E_FILE_TOO_SMALL,
            ),
            (dir.clone(), c"r", c"u1", None, MM_E_IO),
            (
                dir.join(format!("huge-{i}.bin")),
                c"w+",
                c"u1",
                Some(&[1 << 62]),
                MM_E_IO,
            ),
        ];
        for (p, mode, dtype, shape, want) in fails {
            let (st, h) = open(&p, mode, dtype, shape);
            assert_eq!(st, want, "{p:?}");
            assert_eq!(h, 0);
            failures += 1;
        }
    }
    assert_eq!(fd_count(), fds_before, "descriptors leaked");
    // 3. No file left behind by any failure.
    assert_eq!(listing(&dir), files_before, "files left behind");
    println!("no descriptor or file leaked over 2000 opens and {failures} failed opens");

    // 4. Created files get 0666 & ~umask, like fopen.
    for (mask, want) in [
        (0o022, 0o644),
        (0o077, 0o600),
        (0o000, 0o666),
        (0o027, 0o640),
    ] {
        let p = dir.join(format!("umask-{mask:o}.bin"));
        let old = unsafe { libc::umask(mask) };
        let (st, h) = open(&p, c"w+", c"u1", Some(&[10]));
        unsafe { libc::umask(old) };
        assert_eq!(st, MM_OK);
        assert_eq!(mm_close(h), MM_OK);
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, want, "umask {mask:o}");
        // An existing file's mode is kept by w+.
        fs::set_permissions(&p, fs::Permissions::from_mode(0o604)).unwrap();
        let (st, h) = open(&p, c"w+", c"u1", Some(&[10]));
        assert_eq!(st, MM_OK);
        assert_eq!(mm_close(h), MM_OK);
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o604
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

unsafe fn mm_read_at_ptr(h: mm_array, b: &mut [u8]) -> mm_status {
    unsafe { mmarray::ffi::mm_read_at(h, 0, b.as_mut_ptr().cast(), b.len()) }
}
