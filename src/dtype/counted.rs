//! A DType's representation: one pointer to its description and a reference count, as an
//! `Arc` would hold them, but with a count that can be made *forever*: a DType that lives
//! for the rest of the process (the short type strings' table, src/dtype/common.rs) is
//! cloned and dropped with one plain load, no atomic read-modify-write (a locked
//! instruction each: mm_open clones the dtype into its mapping, mm_close drops it).
//!
//! The count is [`FOREVER`] from the moment [`DType::forever`] sets it, which it does
//! only while its caller holds the one reference (nobody else can clone it then), and it
//! never changes afterwards; any other count never becomes `FOREVER`. So a clone or drop
//! that loads another count counts as an `Arc` would (relaxed increment, release
//! decrement, acquire fence before the free), and one that loads `FOREVER` does nothing.
//! The description lives in its own allocation, pointed to from its start (valgrind
//! then sees a kept DType as reachable).

use super::DTypeInner;
use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

/// The count of a DType that lives for the rest of the process.
const FOREVER: usize = usize::MAX;
/// More references than this abort (as `Arc` does at `isize::MAX`).
const MAX_REFS: usize = isize::MAX as usize;

struct Counted {
    count: AtomicUsize,
    inner: DTypeInner,
}

/// A numpy data type. Cheap to clone (a shared description); immutable.
pub struct DType(NonNull<Counted>);

// SAFETY: like Arc<DTypeInner>: the description is immutable and shared (its fields are
// plain data, Strings and Arcs of fields), the count an atomic; whoever drops the last
// reference frees it.
unsafe impl Send for DType {}
// SAFETY: as above.
unsafe impl Sync for DType {}

impl DType {
    /// A DType with one reference.
    pub(super) fn new(inner: DTypeInner) -> DType {
        let counted = Box::new(Counted {
            count: AtomicUsize::new(1),
            inner,
        });
        // SAFETY: Box::into_raw is never null.
        DType(unsafe { NonNull::new_unchecked(Box::into_raw(counted)) })
    }

    #[inline]
    fn counted(&self) -> &Counted {
        // SAFETY: alive while this reference is (module comment).
        unsafe { self.0.as_ref() }
    }

    /// The description.
    #[inline]
    pub(super) fn inner(&self) -> &DTypeInner {
        &self.counted().inner
    }

    /// This DType made to live for the rest of the process when `self` is its only
    /// reference (its clones and drops then count nothing); unchanged (counted)
    /// otherwise.
    pub(super) fn forever(self) -> DType {
        let count = &self.counted().count;
        // Acquire: another reference's drop (release) is over before we take it alone.
        if count.load(Ordering::Acquire) == 1 {
            // No other reference exists, and none can be made but from this one.
            count.store(FOREVER, Ordering::Relaxed);
        }
        self
    }

    /// A forever DType counted again, as its only reference (so that dropping it frees
    /// it): the loser of a race to store a forever DType gives its own back.
    ///
    /// # Safety
    /// `self` is the only reference there has been to its DType since `forever` (nobody
    /// else has seen it).
    pub(super) unsafe fn unforever(self) -> DType {
        self.counted().count.store(1, Ordering::Relaxed);
        self
    }

    /// Whether this DType lives for the rest of the process (tests).
    #[cfg(test)]
    pub(super) fn is_forever(&self) -> bool {
        self.counted().count.load(Ordering::Relaxed) == FOREVER
    }
}

impl Clone for DType {
    #[inline]
    fn clone(&self) -> DType {
        let count = &self.counted().count;
        if count.load(Ordering::Relaxed) != FOREVER {
            // Relaxed as in Arc: the new reference is made from a live one.
            if count.fetch_add(1, Ordering::Relaxed) > MAX_REFS {
                std::process::abort();
            }
        }
        DType(self.0)
    }
}

impl Drop for DType {
    #[inline]
    fn drop(&mut self) {
        let count = &self.counted().count;
        if count.load(Ordering::Relaxed) == FOREVER {
            return;
        }
        if count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Every other reference's uses (each ended by a release decrement) happen before
        // the free.
        fence(Ordering::Acquire);
        // SAFETY: the last reference: from Box::into_raw in `new`, freed once, here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

impl PartialEq for DType {
    fn eq(&self, other: &DType) -> bool {
        self.0 == other.0 || self.inner() == other.inner()
    }
}

impl Eq for DType {}

impl fmt::Debug for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DType").field(self.inner()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(d: &DType) -> usize {
        d.counted().count.load(Ordering::SeqCst)
    }

    /// Clones count and drops uncount; the last drop frees (Miri: no leak, no double
    /// free); a forever DType counts nothing, and only a lone one becomes forever.
    #[test]
    fn clones_count_and_forever_ones_do_not() {
        let a = DType::parse("<f8").unwrap();
        assert_eq!(count(&a), 1);
        let b = a.clone();
        let c = b.clone();
        assert_eq!((count(&a), a == c), (3, true));
        drop(b);
        assert_eq!(count(&c), 2);
        let a = a.forever();
        assert!(!a.is_forever());
        assert_eq!(count(&a), 2);
        drop(c);
        let a = a.forever();
        assert!(a.is_forever());
        let clones: Vec<DType> = (0..5).map(|_| a.clone()).collect();
        assert_eq!(count(&a), FOREVER);
        drop(clones);
        assert_eq!((count(&a), a.typestr()), (FOREVER, "<f8"));
        assert_eq!(
            format!("{a:?}"),
            format!("{:?}", DType::parse("<f8").unwrap())
        );
        assert!(format!("{a:?}").starts_with("DType(DTypeInner {"));
        let lone = DType::parse("|b1").unwrap().forever();
        assert!(lone.is_forever());
        // SAFETY: never cloned or shared; dropping it frees it (Miri: else a leak).
        let lone = unsafe { lone.unforever() };
        assert_eq!(count(&lone), 1);
        drop(lone);
        // The forever one is kept for the process: a static holds it (Miri's leak check
        // follows statics).
        static KEPT: std::sync::Mutex<Vec<DType>> = std::sync::Mutex::new(Vec::new());
        KEPT.lock().unwrap().push(a);
    }

    /// Threads cloning and dropping one DType, counted and forever: the count comes back
    /// to where it was, and the last drop frees once (Miri checks the ordering).
    #[test]
    fn threads_clone_and_drop_at_once() {
        for forever in [false, true] {
            let d = DType::parse(">i4").unwrap();
            let d = if forever { d.forever() } else { d };
            let threads: Vec<_> = (0..3)
                .map(|_| {
                    let d = d.clone();
                    std::thread::spawn(move || {
                        for _ in 0..10 {
                            let e = d.clone();
                            assert_eq!(e.itemsize(), 4);
                        }
                        d
                    })
                })
                .collect();
            let back: Vec<DType> = threads.into_iter().map(|t| t.join().unwrap()).collect();
            assert_eq!(count(&d), if forever { FOREVER } else { 4 });
            drop(back);
            assert_eq!(count(&d), if forever { FOREVER } else { 1 });
            if forever {
                static KEPT: std::sync::Mutex<Vec<DType>> = std::sync::Mutex::new(Vec::new());
                KEPT.lock().unwrap().push(d);
            }
        }
    }
}
