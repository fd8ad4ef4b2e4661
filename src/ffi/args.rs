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
#[inline]
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
    // SAFETY: as this function's contract.
    unsafe { c_path_arg(call, p) }.map(|(path, _)| path)
}

/// [`path_arg`] and the C string it was read from (which the core can open as it is).
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
pub(crate) unsafe fn c_path_arg<'a>(
    call: &str,
    p: *const c_char,
) -> Result<(&'a Path, &'a CStr), Fail> {
    if p.is_null() {
        return Err(Fail::new(MM_E_INVALID_ARG, format!("{call}: path is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string (checked non-NULL).
    let c_path = unsafe { CStr::from_ptr(p) };
    match crate::mapping::path_from_bytes(c_path.to_bytes()) {
        Some(path) => Ok((path, c_path)),
        None => Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: path is not UTF-8 (paths are UTF-8 on Windows)"),
        )),
    }
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
#[inline(always)]
pub(crate) unsafe fn dtype_arg(call: &str, p: *const c_char) -> Result<Option<DType>, Fail> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: as this function's contract.
    if let Some(dtype) = unsafe { common_dtype(p) } {
        return Ok(Some(dtype));
    }
    // SAFETY: as this function's contract.
    unsafe { dtype_arg_uncommon(call, p) }
}

/// [`dtype_arg`] past the short texts: the thread's remembered text, or a parse. Out of
/// line, so that the short texts' path (mm_open's) is written into its caller alone.
///
/// # Safety
/// As dtype_arg.
#[inline(never)]
unsafe fn dtype_arg_uncommon(call: &str, p: *const c_char) -> Result<Option<DType>, Fail> {
    // SAFETY: as this function's contract.
    if let Some(dtype) = unsafe { cached_dtype(p) } {
        return Ok(Some(dtype));
    }
    // SAFETY: as this function's contract.
    unsafe { dtype_arg_parsed(call, p) }
}

/// The DType of `p` when it is one of the short type strings the process keeps
/// (`"<f8"`, `"|u1"`...: src/dtype/common.rs), read byte by byte up to its NUL (no
/// strlen, no UTF-8 check: those texts are ASCII); `None` for NULL and any other text.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
#[inline(always)]
unsafe fn common_dtype(p: *const c_char) -> Option<DType> {
    if p.is_null() {
        return None;
    }
    // SAFETY: byte k is read only when bytes 0..k are not NUL, so no read goes past the
    // terminator.
    let at = |k: usize| unsafe { *p.add(k) as u8 };
    let a = at(0);
    if a == 0 {
        return None;
    }
    let b = at(1);
    if b == 0 {
        return None;
    }
    let c = at(2);
    if c == 0 {
        return DType::parse_common(&[a, b]);
    }
    if at(3) != 0 {
        return None;
    }
    DType::parse_common(&[a, b, c])
}

/// [`dtype_arg`] past the remembered text: checked as UTF-8, then parsed.
///
/// # Safety
/// As dtype_arg.
#[inline(never)]
unsafe fn dtype_arg_parsed(call: &str, p: *const c_char) -> Result<Option<DType>, Fail> {
    // SAFETY: as this function's contract.
    let text = unsafe { text_arg(call, "dtype", p) }?;
    text.map(parse_and_remember)
        .transpose()
        .map_err(|e| Fail::core(call, e))
}

/// A mode argument; NULL means "r+", numpy's default.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
#[inline]
pub(crate) unsafe fn mode_arg(call: &str, p: *const c_char) -> Result<Mode, Fail> {
    // The short names, read byte by byte up to their NUL (no strlen, no UTF-8 check:
    // every one is ASCII); anything else, the long names included, takes the full way.
    if !p.is_null() {
        // SAFETY: a NUL-terminated string: byte k is read only when bytes 0..k are not
        // NUL, so no read goes past the terminator.
        let at = |k: usize| unsafe { *p.add(k) as u8 };
        let mode = match at(0) {
            b'r' => match at(1) {
                0 => Some(Mode::ReadOnly),
                b'+' if at(2) == 0 => Some(Mode::ReadWrite),
                _ => None,
            },
            b'w' if at(1) == b'+' && at(2) == 0 => Some(Mode::Write),
            b'c' if at(1) == 0 => Some(Mode::CopyOnWrite),
            _ => None,
        };
        if let Some(mode) = mode {
            return Ok(mode);
        }
    }
    // SAFETY: as this function's contract.
    unsafe { mode_arg_parsed(call, p) }
}

/// [`mode_arg`] past the short names: checked as UTF-8, then parsed.
///
/// # Safety
/// As mode_arg.
#[inline(never)]
unsafe fn mode_arg_parsed(call: &str, p: *const c_char) -> Result<Mode, Fail> {
    // SAFETY: as this function's contract.
    match unsafe { text_arg(call, "mode", p) }? {
        None => Ok(Mode::ReadWrite),
        Some(text) => Mode::parse(text).map_err(|e| Fail::core(call, e)),
    }
}

/// An order argument: 'C' or 'F' (lower case accepted; 'A', 'K' and 0 mean C).
///
/// Inline into every caller (mm_open's hot path among them): 'C' and 0, what nearly
/// every call passes, without a call; the rest, and the error's words, out of line.
#[inline(always)]
pub(crate) fn order_arg(call: &str, order: c_char) -> Result<Order, Fail> {
    match order as u8 {
        b'C' | 0 => Ok(Order::C),
        other => order_arg_other(call, other),
    }
}

/// [`order_arg`] of any other byte: Order::from_char's answer.
#[inline(never)]
fn order_arg_other(call: &str, order: u8) -> Result<Order, Fail> {
    Order::from_char(order).map_err(|e| Fail::core(call, e))
}

thread_local! {
    /// The last dtype text parsed on this thread and its DType: programs open many
    /// arrays of one dtype, and a DType is a shared, immutable value.
    static LAST_DTYPE: std::cell::RefCell<Option<(String, DType)>> =
        const { std::cell::RefCell::new(None) };
}

/// The DType of `p` when it is the text this thread parsed last, compared byte by byte
/// against the C string (no strlen, no UTF-8 check: the remembered text is UTF-8, so
/// equal bytes are that text); `None` for NULL, any other text, or no cache.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
#[inline]
unsafe fn cached_dtype(p: *const c_char) -> Option<DType> {
    if p.is_null() {
        return None;
    }
    LAST_DTYPE
        .try_with(|last| {
            let last = last.try_borrow().ok()?;
            let (text, dtype) = last.as_ref()?;
            // The remembered text holds no NUL (it came from a C string), so the
            // comparison stops at the caller's terminator at the latest: byte k of `p`
            // is read only when bytes 0..k matched non-NUL bytes.
            for (k, &b) in text.as_bytes().iter().enumerate() {
                // SAFETY: as above, bytes 0..k of `p` are not NUL.
                if unsafe { *p.add(k) } as u8 != b {
                    return None;
                }
            }
            // SAFETY: bytes 0..len of `p` are not NUL; byte len is its NUL or more text.
            (unsafe { *p.add(text.len()) } == 0).then(|| dtype.clone())
        })
        .ok()
        .flatten()
}

/// DType::parse of a text [`cached_dtype`] did not know, remembered as this thread's last.
fn parse_and_remember(text: &str) -> crate::error::Result<DType> {
    let dtype = DType::parse(text)?;
    let _ = LAST_DTYPE.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some((text.to_owned(), dtype.clone()));
        }
    });
    Ok(dtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short-name fast path answers exactly what the full way does, for the names,
    /// their near misses and the long aliases.
    #[test]
    fn mode_fast_path_is_the_full_way() {
        for text in [
            "r",
            "r+",
            "w+",
            "c",
            "readonly",
            "readwrite",
            "write",
            "copyonwrite",
            "",
            "w",
            "r++",
            "r+x",
            "rx",
            "c+",
            "cc",
            "w+ ",
            "W+",
            "R",
            "+",
        ] {
            let c = std::ffi::CString::new(text).unwrap();
            // SAFETY: a NUL-terminated string.
            let fast = unsafe { mode_arg("f", c.as_ptr()) };
            let full = Mode::parse(text).map_err(|e| Fail::core("f", e));
            match (fast, full) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
                (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text:?}"),
                (a, b) => panic!("{text:?}: {a:?} vs {b:?}"),
            }
        }
        // SAFETY: NULL is allowed.
        let default = unsafe { mode_arg("f", std::ptr::null()) };
        assert_eq!(default.unwrap(), Mode::ReadWrite);
    }

    /// order_arg's shortcut answers what Order::from_char does, for every byte.
    #[test]
    fn order_fast_path_is_the_full_way() {
        for byte in 0..=255u8 {
            let fast = order_arg("f", byte as c_char);
            let full = Order::from_char(byte).map_err(|e| Fail::core("f", e));
            match (fast, full) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{byte}"),
                (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{byte}"),
                (a, b) => panic!("{byte}: {a:?} vs {b:?}"),
            }
        }
    }

    /// The remembered dtype answers its own text only: not a prefix, not a longer text.
    #[test]
    fn cached_dtype_matches_whole_text_only() {
        let parse = |t: &str| {
            let c = std::ffi::CString::new(t).unwrap();
            // SAFETY: a NUL-terminated string.
            unsafe { dtype_arg("f", c.as_ptr()) }.unwrap().unwrap()
        };
        let cached = |t: &str| {
            let c = std::ffi::CString::new(t).unwrap();
            // SAFETY: a NUL-terminated string.
            unsafe { cached_dtype(c.as_ptr()) }
        };
        // Texts outside the process's table of short ones (see common_dtype), which
        // never reach the thread's cache.
        assert_eq!(parse(">U3").typestr(), ">U3");
        assert_eq!(cached(">U3").unwrap().typestr(), ">U3");
        for other in [">U", ">U33", "<U3", "", ">U3 "] {
            assert!(cached(other).is_none(), "{other:?}");
        }
        // SAFETY: NULL is allowed.
        assert!(unsafe { cached_dtype(std::ptr::null()) }.is_none());
        assert_eq!(parse("<m8[s]").typestr(), "<m8[s]");
        assert!(cached(">U3").is_none());
        assert_eq!(cached("<m8[s]").unwrap().typestr(), "<m8[s]");
        assert_eq!(parse("<f4").typestr(), "<f4");
        assert_eq!(cached("<m8[s]").unwrap().typestr(), "<m8[s]");
    }

    /// The short texts come from the process's table, whole texts only (not a prefix,
    /// not a longer text), and are the DTypes parse makes; dtype_arg answers them so.
    #[test]
    fn common_dtype_reads_whole_text_only() {
        let common = |t: &str| {
            let c = std::ffi::CString::new(t).unwrap();
            // SAFETY: a NUL-terminated string.
            unsafe { common_dtype(c.as_ptr()) }
        };
        for text in ["<f8", "f8", "|u1", ">i2", "=c8", "b1"] {
            let want = DType::parse(text).unwrap();
            assert_eq!(common(text), Some(want.clone()), "{text}");
            let c = std::ffi::CString::new(text).unwrap();
            // SAFETY: a NUL-terminated string.
            let got = unsafe { dtype_arg("f", c.as_ptr()) }.unwrap().unwrap();
            assert_eq!(got.typestr(), want.typestr());
            assert_eq!(got, want);
        }
        for text in ["<f88", "<f", "f", "", "<f8 ", "<U3", "float64", "<b8"] {
            assert_eq!(common(text), None, "{text:?}");
        }
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { common_dtype(std::ptr::null()) }, None);
        let c = std::ffi::CString::new("<b8").unwrap();
        // SAFETY: a NUL-terminated string.
        let err = unsafe { dtype_arg("f", c.as_ptr()) }.unwrap_err();
        assert_eq!(err.status, MM_E_INVALID_ARG);
    }
}
