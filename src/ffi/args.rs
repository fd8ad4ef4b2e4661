//! C arguments turned into validated Rust values, one rule each: out-parameters are
//! cleared before anything can fail, NULL texts are "not given", a NULL path is an
//! error, arrays are bounded by the dimension limit, a NULL mode means "r+".

use std::ffi::{c_char, CStr};
use std::path::Path;

use super::boundary::Fail;
use super::status::*;
use crate::dtype::DType;
use crate::layout::{Order, MAX_NDIM};
use crate::mapping::Mode;

/// The out-parameter `what` of `call`, set to `initial` up front so that every failure
/// leaves it so; NULL is MM_E_INVALID_ARG.
///
/// # Safety
/// `out` must be NULL or valid for writes.
pub(crate) unsafe fn out_arg<'a, T>(
    call: &str,
    what: &str,
    out: *mut T,
    initial: T,
) -> Result<&'a mut T, Fail> {
    if out.is_null() {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: {what} is NULL"),
        ));
    }
    // SAFETY: checked non-NULL; the caller passes memory valid for writes of a T.
    let out = unsafe { &mut *out };
    *out = initial;
    Ok(out)
}

/// The `out` handle of a call that makes one: 0 on every failure.
///
/// # Safety
/// `out` must be NULL or a writable mm_array.
pub(crate) unsafe fn out_handle<'a>(
    call: &str,
    out: *mut mm_array,
) -> Result<&'a mut mm_array, Fail> {
    // SAFETY: as this function's contract.
    unsafe { out_arg(call, "out", out, 0) }
}

/// A C string argument as UTF-8 text; `None` for NULL.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
pub(crate) unsafe fn text_arg<'a>(
    call: &str,
    what: &str,
    p: *const c_char,
) -> Result<Option<&'a str>, Fail> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller passes a NUL-terminated string (checked non-NULL).
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    std::str::from_utf8(bytes).map(Some).map_err(|_| {
        Fail::new(
            MM_E_INVALID_ARG,
            format!(
                "{call}: {what} {:?} is not valid UTF-8",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

/// A path argument: any bytes but NUL (paths need not be UTF-8; on Windows they must
/// be, and are converted to wide strings); NULL is an error.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
pub(crate) unsafe fn path_arg<'a>(call: &str, p: *const c_char) -> Result<&'a Path, Fail> {
    if p.is_null() {
        return Err(Fail::new(MM_E_INVALID_ARG, format!("{call}: path is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string (checked non-NULL).
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    crate::mapping::path_from_bytes(bytes).ok_or_else(|| {
        Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: path is not UTF-8 (paths are UTF-8 on Windows)"),
        )
    })
}

/// `name("path")`, the way messages name a call on a file: the path as the caller gave
/// it (backslashes kept, so a Windows path reads as written), quotes and control
/// characters escaped ([`quoted`](crate::error::quoted)).
pub(crate) fn call_on_path(name: &str, path: &Path) -> String {
    let bytes = crate::mapping::path_bytes(path);
    format!(
        "{name}({})",
        crate::error::quoted(&String::from_utf8_lossy(&bytes))
    )
}

/// `n` elements at `p` (a shape or strides); NULL with n > 0 is an error naming
/// `what`, and n is at most numpy's dimension limit.
///
/// # Safety
/// `p` must be NULL or point to `n` readable elements.
pub(crate) unsafe fn array_arg<'a, T>(
    call: &str,
    what: &str,
    p: *const T,
    n: usize,
) -> Result<&'a [T], Fail> {
    if n > MAX_NDIM {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: ndim {n} is more than the {MAX_NDIM} dimensions numpy allows"),
        ));
    }
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: {what} is NULL but ndim is {n}"),
        ));
    }
    // SAFETY: the caller passes `n` readable elements (checked non-NULL, n bounded).
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// A dtype argument; `None` for NULL.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
pub(crate) unsafe fn dtype_arg(call: &str, p: *const c_char) -> Result<Option<DType>, Fail> {
    // SAFETY: as this function's contract.
    let text = unsafe { text_arg(call, "dtype", p) }?;
    text.map(parse_cached)
        .transpose()
        .map_err(|e| Fail::core(call, e))
}

/// A mode argument; NULL means "r+", numpy's default.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
pub(crate) unsafe fn mode_arg(call: &str, p: *const c_char) -> Result<Mode, Fail> {
    // SAFETY: as this function's contract.
    match unsafe { text_arg(call, "mode", p) }? {
        None => Ok(Mode::ReadWrite),
        Some(text) => Mode::parse(text).map_err(|e| Fail::core(call, e)),
    }
}

/// An order argument: 'C' or 'F' (lower case accepted; 'A', 'K' and 0 mean C).
pub(crate) fn order_arg(call: &str, order: c_char) -> Result<Order, Fail> {
    Order::from_char(order as u8).map_err(|e| Fail::core(call, e))
}

/// DType::parse, remembering the last text parsed on this thread: programs open many
/// arrays of one dtype, and a DType is a shared, immutable value.
fn parse_cached(text: &str) -> crate::error::Result<DType> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(String, DType)>> = const { std::cell::RefCell::new(None) };
    }
    let hit = LAST
        .try_with(|last| match &*last.borrow() {
            Some((t, d)) if t == text => Some(d.clone()),
            _ => None,
        })
        .ok()
        .flatten();
    if let Some(dtype) = hit {
        return Ok(dtype);
    }
    let dtype = DType::parse(text)?;
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some((text.to_owned(), dtype.clone()));
        }
    });
    Ok(dtype)
}
