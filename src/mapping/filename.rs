//! The absolute, normalised name a mapping keeps of its file (mm_filename), held inside
//! the mapping itself when it is short: an open of an already normal absolute path (the
//! common case) then makes no heap block for it, and a close frees none. A longer name of
//! a usual length (up to [`POOLED`] bytes) is a `PathBuf` whose buffer has room for
//! exactly that many bytes; the mapping's last view gives such a buffer back to the
//! process's one-block spare of names (src/one_spare.rs) and the next such name takes it,
//! so that an open + close loop on such a path makes no malloc and no free either.

use std::alloc::Layout;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::one_spare::OneSpare;

/// Bytes of a name kept inline; a longer one is kept in a `PathBuf`. With the length
/// byte and the variant's tag the name takes 40 bytes of the mapping.
const INLINE: usize = 38;

/// The capacity of a name buffer that [`NAMES`] keeps: a name up to this long is made in
/// such a buffer. (Any `Vec<u8>` of this capacity has this one layout, so any name buffer
/// of this capacity may go to the spare, whoever made it.)
const POOLED: usize = 256;

/// The spare name buffer.
static NAMES: OneSpare = OneSpare::new();

fn pooled_layout() -> Layout {
    Layout::array::<u8>(POOLED).expect("256 bytes")
}

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
            return FileName::long(path);
        }
        let mut bytes = [0; INLINE];
        bytes[..encoded.len()].copy_from_slice(encoded);
        FileName(Repr::Inline {
            len: encoded.len() as u8,
            bytes,
        })
    }

    /// [`FileName::copied`] of a name longer than [`INLINE`]: a `PathBuf`, in a buffer of
    /// [`POOLED`] bytes (the spare one when there is one) when it fits.
    #[inline(never)]
    fn long(path: &Path) -> FileName {
        let encoded = path.as_os_str().as_encoded_bytes();
        if encoded.len() > POOLED {
            return FileName(Repr::Heap(path.to_path_buf()));
        }
        let buf = NAMES.take_or_alloc(pooled_layout());
        // SAFETY: `buf` is ours alone: from the global allocator with the layout of a
        // Vec<u8> of capacity POOLED (allocated just now, or the spare, which only ever
        // holds such buffers: `give_back`). The name's bytes, at most POOLED, are written
        // before the Vec is made with their length.
        let bytes = unsafe {
            std::ptr::copy_nonoverlapping(encoded.as_ptr(), buf, encoded.len());
            Vec::from_raw_parts(buf, encoded.len(), POOLED)
        };
        // SAFETY: the bytes are those `as_encoded_bytes` gave of a whole OsStr of this
        // process, which is what the function requires.
        let name = unsafe { OsString::from_encoded_bytes_unchecked(bytes) };
        FileName(Repr::Heap(PathBuf::from(name)))
    }

    /// Gives a name buffer of [`POOLED`] bytes to the process's spare, if the spare is
    /// empty; the name is empty after (the mapping's last view calls this as it goes).
    pub(crate) fn give_back(&mut self) {
        let Repr::Heap(path) = &mut self.0 else {
            return;
        };
        if path.capacity() != POOLED {
            return;
        }
        let bytes = std::mem::take(path).into_os_string().into_encoded_bytes();
        let mut bytes = std::mem::ManuallyDrop::new(bytes);
        // SAFETY: the buffer of a Vec<u8> of capacity POOLED (checked): from the global
        // allocator with the spare's one layout, ours alone (taken out of the name, the
        // Vec forgotten) and unused from here.
        unsafe { NAMES.give_or_free(bytes.as_mut_ptr(), pooled_layout()) };
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
        for len in [INLINE - 1, INLINE, INLINE + 1, POOLED, POOLED + 1, 300] {
            let name = "r".repeat(len.saturating_sub(cwd_len + 1).max(1));
            paths.push(PathBuf::from(&name));
            paths.push(PathBuf::from("./").join(&name));
        }
        let root = std::env::current_dir().unwrap();
        let root = root.ancestors().last().unwrap().to_path_buf();
        let root_len = root.as_os_str().len();
        for len in [
            1,
            2,
            INLINE - 1,
            INLINE,
            INLINE + 1,
            POOLED,
            POOLED + 1,
            300,
        ] {
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
            let mut copied = FileName::copied(&general);
            assert_eq!(copied.as_path(), general);
            let len = general.as_os_str().len();
            let want = if len <= INLINE {
                "inline"
            } else if len <= POOLED {
                "pooled"
            } else {
                "heap"
            };
            assert_eq!(kind(&copied), want, "{path:?}");
            assert_eq!(format!("{name:?}"), format!("{general:?}"));
            copied.give_back();
            if want == "pooled" {
                assert_eq!(copied.as_path(), Path::new(""));
            } else {
                assert_eq!(copied.as_path(), general);
            }
        }
    }

    fn kind(name: &FileName) -> &'static str {
        match &name.0 {
            Repr::Inline { .. } => "inline",
            Repr::Heap(path) if path.capacity() == POOLED => "pooled",
            Repr::Heap(_) => "heap",
        }
    }

    fn buffer(name: &FileName) -> *const u8 {
        name.as_path().as_os_str().as_encoded_bytes().as_ptr()
    }

    /// A name of `len` bytes: "/" then `fill` bytes.
    fn long_name(len: usize, fill: u8) -> PathBuf {
        PathBuf::from(format!("/{}", (fill as char).to_string().repeat(len - 1)))
    }

    /// Names of INLINE + 1 to POOLED bytes are made in pooled buffers, and a buffer given
    /// back is kept as the spare and is the next such name's. Other tests make names at
    /// the same time, so one round may find the spare taken: of 50 rounds most reuse it.
    /// A name dropped without being given back frees its buffer (Miri would see a leak).
    #[test]
    fn a_given_back_name_buffer_is_the_next_one() {
        for len in [INLINE + 1, POOLED] {
            let name = FileName::copied(&long_name(len, b'p'));
            assert_eq!(kind(&name), "pooled");
            assert_eq!(name.as_path(), long_name(len, b'p'));
        }
        let mut reused = 0;
        for round in 0..50u8 {
            let mut a = FileName::copied(&long_name(100, b'a' + round % 26));
            let at = buffer(&a);
            a.give_back();
            let kept = std::ptr::eq(NAMES.peek(), at);
            let b = FileName::copied(&long_name(60, b'b'));
            reused += (kept && buffer(&b) == at) as u32;
            assert_eq!(
                (kind(&b), b.as_path()),
                ("pooled", long_name(60, b'b').as_path())
            );
        }
        assert!(reused > 25, "{reused} of 50");
    }

    /// Threads making, giving back and dropping pooled names at once, through the spare
    /// and past it: each reads its own bytes intact (Miri checks the hand-overs).
    #[test]
    fn threads_make_and_give_back_names() {
        let rounds = if cfg!(miri) { 20 } else { 2000 };
        let threads: Vec<_> = (0..4u8)
            .map(|t| {
                std::thread::spawn(move || {
                    for round in 0..rounds {
                        let want = long_name(40 + (round % 200), b'a' + t);
                        let mut a = FileName::copied(&want);
                        let b = FileName::copied(&want);
                        assert_eq!(a.as_path(), want);
                        a.give_back();
                        assert_eq!(b.as_path(), want);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
