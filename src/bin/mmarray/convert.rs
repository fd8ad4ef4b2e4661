//! `mmarray convert IN OUT`: raw <-> .npy, .npy -> raw, C <-> F order, byte order and
//! the dtype casts numpy calls safe. The output replaces OUT atomically through the
//! core's np.save machinery (`npy::save` for a view, `replace::replace_with` for a
//! converted copy): nothing is left behind on failure.

use std::fs::File;
use std::io::{IsTerminal, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use mmarray::npy::{self, header};
use mmarray::npz;
use mmarray::{layout, ByteOrder, DType, MmError, Order, View};

use crate::data::{self, Num};
use crate::{input, transpose, Failure, Outcome, RawOpts};

/// np.can_cast(from, to, 'safe') for the numeric kinds.
pub fn safe_cast(from: Num, to: Num) -> bool {
    use Num::*;
    // The smallest float size that holds every value of an integer of `n` bytes.
    let float_for_int = |n: usize| match n {
        1 => 2,
        2 => 4,
        _ => 8,
    };
    match (from, to) {
        (Bool, _) => true,
        (_, Bool) => false,
        (Int(a), Int(b)) | (UInt(a), UInt(b)) => b >= a,
        (UInt(a), Int(b)) => b > a,
        (Int(_), UInt(_)) => false,
        (Int(a) | UInt(a), Float(b)) => b >= float_for_int(a),
        (Int(a) | UInt(a), Complex(b)) => b / 2 >= float_for_int(a).max(4),
        (Float(a), Float(b)) => b >= a,
        (Float(a), Complex(b)) => b / 2 >= a.max(4),
        (Complex(a), Complex(b)) => b >= a,
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Val {
    I(i128),
    F(f64),
    C(f64, f64),
}

fn decode(kind: Num, swap: bool, b: &[u8]) -> Val {
    match kind {
        Num::Bool | Num::Int(_) | Num::UInt(_) => Val::I(data::int_at(kind, b, swap)),
        Num::Float(n) => Val::F(data::float_at(n, b, swap)),
        Num::Complex(n) => {
            let h = n / 2;
            Val::C(data::float_at(h, b, swap), data::float_at(h, &b[h..], swap))
        }
    }
}

fn put(out: &mut Vec<u8>, bytes: &[u8], swap: bool) {
    if swap {
        out.extend(bytes.iter().rev());
    } else {
        out.extend_from_slice(bytes);
    }
}

/// A float of `size` bytes; only called for safe casts, where the value is exact in the
/// target (or, int64 -> float64, rounded as numpy's C cast rounds: to nearest).
fn put_float(out: &mut Vec<u8>, size: usize, x: f64, swap: bool) {
    match size {
        2 => put(out, &crate::pyfloat::half_bits(x).to_ne_bytes(), swap),
        4 => put(out, &(x as f32).to_ne_bytes(), swap),
        _ => put(out, &x.to_ne_bytes(), swap),
    }
}

fn encode(kind: Num, swap: bool, v: Val, out: &mut Vec<u8>) {
    let as_f = |v: Val| match v {
        Val::I(i) => i as f64,
        Val::F(x) => x,
        Val::C(r, _) => r,
    };
    match kind {
        Num::Bool => out.push(matches!(v, Val::I(i) if i != 0) as u8),
        Num::Int(n) | Num::UInt(n) => {
            let i = match v {
                Val::I(i) => i,
                _ => 0,
            };
            put(
                out,
                &i.to_le_bytes()[..n],
                swap != cfg!(target_endian = "big"),
            );
        }
        Num::Float(n) => put_float(out, n, as_f(v), swap),
        Num::Complex(n) => {
            let (r, i) = match v {
                Val::C(r, i) => (r, i),
                other => (as_f(other), 0.0),
            };
            put_float(out, n / 2, r, swap);
            put_float(out, n / 2, i, swap);
        }
    }
}

fn swapped(dt: &DType) -> bool {
    !matches!(dt.byte_order(), ByteOrder::NotApplicable) && dt.byte_order() != ByteOrder::NATIVE
}

/// How items are turned into the output's.
#[derive(Clone, Copy)]
enum Conv {
    Copy,
    /// Decode as the first kind (swapped?), encode as the second (swapped?).
    Numeric(Num, bool, Num, bool),
    /// Reverse the bytes of each unit of this many bytes.
    Swap(usize),
}

/// For non-numeric dtypes that differ only in byte order (datetime64, timedelta64, str):
/// the unit whose bytes are reversed (numpy calls these casts safe).
fn swap_unit(from: &DType, to: &DType) -> Option<usize> {
    if from.fields().is_some() || to.fields().is_some() || from.kind() != to.kind() {
        return None;
    }
    if from.itemsize() != to.itemsize() || from.typestr().get(1..) != to.typestr().get(1..) {
        return None;
    }
    match from.kind() {
        'M' | 'm' => Some(8),
        'U' => Some(4),
        _ => None,
    }
}

/// Writes the items of `view` in C order of `view` (the caller transposes for F), each
/// converted to `to` when given, through a bounded buffer.
fn write_items(
    file: &mut File,
    view: &View,
    to: Option<&DType>,
    done: &AtomicU64,
) -> mmarray::Result<()> {
    let conv = match to {
        Some(t) if t != view.dtype() => match (data::numeric(view.dtype()), data::numeric(t)) {
            (Some((fk, fs)), Some((tk, _))) => Conv::Numeric(fk, fs, tk, swapped(t)),
            _ => match swap_unit(view.dtype(), t) {
                Some(unit) => Conv::Swap(unit),
                None => {
                    return Err(MmError::invalid(format!(
                        "no conversion from {} to {}",
                        view.dtype().typestr(),
                        t.typestr()
                    )))
                }
            },
        },
        _ => Conv::Copy,
    };
    let (shape, strides) = data::collapse(view.shape(), view.strides());
    let (shape, strides) = if shape.is_empty() {
        (vec![view.size()], vec![0])
    } else {
        (shape, strides)
    };
    if shape.contains(&0) {
        return Ok(());
    }
    let isz = view.itemsize();
    let mut conv_buf = Vec::new();
    // Converts (when asked) and writes a run of items in output order.
    let mut emit = |file: &mut File, buf: &mut [u8]| -> mmarray::Result<()> {
        let bytes: &[u8] = match conv {
            Conv::Copy => buf,
            Conv::Numeric(fk, fs, tk, ts) => {
                conv_buf.clear();
                for b in buf.chunks_exact(isz) {
                    encode(tk, ts, decode(fk, fs, b), &mut conv_buf);
                }
                &conv_buf
            }
            Conv::Swap(unit) => {
                for u in buf.chunks_exact_mut(unit) {
                    u.reverse();
                }
                buf
            }
        };
        file.write_all(bytes)
            .map_err(|e| MmError::os("write of the new file failed", &e))
    };
    if shape.len() == 2
        && isz > 0
        && matches!(conv, Conv::Copy)
        && strides[0] == isz as i64
        && strides[1] == (shape[0] * isz) as i64
    {
        // The transposition of a whole contiguous matrix: straight from the mapping, in
        // tiles, on every core (transpose.rs).
        let src = transpose::Source {
            base: view.data_ptr(),
            rows: shape[0],
            cols: shape[1],
            isz,
        };
        let start = file
            .stream_position()
            .map_err(|e| MmError::os("cannot tell the new file's position", &e))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        return transpose::write(file, start, &src, threads, done);
    }
    if shape.len() == 2 && isz > 0 && strides[0] == isz as i64 && strides[1] != isz as i64 {
        // A transposed 2-D source (C <-> F of a matrix): output row r is source column
        // r. Tiles of output rows are read as one contiguous run per source row and
        // transposed in memory, instead of a gather of one item per copy.
        // Within a tile, source columns are taken in blocks of about 512 bytes of output
        // row: each output row then gets one contiguous run per block, instead of one
        // item per source column at a stride of a whole output row (a power-of-two row
        // length made that stride thrash the cache sets and the TLB: 4x slower).
        let (rows, cols) = (shape[0], shape[1]);
        let tile_rows = ((32usize << 20) / (cols * isz)).clamp(1, rows);
        let block = (512 / isz).clamp(1, cols);
        let mut runs: Vec<Vec<u8>> = (0..block).map(|_| Vec::new()).collect();
        let mut out = Vec::new();
        let mut r0 = 0;
        while r0 < rows {
            let rn = tile_rows.min(rows - r0);
            out.clear();
            out.resize(rn * cols * isz, 0);
            for c0 in (0..cols).step_by(block) {
                let cn = block.min(cols - c0);
                for (k, run) in runs[..cn].iter_mut().enumerate() {
                    let at = (r0 * isz) as i64 + (c0 + k) as i64 * strides[1];
                    data::gather(view, at, isz as i64, rn, run)?;
                }
                for rr in 0..rn {
                    let o = (rr * cols + c0) * isz;
                    let row = &mut out[o..o + cn * isz];
                    for (k, run) in runs[..cn].iter().enumerate() {
                        row[k * isz..(k + 1) * isz].copy_from_slice(&run[rr * isz..(rr + 1) * isz]);
                    }
                }
            }
            emit(file, &mut out)?;
            done.fetch_add((rn * cols) as u64, Ordering::Relaxed);
            r0 += rn;
        }
        return Ok(());
    }
    let last = shape.len() - 1;
    let piece = (1usize << 20) / isz.max(1) + 1;
    let mut idx = vec![0usize; last];
    let mut buf = Vec::new();
    loop {
        let base: i64 = (0..last).map(|a| idx[a] as i64 * strides[a]).sum();
        let mut first = 0;
        while first < shape[last] {
            let count = piece.min(shape[last] - first);
            data::gather(
                view,
                base + first as i64 * strides[last],
                strides[last],
                count,
                &mut buf,
            )?;
            emit(file, &mut buf)?;
            first += count;
            done.fetch_add(count as u64, Ordering::Relaxed);
        }
        let mut a = last;
        loop {
            if a == 0 {
                return Ok(());
            }
            a -= 1;
            idx[a] += 1;
            if idx[a] < shape[a] {
                break;
            }
            idx[a] = 0;
        }
    }
}

/// The view with its axes reversed (numpy's `.T`): its C order is `view`'s F order.
fn transposed(view: &View) -> mmarray::Result<View> {
    let shape: Vec<usize> = view.shape().iter().rev().copied().collect();
    let strides: Vec<i64> = view.strides().iter().rev().copied().collect();
    view.view(None, 0, &shape, Some(&strides))
}

/// Several .npy files (or .npz members) into OUT.npz, as np.savez (or, `compress`,
/// np.savez_compressed) of {stem: array}: a member named after each input's file stem
/// (a member input: its name), in the order given.
fn to_npz(inputs: &[PathBuf], output: &Path, compress: bool, raw: &RawOpts) -> Outcome<u8> {
    if raw.given() {
        return Err(Failure::usage(
            "mmarray: convert to .npz takes .npy files (or .npz members) as they are: no --dtype, --shape, --offset or --order",
        ));
    }
    let mut names = Vec::new();
    let mut views = Vec::new();
    for path in inputs {
        let name = match input::split_member(path) {
            Some((_, member)) => member.strip_suffix(".npy").unwrap_or(&member).to_string(),
            None => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        if names.contains(&name) {
            return Err(Failure::usage(format!(
                "mmarray: {}: a second input named {name:?}: the members of a .npz need distinct names",
                path.display()
            )));
        }
        views.push(input::open(path, &RawOpts::default())?.view);
        names.push(name);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    npz::save(output, &refs, &views, compress)
        .map_err(|e| Failure::new(format!("mmarray: {}: {}", output.display(), e.message)))?;
    Ok(0)
}

pub fn run(paths: &[PathBuf], compress: bool, raw: &RawOpts) -> Outcome<u8> {
    let (output, inputs) = paths.split_last().expect("clap requires two paths");
    if input::is_npz_name(output) {
        return to_npz(inputs, output, compress, raw);
    }
    if compress {
        return Err(Failure::usage(format!(
            "mmarray: {}: --compress is for a .npz output",
            output.display()
        )));
    }
    let [input_path] = inputs else {
        return Err(Failure::usage(format!(
            "mmarray: {}: several inputs are converted only into a .npz archive",
            output.display()
        )));
    };
    run_one(input_path, output, raw)
}

fn run_one(input_path: &Path, output: &Path, raw: &RawOpts) -> Outcome<u8> {
    // A file with the .npy magic (or a .npz member) is read as .npy unless --shape or
    // --offset say it is to be read raw; for a .npy input, --dtype and --order describe
    // the output.
    let is_npy_in = raw.shape.is_none()
        && raw.offset.is_none()
        && (input::split_member(input_path).is_some() || input::has_npy_magic(input_path)?);
    let (inp, to_dtype, to_order) = if is_npy_in {
        let inp = input::open(input_path, &RawOpts::default())?;
        let dt = raw.dtype.as_deref().map(input::parse_dtype).transpose()?;
        let order = raw.order.as_deref().map(input::parse_order).transpose()?;
        (inp, dt, order)
    } else {
        (input::open(input_path, raw)?, None, None)
    };
    let view = &inp.view;
    let from = view.dtype().clone();
    if let Some(t) = &to_dtype {
        let ok = match (data::numeric(&from), data::numeric(t)) {
            (Some((fk, _)), Some((tk, _))) => safe_cast(fk, tk),
            _ => t == &from || swap_unit(&from, t).is_some(),
        };
        if !ok {
            return Err(Failure::new(format!(
                "mmarray: {}: cannot convert {} to {}: numpy does not call it a safe cast (np.can_cast(..., 'safe') is False)",
                input_path.display(),
                from.typestr(),
                t.typestr()
            )));
        }
    }
    let dtype = to_dtype.clone().unwrap_or_else(|| from.clone());
    let flags = view.flags();
    // The order the output is written in: asked for, else the input's own (np.save of
    // x.astype(dtype) keeps an F array in F order).
    let in_f = flags.f_contiguous && !flags.c_contiguous;
    let order = to_order.unwrap_or(if in_f { Order::F } else { Order::C });
    let to_npy = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let same_dtype = dtype == from;
    let fail = |e: MmError| Failure::new(format!("mmarray: {}: {}", output.display(), e.message));
    if to_npy && same_dtype && (to_order.is_none() || (order == Order::F) == in_f) {
        // np.save of the view itself.
        npy::save(view, output).map_err(fail)?;
        return Ok(0);
    }
    let shape = view.shape().to_vec();
    let f_strides = layout::contiguous_strides(&shape, dtype.itemsize(), Order::F).map_err(fail)?;
    // np.save's rule: the header says Fortran order only for an F- and not C-contiguous array.
    let fortran =
        order == Order::F && !layout::is_c_contiguous(&shape, &f_strides, dtype.itemsize());
    let source = if order == Order::F {
        transposed(view).map_err(fail)?
    } else {
        view.clone()
    };
    let head = if to_npy {
        header::encode(&dtype, &shape, fortran).map_err(fail)?
    } else {
        Vec::new()
    };
    let to = if same_dtype { None } else { Some(&dtype) };
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    // A transposition reads the mapping directly: a file truncated underneath is a
    // message and status 1, not a death by SIGBUS.
    crate::os::guard_sigbus(&input_path.display().to_string());
    std::thread::scope(|s| {
        // A progress bar on a terminal once the copy has taken half a second.
        if std::io::stderr().is_terminal() {
            s.spawn(|| crate::stats::progress(&done, source.size() as u64, &finished));
        }
        let result = mmarray::replace::replace_with(output, |file| {
            file.write_all(&head)
                .map_err(|e| MmError::os("write of the new file failed", &e))?;
            write_items(file, &source, to, &done)
        });
        finished.store(true, Ordering::Relaxed);
        result
    })
    .map_err(fail)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Num::*;

    #[test]
    fn safe_casts_as_numpy() {
        assert!(safe_cast(Int(4), Float(8)));
        assert!(!safe_cast(Int(4), Float(4)));
        assert!(safe_cast(Int(8), Float(8)));
        assert!(safe_cast(UInt(1), Int(2)));
        assert!(!safe_cast(UInt(8), Int(8)));
        assert!(!safe_cast(Int(1), UInt(8)));
        assert!(safe_cast(Float(4), Complex(8)));
        assert!(!safe_cast(Float(8), Complex(8)));
        assert!(safe_cast(Int(2), Complex(8)));
        assert!(!safe_cast(Int(4), Complex(8)));
        assert!(safe_cast(Int(1), Float(2)));
        assert!(!safe_cast(Float(8), Float(4)));
    }
}
