use super::*;

/// mm_slice checks only that a slice's first and last index lie on the axis; the
/// general extent check (check_reach) must agree that every slice, and every slice
/// of a slice, stays in bounds.
#[test]
fn every_slice_passes_the_general_extent_check() {
    let tmp = crate::test_tempdir::TempDir::new("slice-reach");
    let spec = OpenSpec {
        dtype: DType::parse("<f8").unwrap(),
        mode: Mode::Write,
        offset: 0,
        shape: Some(vec![5, 3]),
        order: layout::Order::C,
    };
    let base = View::open(&tmp.path("a.f8"), &spec).unwrap();
    let reaches = |v: &View| v.check_reach(v.start, v.shape(), v.strides(), 8).is_ok();
    let mut slices = 0;
    for axis in 0..2 {
        for start in -7..8 {
            for stop in -7..8 {
                for step in [-3, -2, -1, 1, 2, 3, i64::MAX, i64::MIN] {
                    let v = base.slice(axis, start, stop, step).unwrap();
                    assert!(reaches(&v), "axis {axis} {start}:{stop}:{step}");
                    let w = v
                        .slice(1 - axis, stop, start, -step.max(-i64::MAX))
                        .unwrap();
                    assert!(reaches(&w), "then {stop}:{start}:{}", -step.max(-i64::MAX));
                    slices += 2;
                }
            }
        }
    }
    assert_eq!(slices, 2 * 15 * 15 * 8 * 2);
    drop(base);
}

/// Whether two views are the same view (mapping, dtype, position, shape, strides).
fn same_view(a: &View, b: &View) -> bool {
    a.same_mapping(b) && a.own_dtype == b.own_dtype && a.start == b.start && a.dims == b.dims
}

/// mm_slice's fast path against the general one: wherever it answers, the general
/// path answers the same view; it leaves to the general path exactly the slices that
/// fail (and the few whose arithmetic leaves 64 bits). Bases of 1 to 3 dimensions,
/// with negative, zero and huge strides, empty axes and a position far from 0.
#[test]
fn slice_fast_is_slice_general() {
    let tmp = crate::test_tempdir::TempDir::new("slice-fast");
    let spec = OpenSpec {
        dtype: DType::parse("<f8").unwrap(),
        mode: Mode::Write,
        offset: 0,
        shape: Some(vec![60]),
        order: layout::Order::C,
    };
    let file = View::open(&tmp.path("a.f8"), &spec).unwrap();
    let big = i64::MAX / 2;
    let bases = [
        file.clone(),
        file.view(None, 8, &[5, 3], None).unwrap(),
        file.view(None, 472, &[5, 3], Some(&[-16, -96])).unwrap(),
        file.view(None, 0, &[4, 1, 3], Some(&[24, 0, 8])).unwrap(),
        file.view(None, 0, &[3, 3], Some(&[0, 8])).unwrap(),
        file.view(None, big, &[0, 4], Some(&[big, -big])).unwrap(),
        file.view(None, -big, &[2, 0, 3], Some(&[i64::MIN, 8, i64::MAX]))
            .unwrap(),
        file.view(Some(DType::parse(">i4").unwrap()), 4, &[7], Some(&[12]))
            .unwrap(),
    ];
    let steps = [1, 2, 3, -1, -2, -5, 0, i64::MAX, i64::MIN, i64::MIN + 1];
    let (mut fast, mut general) = (0, 0);
    for base in &bases {
        for axis in 0..4 {
            for start in [-9, -3, -1, 0, 1, 2, 4, 9, i64::MIN, i64::MAX] {
                for stop in [-9, -2, -1, 0, 1, 3, 5, 9, i64::MIN, i64::MAX] {
                    for step in steps {
                        let want = base.slice_general(None, axis, start, stop, step);
                        match base.slice_fast(Some(axis), axis, start, stop, step) {
                            Some((got, made)) => {
                                let (want, want_made) = want.unwrap();
                                assert_eq!(made, want_made);
                                assert_eq!(
                                    (made.len, made.stride),
                                    (got.shape()[axis], got.strides()[axis])
                                );
                                assert!(
                                    same_view(&got, &want),
                                    "{:?} axis {axis} {start}:{stop}:{step}: {got:?} vs {want:?}",
                                    base.shape()
                                );
                                fast += 1;
                            }
                            None => {
                                // Only failures and 64-bit overflows are left over.
                                let ordinary =
                                    base.strides().iter().all(|s| s.unsigned_abs() < 1 << 40)
                                        && base.start.unsigned_abs() < 1 << 40
                                        && step.unsigned_abs() < 1 << 20;
                                assert!(
                                    want.is_err() || !ordinary,
                                    "{:?} axis {axis} {start}:{stop}:{step} left to the general path",
                                    base.shape()
                                );
                                general += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(fast + general, bases.len() * 4 * 10 * 10 * steps.len());
    assert!(fast > 10_000 && general > 5_000, "{fast} {general}");
}

/// size() answers 0-d and 1-D views without the product: the same number.
#[test]
fn size_is_the_product_of_the_shape() {
    let tmp = crate::test_tempdir::TempDir::new("view-size");
    let spec = OpenSpec {
        dtype: DType::parse("<f8").unwrap(),
        mode: Mode::Write,
        offset: 0,
        shape: Some(vec![24]),
        order: layout::Order::C,
    };
    let file = View::open(&tmp.path("a.f8"), &spec).unwrap();
    let shapes: &[&[usize]] = &[&[], &[0], &[1], &[24], &[2, 12], &[0, 3], &[2, 3, 4]];
    for &shape in shapes {
        let v = file.view(None, 0, shape, None).unwrap();
        assert_eq!(v.size(), shape.iter().product::<usize>(), "{shape:?}");
    }
    assert_eq!(file.slice(0, 1, 20, 3).unwrap().size(), 7);
}

#[test]
fn zeroed_dims_are_zero() {
    for len in 0..12 {
        let dims = Dims::zeroed(len);
        assert_eq!(&*dims, &vec![0usize; len][..], "{len}");
        assert_eq!(
            matches!(dims, Dims::Empty | Dims::Pair(_)),
            len == 0 || len == 2
        );
    }
}

#[test]
fn contiguous_dims_are_layouts_strides() {
    let shapes: &[&[usize]] = &[
        &[],
        &[0],
        &[5],
        &[3, 4],
        &[2, 0, 7],
        &[1, 1, 9],
        &[4, 3, 2, 5],
        &[usize::MAX],
        &[1 << 40, 1 << 30],
        &[1 << 62, 2],
        &[1 << 62],
        &[(1 << 63) - 1],
        &[1 << 63],
    ];
    for &shape in shapes {
        for itemsize in [0, 1, 8, 1 << 20, usize::MAX] {
            for order in [layout::Order::C, layout::Order::F] {
                let ours = contiguous_dims(shape, itemsize, order);
                if let Some(small) = small_contiguous_dims(shape, itemsize) {
                    // The open's shortcut is the general way's answer.
                    assert_eq!(Some(&small), ours.as_ref().ok(), "{shape:?} {itemsize}");
                }
                let theirs = layout::contiguous_strides(shape, itemsize, order)
                    .map(|s| pack_dims(shape, &s));
                match (ours, theirs) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{shape:?} {itemsize} {order:?}"),
                    (Err(a), Err(b)) => assert_eq!(a.message, b.message),
                    (a, b) => panic!("{shape:?} {itemsize} {order:?}: {a:?} vs {b:?}"),
                }
            }
        }
    }
}

/// Views made on shards of the mapping's count (mm_slice and mm_view from several
/// threads) share the mapping, and keep it mapped after the view they came from and
/// each other are dropped: their bytes stay readable until the last one goes.
#[test]
fn views_made_on_shards_keep_the_mapping() {
    let tmp = crate::test_tempdir::TempDir::new("view-shards");
    let spec = OpenSpec {
        dtype: DType::parse("<u8").unwrap(),
        mode: Mode::Write,
        offset: 0,
        shape: Some(vec![64]),
        order: layout::Order::C,
    };
    let base = View::open(&tmp.path("a.u8"), &spec).unwrap();
    for i in 0..64u64 {
        // SAFETY: element i of the 64 of a writable view.
        unsafe { (base.data_ptr() as *mut u64).add(i as usize).write(i * 3) };
    }
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let base = base.clone();
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                for k in 0..200usize {
                    let s = base.slice_in(Some(t), 0, (k % 60) as i64, 64, 2).unwrap();
                    let v = s.view_in(Some(t + 1), None, 8, &[2], Some(&[16])).unwrap();
                    assert!(v.same_mapping(&base));
                    if k % 50 == 0 {
                        kept.push(v);
                    }
                }
                kept
            })
        })
        .collect();
    let first = base.slice_in(Some(9), 0, 10, 11, 1).unwrap();
    drop(base);
    let kept: Vec<View> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(kept.len(), 16);
    // SAFETY: element 0 of a 1-element view over the live mapping.
    assert_eq!(unsafe { *(first.data_ptr() as *const u64) }, 30);
    drop(first);
    for v in &kept {
        // SAFETY: the view's two elements lie in the live mapping.
        let (a, b) = unsafe {
            let p = v.data_ptr() as *const u64;
            (*p, *p.add(2))
        };
        assert_eq!(b, a + 6);
        assert_eq!(a % 3, 0);
    }
}

/// The mapping's block (shared by a view and its slices) is small enough for the
/// reference count's one-block spare (src/shared_count.rs), so that mm_open + mm_close
/// in a loop allocates none.
#[test]
fn the_mapping_block_fits_the_spare() {
    assert!(
        SharedCount::<Shared>::block_fits(),
        "the mapping is {} bytes, align {}",
        std::mem::size_of::<Shared>(),
        std::mem::align_of::<Shared>()
    );
}
