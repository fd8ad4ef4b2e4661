//! Copies that cannot die of SIGBUS: the kernel copies for us, so a page that the file
//! no longer backs (truncated underneath, or a sparse page a full disk cannot back) is
//! an error (EFAULT) instead of a signal. Either side may be any address: a bad one is
//! an error too. This module knows nothing of views; `guarded` builds the view-level
//! calls on it, and `mapping` uses it to probe a page.
//!
//! A plain load or store to a mapped page that the file no longer covers (truncated
//! underneath, or a sparse page a full disk cannot back) raises SIGBUS and kills the
//! process. A copy done *by the kernel* on our behalf meets the same fault in kernel mode
//! and reports EFAULT instead. So the copies here never touch the mapping from user
//! space:
//!
//! 1. `process_vm_readv` on the calling thread's own id (gettid; src/platform/linux.rs
//!    says why not getpid): one system call, no descriptor. Always permitted for the
//!    own process by the kernel, but a seccomp policy (some containers, gVisor) may
//!    refuse it with ENOSYS or EPERM.
//! 2. Then a pipe: `write(pipe, src)` + `read(pipe, dst)` in chunks of at most the pipe's
//!    capacity. The kernel's copy_from_user / copy_to_user turn the fault into EFAULT as
//!    well. Needs two descriptors (O_CLOEXEC) for the length of the call.
//!
//! No signal handler is installed. Neither method needs the file or a descriptor of it,
//! which mmarray does not keep (decision D6, docs/numpy-semantics.md#d6).
//!
//! The copies themselves live in the platform layer (`src/platform/`): Linux has both
//! methods above; macOS has no process_vm_readv and takes the pipe; Windows copies with
//! ReadProcessMemory on the own process (a page it cannot read or write is an error,
//! not an access violation; no structured exception handling is involved).

pub use crate::platform::{copy, copy_with, current_method, gather, Fault, Method};

/// Whether the byte at `p` can be read now (a one-byte guarded copy): tells a fault of
/// the mapping from a fault of the caller's buffer, since either side of a copy can
/// fault with the same EFAULT.
/// (The address is a number: it is never dereferenced by us.)
pub fn readable(addr: usize) -> bool {
    let mut byte = 0u8;
    // SAFETY: `byte` is one writable byte; the source may be any address (the kernel
    // copies it, and a bad one is an error).
    unsafe { copy(&mut byte, addr as *const u8, 1) }.is_ok()
}

// Unix-only: the tests name both Linux methods and make a hole with mmap/munmap.
#[cfg(all(test, target_os = "linux"))]
mod tests_linux {
    use super::*;

    #[test]
    fn both_methods_copy_plain_memory() {
        for method in [Method::ProcessVm, Method::Pipe] {
            let src: Vec<u8> = (0..20_000u32).map(|i| (i * 7) as u8).collect();
            let mut dst = vec![0u8; src.len()];
            // SAFETY: dst has src.len() writable bytes.
            unsafe { copy_with(method, dst.as_mut_ptr(), src.as_ptr(), src.len()) }.unwrap();
            assert_eq!(src, dst, "{method:?}");
        }
    }

    #[test]
    fn both_methods_report_an_unmapped_page() {
        for method in [Method::ProcessVm, Method::Pipe] {
            // Two pages; the second is unmapped, so a copy across it faults.
            let page = 4096usize;
            // SAFETY: a fresh anonymous mapping; nothing else refers to it.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    2 * page,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            assert_ne!(p, libc::MAP_FAILED);
            // SAFETY: unmaps the second page of our own mapping.
            unsafe { libc::munmap(p.cast::<u8>().add(page).cast(), page) };
            let mut dst = vec![0u8; 2 * page];
            // SAFETY: dst has 2 pages of writable bytes; the source may fault (the test).
            let err =
                unsafe { copy_with(method, dst.as_mut_ptr(), p.cast(), 2 * page) }.unwrap_err();
            assert_eq!(err.error.raw_os_error(), Some(libc::EFAULT), "{method:?}");
            assert!(err.copied <= page, "{method:?}: {}", err.copied);
            // SAFETY: unmaps the first page, which is still ours.
            unsafe { libc::munmap(p, page) };
        }
    }

    /// A forked child's copies read the child's memory, not the parent's (which a stale
    /// process id from before the fork would name). The parent copies first, so that
    /// anything a copy might remember is set before the fork, and keeps its different
    /// bytes at the same address until the child has exited.
    #[test]
    fn a_forked_child_copies_its_own_memory() {
        let mut src = vec![1u8; 8192];
        let mut dst = vec![0u8; src.len()];
        // SAFETY: dst has src.len() writable bytes.
        unsafe { copy(dst.as_mut_ptr(), src.as_ptr(), src.len()) }.unwrap();
        assert_eq!(dst, src);
        // SAFETY: the child only copies and exits; the parent waits for it.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
        if pid == 0 {
            src.fill(2);
            let mut code = 0;
            for (bit, method) in [(1, Method::ProcessVm), (4, Method::Pipe)] {
                dst.fill(0);
                // SAFETY: dst has src.len() writable bytes.
                let r = unsafe { copy_with(method, dst.as_mut_ptr(), src.as_ptr(), src.len()) };
                if r.is_err() || dst.iter().any(|&b| b != 2) {
                    code |= bit;
                }
            }
            // SAFETY: ends the child with the verdict.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waits for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(
            libc::WIFEXITED(status),
            "child ended by a signal: {status:#x}"
        );
        assert_eq!(libc::WEXITSTATUS(status), 0, "1: process_vm_readv, 4: pipe");
        assert!(src.iter().all(|&b| b == 1));
    }

    /// Run in the forked child below, on its second thread: waits until the main thread
    /// is a zombie, then copies with both methods; the exit status is the verdict.
    extern "C" fn copy_after_the_leader_exited(_: *mut libc::c_void) -> *mut libc::c_void {
        if !crate::test_leader::leader_became_zombie() {
            // SAFETY: ends the child process.
            unsafe { libc::_exit(2) };
        }
        let src: Vec<u8> = (0..10_000u32).map(|i| (i * 13) as u8).collect();
        let mut code = 0;
        for (bit, method) in [(1, Method::ProcessVm), (4, Method::Pipe)] {
            let mut dst = vec![0u8; src.len()];
            // SAFETY: dst has src.len() writable bytes.
            let copied = unsafe { copy_with(method, dst.as_mut_ptr(), src.as_ptr(), src.len()) };
            if copied.is_err() || dst != src {
                code |= bit;
            }
        }
        // SAFETY: ends the child process (every thread) with the verdict.
        unsafe { libc::_exit(code) }
    }

    /// The kernel copies name the calling thread, not the process: once the main thread
    /// (the thread group leader) has exited while others run on, as a C program's main
    /// may end with pthread_exit, process_vm_readv(getpid(), ...) fails with ESRCH (kernel
    /// 6.18), which made every guarded copy fail. A forked child's main thread starts a
    /// second thread and leaves with the raw exit system call (no unwinding through the
    /// test's frames); the second thread copies.
    #[test]
    fn both_methods_copy_after_the_main_thread_has_exited() {
        let code = crate::test_leader::exit_status_after_leader_exits(
            copy_after_the_leader_exited,
            std::ptr::null_mut(),
        );
        let what = match code {
            0 => "",
            1 => "the process_vm_readv copy failed",
            2 => "the main thread never became a zombie",
            4 => "the pipe copy failed",
            5 => "both copies failed",
            8 => "pthread_create failed",
            _ => "the main thread did not exit",
        };
        assert_eq!(code, 0, "{what}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_method_copies_plain_memory_and_reports_a_bad_source() {
        let src: Vec<u8> = (0..20_000u32).map(|i| (i * 7) as u8).collect();
        let mut dst = vec![0u8; src.len()];
        // SAFETY: dst has src.len() writable bytes.
        unsafe { copy(dst.as_mut_ptr(), src.as_ptr(), src.len()) }.unwrap();
        assert_eq!(src, dst);
        let mut byte = 0u8;
        // SAFETY: one writable byte; the source address 8 is never mapped.
        let err = unsafe { copy(&mut byte, 8 as *const u8, 1) }.unwrap_err();
        assert_eq!(err.copied, 0);
        assert!(!readable(8));
        assert!(readable(src.as_ptr() as usize));
    }
}
