//! Every function exported from src/ffi.rs and src/ffi/ must run its body through `guard(`, the one
//! panic boundary: a panic that unwinds into C is undefined behaviour. (`guard_summary(`
//! runs a panic-free read of the registry summary first, and the body through `guard(`;
//! `guard_in(` and `guard_io_in(` are `guard(` and `guard_io(` handing the body the calling
//! thread's state; `guard_cancel_free_in(` is `guard_io_in(` that skips the cancellation
//! deferral when its second argument says the call reaches no cancellation point.)

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_export_goes_through_guard() {
    let mut files = Vec::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    files.push(src.join("ffi.rs"));
    rust_files(&src.join("ffi"), &mut files);
    let mut exported = 0;
    let mut unguarded = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "#[no_mangle]" {
                continue;
            }
            exported += 1;
            // The body starts after the signature's opening brace; its first statement
            // must be the guard call.
            let rest = &lines[i + 1..];
            let open = rest
                .iter()
                .position(|l| l.trim_end().ends_with('{'))
                .expect("function body");
            let first = rest[open..]
                .iter()
                .skip(1)
                .map(|l| l.trim())
                .find(|l| !l.is_empty() && !l.starts_with("//"));
            let signature = rest[0].trim();
            // A one-line body `{ guard(...) }` is fine as well.
            let inline_guard = rest[open].contains("guard(");
            let guarded = |l: &str| {
                // guard_summary: a getter answered from the registry summary, which
                // cannot panic, and through guard( otherwise (src/ffi/handles.rs).
                // guard_in: guard( handing the body the thread's state too.
                [
                    "guard(",
                    "guard_in(",
                    "guard_io(",
                    "guard_io_in(",
                    "guard_cancel_free_in(",
                    "guard_or(",
                    "guard_summary(",
                ]
                .iter()
                .any(|g| l.starts_with(g))
            };
            if !inline_guard && !first.is_some_and(guarded) {
                unguarded.push(format!("{}: {signature}", file.display()));
            }
        }
    }
    assert!(
        exported >= 25,
        "found only {exported} exported functions; is the scan broken?"
    );
    assert!(
        unguarded.is_empty(),
        "exported functions that bypass guard():\n{}",
        unguarded.join("\n")
    );
}
