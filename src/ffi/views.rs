//! New handles over the mapping of an existing one: numpy's view, reshape, transpose
//! and slicing, without copying. Each view is a handle of its own, closed with its own
//! mm_close; the mapping stays until its last view is closed.

use std::ffi::c_char;

use super::args::{array_arg, dtype_arg, out_handle};
use super::boundary::{guard_in, Fail};
use super::handles::{
    derive, derived_summary, insert_derived, pinned_summary, register, register_derived,
    slice_summary, slice_summary_1d, with_entry, Derived,
};
use super::status::*;
use crate::registry::{Thread, SUMMARY_WORDS};
use crate::view::{SlicedAxis, View};

/// A new view over the same mapping as `base`, stored in `*out`: numpy's reshape,
/// transpose, reversal, sub-block and view(dtype) in one call.
///
/// Every byte any element can reach must lie inside the array as it was opened (the
/// `offset .. offset + nbytes` bytes of the file), whatever view `base` is. A view with
/// zero elements reaches no byte. Each view is closed with its own mm_close; closing
/// `base` first leaves the view usable.
///
/// \param base         an open handle.
/// \param dtype        the view's dtype; NULL keeps the dtype of `base`.
/// \param byte_offset  position of the view's first element relative to mm_data(base).
/// \param shape        `ndim` dimensions (NULL only when ndim is 0: a 0-d view).
/// \param ndim         the number of dimensions, at most 64.
/// \param strides      `ndim` byte strides (may be negative or 0), or NULL for
///                     C-contiguous. On an axis longer than 1 a non-zero stride must be
///                     at least the itemsize.
/// \param out          receives the new handle; 0 on failure.
/// \return MM_OK, or: MM_E_BAD_HANDLE (`base` not open); MM_E_INVALID_ARG (NULL `out`, a
///         bad dtype text, NULL `shape` with ndim > 0, ndim > 64, a stride smaller than
///         the itemsize, an overflow); MM_E_OUT_OF_BOUNDS (the view would reach a byte
///         outside the array); MM_E_UNSUPPORTED (object dtype).
///
/// # Safety
/// `dtype` NULL or NUL-terminated; `shape` and `strides` NULL or pointing to `ndim`
/// values; `out` a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_view(
    base: mm_array,
    dtype: *const c_char,
    byte_offset: i64,
    shape: *const usize,
    ndim: usize,
    strides: *const i64,
    out: *mut mm_array,
) -> mm_status {
    guard_in("mm_view", move |name, thread| {
        // The call's text is built only for a failure: this is a hot path (formatting it
        // on every call cost about 1 400 of its 4 000 instructions, callgrind).
        let call = || format!("{name}(handle {base:#x})");
        let named = |f: Fail| f.in_call(&call());
        // SAFETY: the caller passes NULL or a writable mm_array.
        let out = unsafe { out_handle(name, out) }.map_err(named)?;
        // SAFETY: the caller passes NULL or a NUL-terminated dtype.
        let dtype = unsafe { dtype_arg(name, dtype) }.map_err(named)?;
        // SAFETY: the caller passes NULL or `ndim` readable sizes.
        let shape = unsafe { array_arg(name, "shape", shape, ndim) }.map_err(named)?;
        let strides = if strides.is_null() {
            None
        } else {
            // SAFETY: the caller passes `ndim` readable strides (checked non-NULL).
            Some(unsafe { array_arg(name, "strides", strides, ndim) }.map_err(named)?)
        };
        let same_dtype = dtype.is_none();
        // Counted on this thread's shard of the mapping's count (threads that make
        // views of one handle do not trade a cache line: src/shared_count.rs).
        let shard = Some(thread.number());
        let make = |v: &crate::view::View| {
            v.view_in(shard, dtype, byte_offset, shape, strides)
                .map_err(|err| Fail::core(&call(), err))
        };
        *out = if same_dtype {
            // The same mapping and dtype: the summary is made from the base's.
            let derived = derive(thread, name, base, |v, parent| {
                let view = make(v)?;
                let summary = derived_summary(parent, &view);
                Ok(Derived::new(view, summary))
            })?;
            register_derived(thread, derived, name)
        } else {
            register(with_entry(name, base, |e| make(&e.view))?, name)
        }
        .map_err(named)?;
        Ok(MM_OK)
    })
}

/// Python slicing `[start:stop:step]` of one axis, as a new handle in `*out`. Negative
/// indices count from the end and out-of-range bounds clamp, as in Python. An omitted
/// bound is passed as the extreme value that clamps to it: for step > 0 start INT64_MIN
/// and stop INT64_MAX; for step < 0 start INT64_MAX and stop INT64_MIN (so [::-1] is
/// (INT64_MAX, INT64_MIN, -1)).
///
/// \param base   an open handle.
/// \param axis   the axis to slice, below mm_ndim(base).
/// \param start  first index.
/// \param stop   index past the last one.
/// \param step   distance between indices; may be negative, not 0.
/// \param out    receives the new handle; 0 on failure.
/// \return MM_OK, or: MM_E_BAD_HANDLE (`base` not open); MM_E_INVALID_ARG (step 0,
///         axis >= ndim, NULL `out`).
///
/// # Safety
/// `out` must be a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_slice(
    base: mm_array,
    axis: usize,
    start: i64,
    stop: i64,
    step: i64,
    out: *mut mm_array,
) -> mm_status {
    guard_in("mm_slice", move |_name, thread| {
        // The hot path words no failure, so that none of the failure's text (nor its
        // arguments) is on its way: any failure takes slice_worded, which makes the
        // same call again and words what it finds (mm_slice cost).
        if !out.is_null() {
            // SAFETY: the caller passes NULL or a writable mm_array (checked non-NULL);
            // 0 until the handle is made, as out_handle does.
            unsafe { *out = 0 };
            // Counted on this thread's shard of the mapping's count (see mm_view).
            let shard = Some(thread.number());
            let made = pinned_summary(thread, base, |v, parent| {
                let (sliced, position) = v.slice_parts(axis, start, stop, step)?;
                match slice_summary_1d(parent, v, sliced, position) {
                    // A 1-D slice (the common case): its summary from the parts, and the
                    // view made where it is stored, from registers.
                    Some(summary) => {
                        insert_derived(thread, v.sliced(shard, axis, sliced, position), summary)
                    }
                    None => sliced_any(thread, v, parent, shard, (axis, sliced, position)),
                }
            });
            if let Some(handle) = made {
                // SAFETY: as above.
                unsafe { *out = handle };
                return Ok(MM_OK);
            }
        }
        // SAFETY: as mm_slice's contract.
        Ok(unsafe { slice_guarded(base, (axis, start, stop, step), out) })
    })
}

/// The slice of `v` (whose summary is `parent`) made from its parts, registered with
/// its summary: mm_slice's hot path for a slice that is not of an aligned 1-D view with
/// elements. Out of line, so that the 1-D case keeps its view in registers.
#[inline(never)]
fn sliced_any(
    thread: &Thread,
    v: &View,
    parent: &[u64; SUMMARY_WORDS],
    shard: Option<usize>,
    (axis, sliced, position): (usize, SlicedAxis, i64),
) -> Option<mm_array> {
    let view = v.sliced(shard, axis, sliced, position);
    let summary = slice_summary(parent, v, &view, sliced);
    insert_derived(thread, view, summary)
}

/// [`slice_worded`] inside a boundary of its own, which records its failure (or a
/// panic) as the thread's last error: mm_slice's body then always answers Ok with a
/// status, which the hot path's success returns in a register (merged with a Result
/// returned through memory, it was written as 4 bytes and read back as 8: a load that
/// cannot take its data from that store).
///
/// # Safety
/// As [`slice_worded`].
#[cold]
#[inline(never)]
unsafe fn slice_guarded(
    base: mm_array,
    args: (usize, i64, i64, i64),
    out: *mut mm_array,
) -> mm_status {
    guard_in("mm_slice", move |name, thread| {
        // SAFETY: as this function's contract.
        unsafe { slice_worded(name, thread, base, args, out) }
    })
}

/// mm_slice's general path, every failure worded: the hot path found one (or a slice
/// its 64-bit path does not answer). Out of line, so that none of it is on the hot path.
///
/// # Safety
/// `out` is NULL or a writable mm_array.
#[cold]
#[inline(never)]
unsafe fn slice_worded(
    name: &'static str,
    thread: &Thread,
    base: mm_array,
    (axis, start, stop, step): (usize, i64, i64, i64),
    out: *mut mm_array,
) -> Result<mm_status, Fail> {
    let call = move || format!("{name}(handle {base:#x}, axis {axis}, {start}:{stop}:{step})");
    // SAFETY: the caller passes NULL or a writable mm_array.
    let out = unsafe { out_handle(name, out) }.map_err(|f| f.in_call(&call()))?;
    let shard = Some(thread.number());
    let view = derive(thread, name, base, |v, parent| {
        let (view, sliced) = v
            .slice_axis_in(shard, axis, start, stop, step)
            .map_err(|err| Fail::core(&call(), err))?;
        let summary = slice_summary(parent, v, &view, sliced);
        Ok(Derived::new(view, summary))
    })?;
    *out = register_derived(thread, view, name)?;
    Ok(MM_OK)
}
