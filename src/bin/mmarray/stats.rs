//! `mmarray stats`: count, min, max, mean, std (ddof 0), NaN and inf counts of numeric
//! data, streamed over chunks by every core (std::thread::scope), with a progress bar on
//! stderr when it is a terminal and the run takes longer than half a second.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mmarray::View;

use crate::data::{self, Num};
use crate::fastf64;
use crate::pyfloat::{self, Width};
use crate::{info::json_str, input, slicing, write_failure, Failure, Outcome, RawOpts};

/// Elements per work unit.
const PIECE: usize = 1 << 16;

/// Running statistics of one part (the values, or the real or imaginary parts).
#[derive(Clone, Debug)]
struct Acc {
    count: u64,
    nan: u64,
    posinf: u64,
    neginf: u64,
    /// Finite values only.
    finite: u64,
    min: f64,
    max: f64,
    imin: i128,
    imax: i128,
    isum: i128,
    /// Neumaier-compensated sum of the finite values.
    sum: f64,
    comp: f64,
    /// Welford over the finite values: mean (minus `shift`) and sum of squared
    /// deviations.
    mean: f64,
    /// A value near the data (its first finite value; the same in every partial result
    /// that is merged): means are kept relative to it, so that the merges of partial
    /// results of data far from 0 (1e9 + noise) do not lose the deviations to the
    /// rounding of large means.
    shift: f64,
    m2: f64,
}

impl Acc {
    fn new() -> Acc {
        Acc {
            count: 0,
            nan: 0,
            posinf: 0,
            neginf: 0,
            finite: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            imin: i128::MAX,
            imax: i128::MIN,
            isum: 0,
            sum: 0.0,
            comp: 0.0,
            mean: 0.0,
            m2: 0.0,
            shift: 0.0,
        }
    }

    fn with_shift(shift: f64) -> Acc {
        Acc {
            shift,
            ..Acc::new()
        }
    }

    fn push_f(&mut self, x: f64) {
        self.count += 1;
        if x.is_nan() {
            self.nan += 1;
            return;
        }
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        if x.is_infinite() {
            if x > 0.0 {
                self.posinf += 1;
            } else {
                self.neginf += 1;
            }
            return;
        }
        self.finite += 1;
        let t = self.sum + x;
        self.comp += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
        let x = x - self.shift;
        let d = x - self.mean;
        self.mean += d / self.finite as f64;
        self.m2 += d * (x - self.mean);
    }

    fn push_i(&mut self, v: i128) {
        self.imin = self.imin.min(v);
        self.imax = self.imax.max(v);
        self.isum += v;
        self.count += 1;
        self.finite += 1;
        let x = v as f64;
        let d = x - self.mean;
        self.mean += d / self.finite as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Native float64 values (one work unit): each block of `fastf64::BLOCK` values
    /// of finite sums is summarised in one vectorised pass (two when the shift from the
    /// mean so far is poor: fastf64.rs); a block holding a NaN or an
    /// infinity goes value by value. The blocks' means and squared deviations are merged
    /// with Chan's formula in coordinates shifted by the first block's mean (block
    /// means of data far from 0, e.g. 1e9 + noise, would otherwise carry their float64
    /// rounding into every merge), then the unit is merged as one partial result.
    fn push_f64_slice(&mut self, xs: &[f64]) {
        let mut unit = Acc::with_shift(self.shift);
        let mut shift = None;
        let (mut n, mut mean_off, mut m2) = (0.0f64, 0.0f64, 0.0f64);
        for c in xs.chunks(fastf64::BLOCK) {
            // The shift of the one-pass sums: the unit's mean so far, else the first value.
            let k = shift.map_or(c[0], |s: f64| s + mean_off);
            let Some(b) = fastf64::block(c, k) else {
                c.iter().for_each(|&x| self.push_f(x));
                continue;
            };
            let k = *shift.get_or_insert(b.rough);
            let nb = b.n as f64;
            let off = (b.rough - k) + b.dev / nb;
            let total = n + nb;
            let d = off - mean_off;
            mean_off += d * nb / total;
            m2 += b.m2 + d * d * n * nb / total;
            n = total;
            unit.add_sum(b.rough_sum);
            unit.add_sum(b.dev);
            unit.min = unit.min.min(b.min);
            unit.max = unit.max.max(b.max);
        }
        if let Some(k) = shift {
            unit.count = n as u64;
            unit.finite = n as u64;
            unit.mean = (k - self.shift) + mean_off;
            unit.m2 = m2;
            self.merge(&unit);
        }
    }

    /// Adds `x` to the compensated sum.
    fn add_sum(&mut self, x: f64) {
        let t = self.sum + x;
        self.comp += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    /// Chan et al.'s merge of two partial results.
    fn merge(&mut self, o: &Acc) {
        debug_assert!(self.shift == o.shift || o.finite == 0);
        let (na, nb) = (self.finite as f64, o.finite as f64);
        if o.finite > 0 {
            let n = na + nb;
            let d = o.mean - self.mean;
            self.mean += d * nb / n;
            self.m2 += o.m2 + d * d * na * nb / n;
        }
        self.count += o.count;
        self.nan += o.nan;
        self.posinf += o.posinf;
        self.neginf += o.neginf;
        self.finite += o.finite;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.imin = self.imin.min(o.imin);
        self.imax = self.imax.max(o.imax);
        self.isum += o.isum;
        let t = self.sum + o.sum;
        self.comp += o.comp
            + if self.sum.abs() >= o.sum.abs() {
                (self.sum - t) + o.sum
            } else {
                (o.sum - t) + self.sum
            };
        self.sum = t;
    }
}

/// The work units of a (collapsed) view: rows of its last axis cut into pieces.
struct Plan {
    shape: Vec<usize>,
    strides: Vec<i64>,
    pieces_per_row: usize,
    units: usize,
}

impl Plan {
    fn new(view: &View) -> Plan {
        let (mut shape, mut strides) = data::collapse(view.shape(), view.strides());
        if shape.is_empty() {
            shape.push(if view.size() == 0 { 0 } else { 1 });
            strides.push(0);
        }
        let last = *shape.last().unwrap_or(&0);
        let rows: usize = shape[..shape.len() - 1].iter().product();
        let pieces_per_row = last.div_ceil(PIECE);
        Plan {
            units: rows * pieces_per_row,
            shape,
            strides,
            pieces_per_row,
        }
    }

    /// Byte offset, stride and count of unit `u`.
    fn unit(&self, u: usize) -> (i64, i64, usize) {
        let mut row = u / self.pieces_per_row;
        let piece = u % self.pieces_per_row;
        let n = self.shape.len();
        let mut off = 0i64;
        for a in (0..n - 1).rev() {
            off += (row % self.shape[a]) as i64 * self.strides[a];
            row /= self.shape[a];
        }
        let first = piece * PIECE;
        let count = PIECE.min(self.shape[n - 1] - first);
        (
            off + first as i64 * self.strides[n - 1],
            self.strides[n - 1],
            count,
        )
    }
}

fn compute(
    view: &View,
    kind: Num,
    swap: bool,
    threads: usize,
) -> Result<Vec<Acc>, mmarray::MmError> {
    let plan = Plan::new(view);
    let parts = if matches!(kind, Num::Complex(_)) {
        2
    } else {
        1
    };
    let next = AtomicUsize::new(0);
    let done_units = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let isz = view.itemsize();
    let f64s = matches!(kind, Num::Float(8)) && !swap;
    let aligned = view.data_ptr() as usize % 8 == 0 && plan.strides.iter().all(|&s| s % 8 == 0);
    if f64s && aligned && plan.shape.len() == 1 && plan.strides[0] == 8 {
        // A hint: where the system has no such advice, nothing changes.
        let _ = view.advise(mmarray::Advice::Sequential);
    }
    // The shifts of the parts: their first values when finite (floats only).
    let mut shifts = vec![0.0f64; parts];
    if matches!(kind, Num::Float(_) | Num::Complex(_)) && plan.units > 0 {
        let (off, stride, _) = plan.unit(0);
        let mut first = Vec::new();
        data::gather(view, off, stride, 1, &mut first)?;
        let h = isz / parts;
        for (k, sh) in shifts.iter_mut().enumerate() {
            let x = data::float_at(h, &first[k * h..], swap);
            *sh = if x.is_finite() { x } else { 0.0 };
        }
    }
    let shifts = &shifts;
    let fresh = || -> Vec<Acc> { shifts.iter().map(|&k| Acc::with_shift(k)).collect() };
    let results = std::thread::scope(|s| {
        if std::io::stderr().is_terminal() {
            s.spawn(|| progress(&done_units, plan.units as u64, &finished));
        }
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| -> Result<Vec<Acc>, mmarray::MmError> {
                    let mut accs = fresh();
                    let mut buf = Vec::new();
                    let mut floats = Vec::new();
                    loop {
                        let u = next.fetch_add(1, Ordering::Relaxed);
                        if u >= plan.units {
                            return Ok(accs);
                        }
                        let (off, stride, count) = plan.unit(u);
                        if f64s && stride.unsigned_abs() == 8 && aligned {
                            // The unit's items are one run of memory (backwards for a
                            // negative stride): read in place.
                            let first = if stride < 0 {
                                off + (count as i64 - 1) * stride
                            } else {
                                off
                            };
                            let p = view.data_ptr().wrapping_offset(first as isize);
                            // SAFETY: the `count` items of the unit are elements of the
                            // view, which the core checked lie inside its mapping (kept
                            // for the view's lifetime, read-only here); `p` is 8-aligned
                            // (`aligned`: the data pointer and every offset, a multiple
                            // of the stride, are). A page the file no longer backs raises
                            // SIGBUS, which `os::guard_sigbus` turns into a message.
                            let xs = unsafe { std::slice::from_raw_parts(p as *const f64, count) };
                            accs[0].push_f64_slice(xs);
                            done_units.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        data::gather(view, off, stride, count, &mut buf)?;
                        if f64s {
                            floats.clear();
                            floats.extend(
                                buf.chunks_exact(8)
                                    .map(|c| f64::from_ne_bytes(c.try_into().expect("8 bytes"))),
                            );
                            accs[0].push_f64_slice(&floats);
                            done_units.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        for b in buf.chunks_exact(isz) {
                            match kind {
                                Num::Bool | Num::Int(_) | Num::UInt(_) => {
                                    accs[0].push_i(data::int_at(kind, b, swap))
                                }
                                Num::Float(n) => accs[0].push_f(data::float_at(n, b, swap)),
                                Num::Complex(n) => {
                                    let h = n / 2;
                                    accs[0].push_f(data::float_at(h, b, swap));
                                    accs[1].push_f(data::float_at(h, &b[h..], swap));
                                }
                            }
                        }
                        done_units.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let mut total = fresh();
        let mut err = None;
        for w in workers {
            match w.join() {
                Ok(Ok(accs)) => total.iter_mut().zip(&accs).for_each(|(t, a)| t.merge(a)),
                Ok(Err(e)) => err = Some(e),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        finished.store(true, Ordering::Relaxed);
        match err {
            Some(e) => Err(e),
            None => Ok(total),
        }
    });
    results
}

/// Shows a bar on stderr once the run has lasted half a second (a shorter run draws
/// nothing), until `finished`. `done` counts up to `total`.
pub fn progress(done: &AtomicU64, total: u64, finished: &AtomicBool) {
    let start = Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
        if bar.is_none() && start.elapsed() >= Duration::from_millis(500) {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {percent}% eta {eta}",
            ) {
                b.set_style(style);
            }
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done.load(Ordering::Relaxed));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

/// One result: name, text, JSON text.
type Field = (&'static str, String, String);

/// The results as (name, text, json) triples, numpy's semantics: min, max, mean and std
/// are nan when a NaN is present; mean and std follow IEEE arithmetic with infinities.
fn fields(a: &Acc, kind: Num) -> Vec<Field> {
    let integer = matches!(kind, Num::Bool | Num::Int(_) | Num::UInt(_));
    let width = match kind {
        Num::Float(2) | Num::Complex(4) => Width::F16,
        Num::Float(4) | Num::Complex(8) => Width::F32,
        _ => Width::F64,
    };
    let fl = |x: f64, w: Width| -> (String, String) {
        let t = if x.is_finite() && w != Width::F64 {
            let (d, e) = pyfloat::shortest(x, w);
            let digits: String = d.iter().map(|&c| c as char).collect();
            let v: f64 = format!(
                "{}{}e{}",
                if x.is_sign_negative() { "-" } else { "" },
                if digits.len() > 1 {
                    format!("{}.{}", &digits[..1], &digits[1..])
                } else {
                    digits
                },
                e
            )
            .parse()
            .unwrap_or(x);
            pyfloat::py_repr(v)
        } else {
            pyfloat::py_repr(x)
        };
        let j = match t.as_str() {
            "nan" => "NaN".to_string(),
            "inf" => "Infinity".to_string(),
            "-inf" => "-Infinity".to_string(),
            _ => t.clone(),
        };
        (t, j)
    };
    let mut f = vec![
        ("count", a.count.to_string(), a.count.to_string()),
        ("nan", a.nan.to_string(), a.nan.to_string()),
        ("posinf", a.posinf.to_string(), a.posinf.to_string()),
        ("neginf", a.neginf.to_string(), a.neginf.to_string()),
    ];
    if a.count == 0 {
        return f;
    }
    if integer {
        f.push(("min", a.imin.to_string(), a.imin.to_string()));
        f.push(("max", a.imax.to_string(), a.imax.to_string()));
        let mean = a.isum as f64 / a.count as f64;
        let (t, j) = fl(mean, Width::F64);
        f.push(("mean", t, j));
    } else {
        let nan = a.nan > 0;
        for (name, v) in [("min", a.min), ("max", a.max)] {
            let (t, j) = fl(if nan { f64::NAN } else { v }, width);
            f.push((name, t, j));
        }
        let mean = if nan || (a.posinf > 0 && a.neginf > 0) {
            f64::NAN
        } else if a.posinf > 0 {
            f64::INFINITY
        } else if a.neginf > 0 {
            f64::NEG_INFINITY
        } else {
            (a.sum + a.comp) / a.count as f64
        };
        let (t, j) = fl(mean, Width::F64);
        f.push(("mean", t, j));
    }
    let std = if a.nan > 0 || a.posinf > 0 || a.neginf > 0 {
        f64::NAN
    } else {
        (a.m2 / a.count as f64).sqrt()
    };
    let (t, j) = fl(std, Width::F64);
    f.push(("std", t, j));
    f
}

pub fn run(
    path: &Path,
    slice: Option<&str>,
    json: bool,
    threads: Option<usize>,
    raw: &RawOpts,
    out: &mut impl Write,
) -> Outcome<u8> {
    let input = input::open(path, raw)?;
    let view = slicing::apply(&input.view, slice)?;
    let Some((kind, swap)) = data::numeric(view.dtype()) else {
        return Err(Failure::new(format!(
            "mmarray: {}: stats needs a numeric dtype (bool, int, uint, float16/32/64, complex64/128), not {}",
            path.display(),
            view.dtype().typestr()
        )));
    };
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    crate::os::guard_sigbus(&path.display().to_string());
    let accs = compute(&view, kind, swap, threads).map_err(|e| input::fail(path, &e))?;
    let parts: Vec<(&str, Vec<Field>)> = if accs.len() == 2 {
        vec![
            ("real", fields(&accs[0], kind)),
            ("imag", fields(&accs[1], kind)),
        ]
    } else {
        vec![("", fields(&accs[0], kind))]
    };
    let w = |r: std::io::Result<()>| r.map_err(write_failure);
    if json {
        let obj = |f: &[Field]| {
            let body: Vec<String> = f
                .iter()
                .map(|(k, _, j)| format!("{}: {j}", json_str(k)))
                .collect();
            format!("{{{}}}", body.join(", "))
        };
        if parts.len() == 1 {
            w(writeln!(out, "{}", obj(&parts[0].1)))?;
        } else {
            w(writeln!(
                out,
                "{{\"real\": {}, \"imag\": {}}}",
                obj(&parts[0].1),
                obj(&parts[1].1)
            ))?;
        }
    } else {
        for (part, f) in &parts {
            for (k, t, _) in f {
                let key = if part.is_empty() {
                    k.to_string()
                } else {
                    format!("{part}.{k}")
                };
                w(writeln!(out, "{:<12}{t}", format!("{key}:")))?;
            }
        }
    }
    Ok(0)
}
