//! The Rust core's open semantics: modes, sizes, inference, errors, and that a failed
//! open leaves the file exactly as it was. Each test works in its own temporary directory.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use mmarray::{Advice, DType, ErrorKind, Mode, OpenSpec, Order, View};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn spec(dtype: &str, mode: Mode, offset: u64, shape: Option<&[usize]>, order: Order) -> OpenSpec {
    OpenSpec {
        dtype: DType::parse(dtype).unwrap(),
        mode,
        offset,
        shape: shape.map(|s| s.to_vec()),
        order,
    }
}

fn read(view: &View) -> Vec<u8> {
    // SAFETY: the test's views are contiguous and in bounds.
    unsafe { std::slice::from_raw_parts(view.data_ptr(), view.nbytes()).to_vec() }
}

fn size(path: &Path) -> u64 {
    fs::metadata(path).unwrap().size()
}

#[test]
fn read_only_inferred_shape_at_odd_offset() {
    let dir = TempDir::new("r");
    let p = dir.path("a.bin");
    fs::write(&p, (0u8..=99).collect::<Vec<_>>()).unwrap();
    let v = View::open(&p, &spec("<u2", Mode::ReadOnly, 3, None, Order::C)).unwrap_err();
    assert_eq!(v.kind, ErrorKind::SizeMismatch, "{}", v.message);
    let v = View::open(&p, &spec("<u2", Mode::ReadOnly, 4, None, Order::C)).unwrap();
    assert_eq!(v.shape(), &[48]);
    assert_eq!(v.strides(), &[2]);
    assert_eq!(&read(&v)[..4], &[4, 5, 6, 7]);
    assert_eq!(v.offset(), 4);
    assert_eq!(v.mode(), Mode::ReadOnly);
    assert!(!v.flags().writeable);
    assert_eq!(v.filename(), Some(p.as_path()));
    assert_eq!(size(&p), 100);
}

#[test]
fn write_plus_truncates_and_extends_sparse() {
    let dir = TempDir::new("w");
    let p = dir.path("a.bin");
    fs::write(&p, vec![0xAAu8; 5000]).unwrap();
    let v = View::open(&p, &spec("f8", Mode::Write, 100, Some(&[3, 4]), Order::C)).unwrap();
    assert_eq!(size(&p), 100 + 96);
    let bytes = fs::read(&p).unwrap();
    assert!(
        bytes.iter().all(|&b| b == 0),
        "w+ must zero the old content"
    );
    assert_eq!(v.strides(), &[32, 8]);
    drop(v);
    // r+ extends but never shrinks.
    let v = View::open(&p, &spec("u1", Mode::ReadWrite, 0, Some(&[10]), Order::C)).unwrap();
    assert_eq!(size(&p), 196);
    drop(v);
    let v = View::open(
        &p,
        &spec("u1", Mode::ReadWrite, 1000, Some(&[10]), Order::C),
    )
    .unwrap();
    assert_eq!(size(&p), 1010);
    unsafe { *v.data_ptr() = 7 };
    v.flush().unwrap();
    assert_eq!(fs::read(&p).unwrap()[1000], 7);
}

#[test]
fn fortran_order_positions() {
    let dir = TempDir::new("f");
    let p = dir.path("a.bin");
    fs::write(&p, (0u8..12).collect::<Vec<_>>()).unwrap();
    let v = View::open(&p, &spec("u1", Mode::ReadOnly, 0, Some(&[3, 4]), Order::F)).unwrap();
    assert_eq!(v.strides(), &[1, 3]);
    let col = v.slice(1, 0, 1, 1).unwrap();
    assert_eq!(col.shape(), &[3, 1]);
    let f = v.flags();
    assert!(f.f_contiguous && !f.c_contiguous);
}

#[test]
fn failures_leave_the_file_untouched() {
    let dir = TempDir::new("d1");
    let p = dir.path("a.bin");
    let content: Vec<u8> = (0..200u32).map(|i| i as u8).collect();
    fs::write(&p, &content).unwrap();
    let cases: Vec<(OpenSpec, ErrorKind)> = vec![
        (
            spec("f8", Mode::Write, 0, None, Order::C),
            ErrorKind::InvalidArg,
        ),
        (
            spec("f8", Mode::Write, 0, Some(&[usize::MAX, 2]), Order::C),
            ErrorKind::InvalidArg,
        ),
        (
            spec("f8", Mode::ReadWrite, u64::MAX - 4, Some(&[1]), Order::C),
            ErrorKind::InvalidArg,
        ),
        (
            spec("f8", Mode::Write, i64::MAX as u64, Some(&[1]), Order::C),
            ErrorKind::InvalidArg,
        ),
        (
            spec("V0", Mode::ReadWrite, 0, None, Order::C),
            ErrorKind::InvalidArg,
        ),
        (
            spec("f8", Mode::ReadOnly, 0, Some(&[26]), Order::C),
            ErrorKind::FileTooSmall,
        ),
        (
            spec("f8", Mode::CopyOnWrite, 201, Some(&[0]), Order::C),
            ErrorKind::FileTooSmall,
        ),
        (
            spec("f8", Mode::ReadWrite, 300, None, Order::C),
            ErrorKind::FileTooSmall,
        ),
        (
            spec("f4", Mode::ReadWrite, 2, None, Order::C),
            ErrorKind::SizeMismatch,
        ),
    ];
    for (s, kind) in cases {
        let err = View::open(&p, &s).unwrap_err();
        assert_eq!(err.kind, kind, "{s:?}: {}", err.message);
        assert!(!err.message.is_empty());
        assert_eq!(fs::read(&p).unwrap(), content, "{s:?} changed the file");
    }
    // w+ on a new path that fails creates nothing.
    let q = dir.path("new.bin");
    assert!(View::open(
        &q,
        &spec("f8", Mode::Write, 0, Some(&[usize::MAX]), Order::C)
    )
    .is_err());
    assert!(!q.exists());
    let missing =
        View::open(&q, &spec("f8", Mode::ReadWrite, 0, Some(&[1]), Order::C)).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert_eq!(missing.os_error, libc::ENOENT);
    assert!(!q.exists());
}

#[test]
fn zero_byte_arrays_work_everywhere() {
    let dir = TempDir::new("d2");
    let p = dir.path("empty.bin");
    fs::write(&p, b"").unwrap();
    for mode in [Mode::ReadOnly, Mode::CopyOnWrite, Mode::ReadWrite] {
        let v = View::open(&p, &spec("f8", mode, 0, None, Order::C)).unwrap();
        assert_eq!(v.shape(), &[0]);
        assert!(!v.data_ptr().is_null());
        v.flush().unwrap();
        assert_eq!(size(&p), 0, "{mode:?}");
    }
    let v = View::open(&p, &spec("f8", Mode::Write, 0, Some(&[0, 4]), Order::C)).unwrap();
    assert_eq!(v.strides(), &[32, 8]);
    assert_eq!(size(&p), 0);
    drop(v);
    let v = View::open(&p, &spec("f8", Mode::ReadWrite, 4096, Some(&[0]), Order::C)).unwrap();
    assert_eq!(v.nbytes(), 0);
    assert_eq!(size(&p), 4096);
}

#[test]
fn directories_and_fifos_are_refused_without_blocking() {
    let dir = TempDir::new("special");
    for mode in [
        Mode::ReadOnly,
        Mode::ReadWrite,
        Mode::CopyOnWrite,
        Mode::Write,
    ] {
        let err = View::open(&dir.0, &spec("u1", mode, 0, Some(&[1]), Order::C)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Io, "{mode:?}: {}", err.message);
        assert_eq!(err.os_error, libc::EISDIR);
    }
    let fifo = dir.path("fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for mode in [Mode::ReadOnly, Mode::ReadWrite, Mode::Write] {
        let err = View::open(&fifo, &spec("u1", mode, 0, Some(&[1]), Order::C)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Io);
        assert_eq!(err.os_error, libc::ENODEV);
        assert!(err.message.contains("FIFO"), "{}", err.message);
    }
}

#[test]
fn views_stay_inside_the_region() {
    let dir = TempDir::new("views");
    let p = dir.path("a.bin");
    fs::write(&p, (0u8..64).collect::<Vec<_>>()).unwrap();
    let base = View::open(&p, &spec("u1", Mode::ReadOnly, 16, Some(&[32]), Order::C)).unwrap();
    let whole = base.view(None, 0, &[32], None).unwrap();
    assert_eq!(read(&whole)[0], 16);
    assert_eq!(
        base.view(None, 1, &[32], None).unwrap_err().kind,
        ErrorKind::OutOfBounds
    );
    assert_eq!(
        base.view(None, -1, &[2], None).unwrap_err().kind,
        ErrorKind::OutOfBounds
    );
    let rev = base.view(None, 31, &[32], Some(&[-1])).unwrap();
    assert_eq!(unsafe { *rev.data_ptr() }, 47);
    assert_eq!(
        base.view(None, 30, &[32], Some(&[-1])).unwrap_err().kind,
        ErrorKind::OutOfBounds
    );
    let wide = base
        .view(Some(DType::parse("<u4").unwrap()), 0, &[8], None)
        .unwrap();
    assert_eq!(wide.strides(), &[4]);
    assert_eq!(
        base.view(Some(DType::parse("<u4").unwrap()), 1, &[8], None)
            .unwrap_err()
            .kind,
        ErrorKind::OutOfBounds
    );
    assert_eq!(
        base.view(Some(DType::parse("<u4").unwrap()), 0, &[8], Some(&[2]))
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArg
    );
    // Empty views reach nothing, wherever they start.
    assert!(base.view(None, 1000, &[0], None).is_ok());
    // Slices of views, and views of slices, share the mapping.
    let s = base.slice(0, i64::MAX, i64::MIN, -2).unwrap();
    assert_eq!(s.shape(), &[16]);
    assert_eq!(s.strides(), &[-2]);
    assert_eq!(unsafe { *s.data_ptr() }, 47);
    assert!(s.same_mapping(&base));
    assert_eq!(s.slice(1, 0, 1, 1).unwrap_err().kind, ErrorKind::InvalidArg);
    assert_eq!(s.slice(0, 0, 1, 0).unwrap_err().kind, ErrorKind::InvalidArg);
    drop(base);
    assert_eq!(
        unsafe { *s.data_ptr().offset(-2) },
        45,
        "a view outlives its base"
    );
}

#[test]
fn copy_on_write_never_reaches_the_file() {
    let dir = TempDir::new("c");
    let p = dir.path("a.bin");
    fs::write(&p, [1u8; 10]).unwrap();
    let v = View::open(&p, &spec("u1", Mode::CopyOnWrite, 0, None, Order::C)).unwrap();
    assert!(v.flags().writeable);
    unsafe { *v.data_ptr() = 9 };
    v.flush().unwrap();
    assert_eq!(read(&v)[0], 9);
    drop(v);
    assert_eq!(fs::read(&p).unwrap(), vec![1u8; 10]);
}

#[test]
fn populate_write_needs_a_writable_mode_even_without_elements() {
    let dir = TempDir::new("populate-write");
    let p = dir.path("a.bin");
    fs::write(&p, [7u8; 8192]).unwrap();
    let ro = View::open(&p, &spec("u1", Mode::ReadOnly, 0, None, Order::C)).unwrap();
    let empty = ro.slice(0, 5, 5, 1).unwrap();
    assert_eq!(empty.shape(), &[0]);
    assert_eq!(empty.byte_range(), None);
    for v in [&ro, &empty] {
        let err = v.advise(Advice::PopulateWrite).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ReadOnly);
        assert_eq!(
            err.message,
            "MADV_POPULATE_WRITE needs a writable array (mode is r)"
        );
        v.advise(Advice::WillNeed).unwrap();
        v.advise(Advice::DontNeed).unwrap();
    }
    drop((ro, empty));
    let rw = View::open(&p, &spec("u1", Mode::ReadWrite, 0, None, Order::C)).unwrap();
    let empty = rw.slice(0, 5, 5, 1).unwrap();
    empty.advise(Advice::PopulateWrite).unwrap();
    match rw.advise(Advice::PopulateWrite) {
        Ok(()) => {}
        // A kernel before 5.14 lacks the advice, and says so.
        Err(e) => assert_eq!((e.kind, e.os_error), (ErrorKind::Unsupported, libc::EINVAL)),
    }
    assert_eq!(fs::read(&p).unwrap(), vec![7u8; 8192]);
}
