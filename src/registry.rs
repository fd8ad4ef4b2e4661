//! The handle registry: 64-bit handles (generation << 32 | slot + 1) mapped to live values.
//!
//! Over 600 lines: about 100 of them are the memory-ordering argument of the summary
//! below, kept next to the atomic steps it is about (insert, summary_word, remove, free)
//! so that each can be checked against it; the pins (hazard pointers), their argument
//! and the hazard records are in registry/hazard.rs, the tests in registry/tests.rs and
//! registry/loom_model.rs, the per-thread spare in registry/spare.rs.
//!
//! Looking a handle up takes no lock and writes nothing that another thread writes:
//! each slot has one atomic word, its *state*, holding its generation (upper 32 bits), a
//! LIVE bit, a PENDING bit (closed, value still there, not yet reclaimed) and a PINNED
//! bit; only insert, close, reclaim and a handle's first pin write it. A thread using a
//! value *pins* its slot with a *hazard*: the slot's address stored in a word of a
//! hazard record that only that thread writes (one cache line per thread:
//! src/registry/hazard.rs). Closing moves the
//! slot from LIVE to PENDING, then tries to *reclaim* it; a reclaim that finds a hazard
//! on the slot leaves it to that pinner, whose unpin tries again. The one reclaimer that
//! moves the slot out of PENDING drops the value and frees the slot with a new
//! generation, so a stale handle can never reach a later value in the same slot. A slot
//! never pinned under its generation (no PINNED bit, which a handle's first pin sets)
//! skips PENDING: its closer frees it at once.
//!
//! The pin protocol and its memory-ordering argument are in src/registry/hazard.rs,
//! with the pin, unpin and reclaim steps they are about.
//!
//! Freed slots wait on a lock-free stack (a Treiber stack): its top is one atomic word,
//! the top slot's index and a tag that every push and pop increments, so a pop whose
//! compare-and-swap would succeed after the top went away and came back (ABA) fails on
//! the tag instead; a slot on the stack keeps the index of the one below it in its first
//! summary word (unused while the slot is not live). Only a new slot, when the stack is
//! empty, takes the mutex (which also guards the count of slots ever handed out).
//!
//! ## Reads that write nothing shared: the summary
//!
//! A pin costs a store and a full fence on the pinning thread's own line, and loads of
//! the slot's line. For the few plain numbers a caller asks of a handle again and again,
//! each slot also holds a *summary*: [`SUMMARY_WORDS`] atomic words written once, at
//! insert, before the slot is published live, and never again while it stays live; and
//! a *key*: the handle the slot is live under, 0 while it is not (written only by
//! `insert` and `remove`, never by readers or pinners). [`Registry::summary_word`] reads a summary
//! word seqlock-style, with loads only:
//!
//! 1. `k1 = key.load(Acquire)`; give up unless `k1 == handle`;
//! 2. `v = summary[i].load(Relaxed)`;
//! 3. `fence(Acquire)`; `k2 = key.load(Relaxed)`;
//! 4. accept `v` only if `k2 == handle` too.
//!
//! (A whole-handle compare per test: the hot path is a few loads and compares.)
//!
//! Why an accepted `v` is the value written for this handle and no other. `insert`
//! writes the summary on a slot it owns (new, or popped from the free stack), behind a
//! `fence(Release)`, then publishes `state | LIVE` and, with a Release store, the key.
//! `remove` stores key 0 *before* its compare-and-swap clears the live bit (and only
//! when the key is the handle being closed, so a stale or forged handle never clears
//! it); that compare-and-swap is AcqRel, so whoever frees the slot afterwards (the
//! winner of the reclaim, whose AcqRel compare-and-swap reads it) sees the key at 0 before
//! `free_slot` moves the slot to the next generation and `push_free` links it into the
//! free stack through its first summary word, behind a `fence(Release)` of its own
//! (then a Release compare-and-swap that a later `insert`'s Acquire pop reads).
//! - *Not older than this handle's insert*: `k1` reads the Release store of the key by
//!   this handle's insert (the only store of this value), so that insert's summary
//!   stores happen before step 2, which reads them or something later in the word's
//!   modification order.
//! - *Not from a later insert or a free-stack link*: if step 2 read a store of a later
//!   insert (or of the push that freed the slot), that writer's release fence
//!   synchronises with the reader's acquire fence of step 3, so the key store of 0 by
//!   the close (which happens before that push, and so before that insert) happens
//!   before `k2`'s load; by coherence `k2` reads that 0 or a later key: another
//!   generation's handle, or 0. The value is refused.
//!   Generations are 32 bits: a stale read would need the slot to be reused exactly
//!   2^32 times between steps 1 and 3, the same wrap every handle check here accepts.
//! - *Never a pointer chase*: the words are inline atomics of a slot, and slots (their
//!   chunks) are never freed while the registry lives; a reader never touches the value.
//!   The first chunk is an array inside the registry that the hot readers index directly
//!   (see `FIRST_CHUNK`).
//!
//! So a closed or reused handle is refused (`None`) exactly as by `with`, and a read
//! racing a close returns either the value or `None`. Values are plain numbers; whatever
//! they describe (an address in a mapping) is the caller's to keep valid, as with
//! everything a handle hands out.
//!
//! Each registry starts its slots at a random generation of its own. Two copies of the
//! library in one process (a static link and a loaded shared library) have two
//! registries; a handle of one given to the other resolves only when that slot's
//! generation there happens to equal the handle's: with independent random 32-bit
//! starts, for slots reused at most N times in each copy, that is at most
//! (2N + 1) / 2^32 — under one in two million for N = 1000.

// Under `--cfg loom` the unit tests model-check this protocol with loom's atomics,
// mutex and cell (see the `loom_model` tests below); everything else uses std.
#[cfg(all(test, loom))]
use loom::{
    cell::UnsafeCell,
    sync::atomic::{fence, AtomicPtr, AtomicU64, Ordering},
    sync::{Mutex, MutexGuard},
};
use std::mem::MaybeUninit;
#[cfg(not(all(test, loom)))]
use std::sync::atomic::{fence, AtomicPtr, AtomicU64, Ordering};
#[cfg(not(all(test, loom)))]
use std::sync::{Mutex, MutexGuard};

/// std's UnsafeCell behind the access API of loom's, so the code below is written once.
#[cfg(not(all(test, loom)))]
struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(all(test, loom)))]
impl<T> UnsafeCell<T> {
    const fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Words of a slot's summary (see the module comment): with the state word and the key
/// they fill one 64-byte cache line, which readers of the summary only ever load.
pub const SUMMARY_WORDS: usize = 6;

const LIVE: u64 = 1 << 31;
/// Closed, but the value is still there: a pinner may be using it (module comment).
const PENDING: u64 = 1 << 30;
/// Pinned at least once under this generation: its close must look for hazards (see
/// "Slots nobody pinned" in src/registry/hazard.rs).
const PINNED: u64 = 1 << 29;
const GEN_SHIFT: u32 = 32;
/// Slots in the first chunk; chunk k holds FIRST_CHUNK << k slots, so 27 chunks hold
/// more slots than a 32-bit index can name. The first chunk is an array inside the
/// registry itself (4096 slots of 128 bytes: 512 KiB of the process-wide static, in
/// `.bss`: only the pages of slots ever used are touched), so that lookups reach it at a
/// fixed offset, with no pointer to load or test and no chunk arithmetic: the first
/// 4096 handles open at once, which is every handle of most programs, cost the hot reads
/// (`summary_word`, `with`) one compare and a branch. Slots beyond it are found through
/// `chunks`.
#[cfg(not(any(test, miri)))]
const FIRST_CHUNK: usize = 4096;
/// Tiny chunks under loom, so that a model also crosses into a second chunk.
#[cfg(all(test, loom))]
const FIRST_CHUNK: usize = 2;
/// Small chunks in unit tests and under Miri: the same code, but a registry made on a
/// test's stack stays small, an interpreted test that fills the first chunk stays short,
/// and tests cross into later chunks.
#[cfg(all(any(test, miri), not(all(test, loom))))]
const FIRST_CHUNK: usize = 64;
const CHUNKS: usize = 27;

/// Two cache lines per slot (for values up to 64 bytes): the state word and the summary
/// in the first, the value in the second. Threads using different handles never write
/// to the same line when they pin and unpin their slots (the hazard is in the pinner's own record).
#[repr(C, align(64))]
struct Slot<T> {
    state: AtomicU64,
    /// The handle this slot is live under; 0 while it is not (module comment).
    key: AtomicU64,
    summary: [AtomicU64; SUMMARY_WORDS],
    /// Initialised exactly while the slot holds a value: from its insert until the
    /// party that wins the reclaim of the closed slot takes it (`free_slot`). Not an
    /// `Option`: an empty slot is then all zero bytes, so the process-wide registry's
    /// first chunk lies in `.bss` (with an `Option`, the niche of `None` put 512 KiB of
    /// it into the library file's `.data`).
    value: UnsafeCell<MaybeUninit<T>>,
}

impl<T> Slot<T> {
    /// A slot of the first chunk before it is first handed out: generation 0.
    #[cfg(not(all(test, loom)))]
    const fn empty() -> Slot<T> {
        Slot {
            state: AtomicU64::new(0),
            key: AtomicU64::new(0),
            summary: [const { AtomicU64::new(0) }; SUMMARY_WORDS],
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// A free slot whose state word is `state` (loom's atomics cannot be made in a
    /// const context, so [`Slot::empty`] serves only std's).
    fn with_state(state: u64) -> Slot<T> {
        Slot {
            state: AtomicU64::new(state),
            key: AtomicU64::new(0),
            summary: std::array::from_fn(|_| AtomicU64::new(0)),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }
}

/// A registry of values of type `T`, addressed by handles.
pub struct Registry<T> {
    /// The first chunk's slots (see [`FIRST_CHUNK`]); their state starts at 0 (a
    /// generation no handle has) and is set to the registry's first generation when the
    /// slot is first handed out.
    first: [Slot<T>; FIRST_CHUNK],
    /// Chunks 1.. (chunk 0 is `first`; its pointer stays null).
    chunks: [AtomicPtr<Slot<T>>; CHUNKS],
    /// The free stack's top: `tag << 32 | (index + 1)` of the last slot freed, index
    /// part 0 when the stack is empty (see the module comment).
    free_top: AtomicU64,
    free: Mutex<FreeList>,
    /// Whether freed slots go straight back to the free stack: true but for a registry
    /// that lives for the whole process ([`Registry::process_wide`]), whose freed slots
    /// may wait as their thread's spare (src/registry/spare.rs). Stored this way round
    /// so that the process-wide registry is all zero bytes: its static then lies in
    /// `.bss`, not as 512 KiB of the library file's `.data` (one non-zero byte puts the
    /// whole static there).
    no_spares: bool,
    /// The hazard records of the threads that pin slots (src/registry/hazard.rs).
    hazards: Records,
}

/// What a new slot needs, under the mutex.
struct FreeList {
    /// Slots ever handed out; the next new slot index.
    used: usize,
    /// The generation every slot starts at (random per registry; 0 until the first
    /// chunk is made).
    first_generation: u64,
}

// SAFETY: a slot's value is written only while nobody can read it (not live, no pinner
// left, and the slot exclusively owned: by the reclaimer, or by the inserter that popped
// it from the free stack or took it new under the mutex) and read only by pinners whose
// hazard keeps it from being reclaimed; T itself must be shareable between threads.
unsafe impl<T: Send + Sync> Sync for Registry<T> {}
// SAFETY: the registry owns its values; moving it moves them, which T: Send allows.
unsafe impl<T: Send + Sync> Send for Registry<T> {}

/// The free-list lock held across a fork() (see [`Registry::hold_for_fork`]).
pub struct ForkHold<'a>(#[allow(dead_code)] MutexGuard<'a, FreeList>);

/// The state a close moves a live slot's `state` to: PENDING when it was pinned (a
/// pinner may still hold it: the reclaim decides), else just not live (the closer's
/// own to free; nobody else acts on it).
fn closed(state: u64) -> u64 {
    if state & PINNED != 0 {
        state & !LIVE | PENDING
    } else {
        state & !LIVE
    }
}

/// Slot index -> (chunk, position in chunk).
fn locate(index: usize) -> (usize, usize) {
    let group = index / FIRST_CHUNK + 1;
    let chunk = (usize::BITS - 1 - group.leading_zeros()) as usize;
    (chunk, index - FIRST_CHUNK * ((1 << chunk) - 1))
}

/// The tag part of the free stack's next top: one more than `top`'s (32 bits, wrapping).
fn tag_after(top: u64) -> u64 {
    ((top >> 32).wrapping_add(1) & 0xFFFF_FFFF) << 32
}

fn chunk_len(chunk: usize) -> usize {
    FIRST_CHUNK << chunk
}

/// `f` on the calling thread's state, for callers that do not have it at hand. Out of
/// line: inlined, the thread-local's address (which LLVM may compute ahead, as if it
/// were free) would be looked up on the paths given the state too.
#[inline(never)]
fn on_this_thread<R>(f: impl FnOnce(&Thread) -> R) -> R {
    Thread::with(f)
}

/// The panic of an insert into a slot that is not allocated (never: see `publish`).
#[cold]
#[inline(never)]
fn unallocated_slot(index: usize) -> ! {
    panic!("slot {index} of an allocated chunk")
}

/// `f` on the calling thread's state: `thread` when the caller has it at hand, else
/// looked up ([`on_this_thread`]).
#[inline]
fn on_thread<R>(thread: Option<&Thread>, f: impl FnOnce(&Thread) -> R) -> R {
    match thread {
        Some(t) => f(t),
        None => on_this_thread(f),
    }
}

/// Steps 1-4 of the summary read (module comment) on the slot of `handle`.
#[inline(always)]
fn read_summary<T>(slot: &Slot<T>, handle: u64, word: usize) -> Option<u64> {
    let cell = slot.summary.get(word)?;
    if slot.key.load(Ordering::Acquire) != handle {
        return None;
    }
    let value = cell.load(Ordering::Relaxed);
    fence(Ordering::Acquire);
    if slot.key.load(Ordering::Relaxed) != handle {
        return None;
    }
    Some(value)
}

impl<T> Registry<T> {
    #[cfg(not(all(test, loom)))]
    pub const fn new() -> Registry<T> {
        Registry {
            first: [const { Slot::empty() }; FIRST_CHUNK],
            chunks: [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS],
            free_top: AtomicU64::new(0),
            free: Mutex::new(FreeList {
                used: 0,
                first_generation: 0,
            }),
            no_spares: true,
            hazards: Records::new(),
        }
    }

    /// A registry whose freed slots may wait as their thread's spare (src/registry/spare.rs).
    ///
    /// # Safety
    /// The registry must live, at one address, for the rest of the process (a `static`):
    /// a thread's spare names it by address, and gives the slot back to it when the
    /// thread exits.
    #[cfg(not(all(test, loom)))]
    pub const unsafe fn process_wide() -> Registry<T> {
        let mut r = Registry::new();
        r.no_spares = false;
        r
    }

    /// loom's primitives cannot be built in a const context.
    #[cfg(all(test, loom))]
    pub fn new() -> Registry<T> {
        Registry {
            first: std::array::from_fn(|_| Slot::with_state(0)),
            chunks: std::array::from_fn(|_| AtomicPtr::new(std::ptr::null_mut())),
            free_top: AtomicU64::new(0),
            free: Mutex::new(FreeList {
                used: 0,
                first_generation: 0,
            }),
            no_spares: true,
            hazards: Records::new(),
        }
    }

    /// Draws this registry's first generation now unless it was drawn already (else the
    /// first insert draws it). Drawing seeds std's RandomState, which reads the OS's
    /// random source (glibc's getrandom, a thread cancellation point): the C layer
    /// draws it in its once-per-process setup, with cancellation deferred, so that no
    /// later insert reaches that call.
    pub fn seed_generation(&self) {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        self.first_generation(&mut free);
    }

    /// The generation every slot starts at, drawn ([`Self::random_generation`]) the
    /// first time it is needed: by [`Self::seed_generation`] or the first new slot.
    fn first_generation(&self, free: &mut FreeList) -> u64 {
        if free.first_generation == 0 {
            free.first_generation = self.random_generation();
        }
        free.first_generation
    }

    /// A random, non-zero generation for the slots of this registry: std's RandomState
    /// is seeded from the OS once per copy of std, mixed with this registry's address.
    /// Fixed under loom, so that models stay reproducible.
    fn random_generation(&self) -> u64 {
        if cfg!(all(test, loom)) {
            return 1;
        }
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(self as *const Self as usize);
        let bits = hasher.finish();
        let generation = (bits ^ (bits >> 32)) & 0xFFFF_FFFF;
        generation.max(1)
    }

    /// Number of live handles.
    ///
    /// Counted slot by slot, over every slot ever handed out: a diagnostic, not a hot
    /// path. (A shared counter would cost every insert and remove a read-modify-write
    /// on one cache line that all threads trade: about 10 ns of an mm_slice + mm_close.)
    /// Exact when no handle is inserted or removed meanwhile.
    pub fn live(&self) -> usize {
        let used = self.free.lock().unwrap_or_else(|e| e.into_inner()).used;
        (0..used)
            .filter_map(|i| self.slot(i))
            .filter(|slot| slot.state.load(Ordering::Relaxed) & LIVE != 0)
            .count()
    }

    #[inline]
    fn slot(&self, index: usize) -> Option<&Slot<T>> {
        if index < FIRST_CHUNK {
            return Some(&self.first[index]);
        }
        self.slot_beyond_first(index)
    }

    /// [`Registry::slot`] for a slot outside the first chunk, kept out of line so that
    /// the hot readers inline only the first chunk's lookup.
    #[cold]
    #[inline(never)]
    fn slot_beyond_first(&self, index: usize) -> Option<&Slot<T>> {
        let (chunk, pos) = locate(index);
        if chunk >= CHUNKS {
            return None;
        }
        let base = self.chunks[chunk].load(Ordering::Acquire);
        if base.is_null() {
            return None;
        }
        // SAFETY: chunks are allocated once with chunk_len(chunk) slots and never freed.
        Some(unsafe { &*base.add(pos) })
    }

    /// Holds the new-slot lock until the returned guard is dropped. Taken just before
    /// fork() and released just after it in parent and child, so that a child never
    /// inherits the lock held by a thread it does not have (and so never waits forever
    /// in `insert`). The free stack needs nothing: a fork copies its one word, and a
    /// push or pop of a thread the child lacks either happened or did not.
    pub fn hold_for_fork(&self) -> ForkHold<'_> {
        ForkHold(self.free.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Stores `value` and returns its new handle (never 0). `None` when every slot a
    /// handle can name is in use. Its summary words are all 0.
    pub fn insert(&self, value: T) -> Option<u64> {
        self.insert_summarised(value, [0; SUMMARY_WORDS])
    }

    /// Stores `value` with the `summary` that [`Registry::summary_word`] reads, and
    /// returns its new handle (never 0). `None` when every slot a handle can name is in use.
    pub fn insert_summarised(&self, value: T, summary: [u64; SUMMARY_WORDS]) -> Option<u64> {
        self.insert_from(None, value, summary)
    }

    /// [`Registry::insert_summarised`] by the thread whose state is `thread` (the calling
    /// thread's, looked up by the caller already: see src/registry/spare.rs).
    #[inline]
    pub fn insert_summarised_in(
        &self,
        thread: &Thread,
        value: T,
        summary: [u64; SUMMARY_WORDS],
    ) -> Option<u64> {
        self.insert_from(Some(thread), value, summary)
    }

    /// [`Registry::insert_summarised`] by the calling thread, whose state is `thread`
    /// when the caller has it at hand (else it is looked up when needed).
    ///
    /// The insert: into the calling thread's spare slot when it has one (inline, the
    /// hot path of a slice and its close in a loop: the value and summary are written
    /// into the slot where they are made, not moved through a call), else
    /// `Registry::insert_elsewhere`.
    #[inline(always)]
    pub fn insert_from(
        &self,
        thread: Option<&Thread>,
        value: T,
        summary: [u64; SUMMARY_WORDS],
    ) -> Option<u64> {
        match self.take_spare(thread) {
            // SAFETY: a spare is a free slot (reclaimed, not live) that only this thread
            // holds; `take_spare` handed it over.
            Some(index) => unsafe { self.publish(index, value, summary) },
            None => self.insert_elsewhere(value, summary),
        }
    }

    /// [`Registry::insert_from`] without a spare: a slot from the free stack, else a
    /// new one (under the mutex). Cold: so that the hot path does not copy the value
    /// and summary into memory for this call ahead of the branch (mm_slice cost).
    #[cold]
    #[inline(never)]
    fn insert_elsewhere(&self, value: T, summary: [u64; SUMMARY_WORDS]) -> Option<u64> {
        let index = match self.pop_free() {
            Some(i) => i,
            None => {
                let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
                let index = free.used;
                if index >= u32::MAX as usize {
                    return None;
                }
                let (chunk, pos) = locate(index);
                if chunk >= CHUNKS {
                    return None;
                }
                let first = self.first_generation(&mut free) << GEN_SHIFT;
                if chunk == 0 {
                    // Never handed out before: move it from generation 0 to the first.
                    // Nobody else touches it: readers only load, and a state of
                    // generation 0 is refused by every check.
                    self.first[index].state.store(first, Ordering::Relaxed);
                } else if pos == 0 {
                    let slots: Box<[Slot<T>]> = (0..chunk_len(chunk))
                        .map(|_| Slot::with_state(first))
                        .collect();
                    self.chunks[chunk]
                        .store(Box::into_raw(slots).cast::<Slot<T>>(), Ordering::Release);
                }
                free.used += 1;
                index
            }
        };
        // SAFETY: the slot is free (not live, reclaimed) and ours alone: popped from the
        // free stack, or new (handed out under the mutex).
        unsafe { self.publish(index, value, summary) }
    }

    /// Writes `value` and `summary` into the free slot `index` and publishes it live;
    /// its handle.
    ///
    /// # Safety
    /// Slot `index` is free (not live, reclaimed: holding no value) and the caller's
    /// alone (a spare, popped from the free stack, or new), so that nobody else can
    /// touch its value.
    #[inline(always)]
    unsafe fn publish(&self, index: usize, value: T, summary: [u64; SUMMARY_WORDS]) -> Option<u64> {
        let Some(slot) = self.slot(index) else {
            // Never (the slot is allocated): the value is dropped here, before the
            // panic, so that no unwinding path between its making and the write below
            // needs it in memory (the caller then builds it in registers and writes it
            // straight into the slot: mm_slice cost).
            drop(value);
            unallocated_slot(index)
        };
        let state = slot.state.load(Ordering::Acquire);
        debug_assert_eq!(state & (LIVE | PENDING), 0);
        // SAFETY: the slot is free and ours alone (the caller's promise).
        slot.value.with_mut(|v| unsafe { (*v).write(value) });
        // Orders the move to this generation (free_slot's store, before the push our pop
        // read) before the summary stores, for readers that see one of them (module
        // comment: "not from a later insert").
        fence(Ordering::Release);
        for (word, &v) in slot.summary.iter().zip(&summary) {
            word.store(v, Ordering::Relaxed);
        }
        slot.state.store(state | LIVE, Ordering::Release);
        let handle = (state >> GEN_SHIFT) << GEN_SHIFT | (index as u64 + 1);
        slot.key.store(handle, Ordering::Release);
        Some(handle)
    }

    /// Word `word` of the summary `handle` was inserted with, read without writing
    /// anything shared (the protocol and its argument are in the module comment); `None`
    /// when the handle is 0, closed, never issued or closed while being read, or `word`
    /// is out of range. Never panics.
    #[inline]
    pub fn summary_word(&self, handle: u64, word: usize) -> Option<u64> {
        match self.summary_word_first(handle, word) {
            Some(v) => Some(v),
            None => self.summary_word_beyond_first(handle, word),
        }
    }

    /// [`Registry::summary_word`] for the hot path: answers only for a handle of the
    /// first chunk, `None` for every other (whose answer, then, only `summary_word`
    /// gives). Callers fall back to `summary_word` out of line, so that the inlined part
    /// is one compare, the loads and one branch on the result.
    #[inline(always)]
    pub fn summary_word_first(&self, handle: u64, word: usize) -> Option<u64> {
        // Handle 0's index wraps to u32::MAX, beyond the first chunk.
        let index = (handle as u32).wrapping_sub(1) as usize;
        if index >= FIRST_CHUNK {
            return None;
        }
        read_summary(&self.first[index], handle, word)
    }

    /// [`Registry::summary_word`] for a slot outside the first chunk.
    #[cold]
    #[inline(never)]
    fn summary_word_beyond_first(&self, handle: u64, word: usize) -> Option<u64> {
        let index = (handle & 0xFFFF_FFFF).checked_sub(1)? as usize;
        read_summary(self.slot_beyond_first(index)?, handle, word)
    }

    /// Runs `f` on the value of `handle` while it cannot be freed; `None` for a handle
    /// that is 0, closed or never issued.
    #[inline]
    pub fn with<R>(&self, handle: u64, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.with_from(None, handle, f)
    }

    /// [`Registry::with`] by the thread whose state is `thread` (the calling thread's,
    /// looked up by the caller already).
    #[inline]
    pub fn with_in<R>(&self, thread: &Thread, handle: u64, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.with_from(Some(thread), handle, f)
    }

    /// [`Registry::with`] by the calling thread, whose state is `thread` when the caller
    /// has it at hand (else it is looked up when needed).
    #[inline]
    pub fn with_from<R>(
        &self,
        thread: Option<&Thread>,
        handle: u64,
        f: impl FnOnce(&T) -> R,
    ) -> Option<R> {
        self.with_slot(thread, handle, |_, value| f(value))
    }

    /// [`Registry::with`], handing `f` the slot too.
    #[inline]
    fn with_slot<R>(
        &self,
        thread: Option<&Thread>,
        handle: u64,
        f: impl FnOnce(&Slot<T>, &T) -> R,
    ) -> Option<R> {
        // Dropped after `f`, even if `f` panics: a caught panic cannot leak the value.
        let pin = self.pin(thread, handle)?;
        let slot = pin.slot;
        Some(slot.value.with(|v| {
            // SAFETY: while pinned the value is neither dropped nor replaced, and it is
            // initialised: taken only by the reclaim of a closed slot nobody pins; the
            // reference does not outlive this closure.
            let value = unsafe { (*v).assume_init_ref() };
            f(slot, value)
        }))
    }

    /// [`Registry::with`], also handing `f` the summary `handle` was inserted with (what
    /// [`Registry::summary_word`] reads). Plain loads suffice here: a pin keeps the slot
    /// from being freed, and only a free (its push's link) or a later insert writes the
    /// summary; this handle's insert wrote it before publishing the slot live, which
    /// the pin's Acquire load of the state read.
    pub fn with_summary<R>(
        &self,
        handle: u64,
        f: impl FnOnce(&T, &[u64; SUMMARY_WORDS]) -> R,
    ) -> Option<R> {
        self.with_summary_from(None, handle, f)
    }

    /// [`Registry::with_summary`] by the thread whose state is `thread`.
    #[inline]
    pub fn with_summary_in<R>(
        &self,
        thread: &Thread,
        handle: u64,
        f: impl FnOnce(&T, &[u64; SUMMARY_WORDS]) -> R,
    ) -> Option<R> {
        self.with_summary_from(Some(thread), handle, f)
    }

    #[inline]
    fn with_summary_from<R>(
        &self,
        thread: Option<&Thread>,
        handle: u64,
        f: impl FnOnce(&T, &[u64; SUMMARY_WORDS]) -> R,
    ) -> Option<R> {
        self.with_slot(thread, handle, |slot, value| {
            let summary = std::array::from_fn(|w| slot.summary[w].load(Ordering::Relaxed));
            f(value, &summary)
        })
    }

    /// Closes `handle`: it stops resolving at once; its value is dropped now, or by the
    /// last pinner still using it. `false` when it was not live.
    pub fn remove(&self, handle: u64) -> bool {
        self.remove_from(None, handle)
    }

    /// [`Registry::remove`] by the thread whose state is `thread` (the calling thread's,
    /// looked up by the caller already: see src/registry/spare.rs).
    pub fn remove_in(&self, thread: &Thread, handle: u64) -> bool {
        self.remove_from(Some(thread), handle)
    }

    fn remove_from(&self, thread: Option<&Thread>, handle: u64) -> bool {
        let Some(index) = (handle & 0xFFFF_FFFF).checked_sub(1) else {
            return false;
        };
        let index = index as usize;
        let generation = handle >> GEN_SHIFT;
        let Some(slot) = self.slot(index) else {
            return false;
        };
        // The key goes first (module comment); only a closer of the very handle the slot
        // is live under clears it. Two closers of it may both clear it: one of them
        // wins the compare-and-swap below, the other finds the slot not live.
        if slot.key.load(Ordering::Relaxed) != handle {
            return false;
        }
        slot.key.store(0, Ordering::Relaxed);
        let mut state = slot.state.load(Ordering::Relaxed);
        loop {
            if state >> GEN_SHIFT != generation || state & LIVE == 0 {
                return false;
            }
            match slot.state.compare_exchange_weak(
                state,
                closed(state),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        if state & PINNED == 0 {
            // Never pinned under this generation, and now never will be: the closer
            // frees it at once, with no fence and no look at the hazards (see "Slots
            // nobody pinned" in src/registry/hazard.rs).
            self.free_slot(slot, index, closed(state), thread);
        } else {
            self.try_reclaim(slot, index, closed(state), thread);
        }
        true
    }

    /// In a child just forked, forgets the pins of the parent's other threads, which the
    /// child does not have: their hazards would otherwise keep every later close of
    /// those slots from reclaiming them, for ever. The calling (forking) thread keeps
    /// its own record. A slot whose reclaim was already left to such a pinner (closed
    /// while it pinned it, before the fork) is never reclaimed in the child: its value
    /// leaks there.
    pub fn forget_other_threads(&self) {
        let keep = if self.no_spares {
            std::ptr::null()
        } else {
            on_this_thread(|t| spare::hazard_record(t, self.address()))
        };
        self.hazards.forget_all_but(keep);
    }

    /// Drops the value of a slot that is closed and that nobody pins, and puts the slot back
    /// on the free list under the next generation (or keeps it as the spare of the
    /// calling thread, whose state is `thread` when the caller has it at hand).
    fn free_slot(&self, slot: &Slot<T>, index: usize, state: u64, thread: Option<&Thread>) {
        // Dropped where it lies (not moved out first: mm_close cost), before the slot
        // goes back; nobody else reaches the value meanwhile.
        // SAFETY: exactly one party wins the reclaim (out of PENDING) of a slot nobody
        // pins, and nobody can pin a slot that is not live.
        // The value is initialised (inserted, and dropped only here, once).
        slot.value.with_mut(|v| unsafe { (*v).assume_init_drop() });
        let next = ((state >> GEN_SHIFT) + 1) & 0xFFFF_FFFF;
        // Generation 0 is skipped so that no handle ever has a zero upper half.
        let next = if next == 0 { 1 } else { next };
        slot.state.store(next << GEN_SHIFT, Ordering::Release);
        let this = (self as *const Self).cast::<()>();
        // SAFETY: `no_spares` is false only for `process_wide`, whose caller promises the
        // registry lives for the rest of the process; the slot is free and ours.
        let park = |t: &Thread| unsafe { spare::park(t, this, index, Self::give_back) };
        let parked = !self.no_spares && on_thread(thread, park);
        if !parked {
            self.push_free(slot, index);
        }
    }

    fn address(&self) -> usize {
        self as *const Self as usize
    }

    /// This thread's spare slot, if the registry has spares and the thread one of it.
    #[inline]
    fn take_spare(&self, thread: Option<&Thread>) -> Option<usize> {
        if self.no_spares {
            return None;
        }
        on_thread(thread, |t| spare::take(t, self.address()))
    }

    /// Pushes slot `index` of the registry `registry` points to on its free stack: a
    /// thread's spare, given back when the thread exits.
    ///
    /// # Safety
    /// `registry` points to a live `Registry<T>`, `index` is a free slot of it that
    /// nobody else holds.
    unsafe fn give_back(registry: *const (), index: usize) {
        // SAFETY: as the caller promises.
        let registry = unsafe { &*registry.cast::<Registry<T>>() };
        if let Some(slot) = registry.slot(index) {
            registry.push_free(slot, index);
        }
    }

    /// Puts the free slot `index` on top of the free stack (its first summary word
    /// links to the slot below). Release: whoever pops it sees everything done to the
    /// slot before, its move to the next generation included.
    fn push_free(&self, slot: &Slot<T>, index: usize) {
        // The link is a store into the summary: readers of a stale handle may load it,
        // and must then see the generation move (module comment, "not from a later
        // insert or a free-stack link").
        fence(Ordering::Release);
        let mut top = self.free_top.load(Ordering::Relaxed);
        loop {
            slot.summary[0].store(top & 0xFFFF_FFFF, Ordering::Relaxed);
            let new = tag_after(top) | (index as u64 + 1);
            match self.free_top.compare_exchange_weak(
                top,
                new,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(now) => top = now,
            }
        }
    }

    /// Takes the top slot off the free stack; `None` when it is empty. The link read
    /// from a slot that another thread popped (and maybe reused and pushed again)
    /// meanwhile can be anything, but then the top's tag has moved on and the
    /// compare-and-swap fails: slots are never deallocated, so the read itself is sound.
    fn pop_free(&self) -> Option<usize> {
        let mut top = self.free_top.load(Ordering::Acquire);
        loop {
            let index = (top & 0xFFFF_FFFF).checked_sub(1)? as usize;
            let slot = self
                .slot(index)
                .expect("a freed slot is in an allocated chunk");
            let below = slot.summary[0].load(Ordering::Relaxed) & 0xFFFF_FFFF;
            match self.free_top.compare_exchange_weak(
                top,
                tag_after(top) | below,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(index),
                Err(now) => top = now,
            }
        }
    }
}

impl<T> Drop for Registry<T> {
    /// Frees the chunks and drops the values still in them (`&mut self`: no pins).
    /// The process-wide registry is a static and never dropped; tests' registries are.
    fn drop(&mut self) {
        // A slot holds a value exactly while it is live or closed but not reclaimed.
        fn drop_value<T>(slot: &Slot<T>) {
            if slot.state.load(Ordering::Relaxed) & (LIVE | PENDING) != 0 {
                // SAFETY: initialised while live (see `Slot::value`); nobody else can
                // reach it (`&mut` registry), and it is dropped once, here.
                slot.value.with_mut(|v| unsafe { (*v).assume_init_drop() });
            }
        }
        self.first.iter().for_each(drop_value);
        for (chunk, ptr) in self.chunks.iter().enumerate() {
            let base = ptr.load(Ordering::Acquire);
            if !base.is_null() {
                // SAFETY: allocated in `insert` as a boxed slice of chunk_len(chunk) slots.
                let slots = unsafe {
                    Box::from_raw(std::ptr::slice_from_raw_parts_mut(base, chunk_len(chunk)))
                };
                slots.iter().for_each(drop_value);
            }
        }
        self.hazards.free_all();
    }
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Registry::new()
    }
}

mod hazard;
mod spare;
use hazard::Records;
pub use spare::Thread;

// The unit tests (Miri runs them) and the loom models live in src/registry/.
#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_model;
