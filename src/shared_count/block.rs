//! The memory of the blocks, with a one-block spare for the process (src/one_spare.rs):
//! the common open + close loop (mm_open + mm_close: one block each) then costs no malloc
//! and no free. A block of any `T` fits when its layout is within [`SIZE`] (all such
//! blocks are allocated at that size and alignment, so any of them can take the spare).
//!
//! Not under loom (the loom models use the allocator directly: the spare is a plain
//! ownership hand-over of memory, no part of the counting protocol they model).

use std::alloc::Layout;

#[cfg(not(all(test, loom)))]
use crate::one_spare::OneSpare;

/// The size of every block that may become the spare (its alignment: `ALIGN`). The
/// mapping's block, the one mm_open makes, is 128 bytes on Linux and 144 on Windows
/// (view::tests::the_mapping_block_fits_the_spare holds it within this).
pub(super) const SIZE: usize = 160;
const ALIGN: usize = 16;

#[cfg(not(all(test, loom)))]
static SPARE: OneSpare = OneSpare::new();

/// Whether blocks of `B` go through the spare.
pub(super) const fn fits<B>() -> bool {
    !cfg!(all(test, loom)) && std::mem::size_of::<B>() <= SIZE && std::mem::align_of::<B>() <= ALIGN
}

fn layout<B>() -> Layout {
    if fits::<B>() {
        // Big and aligned enough for a `B` (fits), and one layout for every B that
        // fits, so that any of them can take the spare.
        Layout::new::<Spare>()
    } else {
        Layout::new::<B>()
    }
}

/// The layout of a block that fits.
#[repr(C, align(16))]
struct Spare([u8; SIZE]);
const _: () = assert!(std::mem::align_of::<Spare>() == ALIGN);

/// Uninitialised memory for a `B` (never zero-sized here: a block has its words).
#[inline(always)]
pub(super) fn alloc<B>() -> *mut B {
    #[cfg(not(all(test, loom)))]
    if fits::<B>() {
        return SPARE.take_or_alloc(layout::<B>()).cast();
    }
    crate::one_spare::alloc(layout::<B>()).cast()
}

/// Gives back the memory of a `B` from [`alloc`], whose value was dropped.
///
/// # Safety
/// `p` came from `alloc::<B>()`, and nobody uses it any more.
#[inline(always)]
pub(super) unsafe fn free<B>(p: *mut B) {
    #[cfg(not(all(test, loom)))]
    if fits::<B>() {
        // SAFETY: from `alloc` with this very layout (layout::<B> is a function of B),
        // the spare's one layout when it fits; unused (the caller's promise).
        return unsafe { SPARE.give_or_free(p.cast(), layout::<B>()) };
    }
    // SAFETY: from `alloc` with this very layout; unused (the caller's promise).
    unsafe { std::alloc::dealloc(p.cast(), layout::<B>()) }
}

/// Whether the spare holds a block (tests).
#[cfg(all(test, not(loom)))]
pub(super) fn spare() -> *mut u8 {
    SPARE.peek()
}
