//! .npy entry points on special files and symlinks, as mm_open handles them:
//! - mm_open_npy on a FIFO, a directory or a character device is MM_E_IO (ENODEV /
//!   EISDIR) before anything is read: it used to read the FIFO (consuming its writer's
//!   bytes) and report a malformed header;
//! - mm_create_npy through a dangling symlink creates the link's target (as mm_open's w+
//!   and fopen do); it used to fail with "the file kept appearing and disappearing".

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use mmarray::ffi::*;

fn c(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn npy_special_files_and_symlinks() {
    let dir = std::env::temp_dir().join(format!("mmarray-npy-special-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();

    // A FIFO holding the start of a .npy file, written by "someone else".
    let fifo = dir.join("fifo");
    assert_eq!(unsafe { libc::mkfifo(c(&fifo).as_ptr(), 0o644) }, 0);
    let fd = unsafe { libc::open(c(&fifo).as_ptr(), libc::O_RDWR | libc::O_NONBLOCK) };
    assert!(fd >= 0);
    let sent = b"\x93NUMPY\x01\x00";
    assert_eq!(
        unsafe { libc::write(fd, sent.as_ptr().cast(), sent.len()) },
        8
    );
    let mut h = 7;
    for mode in [c"r", c"r+", c"c"] {
        let st = unsafe { mm_open_npy(c(&fifo).as_ptr(), mode.as_ptr(), &mut h) };
        assert_eq!(st, MM_E_IO, "{}", message());
        assert_eq!(mm_last_os_error(), libc::ENODEV);
        assert!(message().contains("FIFO"), "{}", message());
        assert_eq!(h, 0);
    }
    // The writer's bytes are still there.
    let mut back = [0u8; 16];
    assert_eq!(
        unsafe { libc::read(fd, back.as_mut_ptr().cast(), back.len()) },
        8
    );
    assert_eq!(&back[..8], sent);
    unsafe { libc::close(fd) };

    for (p, errno) in [
        (dir.as_path(), libc::EISDIR),
        (Path::new("/dev/zero"), libc::ENODEV),
        (Path::new("/dev/null"), libc::ENODEV),
    ] {
        let st = unsafe { mm_open_npy(c(p).as_ptr(), c"r".as_ptr(), &mut h) };
        assert_eq!(st, MM_E_IO, "{p:?}: {}", message());
        assert_eq!(mm_last_os_error(), errno, "{p:?}");
    }

    // mm_create_npy through a dangling symlink: the target is created, the link kept.
    fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("sub/made.npy", dir.join("link")).unwrap();
    let shape = [2usize, 3];
    // A failure after creating the target removes the target, not the link.
    let huge = [1usize << 61, 2];
    let st = unsafe {
        mm_create_npy(
            c(&dir.join("link")).as_ptr(),
            c"u1".as_ptr(),
            huge.as_ptr(),
            2,
            b'C' as _,
            &mut h,
        )
    };
    assert_ne!(st, MM_OK);
    assert!(!dir.join("sub/made.npy").exists());
    let st = unsafe {
        mm_create_npy(
            c(&dir.join("link")).as_ptr(),
            c"<f8".as_ptr(),
            shape.as_ptr(),
            2,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK, "{}", message());
    assert_eq!(mm_close(h), MM_OK);
    assert!(fs::symlink_metadata(dir.join("link"))
        .unwrap()
        .file_type()
        .is_symlink());
    let made = fs::read(dir.join("sub/made.npy")).unwrap();
    assert!(made.starts_with(b"\x93NUMPY"));
    assert_eq!(made.len(), 128 + 6 * 8);
    fs::remove_dir_all(&dir).unwrap();
}
