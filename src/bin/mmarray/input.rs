//! Opening a FILE argument: a .npy file (header read, data mapped) or a raw file
//! described by --dtype/--shape/--offset/--order (numpy.memmap's arguments).

use std::io::Read;
use std::path::Path;

use mmarray::npy;
use mmarray::{DType, MmError, Mode, OpenSpec, Order, View};

use crate::{Failure, Outcome, RawOpts};

/// An opened input: the whole array as a view.
pub struct Input {
    pub view: View,
}

/// The message for a core error about `path`.
pub fn fail(path: &Path, e: &MmError) -> Failure {
    Failure::new(format!("mmarray: {}: {}", path.display(), e.message))
}

impl RawOpts {
    /// Whether any raw option was given (the file is then read as raw).
    pub fn given(&self) -> bool {
        self.dtype.is_some()
            || self.shape.is_some()
            || self.offset.is_some()
            || self.order.is_some()
    }
}

/// Parses a shape text: "3", "3,4", "(3, 4)", "()" (0-d), "(3,)".
pub fn parse_shape(text: &str) -> Outcome<Vec<usize>> {
    let bad = || {
        Failure::usage(format!("mmarray: --shape {text:?}: expected non-negative integers separated by commas, e.g. \"100,3\""))
    };
    let t = text.trim();
    let t = t
        .strip_prefix('(')
        .map_or(t, |s| s.strip_suffix(')').unwrap_or(s));
    let parts: Vec<&str> = t.split(',').map(str::trim).collect();
    // "(3,)" and "3," end in an empty part; "()" and "" are 0-d.
    let parts: &[&str] = match parts.as_slice() {
        [""] => &[],
        [rest @ .., ""] if !rest.is_empty() => rest,
        all => all,
    };
    parts
        .iter()
        .map(|p| p.parse::<usize>().map_err(|_| bad()))
        .collect()
}

/// Parses --order: C or F (numpy also accepts lower case).
pub fn parse_order(text: &str) -> Outcome<Order> {
    match text {
        "C" | "c" => Ok(Order::C),
        "F" | "f" => Ok(Order::F),
        _ => Err(Failure::usage(format!(
            "mmarray: --order {text:?}: expected C or F"
        ))),
    }
}

/// Parses --dtype as numpy.dtype() would.
pub fn parse_dtype(text: &str) -> Outcome<DType> {
    DType::parse(text).map_err(|e| Failure::usage(format!("mmarray: --dtype: {}", e.message)))
}

/// The numpy.memmap arguments the raw options stand for (mode r).
pub fn raw_spec(path: &Path, raw: &RawOpts) -> Outcome<OpenSpec> {
    let dtype = match &raw.dtype {
        Some(d) => parse_dtype(d)?,
        None => {
            return Err(Failure::usage(format!(
                "mmarray: {}: a raw file needs --dtype (its data type)",
                path.display()
            )))
        }
    };
    let shape = raw.shape.as_deref().map(parse_shape).transpose()?;
    let order = raw.order.as_deref().map(parse_order).transpose()?;
    Ok(OpenSpec {
        dtype,
        mode: Mode::ReadOnly,
        offset: raw.offset.unwrap_or(0),
        shape,
        order: order.unwrap_or(Order::C),
    })
}

/// Whether the file starts with the .npy magic string.
pub fn has_npy_magic(path: &Path) -> Outcome<bool> {
    // Only a regular file is opened: opening a FIFO would block, reading a device or a
    // FIFO would consume data (the core refuses them too).
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::new(format!("mmarray: {}: cannot open: {e}", path.display())))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return Err(Failure::new(format!("mmarray: {}: {what}", path.display())));
    }
    let mut f = std::fs::File::open(path)
        .map_err(|e| Failure::new(format!("mmarray: {}: cannot open: {e}", path.display())))?;
    let mut magic = [0u8; 6];
    let mut got = 0;
    while got < 6 {
        match f.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Failure::new(format!(
                    "mmarray: {}: cannot read: {e}",
                    path.display()
                )))
            }
        }
    }
    Ok(got == 6 && &magic == npy::header::MAGIC)
}

/// Opens FILE read-only: raw when a raw option is given, else as .npy.
pub fn open(path: &Path, raw: &RawOpts) -> Outcome<Input> {
    if raw.given() {
        let spec = raw_spec(path, raw)?;
        let view = View::open(path, &spec).map_err(|e| fail(path, &e))?;
        return Ok(Input { view });
    }
    require_npy(path)?;
    let view = npy::open(path, Mode::ReadOnly).map_err(|e| fail(path, &e))?;
    Ok(Input { view })
}

/// Fails unless the file is a .npy file (by its magic string; .npz is refused).
pub fn require_npy(path: &Path) -> Outcome<()> {
    reject_npz(path)?;
    if !has_npy_magic(path)? {
        return Err(Failure::new(format!(
            "mmarray: {}: not a .npy file (no \\x93NUMPY magic); to read it as a raw array give --dtype (and --shape, --offset, --order)",
            path.display()
        )));
    }
    Ok(())
}

/// .npz archives are not read yet (a later change adds them).
pub fn reject_npz(path: &Path) -> Outcome<()> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"))
    {
        return Err(Failure::new(format!(
            "mmarray: {}: .npz archives are not supported by this version",
            path.display()
        )));
    }
    Ok(())
}

/// The order a view's data is laid out in, as numpy's flags would say it.
pub fn order_name(view: &View) -> &'static str {
    let f = view.flags();
    if f.f_contiguous && !f.c_contiguous {
        "F"
    } else {
        "C"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(parse_shape("3").ok().unwrap(), vec![3]);
        assert_eq!(parse_shape("(3, 4)").ok().unwrap(), vec![3, 4]);
        assert_eq!(parse_shape("(3,)").ok().unwrap(), vec![3]);
        assert_eq!(parse_shape("()").ok().unwrap(), Vec::<usize>::new());
        assert!(parse_shape("3,-1").is_err());
        assert!(parse_shape("a").is_err());
    }
}
