//! The text parsers C callers reach: dtype (scalars, descr lists, comma forms), mode and
//! order. Any input is an Ok or an InvalidArg/Unsupported error, never a panic; a parsed
//! dtype's canonical typestr parses again to the same dtype, and its itemsize fits
//! numpy's C int. Seeded from fuzz/seeds/fuzz_parsers/ (dtype texts).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmarray::layout::Order;
use mmarray::{DType, ErrorKind, Mode};

fuzz_target!(|data: &[u8]| {
    if let Some(&c) = data.first() {
        match Order::from_char(c) {
            Ok(_) => assert!(b"CcFfAaKk\0".contains(&c)),
            Err(e) => assert_eq!(e.kind, ErrorKind::InvalidArg),
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Mode::parse(text) {
        Ok(m) => assert_eq!(Mode::parse(m.as_str()).unwrap(), m),
        Err(e) => assert_eq!(e.kind, ErrorKind::InvalidArg),
    }
    match DType::parse(text) {
        Ok(d) => {
            let again = DType::parse(d.typestr())
                .unwrap_or_else(|e| panic!("typestr {:?} of {text:?} does not parse: {e}", d.typestr()));
            assert_eq!(again, d, "{text:?} -> {}", d.typestr());
            assert_eq!(again.typestr(), d.typestr());
            assert_eq!(again.itemsize(), d.itemsize());
            assert!(d.itemsize() <= i32::MAX as usize);
            assert!(d.alignment() >= 1);
        }
        Err(e) => assert!(
            matches!(e.kind, ErrorKind::InvalidArg | ErrorKind::Unsupported),
            "{text:?}: {e:?}"
        ),
    }
});
