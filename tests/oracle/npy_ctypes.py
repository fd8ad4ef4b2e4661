"""ctypes binding of the mmarray C ABI for the .npy oracle tests (tests/oracle/test_npy.py).

Builds on the oracle suite's mmarray_ctypes.py (constants, types, the main section's
signatures) and adds the .npy calls. The library is loaded from $MMARRAY_LIB, default
<checkout>/target/release/libmmarray.so.
"""

import ctypes
import os

import numpy as np

# The contract's (docs/c-api.md) constants, types and the main section's signatures are the oracle
# suite's own (mmarray_ctypes.py); this module adds the .npy calls.
from mmarray_ctypes import (  # noqa: F401  (re-exported for test_npy.py)
    DEFAULT_LIB, INT64_MAX, INT64_MIN, MM_C_CONTIGUOUS, MM_E_BAD_HANDLE, MM_E_FILE_TOO_SMALL,
    MM_E_FORMAT, MM_E_INVALID_ARG, MM_E_IO, MM_E_NOT_FOUND, MM_E_OUT_OF_BOUNDS, MM_E_PANIC,
    MM_E_PERMISSION, MM_E_READ_ONLY, MM_E_SIZE_MISMATCH, MM_E_UNSUPPORTED, MM_F_CONTIGUOUS,
    MM_OK, MM_WRITEABLE, _SIGNATURES as _CORE_SIGNATURES, _cp, _i32, _i64, _P_sz, _P_u64, _sz,
    _u64, platform_has,
)

_P_cp = ctypes.POINTER(_cp)
_P_P_sz = ctypes.POINTER(_P_sz)

_SIGNATURES = dict(_CORE_SIGNATURES)
_SIGNATURES.update({
    "mm_handle_count": (_sz, []),
    "mm_open_npy": (_i32, [_cp, _cp, _P_u64]),
    "mm_create_npy": (_i32, [_cp, _cp, _P_sz, _sz, ctypes.c_char, _P_u64]),
    "mm_save_npy": (_i32, [_u64, _cp]),
    # growable .npy
    "mm_npy_append": (_i32, [_u64, ctypes.c_void_p, _sz, _P_u64]),
    "mm_npy_grow": (_i32, [_u64, _sz, _P_u64]),
    "mm_npy_recover": (_i32, [_cp, _P_sz]),
    # .npz archives
    "mm_npz_names": (_i32, [_cp, ctypes.c_char_p, _sz, _P_sz, _P_sz]),
    "mm_open_npz": (_i32, [_cp, _cp, _cp, _P_u64]),
    "mm_save_npz": (_i32, [_cp, _sz, ctypes.POINTER(_cp), _P_u64, ctypes.c_int]),
    "mm_field_count": (_sz, [_u64]),
    "mm_field": (_i32, [_u64, _sz, _P_cp, _P_cp, _P_sz, _P_sz, _P_P_sz]),
})


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
            if not platform_has(name):
                continue
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

    def npy_append(self, h, rows, nrows, want_out=True):
        """mm_npy_append of the bytes `rows` (a bytes object or a C-contiguous array);
        returns (status, out handle or None)."""
        buf = rows.tobytes() if isinstance(rows, np.ndarray) else bytes(rows)
        cbuf = ctypes.create_string_buffer(buf, max(len(buf), 1))
        if want_out:
            out = _u64(0xDEADBEEF)
            st = self.mm_npy_append(h, cbuf, nrows, ctypes.byref(out))
            return st, out.value
        return self.mm_npy_append(h, cbuf, nrows, None), None

    def npy_grow(self, h, new_length):
        out = _u64(0xDEADBEEF)
        st = self.mm_npy_grow(h, new_length, ctypes.byref(out))
        return st, out.value

    def npy_recover(self, path):
        n = _sz(12345)
        st = self.mm_npy_recover(_b(path), ctypes.byref(n))
        return st, n.value

    def save(self, h, path):
        return self.mm_save_npy(h, _b(path))

    # -- .npz -------------------------------------------------------------------

    def npz_names(self, path):
        """(status, [names]) through mm_npz_names, sized with a first call of cap 0."""
        needed, count = _sz(0xDEAD), _sz(0xDEAD)
        st = self.mm_npz_names(_b(path), None, 0, ctypes.byref(needed), ctypes.byref(count))
        if st != MM_OK:
            assert (needed.value, count.value) == (0, 0)
            return st, None
        buf = ctypes.create_string_buffer(b"\xff" * needed.value, needed.value)
        n2 = _sz(0)
        st = self.mm_npz_names(_b(path), buf, needed.value, ctypes.byref(n2), None)
        assert st == MM_OK and n2.value == needed.value, self.error()
        raw = buf.raw
        assert raw.endswith(b"\0\0") or raw == b"\0", raw
        names = [n.decode("utf-8") for n in raw[:-1].split(b"\0")[:-1]] if count.value else []
        assert len(names) == count.value
        return st, names

    def open_npz(self, path, name, mode="r"):
        out = _u64(0xDEADBEEF)
        st = self.mm_open_npz(_b(path), _b(name), _b(mode), ctypes.byref(out))
        return st, out.value

    def save_npz(self, path, names, handles, compress):
        n = len(names)
        cnames = (_cp * max(n, 1))(*[_b(x) if isinstance(x, bytes) else x.encode("utf-8")
                                     for x in names])
        arr = (_u64 * max(n, 1))(*handles)
        return self.mm_save_npz(_b(path), n, cnames, arr, compress)

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
