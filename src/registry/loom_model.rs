//! Model checks of the pin / unpin / remove / reclaim / free protocol (hazards), and of
//! the summary reads (`summary_word`) against closes and slot reuse, under every
//! interleaving loom explores (the lock-free free stack included: pushes and pops
//! racing): run with `RUSTFLAGS="--cfg loom" cargo test --release --lib loom_model`.

use super::*;
use loom::sync::atomic::AtomicUsize;
use loom::sync::Arc;
use loom::thread;

/// A value that counts its drops, so a double drop or a leak is seen.
struct Counted {
    id: u32,
    drops: Arc<AtomicUsize>,
}
impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted(id: u32, drops: &Arc<AtomicUsize>) -> Counted {
    Counted {
        id,
        drops: drops.clone(),
    }
}

/// Runs `body` in a loom model (preemption bound 3) on a fresh registry holding one
/// value, `counted(1)` with every summary word 11: the registry, the drop counter and the
/// value's handle.
fn bounded_with_one_value(
    body: impl Fn(Arc<Registry<Counted>>, Arc<AtomicUsize>, u64) + Sync + Send + 'static,
) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(move || {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r
            .insert_summarised(counted(1, &drops), [11; SUMMARY_WORDS])
            .unwrap();
        body(r, drops, h)
    });
}

/// The value a pinner sees, checking it is not dropped while pinned.
fn pinned_id(r: &Registry<Counted>, h: u64, drops: &AtomicUsize) -> Option<u32> {
    r.with(h, |v| {
        assert_eq!(drops.load(Ordering::SeqCst), 0, "dropped while pinned");
        v.id
    })
}

#[test]
fn pinner_races_closer() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r.insert(counted(1, &drops)).unwrap();
        let reader = {
            let (r, drops) = (r.clone(), drops.clone());
            thread::spawn(move || pinned_id(&r, h, &drops))
        };
        assert!(r.remove(h));
        let seen = reader.join().unwrap();
        assert!(seen == Some(1) || seen.is_none());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(r.live(), 0);
        assert_eq!(r.with(h, |v| v.id), None);
    });
}

#[test]
fn stale_handle_never_reaches_the_reused_slot() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r.insert(counted(1, &drops)).unwrap();
        let reader = {
            let r = r.clone();
            thread::spawn(move || r.with(h, |v| v.id))
        };
        assert!(r.remove(h));
        // Reuses h's slot if it was freed already, else takes the next one.
        let h2 = r.insert(counted(2, &drops)).unwrap();
        assert_ne!(h2, h);
        let seen = reader.join().unwrap();
        assert!(seen == Some(1) || seen.is_none(), "{seen:?}");
        assert_eq!(r.with(h2, |v| v.id), Some(2));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(r.remove(h2));
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn two_closers_one_wins() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r.insert(counted(1, &drops)).unwrap();
        let other = {
            let r = r.clone();
            thread::spawn(move || r.remove(h))
        };
        let mine = r.remove(h);
        let theirs = other.join().unwrap();
        assert!(mine ^ theirs, "exactly one close succeeds");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(r.live(), 0);
    });
}

#[test]
fn two_pinners_and_a_closer() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r.insert(counted(7, &drops)).unwrap();
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (r, drops) = (r.clone(), drops.clone());
                thread::spawn(move || pinned_id(&r, h, &drops))
            })
            .collect();
        assert!(r.remove(h));
        for t in readers {
            let seen = t.join().unwrap();
            assert!(seen == Some(7) || seen.is_none());
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// The close lands while the pinner holds the slot: the closer's reclaim must leave the
/// value to the pinner, whose unpin drops it (exactly once) and frees the slot.
#[test]
fn unpin_racing_close_reclaims() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let pinned = Arc::new(AtomicUsize::new(0));
        let h = r.insert(counted(3, &drops)).unwrap();
        let pinner = {
            let (r, drops, pinned) = (r.clone(), drops.clone(), pinned.clone());
            thread::spawn(move || {
                r.with(h, |v| {
                    pinned.store(1, Ordering::Release);
                    assert_eq!(drops.load(Ordering::SeqCst), 0, "dropped while pinned");
                    v.id
                })
            })
        };
        while pinned.load(Ordering::Acquire) == 0 {
            thread::yield_now();
        }
        assert!(r.remove(h));
        assert_eq!(pinner.join().unwrap(), Some(3));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(r.live(), 0);
        // Freed, not leaked: the next insert takes the same slot, under a new generation.
        let h2 = r.insert(counted(4, &drops)).unwrap();
        assert_eq!(h2 & 0xFFFF_FFFF, h & 0xFFFF_FFFF);
        assert_ne!(h2, h);
        assert_eq!(r.with(h, |v| v.id), None);
    });
}

#[test]
fn summary_reader_races_closer_and_reuser() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r
            .insert_summarised(counted(1, &drops), [11; SUMMARY_WORDS])
            .unwrap();
        let reader = {
            let r = r.clone();
            thread::spawn(move || (r.summary_word(h, 0), r.summary_word(h, SUMMARY_WORDS - 1)))
        };
        assert!(r.remove(h));
        // No reader is counted in the slot: it is freed now and reused at once.
        let h2 = r
            .insert_summarised(counted(2, &drops), [22; SUMMARY_WORDS])
            .unwrap();
        assert_eq!(h2 & 0xFFFF_FFFF, h & 0xFFFF_FFFF, "same slot");
        let (first, last) = reader.join().unwrap();
        for seen in [first, last] {
            assert!(seen == Some(11) || seen.is_none(), "{seen:?}");
        }
        assert_eq!(r.summary_word(h2, 3), Some(22));
        assert_eq!(r.summary_word(h, 3), None);
        assert!(r.remove(h2));
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn with_summary_races_closer_and_reuser() {
    // `with_summary` reads the summary with plain loads while counted in the slot: it
    // sees the value and summary of its handle, both or neither, never a reuser's.
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r
            .insert_summarised(counted(1, &drops), [11; SUMMARY_WORDS])
            .unwrap();
        let reader = {
            let r = r.clone();
            thread::spawn(move || r.with_summary(h, |v, s| (v.id, *s)))
        };
        assert!(r.remove(h));
        let h2 = r
            .insert_summarised(counted(2, &drops), [22; SUMMARY_WORDS])
            .unwrap();
        assert_ne!(h2, h);
        let seen = reader.join().unwrap();
        assert!(
            seen == Some((1, [11; SUMMARY_WORDS])) || seen.is_none(),
            "{seen:?}"
        );
        assert_eq!(
            r.with_summary(h2, |v, s| (v.id, *s)),
            Some((2, [22; SUMMARY_WORDS]))
        );
        assert_eq!(r.with_summary(h, |v, s| (v.id, *s)), None);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn summary_reader_with_reader_closer_and_reuser() {
    // A summary reader, a `with` reader (which may hold the slot past the close, so
    // the reuser may or may not get the same slot) and a closer-then-reuser.
    bounded_with_one_value(|r, drops, h| {
        let summary_reader = {
            let r = r.clone();
            thread::spawn(move || r.summary_word(h, 2))
        };
        let reader = {
            let r = r.clone();
            thread::spawn(move || r.with(h, |v| v.id))
        };
        assert!(r.remove(h));
        let h2 = r
            .insert_summarised(counted(2, &drops), [22; SUMMARY_WORDS])
            .unwrap();
        assert_ne!(h2, h);
        let seen = summary_reader.join().unwrap();
        assert!(seen == Some(11) || seen.is_none(), "{seen:?}");
        let seen = reader.join().unwrap();
        assert!(seen == Some(1) || seen.is_none(), "{seen:?}");
        assert_eq!(r.summary_word(h2, 2), Some(22));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn close_free_and_reuse_in_three_threads() {
    // The close, the free (by a `with` reader still inside the slot) and the reuse in
    // different threads, a summary reader in a fourth: the closer must clear the key
    // before its compare-and-swap lets anyone free the slot (module comment), or its
    // late clearing could wipe the key of the handle that reuses the slot.
    bounded_with_one_value(|r, drops, h| {
        let closer = {
            let r = r.clone();
            thread::spawn(move || r.remove(h))
        };
        let reuser = {
            let (r, drops) = (r.clone(), drops.clone());
            thread::spawn(move || {
                let seen = r.with(h, |v| v.id);
                let h2 = r
                    .insert_summarised(counted(2, &drops), [22; SUMMARY_WORDS])
                    .unwrap();
                (seen, h2)
            })
        };
        let seen = r.summary_word(h, 0);
        assert!(seen == Some(11) || seen.is_none(), "{seen:?}");
        assert!(closer.join().unwrap());
        let (seen, h2) = reuser.join().unwrap();
        assert!(seen == Some(1) || seen.is_none(), "{seen:?}");
        assert_eq!(r.summary_word(h, 0), None);
        assert_eq!(r.summary_word(h2, 0), Some(22));
        assert!(r.remove(h2));
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn summary_reader_races_insert_of_a_new_slot() {
    // A handle read while another thread inserts into the neighbouring slot of the
    // same chunk: the read sees its own summary, the new handle its own.
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h = r
            .insert_summarised(counted(1, &drops), [11; SUMMARY_WORDS])
            .unwrap();
        let inserter = {
            let (r, drops) = (r.clone(), drops.clone());
            thread::spawn(move || {
                r.insert_summarised(counted(2, &drops), [22; SUMMARY_WORDS])
                    .unwrap()
            })
        };
        assert_eq!(r.summary_word(h, 5), Some(11));
        let h2 = inserter.join().unwrap();
        assert_eq!(r.summary_word(h2, 5), Some(22));
        assert_eq!(r.summary_word(h, 5), Some(11));
    });
}

#[test]
fn inserts_race_across_a_chunk_boundary() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        // Fill the first chunk (2 slots) but one, so the two inserts straddle it.
        let h0 = r.insert(counted(0, &drops)).unwrap();
        let other = {
            let (r, drops) = (r.clone(), drops.clone());
            thread::spawn(move || {
                let h = r.insert(counted(1, &drops)).unwrap();
                (h, r.with(h, |v| v.id))
            })
        };
        let h2 = r.insert(counted(2, &drops)).unwrap();
        assert_eq!(r.with(h2, |v| v.id), Some(2));
        let (h1, seen) = other.join().unwrap();
        assert_eq!(seen, Some(1));
        assert!(h0 != h1 && h1 != h2 && h0 != h2);
        assert_eq!(r.live(), 3);
        drop(r);
    });
}

/// Two threads each close a handle and open a new one, so that pushes and pops of the
/// free stack race (the ABA case: a slot popped, reused and pushed back between another
/// pop's read of the top and its compare-and-swap). Every handle stays distinct, each
/// resolves to its own value, every value is dropped exactly once, and the stack ends
/// holding exactly the freed slots (two inserts afterwards reuse them, no new slot).
#[test]
fn free_stack_pushes_and_pops_race() {
    loom::model(|| {
        let r = Arc::new(Registry::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let h1 = r.insert(counted(1, &drops)).unwrap();
        let h2 = r.insert(counted(2, &drops)).unwrap();
        let other = {
            let (r, drops) = (r.clone(), drops.clone());
            thread::spawn(move || {
                assert!(r.remove(h1));
                let h = r.insert(counted(3, &drops)).unwrap();
                (h, r.with(h, |v| v.id))
            })
        };
        assert!(r.remove(h2));
        let h4 = r.insert(counted(4, &drops)).unwrap();
        assert_eq!(r.with(h4, |v| v.id), Some(4));
        let (h3, seen) = other.join().unwrap();
        assert_eq!(seen, Some(3));
        assert!(h3 != h4 && ![h1, h2].contains(&h3) && ![h1, h2].contains(&h4));
        assert_eq!((r.with(h1, |v| v.id), r.with(h2, |v| v.id)), (None, None));
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        // Both slots of the first chunk went round the stack: no third slot was made.
        assert!(h3 & 0xFFFF_FFFF <= 2 && h4 & 0xFFFF_FFFF <= 2);
        assert!(r.remove(h3) && r.remove(h4));
        assert_eq!(drops.load(Ordering::SeqCst), 4);
    });
}
