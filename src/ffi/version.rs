//! The library's version: the MM_VERSION_* macros give the version a program was
//! compiled against, mm_version() and mm_version_string() the one it runs with.

use std::ffi::c_char;

use super::boundary::guard_or;

/// The library version as text (the MM_VERSION_* macros give the version the program
/// was compiled against).
///
/// \return a static NUL-terminated string, e.g. "0.1.0".
#[no_mangle]
pub extern "C" fn mm_version_string() -> *const c_char {
    guard_or("mm_version_string", c"".as_ptr(), |_| {
        Ok(concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
    })
}

/// The library version as a number.
///
/// \return MAJOR*10000 + MINOR*100 + PATCH (0.1.0 is 100).
#[no_mangle]
pub extern "C" fn mm_version() -> u32 {
    guard_or("mm_version", 0, |_| Ok(version_number()))
}

fn version_number() -> u32 {
    let part = |s: &str| s.parse::<u32>().unwrap_or(0);
    part(env!("CARGO_PKG_VERSION_MAJOR")) * 10000
        + part(env!("CARGO_PKG_VERSION_MINOR")) * 100
        + part(env!("CARGO_PKG_VERSION_PATCH"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_matches_cargo() {
        assert_eq!(version_number(), 100);
        // SAFETY: mm_version_string returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(mm_version_string()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
