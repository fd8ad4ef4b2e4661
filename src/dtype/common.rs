//! The DTypes of the short scalar type strings (`"<f8"`, `"|u1"`, `">i4"`, `"f8"`...),
//! made once per process and shared: mm_open with such a dtype (nearly every program's)
//! finds its DType with a few byte tests and one load, with no thread-local lookup (a
//! call to `__tls_get_addr` in a shared library) and no text comparison.
//!
//! The texts: an optional byte order (`<`, `>`, `=`, `|`), a kind (`b`, `i`, `u`, `f`,
//! `c`) and a size digit (`1`, `2`, `4`, `8`). Each slot holds what [`DType::parse`]
//! answered for that very text, parsed the first time it is asked for (so the answer is
//! parse's by construction); a text parse refuses (`"<b8"`, `"|c1"`...) is never stored
//! and is parsed again each time (its caller reports the error). A slot is set once, by
//! a compare-and-swap from null (no lock: a fork in the middle leaves nothing half
//! done), and its DType is never freed (reachable from the static: no leak for
//! valgrind or Miri).

use super::DType;
use std::sync::atomic::{AtomicPtr, Ordering};

const ORDERS: &[u8] = b"<>=|";
const KINDS: &[u8] = b"biufc";
const SIZES: &[u8] = b"1248";
/// One slot per order (and one for none) per kind per size.
const SLOTS: usize = (ORDERS.len() + 1) * KINDS.len() * SIZES.len();

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: AtomicPtr<DType> = AtomicPtr::new(std::ptr::null_mut());
static TABLE: [AtomicPtr<DType>; SLOTS] = [EMPTY; SLOTS];

/// For each byte, its place in `set`, or `NONE`: a load per byte of the text, not a
/// search or a chain of compares (mm_open cost).
const fn places(set: &[u8]) -> [u8; 256] {
    let mut t = [NONE; 256];
    let mut i = 0;
    while i < set.len() {
        t[set[i] as usize] = i as u8;
        i += 1;
    }
    t
}
const NONE: u8 = u8::MAX;
static ORDER: [u8; 256] = places(ORDERS);
static KIND: [u8; 256] = places(KINDS);
static SIZE: [u8; 256] = places(SIZES);

#[inline]
fn place(table: &[u8; 256], b: u8) -> Option<usize> {
    match table[b as usize] {
        NONE => None,
        i => Some(i as usize),
    }
}

/// The slot of `text`, when it has the form of the module comment.
#[inline]
fn slot(text: &[u8]) -> Option<usize> {
    let (order, k, s) = match *text {
        [o, k, s] => (place(&ORDER, o)?, k, s),
        [k, s] => (ORDERS.len(), k, s),
        _ => return None,
    };
    Some((order * KINDS.len() + place(&KIND, k)?) * SIZES.len() + place(&SIZE, s)?)
}

impl DType {
    /// `DType::parse(text)` for the short scalar texts of the module comment that parse
    /// accepts; `None` for every other text (the caller parses those).
    #[inline]
    pub fn parse_common(text: &[u8]) -> Option<DType> {
        let i = slot(text)?;
        let known = TABLE[i].load(Ordering::Acquire);
        if known.is_null() {
            return fill(i, text);
        }
        // SAFETY: a slot holds null or a pointer from Box::into_raw in `fill`, whose
        // DType is never freed; the acquire load orders its making before this read.
        Some(unsafe { &*known }.clone())
    }
}

/// Parses `text` (of slot `i`) and stores its DType there if none is yet.
#[cold]
#[inline(never)]
fn fill(i: usize, text: &[u8]) -> Option<DType> {
    let dtype = DType::parse(std::str::from_utf8(text).ok()?).ok()?;
    let new = Box::into_raw(Box::new(dtype.clone()));
    if let Err(theirs) = TABLE[i].compare_exchange(
        std::ptr::null_mut(),
        new,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        // SAFETY: ours, from Box::into_raw above, never shared.
        drop(unsafe { Box::from_raw(new) });
        // SAFETY: as in parse_common: set once, never freed.
        return Some(unsafe { &*theirs }.clone());
    }
    Some(dtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text of the table's form, asked twice (the first fills the slot): the
    /// answer is DType::parse's, or None exactly where parse refuses; other texts get
    /// None. Slots are distinct.
    #[test]
    fn common_texts_are_parsed_as_parse_does() {
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for &k in KINDS.iter().chain(b"SUdxV0") {
            for &s in SIZES.iter().chain(b"3906") {
                texts.push(vec![k, s]);
                for &o in ORDERS.iter().chain(b"!") {
                    texts.push(vec![o, k, s]);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut stored = 0;
        for text in &texts {
            let parsed = DType::parse(std::str::from_utf8(text).unwrap()).ok();
            let fits = slot(text).is_some();
            for _ in 0..2 {
                let common = DType::parse_common(text);
                let expected = if fits { parsed.clone() } else { None };
                assert_eq!(common, expected, "{:?}", String::from_utf8_lossy(text));
                if let (Some(c), Some(p)) = (&common, &expected) {
                    assert_eq!(c.typestr(), p.typestr());
                }
            }
            if let Some(i) = slot(text) {
                assert!(seen.insert(i), "{:?}", String::from_utf8_lossy(text));
                stored += parsed.is_some() as usize;
            }
        }
        assert_eq!(seen.len(), SLOTS);
        for (set, table) in [(ORDERS, &ORDER), (KINDS, &KIND), (SIZES, &SIZE)] {
            for b in 0..=255u8 {
                assert_eq!(place(table, b), set.iter().position(|&x| x == b), "{b}");
            }
        }
        // <f8, >i2, =u4, |b1, c8, ... but not b2, |c1, ...
        assert!(stored > 40 && stored < SLOTS, "{stored}");
        for text in [&b"<f8\0"[..], b"<f", b"", b"<f88", b"f"] {
            assert_eq!(DType::parse_common(text), None);
        }
        assert_eq!(
            DType::parse_common(b"<f8").unwrap().typestr(),
            DType::parse("<f8").unwrap().typestr()
        );
    }

    /// Threads asking for one text at once all get parse's DType (one of them fills the
    /// slot; Miri checks the hand-over).
    #[test]
    fn threads_fill_a_slot_at_once() {
        let threads: Vec<_> = (0..3)
            .map(|_| std::thread::spawn(|| DType::parse_common(b">c8").unwrap()))
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), DType::parse(">c8").unwrap());
        }
    }
}
