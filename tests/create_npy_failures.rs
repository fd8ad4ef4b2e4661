//! Issue 10, defect 2: `mm_create_npy` (core `npy::create`) over an existing file that
//! then fails must leave the file byte-for-byte as it was. It shares mm_open's w+
//! sequence: map first, reserve the header's blocks, truncate last.
//!
//! - the mapping refused under RLIMIT_AS (a forked child lowers its own limit);
//! - a full 1 MiB tmpfs (root only; otherwise printed as SKIPPED) with a header larger
//!   than the block the old file frees;
//! - RLIMIT_FSIZE with SIGXFSZ ignored (forked child): MM_E_IO/EFBIG for create, for an
//!   r+ extension and for a save, every file unchanged.
//!
//! One #[test], so that no other test thread exists when it forks.

use std::fs;

use mmarray::npy;
use mmarray::{DType, ErrorKind, Mode, OpenSpec, Order, View};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;
#[path = "support/tmpfs.rs"]
mod tmpfs;
use tmpfs::{fill, Tmpfs};

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Bytes of address space this process has mapped now (/proc/self/statm, first field).
fn vm_size() -> u64 {
    let statm = fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().next().unwrap().parse().unwrap();
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64
}

/// Runs `f` in a forked child and returns its exit code (f's value); a signal is a panic.
fn in_child(f: impl FnOnce() -> i32) -> i32 {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(99);
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status),
        "the child died: wait status {status:#x}"
    );
    libc::WEXITSTATUS(status)
}

/// 0 when `r` is the error (kind, errno), else a code naming what it was.
fn code_of<T>(r: mmarray::Result<T>, kind: ErrorKind, errno: i32) -> i32 {
    match r {
        Ok(_) => 10,
        Err(e) if e.kind == kind && e.os_error == errno => 0,
        Err(e) => {
            eprintln!(
                "unexpected error: {:?} errno {}: {}",
                e.kind, e.os_error, e.message
            );
            11
        }
    }
}

fn mapping_refused_under_rlimit_as(dir: &TempDir) {
    let path = dir.path("old.bin");
    let old = pattern(1000, 7);
    fs::write(&path, &old).unwrap();
    let u1 = DType::parse("<f8").unwrap();
    let code = in_child(|| {
        let lim = libc::rlimit {
            rlim_cur: vm_size() + (16 << 20),
            rlim_max: libc::RLIM_INFINITY,
        };
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
        // 256 MiB of data: the mapping cannot fit under the limit.
        code_of(
            npy::create(&path, &u1, &[32 << 20], Order::C),
            ErrorKind::Io,
            libc::ENOMEM,
        )
    });
    assert_eq!(code, 0, "create under RLIMIT_AS");
    assert!(fs::read(&path).unwrap() == old, "the old file changed");
    // A new name: nothing is left behind.
    let fresh = dir.path("fresh.npy");
    let code = in_child(|| {
        let lim = libc::rlimit {
            rlim_cur: vm_size() + (16 << 20),
            rlim_max: libc::RLIM_INFINITY,
        };
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
        code_of(
            npy::create(&fresh, &u1, &[32 << 20], Order::C),
            ErrorKind::Io,
            libc::ENOMEM,
        )
    });
    assert_eq!(code, 0);
    assert!(!fresh.exists());
    println!("RLIMIT_AS: create over a 1000-byte file refused with MM_E_IO/ENOMEM, file unchanged");
}

/// A record dtype whose header is longer than one 4 KiB page.
fn long_record() -> DType {
    let fields: Vec<String> = (0..200)
        .map(|i| format!("('field_{i:04}', '<i2')"))
        .collect();
    DType::parse(&format!("[{}]", fields.join(", "))).unwrap()
}

fn full_disk() {
    let fs_ = match Tmpfs::mount("1m") {
        Ok(t) => t,
        Err(why) => {
            println!("SKIPPED create on a full disk: {why}");
            return;
        }
    };
    let path = fs_.dir.join("old.npy");
    let old = pattern(4096, 3);
    fs::write(&path, &old).unwrap();
    let filled = fill(&fs_.dir.join("filler.bin"));
    let rec = long_record();
    let head = npy::header::encode(&rec, &[4], false).unwrap();
    assert!(head.len() > 4096, "{}", head.len());
    let err = npy::create(&path, &rec, &[4], Order::C).unwrap_err();
    assert_eq!(
        (err.kind, err.os_error),
        (ErrorKind::Io, libc::ENOSPC),
        "{}",
        err.message
    );
    assert!(fs::read(&path).unwrap() == old, "the old file changed");
    // A header that fits in the block the old file gives back succeeds.
    let f4 = DType::parse("<f4").unwrap();
    let view = npy::create(&path, &f4, &[10], Order::C).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), 168);
    drop(view);
    println!(
        "full disk: tmpfs 1 MiB filled with {filled} bytes; create with a {}-byte header refused with MM_E_IO/ENOSPC, file unchanged",
        head.len()
    );
}

fn rlimit_fsize_with_sigxfsz_ignored(dir: &TempDir) {
    let old_path = dir.path("fsize.npy");
    let old = pattern(1000, 9);
    fs::write(&old_path, &old).unwrap();
    let src_path = dir.path("src.npy");
    let src = npy::create(&src_path, &DType::parse("<u1").unwrap(), &[8192], Order::C).unwrap();
    let target = dir.path("target.npy");
    fs::write(&target, &old).unwrap();
    let code = in_child(|| {
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
        let lim = libc::rlimit {
            rlim_cur: 4096,
            rlim_max: libc::RLIM_INFINITY,
        };
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_FSIZE, &lim) }, 0);
        let f1 = DType::parse("<u1").unwrap();
        let c = code_of(
            npy::create(&old_path, &f1, &[1 << 20], Order::C),
            ErrorKind::Io,
            libc::EFBIG,
        );
        if c != 0 {
            return 20 + c;
        }
        let spec = OpenSpec {
            dtype: f1.clone(),
            mode: Mode::ReadWrite,
            offset: 0,
            shape: Some(vec![1 << 20]),
            order: Order::C,
        };
        let c = code_of(View::open(&old_path, &spec), ErrorKind::Io, libc::EFBIG);
        if c != 0 {
            return 40 + c;
        }
        let c = code_of(npy::save(&src, &target), ErrorKind::Io, libc::EFBIG);
        if c != 0 {
            return 60 + c;
        }
        0
    });
    assert_eq!(code, 0, "RLIMIT_FSIZE child");
    assert!(fs::read(&old_path).unwrap() == old, "the old file changed");
    assert!(fs::read(&target).unwrap() == old, "the target changed");
    let left: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 3, "{left:?}");
    println!("RLIMIT_FSIZE 4096, SIGXFSZ ignored: create, r+ extension and save each MM_E_IO/EFBIG, files unchanged");
}

fn fifo_is_refused(dir: &TempDir) {
    let fifo = dir.path("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let err = npy::create(&fifo, &DType::parse("<f4").unwrap(), &[3], Order::C).unwrap_err();
    assert_eq!(
        (err.kind, err.os_error),
        (ErrorKind::Io, libc::ENODEV),
        "{}",
        err.message
    );
    assert!(err.message.contains("FIFO"), "{}", err.message);
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    fs::remove_file(&fifo).unwrap();
}

#[test]
fn failed_create_leaves_an_existing_file_as_it_was() {
    let dir = TempDir::new("create-failures");
    mapping_refused_under_rlimit_as(&dir);
    fifo_is_refused(&dir);
    rlimit_fsize_with_sigxfsz_ignored(&TempDir::new("fsize"));
    full_disk();
}
