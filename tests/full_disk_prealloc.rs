//! MM_OPEN_PREALLOCATE on a full disk (RELIABILITY.md, section 3), on a 1 MiB tmpfs the test mounts
//! (root only; otherwise it prints that it is skipped and why): w+ and r+ with a shape
//! too large for the filesystem fail at open with MM_E_IO and ENOSPC, and leave the file
//! (size, content, mtime) and the filesystem's free space as they were; a w+ of a new
//! name creates nothing. A preallocated array that fits stays writable after the disk is
//! filled: its blocks were reserved at open.

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[path = "support/tmpfs.rs"]
mod tmpfs;
use tmpfs::{fill, Tmpfs};

use mmarray::ffi::*;

fn c(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn open_ex(p: &Path, mode: &CStr, n: usize, flags: u32) -> (mm_status, mm_array) {
    let mut h = 0;
    let shape = [n];
    let st = unsafe {
        mm_open_ex(
            c(p).as_ptr(),
            c"u1".as_ptr(),
            mode.as_ptr(),
            0,
            shape.as_ptr(),
            1,
            b'C' as _,
            flags,
            &mut h,
        )
    };
    (st, h)
}

fn free_blocks(p: &Path) -> u64 {
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(c(p).as_ptr(), &mut s) }, 0);
    s.f_bfree as u64
}

fn state(p: &Path) -> Option<(u64, i64, i64, Vec<u8>)> {
    let m = fs::metadata(p).ok()?;
    Some((m.len(), m.mtime(), m.mtime_nsec(), fs::read(p).unwrap()))
}

#[test]
fn preallocate_fails_at_open_on_a_full_disk() {
    let t = match Tmpfs::mount("1m") {
        Ok(t) => t,
        Err(why) => {
            println!("SKIPPED MM_OPEN_PREALLOCATE full-disk test: {why}");
            return;
        }
    };
    let p = t.dir.join("a.bin");
    fs::write(&p, (0..4096u32).map(|i| i as u8).collect::<Vec<_>>()).unwrap();
    let old = libc::timespec {
        tv_sec: 1_000_000_000,
        tv_nsec: 0,
    };
    assert_eq!(
        unsafe { libc::utimensat(libc::AT_FDCWD, c(&p).as_ptr(), [old, old].as_ptr(), 0) },
        0
    );
    let before = state(&p);
    let free = free_blocks(&t.dir);
    let mut faults = 0;
    for mode in [c"r+", c"w+"] {
        let (st, h) = open_ex(&p, mode, 4 << 20, MM_OPEN_PREALLOCATE);
        assert_eq!(st, MM_E_IO, "{mode:?}: {}", message());
        assert_eq!(mm_last_os_error(), libc::ENOSPC, "{}", message());
        assert_eq!(h, 0);
        assert!(state(&p) == before, "{mode:?} changed the file");
        assert_eq!(free_blocks(&t.dir), free, "{mode:?} kept blocks");
        faults += 1;
    }
    let fresh = t.dir.join("new.bin");
    let (st, _) = open_ex(&fresh, c"w+", 4 << 20, MM_OPEN_PREALLOCATE);
    assert_eq!(st, MM_E_IO);
    assert_eq!(mm_last_os_error(), libc::ENOSPC);
    assert!(!fresh.exists(), "a failed w+ left a file");
    faults += 1;

    // A preallocated array that fits keeps its blocks through a full disk.
    let (st, h) = open_ex(&fresh, c"w+", 256 << 10, MM_OPEN_PREALLOCATE);
    assert_eq!(st, MM_OK, "{}", message());
    let filled = fill(&t.dir.join("filler.bin"));
    let data = vec![0x5Au8; 256 << 10];
    assert_eq!(
        unsafe { mm_write_at(h, 0, data.as_ptr().cast(), data.len()) },
        MM_OK,
        "{}",
        message()
    );
    assert_eq!(mm_flush(h), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&fresh).unwrap(), data);
    println!("MM_OPEN_PREALLOCATE: {faults} opens failed with ENOSPC leaving files and free space as they were; a 256 KiB preallocated array written in full after the disk was filled ({filled} bytes)");
}
