//! Windows-only behaviour of the C API (run under Wine by scripts/test_windows_rust.sh):
//! files renamed and deleted by others once views close (and what holds while they are
//! open), non-ASCII paths, offsets past 4 GiB, truncation under a mapping, mm_open_fd
//! with a C runtime descriptor, durable flush after a rename, atomic saves, growth.
//! Each test works in its own temporary directory.
#![cfg(windows)]

use std::ffi::{CStr, CString};
use std::fs;
use std::os::windows::fs::FileExt;
use std::path::Path;

use mmarray::ffi::*;

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

#[path = "support/capi.rs"]
mod capi;
use capi::{create_npy, cstr, last_error, try_open as open, try_open_fd};

fn filename(h: mm_array) -> String {
    let p = mm_filename(h);
    assert!(!p.is_null());
    // SAFETY: mm_filename hands out a NUL-terminated string owned by the handle.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

/// Once every view is closed nothing of the file is held: another program may rename
/// and delete it. While a view is open the file may be renamed (every handle shares
/// delete), and the view keeps working; mm_flush reaches the renamed file through the
/// handle memmap2 keeps, not by path.
#[test]
fn rename_while_open_flush_then_rename_and_delete_after_close() {
    let dir = TempDir::new("rename");
    let a = dir.path("a.bin");
    fs::write(&a, [0u8; 8192]).unwrap();
    let (s, h) = open(&a, "u1", "r+", 0, None);
    assert_eq!(s, MM_OK);
    let b = dir.path("b.bin");
    fs::rename(&a, &b).unwrap();
    // SAFETY: the view maps 8192 writable bytes.
    unsafe { *(mm_data(h) as *mut u8).add(4100) = 0xAB };
    assert_eq!(mm_flush(h), MM_OK);
    assert_eq!(mm_flush_range(h, 4096, 8), MM_OK);
    assert_eq!(mm_flush_async(h), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let bytes = fs::read(&b).unwrap();
    assert_eq!((bytes.len(), bytes[4100], bytes[4099]), (8192, 0xAB, 0));
    let c = dir.path("c.bin");
    fs::rename(&b, &c).unwrap();
    fs::remove_file(&c).unwrap();
    assert!(!c.exists() && !b.exists());
}

/// Another program may delete the file while a view is open (every handle shares
/// delete): the file is then delete-pending (Windows 10 1903+ on NTFS removes the name
/// at once), the view keeps its data, and the file is gone when the last view closes.
#[test]
fn delete_while_a_view_is_open() {
    let dir = TempDir::new("delete");
    let d = dir.path("d.bin");
    fs::write(&d, [5u8; 4096]).unwrap();
    let (s, h) = open(&d, "u1", "r+", 0, None);
    assert_eq!(s, MM_OK);
    fs::remove_file(&d).unwrap();
    let mut buf = [0u8; 4];
    // SAFETY: four writable bytes.
    assert_eq!(
        unsafe { mm_read_at(h, 4092, buf.as_mut_ptr().cast(), 4) },
        MM_OK
    );
    assert_eq!(buf, [5; 4]);
    // SAFETY: the view maps 4096 writable bytes.
    unsafe { *(mm_data(h) as *mut u8) = 6 };
    assert_eq!(mm_flush(h), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    assert!(!d.exists());
    // The name is free again for a new file.
    fs::write(&d, [1u8]).unwrap();
    assert_eq!(fs::read(&d).unwrap(), [1]);
}

/// Paths are UTF-8 in the API and wide strings for Windows; mm_filename gives back the
/// absolute path with a drive letter and backslashes (D10).
#[test]
fn non_ascii_paths_and_mm_filename() {
    let dir = TempDir::new("utf8");
    let sub = dir.path("données_日本");
    fs::create_dir(&sub).unwrap();
    let path = sub.join("数组.npy");
    let shape = [3usize, 2];
    let p = cstr(&path);
    let (s, h) = create_npy(&path, "<i4", &shape);
    assert_eq!(s, MM_OK);
    let name = filename(h);
    assert_eq!(Path::new(&name), std::path::absolute(&path).unwrap());
    assert!(
        name.as_bytes()[1] == b':' && name.contains('\\') && !name.contains('/'),
        "{name}"
    );
    assert!(name.ends_with("\\données_日本\\数组.npy"), "{name}");
    // SAFETY: six writable i32 values.
    unsafe { *(mm_data(h) as *mut i32).add(5) = -7 };
    assert_eq!(mm_close(h), MM_OK);
    let mut h: mm_array = 0;
    let r = CString::new("r").unwrap();
    // SAFETY: as above.
    assert_eq!(
        unsafe { mm_open_npy(p.as_ptr(), r.as_ptr(), &mut h) },
        MM_OK
    );
    // SAFETY: six readable i32 values.
    assert_eq!(unsafe { *(mm_data(h) as *const i32).add(5) }, -7);
    assert_eq!(mm_close(h), MM_OK);
    // A relative path with forward slashes is made absolute against the current
    // directory, as ntpath.abspath does.
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(&dir.0).unwrap();
    let (s, h) = open(
        Path::new("données_日本/./x/../数组.npy"),
        "u1",
        "r",
        0,
        None,
    );
    std::env::set_current_dir(cwd).unwrap();
    assert_eq!(s, MM_OK);
    assert_eq!(filename(h), name);
    assert_eq!(mm_close(h), MM_OK);
}

/// An offset past 4 GiB (the high DWORD of MapViewOfFile's offset) that is not a
/// multiple of the 64 KiB allocation granularity, on a file extended sparse by w+.
#[test]
fn offset_past_4_gib() {
    let dir = TempDir::new("big");
    let path = dir.path("big.bin");
    let offset = (1u64 << 32) + 65536 * 3 + 5;
    let (s, h) = open(&path, "<u2", "w+", offset, Some(&[4]));
    assert_eq!(s, MM_OK, "{:?}", last_error());
    assert_eq!(fs::metadata(&path).unwrap().len(), offset + 8);
    assert_eq!(mm_data(h) as usize % 65536, 5);
    // SAFETY: four writable u16 values.
    unsafe { *(mm_data(h) as *mut u16).add(2) = 0xBEEF };
    assert_eq!(mm_flush(h), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let f = fs::File::open(&path).unwrap();
    let mut buf = [0u8; 8];
    f.seek_read(&mut buf, offset).unwrap();
    assert_eq!(buf, [0, 0, 0, 0, 0xEF, 0xBE, 0, 0]);
    let (s, h) = open(&path, "<u2", "r", offset + 4, None);
    assert_eq!(s, MM_OK);
    assert_eq!(mm_size(h), 2);
    let mut out = [0u8; 2];
    // SAFETY: two writable bytes.
    assert_eq!(
        unsafe { mm_read_at(h, 0, out.as_mut_ptr().cast(), 2) },
        MM_OK
    );
    assert_eq!(u16::from_le_bytes(out), 0xBEEF);
    assert_eq!(mm_close(h), MM_OK);
}

/// Windows refuses to truncate a file below a mapped view (SetEndOfFile:
/// ERROR_USER_MAPPED_FILE, 1224), so a page cannot vanish under a view the way it can
/// on POSIX; the guarded copies go through ReadProcessMemory all the same. Under Wine,
/// which may let the truncation happen, the guarded read must then report MM_E_IO.
#[test]
fn truncation_under_a_mapping() {
    let dir = TempDir::new("trunc");
    let path = dir.path("t.bin");
    fs::write(&path, vec![9u8; 65536 * 2]).unwrap();
    let (s, h) = open(&path, "u1", "r", 0, None);
    assert_eq!(s, MM_OK);
    let other = fs::OpenOptions::new().write(true).open(&path).unwrap();
    let mut buf = [0u8; 16];
    match other.set_len(100) {
        Err(e) => {
            eprintln!("truncation under a mapping refused: {e}");
            assert_eq!(e.raw_os_error(), Some(1224), "{e}");
            assert_eq!(fs::metadata(&path).unwrap().len(), 65536 * 2);
            // SAFETY: 16 writable bytes.
            let s = unsafe { mm_read_at(h, 65536 + 7, buf.as_mut_ptr().cast(), 16) };
            assert_eq!((s, buf), (MM_OK, [9u8; 16]));
        }
        Ok(()) => {
            eprintln!("truncation under a mapping allowed (Wine)");
            // Wine: the file shrank under the view; the page past the end is gone.
            // SAFETY: 16 writable bytes; the source page may be gone (the test).
            let s = unsafe { mm_read_at(h, 65536 + 7, buf.as_mut_ptr().cast(), 16) };
            assert_eq!(s, MM_E_IO, "{:?}", last_error());
        }
    }
    drop(other);
    assert_eq!(mm_close(h), MM_OK);
}

/// mm_open_fd takes a C runtime descriptor (_open), borrows the handle behind it
/// (_get_osfhandle) and neither keeps nor closes it.
#[test]
fn mm_open_fd_with_a_crt_descriptor() {
    let dir = TempDir::new("fd");
    let path = dir.path("f.bin");
    fs::write(&path, [1u8, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    let p = cstr(&path);
    // SAFETY: a NUL-terminated path; the descriptor is closed below.
    let fd = unsafe { libc::open(p.as_ptr(), libc::O_RDWR | libc::O_BINARY) };
    assert!(fd >= 0);
    let (s, h) = try_open_fd(fd, "<u2", "r+", 2, None);
    assert_eq!(s, MM_OK, "{:?}", last_error());
    assert_eq!(mm_size(h), 3);
    assert!(mm_filename(h).is_null());
    // SAFETY: three writable u16 values.
    unsafe { *(mm_data(h) as *mut u16) = 0x0A0B };
    assert_eq!(mm_flush(h), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    // The descriptor is still open and ours to close.
    // SAFETY: our descriptor.
    assert_eq!(unsafe { libc::close(fd) }, 0);
    assert_eq!(fs::read(&path).unwrap(), [1, 2, 0x0B, 0x0A, 5, 6, 7, 8]);
    // A read-only descriptor cannot back r+: MM_E_PERMISSION.
    // SAFETY: as above.
    let fd = unsafe { libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_BINARY) };
    let (s, h) = try_open_fd(fd, "<u2", "r+", 0, None);
    assert_eq!((s, h), (MM_E_PERMISSION, 0));
    // SAFETY: our descriptor.
    assert_eq!(unsafe { libc::close(fd) }, 0);
    // A descriptor that is not open.
    let (s, _) = try_open_fd(4000, "<u2", "r+", 0, None);
    assert_eq!(s, MM_E_IO);
}

/// mm_save_npy writes a temporary file next to the target and moves it over with
/// MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH): the old file is
/// replaced whole and no temporary file is left.
#[test]
fn save_replaces_atomically() {
    let dir = TempDir::new("save");
    let src = dir.path("src.bin");
    fs::write(&src, (0u8..24).collect::<Vec<_>>()).unwrap();
    let target = dir.path("out.npy");
    fs::write(&target, b"old content").unwrap();
    let (s, h) = open(&src, "<i4", "r", 0, Some(&[2, 3]));
    assert_eq!(s, MM_OK);
    let t = cstr(&target);
    // SAFETY: a live handle and a NUL-terminated path.
    assert_eq!(
        unsafe { mm_save_npy(h, t.as_ptr()) },
        MM_OK,
        "{:?}",
        last_error()
    );
    // And a new name.
    let fresh = dir.path("fresh.npy");
    let f = cstr(&fresh);
    // SAFETY: as above.
    assert_eq!(unsafe { mm_save_npy(h, f.as_ptr()) }, MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let saved = fs::read(&target).unwrap();
    assert_eq!(saved.len(), 128 + 24);
    assert_eq!(&saved[..6], b"\x93NUMPY");
    assert_eq!(&saved[128..], &(0u8..24).collect::<Vec<_>>()[..]);
    assert_eq!(fs::read(&fresh).unwrap(), saved);
    let mut names: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["fresh.npy", "out.npy", "src.bin"]);
}

/// A save over a file that a view maps: Windows refuses to replace an open file, so the
/// save is MM_E_PERMISSION (ERROR_ACCESS_DENIED, errno EACCES), the target keeps its
/// bytes and no temporary file is left. Once the view is closed the save succeeds.
#[test]
fn save_over_a_mapped_target_is_refused_until_it_closes() {
    let dir = TempDir::new("savemapped");
    let target = dir.path("t.npy");
    let shape = [4usize];
    let t = cstr(&target);
    let (s, h) = create_npy(&target, "<u2", &shape);
    assert_eq!(s, MM_OK);
    assert_eq!(mm_flush(h), MM_OK);
    let before = fs::read(&target).unwrap();
    let src = dir.path("s.bin");
    fs::write(&src, [7u8; 6]).unwrap();
    let (s, v) = open(&src, "u1", "r", 0, None);
    assert_eq!(s, MM_OK);
    // SAFETY: live handles and a NUL-terminated path.
    let s = unsafe { mm_save_npy(v, t.as_ptr()) };
    assert_eq!(
        (s, mm_last_os_error()),
        (MM_E_PERMISSION, libc::EACCES),
        "{}",
        last_error()
    );
    assert_eq!(fs::read(&target).unwrap(), before);
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 2);
    assert_eq!(mm_close(h), MM_OK);
    // SAFETY: as above.
    assert_eq!(unsafe { mm_save_npy(v, t.as_ptr()) }, MM_OK);
    assert_eq!(fs::read(&target).unwrap().len(), 128 + 6);
    assert_eq!(mm_close(v), MM_OK);
}

/// mm_npy_append on Windows: the growth lock (LockFileEx on one byte far past the
/// data) does not block readers, and the grown view is mapped once the rows are written.
#[test]
fn npy_append_grows_the_file() {
    let dir = TempDir::new("append");
    let path = dir.path("g.npy");
    let (s, h) = create_npy(&path, "<f8", &[2, 2]);
    assert_eq!(s, MM_OK);
    let rows = [1.5f64, 2.5, 3.5, 4.5, 5.5, 6.5];
    let mut g: mm_array = 0;
    // SAFETY: three rows of two f64, a writable out-parameter.
    let s = unsafe { mm_npy_append(h, rows.as_ptr().cast(), 3, &mut g) };
    assert_eq!(s, MM_OK, "{:?}", last_error());
    // SAFETY: the grown view's shape has two values.
    let grown = unsafe { std::slice::from_raw_parts(mm_shape(g), 2) };
    assert_eq!(grown, [5, 2]);
    // SAFETY: ten readable f64 values.
    assert_eq!(unsafe { *(mm_data(g) as *const f64).add(9) }, 6.5);
    // Another reader reads the file while nothing is locked over the data.
    let bytes = fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 128 + 80);
    assert_eq!(mm_close(g), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
}

/// The open modes and flags: w+ over an existing file (truncated, sized), c (writes
/// stay private), r+ extension with MM_OPEN_PREALLOCATE and MM_OPEN_POPULATE, and the
/// memory controls through the C API.
#[test]
fn modes_flags_and_controls() {
    let dir = TempDir::new("modes");
    let path = dir.path("m.bin");
    fs::write(&path, [3u8; 10000]).unwrap();
    // w+ over an existing file: zeros, exactly the new size.
    let (s, h) = open(&path, "u1", "w+", 0, Some(&[5000]));
    assert_eq!(s, MM_OK);
    assert_eq!(fs::metadata(&path).unwrap().len(), 5000);
    // SAFETY: 5000 readable bytes.
    assert_eq!(unsafe { *(mm_data(h) as *const u8).add(4999) }, 0);
    // SAFETY: 5000 writable bytes.
    unsafe { *(mm_data(h) as *mut u8) = 1 };
    assert_eq!(mm_close(h), MM_OK);
    // c: private copy-on-write.
    let (s, h) = open(&path, "u1", "c", 0, None);
    assert_eq!(s, MM_OK);
    // SAFETY: as above.
    unsafe { *(mm_data(h) as *mut u8) = 99 };
    assert_eq!(mm_flush(h), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&path).unwrap()[0], 1);
    // r+ with both flags extends the file to offset + nbytes, blocks reserved first.
    let (p, d, m) = (
        cstr(&path),
        CString::new("<u4").unwrap(),
        CString::new("r+").unwrap(),
    );
    let shape = [70000usize];
    let mut h: mm_array = 0;
    // SAFETY: texts, one shape value, a writable out-parameter.
    let s = unsafe {
        mm_open_ex(
            p.as_ptr(),
            d.as_ptr(),
            m.as_ptr(),
            8,
            shape.as_ptr(),
            1,
            b'C' as _,
            MM_OPEN_PREALLOCATE | MM_OPEN_POPULATE,
            &mut h,
        )
    };
    assert_eq!(s, MM_OK, "{}", last_error());
    assert_eq!(fs::metadata(&path).unwrap().len(), 8 + 280000);
    assert_eq!(mm_advise(h, MM_ADVICE_NORMAL), MM_OK);
    assert_eq!(mm_advise(h, MM_ADVICE_WILLNEED), MM_OK);
    for advice in [
        MM_ADVICE_SEQUENTIAL,
        MM_ADVICE_RANDOM,
        MM_ADVICE_DONTNEED,
        MM_ADVICE_HUGEPAGE,
        MM_ADVICE_POPULATE_READ,
        MM_ADVICE_POPULATE_WRITE,
    ] {
        assert_eq!(mm_advise(h, advice), MM_E_UNSUPPORTED, "advice {advice}");
    }
    assert_eq!(mm_advise(h, 99), MM_E_INVALID_ARG);
    assert_eq!(mm_lock(h), MM_OK, "{}", last_error());
    let mut resident = 0u64;
    // SAFETY: a writable out-parameter.
    assert_eq!(unsafe { mm_resident(h, &mut resident) }, MM_OK);
    assert_eq!(resident, 280000);
    assert_eq!(mm_unlock(h), MM_OK);
    let word = 0xDEADBEEFu32.to_le_bytes();
    // SAFETY: four readable bytes.
    assert_eq!(unsafe { mm_write_at(h, 4, word.as_ptr().cast(), 4) }, MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let bytes = fs::read(&path).unwrap();
    assert_eq!(&bytes[12..16], &word);
    // r on a file too small: nothing changes.
    let (s, h) = open(&path, "u1", "r", 0, Some(&[300000]));
    assert_eq!((s, h), (MM_E_FILE_TOO_SMALL, 0));
    assert_eq!(fs::metadata(&path).unwrap().len(), 8 + 280000);
}

/// .npz archives: save (stored and deflated), names, open a member.
#[test]
fn npz_save_names_and_open() {
    let dir = TempDir::new("npz");
    let src = dir.path("src.bin");
    fs::write(&src, (0u8..40).collect::<Vec<_>>()).unwrap();
    let (s, a) = open(&src, "<i8", "r", 0, None);
    assert_eq!(s, MM_OK);
    for compress in [0, 1] {
        let path = dir.path(&format!("z{compress}.npz"));
        let p = cstr(&path);
        let names = [CString::new("x").unwrap(), CString::new("ü/y").unwrap()];
        let name_ptrs = [names[0].as_ptr(), names[1].as_ptr()];
        let arrays = [a, a];
        // SAFETY: two names and two handles.
        let s =
            unsafe { mm_save_npz(p.as_ptr(), 2, name_ptrs.as_ptr(), arrays.as_ptr(), compress) };
        assert_eq!(s, MM_OK, "{}", last_error());
        let mut buf = [0 as std::ffi::c_char; 64];
        let (mut needed, mut count) = (0usize, 0usize);
        // SAFETY: a 64-byte buffer and two out-parameters.
        let s = unsafe { mm_npz_names(p.as_ptr(), buf.as_mut_ptr(), 64, &mut needed, &mut count) };
        assert_eq!((s, count), (MM_OK, 2));
        let mut h: mm_array = 0;
        let r = CString::new("r").unwrap();
        // SAFETY: texts and a writable out-parameter.
        let s = unsafe { mm_open_npz(p.as_ptr(), names[1].as_ptr(), r.as_ptr(), &mut h) };
        assert_eq!(s, MM_OK, "{}", last_error());
        assert_eq!(mm_size(h), 5);
        // SAFETY: five readable i64 values.
        assert_eq!(
            unsafe { *(mm_data(h) as *const i64).add(4) },
            i64::from_le_bytes([32, 33, 34, 35, 36, 37, 38, 39])
        );
        assert_eq!(mm_close(h), MM_OK);
    }
    assert_eq!(mm_close(a), MM_OK);
}

/// mm_npy_grow (zero rows, the file extended before the grown array is mapped) and
/// mm_npy_recover of a consistent file.
#[test]
fn npy_grow_and_recover() {
    let dir = TempDir::new("grow");
    let path = dir.path("g.npy");
    let p = cstr(&path);
    let (s, h) = create_npy(&path, "<i2", &[3]);
    assert_eq!(s, MM_OK);
    let mut g: mm_array = 0;
    // SAFETY: a writable out-parameter.
    assert_eq!(
        unsafe { mm_npy_grow(h, 100000, &mut g) },
        MM_OK,
        "{}",
        last_error()
    );
    assert_eq!(mm_size(g), 100000);
    assert_eq!(fs::metadata(&path).unwrap().len(), 128 + 200000);
    assert_eq!(mm_close(g), MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let mut length = 0usize;
    // SAFETY: a path and a writable out-parameter.
    assert_eq!(unsafe { mm_npy_recover(p.as_ptr(), &mut length) }, MM_OK);
    assert_eq!(length, 100000);
}
