//! The controls of a mapping's memory: madvise advice, range and asynchronous msync,
//! residency (mincore), locking (mlock), and the two open flags' helpers (block
//! reservation and prefaulting). Each acts on whole pages: byte ranges are widened
//! outward to page boundaries, which always stay inside the mapping because the kernel
//! maps whole pages.
//!
//! msync and madvise go through memmap2 (`flush_range`, `flush_async_range`,
//! `advise_range`), which widens a range to its pages the same way. mincore and
//! mlock/munlock of a range call libc on the page span: memmap2 has no mincore, and its
//! `lock`/`unlock` take the whole map, where a view locks only its own pages.

use std::fs::File;
use std::io;

use memmap2::{MmapRaw, UncheckedAdvice};

use super::Mapping;
use crate::error::{ErrorKind, MmError, Result};

/// madvise advice, by what it asks of the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
    HugePage,
    PopulateRead,
    PopulateWrite,
}

impl Advice {
    /// The advice as memmap2 names it; `None` for MADV_DONTNEED, which memmap2 keeps
    /// apart (`UncheckedAdvice`) because it can discard what the pages held.
    fn checked(self) -> Option<memmap2::Advice> {
        Some(match self {
            Advice::Normal => memmap2::Advice::Normal,
            Advice::Sequential => memmap2::Advice::Sequential,
            Advice::Random => memmap2::Advice::Random,
            Advice::WillNeed => memmap2::Advice::WillNeed,
            Advice::DontNeed => return None,
            Advice::HugePage => memmap2::Advice::HugePage,
            Advice::PopulateRead => memmap2::Advice::PopulateRead,
            Advice::PopulateWrite => memmap2::Advice::PopulateWrite,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Advice::Normal => "MADV_NORMAL",
            Advice::Sequential => "MADV_SEQUENTIAL",
            Advice::Random => "MADV_RANDOM",
            Advice::WillNeed => "MADV_WILLNEED",
            Advice::DontNeed => "MADV_DONTNEED",
            Advice::HugePage => "MADV_HUGEPAGE",
            Advice::PopulateRead => "MADV_POPULATE_READ",
            Advice::PopulateWrite => "MADV_POPULATE_WRITE",
        }
    }
}

/// Reserves the blocks of bytes `from..to` without changing the file's size (now
/// `size_now`) or content.
pub(super) fn reserve_blocks(file: &File, from: u64, to: u64, size_now: u64) -> Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    let (start, len) = (from as libc::off_t, (to - from) as libc::off_t);
    // SAFETY: fallocate only acts on the descriptor we own for this call.
    let rc = unsafe { libc::fallocate(fd, libc::FALLOC_FL_KEEP_SIZE, start, len) };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    let what = format!("cannot reserve {len} bytes from byte {from} of the file (fallocate)");
    if err.raw_os_error() == Some(libc::EOPNOTSUPP) {
        // Filesystems without fallocate: posix_fallocate's emulation writes zeros and so
        // grows the file; on failure put the size back.
        // SAFETY: as above.
        let rc = unsafe { libc::posix_fallocate(fd, start, len) };
        if rc != 0 {
            let _ = file.set_len(size_now);
            return Err(MmError::os(what, &io::Error::from_raw_os_error(rc)));
        }
        return Ok(());
    }
    Err(MmError::os(what, &err))
}

/// Touches every page of a fresh mapping (MADV_POPULATE_READ, or WILLNEED before 5.14).
pub(super) fn prefault(map: &MmapRaw) {
    if map.advise(memmap2::Advice::PopulateRead).is_err() {
        // Advice only: a kernel that takes neither still maps the pages on first touch.
        let _ = map.advise(memmap2::Advice::WillNeed);
    }
}

/// A failed madvise of `len` bytes: EINVAL for the advice value (a kernel without it) is
/// `Unsupported`, never ignored.
fn advice_error(name: &str, len: usize, err: &io::Error) -> MmError {
    let what = format!("madvise({name}) of {len} bytes");
    if err.raw_os_error() == Some(libc::EINVAL) {
        let mut e = MmError::new(
            ErrorKind::Unsupported,
            format!("{what}: this kernel does not support it for this mapping: {err}"),
        );
        e.os_error = libc::EINVAL;
        return e;
    }
    MmError::os(what, err)
}

fn page_size() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions.
            let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
            PAGE.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

/// `addr..addr+len` widened to whole pages: (page-aligned start, length).
fn page_span(addr: usize, len: usize) -> (usize, usize) {
    let page = page_size();
    let start = addr & !(page - 1);
    let end = (addr + len).div_ceil(page) * page;
    (start, end - start)
}

impl Mapping {
    /// Absolute address of byte `lo` of the region and the page span of `lo..hi`.
    /// `None` when nothing is mapped or the span is empty.
    fn span(&self, lo: usize, hi: usize) -> Option<(usize, usize)> {
        let map = self.map.as_ref()?;
        if lo >= hi || hi > self.len {
            return None;
        }
        Some(page_span(map.as_mut_ptr() as usize + lo, hi - lo))
    }

    /// The map and the length of the page span of region bytes `lo..hi` (for messages);
    /// `None` when nothing is mapped or the span is empty.
    fn map_for(&self, lo: usize, hi: usize) -> Option<(&MmapRaw, usize)> {
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
        let result = match advice.checked() {
            Some(checked) => map.advise_range(checked, lo, hi - lo),
            // SAFETY: MADV_DONTNEED lets the kernel drop these pages: a shared mapping
            // reads them back from the file, a private one (mode c) loses its changes to
            // them, which is what the caller asked for. The core never holds a Rust
            // reference into the mapping (callers get raw pointers only), so no reference
            // sees its memory change; lo..hi lies inside the map (checked by map_for).
            None => unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, lo, hi - lo) },
        };
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
        self.msync(0, self.len, false)
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
        result.map_err(|e| MmError::os(format!("msync of {span_len} bytes failed"), &e))
    }

    /// How many of region bytes `lo..hi` lie in pages resident in memory (mincore).
    pub fn resident_bytes(&self, lo: usize, hi: usize) -> Result<u64> {
        let Some((start, len)) = self.span(lo, hi) else {
            return Ok(0);
        };
        let page = page_size();
        let mut vec = vec![0u8; len / page];
        // SAFETY: the span lies inside our mapping; vec has one byte per page.
        if unsafe { libc::mincore(start as *mut _, len, vec.as_mut_ptr()) } != 0 {
            return Err(MmError::os(
                format!("mincore of {len} bytes failed"),
                &io::Error::last_os_error(),
            ));
        }
        let (first, last) = (self.data_ptr() as usize + lo, self.data_ptr() as usize + hi);
        let mut total = 0u64;
        for (i, &bits) in vec.iter().enumerate() {
            if bits & 1 != 0 {
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
        // SAFETY: the span lies inside our mapping.
        let rc = unsafe {
            if lock {
                libc::mlock(start as *const _, len)
            } else {
                libc::munlock(start as *const _, len)
            }
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
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
        let why = match err.raw_os_error() {
            Some(libc::ENOMEM) => " (RLIMIT_MEMLOCK, see ulimit -l, may be too low)",
            Some(libc::EPERM) if lock => {
                " (RLIMIT_MEMLOCK is 0 and the process lacks CAP_IPC_LOCK)"
            }
            _ => "",
        };
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

    #[test]
    fn advice_the_kernel_lacks_is_unsupported() {
        let dir = std::env::temp_dir().join(format!("mmarray-advise-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.bin");
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
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
