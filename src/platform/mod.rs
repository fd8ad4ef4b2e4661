//! The platform layer: the one interface through which the core reaches the operating
//! system for what differs between Linux, macOS and Windows, in the manner of memmap2
//! (one module per platform behind the same names; `cfg` appears here, where the module
//! is chosen, and nowhere in the core).
//!
//! - `unix.rs`: what every POSIX system shares (positional I/O through std, open flags
//!   with `O_CLOEXEC`, `fstat` identity, `flock`, `mincore`, `mlock`, the pipe copy,
//!   directory fsync, permission bits and owner of a replaced file);
//! - `linux.rs`: Linux on top of it (`fallocate`, `process_vm_readv`, `O_TMPFILE` +
//!   `linkat`, `renameat2`, every madvise value);
//! - `macos.rs`: macOS on top of it (`F_PREALLOCATE`, `F_FULLFSYNC`, `renamex_np`, the
//!   pipe copy only, the madvise values macOS has);
//! - `windows.rs`: Win32 through `windows-sys` (file index identity, share modes,
//!   `FileAllocationInfo`, `ReadProcessMemory`, `PrefetchVirtualMemory`,
//!   `VirtualLock`, `QueryWorkingSetEx`, `LockFileEx`, `MoveFileExW`).
//!
//! Every platform module provides the same items, listed in the `pub(crate) use` below.
//! This module imports nothing from the rest of the crate (tests/module_graph.rs): it
//! speaks `std::io::Error`, and the core words the errors.

#[cfg(unix)]
mod unix;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as os;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
compile_error!("mmarray is built for Linux, macOS and Windows only");

/// Positional reads and writes of a shared `File` (`read_at`, `read_exact_at`,
/// `write_all_at`): `std::os::unix::fs::FileExt` on POSIX, a loop over `seek_read` /
/// `seek_write` on Windows.
pub use os::FileExt;
/// Guarded copies (their public face is the safecopy module).
pub use os::{copy, copy_with, current_method, gather, Method};

pub(crate) use os::{
    absolute_path, access_allows_write, advise, advise_huge_pages, borrow_fd, borrow_handle,
    create_anonymous, errno_of, flush_drive_cache, is_normal_absolute_path, link_anonymous,
    lock_file, lock_hint, lock_pages, map_hint, map_region, node_of, open_existing, path_bytes,
    path_from_bytes, prefault, prepare_options, reserve_blocks, reserve_prefix, resident_pages,
    stat_file, unlock_file, with_absolute_path, CallFile, CancellationDeferred, DirSync, Kept,
    Region, CAN_MAP_PAST_END, OPEN_DIR_IS_ACCESS_DENIED, TRUNCATE_REFUSED_UNDER_VIEWS,
};
pub(crate) use os::{
    copy_range, open_same_file, rename_exchange, rename_noreplace, rename_replace,
};

/// What one status call (fstat) on an open file tells an open: its size, what kind of
/// node it is and its identity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileStat {
    /// Bytes in the file (st_size).
    pub(crate) len: u64,
    pub(crate) node: Node,
    /// (st_dev, st_ino); on Windows (volume serial number, file index).
    pub(crate) id: (u64, u64),
}

/// The kind of a node, as the regular-file check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    Regular,
    Directory,
    /// Anything else, with what it is for messages ("a FIFO", "a character device"...).
    Special(&'static str),
}

/// How far a guarded copy got.
#[derive(Debug)]
pub struct Fault {
    /// Bytes copied before the fault.
    pub copied: usize,
    /// The OS error (EFAULT for a page the file no longer backs; on Windows the Win32
    /// error of ReadProcessMemory, ERROR_PARTIAL_COPY or ERROR_NOACCESS).
    pub error: std::io::Error,
}

/// Advice about the use of a range of a mapping, by what it asks of the system (madvise
/// on POSIX). Which values each platform has is in docs/c-api.md#platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
    HugePage,
    PopulateRead,
    PopulateWrite,
}

impl Advice {
    /// The POSIX name of the advice (used in messages on every platform).
    pub fn name(self) -> &'static str {
        match self {
            Advice::Normal => "MADV_NORMAL",
            Advice::Sequential => "MADV_SEQUENTIAL",
            Advice::Random => "MADV_RANDOM",
            Advice::WillNeed => "MADV_WILLNEED",
            Advice::DontNeed => "MADV_DONTNEED",
            Advice::HugePage => "MADV_HUGEPAGE",
            Advice::PopulateRead => "MADV_POPULATE_READ",
            Advice::PopulateWrite => "MADV_POPULATE_WRITE",
        }
    }
}

/// The error of an advice this platform does not have: `io::ErrorKind::Unsupported`,
/// which the core turns into MM_E_UNSUPPORTED (never a silent no-op).
#[allow(dead_code)] // Linux has every advice.
fn unsupported(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Unsupported, what.to_string())
}

/// The system's page size (the unit of advice, residency and locking).
pub(crate) fn page_size() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            let p = os::page_size_now().max(4096);
            PAGE.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

/// What one in-kernel copy between two files did (`copy_range`: Linux's
/// `copy_file_range(2)`: no trip through user space, a reflink or a server-side copy where
/// the filesystem can; the other systems have no such call and answer `Unavailable`).
#[derive(Debug)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(crate) enum CopyOutcome {
    /// This many bytes were copied (fewer than asked is possible; 0 means the source has
    /// no byte at the offset: it ends there).
    Copied(usize),
    /// The kernel cannot copy between these two files (no such call on this system,
    /// different filesystems, a filesystem or file type without support): copy in user
    /// space instead. Nothing was copied.
    Unavailable,
    /// The copy failed (out of space, past RLIMIT_FSIZE, an I/O error).
    Failed(std::io::Error),
}
