//! Build script: the shared library's SONAME and the C header.
//!
//! The header is generated into OUT_DIR on every build: cbindgen renders each exported
//! declaration of the area files (with its doc comment), and this script arranges them
//! as a manual, area by area in the order of `FFI_AREAS`, each area a Doxygen group
//! opened by its introduction. `include/mmarray.h` is the committed copy;
//! `tests/header.rs` fails when the two differ. To refresh the committed copy:
//! `MMARRAY_WRITE_HEADER=1 cargo build`.

use std::collections::HashMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// One area of the header: the file that declares it, the Doxygen group it becomes, and
/// its title. The area's introduction is the module doc (`//!`) of its file, written for
/// a C programmer, so it is kept in one place and read by both rustdoc and the header.
struct Area {
    file: &'static str,
    group: &'static str,
    title: &'static str,
}

/// The areas in the order the header presents them, the order a reader needs them: the
/// types and status codes, opening an array (so the header's first function is mm_open),
/// what a failure says, then everything done with a handle, and the version last. Within
/// an area the declarations keep their order in the file. cbindgen reads each file on
/// its own (it does not follow `mod` items of a non-root file such as src/ffi.rs), so a
/// new area file must be listed here; tests/header.rs fails when an exported function is
/// missing from the header, and this script fails when a declaration has no area.
const FFI_AREAS: &[Area] = &[
    Area {
        file: "src/ffi/status.rs",
        group: "area_types",
        title: "Types and status codes",
    },
    Area {
        file: "src/ffi/open.rs",
        group: "area_open",
        title: "Opening arrays",
    },
    Area {
        file: "src/ffi/errors.rs",
        group: "area_errors",
        title: "Errors",
    },
    Area {
        file: "src/ffi/getters.rs",
        group: "area_handle",
        title: "Using a handle",
    },
    Area {
        file: "src/ffi/describe.rs",
        group: "area_describe",
        title: "Describing a handle for bindings",
    },
    Area {
        file: "src/ffi/views.rs",
        group: "area_views",
        title: "Views",
    },
    Area {
        file: "src/ffi/control.rs",
        group: "area_control",
        title: "Flushing, advice, residency and locking",
    },
    Area {
        file: "src/ffi/guarded.rs",
        group: "area_guarded",
        title: "Guarded copies",
    },
    Area {
        file: "src/ffi/npy.rs",
        group: "area_npy",
        title: ".npy files",
    },
    Area {
        file: "src/ffi/grow.rs",
        group: "area_grow",
        title: "Growing .npy files",
    },
    Area {
        file: "src/ffi/npz.rs",
        group: "area_npz",
        title: ".npz archives",
    },
    Area {
        file: "src/ffi/fields.rs",
        group: "area_fields",
        title: "Record fields",
    },
    Area {
        file: "src/ffi/dlpack.rs",
        group: "area_dlpack",
        title: "DLPack export",
    },
    Area {
        file: "src/ffi/version.rs",
        group: "area_version",
        title: "Version",
    },
];

/// The header's own documentation (Doxygen's page of mmarray.h). The contents list of
/// the areas is appended to it.
const FILE_DOC: &str = "\
\\file mmarray.h
\\brief mmarray: numpy.memmap semantics for C, C++, Go, Zig and Fortran.

Every function is thread-safe. A handle (mm_array) is a 64-bit number, not a
pointer: 0, closed and never-issued handles are detected (MM_E_BAD_HANDLE), never
dereferenced. Fallible calls return an mm_status; on failure the calling thread's
mm_last_error_message() says what was wrong and with which values. No function
prints, installs a signal handler or aborts the process.

The header reads as a manual, one area after another:";

fn main() {
    let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    let minor = env::var("CARGO_PKG_VERSION_MINOR").unwrap();
    let patch = env::var("CARGO_PKG_VERSION_PATCH").unwrap();

    // Without a SONAME, programs linked against the .so record its build path.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmmarray.so.{major}");
    }

    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    let builder = FFI_AREAS.iter().fold(
        cbindgen::Builder::new().with_config(config),
        |builder, area| builder.with_src(root.join(area.file)),
    );
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=src/ffi.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=MMARRAY_WRITE_HEADER");
    let bindings = builder
        .generate()
        .expect("cbindgen could not generate the header");
    let mut rendered = Vec::new();
    bindings.write(&mut rendered);
    let rendered = String::from_utf8(rendered).expect("cbindgen writes UTF-8");
    let version = [("MAJOR", &major), ("MINOR", &minor), ("PATCH", &patch)];
    let header = arrange(&root, &rendered, &version);

    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("mmarray.h");
    fs::write(&out, &header).unwrap();
    if env::var_os("MMARRAY_WRITE_HEADER").is_some() {
        let committed = root.join("include/mmarray.h");
        if fs::read(&committed).ok().as_deref() != Some(header.as_bytes()) {
            fs::write(&committed, &header).unwrap();
        }
    }
}

/// The whole header: cbindgen's declarations sorted into their areas, in file order.
fn arrange(root: &Path, rendered: &str, version: &[(&str, &String)]) -> String {
    // Where each declared name is defined: (area, line in its file).
    let mut place = HashMap::new();
    for (a, area) in FFI_AREAS.iter().enumerate() {
        let text = fs::read_to_string(root.join(area.file)).unwrap();
        for (line, name) in text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| declared_name(l).map(|n| (i, n)))
        {
            place.insert(name.to_string(), (a, line));
        }
    }
    let mut areas: Vec<Vec<(usize, String)>> = vec![Vec::new(); FFI_AREAS.len()];
    for block in rendered
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        let name = rendered_name(block);
        let &(a, line) = place
            .get(name)
            .unwrap_or_else(|| panic!("`{name}` is in no file of FFI_AREAS (build.rs)"));
        areas[a].push((line, safety_as_paragraph(block)));
    }
    for blocks in &mut areas {
        blocks.sort_by_key(|(line, _)| *line);
    }
    // The version macros open the version area.
    let macros = version.iter().map(|(part, value)| {
        format!(
            "/**\n * The library's {} version number at compile time (mm_version() gives it at run time).\n */\n#define MM_VERSION_{part} {value}",
            part.to_lowercase()
        )
    });
    let last = areas.len() - 1;
    let tail = std::mem::take(&mut areas[last]);
    areas[last] = macros.map(|m| (0, m)).chain(tail).collect();

    let mut h = String::new();
    h.push_str("/*\n * GENERATED by cbindgen from src/ffi/ and arranged by build.rs; do not edit by hand.\n */\n\n");
    h.push_str(&comment(&format!("{FILE_DOC}\n{}", contents(&areas))));
    h.push_str(
        "#ifndef MMARRAY_H\n#define MMARRAY_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n",
    );
    h.push_str("#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    for (area, blocks) in FFI_AREAS.iter().zip(&areas) {
        let intro = module_doc(&root.join(area.file));
        h.push('\n');
        h.push_str(&comment(&format!(
            "\\defgroup {} {}\n\n{intro}\n@{{",
            area.group, area.title
        )));
        for (_, block) in blocks {
            h.push('\n');
            h.push_str(block);
            h.push('\n');
        }
        h.push_str("\n/** @} */\n");
    }
    h.push_str("\n#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* MMARRAY_H */\n");
    h
}

/// The contents list of the header's file comment: each area with the functions it
/// declares (or, for an area without functions, its types).
fn contents(areas: &[Vec<(usize, String)>]) -> String {
    let mut list = String::new();
    for (i, (area, blocks)) in FFI_AREAS.iter().zip(areas).enumerate() {
        let names = |function: bool| -> Vec<&str> {
            blocks
                .iter()
                .map(|(_, b)| b.as_str())
                .filter(|b| is_function(b) == function && !declaration(b).starts_with("#define"))
                .map(rendered_name)
                .collect()
        };
        let mut members = names(true);
        if members.is_empty() {
            members = names(false);
        }
        // One list item, wrapped as the doc comments are (continuation lines indented).
        let mut line = format!("{}. \\ref {} \"{}\":", i + 1, area.group, area.title);
        for (k, member) in members.iter().enumerate() {
            let sep = if k + 1 < members.len() { "," } else { "" };
            if line.len() + 1 + member.len() + sep.len() > 86 {
                list.push_str(&line);
                list.push('\n');
                line = String::from("  ");
            }
            line.push(' ');
            line.push_str(member);
            line.push_str(sep);
        }
        list.push_str(&line);
        list.push('\n');
    }
    list
}

/// A Doxygen comment holding `text`.
fn comment(text: &str) -> String {
    assert!(
        !text.contains("*/"),
        "a doc text closes its comment: {text}"
    );
    let mut c = String::from("/**\n");
    for line in text.lines() {
        c.push_str(if line.is_empty() { " *" } else { " * " });
        c.push_str(line);
        c.push('\n');
    }
    c.push_str(" */\n");
    c
}

/// The module doc (`//!` lines at the top) of an area file: the area's introduction.
fn module_doc(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.strip_prefix("//!").unwrap())
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    assert!(!lines.is_empty(), "{} has no module doc", file.display());
    lines.join("\n")
}

/// The name a line of Rust source declares for the header, if any.
fn declared_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("pub ")?;
    let rest = [
        "const ",
        "type ",
        "struct ",
        "extern \"C\" fn ",
        "unsafe extern \"C\" fn ",
    ]
    .iter()
    .find_map(|kw| rest.strip_prefix(kw))?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// A rendered block without the `#if` / `#endif` lines cbindgen puts around a
/// declaration for one platform only (`#[cfg(windows)]` becomes `#if defined(_WIN32)`,
/// the `[defines]` of cbindgen.toml).
fn unguarded(block: &str) -> &str {
    match (block.strip_prefix("#if "), block.strip_suffix("\n#endif")) {
        (Some(_), Some(inner)) => inner.split_once('\n').map_or(inner, |(_, rest)| rest),
        _ => block,
    }
}

/// A rendered block without its doc comment (nor a platform guard).
fn declaration(block: &str) -> &str {
    let block = unguarded(block);
    match block.find("*/\n") {
        Some(end) if block.starts_with("/**") => &block[end + 3..],
        _ => block,
    }
}

fn is_function(block: &str) -> bool {
    let d = declaration(block);
    !d.starts_with("#define") && !d.starts_with("typedef")
}

/// The name a rendered declaration declares: a macro, a typedef or a function.
fn rendered_name(block: &str) -> &str {
    let d = declaration(block);
    let ident = |s: &str| -> usize {
        s.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1)
    };
    if let Some(rest) = d.strip_prefix("#define ") {
        rest.split_whitespace().next().unwrap()
    } else if d.starts_with("typedef") {
        let s = d.trim_end().trim_end_matches(';');
        &s[ident(s)..]
    } else {
        let s = d[..d.find('(').expect("a function declaration")].trim_end();
        &s[ident(s)..]
    }
}

/// Rust's `# Safety` heading (which clippy requires on an unsafe function) becomes a
/// Doxygen paragraph titled "Safety"; a `#` heading would be rendered as a page title.
fn safety_as_paragraph(block: &str) -> String {
    block
        .lines()
        .map(|l| match l.strip_prefix(" * # ") {
            Some(title) => format!(" * \\par {title}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
