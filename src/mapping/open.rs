//! The order of work of an open, so that a failure never changes the caller's file:
//! validate every argument, open and measure the file, check sizes, map the region
//! (mapping past the end of a file is allowed), and only then truncate or extend. Also
//! the one w+ sequence `mm_create_npy` shares, and the regular-file check.
//!
//! Over 600 lines: the open's steps stay in one file, in the order they run, so that
//! "nothing changes the file before the last check" can be read off it (it is tested
//! from outside: tests/core_open.rs, tests/create_npy_failures.rs, tests/wplus_symlink.rs).

use std::ffi::CStr;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::control::{prefault, reserve_blocks};
use super::{region_bytes_1d, Checked, FileName, Found, Mapping, Mode, OpenFlags, OpenSpec};
use crate::error::{ErrorKind, MmError, Result};
use crate::platform::{self, FileExt, Region};

/// Opens `path` as numpy.memmap would (with the decisions D1-D11 of
/// docs/numpy-semantics.md) and maps it.
/// Returns the mapping and the array's shape.
///
/// An extension (r+, w+) past RLIMIT_FSIZE raises SIGXFSZ, which kills the process
/// unless it is ignored; ignored, the open is MM_E_IO/EFBIG and the file unchanged (the
/// final size is set before anything else changes).
pub fn open_path(path: &Path, spec: &OpenSpec) -> Result<(Mapping, Vec<usize>)> {
    open_path_with(path, spec, OpenFlags::default())
}

/// Maps an open descriptor (numpy's file-object case): never truncates, never closes or
/// keeps `fd` (on Windows a C runtime descriptor, whose handle `_get_osfhandle` gives).
pub fn open_fd(fd: i32, spec: &OpenSpec) -> Result<(Mapping, Vec<usize>)> {
    open_fd_with(fd, spec, OpenFlags::default())
}

/// Maps a file HANDLE the caller opened (Windows' mm_open_handle), as [`open_fd`] maps a
/// descriptor: never truncates, never closes or keeps `handle` (memmap2 duplicates it for
/// the mapping). NULL and INVALID_HANDLE_VALUE (-1) are InvalidArg; a handle that is not
/// a disk file (a pipe, a console) is Io with ENODEV, as a descriptor of a FIFO is.
/// Platforms without handles (POSIX) answer Unsupported.
pub fn open_handle(
    handle: *mut std::ffi::c_void,
    spec: &OpenSpec,
) -> Result<(Mapping, Vec<usize>)> {
    if handle.is_null() || handle as isize == -1 {
        let what = if handle.is_null() {
            "NULL"
        } else {
            "INVALID_HANDLE_VALUE"
        };
        return Err(MmError::invalid(format!(
            "the handle is {what}, not an open file"
        )));
    }
    let checked = spec.check()?;
    let (file, special) = platform::borrow_handle(handle).map_err(|e| {
        if e.kind() == io::ErrorKind::Unsupported {
            MmError::new(ErrorKind::Unsupported, e.to_string())
        } else {
            MmError::os(format!("handle {handle:p} is not an open file"), &e)
        }
    })?;
    if let Some(what) = special {
        return Err(not_a_file(libc::ENODEV, what));
    }
    map_borrowed(&file, &format!("handle {handle:p}"), spec, checked)
}

/// [`open_path`] with the open flags (prefault, preallocate).
pub fn open_path_with(
    path: &Path,
    spec: &OpenSpec,
    flags: OpenFlags,
) -> Result<(Mapping, Vec<usize>)> {
    let (mapping, found) = open_path_found(path, None, spec, flags)?;
    Ok((mapping, found.shape(spec).to_vec()))
}

/// [`open_path_with`], the shape as [`Found`] (no vector: mm_open's way). `c_path`, when
/// given, is `path` as a NUL-terminated C string (the C caller's own): r, r+ and c open
/// it as it is, without copying the path to add a NUL.
#[inline(always)]
pub(crate) fn open_path_found(
    path: &Path,
    c_path: Option<&CStr>,
    spec: &OpenSpec,
    flags: OpenFlags,
) -> Result<(Mapping, Found)> {
    let sizing = Sizing {
        truncate: spec.mode == Mode::Write,
        extend: true,
        prefix: &[],
    };
    open_path_sized(path, c_path, spec, flags, sizing)
}

/// The w+ sequence of [`open_path_with`] for a file that starts with `prefix` (a .npy
/// header): `spec.offset` must be `prefix.len()` and `spec.mode` w+. The file is created
/// or opened, checked to be a regular file, the array region mapped, the prefix's blocks
/// reserved, and only then is an existing file truncated, sized and given the prefix, so
/// that a failure of any step that can fail (mapping under RLIMIT_AS, a full disk,
/// RLIMIT_FSIZE) leaves an existing file byte-for-byte as it was and removes a file this
/// call created. The mapping reports mode r+.
pub(crate) fn create_with_prefix(
    path: &Path,
    spec: &OpenSpec,
    prefix: &[u8],
) -> Result<(Mapping, Vec<usize>)> {
    debug_assert!(spec.mode == Mode::Write && spec.offset == prefix.len() as u64);
    let sizing = Sizing {
        truncate: true,
        extend: true,
        prefix,
    };
    let (mut mapping, found) = open_path_sized(path, None, spec, OpenFlags::default(), sizing)?;
    mapping.mode = Mode::ReadWrite;
    Ok((mapping, found.shape(spec).to_vec()))
}

/// Maps an already-open file (whose path is `path`) in mode r, r+ or c without ever
/// changing its size: a region past the end is FileTooSmall in every mode. Used by the
/// .npy opener, which reads the header through the same descriptor (so that a concurrent
/// replace of the path cannot pair one file's header with another file's data).
pub(crate) fn map_opened(
    file: &File,
    path: &Path,
    spec: &OpenSpec,
) -> Result<(Mapping, Vec<usize>)> {
    debug_assert!(spec.mode != Mode::Write);
    let checked = spec.check()?;
    let filename = FileName::absolute(path)?;
    let sizing = Sizing {
        truncate: false,
        extend: false,
        prefix: &[],
    };
    let (mapping, found) = map_file(
        file,
        spec,
        checked,
        sizing,
        OpenFlags::default(),
        Name::Made(filename),
    )?;
    Ok((mapping, found.shape(spec).to_vec()))
}

// Written into its two callers (open_path_found, create_with_prefix): mm_open's mapping
// comes back through one frame fewer (callgrind: 16 instructions of an open + close).
#[inline(always)]
fn open_path_sized(
    path: &Path,
    c_path: Option<&CStr>,
    spec: &OpenSpec,
    flags: OpenFlags,
    sizing: Sizing,
) -> Result<(Mapping, Found)> {
    let checked = spec.check()?;
    let filename = Name::of(path)?;
    let (file, created) = open_file_c(path, c_path, spec.mode)?;
    // Closed when this returns by a close that is no cancellation point (Linux): with
    // the raw open of open_existing, mm_open's r, r+ and c reach none.
    let file = platform::CallFile::new(file);
    match created {
        // An existing file (r, r+, c, and w+ of one): the mapping is returned as made.
        None => map_file_inlined(&file, spec, checked, sizing, flags, filename),
        Some(created) => {
            let result = map_file(&file, spec, checked, sizing, flags, filename);
            if result.is_err() {
                // We made this file (through a symlink, maybe); a failed open leaves
                // nothing behind (removed before our descriptor is closed, as ever).
                let _ = std::fs::remove_file(created);
            }
            result
        }
    }
}

/// Maps the region `spec` describes of an open file (whose path is `path` and identity
/// `file_id`) without looking at or changing the file's size: a growth maps the grown
/// array before it writes the rows, so that a refused mapping leaves the file as it
/// was. The caller makes the file cover the region before the mapping is used.
pub(crate) fn map_for_growth(
    file: &File,
    path: &Path,
    spec: &OpenSpec,
    file_id: (u64, u64),
) -> Result<(Mapping, Vec<usize>)> {
    let checked = spec.check()?;
    let (Some(shape), Some(nbytes)) = (&spec.shape, checked.given) else {
        return Err(MmError::invalid("a growth needs the grown shape"));
    };
    let map = if nbytes == 0 {
        None
    } else {
        Some(map_region(file, spec.mode, spec.offset, nbytes, false)?)
    };
    let mapping = Mapping {
        map,
        mode: spec.mode,
        offset: spec.offset,
        filename: Some(FileName::copied(path)),
        file_id,
        from_file: true,
        npy: None,
    };
    Ok((mapping, shape.clone()))
}

/// The file name an open gives its mapping.
enum Name<'a> {
    /// Made before the file was opened (a relative or not normal path: making it
    /// absolute reads the current directory, which can fail).
    Made(FileName),
    /// The caller's path, already absolute and normal: copied as the mapping is put
    /// together (nothing can fail), into its place, instead of being carried through
    /// the open's steps.
    Normal(&'a Path),
    /// A descriptor's mapping has no name.
    None,
}

impl<'a> Name<'a> {
    /// The name of `path`, as [`FileName::absolute`] makes it.
    #[inline(always)]
    fn of(path: &'a Path) -> Result<Name<'a>> {
        if platform::is_normal_absolute_path(path) {
            return Ok(Name::Normal(path));
        }
        FileName::made_absolute(path).map(Name::Made)
    }

    #[inline(always)]
    fn made(self) -> Option<FileName> {
        match self {
            Name::Made(name) => Some(name),
            Name::Normal(path) => Some(FileName::copied(path)),
            Name::None => None,
        }
    }
}

/// How an open may change the file's size and content.
#[derive(Debug, Clone, Copy)]
struct Sizing<'a> {
    /// w+: the old content goes (last, after everything that can fail).
    truncate: bool,
    /// r+ / w+ may extend a file shorter than the region; `false` makes that
    /// FileTooSmall (decision D9, the .npy opener).
    extend: bool,
    /// Bytes written at offset 0 as the last step of a w+ (a .npy header).
    prefix: &'a [u8],
}

/// [`open_fd`] with the open flags (prefault, preallocate).
pub fn open_fd_with(fd: i32, spec: &OpenSpec, flags: OpenFlags) -> Result<(Mapping, Vec<usize>)> {
    if fd < 0 {
        return Err(MmError::invalid(format!(
            "file descriptor {fd} is negative"
        )));
    }
    let checked = spec.check()?;
    let file = platform::borrow_fd(fd)
        .map_err(|e| MmError::os(format!("descriptor {fd} is not an open file"), &e))?;
    map_borrowed_with(&file, &format!("descriptor {fd}"), spec, checked, flags)
}

/// The common part of [`open_fd`] and [`open_handle`] on a file the caller opened and
/// lends for the call (`what` names it in messages): the access check where the platform
/// can read it back, then the mapping, never truncating.
fn map_borrowed(
    file: &File,
    what: &str,
    spec: &OpenSpec,
    checked: Checked,
) -> Result<(Mapping, Vec<usize>)> {
    map_borrowed_with(file, what, spec, checked, OpenFlags::default())
}

fn map_borrowed_with(
    file: &File,
    what: &str,
    spec: &OpenSpec,
    checked: Checked,
    flags: OpenFlags,
) -> Result<(Mapping, Vec<usize>)> {
    if spec.mode.changes_file() {
        let writable = platform::access_allows_write(file)
            .map_err(|e| MmError::os(format!("cannot read the access mode of {what}"), &e))?;
        if writable == Some(false) {
            let mut err = MmError::new(
                ErrorKind::Permission,
                format!(
                    "mode {} needs {what} to be open for reading and writing ({})",
                    spec.mode.as_str(),
                    if what.starts_with("handle") {
                        "GENERIC_READ | GENERIC_WRITE"
                    } else {
                        "O_RDWR"
                    }
                ),
            );
            err.os_error = libc::EACCES;
            return Err(err);
        }
    }
    let sizing = Sizing {
        truncate: false,
        extend: true,
        prefix: &[],
    };
    let (mapping, found) = map_file(file, spec, checked, sizing, flags, Name::None)?;
    Ok((mapping, found.shape(spec).to_vec()))
}

/// Opens the file for `mode`. For w+ reports the path of the file this call created,
/// if it created one (a dangling symlink's target, like fopen, when `path` is one).
pub(crate) fn open_file(path: &Path, mode: Mode) -> Result<(File, Option<PathBuf>)> {
    open_file_c(path, None, mode)
}

/// [`open_file`] with `path` as a NUL-terminated C string too, when the caller has one
/// (see [`open_path_found`]). Written into its callers (mm_open's r, r+ and c make one
/// call, to open(2)); w+ is [`create_file`].
#[inline(always)]
fn open_file_c(path: &Path, c_path: Option<&CStr>, mode: Mode) -> Result<(File, Option<PathBuf>)> {
    // O_CLOEXEC, and O_NONBLOCK so that a FIFO is reported instead of blocking the
    // caller; on Windows sharing read, write and delete with other programs.
    match mode {
        Mode::ReadOnly | Mode::CopyOnWrite | Mode::ReadWrite => {
            match platform::open_existing(path, c_path, mode == Mode::ReadWrite) {
                Ok(file) => Ok((file, None)),
                Err(e) => Err(open_error(path, "open", &e)),
            }
        }
        Mode::Write => create_file(path),
    }
}

/// The error of a failed open or create (`what`) of `path`.
#[cold]
#[inline(never)]
fn open_error(path: &Path, what: &str, e: &io::Error) -> MmError {
    // Windows refuses to open a directory as a file with "access denied": report it
    // as POSIX does (MM_E_IO, EISDIR), the node left as it is.
    if platform::OPEN_DIR_IS_ACCESS_DENIED
        && platform::errno_of(e) == libc::EACCES
        && std::fs::metadata(path).is_ok_and(|m| m.is_dir())
    {
        let mut err = MmError::new(
            ErrorKind::Io,
            "a directory cannot be mapped as an array (a regular file is needed)",
        );
        err.os_error = libc::EISDIR;
        return err;
    }
    MmError::os(format!("cannot {what} the file"), e)
}

/// w+'s open of `path`: created by this call (and then reported, so that a failed open
/// can remove it) or opened as it is; never truncated here.
#[inline(never)]
fn create_file(path: &Path) -> Result<(File, Option<PathBuf>)> {
    let describe = |what: &str, e: &io::Error| open_error(path, what, e);
    let mut options = std::fs::OpenOptions::new();
    platform::prepare_options(&mut options);
    options.read(true).write(true);
    // Try to create it ourselves first, so that on failure we know whether the
    // file is ours to remove. Truncation waits until everything else succeeded.
    // O_EXCL does not follow a final symlink: a dangling one names the file to
    // create (as fopen's "w+" would), so follow it by hand, at most 40 links.
    let mut target = path.to_path_buf();
    let mut links = 0;
    for _ in 0..48 {
        match options.clone().create_new(true).open(&target) {
            Ok(file) => return Ok((file, Some(target))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(describe("create", &e)),
        }
        match options.open(&target) {
            Ok(file) => return Ok((file, None)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // A dangling symlink, or removed between the two calls.
                if let Ok(link) = std::fs::read_link(&target) {
                    links += 1;
                    if links > 40 {
                        let mut err = MmError::new(
                            ErrorKind::Io,
                            "cannot create the file: too many levels of symbolic links",
                        );
                        err.os_error = libc::ELOOP;
                        return Err(err);
                    }
                    target = match target.parent() {
                        Some(dir) => dir.join(link),
                        None => link,
                    };
                }
            }
            Err(e) => return Err(describe("open", &e)),
        }
    }
    Err(MmError::new(
        ErrorKind::Io,
        "the file kept appearing and disappearing while being created",
    ))
}

/// Measures, checks, maps, and finally sizes the file: the one place where an open
/// changes a file, in this order (so that every step that can fail comes before the
/// first change): fstat and the regular-file check, the size checks, mmap, the block
/// reservations (MM_OPEN_PREALLOCATE, a w+ prefix), then truncation or extension, then
/// the prefix. The mapping gets `filename`.
fn map_file(
    file: &File,
    spec: &OpenSpec,
    checked: Checked,
    sizing: Sizing,
    flags: OpenFlags,
    filename: Name,
) -> Result<(Mapping, Found)> {
    map_file_inlined(file, spec, checked, sizing, flags, filename)
}

/// [`map_file`] itself, written into its caller: [`open_path_sized`] (every mm_open)
/// takes it this way, without passing the file name and returning the mapping through
/// one more frame (callgrind: 23 instructions of an open + close).
#[inline(always)]
fn map_file_inlined(
    file: &File,
    spec: &OpenSpec,
    checked: Checked,
    sizing: Sizing,
    flags: OpenFlags,
    filename: Name,
) -> Result<(Mapping, Found)> {
    let truncate = sizing.truncate;
    // One fstat, as a C program makes: size, kind and identity together.
    let stat = platform::stat_file(file).map_err(|e| MmError::os("fstat failed", &e))?;
    if let Some((errno, what)) = not_regular_node(stat.node) {
        return Err(not_a_file(errno, what));
    }
    // After w+ truncation the file starts out empty.
    let old_size = stat.len;
    let file_id = stat.id;
    let size = if truncate { 0 } else { old_size };
    let offset = spec.offset;
    let (found, nbytes) = match checked.given {
        Some(nbytes) => (Found::Given, nbytes),
        None => infer_shape(spec, size)?,
    };
    let need = offset + nbytes as u64; // checked in OpenSpec::check / infer_shape
    let may_extend = spec.mode.changes_file() && sizing.extend;
    if !may_extend && need > size {
        let msg = if offset > size {
            format!("mode {} needs {nbytes} bytes from offset {offset}, but the offset lies past the end of the file ({size} bytes)", spec.mode.as_str())
        } else {
            format!(
                "mode {} needs {nbytes} bytes from offset {offset} but the file has {size}",
                spec.mode.as_str()
            )
        };
        return Err(MmError::new(ErrorKind::FileTooSmall, msg));
    }

    // POSIX maps before anything changes the file; a Windows mapping cannot reach past
    // the end of its file, so there the file is sized first and mapped last.
    let map_first = platform::CAN_MAP_PAST_END;
    let mut map = if nbytes == 0 || !map_first {
        None
    } else {
        Some(map_region(file, spec.mode, offset, nbytes, flags.populate)?)
    };

    let extends = may_extend && need > size;
    if flags.preallocate && (extends || (truncate && need > 0)) {
        // Before the file's size or content changes: a full disk fails here.
        reserve_blocks(file, if truncate { 0 } else { size }, need, old_size)?;
    }
    let keep = sizing.prefix.len() as u64;
    if truncate && old_size > 0 && keep > 0 {
        // The prefix overwrites blocks that truncation keeps: reserve them now, while a
        // full disk can still be answered with the file unchanged.
        reserve_prefix(file, keep)?;
    }
    if truncate && old_size > 0 {
        truncate_then_size(file, old_size, need, keep)?;
    } else if extends {
        file.set_len(need).map_err(|e| {
            MmError::os(
                format!("cannot extend the file from {size} to {need} bytes"),
                &e,
            )
        })?;
    }
    if !sizing.prefix.is_empty() {
        if let Err(e) = file.write_all_at(sizing.prefix, 0) {
            if old_size == 0 {
                // An empty file (or one this call created) can be put back exactly.
                let _ = file.set_len(0);
            }
            return Err(MmError::os(
                format!("cannot write the first {keep} bytes (the header)"),
                &e,
            ));
        }
    }
    if flags.preallocate && truncate && old_size > 0 && need > 0 {
        // Truncation gave the old blocks back; take them again for the new content.
        reserve_blocks(file, 0, need, need)?;
    }
    if nbytes > 0 && !map_first {
        match map_region(file, spec.mode, offset, nbytes, flags.populate) {
            Ok(m) => map = Some(m),
            Err(e) => {
                if extends && !truncate {
                    // Put the file back as it was; a w+ has already truncated it.
                    let _ = file.set_len(old_size);
                }
                return Err(e);
            }
        }
    }
    if flags.populate && (extends || truncate || !map_first) {
        if let Some(map) = &map {
            // MAP_POPULATE at mmap time skipped the pages that lay past the old end.
            prefault(map);
        }
    }
    let mapping = Mapping {
        map,
        mode: spec.mode,
        offset,
        filename: filename.made(),
        file_id,
        from_file: true,
        npy: None,
    };
    Ok((mapping, found))
}

/// Allocates the blocks of the first `len` bytes without changing the file's size or
/// content (fallocate with FALLOC_FL_KEEP_SIZE; holes stay zero). A filesystem without
/// fallocate is not an error: the later write may then still meet a full disk.
fn reserve_prefix(file: &File, len: u64) -> Result<()> {
    platform::reserve_prefix(file, len).map_err(|e| {
        MmError::os(
            format!("cannot reserve the blocks of the first {len} bytes (the header)"),
            &e,
        )
    })
}

/// A file that can be mapped as an array is a regular file; anything else (directory,
/// FIFO, device, socket) is MM_E_IO with EISDIR or ENODEV, before anything is read.
pub(crate) fn require_regular(meta: &std::fs::Metadata) -> Result<()> {
    match not_regular(meta) {
        None => Ok(()),
        Some((errno, what)) => Err(not_a_file(errno, what)),
    }
}

/// MM_E_IO with `errno` for a node that is not a regular file (`what` it is instead).
fn not_a_file(errno: i32, what: &str) -> MmError {
    let mut err = MmError::new(
        ErrorKind::Io,
        format!("{what} cannot be mapped as an array (a regular file is needed)"),
    );
    err.os_error = errno;
    err
}

/// The one regular-file check (mm_open, mm_open_npy, mm_create_npy, mm_save_npy's
/// target): `None` for a regular file, else the errno to report (EISDIR for a
/// directory, ENODEV for the rest) and what the node is, for the message.
pub(crate) fn not_regular(meta: &std::fs::Metadata) -> Option<(i32, &'static str)> {
    not_regular_node(platform::node_of(meta))
}

/// [`not_regular`] of a node kind as [`platform::stat_file`] reports it.
fn not_regular_node(node: platform::Node) -> Option<(i32, &'static str)> {
    match node {
        platform::Node::Regular => None,
        platform::Node::Directory => Some((libc::EISDIR, "a directory")),
        platform::Node::Special(what) => Some((libc::ENODEV, what)),
    }
}

/// numpy's inferred 1-D shape: whatever whole items lie between the offset and the end.
/// Written into map_file (mm_open infers its shape: 24 instructions of an open + close).
#[inline(always)]
fn infer_shape(spec: &OpenSpec, size: u64) -> Result<(Found, usize)> {
    let offset = spec.offset;
    let itemsize = spec.dtype.itemsize() as u64;
    if offset > size {
        return Err(MmError::new(
            ErrorKind::FileTooSmall,
            format!("offset {offset} lies past the end of the file ({size} bytes), so no shape can be inferred"),
        ));
    }
    let avail = size - offset;
    // A power-of-two itemsize (every numeric dtype) divides with a shift and a mask
    // instead of a division.
    let (count, rest) = if itemsize.is_power_of_two() {
        (avail >> itemsize.trailing_zeros(), avail & (itemsize - 1))
    } else {
        (avail / itemsize, avail % itemsize)
    };
    if rest != 0 {
        return Err(MmError::new(
            ErrorKind::SizeMismatch,
            format!(
                "the {avail} bytes from offset {offset} to the end of the file are not a multiple of itemsize {itemsize} (dtype {})",
                spec.dtype.typestr()
            ),
        ));
    }
    let count =
        usize::try_from(count).map_err(|_| MmError::invalid("file too large for this platform"))?;
    let shape = [count];
    // region_bytes' own first step, without the calls that lead to it; the general way
    // words an error.
    let nbytes = match region_bytes_1d(count, spec.dtype.itemsize(), offset) {
        Some(nbytes) => nbytes,
        None => spec.region_bytes(&shape)?,
    };
    Ok((Found::Inferred(shape), nbytes))
}

/// w+ on an existing file: its old bytes from `keep` on must read as zeros (the first
/// `keep` bytes are overwritten by the caller's prefix next), and its size must become
/// exactly `need`. Setting the final size first proves the size is possible (EFBIG,
/// RLIMIT_FSIZE) before the old content is given up. Where a file that a view maps
/// cannot be truncated (Windows: ERROR_USER_MAPPED_FILE, which also refuses to put an
/// extension back), the truncation is tried first instead, so that this refusal leaves
/// the file as it was; a later failure to size it then leaves it truncated.
fn truncate_then_size(file: &File, old_size: u64, need: u64, keep: u64) -> Result<()> {
    let fail = |what: String, e: &io::Error| MmError::os(what, e);
    let size = |what: &str| {
        file.set_len(need).map_err(|e| {
            fail(
                format!("cannot {what} the file from {old_size} to {need} bytes"),
                &e,
            )
        })
    };
    if !platform::TRUNCATE_REFUSED_UNDER_VIEWS {
        size("size")?;
    }
    file.set_len(keep)
        .map_err(|e| fail("cannot truncate the file".into(), &e))?;
    if need > keep || platform::TRUNCATE_REFUSED_UNDER_VIEWS {
        size("extend the truncated")?;
    }
    Ok(())
}

/// Maps `len` bytes at `offset` (any offset: the mapping starts at the page and the
/// region's address is that of `offset` itself). Written into its callers (mm_open
/// takes the region back in registers); the error is [`map_error`], out of line.
#[inline(always)]
fn map_region(file: &File, mode: Mode, offset: u64, len: usize, populate: bool) -> Result<Region> {
    // (writable, private): shared read-only, shared writable, private copy-on-write.
    let (writable, private) = match mode {
        Mode::ReadOnly => (false, false),
        Mode::ReadWrite | Mode::Write => (true, false),
        Mode::CopyOnWrite => (true, true),
    };
    let mapped = platform::map_region(file, writable, private, offset, len, populate);
    mapped.map_err(|e| map_error(len, offset, &e))
}

/// The error of a refused mmap, with the platform's hint. Out of line: the hint reads
/// /proc through a buffer of 8 KiB on the stack, which, written into [`map_region`],
/// made every open probe and touch two more pages of stack.
#[cold]
#[inline(never)]
fn map_error(len: usize, offset: u64, e: &io::Error) -> MmError {
    let mut err = MmError::os(format!("mmap of {len} bytes at offset {offset} failed"), e);
    err.message.push_str(&crate::platform::map_hint(e));
    err
}
