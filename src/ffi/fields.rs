//! The fields of a record (structured) dtype: name, dtype, byte offset and subarray
//! shape. Each field can be viewed through mm_view with its dtype and offset.

use std::ffi::c_char;

use super::boundary::{guard, Fail};
use super::handles::with_entry;
use super::status::*;

/// Number of fields of a record dtype, padding not counted.
///
/// \param a  the handle.
/// \return the number of fields; 0 for other dtypes and for a bad handle.
#[no_mangle]
pub extern "C" fn mm_field_count(a: mm_array) -> usize {
    guard("mm_field_count", |name| {
        with_entry(name, a, |e| Ok(e.names().fields.len()))
    })
}

/// Field `i` (0-based, in offset order) of a record array. `mm_view(a, dtype,
/// byte_offset, mm_shape(a), mm_ndim(a), mm_strides(a), &v)` with the field's dtype and
/// offset is a view of the field.
///
/// \param a            the handle of a record array.
/// \param i            the field's index, below mm_field_count(a).
/// \param name         receives the field's UTF-8 name, or NULL.
/// \param dtype        receives its dtype text, or NULL: for a subarray field the element
///                     dtype; for a nested record its descr list.
/// \param byte_offset  receives its byte offset within the record, or NULL.
/// \param ndim         receives the number of subarray dimensions (0 for a plain field;
///                     nested subarray levels counted together), or NULL.
/// \param shape        receives the subarray dimensions, nested levels concatenated
///                     outermost first (numpy's `('c', ('<f8', (5,)), (2,))` gives
///                     2, 5), or NULL.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_INVALID_ARG when `i >= mm_field_count(a)`.
///         The strings and the shape stay valid while the handle is open.
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
            let Some(f) = e.names().fields.get(i) else {
                return Err(Fail::new(
                    MM_E_INVALID_ARG,
                    format!(
                        "mm_field(handle {a:#x}, {i}): the array has {} fields",
                        e.names().fields.len()
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
