//! A one-block spare of memory for the process: a block given back while the spare is
//! empty becomes the spare, and the next block asked for takes it. An open + close loop
//! (one block made and freed per round) then calls neither malloc nor free: about 150
//! instructions of glibc's and Rust's allocator paths saved per round for two locked
//! instructions. Each kind of block that wants one has its own static spare (the
//! mapping's block in src/shared_count/block.rs, a long file name in
//! src/mapping/filename.rs), all of whose blocks share one layout.
//!
//! The spare is one word: taken by a swap (the taker owns the block alone, so there is no
//! ABA to fear) and refilled by a compare-and-swap from null (a block given back while it
//! is full goes to the allocator). Release on the refill and acquire on the take order
//! the giver's last accesses to the memory before the taker's. The spare is reachable
//! from its static (no leak for valgrind or Miri). A child forked while a thread of the
//! parent held a taken block has the word as it was: at worst a block not reused there.

use std::alloc::{handle_alloc_error, Layout};
use std::sync::atomic::{AtomicPtr, Ordering};

/// A new block of `layout` (of nonzero size) from the global allocator; aborts as `Box`
/// does when there is no memory.
#[inline]
pub(crate) fn alloc(layout: Layout) -> *mut u8 {
    debug_assert!(layout.size() != 0);
    // SAFETY: a layout of nonzero size.
    let p = unsafe { std::alloc::alloc(layout) };
    if p.is_null() {
        handle_alloc_error(layout);
    }
    p
}

/// One spare block (null: none).
pub(crate) struct OneSpare(AtomicPtr<u8>);

impl OneSpare {
    pub(crate) const fn new() -> OneSpare {
        OneSpare(AtomicPtr::new(std::ptr::null_mut()))
    }

    /// The spare block, now the caller's alone; null when there is none. A plain load
    /// first: an empty spare costs no locked instruction.
    #[inline(always)]
    pub(crate) fn take(&self) -> *mut u8 {
        if self.0.load(Ordering::Relaxed).is_null() {
            return std::ptr::null_mut();
        }
        self.0.swap(std::ptr::null_mut(), Ordering::Acquire)
    }

    /// Keeps `block` as the spare if there is none and answers `true`; `false` (the
    /// caller frees it) when the spare is full.
    ///
    /// # Safety
    /// `block` is a block of this spare's one layout that nobody uses any more.
    #[inline(always)]
    pub(crate) unsafe fn give(&self, block: *mut u8) -> bool {
        self.0.load(Ordering::Relaxed).is_null()
            && self
                .0
                .compare_exchange(
                    std::ptr::null_mut(),
                    block,
                    Ordering::Release,
                    Ordering::Relaxed,
                )
                .is_ok()
    }

    /// The spare block, or else a new one of `layout`, the spare's one layout.
    #[inline(always)]
    pub(crate) fn take_or_alloc(&self, layout: Layout) -> *mut u8 {
        let spare = self.take();
        if spare.is_null() {
            alloc(layout)
        } else {
            spare
        }
    }

    /// Keeps `block` as the spare if there is none, or else frees it.
    ///
    /// # Safety
    /// `block` came from the global allocator with `layout`, the spare's one layout, and
    /// nobody uses it any more.
    #[inline(always)]
    pub(crate) unsafe fn give_or_free(&self, block: *mut u8, layout: Layout) {
        // SAFETY: as the caller promises.
        if !unsafe { self.give(block) } {
            // SAFETY: as the caller promises; not kept, so freed once, here.
            unsafe { std::alloc::dealloc(block, layout) };
        }
    }

    /// The spare block, left in place (tests).
    #[cfg(test)]
    pub(crate) fn peek(&self) -> *mut u8 {
        self.0.load(Ordering::Acquire)
    }
}
