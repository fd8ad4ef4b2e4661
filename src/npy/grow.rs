//! Growing a .npy file in place: appending rows along the growth axis (axis 0 in C
//! order, the last axis in Fortran order), growing it with zero rows, and recovering a
//! file after a crash.
//!
//! np.save leaves room in every header for the growth axis to reach 21 digits: the
//! dict text is followed by `21 - len(repr(shape[axis]))` spaces before the alignment
//! padding, so a header for a longer growth axis has exactly the old header's length
//! and is rewritten in place, byte-identical to np.save of the grown array.
//!
//! Every growth, under an exclusive advisory lock (flock) on the file:
//! 1. reopens the path and checks it is still the file the handle maps (st_dev,
//!    st_ino): no descriptor is kept (D6);
//! 2. re-reads the header: the rows go after the file's *current* length, which another
//!    handle or process may have grown;
//! 3. writes the rows (pwrite) after the current data, so the file only grows;
//! 4. only then rewrites the header's changed bytes in place (same length, one pwrite).
//!
//! A process killed between 3 and 4 leaves a header that counts only the old rows
//! (np.load reads a prefix); [`recover`] counts the whole rows the file holds. A failure
//! in 3 or 4 truncates the file back to its old length, the header untouched.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::header::{self, Header};
use super::read_header_of;
use crate::dtype::{shape_text, DType};
use crate::error::{ErrorKind, MmError, Result};
use crate::layout::{self, Order};
use crate::mapping::{Mode, NpyFrame, OpenSpec};
use crate::platform::{self, FileExt};
use crate::view::View;

/// What a growth of a handle's file needs to know, checked before the file is opened.
struct Target {
    path: PathBuf,
    file_id: (u64, u64),
    frame: NpyFrame,
    mode: Mode,
    data_offset: u64,
    axis: usize,
    row_bytes: usize,
}

/// The growth axis of a header: the last axis in Fortran order, else axis 0.
fn growth_axis(shape: &[usize], fortran_order: bool) -> usize {
    if fortran_order {
        shape.len() - 1
    } else {
        0
    }
}

/// Bytes of one row: the product of the other dimensions times the itemsize.
fn row_bytes_of(shape: &[usize], axis: usize, dtype: &DType) -> Result<usize> {
    shape
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != axis)
        .try_fold(dtype.itemsize(), |acc, (_, &d)| acc.checked_mul(d))
        .ok_or_else(|| MmError::invalid("the size of one row overflows"))
}

fn check_target(view: &View) -> Result<Target> {
    let mapping = view.mapping();
    if !mapping.mode().changes_file() {
        return Err(MmError::new(
            ErrorKind::ReadOnly,
            format!(
                "the array is open in mode {}; growing its file needs mode r+ (mm_open_npy with \"r+\", or mm_create_npy)",
                mapping.mode().as_str()
            ),
        ));
    }
    let Some(path) = mapping.filename() else {
        return Err(MmError::new(
            ErrorKind::Io,
            "the array was opened from a file descriptor: it has no path to reopen, so its file cannot be grown",
        ));
    };
    let Some(frame) = mapping.npy_frame() else {
        return Err(MmError::invalid(
            "the array is not a .npy file's array (it was opened with mm_open or mm_open_fd); only arrays from mm_open_npy or mm_create_npy can grow",
        ));
    };
    if frame.shape.is_empty() {
        return Err(MmError::invalid(
            "the array is 0-d: a 0-d .npy array has no axis to grow",
        ));
    }
    let order = if frame.fortran_order {
        Order::F
    } else {
        Order::C
    };
    let whole = view.position() == 0
        && view.shape() == frame.shape.as_slice()
        && view.dtype() == &frame.dtype
        && view.strides()
            == layout::contiguous_strides(&frame.shape, frame.dtype.itemsize(), order)?.as_slice();
    if !whole {
        return Err(MmError::invalid(format!(
            "the handle is a view (shape {}, dtype {}), not the whole array of the file (shape {}, dtype {}); grow through the handle mm_open_npy or mm_create_npy returned",
            shape_text(view.shape()),
            view.dtype().typestr(),
            shape_text(&frame.shape),
            frame.dtype.typestr()
        )));
    }
    let Some(file_id) = mapping.file_id() else {
        return Err(MmError::new(ErrorKind::Io, "the array has no file"));
    };
    let axis = growth_axis(&frame.shape, frame.fortran_order);
    let row_bytes = row_bytes_of(&frame.shape, axis, &frame.dtype)?;
    Ok(Target {
        path: path.to_path_buf(),
        file_id,
        frame: frame.clone(),
        mode: mapping.mode(),
        data_offset: mapping.offset(),
        axis,
        row_bytes,
    })
}

/// Holds the exclusive flock of an open file until dropped, which unlocks it with
/// LOCK_UN. Closing the descriptor is not enough: a flock belongs to the open file
/// description, and the grown array's mapping (made from this descriptor) keeps that
/// alive, so without LOCK_UN the lock would last as long as the mapping (every later
/// growth would wait for it; seen as a hang in tests/npy_grow.rs).
struct Locked {
    file: File,
}

fn lock_exclusive(file: File) -> Result<Locked> {
    platform::lock_file(&file)
        .map_err(|e| MmError::os("cannot lock the file (flock LOCK_EX)", &e))?;
    Ok(Locked { file })
}

impl Drop for Locked {
    fn drop(&mut self) {
        platform::unlock_file(&self.file);
    }
}

/// Reopens the handle's path, locks it, and checks it is still the mapped file. Returns
/// the locked file and its size (under the lock, the size only changes by our hand).
fn reopen(t: &Target) -> Result<(Locked, u64)> {
    let (file, _) = crate::mapping::open_file(&t.path, Mode::ReadWrite).map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            let mut err = MmError::new(
                ErrorKind::Io,
                format!(
                    "the file the array maps was removed: {} no longer exists ({})",
                    t.path.display(),
                    e.message
                ),
            );
            err.os_error = e.os_error;
            err
        } else {
            e
        }
    })?;
    let locked = lock_exclusive(file)?;
    // One fstat for the size and the identity (as an open makes).
    let stat = platform::stat_file(&locked.file).map_err(|e| MmError::os("fstat failed", &e))?;
    let id = stat.id;
    if id != t.file_id {
        return Err(MmError::new(
            ErrorKind::Io,
            format!(
                "the file the array maps was replaced or removed: {} is now another file (device/inode {}/{}, the mapping's {}/{})",
                t.path.display(),
                id.0,
                id.1,
                t.file_id.0,
                t.file_id.1
            ),
        ));
    }
    Ok((locked, stat.len))
}

/// The header as it is now, checked to describe the same array as the handle's apart
/// from the growth axis's length, and its bytes. The common case costs one pread and
/// one encoding: the shape is read from the header text and the header accepted when
/// it is exactly numpy's encoding of the handle's dtype and order with that shape;
/// anything else goes through the full reader.
fn current_header(t: &Target, file: &File) -> Result<(Header, Vec<u8>)> {
    let old_len = t.data_offset as usize;
    let mut old = Vec::new();
    old.try_reserve_exact(old_len)
        .map_err(|_| MmError::no_memory("the .npy header", old_len))?;
    old.resize(old_len, 0);
    let read = file.read_exact_at(&mut old, 0);
    if read.is_ok() {
        if let Some(h) = numpy_header(t, &old) {
            return Ok((h, old));
        }
    }
    let (h, _) = read_header_of(file)?;
    read.map_err(|e| MmError::os("cannot read the .npy header", &e))?;
    let same_rest = h.shape.len() == t.frame.shape.len()
        && h.shape
            .iter()
            .zip(&t.frame.shape)
            .enumerate()
            .all(|(i, (a, b))| i == t.axis || a == b);
    if h.dtype != t.frame.dtype
        || h.fortran_order != t.frame.fortran_order
        || h.data_offset != t.data_offset
        || !same_rest
    {
        return Err(MmError::new(
            ErrorKind::Io,
            format!(
                "the file's header changed since the array was mapped: it now says dtype {}, shape {}, fortran_order {} (data at {}); the array has dtype {}, shape {}, fortran_order {} (data at {})",
                h.dtype.typestr(),
                shape_text(&h.shape),
                h.fortran_order,
                h.data_offset,
                t.frame.dtype.typestr(),
                shape_text(&t.frame.shape),
                t.frame.fortran_order,
                t.data_offset
            ),
        ));
    }
    Ok((h, old))
}

/// The header `old` as numpy's encoding of the handle's dtype and order with the shape
/// its text states (the other dimensions the handle's); `None` when it is anything else.
fn numpy_header(t: &Target, old: &[u8]) -> Option<Header> {
    const KEY: &[u8] = b"'shape': (";
    let at = old.windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    let len = old[at..].iter().position(|&b| b == b')')?;
    let inner = std::str::from_utf8(&old[at..at + len]).ok()?;
    let mut shape = Vec::with_capacity(t.frame.shape.len());
    for part in inner.split(',') {
        let part = part.trim();
        if !part.is_empty() {
            shape.push(part.parse::<usize>().ok()?);
        }
    }
    let same_rest = shape.len() == t.frame.shape.len()
        && shape
            .iter()
            .zip(&t.frame.shape)
            .enumerate()
            .all(|(i, (a, b))| i == t.axis || a == b);
    if !same_rest || old.len() < 8 {
        return None;
    }
    let version = (old[6], old[7]);
    let encoded =
        header::encode_as(&t.frame.dtype, &shape, t.frame.fortran_order, Some(version)).ok()?;
    (encoded == old).then(|| Header {
        version,
        dtype: t.frame.dtype.clone(),
        shape,
        fortran_order: t.frame.fortran_order,
        data_offset: t.data_offset,
    })
}

/// The end of the data of `length` rows, checked to fit a file size and the address
/// space (the grown array must be mappable) and to have strides that fit 64 bits (numpy's
/// own limit: the product of the dimensions, zeros counted as 1, times the itemsize is at
/// most i64::MAX; np.load refuses a longer header).
fn data_end(h: &Header, axis: usize, length: usize, row_bytes: usize) -> Result<u64> {
    let mut shape = h.shape.clone();
    shape[axis] = length;
    let order = if h.fortran_order { Order::F } else { Order::C };
    let count = layout::element_count(&shape)
        .and_then(|n| layout::byte_count(n, h.dtype.itemsize(), &shape))
        .and_then(|_| layout::contiguous_strides(&shape, h.dtype.itemsize(), order));
    let end = (length as u128) * (row_bytes as u128) + h.data_offset as u128;
    match count {
        Ok(_) if end <= i64::MAX as u128 => Ok(end as u64),
        _ => Err(MmError::invalid(format!(
            "a growth axis of {length} rows (shape {}, dtype {}) overflows the file size or numpy's array size (int64 strides)",
            shape_text(&shape),
            h.dtype.typestr()
        ))),
    }
}

/// The header bytes for `length` rows, in the file's format version: the old header's
/// length, else Unsupported with the fix.
fn new_header(h: &Header, axis: usize, length: usize) -> Result<Vec<u8>> {
    let mut shape = h.shape.clone();
    shape[axis] = length;
    let new = header::encode_as(&h.dtype, &shape, h.fortran_order, Some(h.version))?;
    let old_len = h.data_offset as usize;
    if new.len() != old_len {
        return Err(MmError::new(
            ErrorKind::Unsupported,
            format!(
                "the header has no room for the new shape {}: it is {old_len} bytes, the new one would be {} (the file was written by a tool that does not leave np.save's spare room in the header); mm_save_npy of the whole array to the same path rewrites it with numpy's padding, atomically, after which it can grow",
                shape_text(&shape),
                new.len()
            ),
        ));
    }
    Ok(new)
}

/// The one test of a growth's new length, shared by [`append`], [`grow`] and [`room`]:
/// the end of the data of `length` rows and the header bytes that say so, or why that
/// length cannot be written in place.
fn grown(h: &Header, axis: usize, length: usize, row_bytes: usize) -> Result<(u64, Vec<u8>)> {
    let end = data_end(h, axis, length, row_bytes)?;
    Ok((end, new_header(h, axis, length)?))
}

/// The room a .npy header gives its growth axis for growing in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// The growth axis: 0, or the last for Fortran order.
    pub axis: usize,
    /// Its current length.
    pub length: usize,
    /// The largest length [`append`] and [`grow`] can give it: `length` when the header
    /// cannot be rewritten in place at all.
    pub max_length: usize,
    /// Whether the header can be rewritten in place (it has np.save's length for its
    /// shape): false for a header written without np.save's spare room.
    pub rewritable: bool,
    /// The header's length (the data offset) and np.save's for the same array, in the
    /// file's format version (None when that version cannot encode it).
    pub header_len: u64,
    pub numpy_header_len: Option<usize>,
}

/// The growth room of the header `h` (None for a 0-d array, which has no growth axis):
/// computed with the very test [`append`] and [`grow`] make of a new length, so every
/// length up to `max_length` can be written and `max_length + 1` cannot.
pub fn room(h: &Header) -> Result<Option<Room>> {
    if h.shape.is_empty() {
        return Ok(None);
    }
    let axis = growth_axis(&h.shape, h.fortran_order);
    let row_bytes = row_bytes_of(&h.shape, axis, &h.dtype)?;
    let length = h.shape[axis];
    let ok = |l: usize| grown(h, axis, l, row_bytes).is_ok();
    let numpy_header_len = header::encode_as(&h.dtype, &h.shape, h.fortran_order, Some(h.version))
        .ok()
        .map(|b| b.len());
    let rewritable = ok(length);
    let mut max_length = length;
    if rewritable {
        // `ok` is monotone in the length: the data end grows with it, and np.save's
        // header has the same length for every growth axis of up to 21 digits (usize
        // has at most 20). Largest l with ok(l), by bisection.
        let (mut lo, mut hi) = (length, usize::MAX);
        if ok(hi) {
            lo = hi;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        max_length = lo;
    }
    Ok(Some(Room {
        axis,
        length,
        max_length,
        rewritable,
        header_len: h.data_offset,
        numpy_header_len,
    }))
}

/// Writes the bytes of `new` that differ from `old` (one pwrite of the changed range).
fn write_header(file: &File, old: &[u8], new: &[u8]) -> std::io::Result<()> {
    let first = old.iter().zip(new).position(|(a, b)| a != b);
    let last = old.iter().zip(new).rposition(|(a, b)| a != b);
    if let (Some(first), Some(last)) = (first, last) {
        file.write_all_at(&new[first..=last], first as u64)?;
    }
    Ok(())
}

/// Puts the file back to `size` bytes after a failed growth (the file only grew).
fn restore(file: &File, size: u64, err: MmError) -> MmError {
    if let Ok(meta) = file.metadata() {
        if meta.len() > size {
            let _ = file.set_len(size);
        }
    }
    err
}

/// The whole grown array: mapped before the file changes, so that a refused mapping
/// leaves the file as it was.
fn map_grown(t: &Target, file: &File, h: &Header, length: usize) -> Result<View> {
    let mut shape = h.shape.clone();
    shape[t.axis] = length;
    let spec = OpenSpec {
        dtype: t.frame.dtype.clone(),
        mode: t.mode,
        offset: t.data_offset,
        shape: Some(shape.clone()),
        order: if t.frame.fortran_order {
            Order::F
        } else {
            Order::C
        },
    };
    let (mut mapping, shape) = crate::mapping::map_for_growth(file, &t.path, &spec, t.file_id)?;
    mapping.set_npy_frame(NpyFrame {
        version: h.version,
        dtype: t.frame.dtype.clone(),
        shape: shape.clone(),
        fortran_order: t.frame.fortran_order,
    });
    View::over(mapping, &spec, shape)
}

/// Bytes of one row of the file that the whole array `view` maps, after every check a
/// growth makes of the handle (mode, a .npy file's whole array, not 0-d).
pub fn row_bytes(view: &View) -> Result<usize> {
    Ok(check_target(view)?.row_bytes)
}

/// Appends `nrows` rows (`rows`: C-contiguous values of the array's dtype; for F order
/// each row is one slab of the last axis, in F order) to the .npy file that the whole
/// array `view` maps, after the file's current length; returns the whole grown array
/// when `want_view`. `view` keeps its shape.
pub fn append(view: &View, rows: &[u8], nrows: usize, want_view: bool) -> Result<Option<View>> {
    let t = check_target(view)?;
    let nbytes = nrows.checked_mul(t.row_bytes).ok_or_else(|| {
        MmError::invalid(format!("{nrows} rows of {} bytes overflow", t.row_bytes))
    })?;
    if rows.len() != nbytes {
        return Err(MmError::invalid(format!(
            "{} bytes given for {nrows} rows of {} bytes",
            rows.len(),
            t.row_bytes
        )));
    }
    let (locked, size) = reopen(&t)?;
    let file = &locked.file;
    let (h, old_head) = current_header(&t, file)?;
    let cur = h.shape[t.axis];
    let length = cur.checked_add(nrows).ok_or_else(|| {
        MmError::invalid(format!("{cur} + {nrows} rows overflow the growth axis"))
    })?;
    let old_end = data_end(&h, t.axis, cur, t.row_bytes)?;
    let (_, new_head) = grown(&h, t.axis, length, t.row_bytes)?;
    // Mapped before the file changes where the system maps past the end of a file; on
    // Windows (which cannot) after the rows are written.
    let grown = if want_view && platform::CAN_MAP_PAST_END {
        Some(map_grown(&t, file, &h, length)?)
    } else {
        None
    };
    if let Err(e) = file.write_all_at(rows, old_end) {
        let err = MmError::os(
            format!("cannot write {nbytes} bytes of rows at offset {old_end}"),
            &e,
        );
        return Err(restore(file, size, err));
    }
    let grown = match grown {
        None if want_view => match map_grown(&t, file, &h, length) {
            Ok(v) => Some(v),
            Err(err) => return Err(restore(file, size, err)),
        },
        grown => grown,
    };
    if let Err(e) = write_header(file, &old_head, &new_head) {
        let err = MmError::os("cannot rewrite the header", &e);
        return Err(restore(file, size, err));
    }
    Ok(grown)
}

/// Grows the growth axis of the file that the whole array `view` maps to `new_length`
/// (at least the file's current length) with zero rows; returns the whole grown array.
pub fn grow(view: &View, new_length: usize) -> Result<View> {
    let t = check_target(view)?;
    let (locked, size) = reopen(&t)?;
    let file = &locked.file;
    let (h, old_head) = current_header(&t, file)?;
    let cur = h.shape[t.axis];
    if new_length < cur {
        return Err(MmError::invalid(format!(
            "new length {new_length} is less than the file's current length {cur} (a file only grows)"
        )));
    }
    let old_end = data_end(&h, t.axis, cur, t.row_bytes)?;
    let (new_end, new_head) = grown(&h, t.axis, new_length, t.row_bytes)?;
    let early = if platform::CAN_MAP_PAST_END {
        Some(map_grown(&t, file, &h, new_length)?)
    } else {
        None
    };
    // Bytes a crashed append left after the data become zero rows; past them, the file
    // is extended sparse (reads as zeros).
    let zero_to = size.min(new_end);
    let result = zero_range(file, old_end, zero_to).and_then(|()| {
        if new_end > size {
            file.set_len(new_end).map_err(|e| {
                MmError::os(
                    format!("cannot extend the file from {size} to {new_end} bytes"),
                    &e,
                )
            })
        } else {
            Ok(())
        }
    });
    if let Err(err) = result {
        return Err(restore(file, size, err));
    }
    let grown = match early {
        Some(v) => v,
        // Windows: the file covers the grown array only now.
        None => match map_grown(&t, file, &h, new_length) {
            Ok(v) => v,
            Err(err) => return Err(restore(file, size, err)),
        },
    };
    if let Err(e) = write_header(file, &old_head, &new_head) {
        let err = MmError::os("cannot rewrite the header", &e);
        return Err(restore(file, size, err));
    }
    Ok(grown)
}

/// Writes zeros over bytes `from..to` (those a crashed append left), in bounded pieces.
fn zero_range(file: &File, from: u64, to: u64) -> Result<()> {
    let zeros = [0u8; 65536];
    let mut at = from;
    while at < to {
        let n = ((to - at) as usize).min(zeros.len());
        file.write_all_at(&zeros[..n], at)
            .map_err(|e| MmError::os(format!("cannot zero the bytes at {at}"), &e))?;
        at += n as u64;
    }
    Ok(())
}

/// After a crash: sets the header's growth-axis length to the whole rows the file holds,
/// removes a trailing partial row, and returns the length. A consistent file is not
/// written at all. Runs under the same lock as the growths.
pub fn recover(path: &Path) -> Result<usize> {
    let (file, _) = crate::mapping::open_file(path, Mode::ReadWrite)?;
    let locked = lock_exclusive(file)?;
    let file = &locked.file;
    let (h, size) = read_header_of(file)?;
    if h.shape.is_empty() {
        return Err(MmError::invalid(
            "the file holds a 0-d array: it has no axis to grow or recover",
        ));
    }
    let axis = growth_axis(&h.shape, h.fortran_order);
    let row_bytes = row_bytes_of(&h.shape, axis, &h.dtype)?;
    let held = size - h.data_offset; // the header was read whole, so size >= data_offset
    let length = if row_bytes == 0 {
        h.shape[axis]
    } else {
        usize::try_from(held / row_bytes as u64)
            .map_err(|_| MmError::invalid("the file holds more rows than this platform counts"))?
    };
    let end = data_end(&h, axis, length, row_bytes)?;
    let heads = if length != h.shape[axis] {
        let new = new_header(&h, axis, length)?;
        let mut old = vec![0u8; new.len()]; // the same length as the header just read
        file.read_exact_at(&mut old, 0)
            .map_err(|e| MmError::os("cannot read the .npy header", &e))?;
        Some((old, new))
    } else {
        None
    };
    // The partial row goes before the header is rewritten: a refused truncation (Windows
    // refuses it while a view of this or another process maps the file) changes nothing.
    if size > end {
        file.set_len(end).map_err(|e| {
            let mut what = format!("cannot remove the partial row (truncate {size} to {end} bytes)");
            if platform::TRUNCATE_REFUSED_UNDER_VIEWS && platform::errno_of(&e) == libc::EBUSY {
                what += ": the file is mapped by a view of this or another process, and Windows cannot shorten a mapped file; the file is unchanged: close every view of it and call again";
            }
            MmError::os(what, &e)
        })?;
    }
    if let Some((old, new)) = heads {
        write_header(file, &old, &new).map_err(|e| MmError::os("cannot rewrite the header", &e))?;
    }
    Ok(length)
}
