//! Describing and verifying an archive's members without opening them as arrays: what
//! the central directory and each member's .npy header say (for `mmarray info`), and
//! the CRC-32 of every member's bytes (for `mmarray check`).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use flate2::bufread::DeflateDecoder;
use rawzip::CompressionMethod;

use super::read::{Archive, Entry, RangeRead};
use crate::error::{ErrorKind, MmError, Result};
use crate::mapping::Mode;
use crate::npy::header::{self, Header};

/// One member of an archive, as its directory entry, local header and .npy header say.
#[derive(Debug)]
pub struct Member {
    /// The name as stored ("x.npy").
    pub name: String,
    /// The key numpy lists ("x").
    pub key: String,
    /// Deflated (method 8) rather than stored (method 0).
    pub deflated: bool,
    /// The zip compression method number.
    pub method: u16,
    pub crc: u32,
    /// Bytes the member takes in the archive.
    pub compressed: u64,
    /// Bytes of the member's .npy (header and data).
    pub uncompressed: u64,
    /// Offset of the member's local header in the archive.
    pub local_offset: u64,
    /// Offset of the member's (stored or deflated) bytes in the archive.
    pub start: u64,
    /// The member's .npy header, or why it cannot be read.
    pub header: std::result::Result<Header, MmError>,
}

impl Member {
    /// Where the array's data starts in the archive file: only a stored member's data
    /// lies in the file as it is (a deflated member's is inflated).
    pub fn data_offset(&self) -> Option<u64> {
        match (&self.header, self.deflated) {
            (Ok(h), false) => Some(self.start + h.data_offset),
            _ => None,
        }
    }
}

fn reader<'a>(file: &'a File, start: u64, end: u64) -> BufReader<RangeRead<'a>> {
    BufReader::with_capacity(
        64 << 10,
        RangeRead {
            file,
            pos: start,
            end,
            failed: None,
        },
    )
}

/// The member's bytes as a stream: read as they are (stored) or inflated (deflated).
fn content<'a>(file: &'a File, entry: &Entry, start: u64, end: u64) -> Result<Box<dyn Read + 'a>> {
    match entry.method {
        CompressionMethod::Store => Ok(Box::new(reader(file, start, end))),
        CompressionMethod::Deflate => Ok(Box::new(DeflateDecoder::new(reader(file, start, end)))),
        other => Err(MmError::new(
            ErrorKind::Unsupported,
            format!(
                "member {:?}: compression method {} is not supported (only stored and deflated members, which numpy writes)",
                entry.name,
                other.as_id().as_u16()
            ),
        )),
    }
}

/// Every member of the archive at `path`, in central-directory order, after the
/// archive's checks. Reads each member's local header and .npy header only (a deflated
/// member: the first inflated bytes); a member whose local header is bad fails the
/// whole listing, a bad .npy header is reported in its `header`.
pub fn members(path: &Path) -> Result<Vec<Member>> {
    let (file, _) = crate::mapping::open_file(path, Mode::ReadOnly)?;
    let archive = Archive::read(&file)?;
    let mut out = Vec::new();
    for entry in archive.entries() {
        let (start, end) = archive.data_range(entry)?;
        let header = content(&file, entry, start, end).and_then(|mut r| {
            let h = header::read(&mut r).map_err(|e| e.context(format!("member {:?}", entry.name)))?;
            let nbytes = h.shape.iter().product::<usize>() as u128 * h.dtype.itemsize() as u128;
            if h.data_offset as u128 + nbytes > entry.uncompressed as u128 {
                return Err(MmError::new(
                    ErrorKind::Format,
                    format!(
                        "member {:?}: its .npy header says {nbytes} data bytes from offset {}, but the member holds {} bytes",
                        entry.name, h.data_offset, entry.uncompressed
                    ),
                ));
            }
            Ok(h)
        });
        out.push(Member {
            name: entry.name.clone(),
            key: super::strip_npy(&entry.name).to_string(),
            deflated: entry.method == CompressionMethod::Deflate,
            method: entry.method.as_id().as_u16(),
            crc: entry.crc,
            compressed: entry.compressed,
            uncompressed: entry.uncompressed,
            local_offset: entry.local_offset,
            start,
            header,
        });
    }
    Ok(out)
}

/// Reads every byte of member `name` (the full stored name) of the archive at `path` —
/// a stored member's bytes as they are, a deflated one's inflated — and checks their
/// count and CRC-32 against the directory entry. Costs one read of the member's
/// compressed bytes (and their inflation), in a 64 KiB buffer.
pub fn verify(path: &Path, name: &str) -> Result<()> {
    let (file, _) = crate::mapping::open_file(path, Mode::ReadOnly)?;
    let archive = Archive::read(&file)?;
    let entry = archive
        .entries()
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| MmError::new(ErrorKind::NotFound, format!("no member named {name:?}")))?;
    let (start, end) = archive.data_range(entry)?;
    let mut src = content(&file, entry, start, end)?;
    let mut crc = flate2::Crc::new();
    let mut count: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                count += n as u64;
                if count > entry.uncompressed {
                    return Err(MmError::new(
                        ErrorKind::Format,
                        format!(
                            "member {:?}: holds more than the {} bytes its directory entry states",
                            entry.name, entry.uncompressed
                        ),
                    ));
                }
                crc.update(&buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(MmError::new(
                    ErrorKind::Format,
                    format!(
                        "member {:?}: cannot read its data after {count} bytes: {e}",
                        entry.name
                    ),
                ))
            }
        }
    }
    if count != entry.uncompressed {
        return Err(MmError::new(
            ErrorKind::Format,
            format!(
                "member {:?}: holds {count} bytes, but its directory entry states {}",
                entry.name, entry.uncompressed
            ),
        ));
    }
    if crc.sum() != entry.crc {
        return Err(MmError::new(
            ErrorKind::Format,
            format!(
                "member {:?}: CRC-32 of its bytes is {:#010x}, its directory entry states {:#010x}",
                entry.name,
                crc.sum(),
                entry.crc
            ),
        ));
    }
    Ok(())
}
