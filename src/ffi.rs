//! The C ABI: status codes, the panic boundary, the per-thread last error and version.
//!
//! Every exported function runs its body through [`guard`], which catches panics and
//! records failures in the calling thread's last-error slot. This layer turns C
//! arguments into validated Rust values and core results into status codes; it knows
//! nothing about files.

#![allow(non_camel_case_types)]

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CStr, CString};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::{ErrorKind, MmError};

pub mod array;
pub mod control;
pub mod dlpack;
pub mod guarded;
pub mod npy;

/// Handle of one view of a mapping. 0 is never a valid handle.
pub type mm_array = u64;

/// Result of a fallible call: MM_OK (0) or one of the MM_E_* codes.
pub type mm_status = i32;

/// Success.
pub const MM_OK: mm_status = 0;
/// A bad mode, dtype, order, shape, strides or other argument; NULL where a value is
/// required; or an arithmetic overflow of shape x itemsize or offset + nbytes.
pub const MM_E_INVALID_ARG: mm_status = 1;
/// The file does not exist.
pub const MM_E_NOT_FOUND: mm_status = 2;
/// The OS refused access (EACCES, EPERM, EROFS).
pub const MM_E_PERMISSION: mm_status = 3;
/// Any other OS error; mm_last_os_error() gives errno.
pub const MM_E_IO: mm_status = 4;
/// Modes r and c: offset + nbytes (or the offset itself) lies past the end of the file.
pub const MM_E_FILE_TOO_SMALL: mm_status = 5;
/// Shape inferred, and (file size - offset) is not a multiple of the itemsize.
pub const MM_E_SIZE_MISMATCH: mm_status = 6;
/// An operation that needs a writable view was asked of a read-only one.
pub const MM_E_READ_ONLY: mm_status = 7;
/// A malformed file header.
pub const MM_E_FORMAT: mm_status = 8;
/// A dtype that cannot be mapped (object), or a feature this platform lacks.
pub const MM_E_UNSUPPORTED: mm_status = 9;
/// The handle is 0, closed, or was never issued.
pub const MM_E_BAD_HANDLE: mm_status = 10;
/// A view, slice or byte range would reach outside the mapped array.
pub const MM_E_OUT_OF_BOUNDS: mm_status = 11;
/// An internal bug, caught at the library boundary; the message says where.
pub const MM_E_PANIC: mm_status = 99;

/// mm_flags bit: the array may be written through mm_data.
pub const MM_WRITEABLE: u32 = 1;
/// mm_flags bit: C-contiguous (numpy's rule: length-1 axes are ignored).
pub const MM_C_CONTIGUOUS: u32 = 2;
/// mm_flags bit: Fortran-contiguous.
pub const MM_F_CONTIGUOUS: u32 = 4;
/// mm_flags bit: the data address and strides are multiples of the dtype's alignment.
pub const MM_ALIGNED: u32 = 8;
/// mm_flags bit: the dtype is in the machine's byte order (or has none).
pub const MM_NATIVE_ORDER: u32 = 16;

/// A failed call as the C caller sees it.
#[derive(Debug)]
pub(crate) struct Fail {
    pub status: mm_status,
    pub message: String,
    pub os_error: i32,
}

impl Fail {
    pub fn new(status: mm_status, message: impl Into<String>) -> Fail {
        Fail {
            status,
            message: message.into(),
            os_error: 0,
        }
    }

    /// The same failure with its message naming `call` instead of the bare function
    /// name it started with (`mm_open: ...` becomes `mm_open("/a/b"): ...`).
    pub fn in_call(mut self, call: &str) -> Fail {
        let name_len = call.find('(').unwrap_or(call.len());
        if self.message.starts_with(&call[..name_len]) {
            self.message = format!("{call}{}", &self.message[name_len..]);
        }
        self
    }

    /// A core error, its message prefixed with the call (`mm_open("/a/b")`).
    pub fn core(call: &str, err: MmError) -> Fail {
        Fail {
            status: status_of(err.kind),
            message: format!("{call}: {}", err.message),
            os_error: err.os_error,
        }
    }
}

fn status_of(kind: ErrorKind) -> mm_status {
    match kind {
        ErrorKind::InvalidArg => MM_E_INVALID_ARG,
        ErrorKind::NotFound => MM_E_NOT_FOUND,
        ErrorKind::Permission => MM_E_PERMISSION,
        ErrorKind::Io => MM_E_IO,
        ErrorKind::FileTooSmall => MM_E_FILE_TOO_SMALL,
        ErrorKind::SizeMismatch => MM_E_SIZE_MISMATCH,
        ErrorKind::ReadOnly => MM_E_READ_ONLY,
        ErrorKind::Format => MM_E_FORMAT,
        ErrorKind::Unsupported => MM_E_UNSUPPORTED,
        ErrorKind::OutOfBounds => MM_E_OUT_OF_BOUNDS,
    }
}

struct LastError {
    message: CString,
    os_error: i32,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError { message: CString::default(), os_error: 0 });
    /// How deep this thread is inside guard(); panics there are recorded, not printed.
    static GUARD_DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic inside guard() happened, filled by the panic hook.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn set_last_error(fail: Fail) {
    let bytes: Vec<u8> = fail
        .message
        .into_bytes()
        .into_iter()
        .map(|b| if b == 0 { b'?' } else { b })
        .collect();
    let message = CString::new(bytes).unwrap_or_default();
    // try_with: a call made while the thread is being torn down must not panic here.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            slot.message = message;
            slot.os_error = fail.os_error;
        }
    });
}

/// Installs, once, a panic hook that stays silent for panics inside guard() (recording
/// their location instead) and hands every other panic to the hook that was there before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let inside = GUARD_DEPTH.try_with(|d| d.get() > 0).unwrap_or(false);
            if inside {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let _ = PANIC_AT.try_with(|p| *p.borrow_mut() = Some(at));
            } else {
                previous(info);
            }
        }));
    });
}

/// The panic boundary every exported function goes through. `body` returns the value for
/// C, or a failure that is recorded as the thread's last error and turned into the return
/// value by `on_error` (the status itself, NULL, 0...). A panic becomes MM_E_PANIC.
pub(crate) fn guard<R>(
    name: &str,
    on_error: impl FnOnce(mm_status) -> R,
    body: impl FnOnce() -> Result<R, Fail>,
) -> R {
    install_panic_hook();
    // try_with: a call made while this thread's locals are being destroyed (from a C++
    // thread_local destructor, say) must still work rather than abort.
    let _ = GUARD_DEPTH.try_with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    let _ = GUARD_DEPTH.try_with(|d| d.set(d.get() - 1));
    let fail = match result {
        Ok(Ok(value)) => return value,
        Ok(Err(fail)) => fail,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let at = PANIC_AT
                .try_with(|p| p.borrow_mut().take())
                .ok()
                .flatten()
                .unwrap_or_default();
            // Dropping a payload can itself panic; never let that escape.
            let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            Fail::new(
                MM_E_PANIC,
                format!("{name}: internal error (please report): {what} at {at}"),
            )
        }
    };
    let status = fail.status;
    set_last_error(fail);
    on_error(status)
}

/// A short, static description of a status code; "unknown status" for any other value.
#[no_mangle]
pub extern "C" fn mm_status_str(s: mm_status) -> *const c_char {
    guard(
        "mm_status_str",
        |_| c"unknown status".as_ptr(),
        || {
            let text: &'static CStr = match s {
                MM_OK => c"success",
                MM_E_INVALID_ARG => c"invalid argument",
                MM_E_NOT_FOUND => c"file not found",
                MM_E_PERMISSION => c"permission denied",
                MM_E_IO => c"I/O error",
                MM_E_FILE_TOO_SMALL => c"file too small",
                MM_E_SIZE_MISMATCH => c"file size is not a multiple of the itemsize",
                MM_E_READ_ONLY => c"array is read-only",
                MM_E_FORMAT => c"malformed file header",
                MM_E_UNSUPPORTED => c"unsupported",
                MM_E_BAD_HANDLE => c"bad handle (0, closed or never issued)",
                MM_E_OUT_OF_BOUNDS => c"out of bounds",
                MM_E_PANIC => c"internal error",
                _ => c"unknown status",
            };
            Ok(text.as_ptr())
        },
    )
}

/// The message of the last failed call on this thread; never NULL ("" before any
/// failure). Valid until the next failing call on this thread. Successful calls leave
/// it unchanged.
#[no_mangle]
pub extern "C" fn mm_last_error_message() -> *const c_char {
    guard(
        "mm_last_error_message",
        |_| c"".as_ptr(),
        || Ok(LAST_ERROR.with(|slot| slot.borrow().message.as_ptr())),
    )
}

/// Copies the last error message of this thread into `buf` (at most `cap` bytes,
/// always NUL-terminated when cap > 0), like snprintf. Returns the length the full
/// message needs including its NUL, so a return value > cap means it was cut short.
///
/// # Safety
/// `buf` must be NULL or point to at least `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mm_last_error_copy(buf: *mut c_char, cap: usize) -> usize {
    guard(
        "mm_last_error_copy",
        |_| 0,
        || {
            Ok(LAST_ERROR.with(|slot| {
                let slot = slot.borrow();
                let bytes = slot.message.as_bytes();
                if !buf.is_null() && cap > 0 {
                    let n = bytes.len().min(cap - 1);
                    // SAFETY: the caller gives `cap` writable bytes at `buf`; n + 1 <= cap.
                    unsafe {
                        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
                        *buf.add(n) = 0;
                    }
                }
                bytes.len() + 1
            }))
        },
    )
}

/// errno of the last failed call on this thread, or 0 if it had no OS cause (or no call
/// failed yet).
#[no_mangle]
pub extern "C" fn mm_last_os_error() -> i32 {
    guard(
        "mm_last_os_error",
        |_| 0,
        || Ok(LAST_ERROR.with(|slot| slot.borrow().os_error)),
    )
}

/// The library version as text, e.g. "0.1.0".
#[no_mangle]
pub extern "C" fn mm_version_string() -> *const c_char {
    guard(
        "mm_version_string",
        |_| c"".as_ptr(),
        || Ok(concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()),
    )
}

/// The library version as MAJOR*10000 + MINOR*100 + PATCH (0.1.0 is 100).
#[no_mangle]
pub extern "C" fn mm_version() -> u32 {
    guard("mm_version", |_| 0, || Ok(version_number()))
}

fn version_number() -> u32 {
    let part = |s: &str| s.parse::<u32>().unwrap_or(0);
    part(env!("CARGO_PKG_VERSION_MAJOR")) * 10000
        + part(env!("CARGO_PKG_VERSION_MINOR")) * 100
        + part(env!("CARGO_PKG_VERSION_PATCH"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_panic_into_status() {
        let status = guard(
            "mm_test",
            |s| s,
            || -> Result<mm_status, Fail> { panic!("boom {}", 7) },
        );
        assert_eq!(status, MM_E_PANIC);
        let msg = unsafe { CStr::from_ptr(mm_last_error_message()) }
            .to_str()
            .unwrap()
            .to_string();
        assert!(msg.starts_with("mm_test: internal error"), "{msg}");
        assert!(
            msg.contains("boom 7") && msg.contains("src/ffi.rs:"),
            "{msg}"
        );
    }

    #[test]
    fn version_matches_cargo() {
        assert_eq!(version_number(), 100);
        let v = unsafe { CStr::from_ptr(mm_version_string()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn error_copy_is_snprintf_like() {
        set_last_error(Fail::new(MM_E_IO, "abcdef"));
        let mut buf = [1 as c_char; 4];
        let need = unsafe { mm_last_error_copy(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(need, 7);
        assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes(), b"abc");
        assert_eq!(unsafe { mm_last_error_copy(std::ptr::null_mut(), 0) }, 7);
        assert_eq!(mm_last_os_error(), 0);
    }
}
