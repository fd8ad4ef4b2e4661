//! Issue 11: growing a .npy file through the C API (mm_npy_append, mm_npy_grow,
//! mm_npy_recover). Every error row of the issue, each with its exact status and the
//! file's bytes compared before and after (a failure leaves the file as it was); the
//! header without room and its documented fix (mm_save_npy to the same path); a full
//! disk on a small tmpfs the test mounts itself (root only; skipped with a message
//! otherwise); and the recover cases (consistent file untouched, partial row removed,
//! whole rows counted, a header claiming too many rows).

use std::ffi::{CStr, CString};
use std::fs;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

use mmarray::ffi::*;

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

#[path = "support/tmpfs.rs"]
mod tmpfs;
use tmpfs::{fill, Tmpfs};

fn c(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// np.save's header for dtype `descr` and `shape` (our encoder, itself checked against
/// numpy by the oracle suite), version 1.0.
fn header(descr: &str, shape: &[usize], fortran: bool) -> Vec<u8> {
    mmarray::npy::header::encode(&mmarray::DType::parse(descr).unwrap(), shape, fortran).unwrap()
}

/// A <i4 (rows, 3) file holding 0, 1, 2, ... as np.save writes it.
fn int_file(path: &Path, rows: usize) -> Vec<u8> {
    let mut bytes = header("<i4", &[rows, 3], false);
    for v in 0..(rows * 3) as i32 {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    fs::write(path, &bytes).unwrap();
    bytes
}

fn open_npy(path: &Path, mode: &str) -> mm_array {
    let mode = CString::new(mode).unwrap();
    let mut h = 0;
    let st = unsafe { mm_open_npy(c(path).as_ptr(), mode.as_ptr(), &mut h) };
    assert_eq!(st, MM_OK, "{}", message());
    h
}

fn append(h: mm_array, rows: &[i32], nrows: usize) -> (mm_status, mm_array) {
    let mut out = 77;
    let st = unsafe { mm_npy_append(h, rows.as_ptr().cast(), nrows, &mut out) };
    (st, out)
}

const ROW: [i32; 3] = [100, 101, 102];

#[test]
fn appends_then_recover_reports_the_length_and_changes_nothing() {
    let dir = TempDir::new("ok");
    let p = dir.path("a.npy");
    int_file(&p, 2);
    let h = open_npy(&p, "r+");
    let (st, out) = append(h, &ROW, 1);
    assert_eq!(st, MM_OK, "{}", message());
    let shape = unsafe { std::slice::from_raw_parts(mm_shape(out), mm_ndim(out)) };
    assert_eq!(shape, [3, 3]);
    // The handle keeps its shape.
    let shape = unsafe { std::slice::from_raw_parts(mm_shape(h), mm_ndim(h)) };
    assert_eq!(shape, [2, 3]);
    let mut want = header("<i4", &[3, 3], false);
    for v in (0..6i32).chain(ROW) {
        want.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(fs::read(&p).unwrap(), want);
    let mut len = 0;
    assert_eq!(unsafe { mm_npy_recover(c(&p).as_ptr(), &mut len) }, MM_OK);
    assert_eq!(len, 3);
    assert_eq!(fs::read(&p).unwrap(), want);
    // Growth from 9 to 10 rows: one digit more, the header keeps its length.
    let mut g = 0;
    assert_eq!(
        unsafe { mm_npy_grow(h, 10, &mut g) },
        MM_OK,
        "{}",
        message()
    );
    let mut want10 = header("<i4", &[10, 3], false);
    let hl = header("<i4", &[3, 3], false).len();
    assert_eq!(want10.len(), hl);
    want10.extend_from_slice(&want[hl..]);
    want10.resize(want10.len() + 7 * 12, 0);
    assert_eq!(fs::read(&p).unwrap(), want10);
    for x in [out, g, h] {
        assert_eq!(mm_close(x), MM_OK);
    }
}

#[test]
fn every_error_leaves_the_file_unchanged() {
    let dir = TempDir::new("errors");
    let p = dir.path("a.npy");
    let before = int_file(&p, 2);
    let unchanged = || assert_eq!(fs::read(&p).unwrap(), before, "the file changed");

    // Read-only handles: r and c.
    for mode in ["r", "c"] {
        let h = open_npy(&p, mode);
        let (st, out) = append(h, &ROW, 1);
        assert_eq!((st, out), (MM_E_READ_ONLY, 0), "{mode}: {}", message());
        let mut g = 5;
        assert_eq!(unsafe { mm_npy_grow(h, 4, &mut g) }, MM_E_READ_ONLY);
        assert_eq!(g, 0);
        unchanged();
        assert_eq!(mm_close(h), MM_OK);
    }

    let h = open_npy(&p, "r+");
    // A view (rows 0..1), not the whole array.
    let mut v = 0;
    assert_eq!(unsafe { mm_slice(h, 0, 0, 1, 1, &mut v) }, MM_OK);
    assert_eq!(append(v, &ROW, 1).0, MM_E_INVALID_ARG);
    assert!(message().contains("view"), "{}", message());
    assert_eq!(mm_close(v), MM_OK);
    // NULL rows with bytes to write; NULL out for grow.
    let st = unsafe { mm_npy_append(h, ptr::null(), 1, ptr::null_mut()) };
    assert_eq!(st, MM_E_INVALID_ARG);
    assert_eq!(
        unsafe { mm_npy_grow(h, 5, ptr::null_mut()) },
        MM_E_INVALID_ARG
    );
    // Overflow: of the bytes of the rows, and of the length.
    let st = unsafe { mm_npy_append(h, ROW.as_ptr().cast(), usize::MAX / 4, ptr::null_mut()) };
    assert_eq!(st, MM_E_INVALID_ARG, "{}", message());
    let mut g = 5;
    assert_eq!(
        unsafe { mm_npy_grow(h, usize::MAX, &mut g) },
        MM_E_INVALID_ARG
    );
    assert_eq!(
        unsafe { mm_npy_grow(h, usize::MAX / 12, &mut g) },
        MM_E_INVALID_ARG
    );
    // Shrinking is not growing.
    assert_eq!(unsafe { mm_npy_grow(h, 1, &mut g) }, MM_E_INVALID_ARG);
    assert_eq!(g, 0);
    unchanged();

    // The path replaced by another file (rename over it), then removed.
    let other = dir.path("other.npy");
    int_file(&other, 2);
    fs::rename(&p, dir.path("moved.npy")).unwrap();
    fs::rename(&other, &p).unwrap();
    let replaced = fs::read(&p).unwrap();
    assert_eq!(append(h, &ROW, 1).0, MM_E_IO);
    assert!(message().contains("replaced or removed"), "{}", message());
    assert_eq!(fs::read(&p).unwrap(), replaced);
    assert_eq!(fs::read(dir.path("moved.npy")).unwrap(), before);
    fs::remove_file(&p).unwrap();
    assert_eq!(append(h, &ROW, 1).0, MM_E_IO);
    assert!(message().contains("removed"), "{}", message());
    assert!(!p.exists());
    assert_eq!(mm_close(h), MM_OK);
}

#[test]
fn raw_fd_and_zero_d_arrays_are_refused() {
    let dir = TempDir::new("kinds");
    let p = dir.path("a.npy");
    let before = int_file(&p, 2);
    let hl = before.len() - 24;
    // A raw array over the same bytes (mm_open): not a .npy array.
    let shape = [2usize, 3];
    let mut h = 0;
    let st = unsafe {
        mm_open(
            c(&p).as_ptr(),
            c"<i4".as_ptr(),
            c"r+".as_ptr(),
            hl as u64,
            shape.as_ptr(),
            2,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK, "{}", message());
    assert_eq!(append(h, &ROW, 1).0, MM_E_INVALID_ARG);
    assert!(message().contains("not a .npy"), "{}", message());
    assert_eq!(mm_close(h), MM_OK);
    // From a descriptor: no path to reopen.
    let f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&p)
        .unwrap();
    let st = unsafe {
        mm_open_fd(
            f.as_raw_fd(),
            c"<i4".as_ptr(),
            c"r+".as_ptr(),
            hl as u64,
            shape.as_ptr(),
            2,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK, "{}", message());
    assert_eq!(append(h, &ROW, 1).0, MM_E_IO);
    assert!(message().contains("descriptor"), "{}", message());
    assert_eq!(mm_close(h), MM_OK);
    assert_eq!(fs::read(&p).unwrap(), before);
    // A 0-d array.
    let z = dir.path("z.npy");
    let st = unsafe {
        mm_create_npy(
            c(&z).as_ptr(),
            c"<f8".as_ptr(),
            ptr::null(),
            0,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK);
    let zb = fs::read(&z).unwrap();
    assert_eq!(append(h, &ROW, 1).0, MM_E_INVALID_ARG);
    let mut len = 9;
    assert_eq!(
        unsafe { mm_npy_recover(c(&z).as_ptr(), &mut len) },
        MM_E_INVALID_ARG
    );
    assert_eq!(len, 0);
    assert_eq!(fs::read(&z).unwrap(), zb);
    assert_eq!(mm_close(h), MM_OK);
    // Not a .npy file at all.
    let t = dir.path("t.txt");
    fs::write(&t, b"hello, not numpy").unwrap();
    assert_eq!(
        unsafe { mm_npy_recover(c(&t).as_ptr(), &mut len) },
        MM_E_FORMAT
    );
    assert_eq!(fs::read(&t).unwrap(), b"hello, not numpy");
}

/// A header as a tool that does not pad writes it: no growth room, 64 bytes in all.
fn unpadded(path: &Path, rows: u8) -> Vec<u8> {
    let text = format!("{{'descr':'|u1','fortran_order':False,'shape':({rows},)}}");
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    h.extend_from_slice(&54u16.to_le_bytes());
    h.extend_from_slice(text.as_bytes());
    h.resize(63, b' ');
    h.push(b'\n');
    assert_eq!(h.len(), 64);
    h.extend((0..rows).map(|i| i + 1));
    fs::write(path, &h).unwrap();
    h
}

#[test]
fn a_header_without_room_is_unsupported_and_mm_save_npy_fixes_it() {
    let dir = TempDir::new("room");
    let p = dir.path("u.npy");
    let before = unpadded(&p, 9);
    let h = open_npy(&p, "r+");
    let one = [10u8];
    let st = unsafe { mm_npy_append(h, one.as_ptr().cast(), 1, ptr::null_mut()) };
    assert_eq!(st, MM_E_UNSUPPORTED, "{}", message());
    assert!(message().contains("mm_save_npy"), "{}", message());
    assert_eq!(fs::read(&p).unwrap(), before);
    let mut len = 0;
    assert_eq!(unsafe { mm_npy_recover(c(&p).as_ptr(), &mut len) }, MM_OK);
    assert_eq!(len, 9);
    assert_eq!(fs::read(&p).unwrap(), before);
    // The fix the message gives: save the whole array to the same path.
    assert_eq!(
        unsafe { mm_save_npy(h, c(&p).as_ptr()) },
        MM_OK,
        "{}",
        message()
    );
    assert_eq!(mm_close(h), MM_OK);
    let h = open_npy(&p, "r+");
    let st = unsafe { mm_npy_append(h, one.as_ptr().cast(), 1, ptr::null_mut()) };
    assert_eq!(st, MM_OK, "{}", message());
    let mut want = header("|u1", &[10], false);
    want.extend(1..=10u8);
    assert_eq!(fs::read(&p).unwrap(), want);
    assert_eq!(mm_close(h), MM_OK);
}

#[test]
fn recover_counts_whole_rows_and_removes_a_partial_one() {
    let dir = TempDir::new("recover");
    let p = dir.path("a.npy");
    let two = int_file(&p, 2);
    // A crashed append: two whole rows and 5 bytes of a third after the data.
    let mut crashed = two.clone();
    crashed.extend_from_slice(&[7u8; 24 + 5]);
    fs::write(&p, &crashed).unwrap();
    let mut len = 0;
    assert_eq!(unsafe { mm_npy_recover(c(&p).as_ptr(), &mut len) }, MM_OK);
    assert_eq!(len, 4);
    let mut want = header("<i4", &[4, 3], false);
    want.extend_from_slice(&crashed[two.len() - 24..two.len() + 24]);
    assert_eq!(fs::read(&p).unwrap(), want);
    // Consistent now: a second recover writes nothing.
    assert_eq!(unsafe { mm_npy_recover(c(&p).as_ptr(), &mut len) }, MM_OK);
    assert_eq!(len, 4);
    assert_eq!(fs::read(&p).unwrap(), want);
    // A header claiming more rows than the file holds (the file cut short).
    fs::write(&p, &want[..want.len() - 30]).unwrap();
    assert_eq!(unsafe { mm_npy_recover(c(&p).as_ptr(), &mut len) }, MM_OK);
    assert_eq!(len, 1);
    let mut want1 = header("<i4", &[1, 3], false);
    want1.extend_from_slice(&want[want.len() - 48..want.len() - 36]);
    assert_eq!(fs::read(&p).unwrap(), want1);
    // NULL arguments.
    assert_eq!(
        unsafe { mm_npy_recover(ptr::null(), &mut len) },
        MM_E_INVALID_ARG
    );
    assert_eq!(
        unsafe { mm_npy_recover(c(&p).as_ptr(), ptr::null_mut()) },
        MM_E_INVALID_ARG
    );
    assert_eq!(fs::read(&p).unwrap(), want1);
}

#[test]
fn a_full_disk_is_enospc_with_the_file_as_before() {
    let fs_ = match Tmpfs::mount("1m") {
        Ok(t) => t,
        Err(why) => {
            println!("SKIPPED full-disk append test: {why}");
            return;
        }
    };
    let p = fs_.dir.join("a.npy");
    let before = int_file(&p, 2);
    let h = open_npy(&p, "r+");
    fill(&fs_.dir.join("filler.bin"));
    // 64 KiB of rows cannot fit.
    let rows = vec![5i32; 3 * 6000];
    let (st, out) = append(h, &rows, 6000);
    assert_eq!((st, out), (MM_E_IO, 0), "{}", message());
    assert_eq!(mm_last_os_error(), libc::ENOSPC, "{}", message());
    assert_eq!(fs::read(&p).unwrap(), before);
    assert_eq!(fs::metadata(&p).unwrap().len(), before.len() as u64);
    assert_eq!(mm_close(h), MM_OK);
}

#[test]
fn opening_while_other_threads_append_always_succeeds() {
    // Four appenders (rows [i, i, i]) and two threads opening the file in mode r in a loop:
    // every open succeeds (a header read never meets a size measured before it).
    let dir = TempDir::new("race");
    let p = dir.path("a.npy");
    int_file(&p, 0);
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let p = p.clone();
            std::thread::spawn(move || {
                let h = open_npy(&p, "r+");
                for i in 0..2000 {
                    let st =
                        unsafe { mm_npy_append(h, [i; 3].as_ptr().cast(), 1, ptr::null_mut()) };
                    assert_eq!(st, MM_OK, "{}", message());
                }
                assert_eq!(mm_close(h), MM_OK);
            })
        })
        .collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (p, done) = (p.clone(), done.clone());
            std::thread::spawn(move || {
                let mut opens = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let mut h = 0;
                    let st = unsafe { mm_open_npy(c(&p).as_ptr(), c"r".as_ptr(), &mut h) };
                    assert_eq!(st, MM_OK, "{}", message());
                    assert_eq!(mm_close(h), MM_OK);
                    opens += 1;
                }
                opens
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
    assert_eq!(fs::metadata(&p).unwrap().len(), 128 + 8000 * 12);
}

#[test]
fn a_header_rewritten_in_place_with_another_dtype_is_refused() {
    let dir = TempDir::new("changed");
    let p = dir.path("a.npy");
    int_file(&p, 2);
    let h = open_npy(&p, "r+");
    // Same inode, same length, another dtype: the handle's rows would not fit.
    let mut other = header("<u4", &[2, 3], false);
    other.extend_from_slice(&[0u8; 24]);
    fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .and_then(|f| std::os::unix::fs::FileExt::write_all_at(&f, &other, 0))
        .unwrap();
    assert_eq!(append(h, &ROW, 1).0, MM_E_IO);
    assert!(message().contains("header changed"), "{}", message());
    assert_eq!(fs::read(&p).unwrap(), other);
    assert_eq!(mm_close(h), MM_OK);
}

/// Issue 13: the growth room `mmarray info` reports is the core's `npy::room`, computed
/// with the very test of a new length that append and grow make: its `max_length` can be
/// reached and one more row cannot; a header without np.save's room has none at all.
#[test]
fn room_is_exactly_the_length_growth_can_reach() {
    use mmarray::npy::{self, Room};
    use mmarray::Mode;
    let dir = TempDir::new("room");
    // Rows of 0 bytes: the limit is numpy's own (product of the dimensions, zeros as 1,
    // times the itemsize at most i64::MAX), reachable without writing data.
    let p = dir.path("z.npy");
    fs::write(&p, header("<f8", &[1, 0], false)).unwrap();
    let (h, _) = npy::read_header(&p).unwrap();
    let max = (i64::MAX / 8) as usize;
    let want = Room {
        axis: 0,
        length: 1,
        max_length: max,
        rewritable: true,
        header_len: 128,
        numpy_header_len: Some(128),
    };
    assert_eq!(npy::room(&h).unwrap(), Some(want));
    let before = fs::read(&p).unwrap();
    let v = npy::open(&p, Mode::ReadWrite).unwrap();
    assert!(npy::grow(&v, max + 1).is_err());
    assert_eq!(fs::read(&p).unwrap(), before);
    let g = npy::grow(&v, max).unwrap();
    assert_eq!(g.shape(), &[max, 0]);
    assert_eq!(npy::read_header(&p).unwrap().0.shape, vec![max, 0]);
    // Fortran order: the last axis grows; rows of 3 x 4 bytes end the data at i64::MAX.
    let h = mmarray::npy::header::parse_bytes(&header("<i4", &[3, 5], true)).unwrap();
    let r = npy::room(&h).unwrap().unwrap();
    assert_eq!((r.axis, r.length), (1, 5));
    assert_eq!(r.max_length, ((i64::MAX as u64 - 128) / 12) as usize);
    // No room: the header cannot be rewritten, not even for its own length.
    let u = dir.path("u.npy");
    let before = unpadded(&u, 9);
    let (h, _) = npy::read_header(&u).unwrap();
    let r = npy::room(&h).unwrap().unwrap();
    assert_eq!((r.max_length, r.rewritable), (9, false));
    assert_eq!((r.header_len, r.numpy_header_len), (64, Some(128)));
    let v = npy::open(&u, Mode::ReadWrite).unwrap();
    assert!(npy::grow(&v, 10).is_err());
    assert_eq!(fs::read(&u).unwrap(), before);
    // 0-d: no growth axis.
    let h = mmarray::npy::header::parse_bytes(&header("<f8", &[], false)).unwrap();
    assert_eq!(npy::room(&h).unwrap(), None);
}
