//! Reading an archive: the central directory (through rawzip) with the checks of the
//! module documentation, the lookup of a member as numpy does it, and the opening of a
//! member (mapping a stored one, inflating a deflated one).

use crate::platform::FileExt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use flate2::bufread::DeflateDecoder;
use memmap2::{MmapMut, MmapRaw};
use rawzip::{CompressionMethod, ZipArchive, ZipArchiveEntryWayfinder};

use crate::error::{ErrorKind, MmError, Result};
use crate::layout::Order;
use crate::mapping::{Mapping, Mode, OpenSpec};
use crate::npy::header::{self, Header};
use crate::view::View;

/// Size of a local file header without its name and extra field.
const LOCAL_HEADER: u64 = 30;
/// Deflate cannot expand one compressed byte into more than about 1032 bytes (258-byte
/// matches at under 2 bits each); more is a lie.
const MAX_DEFLATE_RATIO: u64 = 1032;
/// The read buffer between the file and the inflater.
const READ_BUFFER: usize = 64 << 10;

fn format_err(message: impl Into<String>) -> MmError {
    MmError::new(ErrorKind::Format, message)
}

/// One member as the central directory describes it.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The name as stored (the bytes the local header must repeat).
    raw_name: Vec<u8>,
    /// The name as Python's zipfile decodes it.
    pub name: String,
    pub(super) method: CompressionMethod,
    pub(super) crc: u32,
    pub(super) compressed: u64,
    pub(super) uncompressed: u64,
    pub(super) local_offset: u64,
    wayfinder: ZipArchiveEntryWayfinder,
}

/// An archive's central directory, checked.
pub(crate) struct Archive {
    zip: ZipArchive<rawzip::FileReader>,
    entries: Vec<Entry>,
    /// The local header offsets, sorted (for the extent checks).
    offsets: Vec<u64>,
    /// Where the central directory starts: every member ends before it.
    directory: u64,
    size: u64,
}

fn zip_err(what: &str, e: rawzip::Error) -> MmError {
    format_err(format!("{what}: {e}"))
}

/// Where the central-directory entry at `at` ends: its fixed 46 bytes, then its name,
/// extra field and comment, whose lengths it states.
fn directory_entry_end(file: &File, at: u64) -> Result<u64> {
    let mut fixed = [0u8; 46];
    file.read_exact_at(&mut fixed, at)
        .map_err(|e| MmError::os("cannot read the central directory", &e))?;
    let len = |i: usize| u64::from(u16::from_le_bytes([fixed[i], fixed[i + 1]]));
    Ok(at + 46 + len(28) + len(30) + len(32))
}

/// Whether another central-directory entry starts at `at`.
fn starts_directory_entry(file: &File, at: u64) -> bool {
    let mut signature = [0u8; 4];
    file.read_exact_at(&mut signature, at).is_ok() && signature == [0x50, 0x4b, 0x01, 0x02]
}

impl Archive {
    /// Reads and checks the central directory of the archive open as `file`.
    pub fn read(file: &File) -> Result<Archive> {
        let meta = file
            .metadata()
            .map_err(|e| MmError::os("fstat failed", &e))?;
        crate::mapping::require_regular(&meta)?;
        let size = meta.len();
        let clone = file
            .try_clone()
            .map_err(|e| MmError::os("cannot duplicate the archive's descriptor", &e))?;
        let mut buf = vec![0u8; rawzip::RECOMMENDED_BUFFER_SIZE];
        let zip = ZipArchive::from_file(clone, &mut buf)
            .map_err(|e| zip_err("not a readable zip archive", e))?;
        let directory = zip.directory_offset();
        let stated = zip.entries_hint();
        let mut entries = Vec::new();
        let mut iter = zip.entries(&mut buf);
        // Exactly the entries the end record states are read, then what follows the last
        // one is looked at (see `check_directory_end`): rawzip reads on until the end
        // record, and Python's zipfile puts its zip64 end records between the directory
        // and the end record of archives whose directory starts past 2 GiB, where the
        // 32-bit fields still hold the values (rawzip then met the zip64 record where it
        // expected another entry and refused every archive between 2 and 4 GiB).
        let mut next_at = directory;
        while (entries.len() as u64) < stated {
            let Some(record) = iter
                .next_entry()
                .map_err(|e| zip_err("the central directory is malformed", e))?
            else {
                break;
            };
            let index = entries.len();
            next_at = directory_entry_end(file, record.central_directory_offset())?;
            let raw_name = record.file_path().as_ref().to_vec();
            let name = decode_name(file, &raw_name, record.central_directory_offset(), index)?;
            entries.push(Entry {
                raw_name,
                name,
                method: record.compression_method(),
                crc: record.crc32(),
                compressed: record.compressed_size_hint(),
                uncompressed: record.uncompressed_size_hint(),
                local_offset: record.local_header_offset(),
                wayfinder: record.wayfinder(),
            });
        }
        if entries.len() as u64 == stated && starts_directory_entry(file, next_at) {
            return Err(format_err(format!(
                "the central directory holds more entries than the {stated} its end record states"
            )));
        }
        if entries.len() as u64 != stated {
            return Err(format_err(format!(
                "the end record states {stated} entries but the central directory holds {}",
                entries.len()
            )));
        }
        let offsets = check_extents(&entries, directory)?;
        Ok(Archive {
            zip,
            entries,
            offsets,
            directory,
            size,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// numpy's lookup: the last member named exactly `key`, else the last one whose name
    /// without ".npy" is `key`.
    pub fn find(&self, key: &str) -> Option<&Entry> {
        let all = self.entries.iter().rev();
        all.clone()
            .find(|e| e.name == key)
            .or_else(|| all.clone().find(|e| super::strip_npy(&e.name) == key))
    }

    /// Where the member's stored bytes lie in the file (from its local header), checked
    /// against the file, the directory and the next member.
    pub(super) fn data_range(&self, entry: &Entry) -> Result<(u64, u64)> {
        let at = entry.local_offset;
        let what = |msg: String| format_err(format!("member {:?}: {msg}", entry.name));
        if at.saturating_add(LOCAL_HEADER) > self.size {
            return Err(what(format!(
                "its local header at offset {at} lies past the end of the file ({} bytes)",
                self.size
            )));
        }
        let local = self
            .zip
            .get_entry(entry.wayfinder)
            .map_err(|e| what(format!("bad local header at offset {at}: {e}")))?;
        let mut buf = vec![0u8; 2 * (u16::MAX as usize)];
        let header = local
            .local_header(&mut buf)
            .map_err(|e| what(format!("bad local header at offset {at}: {e}")))?;
        if header.file_path().as_ref() != entry.raw_name.as_slice() {
            return Err(what(format!(
                "the local header at offset {at} names {:?}",
                String::from_utf8_lossy(header.file_path().as_ref())
            )));
        }
        let (start, end) = local.compressed_data_range();
        let next = self
            .offsets
            .iter()
            .copied()
            .find(|&o| o > at)
            .unwrap_or(self.directory);
        if end > self.size {
            return Err(what(format!(
                "its data (offsets {start}..{end}) runs past the end of the file ({} bytes)",
                self.size
            )));
        }
        if end > next {
            return Err(what(format!(
                "its data (offsets {start}..{end}) overlaps the next member or the central directory at offset {next}"
            )));
        }
        Ok((start, end))
    }

    /// Opens `entry` as a view in mode r or c.
    pub fn open_member(&self, file: &File, path: &Path, entry: &Entry, mode: Mode) -> Result<View> {
        let (start, end) = self.data_range(entry)?;
        let what = |msg: String| format_err(format!("member {:?}: {msg}", entry.name));
        match entry.method {
            CompressionMethod::Store => {
                if entry.compressed != entry.uncompressed {
                    return Err(what(format!(
                        "stored, but its compressed size {} differs from its size {}",
                        entry.compressed, entry.uncompressed
                    )));
                }
                let mut reader = BufReader::with_capacity(
                    8192,
                    RangeRead {
                        file,
                        pos: start,
                        end,
                        failed: None,
                    },
                );
                let header = header::read(&mut reader).map_err(|e| e.context(format!("member {:?}", entry.name)))?;
                let nbytes = check_fits(entry, &header)?;
                let spec = spec_of(&header, mode, start + header.data_offset);
                debug_assert!(start + header.data_offset + nbytes as u64 <= end);
                let (mapping, shape) = crate::mapping::map_opened(file, path, &spec)?;
                View::over(mapping, &spec, shape)
            }
            CompressionMethod::Deflate => inflate(file, path, entry, start, end, mode),
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
}

/// The open's spec for a member's header, at `offset`.
fn spec_of(header: &Header, mode: Mode, offset: u64) -> OpenSpec {
    OpenSpec {
        dtype: header.dtype.clone(),
        mode,
        offset,
        shape: Some(header.shape.clone()),
        order: if header.fortran_order {
            Order::F
        } else {
            Order::C
        },
    }
}

/// The array's byte count, checked to fit in the member as the directory states it.
fn check_fits(entry: &Entry, header: &Header) -> Result<usize> {
    let nbytes = header.shape.iter().product::<usize>() * header.dtype.itemsize(); // checked in header
    if header.data_offset + nbytes as u64 > entry.uncompressed {
        return Err(format_err(format!(
            "member {:?}: its .npy header says {nbytes} data bytes from offset {}, but the member holds {} bytes",
            entry.name, header.data_offset, entry.uncompressed
        )));
    }
    Ok(nbytes)
}

/// A member name as Python's zipfile decodes it, or the reason it is refused.
fn decode_name(file: &File, raw: &[u8], directory_at: u64, index: usize) -> Result<String> {
    let bad = |why: &str| {
        format_err(format!(
            "entry {index} of the central directory (offset {directory_at}): its name {:?} {why}",
            String::from_utf8_lossy(raw)
        ))
    };
    if raw.contains(&0) {
        return Err(bad("holds a NUL byte"));
    }
    if raw.is_ascii() {
        // Checked just above: ASCII is UTF-8.
        return Ok(String::from_utf8_lossy(raw).into_owned());
    }
    // Bit 11 of the general purpose flags (offset 8 of the directory entry) says UTF-8.
    let mut flags = [0u8; 2];
    file.read_exact_at(&mut flags, directory_at + 8)
        .map_err(|e| MmError::os("cannot read the central directory", &e))?;
    if u16::from_le_bytes(flags) & 0x800 == 0 {
        return Err(bad(
            "is not ASCII and not flagged UTF-8 (Python's zipfile would read it as cp437)",
        ));
    }
    String::from_utf8(raw.to_vec()).map_err(|_| bad("is flagged UTF-8 but is not valid UTF-8"))
}

/// Every local header offset distinct, and each member's least extent (local header,
/// name, compressed bytes) before the next member and the central directory. Returns
/// the sorted offsets.
fn check_extents(entries: &[Entry], directory: u64) -> Result<Vec<u64>> {
    let mut order: Vec<&Entry> = entries.iter().collect();
    order.sort_by_key(|e| e.local_offset);
    for (i, e) in order.iter().enumerate() {
        let next = order.get(i + 1).map_or(directory, |n| n.local_offset);
        let least = e
            .local_offset
            .checked_add(LOCAL_HEADER + e.raw_name.len() as u64)
            .and_then(|v| v.checked_add(e.compressed));
        match least {
            Some(end) if end <= next => {}
            _ => {
                return Err(format_err(format!(
                    "member {:?} (local header at offset {}, {} compressed bytes) overlaps {} at offset {next}",
                    e.name,
                    e.local_offset,
                    e.compressed,
                    match order.get(i + 1) {
                        Some(n) => format!("member {:?}", n.name),
                        None => "the central directory".to_string(),
                    }
                )))
            }
        }
    }
    Ok(order.iter().map(|e| e.local_offset).collect())
}

/// `Read` over pread of `file` in `pos..end`.
pub(super) struct RangeRead<'a> {
    pub(super) file: &'a File,
    pub(super) pos: u64,
    pub(super) end: u64,
    /// The OS error that stopped a read (told apart from bad deflate data).
    pub(super) failed: Option<io::ErrorKind>,
}

impl Read for RangeRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (self.end - self.pos).min(buf.len() as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        match self.file.read_at(&mut buf[..want], self.pos) {
            Ok(n) => {
                self.pos += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failed = Some(e.kind());
                Err(e)
            }
        }
    }
}

/// The inflated bytes of a member, counted and checksummed, refused past `limit`.
struct Inflated<'a> {
    decoder: DeflateDecoder<BufReader<RangeRead<'a>>>,
    crc: flate2::Crc,
    count: u64,
    limit: u64,
    name: &'a str,
    fault: Option<MmError>,
}

impl Read for Inflated<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte more than the limit may be asked for: that is how a bomb is seen.
        let room = (self.limit.saturating_add(1) - self.count).min(buf.len() as u64) as usize;
        let n = match self.decoder.read(&mut buf[..room]) {
            Ok(n) => n,
            Err(e) => {
                let fault = if self.decoder.get_ref().get_ref().failed.is_some() {
                    MmError::os(format!("member {:?}: cannot read its data", self.name), &e)
                } else {
                    format_err(format!(
                        "member {:?}: corrupt deflate data after {} inflated bytes: {e}",
                        self.name, self.count
                    ))
                };
                self.fault = Some(fault);
                return Err(io::Error::new(io::ErrorKind::InvalidData, "member fault"));
            }
        };
        self.count += n as u64;
        if self.count > self.limit {
            self.fault = Some(format_err(format!(
                "member {:?}: inflates past the {} bytes its directory entry states (a zip bomb?)",
                self.name, self.limit
            )));
            return Err(io::Error::new(io::ErrorKind::InvalidData, "member fault"));
        }
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

impl Inflated<'_> {
    /// The error behind a failed read: the member's fault, else `e` in `what`.
    fn error(&mut self, e: MmError) -> MmError {
        self.fault.take().unwrap_or(e)
    }
}

/// Inflates a deflated member into private memory and makes a view of its array.
fn inflate(
    file: &File,
    path: &Path,
    entry: &Entry,
    start: u64,
    end: u64,
    mode: Mode,
) -> Result<View> {
    let compressed = end - start;
    let plausible = compressed
        .saturating_mul(MAX_DEFLATE_RATIO)
        .saturating_add(64);
    if entry.uncompressed > plausible {
        return Err(format_err(format!(
            "member {:?}: its directory entry states {} bytes from {compressed} compressed bytes, more than deflate can produce (a zip bomb or a lie)",
            entry.name, entry.uncompressed
        )));
    }
    let range = RangeRead {
        file,
        pos: start,
        end,
        failed: None,
    };
    let mut src = Inflated {
        decoder: DeflateDecoder::new(BufReader::with_capacity(READ_BUFFER, range)),
        crc: flate2::Crc::new(),
        count: 0,
        limit: entry.uncompressed,
        name: &entry.name,
        fault: None,
    };
    let header = match header::read(&mut src) {
        Ok(h) => h,
        Err(e) => return Err(src.error(e.context(format!("member {:?}", entry.name)))),
    };
    let nbytes = check_fits(entry, &header)?;
    let mut memory = if nbytes == 0 {
        None
    } else {
        Some(MmapMut::map_anon(nbytes).map_err(|e| {
            MmError::os(
                format!("cannot allocate {nbytes} bytes for member {:?}", entry.name),
                &e,
            )
        })?)
    };
    if let Some(memory) = memory.as_mut() {
        // Transparent huge pages where the system allows them: a 256 MiB member costs 128
        // page faults instead of 65536 (memory is still taken only as it is filled).
        crate::platform::advise_huge_pages(memory);
        fill(&mut src, memory, entry)?;
    }
    // The bytes after the array (numpy ignores them) still count and are checksummed.
    let mut rest = vec![0u8; READ_BUFFER];
    loop {
        match src.read(&mut rest) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(src.error(MmError::os("inflate failed", &e))),
        }
    }
    if src.count != entry.uncompressed {
        return Err(format_err(format!(
            "member {:?}: inflates to {} bytes, but its directory entry states {}",
            entry.name, src.count, entry.uncompressed
        )));
    }
    let crc = src.crc.sum();
    if crc != entry.crc {
        return Err(format_err(format!(
            "member {:?}: CRC-32 of the inflated bytes is {crc:#010x}, its directory entry states {:#010x}",
            entry.name, entry.crc
        )));
    }
    let map = match memory {
        None => None,
        Some(m) if mode == Mode::ReadOnly => {
            Some(MmapRaw::from(m.make_read_only().map_err(|e| {
                MmError::os("cannot make the inflated member read-only", &e)
            })?))
        }
        Some(m) => Some(MmapRaw::from(m)),
    };
    let spec = spec_of(&header, mode, 0);
    let mapping = Mapping::in_memory(map, mode, nbytes, path)?;
    View::over(mapping, &spec, header.shape.clone())
}

/// Inflates exactly `memory.len()` bytes into `memory`.
fn fill(src: &mut Inflated, memory: &mut [u8], entry: &Entry) -> Result<()> {
    let mut done = 0;
    while done < memory.len() {
        match src.read(&mut memory[done..]) {
            Ok(0) => {
                return Err(format_err(format!(
                    "member {:?}: its deflate data ends after {} bytes, short of the array",
                    entry.name, src.count
                )))
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(src.error(MmError::os("inflate failed", &e))),
        }
    }
    Ok(())
}
