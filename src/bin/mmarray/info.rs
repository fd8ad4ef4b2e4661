//! `mmarray info`: what a .npy header says (and what numpy would see), or what
//! numpy.memmap would see of a raw file.

use std::io::Write;
use std::path::Path;

use mmarray::dtype::shape_text;
use mmarray::npy::{self, Header};
use mmarray::DType;

use crate::{input, write_failure, Failure, Outcome, RawOpts};

/// numpy's dtype.name: "float64", "int8", "bool", "bytes24", "str160", "void96",
/// "datetime64[s]".
pub fn dtype_name(dt: &DType) -> String {
    let bits = dt.itemsize() * 8;
    let sized = |base: &str| {
        if bits == 0 {
            base.to_string()
        } else {
            format!("{base}{bits}")
        }
    };
    match dt.kind() {
        'b' => "bool".into(),
        'i' => format!("int{bits}"),
        'u' => format!("uint{bits}"),
        'f' => format!("float{bits}"),
        'c' => format!("complex{bits}"),
        'S' => sized("bytes"),
        'U' => sized("str"),
        'M' | 'm' => {
            let base = if dt.kind() == 'M' {
                "datetime64"
            } else {
                "timedelta64"
            };
            match dt.datetime_unit() {
                Some(("generic", _)) | None => base.into(),
                Some((unit, 1)) => format!("{base}[{unit}]"),
                Some((unit, n)) => format!("{base}[{n}{unit}]"),
            }
        }
        _ => sized("void"),
    }
}

/// The growth room of a .npy header, as the core's append and grow see it
/// (`npy::room`: the same test of a new length they make). None for a 0-d array.
pub fn growth(path: &Path, header: &Header) -> Outcome<Option<npy::Room>> {
    npy::room(header).map_err(|e| input::fail(path, &e))
}

pub fn json_str(s: &str) -> String {
    let mut o = String::from('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A value of the report: text or number (for JSON).
pub enum Val {
    S(String),
    N(u64),
    B(bool),
    Raw(String),
    /// No value (JSON null, "-" in text).
    Null,
}

/// What info describes: from the header alone for a .npy file (nothing is mapped, so a
/// truncated file is described too), from what numpy.memmap would map for a raw one.
struct Facts {
    dtype: DType,
    shape: Vec<usize>,
    order: &'static str,
    header: Option<Header>,
    offset: u64,
    nbytes: u64,
}

fn facts(path: &Path, raw: &RawOpts) -> Outcome<Facts> {
    if raw.given() {
        let input = input::open(path, raw)?;
        let view = &input.view;
        return Ok(Facts {
            dtype: view.dtype().clone(),
            shape: view.shape().to_vec(),
            order: input::order_name(view),
            header: None,
            offset: view.offset(),
            nbytes: view.nbytes() as u64,
        });
    }
    input::require_npy(path)?;
    let (h, _) = npy::read_header(path).map_err(|e| input::fail(path, &e))?;
    let count: u128 = h.shape.iter().map(|&d| d as u128).product();
    Ok(Facts {
        dtype: h.dtype.clone(),
        shape: h.shape.clone(),
        order: if h.fortran_order { "F" } else { "C" },
        offset: h.data_offset,
        nbytes: (count * h.dtype.itemsize() as u128) as u64,
        header: Some(h),
    })
}

fn report(path: &Path, raw: &RawOpts) -> Outcome<Vec<(&'static str, Val)>> {
    if !raw.given() {
        if let Some((archive, name)) = input::split_member(path) {
            return crate::npzinfo::member(path, &archive, &name);
        }
    }
    let f = facts(path, raw)?;
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::new(format!("mmarray: {}: {e}", path.display())))?
        .len();
    let dt = &f.dtype;
    let dims: Vec<String> = f.shape.iter().map(|d| d.to_string()).collect();
    let mut r = vec![
        ("file", Val::S(path.display().to_string())),
        (
            "format",
            Val::S(if f.header.is_some() { "npy" } else { "raw" }.into()),
        ),
        ("dtype", Val::S(dt.typestr().into())),
        ("dtype_name", Val::S(dtype_name(dt))),
        ("itemsize", Val::N(dt.itemsize() as u64)),
        ("shape", Val::Raw(format!("[{}]", dims.join(", ")))),
        ("order", Val::S(f.order.into())),
        ("size", Val::N(f.shape.iter().product::<usize>() as u64)),
    ];
    if let Some(h) = &f.header {
        let prefix = if h.version.0 == 1 { 10 } else { 12 };
        r.push((
            "version",
            Val::S(format!("{}.{}", h.version.0, h.version.1)),
        ));
        r.push(("header_len", Val::N(h.data_offset - prefix)));
        if let Some(g) = growth(path, h)? {
            r.push(("growth_axis", Val::N(g.axis as u64)));
            r.push(("growth_max_len", Val::N(g.max_length as u64)));
            r.push(("growable", Val::B(g.rewritable)));
        }
    }
    let data_end = f.offset + f.nbytes;
    r.push(("data_offset", Val::N(f.offset)));
    r.push(("data_bytes", Val::N(f.nbytes)));
    r.push(("file_size", Val::N(size)));
    r.push(("trailing_bytes", Val::N(size.saturating_sub(data_end))));
    r.push(("missing_bytes", Val::N(data_end.saturating_sub(size))));
    Ok(r)
}

fn text_line(key: &str, v: &Val) -> String {
    let shown = match v {
        Val::S(s) | Val::Raw(s) => s.clone(),
        Val::N(n) => n.to_string(),
        Val::B(b) => if *b { "yes" } else { "no" }.into(),
        Val::Null => "-".into(),
    };
    format!("{:<16}{shown}", format!("{key}:"))
}

pub fn run(
    files: &[std::path::PathBuf],
    json: bool,
    raw: &RawOpts,
    out: &mut impl Write,
) -> Outcome<u8> {
    let mut status = 0;
    for (k, path) in files.iter().enumerate() {
        if !raw.given() && input::split_member(path).is_none() && input::is_npz(path) {
            match crate::npzinfo::run(path, json, k == 0, out) {
                Ok(s) => status = status.max(s),
                Err(f) if f.status == 1 && files.len() > 1 => {
                    eprintln!("{}", f.message);
                    status = 1;
                }
                Err(f) => return Err(f),
            }
            continue;
        }
        let r = match report(path, raw) {
            Ok(r) => r,
            Err(f) if f.status == 1 && files.len() > 1 => {
                // Describe the others; the failure is reported and counted.
                eprintln!("{}", f.message);
                status = 1;
                continue;
            }
            Err(f) => return Err(f),
        };
        let w = |r: std::io::Result<()>| r.map_err(write_failure);
        if json {
            let body: Vec<String> = r
                .iter()
                .map(|(key, v)| {
                    let val = match v {
                        Val::S(s) => json_str(s),
                        Val::N(n) => n.to_string(),
                        Val::B(b) => b.to_string(),
                        Val::Raw(s) => s.clone(),
                        Val::Null => "null".into(),
                    };
                    format!("{}: {val}", json_str(key))
                })
                .collect();
            w(writeln!(out, "{{{}}}", body.join(", ")))?;
        } else {
            if k > 0 {
                w(writeln!(out))?;
            }
            for (key, _) in &r {
                w(writeln!(out, "{}", text_line(key, &text_val(key, &r))))?;
            }
        }
    }
    Ok(status)
}

/// The text form of a report value (the shape in numpy's tuple spelling).
fn text_val(key: &str, r: &[(&'static str, Val)]) -> Val {
    let v = &r.iter().find(|(k, _)| *k == key).expect("key from r").1;
    match v {
        Val::Raw(s) if key == "shape" => {
            let dims: Vec<usize> = s
                .trim_matches(|c| c == '[' || c == ']')
                .split(", ")
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect();
            Val::S(shape_text(&dims))
        }
        Val::S(s) => Val::S(s.clone()),
        Val::N(n) => Val::N(*n),
        Val::B(b) => Val::B(*b),
        Val::Raw(s) => Val::Raw(s.clone()),
        Val::Null => Val::Null,
    }
}
