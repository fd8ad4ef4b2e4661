//! The command-line tool's few operating-system calls, one place per system: the
//! SIGBUS guard of the direct reads of a mapping, positional writes, and the early
//! writeback hint of `convert`. (The library's own per-OS code is its platform layer;
//! these are things only a program, never a library, may do, such as installing a
//! signal handler.)

use std::fs::File;

#[cfg(unix)]
mod unix {
    use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

    /// The message the SIGBUS handler writes (leaked once, never freed), and its length.
    static MESSAGE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
    static MESSAGE_LEN: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn on_sigbus(_: libc::c_int) {
        let p = MESSAGE.load(Ordering::Acquire);
        let n = MESSAGE_LEN.load(Ordering::Acquire);
        // SAFETY: write(2) and _exit(2) are async-signal-safe; `p` is null or a leaked
        // buffer of `n` bytes.
        unsafe {
            if !p.is_null() {
                libc::write(2, p as *const libc::c_void, n);
            }
            libc::_exit(1);
        }
    }

    /// Installs the SIGBUS handler for the direct reads of `what` (a file name): a page
    /// the file no longer backs ends the process with `message` on stderr and status 1.
    pub fn guard_sigbus(what: &str) {
        let text = format!(
            "mmarray: {what}: the file no longer covers the data being read (truncated underneath while it was read)\n"
        )
        .into_bytes()
        .leak();
        MESSAGE_LEN.store(text.len(), Ordering::Release);
        MESSAGE.store(text.as_mut_ptr(), Ordering::Release);
        // SAFETY: a plain sigaction with a handler that only calls async-signal-safe
        // functions.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
        }
    }
}

#[cfg(unix)]
pub use unix::guard_sigbus;

/// Windows refuses to truncate or shrink a file while a view of it is mapped (error
/// 1224), so no page can vanish under the tool's direct reads: nothing to guard.
#[cfg(windows)]
pub fn guard_sigbus(_what: &str) {}

/// Writes all of `buf` at byte `at` of `file` (the file position is not used).
pub fn write_all_at(file: &File, buf: &[u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, buf, at)
    }
    #[cfg(windows)]
    {
        let (mut done, mut at) = (0, at);
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_write(file, &buf[done..], at)?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            done += n;
            at += n as u64;
        }
        Ok(())
    }
}

/// Asks the kernel to start writing `len` bytes at `at` of `file` to disk now (Linux's
/// sync_file_range), so that a later fsync has less to wait for. A hint: elsewhere, and
/// on failure, nothing happens.
pub fn start_writeback(file: &File, at: u64, len: usize) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a hint on the caller's open descriptor; it changes no data.
        unsafe {
            libc::sync_file_range(
                file.as_raw_fd(),
                at as i64,
                len as i64,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, at, len);
}
