//! Model checks of the sharded count under every interleaving loom explores (two shard
//! words): run with `RUSTFLAGS="--cfg loom" cargo test --release --lib loom_model`.
//! Each checks that the value is dropped exactly once, and never while a reference
//! lives (a thread holding one asserts the value is not dropped yet).

use super::*;
use loom::sync::atomic::AtomicUsize;
use loom::sync::Arc;
use loom::thread;

/// A value that counts its drops.
struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
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
        let root = SharedCount::new(Counted(drops.clone()));
        drop(root.clone_in(0)); // shard 0 active and idle
        let central = root.clone();
        let d = drops.clone();
        let t = thread::spawn(move || {
            let s = central.clone_in(0);
            drop(central);
            alive(&d);
            drop(s);
        });
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
        let root = SharedCount::new(Counted(drops.clone()));
        let a = root.clone_in(0);
        let b = root.clone_in(1);
        let t = thread::spawn(move || drop(a));
        let u = thread::spawn(move || drop(b));
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
        let root = SharedCount::new(Counted(drops.clone()));
        let a = root.clone_in(1); // the shard words exist; shard 0 inactive
        let b = a.clone();
        let d = drops.clone();
        let t = thread::spawn(move || {
            let s = a.clone_in(0);
            drop(a);
            alive(&d);
            drop(s);
        });
        let s = b.clone_in(0);
        drop(root);
        drop(b);
        alive(&drops);
        drop(s);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
