//! The committed header must be exactly what cbindgen generates from the current sources.

#[test]
fn committed_header_is_current() {
    let generated = std::fs::read(concat!(env!("OUT_DIR"), "/mmarray.h"))
        .expect("build.rs writes OUT_DIR/mmarray.h");
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mmarray.h"))
        .expect("include/mmarray.h exists");
    assert!(
        generated == committed,
        "include/mmarray.h differs from the header generated from src/ffi; refresh it with `MMARRAY_WRITE_HEADER=1 cargo build` and commit it"
    );
}

#[test]
fn header_declares_the_contract() {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mmarray.h")).unwrap();
    let flat: String = header.split_whitespace().collect::<Vec<_>>().join(" ");
    // The exact signatures of docs/c-api.md.
    for decl in [
        "typedef uint64_t mm_array;",
        "typedef int32_t mm_status;",
        "const char *mm_status_str(mm_status s);",
        "const char *mm_last_error_message(void);",
        "size_t mm_last_error_copy(char *buf, size_t cap);",
        "int32_t mm_last_os_error(void);",
        "mm_status mm_open(const char *path, const char *dtype, const char *mode, uint64_t offset, const size_t *shape, size_t ndim, char order, mm_array *out);",
        "mm_status mm_open_fd(int fd, const char *dtype, const char *mode, uint64_t offset, const size_t *shape, size_t ndim, char order, mm_array *out);",
        "void *mm_data(mm_array a);",
        "mm_status mm_flush(mm_array a);",
        "mm_status mm_close(mm_array a);",
        "size_t mm_ndim(mm_array a);",
        "const size_t *mm_shape(mm_array a);",
        "const int64_t *mm_strides(mm_array a);",
        "size_t mm_itemsize(mm_array a);",
        "size_t mm_size(mm_array a);",
        "size_t mm_nbytes(mm_array a);",
        "const char *mm_dtype(mm_array a);",
        "const char *mm_mode(mm_array a);",
        "uint64_t mm_offset(mm_array a);",
        "const char *mm_filename(mm_array a);",
        "uint32_t mm_flags(mm_array a);",
        "mm_status mm_describe(mm_array a, mm_info *out, char *dtype_buf, size_t dtype_cap, size_t *dtype_needed);",
        "int32_t mm_scalar_kind(mm_array a);",
        "#define MM_MAX_NDIM 64",
        "mm_status mm_view(mm_array base, const char *dtype, int64_t byte_offset, const size_t *shape, size_t ndim, const int64_t *strides, mm_array *out);",
        "mm_status mm_slice(mm_array base, size_t axis, int64_t start, int64_t stop, int64_t step, mm_array *out);",
        "mm_status mm_npz_names(const char *path, char *buf, size_t cap, size_t *needed, size_t *count);",
        "mm_status mm_open_npz(const char *path, const char *name, const char *mode, mm_array *out);",
        "mm_status mm_save_npz(const char *path, size_t n, const char *const *names, const mm_array *arrays, int compress);",
        "const char *mm_version_string(void);",
        "uint32_t mm_version(void);",
        "#define MM_VERSION_MAJOR 0",
        "#define MM_VERSION_MINOR 1",
        "#define MM_VERSION_PATCH 0",
        "#define MM_OK 0",
        "#define MM_E_PANIC 99",
        "#ifndef MMARRAY_H",
    ] {
        assert!(flat.contains(decl), "header lacks: {decl}");
    }
}

/// A Windows-only function (`#[cfg(windows)]`) is declared once, inside
/// `#if defined(_WIN32)` ... `#endif`, so that a compiler for another platform never sees
/// it (the header is generated on Linux).
#[test]
fn windows_only_declarations_are_guarded() {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mmarray.h")).unwrap();
    let decl = "mm_status mm_open_handle(void *handle,";
    assert_eq!(header.matches(decl).count(), 1, "{decl}");
    let at = header.find(decl).expect("mm_open_handle is declared");
    let open = header[..at]
        .rfind("\n#if defined(_WIN32)\n")
        .expect("no #if defined(_WIN32) before mm_open_handle");
    assert!(
        !header[open..at].contains("#endif") && !header[open..at].contains(";\n"),
        "mm_open_handle is not the declaration its #if guards"
    );
    let close = at + header[at..].find("\n#endif\n").expect("no #endif after it");
    assert!(
        header[at..close].ends_with("mm_array *out);"),
        "{}",
        &header[at..close]
    );
    let flat: String = header.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("mm_status mm_open_handle(void *handle, const char *dtype, const char *mode, uint64_t offset, const size_t *shape, size_t ndim, char order, mm_array *out);"));
}

/// The declarations of the header, each with its doc comment: (doc, declaration).
fn documented_declarations(header: &str) -> Vec<(&str, &str)> {
    header
        .split("\n\n")
        .map(str::trim)
        .filter_map(|block| {
            let end = block.find("*/\n")?;
            let (doc, decl) = (&block[..end], &block[end + 3..]);
            (!decl.is_empty()).then_some((doc, decl))
        })
        .collect()
}

fn is_function(decl: &str) -> bool {
    !decl.starts_with('#') && !decl.starts_with("typedef") && decl.contains('(')
}

/// The last identifier of `s`.
fn last_ident(s: &str) -> &str {
    let s = s.trim_end();
    let start = s
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    &s[start..]
}

#[test]
fn header_reads_as_a_manual() {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mmarray.h")).unwrap();

    // The areas, in the order a reader needs them.
    let groups: Vec<&str> = header
        .lines()
        .filter_map(|l| l.strip_prefix(" * \\defgroup "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        groups,
        [
            "area_types",
            "area_open",
            "area_errors",
            "area_handle",
            "area_describe",
            "area_views",
            "area_control",
            "area_guarded",
            "area_npy",
            "area_grow",
            "area_npz",
            "area_fields",
            "area_dlpack",
            "area_version"
        ]
    );
    assert_eq!(header.matches("@{").count(), groups.len());
    assert_eq!(header.matches("/** @} */").count(), groups.len());

    let decls = documented_declarations(&header);
    let functions: Vec<(&str, &str)> = decls
        .iter()
        .copied()
        .filter(|(_, d)| is_function(d))
        .collect();
    let name_of = |decl: &str| last_ident(&decl[..decl.find('(').unwrap()]).to_string();
    // The first function is in the opening area.
    assert_eq!(name_of(functions[0].1), "mm_open");
    assert!(
        functions.len() >= 40,
        "only {} functions found",
        functions.len()
    );

    // The status codes come together, in numeric order, in the first area.
    let defines: Vec<(&str, i64)> = decls
        .iter()
        .filter_map(|(_, d)| d.strip_prefix("#define "))
        .map(|d| {
            let mut it = d.split_whitespace();
            (it.next().unwrap(), it.next().unwrap().parse().unwrap())
        })
        .collect();
    let first = defines.iter().position(|(n, _)| *n == "MM_OK").unwrap();
    let codes: Vec<(&str, i64)> = defines[first..]
        .iter()
        .copied()
        .take_while(|(n, _)| *n == "MM_OK" || n.starts_with("MM_E_"))
        .collect();
    assert_eq!(
        codes.len(),
        defines
            .iter()
            .filter(|(n, _)| *n == "MM_OK" || n.starts_with("MM_E_"))
            .count(),
        "the status codes are not together"
    );
    assert!(codes.len() >= 13);
    assert!(
        codes.windows(2).all(|w| w[0].1 < w[1].1),
        "status codes out of order: {codes:?}"
    );
    assert!(
        header.find("#define MM_OK").unwrap() < header.find("\\defgroup area_open").unwrap(),
        "the status codes are not in the first area"
    );

    // Every function documents each parameter and its result; Safety is a paragraph.
    let mut missing = Vec::new();
    for (doc, decl) in &functions {
        let name = name_of(decl);
        let open = decl.find('(').unwrap();
        let params = &decl[open + 1..decl.rfind(')').unwrap()];
        if params.trim() != "void" {
            for param in params.split(',') {
                let param = last_ident(param);
                if !doc.contains(&format!("\\param {param} ")) {
                    missing.push(format!("{name}: \\param {param}"));
                }
            }
        }
        let returns_nothing = decl[..open].trim_end().strip_suffix(&name).unwrap().trim() == "void";
        if !returns_nothing && !doc.contains("\\return ") {
            missing.push(format!("{name}: \\return"));
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented in the header: {missing:#?}"
    );
    assert!(
        !header.contains(" * # "),
        "a markdown heading in a doc comment"
    );
    assert!(
        header.contains(" * \\par Safety\n"),
        "no Safety paragraph in the header"
    );
}
