//! .npz archives (np.savez / np.savez_compressed): listing the member names as
//! `np.load(path).files` gives them, opening a member as a view (a stored member is
//! mapped in place, a deflated one inflated into private memory), and writing an
//! archive laid out as numpy writes it.
//!
//! **Names.** numpy 2.4's `NpzFile` lists *every* member of the zip, in central-directory
//! order, with a trailing ".npy" removed (`name.removesuffix(".npy")`): a member "notes"
//! that is not a .npy file is listed as "notes", and duplicates are listed twice. A key
//! is looked up as numpy does: a member whose full name equals the key (the last such
//! one), else a member whose name without ".npy" equals it (the last such one). Python's
//! zipfile decodes a name as UTF-8 when the entry's flag bit 11 is set and as cp437
//! otherwise; this reader accepts UTF-8 names with the flag and ASCII names without it,
//! and refuses (MM_E_FORMAT) a flagged name that is not UTF-8, an unflagged non-ASCII name
//! (whose cp437 reading nobody means) and a name holding a NUL byte.
//!
//! **Checks.** The central directory is read through `rawzip` (which locates the end
//! record, follows zip64 records and extras). On top of it, every archive must pass,
//! before any name is listed: the end record's entry count equals the entries found;
//! every local header offset is distinct; each member's smallest possible extent (a
//! 30-byte local header, its name, its compressed bytes) ends before the next member's
//! local header, and the last before the central directory (overlapping members, the
//! zip-bomb construction, are MM_E_FORMAT). Opening a member also reads its local header
//! (the data offset comes from it: its own name and extra lengths), which must carry the
//! central directory's name and lie, with its data, inside the file and before the next
//! member.
//!
//! **Stored members** are mapped in place: the view's offset is the .npy data's offset in
//! the archive. Their CRC is *not* checked: that would read the whole member and defeat
//! the mapping (np.load checks it as it reads). A stored member whose compressed and
//! uncompressed sizes differ is MM_E_FORMAT.
//!
//! **Deflated members** are inflated straight into an anonymous private mapping of the
//! array's size (no second copy; the .npy header is inflated into a small buffer first),
//! through a 64 KiB read buffer. The central directory's uncompressed size bounds
//! everything: a size deflate cannot reach from the compressed size (more than 1032
//! bytes per compressed byte) is refused before anything is allocated, inflation stops
//! with MM_E_FORMAT at the first byte past the stated size (a zip bomb), a stream that
//! ends short is MM_E_FORMAT, and the CRC-32 of all the inflated bytes must equal the
//! directory's. The view's offset is 0 (no file offset holds the inflated bytes).

mod inspect;
mod read;
mod write;

use std::path::Path;

use crate::error::{MmError, Result};
use crate::mapping::Mode;
use crate::view::View;

pub use inspect::{members, verify, Member};
pub use write::save;

/// The member names of the archive at `path` as `np.load(path).files` gives them
/// (".npy" removed), in central-directory order, after the archive's checks (see the
/// module documentation).
pub fn names(path: &Path) -> Result<Vec<String>> {
    let (file, _) = crate::mapping::open_file(path, Mode::ReadOnly)?;
    let archive = read::Archive::read(&file)?;
    Ok(archive
        .entries()
        .iter()
        .map(|e| strip_npy(&e.name).to_string())
        .collect())
}

/// Opens member `name` ("x" or "x.npy", looked up as numpy does) of the archive at
/// `path` in mode r or c: a stored member mapped in place, a deflated one inflated into
/// private memory (read-only in mode r, writable in c and never written back). Modes r+
/// and w+ are Unsupported (writing in place would invalidate the member's CRC).
pub fn open(path: &Path, name: &str, mode: Mode) -> Result<View> {
    if !matches!(mode, Mode::ReadOnly | Mode::CopyOnWrite) {
        return Err(MmError::new(
            crate::error::ErrorKind::Unsupported,
            format!(
                "mode {} is not supported for a .npz member (writing in place would invalidate the member's CRC); use \"r\" or \"c\"",
                mode.as_str()
            ),
        ));
    }
    let (file, _) = crate::mapping::open_file(path, Mode::ReadOnly)?;
    let archive = read::Archive::read(&file)?;
    let entry = archive.find(name).ok_or_else(|| {
        MmError::new(
            crate::error::ErrorKind::NotFound,
            format!("{name:?} is not a member of the archive"),
        )
    })?;
    archive.open_member(&file, path, entry, mode)
}

/// A member name without its ".npy" suffix, as numpy's `str.removesuffix(".npy")`.
pub(crate) fn strip_npy(name: &str) -> &str {
    name.strip_suffix(".npy").unwrap_or(name)
}
