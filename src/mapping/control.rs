//! The controls of a mapping's memory: madvise advice, range and asynchronous msync,
//! residency (mincore), locking (mlock), and the two open flags' helpers (block
//! reservation and prefaulting). The system calls themselves are the platform layer's
//! (`src/platform/`); the widening to pages, the checks and the errors are here. Each acts on whole pages: byte ranges are widened
//! outward to page boundaries, which always stay inside the mapping because the kernel
//! maps whole pages.
//!
//! msync goes through memmap2 (`flush_range`, `flush_async_range`: on Windows
//! FlushViewOfFile, plus FlushFileBuffers for the waiting form), which widens a range to
//! its pages the same way. mincore and mlock/munlock of a range act on the page span
//! (memmap2 has no mincore, and its `lock`/`unlock` take the whole map, where a view
//! locks only its own pages).

use std::fs::File;
use std::io;

use crate::platform::Region;

use super::Mapping;
use crate::error::{ErrorKind, MmError, Result};
use crate::platform;

pub use crate::platform::Advice;

/// Reserves the blocks of bytes `from..to` without changing the file's size (now
/// `size_now`) or content (Linux fallocate, macOS F_PREALLOCATE, Windows
/// FileAllocationInfo).
pub(super) fn reserve_blocks(file: &File, from: u64, to: u64, size_now: u64) -> Result<()> {
    platform::reserve_blocks(file, from, to, size_now).map_err(|e| {
        MmError::os(
            format!(
                "cannot reserve {} bytes from byte {from} of the file (fallocate)",
                to - from
            ),
            &e,
        )
    })
}

/// Touches every page of a fresh mapping (MADV_POPULATE_READ, or WILLNEED before 5.14;
/// PrefetchVirtualMemory on Windows).
pub(super) fn prefault(map: &Region) {
    platform::prefault(map)
}

/// A failed advice of `len` bytes: EINVAL for the advice value (a kernel without it) or
/// an advice this platform does not have is `Unsupported`, never ignored.
fn advice_error(name: &str, len: usize, err: &io::Error) -> MmError {
    let what = format!("madvise({name}) of {len} bytes");
    if err.kind() == io::ErrorKind::Unsupported {
        return MmError::new(ErrorKind::Unsupported, format!("{what}: {err}"));
    }
    if platform::errno_of(err) == libc::EINVAL {
        let mut e = MmError::new(
            ErrorKind::Unsupported,
            format!("{what}: this kernel does not support it for this mapping: {err}"),
        );
        e.os_error = libc::EINVAL;
        return e;
    }
    MmError::os(what, err)
}

/// `addr..addr+len` widened to whole pages: (page-aligned start, length).
fn page_span(addr: usize, len: usize) -> (usize, usize) {
    let page = platform::page_size();
    let start = addr & !(page - 1);
    let end = (addr + len).div_ceil(page) * page;
    (start, end - start)
}

impl Mapping {
    /// Absolute address of byte `lo` of the region and the page span of `lo..hi`.
    /// `None` when nothing is mapped or the span is empty.
    fn span(&self, lo: usize, hi: usize) -> Option<(usize, usize)> {
        let map = self.map.as_ref()?;
        if lo >= hi || hi > self.len() {
            return None;
        }
        Some(page_span(map.as_mut_ptr() as usize + lo, hi - lo))
    }

    /// The map and the length of the page span of region bytes `lo..hi` (for messages);
    /// `None` when nothing is mapped or the span is empty.
    fn map_for(&self, lo: usize, hi: usize) -> Option<(&Region, usize)> {
        let (_, span_len) = self.span(lo, hi)?;
        Some((self.map.as_ref()?, span_len))
    }

    /// madvise over the pages of region bytes `lo..hi`. MADV_POPULATE_WRITE needs a
    /// writable mode, even for an empty range (the one place this is checked). EINVAL
    /// for the advice value (a kernel without it) is `Unsupported`, never ignored.
    pub fn advise_range(&self, advice: Advice, lo: usize, hi: usize) -> Result<()> {
        if advice == Advice::PopulateWrite && !self.mode.writeable() {
            return Err(MmError::new(
                ErrorKind::ReadOnly,
                "MADV_POPULATE_WRITE needs a writable array (mode is r)",
            ));
        }
        let Some((map, span_len)) = self.map_for(lo, hi) else {
            return Ok(());
        };
        let result = platform::advise(map, advice, lo, hi - lo);
        result.map_err(|err| advice_error(advice.name(), span_len, &err))
    }

    /// msync(MS_SYNC) of the pages of region bytes `lo..hi`; nothing in modes r and c.
    pub fn flush_bytes(&self, lo: usize, hi: usize) -> Result<()> {
        if !self.mode.changes_file() {
            return Ok(());
        }
        self.msync(lo, hi, true)
    }

    /// msync(MS_ASYNC) of the whole region: schedules write-back and returns.
    pub fn flush_async(&self) -> Result<()> {
        if !self.mode.changes_file() {
            return Ok(());
        }
        self.msync(0, self.len(), false)
    }

    /// msync (MS_SYNC, or MS_ASYNC when `wait` is false) of the pages of `lo..hi`.
    fn msync(&self, lo: usize, hi: usize, wait: bool) -> Result<()> {
        let Some((map, span_len)) = self.map_for(lo, hi) else {
            return Ok(());
        };
        let result = if wait {
            map.flush_range(lo, hi - lo)
        } else {
            map.flush_async_range(lo, hi - lo)
        };
        result.map_err(|e| MmError::os(format!("msync of {span_len} bytes failed"), &e))?;
        if wait {
            self.flush_drive_cache()?;
        }
        Ok(())
    }

    /// How many of region bytes `lo..hi` lie in pages resident in memory (mincore).
    pub fn resident_bytes(&self, lo: usize, hi: usize) -> Result<u64> {
        let Some((start, len)) = self.span(lo, hi) else {
            return Ok(0);
        };
        let page = platform::page_size();
        let pages = platform::resident_pages(start, len)
            .map_err(|e| MmError::os(format!("mincore of {len} bytes failed"), &e))?;
        let (first, last) = (self.data_ptr() as usize + lo, self.data_ptr() as usize + hi);
        let mut total = 0u64;
        for (i, &resident) in pages.iter().enumerate() {
            if resident {
                let p = start + i * page;
                total += (last.min(p + page) - first.max(p)) as u64;
            }
        }
        Ok(total)
    }

    /// mlock (or munlock) of the pages of region bytes `lo..hi`.
    pub fn lock_bytes(&self, lo: usize, hi: usize, lock: bool) -> Result<()> {
        let Some((start, len)) = self.span(lo, hi) else {
            return Ok(());
        };
        let Err(err) = platform::lock_pages(start, len, lock) else {
            return Ok(());
        };
        let call = if lock { "mlock" } else { "munlock" };
        // mlock faults every page in, and a page past the end of a truncated file fails
        // it with the same ENOMEM as the limit does. A truncated file loses its tail
        // first, so the array's last byte tells which it was.
        let last = self.data_ptr() as usize + hi - 1;
        if lock && !crate::safecopy::readable(last) {
            let mut e = MmError::new(
                ErrorKind::Io,
                format!(
                    "{call} of {len} bytes failed: the file is shorter than the mapping (it was truncated underneath: the last byte of the view is no longer backed by it)"
                ),
            );
            e.os_error = libc::EFAULT;
            return Err(e);
        }
        let mut e = MmError::os(format!("{call} of {len} bytes failed"), &err);
        let why = platform::lock_hint(&err, lock);
        e.message.push_str(why);
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;
    use crate::layout::Order;
    use crate::mapping::{open_path, Mode, OpenSpec};

    // Unix-only: it asks madvise itself for an advice value no kernel knows.
    #[cfg(unix)]
    #[test]
    fn advice_the_kernel_lacks_is_unsupported() {
        let tmp = crate::test_tempdir::TempDir::new("advise");
        let path = tmp.path("a.bin");
        std::fs::write(&path, [0u8; 8192]).unwrap();
        let spec = OpenSpec {
            dtype: DType::u1(),
            mode: Mode::ReadOnly,
            offset: 0,
            shape: None,
            order: Order::C,
        };
        let (m, _) = open_path(&path, &spec).unwrap();
        // No kernel knows advice 12345: exactly what an older kernel says of a newer one.
        let (start, len) = m.span(0, 8192).unwrap();
        // SAFETY: the span is the mapping's own pages; the kernel refuses the advice.
        let rc = unsafe { libc::madvise(start as *mut _, len, 12345) };
        assert_eq!(rc, -1);
        let err = advice_error("MADV_FUTURE", len, &io::Error::last_os_error());
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(err.os_error, libc::EINVAL);
        assert!(err.message.contains("MADV_FUTURE"), "{}", err.message);
        let err = advice_error("MADV_X", len, &io::Error::from_raw_os_error(libc::ENOMEM));
        assert_eq!(err.kind, ErrorKind::Io);
        assert_eq!(err.os_error, libc::ENOMEM);
        // Every advice through memmap2, DONTNEED through its unchecked call.
        for advice in [
            Advice::Normal,
            Advice::WillNeed,
            Advice::DontNeed,
            Advice::Random,
        ] {
            m.advise_range(advice, 0, 8192).unwrap();
            m.advise_range(advice, 4095, 4097).unwrap();
            m.advise_range(advice, 5, 5).unwrap();
        }
        // The one read-only check: also for an empty range.
        for (lo, hi) in [(0, 8192), (5, 5)] {
            let err = m.advise_range(Advice::PopulateWrite, lo, hi).unwrap_err();
            assert_eq!(err.kind, ErrorKind::ReadOnly);
        }
        drop(m);
    }

    /// Windows: the advice that has a counterpart works, the rest is MM_E_UNSUPPORTED;
    /// residency and locking answer for the view's pages.
    #[cfg(windows)]
    #[test]
    fn windows_advice_residency_and_locking() {
        let tmp = crate::test_tempdir::TempDir::new("advise-w");
        let path = tmp.path("a.bin");
        std::fs::write(&path, [7u8; 8192]).unwrap();
        let spec = OpenSpec {
            dtype: DType::u1(),
            mode: Mode::ReadWrite,
            offset: 0,
            shape: None,
            order: Order::C,
        };
        let (m, _) = open_path(&path, &spec).unwrap();
        m.advise_range(Advice::Normal, 0, 8192).unwrap();
        m.advise_range(Advice::WillNeed, 0, 8192).unwrap();
        for advice in [
            Advice::Sequential,
            Advice::Random,
            Advice::DontNeed,
            Advice::HugePage,
            Advice::PopulateRead,
            Advice::PopulateWrite,
        ] {
            let err = m.advise_range(advice, 0, 8192).unwrap_err();
            assert_eq!(
                err.kind,
                ErrorKind::Unsupported,
                "{advice:?}: {}",
                err.message
            );
        }
        // SAFETY: reading the first byte of our own mapping (it faults the page in).
        assert_eq!(unsafe { *m.data_ptr() }, 7);
        let resident = m.resident_bytes(0, 8192).unwrap();
        assert!((4096..=8192).contains(&resident), "{resident}");
        m.lock_bytes(0, 8192, true).unwrap();
        assert_eq!(m.resident_bytes(0, 8192).unwrap(), 8192);
        m.lock_bytes(0, 8192, false).unwrap();
        // Unlocking pages that are not locked succeeds, as munlock does.
        m.lock_bytes(0, 8192, false).unwrap();
        drop(m);
    }
}
