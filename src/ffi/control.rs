//! numpy's flush, and the controls numpy leaves to the OS: write-back (msync), advice
//! (madvise), residency (mincore) and locking (mlock).
//!
//! Each control acts on the pages the view's bytes lie in (page-aligned outward from
//! the view's byte extent), never on the whole mapping unless it says so. A view
//! without elements has no bytes: every control is MM_OK and does nothing.

use super::args::out_arg;
use super::boundary::{guard, guard_io, Fail};
use super::handles::on_view;
use super::status::*;
use crate::mapping::Advice;
use crate::view::View;

/// msync(MS_SYNC) of the whole mapping behind the view, as numpy's flush: returns when
/// every changed page is in the file. No effect in modes r and c.
///
/// \param a  the handle.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_IO when msync fails.
#[no_mangle]
pub extern "C" fn mm_flush(a: mm_array) -> mm_status {
    guard_io("mm_flush", |name| {
        on_view(name, a, View::flush)?;
        Ok(MM_OK)
    })
}

/// msync(MS_SYNC) of the pages holding `nbytes` bytes at `byte_offset` from mm_data(a).
/// Its cost follows the range, not the mapping. No effect in modes r and c. A view with
/// negative strides has bytes before mm_data(a), which this call cannot name: flush them
/// through a view that starts lower, or with mm_flush.
///
/// \param a            the handle.
/// \param byte_offset  start of the range, in bytes after mm_data(a).
/// \param nbytes       length of the range in bytes.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_OUT_OF_BOUNDS when the range does not lie
///         within the view's bytes; MM_E_IO when msync fails.
#[no_mangle]
pub extern "C" fn mm_flush_range(a: mm_array, byte_offset: u64, nbytes: u64) -> mm_status {
    guard_io("mm_flush_range", |name| {
        on_view(name, a, |v| v.flush_range(byte_offset, nbytes))
            .map_err(|f| f.in_call(&format!("{name}(handle {a:#x}, {byte_offset}, {nbytes})")))?;
        Ok(MM_OK)
    })
}

/// msync(MS_ASYNC) of the whole mapping behind the view: schedules write-back of every
/// changed page and returns without waiting. No effect in modes r and c.
///
/// \param a  the handle.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_IO when msync fails.
#[no_mangle]
pub extern "C" fn mm_flush_async(a: mm_array) -> mm_status {
    guard_io("mm_flush_async", |name| {
        on_view(name, a, View::flush_async)?;
        Ok(MM_OK)
    })
}

/// mm_advise: no special treatment (MADV_NORMAL).
pub const MM_ADVICE_NORMAL: i32 = 0;
/// mm_advise: pages will be read in order; read ahead aggressively (MADV_SEQUENTIAL).
pub const MM_ADVICE_SEQUENTIAL: i32 = 1;
/// mm_advise: pages will be read in random order; no read-ahead (MADV_RANDOM).
pub const MM_ADVICE_RANDOM: i32 = 2;
/// mm_advise: start reading the pages in now (MADV_WILLNEED).
pub const MM_ADVICE_WILLNEED: i32 = 3;
/// mm_advise: drop the pages from this process (MADV_DONTNEED). Shared mappings (r, r+,
/// w+) keep their data in the file; in mode c unflushable private changes are discarded
/// and the pages read from the file again.
pub const MM_ADVICE_DONTNEED: i32 = 4;
/// mm_advise: back the pages with huge pages where the kernel can (MADV_HUGEPAGE);
/// MM_E_UNSUPPORTED where it cannot for this mapping.
pub const MM_ADVICE_HUGEPAGE: i32 = 5;
/// mm_advise: fault every page in for reading now (MADV_POPULATE_READ, Linux 5.14).
pub const MM_ADVICE_POPULATE_READ: i32 = 6;
/// mm_advise: fault every page in for writing now (MADV_POPULATE_WRITE, Linux 5.14);
/// MM_E_READ_ONLY in mode r. In mode c it makes private copies of every page.
pub const MM_ADVICE_POPULATE_WRITE: i32 = 7;

fn advice_of(call: &str, advice: i32) -> Result<Advice, Fail> {
    Ok(match advice {
        MM_ADVICE_NORMAL => Advice::Normal,
        MM_ADVICE_SEQUENTIAL => Advice::Sequential,
        MM_ADVICE_RANDOM => Advice::Random,
        MM_ADVICE_WILLNEED => Advice::WillNeed,
        MM_ADVICE_DONTNEED => Advice::DontNeed,
        MM_ADVICE_HUGEPAGE => Advice::HugePage,
        MM_ADVICE_POPULATE_READ => Advice::PopulateRead,
        MM_ADVICE_POPULATE_WRITE => Advice::PopulateWrite,
        _ => {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{call}: unknown advice {advice} (MM_ADVICE_NORMAL 0 .. MM_ADVICE_POPULATE_WRITE 7)"),
            ))
        }
    })
}

/// Gives the kernel advice (madvise) about the pages the view covers. An advice this
/// kernel lacks for this mapping is an error, never silently ignored.
///
/// \param a       the handle.
/// \param advice  one of MM_ADVICE_NORMAL .. MM_ADVICE_POPULATE_WRITE.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_INVALID_ARG for an unknown value;
///         MM_E_UNSUPPORTED when the kernel lacks the advice for this mapping;
///         MM_E_READ_ONLY for MM_ADVICE_POPULATE_WRITE in mode r; MM_E_IO (or
///         MM_E_PERMISSION for EPERM) for another failure of madvise.
#[no_mangle]
pub extern "C" fn mm_advise(a: mm_array, advice: i32) -> mm_status {
    guard("mm_advise", |name| {
        let call = || format!("{name}(handle {a:#x}, advice {advice})");
        let advice = advice_of(&call(), advice)?;
        on_view(name, a, |v| v.advise(advice)).map_err(|f| f.in_call(&call()))?;
        Ok(MM_OK)
    })
}

/// How many of the view's bytes lie in pages that are resident in memory now (mincore).
/// A view fully in memory gives its byte extent.
///
/// \param a               the handle.
/// \param resident_bytes  receives the count.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_INVALID_ARG when `resident_bytes` is NULL;
///         MM_E_IO when mincore fails.
///
/// # Safety
/// `resident_bytes` must be a writable uint64_t.
#[no_mangle]
pub unsafe extern "C" fn mm_resident(a: mm_array, resident_bytes: *mut u64) -> mm_status {
    guard("mm_resident", |name| {
        // SAFETY: the caller passes NULL or a writable uint64_t.
        let out = unsafe { out_arg(name, "resident_bytes", resident_bytes, 0) }?;
        *out = on_view(name, a, View::resident_bytes)?;
        Ok(MM_OK)
    })
}

/// mlock of the pages the view covers: they are faulted in and stay in memory until
/// mm_unlock or until the mapping goes away.
///
/// \param a  the handle.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_IO with errno ENOMEM over RLIMIT_MEMLOCK;
///         MM_E_PERMISSION with errno EPERM when locking is not permitted; MM_E_IO with
///         errno EFAULT when the file was truncated under the view ("the file is
///         shorter than the mapping").
#[no_mangle]
pub extern "C" fn mm_lock(a: mm_array) -> mm_status {
    guard("mm_lock", |name| {
        on_view(name, a, View::lock)?;
        Ok(MM_OK)
    })
}

/// munlock of the pages the view covers. Locks do not nest: pages locked through another
/// view of the same pages are unlocked as well.
///
/// \param a  the handle.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_IO when munlock fails.
#[no_mangle]
pub extern "C" fn mm_unlock(a: mm_array) -> mm_status {
    guard("mm_unlock", |name| {
        on_view(name, a, View::unlock)?;
        Ok(MM_OK)
    })
}
