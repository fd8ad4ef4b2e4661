//! Reading and writing a view's bytes without risking SIGBUS. A plain access through
//! mm_data kills the process when the file no longer backs the page (it was truncated
//! underneath, or a full disk cannot back a sparse page); these copies return MM_E_IO
//! instead.

use std::ffi::c_void;

use super::boundary::{guard_io_in, Fail};
use super::handles::on_view_in;
use super::status::*;
use crate::guarded;

/// Copies `nbytes` bytes of the view `a`, starting `byte_offset` bytes after mm_data(a),
/// into `dst`. Unlike a plain read through mm_data, this never kills the process: when
/// the file was truncated underneath (by this or another process) so that it no longer
/// covers the range, it returns MM_E_IO with a message saying so (mm_last_os_error() is
/// EFAULT) and `dst` may hold part of the bytes.
///
/// The range must lie inside the view's byte extent: from mm_data(a) up to the end of
/// the highest byte any element of the view reaches. For a contiguous view that is
/// mm_nbytes(a); for a strided view it includes the bytes between elements (all inside
/// the mapped array). With negative strides, bytes before mm_data(a) are not reachable
/// through these calls. A view without elements has an empty extent.
///
/// The copy is done by the kernel (process_vm_readv on the own process; where a seccomp
/// policy forbids that, a pipe round trip), which reports a page the file no longer backs
/// as EFAULT instead of raising SIGBUS. No signal handler is installed.
///
/// \param a            the handle.
/// \param byte_offset  where the copy starts, in bytes after mm_data(a).
/// \param dst          the caller's buffer.
/// \param nbytes       how many bytes to copy; 0 is MM_OK when `byte_offset` is at most
///                     the extent.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_OUT_OF_BOUNDS for a range reaching past the
///         extent; MM_E_INVALID_ARG for `dst` NULL with nbytes > 0, or errno EFAULT
///         when `dst` is not writable memory; MM_E_IO (errno EFAULT) when the file no
///         longer covers the range.
///
/// # Safety
/// `dst` must be NULL (with nbytes 0) or point to `nbytes` writable bytes that do not
/// overlap the mapping.
#[no_mangle]
pub unsafe extern "C" fn mm_read_at(
    a: mm_array,
    byte_offset: u64,
    dst: *mut c_void,
    nbytes: usize,
) -> mm_status {
    guard_io_in("mm_read_at", |name, thread| {
        if dst.is_null() && nbytes > 0 {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{name}(handle {a:#x}): dst is NULL but nbytes is {nbytes}"),
            ));
        }
        // SAFETY: dst holds nbytes writable bytes (the caller's contract).
        on_view_in(thread, name, a, |v| unsafe {
            guarded::read_at(v, byte_offset, dst.cast(), nbytes)
        })?;
        Ok(MM_OK)
    })
}

/// Copies `nbytes` bytes from `src` into the view `a`, starting `byte_offset` bytes after
/// mm_data(a). Unlike a plain write through mm_data, this never kills the process: when
/// the file no longer covers the range (truncated underneath) or the disk cannot back a
/// sparse page (full disk), it returns MM_E_IO with a message saying the file no longer
/// covers the range, and part of the bytes may have been written.
///
/// Bounds as for mm_read_at. In mode c the bytes land in the process's private copy and
/// never reach the file, as with any write to a copy-on-write array. Like a write through
/// mm_data, the data reaches the file without a flush; mm_flush makes it durable.
///
/// \param a            the handle.
/// \param byte_offset  where the copy starts, in bytes after mm_data(a).
/// \param src          the bytes to write.
/// \param nbytes       how many bytes to copy; 0 is MM_OK when `byte_offset` is at most
///                     the extent.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_READ_ONLY for a view opened in mode r;
///         MM_E_OUT_OF_BOUNDS for a range reaching past the extent; MM_E_INVALID_ARG for
///         `src` NULL with nbytes > 0, or errno EFAULT when `src` is not readable
///         memory; MM_E_IO when the file no longer covers the range
///         (mm_last_os_error() is EFAULT, or ENOSPC when the file is still long enough).
///
/// # Safety
/// `src` must be NULL (with nbytes 0) or point to `nbytes` readable bytes that do not
/// overlap the mapping.
#[no_mangle]
pub unsafe extern "C" fn mm_write_at(
    a: mm_array,
    byte_offset: u64,
    src: *const c_void,
    nbytes: usize,
) -> mm_status {
    guard_io_in("mm_write_at", |name, thread| {
        if src.is_null() && nbytes > 0 {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{name}(handle {a:#x}): src is NULL but nbytes is {nbytes}"),
            ));
        }
        // SAFETY: src holds nbytes readable bytes (the caller's contract).
        on_view_in(thread, name, a, |v| unsafe {
            guarded::write_at(v, byte_offset, src.cast(), nbytes)
        })?;
        Ok(MM_OK)
    })
}
