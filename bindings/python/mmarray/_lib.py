"""Loading the installed library and declaring every C signature once."""

import ctypes
import ctypes.util
import os

u64, i64, i32, u32, sz = (ctypes.c_uint64, ctypes.c_int64, ctypes.c_int32, ctypes.c_uint32,
                          ctypes.c_size_t)
cp, vp, ch = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char
P = ctypes.POINTER

MAX_NDIM = 64


class Info(ctypes.Structure):
    """mm_info (mmarray.h): 1088 bytes, the layout the header documents."""
    _fields_ = [
        ("data", vp), ("ndim", sz), ("itemsize", sz), ("size", sz), ("nbytes", sz),
        ("offset", u64), ("flags", u32), ("scalar_kind", i32), ("mode", ch * 4),
        ("reserved", u32), ("shape", sz * MAX_NDIM), ("strides", i64 * MAX_NDIM),
    ]


assert ctypes.sizeof(Info) == 1088

# name: (result, arguments). Every function of mmarray.h 0.1 is here; the wrappers in
# __init__.py call them through LIB.
SIGNATURES = {
    "mm_open": (i32, [cp, cp, cp, u64, P(sz), sz, ch, P(u64)]),
    "mm_open_ex": (i32, [cp, cp, cp, u64, P(sz), sz, ch, u32, P(u64)]),
    "mm_open_fd": (i32, [ctypes.c_int, cp, cp, u64, P(sz), sz, ch, P(u64)]),
    "mm_status_str": (cp, [i32]),
    "mm_last_error_message": (cp, []),
    "mm_last_error_copy": (sz, [cp, sz]),
    "mm_last_os_error": (i32, []),
    "mm_data": (vp, [u64]),
    "mm_close": (i32, [u64]),
    "mm_ndim": (sz, [u64]),
    "mm_shape": (P(sz), [u64]),
    "mm_strides": (P(i64), [u64]),
    "mm_itemsize": (sz, [u64]),
    "mm_size": (sz, [u64]),
    "mm_nbytes": (sz, [u64]),
    "mm_dtype": (cp, [u64]),
    "mm_mode": (cp, [u64]),
    "mm_offset": (u64, [u64]),
    "mm_filename": (cp, [u64]),
    "mm_flags": (u32, [u64]),
    "mm_handle_count": (sz, []),
    "mm_describe": (i32, [u64, P(Info), ctypes.c_char_p, sz, P(sz)]),
    "mm_scalar_kind": (i32, [u64]),
    "mm_view": (i32, [u64, cp, i64, P(sz), sz, P(i64), P(u64)]),
    "mm_slice": (i32, [u64, sz, i64, i64, i64, P(u64)]),
    "mm_flush": (i32, [u64]),
    "mm_flush_range": (i32, [u64, u64, u64]),
    "mm_flush_async": (i32, [u64]),
    "mm_advise": (i32, [u64, i32]),
    "mm_resident": (i32, [u64, P(u64)]),
    "mm_lock": (i32, [u64]),
    "mm_unlock": (i32, [u64]),
    "mm_read_at": (i32, [u64, u64, vp, sz]),
    "mm_write_at": (i32, [u64, u64, vp, sz]),
    "mm_open_npy": (i32, [cp, cp, P(u64)]),
    "mm_create_npy": (i32, [cp, cp, P(sz), sz, ch, P(u64)]),
    "mm_save_npy": (i32, [u64, cp]),
    "mm_npy_append": (i32, [u64, vp, sz, P(u64)]),
    "mm_npy_grow": (i32, [u64, sz, P(u64)]),
    "mm_npy_recover": (i32, [cp, P(sz)]),
    "mm_npz_names": (i32, [cp, ctypes.c_char_p, sz, P(sz), P(sz)]),
    "mm_open_npz": (i32, [cp, cp, cp, P(u64)]),
    "mm_save_npz": (i32, [cp, sz, P(cp), P(u64), ctypes.c_int]),
    "mm_field_count": (sz, [u64]),
    "mm_field": (i32, [u64, sz, P(cp), P(cp), P(sz), P(sz), P(P(sz))]),
    "mm_to_dlpack": (i32, [u64, P(vp)]),
    "mm_version_string": (cp, []),
    "mm_version": (u32, []),
}

# Functions the header declares for Windows only (#if defined(_WIN32)): declared when the
# loaded library has them, so that loading works everywhere.
WINDOWS_SIGNATURES = {
    "mm_open_handle": (i32, [vp, cp, cp, u64, P(sz), sz, ch, P(u64)]),
}

# Where a prefix install puts the library when nothing else finds it.
_FALLBACKS = ["/usr/local/lib/libmmarray.so.0", "/usr/local/lib64/libmmarray.so.0",
              "/usr/lib/libmmarray.so.0"]


def find_library():
    """$MMARRAY_LIB, else ctypes.util.find_library("mmarray"), else /usr/local/lib."""
    env = os.environ.get("MMARRAY_LIB")
    if env:
        return env
    found = ctypes.util.find_library("mmarray")
    if found:
        return found
    for path in _FALLBACKS:
        if os.path.exists(path):
            return path
    raise OSError(
        "mmarray: the library was not found: set MMARRAY_LIB=/prefix/lib/libmmarray.so.0, "
        "or install it where the loader looks (ldconfig, LD_LIBRARY_PATH)")


def load(path=None):
    lib = ctypes.CDLL(path or find_library())
    for name, (res, args) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    for name, (res, args) in WINDOWS_SIGNATURES.items():
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype, fn.argtypes = res, args
    return lib
