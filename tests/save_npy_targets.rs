//! Issue 10, defects 1 and 7: what `mm_save_npy` (core `npy::save`) does to the node at
//! the target path.
//! - a FIFO, a character device (a private `mknod` node in the test's own directory, root
//!   only) or a directory is refused with MM_E_IO / ENODEV (EISDIR) and left as it was,
//!   also through a symlink; it used to be replaced by a regular file;
//! - an existing target keeps its mode (0600 stays 0600);
//! - a symlink stays a symlink and its final target gets the new content (np.save writes
//!   through links); a dangling link's target is created;
//! - other hard links of the target keep the old data (an atomic replace gives the name a
//!   new file), as documented.
//!
//! The unprivileged cases (a 0444 / 0000 target, a 0333 directory) are in
//! tests/save_npy_unprivileged.rs.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

use mmarray::npy;
use mmarray::{guarded, DType, ErrorKind, Order, View};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn c(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

/// A <u2 (5,) source array holding 1..=5, and the bytes np.save writes for it.
fn source(dir: &TempDir) -> (View, Vec<u8>) {
    let view = npy::create(
        &dir.path("source.npy"),
        &DType::parse("<u2").unwrap(),
        &[5],
        Order::C,
    )
    .unwrap();
    let data: Vec<u8> = (1..=5u16).flat_map(|v| v.to_le_bytes()).collect();
    unsafe { guarded::write_at(&view, 0, data.as_ptr(), data.len()) }.unwrap();
    view.flush().unwrap();
    let mut file = npy::header::encode(view.dtype(), &[5], false).unwrap();
    file.extend_from_slice(&data);
    (view, file)
}

/// Names in `dir` other than the ones given: a leftover temporary shows here.
fn others(dir: &Path, known: &[&str]) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !known.contains(&n.as_str()))
        .collect()
}

#[test]
fn fifo_char_device_and_directory_targets_are_refused_and_kept() {
    let dir = TempDir::new("special-targets");
    let (view, _) = source(&dir);

    let fifo = dir.path("fifo");
    assert_eq!(unsafe { libc::mkfifo(c(&fifo).as_ptr(), 0o644) }, 0);
    let err = npy::save(&view, &fifo).unwrap_err();
    assert_eq!(
        (err.kind, err.os_error),
        (ErrorKind::Io, libc::ENODEV),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("a FIFO, not a regular file"),
        "{}",
        err.message
    );
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    // Through a symlink: the link and the FIFO both stay.
    std::os::unix::fs::symlink("fifo", dir.path("to-fifo")).unwrap();
    let err = npy::save(&view, &dir.path("to-fifo")).unwrap_err();
    assert_eq!(
        (err.kind, err.os_error),
        (ErrorKind::Io, libc::ENODEV),
        "{}",
        err.message
    );
    assert!(fs::symlink_metadata(dir.path("to-fifo"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    let sub = dir.path("sub");
    fs::create_dir(&sub).unwrap();
    let err = npy::save(&view, &sub).unwrap_err();
    assert_eq!(
        (err.kind, err.os_error),
        (ErrorKind::Io, libc::EISDIR),
        "{}",
        err.message
    );
    assert!(fs::metadata(&sub).unwrap().is_dir());

    // A private character device with /dev/null's numbers, inside the test's directory.
    let node = dir.path("null-node");
    let dev = libc::makedev(1, 3);
    if unsafe { libc::mknod(c(&node).as_ptr(), libc::S_IFCHR | 0o666, dev) } != 0 {
        println!(
            "SKIPPED the character-device case: mknod failed ({}; it needs root / CAP_MKNOD); the FIFO case ran",
            std::io::Error::last_os_error()
        );
    } else {
        let err = npy::save(&view, &node).unwrap_err();
        assert_eq!(
            (err.kind, err.os_error),
            (ErrorKind::Io, libc::ENODEV),
            "{}",
            err.message
        );
        assert!(
            err.message
                .contains("a character device, not a regular file"),
            "{}",
            err.message
        );
        let meta = fs::symlink_metadata(&node).unwrap();
        assert!(meta.file_type().is_char_device());
        assert_eq!(meta.rdev(), dev);
        println!("character device (1, 3) in the test directory: refused with ENODEV, node kept");
    }
    assert_eq!(
        others(
            &dir.0,
            &["source.npy", "fifo", "to-fifo", "sub", "null-node"]
        ),
        Vec::<String>::new()
    );
}

#[test]
fn an_existing_target_keeps_its_mode() {
    let dir = TempDir::new("keep-mode");
    let (view, bytes) = source(&dir);
    for mode in [0o600, 0o640, 0o604, 0o755] {
        let p = dir.path("t.npy");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        npy::save(&view, &p).unwrap();
        let meta = fs::metadata(&p).unwrap();
        assert_eq!(
            meta.mode() & 0o7777,
            mode,
            "mode {mode:o} came back {:o}",
            meta.mode()
        );
        assert_eq!(fs::read(&p).unwrap(), bytes);
    }
}

#[test]
fn a_symlink_stays_a_link_and_its_target_is_replaced() {
    let dir = TempDir::new("symlink-target");
    let (view, bytes) = source(&dir);
    fs::create_dir(dir.path("sub")).unwrap();
    let real = dir.path("sub/real.npy");
    fs::write(&real, b"old data").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    // link -> sub/real.npy (relative), chain -> link.
    std::os::unix::fs::symlink("sub/real.npy", dir.path("link")).unwrap();
    std::os::unix::fs::symlink("link", dir.path("chain")).unwrap();
    for name in ["link", "chain"] {
        fs::write(&real, b"old data").unwrap();
        npy::save(&view, &dir.path(name)).unwrap();
        let meta = fs::symlink_metadata(dir.path(name)).unwrap();
        assert!(meta.file_type().is_symlink(), "{name} is no longer a link");
        assert_eq!(fs::read(&real).unwrap(), bytes, "{name}");
        assert_eq!(fs::metadata(&real).unwrap().mode() & 0o777, 0o640);
    }
    assert_eq!(
        fs::read_link(dir.path("link")).unwrap(),
        Path::new("sub/real.npy")
    );
    assert_eq!(
        others(&dir.path("sub"), &["real.npy"]),
        Vec::<String>::new()
    );
    assert_eq!(
        others(&dir.0, &["source.npy", "sub", "link", "chain"]),
        Vec::<String>::new()
    );
    // A dangling link: its target is created, as np.save's open() would.
    std::os::unix::fs::symlink("sub/new.npy", dir.path("dangling")).unwrap();
    npy::save(&view, &dir.path("dangling")).unwrap();
    assert!(fs::symlink_metadata(dir.path("dangling"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(dir.path("sub/new.npy")).unwrap(), bytes);
    // An absolute link.
    std::os::unix::fs::symlink(&real, dir.path("abs")).unwrap();
    fs::write(&real, b"old data").unwrap();
    npy::save(&view, &dir.path("abs")).unwrap();
    assert!(fs::symlink_metadata(dir.path("abs"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(&real).unwrap(), bytes);
}

#[test]
fn other_hard_links_keep_the_old_data() {
    let dir = TempDir::new("hard-links");
    let (view, bytes) = source(&dir);
    let a = dir.path("a.npy");
    let b = dir.path("b.npy");
    fs::write(&a, b"old data").unwrap();
    fs::hard_link(&a, &b).unwrap();
    npy::save(&view, &a).unwrap();
    assert_eq!(fs::read(&a).unwrap(), bytes);
    assert_eq!(fs::read(&b).unwrap(), b"old data");
    assert_eq!(fs::metadata(&a).unwrap().nlink(), 1);
    assert_eq!(fs::metadata(&b).unwrap().nlink(), 1);
}

#[test]
fn a_handle_on_the_replaced_file_keeps_the_old_file() {
    // Documented: after mm_save_npy replaced the file a handle maps, the handle still
    // maps the old (now unlinked) file; its writes never reach the new file.
    let dir = TempDir::new("replaced-under-handle");
    let (view, bytes) = source(&dir);
    let p = dir.path("t.npy");
    let old = npy::create(&p, &DType::parse("<u1").unwrap(), &[4], Order::C).unwrap();
    npy::save(&view, &p).unwrap();
    unsafe { guarded::write_at(&old, 0, [9u8; 4].as_ptr(), 4) }.unwrap();
    old.flush().unwrap();
    assert_eq!(fs::read(&p).unwrap(), bytes);
    let mut back = [0u8; 4];
    unsafe { guarded::read_at(&old, 0, back.as_mut_ptr(), 4) }.unwrap();
    assert_eq!(back, [9u8; 4]);
    // Saving a view over the very file it maps (reversed): the new file holds the data.
    let own = dir.path("own.npy");
    let v = npy::create(&own, &DType::parse("<u1").unwrap(), &[4], Order::C).unwrap();
    unsafe { guarded::write_at(&v, 0, [1u8, 2, 3, 4].as_ptr(), 4) }.unwrap();
    let rev = v.slice(0, i64::MAX, i64::MIN, -1).unwrap();
    npy::save(&rev, &own).unwrap();
    assert_eq!(&fs::read(&own).unwrap()[128..], &[4, 3, 2, 1]);
}
