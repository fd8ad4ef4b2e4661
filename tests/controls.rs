//! The controls through the C ABI: open flags, advice, range and async flushing,
//! residency and locking. Each test works in its own temporary directory.

use std::ffi::CString;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use mmarray::ffi::*;
use mmarray::ffi::{mm_close, mm_data, mm_open, mm_slice, mm_view};

#[path = "support/capi.rs"]
mod capi;
use capi::{cstr, last_error};
#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

const PAGE: usize = 4096;

/// Writes `len` bytes to `path`, syncs them, and evicts them from the page cache.
fn cold_file(path: &Path, len: usize) {
    let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    fs::write(path, &data).unwrap();
    let f = fs::File::open(path).unwrap();
    f.sync_all().unwrap();
    evict(path);
}

fn evict(path: &Path) {
    use std::os::fd::AsRawFd;
    let f = fs::File::open(path).unwrap();
    // SAFETY: advice on a descriptor we own.
    unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
}

fn open_ex(path: &Path, mode: &str, shape: Option<&[usize]>, flags: u32) -> (mm_status, mm_array) {
    let p = cstr(path);
    let m = CString::new(mode).unwrap();
    let mut out = 7;
    let (sp, n) = shape.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
    let st = unsafe {
        mm_open_ex(
            p.as_ptr(),
            c"u1".as_ptr(),
            m.as_ptr(),
            0,
            sp,
            n,
            b'C' as _,
            flags,
            &mut out,
        )
    };
    (st, out)
}

fn open(path: &Path, mode: &str) -> mm_array {
    let (st, a) = open_ex(path, mode, None, 0);
    assert_eq!(st, MM_OK, "{}", last_error());
    a
}

fn resident(a: mm_array) -> u64 {
    let mut n = u64::MAX;
    assert_eq!(unsafe { mm_resident(a, &mut n) }, MM_OK, "{}", last_error());
    n
}

#[test]
fn open_ex_zero_flags_is_open() {
    let dir = TempDir::new("zero");
    let path = dir.path("a.bin");
    fs::write(&path, vec![3u8; 1000]).unwrap();
    let a = open(&path, "r");
    let p = cstr(&path);
    let mut b = 0;
    let st = unsafe {
        mm_open(
            p.as_ptr(),
            c"u1".as_ptr(),
            c"r".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut b,
        )
    };
    assert_eq!(st, MM_OK);
    assert_eq!(mmarray::ffi::mm_size(a), 1000);
    assert_eq!(mmarray::ffi::mm_size(b), 1000);
    assert_eq!(mm_close(a), MM_OK);
    assert_eq!(mm_close(b), MM_OK);
}

#[test]
fn unknown_flags_are_invalid_and_leave_the_file() {
    let dir = TempDir::new("flags");
    let path = dir.path("a.bin");
    fs::write(&path, vec![1u8; 100]).unwrap();
    for flags in [4u32, 8, 0x8000_0000, MM_OPEN_POPULATE | 0x10] {
        let (st, out) = open_ex(&path, "r+", Some(&[5000]), flags);
        assert_eq!(st, MM_E_INVALID_ARG, "flags {flags:#x}");
        assert_eq!(out, 0);
        assert!(
            last_error().contains("unknown open flag"),
            "{}",
            last_error()
        );
        assert_eq!(fs::metadata(&path).unwrap().len(), 100);
    }
    // A missing file with bad flags is still an argument error, and creates nothing.
    let missing = dir.path("missing.bin");
    let (st, _) = open_ex(&missing, "w+", Some(&[10]), 0x40);
    assert_eq!(st, MM_E_INVALID_ARG);
    assert!(!missing.exists());
}

#[test]
fn populate_prefaults_the_array() {
    let dir = TempDir::new("populate");
    let path = dir.path("a.bin");
    cold_file(&path, 64 * PAGE + 100);
    let (st, a) = open_ex(&path, "c", None, MM_OPEN_POPULATE);
    assert_eq!(st, MM_OK, "{}", last_error());
    assert_eq!(resident(a), (64 * PAGE + 100) as u64);
    assert_eq!(mm_close(a), MM_OK);
    // r+ extension with populate: the new pages are populated too.
    let (st, a) = open_ex(&path, "r+", Some(&[96 * PAGE]), MM_OPEN_POPULATE);
    assert_eq!(st, MM_OK, "{}", last_error());
    assert_eq!(resident(a), (96 * PAGE) as u64);
    assert_eq!(mm_close(a), MM_OK);
}

#[test]
fn preallocate_reserves_the_extension() {
    let dir = TempDir::new("prealloc");
    let sparse = dir.path("sparse.bin");
    let full = dir.path("full.bin");
    let len = 4 << 20;
    for (path, flags) in [(&sparse, 0), (&full, MM_OPEN_PREALLOCATE)] {
        let (st, a) = open_ex(path, "w+", Some(&[len]), flags);
        assert_eq!(st, MM_OK, "{}", last_error());
        assert_eq!(mm_close(a), MM_OK);
        assert_eq!(fs::metadata(path).unwrap().len(), len as u64);
    }
    let blocks = |p: &Path| fs::metadata(p).unwrap().blocks() * 512;
    assert!(blocks(&sparse) < len as u64 / 2, "{}", blocks(&sparse));
    assert!(blocks(&full) >= len as u64, "{}", blocks(&full));
    // r+ extending an existing file: the old bytes stay, the new ones are reserved.
    fs::write(&sparse, vec![9u8; 10]).unwrap();
    let (st, a) = open_ex(&sparse, "r+", Some(&[len]), MM_OPEN_PREALLOCATE);
    assert_eq!(st, MM_OK, "{}", last_error());
    assert_eq!(mm_close(a), MM_OK);
    assert!(blocks(&sparse) >= len as u64);
    let data = fs::read(&sparse).unwrap();
    assert_eq!(data.len(), len);
    assert_eq!(&data[..11], &[9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0]);
}

/// A full disk: a tiny tmpfs (needs root to mount; skipped otherwise).
#[test]
fn preallocate_on_a_full_disk_fails_at_open() {
    let dir = TempDir::new("enospc");
    let mnt = dir.path("mnt");
    fs::create_dir(&mnt).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    let path = mnt.join("a.bin");
    fs::write(&path, vec![5u8; 1000]).unwrap();
    let (st, out) = open_ex(&path, "r+", Some(&[4 << 20]), MM_OPEN_PREALLOCATE);
    assert_eq!(st, MM_E_IO, "{}", last_error());
    assert_eq!(out, 0);
    assert_eq!(mm_last_os_error(), libc::ENOSPC);
    assert_eq!(fs::read(&path).unwrap(), vec![5u8; 1000]);
    // w+ on an existing file: its content survives the failed open.
    let (st, _) = open_ex(&path, "w+", Some(&[4 << 20]), MM_OPEN_PREALLOCATE);
    assert_eq!(st, MM_E_IO, "{}", last_error());
    assert_eq!(mm_last_os_error(), libc::ENOSPC);
    assert_eq!(fs::read(&path).unwrap(), vec![5u8; 1000]);
    // w+ on a new file: nothing is left behind.
    let fresh = mnt.join("new.bin");
    let (st, _) = open_ex(&fresh, "w+", Some(&[4 << 20]), MM_OPEN_PREALLOCATE);
    assert_eq!(st, MM_E_IO);
    assert!(!fresh.exists());
    // Without the flag the same open succeeds (sparse), which is what the flag prevents.
    let (st, a) = open_ex(&path, "r+", Some(&[4 << 20]), 0);
    assert_eq!(st, MM_OK, "{}", last_error());
    assert_eq!(mm_close(a), MM_OK);
}

#[test]
fn advice_values() {
    let dir = TempDir::new("advice");
    let path = dir.path("a.bin");
    fs::write(&path, vec![1u8; 16 * PAGE]).unwrap();
    for mode in ["r", "r+", "c"] {
        let a = open(&path, mode);
        for advice in 0..=7 {
            let st = mm_advise(a, advice);
            if advice == MM_ADVICE_POPULATE_WRITE && mode == "r" {
                assert_eq!(st, MM_E_READ_ONLY);
            } else if st == MM_E_UNSUPPORTED {
                // Only a kernel feature may be missing, and the message says which.
                assert!(last_error().contains("MADV_"), "{}", last_error());
                assert_eq!(mm_last_os_error(), libc::EINVAL);
            } else {
                assert_eq!(st, MM_OK, "mode {mode} advice {advice}: {}", last_error());
            }
        }
        for bad in [-1, 8, 100, i32::MIN, i32::MAX] {
            assert_eq!(mm_advise(a, bad), MM_E_INVALID_ARG);
            assert!(last_error().contains("unknown advice"));
        }
        assert_eq!(mm_close(a), MM_OK);
        assert_eq!(mm_advise(a, MM_ADVICE_NORMAL), MM_E_BAD_HANDLE);
    }
    // The data is unchanged by all of it.
    assert_eq!(fs::read(&path).unwrap(), vec![1u8; 16 * PAGE]);
}

#[test]
fn dontneed_drops_a_clean_private_mapping() {
    let dir = TempDir::new("dontneed");
    let path = dir.path("a.bin");
    let len = 32 * PAGE;
    cold_file(&path, len);
    let a = open(&path, "c");
    assert_eq!(
        mm_advise(a, MM_ADVICE_POPULATE_READ),
        MM_OK,
        "{}",
        last_error()
    );
    assert_eq!(resident(a), len as u64);
    // While mapped, the page cache keeps the pages.
    evict(&path);
    assert_eq!(resident(a), len as u64);
    assert_eq!(mm_advise(a, MM_ADVICE_DONTNEED), MM_OK);
    evict(&path);
    assert!(resident(a) < len as u64 / 4, "{}", resident(a));
    // The data reads back from the file.
    let p = mm_data(a) as *const u8;
    assert_eq!(unsafe { *p.add(len - 1) }, ((len - 1) % 251) as u8);
    assert_eq!(mm_close(a), MM_OK);
}

#[test]
fn resident_counts_only_the_view() {
    let dir = TempDir::new("resview");
    let path = dir.path("a.bin");
    let len = 64 * PAGE;
    cold_file(&path, len);
    let a = open(&path, "r");
    assert_eq!(mm_advise(a, MM_ADVICE_RANDOM), MM_OK);
    let mut s = 0;
    // Bytes 2*PAGE+10 .. 3*PAGE+100: parts of two pages.
    let start = (2 * PAGE + 10) as i64;
    let stop = (3 * PAGE + 100) as i64;
    assert_eq!(unsafe { mm_slice(a, 0, start, stop, 1, &mut s) }, MM_OK);
    assert_eq!(mm_advise(s, MM_ADVICE_POPULATE_READ), MM_OK);
    assert_eq!(resident(s), (stop - start) as u64);
    let whole = resident(a);
    assert!(
        (2 * PAGE as u64..len as u64 / 2).contains(&whole),
        "{whole}"
    );
    assert_eq!(mm_close(s), MM_OK);
    assert_eq!(mm_close(a), MM_OK);
    let mut n = 5;
    assert_eq!(unsafe { mm_resident(a, &mut n) }, MM_E_BAD_HANDLE);
    assert_eq!(n, 0);
    assert_eq!(
        unsafe { mm_resident(s, std::ptr::null_mut()) },
        MM_E_INVALID_ARG
    );
}

#[test]
fn flush_range_bounds() {
    let dir = TempDir::new("flushrange");
    let path = dir.path("a.bin");
    fs::write(&path, vec![0u8; 10 * PAGE]).unwrap();
    for mode in ["r", "r+", "c"] {
        let a = open(&path, mode);
        // A view of 1000 bytes at byte 100.
        let mut v = 0;
        let shape = [1000usize];
        let st = unsafe {
            mm_view(
                a,
                std::ptr::null(),
                100,
                shape.as_ptr(),
                1,
                std::ptr::null(),
                &mut v,
            )
        };
        assert_eq!(st, MM_OK);
        for (off, n, want) in [
            (0u64, 1000u64, MM_OK),
            (0, 1001, MM_E_OUT_OF_BOUNDS),
            (1, 999, MM_OK),
            (1, 1000, MM_E_OUT_OF_BOUNDS),
            (999, 1, MM_OK),
            (1000, 0, MM_OK),
            (1001, 0, MM_E_OUT_OF_BOUNDS),
            (u64::MAX, 2, MM_E_OUT_OF_BOUNDS),
            (2, u64::MAX, MM_E_OUT_OF_BOUNDS),
        ] {
            assert_eq!(mm_flush_range(v, off, n), want, "mode {mode} {off}+{n}");
        }
        assert_eq!(mm_flush_async(v), MM_OK);
        assert_eq!(mm_flush_async(a), MM_OK);
        assert_eq!(mm_close(v), MM_OK);
        assert_eq!(mm_close(a), MM_OK);
        assert_eq!(mm_flush_range(a, 0, 1), MM_E_BAD_HANDLE);
        assert_eq!(mm_flush_async(a), MM_E_BAD_HANDLE);
    }
}

#[test]
fn flush_range_writes_the_range() {
    let dir = TempDir::new("flushwrite");
    let path = dir.path("a.bin");
    fs::write(&path, vec![0u8; 8 * PAGE]).unwrap();
    let a = open(&path, "r+");
    let p = mm_data(a) as *mut u8;
    unsafe { *p.add(5 * PAGE + 3) = 42 };
    assert_eq!(mm_flush_range(a, 5 * PAGE as u64, 4), MM_OK);
    assert_eq!(mm_close(a), MM_OK);
    assert_eq!(fs::read(&path).unwrap()[5 * PAGE + 3], 42);
}

#[test]
fn lock_and_unlock() {
    let dir = TempDir::new("lock");
    let path = dir.path("a.bin");
    cold_file(&path, 16 * PAGE);
    let a = open(&path, "r");
    match mm_lock(a) {
        MM_OK => {
            assert_eq!(resident(a), (16 * PAGE) as u64);
            assert_eq!(mm_unlock(a), MM_OK);
        }
        st => {
            // An unprivileged process over RLIMIT_MEMLOCK.
            assert!(st == MM_E_IO || st == MM_E_PERMISSION, "{st}");
            assert!([libc::ENOMEM, libc::EPERM].contains(&mm_last_os_error()));
        }
    }
    assert_eq!(mm_close(a), MM_OK);
    assert_eq!(mm_lock(a), MM_E_BAD_HANDLE);
    assert_eq!(mm_unlock(a), MM_E_BAD_HANDLE);
}

#[test]
fn zero_byte_views_do_nothing() {
    let dir = TempDir::new("zerobyte");
    let path = dir.path("a.bin");
    fs::write(&path, vec![0u8; 3 * PAGE]).unwrap();
    for mode in ["r", "r+", "c"] {
        let a = open(&path, mode);
        let mut v = 0;
        assert_eq!(unsafe { mm_slice(a, 0, 5, 5, 1, &mut v) }, MM_OK);
        for advice in 0..=6 {
            assert_eq!(mm_advise(v, advice), MM_OK, "advice {advice}");
        }
        assert_eq!(mm_flush_range(v, 0, 0), MM_OK);
        assert_eq!(mm_flush_async(v), MM_OK);
        assert_eq!(resident(v), 0);
        assert_eq!(mm_lock(v), MM_OK);
        assert_eq!(mm_unlock(v), MM_OK);
        assert_eq!(mm_close(v), MM_OK);
        assert_eq!(mm_close(a), MM_OK);
    }
    // An empty file opened w+ with shape 0: nothing is mapped at all.
    let empty = dir.path("empty.bin");
    let (st, a) = open_ex(
        &empty,
        "w+",
        Some(&[0]),
        MM_OPEN_POPULATE | MM_OPEN_PREALLOCATE,
    );
    assert_eq!(st, MM_OK, "{}", last_error());
    assert_eq!(mm_advise(a, MM_ADVICE_POPULATE_WRITE), MM_OK);
    assert_eq!(resident(a), 0);
    assert_eq!(mm_flush_range(a, 0, 0), MM_OK);
    assert_eq!(mm_close(a), MM_OK);
}

/// The fast paths build the call's text only on failure; it must still name the call.
#[test]
fn failure_messages_still_name_the_call() {
    let dir = TempDir::new("messages");
    let missing = cstr(&dir.path("missing.bin"));
    let mut a = 0;
    let st = unsafe {
        mm_open(
            missing.as_ptr(),
            c"u1".as_ptr(),
            c"r".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut a,
        )
    };
    assert_eq!(st, MM_E_NOT_FOUND);
    let want = format!("mm_open({:?}): ", dir.path("missing.bin").to_str().unwrap());
    assert!(last_error().starts_with(&want), "{}", last_error());
    let st = unsafe {
        mm_open(
            missing.as_ptr(),
            c"u1".as_ptr(),
            c"rw".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut a,
        )
    };
    assert_eq!(st, MM_E_INVALID_ARG);
    assert!(
        last_error().starts_with(&want) && last_error().contains("mode"),
        "{}",
        last_error()
    );
    let path = dir.path("a.bin");
    fs::write(&path, [0u8; 8]).unwrap();
    let a = open(&path, "r");
    let mut s = 0;
    assert_eq!(unsafe { mm_slice(a, 0, 0, 5, 0, &mut s) }, MM_E_INVALID_ARG);
    assert!(
        last_error().starts_with(&format!("mm_slice(handle {a:#x}, axis 0, 0:5:0): ")),
        "{}",
        last_error()
    );
    assert_eq!(
        unsafe { mm_slice(a, 0, 0, 5, 1, std::ptr::null_mut()) },
        MM_E_INVALID_ARG
    );
    // The dtype and file names of slices and views are those of the base.
    let mut v = 0;
    assert_eq!(unsafe { mm_slice(a, 0, 1, 5, 1, &mut s) }, MM_OK);
    let shape = [2usize];
    assert_eq!(
        unsafe {
            mm_view(
                s,
                c"<u2".as_ptr(),
                0,
                shape.as_ptr(),
                1,
                std::ptr::null(),
                &mut v,
            )
        },
        MM_OK
    );
    use mmarray::ffi::{mm_dtype, mm_filename};
    let text = |p: *const std::ffi::c_char| {
        unsafe { std::ffi::CStr::from_ptr(p) }
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(text(mm_dtype(s)), "|u1");
    assert_eq!(text(mm_dtype(v)), "<u2");
    assert_eq!(text(mm_filename(s)), path.to_str().unwrap());
    assert_eq!(text(mm_filename(v)), path.to_str().unwrap());
    for h in [v, s, a] {
        assert_eq!(mm_close(h), MM_OK);
    }
}

#[test]
fn flush_range_of_a_reversed_view_counts_forward_from_its_first_element() {
    let dir = TempDir::new("reversed");
    let path = dir.path("a.bin");
    fs::write(&path, vec![0u8; 2 * PAGE]).unwrap();
    let p = cstr(&path);
    let mut a = 0;
    let st = unsafe {
        mm_open(
            p.as_ptr(),
            c"<u4".as_ptr(),
            c"r+".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut a,
        )
    };
    assert_eq!(st, MM_OK);
    let mut r = 0;
    assert_eq!(
        unsafe { mm_slice(a, 0, i64::MAX, i64::MIN, -1, &mut r) },
        MM_OK
    );
    // mm_data(r) is the last element: 4 bytes lie at and after it.
    assert_eq!(mm_flush_range(r, 0, 4), MM_OK);
    assert_eq!(mm_flush_range(r, 0, 5), MM_E_OUT_OF_BOUNDS);
    assert_eq!(mm_flush_range(r, 4, 0), MM_OK);
    // The whole view is still resident-counted and advised as a whole.
    assert_eq!(mm_advise(r, MM_ADVICE_WILLNEED), MM_OK);
    assert_eq!(resident(r), resident(a));
    assert_eq!(mm_close(r), MM_OK);
    assert_eq!(mm_close(a), MM_OK);
}

/// mm_slice answers a slice of an aligned 1-D view on its short path, and every other
/// slice (2-D, unaligned) and every failure on its general one: the same answers either
/// way (shape, strides, data address, flags; the failure's status, text and a 0 out).
#[test]
fn slice_paths_answer_alike() {
    let dir = TempDir::new("slice_paths");
    let path = dir.path("a.f8");
    fs::write(&path, vec![0u8; 12 * 8]).unwrap();
    let p = cstr(&path);
    let open_shape = |shape: &[usize]| {
        let mut a = 0;
        let st = unsafe {
            mm_open(
                p.as_ptr(),
                c"<f8".as_ptr(),
                c"r".as_ptr(),
                0,
                shape.as_ptr(),
                shape.len(),
                b'C' as _,
                &mut a,
            )
        };
        assert_eq!(st, MM_OK, "{}", last_error());
        a
    };
    let dims = |a: mm_array| {
        let n = mm_ndim(a);
        // SAFETY: mm_shape and mm_strides point to ndim values while `a` is open.
        unsafe {
            (
                std::slice::from_raw_parts(mm_shape(a), n).to_vec(),
                std::slice::from_raw_parts(mm_strides(a), n).to_vec(),
            )
        }
    };
    let aligned_c = MM_ALIGNED | MM_C_CONTIGUOUS | MM_F_CONTIGUOUS;

    // 1-D, aligned: the short path.
    let a = open_shape(&[12]);
    let base = mm_data(a) as usize;
    let mut s = 7;
    assert_eq!(unsafe { mm_slice(a, 0, 2, 8, 2, &mut s) }, MM_OK);
    assert_eq!(dims(s), (vec![3], vec![16]));
    assert_eq!(mm_data(s) as usize, base + 16);
    assert_eq!(mm_flags(s) & aligned_c, MM_ALIGNED);
    assert_eq!(mm_close(s), MM_OK);
    assert_eq!(unsafe { mm_slice(a, 0, 9, 1, -3, &mut s) }, MM_OK);
    assert_eq!(dims(s), (vec![3], vec![-24]));
    assert_eq!(mm_data(s) as usize, base + 72);
    assert_eq!(mm_close(s), MM_OK);
    assert_eq!(unsafe { mm_slice(a, 0, 3, 4, 1, &mut s) }, MM_OK);
    assert_eq!(dims(s), (vec![1], vec![8]));
    assert_eq!(mm_flags(s) & aligned_c, aligned_c);
    assert_eq!(mm_close(s), MM_OK);

    // 1-D, not aligned (a view 4 bytes in): the general path.
    let mut u = 0;
    let three = [3usize];
    let st = unsafe {
        mm_view(
            a,
            std::ptr::null(),
            4,
            three.as_ptr(),
            1,
            std::ptr::null(),
            &mut u,
        )
    };
    assert_eq!(st, MM_OK, "{}", last_error());
    assert_eq!(mm_flags(u) & MM_ALIGNED, 0);
    assert_eq!(unsafe { mm_slice(u, 0, 1, 3, 1, &mut s) }, MM_OK);
    assert_eq!(dims(s), (vec![2], vec![8]));
    assert_eq!(mm_data(s) as usize, base + 12);
    assert_eq!(mm_flags(s) & aligned_c, MM_C_CONTIGUOUS | MM_F_CONTIGUOUS);
    assert_eq!(mm_close(s), MM_OK);
    assert_eq!(mm_close(u), MM_OK);

    // 2-D: the general path, either axis.
    let m = open_shape(&[4, 3]);
    assert_eq!(unsafe { mm_slice(m, 1, 1, 3, 1, &mut s) }, MM_OK);
    assert_eq!(dims(s), (vec![4, 2], vec![24, 8]));
    assert_eq!(mm_data(s) as usize, mm_data(m) as usize + 8);
    assert_eq!(mm_flags(s) & aligned_c, MM_ALIGNED);
    assert_eq!(mm_close(s), MM_OK);
    assert_eq!(unsafe { mm_slice(m, 0, -1, i64::MIN, -2, &mut s) }, MM_OK);
    assert_eq!(dims(s), (vec![2, 3], vec![-48, 8]));
    assert_eq!(mm_data(s) as usize, mm_data(m) as usize + 72);
    assert_eq!(mm_close(s), MM_OK);

    // Failures: the same status and text on every base, and 0 in out.
    s = 7;
    assert_eq!(unsafe { mm_slice(m, 2, 0, 1, 1, &mut s) }, MM_E_INVALID_ARG);
    assert_eq!(s, 0);
    assert!(
        last_error().starts_with(&format!("mm_slice(handle {m:#x}, axis 2, 0:1:1): ")),
        "{}",
        last_error()
    );
    assert_eq!(mm_close(m), MM_OK);
    s = 7;
    assert_eq!(unsafe { mm_slice(m, 0, 0, 1, 1, &mut s) }, MM_E_BAD_HANDLE);
    assert_eq!(s, 0);
    assert_eq!(
        last_error(),
        format!(
            "mm_slice(handle {m:#x}): the handle is not open (0, already closed, or never issued)"
        )
    );
    s = 7;
    assert_eq!(unsafe { mm_slice(a, 0, 0, 1, 0, &mut s) }, MM_E_INVALID_ARG);
    assert_eq!(s, 0);
    assert_eq!(mm_close(a), MM_OK);
}
