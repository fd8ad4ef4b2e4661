"""A small ctypes shim to append numpy arrays to a .npy file in place through mmarray
(mm_npy_append), from any number of threads and processes, crash-safe.

    lib = ctypes.CDLL("libmmarray.so")
    with NpyAppender(lib, "log.npy") as log:     # the file exists (np.save, mm_create_npy)
        log.append(np.array([[1.0, 2.0, 3.0]]))  # whole rows of the file's dtype
    n = recover(lib, "log.npy")                  # after a crash: count every whole row

The growth axis is axis 0 in C order and the last axis in Fortran order; `append` takes
rows shaped as the file's array with any length along that axis, converts them to the
file's dtype only when numpy can do so safely (else TypeError; a list is converted
directly) and to the file's order,
and raises MMError with the library's status and message on failure.
"""

import ctypes

import numpy as np

_MM_OK = 0


class MMError(Exception):
    def __init__(self, status, message):
        super().__init__("%s (status %d)" % (message, status))
        self.status = status


def _bind(lib):
    sig = {
        "mm_open_npy": (ctypes.c_int32, [ctypes.c_char_p, ctypes.c_char_p,
                                         ctypes.POINTER(ctypes.c_uint64)]),
        "mm_close": (ctypes.c_int32, [ctypes.c_uint64]),
        "mm_npy_append": (ctypes.c_int32, [ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t,
                                           ctypes.c_void_p]),
        "mm_npy_recover": (ctypes.c_int32, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t)]),
        "mm_last_error_message": (ctypes.c_char_p, []),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args


def _fail(lib, status):
    raise MMError(status, lib.mm_last_error_message().decode("utf-8", "replace"))


def recover(lib, path):
    """mm_npy_recover: the header counts every whole row of the file; returns the length."""
    _bind(lib)
    n = ctypes.c_size_t()
    status = lib.mm_npy_recover(str(path).encode(), ctypes.byref(n))
    if status != _MM_OK:
        _fail(lib, status)
    return n.value


class NpyAppender:
    """Appends rows to one .npy file (opened r+ through mm_open_npy; closed by close())."""

    def __init__(self, lib, path):
        _bind(lib)
        self._lib = lib
        header = np.load(path, mmap_mode="r")
        self.dtype = header.dtype
        self.fortran = bool(header.flags.f_contiguous and not header.flags.c_contiguous)
        self._shape = header.shape
        del header
        h = ctypes.c_uint64()
        status = lib.mm_open_npy(str(path).encode(), b"r+", ctypes.byref(h))
        if status != _MM_OK:
            _fail(lib, status)
        self._h = h.value
        if not self._shape:
            self.close()
            raise ValueError("a 0-d array has no rows to append")

    def append(self, rows):
        """Appends `rows` (the file's shape with any length along the growth axis)."""
        if not isinstance(rows, np.ndarray):  # a list: numpy converts to the file's dtype
            rows = np.asarray(rows, dtype=self.dtype)
        if not np.can_cast(rows.dtype, self.dtype, casting="safe"):
            raise TypeError("rows of %s cannot be appended to a file of %s"
                            % (rows.dtype, self.dtype))
        axis = len(self._shape) - 1 if self.fortran else 0
        rest = tuple(d for i, d in enumerate(self._shape) if i != axis)
        got = tuple(d for i, d in enumerate(rows.shape) if i != axis)
        if rows.ndim != len(self._shape) or got != rest:
            raise ValueError("rows of shape %s do not fit a file of shape %s (growth axis %d)"
                             % (rows.shape, self._shape, axis))
        data = np.require(rows.astype(self.dtype, copy=False),
                          requirements="F" if self.fortran else "C")
        status = self._lib.mm_npy_append(self._h, data.ctypes.data, rows.shape[axis], None)
        if status != _MM_OK:
            _fail(self._lib, status)

    def close(self):
        if self._h:
            self._lib.mm_close(self._h)
            self._h = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
