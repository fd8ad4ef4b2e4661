//! The address of a handle's data, its geometry and numpy attributes, and closing it.
//! Returned pointers stay valid while the handle is open. A getter given a bad handle
//! returns 0 or NULL and sets the last error (MM_E_BAD_HANDLE).
//!
//! mm_data, mm_ndim, mm_itemsize, mm_size, mm_nbytes, mm_offset, mm_flags and mm_mode
//! take no lock and write no memory shared between threads: any number of threads may
//! call them on one handle without slowing each other down.

// Those getters answer from the handle's registry summary (loads only, see
// src/registry.rs) through `guard_summary`: they enter the panic guard only on the way
// to reporting a bad handle, through the same `with_entry` path as other calls.

use std::ffi::{c_char, c_void};

use super::boundary::{guard, guard_in};
use super::handles::{
    flag_bits, guard_summary, live, mode_text, unregister, with_entry, with_entry_in, word,
};
use super::status::*;

/// Address of the first element. It may be unaligned. A valid zero-size array gives a
/// non-NULL address that must not be dereferenced. In mode r the memory is read-only:
/// writing through it kills the process (SIGSEGV). The address stays valid while any
/// view of the mapping is open.
///
/// \param a  the handle.
/// \return the address of the first element; NULL only for a bad handle.
#[no_mangle]
pub extern "C" fn mm_data(a: mm_array) -> *mut c_void {
    guard_summary(
        "mm_data",
        a,
        word::DATA,
        |address| address as usize as *mut c_void,
        |name, a| with_entry(name, a, |e| Ok(e.view.data_ptr().cast())),
    )
}

/// Releases this view. The mapping is unmapped when the last view of it is closed, in
/// any order; closing does not flush (written pages of r+/w+ still reach the file, as
/// with numpy). Closing a handle another thread is using makes that thread's next call
/// on it MM_E_BAD_HANDLE.
///
/// \param a  the handle; it is invalid afterwards.
/// \return MM_OK, or MM_E_BAD_HANDLE when `a` is not open (also for a second close of
///         the same handle).
#[no_mangle]
pub extern "C" fn mm_close(a: mm_array) -> mm_status {
    guard_in("mm_close", move |name, thread| {
        unregister(thread, name, a)?;
        Ok(MM_OK)
    })
}

/// Number of dimensions.
///
/// \param a  the handle.
/// \return the number of dimensions; 0 for a 0-d array, and for a bad handle.
#[no_mangle]
pub extern "C" fn mm_ndim(a: mm_array) -> usize {
    guard_summary(
        "mm_ndim",
        a,
        word::NDIM,
        |v| (v >> word::NDIM_SHIFT) as usize,
        |name, a| with_entry(name, a, |e| Ok(e.view.shape().len())),
    )
}

/// The dimensions of the array.
///
/// \param a  the handle.
/// \return `ndim` dimensions, valid while the handle is open; NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_shape(a: mm_array) -> *const usize {
    guard_in("mm_shape", |name, thread| {
        with_entry_in(thread, name, a, |e| Ok(e.view.shape().as_ptr()))
    })
}

/// The byte strides of the array, as numpy's memmap gives them (a zero-length dimension
/// counts as 1).
///
/// \param a  the handle.
/// \return `ndim` byte strides (may be negative or 0), valid while the handle is open;
///         NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_strides(a: mm_array) -> *const i64 {
    guard_in("mm_strides", |name, thread| {
        with_entry_in(thread, name, a, |e| Ok(e.view.strides().as_ptr()))
    })
}

/// Bytes per element.
///
/// \param a  the handle.
/// \return the dtype's itemsize; 0 for a bad handle.
#[no_mangle]
pub extern "C" fn mm_itemsize(a: mm_array) -> usize {
    guard_summary(
        "mm_itemsize",
        a,
        word::ITEMSIZE,
        |v| v as usize,
        |name, a| with_entry(name, a, |e| Ok(e.view.itemsize())),
    )
}

/// Number of elements.
///
/// \param a  the handle.
/// \return the product of the dimensions (1 for a 0-d array); 0 for a bad handle.
#[no_mangle]
pub extern "C" fn mm_size(a: mm_array) -> usize {
    guard_summary(
        "mm_size",
        a,
        word::SIZE,
        |v| v as usize,
        |name, a| with_entry(name, a, |e| Ok(e.view.size())),
    )
}

/// Number of bytes of the elements.
///
/// \param a  the handle.
/// \return size * itemsize; 0 for a bad handle.
#[no_mangle]
pub extern "C" fn mm_nbytes(a: mm_array) -> usize {
    guard_summary(
        "mm_nbytes",
        a,
        word::NBYTES,
        |v| v as usize,
        |name, a| with_entry(name, a, |e| Ok(e.view.nbytes())),
    )
}

/// The dtype as numpy's canonical type string ("<f8", "|u1", "|b1", ">i4", "<U5"...);
/// for a record dtype its descr list as numpy prints `str(dtype.descr)`
/// ("[('x', '<f4'), ('', '|V4')]").
///
/// \param a  the handle.
/// \return a NUL-terminated string valid while the handle is open; NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_dtype(a: mm_array) -> *const c_char {
    guard("mm_dtype", |name| {
        with_entry(name, a, |e| Ok(e.names().dtype.as_ptr()))
    })
}

/// The mode the array was opened in.
///
/// \param a  the handle.
/// \return "r", "r+", "w+" or "c" (static text); NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_mode(a: mm_array) -> *const c_char {
    guard_summary(
        "mm_mode",
        a,
        word::FLAGS_MODE,
        |v| mode_text(v >> word::MODE_SHIFT & 0xff).as_ptr(),
        |name, a| with_entry(name, a, |e| Ok(e.view.mode().as_cstr().as_ptr())),
    )
}

/// The byte offset given at open (numpy's .offset); views inherit it.
///
/// \param a  the handle.
/// \return the offset in bytes; 0 for a bad handle.
#[no_mangle]
pub extern "C" fn mm_offset(a: mm_array) -> u64 {
    guard_summary(
        "mm_offset",
        a,
        word::OFFSET,
        |v| v,
        |name, a| with_entry(name, a, |e| Ok(e.view.offset())),
    )
}

/// The path the array was opened from: absolute and normalised, symlinks not resolved.
///
/// \param a  the handle.
/// \return a NUL-terminated string valid while the handle is open; NULL for mm_open_fd
///         arrays and for a bad handle (mm_last_error_message tells them apart).
#[no_mangle]
pub extern "C" fn mm_filename(a: mm_array) -> *const c_char {
    guard("mm_filename", |name| {
        with_entry(name, a, |e| {
            Ok(e.names()
                .filename
                .as_ref()
                .map_or(std::ptr::null(), |f| f.as_ptr()))
        })
    })
}

/// numpy's ndarray.flags and dtype.isnative of the array, as bits.
///
/// \param a  the handle.
/// \return MM_WRITEABLE, MM_C_CONTIGUOUS, MM_F_CONTIGUOUS, MM_ALIGNED and
///         MM_NATIVE_ORDER, or'ed together; 0 for a bad handle.
#[no_mangle]
pub extern "C" fn mm_flags(a: mm_array) -> u32 {
    guard_summary(
        "mm_flags",
        a,
        word::FLAGS_MODE,
        |v| v as u32,
        |name, a| with_entry(name, a, |e| Ok(flag_bits(&e.view))),
    )
}

/// Number of handles open in this process (every view counts); for leak checks. It
/// counts the registry's slots one by one: its cost grows with the largest number of
/// handles ever open at once (about 25 ms per million on a 2-core Xeon VM), so it is
/// not meant for a hot loop.
///
/// \return the number of open handles.
#[no_mangle]
pub extern "C" fn mm_handle_count() -> usize {
    guard("mm_handle_count", |_| Ok(live()))
}
