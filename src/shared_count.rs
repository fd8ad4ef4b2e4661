//! A shared value with a reference count that threads need not trade: [`SharedCount`],
//! an `Arc` whose clones made by different threads count on different cache lines.
//!
//! Every view holds its mapping through one of these. With an `Arc`, two threads that
//! slice one shared handle and close the slices both make a locked read-modify-write on
//! the one line of the count, which the two cores then trade (bench row 11d: 391 ns per
//! mm_slice + mm_close at 2 threads against 59 ns at 1).
//!
//! # The words
//!
//! The block holds the value, a `central` word and, once a reference was first made
//! with [`SharedCount::clone_in`], an array of [`SHARDS`] words each on a cache line of
//! its own (a mapping never sliced that way costs one null pointer more). A reference
//! counts on exactly one word, which it records in the low bits of its pointer: the
//! central one (made by [`SharedCount::new`], and by `Clone` of a central reference)
//! or shard `i` (made by `clone_in(i)`, and by `Clone` of a reference on shard `i`).
//!
//! - `central` = `refs` (low 32 bits: references on it) + `units` (high 32 bits: one
//!   for each *active* shard, and one the drainer holds while it drains).
//! - shard word = `count` (low 32 bits: references on it) + `ACTIVE` (the shard holds
//!   one unit of `central`) + `DRAIN` (set once, when `refs` has reached 0).
//!
//! The block lives while `central` is not 0, and the operation that makes it 0 frees it;
//! or, without making it 0, the drop of a central reference that loads `central` as one
//! reference and no unit: that reference is then the only one (every other reference
//! is made from a live one, and a shard reference holds a unit), so nobody else can
//! reach the block, and the acquire load orders every other reference's last use (each
//! ended by a release read-modify-write of `central`) before the free.
//! The invariant: **a shard with `count` > 0 is `ACTIVE`, and an `ACTIVE` shard's unit
//! is in `central`** (added before `ACTIVE` is set, taken out after it is cleared), so
//! `central` > 0 while any reference lives. A party accesses the block only while it
//! holds a reference, or a unit, that keeps `central` above 0, and lets go of it in its
//! last access: so nobody touches a freed block.
//!
//! # The protocol
//!
//! - A shard keeps its unit while idle (`ACTIVE`, `count` 0): a thread that slices and
//!   closes in a loop changes only its own shard's word. Making a reference on an
//!   inactive shard first adds a unit to `central` (its caller holds a live reference,
//!   so `central` > 0 and the block is alive), then sets `ACTIVE` and `count` 1 in one
//!   compare-and-swap; if another thread activated the shard first, it counts there and
//!   takes its extra unit back (which cannot make `central` 0: it holds references).
//! - `refs` reaches 0 only once: a central reference is made only from a central one.
//!   The central drop that takes it to 0 while units remain keeps a unit instead (one
//!   compare-and-swap: `refs` - 1, `units` + 1), so the block stays alive while it
//!   *drains*: it sets `DRAIN` on every shard word and, on each shard that is `ACTIVE`
//!   with `count` 0, clears `ACTIVE` in the same compare-and-swap; then it gives back
//!   those units and its own in one subtraction (which frees the block if it makes
//!   `central` 0).
//! - Once a shard has `DRAIN`, the drop that takes its `count` from 1 to 0 clears
//!   `ACTIVE` in the same compare-and-swap and gives the unit back. A reference made on
//!   a drained shard activates it again, keeping `DRAIN` (the root was closed: from
//!   then on every such clone adds a unit to `central` and its drop takes it back).
//! - Every change of a shard word is a compare-and-swap, so `ACTIVE` is never cleared
//!   while `count` > 0, and each unit is given back by exactly one party: the drainer
//!   or the dropper, whichever changes the word second.
//!
//! Ordering: every decrement and give-back is an acquire-release read-modify-write, and
//! every change of a word is one (no plain store), so each continues the release
//! sequence of those before it: the uses of the value through a shard reference happen
//! before its decrement, which happens before the compare-and-swap that takes the
//! shard's unit back (it reads that word later in its modification order), which
//! happens before the subtraction that frees the block. The value is dropped after
//! every use, through whatever chain of words.
//!
//! Counts: more than 2^31 references on one word abort the process, as `Arc` does at
//! `isize::MAX`; that many views (each a heap object) cannot fit in memory anyway.
//!
//! Memory: a block freed while the process's one-block spare is empty becomes that spare,
//! and the next block made takes it (src/shared_count/block.rs): mm_open + mm_close in a
//! loop then call no allocator.
//!
//! Tests: the unit tests (Miri runs them) and the loom models (`loom_model`, run with
//! `RUSTFLAGS="--cfg loom" cargo test --release --lib loom_model`) in src/shared_count/.

use std::fmt;
use std::marker::PhantomData;
use std::ptr;
use std::ptr::NonNull;

#[cfg(all(test, loom))]
use loom::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
#[cfg(not(all(test, loom)))]
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

/// Shard words of a block (2 under loom, so that the models stay small). 15: with the
/// central word, 16 words a reference's pointer can name in its 4 low bits (see
/// [`Inner`]).
#[cfg(not(all(test, loom)))]
pub const SHARDS: usize = 15;
#[cfg(all(test, loom))]
pub const SHARDS: usize = 2;

/// `central`: one reference, one unit.
const REF: u64 = 1;
const UNIT: u64 = 1 << 32;
const REFS: u64 = UNIT - 1;
/// Shard word: the count, and the two flags above it.
const COUNT: u64 = (1 << 32) - 1;
const ACTIVE: u64 = 1 << 32;
const DRAIN: u64 = 1 << 33;
/// More references than this on one word abort (see the module comment).
const MAX_COUNT: u64 = 1 << 31;
/// Low bits of a reference's pointer: 0 for the central word, 1 + i for shard i.
const TAG_BITS: usize = 15;
const _: () = assert!(SHARDS <= TAG_BITS);

/// One shard word, alone on its cache line.
#[repr(align(64))]
struct Shard(AtomicU64);

type Shards = [Shard; SHARDS];

/// The block: the words and the value (aligned to 16 so that a reference's pointer has
/// room for its word's number in its 4 low bits: a larger alignment would cost an open
/// the allocator's aligned path, about 500 instructions more per mm_open + mm_close).
#[repr(align(16))]
struct Inner<T> {
    central: AtomicU64,
    shards: AtomicPtr<Shards>,
    value: T,
}

/// A shared `T` with a sharded reference count (see the module comment).
pub struct SharedCount<T> {
    /// The block's address, with the number of the word this reference counts on in
    /// its low bits (never dereferenced as it is).
    tagged: NonNull<Inner<T>>,
    _owns: PhantomData<Inner<T>>,
}

// SAFETY: like Arc<T>: the value is shared between threads (Sync) and dropped by
// whichever thread lets go last (Send); the counts are atomics.
unsafe impl<T: Send + Sync> Send for SharedCount<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for SharedCount<T> {}

impl<T> SharedCount<T> {
    /// `value`, with one reference (on the central word). Inline: the value is then
    /// written into the block where it is made (mm_open's mapping) rather than passed
    /// through a call.
    #[inline(always)]
    pub fn new(value: T) -> SharedCount<T> {
        let inner = block::alloc::<Inner<T>>();
        // SAFETY: `inner` is allocated for an Inner<T> (block::alloc), and ours alone.
        unsafe {
            inner.write(Inner {
                central: AtomicU64::new(REF),
                shards: AtomicPtr::new(ptr::null_mut()),
                value,
            })
        };
        SharedCount::from_parts(inner, 0)
    }

    /// A reference to the block at `inner` (from block::alloc, whose pointer every
    /// reference copies: the one that frees the block needs its permissions) on word
    /// `tag`.
    fn from_parts(inner: *mut Inner<T>, tag: usize) -> SharedCount<T> {
        debug_assert!(tag <= SHARDS);
        SharedCount {
            // SAFETY: non-null: the block's address is, and its low bits are 0 (aligned
            // to 16), which `tag` sets (the pointer keeps the block's provenance).
            tagged: unsafe { NonNull::new_unchecked(inner.wrapping_byte_add(tag)) },
            _owns: PhantomData,
        }
    }

    #[inline]
    fn tag(&self) -> usize {
        self.tagged.as_ptr() as usize & TAG_BITS
    }

    #[inline]
    fn inner(&self) -> &Inner<T> {
        // SAFETY: the block's address (the tag cleared), alive while this reference is.
        unsafe { &*self.inner_ptr() }
    }

    /// The shared value.
    #[inline]
    pub fn get(&self) -> &T {
        &self.inner().value
    }

    /// Whether two references share one value.
    pub fn ptr_eq(a: &SharedCount<T>, b: &SharedCount<T>) -> bool {
        ptr::eq(a.inner(), b.inner())
    }

    /// A new reference that counts on shard `shard % SHARDS`: the hot clone, made with
    /// the calling thread's own shard number, touches only that shard's cache line
    /// (after its first use on this value).
    #[inline]
    pub fn clone_in(&self, shard: usize) -> SharedCount<T> {
        // The division only for a number past the shards (threads past the 14th: thread
        // numbers start at 1): a compare is cheaper (mm_slice cost).
        let i = if shard < SHARDS {
            shard
        } else {
            shard % SHARDS
        };
        let inner = self.inner();
        let mut shards = inner.shards.load(Ordering::Acquire);
        if shards.is_null() {
            shards = allocate_shards(&inner.shards);
        }
        // SAFETY: allocated once, freed only with the block, which `self` keeps alive.
        let word = unsafe { &(*shards)[i].0 };
        inc_shard(&inner.central, word);
        SharedCount::from_parts(self.inner_ptr(), i + 1)
    }

    /// Whether the shard words have been allocated (tests: a value never cloned onto a
    /// shard costs none).
    #[cfg(all(test, not(loom)))]
    fn has_shards(&self) -> bool {
        !self.inner().shards.load(Ordering::Acquire).is_null()
    }

    /// Whether this type's blocks go through the one-block spare (see `block`): a
    /// test of the view's says its mapping's do.
    #[cfg(test)]
    pub(crate) const fn block_fits() -> bool {
        block::fits::<Inner<T>>()
    }

    /// The shard word this reference counts on (it is not a central one).
    fn shard_word(&self) -> &AtomicU64 {
        let shards = self.inner().shards.load(Ordering::Acquire);
        // SAFETY: a reference on a shard exists only after the words were allocated;
        // they live as long as the block.
        unsafe { &(*shards)[self.tag() - 1].0 }
    }
}

/// Allocates the shard words of a block whose `shards` is null, or takes those another
/// thread allocated first.
#[cold]
#[inline(never)]
fn allocate_shards(shards: &AtomicPtr<Shards>) -> *mut Shards {
    let new = Box::into_raw(Box::new(std::array::from_fn(|_| Shard(AtomicU64::new(0)))));
    match shards.compare_exchange(ptr::null_mut(), new, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => new,
        Err(theirs) => {
            // SAFETY: ours, from Box::into_raw above, never shared.
            drop(unsafe { Box::from_raw(new) });
            theirs
        }
    }
}

/// Counts one reference more on a shard `word` of the block whose central word is
/// `central`, activating the shard if it is not. The caller holds a reference to the
/// block.
#[inline]
fn inc_shard(central: &AtomicU64, word: &AtomicU64) {
    let old = word.load(Ordering::Relaxed);
    if old & ACTIVE != 0
        && old & COUNT < MAX_COUNT
        && word
            .compare_exchange_weak(old, old + 1, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        return;
    }
    inc_shard_slow(central, word);
}

#[cold]
#[inline(never)]
fn inc_shard_slow(central: &AtomicU64, word: &AtomicU64) {
    let mut old = word.load(Ordering::Relaxed);
    let mut unit = false;
    loop {
        if old & COUNT >= MAX_COUNT {
            std::process::abort();
        }
        let new = if old & ACTIVE != 0 {
            old + 1
        } else {
            if !unit {
                // The shard's unit, added before ACTIVE is set. The caller's reference
                // keeps `central` above 0 meanwhile.
                central.fetch_add(UNIT, Ordering::Relaxed);
                unit = true;
            }
            old | ACTIVE | 1
        };
        // Release: a later take-back of the unit (which reads this word after this
        // change) is ordered after its addition to `central`.
        match word.compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => break,
            Err(now) => old = now,
        }
    }
    if unit && old & ACTIVE != 0 {
        // Counted on a shard another thread activated first: the unit added is extra.
        // Cannot make `central` 0: the caller holds references.
        central.fetch_sub(UNIT, Ordering::Release);
    }
}

impl<T> Clone for SharedCount<T> {
    /// A new reference on the same word as this one.
    #[inline]
    fn clone(&self) -> SharedCount<T> {
        let inner = self.inner();
        match self.tag() {
            0 => {
                // Relaxed as in Arc: the new reference is made from a live one.
                let old = inner.central.fetch_add(REF, Ordering::Relaxed);
                if old & REFS >= MAX_COUNT {
                    std::process::abort();
                }
            }
            _ => inc_shard(&inner.central, self.shard_word()),
        }
        SharedCount::from_parts(self.inner_ptr(), self.tag())
    }
}

impl<T> Drop for SharedCount<T> {
    /// The common drop inline (a reference on a shard that is not the last of a drained
    /// one, whose compare-and-swap succeeds at once: mm_close of a slice), the rest out
    /// of line. The same steps as [`SharedCount::drop_shard`], its first try.
    #[inline]
    fn drop(&mut self) {
        if self.tag() != 0 {
            let word = self.shard_word();
            let old = word.load(Ordering::Relaxed);
            if old != ACTIVE | DRAIN | 1
                && word
                    .compare_exchange_weak(old, old - 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
        }
        self.drop_slow();
    }
}

impl<T> SharedCount<T> {
    #[inline(never)]
    fn drop_slow(&mut self) {
        if self.tag() == 0 {
            self.drop_central();
        } else {
            self.drop_shard();
        }
    }

    /// Drop of a reference on a shard.
    fn drop_shard(&mut self) {
        let word = self.shard_word();
        let mut old = word.load(Ordering::Relaxed);
        loop {
            debug_assert!(old & ACTIVE != 0 && old & COUNT != 0);
            // The last reference on a drained shard takes its unit out with it.
            let last = old == ACTIVE | DRAIN | 1;
            let new = if last { DRAIN } else { old - 1 };
            match word.compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) if last => break,
                // Our last access, unless the unit is ours to give back.
                Ok(_) => return,
                Err(now) => old = now,
            }
        }
        let inner = self.inner_ptr();
        // SAFETY: the block is alive: the shard's unit, taken out of the word above, is
        // still in `central`; this is our last access.
        unsafe { give_back(inner, UNIT) };
    }
}

impl<T> SharedCount<T> {
    fn inner_ptr(&self) -> *mut Inner<T> {
        self.tagged.as_ptr().wrapping_byte_sub(self.tag())
    }

    /// Drop of a reference on the central word. The only reference, with no shard
    /// holding units (a view never sliced on another thread: mm_close after mm_open),
    /// frees the block with one load and no read-modify-write; the rest out of line.
    #[inline(always)]
    fn drop_central(&mut self) {
        let inner = self.inner_ptr();
        // SAFETY: alive while this reference is. Acquire: every other reference's and
        // unit's last use (each given back with a release) happens before the free.
        if unsafe { &*inner }.central.load(Ordering::Acquire) == REF {
            // SAFETY: ours is the only reference and no unit is out, so no other
            // reference exists (a shard reference holds a unit; a new reference is made
            // only from an existing one): nobody else can reach the block.
            unsafe { free(inner) };
            return;
        }
        self.drop_central_shared();
    }

    /// [`SharedCount::drop_central`] with other references or units about.
    #[inline(never)]
    fn drop_central_shared(&mut self) {
        let inner = self.inner();
        let mut old = inner.central.load(Ordering::Relaxed);
        let drains = loop {
            // The last central reference, while shards hold units, becomes a unit of
            // the drainer (the block stays alive while it drains).
            let drains = old & REFS == 1 && old & !REFS != 0;
            let new = if drains { old - REF + UNIT } else { old - REF };
            match inner
                .central
                .compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => break drains,
                Err(now) => old = now,
            }
        };
        let inner = self.inner_ptr();
        if !drains {
            if old == REF {
                // SAFETY: `central` is now 0: no reference or unit is left.
                unsafe { free(inner) };
            }
            return;
        }
        // SAFETY: the drainer's unit keeps the block alive until `give_back`.
        let taken = unsafe { drain(&*inner) };
        // SAFETY: as above; this is our last access.
        unsafe { give_back(inner, UNIT * (taken + 1)) };
    }
}

/// Sets `DRAIN` on every shard word of `inner`, clearing `ACTIVE` on those with no
/// reference; how many it cleared (their units are the caller's to give back).
///
/// # Safety
/// `inner` has shard words (it has units) and stays alive during the call.
unsafe fn drain<T>(inner: &Inner<T>) -> u64 {
    let shards = inner.shards.load(Ordering::Acquire);
    debug_assert!(!shards.is_null());
    let mut taken = 0;
    // SAFETY: the caller's condition.
    for shard in unsafe { &*shards } {
        let word = &shard.0;
        let mut old = word.load(Ordering::Relaxed);
        loop {
            let idle = old & ACTIVE != 0 && old & COUNT == 0;
            let new = if idle { DRAIN } else { old | DRAIN };
            match word.compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => {
                    taken += idle as u64;
                    break;
                }
                Err(now) => old = now,
            }
        }
    }
    taken
}

/// Takes `units` out of the central word of `inner`; frees the block when that makes it
/// 0.
///
/// # Safety
/// The caller holds those units; it does not touch the block afterwards.
unsafe fn give_back<T>(inner: *mut Inner<T>, units: u64) {
    // SAFETY: alive: the caller's units are still in the word.
    let old = unsafe { &(*inner).central }.fetch_sub(units, Ordering::AcqRel);
    if old == units {
        // SAFETY: `central` is now 0: nobody holds a reference or a unit.
        unsafe { free(inner) };
    }
}

/// Drops the value and frees the block and its shard words.
///
/// # Safety
/// No reference is left: the caller made the central word of `inner` 0
/// (acquire-release), or read it (acquire) as its own reference alone, with no unit.
unsafe fn free<T>(inner: *mut Inner<T>) {
    // SAFETY: the block came from block::alloc in `new`, was initialised there, and
    // nobody else holds it now.
    let shards = unsafe { &(*inner).shards }.load(Ordering::Acquire);
    if !shards.is_null() {
        // SAFETY: from Box::into_raw in allocate_shards; freed only here.
        drop(unsafe { Box::from_raw(shards) });
    }
    // SAFETY: as above: dropped once, here; then the memory goes back, unused.
    unsafe {
        ptr::drop_in_place(inner);
        block::free(inner);
    }
}

mod block;

impl<T: fmt::Debug> fmt::Debug for SharedCount<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get(), f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_model;
