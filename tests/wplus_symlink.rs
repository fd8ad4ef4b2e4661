//! w+ through a dangling symlink creates the link's target, as fopen("w+") does, and a
//! w+ open that fails after creating the target removes the target (never the link).
//! Before this was fixed, w+ on a dangling symlink spun and failed with MM_E_IO
//! "the file kept appearing and disappearing".

use std::fs;
use std::os::unix::fs::symlink;

use mmarray::{DType, ErrorKind, Mode, OpenSpec, Order, View};

fn spec(shape: usize) -> OpenSpec {
    OpenSpec {
        dtype: DType::u1(),
        mode: Mode::Write,
        offset: 0,
        shape: Some(vec![shape]),
        order: Order::C,
    }
}

#[test]
fn wplus_follows_a_dangling_symlink() {
    let dir = std::env::temp_dir().join(format!("mmarray-wplus-link-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("sub")).unwrap();
    let link = dir.join("link");
    symlink("sub/target.bin", &link).unwrap();
    // Two hops: link2 -> link -> sub/target.bin
    symlink("link", dir.join("link2")).unwrap();

    // A failure after the target was created removes the target and keeps the link.
    let err = View::open(&dir.join("link2"), &spec(1 << 62)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io, "{}", err.message);
    assert!(!dir.join("sub/target.bin").exists());
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());

    let v = View::open(&dir.join("link2"), &spec(8)).unwrap();
    assert_eq!(v.filename().unwrap(), dir.join("link2"));
    drop(v);
    assert_eq!(fs::metadata(dir.join("sub/target.bin")).unwrap().len(), 8);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());

    // A link loop is an error, not a hang.
    symlink("loop-b", dir.join("loop-a")).unwrap();
    symlink("loop-a", dir.join("loop-b")).unwrap();
    let err = View::open(&dir.join("loop-a"), &spec(8)).unwrap_err();
    assert_eq!(err.os_error, libc::ELOOP, "{}", err.message);
    fs::remove_dir_all(&dir).unwrap();
}
