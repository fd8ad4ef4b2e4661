//! Issue 10, defect 10: allocations whose size depends on the input, or that are large,
//! are fallible in the .npy paths: under a tight RLIMIT_AS they answer MM_E_IO with errno
//! ENOMEM instead of aborting the process ("memory allocation of N bytes failed").
//! - mm_save_npy's 1 MiB copy buffer (mode c) and 4 MiB block buffer (strided views);
//!   a contiguous w+ view, copied by the kernel, needs neither and succeeds;
//! - the header of a long record dtype, when saving, creating and opening.
//!
//! Each case runs in a forked child that lowers its own RLIMIT_AS to what it has mapped
//! plus a small margin. No test harness (Cargo.toml: harness = false): everything runs
//! on the main thread, whose malloc arena grows with brk/mmap and so meets the limit (a
//! harness thread's arena has 64 MiB reserved in advance and would serve these sizes
//! without asking the kernel), and no other thread exists when it forks.

use std::fs;

use mmarray::npy;
use mmarray::{DType, ErrorKind, Mode, Order};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn vm_size() -> u64 {
    let statm = fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().next().unwrap().parse().unwrap();
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64
}

/// Runs `f` in a forked child under RLIMIT_AS = its current size + `margin`; the exit
/// code, or Err(signal) when the child was killed (an abort is SIGABRT).
fn limited(margin: u64, f: impl FnOnce() -> i32) -> Result<i32, i32> {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // Give the heap's free top back, so that only fresh address space can serve.
        unsafe { libc::malloc_trim(0) };
        let lim = libc::rlimit {
            rlim_cur: vm_size() + margin,
            rlim_max: libc::RLIM_INFINITY,
        };
        if unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) } != 0 {
            unsafe { libc::_exit(98) };
        }
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(99);
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    if libc::WIFSIGNALED(status) {
        return Err(libc::WTERMSIG(status));
    }
    Ok(libc::WEXITSTATUS(status))
}

fn enomem<T>(r: mmarray::Result<T>) -> i32 {
    match r {
        Ok(_) => 10,
        Err(e) if e.kind == ErrorKind::Io && e.os_error == libc::ENOMEM => {
            // Written with a raw write: the message itself must not need much memory.
            let line = format!("  MM_E_IO/ENOMEM: {}\n", e.message);
            unsafe { libc::write(1, line.as_ptr().cast(), line.len()) };
            if e.message.contains("memory") {
                0
            } else {
                12
            }
        }
        Err(e) => {
            eprintln!(
                "unexpected: {:?} errno {}: {}",
                e.kind, e.os_error, e.message
            );
            11
        }
    }
}

fn main() {
    // Fixed thresholds: large blocks are mmapped and given back when freed, never left
    // in the heap where they could serve the allocations under test.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
    large_allocations_fail_with_enomem_not_abort();
    println!("test large_allocations_fail_with_enomem_not_abort ... ok");
    println!();
    println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
}

fn large_allocations_fail_with_enomem_not_abort() {
    let dir = TempDir::new("alloc-limits");
    // mm_save_npy's copy buffer: 1 MiB for a 4 MiB source.
    let src = npy::create(
        &dir.path("src.npy"),
        &DType::parse("<f8").unwrap(),
        &[512 << 10],
        Order::C,
    )
    .unwrap();
    let target = dir.path("target.npy");
    fs::write(&target, b"old").unwrap();
    // A mode c view is copied through the buffer (its private pages are not the file's).
    let cow = npy::open(&dir.path("src.npy"), Mode::CopyOnWrite).unwrap();
    let got = limited(256 << 10, || enomem(npy::save(&cow, &target)));
    assert_eq!(got, Ok(0), "save's copy buffer (Err(6) is SIGABRT)");
    assert_eq!(fs::read(&target).unwrap(), b"old");
    // A strided view is read in 4 MiB blocks: that buffer too.
    let strided = src.slice(0, 0, i64::MAX, 2).unwrap();
    let got = limited(256 << 10, || enomem(npy::save(&strided, &target)));
    assert_eq!(got, Ok(0), "save's block buffer (Err(6) is SIGABRT)");
    assert_eq!(fs::read(&target).unwrap(), b"old");
    // The w+ view itself is copied file to file by the kernel: no buffer, so it
    // succeeds under the same limit.
    let got = limited(256 << 10, || enomem(npy::save(&src, &target)));
    assert_eq!(got, Ok(10), "kernel copy under the limit");
    assert_eq!(fs::metadata(&target).unwrap().len(), 128 + (4 << 20));
    fs::write(&target, b"old").unwrap();

    // A record dtype of 600 fields with 2000-character names: a 1.2 MB header.
    let fields: Vec<String> = (0..600)
        .map(|i| format!("('{}{i:04}', '|u1')", "n".repeat(2000)))
        .collect();
    let rec = DType::parse(&format!("[{}]", fields.join(", "))).unwrap();
    let big = dir.path("big.npy");
    let view = npy::create(&big, &rec, &[2], Order::C).unwrap();
    let header_len = fs::metadata(&big).unwrap().len() - 1200;
    assert!(header_len > 1_200_000, "{header_len}");
    let got = limited(256 << 10, || enomem(npy::save(&view, &target)));
    assert_eq!(
        got,
        Ok(0),
        "save of a long record dtype (Err(6) is SIGABRT)"
    );
    assert_eq!(fs::read(&target).unwrap(), b"old");
    let fresh = dir.path("fresh.npy");
    let got = limited(256 << 10, || {
        enomem(npy::create(&fresh, &rec, &[2], Order::C))
    });
    assert_eq!(
        got,
        Ok(0),
        "create of a long record dtype (Err(6) is SIGABRT)"
    );
    assert!(!fresh.exists());
    let got = limited(256 << 10, || enomem(npy::open(&big, Mode::ReadOnly)));
    assert_eq!(got, Ok(0), "open of a 1.2 MB header (Err(6) is SIGABRT)");
    // Without the limit all of it works.
    npy::save(&view, &target).unwrap();
    assert_eq!(npy::open(&target, Mode::ReadOnly).unwrap().dtype(), &rec);
    println!("4 allocations over RLIMIT_AS answered MM_E_IO/ENOMEM; header {header_len} bytes");
}
