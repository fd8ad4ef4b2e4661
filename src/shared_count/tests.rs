//! Unit tests of the sharded count (Miri runs them: scripts/reliability.sh).

use super::*;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// A value that counts its drops, so a double drop or a leak is seen.
struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted() -> (SharedCount<Counted>, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    (SharedCount::new(Counted(drops.clone())), drops)
}

/// The central word and each shard word of the block behind `r`.
fn words<T>(r: &SharedCount<T>) -> (u64, Vec<u64>) {
    let inner = r.inner();
    let shards = inner.shards.load(Ordering::SeqCst);
    let shards = if shards.is_null() {
        Vec::new()
    } else {
        // SAFETY: allocated, alive with the block `r` keeps.
        unsafe { &*shards }
            .iter()
            .map(|s| s.0.load(Ordering::SeqCst))
            .collect()
    };
    (inner.central.load(Ordering::SeqCst), shards)
}

#[test]
fn a_reference_is_one_pointer() {
    assert_eq!(
        std::mem::size_of::<SharedCount<u64>>(),
        std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<Option<SharedCount<u64>>>(),
        std::mem::size_of::<usize>()
    );
}

/// Every order of dropping a mix of references (central, clones of it, two shards, a
/// clone of a shard reference): the value is dropped once, by the last drop.
#[test]
fn the_value_is_dropped_once_after_the_last_reference_in_any_order() {
    let orders: &[[usize; 6]] = &[
        [0, 1, 2, 3, 4, 5],
        [5, 4, 3, 2, 1, 0],
        [2, 0, 4, 1, 5, 3],
        [0, 2, 3, 4, 5, 1],
        [1, 0, 5, 4, 2, 3],
        [3, 5, 2, 4, 0, 1],
    ];
    for order in orders {
        let (root, drops) = counted();
        let central = root.clone();
        let s0 = root.clone_in(0);
        let s1 = central.clone_in(1);
        let s0_again = s1.clone_in(SHARDS); // shard 0 too
        let s1_clone = s1.clone();
        assert!(SharedCount::ptr_eq(&s1_clone, &root));
        let mut refs: Vec<Option<SharedCount<Counted>>> = vec![
            Some(root),
            Some(central),
            Some(s0),
            Some(s1),
            Some(s0_again),
            Some(s1_clone),
        ];
        for (k, &i) in order.iter().enumerate() {
            assert_eq!(drops.load(Ordering::SeqCst), 0, "{order:?} before drop {k}");
            refs[i] = None;
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1, "{order:?}");
    }
}

/// The words as the module comment says: a shard keeps its unit while idle, the root's
/// drop drains (idle shards give their unit back), a busy drained shard gives it back
/// with its last reference, and a reference made after the drain activates a shard
/// again.
#[test]
fn shards_keep_their_unit_until_the_drain() {
    let (root, drops) = counted();
    assert!(!root.has_shards());
    drop(root.clone_in(3));
    let (central, shards) = words(&root);
    assert_eq!(central, REF + UNIT);
    assert_eq!(shards[3], ACTIVE);
    assert_eq!(shards.iter().filter(|&&w| w != 0).count(), 1);
    let busy = root.clone_in(5);
    let busy2 = busy.clone();
    assert_eq!(words(&root), (REF + 2 * UNIT, words(&root).1));
    assert_eq!(words(&root).1[5], ACTIVE | 2);
    drop(root);
    // Shard 3 was idle: its unit went back with the drain; shard 5 keeps its own.
    let (central, shards) = words(&busy);
    assert_eq!(central, UNIT);
    assert_eq!(shards[3], DRAIN);
    assert_eq!(shards[5], ACTIVE | DRAIN | 2);
    assert!(shards.iter().all(|&w| w & DRAIN != 0));
    // Made after the drain: shard 7 is activated, keeping DRAIN.
    let late = busy2.clone_in(7);
    assert_eq!(words(&late).0, 2 * UNIT);
    assert_eq!(words(&late).1[7], ACTIVE | DRAIN | 1);
    drop(busy);
    drop(busy2);
    assert_eq!(words(&late).0, UNIT);
    assert_eq!(words(&late).1[5], DRAIN);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    let again = late.clone_in(5);
    drop(late);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(again);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// Clones made on shards after the root was dropped, from shard references only.
#[test]
fn clones_on_shards_after_the_root_was_dropped() {
    let (root, drops) = counted();
    let s = root.clone_in(2);
    drop(root);
    let mut chain = vec![s];
    for i in 0..3 * SHARDS {
        let next = chain.last().unwrap().clone_in(i);
        chain.push(next);
        if i % 2 == 0 {
            chain.remove(0);
        }
        assert_eq!(drops.load(Ordering::SeqCst), 0);
    }
    while let Some(r) = chain.pop() {
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(r);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// A value never cloned onto a shard allocates no shard words, however it is cloned.
#[test]
fn shard_words_are_allocated_by_the_first_shard_clone_only() {
    let (root, drops) = counted();
    let clones: Vec<_> = (0..5).map(|_| root.clone()).collect();
    assert!(!root.has_shards());
    assert_eq!(words(&root), (6 * REF, Vec::new()));
    drop(clones);
    let s = root.clone_in(1);
    assert!(root.has_shards());
    drop(root);
    drop(s);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// Threads that each clone onto shards (their own and a neighbour's, so several threads
/// share shards and activate them at once) and drop, while the root is dropped midway.
#[test]
fn threads_clone_and_drop_concurrently() {
    let rounds = if cfg!(miri) { 20 } else { 20_000 };
    let threads = if cfg!(miri) { 3 } else { 2 * SHARDS + 1 };
    for _ in 0..if cfg!(miri) { 1 } else { 5 } {
        let (root, drops) = counted();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let mine = root.clone();
                let drops = drops.clone();
                std::thread::spawn(move || {
                    for k in 0..rounds {
                        let a = mine.clone_in(t);
                        let b = a.clone_in(t + 1 + k % 3);
                        let c = b.clone();
                        drop(a);
                        assert_eq!(drops.load(Ordering::SeqCst), 0);
                        drop(c);
                        drop(b);
                    }
                    // The last one keeps a shard reference, not a central one.
                    let last = mine.clone_in(t);
                    drop(mine);
                    last
                })
            })
            .collect();
        drop(root);
        let lasts: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        assert_eq!(
            words(&lasts[0]).0 >> 32,
            words(&lasts[0])
                .1
                .iter()
                .filter(|&&w| w & ACTIVE != 0)
                .count() as u64
        );
        drop(lasts);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

/// A block freed while the spare is empty becomes the spare and is the next block made
/// (the same memory), holding the new value; a block too large or too aligned for the
/// spare never is one.
/// Other tests make blocks at the same time, so one round may find the spare taken: of
/// 50 rounds most reuse it.
#[test]
fn a_freed_block_is_the_next_block() {
    let mut reused = 0;
    for round in 0..50u64 {
        let (a, drops_a) = counted();
        let at = a.inner_ptr() as usize;
        drop(a);
        assert_eq!(drops_a.load(Ordering::SeqCst), 1);
        // Kept as the spare (malloc alone may also hand the same address back).
        let kept = block::spare() as usize == at;
        let b = SharedCount::new(round);
        reused += (kept && b.inner_ptr() as usize == at) as u32;
        assert_eq!(*b.get(), round);
        assert_eq!(words(&b), (REF, vec![]));
    }
    assert!(reused > 25, "{reused} of 50");
    assert!(SharedCount::<Counted>::block_fits());
    assert!(!SharedCount::<[u8; block::SIZE]>::block_fits());
    #[repr(align(64))]
    struct Wide(u64);
    assert!(!SharedCount::<Wide>::block_fits());
    for _ in 0..3 {
        let big = SharedCount::new([7u8; block::SIZE]);
        let wide = SharedCount::new(Wide(9));
        assert_ne!(big.inner_ptr() as *mut u8, block::spare());
        assert_eq!((big.get()[0], wide.get().0), (7, 9));
        assert_eq!(wide.inner_ptr() as usize % 64, 0);
        drop((big, wide));
    }
}

/// Threads making and dropping blocks at once, through the spare and past it: each value
/// is dropped once and read intact by its own references (Miri checks the hand-overs).
#[test]
fn threads_make_and_free_blocks_concurrently() {
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..20 {
                    let (a, drops) = counted();
                    let v = SharedCount::new(t * 100 + i);
                    let c = v.clone_in(t as usize);
                    drop(a);
                    assert_eq!(drops.load(Ordering::SeqCst), 1);
                    assert_eq!((*v.get(), *c.get()), (t * 100 + i, t * 100 + i));
                    drop(v);
                    assert_eq!(*c.get(), t * 100 + i);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
