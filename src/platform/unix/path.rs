//! Paths on POSIX: their bytes, the absolute and normal form mm_filename reports
//! (Python's os.path.abspath: `.` and `..` collapsed lexically, symlinks not resolved),
//! and the scan that finds an already normal absolute path (every open's common case)
//! without rebuilding it.

use std::borrow::Cow;
use std::ffi::{CStr, OsStr};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The bytes of a path (any bytes on POSIX).
pub(crate) fn path_bytes(path: &Path) -> Cow<'_, [u8]> {
    Cow::Borrowed(path.as_os_str().as_bytes())
}

/// A path from the bytes of a C string: any bytes on POSIX.
pub(crate) fn path_from_bytes(bytes: &[u8]) -> Option<&Path> {
    Some(Path::new(OsStr::from_bytes(bytes)))
}

/// `path` made absolute against the current directory and normalised lexically, as
/// Python's os.path.abspath does (`.` and `..` collapsed, symlinks not resolved).
/// An absolute path that is already normal (the common case) costs one scan and is
/// answered borrowed (the caller decides whether to copy it); a relative one one getcwd
/// (what abspath calls too) and one allocation.
pub(crate) fn absolute_path(path: &Path) -> io::Result<Cow<'_, Path>> {
    let bytes = path.as_os_str().as_bytes();
    if is_normal_absolute(bytes) {
        return Ok(Cow::Borrowed(path));
    }
    if is_absolute(bytes) {
        return Ok(Cow::Owned(normalised(bytes)));
    }
    let joined = joined_to_cwd(bytes)?;
    if is_normal_absolute(&joined) {
        return Ok(Cow::Owned(PathBuf::from(std::ffi::OsString::from_vec(
            joined,
        ))));
    }
    Ok(Cow::Owned(normalised(&joined)))
}

/// The current directory, a `/` unless it ends in one, then `relative`: what
/// `current_dir()?.join(relative)` makes, in one allocation of the final size (getcwd
/// into a buffer on the stack; std's current_dir, which grows its buffer, for a
/// directory deeper than PATH_MAX).
fn joined_to_cwd(relative: &[u8]) -> io::Result<Vec<u8>> {
    // Not zeroed: getcwd writes the bytes read back (clearing 4 KiB would cost more than
    // everything else an open does).
    let mut buf = std::mem::MaybeUninit::<[u8; CWD_BUF]>::uninit();
    let cwd = current_dir_into(&mut buf)?;
    Ok(joined(&cwd, relative))
}

/// The size of the buffer on the stack that getcwd writes into.
const CWD_BUF: usize = libc::PATH_MAX as usize;

/// The current directory: getcwd into `buf` (borrowed from it), or std's current_dir
/// (which grows its buffer) for a directory deeper than PATH_MAX.
fn current_dir_into(buf: &mut std::mem::MaybeUninit<[u8; CWD_BUF]>) -> io::Result<Cow<'_, [u8]>> {
    // SAFETY: getcwd writes at most CWD_BUF bytes, NUL included, into our buffer.
    if unsafe { libc::getcwd(buf.as_mut_ptr().cast(), CWD_BUF) }.is_null() {
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::ERANGE) {
            return Err(err);
        }
        return Ok(Cow::Owned(
            std::env::current_dir()?.into_os_string().into_vec(),
        ));
    }
    // SAFETY: on success getcwd wrote a NUL-terminated string at the buffer's start; the
    // bytes before the NUL are initialised.
    Ok(Cow::Borrowed(
        unsafe { CStr::from_ptr(buf.as_ptr().cast()) }.to_bytes(),
    ))
}

/// `cwd`, a `/` unless it ends in one, then `relative`, in one allocation.
fn joined(cwd: &[u8], relative: &[u8]) -> Vec<u8> {
    let slash = !cwd.ends_with(b"/");
    let mut out = Vec::with_capacity(cwd.len() + usize::from(slash) + relative.len());
    out.extend_from_slice(cwd);
    if slash {
        out.push(b'/');
    }
    out.extend_from_slice(relative);
    out
}

/// [`absolute_path`]'s answer handed to `f`, borrowed wherever it can be: a relative path
/// is joined to the current directory in getcwd's buffer on the stack, an absolute one
/// that is not normal copied there, the result normalised in place and lent from there
/// (an open's file name then keeps it inline when it is short, and makes no heap block
/// but its own when it is not). The same getcwd call and the same answer as
/// [`absolute_path`] (whose [`normalised`] allocates: it is the reference the in-place
/// way is tested against).
pub(crate) fn with_absolute_path<R>(
    path: &Path,
    f: impl FnOnce(Cow<'_, Path>) -> R,
) -> io::Result<R> {
    let bytes = path.as_os_str().as_bytes();
    if is_normal_absolute(bytes) {
        return Ok(f(Cow::Borrowed(path)));
    }
    let mut buf = std::mem::MaybeUninit::<[u8; CWD_BUF]>::uninit();
    if is_absolute(bytes) {
        if bytes.len() > CWD_BUF {
            return Ok(f(Cow::Owned(normalised(bytes))));
        }
        // SAFETY: `bytes` (at most CWD_BUF bytes, checked) into our own buffer, which
        // does not overlap the caller's path; then bytes 0..len of it are initialised.
        let copy = unsafe {
            let base = buf.as_mut_ptr().cast::<u8>();
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), base, bytes.len());
            std::slice::from_raw_parts_mut(base, bytes.len())
        };
        let len = normalise_in_place(copy);
        return Ok(f(Cow::Borrowed(Path::new(OsStr::from_bytes(&copy[..len])))));
    }
    let (cwd_len, slash) = match current_dir_into(&mut buf)? {
        Cow::Borrowed(cwd) if cwd.len() + 1 + bytes.len() <= CWD_BUF => {
            (cwd.len(), !cwd.ends_with(b"/"))
        }
        cwd => {
            // Deeper than PATH_MAX, or no room left in the buffer: absolute_path's way.
            let joined = joined(&cwd, bytes);
            return Ok(f(if is_normal_absolute(&joined) {
                Cow::Owned(PathBuf::from(std::ffi::OsString::from_vec(joined)))
            } else {
                Cow::Owned(normalised(&joined))
            }));
        }
    };
    let base = buf.as_mut_ptr().cast::<u8>();
    let len = cwd_len + usize::from(slash) + bytes.len();
    // SAFETY: bytes 0..cwd_len of the buffer are the directory getcwd wrote; the slash
    // and `bytes` go right after it, inside the buffer (len <= CWD_BUF, checked), and
    // do not overlap the caller's path. Then bytes 0..len are initialised.
    let joined = unsafe {
        if slash {
            *base.add(cwd_len) = b'/';
        }
        std::ptr::copy_nonoverlapping(
            bytes.as_ptr(),
            base.add(cwd_len + usize::from(slash)),
            bytes.len(),
        );
        std::slice::from_raw_parts_mut(base, len)
    };
    // Normalised where it lies (the normal form is never longer): no allocation. Without
    // a slash pair and a final slash (the common case: the current directory and a plain
    // name) it is normal as it is.
    let len = if joined[len - 1] != b'/' && !has_slash_pair(joined) {
        len
    } else {
        normalise_in_place(joined)
    };
    Ok(f(Cow::Borrowed(Path::new(OsStr::from_bytes(
        &joined[..len],
    )))))
}

/// [`normalised`] of the absolute path `bytes`, written over the start of `bytes`
/// (without allocating): returns the length of the normal form, which is never longer.
/// Tested against [`normalised`]: `normalised_in_place_is_normalised`.
#[inline(never)]
fn normalise_in_place(bytes: &mut [u8]) -> usize {
    debug_assert!(is_absolute(bytes));
    // The lead (`/`, or exactly two leading slashes) is already where it belongs.
    let lead = if bytes.starts_with(b"//") && !bytes.starts_with(b"///") {
        2
    } else {
        1
    };
    let n = bytes.len();
    // Bytes ..w are the normal form so far; the component read next starts at r. A kept
    // component is written at w <= r (separator included: each one came after a slash
    // of its own in `bytes`), so nothing is written over bytes not read yet.
    let (mut w, mut r) = match first_slash_pair(bytes) {
        None => return n,
        // Up to the first slash followed by a slash, a dot or the end (past the lead:
        // the path starts with one slash), every component is kept as it is.
        Some(at) if at > 0 => (at, at + 1),
        Some(_) => (lead, 0),
    };
    while r < n {
        let end = bytes[r..]
            .iter()
            .position(|&b| b == b'/')
            .map_or(n, |k| r + k);
        match &bytes[r..end] {
            b"" | b"." => {}
            // Drop the last component kept (with its separator), if any.
            b".." => {
                w = bytes[lead..w]
                    .iter()
                    .rposition(|&b| b == b'/')
                    .map_or(lead, |k| lead + k);
            }
            _ => {
                if w > lead {
                    bytes[w] = b'/';
                    w += 1;
                }
                bytes.copy_within(r..end, w);
                w += end - r;
            }
        }
        r = end + 1;
    }
    w
}

/// The first slash of `bytes` followed by a slash, a dot or the end.
fn first_slash_pair(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + bytes[from..].iter().position(|&b| b == b'/')?;
        if matches!(bytes.get(at + 1), None | Some(b'/' | b'.')) {
            return Some(at);
        }
        from = at + 1;
    }
}

/// `Path::is_absolute` on POSIX (a leading `/`), without parsing the path's components.
fn is_absolute(bytes: &[u8]) -> bool {
    bytes.first() == Some(&b'/')
}

/// An absolute path's bytes with empty, `.` and `..` components collapsed.
fn normalised(bytes: &[u8]) -> PathBuf {
    // POSIX lets exactly two leading slashes mean something special; keep them.
    let lead: &[u8] = if bytes.starts_with(b"//") && !bytes.starts_with(b"///") {
        b"//"
    } else {
        b"/"
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in bytes.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let mut out = lead.to_vec();
    out.extend_from_slice(&parts.join(&b'/'));
    PathBuf::from(OsStr::from_bytes(&out))
}

/// Whether `path` is absolute and already normal, so that [`absolute_path`] would answer
/// it as it is: the open's shortcut to its file name (no `Cow` to make and read back).
#[inline]
pub(crate) fn is_normal_absolute_path(path: &Path) -> bool {
    is_normal_absolute(path.as_os_str().as_bytes())
}

/// Whether `path` is absolute and already normal: no empty, `.` or `..` component and
/// no trailing slash (the common case, which needs no rebuilding).
fn is_normal_absolute(path: &[u8]) -> bool {
    let n = path.len();
    if n < 2 || path[0] != b'/' || path[n - 1] == b'/' {
        return false;
    }
    // An empty, `.` or `..` component shows as a slash followed by a slash or a dot.
    // Without such a pair the path is normal; with one (a hidden file's `/.x` too), the
    // components decide.
    !has_slash_pair(path) || components_normal(path)
}

/// Whether no component of the absolute `path` is empty, `.` or `..`: the second look
/// of [`is_normal_absolute`], for a path with a slash pair (out of line, so that the
/// common scan keeps to few registers).
#[inline(never)]
fn components_normal(path: &[u8]) -> bool {
    path[1..]
        .split(|&b| b == b'/')
        .all(|part| !matches!(part, b"" | b"." | b".."))
}

/// Whether a `/` is followed by a `/` or a `.` anywhere in `bytes` (a path is scanned at
/// every open). On x86_64 sixteen bytes at a time with SSE2 (part of every x86_64),
/// windows overlapping by one byte so that a pair across two of them is seen; a path
/// shorter than sixteen bytes, and other processors, take [`has_slash_pair_swar`].
#[cfg(target_arch = "x86_64")]
fn has_slash_pair(bytes: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let n = bytes.len();
    if n < 16 {
        return has_slash_pair_swar(bytes);
    }
    // Bit k of the answer's masks is byte k of the window at `at` (at + 16 <= n).
    let pair_in = |at: usize| {
        debug_assert!(at + 16 <= n);
        // SAFETY: SSE2 is in x86_64's baseline; the unaligned load reads bytes
        // at..at + 16 of the slice, which exist (at + 16 <= n).
        unsafe {
            let w = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
            let slash = _mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8(b'/' as i8))) as u32;
            let dot = _mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8(b'.' as i8))) as u32;
            // A slash at byte k, then a slash or a dot at byte k + 1 (k < 15).
            slash & ((slash | dot) >> 1) != 0
        }
    };
    // Windows at 0, 15, 30...: each sees the pairs that start in its first fifteen
    // bytes. Once the window at `at` reaches the end, the last sixteen bytes (from
    // n - 16 <= at) see every pair left.
    let mut at = 0;
    loop {
        if at + 16 >= n {
            return pair_in(n - 16);
        }
        if pair_in(at) {
            return true;
        }
        at += 15;
    }
}

/// [`has_slash_pair`] where SSE2 is not at hand (and for short paths on x86_64).
#[cfg(not(target_arch = "x86_64"))]
fn has_slash_pair(bytes: &[u8]) -> bool {
    has_slash_pair_swar(bytes)
}

/// [`has_slash_pair`] eight bytes at a time in a u64, windows overlapping by one byte.
/// On x86_64 (short paths only) out of line: the SSE2 scan keeps to few registers.
#[cfg_attr(target_arch = "x86_64", inline(never))]
fn has_slash_pair_swar(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // 0x80 in each byte of `x` equal to `c`, 0 in the others (exact: no carry crosses
    // a byte, since (y & 0x7f) + 0x7f <= 0xfe).
    let equal = |x: u64, c: u8| {
        let y = x ^ (ONES * u64::from(c));
        !(((y & LOW7) + LOW7) | y | LOW7)
    };
    let mut i = 0;
    while let Some(window) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(window);
        let x = u64::from_le_bytes(word);
        let slash = equal(x, b'/');
        let next = slash | equal(x, b'.');
        // Byte k of `next >> 8` is byte k + 1 of `next`.
        if slash & (next >> 8) != 0 {
            return true;
        }
        i += 7;
    }
    if i == 0 || i + 1 >= bytes.len() {
        // Fewer than eight bytes (every pair still to see), or none left to pair.
        return bytes[i..]
            .windows(2)
            .any(|w| w[0] == b'/' && (w[1] == b'/' || w[1] == b'.'));
    }
    // The pairs from byte i on lie in the last eight bytes (i > len - 8).
    has_slash_pair_swar(&bytes[bytes.len() - 8..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-bytes-at-a-time scan agrees with a byte-by-byte one at every length
    /// and position of the pair, across window boundaries too.
    #[test]
    fn slash_pairs_found_everywhere() {
        let naive = |b: &[u8]| {
            b.windows(2)
                .any(|w| w[0] == b'/' && (w[1] == b'/' || w[1] == b'.'))
        };
        // Past 48 bytes: several 16-byte windows of the SSE2 way, and its last one.
        for len in 0..70 {
            for at in 0..len {
                for (first, second) in [(b'/', b'/'), (b'/', b'.'), (b'.', b'/'), (b'/', b'a')] {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = first;
                    if at + 1 < len {
                        bytes[at + 1] = second;
                    }
                    for high in [b'x', 0xaf, 0xae, 0x2f ^ 0x80] {
                        let mut b = bytes.clone();
                        if at >= 1 {
                            b[at - 1] = high;
                        }
                        assert_eq!(has_slash_pair(&b), naive(&b), "{b:?}");
                        assert_eq!(has_slash_pair_swar(&b), naive(&b), "{b:?}");
                    }
                }
            }
        }
    }

    /// The in-place normal form is exactly `normalised`'s, for every absolute path of one
    /// to four leading slashes and up to four components (each followed by a slash or
    /// not) drawn from empty, `.`, `..`, names with and without dots.
    #[test]
    fn normalised_in_place_is_normalised() {
        let parts = ["", ".", "..", "a", "bc", "...", ".x", "d."];
        let mut count = 0;
        for lead in ["/", "//", "///", "////"] {
            let mut paths = vec![lead.to_string()];
            for _ in 0..4 {
                let mut longer = Vec::new();
                for p in &paths {
                    for part in parts {
                        longer.push(format!("{p}{part}/"));
                        longer.push(format!("{p}{part}"));
                    }
                }
                paths.extend(longer);
                paths.sort();
                paths.dedup();
            }
            for p in &paths {
                let mut bytes = p.clone().into_bytes();
                let len = normalise_in_place(&mut bytes);
                let expected = normalised(p.as_bytes());
                assert_eq!(&bytes[..len], expected.as_os_str().as_bytes(), "{p:?}");
                count += 1;
            }
        }
        assert!(count > 10_000, "{count}");
    }

    /// The leading-slash test is std's Path::is_absolute.
    #[test]
    fn absolute_is_std_is_absolute() {
        for p in [
            "", "/", "//", "a", "a/b", "/a", "./a", "../a", " /a", "\\a", "~/a",
        ] {
            assert_eq!(
                is_absolute(p.as_bytes()),
                Path::new(p).is_absolute(),
                "{p:?}"
            );
        }
    }

    #[test]
    fn normal_absolute_paths_need_no_rebuilding() {
        for normal in [
            "/a",
            "/a/b.c/d",
            "/a/.b/..c",
            "/.x",
            "/x..",
            "/a/...",
            "/…/é",
            "/a/b.",
            "/a./b",
            "/.../.x/y..",
        ] {
            assert!(is_normal_absolute(normal.as_bytes()), "{normal}");
        }
        for not in [
            "",
            "/",
            "a",
            "a/b",
            "/a/",
            "//a",
            "/a//b",
            "/./a",
            "/a/.",
            "/a/..",
            "/a/../b",
            "/a/./b",
            "/a/b/",
            "/a/b//",
            "/..",
            "/.",
            "//",
            "/a/b/c/..",
        ] {
            assert!(!is_normal_absolute(not.as_bytes()), "{not}");
        }
    }
}
