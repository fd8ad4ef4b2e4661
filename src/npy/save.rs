//! `np.save` of any view: the header np.save writes, the data streamed through a bounded
//! buffer by guarded copies, and the atomic replacement of the target (the temporary
//! file, the checks np.save makes of the target, the swap and the fsyncs).

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::header;
use crate::error::{ErrorKind, MmError, Result};
use crate::guarded;
use crate::layout;
use crate::view::View;

/// np.save's rule (`save`): Fortran order only for arrays F- and not C-contiguous.
fn fortran_flag(shape: &[usize], strides: &[i64], itemsize: usize) -> bool {
    layout::is_f_contiguous(shape, strides, itemsize)
        && !layout::is_c_contiguous(shape, strides, itemsize)
}

/// Bytes copied per write while saving: memory use of a save is bounded by this.
const CHUNK: usize = 1 << 20;

/// `np.save(path, view)` of the array the view shows, byte-identical to np.save's file:
/// the header says `fortran_order: True` exactly when the view is F- and not
/// C-contiguous (np.save's rule: never for a 0-d, 1-D or (2, 1) view), else the data is
/// in C order; streamed through a bounded buffer, replacing `path` atomically (a
/// temporary file in the same directory, anonymous until complete where the filesystem
/// allows, fsync, rename, fsync of the directory). No `.npy` suffix is added.
///
/// An error means the target is untouched; MM_OK means it was replaced and the rename
/// fsynced. Everything that can fail is done before the target changes: the directory
/// is opened for its fsync first (a directory the caller may write but not read, mode
/// 0333, is MM_E_PERMISSION here), and the new file is swapped in with renameat2
/// RENAME_EXCHANGE so that a failed directory fsync can swap the old file back (see
/// `commit`; on a filesystem without RENAME_EXCHANGE a failed fsync after a plain
/// rename is the one error that says the target *was* replaced). A SIGKILL between the
/// swap and the removal of the old file can leave the old file under a
/// `.mmarray-save.*.tmp` name next to the (complete, new) target.
///
/// Only a regular file (or a missing name) is replaced: a FIFO, a device or a socket is
/// MM_E_IO with ENODEV, a directory MM_E_IO with EISDIR, and the node stays as it was.
/// (The check and the rename are two steps: a node put there in between is replaced.)
///
/// What np.save respects is respected: a symlink (or a chain of them) is followed and the
/// file it finally names is replaced, next to itself, the link staying a link (a dangling
/// link's target is created); an existing target that the caller could not open for
/// writing (mode 0444 or 0000, another user's file) is MM_E_PERMISSION and untouched;
/// the new file gets the old one's permission bits (0600 stays 0600; set-id bits are not
/// kept) and, where the caller may set them, its owner and group (root can; another user
/// keeps the file as its own). An atomic replace gives the name a new file: other hard
/// links of the old file keep the old data (np.save, writing in place, would change them
/// all), and a handle that maps the old file keeps mapping it, unlinked, so its writes
/// never reach the new file.
///
/// The source is read through the guarded copies (`src/guarded.rs`): a source file
/// truncated underneath is MM_E_IO (EFAULT), not SIGBUS. The copy buffer and the header
/// are allocated fallibly (MM_E_IO/ENOMEM). Past RLIMIT_FSIZE the kernel sends SIGXFSZ,
/// which kills the process unless ignored; ignored, the save is MM_E_IO/EFBIG and the
/// temporary file is removed.
pub fn save(view: &View, path: &Path) -> Result<()> {
    let dtype = view.dtype();
    let shape = view.shape();
    let strides = view.strides();
    let itemsize = dtype.itemsize();
    let fortran = fortran_flag(shape, strides, itemsize);
    let head = header::encode(dtype, shape, fortran)?;
    replace_with(path, |file| {
        write_all(file, &head)?;
        write_data(file, view, fortran)
    })
}

/// Replaces the file at `path` atomically with what `write` writes into a new file,
/// exactly as [`save`] replaces its target (the same checks of the target, symlinks
/// followed, permission bits and owner kept, a temporary file in the target's directory,
/// fsync, rename, fsync of the directory; see there). `write` gets the new, empty file;
/// when it fails (or anything else does), the temporary file is removed and the target
/// is untouched. [`save`] is this with np.save's header and data; the command-line tool
/// uses it for the files np.save would write from a converted copy.
pub fn replace_with(path: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    // A symlink is followed to the file it finally names; that file is replaced (next
    // to itself) and the link stays a link, as np.save writes through links.
    let target = final_target(path)?;
    let name = target
        .file_name()
        .ok_or_else(|| MmError::invalid("the path names no file"))?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let kept = match std::fs::metadata(&target) {
        Ok(meta) => {
            require_regular_target(&meta)?;
            Some(writable_target(&target)?)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(MmError::os("cannot look at the target", &e)),
    };
    // The directory is opened (to fsync the rename) before anything is created: one the
    // caller cannot read (mode 0333) fails here, with the target untouched.
    let dir_file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(&dir)
        .map_err(|e| {
            MmError::os(
                "cannot open the target's directory to fsync the rename (a save needs to read it)",
                &e,
            )
        })?;
    let (mut file, mut temp) = create_temp(&dir)?;
    // An anonymous (O_TMPFILE) file gets a name only once it is complete, so a process
    // killed while writing leaves nothing behind; the name exists just for the rename.
    let result = (|| {
        if let Some(kept) = &kept {
            kept.apply(&file)?;
        }
        write(&mut file)?;
        file.sync_all()
            .map_err(|e| MmError::os("fsync of the new file failed", &e))?;
        match &temp {
            Some(t) => Ok(t.clone()),
            None => Ok(temp.insert(link_temp(&file, &dir)?).clone()),
        }
    })();
    drop(file);
    let result = result.and_then(|temp| commit(&temp, &target, name, kept.is_some(), &dir_file));
    if result.is_err() {
        if let Some(temp) = &temp {
            let _ = std::fs::remove_file(temp);
        }
    }
    result
}

/// renameat2(2) with `flags`, both paths relative to the current directory.
fn rename2(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: two NUL-terminated paths that outlive the call; renameat2 reads only them.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether renameat2 refused its flags (the filesystem or kernel lacks them).
fn flags_unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
    )
}

/// Puts the complete, fsynced file named `temp` at `target`, durably, so that an error
/// means the target is as it was (MM_OK means replaced and the rename fsynced).
///
/// An existing target is swapped with the new file (renameat2 RENAME_EXCHANGE): if the
/// directory's fsync then fails, swapping back restores the old file under its name and
/// the error is reported; if it succeeds, the old file (now at the temporary name) is
/// removed. A new name is made with RENAME_NOREPLACE and removed again if the fsync
/// fails. On a filesystem without these flags (EINVAL) a plain rename is used; a failed
/// directory fsync after it cannot be undone and is reported as MM_E_IO with a message
/// that says the target *was* replaced (the one case where an error does not mean
/// "untouched").
fn commit(temp: &Path, target: &Path, name: &OsStr, existed: bool, dir: &File) -> Result<()> {
    let sync = || {
        dir.sync_all()
            .map_err(|e| MmError::os("fsync of the directory failed", &e))
    };
    let rename_err = |e: &io::Error| {
        MmError::os(
            format!(
                "cannot rename the new file over {:?}",
                name.to_string_lossy()
            ),
            e,
        )
    };
    let flags = if existed {
        libc::RENAME_EXCHANGE
    } else {
        libc::RENAME_NOREPLACE
    };
    match rename2(temp, target, flags) {
        Ok(()) if existed => {
            // `target` is the new file, `temp` the old one.
            if let Err(e) = sync() {
                if rename2(temp, target, libc::RENAME_EXCHANGE).is_ok() {
                    return Err(e.context("the old file was put back"));
                }
                let _ = std::fs::remove_file(temp);
                return Err(e.context(
                    "the target WAS replaced and could not be put back; the rename may not survive a crash",
                ));
            }
            let _ = std::fs::remove_file(temp);
            // Best effort: a crash before this leaves the old file under the temporary name.
            let _ = dir.sync_all();
            return Ok(());
        }
        Ok(()) => {
            if let Err(e) = sync() {
                let _ = std::fs::remove_file(target);
                return Err(e.context("the new file was removed again"));
            }
            return Ok(());
        }
        // The target vanished or appeared since it was looked at, or the filesystem
        // cannot exchange: a plain rename.
        Err(e)
            if flags_unsupported(&e)
                || matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::EEXIST)) => {}
        Err(e) => return Err(rename_err(&e)),
    }
    std::fs::rename(temp, target).map_err(|e| rename_err(&e))?;
    sync().map_err(|e| {
        e.context("the target WAS replaced (this filesystem cannot exchange files), but the rename may not survive a crash")
    })
}

/// mm_save_npy replaces only regular files: a FIFO, a device, a socket (MM_E_IO, ENODEV)
/// or a directory (EISDIR) is refused and left as it is. (np.save would write into a
/// FIFO or device; replacing the node by a regular file, as a rename would, destroys it.)
fn require_regular_target(meta: &std::fs::Metadata) -> Result<()> {
    let Some((errno, what)) = crate::mapping::not_regular(meta) else {
        return Ok(());
    };
    let mut err = MmError::new(
        ErrorKind::Io,
        format!("the target is {what}, not a regular file: a save replaces only regular files, and leaves this one as it is"),
    );
    err.os_error = errno;
    Err(err)
}

/// `path` with its final symlinks followed (at most 40, as the kernel does): the name
/// of the file a save replaces. A relative link is resolved against the directory of the
/// link. A dangling link gives the missing name it points to, which the save creates.
fn final_target(path: &Path) -> Result<PathBuf> {
    let mut target = path.to_path_buf();
    for _ in 0..=40 {
        match std::fs::read_link(&target) {
            Ok(link) => {
                target = match target.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                }
            }
            Err(e)
                if e.raw_os_error() == Some(libc::EINVAL)
                    || e.kind() == io::ErrorKind::NotFound =>
            {
                return Ok(target)
            }
            Err(e) => return Err(MmError::os("cannot read the target's symbolic link", &e)),
        }
    }
    Err(MmError::os(
        "cannot follow the target's symbolic links",
        &io::Error::from_raw_os_error(libc::ELOOP),
    ))
}

/// What a replaced file keeps of the old one: its permission bits and, where the caller
/// may set them, its owner and group.
struct Kept {
    mode: u32,
    uid: u32,
    gid: u32,
}

/// np.save opens an existing target for writing, so one the caller could not open for
/// writing (0444, 0000, another user's 0644 file; EACCES/EPERM/EROFS) is refused with
/// MM_E_PERMISSION here, before anything is written. The check opens the file O_WRONLY
/// without O_TRUNC (no byte changes) and closes it again.
fn writable_target(target: &Path) -> Result<Kept> {
    use std::os::unix::fs::MetadataExt;
    let file = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(target)
        .map_err(|e| {
            MmError::os(
                "the target cannot be opened for writing (np.save would fail as well)",
                &e,
            )
        })?;
    let meta = file
        .metadata()
        .map_err(|e| MmError::os("fstat of the target failed", &e))?;
    require_regular_target(&meta)?;
    Ok(Kept {
        mode: meta.mode() & 0o777,
        uid: meta.uid(),
        gid: meta.gid(),
    })
}

impl Kept {
    /// Gives the new file the old one's owner and group (best effort: only root may give
    /// a file away, and a user may only pick one of its own groups) and then its mode.
    fn apply(&self, file: &File) -> Result<()> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = file
            .metadata()
            .map_err(|e| MmError::os("fstat of the new file failed", &e))?;
        if (meta.uid(), meta.gid()) != (self.uid, self.gid)
            && std::os::unix::fs::fchown(file, Some(self.uid), Some(self.gid)).is_err()
        {
            let _ = std::os::unix::fs::fchown(file, None, Some(self.gid));
        }
        file.set_permissions(std::fs::Permissions::from_mode(self.mode))
            .map_err(|e| MmError::os("cannot give the new file the target's mode", &e))
    }
}

/// A name for a temporary file in `dir` that is unlikely to be taken.
fn temp_name(dir: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".mmarray-save.{}.{n}.tmp", std::process::id()))
}

/// The file to write the new .npy into: an anonymous O_TMPFILE file in `dir` where the
/// filesystem supports it (`None` as its name), else a new named temporary file.
fn create_temp(dir: &Path) -> Result<(File, Option<PathBuf>)> {
    match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_TMPFILE | libc::O_CLOEXEC)
        .mode(0o666)
        .open(dir)
    {
        Ok(f) => return Ok((f, None)),
        // Filesystems without O_TMPFILE answer EOPNOTSUPP (or EISDIR on old kernels);
        // anything else (a missing directory, no permission) is the real answer.
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP) | Some(libc::EISDIR)
            ) => {}
        Err(e) => {
            return Err(MmError::os(
                "cannot create a temporary file next to the target",
                &e,
            ))
        }
    }
    for _ in 0..100 {
        let temp = temp_name(dir);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_CLOEXEC)
            .mode(0o666)
            .open(&temp)
        {
            Ok(f) => return Ok((f, Some(temp))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(MmError::os(
                    "cannot create a temporary file next to the target",
                    &e,
                ))
            }
        }
    }
    Err(MmError::new(
        ErrorKind::Io,
        "cannot find a free temporary file name",
    ))
}

/// Gives a complete anonymous file a temporary name in `dir` (linkat through
/// /proc/self/fd, which needs no privilege), for the rename over the target.
fn link_temp(file: &File, dir: &Path) -> Result<PathBuf> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let proc_path = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .expect("no NUL in a /proc path");
    for _ in 0..100 {
        let temp = temp_name(dir);
        let c_temp = std::ffi::CString::new(temp.as_os_str().as_bytes())
            .map_err(|_| MmError::invalid("the directory path holds a NUL byte"))?;
        // SAFETY: both paths are NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                libc::AT_FDCWD,
                c_temp.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc == 0 {
            return Ok(temp);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::AlreadyExists {
            return Err(MmError::os("cannot give the new file a name", &err));
        }
    }
    Err(MmError::new(
        ErrorKind::Io,
        "cannot find a free temporary file name",
    ))
}

fn write_all(file: &mut File, bytes: &[u8]) -> Result<()> {
    file.write_all(bytes)
        .map_err(|e| MmError::os("cannot write the new file", &e))
}

/// Streams the elements of `view` in C order (or memory order when `fortran`).
///
/// The mapping is read only through the guarded copies of `src/guarded.rs` (the kernel
/// copies, a vanished page is an error): a source truncated underneath, or a sparse page
/// a full disk cannot back, is MM_E_IO (EFAULT / ENOSPC) instead of SIGBUS, and the
/// caller removes the temporary file, so the target is untouched.
fn write_data(file: &mut File, view: &View, fortran: bool) -> Result<()> {
    const CALL: &str = "save";
    let itemsize = view.itemsize();
    let nbytes = view.nbytes();
    if nbytes == 0 {
        return Ok(());
    }
    let base = view.data_ptr();
    let mut buf: Vec<u8> = Vec::new();
    reserve(&mut buf, CHUNK.min(nbytes))?;
    let shape = view.shape();
    let strides = view.strides();
    let contiguous = fortran || layout::is_c_contiguous(shape, strides, itemsize);
    // SAFETY (all copies below): every byte read lies inside the view's extent, which was
    // checked against the mapping when the view was made; the mapping lives as long as
    // `view`. The copies go into `buf`'s spare capacity, reserved beforehand, and the
    // length is set only after a copy succeeded.
    if contiguous {
        let mut done = 0;
        while done < nbytes {
            let n = CHUNK.min(nbytes - done);
            buf.clear();
            // SAFETY: `base + done .. + n` lies in the view's extent (see above); `buf`
            // has capacity CHUNK >= n.
            unsafe {
                guarded::read_raw(view, CALL, base.add(done), buf.as_mut_ptr(), n)?;
                buf.set_len(n);
            }
            write_all(file, &buf)?;
            done += n;
        }
        return Ok(());
    }
    // C-order walk; the last axis is copied as one run when its elements are adjacent,
    // else gathered (many elements per system call).
    let ndim = shape.len();
    let last = ndim - 1; // ndim >= 1: a 0-d view is always contiguous
    let run_len = shape[last];
    let run_contig = strides[last] == itemsize as i64;
    let mut index = vec![0usize; ndim];
    loop {
        let mut offset: isize = 0;
        for axis in 0..last {
            offset += index[axis] as isize * strides[axis] as isize;
        }
        let row = base.wrapping_offset(offset);
        // Bytes (contiguous run) or elements (strided run) of this row done so far.
        let mut done = 0;
        let total = if run_contig {
            run_len * itemsize
        } else {
            run_len
        };
        while done < total {
            // Room left in the buffer, in bytes or elements; a full buffer is written out
            // first (an element larger than CHUNK gets a buffer of its own size).
            let unit = if run_contig { 1 } else { itemsize };
            let mut room = (CHUNK.saturating_sub(buf.len()) / unit).min(total - done);
            if room == 0 || (!run_contig && buf.len() + itemsize > buf.capacity()) {
                write_all(file, &buf)?;
                buf.clear();
                room = (CHUNK / unit).max(1).min(total - done);
                reserve(&mut buf, room * unit)?;
            }
            let at = buf.len();
            // SAFETY: the row's elements lie in the view's extent; `buf` has room for
            // `room` more units (reserved above); the length grows only after the copy.
            unsafe {
                let dst = buf.as_mut_ptr().add(at);
                if run_contig {
                    guarded::read_raw(view, CALL, row.add(done), dst, room)?;
                } else {
                    let stride = strides[last] as isize;
                    let first = row.wrapping_offset(done as isize * stride);
                    guarded::gather(view, CALL, dst, first, stride, itemsize, room)?;
                }
                buf.set_len(at + room * unit);
            }
            done += room;
        }
        // Advance the odometer over the outer axes.
        let mut axis = last;
        loop {
            if axis == 0 {
                write_all(file, &buf)?;
                return Ok(());
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

/// Makes room for `n` more bytes in `buf`, fallibly: MM_E_IO/ENOMEM instead of an abort.
fn reserve(buf: &mut Vec<u8>, n: usize) -> Result<()> {
    buf.try_reserve_exact(n)
        .map_err(|_| MmError::no_memory("the save's copy buffer", n))
}
