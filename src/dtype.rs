//! numpy data types: parsing type strings and names, canonical `.str`, itemsize, alignment.
//!
//! [`DType::parse`] accepts the texts `numpy.dtype(text)` accepts for scalar types
//! (numpy 2.x): type strings such as `"<f8"`, `"|S3"`, `">U5"`, `"M8[10s]"`,
//! single-character codes such as `"d"` or `"?"`, and names such as `"float64"`,
//! `"longdouble"` or `"datetime64[ns]"`. Platform-dependent types (`long`, `intp`,
//! `longdouble`, ...) resolve as numpy resolves them on the target platform.
//!
//! Record (structured) dtypes are read in two forms (see `record`): the descr list that
//! .npy headers hold (`"[('x', '<f4'), ('', '|V4'), ('y', '<i8', (3,))]"`) and numpy's
//! comma form (`"<i4,(2,3)f8"`); their typestr is the descr list as numpy prints it.
//!
//! Not supported on purpose: object (`"O"`) and `StringDType` (`"T"`) arrays, whose items
//! are pointers into Python's heap (`ErrorKind::Unsupported`); and, as
//! `ErrorKind::InvalidArg`: top-level subarray dtypes and the other texts numpy reads with
//! its comma-string grammar without a comma (`"(2,)i4"`, `"2i4"`, and scalar results
//! such as `"3S"` = `"S3"`, `"()i4"`); datetime units with a divisor (`"M8[s/10]"`, which
//! numpy turns into a finer unit by approximate rules); and single control characters,
//! which numpy reads as raw type numbers (`"\0"` is bool there).

use std::fmt;
use std::mem::{align_of, size_of};
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{ErrorKind, MmError, Result};

mod common;
mod record;
mod time;
pub use record::{shape_text, Field};
use time::{parse_time_meta, time_suffix, TimeMeta};

/// The byte order of a data type's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    Little,
    Big,
    /// Items of one byte or of bytes without an order (`b1`, `i1`, `u1`, `S`, `V`).
    NotApplicable,
}

impl ByteOrder {
    /// The byte order of the machine this code runs on.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };
}

/// A numpy data type. Cheap to clone (an Arc inside); immutable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DType(Arc<DTypeInner>);

#[derive(Debug, PartialEq, Eq)]
struct DTypeInner {
    layout: Layout,
    byte_order: ByteOrder,
    itemsize: usize,
    alignment: usize,
    typestr: String,
}

/// What an item is made of: one scalar, or named fields at offsets (see `record`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    Scalar(Scalar),
    Record(Arc<[Field]>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Bool,
    Int,
    UInt,
    Float,
    Complex,
    /// `S`: bytes, itemsize = length.
    Bytes,
    /// `U`: UCS-4 text, itemsize = 4 * length.
    Str,
    /// `V`: raw bytes.
    Void,
    DateTime(TimeMeta),
    TimeDelta(TimeMeta),
}

/// numpy keeps itemsizes in a C int: no item may exceed this many bytes.
const MAX_ITEMSIZE: usize = i32::MAX as usize;

/// (size, alignment) of C `long double`, which numpy calls longdouble / `g`.
const LONGDOUBLE: (usize, usize) = if cfg!(all(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    not(target_os = "windows"),
    not(target_vendor = "apple")
)) {
    (16, 16)
} else if cfg!(all(target_arch = "x86", not(target_os = "windows"))) {
    (12, 4)
} else {
    (size_of::<f64>(), align_of::<f64>())
};

/// The size of C `long` (numpy's `long` / `l`).
const C_LONG: usize = size_of::<libc::c_long>();
/// The size of a pointer-sized integer (numpy's `intp` / `int` / `p` / `n`).
const INTP: usize = size_of::<isize>();

fn int_alignment(size: usize) -> usize {
    match size {
        1 => align_of::<i8>(),
        2 => align_of::<i16>(),
        4 => align_of::<i32>(),
        _ => align_of::<i64>(),
    }
}

fn float_alignment(size: usize) -> usize {
    match size {
        2 => 2,
        4 => align_of::<f32>(),
        8 => align_of::<f64>(),
        _ => LONGDOUBLE.1,
    }
}

/// A scalar kind as named by one type character, before its size is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Bool,
    Int,
    UInt,
    Float,
    Complex,
    Bytes,
    Str,
    Void,
    DateTime,
    TimeDelta,
    Object,
}

/// How a parse failed, before the text is put into the message.
enum Failure {
    /// InvalidArg with an optional reason.
    Invalid(Option<String>),
    /// Unsupported with a reason.
    Unsupported(String),
}

fn invalid() -> Failure {
    Failure::Invalid(None)
}

fn invalid_because(reason: impl Into<String>) -> Failure {
    Failure::Invalid(Some(reason.into()))
}

const OBJECT_REASON: &str =
    "object arrays hold Python pointers and cannot be mapped from or to a file";
const STRINGDTYPE_REASON: &str =
    "StringDType ('T') arrays hold pointers into Python's heap and cannot be mapped from or to a file";

impl DType {
    /// Parse a numpy type string or name, as `numpy.dtype(text)` does.
    ///
    /// Errors: text numpy does not understand, structured / subarray dtypes and datetime
    /// divisors -> `ErrorKind::InvalidArg`; object and StringDType -> `ErrorKind::Unsupported`.
    pub fn parse(text: &str) -> Result<DType> {
        parse_text(text).map_err(|failure| match failure {
            Failure::Invalid(None) => MmError::invalid(format!(
                "data type \"{}\" not understood",
                text.escape_debug()
            )),
            Failure::Invalid(Some(reason)) => MmError::invalid(format!(
                "data type \"{}\" not understood: {reason}",
                text.escape_debug()
            )),
            Failure::Unsupported(reason) => MmError::new(
                ErrorKind::Unsupported,
                format!(
                    "data type \"{}\" is not supported: {reason}",
                    text.escape_debug()
                ),
            ),
        })
    }

    /// numpy's default for memmap: "|u1". The process's shared one (src/dtype/common.rs),
    /// so that an open or view with no dtype allocates none.
    pub fn u1() -> DType {
        Self::parse_common(b"|u1").unwrap_or_else(|| build(Scalar::UInt, 1, None))
    }

    /// The size of one item in bytes (0 for `S0`, `U0`, `V0`).
    pub fn itemsize(&self) -> usize {
        self.0.itemsize
    }

    /// numpy's `dtype.alignment`.
    pub fn alignment(&self) -> usize {
        self.0.alignment
    }

    /// numpy's canonical `dtype.str`, e.g. `"<f8"`, `"|S3"`, `">U5"`, `"<M8[10s]"`.
    pub fn typestr(&self) -> &str {
        &self.0.typestr
    }

    /// Whether the typestr can hold a NUL byte: only a record's can (its field names are
    /// the caller's text); a scalar's is made by `build` from fixed characters and
    /// numbers. Lets registration skip the scan for the NUL a C string cannot carry.
    #[inline]
    pub fn typestr_may_hold_nul(&self) -> bool {
        matches!(self.0.layout, Layout::Record(_))
    }

    /// numpy's `dtype.isnative`: native byte order or byte order not applicable.
    /// Inline: every open and view asks it for its handle's summary.
    #[inline]
    pub fn is_native(&self) -> bool {
        if let Layout::Record(fields) = &self.0.layout {
            return DType::record_is_native(fields);
        }
        matches!(self.0.byte_order, ByteOrder::NotApplicable)
            || self.0.byte_order == ByteOrder::NATIVE
    }

    pub fn byte_order(&self) -> ByteOrder {
        self.0.byte_order
    }

    /// The kind character numpy uses: 'b','i','u','f','c','S','U','V','M','m'.
    pub fn kind(&self) -> char {
        match self.0.layout {
            Layout::Scalar(scalar) => match scalar {
                Scalar::Bool => 'b',
                Scalar::Int => 'i',
                Scalar::UInt => 'u',
                Scalar::Float => 'f',
                Scalar::Complex => 'c',
                Scalar::Bytes => 'S',
                Scalar::Str => 'U',
                Scalar::Void => 'V',
                Scalar::DateTime(_) => 'M',
                Scalar::TimeDelta(_) => 'm',
            },
            Layout::Record(_) => 'V',
        }
    }

    /// For datetime64 / timedelta64: the unit symbol ("generic", "Y", ..., "ns", "as")
    /// and its multiplier (1 for `"[s]"`, 10 for `"[10s]"`). `None` for other kinds.
    pub fn datetime_unit(&self) -> Option<(&'static str, u32)> {
        match self.0.layout {
            Layout::Scalar(Scalar::DateTime(meta) | Scalar::TimeDelta(meta)) => {
                Some((meta.unit.symbol(), meta.multiplier))
            }
            _ => None,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.typestr())
    }
}

impl FromStr for DType {
    type Err = MmError;

    fn from_str(text: &str) -> Result<DType> {
        DType::parse(text)
    }
}

/// Build a scalar dtype from its kind, itemsize and the byte order asked for
/// (`None` = native). The caller has checked that the itemsize is valid for the kind.
fn build(scalar: Scalar, itemsize: usize, requested: Option<ByteOrder>) -> DType {
    let order_neutral = match scalar {
        Scalar::Bool | Scalar::Bytes | Scalar::Void => true,
        Scalar::Int | Scalar::UInt => itemsize == 1,
        _ => false,
    };
    let byte_order = if order_neutral {
        ByteOrder::NotApplicable
    } else {
        requested.unwrap_or(ByteOrder::NATIVE)
    };
    let alignment = match scalar {
        Scalar::Bool | Scalar::Bytes | Scalar::Void => 1,
        Scalar::Str => 4,
        Scalar::Int | Scalar::UInt => int_alignment(itemsize),
        Scalar::Float => float_alignment(itemsize),
        Scalar::Complex => float_alignment(itemsize / 2),
        Scalar::DateTime(_) | Scalar::TimeDelta(_) => align_of::<i64>(),
    };
    let order_char = match byte_order {
        ByteOrder::Little => '<',
        ByteOrder::Big => '>',
        ByteOrder::NotApplicable => '|',
    };
    let typestr = match scalar {
        Scalar::Bool => format!("{order_char}b{itemsize}"),
        Scalar::Int => format!("{order_char}i{itemsize}"),
        Scalar::UInt => format!("{order_char}u{itemsize}"),
        Scalar::Float => format!("{order_char}f{itemsize}"),
        Scalar::Complex => format!("{order_char}c{itemsize}"),
        Scalar::Bytes => format!("{order_char}S{itemsize}"),
        Scalar::Str => format!("{order_char}U{}", itemsize / 4),
        Scalar::Void => format!("{order_char}V{itemsize}"),
        Scalar::DateTime(meta) => format!("{order_char}M8{}", time_suffix(meta)),
        Scalar::TimeDelta(meta) => format!("{order_char}m8{}", time_suffix(meta)),
    };
    DType(Arc::new(DTypeInner {
        layout: Layout::Scalar(scalar),
        byte_order,
        itemsize,
        alignment,
        typestr,
    }))
}

fn parse_text(text: &str) -> std::result::Result<DType, Failure> {
    if text.starts_with('[') {
        return record::parse_descr_text(text);
    }
    if has_top_level_comma(text) {
        return record::parse_comma_text(text);
    }
    let (requested, body) = match text.as_bytes().first() {
        Some(b'<') => (Some(ByteOrder::Little), &text[1..]),
        Some(b'>') => (Some(ByteOrder::Big), &text[1..]),
        Some(b'=') | Some(b'|') => (None, &text[1..]),
        _ => (None, text),
    };
    let has_prefix = body.len() != text.len();

    // datetime64 / timedelta64 spellings take a byte order and an optional "[unit]".
    for (head, datetime) in [
        ("M8", true),
        ("m8", false),
        ("datetime64", true),
        ("timedelta64", false),
    ] {
        if let Some(meta_text) = body.strip_prefix(head) {
            let meta = parse_time_meta(meta_text)?;
            let scalar = if datetime {
                Scalar::DateTime(meta)
            } else {
                Scalar::TimeDelta(meta)
            };
            return Ok(build(scalar, 8, requested));
        }
    }

    // A type character, optionally followed by a size.
    let mut chars = body.chars();
    if let Some(first) = chars.next() {
        let rest = chars.as_str();
        if let Some(result) = parse_code(first, rest, requested) {
            return result;
        }
    }

    if body.starts_with('(') || body.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(invalid_because(
            "top-level subarray data types are not supported (use a record field)",
        ));
    }
    // Names take no byte order prefix.
    if has_prefix {
        return Err(invalid());
    }
    parse_name(text).unwrap_or_else(|| Err(invalid()))
}

/// numpy's comma form: a comma outside parentheses and brackets.
fn has_top_level_comma(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth <= 0 => return true,
            _ => {}
        }
    }
    false
}

/// A type character and what follows it. `None` when `first` is no type character or the
/// rest is no size, so that the text may still be a name.
fn parse_code(
    first: char,
    rest: &str,
    requested: Option<ByteOrder>,
) -> Option<std::result::Result<DType, Failure>> {
    if rest.is_empty() {
        return single_char_code(first, requested);
    }
    let code = match first {
        'b' => Code::Bool,
        'i' => Code::Int,
        'u' => Code::UInt,
        'f' => Code::Float,
        'c' => Code::Complex,
        'S' | 'a' => Code::Bytes,
        'U' => Code::Str,
        'V' => Code::Void,
        'M' => Code::DateTime,
        'm' => Code::TimeDelta,
        'O' => Code::Object,
        _ => return None,
    };
    let size = match parse_c_long(rest) {
        Some((value, "")) => value,
        _ => return None,
    };
    Some(sized_code(first, code, size, requested))
}

fn single_char_code(
    first: char,
    requested: Option<ByteOrder>,
) -> Option<std::result::Result<DType, Failure>> {
    let (scalar, itemsize) = match first {
        '?' => (Scalar::Bool, 1),
        'b' => (Scalar::Int, 1),
        'B' => (Scalar::UInt, 1),
        'h' => (Scalar::Int, 2),
        'H' => (Scalar::UInt, 2),
        'i' => (Scalar::Int, 4),
        'I' => (Scalar::UInt, 4),
        'l' => (Scalar::Int, C_LONG),
        'L' => (Scalar::UInt, C_LONG),
        'q' => (Scalar::Int, 8),
        'Q' => (Scalar::UInt, 8),
        'p' | 'n' => (Scalar::Int, INTP),
        'P' | 'N' => (Scalar::UInt, INTP),
        'e' => (Scalar::Float, 2),
        'f' => (Scalar::Float, 4),
        'd' => (Scalar::Float, 8),
        'g' => (Scalar::Float, LONGDOUBLE.0),
        'F' => (Scalar::Complex, 8),
        'D' => (Scalar::Complex, 16),
        'G' => (Scalar::Complex, 2 * LONGDOUBLE.0),
        'S' => (Scalar::Bytes, 0),
        'c' => (Scalar::Bytes, 1),
        'U' => (Scalar::Str, 0),
        'V' => (Scalar::Void, 0),
        'M' => (Scalar::DateTime(TimeMeta::GENERIC), 8),
        'm' => (Scalar::TimeDelta(TimeMeta::GENERIC), 8),
        'O' => return Some(Err(Failure::Unsupported(OBJECT_REASON.into()))),
        'T' => return Some(Err(Failure::Unsupported(STRINGDTYPE_REASON.into()))),
        _ => return None,
    };
    Some(Ok(build(scalar, itemsize, requested)))
}

/// A type character with a parsed size (`None` = the number overflowed or was negative).
fn sized_code(
    first: char,
    code: Code,
    size: Option<u64>,
    requested: Option<ByteOrder>,
) -> std::result::Result<DType, Failure> {
    let too_large = || {
        invalid_because(format!(
            "the itemsize exceeds numpy's limit of {MAX_ITEMSIZE} bytes"
        ))
    };
    let Some(size) = size else {
        return Err(match code {
            Code::Bytes | Code::Str | Code::Void => too_large(),
            _ => invalid(),
        });
    };
    let fixed = |scalar: Scalar, valid: &[usize]| -> std::result::Result<DType, Failure> {
        match usize::try_from(size) {
            Ok(n) if valid.contains(&n) => Ok(build(scalar, n, requested)),
            _ => Err(invalid_because(format!(
                "itemsize {size} is not valid for kind '{first}'"
            ))),
        }
    };
    match code {
        Code::Bool => fixed(Scalar::Bool, &[1]),
        Code::Int => fixed(Scalar::Int, &[1, 2, 4, 8]),
        Code::UInt => fixed(Scalar::UInt, &[1, 2, 4, 8]),
        Code::Float => fixed(Scalar::Float, &[2, 4, 8, LONGDOUBLE.0]),
        Code::Complex => fixed(Scalar::Complex, &[8, 16, 2 * LONGDOUBLE.0]),
        Code::DateTime => fixed(Scalar::DateTime(TimeMeta::GENERIC), &[8]),
        Code::TimeDelta => fixed(Scalar::TimeDelta(TimeMeta::GENERIC), &[8]),
        Code::Object if size == 4 || size == 8 => Err(Failure::Unsupported(OBJECT_REASON.into())),
        Code::Object => Err(invalid_because(format!(
            "itemsize {size} is not valid for kind '{first}'"
        ))),
        Code::Bytes | Code::Void => match usize::try_from(size) {
            Ok(n) if n <= MAX_ITEMSIZE => {
                let scalar = if code == Code::Bytes {
                    Scalar::Bytes
                } else {
                    Scalar::Void
                };
                Ok(build(scalar, n, requested))
            }
            _ => Err(too_large()),
        },
        Code::Str => match usize::try_from(size) {
            Ok(n) if n <= MAX_ITEMSIZE / 4 => Ok(build(Scalar::Str, n * 4, requested)),
            _ => Err(too_large()),
        },
    }
}

/// Read an integer the way C's `strtol` does (numpy reads sizes and multipliers with it):
/// leading ASCII whitespace, an optional sign, then at least one digit. Returns the value
/// (`None` when it is negative and not zero, or too large for an i64) and the rest of the
/// text, or `None` when no digits follow.
fn parse_c_long(text: &str) -> Option<(Option<u64>, &str)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        pos += 1;
    }
    let mut negative = false;
    if pos < bytes.len() && (bytes[pos] == b'+' || bytes[pos] == b'-') {
        negative = bytes[pos] == b'-';
        pos += 1;
    }
    let digits_start = pos;
    let mut value: Option<u64> = Some(0);
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        let digit = u64::from(bytes[pos] - b'0');
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(digit))
            .filter(|&v| v <= i64::MAX as u64);
        pos += 1;
    }
    if pos == digits_start {
        return None;
    }
    let value = match value {
        Some(v) if negative && v != 0 => None,
        other => other,
    };
    // Only ASCII bytes were consumed, so `pos` is a char boundary.
    Some((value, &text[pos..]))
}

/// numpy's type names (numpy 2.x, without the aliases numpy 2 removed).
fn parse_name(text: &str) -> Option<std::result::Result<DType, Failure>> {
    let (scalar, itemsize) = match text {
        "bool" | "bool_" => (Scalar::Bool, 1),
        "int8" | "byte" => (Scalar::Int, 1),
        "uint8" | "ubyte" => (Scalar::UInt, 1),
        "int16" | "short" => (Scalar::Int, 2),
        "uint16" | "ushort" => (Scalar::UInt, 2),
        "int32" | "intc" => (Scalar::Int, 4),
        "uint32" | "uintc" => (Scalar::UInt, 4),
        "int64" | "longlong" => (Scalar::Int, 8),
        "uint64" | "ulonglong" => (Scalar::UInt, 8),
        "long" => (Scalar::Int, C_LONG),
        "ulong" => (Scalar::UInt, C_LONG),
        "int" | "int_" | "intp" => (Scalar::Int, INTP),
        "uint" | "uintp" => (Scalar::UInt, INTP),
        "float16" | "half" => (Scalar::Float, 2),
        "float32" | "single" => (Scalar::Float, 4),
        "float64" | "double" | "float" => (Scalar::Float, 8),
        "longdouble" => (Scalar::Float, LONGDOUBLE.0),
        "complex64" | "csingle" => (Scalar::Complex, 8),
        "complex128" | "cdouble" | "complex" => (Scalar::Complex, 16),
        "clongdouble" => (Scalar::Complex, 2 * LONGDOUBLE.0),
        "bytes" | "bytes_" => (Scalar::Bytes, 0),
        // numpy 2 still takes a bare "a" (deprecated), as a name: "<a" is rejected.
        "a" => (Scalar::Bytes, 0),
        "str" | "str_" | "unicode" => (Scalar::Str, 0),
        "void" => (Scalar::Void, 0),
        "object" | "object_" => return Some(Err(Failure::Unsupported(OBJECT_REASON.into()))),
        _ => {
            // Sized names exist for long double only where it has that size.
            let ld_bits = LONGDOUBLE.0 * 8;
            if LONGDOUBLE.0 > 8 && text.strip_prefix("float") == Some(&ld_bits.to_string()) {
                (Scalar::Float, LONGDOUBLE.0)
            } else if LONGDOUBLE.0 > 8
                && text.strip_prefix("complex") == Some(&(2 * ld_bits).to_string())
            {
                (Scalar::Complex, 2 * LONGDOUBLE.0)
            } else {
                return None;
            }
        }
    };
    Some(Ok(build(scalar, itemsize, None)))
}

#[cfg(test)]
mod tests;
