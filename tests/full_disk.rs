//! Full disk (RELIABILITY.md, section 3) on a 1 MiB tmpfs that the test mounts itself (root only;
//! otherwise it prints that it is skipped and why). A sparse r+ extension succeeds at
//! open (nothing is allocated yet); touching a page the full filesystem cannot back
//! kills a child with SIGBUS through mm_data, while mm_write_at in the parent returns
//! MM_E_IO and the process lives. The tmpfs is unmounted in every case (Drop).

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;

#[path = "support/tmpfs.rs"]
mod tmpfs;
use tmpfs::{fill, Tmpfs};

use mmarray::ffi::*;

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn sparse_write_on_a_full_tmpfs_is_an_error_not_sigbus() {
    let fs_ = match Tmpfs::mount("1m") {
        Ok(t) => t,
        Err(why) => {
            println!("SKIPPED full-disk test: {why}");
            return;
        }
    };
    let p = fs_.dir.join("sparse.bin");
    fs::write(&p, vec![1u8; 4096]).unwrap();
    let filled = fill(&fs_.dir.join("filler.bin"));
    // r+ with a larger shape: a sparse extension to 4 MiB, on a 1 MiB filesystem.
    let path = CString::new(p.as_os_str().as_bytes()).unwrap();
    let shape = [4usize << 20];
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
    assert_eq!(fs::metadata(&p).unwrap().len(), 4 << 20);
    let data = mm_data(h) as *mut u8;

    // Child: a plain store into an unbacked page dies of SIGBUS.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        unsafe { std::ptr::write_volatile(data.add(2 << 20), 7) };
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFSIGNALED(status),
        "child was not killed: {status:#x}"
    );
    assert_eq!(libc::WTERMSIG(status), libc::SIGBUS);

    // Parent: the guarded write reports it.
    let st = unsafe { mm_write_at(h, 2 << 20, [7u8; 64].as_ptr().cast(), 64) };
    assert_eq!(st, MM_E_IO);
    let msg = message();
    assert!(msg.contains("no longer covers"), "{msg}");
    assert_eq!(mm_last_os_error(), libc::ENOSPC, "{msg}");
    // The allocated first page still works; the process is alive.
    assert_eq!(
        unsafe { mm_write_at(h, 0, [9u8; 64].as_ptr().cast(), 64) },
        MM_OK
    );
    let mut back = [0u8; 64];
    assert_eq!(
        unsafe { mm_read_at(h, 0, back.as_mut_ptr().cast(), 64) },
        MM_OK
    );
    assert_eq!(back, [9u8; 64]);
    // On tmpfs even a read fault of a shared mapping allocates the page, so reading a
    // hole of a full tmpfs faults too: also an error, not SIGBUS.
    assert_eq!(
        unsafe { mm_read_at(h, 3 << 20, back.as_mut_ptr().cast(), 64) },
        MM_E_IO
    );
    assert_eq!(mm_close(h), MM_OK);
    println!(
        "full disk: tmpfs 1 MiB filled with {filled} bytes; SIGBUS in the child, MM_E_IO (ENOSPC) from mm_write_at in the parent"
    );
}
