//! The registry's per-thread spare slot (src/registry/spare.rs), seen through the C
//! ABI: a thread reuses the slot it freed last, a stale handle of that slot stays
//! refused, and a thread's spare goes back to the shared free stack when the thread
//! exits. One test in its own binary: it reads slot indexes out of handles (the low
//! 32 bits are slot + 1, src/registry.rs), so no other test may open handles meanwhile.

use mmarray::ffi::*;
use mmarray::ffi::{mm_close, mm_data, mm_handle_count};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;
#[path = "support/capi.rs"]
mod capi;
use capi::{slot_of as slot, try_open, try_slice};

fn slice(a: mm_array) -> mm_array {
    let (status, s) = try_slice(a, 0, 1, 5, 1);
    assert_eq!(status, MM_OK);
    s
}

#[test]
fn spare_slot_is_reused_by_its_thread_and_given_back_at_exit() {
    let dir = TempDir::new("spare-slot");
    let path = dir.path("a.f8");
    std::fs::write(&path, vec![0u8; 64]).unwrap();
    let (status, a) = try_open(&path, "<f8", "r", 0, None);
    assert_eq!(status, MM_OK);

    // This thread: close a slice, and the next slice takes the same slot under a new
    // generation; the old handle is refused.
    let s1 = slice(a);
    assert_eq!(mm_close(s1), MM_OK);
    let s2 = slice(a);
    assert_eq!(slot(s2), slot(s1));
    assert_ne!(s2, s1);
    assert!(mm_data(s1).is_null());
    assert_eq!(mm_close(s1), MM_E_BAD_HANDLE);
    assert!(!mm_data(s2).is_null());
    assert_eq!(mm_handle_count(), 2);

    // Another thread frees a slot and exits: its spare goes back to the free stack,
    // whose top this thread's next new handle takes (this thread has no spare now:
    // s2 took it).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let t = slice(a);
        assert_eq!(mm_close(t), MM_OK);
        tx.send(t).unwrap();
    })
    .join()
    .unwrap();
    let t = rx.recv().unwrap();
    assert_ne!(slot(t), slot(s2));
    let s3 = slice(a);
    assert_eq!(
        slot(s3),
        slot(t),
        "the exited thread's spare was not given back"
    );
    assert_ne!(s3, t);
    assert!(mm_data(t).is_null());
    assert_eq!(mm_handle_count(), 3);

    for h in [s2, s3, a] {
        assert_eq!(mm_close(h), MM_OK);
    }
    assert_eq!(mm_handle_count(), 0);
}
