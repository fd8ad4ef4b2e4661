//! The .npy prefix and header dictionary: reading (numpy's checks R1-R16 in its order)
//! and writing (byte-identical to np.save: key order, growth-axis spaces, 64-byte
//! alignment, version choice).

use std::io::Read;

use crate::dtype::{shape_text, DType};
use crate::error::{ErrorKind, MmError, Result};
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

/// Reads the prefix and header from the start of `r` (R1-R14, R16).
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

/// R6-R16 on the header bytes of a file of version `version`.
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
    if shape.len() > 64 {
        return Err(format_err(format!(
            "shape has {} dimensions; numpy allows at most 64",
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
    text.extend(std::iter::repeat(' ').take(spaces));
    Ok(text)
}

/// A format version and the size of its HEADER_LEN field.
type Candidate = ((u8, u8), usize);

/// Prefix + header bytes exactly as np.save writes them (version chosen as numpy does:
/// 1.0, else 2.0 when too long, else 3.0 when the text is not latin-1). The buffers are
/// allocated fallibly: MM_E_IO/ENOMEM when refused.
pub fn encode(dtype: &DType, shape: &[usize], fortran_order: bool) -> Result<Vec<u8>> {
    let text = dict_text(dtype, shape, fortran_order)?;
    let latin1 = text.chars().all(|c| (c as u32) <= 0xff);
    let (body_len, candidates): (usize, &[Candidate]) = if latin1 {
        (text.chars().count(), &[((1, 0), 2), ((2, 0), 4)])
    } else {
        (text.len(), &[((3, 0), 4)])
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
            out.extend(text.chars().map(|c| c as u8));
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
mod tests {
    use super::*;

    fn npy(version: (u8, u8), text: &str) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[version.0, version.1]);
        let body: Vec<u8> = if version == (3, 0) {
            text.as_bytes().to_vec()
        } else {
            text.chars().map(|c| c as u32 as u8).collect()
        };
        if version == (1, 0) {
            out.extend_from_slice(&(body.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(&body);
        out
    }

    fn kind_of(bytes: &[u8]) -> (ErrorKind, String) {
        match parse_bytes(bytes) {
            Ok(h) => panic!("{:?} parsed as {h:?}", String::from_utf8_lossy(bytes)),
            Err(e) => (e.kind, e.message),
        }
    }

    #[test]
    fn worked_examples_b11() {
        let f4 = DType::parse("<f4").unwrap();
        let h = encode(&f4, &[3, 4], false).unwrap();
        assert_eq!(h.len(), 128);
        assert_eq!(&h[..10], b"\x93NUMPY\x01\x00\x76\x00");
        let text = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
        assert_eq!(&h[10..10 + text.len()], text.as_bytes());
        assert!(h[10 + text.len()..127].iter().all(|&b| b == b' '));
        assert_eq!(h[127], b'\n');

        let u1 = DType::parse("|u1").unwrap();
        let h = encode(&u1, &[2, 3], true).unwrap();
        assert!(h.starts_with(
            b"\x93NUMPY\x01\x00\x76\x00{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }"
        ));

        let f8 = DType::parse("<f8").unwrap();
        let h = encode(&f8, &[], false).unwrap();
        let text = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
        assert_eq!(h.len(), 128);
        assert_eq!(&h[8..10], &[118, 0]);
        assert_eq!(&h[10..10 + text.len()], text.as_bytes());
        assert_eq!(h.len() - 10 - text.len() - 1, 62);
        assert_eq!(encode(&f8, &[0], false).unwrap().len(), 128);

        let back = parse_bytes(&encode(&f4, &[3, 4], false).unwrap()).unwrap();
        assert_eq!(
            (
                back.version,
                back.shape.as_slice(),
                back.fortran_order,
                back.data_offset
            ),
            ((1, 0), &[3, 4][..], false, 128)
        );
        assert_eq!(back.dtype, f4);
    }

    #[test]
    fn versions_2_and_3() {
        // A record whose descr is too long for a u16 header length.
        let fields: Vec<String> = (0..5000)
            .map(|i| format!("('field_number_{i:05}', '<i4')"))
            .collect();
        let big = DType::parse(&format!("[{}]", fields.join(", "))).unwrap();
        let h = encode(&big, &[2], false).unwrap();
        assert_eq!(&h[6..8], &[2, 0]);
        assert_eq!(h.len() % 64, 0);
        let back = parse_bytes(&h).unwrap();
        assert_eq!(back.dtype, big);
        assert_eq!(back.version, (2, 0));

        let cjk = DType::parse("[('\u{4e2d}\u{6587}', '<i4')]").unwrap();
        let h = encode(&cjk, &[3], false).unwrap();
        assert_eq!(&h[6..8], &[3, 0]);
        assert_eq!(h.len() % 64, 0);
        assert_eq!(parse_bytes(&h).unwrap().dtype, cjk);

        let latin = DType::parse("[('\u{e9}', '<i4')]").unwrap();
        let h = encode(&latin, &[3], false).unwrap();
        assert_eq!(&h[6..8], &[1, 0]);
        assert!(h.windows(3).any(|w| w == b"'\xe9'"));
        assert_eq!(parse_bytes(&h).unwrap().dtype, latin);
    }

    #[test]
    fn linear_time_on_large_headers() {
        // ~2.6 MB of header text, 100000 fields: no 10000-character limit (D11), and the
        // parse stays fast (it is one pass).
        let fields: Vec<String> = (0..100_000).map(|i| format!("('f{i}', '<i2')")).collect();
        let text = format!(
            "{{'descr': [{}], 'fortran_order': False, 'shape': (2,), }}",
            fields.join(", ")
        );
        let start = std::time::Instant::now();
        let h = parse_bytes(&npy((2, 0), &text)).unwrap();
        assert_eq!(h.dtype.fields().unwrap().len(), 100_000);
        assert_eq!(h.dtype.itemsize(), 200_000);
        // Brackets nested to Python's limit, over and over, then cut off.
        let deep = "[".repeat(200) + &"]".repeat(200) + ", ";
        let text = format!("{{'x': [{}", deep.repeat(5000));
        let (k, _) = kind_of(&npy((2, 0), &text));
        assert_eq!(k, ErrorKind::Format);
        let text = format!("{{'x': {}", "[".repeat(100_000));
        let (k, msg) = kind_of(&npy((2, 0), &text));
        assert_eq!(k, ErrorKind::Format);
        assert!(msg.contains("nested"), "{msg}");
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn accepted_variants() {
        let ok = [
            (
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
            ),
            (
                (1, 0),
                "{\"shape\": (3, 4), \"descr\": \"<f4\", \"fortran_order\": False}",
            ),
            (
                (1, 0),
                "  {'descr':'<f4',\n 'fortran_order':False, # c\n 'shape':(3,4,)}\n\n",
            ),
            (
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }",
            ),
            (
                (2, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4L)}",
            ),
            (
                (1, 0),
                "{'descr': 'float32', 'fortran_order': False, 'shape': (3, 4)}",
            ),
            (
                (1, 0),
                "{'descr': '<f4', 'fortran_order': True, 'fortran_order': False, 'shape': (3, 4)}",
            ),
            (
                (3, 0),
                "{'descr': u'<f4', 'fortran_order': False, 'shape': (0x3, 4)}",
            ),
            (
                (1, 0),
                "{'descr': [('a', '<f4'), ('', '|V4')], 'fortran_order': False, 'shape': (3, 4)}",
            ),
        ];
        for (v, text) in ok {
            let h = parse_bytes(&npy(v, text)).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(h.shape, vec![3, 4], "{text}");
            assert!(!h.fortran_order);
            assert_eq!(h.dtype.itemsize(), if text.contains("V4") { 8 } else { 4 });
        }
        let h = parse_bytes(&npy(
            (1, 0),
            "{'descr': ('<i4', (2,)), 'fortran_order': False, 'shape': (3,)}",
        ))
        .unwrap();
        assert_eq!(
            (h.dtype.typestr(), h.shape.as_slice()),
            ("<i4", &[3, 2][..])
        );
    }

    #[test]
    fn rejections_r1_to_r16() {
        use ErrorKind::*;
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
        let full = npy((1, 0), good);
        let cases: Vec<(Vec<u8>, ErrorKind, &str)> = vec![
            (
                b"\x93NUM".to_vec(),
                Format,
                "EOF: reading magic string, expected 8 bytes got 4",
            ),
            (
                b"\x93NUMPX\x01\x00".to_vec(),
                Format,
                "the magic string is not correct",
            ),
            (b"\x93NUMPY\x01\x01\x00\x00".to_vec(), Format, "not (1, 1)"),
            (b"\x93NUMPY\x00\x00".to_vec(), Format, "not (0, 0)"),
            (b"\x93NUMPY\x02\x02".to_vec(), Format, "not (2, 2)"),
            (
                b"\x93NUMPY\x01\x00\x05".to_vec(),
                Format,
                "EOF: reading array header length, expected 2 bytes got 1",
            ),
            (
                b"\x93NUMPY\x02\x00\x05\x00".to_vec(),
                Format,
                "expected 4 bytes got 2",
            ),
            (
                full[..full.len() - 5].to_vec(),
                Format,
                "EOF: reading array header, expected",
            ),
            (
                [&b"\x93NUMPY\x03\x00\x02\x00\x00\x00"[..], b"\xff\xfe"].concat(),
                Format,
                "not valid UTF-8",
            ),
            (
                npy(
                    (3, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,)}",
                ),
                Format,
                "Cannot parse header",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)",
                ),
                Format,
                "Cannot parse header",
            ),
            (npy((1, 0), "[1, 2]"), Format, "Header is not a dictionary"),
            (
                npy((1, 0), "{'descr': '<f4', 'shape': (3,)}"),
                Format,
                "Header does not contain the correct keys: ['descr', 'shape']",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
                ),
                Format,
                "correct keys",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': 3}",
                ),
                Format,
                "shape is not valid: 3",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
                ),
                Format,
                "shape is not valid: 2",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': [3]}",
                ),
                Format,
                "shape is not valid",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (3.0,)}",
                ),
                Format,
                "shape is not valid",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",
                ),
                Format,
                "fortran_order is not a valid bool: 0",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': 'False', 'shape': (3,)}",
                ),
                Format,
                "fortran_order is not a valid bool",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<q9', 'fortran_order': False, 'shape': (3,)}",
                ),
                Format,
                "descr is not a valid dtype descriptor: '<q9'",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}",
                ),
                Unsupported,
                "memory-mapped",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (3,)}",
                ),
                Unsupported,
                "memory-mapped",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                ),
                Format,
                "negative dimensions are not allowed",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (True,)}",
                ),
                Format,
                "bool",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
                ),
                Format,
                "too large",
            ),
            (
                npy(
                    (1, 0),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
                ),
                Format,
                "overflows",
            ),
        ];
        for (bytes, kind, text) in cases {
            let (k, msg) = kind_of(&bytes);
            assert_eq!(k, kind, "{msg}");
            assert!(msg.contains(text), "{msg:?} lacks {text:?}");
        }
        // A huge HEADER_LEN in a tiny input allocates nothing and fails cleanly.
        let (k, msg) = kind_of(b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}");
        assert_eq!(k, Format);
        assert!(msg.contains("expected 4294967295 bytes got 2"), "{msg}");
    }
}
