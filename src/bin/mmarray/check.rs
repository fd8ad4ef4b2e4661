//! `mmarray check`: validates .npy files and .npz archives; one line per problem, exit status 1 if any.

use std::io::Write;
use std::path::{Path, PathBuf};

use mmarray::{npy, npz};

use crate::{info, input, write_failure, Outcome};

/// The problems of one file (empty: none).
fn problems(path: &Path, allow_trailing: bool, require_growable: bool) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((archive, name)) = input::split_member(path) {
        return npz_problems(&archive, allow_trailing, Some(&name));
    }
    if input::is_npz(path) {
        return npz_problems(path, allow_trailing, None);
    }
    match input::has_npy_magic(path) {
        Ok(true) => {}
        Ok(false) => {
            return vec![format!(
                "{}: not a .npy file (no \\x93NUMPY magic)",
                path.display()
            )]
        }
        Err(f) => return vec![f.message.trim_start_matches("mmarray: ").to_string()],
    }
    let (header, size) = match npy::read_header(path) {
        Ok(h) => h,
        Err(e) => return vec![format!("{}: bad header: {}", path.display(), e.message)],
    };
    let count: u128 = header.shape.iter().map(|&d| d as u128).product();
    let nbytes = count * header.dtype.itemsize() as u128;
    let need = header.data_offset as u128 + nbytes;
    if (size as u128) < need {
        found.push(format!(
            "{}: truncated: the header says {nbytes} data bytes from offset {} (shape {}, dtype {}), but the file has {size} bytes ({} missing)",
            path.display(),
            header.data_offset,
            mmarray::dtype::shape_text(&header.shape),
            header.dtype.typestr(),
            need - size as u128
        ));
    } else if (size as u128) > need && !allow_trailing {
        found.push(format!(
            "{}: {} trailing bytes after the data (np.save writes none; numpy ignores them)",
            path.display(),
            size as u128 - need
        ));
    }
    if require_growable {
        match info::growth(path, &header) {
            Ok(Some(g)) if !g.rewritable => found.push(format!(
                "{}: the header has no room to grow in place: it is {} bytes, np.save's for this array is {} (`mmarray growable` rewrites it)",
                path.display(),
                g.header_len,
                g.numpy_header_len
                    .map_or("not encodable in its format version".to_string(), |n| n.to_string())
            )),
            Ok(_) => {}
            Err(f) => found.push(f.message.trim_start_matches("mmarray: ").to_string()),
        }
    }
    found
}

/// The problems of a .npz archive: its directory and every member's local header,
/// .npy header, sizes and offsets (the core's checks), bytes after a member's array, and
/// the CRC-32 of every member, stored ones included (which reads every byte of the
/// archive once and inflates the deflated members: the cost of a full read).
/// With `only` (FILE was `ARCHIVE.npz:NAME`), the archive's directory and that member
/// only (looked up as numpy does: "x" or "x.npy", the last of equal names).
fn npz_problems(path: &Path, allow_trailing: bool, only: Option<&str>) -> Vec<String> {
    let members = match npz::members(path) {
        Ok(m) => m,
        Err(e) => return vec![format!("{}: {}", path.display(), e.message)],
    };
    let chosen: Vec<&npz::Member> = match only {
        None => members.iter().collect(),
        Some(name) => match members
            .iter()
            .rev()
            .find(|m| m.name == name)
            .or_else(|| members.iter().rev().find(|m| m.key == name))
        {
            Some(m) => vec![m],
            None => {
                return vec![format!(
                    "{}: {name:?} is not a member of the archive",
                    path.display()
                )]
            }
        },
    };
    let mut found = Vec::new();
    for m in chosen {
        match &m.header {
            Err(e) => found.push(format!("{}: {}", path.display(), e.message)),
            Ok(h) => {
                let nbytes = h.shape.iter().map(|&d| d as u128).product::<u128>()
                    * h.dtype.itemsize() as u128;
                let end = h.data_offset as u128 + nbytes;
                if (m.uncompressed as u128) > end && !allow_trailing {
                    found.push(format!(
                        "{}: member {:?}: {} trailing bytes after the array (np.savez writes none; numpy ignores them)",
                        path.display(),
                        m.name,
                        m.uncompressed as u128 - end
                    ));
                }
            }
        }
        if let Err(e) = npz::verify(path, &m.name) {
            found.push(format!("{}: {}", path.display(), e.message));
        }
    }
    found
}

pub fn run(
    files: &[PathBuf],
    allow_trailing: bool,
    require_growable: bool,
    verbose: bool,
    out: &mut impl Write,
) -> Outcome<u8> {
    let mut status = 0;
    for path in files {
        let found = problems(path, allow_trailing, require_growable);
        if found.is_empty() {
            if verbose {
                writeln!(out, "{}: ok", path.display()).map_err(write_failure)?;
            }
        } else {
            status = 1;
            for p in found {
                writeln!(out, "{p}").map_err(write_failure)?;
            }
        }
    }
    Ok(status)
}
