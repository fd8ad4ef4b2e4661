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
//! 1. `process_vm_readv` / `process_vm_writev` on our own pid: one system call, no
//!    descriptor. Always permitted for the own process by the kernel, but a seccomp
//!    policy (some containers, gVisor) may refuse it with ENOSYS or EPERM.
//! 2. Then a pipe: `write(pipe, src)` + `read(pipe, dst)` in chunks of at most the pipe's
//!    capacity. The kernel's copy_from_user / copy_to_user turn the fault into EFAULT as
//!    well. Needs two descriptors (O_CLOEXEC) for the length of the call.
//!
//! No signal handler is installed. Neither method needs the file or a descriptor of it,
//! which mmarray does not keep (decision D6, docs/numpy-semantics.md#d6).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};

/// Which kernel-side copy to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// process_vm_readv / process_vm_writev on the own pid.
    ProcessVm,
    /// A pipe round trip.
    Pipe,
}

/// How far a guarded copy got.
#[derive(Debug)]
pub struct Fault {
    /// Bytes copied before the fault.
    pub copied: usize,
    /// The OS error (EFAULT for a page the file no longer backs).
    pub error: io::Error,
}

/// 0: not probed yet, 1: process_vm works, 2: refused, use the pipe.
static PROCESS_VM: AtomicU8 = AtomicU8::new(0);

/// The method the next copy will use (process_vm unless it was found refused).
pub fn current_method() -> Method {
    if PROCESS_VM.load(Ordering::Relaxed) == 2 {
        Method::Pipe
    } else {
        Method::ProcessVm
    }
}

/// Copies `len` bytes from `src` to `dst`, where either side may be a mapped file page
/// that faults. Returns the bytes copied before a fault as an error.
///
/// # Safety
/// `src` must be `len` bytes of this process's address space the caller may read and
/// `dst` `len` bytes it may write (a page that faults because the file shrank is fine),
/// and the two must not overlap.
pub unsafe fn copy(dst: *mut u8, src: *const u8, len: usize) -> std::result::Result<(), Fault> {
    if len == 0 {
        return Ok(());
    }
    if PROCESS_VM.load(Ordering::Relaxed) != 2 {
        // SAFETY: forwarded from our caller.
        match unsafe { copy_with(Method::ProcessVm, dst, src, len) } {
            Err(f)
                if f.copied == 0
                    && matches!(
                        f.error.raw_os_error(),
                        Some(libc::ENOSYS) | Some(libc::EPERM)
                    ) =>
            {
                PROCESS_VM.store(2, Ordering::Relaxed);
            }
            other => {
                PROCESS_VM.store(1, Ordering::Relaxed);
                return other;
            }
        }
    }
    // SAFETY: forwarded from our caller.
    unsafe { copy_with(Method::Pipe, dst, src, len) }
}

/// [`copy`] with a chosen method (tests use this to exercise the fallback).
///
/// # Safety
/// As [`copy`].
pub unsafe fn copy_with(
    method: Method,
    dst: *mut u8,
    src: *const u8,
    len: usize,
) -> std::result::Result<(), Fault> {
    match method {
        // SAFETY: the caller's contract (`dst` writable, `src` any address) is theirs.
        Method::ProcessVm => unsafe { copy_process_vm(dst, src, len) },
        // SAFETY: as above.
        Method::Pipe => unsafe { copy_pipe(dst, src, len) },
    }
}

unsafe fn copy_process_vm(
    dst: *mut u8,
    src: *const u8,
    len: usize,
) -> std::result::Result<(), Fault> {
    // SAFETY: getpid cannot fail.
    let pid = unsafe { libc::getpid() };
    let mut copied = 0usize;
    while copied < len {
        let local = libc::iovec {
            iov_base: dst.wrapping_add(copied).cast(),
            iov_len: len - copied,
        };
        let remote = libc::iovec {
            iov_base: src.wrapping_add(copied) as *mut libc::c_void,
            iov_len: len - copied,
        };
        // Reading "remote" (our own src) into "local" (our own dst): the kernel copies
        // with fault handling on both sides.
        // SAFETY: both iovecs describe memory the caller vouched for.
        let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
        match n {
            n if n > 0 => copied += n as usize,
            0 => {
                return Err(Fault {
                    copied,
                    error: io::Error::from_raw_os_error(libc::EFAULT),
                })
            }
            _ => {
                let error = io::Error::last_os_error();
                if error.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                return Err(Fault { copied, error });
            }
        }
    }
    Ok(())
}

/// Pipe capacity is at least 4096 bytes (PIPE_BUF) and 65536 by default on Linux; a
/// chunk that fits guarantees `write` never blocks on a pipe nobody drains.
const PIPE_CHUNK: usize = 4096;

unsafe fn copy_pipe(dst: *mut u8, src: *const u8, len: usize) -> std::result::Result<(), Fault> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two descriptors into `fds`.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Fault {
            copied: 0,
            error: io::Error::last_os_error(),
        });
    }
    // SAFETY: freshly created descriptors that we own; closed when these drop.
    let (rd, wr) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let mut copied = 0usize;
    while copied < len {
        let chunk = (len - copied).min(PIPE_CHUNK);
        // SAFETY: src + copied .. + chunk is readable per our caller (or faults -> EFAULT).
        let w = unsafe { libc::write(wr.as_raw_fd(), src.add(copied).cast(), chunk) };
        if w < 0 {
            let error = io::Error::last_os_error();
            if error.raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(Fault { copied, error });
        }
        if w == 0 {
            return Err(Fault {
                copied,
                error: io::Error::from_raw_os_error(libc::EFAULT),
            });
        }
        // A short write means src faulted after w bytes; move those, then report.
        let mut moved = 0usize;
        while moved < w as usize {
            // SAFETY: dst + copied + moved .. is writable per our caller (or -> EFAULT).
            let r = unsafe {
                libc::read(
                    rd.as_raw_fd(),
                    dst.add(copied + moved).cast(),
                    w as usize - moved,
                )
            };
            if r < 0 {
                let error = io::Error::last_os_error();
                if error.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                return Err(Fault {
                    copied: copied + moved,
                    error,
                });
            }
            if r == 0 {
                return Err(Fault {
                    copied: copied + moved,
                    error: io::Error::from_raw_os_error(libc::EFAULT),
                });
            }
            moved += r as usize;
        }
        copied += moved;
        if (w as usize) < chunk {
            return Err(Fault {
                copied,
                error: io::Error::from_raw_os_error(libc::EFAULT),
            });
        }
    }
    Ok(())
}

/// Elements copied per process_vm_readv call by [`gather`] (one remote iovec each).
const GATHER_BATCH: usize = 256;

/// Copies `count` elements of `itemsize` bytes, the k-th at `src + k * stride`, one
/// after the other into `dst` (`count * itemsize` bytes), as [`copy`] does for one
/// range. With process_vm_readv up to 256 elements go in one system call (one remote
/// iovec each); with the pipe fallback, one element per round trip. A fault reports the
/// bytes of `dst` filled before it (whole elements).
///
/// # Safety
/// `dst` must be `count * itemsize` writable bytes of ordinary memory; the elements may
/// be any addresses (a bad one is an error).
pub unsafe fn gather(
    dst: *mut u8,
    src: *const u8,
    stride: isize,
    itemsize: usize,
    count: usize,
) -> std::result::Result<(), Fault> {
    let element = |k: usize| src.wrapping_offset(k as isize * stride);
    if itemsize == 0 || count == 0 {
        return Ok(());
    }
    let mut done = 0usize;
    if PROCESS_VM.load(Ordering::Relaxed) != 2 {
        // SAFETY: getpid cannot fail.
        let pid = unsafe { libc::getpid() };
        let mut remote = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; GATHER_BATCH];
        while done < count {
            let n = (count - done).min(GATHER_BATCH);
            for (i, iov) in remote[..n].iter_mut().enumerate() {
                iov.iov_base = element(done + i) as *mut libc::c_void;
                iov.iov_len = itemsize;
            }
            let local = libc::iovec {
                iov_base: dst.wrapping_add(done * itemsize).cast(),
                iov_len: n * itemsize,
            };
            // SAFETY: the remote iovecs are elements of the mapping and the local one the
            // caller's buffer, as our caller vouched; the kernel copies with fault handling.
            let r = unsafe {
                libc::process_vm_readv(pid, &local, 1, remote.as_ptr(), n as libc::c_ulong, 0)
            };
            if r < 0 {
                let error = io::Error::last_os_error();
                match error.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::ENOSYS) | Some(libc::EPERM) if done == 0 => {
                        PROCESS_VM.store(2, Ordering::Relaxed);
                        break;
                    }
                    _ => {
                        return Err(Fault {
                            copied: done * itemsize,
                            error,
                        })
                    }
                }
            }
            PROCESS_VM.store(1, Ordering::Relaxed);
            // Partial transfers stop at an iovec boundary, so this counts whole elements.
            let whole = r as usize / itemsize;
            if whole == 0 {
                let error = io::Error::from_raw_os_error(libc::EFAULT);
                return Err(Fault {
                    copied: done * itemsize,
                    error,
                });
            }
            done += whole;
        }
        if done == count {
            return Ok(());
        }
    }
    while done < count {
        // SAFETY: as above; one element per (pipe) copy.
        unsafe { copy(dst.add(done * itemsize), element(done), itemsize) }.map_err(|f| Fault {
            copied: done * itemsize + f.copied,
            error: f.error,
        })?;
        done += 1;
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
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
}
