"""Archives written by numpy 1.x (issue 12: "every archive np.savez and
np.savez_compressed write, numpy 1.x and 2.x").

numpy 1.26.4 runs in a venv of its own (build/numpy1-venv, made once from PyPI; set
MMARRAY_NUMPY1_PYTHON to use another interpreter that has numpy 1.x). It writes stored
and deflated archives of several dtypes, shapes and orders; mmarray lists and opens every
member and must see what numpy 2.4.6's np.load sees, with a stored member mapped at its
data offset. (numpy 1.26 already pads .npy headers as 2.x does; what this guards is
that archives from the numpy 1.x line, zip writing included, read the same.)
"""

import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import MM_OK, load_lib  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NUMPY1 = "numpy==1.26.4"

WRITER = r'''
import sys
import numpy as np
assert np.__version__.startswith("1."), np.__version__
out = sys.argv[1]
rng = np.random.default_rng(7)
arrays = {
    "f8": rng.standard_normal((3, 5)),
    "f8_F": np.asfortranarray(rng.standard_normal((4, 2, 3))),
    "be_i4": (np.arange(12, dtype=">i4") - 5).reshape(3, 4),
    "u1": np.arange(7, dtype="|u1"),
    "empty": np.zeros((0, 3), dtype="<f4"),
    "scalar": np.array(2.5),
    "c16": rng.standard_normal(4) + 1j * rng.standard_normal(4),
    "rec": np.array([(1, 2.0, b"ab"), (3, 4.5, b"cd")],
                    dtype=[("a", "<i4"), ("b", ">f8"), ("s", "S2")]),
    "nested/é": np.arange(6, dtype="<i2").reshape(2, 3),
}
np.savez(out + "/stored.npz", **arrays)
np.savez_compressed(out + "/deflated.npz", **arrays)
print(np.__version__)
'''


@pytest.fixture(scope="session")
def numpy1_python():
    python = os.environ.get("MMARRAY_NUMPY1_PYTHON")
    if python:
        return python
    venv = os.path.join(ROOT, "build", "numpy1-venv")
    python = os.path.join(venv, "bin", "python")
    marker = os.path.join(venv, ".numpy1")
    if not os.path.exists(marker):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        r = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                            NUMPY1], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail("cannot install %s from PyPI into %s (needed to write numpy 1.x "
                        "archives): %s" % (NUMPY1, venv, r.stderr[-2000:]))
        open(marker, "w").close()
    return python


@pytest.fixture(scope="module")
def archives(numpy1_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("numpy1")
    r = subprocess.run([numpy1_python, "-c", WRITER, str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1.26.4", r.stdout
    return out


@pytest.fixture(scope="module")
def lib():
    return load_lib()


def data_offset(path, member):
    """Where the member's array data starts in the archive, from the local header."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        name_len = int.from_bytes(local[26:28], "little")
        extra_len = int.from_bytes(local[28:30], "little")
        start = info.header_offset + 30 + name_len + extra_len
        f.seek(start)
        major, _ = np.lib.format.read_magic(f)
        if major == 1:
            np.lib.format.read_array_header_1_0(f)
        else:
            np.lib.format.read_array_header_2_0(f)
        return f.tell()


@pytest.mark.parametrize("kind", ["stored", "deflated"])
def test_numpy1_archives_open_as_numpy2_loads_them(lib, archives, kind):
    path = str(archives / (kind + ".npz"))
    st, names = lib.npz_names(path)
    assert st == MM_OK, lib.error()
    with np.load(path) as npz:
        assert names == npz.files
        assert len(names) == 9
        for name in names:
            want = npz[name]
            st, h = lib.open_npz(path, name, "r")
            assert st == MM_OK, (name, lib.error())
            try:
                assert lib.shape_of(h) == want.shape, name
                got = lib.numpy_view(h, want.dtype)
                assert got.dtype == want.dtype, name
                assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), name
                if kind == "stored":
                    assert lib.mm_offset(h) == data_offset(path, name + ".npy"), name
                else:
                    assert lib.mm_offset(h) == 0, name
            finally:
                assert lib.mm_close(h) == MM_OK
