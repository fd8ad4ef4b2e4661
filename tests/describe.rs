//! mm_describe and mm_scalar_kind through the C ABI: exact snapshots, the snprintf-like
//! dtype text, bad handles and NULL arguments, a close racing a describe, and the
//! scalar kind of every kind of dtype. Each test works in its own temporary directory.

use std::ffi::CStr;
use std::mem::{align_of, offset_of, size_of};
use std::path::Path;

use mmarray::ffi::*;

#[path = "support/capi.rs"]
mod capi;
use capi::{last_error, try_open};
#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn open(path: &Path, dtype: &str, mode: &str, offset: u64, shape: &[usize]) -> mm_array {
    let (st, out) = try_open(path, dtype, mode, offset, Some(shape));
    assert_eq!(st, MM_OK, "open {dtype} {mode}: {}", last_error());
    out
}

/// mm_info filled with 0xAB bytes, so that a field the call forgets shows.
fn dirty_info() -> mm_info {
    // SAFETY: every bit pattern is a valid mm_info (integers, a raw pointer, chars).
    unsafe { std::mem::transmute([0xABu8; size_of::<mm_info>()]) }
}

fn describe(a: mm_array, cap: usize) -> (mm_status, mm_info, Vec<u8>, usize) {
    let mut info = dirty_info();
    let mut buf = vec![0xCDu8; cap];
    let mut needed = 12345usize;
    let ptr = if cap == 0 {
        std::ptr::null_mut()
    } else {
        buf.as_mut_ptr().cast()
    };
    // SAFETY: a writable mm_info, `cap` writable bytes (or NULL with 0), a writable size_t.
    let st = unsafe { mm_describe(a, &mut info, ptr, cap, &mut needed) };
    (st, info, buf, needed)
}

fn mode_text(info: &mm_info) -> Vec<u8> {
    info.mode.iter().map(|&c| c as u8).collect()
}

#[test]
fn layout_is_the_documented_one() {
    assert_eq!(size_of::<mm_info>(), 1088);
    assert_eq!(align_of::<mm_info>(), 8);
    assert_eq!(offset_of!(mm_info, scalar_kind), 52);
    assert_eq!(offset_of!(mm_info, mode), 56);
    assert_eq!(offset_of!(mm_info, shape), 64);
    assert_eq!(offset_of!(mm_info, strides), 64 + 8 * MM_MAX_NDIM);
}

#[test]
fn snapshot_of_a_fresh_array_is_exact() {
    let dir = TempDir::new("describe_fresh");
    let path = dir.path("a.bin");
    let a = open(&path, "<i4", "w+", 8, &[3, 4]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 56);
    let (st, info, buf, needed) = describe(a, 16);
    assert_eq!(st, MM_OK);
    assert_eq!(info.data, mm_data(a));
    assert_eq!(info.ndim, 2);
    assert_eq!(info.itemsize, 4);
    assert_eq!(info.size, 12);
    assert_eq!(info.nbytes, 48);
    assert_eq!(info.offset, 8);
    assert_eq!(
        info.flags,
        MM_WRITEABLE | MM_C_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER
    );
    assert_eq!(info.flags, mm_flags(a));
    assert_eq!(info.scalar_kind, MM_SCALAR_INT32);
    assert_eq!(mode_text(&info), b"w+\0\0");
    assert_eq!(info.reserved, 0);
    assert_eq!(&info.shape[..3], &[3, 4, 0]);
    assert!(info.shape[2..].iter().all(|&d| d == 0));
    assert_eq!(&info.strides[..3], &[16, 4, 0]);
    assert!(info.strides[2..].iter().all(|&s| s == 0));
    assert_eq!(&buf[..5], b"<i4\0\xCD");
    assert_eq!(needed, 4);
    assert_eq!(mm_close(a), MM_OK);
}

#[test]
fn snapshot_of_a_strided_read_only_view() {
    let dir = TempDir::new("describe_view");
    let path = dir.path("a.bin");
    std::fs::write(&path, [0u8; 48]).unwrap();
    let a = open(&path, ">u2", "r", 0, &[4, 6]);
    let mut s = 0;
    // SAFETY: a writable out handle.
    assert_eq!(unsafe { mm_slice(a, 1, 5, 0, -2, &mut s) }, MM_OK);
    let (st, info, buf, needed) = describe(s, 8);
    assert_eq!(st, MM_OK);
    assert_eq!(info.ndim, 2);
    assert_eq!(&info.shape[..2], &[4, 3]);
    assert_eq!(&info.strides[..2], &[12, -4]);
    assert_eq!(info.size, 12);
    assert_eq!(info.nbytes, 24);
    assert_eq!(info.itemsize, 2);
    assert_eq!(info.data, mm_data(s));
    assert_eq!(info.data as usize, mm_data(a) as usize + 10);
    assert_eq!(info.flags, MM_ALIGNED);
    assert_eq!(info.flags, mm_flags(s));
    assert_eq!(info.scalar_kind, MM_SCALAR_OTHER);
    assert_eq!(mode_text(&info), b"r\0\0\0");
    assert_eq!(&buf[..4], b">u2\0");
    assert_eq!(needed, 4);
    assert_eq!(mm_close(s), MM_OK);
    assert_eq!(mm_close(a), MM_OK);
}

#[test]
fn dtype_text_is_copied_like_snprintf() {
    let dir = TempDir::new("describe_text");
    let path = dir.path("r.bin");
    let a = open(&path, "[('x', '<f4'), ('y', '<i8', (2,))]", "w+", 0, &[2]);
    // SAFETY: mm_dtype of an open handle is a valid text.
    let full = unsafe { CStr::from_ptr(mm_dtype(a)) }
        .to_bytes_with_nul()
        .to_vec();
    assert_eq!(full, b"[('x', '<f4'), ('y', '<i8', (2,))]\0");

    // cap 0 and NULL: only the size.
    let (st, info, _, needed) = describe(a, 0);
    assert_eq!(
        (st, needed, info.ndim, info.shape[0]),
        (MM_OK, full.len(), 1, 2)
    );
    assert_eq!(info.scalar_kind, MM_SCALAR_OTHER);
    assert_eq!(info.itemsize, 20);
    // Too small: truncated, NUL-terminated, not an error.
    let (st, _, buf, needed) = describe(a, 5);
    assert_eq!((st, needed), (MM_OK, full.len()));
    assert_eq!(buf, b"[('x\0");
    // cap 1: just the NUL.
    let (st, _, buf, needed) = describe(a, 1);
    assert_eq!((st, needed, buf), (MM_OK, full.len(), vec![0]));
    // Exactly the size.
    let (st, _, buf, needed) = describe(a, full.len());
    assert_eq!((st, needed), (MM_OK, full.len()));
    assert_eq!(buf, full);
    assert_eq!(mm_close(a), MM_OK);
}

#[test]
fn bad_handles_and_null_arguments() {
    let dir = TempDir::new("describe_bad");
    let path = dir.path("a.bin");
    let a = open(&path, "<f8", "w+", 0, &[2]);
    let mut info = dirty_info();
    let mut needed = 9usize;
    let mut buf = [0x55u8; 8];
    // SAFETY: NULL out is allowed (reported); the others are valid.
    let st = unsafe {
        mm_describe(
            a,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            8,
            &mut needed,
        )
    };
    assert_eq!((st, needed), (MM_E_INVALID_ARG, 0));
    assert!(last_error().contains("out is NULL"), "{}", last_error());
    // SAFETY: NULL needed is allowed (reported).
    let st = unsafe {
        mm_describe(
            a,
            &mut info,
            buf.as_mut_ptr().cast(),
            8,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(st, MM_E_INVALID_ARG);
    assert_eq!(
        (info.ndim, info.data.is_null(), info.shape[0]),
        (0, true, 0)
    );
    info = dirty_info();
    needed = 9;
    // SAFETY: NULL buf with cap > 0 is reported, not written.
    let st = unsafe { mm_describe(a, &mut info, std::ptr::null_mut(), 8, &mut needed) };
    assert_eq!((st, needed, info.ndim), (MM_E_INVALID_ARG, 0, 0));
    assert!(last_error().contains("dtype_buf is NULL but dtype_cap is 8"));
    assert_eq!(buf, [0x55u8; 8]);

    assert_eq!(mm_close(a), MM_OK);
    for h in [a, 0, u64::MAX] {
        let (st, info, buf, needed) = describe(h, 8);
        assert_eq!(st, MM_E_BAD_HANDLE);
        assert_eq!(needed, 0);
        assert_eq!(buf, vec![0xCDu8; 8]);
        assert!(info.data.is_null());
        assert_eq!(
            (info.ndim, info.size, info.flags, info.mode),
            (0, 0, 0, [0; 4])
        );
        assert!(info.shape.iter().all(|&d| d == 0));
        assert_eq!(mm_scalar_kind(h), -1);
        assert!(last_error().contains("mm_scalar_kind"), "{}", last_error());
    }
}

/// A close racing a describe: every describe either sees the whole open handle or
/// fails with MM_E_BAD_HANDLE and a zeroed snapshot, never a mixture.
#[test]
fn a_racing_close_gives_all_or_nothing() {
    let dir = TempDir::new("describe_race");
    let path = dir.path("a.bin");
    let base = open(&path, "<u2", "w+", 0, &[5, 7]);
    let mut bad = 0;
    for _ in 0..300 {
        let mut v = 0;
        // SAFETY: a writable out handle.
        assert_eq!(unsafe { mm_slice(base, 0, 1, 4, 1, &mut v) }, MM_OK);
        let closer = std::thread::spawn(move || assert_eq!(mm_close(v), MM_OK));
        loop {
            let (st, info, buf, needed) = describe(v, 8);
            if st == MM_E_BAD_HANDLE {
                assert_eq!(
                    (info.ndim, info.shape[0], info.shape[1], needed),
                    (0, 0, 0, 0)
                );
                assert!(info.data.is_null());
                bad += 1;
                break;
            }
            assert_eq!(st, MM_OK);
            assert_eq!(
                (info.ndim, &info.shape[..2], &info.strides[..2]),
                (2, &[3, 7][..], &[14, 2][..])
            );
            assert_eq!(
                (&buf[..4], needed, info.scalar_kind),
                (&b"<u2\0"[..], 4, MM_SCALAR_UINT16)
            );
        }
        closer.join().unwrap();
    }
    assert_eq!(bad, 300);
    assert_eq!(mm_close(base), MM_OK);
}

#[test]
fn scalar_kind_of_every_kind_of_dtype() {
    let dir = TempDir::new("describe_kinds");
    let native = if cfg!(target_endian = "little") {
        '<'
    } else {
        '>'
    };
    let swapped = if native == '<' { '>' } else { '<' };
    let mut cases: Vec<(String, i32)> = vec![
        ("?".into(), MM_SCALAR_BOOL),
        ("b1".into(), MM_SCALAR_BOOL),
        ("i1".into(), MM_SCALAR_INT8),
        ("|u1".into(), MM_SCALAR_UINT8),
        ("S3".into(), MM_SCALAR_OTHER),
        ("V4".into(), MM_SCALAR_OTHER),
        // numpy's longdouble is C long double: 80-bit extended on Linux x86-64, plain
        // double on Windows (MSVC's numpy) and macOS, where it is a float64 scalar.
        (
            "longdouble".into(),
            if cfg!(any(windows, target_vendor = "apple")) {
                MM_SCALAR_FLOAT64
            } else {
                MM_SCALAR_OTHER
            },
        ),
        (
            "clongdouble".into(),
            if cfg!(any(windows, target_vendor = "apple")) {
                MM_SCALAR_COMPLEX128
            } else {
                MM_SCALAR_OTHER
            },
        ),
        ("[('a', '<i4')]".into(), MM_SCALAR_OTHER),
        ("int64".into(), MM_SCALAR_INT64),
        ("float32".into(), MM_SCALAR_FLOAT32),
    ];
    for (code, kind) in [
        ("i2", MM_SCALAR_INT16),
        ("i4", MM_SCALAR_INT32),
        ("i8", MM_SCALAR_INT64),
        ("u2", MM_SCALAR_UINT16),
        ("u4", MM_SCALAR_UINT32),
        ("u8", MM_SCALAR_UINT64),
        ("f2", MM_SCALAR_FLOAT16),
        ("f4", MM_SCALAR_FLOAT32),
        ("f8", MM_SCALAR_FLOAT64),
        ("c8", MM_SCALAR_COMPLEX64),
        ("c16", MM_SCALAR_COMPLEX128),
        ("U2", MM_SCALAR_OTHER),
        ("M8[s]", MM_SCALAR_OTHER),
        ("m8[ns]", MM_SCALAR_OTHER),
    ] {
        cases.push((format!("{native}{code}"), kind));
        cases.push((format!("{swapped}{code}"), MM_SCALAR_OTHER));
    }
    for (i, (dtype, kind)) in cases.iter().enumerate() {
        let a = open(&dir.path(&format!("k{i}.bin")), dtype, "w+", 0, &[1]);
        assert_eq!(mm_scalar_kind(a), *kind, "dtype {dtype}");
        let (st, info, _, _) = describe(a, 0);
        assert_eq!((st, info.scalar_kind), (MM_OK, *kind), "dtype {dtype}");
        assert_eq!(mm_close(a), MM_OK);
    }
}
