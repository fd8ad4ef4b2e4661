//! The rest of the C API on Windows (run under Wine by scripts/test_windows_rust.sh):
//! getters, views and slices, record fields, DLPack, errors and version, and a path
//! longer than MAX_PATH; mm_npy_recover under an open view, mm_open_fd with a read-only
//! descriptor for r+/w+, paths in messages as given. Each test works in its own
//! temporary directory.
#![cfg(windows)]

use std::ffi::{c_void, CString};
use std::fs;
use std::path::Path;

use mmarray::ffi::*;

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

#[path = "support/capi.rs"]
mod capi;
use capi::{create_npy, cstr, last_error, text, try_open_fd};

fn open(path: &Path, dtype: &str, mode: &str, shape: &[usize]) -> mm_array {
    let (s, h) = capi::try_open(path, dtype, mode, 0, Some(shape));
    assert_eq!(s, MM_OK, "{}", last_error());
    h
}

/// mm_open(path, "u1", "r", inferred shape): the status and the handle.
fn try_open(path: &Path) -> (mm_status, mm_array) {
    capi::try_open(path, "u1", "r", 0, None)
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

    let (s, _) = try_open(&dir.path("missing.bin"));
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
    for mode in ["r", "r+", "c", "w+"] {
        let (s, h) = capi::try_open(&sub, "u1", mode, 0, Some(&[4]));
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
    for n in [500usize, 3000] {
        let (s, h) = capi::try_open(&path, "u1", "w+", 0, Some(&[n]));
        assert_eq!(
            (s, mm_last_os_error(), h),
            (MM_E_IO, libc::EBUSY, 0),
            "{n}: {}",
            last_error()
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
    let (s, h) = create_npy(&path, "<i8", &[3]);
    assert_eq!(s, MM_OK);
    assert_eq!(Path::new(&text(mm_filename(h))), path);
    let copy = sub.join("copy.npy");
    let c = cstr(&copy);
    // SAFETY: a live handle and a NUL-terminated path.
    assert_eq!(
        unsafe { mm_save_npy(h, c.as_ptr()) },
        MM_OK,
        "{}",
        last_error()
    );
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&copy).unwrap(), fs::read(&path).unwrap());
    assert_eq!(fs::metadata(&copy).unwrap().len(), 128 + 24);
}

fn create_npy_u4(path: &Path, n: usize) -> mm_array {
    let (s, h) = create_npy(path, "<u4", &[n]);
    assert_eq!(s, MM_OK, "{}", last_error());
    h
}

/// mm_npy_recover must cut a partial row, and Windows cannot shorten a mapped file: with
/// a view of the file open the call is refused (MM_E_IO, EBUSY, a message that says so
/// and names the path as given) and the file is unchanged; once the views are closed it
/// recovers.
#[test]
fn npy_recover_under_an_open_view_is_refused_then_succeeds() {
    let dir = TempDir::new("recover");
    let path = dir.path("r.npy");
    let p = cstr(&path);
    let h = create_npy_u4(&path, 4);
    // A crashed append: one whole row and half of another after the data.
    let file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut &file, &[9, 0, 0, 0, 1, 2]).unwrap();
    drop(file);
    let before = fs::read(&path).unwrap();
    assert_eq!(before.len(), 128 + 16 + 6);
    let mut length = 77usize;
    // SAFETY: a path and a writable out-parameter.
    let s = unsafe { mm_npy_recover(p.as_ptr(), &mut length) };
    assert_eq!((s, length), (MM_E_IO, 0), "{}", last_error());
    assert_eq!(mm_last_os_error(), libc::EBUSY);
    let msg = last_error();
    assert!(
        msg.contains(&format!("mm_npy_recover(\"{}\")", path.display())),
        "{msg}"
    );
    assert!(msg.contains("truncate 150 to 148 bytes"), "{msg}");
    assert!(
        msg.contains("close every view of it and call again"),
        "{msg}"
    );
    assert!(msg.contains("(os error 1224)"), "{msg}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(mm_close(h), MM_OK);
    // SAFETY: as above.
    let s = unsafe { mm_npy_recover(p.as_ptr(), &mut length) };
    assert_eq!((s, length), (MM_OK, 5), "{}", last_error());
    let after = fs::read(&path).unwrap();
    assert_eq!(after.len(), 128 + 20);
    assert_eq!(after[128..], before[128..148]);
    let header = String::from_utf8_lossy(&after[10..128]).into_owned();
    assert!(
        header.starts_with("{'descr': '<u4', 'fortran_order': False, 'shape': (5,), }"),
        "{header}"
    );
    // A consistent file with a view open: nothing to cut, nothing refused.
    let h = create_npy_u4(&dir.path("c.npy"), 3);
    let c = cstr(&dir.path("c.npy"));
    // SAFETY: as above.
    assert_eq!(unsafe { mm_npy_recover(c.as_ptr(), &mut length) }, MM_OK);
    assert_eq!(length, 3);
    assert_eq!(mm_close(h), MM_OK);
}

/// r+ and w+ need a descriptor that may write: a read-only CRT descriptor is refused
/// with MM_E_PERMISSION (EACCES) before anything changes, also when the file would have
/// to grow (under Wine 8 the extension itself would fail with ERROR_INVALID_HANDLE).
#[test]
fn mm_open_fd_read_only_descriptor_for_r_plus_and_w_plus() {
    let dir = TempDir::new("fdro");
    let path = dir.path("ro.bin");
    fs::write(&path, [7u8; 16]).unwrap();
    let p = cstr(&path);
    // SAFETY: a NUL-terminated path; the descriptor is closed below.
    let fd = unsafe { libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_BINARY) };
    assert!(fd >= 0);
    for mode in ["r+", "w+"] {
        for n in [4usize, 100] {
            let (s, h) = try_open_fd(fd, "u1", mode, 0, Some(&[n]));
            assert_eq!((s, h), (MM_E_PERMISSION, 0), "{mode} {n}: {}", last_error());
            assert_eq!(mm_last_os_error(), libc::EACCES);
            assert!(last_error().starts_with("mm_open_fd"), "{}", last_error());
            assert_eq!(fs::read(&path).unwrap(), [7u8; 16]);
        }
    }
    // Read and write: the same descriptor number, now O_RDWR, grows the file.
    // SAFETY: our descriptor.
    assert_eq!(unsafe { libc::close(fd) }, 0);
    // SAFETY: as above.
    let fd = unsafe { libc::open(p.as_ptr(), libc::O_RDWR | libc::O_BINARY) };
    let (s, h) = try_open_fd(fd, "u1", "r+", 0, Some(&[100]));
    assert_eq!(s, MM_OK, "{}", last_error());
    assert_eq!(mm_close(h), MM_OK);
    // SAFETY: our descriptor.
    assert_eq!(unsafe { libc::close(fd) }, 0);
    assert_eq!(fs::metadata(&path).unwrap().len(), 100);
}

/// Messages name the path as the caller gave it: backslashes are not doubled.
#[test]
fn messages_name_the_path_as_given() {
    let dir = TempDir::new("msg");
    let path = dir.path("missing.bin");
    let as_given = path.to_str().unwrap();
    assert!(as_given.contains('\\'), "{as_given}");
    let (s, h) = try_open(&path);
    assert_eq!((s, h), (MM_E_NOT_FOUND, 0));
    let msg = last_error();
    assert!(
        msg.starts_with(&format!("mm_open(\"{as_given}\"): ")),
        "{msg}"
    );
    // A single quote stays as it is (a double quote cannot be in a Windows name).
    let odd = dir.path("a'b");
    let (s, _) = try_open(&odd);
    assert_eq!(s, MM_E_NOT_FOUND);
    assert!(
        last_error().contains(&format!("(\"{}\")", odd.display())),
        "{}",
        last_error()
    );
}
