//! A small tmpfs that a test mounts itself (root only) and that is unmounted in every
//! case, for full-disk tests.

use std::ffi::CString;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub struct Tmpfs {
    pub dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` ("1m") on a fresh directory; Err(reason) when not possible.
    pub fn mount(size: &str) -> Result<Tmpfs, String> {
        if unsafe { libc::geteuid() } != 0 {
            return Err("not running as root (mounting a tmpfs needs CAP_SYS_ADMIN)".into());
        }
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mmarray-full-{}-{n}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let target = CString::new(dir.as_os_str().as_bytes()).unwrap();
        let options = CString::new(format!("size={size},mode=0755")).unwrap();
        let rc = unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                options.as_ptr().cast(),
            )
        };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            let _ = fs::remove_dir(&dir);
            return Err(format!("mount -t tmpfs failed: {err}"));
        }
        Ok(Tmpfs { dir })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let target = CString::new(self.dir.as_os_str().as_bytes()).unwrap();
        // MNT_DETACH: even if something still maps a file there, the mount goes away.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
        let _ = fs::remove_dir(&self.dir);
    }
}

/// Writes zeros to `path` until the filesystem is full; returns the bytes written.
pub fn fill(path: &Path) -> u64 {
    let mut f = fs::File::create(path).unwrap();
    let block = vec![0xABu8; 4096];
    let mut n = 0;
    loop {
        match f.write(&block) {
            Ok(0) => break,
            Ok(k) => n += k as u64,
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
                break;
            }
        }
    }
    n
}
