//! The absolute, normalised name a mapping keeps of its file (mm_filename), held inside
//! the mapping itself when it is short: an open of an already normal absolute path (the
//! common case) then makes no heap block for it, and a close frees none.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// Bytes of a name kept inline; a longer one is kept in a `PathBuf`. With the length
/// byte and the variant's tag the name takes 64 bytes of the mapping.
const INLINE: usize = 38;

/// A file name: its bytes inline (up to [`INLINE`]) or a `PathBuf`.
pub(crate) struct FileName(Repr);

enum Repr {
    /// `bytes[..len]` are the encoded bytes (`OsStr::as_encoded_bytes`) of a whole path.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(PathBuf),
}

impl FileName {
    /// `path` made absolute and normalised (as [`super::absolute_normalised`]), without
    /// a heap block when it already is and is short. The common case (what absolute_path
    /// would hand back borrowed) is written into the caller, the rest is
    /// [`FileName::made_absolute`].
    #[inline(always)]
    pub(crate) fn absolute(path: &Path) -> Result<FileName> {
        if crate::platform::is_normal_absolute_path(path) {
            return Ok(FileName::copied(path));
        }
        FileName::made_absolute(path)
    }

    /// [`FileName::absolute`] of a path that is relative or not normal (or any path on
    /// Windows).
    #[inline(never)]
    pub(super) fn made_absolute(path: &Path) -> Result<FileName> {
        crate::platform::with_absolute_path(path, |name| match name {
            std::borrow::Cow::Borrowed(same) => FileName::copied(same),
            std::borrow::Cow::Owned(made) if made.as_os_str().len() <= INLINE => {
                FileName::copied(&made)
            }
            std::borrow::Cow::Owned(made) => FileName(Repr::Heap(made)),
        })
        .map_err(|e| super::absolute_path_error(&e))
    }

    /// `path` as it is (written into mm_open).
    #[inline(always)]
    pub(crate) fn copied(path: &Path) -> FileName {
        let encoded = path.as_os_str().as_encoded_bytes();
        if encoded.len() > INLINE {
            return FileName(Repr::Heap(path.to_path_buf()));
        }
        let mut bytes = [0; INLINE];
        bytes[..encoded.len()].copy_from_slice(encoded);
        FileName(Repr::Inline {
            len: encoded.len() as u8,
            bytes,
        })
    }

    pub(crate) fn as_path(&self) -> &Path {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                // SAFETY: the bytes are those `as_encoded_bytes` gave of a whole OsStr of
                // this process (FileName::copied), which is what the function requires.
                Path::new(unsafe { OsStr::from_encoded_bytes_unchecked(&bytes[..*len as usize]) })
            }
            Repr::Heap(path) => path,
        }
    }
}

impl fmt::Debug for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_path().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inline way answers exactly what absolute_normalised (the general way) does,
    /// for short and long names, names at the inline limit, and names that need work.
    #[test]
    fn same_name_as_the_general_way() {
        let mut paths: Vec<PathBuf> = ["a", "./b/../c", ".", "x/", "y//z", "../q"]
            .iter()
            .map(PathBuf::from)
            .collect();
        // Relative names whose joined name is around the inline limit and far past it.
        let cwd_len = std::env::current_dir().unwrap().as_os_str().len();
        for len in [INLINE - 1, INLINE, INLINE + 1, 300] {
            let name = "r".repeat(len.saturating_sub(cwd_len + 1).max(1));
            paths.push(PathBuf::from(&name));
            paths.push(PathBuf::from("./").join(&name));
        }
        let root = std::env::current_dir().unwrap();
        let root = root.ancestors().last().unwrap().to_path_buf();
        let root_len = root.as_os_str().len();
        for len in [1, 2, INLINE - 1, INLINE, INLINE + 1, 300] {
            // `len` bytes in all, or just over (a root longer than `len`).
            let name = "n".repeat(len.saturating_sub(root_len).max(1));
            paths.push(root.join(&name));
            paths.push(root.join(&name).join("."));
            paths.push(root.join("é").join(&name));
        }
        for path in paths {
            let general = super::super::absolute_normalised(&path).unwrap();
            let name = FileName::absolute(&path).unwrap();
            assert_eq!(name.as_path(), general, "{path:?}");
            assert_eq!(
                name.as_path().as_os_str().as_encoded_bytes(),
                general.as_os_str().as_encoded_bytes()
            );
            let inline = matches!(name.0, Repr::Inline { .. });
            // Inline exactly when the name is short: as given, joined to the current
            // directory on the stack, or rebuilt (normalised; on Windows always).
            let short = general.as_os_str().len() <= INLINE;
            assert_eq!(inline, short, "{path:?}");
            assert_eq!(FileName::copied(&general).as_path(), general);
            assert_eq!(format!("{name:?}"), format!("{general:?}"));
        }
    }
}
