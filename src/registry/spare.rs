//! One spare slot per thread, for the process-wide registry only.
//!
//! A thread that frees a slot keeps it as its spare instead of pushing it on the shared
//! free stack, and its next insert takes it back: the common "make a view, use it,
//! close it" loop then costs no compare-and-swap on the stack's top (two of the atomic
//! read-modify-writes of an mm_slice + mm_close, about 18 ns here), and threads do not
//! trade that top's cache line. A thread holds at most one spare; a second free goes to
//! the stack as before.
//!
//! The slot is freed exactly as for the stack (not live, next generation, value
//! dropped): stale handles are refused the same way; only the thread that parked it
//! takes it, so its reuse is ordered after the free by the thread's own program order
//! (the ordering argument of the registry's module comment then holds as for a pop).
//! When the thread exits, a thread-local destructor gives the spare back to the
//! registry's free stack; a free during or after that destruction goes to the stack
//! directly. A child forked from a thread keeps that thread's spare (the registry is
//! copied with it); the spares of the parent's other threads are not in the child:
//! one slot each, never reused there.
//!
//! Only a registry that lives for the whole process may have spares (`process_wide`):
//! a thread's spare names its registry by address and outlives any other.
//!
//! The spare lives in [`Thread`], the thread-local that every guarded call looks up,
//! which also holds the depth the C boundary keeps (src/ffi/boundary.rs): a guarded call
//! looks the thread up once and hands it down (`insert_summarised_in`, `remove_in`),
//! so that an mm_slice or an mm_close costs one thread-local lookup, not two (each is
//! a call to `__tls_get_addr` in a shared library). `Thread` has no destructor, so it
//! stays usable while the thread's locals are destroyed and after: calls made then
//! (from another thread-local's destructor, say) still work. The spare goes back at
//! exit through a second thread-local, [`EXIT`], whose destructor is registered the
//! first time the thread parks a spare; once it has run, the thread parks no more.
//!
//! `Thread` also keeps the thread's hazard record of the process-wide registry
//! (src/registry/hazard.rs): taken at the thread's first pin, which registers [`EXIT`]
//! too, and given back (for another thread to take) by `EXIT`'s destructor. Once that
//! has run, the thread's pins borrow a record each, as pins of any other registry do.

use super::hazard::Record;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Pushes slot `index` (second argument) on the free stack of the registry the first
/// argument points to.
type GiveBack = unsafe fn(*const (), usize);

/// [`Thread::exit`]: [`EXIT`]'s destructor not registered yet, registered, or run.
const EXIT_UNREGISTERED: u8 = 0;
const EXIT_REGISTERED: u8 = 1;
const EXIT_RAN: u8 = 2;

/// This thread's state in the library: its spare slot, and a counter that the library's
/// panic boundary keeps (see the module comment).
pub struct Thread {
    /// How deep the thread is inside the panic boundary (src/ffi/boundary.rs). (The
    /// loom build leaves the C ABI out, and with it every reader of this field.)
    #[cfg_attr(all(test, loom), allow(dead_code))]
    depth: Cell<u32>,
    /// The registry the spare belongs to (a pointer, not an address, so that the
    /// thread's exit gives the spare back through it); null when the thread has none.
    registry: Cell<*const ()>,
    index: Cell<usize>,
    /// Pushes the spare on its registry's free stack (monomorphised for its `T`).
    give_back: Cell<Option<GiveBack>>,
    /// Whether [`EXIT`]'s destructor, which gives the spare back, is registered.
    exit: Cell<u8>,
    /// Address of the registry whose hazard record the thread keeps; 0 when none.
    hazard_registry: Cell<usize>,
    /// That record (null when none).
    hazard: Cell<*const Record>,
    /// The thread's number, from 1 in the order threads first ask for it; 0 until then.
    number: Cell<usize>,
}

/// The number the next thread to ask gets.
static NEXT_NUMBER: AtomicUsize = AtomicUsize::new(1);

impl Thread {
    /// Runs `f` on the calling thread's state. Never fails, even while the thread's
    /// locals are being destroyed (no destructor: std's `with` cannot refuse it).
    #[inline]
    pub fn with<R>(f: impl FnOnce(&Thread) -> R) -> R {
        // `f` runs outside std's `with` (its address taken, then used): so that a large
        // `f` (a whole guarded call) is not moved out of line behind it.
        let thread: *const Thread = THREAD.with(|t| t as *const Thread);
        // SAFETY: the calling thread's own thread-local, which has no destructor and
        // stays allocated until the thread ends; used by this thread during this call.
        f(unsafe { &*thread })
    }

    /// The panic boundary's depth (src/ffi/boundary.rs).
    #[inline]
    #[cfg_attr(all(test, loom), allow(dead_code))]
    pub(crate) fn depth(&self) -> u32 {
        self.depth.get()
    }

    #[inline]
    #[cfg_attr(all(test, loom), allow(dead_code))]
    pub(crate) fn set_depth(&self, depth: u32) {
        self.depth.set(depth)
    }

    /// A small number of this thread's own: threads get 1, 2, 3, ... in the order they
    /// first ask. mm_slice and mm_view count the view they make on the shard of the
    /// mapping's reference count this names (src/shared_count.rs), so that threads
    /// making views of one mapping do not trade a cache line.
    #[inline]
    pub fn number(&self) -> usize {
        match self.number.get() {
            0 => self.first_number(),
            n => n,
        }
    }

    #[cold]
    #[inline(never)]
    fn first_number(&self) -> usize {
        // Wraps past usize::MAX to 0, which is taken as "none yet" again: harmless.
        let n = NEXT_NUMBER.fetch_add(1, Ordering::Relaxed);
        self.number.set(n);
        n
    }
}

/// Gives the thread's spare back when the thread exits (see the module comment).
struct Exit;

impl Drop for Exit {
    fn drop(&mut self) {
        THREAD.with(|t| {
            t.exit.set(EXIT_RAN);
            t.hazard_registry.set(0);
            let record = t.hazard.replace(std::ptr::null());
            // SAFETY: set by `adopt_hazard`: a record of a registry that lives for the
            // whole process, taken by this thread, not pinning anything now (the thread
            // is exiting, outside every library call).
            if let Some(record) = unsafe { record.as_ref() } {
                record.release();
            }
            let registry = t.registry.replace(std::ptr::null());
            if let (Some(give_back), false) = (t.give_back.get(), registry.is_null()) {
                // SAFETY: set by `park` with a pointer to a registry that lives for the
                // whole process, and the index of a free slot of it that nobody else uses.
                unsafe { give_back(registry, t.index.get()) };
            }
        });
    }
}

thread_local! {
    static THREAD: Thread = const {
        Thread {
            depth: Cell::new(0),
            registry: Cell::new(std::ptr::null()),
            index: Cell::new(0),
            give_back: Cell::new(None),
            exit: Cell::new(EXIT_UNREGISTERED),
            hazard_registry: Cell::new(0),
            hazard: Cell::new(std::ptr::null()),
            number: Cell::new(0),
        }
    };
    static EXIT: Exit = const { Exit };
}

/// Keeps the free slot `index` of the registry at `registry` as the spare of `thread`
/// (the calling thread's); `false` (the caller pushes it on the stack) when the thread
/// has one already or is exiting (its locals are being destroyed).
///
/// # Safety
/// `registry` points to a registry that lives for the rest of the process, `index` is a
/// free slot of it owned by the caller, and `give_back(registry, index)` pushes that
/// slot on the registry's free stack.
pub(super) unsafe fn park(
    thread: &Thread,
    registry: *const (),
    index: usize,
    give_back: GiveBack,
) -> bool {
    if !thread.registry.get().is_null() {
        return false;
    }
    if thread.exit.get() != EXIT_REGISTERED && !register_exit(thread) {
        return false;
    }
    thread.index.set(index);
    thread.give_back.set(Some(give_back));
    thread.registry.set(registry);
    true
}

/// Registers [`EXIT`]'s destructor (its first access does); `false` once it has run or
/// can no longer be registered (the thread is exiting).
#[cold]
#[inline(never)]
fn register_exit(thread: &Thread) -> bool {
    if thread.exit.get() == EXIT_RAN {
        return false;
    }
    let registered = EXIT.try_with(|_| ()).is_ok();
    if registered {
        thread.exit.set(EXIT_REGISTERED);
    }
    registered
}

/// Takes the spare slot of the registry at `registry` of `thread` (the calling
/// thread's), if it has one.
#[inline]
pub(super) fn take(thread: &Thread, registry: usize) -> Option<usize> {
    if thread.registry.get() as usize != registry {
        return None;
    }
    thread.registry.set(std::ptr::null());
    Some(thread.index.get())
}

/// The hazard record of the registry at `registry` that `thread` keeps; null when it
/// keeps none.
#[inline]
pub(super) fn hazard_record(thread: &Thread, registry: usize) -> *const Record {
    if thread.hazard_registry.get() == registry {
        thread.hazard.get()
    } else {
        std::ptr::null()
    }
}

/// Makes `thread` (the calling thread's) keep the record that `take` takes from the
/// registry at `registry`, until it exits; returns it, or null (and takes none) when the
/// thread keeps another registry's record already or is exiting.
///
/// # Safety
/// `registry` is the address of a registry that lives for the rest of the process, and
/// `take` returns a record of its list, taken for the caller.
pub(super) unsafe fn adopt_hazard(
    thread: &Thread,
    registry: usize,
    take: impl FnOnce() -> *const Record,
) -> *const Record {
    if thread.hazard_registry.get() != 0 {
        return std::ptr::null();
    }
    if thread.exit.get() != EXIT_REGISTERED && !register_exit(thread) {
        return std::ptr::null();
    }
    let record = take();
    thread.hazard.set(record);
    thread.hazard_registry.set(registry);
    record
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Thread;

    /// Each thread keeps one number, never 0, and no two threads share one.
    #[test]
    fn threads_get_distinct_numbers_that_stay() {
        let mine = Thread::with(|t| t.number());
        assert_ne!(mine, 0);
        assert_eq!(Thread::with(|t| t.number()), mine);
        let others: Vec<usize> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let n = Thread::with(|t| t.number());
                    assert_eq!(Thread::with(|t| t.number()), n);
                    n
                })
                .join()
                .unwrap()
            })
            .collect();
        let mut all = others.clone();
        all.push(mine);
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 5, "{others:?} and {mine}");
        assert!(!all.contains(&0));
    }
}
