//! The .npy prefix + header parser on arbitrary bytes: never panics, and whatever it
//! accepts re-encodes (as np.save would write it) to a header that parses back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmarray::npy::header;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = header::parse_bytes(data) {
        if let Ok(bytes) = header::encode(&h.dtype, &h.shape, h.fortran_order) {
            assert_eq!(bytes.len() % header::ARRAY_ALIGN, 0);
            let again = header::parse_bytes(&bytes).expect("a written header parses");
            assert_eq!(again.dtype, h.dtype);
            assert_eq!(again.shape, h.shape);
            assert_eq!(again.fortran_order, h.fortran_order);
            assert_eq!(again.data_offset as usize, bytes.len());
        }
    }
});
