//! Windows (x86_64-pc-windows-gnu, run under Wine in the tests), through `windows-sys`.
//! Over 600 lines: the whole Windows side of the platform interface in one file, as
//! unix.rs, linux.rs and macos.rs are for POSIX together (the guarded copy is in
//! windows/copy.rs).
//!
//! What differs from POSIX, and why (docs/c-api.md#platforms says it for callers):
//! - A file mapping cannot reach past the end of its file (CreateFileMappingW with size
//!   0 covers exactly the file), so an open sizes the file *before* it maps
//!   (`CAN_MAP_PAST_END` is false). A w+ of an existing file has therefore truncated it
//!   when a later mapping fails; a file the open extended is put back to its old size.
//! - A file with a mapped view cannot be truncated (SetEndOfFile fails with
//!   ERROR_USER_MAPPED_FILE), so pages never vanish under a view; guarded copies still
//!   go through ReadProcessMemory on the own process, which reports a page that cannot
//!   be read (an I/O error of the backing file, a full disk behind a sparse page) as
//!   ERROR_PARTIAL_COPY / ERROR_NOACCESS instead of an access violation.
//! - memmap2 keeps one duplicate of the open's file handle per mapping, for
//!   FlushFileBuffers (mm_flush). Every handle this library opens shares read, write and
//!   delete, so while views are open other programs may still open, rename and delete
//!   the file (not truncate it); once the last view closes nothing of the file is held.
//! - Growth locks (mm_npy_append) take a LockFileEx lock on one byte far past any data
//!   (an advisory convention between mmarray processes; a lock on the data would block
//!   every other reader, since Windows byte-range locks are mandatory).
//! - Paths are UTF-8 in the API and wide strings for Win32.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io;
use std::mem::ManuallyDrop;
use std::os::windows::ffi::OsStrExt as _;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, RawHandle};
use std::path::Path;

use memmap2::{MmapMut, MmapRaw};
use windows_sys::Win32::Foundation as wf;
use windows_sys::Win32::Storage::FileSystem as fs;
use windows_sys::Win32::System::{Memory, ProcessStatus, SystemInformation, Threading, IO};

use super::{unsupported, Advice, FileStat, Node};

mod copy;
pub use copy::{copy, copy_with, current_method, gather, Method};

/// A file mapping covers at most the file: size first, then map.
pub(crate) const CAN_MAP_PAST_END: bool = false;

/// SetEndOfFile below a mapped view fails (ERROR_USER_MAPPED_FILE, 1224).
pub(crate) const TRUNCATE_REFUSED_UNDER_VIEWS: bool = true;

/// Windows answers an open of a directory as a file with ERROR_ACCESS_DENIED.
pub(crate) const OPEN_DIR_IS_ACCESS_DENIED: bool = true;

/// Positional reads and writes of a shared `File`, as POSIX pread / pwrite: they leave
/// the file's position where it was. (`seek_read` / `seek_write` move it to the end of
/// what they moved, so the position is read first and put back after: a writer that
/// mixes sequential writes with positional ones, as the .npz writer does, needs this.)
pub trait FileExt {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
}

/// Runs `f` and puts the file's position back where it was.
fn keeping_position<T>(file: &File, f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    use std::io::Seek;
    let mut handle = file;
    let pos = handle.stream_position()?;
    let result = f();
    handle.seek(io::SeekFrom::Start(pos))?;
    result
}

impl FileExt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        keeping_position(self, || {
            std::os::windows::fs::FileExt::seek_read(self, buf, offset)
        })
    }

    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        keeping_position(self, || {
            let (mut buf, mut offset) = (buf, offset);
            while !buf.is_empty() {
                match std::os::windows::fs::FileExt::seek_read(self, buf, offset) {
                    Ok(0) => {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "failed to fill whole buffer",
                        ))
                    }
                    Ok(n) => {
                        buf = &mut buf[n..];
                        offset += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        keeping_position(self, || {
            let (mut buf, mut offset) = (buf, offset);
            while !buf.is_empty() {
                match std::os::windows::fs::FileExt::seek_write(self, buf, offset) {
                    Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                    Ok(n) => {
                        buf = &buf[n..];
                        offset += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
    }
}

/// The errno that stands for a Win32 error (the C API reports errno values on every
/// platform; the message keeps the Win32 code and text). Unknown codes are EIO.
pub(crate) fn errno_of(err: &io::Error) -> i32 {
    let Some(code) = err.raw_os_error() else {
        return 0;
    };
    match code as u32 {
        0 => 0,
        wf::ERROR_FILE_NOT_FOUND | wf::ERROR_PATH_NOT_FOUND | wf::ERROR_INVALID_DRIVE => {
            libc::ENOENT
        }
        wf::ERROR_BAD_NETPATH | wf::ERROR_BAD_NET_NAME => libc::ENOENT,
        wf::ERROR_ACCESS_DENIED | wf::ERROR_SHARING_VIOLATION | wf::ERROR_LOCK_VIOLATION => {
            libc::EACCES
        }
        wf::ERROR_PRIVILEGE_NOT_HELD => libc::EPERM,
        wf::ERROR_WRITE_PROTECT => libc::EROFS,
        wf::ERROR_FILE_EXISTS | wf::ERROR_ALREADY_EXISTS => libc::EEXIST,
        wf::ERROR_DISK_FULL | wf::ERROR_HANDLE_DISK_FULL => libc::ENOSPC,
        wf::ERROR_NOT_ENOUGH_MEMORY | wf::ERROR_OUTOFMEMORY | wf::ERROR_COMMITMENT_LIMIT => {
            libc::ENOMEM
        }
        wf::ERROR_WORKING_SET_QUOTA | wf::ERROR_NOT_ENOUGH_QUOTA => libc::ENOMEM,
        wf::ERROR_INVALID_PARAMETER => libc::EINVAL,
        wf::ERROR_INVALID_HANDLE => libc::EBADF,
        wf::ERROR_PARTIAL_COPY | wf::ERROR_NOACCESS => libc::EFAULT,
        wf::ERROR_USER_MAPPED_FILE => libc::EBUSY,
        wf::ERROR_DIRECTORY => libc::ENOTDIR,
        wf::ERROR_DIR_NOT_EMPTY => libc::ENOTEMPTY,
        wf::ERROR_FILENAME_EXCED_RANGE => libc::ENAMETOOLONG,
        wf::ERROR_NOT_SUPPORTED | wf::ERROR_INVALID_FUNCTION => libc::EOPNOTSUPP,
        wf::ERROR_NOT_SAME_DEVICE => libc::EXDEV,
        wf::ERROR_CANT_RESOLVE_FILENAME => libc::ELOOP,
        wf::ERROR_FILE_TOO_LARGE | wf::ERROR_FILE_SYSTEM_LIMITATION => libc::EFBIG,
        _ => libc::EIO,
    }
}

/// (volume serial number, file index): the identity of an open file.
pub(crate) fn file_id(file: &File) -> io::Result<(u64, u64)> {
    // SAFETY: an all-zero BY_HANDLE_FILE_INFORMATION is a valid value of it.
    let mut info: fs::BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: a handle we hold and an out-parameter of the right type.
    if unsafe { fs::GetFileInformationByHandle(file.as_raw_handle(), &mut info) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    Ok((u64::from(info.dwVolumeSerialNumber), index))
}

/// Size, kind and identity of an open file (its metadata and
/// GetFileInformationByHandle).
pub(crate) fn stat_file(file: &File) -> io::Result<FileStat> {
    let meta = file.metadata()?;
    Ok(FileStat {
        len: meta.len(),
        node: node_of(&meta),
        id: file_id(file)?,
    })
}

/// The kind of node `meta` describes; anything but a file or a directory (a device, a
/// pipe, a reparse point that is not a link) is "a device or special file".
pub(crate) fn node_of(meta: &std::fs::Metadata) -> Node {
    let file_type = meta.file_type();
    if file_type.is_file() {
        Node::Regular
    } else if file_type.is_dir() {
        Node::Directory
    } else {
        Node::Special("a device or special file")
    }
}

/// Every file this library opens shares read, write and delete: other programs may open,
/// rename and delete it while we hold it (a view may be open for hours).
pub(crate) fn prepare_options(options: &mut OpenOptions) {
    options.share_mode(fs::FILE_SHARE_READ | fs::FILE_SHARE_WRITE | fs::FILE_SHARE_DELETE);
}

/// An existing file opened for reading, and writing when `write`, shared as
/// [`prepare_options`] says. (`_c_path`, the C caller's NUL-terminated bytes that POSIX
/// opens without a copy, is of no use here: Win32 opens a wide string.)
pub(crate) fn open_existing(
    path: &Path,
    _c_path: Option<&std::ffi::CStr>,
    write: bool,
) -> io::Result<File> {
    let mut options = OpenOptions::new();
    prepare_options(&mut options);
    options.read(true).write(write).open(path)
}

/// A file this library opened for the length of one call (POSIX closes it without
/// reaching a thread cancellation point; Windows has no thread cancellation: a `File`).
pub(crate) struct CallFile(File);

impl CallFile {
    #[inline(always)]
    pub(crate) fn new(file: File) -> CallFile {
        CallFile(file)
    }
}

impl std::ops::Deref for CallFile {
    type Target = File;
    #[inline(always)]
    fn deref(&self) -> &File {
        &self.0
    }
}

/// Windows threads cannot be cancelled: nothing to defer.
pub(crate) struct CancellationDeferred;

impl CancellationDeferred {
    pub(crate) fn new() -> CancellationDeferred {
        CancellationDeferred
    }
}

/// The Win32 handle behind a C runtime descriptor (`_get_osfhandle`), borrowed as a
/// `File` that is never closed by us.
pub(crate) fn borrow_fd(fd: i32) -> io::Result<ManuallyDrop<File>> {
    // SAFETY: _get_osfhandle only looks the descriptor up (-1 when it is not open).
    let handle = unsafe { libc::get_osfhandle(fd) };
    if handle == -1 || handle == 0 {
        return Err(io::Error::from_raw_os_error(
            wf::ERROR_INVALID_HANDLE as i32,
        ));
    }
    // SAFETY: the File is never dropped (ManuallyDrop): the caller's handle is only
    // borrowed for the length of the call that uses it.
    Ok(ManuallyDrop::new(unsafe {
        File::from_raw_handle(handle as RawHandle)
    }))
}

/// A Win32 HANDLE the caller opened (mm_open_handle), borrowed as a `File` that is never
/// closed by us, with what it is when GetFileType does not say FILE_TYPE_DISK (a pipe, a
/// character device or console), for the caller to refuse. NULL and
/// INVALID_HANDLE_VALUE are ERROR_INVALID_HANDLE (the core refuses them before).
/// memmap2 duplicates the handle for a mapping it keeps; the caller's stays theirs.
pub(crate) fn borrow_handle(
    handle: *mut std::ffi::c_void,
) -> io::Result<(ManuallyDrop<File>, Option<&'static str>)> {
    if handle.is_null() || handle == wf::INVALID_HANDLE_VALUE {
        return Err(io::Error::from_raw_os_error(
            wf::ERROR_INVALID_HANDLE as i32,
        ));
    }
    // SAFETY: GetFileType only asks what the handle is; a handle that is not open (or not
    // a file) answers FILE_TYPE_UNKNOWN with an error.
    let kind = unsafe { fs::GetFileType(handle) };
    let special = match kind {
        fs::FILE_TYPE_DISK => None,
        fs::FILE_TYPE_PIPE => Some("a pipe or socket"),
        fs::FILE_TYPE_CHAR => Some("a character device or console"),
        _ => {
            let err = io::Error::last_os_error();
            if err.raw_os_error().unwrap_or(0) != 0 {
                return Err(err);
            }
            Some("a handle of unknown type")
        }
    };
    // SAFETY: the File is never dropped (ManuallyDrop): the caller's handle is only
    // borrowed for the length of the call that uses it.
    let file = ManuallyDrop::new(unsafe { File::from_raw_handle(handle as RawHandle) });
    Ok((file, special))
}

/// Nothing to add on Windows: memmap2's flush is FlushViewOfFile + FlushFileBuffers on
/// the handle it keeps, which follows the file through a rename.
pub(crate) fn flush_drive_cache(_path: Option<&Path>, _id: Option<(u64, u64)>) -> io::Result<()> {
    Ok(())
}

/// Whether the handle was opened for reading and writing (`Some(false)`: r+ and w+ must
/// refuse it, before anything changes): the access it was granted, read back with
/// NtQueryInformationFile(FileAccessInformation). Without this check a read-only handle
/// fails at the extension of a file that must grow, with ERROR_ACCESS_DENIED on Windows
/// but ERROR_INVALID_HANDLE under Wine 8. `None` when the system does not answer (the
/// mapping then refuses a read-only handle with ERROR_ACCESS_DENIED).
pub(crate) fn access_allows_write(file: &File) -> io::Result<Option<bool>> {
    use windows_sys::Wdk::Storage::FileSystem as nt;
    let mut info = nt::FILE_ACCESS_INFORMATION::default();
    // SAFETY: an all-zero IO_STATUS_BLOCK is a valid value of it.
    let mut status_block: IO::IO_STATUS_BLOCK = unsafe { std::mem::zeroed() };
    // SAFETY: a handle we hold (borrowed) and an out-buffer of the class's size.
    let status = unsafe {
        nt::NtQueryInformationFile(
            file.as_raw_handle(),
            &mut status_block,
            (&mut info as *mut nt::FILE_ACCESS_INFORMATION).cast(),
            std::mem::size_of::<nt::FILE_ACCESS_INFORMATION>() as u32,
            nt::FileAccessInformation,
        )
    };
    if status < 0 {
        return Ok(None);
    }
    let has = |rights: u32| info.AccessFlags & (rights | wf::GENERIC_ALL) != 0;
    Ok(Some(
        has(fs::FILE_READ_DATA | wf::GENERIC_READ) && has(fs::FILE_WRITE_DATA | wf::GENERIC_WRITE),
    ))
}

/// The one byte the growth lock covers: far past any data, so that the lock (mandatory
/// on Windows) blocks no reader or writer of the array, only other growers.
const LOCK_BYTE: u64 = u64::MAX - 1;

fn overlapped_at(offset: u64) -> IO::OVERLAPPED {
    // SAFETY: an all-zero OVERLAPPED is a valid value of it.
    let mut ov: IO::OVERLAPPED = unsafe { std::mem::zeroed() };
    ov.Anonymous.Anonymous.Offset = offset as u32;
    ov.Anonymous.Anonymous.OffsetHigh = (offset >> 32) as u32;
    ov
}

/// LockFileEx(LOCKFILE_EXCLUSIVE_LOCK) of the lock byte, waiting.
pub(crate) fn lock_file(file: &File) -> io::Result<()> {
    let mut ov = overlapped_at(LOCK_BYTE);
    // SAFETY: a handle we hold; `ov` outlives the synchronous call.
    let ok = unsafe {
        fs::LockFileEx(
            file.as_raw_handle(),
            fs::LOCKFILE_EXCLUSIVE_LOCK,
            0,
            1,
            0,
            &mut ov,
        )
    };
    if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// UnlockFileEx of the lock byte.
pub(crate) fn unlock_file(file: &File) {
    let mut ov = overlapped_at(LOCK_BYTE);
    // SAFETY: as in lock_file.
    unsafe { fs::UnlockFileEx(file.as_raw_handle(), 0, 1, 0, &mut ov) };
}

/// Reserves the blocks up to byte `to` (SetFileInformationByHandle, FileAllocationInfo,
/// which keeps the size): a full disk fails here. Where the file system does not take
/// it (Wine 8 answers ERROR_CALL_NOT_IMPLEMENTED), zeros are written from the current
/// end to `to`, as posix_fallocate's emulation does on Linux (the file grows; on
/// failure its size is put back). Bytes below the current end are never written.
pub(crate) fn reserve_blocks(file: &File, from: u64, to: u64, size_now: u64) -> io::Result<()> {
    if to <= size_now {
        return Ok(());
    }
    let info = fs::FILE_ALLOCATION_INFO {
        AllocationSize: to as i64,
    };
    // SAFETY: a handle we hold and a FILE_ALLOCATION_INFO of the size passed.
    let ok = unsafe {
        fs::SetFileInformationByHandle(
            file.as_raw_handle(),
            fs::FileAllocationInfo,
            (&info as *const fs::FILE_ALLOCATION_INFO).cast(),
            std::mem::size_of::<fs::FILE_ALLOCATION_INFO>() as u32,
        )
    };
    if ok != 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error().map(|c| c as u32) {
        Some(wf::ERROR_CALL_NOT_IMPLEMENTED)
        | Some(wf::ERROR_NOT_SUPPORTED)
        | Some(wf::ERROR_INVALID_FUNCTION)
        | Some(wf::ERROR_INVALID_PARAMETER) => {
            let zeros = vec![0u8; 1 << 20];
            let mut at = from.max(size_now);
            while at < to {
                let n = ((to - at) as usize).min(zeros.len());
                if let Err(e) = file.write_all_at(&zeros[..n], at) {
                    let _ = file.set_len(size_now);
                    return Err(e);
                }
                at += n as u64;
            }
            Ok(())
        }
        _ => Err(err),
    }
}

/// The header a w+ writes over a file it truncates lands on blocks the file already
/// has: nothing to reserve.
pub(crate) fn reserve_prefix(_file: &File, _len: u64) -> io::Result<()> {
    Ok(())
}

/// GetSystemInfo's page size (4096 on x86-64; the allocation granularity, 64 KiB, only
/// matters to memmap2, which aligns the view and hands back the offset's address).
pub(crate) fn page_size_now() -> usize {
    // SAFETY: an all-zero SYSTEM_INFO is valid; GetSystemInfo fills it and cannot fail.
    let mut info: SystemInformation::SYSTEM_INFO = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { SystemInformation::GetSystemInfo(&mut info) };
    info.dwPageSize as usize
}

fn prefetch(start: usize, len: usize) -> io::Result<()> {
    let range = Memory::WIN32_MEMORY_RANGE_ENTRY {
        VirtualAddress: start as *mut _,
        NumberOfBytes: len,
    };
    // SAFETY: one range entry that outlives the call, inside a mapping of ours.
    let ok = unsafe { Memory::PrefetchVirtualMemory(Threading::GetCurrentProcess(), 1, &range, 0) };
    if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Advice on Windows: MADV_NORMAL is what every view always is (nothing to change);
/// MADV_WILLNEED is PrefetchVirtualMemory; the rest has no Windows counterpart for a
/// mapped view and is `Unsupported`.
pub(crate) fn advise(map: &MmapRaw, advice: Advice, lo: usize, len: usize) -> io::Result<()> {
    match advice {
        Advice::Normal => Ok(()),
        Advice::WillNeed => prefetch(map.as_mut_ptr() as usize + lo, len),
        _ => Err(unsupported(&format!(
            "{} has no Windows counterpart for a mapped view",
            advice.name()
        ))),
    }
}

/// PrefetchVirtualMemory over a fresh mapping (memmap2 has no populate on Windows).
pub(crate) fn prefault(map: &MmapRaw) {
    let _ = prefetch(map.as_mut_ptr() as usize, map.len());
}

/// A mapped region: memmap2's MmapRaw, which keeps the duplicate file handle
/// FlushFileBuffers needs (POSIX maps directly: platform/unix/region.rs).
pub(crate) type Region = MmapRaw;

/// Maps `len` bytes (more than 0) of `file` from byte `offset` (any offset: memmap2
/// aligns the view and hands back the address of `offset` itself): read-only, writable,
/// or copy-on-write (writable) when `private`.
pub(crate) fn map_region(
    file: &File,
    writable: bool,
    private: bool,
    offset: u64,
    len: usize,
    populate: bool,
) -> io::Result<Region> {
    let mut options = memmap2::MmapOptions::new();
    options.offset(offset).len(len);
    if populate {
        options.populate();
    }
    // SAFETY: mapping a file is unsafe because another process may change or truncate it
    // underneath; that is inherent to memory-mapped files and documented for callers.
    unsafe {
        match (writable, private) {
            (false, _) => options.map_raw_read_only(file),
            (true, false) => options.map_raw(file),
            (true, true) => options.map_copy(file).map(MmapRaw::from),
        }
    }
}

/// Large pages need a privilege and a different allocation: nothing to ask.
pub(crate) fn advise_huge_pages(_memory: &mut MmapMut) {}

/// Which of the pages of `start..start + len` are in the process's working set
/// (QueryWorkingSetEx, its Valid bit).
pub(crate) fn resident_pages(start: usize, len: usize) -> io::Result<Vec<bool>> {
    let page = super::page_size();
    let mut info: Vec<ProcessStatus::PSAPI_WORKING_SET_EX_INFORMATION> = (0..len / page)
        .map(|i| ProcessStatus::PSAPI_WORKING_SET_EX_INFORMATION {
            VirtualAddress: (start + i * page) as *mut _,
            VirtualAttributes: ProcessStatus::PSAPI_WORKING_SET_EX_BLOCK { Flags: 0 },
        })
        .collect();
    let bytes = std::mem::size_of_val(info.as_slice());
    let bytes = u32::try_from(bytes).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `info` holds one entry per page, `bytes` long; the call fills them in.
    let ok = unsafe {
        ProcessStatus::K32QueryWorkingSetEx(
            Threading::GetCurrentProcess(),
            info.as_mut_ptr().cast(),
            bytes,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: Flags is the whole union as one number; bit 0 is Valid.
    Ok(info
        .iter()
        .map(|e| unsafe { e.VirtualAttributes.Flags } & 1 != 0)
        .collect())
}

/// VirtualLock (or VirtualUnlock) of the page span. Unlocking pages that were not
/// locked (ERROR_NOT_LOCKED) succeeds, as munlock does.
pub(crate) fn lock_pages(start: usize, len: usize, lock: bool) -> io::Result<()> {
    // SAFETY: the span lies inside a mapping of ours.
    let ok = unsafe {
        if lock {
            Memory::VirtualLock(start as *const _, len)
        } else {
            Memory::VirtualUnlock(start as *const _, len)
        }
    };
    if ok != 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if !lock && err.raw_os_error() == Some(wf::ERROR_NOT_LOCKED as i32) {
        return Ok(());
    }
    Err(err)
}

/// What to add to the message of a failed mapping: nothing on Windows (its message
/// already names the resource: commit limit, paging file, address space).
pub(crate) fn map_hint(_err: &io::Error) -> String {
    String::new()
}

/// What to add to the message of a failed VirtualLock.
pub(crate) fn lock_hint(err: &io::Error, lock: bool) -> &'static str {
    match err.raw_os_error().map(|c| c as u32) {
        Some(wf::ERROR_WORKING_SET_QUOTA) if lock => {
            " (the process's minimum working set, SetProcessWorkingSetSize, is too small)"
        }
        _ => "",
    }
}

/// The UTF-8 bytes of a path (lossy for a name that is not valid UTF-16).
pub(crate) fn path_bytes(path: &Path) -> Cow<'_, [u8]> {
    match path.to_string_lossy() {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

/// A path from the bytes of a C string: UTF-8 (`None` otherwise).
pub(crate) fn path_from_bytes(bytes: &[u8]) -> Option<&Path> {
    std::str::from_utf8(bytes).ok().map(Path::new)
}

/// `path` made absolute as Python's ntpath.abspath does (GetFullPathNameW: drive
/// letters kept, `/` becomes `\`, `.` and `..` collapsed, `\\server\share\` kept as
/// the root of a UNC path, symlinks not resolved).
pub(crate) fn absolute_path(path: &Path) -> io::Result<std::borrow::Cow<'_, Path>> {
    std::path::absolute(path).map(std::borrow::Cow::Owned)
}

/// [`absolute_path`]'s answer handed to `f` (always made: GetFullPathNameW).
pub(crate) fn with_absolute_path<R>(
    path: &Path,
    f: impl FnOnce(std::borrow::Cow<'_, Path>) -> R,
) -> io::Result<R> {
    absolute_path(path).map(f)
}

/// Whether [`absolute_path`] would answer `path` as it is: never on Windows, where the
/// name is always rebuilt (GetFullPathNameW turns `/` into `\\`).
pub(crate) fn is_normal_absolute_path(_path: &Path) -> bool {
    false
}

/// A path as a NUL-terminated wide string for Win32, made absolute and given the
/// `\\?\` prefix when it is longer than MAX_PATH allows (long paths).
fn wide(path: &Path) -> io::Result<Vec<u16>> {
    let abs = std::path::absolute(path)?;
    let mut w: Vec<u16> = abs.as_os_str().encode_wide().collect();
    let verbatim = w.starts_with(&[92, 92, 63, 92]); // \\?\
    if w.len() >= 248 && !verbatim {
        let unc = w.starts_with(&[92, 92]);
        let mut prefixed: Vec<u16> = if unc {
            r"\\?\UNC"
                .encode_utf16()
                .chain(w[1..].iter().copied())
                .collect()
        } else {
            r"\\?\".encode_utf16().chain(w.iter().copied()).collect()
        };
        std::mem::swap(&mut w, &mut prefixed);
    }
    if w.contains(&0) {
        return Err(io::Error::from_raw_os_error(wf::ERROR_INVALID_NAME as i32));
    }
    w.push(0);
    Ok(w)
}

/// MoveFileExW with `flags` | MOVEFILE_WRITE_THROUGH (the rename is on disk when it
/// returns: Windows has no directory fsync).
fn move_file(from: &Path, to: &Path, flags: fs::MOVE_FILE_FLAGS) -> io::Result<()> {
    let (from, to) = (wide(from)?, wide(to)?);
    // SAFETY: two NUL-terminated wide strings that outlive the call.
    let ok = unsafe {
        fs::MoveFileExW(
            from.as_ptr(),
            to.as_ptr(),
            flags | fs::MOVEFILE_WRITE_THROUGH,
        )
    };
    if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH).
pub(crate) fn rename_replace(from: &Path, to: &Path) -> io::Result<()> {
    move_file(from, to, fs::MOVEFILE_REPLACE_EXISTING)
}

/// No atomic exchange of two names on Windows: `Unsupported` (the save replaces).
pub(crate) fn rename_exchange(_from: &Path, _to: &Path) -> io::Result<()> {
    Err(unsupported("Windows cannot exchange two file names"))
}

/// MoveFileExW without MOVEFILE_REPLACE_EXISTING: fails if `to` exists.
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    move_file(from, to, 0)
}

/// No directory fsync on Windows: MOVEFILE_WRITE_THROUGH makes the rename durable.
pub(crate) struct DirSync;

impl DirSync {
    pub(crate) fn open(dir: &Path) -> io::Result<DirSync> {
        // The directory must exist (as on POSIX, where it is opened here).
        if std::fs::metadata(dir)?.is_dir() {
            Ok(DirSync)
        } else {
            Err(io::Error::from_raw_os_error(wf::ERROR_DIRECTORY as i32))
        }
    }

    pub(crate) fn sync(&self) -> io::Result<()> {
        Ok(())
    }
}

/// A replaced file keeps nothing of the old one on Windows: a read-only target was
/// refused before (it cannot be opened for writing) and its ACL is inherited from the
/// directory, as for any new file.
pub(crate) struct Kept;

impl Kept {
    pub(crate) fn of(_meta: &std::fs::Metadata) -> Kept {
        Kept
    }

    pub(crate) fn apply(&self, _file: &File) -> io::Result<()> {
        Ok(())
    }
}

/// No anonymous files: a save writes a named temporary file next to the target.
pub(crate) fn create_anonymous(_dir: &Path) -> io::Result<Option<File>> {
    Ok(None)
}

/// Never called (no anonymous files here).
pub(crate) fn link_anonymous(_file: &File, _temp: &Path) -> io::Result<()> {
    Err(unsupported("no anonymous files on Windows"))
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

/// `path` opened anew for reading (sharing read, write and delete) if it still names the
/// regular file `id` (`file_id`), else None.
pub(crate) fn open_same_file(path: &std::path::Path, id: (u64, u64)) -> Option<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    prepare_options(&mut options);
    let file = options.open(path).ok()?;
    (file.metadata().ok()?.is_file() && file_id(&file).ok()? == id).then_some(file)
}
