//! The C API calls the integration tests make again and again, written once: each
//! returns the status and the handle, which starts at 777 so that a failure is seen to
//! write 0. Shared by the integration tests: `#[path = "support/capi.rs"] mod capi;`.
// Each test binary uses the part it needs.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};
use std::path::Path;

use mmarray::ffi::*;

/// A path as a C string (the tests' paths are UTF-8).
pub fn cstr(p: &Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

/// A text the library handed out (never NULL here).
pub fn text(p: *const c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the library hands out NUL-terminated strings that outlive this use.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

/// This thread's last error message.
pub fn last_error() -> String {
    // SAFETY: mm_last_error_message returns a NUL-terminated string of this thread.
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// The shape argument: its values and count, or NULL and 0 (inferred / 0-d).
fn shape_arg(shape: Option<&[usize]>) -> (*const usize, usize) {
    shape.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()))
}

/// mm_open(path, dtype, mode, offset, shape, 'C').
pub fn try_open(
    path: &Path,
    dtype: &str,
    mode: &str,
    offset: u64,
    shape: Option<&[usize]>,
) -> (mm_status, mm_array) {
    let (p, d, m) = (
        cstr(path),
        CString::new(dtype).unwrap(),
        CString::new(mode).unwrap(),
    );
    let (sp, n) = shape_arg(shape);
    let mut h: mm_array = 777;
    // SAFETY: NUL-terminated texts, `n` shape values, a writable out-parameter.
    let s = unsafe {
        mm_open(
            p.as_ptr(),
            d.as_ptr(),
            m.as_ptr(),
            offset,
            sp,
            n,
            b'C' as _,
            &mut h,
        )
    };
    (s, h)
}

/// mm_slice(a, axis, start:stop:step).
pub fn try_slice(
    a: mm_array,
    axis: usize,
    start: i64,
    stop: i64,
    step: i64,
) -> (mm_status, mm_array) {
    let mut h: mm_array = 777;
    // SAFETY: a writable out-parameter.
    let s = unsafe { mm_slice(a, axis, start, stop, step, &mut h) };
    (s, h)
}

/// The slot a handle names (its low 32 bits are slot + 1: src/registry.rs).
pub fn slot_of(h: mm_array) -> u64 {
    h & 0xFFFF_FFFF
}

/// mm_open_fd(fd, dtype, mode, offset, shape, 'C').
pub fn try_open_fd(
    fd: i32,
    dtype: &str,
    mode: &str,
    offset: u64,
    shape: Option<&[usize]>,
) -> (mm_status, mm_array) {
    let (d, m) = (CString::new(dtype).unwrap(), CString::new(mode).unwrap());
    let (sp, n) = shape_arg(shape);
    let mut h: mm_array = 777;
    // SAFETY: NUL-terminated texts, `n` shape values, a writable out-parameter.
    let s = unsafe { mm_open_fd(fd, d.as_ptr(), m.as_ptr(), offset, sp, n, b'C' as _, &mut h) };
    (s, h)
}

/// mm_create_npy(path, dtype, shape, 'C').
pub fn create_npy(path: &Path, dtype: &str, shape: &[usize]) -> (mm_status, mm_array) {
    let (p, d) = (cstr(path), CString::new(dtype).unwrap());
    let mut h: mm_array = 777;
    // SAFETY: NUL-terminated texts, the shape's values, a writable out-parameter.
    let s = unsafe {
        mm_create_npy(
            p.as_ptr(),
            d.as_ptr(),
            shape.as_ptr(),
            shape.len(),
            b'C' as _,
            &mut h,
        )
    };
    (s, h)
}
