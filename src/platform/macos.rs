//! macOS: the POSIX layer plus F_PREALLOCATE, renamex_np and the madvise values macOS
//! has. No O_TMPFILE (a save writes a named temporary file next to the target), no
//! process_vm_readv (guarded copies take the pipe), no transparent huge pages or
//! MADV_POPULATE_*. Type-checked here (`cargo check --target x86_64-apple-darwin`,
//! `aarch64-apple-darwin`), not run: no macOS machine is reachable.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use memmap2::MmapMut;

use super::{unsupported, Advice, Fault};

pub use super::unix::FileExt;
pub(crate) use super::unix::{
    absolute_path, access_allows_write, borrow_fd, borrow_handle, errno_of,
    is_normal_absolute_path, lock_file, lock_hint, lock_pages, map_region, node_of, open_existing,
    open_same_file, page_size_now, path_bytes, path_from_bytes, prepare_options, rename_replace,
    resident_pages, stat_file, unlock_file, with_absolute_path, CallFile, CancellationDeferred,
    DirSync, Kept, Region, CAN_MAP_PAST_END, OPEN_DIR_IS_ACCESS_DENIED,
    TRUNCATE_REFUSED_UNDER_VIEWS,
};

/// What to add to the message of an mmap that failed with ENOMEM (macOS has no limit
/// on the number of mappings to name): the address-space limit, if one is set.
pub(crate) fn map_hint(err: &io::Error) -> String {
    super::unix::address_space_hint(err)
}

/// msync(MS_SYNC) on macOS writes the pages to the drive but does not flush the
/// drive's cache; F_FULLFSYNC does, and needs a descriptor, which the library does not
/// keep (D6). So the file is reopened by its path and flushed only if it is still the
/// mapped file (same device and inode); a file renamed or replaced since, or mapped
/// from a descriptor (no path), gets msync's guarantee only.
pub(crate) fn flush_drive_cache(path: Option<&Path>, id: Option<(u64, u64)>) -> io::Result<()> {
    let (Some(path), Some(id)) = (path, id) else {
        return Ok(());
    };
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    if super::unix::stat_file(&file)?.id != id {
        return Ok(());
    }
    // SAFETY: fcntl(F_FULLFSYNC) on a descriptor we own.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_FULLFSYNC) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reserves `to - from` bytes of blocks past the file's physical end (F_PREALLOCATE,
/// F_ALLOCATEALL, F_PEOFPOSMODE) without changing its size. A filesystem without it
/// (ENOTSUP) is not an error.
pub(crate) fn reserve_blocks(file: &File, from: u64, to: u64, _size_now: u64) -> io::Result<()> {
    preallocate(file, to.saturating_sub(from))
}

/// Reserves the blocks of the first `len` bytes (the header a w+ writes).
pub(crate) fn reserve_prefix(file: &File, len: u64) -> io::Result<()> {
    preallocate(file, len)
}

fn preallocate(file: &File, len: u64) -> io::Result<()> {
    if len == 0 {
        return Ok(());
    }
    let mut store = libc::fstore_t {
        fst_flags: libc::F_ALLOCATEALL,
        fst_posmode: libc::F_PEOFPOSMODE,
        fst_offset: 0,
        fst_length: len as libc::off_t,
        fst_bytesalloc: 0,
    };
    // SAFETY: fcntl(F_PREALLOCATE) reads and writes the fstore_t we pass.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_PREALLOCATE, &mut store) } == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::ENOTSUP) | Some(libc::EINVAL) => Ok(()),
        _ => Err(err),
    }
}

/// The madvise value of an advice, where macOS has one.
fn madv(advice: Advice) -> Option<libc::c_int> {
    Some(match advice {
        Advice::Normal => libc::MADV_NORMAL,
        Advice::Sequential => libc::MADV_SEQUENTIAL,
        Advice::Random => libc::MADV_RANDOM,
        Advice::WillNeed => libc::MADV_WILLNEED,
        Advice::DontNeed => libc::MADV_DONTNEED,
        Advice::HugePage | Advice::PopulateRead | Advice::PopulateWrite => return None,
    })
}

/// madvise of the page span of bytes `lo..lo + len`; MADV_HUGEPAGE and MADV_POPULATE_*
/// do not exist on macOS: `Unsupported`.
pub(crate) fn advise(map: &Region, advice: Advice, lo: usize, len: usize) -> io::Result<()> {
    let Some(value) = madv(advice) else {
        return Err(unsupported(&format!(
            "{} does not exist on macOS",
            advice.name()
        )));
    };
    let page = super::page_size();
    let addr = map.as_mut_ptr() as usize + lo;
    let start = addr & !(page - 1);
    let end = (addr + len).div_ceil(page) * page;
    // SAFETY: the page span of a range inside the map lies inside the map (the kernel
    // maps whole pages); MADV_DONTNEED's effect is what the caller asked for.
    if unsafe { libc::madvise(start as *mut _, end - start, value) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// MADV_WILLNEED over a fresh mapping (macOS has no MAP_POPULATE).
pub(crate) fn prefault(map: &Region) {
    let _ = advise(map, Advice::WillNeed, 0, map.len());
}

/// No transparent huge pages on macOS: nothing to ask.
pub(crate) fn advise_huge_pages(_memory: &mut MmapMut) {}

/// No O_TMPFILE: a save always writes a named temporary file.
pub(crate) fn create_anonymous(_dir: &Path) -> io::Result<Option<File>> {
    Ok(None)
}

/// Never called (no anonymous files here).
pub(crate) fn link_anonymous(_file: &File, _temp: &Path) -> io::Result<()> {
    Err(unsupported("no anonymous files on macOS"))
}

/// renamex_np(2) with `flags`; flags the filesystem lacks are `Unsupported`.
fn renamex(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<()> {
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: two NUL-terminated paths that outlive the call.
    if unsafe { libc::renamex_np(from.as_ptr(), to.as_ptr(), flags) } == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOTSUP) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("renamex_np flags not supported here: {err}"),
        )),
        _ => Err(err),
    }
}

/// Swaps two existing names atomically (RENAME_SWAP).
pub(crate) fn rename_exchange(from: &Path, to: &Path) -> io::Result<()> {
    renamex(from, to, libc::RENAME_SWAP)
}

/// Renames onto a name that must not exist (RENAME_EXCL).
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    renamex(from, to, libc::RENAME_EXCL)
}

/// pipe() with FD_CLOEXEC set on both ends (macOS has no pipe2).
pub(crate) fn new_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe writes two descriptors into `fds`.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: freshly created descriptors that we own; closed when these drop.
    let pair = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    for fd in fds {
        // SAFETY: F_SETFD on a descriptor we own.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    Ok(pair)
}

/// Which kernel-side copy to use: macOS has the pipe only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A pipe round trip.
    Pipe,
}

/// The method the next copy will use.
pub fn current_method() -> Method {
    Method::Pipe
}

/// See safecopy's `copy`.
///
/// # Safety
/// As safecopy's `copy`.
pub unsafe fn copy(dst: *mut u8, src: *const u8, len: usize) -> std::result::Result<(), Fault> {
    // SAFETY: forwarded from our caller.
    unsafe { copy_with(Method::Pipe, dst, src, len) }
}

/// [`copy`] with a chosen method.
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
        // SAFETY: forwarded from our caller.
        Method::Pipe => unsafe { super::unix::copy_pipe(dst, src, len) },
    }
}

/// See safecopy's `gather`: one element per pipe round trip.
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
    if itemsize == 0 {
        return Ok(());
    }
    // SAFETY: forwarded from our caller.
    unsafe { super::unix::gather_each(dst, src, stride, itemsize, 0, count) }
}

/// No in-kernel copy between files here: the caller copies in user space.
pub(crate) fn copy_range(
    _src: &std::fs::File,
    _src_offset: u64,
    _dst: &std::fs::File,
    _len: usize,
) -> super::CopyOutcome {
    super::CopyOutcome::Unavailable
}
