//! The Rust core's .npy side: create / open / save round trips and the byte layout np.save
//! writes (checked against numpy by tests/oracle/test_npy.py; here without Python).

use std::fs;

use mmarray::npy;
use mmarray::{DType, ErrorKind, Mode, Order};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

#[test]
fn create_fill_open_save() {
    let dir = TempDir::new("roundtrip");
    let path = dir.path("a.npy");
    let f4 = DType::parse("<f4").unwrap();
    let view = npy::create(&path, &f4, &[3, 4], Order::C).unwrap();
    assert_eq!(view.mode(), Mode::ReadWrite);
    assert_eq!(view.offset(), 128);
    assert_eq!(fs::metadata(&path).unwrap().len(), 176);
    for i in 0..12 {
        let bytes = (i as f32).to_le_bytes();
        // SAFETY: 12 f32 elements from data_ptr, mapped read-write.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), view.data_ptr().add(4 * i), 4) };
    }
    view.flush().unwrap();
    let data = fs::read(&path).unwrap();
    assert!(data.starts_with(
        b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"
    ));
    assert_eq!(&data[128..132], &0f32.to_le_bytes());
    assert_eq!(&data[172..176], &11f32.to_le_bytes());

    let opened = npy::open(&path, Mode::ReadOnly).unwrap();
    assert_eq!(opened.shape(), &[3, 4]);
    assert_eq!(opened.offset(), 128);
    assert_eq!(opened.dtype(), &f4);

    // Reversed columns, saved: C order, same header, elements reversed per row.
    let rev = opened.slice(1, i64::MAX, i64::MIN, -1).unwrap();
    let out = dir.path("rev.npy");
    npy::save(&rev, &out).unwrap();
    let saved = fs::read(&out).unwrap();
    assert_eq!(&saved[..128], &data[..128]);
    let first_row: Vec<f32> = saved[128..144]
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(first_row, vec![3.0, 2.0, 1.0, 0.0]);
    // Transposed (F-contiguous, not C): written in memory order with fortran_order True.
    let t = opened.view(None, 0, &[4, 3], Some(&[4, 16])).unwrap();
    npy::save(&t, &out).unwrap();
    let saved = fs::read(&out).unwrap();
    assert!(saved.windows(21).any(|w| w == b"'fortran_order': True"));
    assert_eq!(&saved[128..], &data[128..]);
    // Only the two files: the temporary file is gone.
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 2);
}

#[test]
fn open_never_changes_the_file() {
    let dir = TempDir::new("d9");
    let path = dir.path("t.npy");
    let u1 = DType::parse("u1").unwrap();
    drop(npy::create(&path, &u1, &[10], Order::C).unwrap());
    let full = fs::read(&path).unwrap();
    fs::write(&path, &full[..full.len() - 1]).unwrap();
    for mode in [Mode::ReadOnly, Mode::ReadWrite, Mode::CopyOnWrite] {
        let err = npy::open(&path, mode).unwrap_err();
        assert_eq!(err.kind, ErrorKind::FileTooSmall, "{}", err.message);
    }
    let err = npy::open(&path, Mode::Write).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArg);
    assert_eq!(fs::read(&path).unwrap(), &full[..full.len() - 1]);
}

#[test]
fn create_validates_before_touching_the_file() {
    let dir = TempDir::new("d1");
    let path = dir.path("keep.npy");
    fs::write(&path, b"keep").unwrap();
    let f8 = DType::parse("<f8").unwrap();
    let err = npy::create(&path, &f8, &[1 << 62, 1 << 62], Order::C).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArg);
    assert_eq!(fs::read(&path).unwrap(), b"keep");
    let fresh = dir.path("fresh.npy");
    assert!(npy::create(&fresh, &f8, &[usize::MAX, 2], Order::F).is_err());
    assert!(!fresh.exists());
}

#[test]
fn records_through_create_and_open() {
    let dir = TempDir::new("rec");
    let path = dir.path("r.npy");
    let rec = DType::parse("[('a', '|i1'), ('', '|V3'), ('b', '<i4', (2,))]").unwrap();
    assert_eq!(rec.itemsize(), 12);
    drop(npy::create(&path, &rec, &[5], Order::F).unwrap());
    let v = npy::open(&path, Mode::ReadOnly).unwrap();
    assert_eq!(v.dtype(), &rec);
    assert_eq!(
        v.dtype().typestr(),
        "[('a', '|i1'), ('', '|V3'), ('b', '<i4', (2,))]"
    );
    let fields = v.dtype().fields().unwrap();
    assert_eq!(fields[1].offset, 4);
    assert_eq!(fields[1].shape, vec![2]);
    let text = fs::read(&path).unwrap();
    assert!(text.windows(14).any(|w| w == b"'shape': (5,),"));
}

/// `mmarray::replace::replace_with`: the writer's bytes replace the target atomically; a failing
/// writer leaves the target as it was and nothing else in the directory.
#[test]
fn replace_with_writes_or_leaves_the_target_alone() {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("replace_with");
    let path = dir.path("t.bin");
    fs::write(&path, b"old contents").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    mmarray::replace::replace_with(&path, |f| {
        f.write_all(b"new")
            .map_err(|e| mmarray::MmError::os("write", &e))
    })
    .unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let err = mmarray::replace::replace_with(&path, |f| {
        f.write_all(b"partial").unwrap();
        Err(mmarray::MmError::invalid("the writer failed"))
    })
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArg);
    assert_eq!(err.message, "the writer failed");
    assert_eq!(fs::read(&path).unwrap(), b"new");
    let names: Vec<_> = fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("t.bin")]);
    // A new name is created.
    let fresh = dir.path("fresh.bin");
    mmarray::replace::replace_with(&fresh, |f| {
        f.write_all(b"x")
            .map_err(|e| mmarray::MmError::os("write", &e))
    })
    .unwrap();
    assert_eq!(fs::read(&fresh).unwrap(), b"x");
}
