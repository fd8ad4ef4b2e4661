//! Issue 10, defect 4: `mm_save_npy` (core `npy::save`) of a view whose file was
//! truncated underneath copies through the guarded path (`src/guarded.rs`): MM_E_IO
//! (EFAULT, "no longer covers"), the target untouched, the process alive. It used to read
//! the mapping with plain loads and die of SIGBUS.
//!
//! The save runs in a forked child, so that the old behaviour (SIGBUS) shows as a killed
//! child instead of killing the test binary. One #[test], so that no other test thread
//! exists when it forks.

use std::fs;

use mmarray::npy;
use mmarray::{guarded, DType, ErrorKind, Order};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

fn in_child(f: impl FnOnce() -> i32) -> Result<i32, i32> {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
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

#[test]
fn saving_a_truncated_source_is_an_error_not_sigbus() {
    let dir = TempDir::new("truncated-source");
    let src_path = dir.path("src.npy");
    // 64 KiB of <u4 data: contiguous, and (through a reversed view) strided.
    let view = npy::create(&src_path, &DType::parse("<u4").unwrap(), &[16384], Order::C).unwrap();
    let data: Vec<u8> = (0..65536u32).map(|i| (i % 253) as u8).collect();
    unsafe { guarded::write_at(&view, 0, data.as_ptr(), data.len()) }.unwrap();
    view.flush().unwrap();
    let reversed = view.slice(0, i64::MAX, i64::MIN, -1).unwrap();
    let every_other = view.slice(0, 0, i64::MAX, 2).unwrap();
    // The source file loses everything after its first page (header + 3968 data bytes).
    fs::OpenOptions::new()
        .write(true)
        .open(&src_path)
        .unwrap()
        .set_len(4096)
        .unwrap();

    let target = dir.path("target.npy");
    fs::write(&target, b"old target").unwrap();
    let mut faults = 0;
    for (name, v) in [
        ("contiguous", &view),
        ("reversed", &reversed),
        ("every other", &every_other),
    ] {
        let outcome = in_child(|| match npy::save(v, &target) {
            Ok(()) => 10,
            Err(e) if e.kind == ErrorKind::Io && e.os_error == libc::EFAULT => {
                println!("  {name}: {}", e.message);
                0
            }
            Err(e) => {
                eprintln!("{name}: {:?} errno {}: {}", e.kind, e.os_error, e.message);
                11
            }
        });
        assert_eq!(
            outcome,
            Ok(0),
            "{name}: Err(n) is the signal that killed the child"
        );
        assert!(
            fs::read(&target).unwrap() == b"old target",
            "{name}: target changed"
        );
        faults += 1;
    }
    // And in this process: still alive, target untouched, no temporary left.
    let err = npy::save(&view, &target).unwrap_err();
    assert_eq!(
        (err.kind, err.os_error),
        (ErrorKind::Io, libc::EFAULT),
        "{}",
        err.message
    );
    assert!(err.message.contains("no longer covers"), "{}", err.message);
    assert_eq!(fs::read(&target).unwrap(), b"old target");
    let mut left: Vec<String> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["src.npy", "target.npy"]);
    // A view of the part the file still covers saves fine.
    let head = view.slice(0, 0, 100, 1).unwrap();
    npy::save(&head, &target).unwrap();
    assert_eq!(fs::read(&target).unwrap().len(), 128 + 400);
    println!(
        "truncated source: {} guarded faults answered MM_E_IO/EFAULT, target untouched",
        faults + 1
    );
}
