//! The rest of the C API on Windows (run under Wine by scripts/test_windows_rust.sh):
//! getters, views and slices, record fields, DLPack, errors and version, and a path
//! longer than MAX_PATH. Each test works in its own temporary directory.
#![cfg(windows)]

use std::ffi::{c_void, CStr, CString};
use std::fs;
use std::path::Path;

use mmarray::ffi::*;

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn cstr(p: &Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

fn text(p: *const std::ffi::c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the library hands out NUL-terminated strings that outlive this use.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

fn open(path: &Path, dtype: &str, mode: &str, shape: &[usize]) -> mm_array {
    let (p, d, m) = (
        cstr(path),
        CString::new(dtype).unwrap(),
        CString::new(mode).unwrap(),
    );
    let mut h: mm_array = 0;
    // SAFETY: NUL-terminated texts, the shape's values, a writable out-parameter.
    let s = unsafe {
        mm_open(
            p.as_ptr(),
            d.as_ptr(),
            m.as_ptr(),
            0,
            shape.as_ptr(),
            shape.len(),
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(s, MM_OK, "{}", text(mm_last_error_message()));
    h
}

#[test]
fn getters_views_and_slices() {
    let dir = TempDir::new("views");
    let path = dir.path("v.bin");
    fs::write(&path, (0u8..24).collect::<Vec<_>>()).unwrap();
    let h = open(&path, "<u2", "r", &[3, 4]);
    // (Other tests of this binary run at the same time: only a lower bound holds.)
    assert!(mm_handle_count() >= 1);
    assert_eq!(
        (mm_ndim(h), mm_itemsize(h), mm_size(h), mm_nbytes(h)),
        (2, 2, 12, 24)
    );
    assert_eq!(
        (text(mm_dtype(h)), text(mm_mode(h)), mm_offset(h)),
        ("<u2".into(), "r".into(), 0)
    );
    // SAFETY: two strides of a 2-D array.
    assert_eq!(
        unsafe { std::slice::from_raw_parts(mm_strides(h), 2) },
        [8, 2]
    );
    let mut col: mm_array = 0;
    // SAFETY: a writable out-parameter.
    assert_eq!(unsafe { mm_slice(h, 1, 3, 0, -2, &mut col) }, MM_OK);
    // SAFETY: the slice's shape has two values.
    assert_eq!(
        unsafe { std::slice::from_raw_parts(mm_shape(col), 2) },
        [3, 2]
    );
    let mut out = [0u16; 2];
    // SAFETY: four writable bytes; byte 8 of the slice is its second row's first element.
    assert_eq!(
        unsafe { mm_read_at(col, 8, out.as_mut_ptr().cast(), 2) },
        MM_OK
    );
    assert_eq!(out[0], u16::from_le_bytes([14, 15]));
    let d = CString::new("<u4").unwrap();
    let shape = [2usize];
    let mut v: mm_array = 0;
    // SAFETY: a dtype text, one shape value, no strides, a writable out-parameter.
    assert_eq!(
        unsafe {
            mm_view(
                h,
                d.as_ptr(),
                16,
                shape.as_ptr(),
                1,
                std::ptr::null(),
                &mut v,
            )
        },
        MM_OK
    );
    // SAFETY: two readable u32 values.
    assert_eq!(
        unsafe { *(mm_data(v) as *const u32) },
        u32::from_le_bytes([16, 17, 18, 19])
    );
    assert_eq!(mm_flags(v) & MM_WRITEABLE, 0);
    for a in [v, col, h] {
        assert_eq!(mm_close(a), MM_OK);
    }
    assert_eq!(mm_close(h), MM_E_BAD_HANDLE);
}

#[test]
fn fields_dlpack_errors_and_version() {
    let dir = TempDir::new("fields");
    let path = dir.path("r.bin");
    fs::write(&path, [0u8; 24]).unwrap();
    let h = open(&path, "[('a', '<i4'), ('b', '<f8', (2,))]", "r+", &[1]);
    assert_eq!(mm_field_count(h), 2);
    let (mut name, mut dtype, mut off, mut ndim, mut shape) = (
        std::ptr::null(),
        std::ptr::null(),
        0usize,
        0usize,
        std::ptr::null(),
    );
    // SAFETY: writable out-parameters.
    let s = unsafe { mm_field(h, 1, &mut name, &mut dtype, &mut off, &mut ndim, &mut shape) };
    assert_eq!(
        (s, text(name), text(dtype), off, ndim),
        (MM_OK, "b".into(), "<f8".into(), 4, 1)
    );
    assert_eq!(mm_close(h), MM_OK);

    let h = open(&path, "<f4", "r+", &[6]);
    let mut t: *mut c_void = std::ptr::null_mut();
    // SAFETY: a writable out-parameter.
    assert_eq!(unsafe { mm_to_dlpack(h, &mut t) }, MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let m = t as *mut mm_dl_managed_tensor_versioned;
    // SAFETY: the export is valid until its deleter runs, and outlives the handle.
    unsafe {
        assert_eq!(*(*m).dl_tensor.shape, 6);
        *((*m).dl_tensor.data as *mut f32) = 1.5;
        ((*m).deleter.unwrap())(t);
    }
    assert_eq!(&fs::read(&path).unwrap()[..4], &1.5f32.to_le_bytes());

    let (s, _) = {
        let missing = dir.path("missing.bin");
        let (p, d, md) = (
            cstr(&missing),
            CString::new("u1").unwrap(),
            CString::new("r").unwrap(),
        );
        let mut h: mm_array = 0;
        // SAFETY: texts, no shape, a writable out-parameter.
        let s = unsafe {
            mm_open(
                p.as_ptr(),
                d.as_ptr(),
                md.as_ptr(),
                0,
                std::ptr::null(),
                0,
                b'C' as _,
                &mut h,
            )
        };
        (s, h)
    };
    assert_eq!((s, mm_last_os_error()), (MM_E_NOT_FOUND, libc::ENOENT));
    assert_eq!(text(mm_status_str(MM_E_NOT_FOUND)), "file not found");
    let mut buf = [0 as std::ffi::c_char; 8];
    // SAFETY: an 8-byte buffer.
    let needed = unsafe { mm_last_error_copy(buf.as_mut_ptr(), 8) };
    assert!(needed > 8);
    assert_eq!(text(buf.as_ptr()).len(), 7);
    assert_eq!(
        text(mm_version_string()),
        format!("{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        mm_version() >> 16,
        env!("CARGO_PKG_VERSION_MAJOR").parse::<u32>().unwrap()
    );
}

/// A directory is MM_E_IO with EISDIR in every mode, as on POSIX (Windows itself says
/// "access denied"), and stays a directory.
#[test]
fn a_directory_is_eisdir() {
    let dir = TempDir::new("dir");
    let sub = dir.path("sub");
    fs::create_dir(&sub).unwrap();
    let (p, d) = (cstr(&sub), CString::new("u1").unwrap());
    for mode in ["r", "r+", "c", "w+"] {
        let m = CString::new(mode).unwrap();
        let shape = [4usize];
        let mut h: mm_array = 0;
        // SAFETY: texts, one shape value, a writable out-parameter.
        let s = unsafe {
            mm_open(
                p.as_ptr(),
                d.as_ptr(),
                m.as_ptr(),
                0,
                shape.as_ptr(),
                1,
                b'C' as _,
                &mut h,
            )
        };
        assert_eq!(
            (s, mm_last_os_error(), h),
            (MM_E_IO, libc::EISDIR, 0),
            "mode {mode}"
        );
        assert!(sub.is_dir());
    }
}

/// w+ over a file that a view maps: Windows refuses the truncation
/// (ERROR_USER_MAPPED_FILE, errno EBUSY), and the file keeps its size and bytes.
#[test]
fn w_plus_over_a_mapped_file_is_refused() {
    let dir = TempDir::new("wplus");
    let path = dir.path("w.bin");
    fs::write(&path, [4u8; 1000]).unwrap();
    let r = open(&path, "u1", "r", &[1000]);
    let (p, d, m) = (
        cstr(&path),
        CString::new("u1").unwrap(),
        CString::new("w+").unwrap(),
    );
    for n in [500usize, 3000] {
        let shape = [n];
        let mut h: mm_array = 0;
        // SAFETY: texts, one shape value, a writable out-parameter.
        let s = unsafe {
            mm_open(
                p.as_ptr(),
                d.as_ptr(),
                m.as_ptr(),
                0,
                shape.as_ptr(),
                1,
                b'C' as _,
                &mut h,
            )
        };
        assert_eq!(
            (s, mm_last_os_error(), h),
            (MM_E_IO, libc::EBUSY, 0),
            "{n}: {}",
            text(mm_last_error_message())
        );
        assert_eq!(fs::read(&path).unwrap(), [4u8; 1000]);
    }
    assert_eq!(mm_close(r), MM_OK);
    let w = open(&path, "u1", "w+", &[3000]);
    assert_eq!(fs::metadata(&path).unwrap().len(), 3000);
    assert_eq!(mm_close(w), MM_OK);
}

/// A path longer than MAX_PATH (260): opened, created and saved to (the library adds
/// `\\?\` where Win32 needs it).
#[test]
fn a_path_longer_than_max_path() {
    let dir = TempDir::new("long");
    let mut sub = dir.0.clone();
    for i in 0..6 {
        sub.push(format!("{i}_{}", "d".repeat(50)));
    }
    fs::create_dir_all(&sub).unwrap();
    let path = sub.join("long.npy");
    assert!(path.to_str().unwrap().len() > 300);
    let (p, d) = (cstr(&path), CString::new("<i8").unwrap());
    let shape = [3usize];
    let mut h: mm_array = 0;
    // SAFETY: texts, one shape value, a writable out-parameter.
    assert_eq!(
        unsafe { mm_create_npy(p.as_ptr(), d.as_ptr(), shape.as_ptr(), 1, b'C' as _, &mut h) },
        MM_OK
    );
    assert_eq!(Path::new(&text(mm_filename(h))), path);
    let copy = sub.join("copy.npy");
    let c = cstr(&copy);
    // SAFETY: a live handle and a NUL-terminated path.
    assert_eq!(
        unsafe { mm_save_npy(h, c.as_ptr()) },
        MM_OK,
        "{}",
        text(mm_last_error_message())
    );
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&copy).unwrap(), fs::read(&path).unwrap());
    assert_eq!(fs::metadata(&copy).unwrap().len(), 128 + 24);
}
