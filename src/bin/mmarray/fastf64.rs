//! The fast path of `mmarray stats` for native float64 items that lie next to each
//! other in memory: the statistics of a block of values read straight from the mapping
//! (no copy), in one pass over memory.
//!
//! Each block of [`BLOCK`] values (16 KiB) is summarised in one pass: min, max, and the
//! sums of `x - k` and `(x - k)^2` for a shift `k` near the block's mean (the previous
//! block's mean; the first value for the first block), in independent vector lanes
//! (AVX2 and FMA when the CPU has them, chosen at run time; else 8 lanes of portable
//! code). Then `m2 = S2 - S1^2 / n`. That formula loses accuracy only when the shift is
//! far from the mean: when `S1^2 / n > 4 m2` (the condition number of the one-pass sum
//! is 1 + (mean - k)^2 / variance, here at most 5) the block, still hot in L1, is summed
//! again by the corrected two-pass algorithm around its mean. A block whose sums are not
//! finite (it holds a NaN or an infinity, or finite values whose sums overflow) is left
//! to the caller's value-by-value path. The blocks are combined with Chan et al.'s
//! pairwise formula (stats.rs).
//!
//! Error: a block's m2 is within about 5 x 128 x eps = 7e-14 relative (sums of 128
//! values per lane, condition number at most 5; the two-pass fallback is better); the
//! merges (means relative to the data's first value, stats.rs) add O(eps) per level and
//! the mean is a compensated sum of the block sums. The oracle tests hold mean and std
//! to rel 1e-12 of numpy's float64 result (measured at most 2e-15, 1e9 + noise too).
//!
//! Reading the mapping directly means a file truncated underneath by another process
//! would raise SIGBUS on a load: [`guard_sigbus`] installs a handler that prints which
//! file and exits with status 1 (the tool's failure status), instead of dying of the
//! signal. The other commands read through the core's guarded copies.

/// Values per block: 16 KiB, so a second pass, when needed, reads from L1.
pub const BLOCK: usize = 2048;

/// The summary of one block of finite values.
pub struct Block {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    /// The block's mean is `rough + dev / n` and its sum `rough_sum + dev`, where
    /// `rough` is the shift the deviations `dev` were summed from and `rough_sum` is
    /// `rough * n`.
    pub rough: f64,
    pub rough_sum: f64,
    pub dev: f64,
    /// Sum of squared deviations from the block's mean.
    pub m2: f64,
}

/// The one-pass result when it is well conditioned (see the module documentation).
fn one_pass(n: usize, min: f64, max: f64, k: f64, s1: f64, s2: f64) -> Option<Block> {
    let d = s1 / n as f64;
    let m2 = s2 - s1 * d;
    (m2 >= 0.0 && s1 * d <= 4.0 * m2).then_some(Block {
        n,
        min,
        max,
        rough: k,
        rough_sum: k * n as f64,
        dev: s1,
        m2,
    })
}

/// The corrected two-pass sums around `rough` (portable; the block is in L1).
fn two_pass(xs: &[f64], min: f64, max: f64, rough: f64) -> Option<Block> {
    const L: usize = 8;
    let mut q = [0.0f64; L];
    let mut e = [0.0f64; L];
    let chunks = xs.chunks_exact(L);
    let tail = chunks.remainder();
    for c in chunks {
        for j in 0..L {
            let d = c[j] - rough;
            q[j] += d * d;
            e[j] += d;
        }
    }
    let mut sq = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
    let mut dev = ((e[0] + e[1]) + (e[2] + e[3])) + ((e[4] + e[5]) + (e[6] + e[7]));
    for &x in tail {
        let d = x - rough;
        sq += d * d;
        dev += d;
    }
    if !sq.is_finite() {
        return None;
    }
    let n = xs.len();
    Some(Block {
        n,
        min,
        max,
        rough,
        rough_sum: rough * n as f64,
        dev,
        m2: (sq - dev * dev / n as f64).max(0.0),
    })
}

/// The last step of both kernels: the values the vector body left (`tail`, the end of
/// `xs`) folded in one by one, then the one-pass result, else the two-pass one.
fn conclude(
    xs: &[f64],
    tail: &[f64],
    mut min: f64,
    mut max: f64,
    k: f64,
    mut s1: f64,
    mut s2: f64,
) -> Option<Block> {
    for &x in tail {
        min = min.min(x);
        max = max.max(x);
        let d = x - k;
        s1 += d;
        s2 += d * d;
    }
    if !(s1.is_finite() && s2.is_finite()) {
        return None;
    }
    one_pass(xs.len(), min, max, k, s1, s2)
        .or_else(|| two_pass(xs, min, max, k + s1 / xs.len() as f64))
}

/// The portable form (8 lanes LLVM may vectorise).
fn summarise(xs: &[f64], k: f64) -> Option<Block> {
    const L: usize = 8;
    if xs.is_empty() {
        return None;
    }
    let mut lo = [f64::INFINITY; L];
    let mut hi = [f64::NEG_INFINITY; L];
    let mut s1 = [0.0f64; L];
    let mut s2 = [0.0f64; L];
    let chunks = xs.chunks_exact(L);
    let tail = chunks.remainder();
    for c in chunks {
        for j in 0..L {
            let x = c[j];
            // Select forms that compile to minpd/maxpd (a NaN makes the sums NaN, and
            // such a block is not summarised here).
            lo[j] = if x < lo[j] { x } else { lo[j] };
            hi[j] = if x > hi[j] { x } else { hi[j] };
            let d = x - k;
            s1[j] += d;
            s2[j] += d * d;
        }
    }
    let min = lo.iter().copied().fold(f64::INFINITY, f64::min);
    let max = hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let add8 = |a: &[f64; L]| ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    conclude(xs, tail, min, max, k, add8(&s1), add8(&s2))
}

/// [`summarise`] with AVX2 and FMA intrinsics: 16 values per step, four independent
/// 4-lane accumulators for each sum and two for min and max (LLVM's auto-vectorisation
/// of lane arrays mixed scalar and 2-lane code here).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn summarise_avx2(xs: &[f64], k: f64) -> Option<Block> {
    use std::arch::x86_64::*;
    const STEP: usize = 16;
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let body = n - n % STEP;
    let p = xs.as_ptr();
    let lanes = |v: __m256d| -> [f64; 4] {
        let mut a = [0.0f64; 4];
        // SAFETY: a 32-byte unaligned store into a local array of 4 f64.
        unsafe { _mm256_storeu_pd(a.as_mut_ptr(), v) };
        a
    };
    let hsum = |v: __m256d| -> f64 {
        let a = lanes(v);
        (a[0] + a[1]) + (a[2] + a[3])
    };
    let kv = _mm256_set1_pd(k);
    let mut lo = [_mm256_set1_pd(f64::INFINITY); 2];
    let mut hi = [_mm256_set1_pd(f64::NEG_INFINITY); 2];
    let mut s1 = [_mm256_setzero_pd(); 4];
    let mut s2 = [_mm256_setzero_pd(); 4];
    let mut i = 0;
    while i < body {
        for j in 0..4 {
            // SAFETY: i + 4j + 4 <= body <= n: inside `xs`.
            let x = unsafe { _mm256_loadu_pd(p.add(i + 4 * j)) };
            // minpd/maxpd return the second operand when either is NaN; a NaN makes
            // the sums NaN and the block is refused.
            lo[j & 1] = _mm256_min_pd(x, lo[j & 1]);
            hi[j & 1] = _mm256_max_pd(x, hi[j & 1]);
            let d = _mm256_sub_pd(x, kv);
            s1[j] = _mm256_add_pd(s1[j], d);
            s2[j] = _mm256_fmadd_pd(d, d, s2[j]);
        }
        i += STEP;
    }
    let min = lanes(_mm256_min_pd(lo[0], lo[1]))
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let max = lanes(_mm256_max_pd(hi[0], hi[1]))
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let t1 = hsum(_mm256_add_pd(
        _mm256_add_pd(s1[0], s1[1]),
        _mm256_add_pd(s1[2], s1[3]),
    ));
    let t2 = hsum(_mm256_add_pd(
        _mm256_add_pd(s2[0], s2[1]),
        _mm256_add_pd(s2[2], s2[3]),
    ));
    conclude(xs, &xs[body..], min, max, k, t1, t2)
}

/// The block's summary around the shift `k` (a value near the block's mean: the
/// previous block's mean), or None when a value is not finite (or the sums overflow).
pub fn block(xs: &[f64], k: f64) -> Option<Block> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { summarise_avx2(xs, k) };
        }
    }
    summarise(xs, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(b: &Block) -> f64 {
        b.rough + b.dev / b.n as f64
    }

    #[test]
    fn block_as_the_definition() {
        let xs: Vec<f64> = (0..1003)
            .map(|i| (i as f64 * 0.37).sin() * 10.0 + 3.0)
            .collect();
        let n = xs.len() as f64;
        let want_mean = xs.iter().sum::<f64>() / n;
        let m2: f64 = xs.iter().map(|x| (x - want_mean) * (x - want_mean)).sum();
        // A good shift (one pass), a poor one (the two-pass fallback), and both kernels.
        for k in [3.0, 1e6, -1e12] {
            for b in [
                block(&xs, k).expect("finite"),
                summarise(&xs, k).expect("finite"),
            ] {
                assert_eq!(b.n, 1003);
                assert_eq!(b.min, xs.iter().copied().fold(f64::INFINITY, f64::min));
                assert_eq!(b.max, xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
                assert!(
                    (mean(&b) - want_mean).abs() <= 1e-14 * want_mean.abs(),
                    "{k}"
                );
                assert!((b.m2 - m2).abs() <= 1e-13 * m2, "{k}: {} {m2}", b.m2);
                assert!(((b.rough_sum + b.dev) - want_mean * n).abs() <= 1e-12 * want_mean * n);
            }
        }
    }

    #[test]
    fn one_pass_only_when_well_conditioned() {
        // 1e9 + small noise, shifted by 0: S1^2/n is 1e18 n, m2 tiny: two passes.
        let xs: Vec<f64> = (0..2048).map(|i| 1e9 + (i % 7) as f64).collect();
        let b = block(&xs, 0.0).expect("finite");
        assert_ne!(b.rough, 0.0, "the fallback sums around the block's mean");
        let m = xs.iter().sum::<f64>() / 2048.0;
        let m2: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
        assert!((b.m2 - m2).abs() <= 1e-12 * m2);
        let b = block(&xs, 1e9 + 3.0).expect("finite");
        assert_eq!(b.rough, 1e9 + 3.0, "a shift at the mean: one pass");
        assert!((b.m2 - m2).abs() <= 1e-12 * m2);
        // equal values: m2 exactly 0 either way
        assert_eq!(block(&[2.5; 100], 2.5).expect("finite").m2, 0.0);
        assert_eq!(block(&[2.5; 100], 1.0).expect("finite").m2, 0.0);
    }

    #[test]
    fn both_kernels_agree() {
        for n in [1, 15, 16, 17, 1003, 2048] {
            let xs: Vec<f64> = (0..n)
                .map(|i| (i as f64 * 0.91).cos() * 1e3 - 7.0)
                .collect();
            let (a, b) = (
                block(&xs, xs[0]).expect("finite"),
                summarise(&xs, xs[0]).expect("finite"),
            );
            assert_eq!((a.n, a.min, a.max), (b.n, b.min, b.max));
            assert!((mean(&a) - mean(&b)).abs() <= 1e-13 * mean(&b).abs().max(1.0));
            assert!((a.m2 - b.m2).abs() <= 1e-12 * b.m2.max(1.0), "{n}");
        }
    }

    #[test]
    fn non_finite_blocks_are_refused() {
        let mut xs = vec![1.0; 100];
        xs[17] = f64::NAN;
        assert!(block(&xs, 1.0).is_none());
        xs[17] = f64::INFINITY;
        assert!(block(&xs, 1.0).is_none());
        xs[17] = f64::MAX;
        xs[18] = f64::MAX;
        assert!(block(&xs, 1.0).is_none(), "the sums overflow");
        assert!(block(&[], 0.0).is_none());
    }
}
