//! Linux: the POSIX layer plus fallocate, process_vm_readv, O_TMPFILE + linkat,
//! renameat2 and every madvise value (through memmap2).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

use memmap2::MmapMut;

use super::{Advice, Fault};

pub use super::unix::FileExt;
pub(crate) use super::unix::{
    absolute_path, access_allows_write, borrow_fd, borrow_handle, errno_of, flush_drive_cache,
    is_normal_absolute_path, lock_file, lock_hint, lock_pages, map_region, node_of, open_existing,
    open_same_file, page_size_now, path_bytes, path_from_bytes, prepare_options, rename_replace,
    resident_pages, stat_file, unlock_file, with_absolute_path, CallFile, CancellationDeferred,
    DirSync, Kept, Region, CAN_MAP_PAST_END, OPEN_DIR_IS_ACCESS_DENIED,
    TRUNCATE_REFUSED_UNDER_VIEWS,
};

/// What to add to the message of an mmap that failed with ENOMEM: that the process has
/// as many mappings as the kernel allows it (vm.max_map_count; each array is one), or
/// its address-space limit (RLIMIT_AS); nothing when neither explains it. Run on that
/// failure only; the mappings are counted through a buffer on the stack, not in a heap
/// block large enough to need a mapping of its own.
pub(crate) fn map_hint(err: &io::Error) -> String {
    if err.raw_os_error() != Some(libc::ENOMEM) {
        return String::new();
    }
    // Reading /proc opens, reads and closes: cancellation points, which mm_open's
    // common case otherwise never reaches (and so does not defer cancellation for).
    let _deferred = super::CancellationDeferred::new();
    let (Some(max), Some(count)) = (max_map_count(), mapping_count()) else {
        return super::unix::address_space_hint(err);
    };
    // The kernel refuses a new mapping once the process has more than the limit; a
    // margin for the map being split or merged around the failed call.
    if count + 8 >= max {
        return format!(
            " (the process has {count} memory mappings and the kernel allows {max}, vm.max_map_count: close arrays, or raise it with sysctl)"
        );
    }
    super::unix::address_space_hint(err)
}

/// vm.max_map_count, when /proc tells it.
fn max_map_count() -> Option<usize> {
    use std::io::Read;
    let mut text = [0u8; 32];
    let n = File::open("/proc/sys/vm/max_map_count")
        .ok()?
        .read(&mut text)
        .ok()?;
    std::str::from_utf8(&text[..n]).ok()?.trim().parse().ok()
}

/// The number of this process's mappings: the lines of /proc/self/maps.
fn mapping_count() -> Option<usize> {
    use std::io::Read;
    let mut maps = File::open("/proc/self/maps").ok()?;
    let mut chunk = [0u8; 8192];
    let mut lines = 0;
    loop {
        match maps.read(&mut chunk) {
            Ok(0) => return Some(lines),
            Ok(n) => lines += chunk[..n].iter().filter(|&&b| b == b'\n').count(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// Reserves the blocks of bytes `from..to` without changing the file's size (now
/// `size_now`) or content: fallocate(FALLOC_FL_KEEP_SIZE); on a filesystem without it
/// posix_fallocate's emulation, which writes zeros and so grows the file (on failure
/// the size is put back).
pub(crate) fn reserve_blocks(file: &File, from: u64, to: u64, size_now: u64) -> io::Result<()> {
    let fd = file.as_raw_fd();
    let (start, len) = (from as libc::off_t, (to - from) as libc::off_t);
    // SAFETY: fallocate only acts on the descriptor the caller owns.
    if unsafe { libc::fallocate(fd, libc::FALLOC_FL_KEEP_SIZE, start, len) } == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() != Some(libc::EOPNOTSUPP) {
        return Err(err);
    }
    // SAFETY: as above.
    let rc = unsafe { libc::posix_fallocate(fd, start, len) };
    if rc != 0 {
        let _ = file.set_len(size_now);
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(())
}

/// Allocates the blocks of the first `len` bytes without changing the file's size or
/// content. A filesystem without fallocate is not an error (the later write may then
/// still meet a full disk).
pub(crate) fn reserve_prefix(file: &File, len: u64) -> io::Result<()> {
    // SAFETY: fallocate on a descriptor the caller owns; KEEP_SIZE changes no byte.
    let rc = unsafe {
        libc::fallocate(
            file.as_raw_fd(),
            libc::FALLOC_FL_KEEP_SIZE,
            0,
            len as libc::off_t,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => Ok(()),
        _ => Err(err),
    }
}

/// madvise of region bytes `lo..lo + len`, widened down to the page (as memmap2's
/// advise_range did).
pub(crate) fn advise(map: &Region, advice: Advice, lo: usize, len: usize) -> io::Result<()> {
    let value = match advice {
        Advice::Normal => libc::MADV_NORMAL,
        Advice::Sequential => libc::MADV_SEQUENTIAL,
        Advice::Random => libc::MADV_RANDOM,
        Advice::WillNeed => libc::MADV_WILLNEED,
        Advice::HugePage => libc::MADV_HUGEPAGE,
        Advice::PopulateRead => libc::MADV_POPULATE_READ,
        Advice::PopulateWrite => libc::MADV_POPULATE_WRITE,
        Advice::DontNeed => libc::MADV_DONTNEED,
    };
    // SAFETY: MADV_DONTNEED lets the kernel drop these pages: a shared mapping reads them
    // back from the file, a private one (mode c) loses its changes to them, which is what
    // the caller asked for. The core never holds a Rust reference into the mapping
    // (callers get raw pointers only); lo..lo+len lies inside the map. The other values
    // change no content.
    unsafe { map.advise(value, lo, len) }
}

/// Touches every page of a fresh mapping (MADV_POPULATE_READ, or WILLNEED before 5.14).
pub(crate) fn prefault(map: &Region) {
    // SAFETY: neither value changes what the memory reads.
    unsafe {
        if map.advise(libc::MADV_POPULATE_READ, 0, map.len()).is_err() {
            // Advice only: a kernel that takes neither still maps the pages on first touch.
            let _ = map.advise(libc::MADV_WILLNEED, 0, map.len());
        }
    }
}

/// Transparent huge pages for a large private buffer, where the system allows them.
pub(crate) fn advise_huge_pages(memory: &mut MmapMut) {
    let _ = memory.advise(memmap2::Advice::HugePage);
}

/// An anonymous O_TMPFILE file in `dir`; `None` where the filesystem has none.
pub(crate) fn create_anonymous(dir: &Path) -> io::Result<Option<File>> {
    match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_TMPFILE | libc::O_CLOEXEC)
        .mode(0o666)
        .open(dir)
    {
        Ok(f) => Ok(Some(f)),
        // Filesystems without O_TMPFILE answer EOPNOTSUPP (or EISDIR on old kernels);
        // anything else (a missing directory, no permission) is the real answer.
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP) | Some(libc::EISDIR)
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Gives a complete anonymous file the name `temp` (linkat through /proc/self/fd, which
/// needs no privilege).
pub(crate) fn link_anonymous(file: &File, temp: &Path) -> io::Result<()> {
    let proc_path = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .expect("no NUL in a /proc path");
    let c_temp = std::ffi::CString::new(temp.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: both paths are NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            proc_path.as_ptr(),
            libc::AT_FDCWD,
            c_temp.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// renameat2(2) with `flags`; flags the filesystem or kernel lacks are
/// `io::ErrorKind::Unsupported`.
fn rename2(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<()> {
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: two NUL-terminated paths that outlive the call; renameat2 reads only them.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("renameat2 flags not supported here: {err}"),
        )),
        _ => Err(err),
    }
}

/// Swaps two existing names atomically (RENAME_EXCHANGE).
pub(crate) fn rename_exchange(from: &Path, to: &Path) -> io::Result<()> {
    rename2(from, to, libc::RENAME_EXCHANGE)
}

/// Renames onto a name that must not exist (RENAME_NOREPLACE).
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    rename2(from, to, libc::RENAME_NOREPLACE)
}

/// pipe2(O_CLOEXEC).
pub(crate) fn new_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two descriptors into `fds`.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: freshly created descriptors that we own; closed when these drop.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Which kernel-side copy to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// process_vm_readv on the calling thread's own id.
    ProcessVm,
    /// A pipe round trip.
    Pipe,
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

/// See safecopy's `copy`.
///
/// # Safety
/// As safecopy's `copy`.
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
                // Stored once: a store on every copy would make threads copying at the
                // same time trade this line.
                if PROCESS_VM.load(Ordering::Relaxed) != 1 {
                    PROCESS_VM.store(1, Ordering::Relaxed);
                }
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
        Method::Pipe => unsafe { super::unix::copy_pipe(dst, src, len) },
    }
}

/// The id process_vm_readv is given for "this process": the calling thread's own id
/// (gettid), not the process id (getpid).
///
/// - It is always right: the kernel looks the id up in the caller's pid namespace and finds
///   the calling thread itself, whose memory is the caller's memory, whatever made the
///   process (fork, vfork, clone) — the same guarantee getpid gives.
/// - The process id names the thread group leader, and once the main thread has called
///   pthread_exit (a C program may end `main` that way and leave its threads running) the
///   leader is a zombie without memory: process_vm_readv(getpid(), ...) then fails with
///   ESRCH on every call (measured: kernel 6.18), and every guarded copy would fail.
/// - With the process id, every copy takes and drops a reference to the leader's task
///   and its lock, cache lines all threads trade; with the own id those stay per thread
///   (fewer lines to trade, not none: the memory map's lock and counts are shared by
///   every thread of the process whatever the id).
///
/// It is not cached, because no cheap cache is safe: process_vm_readv with another
/// process's id reads that process's memory. After a fork the child's copy of any cache
/// (thread-local or not) holds the parent's id; a MADV_WIPEONFORK page would clear it,
/// but a vfork or clone(CLONE_VM) child shares every byte of memory with its parent, so
/// no user-space check tells the two apart, and an id stored by such a child is another
/// process's once it execs. Checking in the same call that the target's memory is ours
/// (a second remote iovec reading a per-process word) cost more than it saves (measured:
/// +135 ns per 4 KiB copy, against ~75 ns for the system call here).
fn own_thread_id() -> libc::pid_t {
    // SAFETY: gettid takes no arguments and cannot fail (through syscall(): the libc
    // wrapper is missing from glibc before 2.30).
    unsafe { libc::syscall(libc::SYS_gettid) as libc::pid_t }
}

unsafe fn copy_process_vm(
    dst: *mut u8,
    src: *const u8,
    len: usize,
) -> std::result::Result<(), Fault> {
    let pid = own_thread_id();
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

/// Elements copied per process_vm_readv call by [`gather`] (one remote iovec each).
const GATHER_BATCH: usize = 256;

/// See safecopy's `gather`: up to 256 elements per process_vm_readv call, one
/// element per round trip with the pipe fallback.
///
/// # Safety
/// As safecopy's `gather`.
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
        let pid = own_thread_id();
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
    // SAFETY: forwarded from our caller.
    unsafe { super::unix::gather_each(dst, src, stride, itemsize, done, count) }
}

/// Largest request of one call (the kernel caps one call near 2 GiB anyway).
const MAX_REQUEST: usize = 1 << 30;

/// Copies up to `len` bytes of `src`, from byte `src_offset`, to `dst` at its current
/// position (which advances by the bytes copied), in the kernel.
pub(crate) fn copy_range(
    src: &std::fs::File,
    src_offset: u64,
    dst: &std::fs::File,
    len: usize,
) -> super::CopyOutcome {
    use std::os::fd::AsRawFd;
    let mut off_in = match libc::loff_t::try_from(src_offset) {
        Ok(off) => off,
        Err(_) => return super::CopyOutcome::Unavailable,
    };
    loop {
        // SAFETY: two open descriptors borrowed for the call; `off_in` is a valid
        // loff_t the kernel updates; a null off_out uses (and advances) dst's position.
        let n = unsafe {
            libc::copy_file_range(
                src.as_raw_fd(),
                &mut off_in,
                dst.as_raw_fd(),
                std::ptr::null_mut(),
                len.min(MAX_REQUEST),
                0,
            )
        };
        if n >= 0 {
            return super::CopyOutcome::Copied(n as usize);
        }
        let error = std::io::Error::last_os_error();
        return match error.raw_os_error() {
            Some(libc::EINTR) => continue,
            // No such call (old kernel, seccomp), different filesystems, no support in
            // this filesystem or for these files (EINVAL also covers a special file).
            Some(libc::ENOSYS)
            | Some(libc::EXDEV)
            | Some(libc::EOPNOTSUPP)
            | Some(libc::EINVAL)
            | Some(libc::EPERM)
            | Some(libc::EBADF) => super::CopyOutcome::Unavailable,
            _ => super::CopyOutcome::Failed(error),
        };
    }
}
