//! One mapped region of a file, made with mmap and undone with munmap directly: what
//! memmap2's MmapRaw does on POSIX, with the same system calls, the same page alignment
//! and the same checks, without its option builder and its page-size divisions at map
//! and unmap time (an open + close is benchmarked instruction by instruction). Windows
//! keeps memmap2's MmapRaw (platform/windows.rs).

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// A mapping of `len` bytes (the region), unmapped when dropped from the start of the
/// page its first byte lies in: the same two words as memmap2's MmapRaw on POSIX, which
/// [`Region::from`] takes over (and no more: a mapping stays small enough to be moved
/// into its view without a memcpy call).
#[derive(Debug)]
pub(crate) struct Region {
    /// Address of the region's first byte; rounded down to its page, what mmap returned.
    ptr: *mut u8,
    len: usize,
}

// SAFETY: a Region is an address range and its lengths, like memmap2's MmapRaw (Send and
// Sync); every access through the pointer is the caller's to synchronise.
unsafe impl Send for Region {}
// SAFETY: as above.
unsafe impl Sync for Region {}

/// Maps `len` bytes (more than 0) of `file` from byte `offset` (any offset: the mapping
/// starts at its page, and the region's address is that of `offset` itself): shared and
/// read-only, shared and writable, or private (copy-on-write, writable) when `private`;
/// MAP_POPULATE on Linux when `populate`. The flags memmap2 gives map_raw_read_only,
/// map_raw and map_copy. Written into its callers (mm_open's mmap call is its own).
#[inline(always)]
pub(crate) fn map_region(
    file: &File,
    writable: bool,
    private: bool,
    offset: u64,
    len: usize,
    populate: bool,
) -> io::Result<Region> {
    debug_assert!(len > 0 && (writable || !private));
    let lead = (offset & (super::super::page_size() as u64 - 1)) as usize;
    let prot = if writable {
        libc::PROT_READ | libc::PROT_WRITE
    } else {
        libc::PROT_READ
    };
    let share = if private {
        libc::MAP_PRIVATE
    } else {
        libc::MAP_SHARED
    };
    #[cfg(target_os = "linux")]
    let share = share | if populate { libc::MAP_POPULATE } else { 0 };
    #[cfg(not(target_os = "linux"))]
    let _ = populate;
    // SAFETY: a new mapping at an address of the kernel's choosing changes no existing
    // memory; the descriptor is one the caller holds open. The offset is below i64::MAX
    // (checked with the region's size at open).
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len + lead,
            prot,
            share,
            file.as_raw_fd(),
            (offset - lead as u64) as libc::off_t,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    Ok(Region {
        // SAFETY: `lead` < one page, inside the `len + lead` bytes just mapped.
        ptr: unsafe { ptr.cast::<u8>().add(lead) },
        len,
    })
}

impl Region {
    /// Address of the region's first byte.
    #[inline]
    pub(crate) fn as_mut_ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// Bytes in the region.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// msync(MS_SYNC) of the whole region.
    pub(crate) fn flush(&self) -> io::Result<()> {
        self.flush_range(0, self.len)
    }

    /// msync(MS_SYNC) of region bytes `offset..offset + len`, widened down to the page.
    pub(crate) fn flush_range(&self, offset: usize, len: usize) -> io::Result<()> {
        self.msync(offset, len, libc::MS_SYNC)
    }

    /// msync(MS_ASYNC) of region bytes `offset..offset + len`, widened down to the page.
    pub(crate) fn flush_async_range(&self, offset: usize, len: usize) -> io::Result<()> {
        self.msync(offset, len, libc::MS_ASYNC)
    }

    fn msync(&self, offset: usize, len: usize, flags: libc::c_int) -> io::Result<()> {
        let (start, len) = self.page_range(offset, len)?;
        // SAFETY: the range lies inside the mapping (checked; widened down to the page,
        // which is mapped too).
        if unsafe { libc::msync(start, len, flags) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// madvise(`advice`) of region bytes `offset..offset + len`, widened down to the
    /// page; InvalidInput when the range leaves the region.
    ///
    /// # Safety
    /// Some advice (MADV_DONTNEED) changes what the memory reads: the caller answers for
    /// the value.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) unsafe fn advise(
        &self,
        advice: libc::c_int,
        offset: usize,
        len: usize,
    ) -> io::Result<()> {
        let (start, len) = self.page_range(offset, len)?;
        // SAFETY: the range lies inside the mapping; the advice is the caller's.
        if unsafe { libc::madvise(start, len, advice) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// Region bytes `offset..offset + len` as msync and madvise take them: the address
    /// of byte `offset` rounded down to its page, and `len` grown by the bytes that
    /// rounding added; InvalidInput when the range leaves the region.
    fn page_range(&self, offset: usize, len: usize) -> io::Result<(*mut libc::c_void, usize)> {
        if offset > self.len || len > self.len - offset {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let addr = self.ptr as usize + offset;
        let back = addr & (super::super::page_size() - 1);
        Ok(((addr - back) as *mut libc::c_void, len + back))
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // What memmap2 unmaps: from the page start, `lead + len` bytes (one byte for an
        // empty region at a page start, which memmap2 maps as one byte).
        let lead = self.ptr as usize & (super::super::page_size() - 1);
        let len = (lead + self.len).max(1);
        // SAFETY: the mapping made by map_region (or taken over from memmap2), unmapped
        // once; no reference into it outlives the Region.
        unsafe { libc::munmap(self.ptr.sub(lead).cast(), len) };
    }
}

impl From<memmap2::MmapRaw> for Region {
    /// Takes over a mapping memmap2 made (an inflated .npz member's private memory):
    /// the same address range, unmapped by the Region instead.
    fn from(map: memmap2::MmapRaw) -> Region {
        let ptr = map.as_mut_ptr();
        let len = map.len();
        std::mem::forget(map);
        Region { ptr, len }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memmap2::{MmapOptions, MmapRaw};

    /// map_region maps what memmap2's options do, for offsets around page boundaries and
    /// lengths past the end of the file, in the three modes: the same address within the
    /// page, the same length, the same bytes, and writes reach the file (shared) or not
    /// (private) the same way.
    #[test]
    fn same_mapping_as_memmap2() {
        let tmp = crate::test_tempdir::TempDir::new("region");
        let path = tmp.path("data.bin");
        let page = super::super::super::page_size();
        let content: Vec<u8> = (0..3 * page + 100).map(|i| (i * 7 % 251) as u8).collect();
        for (writable, private) in [(false, false), (true, false), (true, true)] {
            for offset in [0, 1, page - 1, page, page + 5, 2 * page + 99] {
                for len in [1, 7, page, page + 1, 2 * page] {
                    std::fs::write(&path, &content).unwrap();
                    let file = std::fs::OpenOptions::new()
                        .read(true)
                        .write(writable && !private)
                        .open(&path)
                        .unwrap();
                    let ours =
                        map_region(&file, writable, private, offset as u64, len, false).unwrap();
                    let mut options = MmapOptions::new();
                    options.offset(offset as u64).len(len);
                    // SAFETY: a file of this test's own.
                    let theirs: MmapRaw = unsafe {
                        match (writable, private) {
                            (false, _) => options.map_raw_read_only(&file),
                            (true, false) => options.map_raw(&file),
                            (true, true) => options.map_copy(&file).map(MmapRaw::from),
                        }
                    }
                    .unwrap();
                    let what = format!("w{writable} p{private} offset {offset} len {len}");
                    assert_eq!(ours.len(), theirs.len(), "{what}");
                    assert_eq!(
                        ours.as_mut_ptr() as usize % page,
                        theirs.as_mut_ptr() as usize % page,
                        "{what}"
                    );
                    let inside = content.len().saturating_sub(offset).min(len);
                    // SAFETY: both map `len` bytes; only those inside the file are read.
                    let (a, b) = unsafe {
                        (
                            std::slice::from_raw_parts(ours.as_mut_ptr(), inside),
                            std::slice::from_raw_parts(theirs.as_mut_ptr(), inside),
                        )
                    };
                    assert_eq!(a, b, "{what}");
                    assert_eq!(a, &content[offset..offset + inside], "{what}");
                    if writable && inside > 0 {
                        // SAFETY: byte 0 lies inside the file and the writable mapping.
                        unsafe { *ours.as_mut_ptr() ^= 0xff };
                        ours.flush().unwrap();
                        let reread = std::fs::read(&path).unwrap();
                        let expect = if private {
                            content[offset]
                        } else {
                            content[offset] ^ 0xff
                        };
                        assert_eq!(reread[offset], expect, "{what}");
                        // SAFETY: as above. memmap2's mapping of the same bytes sees the
                        // write when both are shared, not when both are private.
                        let seen = unsafe { *theirs.as_mut_ptr() };
                        assert_eq!(seen, expect, "{what}");
                    }
                    ours.flush_range(0, len).unwrap();
                    assert_eq!(
                        ours.flush_range(len, 1).unwrap_err().kind(),
                        io::ErrorKind::InvalidInput
                    );
                    assert_eq!(
                        ours.flush_async_range(1, len).unwrap_err().kind(),
                        io::ErrorKind::InvalidInput
                    );
                    // SAFETY: MADV_WILLNEED changes no content.
                    unsafe {
                        assert!(ours.advise(libc::MADV_WILLNEED, 0, len).is_ok(), "{what}");
                        assert_eq!(
                            ours.advise(libc::MADV_WILLNEED, len + 1, 0)
                                .unwrap_err()
                                .kind(),
                            io::ErrorKind::InvalidInput
                        );
                        // Each within the region, together past its end.
                        assert_eq!(
                            ours.advise(libc::MADV_WILLNEED, 1, len).unwrap_err().kind(),
                            io::ErrorKind::InvalidInput
                        );
                    }
                    // Taken over from memmap2: the same range, unmapped once (by us).
                    let taken = Region::from(theirs);
                    assert_eq!(taken.len(), len, "{what}");
                    assert_eq!(taken.as_mut_ptr() as usize % page, offset % page, "{what}");
                }
            }
        }
    }
}
