//! `np.save` of any view: the header np.save writes and the data streamed through a
//! bounded buffer by guarded copies; the atomic replacement of the target is
//! `src/replace.rs`'s.

use std::io::Write;
use std::path::Path;

use super::header;
use crate::error::{MmError, Result};
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
    let (head, fortran) = npy_header(view)?;
    crate::replace::replace_with(path, |file| {
        write_all(file, &head)?;
        write_data(file, view, fortran)
    })
}

/// The header np.save writes for `view`, and whether the data goes in Fortran order.
fn npy_header(view: &View) -> Result<(Vec<u8>, bool)> {
    let dtype = view.dtype();
    let shape = view.shape();
    let fortran = fortran_flag(shape, view.strides(), dtype.itemsize());
    Ok((header::encode(dtype, shape, fortran)?, fortran))
}

/// Writes np.save's bytes of `view` (header, then data) to `out`, streamed through a
/// bounded buffer and read through the guarded copies: what a .npz member holds.
pub(crate) fn write_npy<W: Write>(out: &mut W, view: &View) -> Result<()> {
    let (head, fortran) = npy_header(view)?;
    write_all(out, &head)?;
    write_data(out, view, fortran)
}

fn write_all<W: Write>(file: &mut W, bytes: &[u8]) -> Result<()> {
    file.write_all(bytes)
        .map_err(|e| MmError::os("cannot write the new file", &e))
}

/// Streams the elements of `view` in C order (or memory order when `fortran`).
///
/// The mapping is read only through the guarded copies of `src/guarded.rs` (the kernel
/// copies, a vanished page is an error): a source truncated underneath, or a sparse page
/// a full disk cannot back, is MM_E_IO (EFAULT / ENOSPC) instead of SIGBUS, and the
/// caller removes the temporary file, so the target is untouched.
fn write_data<W: Write>(file: &mut W, view: &View, fortran: bool) -> Result<()> {
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
