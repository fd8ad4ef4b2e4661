//! The text of each item as numpy's format functions give it: FloatingFormat (floatmode
//! 'maxprec', precision 8) for floats and complex, IntegerFormat, BoolFormat, and the
//! Python repr of bytes and str items.

use crate::data::{self, Num};
use crate::pyfloat::{self, Width};

const PRECISION: usize = 8;

/// numpy's FloatingFormat fitted on some values (floatmode 'maxprec').
pub struct FloatFormat {
    width: Width,
    plus: bool,
    exp_format: bool,
    precision: usize,
    pad_left: usize,
    pad_right: usize,
    exp_size: usize,
}

impl FloatFormat {
    fn new(values: &[f64], width: Width, plus: bool) -> FloatFormat {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let nonzero: Vec<f64> = finite
            .iter()
            .map(|v| v.abs())
            .filter(|&v| v != 0.0)
            .collect();
        let mut f = FloatFormat {
            width,
            plus,
            exp_format: false,
            precision: PRECISION,
            pad_left: 0,
            pad_right: 0,
            exp_size: 0,
        };
        if !nonzero.is_empty() {
            let max = nonzero.iter().copied().fold(f64::MIN, f64::max);
            let min = nonzero.iter().copied().fold(f64::MAX, f64::min);
            // numpy 2.3's cutoffs: 10**min(8, finfo.precision) (1e3 for float16, 1e6 for
            // float32, 1e8 for float64); the comparisons and the division happen in the
            // array's own type (a Python float operand is cast to it, NEP 50).
            let (cutoff, tiny, ratio) = match width {
                Width::F16 => (
                    1e3,
                    pyfloat::round_to(0.0001, width),
                    pyfloat::round_to(max / min, width),
                ),
                Width::F32 => (1e6, 0.0001f32 as f64, ((max as f32) / (min as f32)) as f64),
                Width::F64 => (1e8, 0.0001, max / min),
            };
            f.exp_format = max >= cutoff || min < tiny || ratio > 1000.0;
        }
        if finite.is_empty() {
            f.pad_left = 0;
            f.pad_right = 0;
        } else if f.exp_format {
            let parts: Vec<_> = finite
                .iter()
                .map(|&x| pyfloat::scientific(x, width, PRECISION, plus))
                .collect();
            f.exp_size = parts
                .iter()
                .map(|p| p.2.unsigned_abs().to_string().len().max(2))
                .max()
                .unwrap_or(2);
            f.precision = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
            f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
            f.pad_right = f.exp_size + 2 + f.precision;
        } else {
            let parts: Vec<_> = finite
                .iter()
                .map(|&x| pyfloat::positional(x, width, PRECISION, plus))
                .collect();
            f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
            f.pad_right = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        }
        if finite.len() != values.len() {
            let neginf = plus || values.iter().any(|v| v.is_infinite() && *v < 0.0);
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max(3usize.saturating_sub(offset))
                .max((3 + neginf as usize).saturating_sub(offset));
        }
        f
    }

    fn format(&self, x: f64) -> String {
        if !x.is_finite() {
            let text = if x.is_nan() {
                if self.plus {
                    "+nan"
                } else {
                    "nan"
                }
            } else if x < 0.0 {
                "-inf"
            } else if self.plus {
                "+inf"
            } else {
                "inf"
            };
            let w = self.pad_left + self.pad_right + 1;
            return format!("{text:>w$}");
        }
        if self.exp_format {
            // Dragon4 with min_digits = precision: the shortest digits, continued with
            // the exact value's own digits up to the precision.
            let (lead, frac, exp) = pyfloat::scientific_exact(x, self.precision, self.plus);
            let esign = if exp < 0 { '-' } else { '+' };
            format!(
                "{lead:>pl$}.{frac:0<p$}e{esign}{e:0>es$}",
                pl = self.pad_left,
                p = self.precision,
                e = exp.unsigned_abs(),
                es = self.exp_size
            )
        } else {
            let (int_part, frac) = pyfloat::positional(x, self.width, self.precision, self.plus);
            format!(
                "{int_part:>pl$}.{frac:<pr$}",
                pl = self.pad_left,
                pr = self.pad_right
            )
        }
    }
}

/// The decoded items to print, in C order of the picked sub-array.
pub enum Items {
    Bool(Vec<bool>),
    Int(Vec<i128>),
    Float(Vec<f64>, Width),
    Complex(Vec<f64>, Vec<f64>, Width),
}

pub fn decode(kind: Num, swap: bool, bytes: &[u8], itemsize: usize) -> Items {
    let items = bytes.chunks_exact(itemsize.max(1));
    match kind {
        Num::Bool => Items::Bool(items.map(|b| b[0] != 0).collect()),
        Num::Int(_) | Num::UInt(_) => {
            Items::Int(items.map(|b| data::int_at(kind, b, swap)).collect())
        }
        Num::Float(n) => Items::Float(
            items.map(|b| data::float_at(n, b, swap)).collect(),
            width_of(n),
        ),
        Num::Complex(n) => {
            let h = n / 2;
            let (re, im) = items
                .map(|b| (data::float_at(h, b, swap), data::float_at(h, &b[h..], swap)))
                .unzip();
            Items::Complex(re, im, width_of(h))
        }
    }
}

pub fn width_of(size: usize) -> Width {
    match size {
        2 => Width::F16,
        4 => Width::F32,
        _ => Width::F64,
    }
}

/// Each item's text, as numpy's format function for the whole (picked) array gives it.
pub fn words(items: &Items, zero_d: bool) -> Vec<String> {
    match items {
        Items::Bool(v) => v
            .iter()
            .map(|&b| match (b, zero_d) {
                (true, true) => "True".to_string(),
                (true, false) => " True".to_string(),
                (false, _) => "False".to_string(),
            })
            .collect(),
        Items::Int(v) => {
            let w = v.iter().map(|x| x.to_string().len()).max().unwrap_or(0);
            v.iter().map(|x| format!("{x:>w$}")).collect()
        }
        Items::Float(v, width) => {
            let f = FloatFormat::new(v, *width, false);
            v.iter().map(|&x| f.format(x)).collect()
        }
        Items::Complex(re, im, width) => {
            let fr = FloatFormat::new(re, *width, false);
            let fi = FloatFormat::new(im, *width, true);
            re.iter()
                .zip(im)
                .map(|(&r, &i)| {
                    let i = fi.format(i);
                    let sp = i.trim_end().len();
                    format!("{}{}j{}", fr.format(r), &i[..sp], &i[sp..])
                })
                .collect()
        }
    }
}

/// Python's repr() of a bytes value (numpy drops an S item's trailing NULs).
pub fn bytes_repr(b: &[u8]) -> String {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    let b = &b[..end];
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote as char);
    out
}

/// Python's repr() of a U item (UCS-4 code units; trailing NULs dropped, as numpy does).
pub fn str_repr(b: &[u8], swap: bool) -> String {
    let mut chars: Vec<char> = b
        .chunks_exact(4)
        .map(|u| {
            let mut a = [u[0], u[1], u[2], u[3]];
            if swap {
                a.reverse();
            }
            char::from_u32(u32::from_ne_bytes(a)).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect();
    while chars.last() == Some(&'\0') {
        chars.pop();
    }
    mmarray::pyliteral::py_repr_str(&chars.into_iter().collect::<String>())
}

/// (year, month, day) of a day count from 1970-01-01 in the proleptic Gregorian
/// calendar (H. Hinnant's civil_from_days).
fn civil_from_days(days: i128) -> (i128, i128, i128) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i128::from(m <= 2);
    (y, m, d)
}

/// numpy's datetime_as_string of `v` counts of `mult` x `unit` (naive time zone), in
/// the unit's own precision. None for a unit we do not know (generic with a value).
fn datetime_text(v: i64, unit: &str, mult: u32) -> Option<String> {
    let t = v as i128 * mult as i128;
    let date = |days: i128| {
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02}")
    };
    // Sub-day units: counts per second (1 for s and coarser) and fraction digits.
    let (per_day, frac_digits): (i128, u32) = match unit {
        "Y" => return Some(format!("{:04}", 1970 + t)),
        "M" => {
            let (y, m) = (1970 + t.div_euclid(12), t.rem_euclid(12) + 1);
            return Some(format!("{y:04}-{m:02}"));
        }
        "W" => return Some(date(t * 7)),
        "D" => return Some(date(t)),
        "h" => (24, 0),
        "m" => (1440, 0),
        "s" => (86_400, 0),
        "ms" => (86_400_000, 3),
        "us" => (86_400 * 10i128.pow(6), 6),
        "ns" => (86_400 * 10i128.pow(9), 9),
        "ps" => (86_400 * 10i128.pow(12), 12),
        "fs" => (86_400 * 10i128.pow(15), 15),
        "as" => (86_400 * 10i128.pow(18), 18),
        _ => return None,
    };
    let days = t.div_euclid(per_day);
    let rem = t.rem_euclid(per_day);
    let mut text = date(days);
    match unit {
        "h" => text.push_str(&format!("T{rem:02}")),
        "m" => text.push_str(&format!("T{:02}:{:02}", rem / 60, rem % 60)),
        _ => {
            let per_sec = 10i128.pow(frac_digits);
            let (secs, frac) = (rem / per_sec, rem % per_sec);
            text.push_str(&format!(
                "T{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            ));
            if frac_digits > 0 {
                text.push_str(&format!(".{frac:0w$}", w = frac_digits as usize));
            }
        }
    }
    Some(text)
}

/// numpy's DatetimeFormat: each item quoted, right-aligned to the longer of the texts of
/// the smallest and largest item; NaT as 'NaT'. None when an item cannot be written.
pub fn datetime_words(bytes: &[u8], swap: bool, unit: &str, mult: u32) -> Option<Vec<String>> {
    let values: Vec<i64> = bytes
        .chunks_exact(8)
        .map(|b| data::int_at(Num::Int(8), b, swap) as i64)
        .collect();
    let quoted = |v: i64| datetime_text(v, unit, mult).map(|t| format!("'{t}'"));
    let valid = values.iter().copied().filter(|&v| v != i64::MIN);
    let mut w = 0;
    if let (Some(lo), Some(hi)) = (valid.clone().min(), valid.max()) {
        w = quoted(lo)?.chars().count().max(quoted(hi)?.chars().count());
    }
    if values.contains(&i64::MIN) {
        w = w.max(5);
    }
    values
        .iter()
        .map(|&v| {
            let t = if v == i64::MIN {
                "'NaT'".to_string()
            } else {
                quoted(v)?
            };
            Some(format!("{t:>w$}"))
        })
        .collect()
}
