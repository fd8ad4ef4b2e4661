# Python/numpy: a mapped array handed over through DLPack, without a copy.
import ctypes
import sys

import numpy as np

from mmarray_dlpack import MMDLPack

lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else "libmmarray.so.0")
np.arange(6, dtype="<f8").tofile("example.f8")
shape = (ctypes.c_size_t * 2)(2, 3)
h = ctypes.c_uint64()
assert lib.mm_open(b"example.f8", b"<f8", b"r+", ctypes.c_uint64(0), shape,
                   ctypes.c_size_t(2), ctypes.c_char(b"C"), ctypes.byref(h)) == 0
a = np.from_dlpack(MMDLPack(lib, h.value))  # shares the mapping
lib.mm_close(ctypes.c_uint64(h.value))       # the tensor keeps the mapping alive
a[1, 2] = 42.0                                # lands in the file
del a
print(np.fromfile("example.f8", dtype="<f8"))  # [ 0.  1.  2.  3.  4. 42.]
