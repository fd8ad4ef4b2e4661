//! Decimal text of floats as Python and numpy write it: Python's repr (shortest
//! round-trip digits), and the pieces of numpy's Dragon4 output (shortest digits, cut at
//! a precision and rounded) for float16, float32 and float64.

/// Float widths whose shortest round-trip digits we can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    F16,
    F32,
    F64,
}

/// f64 to IEEE half bits, rounded to nearest even.
pub fn half_bits(v: f64) -> u16 {
    to_half_bits(v)
}

/// f64 to IEEE half, rounded to nearest even (the value is finite or not; NaN gives a NaN).
fn to_half_bits(v: f64) -> u16 {
    let sign: u16 = if v.is_sign_negative() { 0x8000 } else { 0 };
    let a = v.abs();
    if a.is_nan() {
        return 0x7e00;
    }
    if a >= 65520.0 {
        return sign | 0x7c00;
    }
    if a < 6.103_515_625e-5 {
        // Subnormal range: multiples of 2^-24 (a * 2^24 is exact).
        let m = (a * 16_777_216.0).round_ties_even() as u16;
        return sign | m;
    }
    let e = a.log2().floor() as i32;
    // log2 may be off by one near powers of two: fix e so that 2^e <= a < 2^(e+1).
    let mut e = e;
    if 2f64.powi(e) > a {
        e -= 1;
    } else if 2f64.powi(e + 1) <= a {
        e += 1;
    }
    let mut m = (a / 2f64.powi(e - 10)).round_ties_even() as u32;
    if m == 2048 {
        m = 1024;
        e += 1;
    }
    if e + 15 >= 31 {
        return sign | 0x7c00;
    }
    sign | (((e + 15) as u16) << 10) | ((m - 1024) as u16)
}

/// `x` rounded to the nearest value of `width` (as numpy casts a Python float).
pub fn round_to(x: f64, width: Width) -> f64 {
    match width {
        Width::F64 => x,
        Width::F32 => x as f32 as f64,
        Width::F16 => {
            let h = to_half_bits(x);
            let v = crate::data::half_to_f32(h) as f64;
            if x.is_sign_negative() && v == 0.0 {
                -0.0
            } else {
                v
            }
        }
    }
}

/// The digits of `x`'s exact value, rounded half-even at `precision` digits after the
/// first (the mantissa of numpy's dragon4_scientific with min_digits = precision).
pub fn scientific_exact(x: f64, precision: usize, plus: bool) -> (String, String, i32) {
    let sign = if x.is_sign_negative() {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    };
    let (digits, exp) = split_e_keep(&format!("{:.*e}", precision, x.abs()));
    let lead = format!("{sign}{}", digits[0] as char);
    let frac: String = digits[1..].iter().map(|&d| d as char).collect();
    (lead, frac, exp)
}

fn split_e_keep(text: &str) -> (Vec<u8>, i32) {
    let (mant, exp) = text.split_once('e').unwrap_or((text, "0"));
    let digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Dragon4's choice between two shortest candidates equally near the exact value: the
/// even last digit (Rust's shortest formatting rounds such a tie up). `digits`/`exp` are
/// Rust's shortest; returns them, or the candidate one unit lower when the exact value
/// lies exactly halfway and the last digit is odd.
fn tie_to_even(x: f64, digits: Vec<u8>, exp: i32) -> (Vec<u8>, i32) {
    let n = digits.len();
    let last = digits[n - 1];
    if (last - b'0') % 2 == 0 {
        return (digits, exp);
    }
    // The exact value (a binary fraction has a finite decimal expansion; 1100 digits
    // covers every f64).
    let exact = format!("{:.1100e}", x.abs());
    let (ed, ee) = split_e_keep(&exact);
    if ee != exp || ed.len() < n + 1 {
        return (digits, exp);
    }
    let mut lower = digits.clone();
    lower[n - 1] -= 1;
    let halfway = ed[..n] == lower[..] && ed[n] == b'5' && ed[n + 1..].iter().all(|&d| d == b'0');
    if halfway {
        let mut lower = lower;
        while lower.len() > 1 && lower.last() == Some(&b'0') {
            lower.pop();
        }
        return (lower, exp);
    }
    (digits, exp)
}

/// The shortest digits that round-trip in `width`, and the decimal exponent of the
/// first: `x = d1.d2d3... * 10^exp`. `x` must be finite; its sign is ignored.
pub fn shortest(x: f64, width: Width) -> (Vec<u8>, i32) {
    let text = match width {
        Width::F64 => format!("{:e}", x.abs()),
        Width::F32 => format!("{:e}", (x as f32).abs()),
        Width::F16 => {
            let want = to_half_bits(x.abs());
            let mut found = format!("{:e}", x.abs());
            for p in 0..=5 {
                let s = format!("{:.*e}", p, x.abs());
                if s.parse::<f64>().map(to_half_bits) == Ok(want) {
                    found = s;
                    break;
                }
            }
            found
        }
    };
    let (digits, exp) = split_e(&text);
    if x == 0.0 {
        return (digits, exp);
    }
    tie_to_even(x, digits, exp)
}

/// "1.2345e-7" -> ([1,2,3,4,5], -7) (digits as ASCII), trailing zeros dropped.
fn split_e(text: &str) -> (Vec<u8>, i32) {
    let (mant, exp) = text.split_once('e').unwrap_or((text, "0"));
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp.parse().unwrap_or(0))
}

/// numpy's dragon4_positional(x, precision, unique=True, fractional=True) before
/// padding and trimming: the integer part (with '-' or, when `plus`, '+') and the
/// fractional digits (trailing zeros removed; may be empty).
pub fn positional(x: f64, width: Width, precision: usize, plus: bool) -> (String, String) {
    let sign = if x.is_sign_negative() {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    };
    let (digits, exp) = shortest(x, width);
    let (int_part, frac): (String, String) = if x == 0.0 {
        ("0".into(), String::new())
    } else if exp >= 0 {
        let e = exp as usize;
        let mut int_part = String::new();
        for k in 0..=e {
            int_part.push(*digits.get(k).unwrap_or(&b'0') as char);
        }
        let frac: String = digits.iter().skip(e + 1).map(|&d| d as char).collect();
        (int_part, frac)
    } else {
        let mut frac = "0".repeat((-exp - 1) as usize);
        frac.extend(digits.iter().map(|&d| d as char));
        ("0".into(), frac)
    };
    if frac.len() <= precision {
        return (format!("{sign}{int_part}"), frac);
    }
    // More digits than the precision: the value rounded there (Rust's fixed-precision
    // formatting rounds the exact binary value, as Dragon4's cutoff does).
    let text = format!("{:.*}", precision, x.abs());
    let (i, f) = text.split_once('.').unwrap_or((&text, ""));
    (format!("{sign}{i}"), f.trim_end_matches('0').to_string())
}

/// numpy's dragon4_scientific(x, precision, unique=True) before padding: the leading
/// digit (with sign), the fractional digits of the mantissa (trailing zeros removed)
/// and the exponent.
pub fn scientific(x: f64, width: Width, precision: usize, plus: bool) -> (String, String, i32) {
    let sign = if x.is_sign_negative() {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    };
    let (mut digits, mut exp) = shortest(x, width);
    if digits.len() > precision + 1 {
        let (d, e) = split_e(&format!("{:.*e}", precision, x.abs()));
        digits = d;
        exp = e;
    }
    let lead = format!("{sign}{}", digits[0] as char);
    let frac: String = digits[1..].iter().map(|&d| d as char).collect();
    let frac = if x == 0.0 { String::new() } else { frac };
    (lead, frac, exp)
}

/// Python's repr() of a float (also what numpy prints for a float64 scalar's repr).
pub fn py_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    let (digits, exp) = shortest(x, Width::F64);
    if (-4..16).contains(&exp) {
        let (i, f) = positional(x, Width::F64, usize::MAX, false);
        let f = if f.is_empty() { "0".to_string() } else { f };
        return format!("{i}.{f}");
    }
    let mut mant = String::from(digits[0] as char);
    if digits.len() > 1 {
        mant.push('.');
        mant.extend(digits[1..].iter().map(|&d| d as char));
    }
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{sign}{mant}e{esign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_repr() {
        assert_eq!(py_repr(1.0), "1.0");
        assert_eq!(py_repr(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(py_repr(1e-5), "1e-05");
        assert_eq!(py_repr(1.5e16), "1.5e+16");
        assert_eq!(py_repr(1e15), "1000000000000000.0");
        assert_eq!(py_repr(-0.0), "-0.0");
        assert_eq!(py_repr(0.0001), "0.0001");
        assert_eq!(py_repr(1.7976931348623157e308), "1.7976931348623157e+308");
    }

    #[test]
    fn halves_round_trip_shortest() {
        assert_eq!(to_half_bits(1.0), 0x3c00);
        assert_eq!(to_half_bits(65504.0), 0x7bff);
        assert_eq!(to_half_bits(65520.0), 0x7c00);
        assert_eq!(to_half_bits(5.960_464_477_539_063e-8), 0x0001);
        // float16(0.1) is 0.0999755859375; numpy prints it as 0.1
        assert_eq!(shortest(0.0999755859375, Width::F16), (vec![b'1'], -1));
    }

    #[test]
    fn positional_cut_at_precision() {
        assert_eq!(
            positional(0.1 + 0.2, Width::F64, 8, false),
            ("0".into(), "3".into())
        );
        assert_eq!(
            positional(1.5, Width::F64, 8, false),
            ("1".into(), "5".into())
        );
        assert_eq!(
            positional(-2.0, Width::F64, 8, true),
            ("-2".into(), "".into())
        );
        assert_eq!(
            positional(123.0, Width::F64, 8, true),
            ("+123".into(), "".into())
        );
        assert_eq!(
            positional(0.1f32 as f64, Width::F32, 8, false),
            ("0".into(), "1".into())
        );
    }
}
