//! Opening .npy files as numpy's np.load(mmap_mode=...) does, creating them as
//! open_memmap does, and saving any view as np.save does, byte for byte.

use std::ffi::c_char;

use super::args::{array_arg, call_on_path, dtype_arg, mode_arg, order_arg, out_handle, path_arg};
use super::boundary::{guard_io, Fail};
use super::handles::{on_view, register};
use super::status::*;

/// Opens a .npy file as an array with the dtype, shape and order its header states,
/// mapped at the data offset (mm_offset reports it), as numpy's
/// `np.load(path, mmap_mode=mode)` / `open_memmap(path, mode)` would. The file's size is
/// never changed. Headers of any length and versions 1.0, 2.0 and 3.0 are read.
///
/// \param path  the .npy file: a NUL-terminated path.
/// \param mode  "r", "r+", "c" or "readonly", "readwrite", "copyonwrite"; NULL means "r+"
///              (open_memmap's default). "w+"/"write" is refused: use mm_create_npy.
/// \param out   receives the new handle; 0 on failure.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `path` or `out`, a bad mode, w+);
///         MM_E_FORMAT (a malformed header; the message says what was found and where);
///         MM_E_UNSUPPORTED (object dtype); MM_E_FILE_TOO_SMALL (data shorter than the
///         header says, in every mode); MM_E_NOT_FOUND, MM_E_PERMISSION, MM_E_IO (the OS
///         refused).
///
/// # Safety
/// `path` must be a NUL-terminated string, `mode` NULL or NUL-terminated, `out` a
/// writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_open_npy(
    path: *const c_char,
    mode: *const c_char,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_open_npy", |name| {
        // SAFETY: the caller passes NULL or a writable mm_array, as documented.
        let out = unsafe { out_handle(name, out) }?;
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(name, path) }?;
        let call = call_on_path(name, path);
        // SAFETY: the caller passes NULL or a NUL-terminated mode.
        let mode = unsafe { mode_arg(&call, mode) }?;
        let view = crate::npy::open(path, mode).map_err(|e| Fail::core(&call, e))?;
        *out = register(view, &call)?;
        Ok(MM_OK)
    })
}

/// Creates (or truncates) a .npy file for an array of `dtype` and `shape` and maps its
/// data read-write, as numpy's `open_memmap(path, mode='w+', dtype, shape,
/// fortran_order=(order == 'F'))`: the header is written exactly as np.save writes it,
/// the data is zero (sparse), and the handle reports mode "r+". Once filled and flushed,
/// the file is byte-identical to open_memmap's filled the same: the header says
/// `fortran_order: True` exactly when `order` is 'F', for any shape. That is np.save's
/// file of the same array too, except for an 'F' array that is also C-contiguous (0-d,
/// 1-D, (2, 1), ...), for which np.save writes `fortran_order: False`. Every argument
/// is checked before the file is touched; a failure (a full disk, the mapping refused,
/// a FIFO or device at `path`) leaves an existing file byte-for-byte as it was, and a
/// file this call created is removed.
///
/// \param path   the file to create: a NUL-terminated path.
/// \param dtype  any dtype text mm_open accepts, records included; NULL is refused.
/// \param shape  `ndim` dimensions (NULL only with ndim 0: a 0-d array).
/// \param ndim   the number of dimensions, at most 64.
/// \param order  'C' or 'F' (lower case accepted; 'A', 'K' and 0 mean C).
/// \param out    receives the new handle; 0 on failure.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `path`, `dtype` or `out`, a bad dtype text,
///         shape or order); MM_E_UNSUPPORTED (object dtype); MM_E_NOT_FOUND,
///         MM_E_PERMISSION, MM_E_IO (the OS refused).
///
/// # Safety
/// `path` and `dtype` NUL-terminated; `shape` NULL or pointing to `ndim` values; `out`
/// a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_create_npy(
    path: *const c_char,
    dtype: *const c_char,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_create_npy", |name| {
        // SAFETY: the caller passes NULL or a writable mm_array, as documented.
        let out = unsafe { out_handle(name, out) }?;
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(name, path) }?;
        let call = call_on_path(name, path);
        // SAFETY: the caller passes NULL or a NUL-terminated dtype.
        let dtype = unsafe { dtype_arg(&call, dtype) }?
            .ok_or_else(|| Fail::new(MM_E_INVALID_ARG, format!("{call}: dtype is NULL")))?;
        // SAFETY: the caller passes NULL or `ndim` readable sizes.
        let shape = unsafe { array_arg(&call, "shape", shape, ndim) }?;
        let order = order_arg(&call, order)?;
        let view =
            crate::npy::create(path, &dtype, shape, order).map_err(|e| Fail::core(&call, e))?;
        *out = register(view, &call)?;
        Ok(MM_OK)
    })
}

/// Writes the view `a` to `path` byte-identical to `np.save(path, view)` (header
/// `fortran_order: True` and data in F order exactly when the view is F- and not
/// C-contiguous, else C order; big-endian data stays big-endian), with
/// bounded memory (no copy of the whole array; at most two 4 MiB buffers). The target is replaced atomically: the
/// data goes to a new temporary file in the same directory, which is fsynced and swapped
/// in for `path`, and the directory is fsynced; on failure the temporary file is removed
/// and `path` is untouched. Unlike np.save, no ".npy" suffix is appended. What np.save
/// respects is respected: an existing target keeps its permission bits, a target the
/// caller could not open for writing is MM_E_PERMISSION, and a symlink's target is what
/// gets replaced (the link stays). Only a regular file is replaced: a FIFO, device or
/// socket is MM_E_IO (ENODEV), a directory MM_E_IO (EISDIR). Other hard links of the old
/// file keep the old data, and a handle that maps the old file keeps mapping it. A
/// contiguous view of a file opened by path in mode r, r+ or w+ is copied from that file
/// by the kernel (copy_file_range on Linux: unflushed writes through the mapping
/// included); a strided view is read in 4 MiB blocks; mode c views (their private pages)
/// and others go through the guarded copies. Either way a source truncated underneath is
/// MM_E_IO, never SIGBUS.
///
/// \param a     the view to save.
/// \param path  the target file: a NUL-terminated path.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_INVALID_ARG (NULL `path`); MM_E_NOT_FOUND,
///         MM_E_PERMISSION, MM_E_IO (the OS refused; `path` is untouched).
///
/// # Safety
/// `path` must be a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mm_save_npy(a: mm_array, path: *const c_char) -> mm_status {
    guard_io("mm_save_npy", |name| {
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(name, path) }?;
        let view = on_view(name, a, |v| Ok(v.clone()))?;
        crate::npy::save(&view, path).map_err(|e| {
            Fail::core(
                &format!(
                    "{name}(handle {a:#x}, {})",
                    crate::error::quoted(&path.to_string_lossy())
                ),
                e,
            )
        })?;
        Ok(MM_OK)
    })
}
