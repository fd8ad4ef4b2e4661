//! The one OS-specific call of a save: a copy between two files done by the kernel
//! (`copy_file_range(2)` on Linux: no trip through user space, a reflink or a server-side
//! copy where the filesystem can). Kept alone in this file so that it can move to the
//! platform layer as it is; every other system lacks it and says so.

use std::fs::File;
use std::io;

/// What one in-kernel copy did.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// This many bytes were copied (fewer than asked is possible; 0 means the source has
    /// no byte at the offset: it ends there).
    Copied(usize),
    /// The kernel cannot copy between these two files (no such call on this system,
    /// different filesystems, a filesystem or file type without support): copy in user
    /// space instead. Nothing was copied.
    Unavailable,
    /// The copy failed (out of space, past RLIMIT_FSIZE, an I/O error).
    Failed(io::Error),
}

/// Largest request of one call (the kernel caps one call near 2 GiB anyway).
const MAX_REQUEST: usize = 1 << 30;

/// Copies up to `len` bytes of `src`, from byte `src_offset`, to `dst` at its current
/// position (which advances by the bytes copied), in the kernel.
#[cfg(target_os = "linux")]
pub(crate) fn copy_range(src: &File, src_offset: u64, dst: &File, len: usize) -> Outcome {
    use std::os::fd::AsRawFd;
    let mut off_in = match libc::loff_t::try_from(src_offset) {
        Ok(off) => off,
        Err(_) => return Outcome::Unavailable,
    };
    loop {
        // SAFETY: two open descriptors borrowed for the call; `off_in` is a valid
        // loff_t the kernel updates; a null off_out uses (and advances) dst's position.
        let n = unsafe {
            libc::copy_file_range(
                src.as_raw_fd(),
                &mut off_in,
                dst.as_raw_fd(),
                std::ptr::null_mut(),
                len.min(MAX_REQUEST),
                0,
            )
        };
        if n >= 0 {
            return Outcome::Copied(n as usize);
        }
        let error = io::Error::last_os_error();
        return match error.raw_os_error() {
            Some(libc::EINTR) => continue,
            // No such call (old kernel, seccomp), different filesystems, no support in
            // this filesystem or for these files (EINVAL also covers a special file).
            Some(libc::ENOSYS)
            | Some(libc::EXDEV)
            | Some(libc::EOPNOTSUPP)
            | Some(libc::EINVAL)
            | Some(libc::EPERM)
            | Some(libc::EBADF) => Outcome::Unavailable,
            _ => Outcome::Failed(error),
        };
    }
}

/// Not available outside Linux: the caller copies in user space.
#[cfg(not(target_os = "linux"))]
pub(crate) fn copy_range(_src: &File, _src_offset: u64, _dst: &File, _len: usize) -> Outcome {
    Outcome::Unavailable
}
