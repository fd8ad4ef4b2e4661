//! The Rust core's .npz side: save / names / open round trips, stored members mapped at
//! their data offset, deflated ones inflated and checked, and hostile archives refused
//! (checked against numpy and zipfile by tests/oracle/test_npz.py; here without Python).

use std::fs;
use std::io::Write;

use mmarray::{npy, npz};
use mmarray::{DType, ErrorKind, Mode, Order, View};

#[path = "support/tempdir.rs"]
mod tempdir;
use tempdir::TempDir;

/// A .npy-backed view of `n` little-endian i32 values 0..n.
fn counting(dir: &TempDir, file: &str, n: usize) -> View {
    let path = dir.path(file);
    let view = npy::create(&path, &DType::parse("<i4").unwrap(), &[n], Order::C).unwrap();
    for i in 0..n {
        // SAFETY: n i32 elements from data_ptr, mapped read-write.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (i as i32).to_le_bytes().as_ptr(),
                view.data_ptr().add(4 * i),
                4,
            )
        };
    }
    view
}

fn values(view: &View) -> Vec<i32> {
    let n = view.size();
    // SAFETY: a contiguous view of n i32 elements.
    let bytes = unsafe { std::slice::from_raw_parts(view.data_ptr(), 4 * n) };
    bytes
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn stored_and_deflated_round_trips() {
    let dir = TempDir::new("npz_roundtrip");
    let a = counting(&dir, "a.npy", 1000);
    let b = counting(&dir, "b.npy", 3);
    for compress in [false, true] {
        let path = dir.path(if compress { "c.npz" } else { "s.npz" });
        npz::save(&path, &["a", "dir/é"], &[a.clone(), b.clone()], compress).unwrap();
        assert_eq!(npz::names(&path).unwrap(), ["a", "dir/é"]);
        for mode in [Mode::ReadOnly, Mode::CopyOnWrite] {
            let v = npz::open(&path, "a", mode).unwrap();
            assert_eq!(v.shape(), &[1000]);
            assert_eq!(values(&v), (0..1000).collect::<Vec<_>>());
            assert_eq!(v.mode(), mode);
            assert_eq!(v.flags().writeable, mode == Mode::CopyOnWrite);
            let data = fs::read(&path).unwrap();
            if compress {
                assert_eq!(v.offset(), 0);
            } else {
                // Local header 30 + "a.npy" 5 + zip64 extra 20, then a 128-byte .npy header.
                assert_eq!(v.offset(), 30 + 5 + 20 + 128);
                assert_eq!(&data[183..187], &[0, 0, 0, 0]);
                assert_eq!(&data[187..191], &[1, 0, 0, 0]);
            }
            let w = npz::open(&path, "dir/é.npy", mode).unwrap();
            assert_eq!(values(&w), [0, 1, 2]);
        }
        let stored_size = fs::metadata(&path).unwrap().len();
        if compress {
            assert!(stored_size < 4000, "{stored_size}");
        } else {
            // Two members (55 + 128 + 4000; "dir/é.npy" is 10 bytes: 60 + 128 + 12), two
            // directory entries (46 + 5, 46 + 10) and the end record (22).
            assert_eq!(stored_size, 55 + 128 + 4000 + 60 + 128 + 12 + 51 + 56 + 22);
        }
    }
}

#[test]
fn modes_and_missing_members() {
    let dir = TempDir::new("npz_modes");
    let a = counting(&dir, "a.npy", 4);
    let path = dir.path("m.npz");
    npz::save(&path, &["a"], &[a], false).unwrap();
    for mode in [Mode::ReadWrite, Mode::Write] {
        assert_eq!(
            npz::open(&path, "a", mode).unwrap_err().kind,
            ErrorKind::Unsupported
        );
    }
    assert_eq!(
        npz::open(&path, "b", Mode::ReadOnly).unwrap_err().kind,
        ErrorKind::NotFound
    );
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A one-member archive with the given directory sizes and CRC.
fn archive(name: &[u8], method: u16, payload: &[u8], size: u32, crc: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let le16 = |v: u16| v.to_le_bytes();
    let le32 = |v: u32| v.to_le_bytes();
    out.extend_from_slice(b"PK\x03\x04");
    for v in [20, 0, method, 0, 0x21] {
        out.extend_from_slice(&le16(v));
    }
    for v in [crc, payload.len() as u32, size] {
        out.extend_from_slice(&le32(v));
    }
    out.extend_from_slice(&le16(name.len() as u16));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(name);
    out.extend_from_slice(payload);
    let dir = out.len() as u32;
    out.extend_from_slice(b"PK\x01\x02");
    for v in [20, 20, 0, method, 0, 0x21] {
        out.extend_from_slice(&le16(v));
    }
    for v in [crc, payload.len() as u32, size] {
        out.extend_from_slice(&le32(v));
    }
    for v in [name.len() as u16, 0, 0, 0, 0] {
        out.extend_from_slice(&le16(v));
    }
    out.extend_from_slice(&le32(0));
    out.extend_from_slice(&le32(0));
    out.extend_from_slice(name);
    let dir_len = out.len() as u32 - dir;
    out.extend_from_slice(b"PK\x05\x06");
    for v in [0, 0, 1, 1] {
        out.extend_from_slice(&le16(v));
    }
    out.extend_from_slice(&le32(dir_len));
    out.extend_from_slice(&le32(dir));
    out.extend_from_slice(&le16(0));
    out
}

#[test]
fn hostile_deflated_members() {
    let dir = TempDir::new("npz_hostile");
    let a = counting(&dir, "a.npy", 16);
    let npy_path = dir.path("one.npy");
    npy::save(&a, &npy_path).unwrap();
    let npy_bytes = fs::read(&npy_path).unwrap();
    let crc = {
        let mut c = flate2::Crc::new();
        c.update(&npy_bytes);
        c.sum()
    };
    let good = deflate(&npy_bytes);
    let len = npy_bytes.len() as u32;
    let path = dir.path("h.npz");
    let check = |bytes: Vec<u8>, words: &str| {
        fs::write(&path, bytes).unwrap();
        let err = npz::open(&path, "a", Mode::ReadOnly).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Format, "{err}");
        assert!(err.message.contains(words), "{err}");
    };
    // The good archive opens.
    fs::write(&path, archive(b"a.npy", 8, &good, len, crc)).unwrap();
    assert_eq!(
        values(&npz::open(&path, "a", Mode::ReadOnly).unwrap()),
        (0..16).collect::<Vec<_>>()
    );
    check(archive(b"a.npy", 8, &good, len, crc ^ 1), "CRC-32");
    check(archive(b"a.npy", 8, &good, len + 1, crc), "inflates to");
    // A bomb: 10 MiB of zeros after the array, the directory stating the array only.
    let mut bomb = npy_bytes.clone();
    bomb.resize(10 << 20, 0);
    check(
        archive(b"a.npy", 8, &deflate(&bomb), len, crc),
        "inflates past",
    );
    check(
        archive(b"a.npy", 8, &good, u32::MAX - 1, crc),
        "more than deflate can produce",
    );
    check(archive(b"a.npy", 0, &npy_bytes, len - 4, crc), "differs");
    // A stored member whose .npy header claims more data than the member holds.
    let short = &npy_bytes[..npy_bytes.len() - 4];
    check(
        archive(b"a.npy", 0, short, short.len() as u32, 0),
        "member holds",
    );
}

/// A member of an archive is never grown: members open only in r or c, and a growth
/// needs r+ (the archive stays byte-for-byte as it was).
#[test]
fn members_cannot_be_grown() {
    let dir = TempDir::new("npz_grow");
    let a = counting(&dir, "a.npy", 4);
    for compress in [false, true] {
        let path = dir.path(if compress { "c.npz" } else { "s.npz" });
        npz::save(&path, &["a"], std::slice::from_ref(&a), compress).unwrap();
        let before = fs::read(&path).unwrap();
        for mode in [Mode::ReadOnly, Mode::CopyOnWrite] {
            let v = npz::open(&path, "a", mode).unwrap();
            let err = npy::append(&v, &[0u8; 4], 1, false).unwrap_err();
            assert_eq!(err.kind, ErrorKind::ReadOnly, "{}", err.message);
            assert_eq!(npy::grow(&v, 9).unwrap_err().kind, ErrorKind::ReadOnly);
        }
        assert_eq!(fs::read(&path).unwrap(), before);
    }
}
