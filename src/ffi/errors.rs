//! What a failed call says. Every failing call records a message, and the errno when
//! the OS gave one, in a slot of the calling thread; successful calls leave the slot
//! alone, so read it right after the call that failed. These functions never fail and
//! never change the slot.

use std::ffi::{c_char, CStr};

use super::boundary::{guard_or, with_last_error};
use super::status::*;

/// A short, static description of a status code, e.g. "file not found" for
/// MM_E_NOT_FOUND. Never fails and never changes the last error.
///
/// \param s  any value; the MM_OK and MM_E_* codes have their own text.
/// \return a static NUL-terminated string, never NULL; "unknown status" for a value
///         that is not a status code.
#[no_mangle]
pub extern "C" fn mm_status_str(s: mm_status) -> *const c_char {
    guard_or("mm_status_str", c"unknown status".as_ptr(), |_| {
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
    })
}

/// The message of the last failed call on this thread: the call, its identifying
/// arguments and the values involved, e.g. `mm_open("/data/a.bin"): mode r needs 4096
/// bytes from offset 100 but the file has 1000`. Successful calls leave it unchanged.
/// Never fails and never changes the last error.
///
/// \return a NUL-terminated string owned by the library, never NULL ("" before any
///         failure), valid until the next failing call on this thread.
#[no_mangle]
pub extern "C" fn mm_last_error_message() -> *const c_char {
    guard_or("mm_last_error_message", c"".as_ptr(), |_| {
        Ok(with_last_error(|message, _| message.as_ptr()))
    })
}

/// Copies the last error message of this thread into `buf`, like snprintf: at most `cap`
/// bytes, always NUL-terminated when cap > 0. Never fails and never changes the last
/// error.
///
/// \param buf  where the message goes; may be NULL when `cap` is 0 (to ask for the
///             length).
/// \param cap  the size of `buf` in bytes.
/// \return the length the whole message needs including its NUL; a value > cap means
///         the copy was cut short.
///
/// # Safety
/// `buf` must be NULL or point to at least `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mm_last_error_copy(buf: *mut c_char, cap: usize) -> usize {
    guard_or("mm_last_error_copy", 0, |_| {
        Ok(with_last_error(|message, _| {
            let bytes = message.to_bytes();
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
    })
}

/// The errno of the last failed call on this thread. Never fails and never changes the
/// last error.
///
/// \return the errno behind the last failure (e.g. ENOENT, ENOSPC, EFAULT), or 0 when it
///         had no OS cause or no call failed yet.
#[no_mangle]
pub extern "C" fn mm_last_os_error() -> i32 {
    guard_or("mm_last_os_error", 0, |_| {
        Ok(with_last_error(|_, os_error| os_error))
    })
}

#[cfg(test)]
mod tests {
    use super::super::boundary::{set_last_error, Fail};
    use super::*;

    #[test]
    fn error_copy_is_snprintf_like() {
        set_last_error(Fail::new(MM_E_IO, "abcdef"));
        let mut buf = [1 as c_char; 4];
        // SAFETY: buf has buf.len() writable bytes.
        let need = unsafe { mm_last_error_copy(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(need, 7);
        // SAFETY: the copy NUL-terminated buf.
        assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes(), b"abc");
        // SAFETY: NULL with cap 0 is allowed.
        assert_eq!(unsafe { mm_last_error_copy(std::ptr::null_mut(), 0) }, 7);
        assert_eq!(mm_last_os_error(), 0);
    }
}
