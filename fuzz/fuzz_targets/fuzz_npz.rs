//! The .npz archive reader on arbitrary bytes: the bytes are written to a file in this
//! process's own temporary directory, every listed member is opened (stored ones mapped,
//! deflated ones inflated) and read; nothing may panic, crash or allocate out of
//! proportion (libFuzzer's -rss_limit_mb and -malloc_limit_mb catch the latter), and an
//! error must be one of the kinds a hostile archive gives.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mmarray::{npz, ErrorKind, Mode};

fn archive_path() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("mmarray-fuzz-npz.{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a private temporary directory");
        dir.join("a.npz")
    })
}

fn allowed(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Format | ErrorKind::NotFound | ErrorKind::Unsupported | ErrorKind::InvalidArg
    )
}

fuzz_target!(|data: &[u8]| {
    let path = archive_path();
    std::fs::write(path, data).expect("write the archive");
    let names = match npz::names(path) {
        Ok(names) => names,
        Err(e) => {
            assert!(allowed(e.kind), "{e:?}");
            return;
        }
    };
    for name in names.iter().take(16) {
        for mode in [Mode::ReadOnly, Mode::CopyOnWrite] {
            match npz::open(path, name, mode) {
                Ok(view) => {
                    let n = view.nbytes();
                    // SAFETY: a contiguous fresh view of n bytes, mapped or in memory.
                    let bytes = unsafe { std::slice::from_raw_parts(view.data_ptr(), n) };
                    std::hint::black_box(bytes.iter().fold(0u8, |a, &b| a ^ b));
                }
                Err(e) => assert!(allowed(e.kind), "{name:?}: {e:?}"),
            }
        }
    }
});
