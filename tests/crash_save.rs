//! mm_save_npy killed mid-write (RELIABILITY.md, sections 5 and 8): a child saves a 24 MiB array
//! over an existing file and is SIGKILLed at 12 points spread over the save's duration;
//! the final name always holds either the old file, intact, or the complete new one, never
//! a partial file. Failed saves (target is a directory, missing directory, full tmpfs)
//! leave no temporary file. One #[test], so no other test thread exists when we fork.

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "support/tmpfs.rs"]
#[allow(dead_code)]
mod tmpfs;

use mmarray::ffi::*;

const N: usize = 24 << 20;

fn c(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn open_source(p: &Path) -> mm_array {
    let mut h = 0;
    let st = unsafe {
        mm_open(
            c(p).as_ptr(),
            c"u1".as_ptr(),
            c"r".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK, "{}", message());
    h
}

fn save(h: mm_array, p: &Path) -> mm_status {
    unsafe { mm_save_npy(h, c(p).as_ptr()) }
}

fn temps(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".tmp"))
        .collect()
}

/// The target after a kill: the old bytes, or a complete .npy of the source.
fn classify(target: &Path, old: &[u8], source: &[u8]) -> &'static str {
    let now = fs::read(target).unwrap();
    if now == old {
        return "old";
    }
    assert!(now.starts_with(b"\x93NUMPY"), "partial or foreign file");
    let header_len = now.len() - source.len();
    assert!(
        header_len > 10 && header_len % 64 == 0,
        "size {}",
        now.len()
    );
    assert!(now[header_len..] == *source, "data differs: a partial file");
    // And mmarray opens it.
    let mut h = 0;
    let st = unsafe { mm_open_npy(c(target).as_ptr(), c"r".as_ptr(), &mut h) };
    assert_eq!(st, MM_OK, "{}", message());
    assert_eq!(mm_size(h), source.len());
    assert_eq!(mm_close(h), MM_OK);
    "new"
}

#[test]
fn save_killed_mid_write_never_leaves_a_partial_file() {
    let dir = std::env::temp_dir().join(format!("mmarray-crash-save-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let src = dir.join("source.bin");
    let source: Vec<u8> = (0..N).map(|i| (i * 131 + (i >> 12)) as u8).collect();
    fs::write(&src, &source).unwrap();
    let target = dir.join("target.npy");
    let old = b"the old file, which must survive intact".to_vec();
    let h = open_source(&src);

    // How long one save takes here, measured in a child as the killed saves run.
    let t0 = Instant::now();
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let st = save(h, &dir.join("timing.npy"));
        unsafe { libc::_exit(if st == MM_OK { 0 } else { 1 }) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    let full = t0.elapsed();
    fs::remove_file(dir.join("timing.npy")).unwrap();

    let (mut olds, mut news, mut leftover) = (0, 0, 0);
    for round in 0..12u32 {
        fs::write(&target, &old).unwrap();
        for t in temps(&dir) {
            fs::remove_file(t).unwrap();
        }
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let st = save(h, &target);
            unsafe { libc::_exit(if st == MM_OK { 0 } else { 1 }) };
        }
        // Kill points from the very start to just past the measured duration.
        std::thread::sleep(full.mul_f64(round as f64 / 10.0) + Duration::from_micros(200));
        unsafe { libc::kill(pid, libc::SIGKILL) };
        let mut status = 0;
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        if libc::WIFEXITED(status) {
            assert_eq!(libc::WEXITSTATUS(status), 0, "the child's save failed");
        }
        match classify(&target, &old, &source) {
            "old" => olds += 1,
            _ => news += 1,
        }
        // A SIGKILL gives the library no chance to remove its temporary file.
        leftover += temps(&dir).len();
    }
    println!(
        "mm_save_npy SIGKILLed at 12 points over {full:?}: final name held the old file {olds} times, the complete new file {news} times, never a partial file; {leftover} temporary files left by the kills"
    );

    // Failed saves leave no temporary file (and the old target as it was).
    for t in temps(&dir) {
        fs::remove_file(t).unwrap();
    }
    let before: Vec<_> = {
        let mut v: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        v.sort();
        v
    };
    fs::create_dir(dir.join("adir")).unwrap();
    assert_ne!(save(h, &dir.join("adir")), MM_OK);
    assert_ne!(save(h, &dir.join("missing/x.npy")), MM_OK);
    fs::remove_dir(dir.join("adir")).unwrap();
    let after: Vec<_> = {
        let mut v: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        v.sort();
        v
    };
    assert_eq!(before, after, "a failed save left a file behind");

    // A full disk: the write fails; neither a temporary nor the target is left.
    match tmpfs::Tmpfs::mount("1m") {
        Err(why) => println!("SKIPPED full-disk save: {why}"),
        Ok(t) => {
            let st = save(h, &t.dir.join("x.npy"));
            assert_eq!(st, MM_E_IO, "{}", message());
            assert_eq!(mm_last_os_error(), libc::ENOSPC);
            assert_eq!(
                fs::read_dir(&t.dir).unwrap().count(),
                0,
                "left behind on tmpfs"
            );
            println!(
                "full disk: mm_save_npy of 24 MiB on a 1 MiB tmpfs: MM_E_IO (ENOSPC), nothing left"
            );
        }
    }
    assert_eq!(mm_close(h), MM_OK);
    fs::remove_dir_all(&dir).unwrap();
}
