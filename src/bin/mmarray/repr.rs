//! `mmarray show`: numpy's repr of an array (arrayprint's rules: threshold 1000,
//! edgeitems 3, linewidth 75, floatmode 'maxprec' with precision 8), or CSV, JSON or raw
//! bytes.

use std::io::Write;
use std::path::Path;

use mmarray::View;

use crate::data::{self, Num};
use crate::items::{bytes_repr, decode, str_repr, words};
use crate::pyfloat;
use crate::{input, slicing, write_failure, Failure, Format, Outcome, RawOpts};

const THRESHOLD: usize = 1000;
const EDGEITEMS: usize = 3;
const LINEWIDTH: usize = 75;

/// numpy's _formatArray over the picked items (`dims`: the picked lengths; `summary`:
/// whether axes longer than 2*edgeitems were cut to their edges).
struct Layout<'a> {
    words: &'a [String],
    dims: Vec<usize>,
    /// Per axis: whether it was cut to its edges (numpy's `...` goes there).
    cut: Vec<bool>,
    separator: &'a str,
}

/// Python's len() of a text: code points, not bytes.
fn chars(s: &str) -> usize {
    s.chars().count()
}

fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, prefix: &str) {
    let mut wrap = chars(line) + chars(word) > width;
    if chars(line) <= chars(prefix) {
        wrap = false;
    }
    if wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = prefix.to_string();
    }
    line.push_str(word);
}

impl Layout<'_> {
    /// `at`: index of the first item of this sub-array in `words`; `axis`: its depth.
    fn recurse(&self, axis: usize, at: usize, hanging: &str, width: usize) -> String {
        let ndim = self.dims.len();
        if axis == ndim {
            return self.words[at].clone();
        }
        let next_hanging = format!("{hanging} ");
        let next_width = width - 1;
        let len = self.dims[axis];
        let block: usize = self.dims[axis + 1..].iter().product();
        let show_summary = self.cut[axis];
        let (leading, trailing) = if show_summary {
            (EDGEITEMS, EDGEITEMS)
        } else {
            (0, len)
        };
        // Item k from the end (trailing: k = trailing..1) is at position len - k.
        let child =
            |pos: usize| self.recurse(axis + 1, at + pos * block, &next_hanging, next_width);
        let mut s = String::new();
        let axes_left = ndim - axis;
        if axes_left == 1 {
            let sep_trim = self.separator.trim_end();
            let elem_width = width - sep_trim.len().max(1);
            let mut line = hanging.to_string();
            for i in 0..leading {
                extend_line(&mut s, &mut line, &child(i), elem_width, hanging);
                line.push_str(self.separator);
            }
            if show_summary {
                extend_line(&mut s, &mut line, "...", elem_width, hanging);
                line.push_str(self.separator);
            }
            for k in (2..=trailing).rev() {
                extend_line(&mut s, &mut line, &child(len - k), elem_width, hanging);
                line.push_str(self.separator);
            }
            extend_line(&mut s, &mut line, &child(len - 1), elem_width, hanging);
            s.push_str(&line);
        } else {
            let line_sep = format!(
                "{}{}",
                self.separator.trim_end(),
                "\n".repeat(axes_left - 1)
            );
            for i in 0..leading {
                s.push_str(hanging);
                s.push_str(&child(i));
                s.push_str(&line_sep);
            }
            if show_summary {
                s.push_str(hanging);
                s.push_str("...");
                s.push_str(&line_sep);
            }
            for k in (2..=trailing).rev() {
                s.push_str(hanging);
                s.push_str(&child(len - k));
                s.push_str(&line_sep);
            }
            s.push_str(hanging);
            s.push_str(&child(len - 1));
        }
        format!("[{}]", &s[hanging.len()..])
    }
}

/// numpy's dtype_short_repr, and whether the repr leaves the dtype out (implied).
fn dtype_repr(view: &View) -> (String, bool) {
    let dt = view.dtype();
    let name = crate::info::dtype_name(dt);
    let native = dt.is_native();
    let implied = native && matches!(name.as_str(), "int64" | "float64" | "complex128" | "bool");
    let flexible = matches!(dt.kind(), 'S' | 'U') && dt.fields().is_none();
    let text = if native && !flexible {
        // dtype_short_repr: a name that is not alphanumeric ("timedelta64[s]") is quoted
        if name.chars().all(|c| c.is_ascii_alphanumeric()) {
            name
        } else {
            format!("'{name}'")
        }
    } else {
        format!("'{}'", dt.typestr())
    };
    (text, implied)
}

/// What `show` can print: numbers, or bytes/str items (printed as Python's repr).
#[derive(Clone, Copy)]
enum Printable {
    Num(Num, bool),
    Bytes,
    /// UCS-4, byte-swapped?
    Str(bool),
    /// timedelta64 (an int64 count, i64::MIN is NaT), byte-swapped?
    Timedelta(bool),
    /// datetime64: byte-swapped?, unit, multiplier
    Datetime(bool, &'static str, u32),
}

fn printable(view: &View) -> Option<Printable> {
    let dt = view.dtype();
    if let Some((kind, swap)) = data::numeric(dt) {
        return Some(Printable::Num(kind, swap));
    }
    match dt.kind() {
        _ if dt.fields().is_some() => None,
        'S' => Some(Printable::Bytes),
        'U' => Some(Printable::Str(
            dt.byte_order() != mmarray::ByteOrder::NATIVE,
        )),
        'm' => Some(Printable::Timedelta(
            dt.byte_order() != mmarray::ByteOrder::NATIVE,
        )),
        'M' => {
            let (unit, mult) = dt.datetime_unit()?;
            Some(Printable::Datetime(
                dt.byte_order() != mmarray::ByteOrder::NATIVE,
                unit,
                mult,
            ))
        }
        _ => None,
    }
}

/// numpy's TimedeltaFormat: the counts right-aligned to the widest of min and max, NaT
/// as 'NaT' (quoted, at least 5 wide).
fn timedelta_words(bytes: &[u8], swap: bool) -> Vec<String> {
    let values: Vec<i64> = bytes
        .chunks_exact(8)
        .map(|b| data::int_at(Num::Int(8), b, swap) as i64)
        .collect();
    let valid = values.iter().filter(|&&v| v != i64::MIN);
    let (min, max) = (valid.clone().min(), valid.max());
    let mut w = match (min, max) {
        (Some(a), Some(b)) => a.to_string().len().max(b.to_string().len()),
        _ => 0,
    };
    if values.contains(&i64::MIN) {
        w = w.max(5);
    }
    values
        .iter()
        .map(|&v| {
            if v == i64::MIN {
                format!("{:>w$}", "'NaT'")
            } else {
                format!("{v:>w$}")
            }
        })
        .collect()
}

/// numpy's repr(view) for bool, integer, float, complex, bytes, str and timedelta64
/// dtypes; None for the others.
pub fn numpy_repr(view: &View, full: bool) -> Outcome<Option<String>> {
    let Some(what) = printable(view) else {
        return Ok(None);
    };
    let shape = view.shape().to_vec();
    let size: usize = shape.iter().product();
    let (dtype_text, implied) = dtype_repr(view);
    let mut extras = Vec::new();
    let summary = !full && size > THRESHOLD;
    // numpy >= 2.2 names the shape of an array past the threshold (not under --full,
    // which is numpy's threshold=sys.maxsize).
    if (size == 0 && shape != [0]) || summary {
        extras.push(format!("shape={}", mmarray::dtype::shape_text(&shape)));
    }
    if !implied || size == 0 {
        extras.push(format!("dtype={dtype_text}"));
    }
    let prefix = "array(";
    let body = if size == 0 {
        "[]".to_string()
    } else {
        let picks: Vec<Vec<usize>> = shape
            .iter()
            .map(|&n| {
                if summary && n > 2 * EDGEITEMS {
                    (0..EDGEITEMS).chain(n - EDGEITEMS..n).collect()
                } else {
                    (0..n).collect()
                }
            })
            .collect();
        let bytes = data::pick(view, &picks).map_err(|e| read_fail(view, &e))?;
        let isz = view.itemsize();
        let count: usize = picks.iter().map(Vec::len).product();
        let words = match what {
            Printable::Num(kind, swap) => words(&decode(kind, swap, &bytes, isz), shape.is_empty()),
            // numpy's 'numpystr' format: each item's repr, unpadded.
            // (an S0 or U0 item has no bytes: every item is empty)
            Printable::Bytes if isz == 0 => vec!["b''".to_string(); count],
            Printable::Str(_) if isz == 0 => vec!["''".to_string(); count],
            Printable::Bytes => bytes.chunks_exact(isz).map(bytes_repr).collect(),
            Printable::Str(swap) => bytes.chunks_exact(isz).map(|b| str_repr(b, swap)).collect(),
            Printable::Timedelta(swap) => timedelta_words(&bytes, swap),
            Printable::Datetime(swap, unit, mult) => {
                match crate::items::datetime_words(&bytes, swap, unit, mult) {
                    Some(w) => w,
                    None => return Ok(None),
                }
            }
        };
        let layout = Layout {
            words: &words,
            dims: picks.iter().map(Vec::len).collect(),
            cut: shape
                .iter()
                .map(|&n| summary && n > 2 * EDGEITEMS)
                .collect(),
            separator: ", ",
        };
        // array2string's linewidth less the suffix ")"; the hanging indent skips "array([".
        let hanging = " ".repeat(prefix.len() + 1);
        layout.recurse(0, 0, &hanging, LINEWIDTH - 1)
    };
    if extras.is_empty() {
        return Ok(Some(format!("{prefix}{body})")));
    }
    let arr = format!("{prefix}{body},");
    let extra = format!("{})", extras.join(", "));
    let last_line = chars(&arr[arr.rfind('\n').map_or(0, |i| i + 1)..]);
    let spacer = if last_line + chars(&extra) + 1 > LINEWIDTH {
        format!("\n{}", " ".repeat(prefix.len()))
    } else {
        " ".to_string()
    };
    Ok(Some(format!("{arr}{spacer}{extra}")))
}

fn read_fail(view: &View, e: &mmarray::MmError) -> Failure {
    let name = view
        .filename()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    Failure::new(format!("mmarray: {name}: {}", e.message))
}

/// One item as CSV/JSON text: Python's repr for floats, JSON's spelling when `json`.
fn plain(kind: Num, swap: bool, b: &[u8], json: bool) -> String {
    let float = |x: f64| -> String {
        if json && !x.is_finite() {
            return if x.is_nan() {
                "NaN".into()
            } else if x > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            };
        }
        pyfloat::py_repr(x)
    };
    match kind {
        Num::Bool => match (b[0] != 0, json) {
            (true, true) => "true".into(),
            (false, true) => "false".into(),
            (true, false) => "True".into(),
            (false, false) => "False".into(),
        },
        Num::Int(_) | Num::UInt(_) => data::int_at(kind, b, swap).to_string(),
        Num::Float(n) => float(data::float_at(n, b, swap)),
        Num::Complex(n) => {
            let h = n / 2;
            let (r, i) = (data::float_at(h, b, swap), data::float_at(h, &b[h..], swap));
            if json {
                format!("[{}, {}]", float(r), float(i))
            } else {
                format!(
                    "{}{}{}j",
                    float(r),
                    if i >= 0.0 || i.is_nan() { "+" } else { "" },
                    float(i)
                )
            }
        }
    }
}

/// Streams the view in C order, one row of the last axis at a time (0-d: one row of one).
fn for_each_row(view: &View, mut f: impl FnMut(&[usize], &[u8]) -> Outcome<()>) -> Outcome<()> {
    let shape = view.shape().to_vec();
    let strides = view.strides().to_vec();
    let mut row = Vec::new();
    if shape.is_empty() {
        data::gather(view, 0, 0, 1, &mut row).map_err(|e| read_fail(view, &e))?;
        return f(&[], &row);
    }
    if shape.contains(&0) {
        return Ok(());
    }
    let last = shape.len() - 1;
    let mut idx = vec![0usize; last];
    loop {
        let base: i64 = (0..last).map(|a| idx[a] as i64 * strides[a]).sum();
        data::gather(view, base, strides[last], shape[last], &mut row)
            .map_err(|e| read_fail(view, &e))?;
        f(&idx, &row)?;
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

pub fn run(
    path: &Path,
    slice: Option<&str>,
    full: bool,
    format: Format,
    raw: &RawOpts,
    out: &mut impl Write,
) -> Outcome<u8> {
    let input = input::open(path, raw)?;
    let view = slicing::apply(&input.view, slice)?;
    let unsupported = || {
        Failure::new(format!(
            "mmarray: {}: dtype {} cannot be shown in this format yet (numpy's repr: numeric, bytes, str, datetime64 and timedelta64 dtypes; csv and json: numeric dtypes); use --format raw",
            path.display(),
            view.dtype().typestr()
        ))
    };
    let w = |r: std::io::Result<()>| r.map_err(write_failure);
    match format {
        Format::Numpy => {
            let text = numpy_repr(&view, full)?.ok_or_else(unsupported)?;
            w(writeln!(out, "{text}"))?;
        }
        Format::Raw => {
            for_each_row(&view, |_, row| w(out.write_all(row)))?;
        }
        Format::Csv => {
            let (kind, swap) = data::numeric(view.dtype()).ok_or_else(unsupported)?;
            let isz = view.itemsize();
            for_each_row(&view, |_, row| {
                let line: Vec<String> = row
                    .chunks_exact(isz)
                    .map(|b| plain(kind, swap, b, false))
                    .collect();
                w(writeln!(out, "{}", line.join(",")))
            })?;
        }
        Format::Json => {
            let (kind, swap) = data::numeric(view.dtype()).ok_or_else(unsupported)?;
            let isz = view.itemsize();
            let shape = view.shape().to_vec();
            if shape.is_empty() {
                for_each_row(&view, |_, row| {
                    w(writeln!(out, "{}", plain(kind, swap, row, true)))
                })?;
                return Ok(0);
            }
            if shape.contains(&0) {
                // The nesting of an empty array: as many brackets as numpy's tolist() has.
                let zero = shape.iter().position(|&n| n == 0).unwrap_or(0);
                let text = "[".repeat(zero + 1) + &"]".repeat(zero + 1);
                w(writeln!(out, "{text}"))?;
                return Ok(0);
            }
            let last = shape.len() - 1;
            let mut first = true;
            for_each_row(&view, |idx, row| {
                // Open a bracket for each outer axis starting a new block.
                let opens = if first {
                    last
                } else {
                    idx.iter().rev().take_while(|&&i| i == 0).count()
                };
                if !first {
                    w(out.write_all(b", "))?;
                }
                first = false;
                let items: Vec<String> = row
                    .chunks_exact(isz)
                    .map(|b| plain(kind, swap, b, true))
                    .collect();
                w(write!(out, "{}[{}]", "[".repeat(opens), items.join(", ")))?;
                let closes = idx
                    .iter()
                    .zip(&shape)
                    .rev()
                    .take_while(|(&i, &n)| i + 1 == n)
                    .count();
                w(out.write_all("]".repeat(closes).as_bytes()))
            })?;
            w(writeln!(out))?;
        }
    }
    Ok(0)
}
