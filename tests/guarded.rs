//! mm_read_at / mm_write_at: bounds, read-only, copy-on-write, and both sides of a file
//! truncated underneath: a plain access through mm_data dies of SIGBUS (in a forked
//! child), the guarded calls return MM_E_IO and the process lives.

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use mmarray::ffi::*;

const PAGE: usize = 4096;

#[path = "support/leader.rs"]
mod leader;
use leader::{exit_status_after_leader_exits, leader_became_zombie};
#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn open(p: &Path, mode: &str, shape: Option<&[usize]>) -> mm_array {
    let path = cpath(p);
    let mode = CString::new(mode).unwrap();
    let mut h = 0;
    let (sp, n) = shape.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
    let st = unsafe {
        mm_open(
            path.as_ptr(),
            c"u1".as_ptr(),
            mode.as_ptr(),
            0,
            sp,
            n,
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

fn read_at(h: mm_array, off: u64, n: usize) -> Result<Vec<u8>, mm_status> {
    let mut buf = vec![0u8; n];
    match unsafe { mm_read_at(h, off, buf.as_mut_ptr().cast(), n) } {
        MM_OK => Ok(buf),
        s => Err(s),
    }
}

fn write_at(h: mm_array, off: u64, data: &[u8]) -> mm_status {
    unsafe { mm_write_at(h, off, data.as_ptr().cast(), data.len()) }
}

#[test]
fn bounds_follow_the_view_extent() {
    let dir = TempDir::new("bounds");
    let p = dir.path("a.bin");
    fs::write(&p, (0..100u8).collect::<Vec<_>>()).unwrap();
    let h = open(&p, "r+", None);
    assert_eq!(read_at(h, 0, 100).unwrap(), (0..100u8).collect::<Vec<_>>());
    assert_eq!(read_at(h, 99, 1).unwrap(), vec![99]);
    assert_eq!(read_at(h, 100, 0).unwrap(), Vec::<u8>::new());
    for (off, n) in [
        (100u64, 1usize),
        (99, 2),
        (0, 101),
        (101, 0),
        (u64::MAX, 1),
        (u64::MAX, 0),
    ] {
        assert_eq!(read_at(h, off, n), Err(MM_E_OUT_OF_BOUNDS), "{off} {n}");
        assert!(message().contains("extent of 100 bytes"), "{}", message());
    }
    // NULL buffers: fine with 0 bytes, invalid otherwise.
    assert_eq!(unsafe { mm_read_at(h, 0, std::ptr::null_mut(), 0) }, MM_OK);
    assert_eq!(
        unsafe { mm_read_at(h, 0, std::ptr::null_mut(), 1) },
        MM_E_INVALID_ARG
    );
    assert_eq!(unsafe { mm_write_at(h, 0, std::ptr::null(), 0) }, MM_OK);
    assert_eq!(
        unsafe { mm_write_at(h, 0, std::ptr::null(), 1) },
        MM_E_INVALID_ARG
    );

    // Strided view: elements 0, 10, 20 (u1) reach bytes 0..21 relative to its start 5.
    let mut v = 0;
    let st = unsafe {
        mm_view(
            h,
            std::ptr::null(),
            5,
            [3usize].as_ptr(),
            1,
            [10i64].as_ptr(),
            &mut v,
        )
    };
    assert_eq!(st, MM_OK, "{}", message());
    assert_eq!(read_at(v, 0, 21).unwrap(), (5..26u8).collect::<Vec<_>>());
    assert_eq!(read_at(v, 0, 22), Err(MM_E_OUT_OF_BOUNDS));
    assert_eq!(write_at(v, 20, &[0xEE]), MM_OK);
    assert_eq!(read_at(h, 25, 1).unwrap(), vec![0xEE]);
    // Reversed view: only the first element's byte and nothing past it.
    let mut r = 0;
    assert_eq!(
        unsafe { mm_slice(h, 0, i64::MAX, i64::MIN, -1, &mut r) },
        MM_OK
    );
    assert_eq!(read_at(r, 0, 1).unwrap(), vec![99]);
    assert_eq!(read_at(r, 0, 2), Err(MM_E_OUT_OF_BOUNDS));
    // Empty view: empty extent.
    let mut e = 0;
    assert_eq!(unsafe { mm_slice(h, 0, 5, 5, 1, &mut e) }, MM_OK);
    assert_eq!(read_at(e, 0, 0).unwrap(), Vec::<u8>::new());
    assert_eq!(read_at(e, 0, 1), Err(MM_E_OUT_OF_BOUNDS));
    // Bad handles.
    for bad in [0, h ^ (1 << 40), 12345] {
        assert_eq!(read_at(bad, 0, 1), Err(MM_E_BAD_HANDLE));
        assert_eq!(write_at(bad, 0, &[1]), MM_E_BAD_HANDLE);
    }
    for x in [h, v, r, e] {
        assert_eq!(mm_close(x), MM_OK);
    }
    assert_eq!(read_at(h, 0, 1), Err(MM_E_BAD_HANDLE));
}

#[test]
fn read_only_and_copy_on_write() {
    let dir = TempDir::new("modes");
    let p = dir.path("a.bin");
    let original: Vec<u8> = (0..200u8).collect();
    fs::write(&p, &original).unwrap();
    let r = open(&p, "r", None);
    assert_eq!(write_at(r, 0, &[1, 2, 3]), MM_E_READ_ONLY);
    assert!(message().contains("read-only"), "{}", message());
    assert_eq!(read_at(r, 10, 3).unwrap(), vec![10, 11, 12]);

    let c = open(&p, "c", None);
    assert_eq!(write_at(c, 10, &[0xAA; 50]), MM_OK, "{}", message());
    assert_eq!(read_at(c, 10, 50).unwrap(), vec![0xAA; 50]);
    assert_eq!(mm_flush(c), MM_OK);
    // Neither the file nor a shared mapping of it sees the private write.
    assert_eq!(read_at(r, 10, 3).unwrap(), vec![10, 11, 12]);
    assert_eq!(mm_close(c), MM_OK);
    assert_eq!(mm_close(r), MM_OK);
    assert_eq!(fs::read(&p).unwrap(), original);
}

#[test]
fn truncated_file_sigbus_in_child_error_in_parent() {
    let dir = TempDir::new("trunc");
    let p = dir.path("a.bin");
    fs::write(&p, vec![7u8; 3 * PAGE]).unwrap();
    let h = open(&p, "r+", None);
    let data = mm_data(h) as *mut u8;
    // "Another process" shrinks the file to one page.
    fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(PAGE as u64)
        .unwrap();

    // Child: a plain load from the third page through mm_data dies of SIGBUS.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let v = unsafe { std::ptr::read_volatile(data.add(2 * PAGE)) };
        unsafe { libc::_exit(v as i32 + 100) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFSIGNALED(status),
        "child exited normally: {status:#x}"
    );
    assert_eq!(libc::WTERMSIG(status), libc::SIGBUS);

    // Parent: the guarded calls report the fault and the process keeps running.
    assert_eq!(read_at(h, 0, PAGE).unwrap(), vec![7u8; PAGE]);
    assert_eq!(read_at(h, 2 * PAGE as u64, 16), Err(MM_E_IO));
    let msg = message();
    assert!(msg.contains("no longer covers"), "{msg}");
    assert!(msg.contains("now has only 4096 bytes"), "{msg}");
    assert_eq!(mm_last_os_error(), libc::EFAULT);
    // A range starting in the covered page and running into the lost one.
    assert_eq!(read_at(h, PAGE as u64 - 8, 16), Err(MM_E_IO));
    assert_eq!(write_at(h, 2 * PAGE as u64, &[1; 100]), MM_E_IO);
    assert!(message().contains("no longer covers"), "{}", message());
    assert_eq!(write_at(h, 0, &[9; 10]), MM_OK);

    // The fallback (a pipe round trip) gives the same answer.
    let mut buf = [0u8; 16];
    let fault = unsafe {
        mmarray::safecopy::copy_with(
            mmarray::safecopy::Method::Pipe,
            buf.as_mut_ptr(),
            data.add(2 * PAGE),
            16,
        )
    }
    .unwrap_err();
    assert_eq!(fault.error.raw_os_error(), Some(libc::EFAULT));
    assert_eq!(fault.copied, 0);
    let fault = unsafe {
        mmarray::safecopy::copy_with(
            mmarray::safecopy::Method::Pipe,
            data.add(2 * PAGE),
            buf.as_ptr(),
            16,
        )
    }
    .unwrap_err();
    assert_eq!(fault.error.raw_os_error(), Some(libc::EFAULT));
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&p).unwrap()[..10], [9; 10]);
}

/// Run in the forked child of the test below, on its second thread: waits until the main
/// thread is a zombie, then reads and writes through the handle; the exit status says
/// what failed.
extern "C" fn use_handle_after_the_leader_exited(arg: *mut libc::c_void) -> *mut libc::c_void {
    let h = arg as usize as mm_array;
    if !leader_became_zombie() {
        unsafe { libc::_exit(4) };
    }
    let code = match read_at(h, 0, 3 * PAGE) {
        Err(_) => 1,
        Ok(bytes) if bytes != (0..3 * PAGE).map(|i| (i % 251) as u8).collect::<Vec<_>>() => 2,
        Ok(_) if write_at(h, PAGE as u64, &[5; 16]) != MM_OK => 3,
        Ok(_) => 0,
    };
    unsafe { libc::_exit(code) }
}

/// A C program may end `main` with pthread_exit and leave its threads running; the
/// thread group leader is then a zombie without memory, and process_vm_readv on the
/// process id failed with ESRCH, so mm_read_at and mm_write_at answered MM_E_IO ("the
/// file no longer covers the range") for a file that was whole. The guarded copies name
/// the calling thread instead. A forked child's main thread starts a second thread and
/// leaves with the raw exit system call (no unwinding through the test's frames).
#[test]
fn read_at_and_write_at_after_the_main_thread_has_exited() {
    let dir = TempDir::new("leader");
    let p = dir.path("a.bin");
    fs::write(
        &p,
        (0..3 * PAGE).map(|i| (i % 251) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    let h = open(&p, "r+", None);
    let status = exit_status_after_leader_exits(
        use_handle_after_the_leader_exited,
        h as usize as *mut libc::c_void,
    );
    let what = match status {
        0 => "",
        1 => "mm_read_at failed",
        2 => "mm_read_at read other bytes",
        3 => "mm_write_at failed",
        4 => "the main thread never became a zombie",
        8 => "pthread_create failed",
        _ => "the main thread did not exit",
    };
    assert_eq!(status, 0, "{what}");
    // The child's write reached the shared file.
    assert_eq!(read_at(h, PAGE as u64, 16).unwrap(), vec![5u8; 16]);
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&p).unwrap()[PAGE..PAGE + 16], [5u8; 16]);
}
