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
//! When the thread exits, its thread-local's destructor gives the spare back to the
//! registry's free stack; a free during or after that destruction goes to the stack
//! directly. A child forked from a thread keeps that thread's spare (the registry is
//! copied with it); the spares of the parent's other threads are not in the child:
//! one slot each, never reused there.
//!
//! Only a registry that lives for the whole process may have spares (`process_wide`):
//! a thread's spare names its registry by address and outlives any other.

use std::cell::Cell;

/// Pushes slot `index` (second argument) on the free stack of the registry at the
/// address given first.
type GiveBack = unsafe fn(usize, usize);

struct Spare {
    /// Address of the registry the spare belongs to; 0 when the thread has none.
    registry: Cell<usize>,
    index: Cell<usize>,
    /// Pushes the spare on its registry's free stack (monomorphised for its `T`).
    give_back: Cell<Option<GiveBack>>,
}

impl Drop for Spare {
    fn drop(&mut self) {
        let registry = self.registry.replace(0);
        if let (Some(give_back), true) = (self.give_back.get(), registry != 0) {
            // SAFETY: set by `park` with the address of a registry that lives for the
            // whole process, and the index of a free slot of it that nobody else uses.
            unsafe { give_back(registry, self.index.get()) };
        }
    }
}

thread_local! {
    static SPARE: Spare = const {
        Spare {
            registry: Cell::new(0),
            index: Cell::new(0),
            give_back: Cell::new(None),
        }
    };
}

/// Keeps the free slot `index` of the registry at `registry` as this thread's spare;
/// `false` (the caller pushes it on the stack) when the thread has one already or its
/// thread-locals are being destroyed.
///
/// # Safety
/// `registry` is the address of a registry that lives for the rest of the process,
/// `index` a free slot of it owned by the caller, and `give_back(registry, index)`
/// pushes that slot on the registry's free stack.
pub(super) unsafe fn park(
    registry: usize,
    index: usize,
    give_back: unsafe fn(usize, usize),
) -> bool {
    SPARE
        .try_with(|s| {
            if s.registry.get() != 0 {
                return false;
            }
            s.index.set(index);
            s.give_back.set(Some(give_back));
            s.registry.set(registry);
            true
        })
        .unwrap_or(false)
}

/// Takes this thread's spare slot of the registry at `registry`, if it has one.
pub(super) fn take(registry: usize) -> Option<usize> {
    SPARE
        .try_with(|s| {
            if s.registry.get() != registry {
                return None;
            }
            s.registry.set(0);
            Some(s.index.get())
        })
        .ok()
        .flatten()
}
