//! The bad-input matrix through the C ABI from Rust (RELIABILITY.md, section 1; the C program
//! c_tests/test_bad_input.c runs the same categories from C). Generated combinations of
//! mode x dtype text x path kind x shape x offset, handles of every kind against every
//! handle-taking function, and views/slices at each boundary +-1. Each case: the
//! documented status, a non-empty message, *out 0 on failure, and the file's size,
//! content and mtime unchanged. Prints the number of cases.

use std::ffi::{c_char, CStr, CString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use mmarray::ffi::*;

struct Snap {
    exists: bool,
    size: u64,
    mtime: (i64, i64),
    bytes: Vec<u8>,
}

fn snap(p: &Path) -> Snap {
    match fs::symlink_metadata(p) {
        Err(_) => Snap {
            exists: false,
            size: 0,
            mtime: (0, 0),
            bytes: vec![],
        },
        Ok(m) => Snap {
            exists: true,
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
            bytes: if m.is_file() {
                fs::read(p).unwrap()
            } else {
                vec![]
            },
        },
    }
}

fn same(p: &Path, before: &Snap, what: &str) {
    let after = snap(p);
    assert_eq!(after.exists, before.exists, "{what}: existence of {p:?}");
    assert_eq!(after.size, before.size, "{what}: size of {p:?}");
    assert_eq!(after.mtime, before.mtime, "{what}: mtime of {p:?}");
    assert!(after.bytes == before.bytes, "{what}: content of {p:?}");
}

fn message() -> String {
    unsafe { CStr::from_ptr(mm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn make_file(p: &Path, n: usize) {
    fs::write(p, (0..n).map(|i| i as u8).collect::<Vec<_>>()).unwrap();
    let old = libc::timespec {
        tv_sec: 1_000_000_000,
        tv_nsec: 0,
    };
    let c = CString::new(p.as_os_str().as_bytes()).unwrap();
    assert_eq!(
        unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), [old, old].as_ptr(), 0) },
        0
    );
}

struct Matrix {
    cases: usize,
}

impl Matrix {
    fn status(&mut self, got: mm_status, want: mm_status, what: &str) {
        self.cases += 1;
        assert_eq!(got, want, "{what}: {}", message());
        if got != MM_OK {
            assert!(!message().is_empty(), "{what}: empty message");
        }
    }

    /// mm_open that must fail with `want` (or succeed when want is MM_OK) and leave
    /// `watch` unchanged.
    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        path: *const c_char,
        watch: &Path,
        dtype: *const c_char,
        mode: *const c_char,
        offset: u64,
        shape: Option<&[usize]>,
        order: c_char,
        want: mm_status,
    ) {
        let before = snap(watch);
        let mut h: mm_array = 99;
        let (sp, n) = shape.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
        let st = unsafe { mm_open(path, dtype, mode, offset, sp, n, order, &mut h) };
        let what = format!("mm_open(watch {watch:?}, offset {offset}, shape {shape:?})");
        self.status(st, want, &what);
        if st == MM_OK {
            assert_ne!(h, 0);
            assert_eq!(mm_close(h), MM_OK);
        } else {
            assert_eq!(h, 0, "{what}: *out after failure");
        }
        same(watch, &before, &what);
    }
}

#[test]
fn bad_input_matrix() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("mmarray-bad-input-rs-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("plain.bin");
    make_file(&plain, 4096);
    let cplain = CString::new(plain.as_os_str().as_bytes()).unwrap();
    let missing = dir.join("missing.bin");
    let cmissing = CString::new(missing.as_os_str().as_bytes()).unwrap();
    let start_handles = mm_handle_count();
    let mut m = Matrix { cases: 0 };

    let huge = CString::new(vec![b'A'; 1 << 20]).unwrap();
    let modes: [&CStr; 4] = [c"r", c"c", c"r+", c"w+"];
    let read_only_modes: [&CStr; 2] = [c"r", c"c"];

    // Bad text for dtype and mode: empty, unknown, 1 MiB, non-UTF-8. Every mode, on an
    // existing and on a missing file: never created, never changed.
    let bad_text: Vec<CString> = vec![
        CString::new("").unwrap(),
        CString::new("zz").unwrap(),
        CString::new("float65").unwrap(),
        CString::new(vec![0xff, 0xfe]).unwrap(),
        CString::new(vec![b'<', b'f', 0xc3]).unwrap(),
        huge.clone(),
    ];
    for mode in modes {
        for text in &bad_text {
            for (p, watch) in [(&cplain, &plain), (&cmissing, &missing)] {
                let shape = [8usize];
                m.open(
                    p.as_ptr(),
                    watch,
                    text.as_ptr(),
                    mode.as_ptr(),
                    0,
                    Some(&shape),
                    b'C' as _,
                    MM_E_INVALID_ARG,
                );
                m.open(
                    p.as_ptr(),
                    watch,
                    c"u1".as_ptr(),
                    text.as_ptr(),
                    0,
                    Some(&shape),
                    b'C' as _,
                    MM_E_INVALID_ARG,
                );
            }
        }
        for order in [b'X', b'1', 0x80u8, 0xff] {
            m.open(
                cplain.as_ptr(),
                &plain,
                c"u1".as_ptr(),
                mode.as_ptr(),
                0,
                Some(&[8]),
                order as c_char,
                MM_E_INVALID_ARG,
            );
        }
        // NULL path and NULL out.
        m.open(
            std::ptr::null(),
            &plain,
            c"u1".as_ptr(),
            mode.as_ptr(),
            0,
            Some(&[8]),
            b'C' as _,
            MM_E_INVALID_ARG,
        );
        let before = snap(&missing);
        let st = unsafe {
            mm_open(
                cmissing.as_ptr(),
                c"u1".as_ptr(),
                mode.as_ptr(),
                0,
                [8usize].as_ptr(),
                1,
                b'C' as _,
                std::ptr::null_mut(),
            )
        };
        m.status(st, MM_E_INVALID_ARG, "out NULL");
        same(&missing, &before, "out NULL");
        // Overflowing shapes and offsets near 2^64: invalid before any side effect.
        for shape in [
            vec![1usize << 32, 1 << 32],
            vec![usize::MAX],
            vec![usize::MAX, 0, 2],
            vec![1 << 62, 2],
        ] {
            for (p, watch) in [(&cplain, &plain), (&cmissing, &missing)] {
                m.open(
                    p.as_ptr(),
                    watch,
                    c"u1".as_ptr(),
                    mode.as_ptr(),
                    0,
                    Some(&shape),
                    b'C' as _,
                    MM_E_INVALID_ARG,
                );
            }
        }
        for offset in [u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1] {
            m.open(
                cplain.as_ptr(),
                &plain,
                c"u1".as_ptr(),
                mode.as_ptr(),
                offset,
                Some(&[1]),
                b'C' as _,
                MM_E_INVALID_ARG,
            );
        }
        // Special files: directory, FIFO, character device. Never changed.
        let adir = dir.join("adir");
        let fifo = dir.join("fifo");
        if !adir.exists() {
            fs::create_dir(&adir).unwrap();
            let c = CString::new(fifo.as_os_str().as_bytes()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        }
        for (p, errno) in [
            (adir.as_path(), libc::EISDIR),
            (fifo.as_path(), libc::ENODEV),
            (Path::new("/dev/null"), libc::ENODEV),
        ] {
            let c = CString::new(p.as_os_str().as_bytes()).unwrap();
            m.open(
                c.as_ptr(),
                p,
                c"u1".as_ptr(),
                mode.as_ptr(),
                0,
                Some(&[8]),
                b'C' as _,
                MM_E_IO,
            );
            assert_eq!(mm_last_os_error(), errno, "{p:?}");
        }
        // A name longer than PATH_MAX, and a 1 MiB one.
        let long = dir.join("d/".repeat(2100) + "x.bin");
        let clong = CString::new(long.as_os_str().as_bytes()).unwrap();
        for p in [&clong, &huge] {
            m.open(
                p.as_ptr(),
                &missing,
                c"u1".as_ptr(),
                mode.as_ptr(),
                0,
                Some(&[8]),
                b'C' as _,
                MM_E_IO,
            );
            assert_eq!(mm_last_os_error(), libc::ENAMETOOLONG);
        }
        // A dangling symlink into a missing directory.
        let dangling = dir.join("dangling");
        if fs::symlink_metadata(&dangling).is_err() {
            std::os::unix::fs::symlink(dir.join("nowhere/x.bin"), &dangling).unwrap();
        }
        let cd = CString::new(dangling.as_os_str().as_bytes()).unwrap();
        m.open(
            cd.as_ptr(),
            &dangling,
            c"u1".as_ptr(),
            mode.as_ptr(),
            0,
            Some(&[8]),
            b'C' as _,
            MM_E_NOT_FOUND,
        );
    }
    // Read-only modes: zero, huge shapes; offsets 0, odd, at EOF, past EOF.
    for mode in read_only_modes {
        let cases: &[(u64, Option<&[usize]>, &CStr, mm_status)] = &[
            (0, Some(&[0]), c"f8", MM_OK),
            (4096, Some(&[3, 0]), c"f8", MM_OK),
            (0, None, c"u1", MM_OK),
            (3, Some(&[2]), c"<u2", MM_OK),
            (4095, None, c"u1", MM_OK),
            (4095, None, c"<u2", MM_E_SIZE_MISMATCH),
            (4096, None, c"u1", MM_OK),
            (4096, Some(&[1]), c"u1", MM_E_FILE_TOO_SMALL),
            (4097, None, c"u1", MM_E_FILE_TOO_SMALL),
            (4097, Some(&[0]), c"u1", MM_E_FILE_TOO_SMALL),
            (0, Some(&[4097]), c"u1", MM_E_FILE_TOO_SMALL),
            (0, Some(&[1 << 62]), c"u1", MM_E_FILE_TOO_SMALL),
            (u64::MAX, None, c"u1", MM_E_FILE_TOO_SMALL),
        ];
        for &(offset, shape, dtype, want) in cases {
            m.open(
                cplain.as_ptr(),
                &plain,
                dtype.as_ptr(),
                mode.as_ptr(),
                offset,
                shape,
                b'C' as _,
                want,
            );
        }
    }
    // A non-UTF-8 file name opens (r, c, r+ leave it unchanged).
    let odd = dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.bin"));
    make_file(&odd, 64);
    let codd = CString::new(odd.as_os_str().as_bytes()).unwrap();
    for mode in [c"r", c"c", c"r+"] {
        m.open(
            codd.as_ptr(),
            &odd,
            c"u1".as_ptr(),
            mode.as_ptr(),
            0,
            Some(&[64]),
            b'C' as _,
            MM_OK,
        );
    }

    // Handles: 0, random, closed, reused slot, against every handle-taking function.
    let mut h = 0;
    let st = unsafe {
        mm_open(
            cplain.as_ptr(),
            c"u1".as_ptr(),
            c"r".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut h,
        )
    };
    assert_eq!(st, MM_OK);
    assert_eq!(mm_close(h), MM_OK);
    let mut h2 = 0;
    unsafe {
        mm_open(
            cplain.as_ptr(),
            c"u1".as_ptr(),
            c"r".as_ptr(),
            0,
            std::ptr::null(),
            0,
            b'C' as _,
            &mut h2,
        )
    };
    assert_eq!(h2 & 0xffff_ffff, h & 0xffff_ffff, "slot reused");
    let mut bad = vec![0u64, h, h2 ^ (1 << 32), h2 + 1, u64::MAX, 1 << 32];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..50 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if x != h2 {
            bad.push(x);
        }
    }
    for &b in &bad {
        let mut out = 5;
        let mut byte = [0u8];
        m.status(mm_close(b), MM_E_BAD_HANDLE, "close");
        m.status(mm_flush(b), MM_E_BAD_HANDLE, "flush");
        m.status(
            unsafe {
                mm_view(
                    b,
                    std::ptr::null(),
                    0,
                    [1usize].as_ptr(),
                    1,
                    std::ptr::null(),
                    &mut out,
                )
            },
            MM_E_BAD_HANDLE,
            "view",
        );
        assert_eq!(out, 0);
        m.status(
            unsafe { mm_slice(b, 0, 0, 1, 1, &mut out) },
            MM_E_BAD_HANDLE,
            "slice",
        );
        let mut tensor: *mut std::ffi::c_void = std::ptr::dangling_mut();
        m.status(
            unsafe { mmarray::ffi::mm_to_dlpack(b, &mut tensor) },
            MM_E_BAD_HANDLE,
            "to_dlpack",
        );
        assert!(tensor.is_null());
        m.status(
            unsafe { mm_read_at(b, 0, byte.as_mut_ptr().cast(), 1) },
            MM_E_BAD_HANDLE,
            "read_at",
        );
        m.status(
            unsafe { mm_write_at(b, 0, byte.as_ptr().cast(), 1) },
            MM_E_BAD_HANDLE,
            "write_at",
        );
        m.cases += 12;
        assert!(mm_data(b).is_null());
        assert_eq!(mm_ndim(b), 0);
        assert!(mm_shape(b).is_null());
        assert!(mm_strides(b).is_null());
        assert_eq!(mm_itemsize(b), 0);
        assert_eq!(mm_size(b), 0);
        assert_eq!(mm_nbytes(b), 0);
        assert!(mm_dtype(b).is_null());
        assert!(mm_mode(b).is_null());
        assert_eq!(mm_offset(b), 0);
        assert!(mm_filename(b).is_null());
        assert_eq!(mm_flags(b), 0);
        assert_eq!(mm_scalar_kind(b), -1);
        assert!(message().contains("not open"), "{}", message());
    }
    assert_eq!(mm_size(h2), 4096);
    m.status(
        unsafe { mmarray::ffi::mm_to_dlpack(h2, std::ptr::null_mut()) },
        MM_E_INVALID_ARG,
        "to_dlpack out NULL",
    );

    // Views at every boundary +-1 over a 4096-byte u1 array, with the guarded copies.
    let before = snap(&plain);
    for off in [i64::MIN, -2, -1, 0, 1, 4094, 4095, 4096, 4097, i64::MAX] {
        for n in [0usize, 1, 2, 4095, 4096, 4097] {
            let ok = n == 0 || (off >= 0 && off as i128 + n as i128 <= 4096);
            let mut v = 5;
            let st = unsafe {
                mm_view(
                    h2,
                    std::ptr::null(),
                    off,
                    [n].as_ptr(),
                    1,
                    std::ptr::null(),
                    &mut v,
                )
            };
            m.status(
                st,
                if ok { MM_OK } else { MM_E_OUT_OF_BOUNDS },
                &format!("view {off} {n}"),
            );
            if ok {
                let mut buf = vec![0u8; n + 1];
                m.status(
                    unsafe { mm_read_at(v, 0, buf.as_mut_ptr().cast(), n) },
                    MM_OK,
                    "read all",
                );
                m.status(
                    unsafe { mm_read_at(v, 0, buf.as_mut_ptr().cast(), n + 1) },
                    MM_E_OUT_OF_BOUNDS,
                    "read one more",
                );
                m.status(
                    unsafe { mm_read_at(v, n as u64 + 1, buf.as_mut_ptr().cast(), 0) },
                    MM_E_OUT_OF_BOUNDS,
                    "offset one past",
                );
                m.status(
                    unsafe { mm_write_at(v, 0, buf.as_ptr().cast(), 1) },
                    MM_E_READ_ONLY,
                    "write to r",
                );
                assert_eq!(mm_close(v), MM_OK);
            } else {
                assert_eq!(v, 0);
            }
        }
    }
    // The controls: unknown mm_open_ex flags (nothing created), advice values, flush
    // ranges at the edges.
    for flags in [4u32, 8, 1 << 31, u32::MAX] {
        let before_missing = snap(&missing);
        let mut out = 5;
        let st = unsafe {
            mmarray::ffi::mm_open_ex(
                cmissing.as_ptr(),
                c"u1".as_ptr(),
                c"w+".as_ptr(),
                0,
                [8usize].as_ptr(),
                1,
                b'C' as _,
                flags,
                &mut out,
            )
        };
        m.status(
            st,
            MM_E_INVALID_ARG,
            &format!("mm_open_ex flags {flags:#x}"),
        );
        assert_eq!(out, 0);
        same(&missing, &before_missing, "mm_open_ex");
    }
    for advice in [-1, 8, i32::MIN, i32::MAX] {
        m.status(
            mmarray::ffi::mm_advise(h2, advice),
            MM_E_INVALID_ARG,
            "advice",
        );
    }
    for (off, n, want) in [
        (0u64, 4096u64, MM_OK),
        (4096, 0, MM_OK),
        (0, 4097, MM_E_OUT_OF_BOUNDS),
        (4097, 0, MM_E_OUT_OF_BOUNDS),
        (4095, 2, MM_E_OUT_OF_BOUNDS),
        (u64::MAX, 1, MM_E_OUT_OF_BOUNDS),
        (1, u64::MAX, MM_E_OUT_OF_BOUNDS),
    ] {
        m.status(
            mmarray::ffi::mm_flush_range(h2, off, n),
            want,
            &format!("flush_range {off} {n}"),
        );
    }
    same(&plain, &before, "views");
    assert_eq!(mm_close(h2), MM_OK);
    assert_eq!(mm_handle_count(), start_handles);
    fs::remove_dir_all(&dir).unwrap();
    println!("bad_input (Rust): {} cases passed", m.cases);
}
