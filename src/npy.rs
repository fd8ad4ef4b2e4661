//! .npy files: opening one as a view (numpy's `open_memmap` / `np.load(mmap_mode=...)`),
//! creating one (`open_memmap(mode='w+')`) and saving any view as `np.save` would.
//!
//! Opening never changes the file (decision D9, docs/numpy-semantics.md#d9): data
//! shorter than the header says is `FileTooSmall` in every mode, and w+ is refused in
//! favour of [`create`].

mod grow;
pub mod header;
mod kernel_copy;
mod save;

use std::fs::File;
use std::io::{self, BufReader};
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::dtype::DType;
use crate::error::{ErrorKind, MmError, Result};
use crate::layout::{self, Order};
use crate::mapping::{Mode, NpyFrame, OpenSpec};
use crate::view::View;

pub use grow::{append, grow, recover, row_bytes};
pub use header::Header;
pub use save::save;
pub(crate) use save::write_npy;

/// Reads the header of the .npy file at `path` (and returns the file's size).
pub fn read_header(path: &Path) -> Result<(Header, u64)> {
    let (file, _) = crate::mapping::open_file(path, Mode::ReadOnly)?;
    read_header_of(&file)
}

/// Reads the header from the start of an open file, with pread (the descriptor's offset
/// is not used), after checking it is a regular file: reading a FIFO would consume its
/// writer's data. Returns the header and the file's size, measured *after* the header
/// was read: a growth (src/npy/grow.rs) writes the rows before the header that counts
/// them, so a size measured after the header covers every row the header counts, even
/// while another process appends.
fn read_header_of(file: &File) -> Result<(Header, u64)> {
    let fstat = || file.metadata().map_err(|e| MmError::os("fstat failed", &e));
    crate::mapping::require_regular(&fstat()?)?;
    let header = header::read(&mut BufReader::with_capacity(8192, ReadAt { file, pos: 0 }))?;
    let size = fstat()?.len();
    Ok((header, size))
}

/// `Read` over pread from a position of a shared file.
struct ReadAt<'a> {
    file: &'a File,
    pos: u64,
}

impl io::Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// Opens a .npy file in mode r, r+ or c with the header's dtype, shape and order, mapped
/// at the data offset (which the view reports as its offset).
///
/// The path is opened once: the header is read (pread) from the same descriptor that is
/// then mapped, so a concurrent replace of the path (an atomic `mm_save_npy`) gives
/// either the old file's header and data or the new file's, never one's header over the
/// other's data. The file's size is never changed (D9): data shorter than the header
/// says is FileTooSmall in every mode, even if the file shrinks between the header read
/// and the mapping.
pub fn open(path: &Path, mode: Mode) -> Result<View> {
    if mode == Mode::Write {
        return Err(MmError::invalid(
            "mode w+ is not accepted for an existing .npy file (numpy would destroy it); use mm_create_npy to create one",
        ));
    }
    let (file, _) = crate::mapping::open_file(path, mode)?;
    let (header, size) = read_header_of(&file)?;
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
        dtype: header.dtype.clone(),
        mode,
        offset: header.data_offset,
        shape: Some(header.shape),
        order: if header.fortran_order {
            Order::F
        } else {
            Order::C
        },
    };
    let (mut mapping, shape) = crate::mapping::map_opened(&file, path, &spec)?;
    mapping.set_npy_frame(NpyFrame {
        version: header.version,
        dtype: header.dtype,
        shape: shape.clone(),
        fortran_order: header.fortran_order,
    });
    View::over(mapping, &spec, shape)
}

/// numpy's `np.lib.format.open_memmap(path, mode='w+', dtype=dtype, shape=shape,
/// fortran_order=(order == F))`: writes the header, sizes the file (sparse, zero data)
/// and maps it read-write (mode r+). The file is byte-identical to the one open_memmap
/// writes, filled the same: its header says `fortran_order: True` exactly when `order`
/// is F, whatever the shape (a 0-d, 1-D or (2, 1) array included), as open_memmap's
/// does. It is therefore byte-identical to np.save of the filled array only where
/// np.save's rule (F- and not C-contiguous) gives the same flag: for every C order, and
/// for an F order whose array is not also C-contiguous. Every argument is validated
/// before the file is touched.
///
/// The file is changed by the one w+ sequence of `mm_open` (`mapping::create_with_prefix`):
/// the data region is mapped and the header's blocks reserved *before* an existing file
/// is truncated, so a failure (the mapping refused under RLIMIT_AS, a full disk,
/// RLIMIT_FSIZE with SIGXFSZ ignored, a FIFO or device: MM_E_IO/ENODEV) leaves an
/// existing file byte-for-byte as it was, and a file this call created is removed
/// again. (On a copy-on-write filesystem, btrfs for one, rewriting the header needs new
/// blocks that cannot be reserved in advance; a disk that fills up between the
/// reservation and the header write can then still leave the old file truncated.)
pub fn create(path: &Path, dtype: &DType, shape: &[usize], order: Order) -> Result<View> {
    let itemsize = dtype.itemsize();
    let nbytes = layout::byte_count(layout::element_count(shape)?, itemsize, shape)?;
    // Validates the shape against the address space; the strides follow from the order.
    layout::contiguous_strides(shape, itemsize, order)?;
    let fortran = order == Order::F;
    let head = header::encode(dtype, shape, fortran)?;
    (head.len() as u64)
        .checked_add(nbytes as u64)
        .filter(|&t| t <= i64::MAX as u64)
        .ok_or_else(|| MmError::invalid("header + data do not fit in a file size"))?;
    let spec = OpenSpec {
        dtype: dtype.clone(),
        mode: Mode::Write,
        offset: head.len() as u64,
        shape: Some(shape.to_vec()),
        order: if fortran { Order::F } else { Order::C },
    };
    let (mut mapping, shape) = crate::mapping::create_with_prefix(path, &spec, &head)?;
    mapping.set_npy_frame(NpyFrame {
        version: (head[6], head[7]),
        dtype: dtype.clone(),
        shape: shape.clone(),
        fortran_order: fortran,
    });
    View::over(mapping, &spec, shape)
}
