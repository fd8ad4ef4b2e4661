//! Issue 10, defects 6 and 7, as an unprivileged user: `mm_save_npy` (core `npy::save`)
//! must never report a failure after replacing its target, and must refuse (MM_E_PERMISSION)
//! a target the caller could not open for writing, as np.save does.
//!
//! Each case runs in a forked child. As root, the child drops to `nobody` (65534) with
//! setgroups/setgid/setuid and the files are made nobody's; as another user the child
//! runs as that user. One #[test], so that no other test thread exists when it forks.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use mmarray::npy;
use mmarray::{guarded, DType, ErrorKind, Order, View};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

const NOBODY: u32 = 65534;

fn chown(p: &Path, uid: u32) {
    if unsafe { libc::geteuid() } == 0 {
        let c = CString::new(p.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::chown(c.as_ptr(), uid, uid) }, 0, "{p:?}");
    }
}

/// Runs `f` in a forked child, unprivileged; returns its exit code.
fn as_unprivileged(f: impl FnOnce() -> i32) -> i32 {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        if unsafe { libc::geteuid() } == 0 {
            let ok = unsafe {
                libc::setgroups(0, std::ptr::null()) == 0
                    && libc::setgid(NOBODY) == 0
                    && libc::setuid(NOBODY) == 0
            };
            if !ok {
                unsafe { libc::_exit(98) };
            }
        }
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(99);
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status), "the child died: {status:#x}");
    libc::WEXITSTATUS(status)
}

fn code_of(r: mmarray::Result<()>, kind: ErrorKind) -> i32 {
    match r {
        Ok(()) => 10,
        Err(e) if e.kind == kind => {
            println!("  refused as expected: {}", e.message);
            0
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

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn source(dir: &TempDir) -> View {
    let view = npy::create(
        &dir.path("source.npy"),
        &DType::parse("<i4").unwrap(),
        &[64],
        Order::C,
    )
    .unwrap();
    let data: Vec<u8> = (0..256u32).map(|i| i as u8).collect();
    unsafe { guarded::write_at(&view, 0, data.as_ptr(), data.len()) }.unwrap();
    view
}

#[test]
fn unprivileged_saves_fail_cleanly_or_succeed_whole() {
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        println!("not root: the children run as uid {} (no setuid)", unsafe {
            libc::geteuid()
        });
    }
    let dir = TempDir::new("unprivileged");
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
    // The children must reach the directory: under a TMPDIR that other users cannot
    // search (mode 0700, say) every case below would fail for that reason alone. Say so
    // plainly instead (this test does not change the caller's TMPDIR).
    let reach = dir.0.clone();
    let reached = as_unprivileged(move || i32::from(fs::metadata(&reach).is_err()));
    assert_eq!(
        reached,
        0,
        "{} is not reachable by an unprivileged user: an ancestor (TMPDIR?) is not searchable \
         by others; run this test with a TMPDIR every user can enter",
        dir.0.display()
    );
    let view = source(&dir);

    // Defect 7: targets the caller may not write, in a directory it may write.
    let w = dir.path("writable");
    fs::create_dir(&w).unwrap();
    chown(&w, NOBODY);
    for mode in [0o444, 0o000, 0o555] {
        let t = w.join(format!("m{mode:o}.npy"));
        fs::write(&t, b"old content").unwrap();
        chown(&t, NOBODY);
        fs::set_permissions(&t, fs::Permissions::from_mode(mode)).unwrap();
        let code = as_unprivileged(|| code_of(npy::save(&view, &t), ErrorKind::Permission));
        assert_eq!(code, 0, "save over a {mode:o} file");
        assert_eq!(fs::metadata(&t).unwrap().mode() & 0o777, mode);
        // Readable again for the comparison (a non-root test cannot read its 0000 file).
        fs::set_permissions(&t, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(
            fs::read(&t).unwrap() == b"old content",
            "{mode:o} file overwritten"
        );
    }
    // A writable one of the same user is replaced and keeps its mode 0600.
    let t = w.join("own.npy");
    fs::write(&t, b"old content").unwrap();
    chown(&t, NOBODY);
    fs::set_permissions(&t, fs::Permissions::from_mode(0o600)).unwrap();
    let code = as_unprivileged(|| match npy::save(&view, &t) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{}", e.message);
            12
        }
    });
    assert_eq!(code, 0);
    let meta = fs::metadata(&t).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
    assert_eq!(fs::read(&t).unwrap().len(), 128 + 256);
    let mut expect = vec!["m0.npy", "m444.npy", "m555.npy", "own.npy"];
    expect.sort();
    assert_eq!(names(&w), expect);
    println!("0444, 0000, 0555 targets: MM_E_PERMISSION, unchanged; an own 0600 target replaced, still 0600");

    // Defect 6: a directory of mode 0333 (write and search, no read): the directory
    // cannot be opened to fsync the rename, so the save must fail before the rename.
    let d = dir.path("wx-only");
    fs::create_dir(&d).unwrap();
    let target = d.join("t.npy");
    fs::write(&target, b"old content").unwrap();
    chown(&target, NOBODY);
    chown(&d, NOBODY);
    fs::set_permissions(&d, fs::Permissions::from_mode(0o333)).unwrap();
    let code = as_unprivileged(|| code_of(npy::save(&view, &target), ErrorKind::Permission));
    fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 0, "save into a 0333 directory");
    assert!(
        fs::read(&target).unwrap() == b"old content",
        "the target was replaced"
    );
    assert_eq!(names(&d), vec!["t.npy".to_string()], "a temporary was left");
    println!("0333 directory: MM_E_PERMISSION, target untouched, nothing left");

    if root {
        // Root saving over nobody's 0640 file: the file stays nobody's, mode 0640.
        let t = w.join("theirs.npy");
        fs::write(&t, b"old content").unwrap();
        chown(&t, NOBODY);
        fs::set_permissions(&t, fs::Permissions::from_mode(0o640)).unwrap();
        npy::save(&view, &t).unwrap();
        let meta = fs::metadata(&t).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid(), meta.mode() & 0o777),
            (NOBODY, NOBODY, 0o640)
        );
        println!("root over nobody's 0640 file: owner nobody:nogroup and mode 0640 kept");
    }
}
