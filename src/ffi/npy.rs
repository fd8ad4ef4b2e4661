//! .npy files and record fields over the C ABI.

use std::ffi::{c_char, CStr, CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::array::{array_arg, out_handle, parse_dtype, register, text_arg, with_entry};
use super::{guard, mm_array, mm_status, Fail, MM_E_INVALID_ARG, MM_OK};
use crate::dtype::DType;
use crate::layout::Order;
use crate::mapping::Mode;

/// The C strings and numbers mm_field hands out for one field.
pub(crate) struct FieldText {
    name: CString,
    dtype: CString,
    offset: usize,
    shape: Box<[usize]>,
}

/// A C string of `text`, cut at the first NUL (names cannot carry one through C).
fn c_text(text: &str) -> CString {
    let cut = text.split('\0').next().unwrap_or("");
    CString::new(cut).unwrap_or_default()
}

pub(crate) fn field_texts(dtype: &DType) -> Box<[FieldText]> {
    dtype
        .fields()
        .map(|fields| {
            fields
                .iter()
                .map(|f| FieldText {
                    name: c_text(&f.name),
                    dtype: c_text(f.dtype.typestr()),
                    offset: f.offset,
                    shape: f.shape.clone().into(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn path_arg<'a>(call: &str, path: *const c_char) -> Result<&'a [u8], Fail> {
    if path.is_null() {
        return Err(Fail::new(MM_E_INVALID_ARG, format!("{call}: path is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string (checked non-NULL).
    Ok(unsafe { CStr::from_ptr(path) }.to_bytes())
}

/// Opens a .npy file as an array with the dtype, shape and order its header states,
/// mapped at the data offset (mm_offset reports it), as numpy's
/// `np.load(path, mmap_mode=mode)` / `open_memmap(path, mode)` would.
///
/// - `mode`: "r", "r+", "c" or "readonly", "readwrite", "copyonwrite"; NULL means "r+"
///   (open_memmap's default). "w+"/"write" is MM_E_INVALID_ARG: use mm_create_npy.
///
/// The file's size is never changed: data shorter than the header says is
/// MM_E_FILE_TOO_SMALL in every mode. A malformed header is MM_E_FORMAT (the message
/// says what was found and where); an object dtype is MM_E_UNSUPPORTED. Headers of any
/// length and versions 1.0, 2.0 and 3.0 are read. On failure `*out` is 0.
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
    guard(
        "mm_open_npy",
        |s| s,
        || {
            let out = unsafe { out_handle("mm_open_npy", out) }?;
            let path = path_arg("mm_open_npy", path)?;
            let call = format!("mm_open_npy({:?})", String::from_utf8_lossy(path));
            let mode = match unsafe { text_arg(&call, "mode", mode) }? {
                None => Mode::ReadWrite,
                Some(text) => Mode::parse(text).map_err(|e| Fail::core(&call, e))?,
            };
            let view = crate::npy::open(Path::new(OsStr::from_bytes(path)), mode)
                .map_err(|e| Fail::core(&call, e))?;
            *out = register(view, &call)?;
            Ok(MM_OK)
        },
    )
}

/// Creates (or truncates) a .npy file for an array of `dtype` and `shape` and maps its
/// data read-write, as numpy's `open_memmap(path, mode='w+', dtype, shape,
/// fortran_order=(order == 'F'))`: the header is written exactly as np.save writes it,
/// the data is zero (sparse), and the handle reports mode "r+". Once filled and flushed,
/// the file is byte-identical to open_memmap's filled the same: the header says
/// `fortran_order: True` exactly when `order` is 'F', for any shape. That is np.save's
/// file of the same array too, except for an 'F' array that is also C-contiguous (0-d,
/// 1-D, (2, 1), ...), for which np.save writes `fortran_order: False`.
///
/// - `dtype`: any dtype text mm_open accepts, records included; NULL is MM_E_INVALID_ARG.
/// - `shape`: `ndim` dimensions (NULL only with ndim 0: a 0-d array).
/// - `order`: 'C' or 'F' (lower case accepted; 'A', 'K' and 0 mean C).
///
/// Every argument is checked before the file is touched; on failure `*out` is 0 and a
/// file this call created is removed.
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
    guard(
        "mm_create_npy",
        |s| s,
        || {
            let out = unsafe { out_handle("mm_create_npy", out) }?;
            let path = path_arg("mm_create_npy", path)?;
            let call = format!("mm_create_npy({:?})", String::from_utf8_lossy(path));
            let dtype = parse_dtype(&call, unsafe { text_arg(&call, "dtype", dtype) }?)?
                .ok_or_else(|| Fail::new(MM_E_INVALID_ARG, format!("{call}: dtype is NULL")))?;
            let shape = unsafe { array_arg(&call, "shape", shape, ndim) }?;
            let order = Order::from_char(order as u8).map_err(|e| Fail::core(&call, e))?;
            let view = crate::npy::create(Path::new(OsStr::from_bytes(path)), &dtype, shape, order)
                .map_err(|e| Fail::core(&call, e))?;
            *out = register(view, &call)?;
            Ok(MM_OK)
        },
    )
}

/// Writes the view `a` to `path` byte-identical to `np.save(path, view)` (header
/// `fortran_order: True` and data in F order exactly when the view is F- and not
/// C-contiguous, else C order; big-endian data stays big-endian), with
/// bounded memory (no copy of the whole array). The target is replaced atomically: the
/// data goes to a new temporary file in the same directory (mode 0666 & ~umask), which
/// is fsynced and renamed over `path`, and the directory is fsynced; on failure the
/// temporary file is removed and `path` is untouched. Unlike np.save, no ".npy" suffix
/// is appended.
///
/// # Safety
/// `path` must be a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mm_save_npy(a: mm_array, path: *const c_char) -> mm_status {
    guard(
        "mm_save_npy",
        |s| s,
        || {
            let path = path_arg("mm_save_npy", path)?;
            let call = format!(
                "mm_save_npy(handle {a:#x}, {:?})",
                String::from_utf8_lossy(path)
            );
            let view = with_entry("mm_save_npy", a, |e| Ok(e.view.clone()))?;
            crate::npy::save(&view, Path::new(OsStr::from_bytes(path)))
                .map_err(|e| Fail::core(&call, e))?;
            Ok(MM_OK)
        },
    )
}

/// Number of fields of a record dtype (padding not counted); 0 for other dtypes and for
/// a bad handle.
#[no_mangle]
pub extern "C" fn mm_field_count(a: mm_array) -> usize {
    guard(
        "mm_field_count",
        |_| 0,
        || with_entry("mm_field_count", a, |e| Ok(e.names.fields.len())),
    )
}

/// Field `i` (0-based, in offset order) of a record array: its UTF-8 name, its dtype
/// text (for a subarray field the element dtype, with `ndim`/`shape` giving the
/// subarray dimensions, nested levels concatenated outermost first; `ndim` 0 otherwise; a nested record's dtype is its descr list),
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
    guard(
        "mm_field",
        |s| s,
        || {
            with_entry("mm_field", a, |e| {
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
        },
    )
}
