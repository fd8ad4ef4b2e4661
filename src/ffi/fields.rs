//! Records: the fields of a record (structured) dtype, each viewable through mm_view
//! with its dtype and offset.

use std::ffi::c_char;

use super::boundary::{guard, Fail};
use super::handles::with_entry;
use super::status::*;

/// Number of fields of a record dtype (padding not counted); 0 for other dtypes and for
/// a bad handle.
#[no_mangle]
pub extern "C" fn mm_field_count(a: mm_array) -> usize {
    guard("mm_field_count", |name| {
        with_entry(name, a, |e| Ok(e.names.fields.len()))
    })
}

/// Field `i` (0-based, in offset order) of a record array: its UTF-8 name, its dtype
/// text (for a subarray field the element dtype, with `ndim`/`shape` giving the
/// subarray dimensions; `ndim` 0 otherwise; a nested record's dtype is its descr list),
/// and its byte offset within the record. Any out-pointer may be NULL. The strings and
/// the shape stay valid while the handle is open. `mm_view(a, dtype, byte_offset, shape,
/// ndim, strides)` with the field's dtype and offset and the array's own shape and
/// strides gives a view of the field. `i >= mm_field_count(a)` is MM_E_INVALID_ARG.
///
/// # Safety
/// Each non-NULL out-pointer must be writable.
#[no_mangle]
pub unsafe extern "C" fn mm_field(
    a: mm_array,
    i: usize,
    name: *mut *const c_char,
    dtype: *mut *const c_char,
    byte_offset: *mut usize,
    ndim: *mut usize,
    shape: *mut *const usize,
) -> mm_status {
    guard("mm_field", |call| {
        with_entry(call, a, |e| {
            let Some(f) = e.names.fields.get(i) else {
                return Err(Fail::new(
                    MM_E_INVALID_ARG,
                    format!(
                        "mm_field(handle {a:#x}, {i}): the array has {} fields",
                        e.names.fields.len()
                    ),
                ));
            };
            // SAFETY: each pointer is NULL or writable, as documented.
            unsafe {
                if !name.is_null() {
                    *name = f.name.as_ptr();
                }
                if !dtype.is_null() {
                    *dtype = f.dtype.as_ptr();
                }
                if !byte_offset.is_null() {
                    *byte_offset = f.offset;
                }
                if !ndim.is_null() {
                    *ndim = f.shape.len();
                }
                if !shape.is_null() {
                    *shape = f.shape.as_ptr();
                }
            }
            Ok(MM_OK)
        })
    })
}
