//! .npy files: opening one as a view (numpy's `open_memmap` / `np.load(mmap_mode=...)`),
//! creating one (`open_memmap(mode='w+')`) and saving any view as `np.save` would.
//!
//! Opening never changes the file (decision D9): data shorter than the header says is
//! `FileTooSmall` in every mode, and w+ is refused in favour of [`create`].

pub mod header;

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::dtype::DType;
use crate::error::{ErrorKind, MmError, Result};
use crate::layout::{self, Order};
use crate::mapping::{Mode, OpenSpec};
use crate::view::View;

pub use header::Header;

/// Reads the header of the .npy file at `path`.
pub fn read_header(path: &Path) -> Result<(Header, u64)> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| MmError::os("cannot open the file", &e))?;
    let meta = file
        .metadata()
        .map_err(|e| MmError::os("fstat failed", &e))?;
    // Before reading: reading a FIFO would consume its writer's data.
    crate::mapping::require_regular(&meta)?;
    let size = meta.len();
    let header = header::read(&mut BufReader::with_capacity(8192, file))?;
    Ok((header, size))
}

/// Opens a .npy file in mode r, r+ or c with the header's dtype, shape and order, mapped
/// at the data offset (which the view reports as its offset).
pub fn open(path: &Path, mode: Mode) -> Result<View> {
    if mode == Mode::Write {
        return Err(MmError::invalid(
            "mode w+ is not accepted for an existing .npy file (numpy would destroy it); use mm_create_npy to create one",
        ));
    }
    let (header, size) = read_header(path)?;
    let nbytes = header.shape.iter().product::<usize>() * header.dtype.itemsize(); // checked in header
    let need = header.data_offset + nbytes as u64;
    if size < need {
        return Err(MmError::new(
            ErrorKind::FileTooSmall,
            format!(
                "the header says {} data bytes from offset {} (shape {}, dtype {}), but the file has {size} bytes; the data is truncated",
                nbytes,
                header.data_offset,
                crate::dtype::shape_text(&header.shape),
                header.dtype.typestr()
            ),
        ));
    }
    let spec = OpenSpec {
        dtype: header.dtype,
        mode,
        offset: header.data_offset,
        shape: Some(header.shape),
        order: if header.fortran_order {
            Order::F
        } else {
            Order::C
        },
    };
    View::open(path, &spec)
}

/// np.save's rule (`save`): Fortran order only for arrays F- and not C-contiguous.
fn fortran_flag(shape: &[usize], strides: &[i64], itemsize: usize) -> bool {
    layout::is_f_contiguous(shape, strides, itemsize)
        && !layout::is_c_contiguous(shape, strides, itemsize)
}

/// numpy's `np.lib.format.open_memmap(path, mode='w+', dtype=dtype, shape=shape,
/// fortran_order=(order == F))`: writes the header, sizes the file (sparse, zero data)
/// and maps it read-write (mode r+). The file is byte-identical to the one open_memmap
/// writes, filled the same: its header says `fortran_order: True` exactly when `order`
/// is F, whatever the shape (a 0-d, 1-D or (2, 1) array included), as open_memmap's
/// does. It is therefore byte-identical to np.save of the filled array only where
/// np.save's rule (F- and not C-contiguous) gives the same flag: for every C order, and
/// for an F order whose array is not also C-contiguous. Every argument is validated
/// before the file is touched; a file this call created is removed again if a later step
/// fails.
pub fn create(path: &Path, dtype: &DType, shape: &[usize], order: Order) -> Result<View> {
    let itemsize = dtype.itemsize();
    let nbytes = layout::byte_count(layout::element_count(shape)?, itemsize, shape)?;
    // Validates the shape against the address space; the strides follow from the order.
    layout::contiguous_strides(shape, itemsize, order)?;
    let fortran = order == Order::F;
    let head = header::encode(dtype, shape, fortran)?;
    let total = (head.len() as u64)
        .checked_add(nbytes as u64)
        .filter(|&t| t <= i64::MAX as u64)
        .ok_or_else(|| MmError::invalid("header + data do not fit in a file size"))?;
    crate::mapping::absolute_normalised(path)?;

    // The w+ opener of mm_open: creates the file (through a dangling symlink too) and
    // says which path it created, so that a failure removes exactly that.
    let (file, created) = crate::mapping::open_file(path, Mode::Write)?;
    let result = (|| {
        let meta = file
            .metadata()
            .map_err(|e| MmError::os("fstat failed", &e))?;
        if !meta.file_type().is_file() {
            let mut err = MmError::new(
                ErrorKind::Io,
                "not a regular file: a .npy can only be created as a regular file",
            );
            err.os_error = libc::ENODEV;
            return Err(err);
        }
        let size_err = |what: &str, e: &io::Error| MmError::os(what.to_string(), e);
        if created.is_none() {
            // Prove the final size is possible before giving up the old content.
            file.set_len(total)
                .map_err(|e| size_err(&format!("cannot size the file to {total} bytes"), &e))?;
            file.set_len(0)
                .map_err(|e| size_err("cannot truncate the file", &e))?;
        }
        file.set_len(total)
            .map_err(|e| size_err(&format!("cannot size the file to {total} bytes"), &e))?;
        file.write_all_at(&head, 0)
            .map_err(|e| size_err("cannot write the .npy header", &e))?;
        let spec = OpenSpec {
            dtype: dtype.clone(),
            mode: Mode::ReadWrite,
            offset: head.len() as u64,
            shape: Some(shape.to_vec()),
            order: if fortran { Order::F } else { Order::C },
        };
        View::open(path, &spec)
    })();
    if let (Err(_), Some(created)) = (&result, created) {
        let _ = std::fs::remove_file(created);
    }
    result
}

/// Bytes copied per write while saving: memory use of a save is bounded by this.
const CHUNK: usize = 1 << 20;

/// `np.save(path, view)` of the array the view shows, byte-identical to np.save's file:
/// the header says `fortran_order: True` exactly when the view is F- and not
/// C-contiguous (np.save's rule: never for a 0-d, 1-D or (2, 1) view), else the data is
/// in C order; streamed through a bounded buffer, replacing `path` atomically (a
/// temporary file in the same directory, anonymous until complete where the filesystem
/// allows, fsync, rename, fsync of the directory). No `.npy` suffix is added.
pub fn save(view: &View, path: &Path) -> Result<()> {
    let dtype = view.dtype();
    let shape = view.shape();
    let strides = view.strides();
    let itemsize = dtype.itemsize();
    let fortran = fortran_flag(shape, strides, itemsize);
    let head = header::encode(dtype, shape, fortran)?;
    let name = path
        .file_name()
        .ok_or_else(|| MmError::invalid("the path names no file"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (mut file, mut temp) = create_temp(&dir)?;
    // An anonymous (O_TMPFILE) file gets a name only once it is complete, so a process
    // killed while writing leaves nothing behind; the name exists just for the rename.
    let result = (|| {
        write_all(&mut file, &head)?;
        write_data(&mut file, view, fortran)?;
        file.sync_all()
            .map_err(|e| MmError::os("fsync of the new file failed", &e))?;
        let temp = match &temp {
            Some(t) => t.clone(),
            None => temp.insert(link_temp(&file, &dir)?).clone(),
        };
        std::fs::rename(&temp, path).map_err(|e| {
            MmError::os(
                format!(
                    "cannot rename the new file over {:?}",
                    name.to_string_lossy()
                ),
                &e,
            )
        })
    })();
    drop(file);
    if let Err(e) = result {
        if let Some(temp) = &temp {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    // The rename is durable once the directory is synced.
    let dir_file =
        File::open(&dir).map_err(|e| MmError::os("cannot open the directory to fsync it", &e))?;
    dir_file
        .sync_all()
        .map_err(|e| MmError::os("fsync of the directory failed", &e))
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
fn write_data(file: &mut File, view: &View, fortran: bool) -> Result<()> {
    let itemsize = view.itemsize();
    let nbytes = view.nbytes();
    if nbytes == 0 {
        return Ok(());
    }
    let base = view.data_ptr();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK.min(nbytes));
    let shape = view.shape();
    let strides = view.strides();
    let contiguous = fortran || layout::is_c_contiguous(shape, strides, itemsize);
    // SAFETY (all reads below): every byte read lies inside the view's extent, which was
    // checked against the mapping when the view was made; the mapping lives as long as
    // `view`. Bytes are copied out with raw pointers, never borrowed as slices.
    if contiguous {
        let mut done = 0;
        while done < nbytes {
            let n = CHUNK.min(nbytes - done);
            buf.clear();
            unsafe {
                std::ptr::copy_nonoverlapping(base.add(done), buf.as_mut_ptr(), n);
                buf.set_len(n);
            }
            write_all(file, &buf)?;
            done += n;
        }
        return Ok(());
    }
    // C-order walk; the last axis is copied as one run when its elements are adjacent.
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
        if run_contig {
            let mut done = 0;
            let total = run_len * itemsize;
            while done < total {
                let room = CHUNK.saturating_sub(buf.len()).max(itemsize);
                let n = room.min(total - done);
                if buf.len() + n > buf.capacity() {
                    write_all(file, &buf)?;
                    buf.clear();
                    buf.reserve(n);
                }
                let at = buf.len();
                unsafe {
                    std::ptr::copy_nonoverlapping(row.add(done), buf.as_mut_ptr().add(at), n);
                    buf.set_len(at + n);
                }
                done += n;
            }
        } else {
            for i in 0..run_len {
                if buf.len() + itemsize > buf.capacity() {
                    write_all(file, &buf)?;
                    buf.clear();
                    buf.reserve(itemsize);
                }
                let at = buf.len();
                let src = row.wrapping_offset(i as isize * strides[last] as isize);
                unsafe {
                    std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr().add(at), itemsize);
                    buf.set_len(at + itemsize);
                }
            }
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
