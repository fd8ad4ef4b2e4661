//! Atomic replacement of a file by one written anew: the temporary file next to the
//! target (anonymous until complete where the filesystem allows), the checks np.save
//! makes of the target, the swap and the fsyncs. The system calls are the platform
//! layer's: Linux O_TMPFILE + linkat and renameat2, macOS a named temporary file and
//! renamex_np, Windows a named temporary file and MoveFileExW
//! (MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH; no exchange, no directory
//! fsync, and no permission bits or owner to keep). Shared by `mm_save_npy` and
//! `mm_save_npz`: the caller only writes the new content.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ErrorKind, MmError, Result};
use crate::platform::{self, DirSync, Kept};

/// Replaces the file at `path` by the content `write` puts into a new file, atomically:
/// `write` gets a new, empty temporary file in the target's directory (written from
/// its start; it may also write at positions, pwrite), which is then fsynced and swapped
/// in for the target, and the directory fsynced.
///
/// An error means the target is untouched and no temporary file is left; MM_OK means it
/// was replaced and the rename fsynced. Everything that can fail is done before the
/// target changes: the directory is opened for its fsync first (a directory the caller
/// may write but not read, mode 0333, is MM_E_PERMISSION here), and the new file is
/// swapped in with renameat2 RENAME_EXCHANGE so that a failed directory fsync can swap
/// the old file back (see `commit`; on a filesystem without RENAME_EXCHANGE a failed
/// fsync after a plain rename is the one error that says the target *was* replaced). A
/// SIGKILL between the swap and the removal of the old file can leave the old file under
/// a `.mmarray-save.*.tmp` name next to the (complete, new) target.
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
/// links of the old file keep the old data, and a handle that maps the old file keeps
/// mapping it, unlinked.
///
/// Past RLIMIT_FSIZE the kernel sends SIGXFSZ, which kills the process unless ignored;
/// ignored, the write is MM_E_IO/EFBIG and the temporary file is removed.
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
    let dir_file = DirSync::open(&dir).map_err(|e| {
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
            kept.apply(&file)
                .map_err(|e| MmError::os("cannot give the new file the target's mode", &e))?;
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
fn commit(temp: &Path, target: &Path, name: &OsStr, existed: bool, dir: &DirSync) -> Result<()> {
    let sync = || {
        dir.sync()
            .map_err(|e| MmError::os("fsync of the directory failed", &e))
    };
    let rename_err = |e: &io::Error| {
        MmError::os(
            format!(
                "cannot rename the new file over {}",
                crate::error::quoted(&name.to_string_lossy())
            ),
            e,
        )
    };
    let swap = if existed {
        platform::rename_exchange
    } else {
        platform::rename_noreplace
    };
    match swap(temp, target) {
        Ok(()) if existed => {
            // `target` is the new file, `temp` the old one.
            if let Err(e) = sync() {
                if platform::rename_exchange(temp, target).is_ok() {
                    return Err(e.context("the old file was put back"));
                }
                let _ = std::fs::remove_file(temp);
                return Err(e.context(
                    "the target WAS replaced and could not be put back; the rename may not survive a crash",
                ));
            }
            let _ = std::fs::remove_file(temp);
            // Best effort: a crash before this leaves the old file under the temporary name.
            let _ = dir.sync();
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
        // cannot exchange (Windows never can): a plain rename (on Windows MoveFileExW
        // with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH).
        Err(e)
            if e.kind() == io::ErrorKind::Unsupported
                || matches!(platform::errno_of(&e), libc::ENOENT | libc::EEXIST) => {}
        Err(e) => return Err(rename_err(&e)),
    }
    platform::rename_replace(temp, target).map_err(|e| rename_err(&e))?;
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
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {}
            Ok(_) => return Ok(target),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(target),
            Err(e) => return Err(MmError::os("cannot look at the target", &e)),
        }
        match std::fs::read_link(&target) {
            Ok(link) => {
                target = match target.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                }
            }
            // Replaced by a file since it was looked at.
            Err(e)
                if platform::errno_of(&e) == libc::EINVAL
                    || e.kind() == io::ErrorKind::NotFound =>
            {
                return Ok(target)
            }
            Err(e) => return Err(MmError::os("cannot read the target's symbolic link", &e)),
        }
    }
    let mut err = MmError::new(
        ErrorKind::Io,
        "cannot follow the target's symbolic links: too many levels of symbolic links",
    );
    err.os_error = libc::ELOOP;
    Err(err)
}

/// np.save opens an existing target for writing, so one the caller could not open for
/// writing (0444, 0000, another user's 0644 file; EACCES/EPERM/EROFS) is refused with
/// MM_E_PERMISSION here, before anything is written. The check opens the file O_WRONLY
/// without O_TRUNC (no byte changes) and closes it again.
fn writable_target(target: &Path) -> Result<Kept> {
    let mut options = OpenOptions::new();
    platform::prepare_options(&mut options);
    let file = options.write(true).open(target).map_err(|e| {
        MmError::os(
            "the target cannot be opened for writing (np.save would fail as well)",
            &e,
        )
    })?;
    let meta = file
        .metadata()
        .map_err(|e| MmError::os("fstat of the target failed", &e))?;
    require_regular_target(&meta)?;
    Ok(Kept::of(&meta))
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
    match platform::create_anonymous(dir) {
        Ok(Some(f)) => return Ok((f, None)),
        Ok(None) => {}
        Err(e) => {
            return Err(MmError::os(
                "cannot create a temporary file next to the target",
                &e,
            ))
        }
    }
    for _ in 0..100 {
        let temp = temp_name(dir);
        let mut options = OpenOptions::new();
        platform::prepare_options(&mut options);
        match options.write(true).create_new(true).open(&temp) {
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
    for _ in 0..100 {
        let temp = temp_name(dir);
        match platform::link_anonymous(file, &temp) {
            Ok(()) => return Ok(temp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(MmError::os("cannot give the new file a name", &e)),
        }
    }
    Err(MmError::new(
        ErrorKind::Io,
        "cannot find a free temporary file name",
    ))
}
