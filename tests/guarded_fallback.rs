//! The guarded copies' fallback: where a seccomp policy refuses process_vm_readv (as some
//! container runtimes do), mm_read_at / mm_write_at switch to the pipe round trip and
//! still turn a truncated page into MM_E_IO. The policy is installed in a forked child
//! only; one #[test], so no other test thread exists when we fork.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;

use mmarray::ffi::*;

const PAGE: usize = 4096;

/// seccomp filter: process_vm_readv and process_vm_writev fail with EPERM, all else runs.
fn refuse_process_vm() -> bool {
    // Classic BPF opcodes (linux/filter.h).
    const LD_W_ABS: u16 = 0x20;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    let stmt = |code, k| libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    };
    let jeq = |k, jt, jf| libc::sock_filter {
        code: JEQ_K,
        jt,
        jf,
        k,
    };
    let filter = [
        stmt(LD_W_ABS, 0), // seccomp_data.nr
        jeq(libc::SYS_process_vm_readv as u32, 2, 0),
        jeq(libc::SYS_process_vm_writev as u32, 1, 0),
        stmt(RET_K, libc::SECCOMP_RET_ALLOW),
        stmt(RET_K, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32),
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut _,
    };
    unsafe {
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &prog as *const libc::sock_fprog,
            ) == 0
    }
}

#[test]
fn pipe_fallback_when_process_vm_is_refused() {
    let dir = std::env::temp_dir().join(format!("mmarray-fallback-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let p = dir.join("a.bin");
    fs::write(&p, vec![5u8; 3 * PAGE]).unwrap();
    let path = CString::new(p.as_os_str().as_bytes()).unwrap();
    let mut h = 0;
    let st = unsafe {
        mm_open(
            path.as_ptr(),
            c"u1".as_ptr(),
            c"r+".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK);
    fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(PAGE as u64)
        .unwrap();

    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // Exit codes name the first failed step.
        let code = (|| {
            if !refuse_process_vm() {
                return 10;
            }
            // The policy works: the raw call is refused.
            let mut b = [0u8; 4];
            let local = libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: 4,
            };
            let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &local, 1, 0) };
            if n != -1 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM) {
                return 11;
            }
            let mut buf = [0u8; 64];
            if unsafe { mm_read_at(h, 0, buf.as_mut_ptr().cast(), 64) } != MM_OK || buf != [5; 64] {
                return 12;
            }
            if mmarray::safecopy::current_method() != mmarray::safecopy::Method::Pipe {
                return 13;
            }
            if unsafe { mm_write_at(h, 10, [6u8; 20].as_ptr().cast(), 20) } != MM_OK {
                return 14;
            }
            if unsafe { mm_read_at(h, 2 * PAGE as u64, buf.as_mut_ptr().cast(), 64) } != MM_E_IO
                || mm_last_os_error() != libc::EFAULT
            {
                return 15;
            }
            if unsafe { mm_write_at(h, 2 * PAGE as u64, buf.as_ptr().cast(), 64) } != MM_E_IO {
                return 16;
            }
            0
        })();
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status), "child died: {status:#x}");
    let code = libc::WEXITSTATUS(status);
    if code == 10 {
        println!("SKIPPED: cannot install a seccomp filter here");
    } else {
        assert_eq!(code, 0, "child failed at step {code}");
        // The child's write through the fallback reached the shared file.
        assert_eq!(&fs::read(&p).unwrap()[10..30], &[6u8; 20]);
    }
    assert_eq!(mm_close(h), MM_OK);
    fs::remove_dir_all(&dir).unwrap();
}
