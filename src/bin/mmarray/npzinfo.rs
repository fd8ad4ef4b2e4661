//! `mmarray info` of a .npz archive: one line (text) or one object (JSON) per member:
//! name, dtype, shape, order, stored/deflated, compressed and uncompressed sizes, and
//! where a stored member's array data lies in the archive; and of one member
//! (`ARCHIVE.npz:NAME`), the fields of a .npy file's report that apply to it.

use std::io::Write;
use std::path::Path;

use mmarray::dtype::shape_text;
use mmarray::npz;

use crate::info::{dtype_name, json_str, Val};
use crate::{input, write_failure, Failure, Outcome};

/// Describes the archive; returns 1 when a member's .npy header cannot be read (it is
/// still listed, with the reason).
pub fn run(path: &Path, json: bool, first: bool, out: &mut impl Write) -> Outcome<u8> {
    let members = npz::members(path).map_err(|e| input::fail(path, &e))?;
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::new(format!("mmarray: {}: {e}", path.display())))?
        .len();
    let w = |r: std::io::Result<()>| r.map_err(write_failure);
    let mut status = 0;
    let mut rows = Vec::new();
    for m in &members {
        let method = if m.deflated { "deflated" } else { "stored" };
        match &m.header {
            Ok(h) => {
                let order = if h.fortran_order { "F" } else { "C" };
                let offset = m.data_offset();
                if json {
                    let dims: Vec<String> = h.shape.iter().map(|d| d.to_string()).collect();
                    rows.push(format!(
                        "{{\"name\": {}, \"dtype\": {}, \"dtype_name\": {}, \"shape\": [{}], \"order\": \"{order}\", \"method\": \"{method}\", \"compressed\": {}, \"uncompressed\": {}, \"data_offset\": {}}}",
                        json_str(&m.key),
                        json_str(h.dtype.typestr()),
                        json_str(&dtype_name(&h.dtype)),
                        dims.join(", "),
                        m.compressed,
                        m.uncompressed,
                        offset.map_or("null".to_string(), |o| o.to_string())
                    ));
                } else {
                    rows.push(format!(
                        "  {:<12} {:<6} {:<14} {:<5} {:<9} {:>12} {:>12} {:>11}",
                        m.key,
                        h.dtype.typestr(),
                        shape_text(&h.shape),
                        order,
                        method,
                        m.compressed,
                        m.uncompressed,
                        offset.map_or("-".to_string(), |o| o.to_string())
                    ));
                }
            }
            Err(e) => {
                status = 1;
                eprintln!("mmarray: {}: {}", path.display(), e.message);
                if json {
                    rows.push(format!(
                        "{{\"name\": {}, \"method\": \"{method}\", \"compressed\": {}, \"uncompressed\": {}, \"error\": {}}}",
                        json_str(&m.key),
                        m.compressed,
                        m.uncompressed,
                        json_str(&e.message)
                    ));
                } else {
                    rows.push(format!("  {:<12} bad header: {}", m.key, e.message));
                }
            }
        }
    }
    if json {
        w(writeln!(
            out,
            "{{\"file\": {}, \"format\": \"npz\", \"file_size\": {size}, \"members\": [{}]}}",
            json_str(&path.display().to_string()),
            rows.join(", ")
        ))?;
    } else {
        if !first {
            w(writeln!(out))?;
        }
        w(writeln!(out, "{:<16}{}", "file:", path.display()))?;
        w(writeln!(out, "{:<16}npz", "format:"))?;
        w(writeln!(out, "{:<16}{size}", "file_size:"))?;
        w(writeln!(out, "{:<16}{}", "members:", members.len()))?;
        w(writeln!(
            out,
            "  {:<12} {:<6} {:<14} {:<5} {:<9} {:>12} {:>12} {:>11}",
            "name",
            "dtype",
            "shape",
            "order",
            "method",
            "compressed",
            "uncompressed",
            "data_offset"
        ))?;
        for r in rows {
            w(writeln!(out, "{r}"))?;
        }
    }
    Ok(status)
}

/// The report of member `name` of `archive` (FILE is `ARCHIVE.npz:NAME`), looked up as
/// numpy does ("x" or "x.npy", the last of equal names): the .npy fields that apply
/// (no growth room: a member cannot grow in place), how it is stored, its sizes, and
/// where its array data lies in the archive (a stored member only).
pub fn member(path: &Path, archive: &Path, name: &str) -> Outcome<Vec<(&'static str, Val)>> {
    let members = npz::members(archive).map_err(|e| input::fail(archive, &e))?;
    let m = members
        .iter()
        .rev()
        .find(|m| m.name == name)
        .or_else(|| members.iter().rev().find(|m| m.key == name))
        .ok_or_else(|| {
            let keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
            Failure::new(format!(
                "mmarray: {}: {name:?} is not a member of the archive (members: {})",
                path.display(),
                keys.join(", ")
            ))
        })?;
    let h = m.header.as_ref().map_err(|e| input::fail(path, e))?;
    let size = std::fs::metadata(archive)
        .map_err(|e| Failure::new(format!("mmarray: {}: {e}", archive.display())))?
        .len();
    let count: u128 = h.shape.iter().map(|&d| d as u128).product();
    let nbytes = (count * h.dtype.itemsize() as u128) as u64;
    let prefix = if h.version.0 == 1 { 10 } else { 12 };
    let dims: Vec<String> = h.shape.iter().map(|d| d.to_string()).collect();
    let end = h.data_offset + nbytes;
    Ok(vec![
        ("file", Val::S(path.display().to_string())),
        ("format", Val::S("npz member".into())),
        ("archive", Val::S(archive.display().to_string())),
        ("member", Val::S(m.name.clone())),
        ("dtype", Val::S(h.dtype.typestr().into())),
        ("dtype_name", Val::S(dtype_name(&h.dtype))),
        ("itemsize", Val::N(h.dtype.itemsize() as u64)),
        ("shape", Val::Raw(format!("[{}]", dims.join(", ")))),
        (
            "order",
            Val::S(if h.fortran_order { "F" } else { "C" }.into()),
        ),
        ("size", Val::N(count as u64)),
        (
            "version",
            Val::S(format!("{}.{}", h.version.0, h.version.1)),
        ),
        ("header_len", Val::N(h.data_offset - prefix)),
        (
            "method",
            Val::S(if m.deflated { "deflated" } else { "stored" }.into()),
        ),
        ("compressed", Val::N(m.compressed)),
        ("uncompressed", Val::N(m.uncompressed)),
        ("data_offset", m.data_offset().map_or(Val::Null, Val::N)),
        ("data_bytes", Val::N(nbytes)),
        ("archive_size", Val::N(size)),
        ("trailing_bytes", Val::N(m.uncompressed.saturating_sub(end))),
        ("missing_bytes", Val::N(end.saturating_sub(m.uncompressed))),
    ])
}
