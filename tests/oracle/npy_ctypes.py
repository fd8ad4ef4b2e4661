"""ctypes binding of the mmarray C ABI for the .npy oracle tests (tests/oracle/test_npy.py).

Self-contained on purpose (adapted from the oracle suite's mmarray_ctypes.py): only the
contract's types are used; mm_array is uint64_t, mm_status int32_t, sizes size_t.
The library is loaded from $MMARRAY_LIB, default <worktree>/target/release/libmmarray.so.
"""

import ctypes
import os

import numpy as np

MM_OK = 0
MM_E_INVALID_ARG = 1
MM_E_NOT_FOUND = 2
MM_E_PERMISSION = 3
MM_E_IO = 4
MM_E_FILE_TOO_SMALL = 5
MM_E_SIZE_MISMATCH = 6
MM_E_READ_ONLY = 7
MM_E_FORMAT = 8
MM_E_UNSUPPORTED = 9
MM_E_BAD_HANDLE = 10
MM_E_OUT_OF_BOUNDS = 11
MM_E_PANIC = 99

MM_WRITEABLE = 1
MM_C_CONTIGUOUS = 2
MM_F_CONTIGUOUS = 4

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

WORKTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_LIB = os.path.join(WORKTREE, "target", "release", "libmmarray.so")

_u64 = ctypes.c_uint64
_i64 = ctypes.c_int64
_i32 = ctypes.c_int32
_u32 = ctypes.c_uint32
_sz = ctypes.c_size_t
_cp = ctypes.c_char_p
_vp = ctypes.c_void_p
_P_sz = ctypes.POINTER(_sz)
_P_i64 = ctypes.POINTER(_i64)
_P_u64 = ctypes.POINTER(_u64)
_P_cp = ctypes.POINTER(_cp)
_P_P_sz = ctypes.POINTER(_P_sz)

_SIGNATURES = {
    "mm_last_error_message": (_cp, []),
    "mm_open": (_i32, [_cp, _cp, _cp, _u64, _P_sz, _sz, ctypes.c_char, _P_u64]),
    "mm_data": (_vp, [_u64]),
    "mm_flush": (_i32, [_u64]),
    "mm_close": (_i32, [_u64]),
    "mm_ndim": (_sz, [_u64]),
    "mm_shape": (_P_sz, [_u64]),
    "mm_strides": (_P_i64, [_u64]),
    "mm_itemsize": (_sz, [_u64]),
    "mm_size": (_sz, [_u64]),
    "mm_nbytes": (_sz, [_u64]),
    "mm_dtype": (_cp, [_u64]),
    "mm_mode": (_cp, [_u64]),
    "mm_offset": (_u64, [_u64]),
    "mm_flags": (_u32, [_u64]),
    "mm_view": (_i32, [_u64, _cp, _i64, _P_sz, _sz, _P_i64, _P_u64]),
    "mm_slice": (_i32, [_u64, _sz, _i64, _i64, _i64, _P_u64]),
    "mm_handle_count": (_sz, []),
    "mm_open_npy": (_i32, [_cp, _cp, _P_u64]),
    "mm_create_npy": (_i32, [_cp, _cp, _P_sz, _sz, ctypes.c_char, _P_u64]),
    "mm_save_npy": (_i32, [_u64, _cp]),
    "mm_field_count": (_sz, [_u64]),
    "mm_field": (_i32, [_u64, _sz, _P_cp, _P_cp, _P_sz, _P_sz, _P_P_sz]),
}


def _b(s):
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    return os.fsencode(s)


def _shape(shape):
    shape = tuple(int(d) for d in shape)
    return (_sz * max(len(shape), 1))(*shape), len(shape)


class Lib:
    def __init__(self, path):
        self.dll = ctypes.CDLL(path)
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(self.dll, name)
            fn.restype = res
            fn.argtypes = args
            setattr(self, name, fn)

    def error(self):
        return self.mm_last_error_message().decode("utf-8", "replace")

    # -- calls returning (status, handle) ------------------------------------

    def open_npy(self, path, mode="r"):
        out = _u64(0xDEADBEEF)
        st = self.mm_open_npy(_b(path), _b(mode), ctypes.byref(out))
        return st, out.value

    def create_npy(self, path, dtype, shape, order="C"):
        shp, nd = _shape(shape)
        out = _u64(0xDEADBEEF)
        o = order.encode() if isinstance(order, str) else order
        st = self.mm_create_npy(_b(path), _b(dtype), shp, nd, o, ctypes.byref(out))
        return st, out.value

    def open_raw(self, path, dtype, mode, offset, shape, order="C"):
        shp, nd = _shape(shape)
        out = _u64(0xDEADBEEF)
        st = self.mm_open(_b(path), _b(dtype), _b(mode), offset, shp, nd,
                          order.encode(), ctypes.byref(out))
        return st, out.value

    def view(self, base, dtype, byte_offset, shape, strides):
        shp, nd = _shape(shape)
        strd = (_i64 * max(len(strides), 1))(*[int(s) for s in strides])
        out = _u64(0xDEADBEEF)
        st = self.mm_view(base, _b(dtype), byte_offset, shp, nd, strd, ctypes.byref(out))
        return st, out.value

    def slice(self, base, axis, start, stop, step):
        out = _u64(0xDEADBEEF)
        st = self.mm_slice(base, axis, start, stop, step, ctypes.byref(out))
        return st, out.value

    def save(self, h, path):
        return self.mm_save_npy(h, _b(path))

    # -- getters --------------------------------------------------------------

    def shape_of(self, h):
        nd = self.mm_ndim(h)
        p = self.mm_shape(h)
        return tuple(p[i] for i in range(nd))

    def strides_of(self, h):
        nd = self.mm_ndim(h)
        p = self.mm_strides(h)
        return tuple(p[i] for i in range(nd))

    def dtype_of(self, h):
        return self.mm_dtype(h).decode("utf-8")

    def mode_of(self, h):
        return self.mm_mode(h).decode()

    def fields_of(self, h):
        out = []
        for i in range(self.mm_field_count(h)):
            name, dt = _cp(), _cp()
            off, nd = _sz(), _sz()
            shp = _P_sz()
            st = self.mm_field(h, i, ctypes.byref(name), ctypes.byref(dt), ctypes.byref(off),
                               ctypes.byref(nd), ctypes.byref(shp))
            assert st == MM_OK, self.error()
            out.append((name.value.decode("utf-8"), dt.value.decode("utf-8"), off.value,
                        tuple(shp[j] for j in range(nd.value))))
        return out

    def raw_bytes(self, h):
        """The mm_nbytes bytes at mm_data (for contiguous views)."""
        n = self.mm_nbytes(h)
        return ctypes.string_at(self.mm_data(h), n) if n else b""

    def numpy_view(self, h, np_dtype):
        """A numpy array over the mapping itself (zero copy)."""
        shape = self.shape_of(h)
        strides = self.strides_of(h)
        itemsize = self.mm_itemsize(h)
        size = int(np.prod(shape)) if shape else 1
        if size == 0 or itemsize == 0:
            return np.ndarray(shape, dtype=np.dtype(np_dtype))
        lo = sum(s * (d - 1) for s, d in zip(strides, shape) if s < 0)
        hi = sum(s * (d - 1) for s, d in zip(strides, shape) if s > 0) + itemsize
        data = self.mm_data(h)
        buf = (ctypes.c_char * (hi - lo)).from_address(data + lo)
        return np.ndarray(shape, dtype=np.dtype(np_dtype), buffer=buf, offset=-lo,
                          strides=strides)


def load_lib():
    return Lib(os.environ.get("MMARRAY_LIB", DEFAULT_LIB))
