//! The .npy prefix and header dictionary: reading (numpy's checks R1-R16 in its order,
//! docs/numpy-semantics.md#npy-reader-rules)
//! and writing (byte-identical to np.save: key order, growth-axis spaces, 64-byte
//! alignment, version choice).

use std::io::Read;

use crate::dtype::{shape_text, DType};
use crate::error::{ErrorKind, MmError, Result};
use crate::layout::MAX_NDIM;
use crate::pyliteral::{self, py_repr_str, Value};

pub const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// np.save pads so that the data starts at a multiple of this.
pub const ARRAY_ALIGN: usize = 64;
/// Spaces are reserved so that the growth axis can reach this many digits.
pub const GROWTH_AXIS_MAX_DIGITS: usize = 21;

/// What a header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub version: (u8, u8),
    pub dtype: DType,
    /// The array shape (a top-level subarray descr's dimensions appended, as numpy does).
    pub shape: Vec<usize>,
    pub fortran_order: bool,
    /// prefix + HEADER_LEN: where the data starts.
    pub data_offset: u64,
}

fn format_err(message: impl Into<String>) -> MmError {
    MmError::new(ErrorKind::Format, message)
}

fn read_exact_or(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads the prefix and header from the start of `r` (R1-R14 and R16 of
/// docs/numpy-semantics.md#npy-reader-rules; R7 is not applied, D11).
pub fn read(r: &mut impl Read) -> Result<Header> {
    let io = |e: std::io::Error| MmError::os("cannot read the .npy header", &e);
    let mut magic = [0u8; 8];
    let got = read_exact_or(r, &mut magic).map_err(io)?;
    if got < 8 {
        return Err(format_err(format!(
            "EOF: reading magic string, expected 8 bytes got {got}"
        )));
    }
    if &magic[..6] != MAGIC {
        return Err(format_err(format!(
            "the magic string is not correct; expected b'\\x93NUMPY', got {}",
            bytes_repr(&magic[..6])
        )));
    }
    let version = (magic[6], magic[7]);
    let len_size = match version {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        (a, b) => {
            return Err(format_err(format!(
                "we only support format version (1,0), (2,0), and (3,0), not ({a}, {b})"
            )))
        }
    };
    let mut len_bytes = [0u8; 4];
    let got = read_exact_or(r, &mut len_bytes[..len_size]).map_err(io)?;
    if got < len_size {
        return Err(format_err(format!(
            "EOF: reading array header length, expected {len_size} bytes got {got}"
        )));
    }
    let header_len = u32::from_le_bytes(len_bytes) as u64;
    // Read in pieces, growing with what is actually there: a huge HEADER_LEN in a small
    // file never allocates more than the file holds, and each growth is fallible.
    let mut text: Vec<u8> = Vec::new();
    let mut piece = [0u8; 8192];
    while (text.len() as u64) < header_len {
        let want = (header_len - text.len() as u64).min(piece.len() as u64) as usize;
        let got = match r.read(&mut piece[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        if text.len() + got > text.capacity() {
            // Double (amortised), but never past HEADER_LEN.
            let grow = text
                .capacity()
                .max(got)
                .min(header_len as usize - text.len());
            text.try_reserve_exact(grow)
                .map_err(|_| MmError::no_memory("the .npy header", text.len() + grow))?;
        }
        text.extend_from_slice(&piece[..got]);
    }
    if (text.len() as u64) < header_len {
        return Err(format_err(format!(
            "EOF: reading array header, expected {header_len} bytes got {}",
            text.len()
        )));
    }
    let data_offset = 8 + len_size as u64 + header_len;
    parse_text(version, &text, data_offset)
}

/// Parses the whole of a .npy prefix and header held in memory (the fuzz entry point).
pub fn parse_bytes(bytes: &[u8]) -> Result<Header> {
    read(&mut &bytes[..])
}

fn bytes_repr(b: &[u8]) -> String {
    let mut s = String::from("b'");
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\'' => s.push_str("\\'"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('\'');
    s
}

/// R6-R16 (docs/numpy-semantics.md#npy-reader-rules) on the header bytes of a file of
/// version `version`.
pub fn parse_text(version: (u8, u8), raw: &[u8], data_offset: u64) -> Result<Header> {
    let latin1;
    let text: &str = if version == (3, 0) {
        std::str::from_utf8(raw).map_err(|e| {
            format_err(format!(
                "the version 3.0 header is not valid UTF-8 (at byte {} of the header)",
                e.valid_up_to()
            ))
        })?
    } else {
        // Latin-1: bytes 0x80..0xff take two bytes in UTF-8.
        let mut s = String::new();
        let need = raw.len() + raw.iter().filter(|&&b| b >= 0x80).count();
        s.try_reserve_exact(need)
            .map_err(|_| MmError::no_memory("the .npy header's text", need))?;
        s.extend(raw.iter().map(|&b| b as char));
        latin1 = s;
        &latin1
    };
    let options = pyliteral::Options {
        long_suffix: version != (3, 0),
    };
    let value = pyliteral::parse(text, options)
        .map_err(|e| format_err(format!("Cannot parse header: {e}: {}", excerpt(text, e.at))))?;
    let Value::Dict(pairs) = value else {
        return Err(format_err(format!(
            "Header is not a dictionary: {}",
            short(&value.to_string())
        )));
    };
    let mut descr = None;
    let mut fortran = None;
    let mut shape = None;
    // A set: a header may hold many distinct keys, and this must stay linear-ish.
    let mut keys: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut bad_keys = false;
    for (k, v) in &pairs {
        let Value::Str(k) = k else {
            bad_keys = true;
            keys.insert(k.to_string());
            continue;
        };
        keys.insert(py_repr_str(k));
        match k.as_str() {
            "descr" => descr = Some(v),
            "fortran_order" => fortran = Some(v),
            "shape" => shape = Some(v),
            _ => bad_keys = true,
        }
    }
    let (Some(descr), Some(fortran), Some(shape), false) = (descr, fortran, shape, bad_keys) else {
        let keys: Vec<String> = keys.into_iter().collect();
        return Err(format_err(format!(
            "Header does not contain the correct keys: [{}]",
            short(&keys.join(", "))
        )));
    };
    let dims = match shape {
        Value::Tuple(items)
            if items
                .iter()
                .all(|x| matches!(x, Value::Int(_) | Value::Bool(_))) =>
        {
            items
        }
        other => {
            return Err(format_err(format!(
                "shape is not valid: {}",
                short(&other.to_string())
            )))
        }
    };
    let fortran_order = match fortran {
        Value::Bool(b) => *b,
        other => {
            return Err(format_err(format!(
                "fortran_order is not a valid bool: {}",
                short(&other.to_string())
            )))
        }
    };
    let (dtype, sub) = DType::from_descr(descr).map_err(|e| {
        if e.kind == ErrorKind::Unsupported {
            MmError::new(
                ErrorKind::Unsupported,
                format!("Array can't be memory-mapped: {}", e.message),
            )
        } else {
            format_err(format!(
                "descr is not a valid dtype descriptor: {} ({})",
                short(&descr.to_string()),
                e.message
            ))
        }
    })?;
    let mut shape = Vec::with_capacity(dims.len() + sub.len());
    for d in dims {
        match d {
            Value::Int(Some(n)) if *n >= 0 => match usize::try_from(*n) {
                Ok(n) => shape.push(n),
                Err(_) => {
                    return Err(format_err(format!(
                        "dimension {n} of shape is too large for this platform"
                    )))
                }
            },
            Value::Int(Some(_)) => return Err(format_err("negative dimensions are not allowed")),
            Value::Int(None) => {
                return Err(format_err(
                    "a dimension of shape is too large for this platform",
                ))
            }
            _ => {
                return Err(format_err(
                    "shape holds a bool: 'bool' object cannot be interpreted as a dimension",
                ))
            }
        }
    }
    if !sub.is_empty() {
        if fortran_order {
            return Err(MmError::new(
                ErrorKind::Unsupported,
                "a subarray descr with fortran_order True is not supported",
            ));
        }
        shape.extend(sub);
    }
    if shape.len() > MAX_NDIM {
        return Err(format_err(format!(
            "shape has {} dimensions; numpy allows at most {MAX_NDIM}",
            shape.len()
        )));
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .and_then(|c| c.checked_mul(dtype.itemsize()))
        .filter(|&n| n as u64 <= i64::MAX as u64 - data_offset);
    if count.is_none() {
        return Err(format_err(format!(
            "shape {} of {} overflows the file size",
            shape_text(&shape),
            dtype.typestr()
        )));
    }
    Ok(Header {
        version,
        dtype,
        shape,
        fortran_order,
        data_offset,
    })
}

fn short(s: &str) -> String {
    const MAX: usize = 200;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// Some text around character `at`, for messages.
fn excerpt(text: &str, at: usize) -> String {
    let start = at.saturating_sub(30);
    let piece: String = text.chars().skip(start).take(60).collect();
    format!("near {:?}", piece)
}

/// The dict text np.save writes, growth spaces included (no alignment padding yet). The
/// text's buffer is allocated fallibly (a record dtype's descr can be megabytes long):
/// MM_E_IO/ENOMEM when refused.
pub fn dict_text(dtype: &DType, shape: &[usize], fortran_order: bool) -> Result<String> {
    let quoted;
    let descr: &str = if dtype.fields().is_some() {
        dtype.typestr()
    } else {
        quoted = py_repr_str(dtype.typestr());
        &quoted
    };
    let shape_str = shape_text(shape);
    let order = if fortran_order { "True" } else { "False" };
    let parts = [
        "{'descr': ",
        descr,
        ", 'fortran_order': ",
        order,
        ", 'shape': ",
        &shape_str,
        ", }",
    ];
    let spaces = if shape.is_empty() {
        0
    } else {
        let axis = if fortran_order {
            shape[shape.len() - 1]
        } else {
            shape[0]
        };
        GROWTH_AXIS_MAX_DIGITS.saturating_sub(axis.to_string().len())
    };
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + spaces;
    let mut text = String::new();
    text.try_reserve_exact(len)
        .map_err(|_| MmError::no_memory("the .npy header's text", len))?;
    for p in parts {
        text.push_str(p);
    }
    for _ in 0..spaces / 8 {
        text.push_str("        ");
    }
    text.push_str(&"        "[..spaces % 8]);
    Ok(text)
}

/// A format version and the size of its HEADER_LEN field.
type Candidate = ((u8, u8), usize);

/// Prefix + header bytes exactly as np.save writes them (version chosen as numpy does:
/// 1.0, else 2.0 when too long, else 3.0 when the text is not latin-1). The buffers are
/// allocated fallibly: MM_E_IO/ENOMEM when refused.
pub fn encode(dtype: &DType, shape: &[usize], fortran_order: bool) -> Result<Vec<u8>> {
    encode_as(dtype, shape, fortran_order, None)
}

/// [`encode`] in a given format version, as numpy's `write_array(..., version=version)`
/// writes it (latin-1 text for 1.0 and 2.0, UTF-8 for 3.0); `None` chooses as np.save.
pub fn encode_as(
    dtype: &DType,
    shape: &[usize],
    fortran_order: bool,
    version: Option<(u8, u8)>,
) -> Result<Vec<u8>> {
    let text = dict_text(dtype, shape, fortran_order)?;
    let mut latin1 = text.chars().all(|c| (c as u32) <= 0xff);
    let forced: [Candidate; 1];
    let (body_len, candidates): (usize, &[Candidate]) = match version {
        Some((3, 0)) => {
            latin1 = false;
            forced = [((3, 0), 4)];
            (text.len(), &forced)
        }
        Some(v) if latin1 && (v == (1, 0) || v == (2, 0)) => {
            forced = [(v, if v == (1, 0) { 2 } else { 4 })];
            (text.chars().count(), &forced)
        }
        Some((a, b)) => {
            return Err(MmError::new(
                ErrorKind::Unsupported,
                format!("the header cannot be written in format version ({a}, {b})"),
            ))
        }
        None if latin1 => (text.chars().count(), &[((1, 0), 2), ((2, 0), 4)]),
        None => (text.len(), &[((3, 0), 4)]),
    };
    for &(version, len_size) in candidates {
        let hlen = body_len + 1;
        let prefix = 8 + len_size;
        let padlen = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
        let header_len = hlen + padlen;
        if len_size == 2 && header_len > u16::MAX as usize {
            continue;
        }
        if header_len > u32::MAX as usize {
            break;
        }
        let mut out = Vec::new();
        out.try_reserve_exact(prefix + header_len)
            .map_err(|_| MmError::no_memory("the .npy header", prefix + header_len))?;
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[version.0, version.1]);
        if len_size == 2 {
            out.extend_from_slice(&(header_len as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header_len as u32).to_le_bytes());
        }
        if latin1 {
            if text.is_ascii() {
                out.extend_from_slice(text.as_bytes());
            } else {
                out.extend(text.chars().map(|c| c as u8));
            }
        } else {
            out.extend_from_slice(text.as_bytes());
        }
        out.resize(out.len() + padlen, b' ');
        out.push(b'\n');
        return Ok(out);
    }
    Err(MmError::invalid(
        "the .npy header is too long for any format version",
    ))
}

#[cfg(test)]
mod tests;
