//! Every function the header exports is wrapped by every binding, or the table below
//! says why not. A binding "wraps" a function when its source (tests excluded) names it:
//! the C++ header calls it, the Go cgo code calls it, the Python package declares its
//! ctypes signature (and exposes it as mmarray.LIB.<name>), Fortran binds it with
//! bind(C), Zig calls it. The test fails on a function missing without a reason, and on
//! a reason left for a function that is wrapped now (delete that row). It prints the
//! coverage table (binding x function).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Why a binding leaves a function out: (binding, function, reason).
const REASONS: &[(&str, &str, &str)] = &[
    // C++: the getters are one mm_describe call (info(), shape(), dtype(), ...): a close in
    // another thread cannot land between two of them. The message is read with
    // mm_last_error_message right after the failing call, on the same thread.
    (
        "cpp",
        "mm_last_error_copy",
        "reads mm_last_error_message right after the failing call",
    ),
    ("cpp", "mm_ndim", "superseded by mm_describe (info().ndim)"),
    ("cpp", "mm_shape", "superseded by mm_describe (shape())"),
    ("cpp", "mm_strides", "superseded by mm_describe (strides())"),
    (
        "cpp",
        "mm_itemsize",
        "superseded by mm_describe (itemsize())",
    ),
    ("cpp", "mm_size", "superseded by mm_describe (size())"),
    ("cpp", "mm_nbytes", "superseded by mm_describe (nbytes())"),
    (
        "cpp",
        "mm_dtype",
        "superseded by mm_describe (dtype() copies the text)",
    ),
    ("cpp", "mm_mode", "superseded by mm_describe (mode())"),
    ("cpp", "mm_offset", "superseded by mm_describe (offset())"),
    // Go: the same, and no DLPack consumer exists in Go.
    (
        "go",
        "mm_last_error_copy",
        "the shims copy mm_last_error_message in the same cgo call",
    ),
    ("go", "mm_ndim", "superseded by mm_describe (Info)"),
    (
        "go",
        "mm_shape",
        "superseded by mm_describe (Info().Shape, Shape())",
    ),
    (
        "go",
        "mm_strides",
        "superseded by mm_describe (Info().Strides, Strides())",
    ),
    (
        "go",
        "mm_itemsize",
        "superseded by mm_describe (Info().ItemSize)",
    ),
    (
        "go",
        "mm_size",
        "superseded by mm_describe (Info().Size, Size())",
    ),
    (
        "go",
        "mm_nbytes",
        "superseded by mm_describe (Info().NBytes)",
    ),
    (
        "go",
        "mm_dtype",
        "superseded by mm_describe (Info().DType, DType())",
    ),
    (
        "go",
        "mm_mode",
        "superseded by mm_describe (Info().Mode, Mode())",
    ),
    (
        "go",
        "mm_offset",
        "superseded by mm_describe (Info().Offset)",
    ),
    (
        "go",
        "mm_flags",
        "superseded by mm_describe (Info().Flags, Flags())",
    ),
    (
        "go",
        "mm_to_dlpack",
        "Go has no DLPack consumer to hand a tensor to",
    ),
    // Zig: no DLPack consumer either (a Zig program reads the mapping through items(T)).
    (
        "zig",
        "mm_to_dlpack",
        "Zig has no DLPack consumer to hand a tensor to",
    ),
    // Fortran: no DLPack consumer exists in Fortran.
    (
        "fortran",
        "mm_to_dlpack",
        "Fortran has no DLPack consumer to hand a tensor to (mm_pointer is its zero-copy view)",
    ),
    // mm_open_handle is declared for Windows only (#if defined(_WIN32)). The C++ header
    // wraps it under the same guard, Python declares it where the library has it, Go's
    // OpenFile and Zig's Array.openFile call it on Windows (a file's handle is a HANDLE
    // there).
    (
        "fortran",
        "mm_open_handle",
        "Windows-only; the Fortran binding's tests do not run on Windows (mm_open_fd_f takes a C descriptor)",
    ),
];

/// The bindings: name, directory (or file) and the file endings of its sources. Test
/// files (`_test.go`, `test_*`) do not count.
const BINDINGS: &[(&str, &str, &str)] = &[
    ("cpp", "include/mmarray.hpp", ".hpp"),
    ("go", "bindings/go", ".go"),
    ("python", "bindings/python/mmarray", ".py"),
    ("fortran", "bindings/fortran", ".f90"),
    ("zig", "bindings/zig/src", ".zig"),
];

/// The functions the header declares, in header order.
fn exported_functions() -> Vec<String> {
    let header = fs::read_to_string(Path::new(ROOT).join("include/mmarray.h")).unwrap();
    header
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()) && !l.starts_with("typedef"))
        .filter_map(|l| {
            let open = l.find('(')?;
            let name = l[..open].rsplit([' ', '*']).next()?;
            name.starts_with("mm_").then(|| name.to_string())
        })
        .collect()
}

fn sources(path: &str, ending: &str) -> String {
    let p = Path::new(ROOT).join(path);
    if p.is_file() {
        return fs::read_to_string(p).unwrap();
    }
    let mut text = String::new();
    let mut entries: Vec<_> = fs::read_dir(&p)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for f in entries {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(ending) && !name.ends_with("_test.go") && !name.starts_with("test_") {
            text.push_str(&fs::read_to_string(&f).unwrap());
            text.push('\n');
        }
    }
    text
}

/// Whether `text` names `f` as a whole word.
fn names(text: &str, f: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(f)
        .any(|(i, _)| !text[..i].ends_with(word) && !text[i + f.len()..].starts_with(word))
}

#[test]
fn every_exported_function_is_wrapped_or_has_a_reason() {
    let functions = exported_functions();
    assert!(
        functions.len() >= 48,
        "only {} functions found in the header",
        functions.len()
    );
    assert_eq!(functions[0], "mm_open");
    assert!(functions.iter().any(|f| f == "mm_describe"));
    let reasons: BTreeMap<(&str, &str), &str> =
        REASONS.iter().map(|&(b, f, r)| ((b, f), r)).collect();
    assert_eq!(
        reasons.len(),
        REASONS.len(),
        "a (binding, function) row appears twice"
    );
    for &(b, f, _) in REASONS {
        assert!(
            functions.iter().any(|x| x == f),
            "reason for {b}/{f}: not in the header"
        );
    }

    let mut problems = Vec::new();
    let mut table = format!("{:<22}", "function");
    for (b, _, _) in BINDINGS {
        table.push_str(&format!("{b:>9}"));
    }
    table.push('\n');
    let mut covered = vec![0; BINDINGS.len()];
    let texts: Vec<String> = BINDINGS.iter().map(|&(_, p, e)| sources(p, e)).collect();
    for f in &functions {
        table.push_str(&format!("{f:<22}"));
        for (i, &(b, _, _)) in BINDINGS.iter().enumerate() {
            let wrapped = names(&texts[i], f);
            let reason = reasons.get(&(b, f.as_str()));
            let cell = match (wrapped, reason) {
                (true, None) => {
                    covered[i] += 1;
                    "yes"
                }
                (true, Some(_)) => {
                    covered[i] += 1;
                    problems.push(format!("{b} wraps {f} now: delete its row from REASONS"));
                    "yes"
                }
                (false, Some(_)) => "reason",
                (false, None) => {
                    problems.push(format!("{b} does not wrap {f}, and REASONS says nothing"));
                    "MISSING"
                }
            };
            table.push_str(&format!("{cell:>9}"));
        }
        table.push('\n');
    }
    table.push_str(&format!("{:<22}", "wrapped"));
    for c in &covered {
        table.push_str(&format!("{:>9}", format!("{c}/{}", functions.len())));
    }
    println!("{table}");
    assert!(problems.is_empty(), "{}\n{table}", problems.join("\n"));
    // The bindings this issue finished wrap everything the table does not excuse.
    assert_eq!(
        covered[2],
        functions.len(),
        "the Python package declares every function"
    );
}

#[test]
fn the_check_can_fail() {
    assert!(names("C.mm_flush(a.h)", "mm_flush"));
    assert!(!names("C.mm_flush_range(a.h)", "mm_flush"));
    assert!(!names("xmm_flush", "mm_flush"));
    assert!(!names("", "mm_open"));
}
