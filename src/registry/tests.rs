//! Unit tests of the registry (std; Miri runs them: `cargo +nightly miri test --lib -- registry::`).

use super::*;
use std::sync::Arc;

#[test]
fn slots_are_cache_lines() {
    // State, key and summary fill the first line; a 64-byte value fills the second
    // exactly (it is held as MaybeUninit: no discriminant).
    assert_eq!(std::mem::size_of::<Slot<(Arc<u8>, [u64; 7])>>(), 128);
    assert_eq!(std::mem::offset_of!(Slot<u8>, value), 64);
    assert_eq!(std::mem::align_of::<Slot<u8>>(), 64);
}

#[test]
fn summaries_resolve_until_removed() {
    let r = Registry::new();
    let a = r.insert_summarised(10, [1, 2, 3, 4, 5, 6]).unwrap();
    let b = r.insert(20).unwrap();
    assert_eq!(r.summary_word(a, 0), Some(1));
    assert_eq!(r.summary_word(a, 5), Some(6));
    assert_eq!(r.summary_word(a, 6), None);
    assert_eq!(r.summary_word(b, 3), Some(0));
    // A reader inside the slot does not disturb the summary.
    assert_eq!(r.with(a, |_| r.summary_word(a, 2)), Some(Some(3)));
    assert!(r.remove(a));
    assert_eq!(r.summary_word(a, 0), None);
    // The reused slot answers its own handle only.
    let c = r.insert_summarised(30, [9; SUMMARY_WORDS]).unwrap();
    assert_eq!(c & 0xFFFF_FFFF, a & 0xFFFF_FFFF);
    assert_eq!(r.summary_word(a, 0), None);
    assert_eq!(r.summary_word(c, 0), Some(9));
    for bogus in [0, 1 << 32, u64::MAX, 0xdead_beef_0000_0001, 12345] {
        assert_eq!(r.summary_word(bogus, 0), None);
    }
}

#[test]
fn with_summary_hands_the_summary_of_the_handle() {
    let r = Registry::new();
    let a = r.insert_summarised(10, [1, 2, 3, 4, 5, 6]).unwrap();
    let b = r.insert(20).unwrap();
    assert_eq!(
        r.with_summary(a, |v, s| (*v, *s)),
        Some((10, [1, 2, 3, 4, 5, 6]))
    );
    assert_eq!(
        r.with_summary(b, |v, s| (*v, *s)),
        Some((20, [0; SUMMARY_WORDS]))
    );
    // Closed while inside: the summary stays the handle's until the reader leaves.
    let inside = r.with_summary(a, |_, s| {
        assert!(r.remove(a));
        assert_eq!(r.summary_word(a, 0), None);
        *s
    });
    assert_eq!(inside, Some([1, 2, 3, 4, 5, 6]));
    // The slot, freed by that reader, is reused with another summary.
    let c = r.insert_summarised(30, [7; SUMMARY_WORDS]).unwrap();
    assert_eq!(c & 0xFFFF_FFFF, a & 0xFFFF_FFFF);
    assert_eq!(r.with_summary(a, |_, s| *s), None);
    assert_eq!(
        r.with_summary(c, |v, s| (*v, *s)),
        Some((30, [7; SUMMARY_WORDS]))
    );
    for bogus in [0, 1 << 32, u64::MAX, 12345] {
        assert_eq!(r.with_summary(bogus, |_, s| *s), None);
    }
}

#[test]
fn summary_readers_race_closers_and_reusers() {
    // Writers insert values whose summary words all equal the value, read them back,
    // and close them; readers poll every handle ever issued: a word read must belong
    // to its own handle (the value recorded for it), never a later one's.
    let r = Arc::new(Registry::new());
    let issued = Arc::new(std::sync::Mutex::new(Vec::<(u64, u64)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rounds = if cfg!(miri) { 100 } else { 20_000 };
    let writers: Vec<_> = (0..2u64)
        .map(|t| {
            let (r, issued) = (r.clone(), issued.clone());
            std::thread::spawn(move || {
                for i in 0..rounds {
                    let v = t << 40 | i;
                    let h = r.insert_summarised(v, [v; SUMMARY_WORDS]).unwrap();
                    issued.lock().unwrap().push((h, v));
                    assert_eq!(r.summary_word(h, 4), Some(v));
                    assert!(r.remove(h));
                    assert_eq!(r.summary_word(h, 4), None);
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (r, issued, stop) = (r.clone(), issued.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut seen = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let last = issued.lock().unwrap().last().copied();
                    if let Some((h, v)) = last {
                        for word in 0..SUMMARY_WORDS {
                            match r.summary_word(h, word) {
                                Some(got) => {
                                    assert_eq!(got, v, "handle {h:#x}");
                                    seen += 1;
                                }
                                None => break,
                            }
                        }
                    }
                    std::thread::yield_now();
                }
                seen
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in readers {
        t.join().unwrap();
    }
    assert_eq!(r.live(), 0);
}

#[test]
fn locate_covers_chunks() {
    const F: usize = FIRST_CHUNK;
    assert_eq!(locate(0), (0, 0));
    assert_eq!(locate(F - 1), (0, F - 1));
    assert_eq!(locate(F), (1, 0));
    assert_eq!(locate(3 * F - 1), (1, 2 * F - 1));
    assert_eq!(locate(3 * F), (2, 0));
    let (c, p) = locate(u32::MAX as usize - 1);
    assert!(c < CHUNKS && p < chunk_len(c));
}

#[test]
fn handles_beyond_the_flat_first_chunk_resolve() {
    // The first chunk is read by a lookup of its own (registry.rs, FIRST_CHUNK): fill it
    // and go on into the second chunk, through both lookups and both chunks' summaries.
    let r = Registry::new();
    let n = FIRST_CHUNK + 5;
    let handles: Vec<u64> = (0..n as u64)
        .map(|i| r.insert_summarised(i, [i + 1; SUMMARY_WORDS]).unwrap())
        .collect();
    for (i, &h) in handles.iter().enumerate() {
        assert_eq!(h & 0xFFFF_FFFF, i as u64 + 1);
        assert_eq!(r.with(h, |v| *v), Some(i as u64));
        assert_eq!(r.summary_word(h, SUMMARY_WORDS - 1), Some(i as u64 + 1));
    }
    let last = handles[n - 1];
    assert!(r.remove(last));
    assert_eq!(r.with(last, |v| *v), None);
    assert_eq!(r.summary_word(last, 0), None);
    // The freed slot in the second chunk is reused under a new generation.
    let again = r.insert_summarised(7, [8; SUMMARY_WORDS]).unwrap();
    assert_eq!(again & 0xFFFF_FFFF, last & 0xFFFF_FFFF);
    assert_ne!(again, last);
    assert_eq!(r.summary_word(again, 3), Some(8));
    assert_eq!(r.live(), n);
}

#[test]
fn handles_resolve_until_removed() {
    let r = Registry::new();
    let a = r.insert(10).unwrap();
    let b = r.insert(20).unwrap();
    assert_ne!(a, 0);
    assert_eq!(r.with(a, |v| *v), Some(10));
    assert_eq!(r.with(b, |v| *v), Some(20));
    assert_eq!(r.live(), 2);
    assert!(r.remove(a));
    assert!(!r.remove(a));
    assert_eq!(r.with(a, |v| *v), None);
    // The slot is reused under a new generation; the old handle stays dead.
    let c = r.insert(30).unwrap();
    assert_eq!(c & 0xFFFF_FFFF, a & 0xFFFF_FFFF);
    assert_ne!(c, a);
    assert_eq!(r.with(a, |v| *v), None);
    assert_eq!(r.with(c, |v| *v), Some(30));
    for bogus in [0, 1 << 32, u64::MAX, 0xdead_beef_0000_0001, 12345] {
        assert_eq!(r.with(bogus, |v| *v), None);
        assert!(!r.remove(bogus));
    }
    assert_eq!(r.live(), 2);
}

#[test]
fn handles_of_another_registry_do_not_resolve() {
    // Two copies of the library in one process: each registry rejects the other's
    // handles (issued from slots used once each, they collide only if both random
    // starts are equal: 1 in 2^32).
    let (a, b) = (Registry::new(), Registry::new());
    let from_a: Vec<u64> = (0..200).map(|i| a.insert(i).unwrap()).collect();
    let from_b: Vec<u64> = (0..200).map(|i| b.insert(i).unwrap()).collect();
    for (&ha, &hb) in from_a.iter().zip(&from_b) {
        assert_eq!(ha & 0xFFFF_FFFF, hb & 0xFFFF_FFFF, "same slots");
        assert_eq!(b.with(ha, |v| *v), None);
        assert_eq!(a.with(hb, |v| *v), None);
        assert!(!b.remove(ha));
    }
    assert_eq!((a.live(), b.live()), (200, 200));
}

#[test]
fn value_dropped_by_last_reader() {
    let r = Registry::new();
    let value = Arc::new(5);
    let h = r.insert(value.clone()).unwrap();
    r.with(h, |_| {
        assert!(r.remove(h));
        // Closed, but we are still inside: the value lives.
        assert_eq!(Arc::strong_count(&value), 2);
        assert_eq!(r.with(h, |_| ()), None);
    });
    assert_eq!(Arc::strong_count(&value), 1);
}

#[test]
fn threads_insert_read_remove() {
    let r = Arc::new(Registry::new());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let r = r.clone();
            std::thread::spawn(move || {
                // Miri interprets every step: fewer rounds there, the same races.
                let rounds = if cfg!(miri) { 200 } else { 20_000 };
                for i in 0..rounds {
                    let h = r.insert(t * 1_000_000 + i).unwrap();
                    assert_eq!(r.with(h, |v| *v), Some(t * 1_000_000 + i));
                    assert!(r.remove(h));
                    assert_eq!(r.with(h, |v| *v), None);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(r.live(), 0);
}

#[test]
fn spares_are_reused_by_their_thread_and_given_back_at_exit() {
    // A registry with spares must live for the rest of the process: a static.
    // SAFETY: a static lives, at one address, for the rest of the process.
    static R: Registry<u64> = unsafe { Registry::process_wide() };
    let a = R.insert(1).unwrap();
    assert!(R.remove(a));
    // The freed slot is this thread's spare: the next insert takes it, under the next
    // generation; the old handle stays refused.
    let b = R.insert(2).unwrap();
    assert_eq!(b & 0xFFFF_FFFF, a & 0xFFFF_FFFF);
    assert_ne!(b, a);
    assert_eq!(R.with(a, |v| *v), None);
    assert_eq!(R.with(b, |v| *v), Some(2));
    // Another thread parks a slot and exits: the slot goes back to the free stack,
    // whose top is the next slot a thread without a spare takes.
    let t = std::thread::spawn(|| {
        let t = R.insert(3).unwrap();
        assert!(R.remove(t));
        t
    })
    .join()
    .unwrap();
    assert_ne!(t & 0xFFFF_FFFF, b & 0xFFFF_FFFF);
    let c = R.insert(4).unwrap();
    assert_eq!(c & 0xFFFF_FFFF, t & 0xFFFF_FFFF);
    assert_eq!(R.live(), 2);
    assert!(R.remove(b) && R.remove(c));
    assert_eq!(R.live(), 0);
}

#[test]
fn value_closed_by_another_thread_is_dropped_at_unpin() {
    let r = Arc::new(Registry::new());
    let value = Arc::new(5);
    let h = r.insert(value.clone()).unwrap();
    r.with(h, |v| {
        let closer = {
            let r = r.clone();
            std::thread::spawn(move || r.remove(h))
        };
        assert!(closer.join().unwrap());
        // Closed by the other thread while pinned here: the value lives until unpin.
        assert_eq!(Arc::strong_count(&value), 2);
        assert_eq!(**v, 5);
        assert_eq!(r.with(h, |_| ()), None);
        assert_eq!(r.live(), 0);
    });
    assert_eq!(Arc::strong_count(&value), 1);
    // The slot was freed under the next generation: the next insert reuses it.
    let h2 = r.insert(Arc::new(6)).unwrap();
    assert_eq!(h2 & 0xFFFF_FFFF, h & 0xFFFF_FFFF);
    assert_ne!(h2, h);
}

#[test]
fn nested_pins_beyond_a_records_words_borrow_a_record() {
    // SAFETY: a static lives, at one address, for the rest of the process.
    static R: Registry<u64> = unsafe { Registry::process_wide() };
    let handles: Vec<u64> = (0..hazard::WORDS as u64 + 1)
        .map(|i| R.insert(i).unwrap())
        .collect();
    // Pins handles[0..] one inside the other; returns the records seen at the innermost.
    fn nest(hs: &[u64], depth: u64) -> usize {
        match hs.split_first() {
            None => R.hazards.count(),
            Some((&h, rest)) => R
                .with(h, |&v| {
                    assert_eq!(v, depth);
                    nest(rest, depth + 1)
                })
                .unwrap(),
        }
    }
    // The thread's own record holds the first WORDS pins; the next one borrows another.
    assert_eq!(nest(&handles, 0), 2);
    // Given back at unpin: the next nesting borrows it again, no third record.
    assert_eq!(nest(&handles, 0), 2);
    assert_eq!(R.hazards.count(), 2);
    for h in handles {
        assert!(R.remove(h));
    }
    assert_eq!(R.live(), 0);
}

#[test]
fn exiting_threads_give_their_record_to_the_next() {
    // SAFETY: a static lives, at one address, for the rest of the process.
    static R: Registry<u64> = unsafe { Registry::process_wide() };
    let h = R.insert(9).unwrap();
    for _ in 0..3 {
        // Each thread takes a record at its first pin and gives it back at exit; this
        // thread never pins R, so one record serves them all.
        let seen = std::thread::spawn(move || (R.with(h, |&v| v), R.hazards.count()))
            .join()
            .unwrap();
        assert_eq!(seen, (Some(9), 1));
    }
    assert_eq!(R.hazards.count(), 1);
    assert!(R.remove(h));
}

#[test]
fn a_closed_slot_pinned_by_two_threads_is_freed_once() {
    struct Counted(Arc<std::sync::atomic::AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let r = Arc::new(Registry::new());
    let h = r.insert(Counted(drops.clone())).unwrap();
    let pinned = Arc::new(std::sync::Barrier::new(3));
    let closed = Arc::new(std::sync::Barrier::new(3));
    let pinners: Vec<_> = (0..2)
        .map(|_| {
            let (r, pinned, closed) = (r.clone(), pinned.clone(), closed.clone());
            std::thread::spawn(move || {
                r.with(h, |_| {
                    pinned.wait();
                    closed.wait();
                })
            })
        })
        .collect();
    pinned.wait();
    assert!(r.remove(h));
    assert_eq!(drops.load(Ordering::SeqCst), 0, "both still pin it");
    closed.wait();
    for p in pinners {
        assert_eq!(p.join().unwrap(), Some(()));
    }
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert_eq!(r.live(), 0);
    // Every record was borrowed and given back: a new pin finds one free.
    assert_eq!(r.hazards.count(), 2);
}

#[test]
fn after_fork_the_pins_of_other_threads_are_forgotten() {
    // SAFETY: a static lives, at one address, for the rest of the process.
    static R: Registry<u64> = unsafe { Registry::process_wide() };
    let h = R.insert(1).unwrap();
    let pinned = Arc::new(std::sync::Barrier::new(2));
    let done = Arc::new(std::sync::Barrier::new(2));
    let pinner = {
        let (pinned, done) = (pinned.clone(), done.clone());
        std::thread::spawn(move || {
            // A pin that never ends and holds no reference to the value (as a thread
            // the child lacks: it never runs again there).
            std::mem::forget(R.pin(None, h).unwrap());
            pinned.wait();
            done.wait();
        })
    };
    pinned.wait();
    // What a forked child does first: the pinning thread does not exist there.
    R.forget_other_threads();
    assert!(R.remove(h));
    // Its hazard forgotten, the slot was freed at once: this thread's next insert
    // takes it (as its spare) under a new generation. (Unforgotten, the close would
    // have left the slot to the pinner and the insert taken another.)
    let h2 = R.insert(2).unwrap();
    assert_eq!(h2 & 0xFFFF_FFFF, h & 0xFFFF_FFFF);
    assert_ne!(h2, h);
    done.wait();
    pinner.join().unwrap();
    assert_eq!(R.with(h2, |&v| v), Some(2));
    assert!(R.remove(h2));
    assert_eq!(R.live(), 0);
}

#[test]
fn the_first_pin_marks_the_slot_and_a_close_of_an_unmarked_slot_frees_it_at_once() {
    let r = Registry::new();
    let state = |h: u64| {
        r.slot((h as usize & 0xFFFF_FFFF) - 1)
            .unwrap()
            .state
            .load(Ordering::Relaxed)
    };
    let value = Arc::new(1);
    let never = r.insert(value.clone()).unwrap();
    let pinned = r.insert(value.clone()).unwrap();
    assert_eq!(state(never) & (LIVE | PENDING | PINNED), LIVE);
    assert_eq!(r.with(pinned, |v| **v), Some(1));
    assert_eq!(state(pinned) & (LIVE | PENDING | PINNED), LIVE | PINNED);
    // A summary read is no pin: it leaves the mark alone.
    assert_eq!(r.summary_word(never, 0), Some(0));
    assert_eq!(state(never) & PINNED, 0);
    // Hold a pin on `pinned` in this thread's record while `never` is closed: the close
    // of the unmarked slot frees it at once, and its next generation has no mark.
    r.with(pinned, |_| {
        assert!(r.remove(never));
        assert_eq!(Arc::strong_count(&value), 2);
        assert_eq!(state(never) & (LIVE | PENDING | PINNED), 0);
        assert_eq!(state(never) >> GEN_SHIFT, (never >> GEN_SHIFT) + 1);
        // The marked slot, closed while pinned here, waits for the unpin.
        assert!(r.remove(pinned));
        assert_eq!(state(pinned) & (LIVE | PENDING | PINNED), PENDING | PINNED);
        assert_eq!(Arc::strong_count(&value), 2);
    });
    assert_eq!(Arc::strong_count(&value), 1);
    assert_eq!(state(pinned) & (LIVE | PENDING | PINNED), 0);
    let again = r.insert(value.clone()).unwrap();
    assert_eq!(state(again) & PINNED, 0);
}
