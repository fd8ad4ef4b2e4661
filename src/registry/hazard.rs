//! Pins of the registry's slots (hazard pointers): the protocol, its memory-ordering
//! argument, the pin, unpin and reclaim steps, and the hazard records.
//!
//! A record is one cache line of [`WORDS`] words, each the address of a slot its owner
//! has pinned (0: none), so that pinning writes only the pinning thread's own line. The
//! records of a registry form a push-only list: a record is never unlinked or freed
//! while its registry lives (the registry's `Drop` frees them), so a closer may walk
//! the list at any time without a lock. A record is *taken* by one thread at a time:
//! for the whole thread's life for the process-wide registry (cached in the thread's
//! state, given back when the thread exits: src/registry/spare.rs), or just for the
//! length of one pin (a borrowed record) otherwise.
//!
//! ## Pins: the protocol and why no value is dropped while in use
//!
//! - *Pin* slot S for handle h: `hazard.store(&S, Release)`; `fence(SeqCst)`;
//!   `st = S.state.load(Acquire)`; unless `st` has h's generation and LIVE, unpin and
//!   refuse the handle. Else use the value; then
//! - *unpin*: `hazard.store(0, Release)`; `fence(SeqCst)`; `st = S.state.load(Acquire)`;
//!   if `st` is PENDING, try to reclaim S from `st` (whatever its generation: a close
//!   of any generation of S may have seen our hazard and left the reclaim to us).
//! - *Close*: the key goes to 0 (see the summary in the registry's module comment); the
//!   state goes from LIVE to PENDING (compare-and-swap, AcqRel), then a reclaim is
//!   tried from that state. (A slot nobody pinned is closed more cheaply: below.)
//! - *Try to reclaim* S from `st` (PENDING): `fence(SeqCst)`; load (Acquire) every
//!   hazard word of every record; if one holds &S, stop. Else compare-and-swap the state
//!   from exactly `st` to `st` without PENDING (AcqRel): the one winner takes the value,
//!   moves S to the next generation and frees it (`free_slot`); losers stop.
//!
//! No lost reclaim, and no use after the drop (C++20 rules for SeqCst fences, which put
//! all of them in one total order F). Take a reclaimer R that observed S PENDING (its
//! own close's compare-and-swap, or its unpin's load) and then ran fence_R and loaded
//! a pinner P's hazard word; P stored that word (&S at pin, 0 at unpin), ran fence_P,
//! then loaded S's state.
//! - If R's hazard load did not read P's store (it read an earlier value in the word's
//!   modification order), then fence_R precedes fence_P in F. P's state load then reads
//!   PENDING or a later state: were it coherence-ordered before R's observation of
//!   PENDING, fence_P would precede fence_R in F. So a pin refuses the slot (S is not
//!   LIVE under h's generation), and an unpin tries the reclaim itself.
//! - If R's hazard load read P's &S, R stops; P's unpin stores 0 later in that word's
//!   modification order, so by the same rule fence_R precedes P's unpin fence, and P's
//!   unpin load sees PENDING (or a later state: someone reclaimed after our hazard went)
//!   and tries the reclaim. So either R reclaims, or a pinner it saw does: none is lost.
//! - A reclaim that happens frees only after its hazard loads read 0 (or another slot)
//!   in every word: a pinner whose store of 0 it read is done with the value. Every
//!   store into a hazard word is Release (the pin's too, though a pin needs no more
//!   than Relaxed for itself), so R's Acquire load that reads the 0, or any later store
//!   of that thread into the word, synchronises with it: that last use happens before
//!   the drop. A record changes hands only through `taken` (Release when given back,
//!   Acquire when taken), so a store by the record's next taker carries the same order.
//!   A pinner whose store of &S R did not read refuses the slot (first point) and never
//!   touches the value.
//! - Exactly one reclaimer frees: all compare-and-swap from the same PENDING state, which
//!   recurs only after 2^32 generations. Records pushed on the list after R loaded its
//!   head are the same case as a store R did not read (the push happens before the
//!   pinner's fence). The value seen by a pin is this handle's insert's: the Acquire
//!   state load that accepted it read that insert's Release store of LIVE.
//!
//! ## Slots nobody pinned
//!
//! Most handles are never pinned: a slice made, read through `mm_data` (the summary,
//! no pin) and closed. For them the close needs neither the fence nor the look at every
//! record, and the look is what costs under contention: it reads the hazard lines that
//! other threads are writing. So the first pin of a slot under a generation sets a
//! PINNED bit in its state, after its own hazard store and fence, by a compare-and-swap
//! (AcqRel) from a state that is LIVE under the handle's generation; a pin that finds
//! the bit set already goes on as above. A close whose compare-and-swap reads a state
//! without PINNED moves it to "not live" without PENDING and frees the slot itself:
//! - Nobody will use the value. A pinner uses it only after reading LIVE together with
//!   PINNED under the handle's generation, or after its own compare-and-swap setting
//!   PINNED on such a state. Both would put a PINNED-setting compare-and-swap of this
//!   generation before the close's in the state word's modification order (the bit is
//!   never cleared within a generation, and after the close the slot is never LIVE
//!   under it again), and the close would have read the bit. So every such pinner
//!   refuses the handle.
//! - Nobody else frees it: unpins and reclaims act only on PENDING, which this close
//!   never sets; the generation moves on with `free_slot`'s store, which also clears
//!   the bit for the next handle.
//! - A close that reads PINNED takes the path above, and its look at the records sees
//!   the setter's hazard: the setter stored it, then ran its fence, then the
//!   compare-and-swap that the close's read, before the close's own fence; so the
//!   setter's fence precedes the close's in F, and the close's loads after its fence
//!   see the store (the compare-and-swap needs no order of its own: Relaxed, and the
//!   loom models pass with it so). Any other pinner is covered by the fence argument
//!   above.
//!
//! Hazard records: a thread keeps its own record of the process-wide registry for its
//! whole life (src/registry/spare.rs), so that a pin stores into memory only it writes;
//! pins of other registries, nested pins beyond a record's words, and pins after the
//! thread's exit destructor ran borrow a record from the list for the length of the
//! pin: every pin has a hazard, there is no second mechanism. After fork() the child
//! forgets every record but the forking thread's ([`Registry::forget_other_threads`]);
//! a slot whose reclaim was left, before the fork, to a thread the child lacks, leaks
//! in the child.

use super::{on_thread, spare, Registry, Slot, Thread, GEN_SHIFT, LIVE, PENDING, PINNED};
#[cfg(all(test, loom))]
use loom::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize, Ordering};
#[cfg(not(all(test, loom)))]
use std::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize, Ordering};

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

impl<T> Registry<T> {
    /// A hazard word for a pin by the calling thread (whose state is `thread` when the
    /// caller has it at hand): a free word of the thread's own record of this registry
    /// (process-wide registry only), else word 0 of a record borrowed for this pin.
    #[inline]
    pub(super) fn hazard_word<'a>(
        &'a self,
        thread: Option<&Thread>,
    ) -> (&'a AtomicUsize, Option<&'a Record>) {
        if !self.no_spares {
            let own = on_thread(thread, |t| self.own_word(t));
            if let Some(word) = own {
                return (word, None);
            }
        }
        let record = self.hazards.take();
        (&record.words[0], Some(record))
    }

    /// A free word of the record of this registry that `thread` (the calling thread's
    /// state) keeps, taking it a record first if it has none; `None` when all its words
    /// are in use (nested pins), or it cannot keep one (it keeps another registry's, or
    /// it is exiting).
    #[inline]
    pub(super) fn own_word(&self, thread: &Thread) -> Option<&AtomicUsize> {
        let mut record = spare::hazard_record(thread, self.address());
        if record.is_null() {
            record = self.adopt_record(thread);
        }
        // SAFETY: null, or a record of this registry's list (kept by `adopt_record`), never
        // freed while the registry lives; taken by this thread, the only writer of its
        // words.
        unsafe { record.as_ref() }?.free_word()
    }

    #[cold]
    #[inline(never)]
    pub(super) fn adopt_record(&self, thread: &Thread) -> *const Record {
        // SAFETY: `no_spares` is false only for `process_wide`, whose caller promises
        // the registry lives for the rest of the process, and its records with it.
        unsafe {
            spare::adopt_hazard(thread, self.address(), || {
                self.hazards.take() as *const Record
            })
        }
    }

    /// Pins the slot of `handle` (module comment): `None` when the handle is not live.
    #[inline(always)]
    pub(super) fn pin<'a>(&'a self, thread: Option<&'a Thread>, handle: u64) -> Option<Pin<'a, T>> {
        let index = (handle & 0xFFFF_FFFF).checked_sub(1)? as usize;
        let generation = handle >> GEN_SHIFT;
        let slot = self.slot(index)?;
        // One masked compare: the generation in the upper half, and LIVE.
        let live = generation << GEN_SHIFT | LIVE;
        let refused = |state: u64| state & (!0 << GEN_SHIFT | LIVE) != live;
        // A handle that is closed (or never was) is refused before any store. Only a
        // shortcut: the decision is the load after the fence below.
        if refused(slot.state.load(Ordering::Relaxed)) {
            return None;
        }
        let (word, borrowed) = self.hazard_word(thread);
        // Release, as every store into a hazard word: see "the last use" in the module
        // comment.
        word.store(slot as *const Slot<T> as usize, Ordering::Release);
        let pin = Pin {
            registry: self,
            slot,
            index,
            word,
            borrowed,
            thread,
        };
        fence(Ordering::SeqCst);
        let mut state = slot.state.load(Ordering::Acquire);
        while state & PINNED == 0 {
            // The first pin of this handle marks it (see "Slots nobody pinned" in the
            // module comment). Relaxed: the fences order our hazard store before the
            // look of a close that reads the mark.
            if refused(state) {
                return None;
            }
            match slot.state.compare_exchange_weak(
                state,
                state | PINNED,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(pin),
                Err(now) => state = now,
            }
        }
        if refused(state) {
            return None; // `pin` unpins
        }
        Some(pin)
    }

    /// Ends a pin: clears its hazard, and reclaims the slot if it was closed meanwhile
    /// and no other pinner is left (whichever generation closed it).
    pub(super) fn unpin(&self, pin: &Pin<'_, T>) {
        pin.word.store(0, Ordering::Release);
        fence(Ordering::SeqCst);
        let state = pin.slot.state.load(Ordering::Acquire);
        if let Some(record) = pin.borrowed {
            record.release();
        }
        if state & PENDING != 0 {
            self.try_reclaim(pin.slot, pin.index, state, pin.thread);
        }
    }

    /// Frees the closed slot whose state is `state` (PENDING) unless a pinner still
    /// holds it, in which case that pinner's unpin will see PENDING and try again. One
    /// party wins the compare-and-swap out of PENDING and frees it. Out of line: the
    /// unpins inlined into the hot calls then keep no part of the free (and no
    /// registers for it) on their path.
    #[inline(never)]
    pub(super) fn try_reclaim(
        &self,
        slot: &Slot<T>,
        index: usize,
        state: u64,
        thread: Option<&Thread>,
    ) {
        fence(Ordering::SeqCst);
        if self.hazards.protect(slot as *const Slot<T> as usize) {
            return;
        }
        let reclaimed = state & !PENDING;
        if slot
            .state
            .compare_exchange(state, reclaimed, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            self.free_slot(slot, index, reclaimed, thread);
        }
    }
}

/// A pinned slot (see [`Registry::pin`]); unpins when dropped.
pub(super) struct Pin<'a, T> {
    registry: &'a Registry<T>,
    pub(super) slot: &'a Slot<T>,
    index: usize,
    /// The hazard word that holds the slot's address.
    word: &'a AtomicUsize,
    /// The record borrowed for this pin, given back at unpin.
    borrowed: Option<&'a Record>,
    thread: Option<&'a Thread>,
}

impl<T> Drop for Pin<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.registry.unpin(self);
    }
}
