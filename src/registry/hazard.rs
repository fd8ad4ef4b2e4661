//! Hazard records: where a thread announces the slot it is using (the registry's module
//! comment states the protocol and its memory-ordering argument).
//!
//! A record is one cache line of [`WORDS`] words, each the address of a slot its owner
//! has pinned (0: none), so that pinning writes only the pinning thread's own line. The
//! records of a registry form a push-only list: a record is never unlinked or freed
//! while its registry lives (the registry's `Drop` frees them), so a closer may walk
//! the list at any time without a lock. A record is *taken* by one thread at a time:
//! for the whole thread's life for the process-wide registry (cached in the thread's
//! state, given back when the thread exits: src/registry/spare.rs), or just for the
//! length of one pin (a borrowed record) otherwise.

#[cfg(all(test, loom))]
use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
#[cfg(not(all(test, loom)))]
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// Words of a record: pins one thread may hold at once in its own record before it
/// borrows another. The C layer never pins a handle while inside another's pin, so one
/// would do; two leave room for a pin made while the thread is inside one (a signal
/// handler's call, a value's drop that closes a handle) without a borrow.
pub(super) const WORDS: usize = 2;

/// One thread's hazards: a cache line that only its taker writes (but for `taken`, which
/// changes hands with the record).
#[repr(align(64))]
pub(super) struct Record {
    /// Slot addresses this record's taker has pinned; 0 for a free word.
    pub(super) words: [AtomicUsize; WORDS],
    taken: AtomicBool,
    /// The record pushed before this one (null for the first); never changes.
    next: *const Record,
}

impl Record {
    /// Gives the record back for another thread (or pin) to take: its words are all 0.
    pub(super) fn release(&self) {
        debug_assert!(self.words.iter().all(|w| w.load(Ordering::Relaxed) == 0));
        self.taken.store(false, Ordering::Release);
    }

    /// The first free word of the record, for its taker (only the taker writes them).
    #[inline]
    pub(super) fn free_word(&self) -> Option<&AtomicUsize> {
        self.words.iter().find(|w| w.load(Ordering::Relaxed) == 0)
    }
}

/// The head of a registry's list of records (null while it has none: the process-wide
/// registry then stays all zero bytes, in `.bss`).
pub(super) struct Records {
    head: AtomicPtr<Record>,
}

// SAFETY: `next` is written before the record is published (the Release push) and never
// again; records are shared only through their atomics.
unsafe impl Send for Record {}
// SAFETY: as above.
unsafe impl Sync for Record {}

impl Records {
    #[cfg(not(all(test, loom)))]
    pub(super) const fn new() -> Records {
        Records {
            head: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    #[cfg(all(test, loom))]
    pub(super) fn new() -> Records {
        Records {
            head: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Every record of the list, newest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Record> {
        let mut at = self.head.load(Ordering::Acquire).cast_const();
        std::iter::from_fn(move || {
            // SAFETY: records in the list are never freed while the registry lives
            // (`&self`), and `next` never changes after the push that published it.
            let record = unsafe { at.as_ref()? };
            at = record.next;
            Some(record)
        })
    }

    /// A record taken for the caller alone: one nobody has (its words are all 0), or a
    /// new one pushed on the list.
    #[cold]
    #[inline(never)]
    pub(super) fn take(&self) -> &Record {
        for record in self.iter() {
            if !record.taken.load(Ordering::Relaxed)
                && record
                    .taken
                    .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return record;
            }
        }
        let mut head = self.head.load(Ordering::Relaxed);
        let record = Box::into_raw(Box::new(Record {
            words: std::array::from_fn(|_| AtomicUsize::new(0)),
            taken: AtomicBool::new(true),
            next: head,
        }));
        loop {
            match self.head.compare_exchange_weak(
                head,
                record,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                // SAFETY: just made; in the list from now on, freed only by `free_all`.
                Ok(_) => return unsafe { &*record },
                Err(now) => {
                    head = now;
                    // SAFETY: not published yet: ours alone.
                    unsafe { (*record).next = now };
                }
            }
        }
    }

    /// Whether some record holds `address` (Acquire: a pinner's Release store of 0,
    /// when read, orders its last use of the slot before whatever the reader does next).
    pub(super) fn protect(&self, address: usize) -> bool {
        self.iter().any(|record| {
            record
                .words
                .iter()
                .any(|w| w.load(Ordering::Acquire) == address)
        })
    }

    /// Number of records in the list (unit tests).
    #[cfg(all(test, not(loom)))]
    pub(super) fn count(&self) -> usize {
        self.iter().count()
    }

    /// In a child just forked: clears every record but `keep` (the forking thread's,
    /// null for none) and gives it back. Their takers are threads of the parent that the
    /// child does not have; their pins never end there.
    pub(super) fn forget_all_but(&self, keep: *const Record) {
        for record in self.iter() {
            if !std::ptr::eq(record, keep) {
                for w in &record.words {
                    w.store(0, Ordering::Relaxed);
                }
                record.taken.store(false, Ordering::Release);
            }
        }
    }

    /// Frees every record (the registry is being dropped: nobody else can reach them).
    pub(super) fn free_all(&mut self) {
        let mut at = self.head.load(Ordering::Acquire);
        while !at.is_null() {
            // SAFETY: made by `Box::into_raw` in `take`, in the list once, freed once here.
            let record = unsafe { Box::from_raw(at) };
            at = record.next.cast_mut();
        }
        self.head.store(std::ptr::null_mut(), Ordering::Relaxed);
    }
}
