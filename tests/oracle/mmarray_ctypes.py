"""ctypes binding of the mmarray C ABI (see docs/c-api.md), for the oracle tests.

Only the contract's types are used: mm_array is uint64_t, mm_status int32_t, sizes
size_t, strides int64_t, offsets uint64_t.  The helpers at the bottom turn a handle into
plain Python values (a snapshot of every getter) and read the bytes its elements reach,
so that the tests can compare them with numpy's own view of the same file.
"""

import ctypes
import os

import numpy as np

# ---------------------------------------------------------------- constants

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

STATUS_NAMES = {
    MM_OK: "MM_OK",
    MM_E_INVALID_ARG: "MM_E_INVALID_ARG",
    MM_E_NOT_FOUND: "MM_E_NOT_FOUND",
    MM_E_PERMISSION: "MM_E_PERMISSION",
    MM_E_IO: "MM_E_IO",
    MM_E_FILE_TOO_SMALL: "MM_E_FILE_TOO_SMALL",
    MM_E_SIZE_MISMATCH: "MM_E_SIZE_MISMATCH",
    MM_E_READ_ONLY: "MM_E_READ_ONLY",
    MM_E_FORMAT: "MM_E_FORMAT",
    MM_E_UNSUPPORTED: "MM_E_UNSUPPORTED",
    MM_E_BAD_HANDLE: "MM_E_BAD_HANDLE",
    MM_E_OUT_OF_BOUNDS: "MM_E_OUT_OF_BOUNDS",
    MM_E_PANIC: "MM_E_PANIC",
}

MM_WRITEABLE = 1
MM_C_CONTIGUOUS = 2
MM_F_CONTIGUOUS = 4
MM_ALIGNED = 8
MM_NATIVE_ORDER = 16

# mm_scalar_kind values (src/ffi/describe.rs)
MM_MAX_NDIM = 64
MM_SCALAR_OTHER = 0
MM_SCALAR_BOOL = 1
MM_SCALAR_INT8 = 2
MM_SCALAR_INT16 = 3
MM_SCALAR_INT32 = 4
MM_SCALAR_INT64 = 5
MM_SCALAR_UINT8 = 6
MM_SCALAR_UINT16 = 7
MM_SCALAR_UINT32 = 8
MM_SCALAR_UINT64 = 9
MM_SCALAR_FLOAT16 = 10
MM_SCALAR_FLOAT32 = 11
MM_SCALAR_FLOAT64 = 12
MM_SCALAR_COMPLEX64 = 13
MM_SCALAR_COMPLEX128 = 14

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
SIZE_MAX = 2**64 - 1

# target/release of the checkout this file lives in, so every clone finds its own build
# ($MMARRAY_LIB overrides it, e.g. for a separate CARGO_TARGET_DIR)
DEFAULT_LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "target", "release", "libmmarray.so")


def status_name(s):
    return STATUS_NAMES.get(s, "status %d" % s)


# ---------------------------------------------------------------- binding

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

class MMInfo(ctypes.Structure):
    """mm_info, the snapshot mm_describe fills (1088 bytes; offsets in its header doc)."""
    _fields_ = [
        ("data", _vp),
        ("ndim", _sz),
        ("itemsize", _sz),
        ("size", _sz),
        ("nbytes", _sz),
        ("offset", _u64),
        ("flags", _u32),
        ("scalar_kind", _i32),
        ("mode", ctypes.c_char * 4),
        ("reserved", _u32),
        ("shape", _sz * MM_MAX_NDIM),
        ("strides", _i64 * MM_MAX_NDIM),
    ]


assert ctypes.sizeof(MMInfo) == 1088

_SIGNATURES = {
    # errors
    "mm_status_str": (_cp, [_i32]),
    "mm_last_error_message": (_cp, []),
    "mm_last_error_copy": (_sz, [ctypes.c_char_p, _sz]),
    "mm_last_os_error": (_i32, []),
    # opening
    "mm_open": (_i32, [_cp, _cp, _cp, _u64, _P_sz, _sz, ctypes.c_char, _P_u64]),
    "mm_open_fd": (_i32, [ctypes.c_int, _cp, _cp, _u64, _P_sz, _sz, ctypes.c_char, _P_u64]),
    # Windows only (#if defined(_WIN32)): not looked up elsewhere (PLATFORM_ONLY).
    "mm_open_handle": (_i32, [_vp, _cp, _cp, _u64, _P_sz, _sz, ctypes.c_char, _P_u64]),
    # using a handle
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
    "mm_filename": (_cp, [_u64]),
    "mm_flags": (_u32, [_u64]),
    # describing a handle
    "mm_describe": (_i32, [_u64, ctypes.POINTER(MMInfo), ctypes.c_char_p, _sz, _P_sz]),
    "mm_scalar_kind": (_i32, [_u64]),
    # views
    "mm_view": (_i32, [_u64, _cp, _i64, _P_sz, _sz, _P_i64, _P_u64]),
    "mm_slice": (_i32, [_u64, _sz, _i64, _i64, _i64, _P_u64]),
    # version
    "mm_version_string": (_cp, []),
    "mm_version": (_u32, []),
}


# Functions the library exports on one platform only (their header declarations are
# guarded): not looked up elsewhere.
PLATFORM_ONLY = {"mm_open_handle": "nt"}


def platform_has(name):
    return PLATFORM_ONLY.get(name, os.name) == os.name


class MMLib:
    """The loaded library with typed functions and small Pythonic wrappers."""

    def __init__(self, path):
        self.path = path
        self.dll = ctypes.CDLL(path)
        self.missing = []
        for name, (res, args) in _SIGNATURES.items():
            if not platform_has(name):
                continue
            try:
                fn = getattr(self.dll, name)
            except AttributeError:
                self.missing.append(name)
                continue
            fn.restype = res
            fn.argtypes = args
            setattr(self, name, fn)

    # -- argument conversion -------------------------------------------------

    @staticmethod
    def _b(s):
        if s is None:
            return None
        if isinstance(s, bytes):
            return s
        return os.fsencode(s) if isinstance(s, os.PathLike) else s.encode()

    @staticmethod
    def _shape(shape):
        """None -> (NULL, 0); a sequence -> (size_t array, len).  A 0-d shape () gets a
        real (non-NULL) one-slot array so that ndim == 0 with a non-NULL shape is sent."""
        if shape is None:
            return None, 0
        shape = tuple(int(d) for d in shape)
        arr = (_sz * max(len(shape), 1))(*shape)
        return arr, len(shape)

    @staticmethod
    def _order(order):
        if order is None:
            return b"\0"
        if isinstance(order, int):
            return bytes([order])
        return order.encode() if isinstance(order, str) else order

    # -- calls ---------------------------------------------------------------

    def open(self, path, dtype="u1", mode="r+", offset=0, shape=None, order="C"):
        """mm_open; returns (status, handle).  *out* is pre-set to garbage so that
        the test can see the library reset it to 0 on failure."""
        shp, nd = self._shape(shape)
        out = _u64(0xDEADBEEFDEADBEEF)
        st = self.mm_open(self._b(path), self._b(dtype), self._b(mode), offset,
                          shp, nd, self._order(order), ctypes.byref(out))
        return st, out.value

    def open_fd(self, fd, dtype="u1", mode="r+", offset=0, shape=None, order="C"):
        shp, nd = self._shape(shape)
        out = _u64(0xDEADBEEFDEADBEEF)
        st = self.mm_open_fd(fd, self._b(dtype), self._b(mode), offset,
                             shp, nd, self._order(order), ctypes.byref(out))
        return st, out.value

    def view(self, base, dtype=None, byte_offset=0, shape=(), strides=None):
        shp, nd = self._shape(shape)
        if strides is None:
            strd = None
        else:
            strides = tuple(int(s) for s in strides)
            strd = (_i64 * max(len(strides), 1))(*strides)
        out = _u64(0xDEADBEEFDEADBEEF)
        st = self.mm_view(base, self._b(dtype), byte_offset, shp, nd, strd, ctypes.byref(out))
        return st, out.value

    def slice(self, base, axis, start, stop, step):
        out = _u64(0xDEADBEEFDEADBEEF)
        st = self.mm_slice(base, axis, start, stop, step, ctypes.byref(out))
        return st, out.value

    def last_error(self):
        msg = self.mm_last_error_message()
        return None if msg is None else msg.decode("utf-8", "replace")

    # -- snapshots -----------------------------------------------------------

    def shape_of(self, h):
        nd = self.mm_ndim(h)
        p = self.mm_shape(h)
        if nd == 0:
            return ()
        return tuple(p[i] for i in range(nd))

    def strides_of(self, h):
        nd = self.mm_ndim(h)
        p = self.mm_strides(h)
        if nd == 0:
            return ()
        return tuple(p[i] for i in range(nd))

    def info(self, h):
        """Every getter of a handle, as plain Python values."""
        fn = self.mm_filename(h)
        dt = self.mm_dtype(h)
        md = self.mm_mode(h)
        flags = self.mm_flags(h)
        return {
            "ndim": self.mm_ndim(h),
            "shape": self.shape_of(h),
            "strides": self.strides_of(h),
            "itemsize": self.mm_itemsize(h),
            "size": self.mm_size(h),
            "nbytes": self.mm_nbytes(h),
            "dtype": None if dt is None else dt.decode(),
            "mode": None if md is None else md.decode(),
            "offset": self.mm_offset(h),
            "filename": None if fn is None else os.fsdecode(fn),
            "writeable": bool(flags & MM_WRITEABLE),
            "c_contiguous": bool(flags & MM_C_CONTIGUOUS),
            "f_contiguous": bool(flags & MM_F_CONTIGUOUS),
            "aligned": bool(flags & MM_ALIGNED),
            "native": bool(flags & MM_NATIVE_ORDER),
        }

    def describe(self, h, cap=256):
        """mm_describe; returns (status, MMInfo, dtype text or None, needed)."""
        info = MMInfo()
        ctypes.memset(ctypes.byref(info), 0xAB, ctypes.sizeof(info))
        buf = ctypes.create_string_buffer(cap) if cap else None
        needed = _sz(12345)
        st = self.mm_describe(h, ctypes.byref(info), buf, cap, ctypes.byref(needed))
        text = None if buf is None else buf.value.decode()
        return st, info, text, needed.value

    # -- element bytes -------------------------------------------------------

    def element_bytes(self, h, np_dtype):
        """The bytes every element of the view reaches, in C order of the view's
        indices, as numpy's ``arr.tobytes()`` of the same view would give them.

        Reads through mm_data with ctypes.string_at over the exact byte extent the
        shape and strides span (never more), so no byte outside the view is read."""
        shape = self.shape_of(h)
        strides = self.strides_of(h)
        itemsize = self.mm_itemsize(h)
        size = 1
        for d in shape:
            size *= d
        if size == 0:
            return b""
        lo = sum(s * (d - 1) for s, d in zip(strides, shape) if s < 0)
        hi = sum(s * (d - 1) for s, d in zip(strides, shape) if s > 0) + itemsize
        data = self.mm_data(h)
        assert data is not None, "mm_data returned NULL for a live handle"
        raw = ctypes.string_at(data + lo, hi - lo)
        arr = np.ndarray(shape, dtype=np.dtype(np_dtype), buffer=raw, offset=-lo,
                         strides=strides)
        return arr.tobytes()

    def numpy_view(self, h, np_dtype, writeable=True):
        """A numpy array over the mapping itself (zero copy), for writing through."""
        shape = self.shape_of(h)
        strides = self.strides_of(h)
        itemsize = self.mm_itemsize(h)
        size = 1
        for d in shape:
            size *= d
        if size == 0:
            return np.ndarray(shape, dtype=np.dtype(np_dtype))
        lo = sum(s * (d - 1) for s, d in zip(strides, shape) if s < 0)
        hi = sum(s * (d - 1) for s, d in zip(strides, shape) if s > 0) + itemsize
        data = self.mm_data(h)
        buf = (ctypes.c_char * (hi - lo)).from_address(data + lo)
        arr = np.ndarray(shape, dtype=np.dtype(np_dtype), buffer=buf, offset=-lo,
                         strides=strides)
        if not writeable:
            arr.flags.writeable = False
        return arr


def numpy_info(m):
    """The same snapshot as MMLib.info, taken from a numpy memmap (or a view of one)."""
    return {
        "ndim": m.ndim,
        "shape": tuple(m.shape),
        "strides": tuple(m.strides),
        "itemsize": m.itemsize,
        "size": m.size,
        "nbytes": m.nbytes,
        "dtype": m.dtype.str,
        "mode": m.mode,
        "offset": m.offset,
        "filename": m.filename,
        "writeable": bool(m.flags.writeable),
        "c_contiguous": bool(m.flags.c_contiguous),
        "f_contiguous": bool(m.flags.f_contiguous),
        "aligned": bool(m.flags.aligned),
        "native": bool(m.dtype.isnative),
    }


def data_address(a):
    """numpy's data pointer of an array."""
    return a.__array_interface__["data"][0]


def fd_count():
    return len(os.listdir("/proc/self/fd"))


def mapped_paths():
    """Paths of files mapped into this process (from /proc/self/maps)."""
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6:
                out.append(parts[5].strip())
    return out
