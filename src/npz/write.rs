//! Writing an archive as np.savez / np.savez_compressed do (Python's zipfile with
//! `force_zip64=True` for every member, on a seekable file).
//!
//! Byte for byte, per member: a local header (version needed 45, flag bit 11 for a
//! non-ASCII name, method 0 or 8, the DOS time 00:00 of 1980-01-01 that zipfile gives a
//! member opened by name, the CRC-32, both 32-bit sizes 0xFFFFFFFF, and a 20-byte zip64
//! extra with the uncompressed then the compressed size), written first with zeros and
//! rewritten in place once the member is complete (as zipfile seeks back); then the
//! member's bytes (np.save's .npy bytes, stored or raw-deflated), no data descriptor.
//! The central directory repeats each entry (made by 45 on Unix, needed 45, external
//! attributes 0o600 << 16) with a zip64 extra only where zipfile writes one: the sizes
//! when either exceeds 2^31 - 1, the local header offset when it exceeds 2^31 - 1. The
//! end record follows, preceded by the zip64 end record and locator when there are more
//! than 65535 members or the directory's offset or size exceeds 2^31 - 1. A stored
//! archive is therefore byte-identical to np.savez's; a deflated one differs only in the
//! compressed bytes (and the sizes and offsets that follow from them): zipfile uses
//! zlib level 6, this writer miniz_oxide's level 6, whose output differs.

use crate::platform::FileExt;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::error::{MmError, Result};
use crate::view::View;

/// zipfile's ZIP64_LIMIT: past it a size or offset goes into a zip64 extra.
const ZIP64_LIMIT: u64 = (1 << 31) - 1;
/// zipfile's ZIP_FILECOUNT_LIMIT.
const FILECOUNT_LIMIT: usize = 0xFFFF;
/// The DOS date of 1980-01-01 (the DOS time is 0).
const DOS_DATE: u16 = (1 << 5) | 1;
const VERSION: u16 = 45;
/// zipfile's external attributes for a member opened for writing by name: -rw-------.
const EXTERNAL_ATTR: u32 = 0o600 << 16;

/// What the central directory needs of a written member.
struct Written {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// `np.savez(path, **{names[i]: views[i]})` (`compress` false) or np.savez_compressed
/// (`compress` true): member `names[i] + ".npy"` holds np.save's bytes of `views[i]`,
/// in the order given, streamed (no whole-array buffer), replacing `path` atomically as
/// `mm_save_npy` does (an error leaves `path` untouched and no temporary file).
///
/// Names must be distinct (a dict's keys in numpy) and fit a zip name (at most 65531
/// bytes before ".npy"); anything else is InvalidArg before the target is touched.
pub fn save(path: &Path, names: &[&str], views: &[View], compress: bool) -> Result<()> {
    if names.len() != views.len() {
        return Err(MmError::invalid(format!(
            "{} names for {} arrays",
            names.len(),
            views.len()
        )));
    }
    let mut seen = HashSet::new();
    for name in names {
        if name.len() + 4 > u16::MAX as usize {
            return Err(MmError::invalid(format!(
                "the name {:?}... is {} bytes; a zip member name holds at most {} (with \".npy\")",
                name.chars().take(20).collect::<String>(),
                name.len(),
                u16::MAX
            )));
        }
        if name.contains('\0') {
            return Err(MmError::invalid(format!(
                "the name {name:?} holds a NUL byte"
            )));
        }
        if !seen.insert(*name) {
            return Err(MmError::invalid(format!(
                "the name {name:?} is given twice (np.savez takes each name once)"
            )));
        }
    }
    crate::replace::replace_with(path, |file| write_archive(file, names, views, compress))
}

fn io_err(e: io::Error) -> MmError {
    MmError::os("cannot write the new file", &e)
}

fn write_archive(file: &mut File, names: &[&str], views: &[View], compress: bool) -> Result<()> {
    let mut written = Vec::with_capacity(names.len());
    let mut pos = 0u64;
    for (name, view) in names.iter().zip(views) {
        let member = format!("{name}.npy").into_bytes();
        let flags = if member.is_ascii() { 0 } else { 0x800 };
        let method = if compress { 8 } else { 0 };
        let mut entry = Written {
            name: member,
            flags,
            method,
            crc: 0,
            compressed: 0,
            size: 0,
            offset: pos,
        };
        let head = local_header(&entry);
        file.write_all(&head).map_err(io_err)?;
        let mut out = Member::new(&mut *file, compress);
        crate::npy::write_npy(&mut out, view)?;
        let (crc, size, compressed) = out.finish()?;
        entry.crc = crc;
        entry.size = size;
        entry.compressed = compressed;
        file.write_all_at(&local_header(&entry), entry.offset)
            .map_err(io_err)?;
        pos += head.len() as u64 + compressed;
        written.push(entry);
    }
    let directory = pos;
    let mut dir = Vec::new();
    for e in &written {
        central_entry(&mut dir, e);
    }
    let dir_size = dir.len() as u64;
    let count = written.len();
    if count > FILECOUNT_LIMIT || directory > ZIP64_LIMIT || dir_size > ZIP64_LIMIT {
        let end64 = directory + dir_size;
        dir.extend_from_slice(b"PK\x06\x06");
        dir.extend_from_slice(&44u64.to_le_bytes());
        dir.extend_from_slice(&VERSION.to_le_bytes());
        dir.extend_from_slice(&VERSION.to_le_bytes());
        dir.extend_from_slice(&0u32.to_le_bytes());
        dir.extend_from_slice(&0u32.to_le_bytes());
        dir.extend_from_slice(&(count as u64).to_le_bytes());
        dir.extend_from_slice(&(count as u64).to_le_bytes());
        dir.extend_from_slice(&dir_size.to_le_bytes());
        dir.extend_from_slice(&directory.to_le_bytes());
        dir.extend_from_slice(b"PK\x06\x07");
        dir.extend_from_slice(&0u32.to_le_bytes());
        dir.extend_from_slice(&end64.to_le_bytes());
        dir.extend_from_slice(&1u32.to_le_bytes());
    }
    let count16 = count.min(0xFFFF) as u16;
    dir.extend_from_slice(b"PK\x05\x06");
    dir.extend_from_slice(&0u16.to_le_bytes());
    dir.extend_from_slice(&0u16.to_le_bytes());
    dir.extend_from_slice(&count16.to_le_bytes());
    dir.extend_from_slice(&count16.to_le_bytes());
    dir.extend_from_slice(&(dir_size.min(0xFFFF_FFFF) as u32).to_le_bytes());
    dir.extend_from_slice(&(directory.min(0xFFFF_FFFF) as u32).to_le_bytes());
    dir.extend_from_slice(&0u16.to_le_bytes());
    file.write_all(&dir).map_err(io_err)
}

/// The local header zipfile writes with force_zip64 (sizes in the zip64 extra).
fn local_header(e: &Written) -> Vec<u8> {
    let mut h = Vec::with_capacity(30 + e.name.len() + 20);
    h.extend_from_slice(b"PK\x03\x04");
    h.extend_from_slice(&VERSION.to_le_bytes());
    h.extend_from_slice(&e.flags.to_le_bytes());
    h.extend_from_slice(&e.method.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(&DOS_DATE.to_le_bytes());
    h.extend_from_slice(&e.crc.to_le_bytes());
    h.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    h.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
    h.extend_from_slice(&20u16.to_le_bytes());
    h.extend_from_slice(&e.name);
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(&e.size.to_le_bytes());
    h.extend_from_slice(&e.compressed.to_le_bytes());
    h
}

/// The central directory entry zipfile's `_write_end_record` writes for `e`.
fn central_entry(out: &mut Vec<u8>, e: &Written) {
    let mut extra: Vec<u64> = Vec::new();
    let (size, compressed) = if e.size > ZIP64_LIMIT || e.compressed > ZIP64_LIMIT {
        extra.push(e.size);
        extra.push(e.compressed);
        (0xFFFF_FFFFu32, 0xFFFF_FFFFu32)
    } else {
        (e.size as u32, e.compressed as u32)
    };
    let offset = if e.offset > ZIP64_LIMIT {
        extra.push(e.offset);
        0xFFFF_FFFFu32
    } else {
        e.offset as u32
    };
    let extra_len = if extra.is_empty() {
        0
    } else {
        4 + 8 * extra.len()
    };
    out.extend_from_slice(b"PK\x01\x02");
    out.extend_from_slice(&[VERSION as u8, 3]); // made by: 4.5 on Unix
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&e.flags.to_le_bytes());
    out.extend_from_slice(&e.method.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&DOS_DATE.to_le_bytes());
    out.extend_from_slice(&e.crc.to_le_bytes());
    out.extend_from_slice(&compressed.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
    out.extend_from_slice(&(extra_len as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out.extend_from_slice(&0u16.to_le_bytes()); // disk
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&EXTERNAL_ATTR.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&e.name);
    if !extra.is_empty() {
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&((8 * extra.len()) as u16).to_le_bytes());
        for v in extra {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// Counts the bytes that reach the file.
struct Counted<'a> {
    file: &'a mut File,
    count: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A member's bytes on their way to the file: CRC-32 and size of what is written,
/// stored as is or raw-deflated.
struct Member<'a> {
    sink: Sink<'a>,
    crc: flate2::Crc,
    size: u64,
}

enum Sink<'a> {
    Stored(Counted<'a>),
    Deflated(DeflateEncoder<Counted<'a>>),
}

impl<'a> Member<'a> {
    fn new(file: &'a mut File, compress: bool) -> Member<'a> {
        let counted = Counted { file, count: 0 };
        let sink = if compress {
            Sink::Deflated(DeflateEncoder::new(counted, Compression::new(6)))
        } else {
            Sink::Stored(counted)
        };
        Member {
            sink,
            crc: flate2::Crc::new(),
            size: 0,
        }
    }

    /// Ends the member: (CRC-32, size, bytes written to the file).
    fn finish(self) -> Result<(u32, u64, u64)> {
        let written = match self.sink {
            Sink::Stored(c) => c.count,
            Sink::Deflated(d) => d.finish().map_err(io_err)?.count,
        };
        Ok((self.crc.sum(), self.size, written))
    }
}

impl Write for Member<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = match &mut self.sink {
            Sink::Stored(c) => c.write(buf)?,
            Sink::Deflated(d) => d.write(buf)?,
        };
        self.crc.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Python 3.11's zipfile `_write_end_record` for a member of 3 GiB at offset 5 GiB
    /// (the bytes printed by zipfile for such a ZipInfo): sizes and offset in the zip64
    /// extra, the 32-bit fields 0xFFFFFFFF.
    #[test]
    fn central_entry_past_zip64_limit_is_zipfiles() {
        let e = Written {
            name: b"big.npy".to_vec(),
            flags: 0,
            method: 0,
            crc: 0x1234_5678,
            compressed: 3 << 30,
            size: 3 << 30,
            offset: 5 << 30,
        };
        let mut out = Vec::new();
        central_entry(&mut out, &e);
        let python = hex(concat!(
            "504b01022d032d00000000000000210078563412ffffffffffffffff07001c00",
            "00000000000000008001ffffffff6269672e6e707901001800000000c0000000",
            "00000000c0000000000000004001000000"
        ));
        assert_eq!(out, python);
    }

    /// At exactly 2^31 - 1 zipfile still writes 32-bit fields (its test is `>`).
    #[test]
    fn central_entry_at_the_limit_has_no_extra() {
        let e = Written {
            name: b"a.npy".to_vec(),
            flags: 0x800,
            method: 8,
            crc: 1,
            compressed: ZIP64_LIMIT,
            size: ZIP64_LIMIT,
            offset: ZIP64_LIMIT,
        };
        let mut out = Vec::new();
        central_entry(&mut out, &e);
        assert_eq!(out.len(), 46 + 5);
        assert_eq!(
            &out[20..28],
            &[0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f]
        );
        assert_eq!(&out[30..32], &[0, 0]);
        assert_eq!(&out[42..46], &[0xff, 0xff, 0xff, 0x7f]);
    }
}
