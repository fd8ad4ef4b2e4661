//! .npz archives as np.savez and np.savez_compressed write them: the member names as
//! `np.load(path).files` lists them, a member opened as an array (a stored member
//! mapped in place, no copy; a deflated one inflated into private memory), and an
//! archive written from any arrays, laid out as numpy writes it.
//!
//! Hostile archives (overlapping members, a local header past the end, sizes or a CRC
//! that lie, a member inflating past its stated size, a name that is not UTF-8, an
//! entry count that does not match the directory) are MM_E_FORMAT with a message that
//! says what was wrong where; nothing is allocated beyond what the file can plausibly
//! hold (a deflated member: at most 1032 bytes per compressed byte, and never more than
//! its directory entry states).

use std::ffi::{c_char, c_int};

use super::args::{call_on_path, mode_arg, out_arg, out_handle, path_arg, text_arg};
use super::boundary::{guard_io, Fail};
use super::handles::{on_view, register};
use super::status::*;
use crate::mapping::Mode;

/// Lists the members of the archive at `path` as `np.load(path).files` gives them: every
/// member of the zip (numpy lists non-.npy members too), in central-directory order, a
/// trailing ".npy" removed, each name UTF-8 and NUL-terminated, one after another, and a
/// final extra NUL after the last (so an archive without members gives just "\0").
/// snprintf-like: `*needed` receives the bytes the whole list takes (the final NUL
/// included) and `*count` the number of members. When `cap` is at least `*needed` the
/// whole list is written; when smaller, as many whole names as fit are written,
/// followed by the final NUL when there is room for it (so `buf` always holds a
/// well-formed, possibly shorter, list). Call once with cap 0 to learn the size. The
/// archive is checked as mm_open_npz checks it (see the area introduction).
///
/// \param path    the archive: a NUL-terminated path.
/// \param buf     receives the names; may be NULL only when `cap` is 0.
/// \param cap     bytes available at `buf`.
/// \param needed  receives the bytes the whole list takes (0 on failure); required.
/// \param count   receives the number of members (0 on failure); may be NULL.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `path` or `needed`, NULL `buf` with `cap`
///         > 0); MM_E_FORMAT (not a zip archive, or one that fails the checks: the
///         message says what and where); MM_E_NOT_FOUND, MM_E_PERMISSION, MM_E_IO (the
///         OS refused).
///
/// # Safety
/// `path` NUL-terminated; `buf` NULL or `cap` writable bytes; `needed` a writable
/// size_t; `count` NULL or a writable size_t.
#[no_mangle]
pub unsafe extern "C" fn mm_npz_names(
    path: *const c_char,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
    count: *mut usize,
) -> mm_status {
    guard_io("mm_npz_names", |name| {
        // SAFETY: the caller passes NULL or a writable size_t, as documented.
        let needed = unsafe { out_arg(name, "needed", needed, 0) }?;
        let count = if count.is_null() {
            None
        } else {
            // SAFETY: non-NULL: the caller passes a writable size_t.
            Some(unsafe { out_arg(name, "count", count, 0) }?)
        };
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(name, path) }?;
        let call = call_on_path(name, path);
        if buf.is_null() && cap > 0 {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{call}: buf is NULL but cap is {cap}"),
            ));
        }
        let names = crate::npz::names(path).map_err(|e| Fail::core(&call, e))?;
        let total = names.iter().map(|n| n.len() + 1).sum::<usize>() + 1;
        if cap > 0 {
            // SAFETY: the caller passes `cap` writable bytes at `buf` (checked non-NULL).
            let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
            let mut at = 0;
            for n in &names {
                if at + n.len() + 2 > cap {
                    break;
                }
                out[at..at + n.len()].copy_from_slice(n.as_bytes());
                out[at + n.len()] = 0;
                at += n.len() + 1;
            }
            if at < cap {
                out[at] = 0;
            }
        }
        *needed = total;
        if let Some(count) = count {
            *count = names.len();
        }
        Ok(MM_OK)
    })
}

/// Opens member `name` of the archive at `path` as an array with the dtype, shape and
/// order of its .npy header. `name` is looked up as numpy's `np.load(path)[name]` does:
/// the member named exactly `name` ("x.npy"), else the one named `name` + ".npy" ("x").
/// A stored member (np.savez) is mapped in place, no copy: mm_offset reports the data's
/// offset in the archive, and its CRC is not checked (that would read it all). A
/// deflated member (np.savez_compressed) is inflated into private memory, checked
/// against its stated size and CRC as it inflates; mm_offset reports 0. Either way the
/// handle holds no descriptor and mm_filename reports the archive.
///
/// \param path  the archive: a NUL-terminated path.
/// \param name  the member: a NUL-terminated UTF-8 name.
/// \param mode  "r" (read-only) or "c" (writable, never written back; a stored member
///              copy-on-write), or their long forms; NULL means "r". "r+" and "w+" are
///              MM_E_UNSUPPORTED (a write in place would invalidate the member's CRC).
/// \param out   receives the new handle; 0 on failure.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `path`, `name` or `out`, a bad mode, a
///         name that is not UTF-8); MM_E_UNSUPPORTED (mode r+ or w+, a compression
///         method other than stored and deflated, object dtype); MM_E_NOT_FOUND (no such
///         member, or no such file); MM_E_FORMAT (a hostile or broken archive, a member
///         that is not a .npy file; the message says what and where); MM_E_PERMISSION,
///         MM_E_IO (the OS refused, or no memory for an inflated member).
///
/// # Safety
/// `path` and `name` NUL-terminated; `mode` NULL or NUL-terminated; `out` a writable
/// mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_open_npz(
    path: *const c_char,
    name: *const c_char,
    mode: *const c_char,
    out: *mut mm_array,
) -> mm_status {
    guard_io("mm_open_npz", |fname| {
        // SAFETY: the caller passes NULL or a writable mm_array, as documented.
        let out = unsafe { out_handle(fname, out) }?;
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(fname, path) }?;
        let call = call_on_path(fname, path);
        // SAFETY: the caller passes NULL or a NUL-terminated name.
        let member = unsafe { text_arg(&call, "name", name) }?
            .ok_or_else(|| Fail::new(MM_E_INVALID_ARG, format!("{call}: name is NULL")))?;
        let mode = if mode.is_null() {
            Mode::ReadOnly
        } else {
            // SAFETY: non-NULL: the caller passes a NUL-terminated mode.
            unsafe { mode_arg(&call, mode) }?
        };
        let call = format!("{call} member {member:?}");
        let view = crate::npz::open(path, member, mode).map_err(|e| Fail::core(&call, e))?;
        *out = register(view, &call)?;
        Ok(MM_OK)
    })
}

/// Writes an archive that np.load reads back equal: member `names[i]` + ".npy" holds
/// np.save's bytes of `arrays[i]` (any views: strided, Fortran, big-endian, records), in
/// the order given, stored (`compress` 0, as np.savez) or deflated (`compress` non-zero,
/// as np.savez_compressed), with the zip64 extras numpy writes. A stored archive is
/// byte-identical to np.savez's; a deflated one differs only in the compressed bytes
/// (numpy uses zlib, this library miniz_oxide, both at level 6) and the sizes and
/// offsets that follow. Streamed (no whole-array buffers); `path` is replaced
/// atomically as mm_save_npy replaces it: on failure it is untouched and no temporary
/// file is left.
///
/// \param path      the archive to write: a NUL-terminated path (no suffix is added).
/// \param n         the number of arrays (0 writes an empty archive, as np.savez()).
/// \param names     `n` NUL-terminated UTF-8 names, distinct; NULL only when `n` is 0.
/// \param arrays    `n` handles; NULL only when `n` is 0.
/// \param compress  0 to store the members, non-zero to deflate them.
/// \return MM_OK, or: MM_E_INVALID_ARG (NULL `path`, a NULL `names`/`arrays` with `n` >
///         0, a NULL, non-UTF-8, over-long or repeated name); MM_E_BAD_HANDLE (a bad
///         handle in `arrays`); MM_E_NOT_FOUND, MM_E_PERMISSION, MM_E_IO (the OS refused;
///         `path` is untouched).
///
/// # Safety
/// `path` NUL-terminated; `names` and `arrays` NULL or pointing to `n` elements, each
/// name NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mm_save_npz(
    path: *const c_char,
    n: usize,
    names: *const *const c_char,
    arrays: *const mm_array,
    compress: c_int,
) -> mm_status {
    guard_io("mm_save_npz", |fname| {
        // SAFETY: the caller passes NULL or a NUL-terminated path.
        let path = unsafe { path_arg(fname, path) }?;
        let call = call_on_path(fname, path);
        if n > 0 && (names.is_null() || arrays.is_null()) {
            return Err(Fail::new(
                MM_E_INVALID_ARG,
                format!("{call}: names or arrays is NULL but n is {n}"),
            ));
        }
        let (names, arrays): (&[*const c_char], &[mm_array]) = if n == 0 {
            (&[], &[])
        } else {
            // SAFETY: the caller passes `n` readable elements at each (checked non-NULL).
            unsafe {
                (
                    std::slice::from_raw_parts(names, n),
                    std::slice::from_raw_parts(arrays, n),
                )
            }
        };
        let mut texts = Vec::with_capacity(n);
        for (i, &p) in names.iter().enumerate() {
            // SAFETY: the caller passes NULL or a NUL-terminated name.
            let text = unsafe { text_arg(&call, &format!("names[{i}]"), p) }?.ok_or_else(|| {
                Fail::new(MM_E_INVALID_ARG, format!("{call}: names[{i}] is NULL"))
            })?;
            texts.push(text);
        }
        let mut views = Vec::with_capacity(n);
        for &a in arrays {
            views.push(on_view(fname, a, |v| Ok(v.clone()))?);
        }
        crate::npz::save(path, &texts, &views, compress != 0).map_err(|e| Fail::core(&call, e))?;
        Ok(MM_OK)
    })
}
