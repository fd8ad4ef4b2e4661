//! Errors say what happened: a guarded copy into (or from) a buffer that is not valid
//! memory blames that buffer with EFAULT (it used to blame the disk with ENOSPC), and
//! mm_lock of a file truncated underneath says the file is shorter than the mapping
//! (it used to blame RLIMIT_MEMLOCK).

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use mmarray::ffi::*;

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn open_rw(p: &Path, len: usize) -> mm_array {
    let path = CString::new(p.as_os_str().as_bytes()).unwrap();
    let shape = [len];
    let mut h = 0;
    let st = unsafe {
        mm_open(
            path.as_ptr(),
            c"u1".as_ptr(),
            c"r+".as_ptr(),
            0,
            shape.as_ptr(),
            1,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK, "{}", message());
    h
}

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// A page no copy can read or write: mapped PROT_NONE and kept mapped for the rest of
/// the process (an unmapped page would not stay so: another test's thread may map
/// something at that address the next moment, which made this test flaky).
fn inaccessible_page() -> *mut u8 {
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    assert_ne!(page, libc::MAP_FAILED);
    page.cast()
}

#[test]
fn a_bad_buffer_is_efault_naming_the_buffer() {
    let dir = TempDir::new("errno_buffer");
    let path = dir.path("a.u1");
    fs::write(&path, vec![7u8; 8192]).unwrap();
    let h = open_rw(&path, 8192);
    let bad = inaccessible_page();

    let st = unsafe { mm_read_at(h, 0, bad.cast(), 100) };
    assert_eq!(st, MM_E_INVALID_ARG, "{}", message());
    assert_eq!(mm_last_os_error(), libc::EFAULT);
    assert!(
        message().contains("the destination buffer is not valid memory from its byte 0"),
        "{}",
        message()
    );

    let st = unsafe { mm_write_at(h, 10, bad.cast_const().cast(), 100) };
    assert_eq!(st, MM_E_INVALID_ARG, "{}", message());
    assert_eq!(mm_last_os_error(), libc::EFAULT);
    assert!(
        message().contains("the source buffer is not valid memory from its byte 0"),
        "{}",
        message()
    );
    // Nothing was written: the file is as it was.
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&path).unwrap(), vec![7u8; 8192]);
}

#[test]
fn lock_of_a_truncated_file_says_so() {
    let dir = TempDir::new("errno_lock");
    let path = dir.path("a.u1");
    fs::write(&path, vec![1u8; 64 * 1024]).unwrap();
    let h = open_rw(&path, 64 * 1024);
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    assert_eq!(mm_lock(h), MM_E_IO, "{}", message());
    assert_eq!(mm_last_os_error(), libc::EFAULT, "{}", message());
    let msg = message();
    assert!(
        msg.contains("the file is shorter than the mapping"),
        "{msg}"
    );
    assert!(!msg.contains("RLIMIT_MEMLOCK"), "{msg}");
    assert_eq!(mm_close(h), MM_OK);
}
