//! Opening, creating and extending files, and the memory mapping of one array region.
//!
//! Order of work in an open, so that a failure never changes the caller's file:
//! validate every argument, open and measure the file, check sizes, map the region
//! (mapping past the end of a file is allowed), and only then truncate or extend.

use std::path::{Path, PathBuf};
use std::ptr::NonNull;

use memmap2::MmapRaw;

use crate::platform::Region;

use filename::FileName;

use crate::dtype::DType;
use crate::error::{MmError, Result};
use crate::layout::{self, Order};

mod control;
mod filename;
mod open;
pub use control::Advice;
// Used by the C ABI alone, which loom's model builds leave out.
#[cfg_attr(all(test, loom), allow(unused_imports))]
pub(crate) use open::open_path_found;
pub(crate) use open::{
    create_with_prefix, map_for_growth, map_opened, not_regular, open_file, require_regular,
};
pub use open::{open_fd, open_fd_with, open_handle, open_path, open_path_with};

/// numpy's four memmap modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `r`: shared, read-only.
    ReadOnly,
    /// `r+`: shared, read-write; the file must exist and is extended as needed.
    ReadWrite,
    /// `w+`: like r+, but a path is created or truncated first.
    Write,
    /// `c`: private copy-on-write; writes never reach the file.
    CopyOnWrite,
}

impl Mode {
    /// A mode string or its long alias.
    pub fn parse(text: &str) -> Result<Mode> {
        match text {
            "r" | "readonly" => Ok(Mode::ReadOnly),
            "r+" | "readwrite" => Ok(Mode::ReadWrite),
            "w+" | "write" => Ok(Mode::Write),
            "c" | "copyonwrite" => Ok(Mode::CopyOnWrite),
            _ => Err(MmError::invalid(format!(
                "mode must be one of \"r\", \"c\", \"r+\", \"w+\", \"readonly\", \"copyonwrite\", \"readwrite\", \"write\" (got {text:?})"
            ))),
        }
    }

    /// The canonical short form.
    pub fn as_str(self) -> &'static str {
        // Every name is ASCII: the conversion cannot fail.
        self.as_cstr().to_str().unwrap_or_default()
    }

    /// The same name as a NUL-terminated string (what the C layer hands out).
    pub fn as_cstr(self) -> &'static std::ffi::CStr {
        match self {
            Mode::ReadOnly => c"r",
            Mode::ReadWrite => c"r+",
            Mode::Write => c"w+",
            Mode::CopyOnWrite => c"c",
        }
    }

    /// Whether arrays of this mode may be written through.
    pub fn writeable(self) -> bool {
        self != Mode::ReadOnly
    }

    /// Whether this mode writes the file (extension, truncation, flush).
    pub(crate) fn changes_file(self) -> bool {
        matches!(self, Mode::ReadWrite | Mode::Write)
    }
}

/// What to map: numpy.memmap's arguments after the file name.
#[derive(Debug, Clone)]
pub struct OpenSpec {
    pub dtype: DType,
    pub mode: Mode,
    pub offset: u64,
    /// `None` infers a 1-D shape from the file size.
    pub shape: Option<Vec<usize>>,
    pub order: Order,
}

/// The part of the open's arguments that is known before the file is looked at.
struct Checked {
    /// The array's bytes when the shape was given (`spec.shape` is then `Some`).
    given: Option<usize>,
}

/// The shape an open settled on, without a vector of its own: the one the spec gives,
/// or the 1-D shape inferred from the file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// `OpenSpec::shape`, which is `Some`.
    Given,
    Inferred([usize; 1]),
}

impl Found {
    /// The shape, read from `spec` when it was given.
    pub(crate) fn shape<'a>(&'a self, spec: &'a OpenSpec) -> &'a [usize] {
        match self {
            Found::Given => {
                debug_assert!(spec.shape.is_some());
                spec.shape.as_deref().unwrap_or(&[])
            }
            Found::Inferred(one) => one,
        }
    }
}

impl OpenSpec {
    /// Every check that needs no file: run before anything is opened or created.
    #[inline(always)]
    fn check(&self) -> Result<Checked> {
        let itemsize = self.dtype.itemsize();
        let given = match &self.shape {
            None => {
                if self.mode == Mode::Write {
                    return Err(MmError::invalid("mode w+ needs a shape (shape is NULL)"));
                }
                if itemsize == 0 {
                    return Err(MmError::invalid(format!(
                        "cannot infer a shape for dtype {} of itemsize 0",
                        self.dtype.typestr()
                    )));
                }
                None
            }
            Some(shape) => Some(self.region_bytes(shape)?),
        };
        Ok(Checked { given })
    }

    /// Bytes of an array of `shape`, checked so that offset + nbytes fits a file size.
    fn region_bytes(&self, shape: &[usize]) -> Result<usize> {
        region_bytes(shape, self.dtype.itemsize(), self.offset, self.order)
    }
}

/// [`OpenSpec::region_bytes`] of a spec with this itemsize, offset and order.
fn region_bytes(shape: &[usize], itemsize: usize, offset: u64, order: Order) -> Result<usize> {
    if let [d] = *shape {
        if let Some(nbytes) = region_bytes_1d(d, itemsize, offset) {
            return Ok(nbytes);
        }
    }
    let nbytes = layout::byte_count(layout::element_count(shape)?, itemsize, shape)?;
    // The strides of the contiguous layout must fit in 64 bits: their largest is the
    // product of itemsize and every dimension (0 counting as 1), whatever the order.
    // layout::contiguous_strides words the error (without building strides here).
    let mut largest = i64::try_from(itemsize).ok();
    for &d in shape {
        largest = largest.and_then(|s| s.checked_mul(i64::try_from(d.max(1)).ok()?));
    }
    if largest.is_none() {
        layout::contiguous_strides(shape, itemsize, order)?;
    }
    match offset.checked_add(nbytes as u64) {
        Some(end) if end <= i64::MAX as u64 => Ok(nbytes),
        _ => Err(MmError::invalid(format!(
            "offset {offset} + {nbytes} bytes of shape {shape:?} does not fit in a signed 64-bit file size"
        ))),
    }
}

/// The bytes of a 1-D array of `d` items (every inferred shape) when every check of
/// [`region_bytes`] passes, written out for the one dimension; `None` when one fails
/// (the general way then words the error).
#[inline]
fn region_bytes_1d(d: usize, itemsize: usize, offset: u64) -> Option<usize> {
    let nbytes = d
        .checked_mul(itemsize)
        .filter(|&n| n <= isize::MAX as usize)?;
    i64::try_from(itemsize)
        .ok()?
        .checked_mul(i64::try_from(d.max(1)).ok()?)?;
    offset
        .checked_add(nbytes as u64)
        .filter(|&end| end <= i64::MAX as u64)?;
    Some(nbytes)
}

/// One mapped array region of a file, shared by every view of it.
#[derive(Debug)]
pub struct Mapping {
    /// `None` when the region has no bytes: nothing is mapped then.
    /// (The region's length is the map's: no field of its own, so that a mapping with
    /// its file name inline stays small enough to be moved without a memcpy call.)
    map: Option<Region>,
    mode: Mode,
    offset: u64,
    filename: Option<FileName>,
    /// The file's identity when it was mapped ((st_dev, st_ino), on Windows (volume
    /// serial number, file index)) when `from_file`; an anonymous region has none.
    file_id: (u64, u64),
    from_file: bool,
    /// What a .npy header said when the file was opened or created (mm_open_npy,
    /// mm_create_npy, a growth): `None` for a raw array (mm_open, mm_open_fd).
    npy: Option<Box<NpyFrame>>,
}

/// The header facts of a .npy array that a growth needs: the whole array's dtype and
/// shape, its order flag and the header's format version.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyFrame {
    pub version: (u8, u8),
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub fortran_order: bool,
}

// Mapping is Send + Sync because its fields are (memmap2's MmapRaw is): all access
// through the data pointer is the caller's to synchronise.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Mapping>();
};

impl Mapping {
    /// A region of private memory (an inflated .npz member) standing in for a mapping of
    /// `path`: mode r or c (never written back), offset 0, `len` bytes (`None` when 0).
    pub(crate) fn in_memory(
        map: Option<MmapRaw>,
        mode: Mode,
        len: usize,
        path: &Path,
    ) -> Result<Mapping> {
        debug_assert!(!mode.changes_file() && map.as_ref().map_or(0, |m| m.len()) == len);
        // POSIX takes memmap2's mapping over; on Windows a Region is memmap2's MmapRaw
        // and the conversion is the identity.
        #[allow(clippy::useless_conversion)]
        let map = map.map(Region::from);
        Ok(Mapping {
            map,
            mode,
            offset: 0,
            filename: Some(FileName::absolute(path)?),
            // Private memory: no file to reopen, nothing to grow.
            file_id: (0, 0),
            from_file: false,
            npy: None,
        })
    }

    /// Address of the first byte of the array region. For an empty region (nothing
    /// mapped) a non-null, well-aligned address that must not be dereferenced.
    pub fn data_ptr(&self) -> *mut u8 {
        match &self.map {
            Some(map) => map.as_mut_ptr(),
            None => NonNull::<u128>::dangling().as_ptr().cast(),
        }
    }

    /// Bytes in the array region.
    pub fn len(&self) -> usize {
        self.map.as_ref().map_or(0, Region::len)
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_none()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The byte offset in the file given at open.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Gives the name's buffer to the process's spare of name buffers when it is one of
    /// theirs (src/mapping/filename.rs); the mapping has no name after. For the drop of
    /// the mapping's last view.
    pub(crate) fn give_back_name(&mut self) {
        if let Some(name) = &mut self.filename {
            name.give_back();
        }
    }

    /// Absolute, normalised path as opened; `None` for a descriptor.
    pub fn filename(&self) -> Option<&Path> {
        self.filename.as_ref().map(FileName::as_path)
    }

    /// The identity of the mapped file as it was at open ((st_dev, st_ino); on Windows
    /// (volume serial number, file index)).
    pub fn file_id(&self) -> Option<(u64, u64)> {
        self.from_file.then_some(self.file_id)
    }

    /// The .npy header facts, for an array opened or created as a .npy file.
    pub fn npy_frame(&self) -> Option<&NpyFrame> {
        self.npy.as_deref()
    }

    pub(crate) fn set_npy_frame(&mut self, frame: NpyFrame) {
        self.npy = Some(Box::new(frame));
    }

    /// msync(MS_SYNC) of the whole region (Windows: FlushViewOfFile + FlushFileBuffers
    /// through the handle memmap2 keeps); nothing to do in modes r and c.
    pub fn flush(&self) -> Result<()> {
        match &self.map {
            Some(map) if self.mode.changes_file() => {
                map.flush().map_err(|e| {
                    MmError::os(format!("msync of {} bytes failed", self.len()), &e)
                })?;
                self.flush_drive_cache()
            }
            _ => Ok(()),
        }
    }

    /// After a waiting msync: the drive's cache too where msync leaves it (macOS,
    /// F_FULLFSYNC); nothing elsewhere.
    pub(crate) fn flush_drive_cache(&self) -> Result<()> {
        crate::platform::flush_drive_cache(self.filename(), self.file_id())
            .map_err(|e| MmError::os("F_FULLFSYNC of the file failed", &e))
    }
}

/// `path` made absolute against the current directory and normalised lexically, as
/// Python's os.path.abspath does (`.` and `..` collapsed, symlinks not resolved; on
/// Windows as ntpath.abspath: drive letters and UNC roots kept, `\\` separators).
pub fn absolute_normalised(path: &Path) -> Result<PathBuf> {
    crate::platform::absolute_path(path)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| absolute_path_error(&e))
}

/// The error of a path that cannot be made absolute.
fn absolute_path_error(e: &std::io::Error) -> MmError {
    MmError::os(
        "cannot make the path absolute (reading the current directory)",
        e,
    )
}

/// A path from the bytes the C caller gave: any bytes but NUL on POSIX, UTF-8 on
/// Windows (`None` for bytes that are not).
pub fn path_from_bytes(bytes: &[u8]) -> Option<&Path> {
    crate::platform::path_from_bytes(bytes)
}

/// The bytes of a path as the C caller gets them back (POSIX: the bytes; Windows: UTF-8).
pub fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    crate::platform::path_bytes(path)
}

/// Options of an open beyond numpy.memmap's arguments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// Prefault the whole region at open (MAP_POPULATE).
    pub populate: bool,
    /// Reserve the blocks of any extension (fallocate) before the file grows, so that a
    /// full disk is an error at open instead of a SIGBUS at first write.
    pub preallocate: bool,
}

#[cfg(test)]
mod tests;
