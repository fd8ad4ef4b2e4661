//! Growing a .npy file in place: appending rows to it from any number of threads and
//! processes while others read it, and recovering it after a crash. Every np.save
//! header leaves room for the growth axis (axis 0 in C order, the last axis in Fortran
//! order) to reach 21 digits, so the header is rewritten in place and the grown file
//! stays byte-identical to np.save of the whole array.
//!
//! Ordering and crash-safety: an append or grow takes an exclusive advisory lock
//! (flock) on the file, re-reads the header (the rows go after the file's *current*
//! length, which another handle or process may have grown), writes the rows with
//! pwrite after the current data, and only then rewrites the header's changed bytes in
//! place with one pwrite of the same length. The file only ever grows, so a process that
//! mapped it earlier keeps reading its old rows, and a reader (np.load) sees a prefix of
//! the rows. A writer killed at any point leaves a header that counts only rows whose
//! bytes reached the file; mm_npy_recover then counts every whole row and removes a
//! trailing partial one. No descriptor is kept: each call reopens the path and checks
//! (device, inode) against the mapping's.
//!
//! Durability: the calls do not fsync. The rows and the header reach the page cache in
//! the order above, which is what other processes and a crash of this process see. After
//! a power loss, the kernel may have written the header back before the rows (the header
//! then counts rows that read as zeros). mm_flush on the handle of the grown array
//! (`out`) writes its rows and, when the header lies in the page its mapping starts in
//! (a header under 4096 bytes, that is every header but those of records with very many
//! fields), the header to the disk and waits: after it returns, both are durable.

use std::ffi::c_char;

use super::args::{call_on_path, out_arg, out_handle, path_arg};
use super::boundary::{guard_io, Fail};
use super::handles::{on_view, register};
use super::status::*;

/// Appends `nrows` rows to the .npy file that `a` maps, after the file's current length
/// (which another handle or process may have grown since `a` was opened), then rewrites
/// the header's shape in place: the file stays byte-identical to np.save of the whole
/// array. `a` keeps its shape.
///
/// A row is the product of the dimensions other than the growth axis: axis 0 in C order;
/// in Fortran order the last axis, a row then being one slab of it in F order. The rows
/// are written with pwrite after the current data, then the header is rewritten (same
/// length, in place), all under an exclusive flock on the file, so appends from many
/// threads and processes are each atomic. A failure leaves the file as it was (its length
/// and header). See the area's introduction for crash-safety and what mm_flush adds.
///
/// \param a      a whole-file array from mm_open_npy in mode "r+" or from mm_create_npy
///               (not a view of one).
/// \param rows   `nrows` rows of a's dtype, C-contiguous (NULL only when they hold no
///               bytes).
/// \param nrows  how many rows; 0 only checks and, with `out`, maps the current array.
/// \param out    NULL, or receives a new handle over the whole grown array; 0 on failure.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_READ_ONLY (a in mode "r" or "c");
///         MM_E_INVALID_ARG (a view, a raw non-.npy array, a 0-d array, NULL `rows`
///         with bytes to write, a length that overflows); MM_E_UNSUPPORTED (a header with
///         no room for the new length, written by a tool that does not pad as numpy
///         does: mm_save_npy of the whole array to the same path rewrites it with numpy's
///         padding, atomically); MM_E_IO (the file was replaced or removed since `a` was
///         opened, `a` was opened from a descriptor, its header changed, or the OS
///         refused: ENOSPC for a full disk, the file then as before).
///
/// # Safety
/// `rows` must point to `nrows` rows of readable bytes; `out` NULL or a writable
/// mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_npy_append(
    a: mm_array,
    rows: *const std::ffi::c_void,
    nrows: usize,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_npy_append", |name| {
        let out = if out.is_null() {
            None
        } else {
            // SAFETY: non-NULL, a writable mm_array as documented.
            Some(unsafe { out_handle(name, out) }?)
        };
        let view = on_view(name, a, |v| Ok(v.clone()))?;
        let call = format!("{name}(handle {a:#x})");
        let row_bytes = crate::npy::row_bytes(&view).map_err(|e| Fail::core(&call, e))?;
        let nbytes = nrows
            .checked_mul(row_bytes)
            .filter(|&n| n as u64 <= i64::MAX as u64)
            .ok_or_else(|| {
                Fail::new(
                    MM_E_INVALID_ARG,
                    format!("{call}: {nrows} rows of {row_bytes} bytes overflow the file size"),
                )
            })?;
        if rows.is_null() && nbytes > 0 {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{call}: rows is NULL but {nrows} rows hold {nbytes} bytes"),
            ));
        }
        let bytes: &[u8] = if nbytes == 0 {
            &[]
        } else {
            // SAFETY: the caller passes nrows rows of readable bytes.
            unsafe { std::slice::from_raw_parts(rows.cast::<u8>(), nbytes) }
        };
        let grown = crate::npy::append(&view, bytes, nrows, out.is_some())
            .map_err(|e| Fail::core(&call, e))?;
        if let (Some(out), Some(grown)) = (out, grown) {
            *out = register(grown, &call)?;
        }
        Ok(MM_OK)
    })
}

/// Grows the growth axis of the .npy file that `a` maps to `new_length` rows, the new
/// rows zero (the file is extended sparse), and hands out the whole grown array, to fill
/// through mm_data. The header is rewritten in place after the file is extended, under
/// the same lock as mm_npy_append. `a` keeps its shape. A failure leaves the file as it
/// was. As with mm_create_npy, the new rows' blocks are allocated when first written: on
/// a full disk a store through mm_data raises SIGBUS, while mm_write_at returns MM_E_IO.
///
/// \param a           a whole-file array from mm_open_npy in mode "r+" or from
///                    mm_create_npy (not a view of one).
/// \param new_length  the new length of the growth axis: at least the file's current
///                    length (which may exceed a's).
/// \param out         receives a new handle over the whole grown array (required); 0 on
///                    failure.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_READ_ONLY (a in mode "r" or "c");
///         MM_E_INVALID_ARG (NULL `out`, a view, a raw non-.npy array, a 0-d array,
///         `new_length` below the current length or overflowing the file size);
///         MM_E_UNSUPPORTED (a header with no room for the new length: mm_save_npy of
///         the whole array to the same path rewrites it with numpy's padding);
///         MM_E_IO (the file replaced or removed, `a` opened from a descriptor, or the OS
///         refused).
///
/// # Safety
/// `out` must be a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_npy_grow(
    a: mm_array,
    new_length: usize,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_npy_grow", |name| {
        // SAFETY: the caller passes NULL or a writable mm_array, as documented.
        let out = unsafe { out_handle(name, out) }?;
        let view = on_view(name, a, |v| Ok(v.clone()))?;
        let call = format!("{name}(handle {a:#x}, {new_length})");
        let grown = crate::npy::grow(&view, new_length).map_err(|e| Fail::core(&call, e))?;
        *out = register(grown, &call)?;
        Ok(MM_OK)
    })
}

/// After a crash: sets the header's growth-axis length to the whole rows the .npy file
/// holds, removes a trailing partial row, and reports the length. A file that is
/// already consistent is left byte-for-byte as it is (nothing is written). Takes the
/// same lock as mm_npy_append, so it may run while others append.
///
/// \param path    the .npy file: a NUL-terminated path.
/// \param length  receives the growth axis's length; 0 on failure.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `path` or `length`, a 0-d array);
///         MM_E_FORMAT (not a .npy file); MM_E_UNSUPPORTED (a header with no room for the
///         length); MM_E_NOT_FOUND, MM_E_PERMISSION, MM_E_IO (the OS refused).
///
/// # Safety
/// `path` must be a NUL-terminated string, `length` a writable size_t.
#[no_mangle]
pub unsafe extern "C" fn mm_npy_recover(path: *const c_char, length: *mut usize) -> mm_status {
    guard_io("mm_npy_recover", |name| {
        // SAFETY: the caller passes NULL or a writable size_t.
        let length = unsafe { out_arg(name, "length", length, 0) }?;
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(name, path) }?;
        let call = call_on_path(name, path);
        *length = crate::npy::recover(path).map_err(|e| Fail::core(&call, e))?;
        Ok(MM_OK)
    })
}
