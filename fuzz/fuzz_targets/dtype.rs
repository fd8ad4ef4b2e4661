//! The dtype text parser (scalars, descr lists, comma forms) on arbitrary UTF-8: never
//! panics, and an accepted dtype's typestr parses back to the same dtype.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmarray::DType;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(d) = DType::parse(text) {
            let again = DType::parse(d.typestr()).expect("a typestr parses");
            assert_eq!(again, d, "{text:?} -> {}", d.typestr());
            assert!(d.itemsize() <= i32::MAX as usize);
        }
    }
});
