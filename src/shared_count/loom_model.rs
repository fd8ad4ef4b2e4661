//! Model checks of the sharded count under every interleaving loom explores (two shard
//! words): run with `RUSTFLAGS="--cfg loom" cargo test --release --lib loom_model`.
//! Each checks that the value is dropped exactly once, and never while a reference
//! lives (a thread holding one asserts the value is not dropped yet); and, through a
//! loom cell that every holder reads and the value's drop writes, that every use
//! through any reference happens before the drop (loom reports the race otherwise).

use super::*;
use loom::cell::UnsafeCell;
use loom::sync::atomic::AtomicUsize;
use loom::sync::Arc;
use loom::thread;

/// A value that counts its drops, and a cell its drop writes.
struct Counted(Arc<AtomicUsize>, UnsafeCell<u32>);
impl Drop for Counted {
    fn drop(&mut self) {
        // SAFETY: loom checks that no read of the cell is concurrent with this write.
        self.1.with_mut(|p| unsafe { *p = 0 });
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted(drops: &Arc<AtomicUsize>) -> Counted {
    Counted(drops.clone(), UnsafeCell::new(7))
}

/// A use of the value through `r`, which must happen before the value's drop.
fn used(r: &SharedCount<Counted>) {
    // SAFETY: loom checks that no write of the cell is concurrent with this read.
    assert_eq!(r.get().1.with(|p| unsafe { *p }), 7);
}

fn alive(drops: &Arc<AtomicUsize>) {
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "dropped while a reference lives"
    );
}

fn model(body: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(body);
}

/// The root's drop (which drains, shard 0 holding a unit while idle) races another
/// thread's clone onto shard 0 and its drops.
#[test]
fn loom_model_root_drop_races_a_shard_clone_and_drop() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let root = SharedCount::new(counted(&drops));
        drop(root.clone_in(0)); // shard 0 active and idle
        let central = root.clone();
        let d = drops.clone();
        let t = thread::spawn(move || {
            let s = central.clone_in(0);
            used(&central);
            drop(central);
            alive(&d);
            used(&s);
            drop(s);
        });
        used(&root);
        drop(root);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// Two drops of references on the two shards race the drop of the last central
/// reference (the drain).
#[test]
fn loom_model_two_shard_drops_race_a_central_drop() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let root = SharedCount::new(counted(&drops));
        let a = root.clone_in(0);
        let b = root.clone_in(1);
        let t = thread::spawn(move || {
            used(&a);
            drop(a)
        });
        let u = thread::spawn(move || {
            used(&b);
            drop(b)
        });
        used(&root);
        drop(root);
        t.join().unwrap();
        u.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// Two threads activate one shard at once (one gives back its extra unit) while the
/// root is dropped.
#[test]
fn loom_model_two_threads_activate_one_shard() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let root = SharedCount::new(counted(&drops));
        let a = root.clone_in(1); // the shard words exist; shard 0 inactive
        let b = a.clone();
        let d = drops.clone();
        let t = thread::spawn(move || {
            let s = a.clone_in(0);
            drop(a);
            alive(&d);
            used(&s);
            drop(s);
        });
        let s = b.clone_in(0);
        drop(root);
        drop(b);
        alive(&drops);
        used(&s);
        drop(s);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// Two central references (no shard ever made) dropped on two threads: the last drop
/// finds the word at one reference and frees with a load alone (drop_central's fast
/// path), after the other thread's use of the value.
#[test]
fn loom_model_two_central_drops_race() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let root = SharedCount::new(counted(&drops));
        let other = root.clone();
        let t = thread::spawn(move || {
            used(&other);
            drop(other);
        });
        used(&root);
        drop(root);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
