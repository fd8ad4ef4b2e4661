//! Calls made while a thread's locals are being destroyed (from a thread-local's
//! destructor): they work, and the slot such a call frees is not lost in the exiting
//! thread's spare (src/registry/spare.rs) but goes to the shared free stack. One test
//! in its own binary: it reads slot indexes out of handles (the low 32 bits are
//! slot + 1, src/registry.rs), so no other test may open handles meanwhile.

use std::cell::RefCell;
use std::sync::mpsc::{channel, Sender};

use mmarray::ffi::*;
use mmarray::ffi::{mm_close, mm_data, mm_handle_count};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;
#[path = "support/capi.rs"]
mod capi;
use capi::{slot_of as slot, try_open, try_slice};

fn slice(a: mm_array) -> (mm_status, mm_array) {
    try_slice(a, 0, 1, 5, 1)
}

/// What the destructor saw: the statuses of its slice, its close and a close of a
/// handle already closed, and the slice's handle.
type Seen = (mm_status, mm_status, mm_status, mm_array);

/// Slices `base` and closes the slice when the thread's locals are destroyed.
struct AtExit {
    base: mm_array,
    report: Sender<Seen>,
}

impl Drop for AtExit {
    fn drop(&mut self) {
        let (sliced, s) = slice(self.base);
        let closed = mm_close(s);
        let closed_again = mm_close(s);
        let _ = self.report.send((sliced, closed, closed_again, s));
    }
}

thread_local! {
    static AT_EXIT: RefCell<Option<AtExit>> = const { RefCell::new(None) };
}

#[test]
fn calls_from_a_thread_local_destructor_work_and_lose_no_slot() {
    let dir = TempDir::new("teardown-calls");
    let path = dir.path("a.f8");
    std::fs::write(&path, vec![0u8; 64]).unwrap();
    let (status, a) = try_open(&path, "<f8", "r", 0, None);
    assert_eq!(status, MM_OK);

    let (tx, rx) = channel();
    std::thread::spawn(move || {
        // Registered before the library's own destructor (the first close below parks
        // a spare and registers it): std runs the last registered first, so the
        // library gives its spare back first and this one's close finds the thread
        // exiting.
        AT_EXIT.with(|x| {
            *x.borrow_mut() = Some(AtExit {
                base: a,
                report: tx,
            })
        });
        let (status, s) = slice(a);
        assert_eq!(status, MM_OK);
        assert_eq!(mm_close(s), MM_OK);
    })
    .join()
    .unwrap();
    let (sliced, closed, closed_again, t) = rx.recv().unwrap();
    assert_eq!(
        (sliced, closed, closed_again),
        (MM_OK, MM_OK, MM_E_BAD_HANDLE)
    );
    assert!(mm_data(t).is_null());
    assert_eq!(mm_handle_count(), 1);

    // This thread has no spare (it closed nothing): its next handle takes the top of
    // the free stack, where the destructor's close must have put its slot.
    let (status, s) = slice(a);
    assert_eq!(status, MM_OK);
    assert_eq!(
        slot(s),
        slot(t),
        "the slot freed during thread exit was not given back"
    );
    assert_ne!(s, t);
    assert_eq!(mm_handle_count(), 2);
    for h in [s, a] {
        assert_eq!(mm_close(h), MM_OK);
    }
    assert_eq!(mm_handle_count(), 0);
}
