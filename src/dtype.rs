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

mod record;
pub use record::{shape_text, Field};

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

/// The unit of a datetime64 / timedelta64: a base unit and a multiplier (`[10s]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimeMeta {
    unit: TimeUnit,
    /// Always 1 for the generic unit.
    multiplier: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeUnit {
    Generic,
    Years,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Millis,
    Micros,
    Nanos,
    Picos,
    Femtos,
    Attos,
}

impl TimeUnit {
    fn from_text(text: &str) -> Option<TimeUnit> {
        Some(match text {
            "generic" => TimeUnit::Generic,
            "Y" => TimeUnit::Years,
            "M" => TimeUnit::Months,
            "W" => TimeUnit::Weeks,
            "D" => TimeUnit::Days,
            "h" => TimeUnit::Hours,
            "m" => TimeUnit::Minutes,
            "s" => TimeUnit::Seconds,
            "ms" => TimeUnit::Millis,
            // numpy also takes the Greek mu for micro.
            "us" | "\u{3bc}s" => TimeUnit::Micros,
            "ns" => TimeUnit::Nanos,
            "ps" => TimeUnit::Picos,
            "fs" => TimeUnit::Femtos,
            "as" => TimeUnit::Attos,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Generic => "generic",
            TimeUnit::Years => "Y",
            TimeUnit::Months => "M",
            TimeUnit::Weeks => "W",
            TimeUnit::Days => "D",
            TimeUnit::Hours => "h",
            TimeUnit::Minutes => "m",
            TimeUnit::Seconds => "s",
            TimeUnit::Millis => "ms",
            TimeUnit::Micros => "us",
            TimeUnit::Nanos => "ns",
            TimeUnit::Picos => "ps",
            TimeUnit::Femtos => "fs",
            TimeUnit::Attos => "as",
        }
    }
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

    /// numpy's default for memmap: "|u1".
    pub fn u1() -> DType {
        build(Scalar::UInt, 1, None)
    }

    /// The size of one item in bytes (0 for `S0`, `U0`, `V0`).
    pub fn itemsize(&self) -> usize {
        self.0.itemsize
    }

    /// numpy's `dtype.alignment`.
    pub fn alignment(&self) -> usize {
        self.0.alignment
    }

    /// numpy's canonical `dtype.str`, e.g. "<f8", "|S3", ">U5", "<M8[10s]".
    pub fn typestr(&self) -> &str {
        &self.0.typestr
    }

    /// numpy's `dtype.isnative`: native byte order or byte order not applicable.
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
    /// and its multiplier (1 for "[s]", 10 for "[10s]"). `None` for other kinds.
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

fn time_suffix(meta: TimeMeta) -> String {
    match (meta.unit, meta.multiplier) {
        (TimeUnit::Generic, _) => String::new(),
        (unit, 1) => format!("[{}]", unit.symbol()),
        (unit, n) => format!("[{n}{}]", unit.symbol()),
    }
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
    let generic = TimeMeta {
        unit: TimeUnit::Generic,
        multiplier: 1,
    };
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
        'M' => (Scalar::DateTime(generic), 8),
        'm' => (Scalar::TimeDelta(generic), 8),
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
    let generic = TimeMeta {
        unit: TimeUnit::Generic,
        multiplier: 1,
    };
    match code {
        Code::Bool => fixed(Scalar::Bool, &[1]),
        Code::Int => fixed(Scalar::Int, &[1, 2, 4, 8]),
        Code::UInt => fixed(Scalar::UInt, &[1, 2, 4, 8]),
        Code::Float => fixed(Scalar::Float, &[2, 4, 8, LONGDOUBLE.0]),
        Code::Complex => fixed(Scalar::Complex, &[8, 16, 2 * LONGDOUBLE.0]),
        Code::DateTime => fixed(Scalar::DateTime(generic), &[8]),
        Code::TimeDelta => fixed(Scalar::TimeDelta(generic), &[8]),
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

/// The part of a datetime type string after "M8" / "datetime64": empty (generic unit)
/// or "[unit]" / "[Nunit]".
fn parse_time_meta(text: &str) -> std::result::Result<TimeMeta, Failure> {
    if text.is_empty() {
        return Ok(TimeMeta {
            unit: TimeUnit::Generic,
            multiplier: 1,
        });
    }
    let bad = || {
        invalid_because(format!(
            "invalid datetime metadata \"{}\"",
            text.escape_debug()
        ))
    };
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(bad)?;
    if inner.contains(']') {
        return Err(bad());
    }
    let (multiplier, unit_text) = match parse_c_long(inner) {
        None => (1u32, inner),
        Some((Some(n), unit_text)) if n <= i32::MAX as u64 => (n as u32, unit_text),
        Some(_) => {
            return Err(invalid_because(format!(
                "datetime multiplier in \"{}\" is negative or larger than {}",
                text.escape_debug(),
                i32::MAX
            )))
        }
    };
    if unit_text.contains('/') {
        return Err(invalid_because(
            "datetime units with a divisor (\"[s/10]\") are not supported",
        ));
    }
    let unit = TimeUnit::from_text(unit_text).ok_or_else(|| {
        invalid_because(format!(
            "invalid datetime unit \"{}\"",
            unit_text.escape_debug()
        ))
    })?;
    let multiplier = if unit == TimeUnit::Generic {
        1
    } else {
        multiplier
    };
    Ok(TimeMeta { unit, multiplier })
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
mod tests {
    use super::*;

    fn order_code(order: ByteOrder) -> char {
        match order {
            ByteOrder::Little => 'L',
            ByteOrder::Big => 'B',
            ByteOrder::NotApplicable => 'N',
        }
    }

    fn error_kind(text: &str) -> ErrorKind {
        match DType::parse(text) {
            Ok(d) => panic!("{text:?} parsed as {d}, expected an error"),
            Err(e) => e.kind,
        }
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn accepted_like_numpy() {
        for &(text, typestr, itemsize, alignment, native, kind, order) in ACCEPTED {
            let d = DType::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(d.typestr(), typestr, "typestr of {text:?}");
            assert_eq!(d.itemsize(), itemsize, "itemsize of {text:?}");
            assert_eq!(d.alignment(), alignment, "alignment of {text:?}");
            assert_eq!(d.is_native(), native, "isnative of {text:?}");
            assert_eq!(d.kind(), kind, "kind of {text:?}");
            assert_eq!(order_code(d.byte_order()), order, "byte order of {text:?}");
        }
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn rejected_like_numpy() {
        for &text in REJECTED_BY_NUMPY {
            assert_eq!(error_kind(text), ErrorKind::InvalidArg, "{text:?}");
        }
    }

    #[test]
    fn refused_on_purpose() {
        for &(text, kind) in REFUSED_ON_PURPOSE {
            assert_eq!(error_kind(text), kind, "{text:?}");
        }
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn typestr_round_trips() {
        for &(text, ..) in ACCEPTED {
            let d = DType::parse(text).unwrap();
            let again = DType::parse(d.typestr()).unwrap();
            assert_eq!(d, again, "{text:?} -> {}", d.typestr());
            assert_eq!(again.typestr(), d.typestr());
        }
    }

    #[test]
    fn u1_default() {
        let d = DType::u1();
        assert_eq!(d.typestr(), "|u1");
        assert_eq!(d.itemsize(), 1);
        assert_eq!(d.alignment(), 1);
        assert_eq!(d.kind(), 'u');
        assert_eq!(d.byte_order(), ByteOrder::NotApplicable);
        assert!(d.is_native());
        assert_eq!(d, DType::parse("uint8").unwrap());
        assert_eq!(d.to_string(), "|u1");
        assert_eq!("|u1".parse::<DType>().unwrap(), d);
    }

    #[test]
    fn portable_basics() {
        let native = if cfg!(target_endian = "big") {
            '>'
        } else {
            '<'
        };
        let f8 = DType::parse("=f8").unwrap();
        assert_eq!(f8.typestr(), format!("{native}f8"));
        assert!(f8.is_native());
        let swapped = if native == '<' { ">i4" } else { "<i4" };
        let i4 = DType::parse(swapped).unwrap();
        assert!(!i4.is_native());
        assert_eq!(i4.typestr(), swapped);
        assert_eq!(DType::parse(">b1").unwrap().typestr(), "|b1");
        assert_eq!(DType::parse("<S3").unwrap().typestr(), "|S3");
        assert_eq!(DType::parse(">V4").unwrap().typestr(), "|V4");
        assert_eq!(DType::parse(">U3").unwrap().typestr(), ">U3");
        assert_eq!(DType::parse(">U3").unwrap().itemsize(), 12);
        assert_eq!(DType::parse("S").unwrap().itemsize(), 0);
        assert_eq!(
            DType::parse("M8").unwrap().datetime_unit(),
            Some(("generic", 1))
        );
        assert_eq!(
            DType::parse("m8[10s]").unwrap().datetime_unit(),
            Some(("s", 10))
        );
        assert_eq!(DType::parse("f8").unwrap().datetime_unit(), None);
        assert_eq!(DType::parse("S2147483647").unwrap().itemsize(), 2147483647);
    }

    #[test]
    fn error_messages() {
        let e = DType::parse("zz").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArg);
        assert_eq!(e.message, "data type \"zz\" not understood");
        let e = DType::parse("i3").unwrap_err();
        assert_eq!(
            e.message,
            "data type \"i3\" not understood: itemsize 3 is not valid for kind 'i'"
        );
        let e = DType::parse("S99999999999999999999").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArg);
        assert!(e.message.contains("itemsize"), "{}", e.message);
        for text in ["O", "|O", "object", "O8"] {
            let e = DType::parse(text).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Unsupported);
            assert!(e.message.contains("Python pointers"), "{}", e.message);
            assert!(e.message.contains("cannot be mapped"), "{}", e.message);
        }
        let e = DType::parse("2i4").unwrap_err();
        assert!(e.message.contains("subarray"), "{}", e.message);
        let e = DType::parse("M8[s/10]").unwrap_err();
        assert!(e.message.contains("divisor"), "{}", e.message);
        let e = DType::parse("f8\n").unwrap_err();
        assert_eq!(e.message, "data type \"f8\\n\" not understood");
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let odd = [
            "",
            "\0",
            "<",
            "M8[",
            "M8[xx]",
            "M8[0s]",
            "M8[s/0]",
            "M8[s/]",
            "M8[/]",
            "M8[99999999999999999999999999999999s]",
            "S99999999999999999999",
            "U99999999999999999999",
            "U4611686018427387904",
            "V18446744073709551615",
            "i18446744073709551617",
            "S-99999999999999999999",
            "\u{3bc}",
            "<\u{3bc}",
            "M8[\u{3bc}",
            "M8[\u{3bc}s",
            "datetime64[\u{1F600}]",
            "\u{1F600}8",
            "S\u{1F600}",
            "<\u{FFFF}",
            "[",
            "]",
            "(",
            ",",
            "M8]",
            "M8[]]",
        ];
        for text in odd {
            let _ = DType::parse(text);
        }
        // Pseudo-random strings over characters that matter to the parser.
        let alphabet: Vec<char> = "<>=|MmSUVabcfiuO?[]/+- 0123456789sDYnx,()\u{3bc}\t"
            .chars()
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if let Ok(d) = DType::parse(&text) {
                let again = DType::parse(d.typestr())
                    .unwrap_or_else(|e| panic!("{text:?} -> {}: {e}", d.typestr()));
                assert_eq!(again, d, "{text:?}");
                assert!(d.itemsize() <= i32::MAX as usize);
                assert!(d.alignment().is_power_of_two());
            }
        }
    }

    /// numpy 2.4.6 on x86-64 Linux: (input, typestr, itemsize, alignment, isnative, kind,
    /// byte order: 'L' little, 'B' big, 'N' not applicable).
    #[rustfmt::skip]
    const ACCEPTED: &[(&str, &str, usize, usize, bool, char, char)] = &[
        ("a", "|S0", 0, 1, true, 'S', 'N'),
        ("b", "|i1", 1, 1, true, 'i', 'N'),
        ("c", "|S1", 1, 1, true, 'S', 'N'),
        ("d", "<f8", 8, 8, true, 'f', 'L'),
        ("e", "<f2", 2, 2, true, 'f', 'L'),
        ("f", "<f4", 4, 4, true, 'f', 'L'),
        ("g", "<f16", 16, 16, true, 'f', 'L'),
        ("h", "<i2", 2, 2, true, 'i', 'L'),
        ("i", "<i4", 4, 4, true, 'i', 'L'),
        ("l", "<i8", 8, 8, true, 'i', 'L'),
        ("m", "<m8", 8, 8, true, 'm', 'L'),
        ("n", "<i8", 8, 8, true, 'i', 'L'),
        ("p", "<i8", 8, 8, true, 'i', 'L'),
        ("q", "<i8", 8, 8, true, 'i', 'L'),
        ("B", "|u1", 1, 1, true, 'u', 'N'),
        ("D", "<c16", 16, 8, true, 'c', 'L'),
        ("F", "<c8", 8, 4, true, 'c', 'L'),
        ("G", "<c32", 32, 16, true, 'c', 'L'),
        ("H", "<u2", 2, 2, true, 'u', 'L'),
        ("I", "<u4", 4, 4, true, 'u', 'L'),
        ("L", "<u8", 8, 8, true, 'u', 'L'),
        ("M", "<M8", 8, 8, true, 'M', 'L'),
        ("N", "<u8", 8, 8, true, 'u', 'L'),
        ("P", "<u8", 8, 8, true, 'u', 'L'),
        ("Q", "<u8", 8, 8, true, 'u', 'L'),
        ("S", "|S0", 0, 1, true, 'S', 'N'),
        ("U", "<U0", 0, 4, true, 'U', 'L'),
        ("V", "|V0", 0, 1, true, 'V', 'N'),
        ("?", "|b1", 1, 1, true, 'b', 'N'),
        ("<?", "|b1", 1, 1, true, 'b', 'N'),
        (">?", "|b1", 1, 1, true, 'b', 'N'),
        ("=?", "|b1", 1, 1, true, 'b', 'N'),
        ("|?", "|b1", 1, 1, true, 'b', 'N'),
        ("<b", "|i1", 1, 1, true, 'i', 'N'),
        (">b", "|i1", 1, 1, true, 'i', 'N'),
        ("=b", "|i1", 1, 1, true, 'i', 'N'),
        ("|b", "|i1", 1, 1, true, 'i', 'N'),
        ("<B", "|u1", 1, 1, true, 'u', 'N'),
        (">B", "|u1", 1, 1, true, 'u', 'N'),
        ("=B", "|u1", 1, 1, true, 'u', 'N'),
        ("|B", "|u1", 1, 1, true, 'u', 'N'),
        ("<h", "<i2", 2, 2, true, 'i', 'L'),
        (">h", ">i2", 2, 2, false, 'i', 'B'),
        ("=h", "<i2", 2, 2, true, 'i', 'L'),
        ("|h", "<i2", 2, 2, true, 'i', 'L'),
        ("<H", "<u2", 2, 2, true, 'u', 'L'),
        (">H", ">u2", 2, 2, false, 'u', 'B'),
        ("=H", "<u2", 2, 2, true, 'u', 'L'),
        ("|H", "<u2", 2, 2, true, 'u', 'L'),
        ("<i", "<i4", 4, 4, true, 'i', 'L'),
        (">i", ">i4", 4, 4, false, 'i', 'B'),
        ("=i", "<i4", 4, 4, true, 'i', 'L'),
        ("|i", "<i4", 4, 4, true, 'i', 'L'),
        ("<I", "<u4", 4, 4, true, 'u', 'L'),
        (">I", ">u4", 4, 4, false, 'u', 'B'),
        ("=I", "<u4", 4, 4, true, 'u', 'L'),
        ("|I", "<u4", 4, 4, true, 'u', 'L'),
        ("<l", "<i8", 8, 8, true, 'i', 'L'),
        (">l", ">i8", 8, 8, false, 'i', 'B'),
        ("=l", "<i8", 8, 8, true, 'i', 'L'),
        ("|l", "<i8", 8, 8, true, 'i', 'L'),
        ("<L", "<u8", 8, 8, true, 'u', 'L'),
        (">L", ">u8", 8, 8, false, 'u', 'B'),
        ("=L", "<u8", 8, 8, true, 'u', 'L'),
        ("|L", "<u8", 8, 8, true, 'u', 'L'),
        ("<q", "<i8", 8, 8, true, 'i', 'L'),
        (">q", ">i8", 8, 8, false, 'i', 'B'),
        ("=q", "<i8", 8, 8, true, 'i', 'L'),
        ("|q", "<i8", 8, 8, true, 'i', 'L'),
        ("<Q", "<u8", 8, 8, true, 'u', 'L'),
        (">Q", ">u8", 8, 8, false, 'u', 'B'),
        ("=Q", "<u8", 8, 8, true, 'u', 'L'),
        ("|Q", "<u8", 8, 8, true, 'u', 'L'),
        ("<p", "<i8", 8, 8, true, 'i', 'L'),
        (">p", ">i8", 8, 8, false, 'i', 'B'),
        ("=p", "<i8", 8, 8, true, 'i', 'L'),
        ("|p", "<i8", 8, 8, true, 'i', 'L'),
        ("<P", "<u8", 8, 8, true, 'u', 'L'),
        (">P", ">u8", 8, 8, false, 'u', 'B'),
        ("=P", "<u8", 8, 8, true, 'u', 'L'),
        ("|P", "<u8", 8, 8, true, 'u', 'L'),
        ("<n", "<i8", 8, 8, true, 'i', 'L'),
        (">n", ">i8", 8, 8, false, 'i', 'B'),
        ("=n", "<i8", 8, 8, true, 'i', 'L'),
        ("|n", "<i8", 8, 8, true, 'i', 'L'),
        ("<N", "<u8", 8, 8, true, 'u', 'L'),
        (">N", ">u8", 8, 8, false, 'u', 'B'),
        ("=N", "<u8", 8, 8, true, 'u', 'L'),
        ("|N", "<u8", 8, 8, true, 'u', 'L'),
        ("<e", "<f2", 2, 2, true, 'f', 'L'),
        (">e", ">f2", 2, 2, false, 'f', 'B'),
        ("=e", "<f2", 2, 2, true, 'f', 'L'),
        ("|e", "<f2", 2, 2, true, 'f', 'L'),
        ("<f", "<f4", 4, 4, true, 'f', 'L'),
        (">f", ">f4", 4, 4, false, 'f', 'B'),
        ("=f", "<f4", 4, 4, true, 'f', 'L'),
        ("|f", "<f4", 4, 4, true, 'f', 'L'),
        ("<d", "<f8", 8, 8, true, 'f', 'L'),
        (">d", ">f8", 8, 8, false, 'f', 'B'),
        ("=d", "<f8", 8, 8, true, 'f', 'L'),
        ("|d", "<f8", 8, 8, true, 'f', 'L'),
        ("<g", "<f16", 16, 16, true, 'f', 'L'),
        (">g", ">f16", 16, 16, false, 'f', 'B'),
        ("=g", "<f16", 16, 16, true, 'f', 'L'),
        ("|g", "<f16", 16, 16, true, 'f', 'L'),
        ("<F", "<c8", 8, 4, true, 'c', 'L'),
        (">F", ">c8", 8, 4, false, 'c', 'B'),
        ("=F", "<c8", 8, 4, true, 'c', 'L'),
        ("|F", "<c8", 8, 4, true, 'c', 'L'),
        ("<D", "<c16", 16, 8, true, 'c', 'L'),
        (">D", ">c16", 16, 8, false, 'c', 'B'),
        ("=D", "<c16", 16, 8, true, 'c', 'L'),
        ("|D", "<c16", 16, 8, true, 'c', 'L'),
        ("<G", "<c32", 32, 16, true, 'c', 'L'),
        (">G", ">c32", 32, 16, false, 'c', 'B'),
        ("=G", "<c32", 32, 16, true, 'c', 'L'),
        ("|G", "<c32", 32, 16, true, 'c', 'L'),
        ("<S", "|S0", 0, 1, true, 'S', 'N'),
        (">S", "|S0", 0, 1, true, 'S', 'N'),
        ("=S", "|S0", 0, 1, true, 'S', 'N'),
        ("|S", "|S0", 0, 1, true, 'S', 'N'),
        ("<U", "<U0", 0, 4, true, 'U', 'L'),
        (">U", ">U0", 0, 4, false, 'U', 'B'),
        ("=U", "<U0", 0, 4, true, 'U', 'L'),
        ("|U", "<U0", 0, 4, true, 'U', 'L'),
        ("<V", "|V0", 0, 1, true, 'V', 'N'),
        (">V", "|V0", 0, 1, true, 'V', 'N'),
        ("=V", "|V0", 0, 1, true, 'V', 'N'),
        ("|V", "|V0", 0, 1, true, 'V', 'N'),
        ("<c", "|S1", 1, 1, true, 'S', 'N'),
        (">c", "|S1", 1, 1, true, 'S', 'N'),
        ("=c", "|S1", 1, 1, true, 'S', 'N'),
        ("|c", "|S1", 1, 1, true, 'S', 'N'),
        ("<M", "<M8", 8, 8, true, 'M', 'L'),
        (">M", ">M8", 8, 8, false, 'M', 'B'),
        ("=M", "<M8", 8, 8, true, 'M', 'L'),
        ("|M", "<M8", 8, 8, true, 'M', 'L'),
        ("<m", "<m8", 8, 8, true, 'm', 'L'),
        (">m", ">m8", 8, 8, false, 'm', 'B'),
        ("=m", "<m8", 8, 8, true, 'm', 'L'),
        ("|m", "<m8", 8, 8, true, 'm', 'L'),
        ("b1", "|b1", 1, 1, true, 'b', 'N'),
        ("i1", "|i1", 1, 1, true, 'i', 'N'),
        ("i2", "<i2", 2, 2, true, 'i', 'L'),
        ("i4", "<i4", 4, 4, true, 'i', 'L'),
        ("i8", "<i8", 8, 8, true, 'i', 'L'),
        ("u1", "|u1", 1, 1, true, 'u', 'N'),
        ("u2", "<u2", 2, 2, true, 'u', 'L'),
        ("u4", "<u4", 4, 4, true, 'u', 'L'),
        ("u8", "<u8", 8, 8, true, 'u', 'L'),
        ("f2", "<f2", 2, 2, true, 'f', 'L'),
        ("f4", "<f4", 4, 4, true, 'f', 'L'),
        ("f8", "<f8", 8, 8, true, 'f', 'L'),
        ("f16", "<f16", 16, 16, true, 'f', 'L'),
        ("c8", "<c8", 8, 4, true, 'c', 'L'),
        ("c16", "<c16", 16, 8, true, 'c', 'L'),
        ("c32", "<c32", 32, 16, true, 'c', 'L'),
        ("S0", "|S0", 0, 1, true, 'S', 'N'),
        ("S1", "|S1", 1, 1, true, 'S', 'N'),
        ("S2", "|S2", 2, 1, true, 'S', 'N'),
        ("S3", "|S3", 3, 1, true, 'S', 'N'),
        ("S4", "|S4", 4, 1, true, 'S', 'N'),
        ("S5", "|S5", 5, 1, true, 'S', 'N'),
        ("S6", "|S6", 6, 1, true, 'S', 'N'),
        ("S8", "|S8", 8, 1, true, 'S', 'N'),
        ("S10", "|S10", 10, 1, true, 'S', 'N'),
        ("S12", "|S12", 12, 1, true, 'S', 'N'),
        ("S16", "|S16", 16, 1, true, 'S', 'N'),
        ("S24", "|S24", 24, 1, true, 'S', 'N'),
        ("S32", "|S32", 32, 1, true, 'S', 'N'),
        ("S64", "|S64", 64, 1, true, 'S', 'N'),
        ("S128", "|S128", 128, 1, true, 'S', 'N'),
        ("a0", "|S0", 0, 1, true, 'S', 'N'),
        ("a1", "|S1", 1, 1, true, 'S', 'N'),
        ("a2", "|S2", 2, 1, true, 'S', 'N'),
        ("a3", "|S3", 3, 1, true, 'S', 'N'),
        ("a4", "|S4", 4, 1, true, 'S', 'N'),
        ("a5", "|S5", 5, 1, true, 'S', 'N'),
        ("a6", "|S6", 6, 1, true, 'S', 'N'),
        ("a8", "|S8", 8, 1, true, 'S', 'N'),
        ("a10", "|S10", 10, 1, true, 'S', 'N'),
        ("a12", "|S12", 12, 1, true, 'S', 'N'),
        ("a16", "|S16", 16, 1, true, 'S', 'N'),
        ("a24", "|S24", 24, 1, true, 'S', 'N'),
        ("a32", "|S32", 32, 1, true, 'S', 'N'),
        ("a64", "|S64", 64, 1, true, 'S', 'N'),
        ("a128", "|S128", 128, 1, true, 'S', 'N'),
        ("U0", "<U0", 0, 4, true, 'U', 'L'),
        ("U1", "<U1", 4, 4, true, 'U', 'L'),
        ("U2", "<U2", 8, 4, true, 'U', 'L'),
        ("U3", "<U3", 12, 4, true, 'U', 'L'),
        ("U4", "<U4", 16, 4, true, 'U', 'L'),
        ("U5", "<U5", 20, 4, true, 'U', 'L'),
        ("U6", "<U6", 24, 4, true, 'U', 'L'),
        ("U8", "<U8", 32, 4, true, 'U', 'L'),
        ("U10", "<U10", 40, 4, true, 'U', 'L'),
        ("U12", "<U12", 48, 4, true, 'U', 'L'),
        ("U16", "<U16", 64, 4, true, 'U', 'L'),
        ("U24", "<U24", 96, 4, true, 'U', 'L'),
        ("U32", "<U32", 128, 4, true, 'U', 'L'),
        ("U64", "<U64", 256, 4, true, 'U', 'L'),
        ("U128", "<U128", 512, 4, true, 'U', 'L'),
        ("V0", "|V0", 0, 1, true, 'V', 'N'),
        ("V1", "|V1", 1, 1, true, 'V', 'N'),
        ("V2", "|V2", 2, 1, true, 'V', 'N'),
        ("V3", "|V3", 3, 1, true, 'V', 'N'),
        ("V4", "|V4", 4, 1, true, 'V', 'N'),
        ("V5", "|V5", 5, 1, true, 'V', 'N'),
        ("V6", "|V6", 6, 1, true, 'V', 'N'),
        ("V8", "|V8", 8, 1, true, 'V', 'N'),
        ("V10", "|V10", 10, 1, true, 'V', 'N'),
        ("V12", "|V12", 12, 1, true, 'V', 'N'),
        ("V16", "|V16", 16, 1, true, 'V', 'N'),
        ("V24", "|V24", 24, 1, true, 'V', 'N'),
        ("V32", "|V32", 32, 1, true, 'V', 'N'),
        ("V64", "|V64", 64, 1, true, 'V', 'N'),
        ("V128", "|V128", 128, 1, true, 'V', 'N'),
        ("M8", "<M8", 8, 8, true, 'M', 'L'),
        ("m8", "<m8", 8, 8, true, 'm', 'L'),
        ("<b1", "|b1", 1, 1, true, 'b', 'N'),
        (">b1", "|b1", 1, 1, true, 'b', 'N'),
        ("=b1", "|b1", 1, 1, true, 'b', 'N'),
        ("|b1", "|b1", 1, 1, true, 'b', 'N'),
        ("<i1", "|i1", 1, 1, true, 'i', 'N'),
        (">i1", "|i1", 1, 1, true, 'i', 'N'),
        ("=i1", "|i1", 1, 1, true, 'i', 'N'),
        ("|i1", "|i1", 1, 1, true, 'i', 'N'),
        ("<i2", "<i2", 2, 2, true, 'i', 'L'),
        (">i2", ">i2", 2, 2, false, 'i', 'B'),
        ("=i2", "<i2", 2, 2, true, 'i', 'L'),
        ("|i2", "<i2", 2, 2, true, 'i', 'L'),
        ("<i4", "<i4", 4, 4, true, 'i', 'L'),
        (">i4", ">i4", 4, 4, false, 'i', 'B'),
        ("=i4", "<i4", 4, 4, true, 'i', 'L'),
        ("|i4", "<i4", 4, 4, true, 'i', 'L'),
        ("<i8", "<i8", 8, 8, true, 'i', 'L'),
        (">i8", ">i8", 8, 8, false, 'i', 'B'),
        ("=i8", "<i8", 8, 8, true, 'i', 'L'),
        ("|i8", "<i8", 8, 8, true, 'i', 'L'),
        ("<u1", "|u1", 1, 1, true, 'u', 'N'),
        (">u1", "|u1", 1, 1, true, 'u', 'N'),
        ("=u1", "|u1", 1, 1, true, 'u', 'N'),
        ("|u1", "|u1", 1, 1, true, 'u', 'N'),
        ("<u2", "<u2", 2, 2, true, 'u', 'L'),
        (">u2", ">u2", 2, 2, false, 'u', 'B'),
        ("=u2", "<u2", 2, 2, true, 'u', 'L'),
        ("|u2", "<u2", 2, 2, true, 'u', 'L'),
        ("<u4", "<u4", 4, 4, true, 'u', 'L'),
        (">u4", ">u4", 4, 4, false, 'u', 'B'),
        ("=u4", "<u4", 4, 4, true, 'u', 'L'),
        ("|u4", "<u4", 4, 4, true, 'u', 'L'),
        ("<u8", "<u8", 8, 8, true, 'u', 'L'),
        (">u8", ">u8", 8, 8, false, 'u', 'B'),
        ("=u8", "<u8", 8, 8, true, 'u', 'L'),
        ("|u8", "<u8", 8, 8, true, 'u', 'L'),
        ("<f2", "<f2", 2, 2, true, 'f', 'L'),
        (">f2", ">f2", 2, 2, false, 'f', 'B'),
        ("=f2", "<f2", 2, 2, true, 'f', 'L'),
        ("|f2", "<f2", 2, 2, true, 'f', 'L'),
        ("<f4", "<f4", 4, 4, true, 'f', 'L'),
        (">f4", ">f4", 4, 4, false, 'f', 'B'),
        ("=f4", "<f4", 4, 4, true, 'f', 'L'),
        ("|f4", "<f4", 4, 4, true, 'f', 'L'),
        ("<f8", "<f8", 8, 8, true, 'f', 'L'),
        (">f8", ">f8", 8, 8, false, 'f', 'B'),
        ("=f8", "<f8", 8, 8, true, 'f', 'L'),
        ("|f8", "<f8", 8, 8, true, 'f', 'L'),
        ("<f16", "<f16", 16, 16, true, 'f', 'L'),
        (">f16", ">f16", 16, 16, false, 'f', 'B'),
        ("=f16", "<f16", 16, 16, true, 'f', 'L'),
        ("|f16", "<f16", 16, 16, true, 'f', 'L'),
        ("<c8", "<c8", 8, 4, true, 'c', 'L'),
        (">c8", ">c8", 8, 4, false, 'c', 'B'),
        ("=c8", "<c8", 8, 4, true, 'c', 'L'),
        ("|c8", "<c8", 8, 4, true, 'c', 'L'),
        ("<c16", "<c16", 16, 8, true, 'c', 'L'),
        (">c16", ">c16", 16, 8, false, 'c', 'B'),
        ("=c16", "<c16", 16, 8, true, 'c', 'L'),
        ("|c16", "<c16", 16, 8, true, 'c', 'L'),
        ("<S1", "|S1", 1, 1, true, 'S', 'N'),
        (">S1", "|S1", 1, 1, true, 'S', 'N'),
        ("=S1", "|S1", 1, 1, true, 'S', 'N'),
        ("|S1", "|S1", 1, 1, true, 'S', 'N'),
        ("<S2", "|S2", 2, 1, true, 'S', 'N'),
        (">S2", "|S2", 2, 1, true, 'S', 'N'),
        ("=S2", "|S2", 2, 1, true, 'S', 'N'),
        ("|S2", "|S2", 2, 1, true, 'S', 'N'),
        ("<S4", "|S4", 4, 1, true, 'S', 'N'),
        (">S4", "|S4", 4, 1, true, 'S', 'N'),
        ("=S4", "|S4", 4, 1, true, 'S', 'N'),
        ("|S4", "|S4", 4, 1, true, 'S', 'N'),
        ("<S8", "|S8", 8, 1, true, 'S', 'N'),
        (">S8", "|S8", 8, 1, true, 'S', 'N'),
        ("=S8", "|S8", 8, 1, true, 'S', 'N'),
        ("|S8", "|S8", 8, 1, true, 'S', 'N'),
        ("<S16", "|S16", 16, 1, true, 'S', 'N'),
        (">S16", "|S16", 16, 1, true, 'S', 'N'),
        ("=S16", "|S16", 16, 1, true, 'S', 'N'),
        ("|S16", "|S16", 16, 1, true, 'S', 'N'),
        ("<S3", "|S3", 3, 1, true, 'S', 'N'),
        (">S3", "|S3", 3, 1, true, 'S', 'N'),
        ("=S3", "|S3", 3, 1, true, 'S', 'N'),
        ("|S3", "|S3", 3, 1, true, 'S', 'N'),
        ("<S0", "|S0", 0, 1, true, 'S', 'N'),
        (">S0", "|S0", 0, 1, true, 'S', 'N'),
        ("=S0", "|S0", 0, 1, true, 'S', 'N'),
        ("|S0", "|S0", 0, 1, true, 'S', 'N'),
        ("<U1", "<U1", 4, 4, true, 'U', 'L'),
        (">U1", ">U1", 4, 4, false, 'U', 'B'),
        ("=U1", "<U1", 4, 4, true, 'U', 'L'),
        ("|U1", "<U1", 4, 4, true, 'U', 'L'),
        ("<U2", "<U2", 8, 4, true, 'U', 'L'),
        (">U2", ">U2", 8, 4, false, 'U', 'B'),
        ("=U2", "<U2", 8, 4, true, 'U', 'L'),
        ("|U2", "<U2", 8, 4, true, 'U', 'L'),
        ("<U4", "<U4", 16, 4, true, 'U', 'L'),
        (">U4", ">U4", 16, 4, false, 'U', 'B'),
        ("=U4", "<U4", 16, 4, true, 'U', 'L'),
        ("|U4", "<U4", 16, 4, true, 'U', 'L'),
        ("<U8", "<U8", 32, 4, true, 'U', 'L'),
        (">U8", ">U8", 32, 4, false, 'U', 'B'),
        ("=U8", "<U8", 32, 4, true, 'U', 'L'),
        ("|U8", "<U8", 32, 4, true, 'U', 'L'),
        ("<U16", "<U16", 64, 4, true, 'U', 'L'),
        (">U16", ">U16", 64, 4, false, 'U', 'B'),
        ("=U16", "<U16", 64, 4, true, 'U', 'L'),
        ("|U16", "<U16", 64, 4, true, 'U', 'L'),
        ("<U3", "<U3", 12, 4, true, 'U', 'L'),
        (">U3", ">U3", 12, 4, false, 'U', 'B'),
        ("=U3", "<U3", 12, 4, true, 'U', 'L'),
        ("|U3", "<U3", 12, 4, true, 'U', 'L'),
        ("<U0", "<U0", 0, 4, true, 'U', 'L'),
        (">U0", ">U0", 0, 4, false, 'U', 'B'),
        ("=U0", "<U0", 0, 4, true, 'U', 'L'),
        ("|U0", "<U0", 0, 4, true, 'U', 'L'),
        ("<V1", "|V1", 1, 1, true, 'V', 'N'),
        (">V1", "|V1", 1, 1, true, 'V', 'N'),
        ("=V1", "|V1", 1, 1, true, 'V', 'N'),
        ("|V1", "|V1", 1, 1, true, 'V', 'N'),
        ("<V2", "|V2", 2, 1, true, 'V', 'N'),
        (">V2", "|V2", 2, 1, true, 'V', 'N'),
        ("=V2", "|V2", 2, 1, true, 'V', 'N'),
        ("|V2", "|V2", 2, 1, true, 'V', 'N'),
        ("<V4", "|V4", 4, 1, true, 'V', 'N'),
        (">V4", "|V4", 4, 1, true, 'V', 'N'),
        ("=V4", "|V4", 4, 1, true, 'V', 'N'),
        ("|V4", "|V4", 4, 1, true, 'V', 'N'),
        ("<V8", "|V8", 8, 1, true, 'V', 'N'),
        (">V8", "|V8", 8, 1, true, 'V', 'N'),
        ("=V8", "|V8", 8, 1, true, 'V', 'N'),
        ("|V8", "|V8", 8, 1, true, 'V', 'N'),
        ("<V16", "|V16", 16, 1, true, 'V', 'N'),
        (">V16", "|V16", 16, 1, true, 'V', 'N'),
        ("=V16", "|V16", 16, 1, true, 'V', 'N'),
        ("|V16", "|V16", 16, 1, true, 'V', 'N'),
        ("<V3", "|V3", 3, 1, true, 'V', 'N'),
        (">V3", "|V3", 3, 1, true, 'V', 'N'),
        ("=V3", "|V3", 3, 1, true, 'V', 'N'),
        ("|V3", "|V3", 3, 1, true, 'V', 'N'),
        ("<V0", "|V0", 0, 1, true, 'V', 'N'),
        (">V0", "|V0", 0, 1, true, 'V', 'N'),
        ("=V0", "|V0", 0, 1, true, 'V', 'N'),
        ("|V0", "|V0", 0, 1, true, 'V', 'N'),
        ("<M8", "<M8", 8, 8, true, 'M', 'L'),
        (">M8", ">M8", 8, 8, false, 'M', 'B'),
        ("=M8", "<M8", 8, 8, true, 'M', 'L'),
        ("|M8", "<M8", 8, 8, true, 'M', 'L'),
        ("<m8", "<m8", 8, 8, true, 'm', 'L'),
        (">m8", ">m8", 8, 8, false, 'm', 'B'),
        ("=m8", "<m8", 8, 8, true, 'm', 'L'),
        ("|m8", "<m8", 8, 8, true, 'm', 'L'),
        ("i+4", "<i4", 4, 4, true, 'i', 'L'),
        ("i 4", "<i4", 4, 4, true, 'i', 'L'),
        ("i\u{9}8", "<i8", 8, 8, true, 'i', 'L'),
        ("i04", "<i4", 4, 4, true, 'i', 'L'),
        ("i008", "<i8", 8, 8, true, 'i', 'L'),
        ("u+4", "<u4", 4, 4, true, 'u', 'L'),
        ("u 4", "<u4", 4, 4, true, 'u', 'L'),
        ("u\u{9}8", "<u8", 8, 8, true, 'u', 'L'),
        ("u04", "<u4", 4, 4, true, 'u', 'L'),
        ("u008", "<u8", 8, 8, true, 'u', 'L'),
        ("f+4", "<f4", 4, 4, true, 'f', 'L'),
        ("f 4", "<f4", 4, 4, true, 'f', 'L'),
        ("f\u{9}8", "<f8", 8, 8, true, 'f', 'L'),
        ("f04", "<f4", 4, 4, true, 'f', 'L'),
        ("f008", "<f8", 8, 8, true, 'f', 'L'),
        ("S+4", "|S4", 4, 1, true, 'S', 'N'),
        ("S 4", "|S4", 4, 1, true, 'S', 'N'),
        ("S\u{9}8", "|S8", 8, 1, true, 'S', 'N'),
        ("S04", "|S4", 4, 1, true, 'S', 'N'),
        ("S008", "|S8", 8, 1, true, 'S', 'N'),
        ("S-0", "|S0", 0, 1, true, 'S', 'N'),
        ("U+4", "<U4", 16, 4, true, 'U', 'L'),
        ("U 4", "<U4", 16, 4, true, 'U', 'L'),
        ("U\u{9}8", "<U8", 32, 4, true, 'U', 'L'),
        ("U04", "<U4", 16, 4, true, 'U', 'L'),
        ("U008", "<U8", 32, 4, true, 'U', 'L'),
        ("U-0", "<U0", 0, 4, true, 'U', 'L'),
        ("V+4", "|V4", 4, 1, true, 'V', 'N'),
        ("V 4", "|V4", 4, 1, true, 'V', 'N'),
        ("V\u{9}8", "|V8", 8, 1, true, 'V', 'N'),
        ("V04", "|V4", 4, 1, true, 'V', 'N'),
        ("V008", "|V8", 8, 1, true, 'V', 'N'),
        ("V-0", "|V0", 0, 1, true, 'V', 'N'),
        ("a+4", "|S4", 4, 1, true, 'S', 'N'),
        ("a 4", "|S4", 4, 1, true, 'S', 'N'),
        ("a\u{9}8", "|S8", 8, 1, true, 'S', 'N'),
        ("a04", "|S4", 4, 1, true, 'S', 'N'),
        ("a008", "|S8", 8, 1, true, 'S', 'N'),
        ("a-0", "|S0", 0, 1, true, 'S', 'N'),
        ("M\u{9}8", "<M8", 8, 8, true, 'M', 'L'),
        ("M008", "<M8", 8, 8, true, 'M', 'L'),
        ("S2147483647", "|S2147483647", 2147483647, 1, true, 'S', 'N'),
        ("S536870911", "|S536870911", 536870911, 1, true, 'S', 'N'),
        ("S536870912", "|S536870912", 536870912, 1, true, 'S', 'N'),
        ("S1073741824", "|S1073741824", 1073741824, 1, true, 'S', 'N'),
        ("U536870911", "<U536870911", 2147483644, 4, true, 'U', 'L'),
        ("V2147483647", "|V2147483647", 2147483647, 1, true, 'V', 'N'),
        ("V536870911", "|V536870911", 536870911, 1, true, 'V', 'N'),
        ("V536870912", "|V536870912", 536870912, 1, true, 'V', 'N'),
        ("V1073741824", "|V1073741824", 1073741824, 1, true, 'V', 'N'),
        ("a2147483647", "|S2147483647", 2147483647, 1, true, 'S', 'N'),
        ("a536870911", "|S536870911", 536870911, 1, true, 'S', 'N'),
        ("a536870912", "|S536870912", 536870912, 1, true, 'S', 'N'),
        ("a1073741824", "|S1073741824", 1073741824, 1, true, 'S', 'N'),
        ("M8[generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("M8[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        ("M8[M]", "<M8[M]", 8, 8, true, 'M', 'L'),
        ("M8[W]", "<M8[W]", 8, 8, true, 'M', 'L'),
        ("M8[D]", "<M8[D]", 8, 8, true, 'M', 'L'),
        ("M8[h]", "<M8[h]", 8, 8, true, 'M', 'L'),
        ("M8[m]", "<M8[m]", 8, 8, true, 'M', 'L'),
        ("M8[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("M8[ms]", "<M8[ms]", 8, 8, true, 'M', 'L'),
        ("M8[us]", "<M8[us]", 8, 8, true, 'M', 'L'),
        ("M8[\u{3bc}s]", "<M8[us]", 8, 8, true, 'M', 'L'),
        ("M8[ns]", "<M8[ns]", 8, 8, true, 'M', 'L'),
        ("M8[ps]", "<M8[ps]", 8, 8, true, 'M', 'L'),
        ("M8[fs]", "<M8[fs]", 8, 8, true, 'M', 'L'),
        ("M8[as]", "<M8[as]", 8, 8, true, 'M', 'L'),
        ("M8[10s]", "<M8[10s]", 8, 8, true, 'M', 'L'),
        ("M8[1s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("M8[01s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("M8[0s]", "<M8[0s]", 8, 8, true, 'M', 'L'),
        ("M8[000s]", "<M8[0s]", 8, 8, true, 'M', 'L'),
        ("M8[-0s]", "<M8[0s]", 8, 8, true, 'M', 'L'),
        ("M8[+2D]", "<M8[2D]", 8, 8, true, 'M', 'L'),
        ("M8[ 3h]", "<M8[3h]", 8, 8, true, 'M', 'L'),
        ("M8[\u{9}3h]", "<M8[3h]", 8, 8, true, 'M', 'L'),
        ("M8[ +3h]", "<M8[3h]", 8, 8, true, 'M', 'L'),
        ("M8[2147483647ns]", "<M8[2147483647ns]", 8, 8, true, 'M', 'L'),
        ("M8[25us]", "<M8[25us]", 8, 8, true, 'M', 'L'),
        ("M8[7generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("M8[0generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("M8[60m]", "<M8[60m]", 8, 8, true, 'M', 'L'),
        ("M8[12M]", "<M8[12M]", 8, 8, true, 'M', 'L'),
        ("M8[7D]", "<M8[7D]", 8, 8, true, 'M', 'L'),
        ("m8[generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("m8[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        ("m8[M]", "<m8[M]", 8, 8, true, 'm', 'L'),
        ("m8[W]", "<m8[W]", 8, 8, true, 'm', 'L'),
        ("m8[D]", "<m8[D]", 8, 8, true, 'm', 'L'),
        ("m8[h]", "<m8[h]", 8, 8, true, 'm', 'L'),
        ("m8[m]", "<m8[m]", 8, 8, true, 'm', 'L'),
        ("m8[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("m8[ms]", "<m8[ms]", 8, 8, true, 'm', 'L'),
        ("m8[us]", "<m8[us]", 8, 8, true, 'm', 'L'),
        ("m8[\u{3bc}s]", "<m8[us]", 8, 8, true, 'm', 'L'),
        ("m8[ns]", "<m8[ns]", 8, 8, true, 'm', 'L'),
        ("m8[ps]", "<m8[ps]", 8, 8, true, 'm', 'L'),
        ("m8[fs]", "<m8[fs]", 8, 8, true, 'm', 'L'),
        ("m8[as]", "<m8[as]", 8, 8, true, 'm', 'L'),
        ("m8[10s]", "<m8[10s]", 8, 8, true, 'm', 'L'),
        ("m8[1s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("m8[01s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("m8[0s]", "<m8[0s]", 8, 8, true, 'm', 'L'),
        ("m8[000s]", "<m8[0s]", 8, 8, true, 'm', 'L'),
        ("m8[-0s]", "<m8[0s]", 8, 8, true, 'm', 'L'),
        ("m8[+2D]", "<m8[2D]", 8, 8, true, 'm', 'L'),
        ("m8[ 3h]", "<m8[3h]", 8, 8, true, 'm', 'L'),
        ("m8[\u{9}3h]", "<m8[3h]", 8, 8, true, 'm', 'L'),
        ("m8[ +3h]", "<m8[3h]", 8, 8, true, 'm', 'L'),
        ("m8[2147483647ns]", "<m8[2147483647ns]", 8, 8, true, 'm', 'L'),
        ("m8[25us]", "<m8[25us]", 8, 8, true, 'm', 'L'),
        ("m8[7generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("m8[0generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("m8[60m]", "<m8[60m]", 8, 8, true, 'm', 'L'),
        ("m8[12M]", "<m8[12M]", 8, 8, true, 'm', 'L'),
        ("m8[7D]", "<m8[7D]", 8, 8, true, 'm', 'L'),
        ("datetime64", "<M8", 8, 8, true, 'M', 'L'),
        ("datetime64[generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("datetime64[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        ("datetime64[M]", "<M8[M]", 8, 8, true, 'M', 'L'),
        ("datetime64[W]", "<M8[W]", 8, 8, true, 'M', 'L'),
        ("datetime64[D]", "<M8[D]", 8, 8, true, 'M', 'L'),
        ("datetime64[h]", "<M8[h]", 8, 8, true, 'M', 'L'),
        ("datetime64[m]", "<M8[m]", 8, 8, true, 'M', 'L'),
        ("datetime64[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("datetime64[ms]", "<M8[ms]", 8, 8, true, 'M', 'L'),
        ("datetime64[us]", "<M8[us]", 8, 8, true, 'M', 'L'),
        ("datetime64[\u{3bc}s]", "<M8[us]", 8, 8, true, 'M', 'L'),
        ("datetime64[ns]", "<M8[ns]", 8, 8, true, 'M', 'L'),
        ("datetime64[ps]", "<M8[ps]", 8, 8, true, 'M', 'L'),
        ("datetime64[fs]", "<M8[fs]", 8, 8, true, 'M', 'L'),
        ("datetime64[as]", "<M8[as]", 8, 8, true, 'M', 'L'),
        ("datetime64[10s]", "<M8[10s]", 8, 8, true, 'M', 'L'),
        ("datetime64[1s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("datetime64[01s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("datetime64[0s]", "<M8[0s]", 8, 8, true, 'M', 'L'),
        ("datetime64[000s]", "<M8[0s]", 8, 8, true, 'M', 'L'),
        ("datetime64[-0s]", "<M8[0s]", 8, 8, true, 'M', 'L'),
        ("datetime64[+2D]", "<M8[2D]", 8, 8, true, 'M', 'L'),
        ("datetime64[ 3h]", "<M8[3h]", 8, 8, true, 'M', 'L'),
        ("datetime64[\u{9}3h]", "<M8[3h]", 8, 8, true, 'M', 'L'),
        ("datetime64[ +3h]", "<M8[3h]", 8, 8, true, 'M', 'L'),
        ("datetime64[2147483647ns]", "<M8[2147483647ns]", 8, 8, true, 'M', 'L'),
        ("datetime64[25us]", "<M8[25us]", 8, 8, true, 'M', 'L'),
        ("datetime64[7generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("datetime64[0generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("datetime64[60m]", "<M8[60m]", 8, 8, true, 'M', 'L'),
        ("datetime64[12M]", "<M8[12M]", 8, 8, true, 'M', 'L'),
        ("datetime64[7D]", "<M8[7D]", 8, 8, true, 'M', 'L'),
        ("timedelta64", "<m8", 8, 8, true, 'm', 'L'),
        ("timedelta64[generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("timedelta64[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        ("timedelta64[M]", "<m8[M]", 8, 8, true, 'm', 'L'),
        ("timedelta64[W]", "<m8[W]", 8, 8, true, 'm', 'L'),
        ("timedelta64[D]", "<m8[D]", 8, 8, true, 'm', 'L'),
        ("timedelta64[h]", "<m8[h]", 8, 8, true, 'm', 'L'),
        ("timedelta64[m]", "<m8[m]", 8, 8, true, 'm', 'L'),
        ("timedelta64[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[ms]", "<m8[ms]", 8, 8, true, 'm', 'L'),
        ("timedelta64[us]", "<m8[us]", 8, 8, true, 'm', 'L'),
        ("timedelta64[\u{3bc}s]", "<m8[us]", 8, 8, true, 'm', 'L'),
        ("timedelta64[ns]", "<m8[ns]", 8, 8, true, 'm', 'L'),
        ("timedelta64[ps]", "<m8[ps]", 8, 8, true, 'm', 'L'),
        ("timedelta64[fs]", "<m8[fs]", 8, 8, true, 'm', 'L'),
        ("timedelta64[as]", "<m8[as]", 8, 8, true, 'm', 'L'),
        ("timedelta64[10s]", "<m8[10s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[1s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[01s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[0s]", "<m8[0s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[000s]", "<m8[0s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[-0s]", "<m8[0s]", 8, 8, true, 'm', 'L'),
        ("timedelta64[+2D]", "<m8[2D]", 8, 8, true, 'm', 'L'),
        ("timedelta64[ 3h]", "<m8[3h]", 8, 8, true, 'm', 'L'),
        ("timedelta64[\u{9}3h]", "<m8[3h]", 8, 8, true, 'm', 'L'),
        ("timedelta64[ +3h]", "<m8[3h]", 8, 8, true, 'm', 'L'),
        ("timedelta64[2147483647ns]", "<m8[2147483647ns]", 8, 8, true, 'm', 'L'),
        ("timedelta64[25us]", "<m8[25us]", 8, 8, true, 'm', 'L'),
        ("timedelta64[7generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("timedelta64[0generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("timedelta64[60m]", "<m8[60m]", 8, 8, true, 'm', 'L'),
        ("timedelta64[12M]", "<m8[12M]", 8, 8, true, 'm', 'L'),
        ("timedelta64[7D]", "<m8[7D]", 8, 8, true, 'm', 'L'),
        ("M08", "<M8", 8, 8, true, 'M', 'L'),
        ("M+8", "<M8", 8, 8, true, 'M', 'L'),
        ("M 8", "<M8", 8, 8, true, 'M', 'L'),
        ("m 8", "<m8", 8, 8, true, 'm', 'L'),
        ("<M8[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        (">M8[s]", ">M8[s]", 8, 8, false, 'M', 'B'),
        ("=M8[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("|M8[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("<M8[25ns]", "<M8[25ns]", 8, 8, true, 'M', 'L'),
        (">M8[25ns]", ">M8[25ns]", 8, 8, false, 'M', 'B'),
        ("=M8[25ns]", "<M8[25ns]", 8, 8, true, 'M', 'L'),
        ("|M8[25ns]", "<M8[25ns]", 8, 8, true, 'M', 'L'),
        ("<M8[generic]", "<M8", 8, 8, true, 'M', 'L'),
        (">M8[generic]", ">M8", 8, 8, false, 'M', 'B'),
        ("=M8[generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("|M8[generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("<M8[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        (">M8[Y]", ">M8[Y]", 8, 8, false, 'M', 'B'),
        ("=M8[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        ("|M8[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        ("<m8[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        (">m8[s]", ">m8[s]", 8, 8, false, 'm', 'B'),
        ("=m8[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("|m8[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("<m8[25ns]", "<m8[25ns]", 8, 8, true, 'm', 'L'),
        (">m8[25ns]", ">m8[25ns]", 8, 8, false, 'm', 'B'),
        ("=m8[25ns]", "<m8[25ns]", 8, 8, true, 'm', 'L'),
        ("|m8[25ns]", "<m8[25ns]", 8, 8, true, 'm', 'L'),
        ("<m8[generic]", "<m8", 8, 8, true, 'm', 'L'),
        (">m8[generic]", ">m8", 8, 8, false, 'm', 'B'),
        ("=m8[generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("|m8[generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("<m8[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        (">m8[Y]", ">m8[Y]", 8, 8, false, 'm', 'B'),
        ("=m8[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        ("|m8[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        ("<datetime64", "<M8", 8, 8, true, 'M', 'L'),
        (">datetime64", ">M8", 8, 8, false, 'M', 'B'),
        ("=datetime64", "<M8", 8, 8, true, 'M', 'L'),
        ("|datetime64", "<M8", 8, 8, true, 'M', 'L'),
        ("<datetime64[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        (">datetime64[s]", ">M8[s]", 8, 8, false, 'M', 'B'),
        ("=datetime64[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("|datetime64[s]", "<M8[s]", 8, 8, true, 'M', 'L'),
        ("<datetime64[25ns]", "<M8[25ns]", 8, 8, true, 'M', 'L'),
        (">datetime64[25ns]", ">M8[25ns]", 8, 8, false, 'M', 'B'),
        ("=datetime64[25ns]", "<M8[25ns]", 8, 8, true, 'M', 'L'),
        ("|datetime64[25ns]", "<M8[25ns]", 8, 8, true, 'M', 'L'),
        ("<datetime64[generic]", "<M8", 8, 8, true, 'M', 'L'),
        (">datetime64[generic]", ">M8", 8, 8, false, 'M', 'B'),
        ("=datetime64[generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("|datetime64[generic]", "<M8", 8, 8, true, 'M', 'L'),
        ("<datetime64[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        (">datetime64[Y]", ">M8[Y]", 8, 8, false, 'M', 'B'),
        ("=datetime64[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        ("|datetime64[Y]", "<M8[Y]", 8, 8, true, 'M', 'L'),
        ("<timedelta64", "<m8", 8, 8, true, 'm', 'L'),
        (">timedelta64", ">m8", 8, 8, false, 'm', 'B'),
        ("=timedelta64", "<m8", 8, 8, true, 'm', 'L'),
        ("|timedelta64", "<m8", 8, 8, true, 'm', 'L'),
        ("<timedelta64[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        (">timedelta64[s]", ">m8[s]", 8, 8, false, 'm', 'B'),
        ("=timedelta64[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("|timedelta64[s]", "<m8[s]", 8, 8, true, 'm', 'L'),
        ("<timedelta64[25ns]", "<m8[25ns]", 8, 8, true, 'm', 'L'),
        (">timedelta64[25ns]", ">m8[25ns]", 8, 8, false, 'm', 'B'),
        ("=timedelta64[25ns]", "<m8[25ns]", 8, 8, true, 'm', 'L'),
        ("|timedelta64[25ns]", "<m8[25ns]", 8, 8, true, 'm', 'L'),
        ("<timedelta64[generic]", "<m8", 8, 8, true, 'm', 'L'),
        (">timedelta64[generic]", ">m8", 8, 8, false, 'm', 'B'),
        ("=timedelta64[generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("|timedelta64[generic]", "<m8", 8, 8, true, 'm', 'L'),
        ("<timedelta64[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        (">timedelta64[Y]", ">m8[Y]", 8, 8, false, 'm', 'B'),
        ("=timedelta64[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        ("|timedelta64[Y]", "<m8[Y]", 8, 8, true, 'm', 'L'),
        ("bool", "|b1", 1, 1, true, 'b', 'N'),
        ("float16", "<f2", 2, 2, true, 'f', 'L'),
        ("float32", "<f4", 4, 4, true, 'f', 'L'),
        ("float64", "<f8", 8, 8, true, 'f', 'L'),
        ("longdouble", "<f16", 16, 16, true, 'f', 'L'),
        ("complex64", "<c8", 8, 4, true, 'c', 'L'),
        ("complex128", "<c16", 16, 8, true, 'c', 'L'),
        ("clongdouble", "<c32", 32, 16, true, 'c', 'L'),
        ("bytes_", "|S0", 0, 1, true, 'S', 'N'),
        ("str_", "<U0", 0, 4, true, 'U', 'L'),
        ("void", "|V0", 0, 1, true, 'V', 'N'),
        ("int8", "|i1", 1, 1, true, 'i', 'N'),
        ("byte", "|i1", 1, 1, true, 'i', 'N'),
        ("uint8", "|u1", 1, 1, true, 'u', 'N'),
        ("ubyte", "|u1", 1, 1, true, 'u', 'N'),
        ("int16", "<i2", 2, 2, true, 'i', 'L'),
        ("short", "<i2", 2, 2, true, 'i', 'L'),
        ("uint16", "<u2", 2, 2, true, 'u', 'L'),
        ("ushort", "<u2", 2, 2, true, 'u', 'L'),
        ("int32", "<i4", 4, 4, true, 'i', 'L'),
        ("intc", "<i4", 4, 4, true, 'i', 'L'),
        ("uint32", "<u4", 4, 4, true, 'u', 'L'),
        ("uintc", "<u4", 4, 4, true, 'u', 'L'),
        ("int64", "<i8", 8, 8, true, 'i', 'L'),
        ("long", "<i8", 8, 8, true, 'i', 'L'),
        ("uint64", "<u8", 8, 8, true, 'u', 'L'),
        ("ulong", "<u8", 8, 8, true, 'u', 'L'),
        ("longlong", "<i8", 8, 8, true, 'i', 'L'),
        ("ulonglong", "<u8", 8, 8, true, 'u', 'L'),
        ("intp", "<i8", 8, 8, true, 'i', 'L'),
        ("uintp", "<u8", 8, 8, true, 'u', 'L'),
        ("double", "<f8", 8, 8, true, 'f', 'L'),
        ("cdouble", "<c16", 16, 8, true, 'c', 'L'),
        ("single", "<f4", 4, 4, true, 'f', 'L'),
        ("csingle", "<c8", 8, 4, true, 'c', 'L'),
        ("half", "<f2", 2, 2, true, 'f', 'L'),
        ("bool_", "|b1", 1, 1, true, 'b', 'N'),
        ("int_", "<i8", 8, 8, true, 'i', 'L'),
        ("uint", "<u8", 8, 8, true, 'u', 'L'),
        ("float", "<f8", 8, 8, true, 'f', 'L'),
        ("complex", "<c16", 16, 8, true, 'c', 'L'),
        ("bytes", "|S0", 0, 1, true, 'S', 'N'),
        ("int", "<i8", 8, 8, true, 'i', 'L'),
        ("str", "<U0", 0, 4, true, 'U', 'L'),
        ("unicode", "<U0", 0, 4, true, 'U', 'L'),
        ("float128", "<f16", 16, 16, true, 'f', 'L'),
        ("complex256", "<c32", 32, 16, true, 'c', 'L'),
        ("b01", "|b1", 1, 1, true, 'b', 'N'),
        ("i00001", "|i1", 1, 1, true, 'i', 'N'),
        ("f016", "<f16", 16, 16, true, 'f', 'L'),
    ];

    /// Texts numpy 2.4.6 rejects.
    #[rustfmt::skip]
    const REJECTED_BY_NUMPY: &[&str] = &[
        "j",
        "k",
        "o",
        "r",
        "s",
        "t",
        "u",
        "v",
        "w",
        "x",
        "y",
        "z",
        "A",
        "C",
        "E",
        "J",
        "K",
        "R",
        "W",
        "X",
        "Y",
        "Z",
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "!",
        "#",
        "$",
        "%",
        "&",
        "*",
        "+",
        "-",
        ".",
        "/",
        ":",
        ";",
        "@",
        "^",
        "_",
        "~",
        ",",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "'",
        " ",
        "<E",
        ">E",
        "=E",
        "|E",
        "<a",
        ">a",
        "=a",
        "|a",
        "b0",
        "b2",
        "b3",
        "b4",
        "b5",
        "b6",
        "b8",
        "b10",
        "b12",
        "b16",
        "b24",
        "b32",
        "b64",
        "b128",
        "i0",
        "i3",
        "i5",
        "i6",
        "i10",
        "i12",
        "i16",
        "i24",
        "i32",
        "i64",
        "i128",
        "u0",
        "u3",
        "u5",
        "u6",
        "u10",
        "u12",
        "u16",
        "u24",
        "u32",
        "u64",
        "u128",
        "f0",
        "f1",
        "f3",
        "f5",
        "f6",
        "f10",
        "f12",
        "f24",
        "f32",
        "f64",
        "f128",
        "c0",
        "c1",
        "c2",
        "c3",
        "c4",
        "c5",
        "c6",
        "c10",
        "c12",
        "c24",
        "c64",
        "c128",
        "M0",
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
        "M6",
        "M10",
        "M12",
        "M16",
        "M24",
        "M32",
        "M64",
        "M128",
        "m0",
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
        "m6",
        "m10",
        "m12",
        "m16",
        "m24",
        "m32",
        "m64",
        "m128",
        "O0",
        "O1",
        "O2",
        "O3",
        "O5",
        "O6",
        "O10",
        "O12",
        "O16",
        "O24",
        "O32",
        "O64",
        "O128",
        "<b2",
        ">b2",
        "=b2",
        "|b2",
        "<b4",
        ">b4",
        "=b4",
        "|b4",
        "<b8",
        ">b8",
        "=b8",
        "|b8",
        "<b16",
        ">b16",
        "=b16",
        "|b16",
        "<b3",
        ">b3",
        "=b3",
        "|b3",
        "<b0",
        ">b0",
        "=b0",
        "|b0",
        "<i16",
        ">i16",
        "=i16",
        "|i16",
        "<i3",
        ">i3",
        "=i3",
        "|i3",
        "<i0",
        ">i0",
        "=i0",
        "|i0",
        "<u16",
        ">u16",
        "=u16",
        "|u16",
        "<u3",
        ">u3",
        "=u3",
        "|u3",
        "<u0",
        ">u0",
        "=u0",
        "|u0",
        "<f1",
        ">f1",
        "=f1",
        "|f1",
        "<f3",
        ">f3",
        "=f3",
        "|f3",
        "<f0",
        ">f0",
        "=f0",
        "|f0",
        "<c1",
        ">c1",
        "=c1",
        "|c1",
        "<c2",
        ">c2",
        "=c2",
        "|c2",
        "<c4",
        ">c4",
        "=c4",
        "|c4",
        "<c3",
        ">c3",
        "=c3",
        "|c3",
        "<c0",
        ">c0",
        "=c0",
        "|c0",
        "<M1",
        ">M1",
        "=M1",
        "|M1",
        "<M2",
        ">M2",
        "=M2",
        "|M2",
        "<M4",
        ">M4",
        "=M4",
        "|M4",
        "<M16",
        ">M16",
        "=M16",
        "|M16",
        "<M3",
        ">M3",
        "=M3",
        "|M3",
        "<M0",
        ">M0",
        "=M0",
        "|M0",
        "<m1",
        ">m1",
        "=m1",
        "|m1",
        "<m2",
        ">m2",
        "=m2",
        "|m2",
        "<m4",
        ">m4",
        "=m4",
        "|m4",
        "<m16",
        ">m16",
        "=m16",
        "|m16",
        "<m3",
        ">m3",
        "=m3",
        "|m3",
        "<m0",
        ">m0",
        "=m0",
        "|m0",
        "l1",
        "l2",
        "l4",
        "l8",
        "l16",
        "L1",
        "L2",
        "L4",
        "L8",
        "L16",
        "q1",
        "q2",
        "q4",
        "q8",
        "q16",
        "Q1",
        "Q2",
        "Q4",
        "Q8",
        "Q16",
        "d1",
        "d2",
        "d4",
        "d8",
        "d16",
        "D1",
        "D2",
        "D4",
        "D8",
        "D16",
        "g1",
        "g2",
        "g4",
        "g8",
        "g16",
        "G1",
        "G2",
        "G4",
        "G8",
        "G16",
        "e1",
        "e2",
        "e4",
        "e8",
        "e16",
        "E1",
        "E2",
        "E4",
        "E8",
        "E16",
        "h1",
        "h2",
        "h4",
        "h8",
        "h16",
        "H1",
        "H2",
        "H4",
        "H8",
        "H16",
        "p1",
        "p2",
        "p4",
        "p8",
        "p16",
        "P1",
        "P2",
        "P4",
        "P8",
        "P16",
        "n1",
        "n2",
        "n4",
        "n8",
        "n16",
        "N1",
        "N2",
        "N4",
        "N8",
        "N16",
        "B1",
        "B2",
        "B4",
        "B8",
        "B16",
        "T1",
        "T2",
        "T4",
        "T8",
        "T16",
        "?1",
        "?2",
        "?4",
        "?8",
        "?16",
        "x1",
        "x2",
        "x4",
        "x8",
        "x16",
        "z1",
        "z2",
        "z4",
        "z8",
        "z16",
        "i-0",
        "i-1",
        "i+",
        "i-",
        "i ",
        "i4 ",
        "i4x",
        "i+ 4",
        "i0x4",
        "i4.0",
        "i1e1",
        "u-0",
        "u-1",
        "u+",
        "u-",
        "u ",
        "u4 ",
        "u4x",
        "u+ 4",
        "u0x4",
        "u4.0",
        "u1e1",
        "f-0",
        "f-1",
        "f+",
        "f-",
        "f ",
        "f4 ",
        "f4x",
        "f+ 4",
        "f0x4",
        "f4.0",
        "f1e1",
        "S-1",
        "S+",
        "S-",
        "S ",
        "S4 ",
        "S4x",
        "S+ 4",
        "S0x4",
        "S4.0",
        "S1e1",
        "U-1",
        "U+",
        "U-",
        "U ",
        "U4 ",
        "U4x",
        "U+ 4",
        "U0x4",
        "U4.0",
        "U1e1",
        "V-1",
        "V+",
        "V-",
        "V ",
        "V4 ",
        "V4x",
        "V+ 4",
        "V0x4",
        "V4.0",
        "V1e1",
        "a-1",
        "a+",
        "a-",
        "a ",
        "a4 ",
        "a4x",
        "a+ 4",
        "a0x4",
        "a4.0",
        "a1e1",
        "M+4",
        "M 4",
        "M04",
        "M-0",
        "M-1",
        "M+",
        "M-",
        "M ",
        "M4 ",
        "M4x",
        "M+ 4",
        "M0x4",
        "M4.0",
        "M1e1",
        "S2147483648",
        "S4294967296",
        "S4294967299",
        "S9223372036854775807",
        "S9223372036854775808",
        "S18446744073709551616",
        "S99999999999999999999",
        "S-2147483648",
        "U2147483647",
        "U2147483648",
        "U536870912",
        "U1073741824",
        "U4294967296",
        "U4294967299",
        "U9223372036854775807",
        "U9223372036854775808",
        "U18446744073709551616",
        "U99999999999999999999",
        "U-2147483648",
        "V2147483648",
        "V4294967296",
        "V4294967299",
        "V9223372036854775807",
        "V9223372036854775808",
        "V18446744073709551616",
        "V99999999999999999999",
        "V-2147483648",
        "a2147483648",
        "a4294967296",
        "a4294967299",
        "a9223372036854775807",
        "a9223372036854775808",
        "a18446744073709551616",
        "a99999999999999999999",
        "a-2147483648",
        "i4294967297",
        "i18446744073709551624",
        "u4294967297",
        "u18446744073709551624",
        "f4294967297",
        "f18446744073709551624",
        "c4294967297",
        "c18446744073709551624",
        "M8[\u{b5}s]",
        "M8[2147483648ns]",
        "M8[4294967297ns]",
        "M8[99999999999999999999s]",
        "M8[-1s]",
        "M8[2147483648generic]",
        "M8[]",
        "M8[",
        "M8[s",
        "M8s]",
        "M8[xx]",
        "M8[s]x",
        "M8[s]]",
        "M8[[s]",
        "M8[1 s]",
        "M8[ s]",
        "M8[s ]",
        "M8[10]",
        "M8[0]",
        "M8[+s]",
        "M8[NS]",
        "M8[Generic]",
        "M8[B]",
        "M8[genericx]",
        "M8 [s]",
        "M8x",
        "M8[s][s]",
        "m8[\u{b5}s]",
        "m8[2147483648ns]",
        "m8[4294967297ns]",
        "m8[99999999999999999999s]",
        "m8[-1s]",
        "m8[2147483648generic]",
        "m8[]",
        "m8[",
        "m8[s",
        "m8s]",
        "m8[xx]",
        "m8[s]x",
        "m8[s]]",
        "m8[[s]",
        "m8[1 s]",
        "m8[ s]",
        "m8[s ]",
        "m8[10]",
        "m8[0]",
        "m8[+s]",
        "m8[NS]",
        "m8[Generic]",
        "m8[B]",
        "m8[genericx]",
        "m8 [s]",
        "m8x",
        "m8[s][s]",
        "datetime64[\u{b5}s]",
        "datetime64[2147483648ns]",
        "datetime64[4294967297ns]",
        "datetime64[99999999999999999999s]",
        "datetime64[-1s]",
        "datetime64[2147483648generic]",
        "datetime64[]",
        "datetime64[",
        "datetime64[s",
        "datetime64s]",
        "datetime64[xx]",
        "datetime64[s]x",
        "datetime64[s]]",
        "datetime64[[s]",
        "datetime64[1 s]",
        "datetime64[ s]",
        "datetime64[s ]",
        "datetime64[10]",
        "datetime64[0]",
        "datetime64[+s]",
        "datetime64[NS]",
        "datetime64[Generic]",
        "datetime64[B]",
        "datetime64[genericx]",
        "datetime64 [s]",
        "datetime64x",
        "datetime64[s][s]",
        "timedelta64[\u{b5}s]",
        "timedelta64[2147483648ns]",
        "timedelta64[4294967297ns]",
        "timedelta64[99999999999999999999s]",
        "timedelta64[-1s]",
        "timedelta64[2147483648generic]",
        "timedelta64[]",
        "timedelta64[",
        "timedelta64[s",
        "timedelta64s]",
        "timedelta64[xx]",
        "timedelta64[s]x",
        "timedelta64[s]]",
        "timedelta64[[s]",
        "timedelta64[1 s]",
        "timedelta64[ s]",
        "timedelta64[s ]",
        "timedelta64[10]",
        "timedelta64[0]",
        "timedelta64[+s]",
        "timedelta64[NS]",
        "timedelta64[Generic]",
        "timedelta64[B]",
        "timedelta64[genericx]",
        "timedelta64 [s]",
        "timedelta64x",
        "timedelta64[s][s]",
        "M[generic]",
        "M[Y]",
        "M[M]",
        "M[W]",
        "M[D]",
        "M[h]",
        "M[m]",
        "M[s]",
        "M[ms]",
        "M[us]",
        "M[\u{3bc}s]",
        "M[\u{b5}s]",
        "M[ns]",
        "M[ps]",
        "M[fs]",
        "M[as]",
        "M[10s]",
        "M[1s]",
        "M[01s]",
        "M[0s]",
        "M[000s]",
        "M[-0s]",
        "M[+2D]",
        "M[ 3h]",
        "M[\u{9}3h]",
        "M[ +3h]",
        "M[2147483647ns]",
        "M[2147483648ns]",
        "M[4294967297ns]",
        "M[99999999999999999999s]",
        "M[-1s]",
        "M[25us]",
        "M[7generic]",
        "M[0generic]",
        "M[2147483648generic]",
        "M[]",
        "M[",
        "M[s",
        "Ms]",
        "M[xx]",
        "M[s]x",
        "M[s]]",
        "M[[s]",
        "M[1 s]",
        "M[ s]",
        "M[s ]",
        "M[10]",
        "M[0]",
        "M[+s]",
        "M[NS]",
        "M[Generic]",
        "M[B]",
        "M[genericx]",
        "M [s]",
        "Mx",
        "M[s][s]",
        "M[60m]",
        "M[12M]",
        "M[7D]",
        "m[generic]",
        "m[Y]",
        "m[M]",
        "m[W]",
        "m[D]",
        "m[h]",
        "m[m]",
        "m[s]",
        "m[ms]",
        "m[us]",
        "m[\u{3bc}s]",
        "m[\u{b5}s]",
        "m[ns]",
        "m[ps]",
        "m[fs]",
        "m[as]",
        "m[10s]",
        "m[1s]",
        "m[01s]",
        "m[0s]",
        "m[000s]",
        "m[-0s]",
        "m[+2D]",
        "m[ 3h]",
        "m[\u{9}3h]",
        "m[ +3h]",
        "m[2147483647ns]",
        "m[2147483648ns]",
        "m[4294967297ns]",
        "m[99999999999999999999s]",
        "m[-1s]",
        "m[25us]",
        "m[7generic]",
        "m[0generic]",
        "m[2147483648generic]",
        "m[]",
        "m[",
        "m[s",
        "ms]",
        "m[xx]",
        "m[s]x",
        "m[s]]",
        "m[[s]",
        "m[1 s]",
        "m[ s]",
        "m[s ]",
        "m[10]",
        "m[0]",
        "m[+s]",
        "m[NS]",
        "m[Generic]",
        "m[B]",
        "m[genericx]",
        "m [s]",
        "mx",
        "m[s][s]",
        "m[60m]",
        "m[12M]",
        "m[7D]",
        "M08[generic]",
        "M08[Y]",
        "M08[M]",
        "M08[W]",
        "M08[D]",
        "M08[h]",
        "M08[m]",
        "M08[s]",
        "M08[ms]",
        "M08[us]",
        "M08[\u{3bc}s]",
        "M08[\u{b5}s]",
        "M08[ns]",
        "M08[ps]",
        "M08[fs]",
        "M08[as]",
        "M08[10s]",
        "M08[1s]",
        "M08[01s]",
        "M08[0s]",
        "M08[000s]",
        "M08[-0s]",
        "M08[+2D]",
        "M08[ 3h]",
        "M08[\u{9}3h]",
        "M08[ +3h]",
        "M08[2147483647ns]",
        "M08[2147483648ns]",
        "M08[4294967297ns]",
        "M08[99999999999999999999s]",
        "M08[-1s]",
        "M08[25us]",
        "M08[7generic]",
        "M08[0generic]",
        "M08[2147483648generic]",
        "M08[]",
        "M08[",
        "M08[s",
        "M08s]",
        "M08[xx]",
        "M08[s]x",
        "M08[s]]",
        "M08[[s]",
        "M08[1 s]",
        "M08[ s]",
        "M08[s ]",
        "M08[10]",
        "M08[0]",
        "M08[+s]",
        "M08[NS]",
        "M08[Generic]",
        "M08[B]",
        "M08[genericx]",
        "M08 [s]",
        "M08x",
        "M08[s][s]",
        "M08[60m]",
        "M08[12M]",
        "M08[7D]",
        "M+8[generic]",
        "M+8[Y]",
        "M+8[M]",
        "M+8[W]",
        "M+8[D]",
        "M+8[h]",
        "M+8[m]",
        "M+8[s]",
        "M+8[ms]",
        "M+8[us]",
        "M+8[\u{3bc}s]",
        "M+8[\u{b5}s]",
        "M+8[ns]",
        "M+8[ps]",
        "M+8[fs]",
        "M+8[as]",
        "M+8[10s]",
        "M+8[1s]",
        "M+8[01s]",
        "M+8[0s]",
        "M+8[000s]",
        "M+8[-0s]",
        "M+8[+2D]",
        "M+8[ 3h]",
        "M+8[\u{9}3h]",
        "M+8[ +3h]",
        "M+8[2147483647ns]",
        "M+8[2147483648ns]",
        "M+8[4294967297ns]",
        "M+8[99999999999999999999s]",
        "M+8[-1s]",
        "M+8[25us]",
        "M+8[7generic]",
        "M+8[0generic]",
        "M+8[2147483648generic]",
        "M+8[]",
        "M+8[",
        "M+8[s",
        "M+8s]",
        "M+8[xx]",
        "M+8[s]x",
        "M+8[s]]",
        "M+8[[s]",
        "M+8[1 s]",
        "M+8[ s]",
        "M+8[s ]",
        "M+8[10]",
        "M+8[0]",
        "M+8[+s]",
        "M+8[NS]",
        "M+8[Generic]",
        "M+8[B]",
        "M+8[genericx]",
        "M+8 [s]",
        "M+8x",
        "M+8[s][s]",
        "M+8[60m]",
        "M+8[12M]",
        "M+8[7D]",
        "M 8[generic]",
        "M 8[Y]",
        "M 8[M]",
        "M 8[W]",
        "M 8[D]",
        "M 8[h]",
        "M 8[m]",
        "M 8[s]",
        "M 8[ms]",
        "M 8[us]",
        "M 8[\u{3bc}s]",
        "M 8[\u{b5}s]",
        "M 8[ns]",
        "M 8[ps]",
        "M 8[fs]",
        "M 8[as]",
        "M 8[10s]",
        "M 8[1s]",
        "M 8[01s]",
        "M 8[0s]",
        "M 8[000s]",
        "M 8[-0s]",
        "M 8[+2D]",
        "M 8[ 3h]",
        "M 8[\u{9}3h]",
        "M 8[ +3h]",
        "M 8[2147483647ns]",
        "M 8[2147483648ns]",
        "M 8[4294967297ns]",
        "M 8[99999999999999999999s]",
        "M 8[-1s]",
        "M 8[25us]",
        "M 8[7generic]",
        "M 8[0generic]",
        "M 8[2147483648generic]",
        "M 8[]",
        "M 8[",
        "M 8[s",
        "M 8s]",
        "M 8[xx]",
        "M 8[s]x",
        "M 8[s]]",
        "M 8[[s]",
        "M 8[1 s]",
        "M 8[ s]",
        "M 8[s ]",
        "M 8[10]",
        "M 8[0]",
        "M 8[+s]",
        "M 8[NS]",
        "M 8[Generic]",
        "M 8[B]",
        "M 8[genericx]",
        "M 8 [s]",
        "M 8x",
        "M 8[s][s]",
        "M 8[60m]",
        "M 8[12M]",
        "M 8[7D]",
        "m 8[generic]",
        "m 8[Y]",
        "m 8[M]",
        "m 8[W]",
        "m 8[D]",
        "m 8[h]",
        "m 8[m]",
        "m 8[s]",
        "m 8[ms]",
        "m 8[us]",
        "m 8[\u{3bc}s]",
        "m 8[\u{b5}s]",
        "m 8[ns]",
        "m 8[ps]",
        "m 8[fs]",
        "m 8[as]",
        "m 8[10s]",
        "m 8[1s]",
        "m 8[01s]",
        "m 8[0s]",
        "m 8[000s]",
        "m 8[-0s]",
        "m 8[+2D]",
        "m 8[ 3h]",
        "m 8[\u{9}3h]",
        "m 8[ +3h]",
        "m 8[2147483647ns]",
        "m 8[2147483648ns]",
        "m 8[4294967297ns]",
        "m 8[99999999999999999999s]",
        "m 8[-1s]",
        "m 8[25us]",
        "m 8[7generic]",
        "m 8[0generic]",
        "m 8[2147483648generic]",
        "m 8[]",
        "m 8[",
        "m 8[s",
        "m 8s]",
        "m 8[xx]",
        "m 8[s]x",
        "m 8[s]]",
        "m 8[[s]",
        "m 8[1 s]",
        "m 8[ s]",
        "m 8[s ]",
        "m 8[10]",
        "m 8[0]",
        "m 8[+s]",
        "m 8[NS]",
        "m 8[Generic]",
        "m 8[B]",
        "m 8[genericx]",
        "m 8 [s]",
        "m 8x",
        "m 8[s][s]",
        "m 8[60m]",
        "m 8[12M]",
        "m 8[7D]",
        "float96",
        "complex192",
        "float80",
        "int128",
        "uint128",
        "float_",
        "complex_",
        "unicode_",
        "string_",
        "int0",
        "uint0",
        "bool8",
        "object0",
        "void0",
        "str0",
        "bytes0",
        "Float64",
        "FLOAT64",
        "Int32",
        "longfloat",
        "clongfloat",
        "longcomplex",
        "singlecomplex",
        "cfloat",
        "datetime",
        "timedelta",
        "StringDType",
        "void8",
        "int8[2]",
        "float64 ",
        " float64",
        "datetime6",
        "np.float64",
        "numpy.int32",
        "intp_",
        "number",
        "floating",
        "integer",
        "generic",
        "character",
        "flexible",
        "signedinteger",
        "a1b",
        "c16c",
        "<float64",
        ">float64",
        "=float64",
        "|float64",
        "<int32",
        ">int32",
        "=int32",
        "|int32",
        "<bool",
        ">bool",
        "=bool",
        "|bool",
        "<str",
        ">str",
        "=str",
        "|str",
        "<bytes",
        ">bytes",
        "=bytes",
        "|bytes",
        "<void",
        ">void",
        "=void",
        "|void",
        "<int",
        ">int",
        "=int",
        "|int",
        "<uint8",
        ">uint8",
        "=uint8",
        "|uint8",
        "<longdouble",
        ">longdouble",
        "=longdouble",
        "|longdouble",
        "<object",
        ">object",
        "=object",
        "|object",
        "<float128",
        ">float128",
        "=float128",
        "|float128",
        "",
        " f8",
        "f8 ",
        "\u{9}f8",
        "f8\u{a}",
        "f8x",
        "<<f8",
        "<>f8",
        "><f8",
        "||u1",
        "=",
        "<",
        ">",
        "|",
        "f8\u{0}",
        "S\u{663}",
        "i\u{a0}4",
        "f\u{2007}8",
        "\u{e9}",
        "\u{1f600}",
        "<\u{e9}",
        "f\u{b2}",
        "bB",
        "i4i",
        "f8f8",
        "S1S",
        "f8[ns]",
        "U3 ",
        "O8 ",
        ",i4",
        "M8[s/3]",
    ];

    /// Texts numpy accepts but this module refuses on purpose (numpy's result in the comment).
    #[rustfmt::skip]
    const REFUSED_ON_PURPOSE: &[(&str, ErrorKind)] = &[
        ("O", ErrorKind::Unsupported), // numpy: object/StringDType
        ("T", ErrorKind::Unsupported), // numpy: object/StringDType
        ("<O", ErrorKind::Unsupported), // numpy: object/StringDType
        (">O", ErrorKind::Unsupported), // numpy: object/StringDType
        ("=O", ErrorKind::Unsupported), // numpy: object/StringDType
        ("|O", ErrorKind::Unsupported), // numpy: object/StringDType
        ("<T", ErrorKind::Unsupported), // numpy: object/StringDType
        (">T", ErrorKind::Unsupported), // numpy: object/StringDType
        ("=T", ErrorKind::Unsupported), // numpy: object/StringDType
        ("|T", ErrorKind::Unsupported), // numpy: object/StringDType
        ("O4", ErrorKind::Unsupported), // numpy: object/StringDType
        ("O8", ErrorKind::Unsupported), // numpy: object/StringDType
        ("object_", ErrorKind::Unsupported), // numpy: object/StringDType
        ("object", ErrorKind::Unsupported), // numpy: object/StringDType
        ("\u{1}", ErrorKind::InvalidArg), // numpy: |i1 (control character read as a type number)
        ("\u{2}", ErrorKind::InvalidArg), // numpy: |u1 (control character read as a type number)
        ("\u{7}", ErrorKind::InvalidArg), // numpy: <i8 (control character read as a type number)
        ("\u{17}", ErrorKind::InvalidArg), // numpy: <f2 (control character read as a type number)
        ("\u{0}", ErrorKind::InvalidArg), // numpy: |b1 (control character read as a type number)
        ("3S", ErrorKind::InvalidArg), // numpy: |S3
        ("0S", ErrorKind::InvalidArg), // numpy: |S0
        ("2str", ErrorKind::InvalidArg), // numpy: <U2
        ("2V", ErrorKind::InvalidArg), // numpy: |V2
        ("10a", ErrorKind::InvalidArg), // numpy: |S10
        ("3>U", ErrorKind::InvalidArg), // numpy: >U3
        ("()i4", ErrorKind::InvalidArg), // numpy: <i4
        ("()m", ErrorKind::InvalidArg), // numpy: <m8
        ("()S3", ErrorKind::InvalidArg), // numpy: |S3
        (">4S", ErrorKind::InvalidArg), // numpy: |S4
        ("=4V", ErrorKind::InvalidArg), // numpy: |V4
        ("1i4", ErrorKind::InvalidArg), // numpy: |V4
        ("<\u{9}", ErrorKind::InvalidArg), // numpy: <i8 (control character read as a type number)
        ("|\u{0}", ErrorKind::InvalidArg), // numpy: |b1 (control character read as a type number)
        ("(2,)i4", ErrorKind::InvalidArg), // numpy: |V8
        ("2i4", ErrorKind::InvalidArg), // numpy: |V8
        ("3f8", ErrorKind::InvalidArg), // numpy: |V24
        ("(2,3)f8", ErrorKind::InvalidArg), // numpy: |V48
        ("M8[s/10]", ErrorKind::InvalidArg), // numpy: <M8[100ms]
        ("M8[Y/12]", ErrorKind::InvalidArg), // numpy: <M8[M]
        ("M8[10s/2]", ErrorKind::InvalidArg), // numpy: <M8[5000ms]
        ("m8[D/24]", ErrorKind::InvalidArg), // numpy: <m8[h]
        ("datetime64[h/60]", ErrorKind::InvalidArg), // numpy: <M8[m]
    ];
}
