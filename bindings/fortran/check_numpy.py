"""numpy's side of the Fortran test: `write DIR` creates the inputs, `check DIR` verifies
what test_mmarray wrote."""
import sys

import numpy as np

step, d = sys.argv[1], sys.argv[2]
a0 = (np.arange(12).reshape(3, 4) / 2.0).astype("<f8")
b0 = (100 * np.arange(2)[:, None, None] + 10 * np.arange(3)[None, :, None]
      + np.arange(4)[None, None, :]).astype("<i4")
if step == "write":
    m = np.memmap(d + "/a.f8", dtype="<f8", mode="w+", offset=16, shape=(3, 4), order="F")
    m[:] = a0
    m.flush()
    del m
    b0.tofile(d + "/b.i4")
else:
    a = np.memmap(d + "/a.f8", dtype="<f8", mode="r", offset=16, shape=(3, 4), order="F")
    assert np.array_equal(a, 2 * a0), a
    b = np.fromfile(d + "/b.i4", dtype="<i4").reshape(2, 3, 4)
    want = b0.copy()
    want[1, 2, 3] = -1
    assert np.array_equal(b, want), b
    c = np.memmap(d + "/c.f8", dtype="<f8", mode="r", shape=(3, 4), order="F")
    assert np.array_equal(c, 2 * a0 + 1), c
    import os
    assert os.path.getsize(d + "/c.f8") == 96
    print("numpy: the Fortran program's writes are correct")
