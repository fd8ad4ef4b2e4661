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
        "mm_status mm_view(mm_array base, const char *dtype, int64_t byte_offset, const size_t *shape, size_t ndim, const int64_t *strides, mm_array *out);",
        "mm_status mm_slice(mm_array base, size_t axis, int64_t start, int64_t stop, int64_t step, mm_array *out);",
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
