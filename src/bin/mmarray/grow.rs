//! `mmarray append`, `mmarray recover` and `mmarray growable`: the growable-.npy
//! operations of the core (`npy::append`, `npy::recover`, `npy::save`) from the shell.

use std::io::Write;
use std::path::{Path, PathBuf};

use mmarray::{npy, Mode, View};

use crate::{info, input, write_failure, Failure, Outcome, RawOpts};

/// The growth axis of a .npy array: 0, or the last for a Fortran-order header.
fn growth_axis(ndim: usize, fortran: bool) -> usize {
    if fortran {
        ndim - 1
    } else {
        0
    }
}

/// The bytes of a whole, contiguous array.
fn bytes_of(view: &View) -> &[u8] {
    if view.nbytes() == 0 {
        return &[];
    }
    // SAFETY: the view is a whole .npy array (contiguous, checked by the caller), mapped
    // read-only for its lifetime: `nbytes` bytes from its data pointer are mapped.
    unsafe { std::slice::from_raw_parts(view.data_ptr(), view.nbytes()) }
}

pub fn append(dst: &Path, srcs: &[PathBuf], out: &mut impl Write) -> Outcome<u8> {
    input::require_npy(dst)?;
    let (h, _) = npy::read_header(dst).map_err(|e| input::fail(dst, &e))?;
    if h.shape.is_empty() {
        return Err(Failure::new(format!(
            "mmarray: {}: a 0-d array has no axis to append along",
            dst.display()
        )));
    }
    let axis = growth_axis(h.shape.len(), h.fortran_order);
    let target = npy::open(dst, Mode::ReadWrite).map_err(|e| input::fail(dst, &e))?;
    npy::row_bytes(&target).map_err(|e| input::fail(dst, &e))?;
    // Every source is checked before anything is written.
    let mut sources = Vec::new();
    for src in srcs {
        let view = input::open(src, &RawOpts::default())?.view;
        let mut want = h.shape.clone();
        let bad = |why: String| {
            Err(Failure::new(format!(
                "mmarray: {}: cannot append to {}: {why}; nothing was appended",
                src.display(),
                dst.display()
            )))
        };
        if view.dtype() != &h.dtype {
            return bad(format!(
                "its dtype {} is not {}'s {} (convert it first: mmarray convert --dtype)",
                view.dtype().typestr(),
                dst.display(),
                h.dtype.typestr()
            ));
        }
        if view.shape().len() != want.len() {
            return bad(format!(
                "it has {} axes, {} has {}",
                view.shape().len(),
                dst.display(),
                want.len()
            ));
        }
        want[axis] = view.shape()[axis];
        if view.shape() != want.as_slice() {
            return bad(format!(
                "its shape {} differs from {}'s {} off axis {axis}",
                mmarray::dtype::shape_text(view.shape()),
                dst.display(),
                mmarray::dtype::shape_text(&h.shape)
            ));
        }
        let flags = view.flags();
        let laid_out = if h.fortran_order {
            flags.f_contiguous
        } else {
            flags.c_contiguous
        };
        if !laid_out {
            let order = if h.fortran_order { "F" } else { "C" };
            return bad(format!(
                "it is not in {}'s {order} order (convert it first: mmarray convert --order {order})",
                dst.display()
            ));
        }
        sources.push(view);
    }
    for (src, view) in srcs.iter().zip(&sources) {
        npy::append(&target, bytes_of(view), view.shape()[axis], false).map_err(|e| {
            // The core's advice names the C function; from the shell it is `growable`.
            let hint = if e.message.contains("has no room") {
                format!("; `mmarray growable {}` does that", dst.display())
            } else {
                String::new()
            };
            Failure::new(format!(
                "mmarray: {}: cannot append {}: {}{hint}",
                dst.display(),
                src.display(),
                e.message
            ))
        })?;
    }
    let (h, _) = npy::read_header(dst).map_err(|e| input::fail(dst, &e))?;
    writeln!(
        out,
        "{}: shape {}",
        dst.display(),
        mmarray::dtype::shape_text(&h.shape)
    )
    .map_err(write_failure)?;
    Ok(0)
}

pub fn recover(path: &Path, out: &mut impl Write) -> Outcome<u8> {
    input::require_npy(path)?;
    let length = npy::recover(path).map_err(|e| input::fail(path, &e))?;
    writeln!(out, "{length}").map_err(write_failure)?;
    Ok(0)
}

pub fn growable(path: &Path, out: &mut impl Write) -> Outcome<u8> {
    input::require_npy(path)?;
    let (h, _) = npy::read_header(path).map_err(|e| input::fail(path, &e))?;
    let room = info::growth(path, &h)?.ok_or_else(|| {
        Failure::new(format!(
            "mmarray: {}: a 0-d array has no axis to grow",
            path.display()
        ))
    })?;
    let w = |r: std::io::Result<()>| r.map_err(write_failure);
    if room.rewritable {
        w(writeln!(
            out,
            "{}: already growable (axis {} can grow to {}); unchanged",
            path.display(),
            room.axis,
            room.max_length
        ))?;
        return Ok(0);
    }
    let view = npy::open(path, Mode::ReadOnly).map_err(|e| input::fail(path, &e))?;
    npy::save(&view, path).map_err(|e| input::fail(path, &e))?;
    drop(view);
    let (h, _) = npy::read_header(path).map_err(|e| input::fail(path, &e))?;
    let room = info::growth(path, &h)?.expect("not 0-d");
    w(writeln!(
        out,
        "{}: rewritten with np.save's header (axis {} can grow to {})",
        path.display(),
        room.axis,
        room.max_length
    ))?;
    Ok(0)
}
