//! Crash consistency through the C ABI (RELIABILITY.md, section 5), with real processes:
//!
//! - a child writes a pattern through an r+ mapping, calls mm_flush (or mm_flush_range), tells the parent
//!   over a pipe and is SIGKILLed; the parent reopens the file and finds every byte;
//! - two processes mapping one file r+ see each other's writes at once;
//! - a c (copy-on-write) mapping written all over and then killed never changes the file.
//!
//! Everything runs in one #[test] so that no other test thread exists when we fork.

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use mmarray::ffi::mm_flush_range;
use mmarray::ffi::*;

const LEN: usize = 3 * 4096 + 123;

fn pattern(round: u32, k: usize) -> u8 {
    (k as u32)
        .wrapping_mul(2654435761)
        .wrapping_add(round * 7)
        .rotate_right(13) as u8
}

fn open(p: &Path, mode: &CStr) -> mm_array {
    let path = CString::new(p.as_os_str().as_bytes()).unwrap();
    let mut h = 0;
    let st = unsafe {
        mm_open(
            path.as_ptr(),
            c"u1".as_ptr(),
            mode.as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut h,
        )
    };
    if st != MM_OK {
        let msg = unsafe { CStr::from_ptr(mm_last_error_message()) };
        panic!("open {p:?}: {st} {msg:?}");
    }
    h
}

struct Pipe {
    rd: i32,
    wr: i32,
}

fn pipe() -> Pipe {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    Pipe {
        rd: fds[0],
        wr: fds[1],
    }
}

fn send(fd: i32, b: u8) {
    assert_eq!(unsafe { libc::write(fd, [b].as_ptr().cast(), 1) }, 1);
}

fn recv(fd: i32) -> u8 {
    let mut b = [0u8];
    assert_eq!(unsafe { libc::read(fd, b.as_mut_ptr().cast(), 1) }, 1);
    b[0]
}

/// Runs `body` in a child process; the child exits 0 when `body` returns, 101 if it panics.
fn fork(body: impl FnOnce()) -> libc::pid_t {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).is_ok();
        unsafe { libc::_exit(if ok { 0 } else { 101 }) };
    }
    pid
}

fn kill_and_reap(pid: libc::pid_t) {
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL);
}

fn reap_ok(pid: libc::pid_t) {
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child failed: {status:#x}"
    );
}

fn flushed_bytes_survive_sigkill(dir: &Path) -> usize {
    let p = dir.join("flush.bin");
    fs::write(&p, vec![0u8; LEN]).unwrap();
    let mut verified = 0;
    // Rounds 1-2 flush with mm_flush, 3 with one mm_flush_range over everything, 4 with
    // mm_flush_range in three odd-sized pieces.
    for round in 1..=4u32 {
        let ready = pipe();
        let child = fork(|| {
            let h = open(&p, c"r+");
            let data = mm_data(h) as *mut u8;
            for k in 0..LEN {
                unsafe { *data.add(k) = pattern(round, k) };
            }
            match round {
                1 | 2 => assert_eq!(mm_flush(h), MM_OK),
                3 => assert_eq!(mm_flush_range(h, 0, LEN as u64), MM_OK),
                _ => {
                    for (from, to) in [(0, 1000), (1000, 4097), (4097, LEN)] {
                        assert_eq!(mm_flush_range(h, from as u64, (to - from) as u64), MM_OK);
                    }
                }
            }
            send(ready.wr, 1);
            // Wait to be killed, mapping still open and never closed.
            loop {
                unsafe { libc::pause() };
            }
        });
        assert_eq!(recv(ready.rd), 1);
        kill_and_reap(child);
        unsafe {
            libc::close(ready.rd);
            libc::close(ready.wr);
        }
        // Read the file with read(2), and through a fresh mapping.
        let bytes = fs::read(&p).unwrap();
        assert_eq!(bytes.len(), LEN);
        let h = open(&p, c"r");
        let mut mapped = vec![0u8; LEN];
        assert_eq!(
            unsafe { mm_read_at(h, 0, mapped.as_mut_ptr().cast(), LEN) },
            MM_OK
        );
        assert_eq!(mm_close(h), MM_OK);
        for k in 0..LEN {
            assert_eq!(bytes[k], pattern(round, k), "round {round} byte {k}");
            assert_eq!(mapped[k], pattern(round, k));
        }
        verified += 2 * LEN;
    }
    verified
}

fn two_processes_see_each_other(dir: &Path) -> usize {
    let p = dir.join("shared.bin");
    fs::write(&p, vec![0u8; LEN]).unwrap();
    let (to_child, to_parent) = (pipe(), pipe());
    let child = fork(|| {
        let h = open(&p, c"r+");
        let data = mm_data(h) as *mut u8;
        for round in 1..=50u32 {
            assert_eq!(recv(to_child.rd), 1);
            // The parent's write is visible in our mapping without any flush...
            for k in (0..LEN).step_by(97) {
                let seen = unsafe { std::ptr::read_volatile(data.add(k)) };
                assert_eq!(seen, pattern(round, k), "child round {round} byte {k}");
            }
            // ...and ours in the parent's.
            for k in (1..LEN).step_by(89) {
                unsafe { std::ptr::write_volatile(data.add(k), pattern(round + 1000, k)) };
            }
            send(to_parent.wr, 1);
        }
        assert_eq!(mm_close(h), MM_OK);
    });
    let h = open(&p, c"r+");
    let mut checked = 0;
    for round in 1..=50u32 {
        for k in (0..LEN).step_by(97) {
            assert_eq!(
                unsafe { mm_write_at(h, k as u64, [pattern(round, k)].as_ptr().cast(), 1) },
                MM_OK
            );
        }
        send(to_child.wr, 1);
        assert_eq!(recv(to_parent.rd), 1);
        for k in (1..LEN).step_by(89) {
            let mut b = [0u8];
            assert_eq!(
                unsafe { mm_read_at(h, k as u64, b.as_mut_ptr().cast(), 1) },
                MM_OK
            );
            assert_eq!(
                b[0],
                pattern(round + 1000, k),
                "parent round {round} byte {k}"
            );
        }
        checked += LEN.div_ceil(97) + (LEN - 1).div_ceil(89);
    }
    reap_ok(child);
    assert_eq!(mm_close(h), MM_OK);
    checked
}

fn copy_on_write_never_reaches_the_file(dir: &Path) -> usize {
    let p = dir.join("cow.bin");
    let original: Vec<u8> = (0..LEN).map(|k| pattern(9, k)).collect();
    fs::write(&p, &original).unwrap();
    let before = fs::metadata(&p).unwrap();
    let ready = pipe();
    let child = fork(|| {
        let h = open(&p, c"c");
        let data = mm_data(h) as *mut u8;
        for k in 0..LEN {
            unsafe { *data.add(k) = !pattern(9, k) };
        }
        assert_eq!(
            unsafe { mm_write_at(h, 0, [0u8; 100].as_ptr().cast(), 100) },
            MM_OK
        );
        assert_eq!(mm_flush(h), MM_OK);
        assert_eq!(unsafe { *data }, 0);
        send(ready.wr, 1);
        loop {
            unsafe { libc::pause() };
        }
    });
    assert_eq!(recv(ready.rd), 1);
    kill_and_reap(child);
    let after = fs::metadata(&p).unwrap();
    assert_eq!(fs::read(&p).unwrap(), original);
    assert_eq!(after.len(), before.len());
    assert_eq!(
        (after.mtime(), after.mtime_nsec()),
        (before.mtime(), before.mtime_nsec())
    );
    LEN
}

#[test]
fn crash_consistency() {
    let dir: PathBuf = std::env::temp_dir().join(format!("mmarray-crash-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let a = flushed_bytes_survive_sigkill(&dir);
    let b = two_processes_see_each_other(&dir);
    let c = copy_on_write_never_reaches_the_file(&dir);
    println!(
        "crash consistency: 4 SIGKILLed writers (2 after mm_flush, 2 after mm_flush_range), {a} flushed bytes verified; 50 r+/r+ round trips, {b} bytes seen across processes; c mapping killed, {c} bytes unchanged"
    );
    fs::remove_dir_all(&dir).unwrap();
}
