//! Guarded copies between a view's bytes and caller memory that cannot die of SIGBUS:
//! the view-level calls (`mm_read_at`, `mm_write_at`, the reads of `mm_save_npy`) over
//! the kernel copies of `safecopy`, with bounds checks and error messages that say
//! whether the file or the caller's buffer was at fault.

use crate::error::{ErrorKind, MmError, Result};
use crate::layout;
use crate::safecopy::{self, copy, readable, Fault};
use crate::view::View;

/// The bytes of a view that guarded copies may touch, relative to its first element
/// (mm_data): from 0 up to the end of the highest byte any element reaches. For a
/// contiguous view that is exactly its `nbytes`; for a strided view it includes the gaps
/// between elements (they lie inside the mapped array too, as `mm_view` checked). Bytes
/// before the first element (negative strides) are not addressable by an unsigned
/// offset. A view without elements has an empty extent.
pub fn extent_end(view: &View) -> u64 {
    match layout::byte_extent(view.shape(), view.strides(), view.itemsize()) {
        Some((_, hi)) if hi > 0 => hi as u64,
        _ => 0,
    }
}

fn check_range(view: &View, call: &str, offset: u64, len: usize) -> Result<usize> {
    let end = extent_end(view);
    match offset.checked_add(len as u64) {
        Some(stop) if stop <= end => Ok(offset as usize),
        _ => Err(MmError::new(
            ErrorKind::OutOfBounds,
            format!(
                "{call} of {len} bytes at byte offset {offset} reaches past the view's extent of {end} bytes"
            ),
        )),
    }
}

/// The error of a copy whose other side, the caller's buffer, faulted: EFAULT, and a
/// message that says which buffer and where.
fn buffer_error(call: &str, len: usize, buffer: &str, fault: Fault) -> MmError {
    let mut err = MmError::new(
        ErrorKind::InvalidArg,
        format!(
            "{call} of {len} bytes: the {buffer} is not valid memory from its byte {} on",
            fault.copied
        ),
    );
    err.os_error = libc::EFAULT;
    err
}

/// The error of a copy that faulted on the mapping: the file no longer covers the range.
/// The file is looked at (by path, when there is one) only to word the message.
fn fault_error(view: &View, call: &str, offset: i128, len: usize, fault: Fault) -> MmError {
    let at = offset + fault.copied as i128;
    let file_at = view.offset() as i128 + view.position() as i128 + at;
    let mut errno = crate::platform::errno_of(&fault.error);
    let mut why = String::from("it was truncated underneath, or the disk is full");
    if errno == libc::EFAULT {
        if let Some(path) = view.filename() {
            match std::fs::metadata(path) {
                Ok(meta) if (meta.len() as i128) <= file_at => {
                    why = format!("the file now has only {} bytes", meta.len());
                }
                Ok(_) if view.mode().writeable() => {
                    why = "the file is long enough, so the device has no space to back the page"
                        .into();
                    errno = libc::ENOSPC;
                }
                _ => {}
            }
        }
    }
    let mut err = MmError::new(
        ErrorKind::Io,
        format!(
            "{call} of {len} bytes at byte offset {offset}: the file no longer covers the range from byte {at} of the view (file byte {file_at}; {why}): {}",
            fault.error
        ),
    );
    err.os_error = errno;
    err
}

/// Copies `len` bytes of the view's mapping, starting at `src` (an address inside the
/// view's byte extent, which may lie before its first element for negative strides),
/// into caller memory `dst`: a page the file no longer backs is MM_E_IO (EFAULT, or
/// ENOSPC on a full disk) instead of SIGBUS. `call` names the operation in messages.
///
/// # Safety
/// `src .. src + len` must lie inside the view's mapped region, and `dst` be `len`
/// writable bytes of ordinary memory.
pub unsafe fn read_raw(
    view: &View,
    call: &str,
    src: *const u8,
    dst: *mut u8,
    len: usize,
) -> Result<()> {
    let offset = src as isize as i128 - view.data_ptr() as isize as i128;
    // SAFETY: forwarded from our caller.
    unsafe { copy(dst, src, len) }.map_err(|f| fault_error(view, call, offset, len, f))
}

/// Copies `count` elements of `itemsize` bytes, the k-th at `src + k * stride`, one
/// after the other into `dst` (`count * itemsize` bytes), as [`read_raw`] does for one
/// range: a vanished page is MM_E_IO, never SIGBUS (see [`safecopy::gather`]).
///
/// # Safety
/// Every element must lie inside the view's mapped region, and `dst` be
/// `count * itemsize` writable bytes of ordinary memory.
pub unsafe fn gather(
    view: &View,
    call: &str,
    dst: *mut u8,
    src: *const u8,
    stride: isize,
    itemsize: usize,
    count: usize,
) -> Result<()> {
    // SAFETY: forwarded from our caller.
    unsafe { safecopy::gather(dst, src, stride, itemsize, count) }.map_err(|f| {
        let k = f.copied / itemsize.max(1);
        let element = src.wrapping_offset(k as isize * stride);
        let offset = element as isize as i128 - view.data_ptr() as isize as i128;
        fault_error(
            view,
            call,
            offset,
            itemsize,
            Fault {
                copied: 0,
                error: f.error,
            },
        )
    })
}

/// Copies `dst.len()` bytes from the view, starting `offset` bytes after its first
/// element, without risking SIGBUS.
///
/// # Safety
/// `dst` must be `len` writable bytes not overlapping the mapping.
pub unsafe fn read_at(view: &View, offset: u64, dst: *mut u8, len: usize) -> Result<()> {
    let call = "read";
    let start = check_range(view, call, offset, len)?;
    let src = view.data_ptr().wrapping_add(start);
    // SAFETY: the range lies inside the mapped region (checked); dst is the caller's.
    unsafe { copy(dst, src, len) }.map_err(|f| {
        if readable(src as usize + f.copied) {
            buffer_error(call, len, "destination buffer", f)
        } else {
            fault_error(view, call, offset as i128, len, f)
        }
    })
}

/// Copies `len` bytes from `src` into the view at `offset` bytes after its first element,
/// without risking SIGBUS. Read-only views (mode r) are refused.
///
/// # Safety
/// `src` must be `len` readable bytes not overlapping the mapping.
pub unsafe fn write_at(view: &View, offset: u64, src: *const u8, len: usize) -> Result<()> {
    let call = "write";
    if !view.mode().writeable() {
        return Err(MmError::new(
            ErrorKind::ReadOnly,
            format!(
                "{call} of {len} bytes: the array was opened in mode {} and is read-only",
                view.mode().as_str()
            ),
        ));
    }
    let start = check_range(view, call, offset, len)?;
    let dst = view.data_ptr().wrapping_add(start);
    // SAFETY: the range lies inside the mapped, writable region (checked).
    unsafe { copy(dst, src, len) }.map_err(|f| {
        if readable(src as usize + f.copied) {
            fault_error(view, call, offset as i128, len, f)
        } else {
            buffer_error(call, len, "source buffer", f)
        }
    })
}
