"""Fixtures for the oracle suite: the library under test and helpers shared by tests."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from mmarray_ctypes import DEFAULT_LIB, MMLib  # noqa: E402


@pytest.fixture(scope="session")
def mm():
    path = os.environ.get("MMARRAY_LIB", DEFAULT_LIB)
    if not os.path.exists(path):
        pytest.fail("library not found: %s (build it with cargo build --release, "
                    "or set MMARRAY_LIB)" % path)
    lib = MMLib(path)
    return lib


def pytest_report_header(config):
    return ["mmarray library: %s" % os.environ.get("MMARRAY_LIB", DEFAULT_LIB),
            "numpy %s" % np.__version__]


# ---------------------------------------------------------------- helpers

def make_values(dtype, n, rng):
    """n well-formed values of dtype, as numpy would write them."""
    dt = np.dtype(dtype)
    k = dt.kind
    if k == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif k in "iu":
        info = np.iinfo(dt)
        v = rng.integers(info.min, info.max, n, dtype=dt.newbyteorder("="), endpoint=True)
    elif k == "f":
        v = rng.standard_normal(n) * 1000
        if n >= 3:
            v[0], v[1], v[2] = np.inf, -0.0, np.nan
    elif k == "c":
        v = rng.standard_normal(n) * 100 + 1j * rng.standard_normal(n)
    elif k == "S":
        v = np.array([bytes(rng.integers(32, 127, rng.integers(0, dt.itemsize + 1)).astype(np.uint8))
                      for _ in range(n)], dtype=dt)
    elif k == "U":
        nch = dt.itemsize // 4
        v = np.array(["".join(chr(int(c)) for c in rng.integers(0x20, 0x3000, rng.integers(0, nch + 1)))
                      for _ in range(n)], dtype=dt)
    elif k == "V":
        v = np.frombuffer(rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes(),
                          dtype=dt)
    elif k in "Mm":
        v = rng.integers(-(2**62), 2**62, n).astype(np.int64).view(dt.newbyteorder("="))
    else:
        raise AssertionError("no generator for %r" % dtype)
    return np.asarray(v).astype(dt)


def file_state(path):
    """(exists, size, bytes) of a file, for 'unchanged' checks."""
    p = os.fspath(path)
    if not os.path.lexists(p):
        return (False, None, None)
    if os.path.isdir(p):
        return ("directory", None, tuple(sorted(os.listdir(p))))
    with open(p, "rb") as f:
        data = f.read()
    return (True, os.path.getsize(p), data)


def dir_listing(path):
    return sorted(os.listdir(path))


def random_bytes(rng, n):
    return rng.integers(0, 256, n, dtype=np.uint8).tobytes()
