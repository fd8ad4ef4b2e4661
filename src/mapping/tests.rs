//! Unit tests of src/mapping.rs: mode names and aliases, path normalisation.

use super::*;
use crate::error::ErrorKind;

#[test]
fn modes_and_aliases() {
    for (text, mode) in [
        ("r", Mode::ReadOnly),
        ("readonly", Mode::ReadOnly),
        ("r+", Mode::ReadWrite),
        ("readwrite", Mode::ReadWrite),
        ("w+", Mode::Write),
        ("write", Mode::Write),
        ("c", Mode::CopyOnWrite),
        ("copyonwrite", Mode::CopyOnWrite),
    ] {
        assert_eq!(Mode::parse(text).unwrap(), mode);
    }
    for (mode, text) in [
        (Mode::ReadOnly, "r"),
        (Mode::ReadWrite, "r+"),
        (Mode::Write, "w+"),
        (Mode::CopyOnWrite, "c"),
    ] {
        assert_eq!(mode.as_str(), text);
        assert_eq!(mode.as_cstr().to_bytes(), text.as_bytes());
        assert_eq!(Mode::parse(mode.as_str()).unwrap(), mode);
    }
    for bad in ["w", "rb", "a", "", "R", "r+ "] {
        assert_eq!(Mode::parse(bad).unwrap_err().kind, ErrorKind::InvalidArg);
    }
}

// POSIX path rules (Windows has its own below).
#[cfg(unix)]
#[test]
fn normalised_paths() {
    let n = |p: &str| absolute_normalised(Path::new(p)).unwrap();
    assert_eq!(n("/a/b/../c/./d/"), PathBuf::from("/a/c/d"));
    assert_eq!(n("/../x"), PathBuf::from("/x"));
    assert_eq!(n("//a//b"), PathBuf::from("//a/b"));
    assert_eq!(n("///a"), PathBuf::from("/a"));
    assert_eq!(n("/"), PathBuf::from("/"));
    assert_eq!(n("/a/b.c/d"), PathBuf::from("/a/b.c/d"));
    assert_eq!(n("/a/.b/..c"), PathBuf::from("/a/.b/..c"));
    assert_eq!(n("/a/."), PathBuf::from("/a"));
    assert_eq!(n("/a/b/.."), PathBuf::from("/a"));
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(n("x/../y"), cwd.join("y"));
    // Relative paths: the current directory joined, as abspath does.
    assert_eq!(n("y"), cwd.join("y"));
    assert_eq!(n("a.b/c"), cwd.join("a.b/c"));
    assert_eq!(n(".hidden"), cwd.join(".hidden"));
    assert_eq!(n("./y/"), cwd.join("y"));
    assert_eq!(n(""), cwd);
    assert_eq!(n("."), cwd);
    assert_eq!(n("a/./b//c/"), cwd.join("a/b/c"));
    // Suspect pairs ("/." or "//") that are normal after all, and ones that are not.
    assert_eq!(n("/a/.b/c"), PathBuf::from("/a/.b/c"));
    assert_eq!(n("/a/.../b"), PathBuf::from("/a/.../b"));
    assert_eq!(n("/a/b/."), PathBuf::from("/a/b"));
    assert_eq!(n("/a/./b/../c"), PathBuf::from("/a/c"));
}

// D10 on Windows: ntpath.abspath's answers (GetFullPathNameW).
#[cfg(windows)]
#[test]
fn normalised_windows_paths() {
    let n = |p: &str| absolute_normalised(Path::new(p)).unwrap();
    assert_eq!(n(r"C:\a\b\..\c\.\d"), PathBuf::from(r"C:\a\c\d"));
    assert_eq!(n("C:/a/./b"), PathBuf::from(r"C:\a\b"));
    assert_eq!(n(r"C:\..\x"), PathBuf::from(r"C:\x"));
    assert_eq!(
        n(r"\\server\share\x\..\y"),
        PathBuf::from(r"\\server\share\y")
    );
    assert_eq!(
        n(r"\\server\share\..\..\y"),
        PathBuf::from(r"\\server\share\y")
    );
    assert_eq!(n("C:/é/…"), PathBuf::from("C:\\é\\…"));
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(n(r"x\..\y"), cwd.join("y"));
}

/// The 1-D shortcut of region_bytes answers exactly what the general way does: the same
/// byte count, or no answer where the general way fails.
#[test]
fn region_bytes_1d_is_the_general_way() {
    let general = |d: usize, itemsize: usize, offset: u64| {
        let shape = [d];
        let nbytes = layout::byte_count(layout::element_count(&shape)?, itemsize, &shape)?;
        layout::contiguous_strides(&shape, itemsize, Order::C)?;
        match offset.checked_add(nbytes as u64) {
            Some(end) if end <= i64::MAX as u64 => Ok(nbytes),
            _ => Err(MmError::invalid("offset")),
        }
    };
    let big = [
        0,
        1,
        3,
        8,
        1 << 20,
        (1 << 31) + 1,
        1 << 62,
        (1 << 63) - 1,
        1 << 63,
        usize::MAX / 8,
        usize::MAX / 8 + 1,
        usize::MAX,
    ];
    for &d in &big {
        for &itemsize in &big {
            for offset in [0, 7, 1 << 40, i64::MAX as u64, u64::MAX] {
                let ours = region_bytes_1d(d, itemsize, offset);
                let theirs = general(d, itemsize, offset).ok();
                assert_eq!(ours, theirs, "d {d} itemsize {itemsize} offset {offset}");
                let full = region_bytes(&[d], itemsize, offset, Order::F).ok();
                assert_eq!(full, theirs, "d {d} itemsize {itemsize} offset {offset}");
            }
        }
    }
}
