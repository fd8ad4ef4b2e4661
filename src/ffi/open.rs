//! numpy.memmap's constructor, on a path (mm_open, or mm_open_ex with open flags) or on
//! a descriptor the caller opened (mm_open_fd). A successful open stores a new handle
//! in `*out`; close it with mm_close. On failure `*out` is 0, the file is exactly as it
//! was, and mm_last_error_message() says why.

use std::ffi::{c_char, c_int};

use super::args::{
    array_arg, c_path_arg, call_on_path, dtype_arg, mode_arg, order_arg, out_handle,
};
use super::boundary::{guard_cancel_free_in, guard_io, Fail};
use super::handles::{register, register_in, set_up};
use super::status::*;
use crate::dtype::DType;
use crate::mapping::{OpenFlags, OpenSpec};
use crate::registry::Thread;
use crate::view::View;

/// mm_open_ex flag: prefault the whole array at open (MAP_POPULATE), so that first
/// access does not page-fault.
pub const MM_OPEN_POPULATE: u32 = 1;
/// mm_open_ex flag: reserve the disk blocks of any extension of the file (r+ and w+)
/// with fallocate before the file grows, so that a full disk is MM_E_IO (errno ENOSPC)
/// at open, with the file left as it was, instead of a SIGBUS at first write.
pub const MM_OPEN_PREALLOCATE: u32 = 2;

const KNOWN_FLAGS: u32 = MM_OPEN_POPULATE | MM_OPEN_PREALLOCATE;

fn open_flags(call: &str, flags: u32) -> Result<OpenFlags, Fail> {
    if flags & !KNOWN_FLAGS != 0 {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!(
                "{call}: unknown open flag bits {:#x} (known: MM_OPEN_POPULATE {MM_OPEN_POPULATE:#x}, MM_OPEN_PREALLOCATE {MM_OPEN_PREALLOCATE:#x})",
                flags & !KNOWN_FLAGS
            ),
        ));
    }
    Ok(OpenFlags {
        populate: flags & MM_OPEN_POPULATE != 0,
        preallocate: flags & MM_OPEN_PREALLOCATE != 0,
    })
}

/// The arguments mm_open and mm_open_fd share, validated (written into each caller).
///
/// # Safety
/// As mm_open.
#[inline(always)]
unsafe fn open_spec(
    call: &str,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
) -> Result<OpenSpec, Fail> {
    // SAFETY: the caller passes NULL or a NUL-terminated dtype.
    let dtype = unsafe { dtype_arg(call, dtype) }?.unwrap_or_else(DType::u1);
    // SAFETY: the caller passes NULL or a NUL-terminated mode.
    let mode = unsafe { mode_arg(call, mode) }?;
    let shape = if shape.is_null() {
        None
    } else {
        // SAFETY: the caller passes `ndim` readable sizes (checked non-NULL).
        Some(unsafe { array_arg(call, "shape", shape, ndim) }?.to_vec())
    };
    let order = order_arg(call, order)?;
    Ok(OpenSpec {
        dtype,
        mode,
        offset,
        shape,
        order,
    })
}

/// Whether mm_open / mm_open_ex with this mode and these flags reaches no thread
/// cancellation point, decided from the arguments before anything is opened: Linux,
/// mode r, r+ or c (NULL is r+; a mode text starting with 'r' or 'c' is one of these or
/// invalid, and an invalid one fails before any I/O), no MM_OPEN_PREALLOCATE (glibc's
/// fallocate is a cancellation point), and the process's setup done (the first handle
/// draws a random generation through getrandom, a cancellation point). That path is:
/// the argument checks, getcwd for a relative path, the raw openat system call
/// (src/platform/unix.rs open_raw), fstat, mmap (MAP_POPULATE; madvise to prefault an
/// extension), ftruncate to extend in r+, the registry's insert, the raw close system
/// call (platform::CallFile), and on failure the message (strerror_r); a failed mmap's
/// hint reads /proc under its own deferral. None of these is a cancellation point in
/// glibc. w+ (create, remove, read_link), MM_OPEN_PREALLOCATE and the other opens keep
/// the deferral. c_tests/test_cancel_free.c aborts if one of these cases reaches a
/// cancellation point.
///
/// # Safety
/// `mode` must be NULL or a NUL-terminated string.
#[inline(always)]
unsafe fn reaches_no_cancellation_point(mode: *const c_char, flags: u32) -> bool {
    if !cfg!(target_os = "linux") || flags & MM_OPEN_PREALLOCATE != 0 {
        return false;
    }
    // SAFETY: the caller passes NULL or a NUL-terminated mode: its first byte is
    // readable.
    let not_w = mode.is_null() || matches!(unsafe { *mode } as u8, b'r' | b'c');
    not_w && set_up()
}

/// The body of mm_open and mm_open_ex (`mm_open(...)` is `mm_open_ex(..., 0, out)`),
/// `name` being the exported function's name.
///
/// # Safety
/// As mm_open.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn open_path(
    thread: &Thread,
    name: &str,
    path: *const c_char,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    flags: u32,
    out: *mut mm_array,
) -> Result<mm_status, Fail> {
    // SAFETY: the caller passes NULL or a writable mm_array.
    let out = unsafe { out_handle(name, out) }?;
    // SAFETY: the caller passes NULL or a NUL-terminated path.
    let (path, c_path) = unsafe { c_path_arg(name, path) }?;
    // The call's text is built only for a failure (open + close is benchmarked).
    let call = || call_on_path(name, path);
    // SAFETY: the caller's dtype, mode and shape are NULL or valid as documented.
    let spec = match unsafe { open_spec(name, dtype, mode, offset, shape, ndim, order) } {
        Ok(spec) => spec,
        Err(f) => return Err(f.in_call(&call())),
    };
    let flags = open_flags(name, flags).map_err(|f| f.in_call(&call()))?;
    let view = match View::open_path(path, Some(c_path), spec, flags) {
        Ok(view) => view,
        Err(e) => return Err(Fail::core(&call(), e)),
    };
    *out = register_in(thread, view, name).map_err(|f| f.in_call(&call()))?;
    Ok(MM_OK)
}

/// Opens `path` as an n-dimensional array, exactly as numpy.memmap(path, dtype, mode,
/// offset, shape, order) would, and stores a new handle in `*out`. Close it with
/// mm_close.
///
/// On failure `*out` is 0 and the file is exactly as it was: every argument is checked
/// before anything is created, truncated or extended. No descriptor stays open.
///
/// \param path    the file: a NUL-terminated path, passed to the OS as it is.
/// \param dtype   a numpy type string or name (`"<f8"`, `">i4"`, `"float64"`, `"S10"`,
///                `"<M8[ns]"`, a record's descr list...); NULL means "u1".
/// \param mode    "r", "r+", "w+", "c" or "readonly", "readwrite", "write", "copyonwrite";
///                NULL means "r+". w+ creates or truncates the file; r+ and w+ extend it
///                (sparse) to offset + nbytes and never shrink it; r and c never change it.
/// \param offset  byte offset of the array in the file; any value, not only page
///                multiples.
/// \param shape   `ndim` dimensions, or NULL to infer a 1-D shape from the file size
///                (`ndim` is then ignored). A non-NULL shape with ndim 0 is a 0-d,
///                one-element array.
/// \param ndim    the number of dimensions in `shape`, at most 64.
/// \param order   'C' or 'F' (lower case accepted; 'A', 'K' and 0 mean C).
/// \param out     receives the new handle; 0 on failure.
/// \return MM_OK, or: MM_E_INVALID_ARG (a bad mode, dtype text or order, w+ without a
///         shape, ndim > 64, NULL `path` or `out`, a size or offset overflow);
///         MM_E_UNSUPPORTED (object dtype); MM_E_NOT_FOUND (no such file in r, r+, c);
///         MM_E_PERMISSION (access refused); MM_E_IO (a directory, FIFO or device, any
///         other OS error); MM_E_FILE_TOO_SMALL (r and c: the array reaches past the end
///         of the file); MM_E_SIZE_MISMATCH (inferred shape: the bytes after `offset` are
///         not a multiple of the itemsize).
///
/// # Safety
/// `path` must be a NUL-terminated string; `dtype` and `mode` NULL or NUL-terminated;
/// `shape` NULL or pointing to `ndim` values; `out` a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_open(
    path: *const c_char,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    out: *mut mm_array,
) -> mm_status {
    guard_cancel_free_in(
        "mm_open",
        // SAFETY: the caller passes NULL or a NUL-terminated mode.
        unsafe { reaches_no_cancellation_point(mode, 0) },
        // SAFETY: mm_open's contract is open_path's.
        |name, thread| unsafe {
            open_path(
                thread, name, path, dtype, mode, offset, shape, ndim, order, 0, out,
            )
        },
    )
}

/// mm_open with open flags. With `flags` 0 it is exactly mm_open. Unknown bits are
/// MM_E_INVALID_ARG, checked with every other argument before the file is touched. With
/// MM_OPEN_PREALLOCATE a full disk is MM_E_IO with mm_last_os_error() == ENOSPC and the
/// file is left as it was.
///
/// \param path    as mm_open.
/// \param dtype   as mm_open.
/// \param mode    as mm_open.
/// \param offset  as mm_open.
/// \param shape   as mm_open.
/// \param ndim    as mm_open.
/// \param order   as mm_open.
/// \param flags   MM_OPEN_POPULATE and MM_OPEN_PREALLOCATE, or'ed together, or 0.
/// \param out     receives the new handle; 0 on failure.
/// \return as mm_open; MM_E_INVALID_ARG also for unknown flag bits, and MM_E_IO
///         (errno ENOSPC) when MM_OPEN_PREALLOCATE finds the disk full.
///
/// # Safety
/// As mm_open.
#[no_mangle]
pub unsafe extern "C" fn mm_open_ex(
    path: *const c_char,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    flags: u32,
    out: *mut mm_array,
) -> mm_status {
    guard_cancel_free_in(
        "mm_open_ex",
        // SAFETY: the caller passes NULL or a NUL-terminated mode.
        unsafe { reaches_no_cancellation_point(mode, flags) },
        // SAFETY: mm_open_ex's contract is open_path's.
        |name, thread| unsafe {
            open_path(
                thread, name, path, dtype, mode, offset, shape, ndim, order, flags, out,
            )
        },
    )
}

/// Like mm_open, on a descriptor the caller already opened (numpy's file-object case).
/// The mapping always counts from byte 0 of the file, whatever the descriptor's position.
/// It never truncates (not even in w+), never closes `fd` and does not keep it. mm_filename
/// of the result is NULL.
///
/// On Windows `fd` must be a descriptor of msvcrt.dll, the C runtime of the MinGW build
/// (a MinGW program's _open, _fileno): a descriptor is only a number in one C runtime's
/// table. A program built with MSVC (UCRT) must not pass its descriptors: msvcrt fails
/// on them (MM_E_IO) or, when it has the same number open, maps that other file. It calls
/// mm_open_handle((HANDLE)_get_osfhandle(fd), ...) with its own runtime's
/// _get_osfhandle, or mm_open with the path.
///
/// \param fd      an open descriptor of a regular file; r+ and w+ need it opened O_RDWR.
/// \param dtype   as mm_open.
/// \param mode    as mm_open.
/// \param offset  as mm_open.
/// \param shape   as mm_open.
/// \param ndim    as mm_open.
/// \param order   as mm_open.
/// \param out     receives the new handle; 0 on failure.
/// \return as mm_open; MM_E_INVALID_ARG also for a negative `fd`, and MM_E_PERMISSION for
///         r+ or w+ on a descriptor not opened O_RDWR.
///
/// # Safety
/// As mm_open; `fd` is only borrowed for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn mm_open_fd(
    fd: c_int,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_open_fd", |name| {
        let args = (dtype, mode, offset, shape, ndim, order, out);
        // SAFETY: the caller's arguments are valid as documented.
        unsafe {
            open_borrowed(format!("{name}(fd {fd})"), args, |spec| {
                View::open_fd(fd, spec)
            })
        }
    })
}

/// The C arguments mm_open_fd and mm_open_handle share after the file's: dtype, mode,
/// offset, shape, ndim, order, out.
type BorrowedArgs = (
    *const c_char,
    *const c_char,
    u64,
    *const usize,
    usize,
    c_char,
    *mut mm_array,
);

/// The body of mm_open_fd and mm_open_handle: `open` maps the caller's file (a
/// descriptor or a Windows HANDLE, borrowed) with the validated spec; `call` names the
/// call in messages.
///
/// # Safety
/// As mm_open_fd for the arguments in `args`.
unsafe fn open_borrowed(
    call: String,
    (dtype, mode, offset, shape, ndim, order, out): BorrowedArgs,
    open: impl FnOnce(&OpenSpec) -> crate::error::Result<View>,
) -> Result<mm_status, Fail> {
    // SAFETY: the caller passes NULL or a writable mm_array.
    let out = unsafe { out_handle(&call, out) }?;
    // SAFETY: the caller's dtype, mode and shape are NULL or valid as documented.
    let spec = unsafe { open_spec(&call, dtype, mode, offset, shape, ndim, order) }?;
    let view = open(&spec).map_err(|e| Fail::core(&call, e))?;
    *out = register(view, &call)?;
    Ok(MM_OK)
}

/// Windows only: like mm_open_fd, on a Win32 file HANDLE the caller opened (CreateFileW,
/// or `(HANDLE)_get_osfhandle(fd)` of the caller's own C runtime: the way for programs
/// built with MSVC, whose descriptors mm_open_fd cannot read). The handle is only
/// borrowed during the call: never closed, kept or truncated (not even in w+); the
/// caller's handle stays theirs and open. The mapping counts from byte 0 of the file,
/// whatever the handle's position. mm_filename of the result is NULL.
///
/// \param handle  an open HANDLE of a disk file (GetFileType FILE_TYPE_DISK), passed as
///                `void *`; r+ and w+ need it opened with GENERIC_READ | GENERIC_WRITE.
/// \param dtype   as mm_open.
/// \param mode    as mm_open.
/// \param offset  as mm_open.
/// \param shape   as mm_open.
/// \param ndim    as mm_open.
/// \param order   as mm_open.
/// \param out     receives the new handle; 0 on failure.
/// \return as mm_open_fd: MM_E_INVALID_ARG also for a NULL handle or
///         INVALID_HANDLE_VALUE; MM_E_IO (errno ENODEV) for a handle that is not a disk
///         file (a pipe, a console); MM_E_PERMISSION for r+ or w+ on a handle without
///         write access (the file is left as it was).
///
/// # Safety
/// As mm_open; `handle` is only borrowed for the duration of the call.
#[cfg(windows)]
#[no_mangle]
pub unsafe extern "C" fn mm_open_handle(
    handle: *mut std::ffi::c_void,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_open_handle", |name| {
        let args = (dtype, mode, offset, shape, ndim, order, out);
        let call = format!("{name}(handle {handle:p})");
        // SAFETY: the caller's arguments are valid as documented.
        unsafe { open_borrowed(call, args, |spec| View::open_handle(handle, spec)) }
    })
}
