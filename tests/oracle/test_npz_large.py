"""Archives whose central directory starts past 2 GiB (sparse files: the zeros are
holes, so the test needs no disk space to speak of).

Python's zipfile (and so np.savez) writes zip64 end records between the central
directory and the end record once the directory starts past 2 GiB - 1, but keeps the
real offset in the 32-bit field while it is below 4 GiB. A reader that trusts only the
32-bit end record reads on into the zip64 record; mmarray refused every such archive
(2 to 4 GiB) until its reader stopped at the stated entry count.
"""

import io
import os
import sys
import zipfile

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import MM_OK, load_lib  # noqa: E402


class SparseFile(io.RawIOBase):
    """A writable file whose all-zero blocks become holes (seek instead of write)."""

    def __init__(self, path):
        self.f = open(path, "w+b")

    def writable(self):
        return True

    def seekable(self):
        return True

    def write(self, b):
        b = memoryview(b).cast("B")
        if len(b) >= 4096 and not any(b[:: 512]) and b.tobytes().count(0) == len(b):
            self.f.seek(len(b), io.SEEK_CUR)
        else:
            self.f.write(b)
        return len(b)

    def seek(self, pos, whence=io.SEEK_SET):
        return self.f.seek(pos, whence)

    def tell(self):
        return self.f.tell()

    def flush(self):
        if not self.f.closed:
            self.f.flush()

    def close(self):
        if not self.f.closed:
            end = self.f.tell()
            self.f.seek(0, io.SEEK_END)
            if self.f.tell() < end:
                self.f.truncate(end)
            self.f.close()
        super().close()


@pytest.fixture(scope="module")
def lib():
    return load_lib()


@pytest.mark.parametrize("mib", [2049, 4097])
def test_archives_past_2_gib_open(lib, tmp_path, mib):
    path = str(tmp_path / "big.npz")
    n = mib * 1024 * 1024 // 8
    big = np.zeros(n, dtype="<f8")  # untouched pages: no memory used
    small = np.arange(5, dtype=">i2")
    with SparseFile(path) as f:
        np.savez(f, big=big, small=small)
    size = os.path.getsize(path)
    assert size > mib * 1024 * 1024
    assert os.stat(path).st_blocks * 512 < 64 * 1024 * 1024, "the archive is not sparse"
    with zipfile.ZipFile(path) as z:
        directory = z.start_dir
    assert directory > 2**31  # the case under test
    st, names = lib.npz_names(path)
    assert st == MM_OK, lib.error()
    assert names == ["big", "small"]
    for name, want in [("big", big), ("small", small)]:
        st, h = lib.open_npz(path, name, "r")
        assert st == MM_OK, lib.error()
        try:
            assert lib.shape_of(h) == want.shape
            got = lib.numpy_view(h, want.dtype)
            if name == "small":
                assert got.tolist() == want.tolist()
            else:
                assert got[0] == 0 and got[-1] == 0 and got[n // 2] == 0
            del got
        finally:
            assert lib.mm_close(h) == MM_OK
    # numpy agrees on the names and the small member
    with np.load(path) as z:
        assert z.files == names
        assert z["small"].tolist() == small.tolist()
