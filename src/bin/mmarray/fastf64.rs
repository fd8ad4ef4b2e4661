//! The fast path of `mmarray stats` for native float64 items that lie next to each
//! other in memory: the statistics of a block of values read straight from the mapping
//! (no copy), in one pass over memory.
//!
//! Each block of [`BLOCK`] values (16 KiB, hot in L1 after the first pass) is summarised
//! by the corrected two-pass algorithm: pass 1 takes min, max and the sum in 8
//! independent lanes (vectorised; with AVX2 and FMA when the CPU has them, chosen at run
//! time); pass 2 sums the deviations from the block's mean and their squares. A block
//! whose sum is not finite (it holds a NaN or an infinity, or finite values whose sum
//! overflows) is left to the caller's value-by-value path. The blocks are combined with
//! Chan et al.'s pairwise formula (`Acc::merge` in stats.rs).
//!
//! Error: within a block, the two-pass variance has a relative error of a few times
//! n·eps with n = 2048 (Chan, Golub, LeVeque 1983); the merges add O(eps) per level
//! and the mean is a compensated sum of the block sums. The oracle tests hold mean and
//! std to rel 1e-12 of numpy's float64 result.
//!
//! Reading the mapping directly means a file truncated underneath by another process
//! would raise SIGBUS on a load: [`guard_sigbus`] installs a handler that prints which
//! file and exits with status 1 (the tool's failure status), instead of dying of the
//! signal. The other commands read through the core's guarded copies.

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Values per block: 16 KiB, so pass 2 reads from L1.
pub const BLOCK: usize = 2048;

/// The summary of one block of finite values.
pub struct Block {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    /// The rough mean (sum / n), the rough mean times n and the sum of deviations from
    /// it (the last two add up to the block's sum).
    pub rough: f64,
    pub rough_sum: f64,
    pub dev: f64,
    /// Sum of squared deviations from `mean`.
    pub m2: f64,
}

/// The portable form (8 lanes LLVM may vectorise).
fn summarise(xs: &[f64]) -> Option<Block> {
    const L: usize = 8;
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mut lo = [f64::INFINITY; L];
    let mut hi = [f64::NEG_INFINITY; L];
    let mut s = [0.0f64; L];
    let chunks = xs.chunks_exact(L);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..L {
            let x = c[k];
            // Select forms that compile to minpd/maxpd (a NaN makes the sum NaN, and
            // such a block is not summarised here).
            lo[k] = if x < lo[k] { x } else { lo[k] };
            hi[k] = if x > hi[k] { x } else { hi[k] };
            s[k] += x;
        }
    }
    let mut min = lo.iter().copied().fold(f64::INFINITY, f64::min);
    let mut max = hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for &x in tail {
        min = min.min(x);
        max = max.max(x);
        sum += x;
    }
    if !sum.is_finite() {
        return None;
    }
    let rough = sum / n as f64;
    let mut q = [0.0f64; L];
    let mut e = [0.0f64; L];
    for c in xs.chunks_exact(L) {
        for k in 0..L {
            let d = c[k] - rough;
            q[k] += d * d;
            e[k] += d;
        }
    }
    let mut sq = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
    let mut dev = ((e[0] + e[1]) + (e[2] + e[3])) + ((e[4] + e[5]) + (e[6] + e[7]));
    for &x in tail {
        let d = x - rough;
        sq += d * d;
        dev += d;
    }
    finish(n, min, max, rough, sq, dev)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn summarise_avx2(xs: &[f64]) -> Option<Block> {
    use std::arch::x86_64::*;
    const STEP: usize = 16;
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let body = n - n % STEP;
    let p = xs.as_ptr();
    let hsum = |v: __m256d| -> f64 {
        let mut a = [0.0f64; 4];
        // SAFETY: a 32-byte unaligned store into a local array of 4 f64.
        unsafe { _mm256_storeu_pd(a.as_mut_ptr(), v) };
        (a[0] + a[1]) + (a[2] + a[3])
    };
    let lanes = |v: __m256d| -> [f64; 4] {
        let mut a = [0.0f64; 4];
        // SAFETY: as above.
        unsafe { _mm256_storeu_pd(a.as_mut_ptr(), v) };
        a
    };
    let (mut min, mut max, mut sum);
    {
        let mut lo = [_mm256_set1_pd(f64::INFINITY); 4];
        let mut hi = [_mm256_set1_pd(f64::NEG_INFINITY); 4];
        let mut s = [_mm256_setzero_pd(); 4];
        let mut i = 0;
        while i < body {
            for k in 0..4 {
                // SAFETY: i + 4k + 4 <= body <= n: inside `xs`.
                let x = unsafe { _mm256_loadu_pd(p.add(i + 4 * k)) };
                // minpd/maxpd return the second operand when either is NaN; a NaN
                // makes the sum NaN and the block is refused below.
                lo[k] = _mm256_min_pd(x, lo[k]);
                hi[k] = _mm256_max_pd(x, hi[k]);
                s[k] = _mm256_add_pd(s[k], x);
            }
            i += STEP;
        }
        let l = _mm256_min_pd(_mm256_min_pd(lo[0], lo[1]), _mm256_min_pd(lo[2], lo[3]));
        let h = _mm256_max_pd(_mm256_max_pd(hi[0], hi[1]), _mm256_max_pd(hi[2], hi[3]));
        min = lanes(l).iter().copied().fold(f64::INFINITY, f64::min);
        max = lanes(h).iter().copied().fold(f64::NEG_INFINITY, f64::max);
        sum = hsum(_mm256_add_pd(
            _mm256_add_pd(s[0], s[1]),
            _mm256_add_pd(s[2], s[3]),
        ));
    }
    for &x in &xs[body..] {
        min = min.min(x);
        max = max.max(x);
        sum += x;
    }
    if !sum.is_finite() {
        return None;
    }
    let rough = sum / n as f64;
    let (mut sq, mut dev);
    {
        let r = _mm256_set1_pd(rough);
        let mut q = [_mm256_setzero_pd(); 4];
        let mut e = [_mm256_setzero_pd(); 4];
        let mut i = 0;
        while i < body {
            for k in 0..4 {
                // SAFETY: as in pass 1.
                let d = _mm256_sub_pd(unsafe { _mm256_loadu_pd(p.add(i + 4 * k)) }, r);
                q[k] = _mm256_fmadd_pd(d, d, q[k]);
                e[k] = _mm256_add_pd(e[k], d);
            }
            i += STEP;
        }
        sq = hsum(_mm256_add_pd(
            _mm256_add_pd(q[0], q[1]),
            _mm256_add_pd(q[2], q[3]),
        ));
        dev = hsum(_mm256_add_pd(
            _mm256_add_pd(e[0], e[1]),
            _mm256_add_pd(e[2], e[3]),
        ));
    }
    for &x in &xs[body..] {
        let d = x - rough;
        sq += d * d;
        dev += d;
    }
    finish(n, min, max, rough, sq, dev)
}

fn finish(n: usize, min: f64, max: f64, rough: f64, sq: f64, dev: f64) -> Option<Block> {
    if !sq.is_finite() {
        return None;
    }
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

/// The block's summary, or None when a value is not finite (or the sums overflow).
pub fn block(xs: &[f64]) -> Option<Block> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { summarise_avx2(xs) };
        }
    }
    summarise(xs)
}

/// The message the SIGBUS handler writes (leaked once, never freed), and its length.
static MESSAGE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static MESSAGE_LEN: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_sigbus(_: libc::c_int) {
    let p = MESSAGE.load(Ordering::Acquire);
    let n = MESSAGE_LEN.load(Ordering::Acquire);
    // SAFETY: write(2) and _exit(2) are async-signal-safe; `p` is null or a leaked
    // buffer of `n` bytes.
    unsafe {
        if !p.is_null() {
            libc::write(2, p as *const libc::c_void, n);
        }
        libc::_exit(1);
    }
}

/// Installs the SIGBUS handler for the direct reads of `what` (a file name): a page
/// the file no longer backs ends the process with `message` on stderr and status 1.
pub fn guard_sigbus(what: &str) {
    let text = format!(
        "mmarray: {what}: the file no longer covers the data being read (truncated underneath while it was read)\n"
    )
    .into_bytes()
    .leak();
    MESSAGE_LEN.store(text.len(), Ordering::Release);
    MESSAGE.store(text.as_mut_ptr(), Ordering::Release);
    // SAFETY: a plain sigaction with a handler that only calls async-signal-safe
    // functions.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
    }
}

/// madvise(MADV_SEQUENTIAL) over the pages holding `len` bytes at `p` (a hint; its
/// failure changes nothing).
pub fn advise_sequential(p: *const u8, len: usize) {
    if len == 0 {
        return;
    }
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as usize;
    let start = p as usize / page * page;
    let end = p as usize + len;
    // SAFETY: a hint over pages of our own mapping; it does not change their contents.
    unsafe {
        libc::madvise(
            start as *mut libc::c_void,
            end - start,
            libc::MADV_SEQUENTIAL,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_as_the_definition() {
        let xs: Vec<f64> = (0..1003)
            .map(|i| (i as f64 * 0.37).sin() * 10.0 + 3.0)
            .collect();
        let b = block(&xs).expect("finite");
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let m2: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
        assert_eq!(b.n, 1003);
        assert_eq!(b.min, xs.iter().copied().fold(f64::INFINITY, f64::min));
        assert_eq!(b.max, xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        assert!(((b.rough + b.dev / n) - mean).abs() <= 1e-14 * mean.abs());
        assert!((b.m2 - m2).abs() <= 1e-13 * m2);
        assert!(((b.rough_sum + b.dev) - mean * n).abs() <= 1e-12 * (mean * n).abs());
    }

    #[test]
    fn both_kernels_agree() {
        for n in [1, 15, 16, 17, 1003, 2048] {
            let xs: Vec<f64> = (0..n)
                .map(|i| (i as f64 * 0.91).cos() * 1e3 - 7.0)
                .collect();
            let (a, b) = (block(&xs).expect("finite"), summarise(&xs).expect("finite"));
            assert_eq!((a.n, a.min, a.max), (b.n, b.min, b.max));
            let mean = |k: &Block| k.rough + k.dev / k.n as f64;
            assert!((mean(&a) - mean(&b)).abs() <= 1e-13 * mean(&b).abs().max(1.0));
            assert!((a.m2 - b.m2).abs() <= 1e-12 * b.m2.max(1.0), "{n}");
        }
    }

    #[test]
    fn non_finite_blocks_are_refused() {
        let mut xs = vec![1.0; 100];
        xs[17] = f64::NAN;
        assert!(block(&xs).is_none());
        xs[17] = f64::INFINITY;
        assert!(block(&xs).is_none());
        xs[17] = f64::MAX;
        xs[18] = f64::MAX;
        assert!(block(&xs).is_none(), "the sum overflows");
        assert!(block(&[]).is_none());
    }
}
