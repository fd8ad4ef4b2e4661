//! Opening a FILE argument: a .npy file (header read, data mapped) or a raw file
//! described by --dtype/--shape/--offset/--order (numpy.memmap's arguments).

use std::io::Read;
use std::path::{Path, PathBuf};

use mmarray::{npy, npz};
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

/// Opens FILE read-only: raw when a raw option is given, a member of a .npz archive
/// when FILE is `ARCHIVE.npz:NAME`, else as .npy.
pub fn open(path: &Path, raw: &RawOpts) -> Outcome<Input> {
    if let Some((archive, name)) = split_member(path) {
        if raw.given() {
            return Err(Failure::usage(format!(
                "mmarray: {}: --dtype, --shape, --offset and --order describe a raw file, not a .npz member",
                path.display()
            )));
        }
        let view = npz::open(&archive, &name, Mode::ReadOnly).map_err(|e| fail(path, &e))?;
        return Ok(Input { view });
    }
    if raw.given() {
        let spec = raw_spec(path, raw)?;
        let view = View::open(path, &spec).map_err(|e| fail(path, &e))?;
        return Ok(Input { view });
    }
    require_npy(path)?;
    let view = npy::open(path, Mode::ReadOnly).map_err(|e| fail(path, &e))?;
    Ok(Input { view })
}

/// Fails unless the file is a .npy file (by its magic string; a .npz archive is told
/// to name a member).
pub fn require_npy(path: &Path) -> Outcome<()> {
    if split_member(path).is_some() {
        return Err(Failure::usage(format!(
            "mmarray: {}: a member of a .npz archive; this command works on a .npy file in place (extract the member first: mmarray convert {} OUT.npy)",
            path.display(),
            path.display()
        )));
    }
    if is_npz(path) {
        let names = npz::names(path).map_err(|e| fail(path, &e))?;
        return Err(Failure::usage(format!(
            "mmarray: {}: a .npz archive; name one of its members as {}:NAME (members: {})",
            path.display(),
            path.display(),
            names.join(", ")
        )));
    }
    if !has_npy_magic(path)? {
        return Err(Failure::new(format!(
            "mmarray: {}: not a .npy file (no \\x93NUMPY magic); to read it as a raw array give --dtype (and --shape, --offset, --order)",
            path.display()
        )));
    }
    Ok(())
}

/// Whether the file is a .npz archive: named *.npz, or starting with a zip's "PK\x03\x04"
/// or (empty archive) "PK\x05\x06".
pub fn is_npz(path: &Path) -> bool {
    if is_npz_name(path) {
        return true;
    }
    let mut magic = [0u8; 4];
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok()
        && (&magic == b"PK\x03\x04" || &magic == b"PK\x05\x06")
}

/// Whether the name ends in .npz.
pub fn is_npz_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"))
}

/// `ARCHIVE.npz:NAME` split into the archive and the member name, when the text up to
/// the first ".npz:" names an existing file (a name holding ':' is the member's).
pub fn split_member(path: &Path) -> Option<(PathBuf, String)> {
    let text = path.to_str()?;
    let at = text.to_ascii_lowercase().find(".npz:")?;
    let archive = PathBuf::from(&text[..at + 4]);
    let name = &text[at + 5..];
    if name.is_empty() || !archive.is_file() {
        return None;
    }
    Some((archive, name.to_string()))
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
