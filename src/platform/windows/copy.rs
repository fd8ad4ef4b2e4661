//! Guarded copies on Windows: ReadProcessMemory on the own process. The system copies
//! and reports a page it cannot read or write (either side) as an error
//! (ERROR_PARTIAL_COPY, ERROR_NOACCESS), never as an access violation; no structured
//! exception handling is involved.

use std::io;

use windows_sys::Win32::Foundation as wf;
use windows_sys::Win32::System::{Diagnostics::Debug, Threading};

use super::super::Fault;

/// Which copy guarded reads and writes use on Windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// ReadProcessMemory on the own process: the system copies and reports a page it
    /// cannot read (either side) as an error.
    ReadProcessMemory,
}

/// The method the next copy will use.
pub fn current_method() -> Method {
    Method::ReadProcessMemory
}

/// See safecopy's `copy`. ReadProcessMemory reads `src` ("the other process",
/// here our own) into `dst`; WriteProcessMemory is not used for writes into a mapping
/// because it changes page protection to get its way (a read-only view would be
/// written).
///
/// # Safety
/// As safecopy's `copy`.
pub unsafe fn copy(dst: *mut u8, src: *const u8, len: usize) -> std::result::Result<(), Fault> {
    // SAFETY: forwarded from our caller.
    unsafe { copy_with(Method::ReadProcessMemory, dst, src, len) }
}

/// [`copy`] with a chosen method.
///
/// # Safety
/// As [`copy`].
pub unsafe fn copy_with(
    method: Method,
    dst: *mut u8,
    src: *const u8,
    len: usize,
) -> std::result::Result<(), Fault> {
    let Method::ReadProcessMemory = method;
    let mut copied = 0usize;
    while copied < len {
        let mut n = 0usize;
        // SAFETY: the system checks both ranges; a page it cannot read or write is an
        // error, not an exception. The caller vouched for the addresses.
        let ok = unsafe {
            Debug::ReadProcessMemory(
                Threading::GetCurrentProcess(),
                src.wrapping_add(copied).cast(),
                dst.wrapping_add(copied).cast(),
                len - copied,
                &mut n,
            )
        };
        if ok == 0 {
            let error = io::Error::last_os_error();
            // A partial copy reports what it moved in `n` (whole pages up to the fault).
            return Err(Fault {
                copied: copied + n.min(len - copied),
                error,
            });
        }
        if n == 0 {
            return Err(Fault {
                copied,
                error: io::Error::from_raw_os_error(wf::ERROR_PARTIAL_COPY as i32),
            });
        }
        copied += n;
    }
    Ok(())
}

/// See safecopy's `gather`: one ReadProcessMemory per element.
///
/// # Safety
/// As safecopy's `gather`.
pub unsafe fn gather(
    dst: *mut u8,
    src: *const u8,
    stride: isize,
    itemsize: usize,
    count: usize,
) -> std::result::Result<(), Fault> {
    if itemsize == 0 {
        return Ok(());
    }
    for done in 0..count {
        let element = src.wrapping_offset(done as isize * stride);
        // SAFETY: as our caller's contract; one element per copy.
        unsafe { copy(dst.add(done * itemsize), element, itemsize) }.map_err(|f| Fault {
            copied: done * itemsize + f.copied,
            error: f.error,
        })?;
    }
    Ok(())
}
