//! mm_open_handle, the Windows-only open of a Win32 file HANDLE (run under Wine by
//! scripts/test_windows_rust.sh): values read through a handle from CreateFileW (std's
//! File), an r+ write and extension seen in the file, the caller's handle still open and
//! usable after mm_close, a read-only handle refused for r+ and w+ with the file
//! untouched, NULL and INVALID_HANDLE_VALUE refused, a pipe refused. Each test works in
//! its own temporary directory.
#![cfg(windows)]

use std::ffi::{c_void, CStr, CString};
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::os::windows::fs::FileExt;
use std::os::windows::io::AsRawHandle;
use std::path::Path;

use mmarray::ffi::*;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};

// CreatePipe (kernel32), declared here: windows-sys has it only with its Win32_Security
// feature, which the library does not need.
#[link(name = "kernel32")]
extern "system" {
    fn CreatePipe(
        read: *mut HANDLE,
        write: *mut HANDLE,
        attributes: *const c_void,
        size: u32,
    ) -> i32;
}

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn last_error() -> String {
    // SAFETY: the library's message is NUL-terminated and valid until the next call.
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// mm_open_handle(handle, dtype, mode, 0, shape, order C): (status, handle).
fn open_handle(
    handle: *mut c_void,
    dtype: &str,
    mode: &str,
    shape: Option<&[usize]>,
) -> (mm_status, mm_array) {
    let (d, m) = (CString::new(dtype).unwrap(), CString::new(mode).unwrap());
    let (ptr, n) = shape.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
    let mut h: mm_array = 99;
    // SAFETY: NUL-terminated texts, `n` shape values or NULL, a writable out-parameter;
    // the handle is the caller's (or a value the call must refuse).
    let s = unsafe { mm_open_handle(handle, d.as_ptr(), m.as_ptr(), 0, ptr, n, b'C' as _, &mut h) };
    (s, h)
}

fn i32s(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn le(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn write_values(path: &Path, values: &[i32]) {
    fs::write(path, le(values)).unwrap();
}

/// Values read through a handle, an r+ write and extension that reach the file, and the
/// caller's handle, never closed by the library, still reads and writes after mm_close.
#[test]
fn read_and_write_through_a_handle() {
    let dir = TempDir::new("rw");
    let path = dir.path("a.i4");
    write_values(&path, &[10, 20, 30, 40, 50, 60]);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    // The mapping counts from byte 0 whatever the handle's position.
    file.seek(SeekFrom::Start(5)).unwrap();
    let raw = file.as_raw_handle();

    let (s, h) = open_handle(raw, "<i4", "r", None);
    assert_eq!(s, MM_OK, "{}", last_error());
    assert_eq!((mm_size(h), mm_nbytes(h)), (6, 24));
    assert!(mm_filename(h).is_null());
    // SAFETY: 24 readable bytes of a mapping that stays open until mm_close.
    let got = unsafe { std::slice::from_raw_parts(mm_data(h) as *const u8, 24) }.to_vec();
    assert_eq!(i32s(&got), [10, 20, 30, 40, 50, 60]);
    assert_eq!(mm_close(h), MM_OK);

    // r+ with a shape past the end: the file grows from 24 to 32 bytes, zero-filled.
    let (s, h) = open_handle(raw, "<i4", "r+", Some(&[8]));
    assert_eq!(s, MM_OK, "{}", last_error());
    // SAFETY: eight writable i32 values of an r+ mapping.
    let data = unsafe { std::slice::from_raw_parts_mut(mm_data(h) as *mut i32, 8) };
    data[1] = -7;
    data[7] = 1234;
    assert_eq!(mm_flush(h), MM_OK, "{}", last_error());
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(mm_close(h), MM_E_BAD_HANDLE);
    assert_eq!(
        i32s(&fs::read(&path).unwrap()),
        [10, -7, 30, 40, 50, 60, 0, 1234]
    );

    // The caller's handle is still theirs and open: it reads what the view wrote and
    // writes through to the file; its position was not moved by the library.
    assert_eq!(file.stream_position().unwrap(), 5);
    let mut buf = [0u8; 4];
    file.seek_read(&mut buf, 28).unwrap();
    assert_eq!(i32::from_le_bytes(buf), 1234);
    file.seek_write(&99i32.to_le_bytes(), 0).unwrap();
    drop(file);
    assert_eq!(
        i32s(&fs::read(&path).unwrap()),
        [99, -7, 30, 40, 50, 60, 0, 1234]
    );
    assert_eq!(fs::metadata(&path).unwrap().len(), 32);
}

/// A handle opened for reading only cannot back r+ or w+: MM_E_PERMISSION, the file
/// exactly as it was (also when the open would have extended it). Modes r and c work.
#[test]
fn a_read_only_handle_is_refused_for_writing_modes() {
    let dir = TempDir::new("ro");
    let path = dir.path("ro.i4");
    write_values(&path, &[1, 2, 3, 4]);
    let file = File::open(&path).unwrap();
    let raw = file.as_raw_handle();
    for (mode, shape) in [
        ("r+", Some(&[4usize][..])),
        ("r+", Some(&[6usize][..])),
        ("r+", None),
        ("w+", Some(&[4usize][..])),
        ("w+", Some(&[6usize][..])),
    ] {
        let (s, h) = open_handle(raw, "<i4", mode, shape);
        assert_eq!(
            (s, h),
            (MM_E_PERMISSION, 0),
            "mode {mode} shape {shape:?}: {}",
            last_error()
        );
        assert_eq!(fs::read(&path).unwrap(), le(&[1, 2, 3, 4]), "mode {mode}");
    }
    let (s, h) = open_handle(raw, "<i4", "c", None);
    assert_eq!(s, MM_OK, "{}", last_error());
    // SAFETY: four writable (copy-on-write) i32 values.
    unsafe { *(mm_data(h) as *mut i32).add(2) = 77 };
    // SAFETY: as above.
    assert_eq!(unsafe { *(mm_data(h) as *const i32).add(2) }, 77);
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&path).unwrap(), le(&[1, 2, 3, 4]));
    // The read-only handle is still open: it reads.
    let mut buf = [0u8; 4];
    file.seek_read(&mut buf, 12).unwrap();
    assert_eq!(i32::from_le_bytes(buf), 4);
}

/// NULL and INVALID_HANDLE_VALUE are MM_E_INVALID_ARG, `*out` 0, with a message that
/// names the call.
#[test]
fn null_and_invalid_handles_are_invalid_arguments() {
    for (raw, words) in [
        (std::ptr::null_mut(), "NULL"),
        (INVALID_HANDLE_VALUE, "INVALID_HANDLE_VALUE"),
    ] {
        let (s, h) = open_handle(raw, "u1", "r", None);
        assert_eq!((s, h), (MM_E_INVALID_ARG, 0));
        let msg = last_error();
        assert!(
            msg.starts_with("mm_open_handle(handle ") && msg.contains(words),
            "{msg}"
        );
    }
    // The other arguments are checked as mm_open_fd checks them.
    let dir = TempDir::new("args");
    let path = dir.path("x.bin");
    fs::write(&path, [0u8; 8]).unwrap();
    let file = File::open(&path).unwrap();
    let (s, h) = open_handle(file.as_raw_handle(), "u1", "rw", None);
    assert_eq!((s, h), (MM_E_INVALID_ARG, 0), "{}", last_error());
    let (s, h) = open_handle(file.as_raw_handle(), "<f8", "r", Some(&[2]));
    assert_eq!((s, h), (MM_E_FILE_TOO_SMALL, 0), "{}", last_error());
}

/// A pipe is not a disk file: MM_E_IO with errno ENODEV, as a FIFO's descriptor is for
/// mm_open_fd on POSIX; the pipe stays open and usable.
#[test]
fn a_pipe_handle_is_refused() {
    let (mut read, mut write): (HANDLE, HANDLE) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: two writable HANDLEs, default security, default buffer size.
    assert_ne!(
        unsafe { CreatePipe(&mut read, &mut write, std::ptr::null(), 0) },
        0
    );
    for (raw, mode) in [(read, "r"), (write, "r+"), (read, "c")] {
        let (s, h) = open_handle(raw, "u1", mode, Some(&[4]));
        assert_eq!((s, h), (MM_E_IO, 0), "{}", last_error());
        assert_eq!(mm_last_os_error(), libc::ENODEV);
        assert!(last_error().contains("a pipe"), "{}", last_error());
    }
    // Both ends are still open: the pipe carries bytes.
    // SAFETY: our pipe's handles, borrowed as Files that are never dropped.
    let (r, w) = unsafe {
        use std::os::windows::io::FromRawHandle;
        (
            std::mem::ManuallyDrop::new(File::from_raw_handle(read)),
            std::mem::ManuallyDrop::new(File::from_raw_handle(write)),
        )
    };
    use std::io::{Read, Write};
    (&*w).write_all(b"ok").unwrap();
    let mut got = [0u8; 2];
    (&*r).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ok");
    // SAFETY: our handles, closed once.
    unsafe {
        CloseHandle(read);
        CloseHandle(write);
    }
}
