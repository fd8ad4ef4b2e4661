//! Everything a language binding needs to know about a handle, in one call, and
//! whether its elements are one of C's native scalar types.
//!
//! mm_describe copies a handle's data address, geometry, numpy attributes and dtype text
//! into storage the caller owns, in a single visit of the handle: either every field
//! describes the same open handle, or the call fails with MM_E_BAD_HANDLE and nothing
//! stale is left behind (a close in another thread cannot land between two fields, as
//! it can between calls of the separate getters).
//!
//! mm_scalar_kind answers "are these elements my native T" without numpy's type string
//! rules: it names the C scalar type (MM_SCALAR_INT32 for int32_t...) when the dtype is
//! exactly that type in the machine's byte order, and MM_SCALAR_OTHER otherwise
//! (non-native byte order, records, bytes and text, void, datetime64/timedelta64,
//! longdouble and its complex). A binding maps each MM_SCALAR_* value to its own type
//! and reads the elements through mm_data with the strides mm_describe gives.

use std::ffi::{c_char, c_void};
use std::mem::{offset_of, size_of};

use super::args::out_arg;
use super::boundary::{guard, guard_or, Fail};
use super::handles::with_entry;
use super::status::*;
use crate::dtype::DType;

/// The most dimensions an array can have; the size of mm_info's shape and strides.
pub const MM_MAX_NDIM: usize = 64;

// The library's dimension limit and the header's are one number.
const _: () = assert!(MM_MAX_NDIM == crate::layout::MAX_NDIM);

/// mm_scalar_kind: not a native C scalar (non-native byte order, record, bytes, text,
/// void, datetime64, timedelta64, longdouble, clongdouble).
pub const MM_SCALAR_OTHER: i32 = 0;
/// mm_scalar_kind: numpy bool, one byte holding 0 or 1 (C `bool` / `_Bool`).
pub const MM_SCALAR_BOOL: i32 = 1;
/// mm_scalar_kind: int8_t.
pub const MM_SCALAR_INT8: i32 = 2;
/// mm_scalar_kind: int16_t in native byte order.
pub const MM_SCALAR_INT16: i32 = 3;
/// mm_scalar_kind: int32_t in native byte order.
pub const MM_SCALAR_INT32: i32 = 4;
/// mm_scalar_kind: int64_t in native byte order.
pub const MM_SCALAR_INT64: i32 = 5;
/// mm_scalar_kind: uint8_t.
pub const MM_SCALAR_UINT8: i32 = 6;
/// mm_scalar_kind: uint16_t in native byte order.
pub const MM_SCALAR_UINT16: i32 = 7;
/// mm_scalar_kind: uint32_t in native byte order.
pub const MM_SCALAR_UINT32: i32 = 8;
/// mm_scalar_kind: uint64_t in native byte order.
pub const MM_SCALAR_UINT64: i32 = 9;
/// mm_scalar_kind: IEEE 754 binary16 in native byte order (C23 `_Float16` where the
/// compiler has it; otherwise read it as uint16_t bits).
pub const MM_SCALAR_FLOAT16: i32 = 10;
/// mm_scalar_kind: IEEE 754 binary32 (`float`) in native byte order.
pub const MM_SCALAR_FLOAT32: i32 = 11;
/// mm_scalar_kind: IEEE 754 binary64 (`double`) in native byte order.
pub const MM_SCALAR_FLOAT64: i32 = 12;
/// mm_scalar_kind: two floats, real then imaginary (C `float _Complex`), native order.
pub const MM_SCALAR_COMPLEX64: i32 = 13;
/// mm_scalar_kind: two doubles, real then imaginary (C `double _Complex`), native order.
pub const MM_SCALAR_COMPLEX128: i32 = 14;

/// A snapshot of one handle, filled by mm_describe. Its layout is fixed (this library
/// builds only for 64-bit targets): 1088 bytes, alignment 8, the fields at the byte
/// offsets given below; the arrays hold MM_MAX_NDIM entries, of which the first `ndim`
/// are set and the rest are 0. It holds no pointers into the library other than
/// `data`, so it stays readable after the handle is closed (but `data` does not).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mm_info {
    /// Offset 0: mm_data's address of the first element (valid while the handle, or
    /// another view of the same mapping, is open).
    pub data: *mut c_void,
    /// Offset 8: number of dimensions (0 for a 0-d array), at most MM_MAX_NDIM.
    pub ndim: usize,
    /// Offset 16: bytes per element (mm_itemsize).
    pub itemsize: usize,
    /// Offset 24: number of elements (mm_size).
    pub size: usize,
    /// Offset 32: size * itemsize (mm_nbytes).
    pub nbytes: usize,
    /// Offset 40: the byte offset given at open (mm_offset).
    pub offset: u64,
    /// Offset 48: the MM_WRITEABLE ... MM_NATIVE_ORDER bits (mm_flags).
    pub flags: u32,
    /// Offset 52: mm_scalar_kind's answer (an MM_SCALAR_* value).
    pub scalar_kind: i32,
    /// Offset 56: the mode, NUL-terminated and NUL-padded: "r", "r+", "w+" or "c".
    pub mode: [c_char; 4],
    /// Offset 60: always 0 (keeps `shape` at offset 64; may carry meaning later).
    pub reserved: u32,
    /// Offset 64: the dimensions (mm_shape).
    pub shape: [usize; MM_MAX_NDIM],
    /// Offset 576: the byte strides (mm_strides).
    pub strides: [i64; MM_MAX_NDIM],
}

// The layout the doc comment promises (tests/describe.rs and c_tests/test_describe.c
// check it from the outside too).
const _: () = {
    assert!(size_of::<mm_info>() == 1088);
    assert!(std::mem::align_of::<mm_info>() == 8);
    assert!(offset_of!(mm_info, data) == 0);
    assert!(offset_of!(mm_info, ndim) == 8);
    assert!(offset_of!(mm_info, itemsize) == 16);
    assert!(offset_of!(mm_info, size) == 24);
    assert!(offset_of!(mm_info, nbytes) == 32);
    assert!(offset_of!(mm_info, offset) == 40);
    assert!(offset_of!(mm_info, flags) == 48);
    assert!(offset_of!(mm_info, scalar_kind) == 52);
    assert!(offset_of!(mm_info, mode) == 56);
    assert!(offset_of!(mm_info, reserved) == 60);
    assert!(offset_of!(mm_info, shape) == 64);
    assert!(offset_of!(mm_info, strides) == 576);
};

impl mm_info {
    fn zeroed() -> mm_info {
        mm_info {
            data: std::ptr::null_mut(),
            ndim: 0,
            itemsize: 0,
            size: 0,
            nbytes: 0,
            offset: 0,
            flags: 0,
            scalar_kind: MM_SCALAR_OTHER,
            mode: [0; 4],
            reserved: 0,
            shape: [0; MM_MAX_NDIM],
            strides: [0; MM_MAX_NDIM],
        }
    }
}

/// The MM_SCALAR_* value of `dtype`.
fn scalar_kind(dtype: &DType) -> i32 {
    if !dtype.is_native() {
        return MM_SCALAR_OTHER;
    }
    match (dtype.kind(), dtype.itemsize()) {
        ('b', 1) => MM_SCALAR_BOOL,
        ('i', 1) => MM_SCALAR_INT8,
        ('i', 2) => MM_SCALAR_INT16,
        ('i', 4) => MM_SCALAR_INT32,
        ('i', 8) => MM_SCALAR_INT64,
        ('u', 1) => MM_SCALAR_UINT8,
        ('u', 2) => MM_SCALAR_UINT16,
        ('u', 4) => MM_SCALAR_UINT32,
        ('u', 8) => MM_SCALAR_UINT64,
        ('f', 2) => MM_SCALAR_FLOAT16,
        ('f', 4) => MM_SCALAR_FLOAT32,
        ('f', 8) => MM_SCALAR_FLOAT64,
        ('c', 8) => MM_SCALAR_COMPLEX64,
        ('c', 16) => MM_SCALAR_COMPLEX128,
        _ => MM_SCALAR_OTHER,
    }
}

/// Copies everything known about handle `a` into `*out` in one visit of the handle,
/// and its dtype text (as mm_dtype gives it) into `dtype_buf`, like snprintf: at most
/// `dtype_cap` bytes, always NUL-terminated when `dtype_cap` > 0, and
/// `*dtype_needed` = the length of the whole text including its NUL. A text that did
/// not fit (`*dtype_needed` > `dtype_cap`) is not an error: call again with a larger
/// buffer (the text of a handle never changes). Scalar dtypes take at most 24 bytes;
/// record dtypes can be long.
///
/// \param a             the handle.
/// \param out           receives the snapshot; zeroed on every failure; required.
/// \param dtype_buf     receives the dtype text; may be NULL only when `dtype_cap` is 0.
/// \param dtype_cap     bytes available at `dtype_buf`.
/// \param dtype_needed  receives the bytes the whole dtype text takes, its NUL included
///                      (0 on failure); required.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `out` or `dtype_needed`, NULL `dtype_buf`
///         with `dtype_cap` > 0); MM_E_BAD_HANDLE (`a` is not open: nothing of another
///         handle or of a closed one is written).
///
/// # Safety
/// `out` NULL or a writable mm_info; `dtype_buf` NULL or `dtype_cap` writable bytes;
/// `dtype_needed` NULL or a writable size_t.
#[no_mangle]
pub unsafe extern "C" fn mm_describe(
    a: mm_array,
    out: *mut mm_info,
    dtype_buf: *mut c_char,
    dtype_cap: usize,
    dtype_needed: *mut usize,
) -> mm_status {
    guard("mm_describe", |name| {
        // Both out-parameters are cleared before either NULL is reported.
        // SAFETY: the caller passes NULL or a writable mm_info, as documented.
        let out = unsafe { out_arg(name, "out", out, mm_info::zeroed()) };
        // SAFETY: the caller passes NULL or a writable size_t, as documented.
        let needed = unsafe { out_arg(name, "dtype_needed", dtype_needed, 0) };
        let (out, needed) = (out?, needed?);
        if dtype_buf.is_null() && dtype_cap > 0 {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{name}(handle {a:#x}): dtype_buf is NULL but dtype_cap is {dtype_cap}"),
            ));
        }
        with_entry(name, a, |e| {
            let v = &e.view;
            let f = v.flags();
            let bit = |on: bool, b: u32| if on { b } else { 0 };
            let mut info = mm_info::zeroed();
            info.data = v.data_ptr().cast();
            info.ndim = v.shape().len();
            info.itemsize = v.itemsize();
            info.size = v.size();
            info.nbytes = v.nbytes();
            info.offset = v.offset();
            info.flags = bit(f.writeable, MM_WRITEABLE)
                | bit(f.c_contiguous, MM_C_CONTIGUOUS)
                | bit(f.f_contiguous, MM_F_CONTIGUOUS)
                | bit(f.aligned, MM_ALIGNED)
                | bit(f.native_order, MM_NATIVE_ORDER);
            info.scalar_kind = scalar_kind(v.dtype());
            for (to, &from) in info.mode.iter_mut().zip(v.mode().as_cstr().to_bytes()) {
                *to = from as c_char;
            }
            info.shape[..info.ndim].copy_from_slice(v.shape());
            info.strides[..info.ndim].copy_from_slice(v.strides());
            let text = e.names().dtype.as_bytes_with_nul();
            if dtype_cap > 0 {
                let n = (text.len() - 1).min(dtype_cap - 1);
                // SAFETY: the caller gives `dtype_cap` writable bytes at `dtype_buf`
                // (checked non-NULL above); n + 1 <= dtype_cap.
                let buf = unsafe { std::slice::from_raw_parts_mut(dtype_buf.cast::<u8>(), n + 1) };
                buf[..n].copy_from_slice(&text[..n]);
                buf[n] = 0;
            }
            *needed = text.len();
            *out = info;
            Ok(MM_OK)
        })
    })
}

/// Which native C scalar type the elements of `a` are, for a binding that must decide
/// whether it may read them as its own T: an MM_SCALAR_* value naming the C type
/// when the dtype is exactly that type in the machine's byte order, MM_SCALAR_OTHER
/// for anything else (a non-native byte order, records, bytes, text, void,
/// datetime64, timedelta64, longdouble, clongdouble). numpy's platform names resolve
/// first: "long" on Linux x86_64 is MM_SCALAR_INT64.
///
/// \param a  the handle.
/// \return an MM_SCALAR_* value (0 ... 14); -1 for a bad handle (the last error is
///         MM_E_BAD_HANDLE).
#[no_mangle]
pub extern "C" fn mm_scalar_kind(a: mm_array) -> i32 {
    guard_or("mm_scalar_kind", -1, |name| {
        with_entry(name, a, |e| Ok(scalar_kind(e.view.dtype())))
    })
}
