//! What every POSIX system this library builds on shares (Linux and macOS): positional
//! I/O, open flags, file identity, flock, mincore, mlock, the pipe copy, directory
//! fsync and the permission bits and owner a replaced file keeps. `linux.rs` and
//! `macos.rs` re-export these and add their own. Paths are in `unix/path.rs`, the
//! mapping of a region in `unix/region.rs`.

use std::ffi::CStr;
use std::fs::{File, OpenOptions};
use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::{Fault, FileStat, Node};

pub use std::os::unix::fs::FileExt;

mod path;
mod region;
pub(crate) use path::{
    absolute_path, is_normal_absolute_path, path_bytes, path_from_bytes, with_absolute_path,
};
pub(crate) use region::{map_region, Region};

/// POSIX maps a file region past the end of the file (the pages past it fault until
/// the file grows), so an open maps before it changes the file's size.
pub(crate) const CAN_MAP_PAST_END: bool = true;

/// POSIX truncates a file under a mapping (its pages past the new end vanish).
pub(crate) const TRUNCATE_REFUSED_UNDER_VIEWS: bool = false;

/// Opening a directory as a file is EISDIR (or succeeds read-only, and fstat tells).
pub(crate) const OPEN_DIR_IS_ACCESS_DENIED: bool = false;

/// The errno behind an OS error (0 when none).
pub(crate) fn errno_of(err: &io::Error) -> i32 {
    err.raw_os_error().unwrap_or(0)
}

/// Size, kind and identity of an open file from one fstat (the very call a C program
/// makes; std's `File::metadata` asks statx for every field and converts them all).
/// Written into its callers (mm_open's struct comes back in registers, not through a
/// frame of its own).
#[inline(always)]
pub(crate) fn stat_file(file: &File) -> io::Result<FileStat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes a whole `struct stat` through the pointer on success; the
    // descriptor is one the caller holds open.
    if unsafe { libc::fstat(file.as_raw_fd(), st.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fstat returned 0, so it filled the struct.
    let st = unsafe { st.assume_init() };
    Ok(FileStat {
        // A regular file's size is never negative; 0 for anything that says otherwise.
        len: u64::try_from(st.st_size).unwrap_or(0),
        node: node_from_mode(st.st_mode),
        #[allow(clippy::unnecessary_cast)] // st_dev is i32 on macOS, u64 on Linux.
        id: (st.st_dev as u64, st.st_ino as u64),
    })
}

/// The kind of node `meta` describes (as [`stat_file`] reports it).
pub(crate) fn node_of(meta: &std::fs::Metadata) -> Node {
    // The file type bits fit every platform's mode_t (u16 on macOS).
    node_from_mode(meta.mode() as libc::mode_t)
}

/// The node kind of a `st_mode`: what a node that is neither a regular file nor a
/// directory is, for messages.
fn node_from_mode(mode: libc::mode_t) -> Node {
    match mode & libc::S_IFMT {
        libc::S_IFREG => Node::Regular,
        libc::S_IFDIR => Node::Directory,
        libc::S_IFIFO => Node::Special("a FIFO"),
        libc::S_IFCHR => Node::Special("a character device"),
        libc::S_IFBLK => Node::Special("a block device"),
        libc::S_IFSOCK => Node::Special("a socket"),
        _ => Node::Special("a file of an unknown kind"),
    }
}

/// The flags of every file this library opens: close-on-exec; O_NONBLOCK so that a
/// FIFO is reported instead of blocking the caller (no effect on regular files);
/// O_NOCTTY; a new file gets 0666 less the umask.
pub(crate) fn prepare_options(options: &mut OpenOptions) {
    options.custom_flags(OPEN_FLAGS).mode(0o666);
}

/// The flags [`prepare_options`] adds to every open.
const OPEN_FLAGS: libc::c_int = libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY;

/// An existing file opened for reading, and writing when `write`, with the flags of
/// [`prepare_options`]: the one open(2) a C program makes (retried on EINTR, as std
/// does). `c_path`, when given, is `path` as the C caller passed it, NUL-terminated: it
/// is opened as it is. Otherwise the path is copied to a NUL-terminated buffer on the
/// stack; a path with a NUL byte or too long for the buffer goes through std's
/// OpenOptions, which answers exactly as before for it. Written into its caller (an
/// open with the caller's C string makes the one call to open(2)); the copy is
/// [`open_existing_copied`].
#[inline(always)]
pub(crate) fn open_existing(path: &Path, c_path: Option<&CStr>, write: bool) -> io::Result<File> {
    let access = if write { libc::O_RDWR } else { libc::O_RDONLY };
    if let Some(c_path) = c_path {
        debug_assert_eq!(c_path.to_bytes(), path.as_os_str().as_bytes());
        return open_c(c_path, access);
    }
    open_existing_copied(path, write)
}

/// [`open_existing`] of a path without its C string.
#[inline(never)]
fn open_existing_copied(path: &Path, write: bool) -> io::Result<File> {
    const BUF: usize = 512;
    let access = if write { libc::O_RDWR } else { libc::O_RDONLY };
    let bytes = path.as_os_str().as_bytes();
    // SAFETY: memchr reads the `bytes.len()` bytes of the slice.
    let has_nul = !unsafe { libc::memchr(bytes.as_ptr().cast(), 0, bytes.len()) }.is_null();
    if bytes.len() >= BUF || has_nul {
        let mut options = OpenOptions::new();
        prepare_options(&mut options);
        return options.read(true).write(write).open(path);
    }
    let mut buf = std::mem::MaybeUninit::<[u8; BUF]>::uninit();
    let c_path = buf.as_mut_ptr().cast::<u8>();
    // SAFETY: `bytes.len()` < BUF bytes and a NUL into our own buffer; the bytes hold no
    // NUL (checked above), so the one at `bytes.len()` ends the string.
    let c_path = unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), c_path, bytes.len());
        *c_path.add(bytes.len()) = 0;
        CStr::from_bytes_with_nul_unchecked(std::slice::from_raw_parts(c_path, bytes.len() + 1))
    };
    open_c(c_path, access)
}

/// open(2) of a NUL-terminated path with `access` and our flags, retried on EINTR: the
/// first try written into the caller, a failure (and the retries) in [`open_c_failed`].
#[inline(always)]
fn open_c(c_path: &CStr, access: libc::c_int) -> io::Result<File> {
    // SAFETY: a NUL-terminated path; without O_CREAT open takes no mode argument.
    let fd = unsafe { open_raw(c_path, access | OPEN_FLAGS) };
    if fd >= 0 {
        // SAFETY: a descriptor open(2) just gave us, owned by nothing else.
        return Ok(unsafe { File::from_raw_fd(fd) });
    }
    open_c_failed(c_path, access)
}

/// [`open_c`] after open(2) failed, errno still its: the error, or on EINTR the tries
/// again until one opens or fails otherwise.
#[cold]
#[inline(never)]
fn open_c_failed(c_path: &CStr, access: libc::c_int) -> io::Result<File> {
    let err = io::Error::last_os_error();
    if err.kind() != io::ErrorKind::Interrupted {
        return Err(err);
    }
    loop {
        // SAFETY: as in open_c.
        let fd = unsafe { open_raw(c_path, access | OPEN_FLAGS) };
        if fd >= 0 {
            // SAFETY: a descriptor open(2) just gave us, owned by nothing else.
            return Ok(unsafe { File::from_raw_fd(fd) });
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// open(2) of `c_path` with `flags` (no O_CREAT, so no mode): -1 and errno on failure.
/// On Linux the openat system call itself, which, unlike glibc's open(3), is not a
/// thread cancellation point (mm_open's common case reaches none, so it need not defer
/// cancellation: see `guard_cancel_free_in` in src/ffi/boundary.rs). Elsewhere libc's
/// open, as before. With O_LARGEFILE as glibc's open adds it (0 on 64-bit targets,
/// whose kernel implies it; a 32-bit build would otherwise refuse files over 2 GiB).
/// Unlike open(3), an LD_PRELOAD library that wraps open does not see this call.
///
/// # Safety
/// `flags` must not hold O_CREAT or O_TMPFILE.
#[inline(always)]
unsafe fn open_raw(c_path: &CStr, flags: libc::c_int) -> libc::c_int {
    #[cfg(target_os = "linux")]
    // SAFETY: a NUL-terminated path; the kernel reads no mode without O_CREAT.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD,
            c_path.as_ptr(),
            flags | libc::O_LARGEFILE,
        ) as libc::c_int
    };
    #[cfg(not(target_os = "linux"))]
    // SAFETY: as above.
    let fd = unsafe { libc::open(c_path.as_ptr(), flags) };
    fd
}

/// A file this library opened for the length of one call, closed when dropped by a
/// close that is not a thread cancellation point on Linux (the close system call
/// itself: glibc's close(3), which dropping a `File` calls, is one). Elsewhere it
/// closes as dropping the `File` does.
pub(crate) struct CallFile(ManuallyDrop<File>);

impl CallFile {
    #[inline(always)]
    pub(crate) fn new(file: File) -> CallFile {
        CallFile(ManuallyDrop::new(file))
    }
}

impl std::ops::Deref for CallFile {
    type Target = File;
    #[inline(always)]
    fn deref(&self) -> &File {
        &self.0
    }
}

impl Drop for CallFile {
    #[inline(always)]
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        // SAFETY: the descriptor is ours (the File is never dropped) and closed once;
        // as with std's drop, an error of close is ignored (Linux frees the descriptor
        // even then).
        unsafe {
            libc::syscall(libc::SYS_close, self.0.as_raw_fd());
        }
        #[cfg(not(target_os = "linux"))]
        // SAFETY: the File is dropped here, once, and never used again.
        unsafe {
            ManuallyDrop::drop(&mut self.0)
        };
    }
}

/// Disables the calling thread's cancellation until dropped, then restores its state:
/// for the length of a call that may reach a cancellation point (open, read, write,
/// fsync, close...), whose forced unwind would otherwise meet the C layer's panic
/// boundary and abort the process.
pub(crate) struct CancellationDeferred(libc::c_int);

#[cfg(target_os = "linux")]
const PTHREAD_CANCEL_DISABLE: libc::c_int = 1;
#[cfg(target_vendor = "apple")]
const PTHREAD_CANCEL_DISABLE: libc::c_int = 0;

extern "C" {
    // Not in the libc crate for Linux; POSIX, in every libc this library builds on.
    fn pthread_setcancelstate(state: libc::c_int, old: *mut libc::c_int) -> libc::c_int;
}

impl CancellationDeferred {
    pub(crate) fn new() -> CancellationDeferred {
        let mut old = 0;
        // SAFETY: `old` is a valid out-parameter; the call only changes this thread's
        // state.
        unsafe { pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &mut old) };
        CancellationDeferred(old)
    }
}

impl Drop for CancellationDeferred {
    fn drop(&mut self) {
        let mut ignored = 0;
        // SAFETY: as in `new`; restores the state this thread had before.
        unsafe { pthread_setcancelstate(self.0, &mut ignored) };
    }
}

/// Borrows the caller's descriptor as a `File` that is never closed by us.
pub(crate) fn borrow_fd(fd: i32) -> io::Result<ManuallyDrop<File>> {
    if fd < 0 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: the File is never dropped (ManuallyDrop), so the caller's descriptor is
    // only borrowed for the length of the call that uses it.
    Ok(ManuallyDrop::new(unsafe { File::from_raw_fd(fd as RawFd) }))
}

/// POSIX has descriptors, not handles: mm_open_handle exists on Windows only, and the
/// core's handle open answers `Unsupported` here.
pub(crate) fn borrow_handle(
    _handle: *mut std::ffi::c_void,
) -> io::Result<(ManuallyDrop<File>, Option<&'static str>)> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "file handles exist on Windows only (use a descriptor)",
    ))
}

/// Whether the descriptor was opened for reading and writing (`Some(false)`: r+ and w+
/// must refuse it).
pub(crate) fn access_allows_write(file: &File) -> io::Result<Option<bool>> {
    // SAFETY: fcntl(F_GETFL) only reads the descriptor's flags.
    let flags = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
    if flags == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(Some(flags & libc::O_ACCMODE == libc::O_RDWR))
}

/// flock(LOCK_EX), waiting; retried on EINTR.
pub(crate) fn lock_file(file: &File) -> io::Result<()> {
    loop {
        // SAFETY: flock on a descriptor the caller owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
    }
}

/// flock(LOCK_UN).
pub(crate) fn unlock_file(file: &File) {
    // SAFETY: flock on a descriptor the caller owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
}

/// sysconf(_SC_PAGESIZE).
pub(crate) fn page_size_now() -> usize {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(0) as usize
}

/// Which of the pages of `start..start + len` (page-aligned, inside a mapping of ours)
/// are resident (mincore).
pub(crate) fn resident_pages(start: usize, len: usize) -> io::Result<Vec<bool>> {
    let page = super::page_size();
    let mut vec = vec![0u8; len / page];
    // SAFETY: the span lies inside a mapping of ours; vec has one byte per page.
    if unsafe { libc::mincore(start as *mut _, len, vec.as_mut_ptr() as *mut _) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(vec.iter().map(|&b| b & 1 != 0).collect())
}

/// mlock (or munlock) of the page-aligned span `start..start + len`.
pub(crate) fn lock_pages(start: usize, len: usize, lock: bool) -> io::Result<()> {
    // SAFETY: the span lies inside a mapping of ours.
    let rc = unsafe {
        if lock {
            libc::mlock(start as *const _, len)
        } else {
            libc::munlock(start as *const _, len)
        }
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// What to add to the message of a failed mlock / munlock.
pub(crate) fn lock_hint(err: &io::Error, lock: bool) -> &'static str {
    match err.raw_os_error() {
        Some(libc::ENOMEM) => " (RLIMIT_MEMLOCK, see ulimit -l, may be too low)",
        Some(libc::EPERM) if lock => " (RLIMIT_MEMLOCK is 0 and the process lacks CAP_IPC_LOCK)",
        _ => "",
    }
}

/// What to add to the message of an mmap that failed with ENOMEM because of the
/// process's address-space limit (RLIMIT_AS, set): nothing for another failure or when
/// there is no such limit. (Linux first checks its limit on the number of mappings.)
pub(crate) fn address_space_hint(err: &io::Error) -> String {
    if err.raw_os_error() != Some(libc::ENOMEM) {
        return String::new();
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0
        || limit.rlim_cur == libc::RLIM_INFINITY
    {
        return String::new();
    }
    format!(
        " (the process's address space is limited to {} bytes: RLIMIT_AS, see ulimit -v)",
        limit.rlim_cur
    )
}

/// The directory of a replaced file, open so that the rename can be made durable
/// (fsync of the directory).
pub(crate) struct DirSync(File);

impl DirSync {
    /// Opens `dir` (one the caller cannot read, mode 0333, fails here).
    pub(crate) fn open(dir: &Path) -> io::Result<DirSync> {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(dir)
            .map(DirSync)
    }

    /// fsync of the directory.
    pub(crate) fn sync(&self) -> io::Result<()> {
        self.0.sync_all()
    }
}

/// What a replaced file keeps of the old one: its permission bits and, where the caller
/// may set them, its owner and group.
pub(crate) struct Kept {
    mode: u32,
    uid: u32,
    gid: u32,
}

impl Kept {
    pub(crate) fn of(meta: &std::fs::Metadata) -> Kept {
        Kept {
            mode: meta.mode() & 0o777,
            uid: meta.uid(),
            gid: meta.gid(),
        }
    }

    /// Gives the new file the old one's owner and group (best effort: only root may give
    /// a file away, and a user may only pick one of its own groups) and then its mode.
    pub(crate) fn apply(&self, file: &File) -> io::Result<()> {
        let meta = file.metadata()?;
        if (meta.uid(), meta.gid()) != (self.uid, self.gid)
            && std::os::unix::fs::fchown(file, Some(self.uid), Some(self.gid)).is_err()
        {
            let _ = std::os::unix::fs::fchown(file, None, Some(self.gid));
        }
        file.set_permissions(std::fs::Permissions::from_mode(self.mode))
    }
}

/// Nothing to add after msync(MS_SYNC) on Linux: it writes the pages and the kernel's
/// fsync path flushes the drive's cache.
#[allow(dead_code)] // macOS has its own.
pub(crate) fn flush_drive_cache(_path: Option<&Path>, _id: Option<(u64, u64)>) -> io::Result<()> {
    Ok(())
}

/// A plain rename over an existing name.
pub(crate) fn rename_replace(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

/// Pipe capacity is at least 4096 bytes (PIPE_BUF); a chunk that fits guarantees
/// `write` never blocks on a pipe nobody drains.
const PIPE_CHUNK: usize = 4096;

/// The pipe copy: `write(pipe, src)` + `read(pipe, dst)` in chunks; the kernel's
/// copy_from_user / copy_to_user turn a fault on either side into EFAULT.
///
/// # Safety
/// As safecopy's `copy`.
pub(crate) unsafe fn copy_pipe(
    dst: *mut u8,
    src: *const u8,
    len: usize,
) -> std::result::Result<(), Fault> {
    let (rd, wr): (OwnedFd, OwnedFd) =
        super::os::new_pipe().map_err(|error| Fault { copied: 0, error })?;
    let efault = || io::Error::from_raw_os_error(libc::EFAULT);
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
                error: efault(),
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
                    error: efault(),
                });
            }
            moved += r as usize;
        }
        copied += moved;
        if (w as usize) < chunk {
            return Err(Fault {
                copied,
                error: efault(),
            });
        }
    }
    Ok(())
}

/// A gather done one element per copy (the pipe has no scatter-gather form).
///
/// # Safety
/// As safecopy's `gather`.
#[allow(dead_code)] // Linux gathers with process_vm_readv and only falls back to this.
pub(crate) unsafe fn gather_each(
    dst: *mut u8,
    src: *const u8,
    stride: isize,
    itemsize: usize,
    from: usize,
    count: usize,
) -> std::result::Result<(), Fault> {
    let mut done = from;
    while done < count {
        let element = src.wrapping_offset(done as isize * stride);
        // SAFETY: as our caller's contract; one element per copy.
        unsafe { super::os::copy(dst.add(done * itemsize), element, itemsize) }.map_err(|f| {
            Fault {
                copied: done * itemsize + f.copied,
                error: f.error,
            }
        })?;
        done += 1;
    }
    Ok(())
}

/// `path` opened anew for reading if it still names the regular file `id` (`FileStat::id`),
/// else None. Looked at before it is opened (opening a FIFO or a device put at the path
/// since could block or act on the device), and again after (the path may change
/// between the two).
pub(crate) fn open_same_file(path: &std::path::Path, id: (u64, u64)) -> Option<File> {
    let same = |meta: &std::fs::Metadata| meta.is_file() && (meta.dev(), meta.ino()) == id;
    if !same(&std::fs::metadata(path).ok()?) {
        return None;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(OPEN_FLAGS)
        .open(path)
        .ok()?;
    same(&file.metadata().ok()?).then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    /// stat_file (one fstat) says what std's metadata says: size, identity and the kind
    /// of a regular file, a directory and a FIFO; node_of names a socket (which open(2)
    /// refuses, so only its metadata is seen). Every node lives in a temp dir of its own.
    #[test]
    fn one_fstat_says_what_metadata_says() {
        use std::os::unix::net::UnixListener;
        let tmp = crate::test_tempdir::TempDir::new("stat");
        let dir = &tmp.0;
        let file = tmp.path("a.bin");
        std::fs::write(&file, [1u8; 12345]).unwrap();
        let fifo = tmp.path("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path inside our own temp dir.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let sock = tmp.path("sock");
        let listener = UnixListener::bind(&sock).unwrap();
        let open = |p: &Path| {
            OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
                .open(p)
                .unwrap()
        };
        for (path, node) in [
            (&file, Node::Regular),
            (dir, Node::Directory),
            (&fifo, Node::Special("a FIFO")),
        ] {
            let f = open(path);
            let meta = f.metadata().unwrap();
            let stat = stat_file(&f).unwrap();
            assert_eq!(stat.node, node, "{path:?}");
            assert_eq!(node_of(&meta), node, "{path:?}");
            assert_eq!(stat.len, meta.len(), "{path:?}");
            assert_eq!(stat.id, (meta.dev(), meta.ino()), "{path:?}");
        }
        assert_eq!(stat_file(&open(&file)).unwrap().len, 12345);
        let meta = std::fs::symlink_metadata(&sock).unwrap();
        assert_eq!(node_of(&meta), Node::Special("a socket"));
        drop(listener);
    }

    /// open_existing: O_RDONLY or O_RDWR with close-on-exec, O_NONBLOCK and O_NOCTTY,
    /// the errno of a failure, and std's own answer for a path with a NUL byte; a path
    /// longer than the stack buffer opens all the same (through std); the caller's C
    /// string opens as the path copied to the buffer does.
    #[test]
    fn open_existing_is_one_open_with_our_flags() {
        let tmp = crate::test_tempdir::TempDir::new("openex");
        let dir = &tmp.0;
        let file = tmp.path("a.bin");
        std::fs::write(&file, b"abc").unwrap();
        for write in [false, true] {
            let f = open_existing(&file, None, write).unwrap();
            let fd = f.as_raw_fd();
            // SAFETY: fcntl only reads the flags of our own descriptor.
            let (fl, fd_flags) = unsafe {
                (
                    libc::fcntl(fd, libc::F_GETFL),
                    libc::fcntl(fd, libc::F_GETFD),
                )
            };
            let access = if write { libc::O_RDWR } else { libc::O_RDONLY };
            assert_eq!(fl & libc::O_ACCMODE, access);
            assert_ne!(fl & libc::O_NONBLOCK, 0);
            assert_ne!(fd_flags & libc::FD_CLOEXEC, 0);
        }
        // The caller's C string, when given, opens exactly as the copied path does.
        let missing = tmp.path("missing");
        for p in [&file, &missing, dir] {
            let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
            for write in [false, true] {
                let flags = |f: File| {
                    // SAFETY: fcntl only reads the flags of our own descriptor.
                    unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETFL) }
                };
                match (
                    open_existing(p, Some(&c), write),
                    open_existing(p, None, write),
                ) {
                    (Ok(a), Ok(b)) => assert_eq!(flags(a), flags(b), "{p:?}"),
                    (Err(a), Err(b)) => assert_eq!(a.raw_os_error(), b.raw_os_error(), "{p:?}"),
                    (a, b) => panic!("{p:?} {write}: {a:?} vs {b:?}"),
                }
            }
        }
        let errno =
            |p: &Path, write: bool| open_existing(p, None, write).unwrap_err().raw_os_error();
        assert_eq!(errno(&tmp.path("missing"), false), Some(libc::ENOENT));
        assert_eq!(errno(dir, true), Some(libc::EISDIR));
        let nul = Path::new(OsStr::from_bytes(b"a\0b"));
        let ours = open_existing(nul, None, false).unwrap_err();
        let std_err = File::open(nul).unwrap_err();
        assert_eq!(ours.kind(), std_err.kind());
        assert_eq!(ours.to_string(), std_err.to_string());
        // Longer than the 512-byte buffer: a/././././.../a.bin.
        let mut long = dir.as_os_str().as_bytes().to_vec();
        while long.len() < 600 {
            long.extend_from_slice(b"/.");
        }
        long.extend_from_slice(b"/a.bin");
        let mut f = open_existing(Path::new(OsStr::from_bytes(&long)), None, false).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).unwrap();
        assert_eq!(text, "abc");
    }
}
