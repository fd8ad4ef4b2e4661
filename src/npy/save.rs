//! `np.save` of any view: the header np.save writes and the data streamed through a
//! bounded buffer by guarded copies; the atomic replacement of the target is
//! `src/replace.rs`'s.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::header;
use crate::error::{MmError, Result};
use crate::guarded;
use crate::layout;
use crate::mapping::Mode;
use crate::platform::{self, CopyOutcome as Outcome, FileExt};
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
///
/// The data goes at copy speed: a contiguous view of a file that shows the file's bytes
/// (modes r, r+ and w+, opened by path) is copied file to file by the kernel
/// (`platform::copy_range`); a strided view is read in large blocks and gathered in memory (see
/// `write_staged`). Anything else, or a kernel that cannot copy between the two files,
/// goes through the guarded copies as described.
pub fn save(view: &View, path: &Path) -> Result<()> {
    let (head, fortran) = npy_header(view)?;
    let source = source_file(view);
    crate::replace::replace_with(path, |file| {
        write_all(file, &head)?;
        write_file_data(file, view, fortran, source.as_ref(), true)
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
    if view.nbytes() == 0 {
        return Ok(());
    }
    if is_contiguous(view, fortran) {
        return copy_contiguous(file, view, 0);
    }
    write_runs(file, view)
}

/// Whether the view's bytes in memory order are its data in the order saved.
fn is_contiguous(view: &View, fortran: bool) -> bool {
    fortran || layout::is_c_contiguous(view.shape(), view.strides(), view.itemsize())
}

/// [`write_data`] into the new file of a save, at copy speed where it can be: a
/// contiguous view whose file is `source` is copied file to file by the kernel
/// (`kernel` false leaves that out: the tests' way to compare both paths), a dense
/// strided view in large blocks ([`write_staged`]).
///
/// A kernel copy that stops short (the source file ends early: truncated underneath) or
/// that the kernel refuses hands the rest to the guarded copies, which read what the
/// mapping holds: MM_E_IO (EFAULT) for the bytes the file no longer covers, as without
/// the kernel copy. A kernel copy that fails (ENOSPC, EFBIG, EIO) is the save's error.
fn write_file_data(
    file: &mut File,
    view: &View,
    fortran: bool,
    source: Option<&File>,
    kernel: bool,
) -> Result<()> {
    let nbytes = view.nbytes();
    if nbytes == 0 {
        return Ok(());
    }
    if is_contiguous(view, fortran) {
        let mut done = 0;
        if let (Some(src), true) = (source, kernel) {
            let at = file_position(view, view.data_ptr());
            while done < nbytes {
                match platform::copy_range(src, at + done as u64, file, nbytes - done) {
                    Outcome::Copied(0) | Outcome::Unavailable => break,
                    Outcome::Copied(n) => done += n,
                    Outcome::Failed(e) => {
                        return Err(MmError::os("cannot copy into the new file", &e))
                    }
                }
            }
        }
        return copy_contiguous(file, view, done);
    }
    if let Some(plan) = staged_plan(view) {
        return write_staged(file, view, source, plan);
    }
    write_runs(file, view)
}

/// The file that holds exactly the bytes `view` shows, opened anew for reading: the
/// mapped file of a view in mode r, r+ or w+ opened by path, if the path still names it
/// (the same device and inode as at open). A shared mapping and the file's page cache
/// are the same pages, so the file's bytes include every write made through the
/// mapping, flushed or not. `None` (copy from the mapping instead) for mode c (private
/// pages the file never sees), an array opened from a descriptor, an in-memory .npz
/// member, or a path that now names another file or none.
fn source_file(view: &View) -> Option<File> {
    if view.mode() == Mode::CopyOnWrite {
        return None;
    }
    let path = view.filename()?;
    let id = view.mapping().file_id()?;
    platform::open_same_file(path, id)
}

/// The position in the mapped file of the byte at `address` of the view's mapping.
fn file_position(view: &View, address: *const u8) -> u64 {
    let from_first = address as isize as i128 - view.data_ptr() as isize as i128;
    (view.offset() as i128 + view.position() as i128 + from_first) as u64
}

/// Writes bytes `from..` of a contiguous view (C or F order: its bytes in memory order
/// are the data) through the guarded copies, reusing `buf` (capacity >= 1 byte).
fn copy_contiguous<W: Write>(file: &mut W, view: &View, from: usize) -> Result<()> {
    const CALL: &str = "save";
    let nbytes = view.nbytes();
    if from >= nbytes {
        return Ok(());
    }
    let base = view.data_ptr();
    let mut buf: Vec<u8> = Vec::new();
    reserve(&mut buf, CHUNK.min(nbytes - from))?;
    // SAFETY (the copies below): every byte read lies inside the view's extent, which was
    // checked against the mapping when the view was made; the mapping lives as long as
    // `view`. The copies go into `buf`'s spare capacity, reserved beforehand, and the
    // length is set only after a copy succeeded.
    {
        let mut done = from;
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
    }
    Ok(())
}

/// Writes a strided view in C order: the last axis is copied as one run when its
/// elements are adjacent, else gathered (many elements per system call), into `buf`
/// and written out whenever it is full.
fn write_runs<W: Write>(file: &mut W, view: &View) -> Result<()> {
    const CALL: &str = "save";
    let itemsize = view.itemsize();
    let base = view.data_ptr();
    let mut buf: Vec<u8> = Vec::new();
    reserve(&mut buf, CHUNK.min(view.nbytes()))?;
    let shape = view.shape();
    let strides = view.strides();
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

/// Bytes of the mapping read per block by [`write_staged`]: with the gathered copy of
/// the block, what a strided save holds in memory at most (twice this).
const STAGE: usize = 4 << 20;

/// How [`write_staged`] cuts a strided view into blocks: the outer axes `..axis` are
/// walked one index at a time; along `axis`, as many indices go into a block as fit in
/// [`STAGE`] bytes of the mapping.
#[derive(Debug, Clone, Copy)]
struct Plan {
    axis: usize,
}

/// Bytes from the lowest to one past the highest byte that the elements of `shape` and
/// `strides` (`itemsize` each) touch; 0 without elements.
fn span(shape: &[usize], strides: &[i64], itemsize: usize) -> i128 {
    layout::byte_extent(shape, strides, itemsize).map_or(0, |(lo, hi)| hi - lo)
}

/// Whether a strided view is better read in blocks (the gaps between its elements
/// included) and gathered in memory than copied element by element: when at least
/// 1/16 of the bytes it spans are its own, and its last axis is not already long
/// contiguous runs (those [`write_runs`] copies directly).
fn staged_plan(view: &View) -> Option<Plan> {
    let (shape, strides, itemsize) = (view.shape(), view.strides(), view.itemsize());
    let last = shape.len().checked_sub(1)?;
    if strides[last] == itemsize as i64 && shape[last] * itemsize >= 64 << 10 {
        return None;
    }
    if (view.nbytes() as i128) * 16 < span(shape, strides, itemsize) {
        return None;
    }
    // The outermost axis one index of which spans at most STAGE bytes.
    (0..=last)
        .find(|&a| span(&shape[a + 1..], &strides[a + 1..], itemsize) <= STAGE as i128)
        .map(|axis| Plan { axis })
}

/// Writes a strided view in C order, block by block: each block (consecutive indices of
/// `plan.axis`, at most [`STAGE`] bytes of the mapping from its lowest to its highest
/// byte) is read with one copy, then its elements are gathered in memory and written
/// with one write. Both sides stay sequential, and there is one system call per block
/// instead of one per 256 elements. The block is read from `source` (the mapped file,
/// see [`source_file`]) with pread when there is one, else, and for whatever pread did
/// not return (a file truncated underneath), through the guarded copies: a page the
/// file no longer covers is MM_E_IO (EFAULT), never SIGBUS.
fn write_staged(file: &mut File, view: &View, source: Option<&File>, plan: Plan) -> Result<()> {
    let (shape, strides, itemsize) = (view.shape(), view.strides(), view.itemsize());
    let axis = plan.axis;
    let inner = &shape[axis + 1..];
    let inner_strides = &strides[axis + 1..];
    let row_span = span(inner, inner_strides, itemsize) as usize;
    let row_bytes = inner.iter().product::<usize>() * itemsize;
    let step = strides[axis].unsigned_abs() as usize;
    let mut stage: Vec<u8> = Vec::new();
    let mut out: Vec<u8> = Vec::new();
    let mut index = vec![0usize; axis];
    let mut block_shape = shape[axis..].to_vec();
    loop {
        let mut first = view.data_ptr();
        for (k, &i) in index.iter().enumerate() {
            first = first.wrapping_offset(i as isize * strides[k] as isize);
        }
        let mut i = 0;
        while i < shape[axis] {
            let fit = match step {
                0 => usize::MAX,
                _ => (STAGE - row_span) / step + 1,
            };
            let k = fit.min(shape[axis] - i);
            block_shape[0] = k;
            let Some((lo, hi)) = layout::byte_extent(&block_shape, &strides[axis..], itemsize)
            else {
                return Ok(()); // no elements
            };
            let at = first.wrapping_offset(i as isize * strides[axis] as isize);
            let low = at.wrapping_offset(lo as isize);
            let len = (hi - lo) as usize;
            stage.clear();
            reserve(&mut stage, len)?;
            // SAFETY: `low .. low + len` is the extent of elements of the view, inside
            // the mapping (checked when the view was made); `stage` has room for `len`.
            unsafe {
                read_block(view, source, low, stage.as_mut_ptr(), len)?;
                stage.set_len(len);
            }
            // Zeroed once, at its largest, and overwritten by every block.
            let need = k * row_bytes;
            if out.len() < need {
                let more = need - out.len();
                reserve(&mut out, more)?;
                out.resize(need, 0);
            }
            gather_local(
                &mut out[..need],
                &stage,
                (-lo) as usize,
                &block_shape,
                &strides[axis..],
                itemsize,
            );
            write_all(file, &out[..need])?;
            i += k;
        }
        // Advance the odometer over the axes before `axis`.
        let mut a = axis;
        loop {
            if a == 0 {
                return Ok(());
            }
            a -= 1;
            index[a] += 1;
            if index[a] < shape[a] {
                break;
            }
            index[a] = 0;
        }
    }
}

/// Reads `len` bytes of the view's mapping from `src` into `dst`: with pread from the
/// mapped file when there is one (no page of the mapping is touched), the rest (all of
/// it without a file, or what pread did not return) through the guarded copies.
///
/// # Safety
/// As [`guarded::read_raw`].
unsafe fn read_block(
    view: &View,
    source: Option<&File>,
    src: *const u8,
    dst: *mut u8,
    len: usize,
) -> Result<()> {
    let mut done = 0;
    if let Some(file) = source {
        let at = file_position(view, src);
        // SAFETY: `dst` has `len` writable bytes (our caller's contract).
        let buf = unsafe { std::slice::from_raw_parts_mut(dst, len) };
        while done < len {
            match file.read_at(&mut buf[done..], at + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    }
    // SAFETY: forwarded from our caller.
    unsafe { guarded::read_raw(view, "save", src.add(done), dst.add(done), len - done) }
}

/// Gathers the elements of `shape` and `strides` (`itemsize` bytes each), the first at
/// `stage[first..]`, into `out` in C order. Every element lies inside `stage` (it holds
/// their whole extent) and `out` has exactly their bytes.
fn gather_local(
    out: &mut [u8],
    stage: &[u8],
    first: usize,
    shape: &[usize],
    strides: &[i64],
    itemsize: usize,
) {
    let last = shape.len() - 1;
    let (n, stride) = (shape[last], strides[last] as isize);
    let row = n * itemsize;
    let mut index = vec![0usize; last];
    for dst in out.chunks_exact_mut(row.max(1)) {
        let mut start = first as isize;
        for (k, &i) in index.iter().enumerate() {
            start += i as isize * strides[k] as isize;
        }
        match itemsize {
            1 => gather_row::<1>(dst, stage, start, stride),
            2 => gather_row::<2>(dst, stage, start, stride),
            4 => gather_row::<4>(dst, stage, start, stride),
            8 => gather_row::<8>(dst, stage, start, stride),
            16 => gather_row::<16>(dst, stage, start, stride),
            _ => {
                for (j, d) in dst.chunks_exact_mut(itemsize).enumerate() {
                    let o = (start + j as isize * stride) as usize;
                    d.copy_from_slice(&stage[o..o + itemsize]);
                }
            }
        }
        for a in (0..last).rev() {
            index[a] += 1;
            if index[a] < shape[a] {
                break;
            }
            index[a] = 0;
        }
    }
}

/// One row of [`gather_local`] for elements of `N` bytes.
fn gather_row<const N: usize>(dst: &mut [u8], stage: &[u8], start: isize, stride: isize) {
    for (j, d) in dst.chunks_exact_mut(N).enumerate() {
        let o = (start + j as isize * stride) as usize;
        d.copy_from_slice(&stage[o..o + N]);
    }
}

/// Makes room for `n` more bytes in `buf`, fallibly: MM_E_IO/ENOMEM instead of an abort.
fn reserve(buf: &mut Vec<u8>, n: usize) -> Result<()> {
    buf.try_reserve_exact(n)
        .map_err(|_| MmError::no_memory("the save's copy buffer", n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;
    use crate::layout::Order;

    /// Every way of writing a save's data gives the bytes of the plain guarded walk
    /// (`write_data`, what a .npz member holds): the kernel copy on and off (off is
    /// what a kernel without copy_file_range, or with EXDEV, gets), with and without
    /// the source file, for contiguous, dense strided, sparse and reversed views.
    #[test]
    fn every_path_writes_the_same_bytes() {
        let dir = crate::test_tempdir::TempDir::new("save");
        let (rows, cols) = (64usize, 300usize);
        let dtype = DType::parse("<f8").unwrap();
        let view =
            super::super::create(&dir.path("src.npy"), &dtype, &[rows, cols], Order::C).unwrap();
        let data: Vec<u8> = (0..rows * cols)
            .flat_map(|i| (i as f64).to_le_bytes())
            .collect();
        // SAFETY: `data` has exactly the view's bytes.
        unsafe { guarded::write_at(&view, 0, data.as_ptr(), data.len()) }.unwrap();
        let views = [
            ("whole", view.clone()),
            ("rows", view.slice(0, 5, 60, 1).unwrap()),
            ("every other column", view.slice(1, 1, i64::MAX, 2).unwrap()),
            ("reversed", view.slice(0, i64::MAX, i64::MIN, -1).unwrap()),
            ("column (sparse)", view.slice(1, 7, 8, 1).unwrap()),
            (
                "transposed",
                view.view(None, 0, &[cols, rows], Some(&[8, 8 * cols as i64]))
                    .unwrap(),
            ),
        ];
        let source = source_file(&view);
        assert!(source.is_some(), "a w+ array opened by path has its file");
        for (name, v) in &views {
            let fortran = fortran_flag(v.shape(), v.strides(), v.itemsize());
            let mut want = Vec::new();
            write_data(&mut want, v, fortran).unwrap();
            assert_eq!(want.len(), v.nbytes(), "{name}");
            for kernel in [false, true] {
                for src in [None, source.as_ref()] {
                    let path = dir.path("out");
                    let mut out = File::create(&path).unwrap();
                    write_file_data(&mut out, v, fortran, src, kernel).unwrap();
                    drop(out);
                    let got = std::fs::read(&path).unwrap();
                    assert!(
                        got == want,
                        "{name}: kernel {kernel}, source {}",
                        src.is_some()
                    );
                }
            }
        }
        // Which path each view takes.
        assert!(staged_plan(&views[2].1).is_some());
        assert!(staged_plan(&views[3].1).is_some());
        assert!(staged_plan(&views[4].1).is_none());
    }
}
