//! Open flags, madvise advice, range and asynchronous flushing, residency and locking
//! (the contract's "Open flags, advice, flushing, residency").
//!
//! Each control acts on the pages the view's bytes lie in (page-aligned outward from
//! the view's byte extent), never on the whole mapping unless it says so. A view without
//! elements has no bytes: every control is MM_OK and does nothing.

use std::ffi::c_char;

use super::array::{on_view, open_path_call, with_entry};
use super::{guard, mm_array, mm_status, Fail, MM_E_INVALID_ARG, MM_OK};
use crate::mapping::{Advice, OpenFlags};
use crate::view::View;

/// mm_open_ex flag: prefault the whole array at open (MAP_POPULATE), so that first
/// access does not page-fault.
pub const MM_OPEN_POPULATE: u32 = 1;
/// mm_open_ex flag: reserve the disk blocks of any extension of the file (r+ and w+)
/// with fallocate before the file grows, so that a full disk is MM_E_IO (errno ENOSPC)
/// at open, with the file left as it was, instead of a SIGBUS at first write.
pub const MM_OPEN_PREALLOCATE: u32 = 2;

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

const KNOWN_FLAGS: u32 = MM_OPEN_POPULATE | MM_OPEN_PREALLOCATE;

pub(crate) fn open_flags(call: &str, flags: u32) -> Result<OpenFlags, Fail> {
    if flags & !KNOWN_FLAGS != 0 {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!(
                "{call}: unknown open flag bits {:#x} (known: MM_OPEN_POPULATE {MM_OPEN_POPULATE:#x}, MM_OPEN_PREALLOCATE {MM_OPEN_PREALLOCATE:#x})",
                flags & !KNOWN_FLAGS
            ),
        ));
    }
    Ok(OpenFlags {
        populate: flags & MM_OPEN_POPULATE != 0,
        preallocate: flags & MM_OPEN_PREALLOCATE != 0,
    })
}

/// mm_open with open flags: MM_OPEN_POPULATE and MM_OPEN_PREALLOCATE, or 0 (then it is
/// exactly mm_open). Unknown bits are MM_E_INVALID_ARG, checked with every other argument
/// before the file is touched. With MM_OPEN_PREALLOCATE a full disk is MM_E_IO with
/// mm_last_os_error() == ENOSPC and the file is left as it was.
///
/// # Safety
/// As mm_open.
#[no_mangle]
pub unsafe extern "C" fn mm_open_ex(
    path: *const c_char,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    flags: u32,
    out: *mut mm_array,
) -> mm_status {
    guard(
        "mm_open_ex",
        |s| s,
        || unsafe {
            open_path_call(
                "mm_open_ex",
                path,
                dtype,
                mode,
                offset,
                shape,
                ndim,
                order,
                flags,
                out,
            )
        },
    )
}

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
/// kernel lacks for this mapping is MM_E_UNSUPPORTED (never silently ignored); an
/// unknown value is MM_E_INVALID_ARG; MM_ADVICE_POPULATE_WRITE in mode r is
/// MM_E_READ_ONLY.
#[no_mangle]
pub extern "C" fn mm_advise(a: mm_array, advice: i32) -> mm_status {
    guard(
        "mm_advise",
        |s| s,
        || {
            let call = || format!("mm_advise(handle {a:#x}, advice {advice})");
            let advice = advice_of(&call(), advice)?;
            with_entry("mm_advise", a, |e| {
                e.view
                    .advise(advice)
                    .map_err(|err| Fail::core(&call(), err))
            })?;
            Ok(MM_OK)
        },
    )
}

/// msync(MS_SYNC) of the pages holding `nbytes` bytes at `byte_offset` from mm_data(a).
/// The range must lie within the view's bytes, else MM_E_OUT_OF_BOUNDS (a view with
/// negative strides has bytes before mm_data(a), which this call cannot name: flush
/// them through a view that starts lower, or with mm_flush). Its cost follows the
/// range, not the mapping. MM_OK and no effect in modes r and c.
#[no_mangle]
pub extern "C" fn mm_flush_range(a: mm_array, byte_offset: u64, nbytes: u64) -> mm_status {
    guard(
        "mm_flush_range",
        |s| s,
        || {
            with_entry("mm_flush_range", a, |e| {
                e.view.flush_range(byte_offset, nbytes).map_err(|err| {
                    Fail::core(
                        &format!("mm_flush_range(handle {a:#x}, {byte_offset}, {nbytes})"),
                        err,
                    )
                })
            })?;
            Ok(MM_OK)
        },
    )
}

/// msync(MS_ASYNC) of the whole mapping behind the view: schedules write-back of every
/// changed page and returns without waiting. MM_OK and no effect in modes r and c.
#[no_mangle]
pub extern "C" fn mm_flush_async(a: mm_array) -> mm_status {
    guard(
        "mm_flush_async",
        |s| s,
        || {
            on_view("mm_flush_async", a, View::flush_async)?;
            Ok(MM_OK)
        },
    )
}

/// Stores in `*resident_bytes` how many of the view's bytes lie in pages that are
/// resident in memory now (mincore). A view fully in memory gives its byte extent.
///
/// # Safety
/// `resident_bytes` must be a writable uint64_t.
#[no_mangle]
pub unsafe extern "C" fn mm_resident(a: mm_array, resident_bytes: *mut u64) -> mm_status {
    guard(
        "mm_resident",
        |s| s,
        || {
            if resident_bytes.is_null() {
                return Err(Fail::new(
                    MM_E_INVALID_ARG,
                    "mm_resident: resident_bytes is NULL",
                ));
            }
            // SAFETY: checked non-NULL; the caller passes a writable uint64_t.
            unsafe { *resident_bytes = 0 };
            let n = on_view("mm_resident", a, View::resident_bytes)?;
            // SAFETY: as above.
            unsafe { *resident_bytes = n };
            Ok(MM_OK)
        },
    )
}

/// mlock of the pages the view covers: they are faulted in and stay in memory until
/// mm_unlock or until the mapping goes away. Over RLIMIT_MEMLOCK: MM_E_IO with errno
/// ENOMEM; not permitted: MM_E_PERMISSION with errno EPERM.
#[no_mangle]
pub extern "C" fn mm_lock(a: mm_array) -> mm_status {
    guard(
        "mm_lock",
        |s| s,
        || {
            on_view("mm_lock", a, View::lock)?;
            Ok(MM_OK)
        },
    )
}

/// munlock of the pages the view covers (pages locked through another view of the same
/// pages are unlocked as well: locks do not nest).
#[no_mangle]
pub extern "C" fn mm_unlock(a: mm_array) -> mm_status {
    guard(
        "mm_unlock",
        |s| s,
        || {
            on_view("mm_unlock", a, View::unlock)?;
            Ok(MM_OK)
        },
    )
}
