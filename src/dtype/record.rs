//! Record (structured) dtypes: named fields at byte offsets, optional titles, subarray
//! fields, nested records and padding.
//!
//! Two text forms are read, as docs/c-api.md asks for every dtype argument:
//! - the descr list that .npy headers hold, `"[('x', '<f4'), ('', '|V4'), ('y', '<i8', (3,))]"`,
//!   read as `numpy.lib.format.descr_to_dtype` reads it: entries named `''` of a plain
//!   void type are padding and dropped, offsets are rebuilt by adding up itemsizes;
//! - numpy's comma form `"<i4,(2,3)f8"`, fields named `f0`, `f1`, ..., packed.
//!
//! A record's typestr is its descr list exactly as Python prints `str(dtype.descr)`.

use std::sync::Arc;

use super::{DType, DTypeInner, Failure, Layout, Scalar, MAX_ITEMSIZE};
use crate::error::{ErrorKind, MmError, Result};
use crate::pyliteral::{self, py_repr_str, Value};

/// One field of a record dtype.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name (UTF-8; may be empty).
    pub name: String,
    /// numpy's optional title, written `((title, name), descr)`.
    pub title: Option<String>,
    /// The dtype of the field, or of one element of a subarray field.
    pub dtype: DType,
    /// Byte offset of the field within the record.
    pub offset: usize,
    /// Subarray dimensions, all nesting levels concatenated (outermost first); empty for
    /// a plain field.
    pub shape: Vec<usize>,
    /// How `shape` splits into numpy's nested subarray levels: the number of dimensions
    /// of each level, outermost first, when there are two or more levels (numpy's
    /// `('c', ('<f8', (5,)), (2,))` has shape `[2, 5]` and nesting `[1, 1]`); empty for
    /// a plain field or a single level. numpy keeps the levels apart in its descr, so
    /// they are kept here for the descr text to be numpy's.
    pub nesting: Vec<usize>,
}

impl Field {
    /// Bytes the field occupies (element itemsize times the subarray size).
    pub fn size(&self) -> usize {
        // Checked when the record was built.
        self.dtype.itemsize() * self.shape.iter().product::<usize>()
    }
}

/// A dtype or a (possibly nested) subarray of one, as a descr entry describes it.
pub(crate) struct Described {
    pub dtype: DType,
    /// The subarray levels, outermost first; none is empty (numpy drops `()` levels).
    pub levels: Vec<Vec<usize>>,
}

impl Described {
    fn plain(dtype: DType) -> Described {
        Described {
            dtype,
            levels: Vec::new(),
        }
    }

    /// `numpy.dtype((inner, shape))`: a new outermost level, unless `shape` is `()`.
    fn wrapped(inner: Described, shape: Vec<usize>) -> Described {
        let mut levels = Vec::with_capacity(inner.levels.len() + 1);
        if !shape.is_empty() {
            levels.push(shape);
        }
        levels.extend(inner.levels);
        Described {
            dtype: inner.dtype,
            levels,
        }
    }

    /// The levels concatenated.
    fn shape(&self) -> Vec<usize> {
        self.levels.concat()
    }

    /// [`Field::nesting`] of these levels.
    fn nesting(&self) -> Vec<usize> {
        if self.levels.len() < 2 {
            Vec::new()
        } else {
            self.levels.iter().map(Vec::len).collect()
        }
    }
}

fn bad(reason: impl Into<String>) -> MmError {
    MmError::invalid(reason.into())
}

impl DType {
    /// A record dtype from fields (in increasing, non-overlapping offset order) and a
    /// total itemsize that covers them.
    pub fn record(fields: Vec<Field>, itemsize: usize) -> Result<DType> {
        if itemsize > MAX_ITEMSIZE {
            return Err(bad(format!(
                "record itemsize {itemsize} exceeds numpy's limit of {MAX_ITEMSIZE} bytes"
            )));
        }
        let mut end = 0usize;
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for f in &fields {
            let count = f
                .shape
                .iter()
                .try_fold(1usize, |a, &d| a.checked_mul(d))
                .ok_or_else(|| {
                    bad(format!(
                        "subarray shape {:?} of field {:?} overflows",
                        f.shape, f.name
                    ))
                })?;
            let size = f
                .dtype
                .itemsize()
                .checked_mul(count)
                .filter(|&s| s <= MAX_ITEMSIZE)
                .ok_or_else(|| {
                    bad(format!(
                        "field {:?} is larger than numpy's itemsize limit",
                        f.name
                    ))
                })?;
            if f.offset < end {
                return Err(bad(format!(
                    "field {:?} at offset {} overlaps the field before it (which ends at {end})",
                    f.name, f.offset
                )));
            }
            end = f
                .offset
                .checked_add(size)
                .ok_or_else(|| bad("field offsets overflow"))?;
            if !seen.insert(&f.name) {
                return Err(bad(format!(
                    "field name {:?} is used more than once",
                    f.name
                )));
            }
            if !f.nesting.is_empty()
                && (f.nesting.len() < 2
                    || f.nesting.contains(&0)
                    || f.nesting.iter().sum::<usize>() != f.shape.len())
            {
                return Err(bad(format!(
                    "field {:?}: nesting {:?} does not split the subarray shape {:?} into two or more levels",
                    f.name, f.nesting, f.shape
                )));
            }
            if let Some(t) = &f.title {
                if !seen.insert(t) {
                    return Err(bad(format!(
                        "title {t:?} is already used as a name or title"
                    )));
                }
            }
        }
        if end > itemsize {
            return Err(bad(format!(
                "the fields need {end} bytes but the record itemsize is {itemsize}"
            )));
        }
        let typestr = descr_text(&fields, itemsize);
        Ok(DType(Arc::new(DTypeInner {
            layout: Layout::Record(fields.into()),
            byte_order: super::ByteOrder::NotApplicable,
            itemsize,
            alignment: 1,
            typestr,
        })))
    }

    /// The fields of a record dtype in offset order; `None` for other dtypes.
    pub fn fields(&self) -> Option<&[Field]> {
        match &self.0.layout {
            Layout::Record(fields) => Some(fields),
            Layout::Scalar(_) => None,
        }
    }

    /// numpy's `dtype.isnative` of a record: every plain field is native, recursing into
    /// nested records. A subarray field counts as native whatever its element type:
    /// numpy's subarray dtype (`('>i8', (2,))`) has byte order `'|'` and no fields, and
    /// `_arraydescr_isnative` recurses only through fields, never into a subarray's base
    /// (numpy 2.4.6: `np.dtype([('y', '>i8', (2,))]).isnative` is True). MM_NATIVE_ORDER
    /// follows numpy here; a binding that needs every byte in native order checks the
    /// fields itself (`mm_field`).
    pub(super) fn record_is_native(fields: &[Field]) -> bool {
        fields
            .iter()
            .all(|f| !f.shape.is_empty() || f.dtype.is_native())
    }

    /// Reads a descr value (a str, a list of fields, or a `(descr, shape)` tuple) as
    /// `numpy.lib.format.descr_to_dtype` does.
    pub(crate) fn from_descr(value: &Value) -> Result<(DType, Vec<usize>)> {
        let d = described(value, 0)?;
        // A top-level subarray becomes dimensions of the array (numpy expands every
        // level), so the levels are simply concatenated here.
        let shape = d.shape();
        Ok((d.dtype, shape))
    }
}

/// `descr_to_dtype`'s padding test on a field named `''` without a title: its dtype's
/// type is `numpy.void` and it has no names, which holds for a plain void type and for
/// every subarray (numpy's subarray dtypes are void whatever their element).
fn is_padding(described: &Described) -> bool {
    !described.levels.is_empty() || matches!(described.dtype.0.layout, Layout::Scalar(Scalar::Void))
}

fn shape_value(value: &Value) -> Result<Vec<usize>> {
    let dim = |v: &Value| -> Result<usize> {
        match v {
            Value::Int(Some(n)) if *n >= 0 => {
                usize::try_from(*n).map_err(|_| bad(format!("subarray dimension {n} is too large")))
            }
            Value::Int(Some(n)) => Err(bad(format!(
                "invalid shape in fixed-type tuple: dimension {n} is smaller than zero"
            ))),
            other => Err(bad(format!("subarray dimension {other} is not an integer"))),
        }
    };
    match value {
        // numpy refuses an empty list as a shape ("mismatch in size of old and new
        // data-descriptor") while `()` means no subarray.
        Value::List(items) if items.is_empty() => Err(bad(
            "subarray shape [] is not valid (numpy: mismatch in size of old and new data-descriptor)",
        )),
        Value::Tuple(items) | Value::List(items) => items.iter().map(dim).collect(),
        Value::Int(_) => Ok(vec![dim(value)?]),
        other => Err(bad(format!(
            "subarray shape {other} is not a tuple of integers"
        ))),
    }
}

/// The items a descr entry unpacks into, as Python's `name, descr = entry` unpacks any
/// iterable: a tuple or a list (np.load reads `['a', '<i4']` as `('a', '<i4')`), the
/// characters of a str and the keys of a dict. `None` for what cannot be unpacked.
fn entry_items(entry: &Value) -> Option<Vec<Value>> {
    match entry {
        Value::Tuple(items) | Value::List(items) => Some(items.clone()),
        Value::Str(text) => Some(text.chars().map(|c| Value::Str(c.to_string())).collect()),
        Value::Dict(pairs) => {
            // A dict literal keeps the last of duplicate keys, in first-seen position.
            let mut keys: Vec<Value> = Vec::new();
            for (k, _) in pairs {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
            Some(keys)
        }
        _ => None,
    }
}

/// One descr value read as `numpy.lib.format.descr_to_dtype` reads it: a str is a dtype
/// text, a tuple is `(descr, shape, ...)` (items past the second are ignored, as numpy
/// ignores them), a list holds the fields.
fn described(value: &Value, depth: usize) -> Result<Described> {
    if depth > pyliteral::MAX_NESTING {
        return Err(bad("descr nested too deeply"));
    }
    match value {
        Value::Str(text) if text.starts_with('[') => Err(bad(format!(
            "{} is a str, not a descr list",
            py_repr_str(text)
        ))),
        Value::Str(text) => Ok(Described::plain(DType::parse(text)?)),
        Value::Tuple(items) if items.len() >= 2 => {
            let inner = described(&items[0], depth + 1)?;
            Ok(Described::wrapped(inner, shape_value(&items[1])?))
        }
        Value::List(entries) => {
            let mut fields = Vec::new();
            let mut offset = 0usize;
            for entry in entries {
                let parts = entry_items(entry)
                    .ok_or_else(|| bad(format!("descr entry {entry} is not a tuple or a list")))?;
                let (name_value, d) = match parts.as_slice() {
                    [name, descr] => (name, described(descr, depth + 1)?),
                    [name, descr, shape] => {
                        let inner = described(descr, depth + 1)?;
                        (name, Described::wrapped(inner, shape_value(shape)?))
                    }
                    _ => {
                        return Err(bad(format!(
                            "descr entry {entry} must be (name, descr) or (name, descr, shape)"
                        )))
                    }
                };
                // Only a tuple is a (title, name) pair; a list there is not a name.
                let (title, name) = match name_value {
                    Value::Str(n) => (None, n.clone()),
                    Value::Tuple(tn) => match tn.as_slice() {
                        [Value::Str(t), Value::Str(n)] => (Some(t.clone()), n.clone()),
                        _ => {
                            return Err(bad(format!(
                            "field name {name_value} must be a str or a (title, name) pair of str"
                        )))
                        }
                    },
                    other => return Err(bad(format!("field name {other} is not a str"))),
                };
                let padding = title.is_none() && name.is_empty() && is_padding(&d);
                let field = Field {
                    name,
                    title,
                    shape: d.shape(),
                    nesting: d.nesting(),
                    dtype: d.dtype,
                    offset,
                };
                let size = field
                    .dtype
                    .itemsize()
                    .checked_mul(
                        field
                            .shape
                            .iter()
                            .try_fold(1usize, |a, &b| a.checked_mul(b))
                            .ok_or_else(|| bad("subarray shape overflows"))?,
                    )
                    .ok_or_else(|| bad("field size overflows"))?;
                offset = offset
                    .checked_add(size)
                    .filter(|&o| o <= MAX_ITEMSIZE)
                    .ok_or_else(|| {
                        bad(format!(
                            "record itemsize exceeds numpy's limit of {MAX_ITEMSIZE} bytes"
                        ))
                    })?;
                // descr_to_dtype: unnamed void entries (plain void or any subarray) are
                // padding; their bytes count, the entries do not.
                if !padding {
                    fields.push(field);
                }
            }
            Ok(Described::plain(DType::record(fields, offset)?))
        }
        other => Err(bad(format!(
            "{other} is not a dtype descr (a str, a list of fields or a (descr, shape) pair)"
        ))),
    }
}

/// Parses the descr list text `"[('x', '<f4'), ...]"`.
pub(super) fn parse_descr_text(text: &str) -> std::result::Result<DType, Failure> {
    let value = pyliteral::parse(text, pyliteral::Options::default())
        .map_err(|e| Failure::Invalid(Some(format!("not a Python literal: {e}"))))?;
    if !matches!(value, Value::List(_)) {
        return Err(Failure::Invalid(Some("a descr list must be a list".into())));
    }
    DType::from_descr(&value)
        .map(|(dtype, _)| dtype)
        .map_err(to_failure)
}

fn to_failure(e: MmError) -> Failure {
    match e.kind {
        ErrorKind::Unsupported => Failure::Unsupported(e.message),
        _ => Failure::Invalid(Some(e.message)),
    }
}

/// Parses numpy's comma form `"<i4, (2,3)f8,S3"` into a packed record.
pub(super) fn parse_comma_text(text: &str) -> std::result::Result<DType, Failure> {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut fields = Vec::new();
    let mut offset = 0usize;
    let err = |why: String| Failure::Invalid(Some(why));
    loop {
        let item_start = pos;
        let order_char = |pos: &mut usize| -> Option<u8> {
            match b.get(*pos) {
                Some(&c @ (b'<' | b'>' | b'|' | b'=')) => {
                    *pos += 1;
                    Some(c)
                }
                _ => None,
            }
        };
        let order1 = order_char(&mut pos);
        let repeats_start = pos;
        let mut has_repeats = false;
        while b.get(pos) == Some(&b' ') {
            pos += 1;
        }
        let mut shape = Vec::new();
        if b.get(pos) == Some(&b'(') {
            let close = text[pos..]
                .find(')')
                .map(|i| pos + i)
                .ok_or_else(|| err(format!("unclosed '(' at byte {pos}")))?;
            let inner = &text[pos + 1..close];
            for part in inner.split(',') {
                let part = part.trim_matches(' ');
                if part.is_empty() {
                    continue;
                }
                shape.push(part.parse::<usize>().map_err(|_| {
                    err(format!(
                        "subarray dimension {part:?} is not a non-negative integer"
                    ))
                })?);
            }
            pos = close + 1;
            has_repeats = true;
        } else {
            let start = pos;
            while b.get(pos).is_some_and(|c| c.is_ascii_digit()) {
                pos += 1;
            }
            if pos > start {
                has_repeats = true;
                shape.push(text[start..pos].parse::<usize>().map_err(|_| {
                    err(format!("repeat count {:?} is too large", &text[start..pos]))
                })?);
            }
        }
        while b.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if pos > repeats_start && !has_repeats {
            // numpy evaluates the blank repeat text and fails.
            return Err(err(format!("blank repeat count in item {}", fields.len())));
        }
        let order2 = order_char(&mut pos);
        let name_start = pos;
        while b
            .get(pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'?')
        {
            pos += 1;
        }
        if b.get(pos) == Some(&b'[') {
            let close = text[pos..]
                .find(']')
                .map(|i| pos + i)
                .ok_or_else(|| err(format!("unclosed '[' at byte {pos}")))?;
            pos = close + 1;
        }
        let name = &text[name_start..pos];
        if name.is_empty() {
            return Err(err(format!(
                "no type in item {} at byte {item_start}",
                fields.len()
            )));
        }
        let order = match (order1, order2) {
            (Some(a), Some(c)) if a != c => {
                return Err(err(format!(
                    "inconsistent byte orders in item {}",
                    fields.len()
                )))
            }
            (Some(a), _) | (None, Some(a)) => Some(a as char),
            (None, None) => None,
        };
        let scalar_text = match order {
            Some(o) => format!("{o}{name}"),
            None => name.to_string(),
        };
        if scalar_text.contains(',') {
            return Err(err(format!(
                "item {} has a comma inside brackets",
                fields.len()
            )));
        }
        let dtype = super::parse_text(&scalar_text)?;
        let field = Field {
            name: format!("f{}", fields.len()),
            title: None,
            dtype,
            offset,
            shape,
            nesting: Vec::new(),
        };
        let size = field
            .shape
            .iter()
            .try_fold(field.dtype.itemsize(), |a, &d| a.checked_mul(d))
            .ok_or_else(|| err("field size overflows".into()))?;
        offset = offset
            .checked_add(size)
            .filter(|&o| o <= MAX_ITEMSIZE)
            .ok_or_else(|| err(format!("record itemsize exceeds {MAX_ITEMSIZE} bytes")))?;
        fields.push(field);
        // Separator: \s*,\s*  (a trailing comma is allowed).
        let mut p = pos;
        while b.get(p).is_some_and(|c| c.is_ascii_whitespace()) {
            p += 1;
        }
        match b.get(p) {
            None => break,
            Some(b',') => {
                p += 1;
                while b.get(p).is_some_and(|c| c.is_ascii_whitespace()) {
                    p += 1;
                }
                pos = p;
                if pos == b.len() {
                    break;
                }
            }
            _ => {
                return Err(err(format!(
                    "unexpected {:?} at byte {pos} of the comma form",
                    &text[pos..].chars().next().unwrap_or(' ')
                )))
            }
        }
    }
    DType::record(fields, offset).map_err(to_failure)
}

/// `str(dtype.descr)` of a record: padding entries for the gaps, Python reprs.
fn descr_text(fields: &[Field], itemsize: usize) -> String {
    let mut out = String::from("[");
    let mut at = 0usize;
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push_str(", ");
        }
        first = false;
    };
    for f in fields {
        if f.offset > at {
            sep(&mut out);
            out.push_str(&format!("('', '|V{}')", f.offset - at));
        }
        sep(&mut out);
        out.push('(');
        match &f.title {
            Some(t) => {
                out.push('(');
                out.push_str(&py_repr_str(t));
                out.push_str(", ");
                out.push_str(&py_repr_str(&f.name));
                out.push(')');
            }
            None => out.push_str(&py_repr_str(&f.name)),
        }
        out.push_str(", ");
        let mut element = if f.dtype.fields().is_some() {
            f.dtype.typestr().to_string()
        } else {
            py_repr_str(f.dtype.typestr())
        };
        // numpy's descr of a nested subarray: the inner levels as `(descr, shape)`
        // pairs, innermost first, and the outermost level as the entry's third item.
        let mut outer: &[usize] = &f.shape;
        if !f.nesting.is_empty() {
            let mut end = f.shape.len();
            for &n in f.nesting[1..].iter().rev() {
                element = format!("({element}, {})", shape_text(&f.shape[end - n..end]));
                end -= n;
            }
            outer = &f.shape[..end];
        }
        out.push_str(&element);
        if !outer.is_empty() {
            out.push_str(", ");
            out.push_str(&shape_text(outer));
        }
        out.push(')');
        at = f.offset + f.size();
    }
    if itemsize > at {
        sep(&mut out);
        out.push_str(&format!("('', '|V{}')", itemsize - at));
    }
    out.push(']');
    out
}

/// A Python tuple of ints: `()`, `(3,)`, `(2, 3)`.
pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [] => "()".into(),
        [one] => format!("({one},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests;
