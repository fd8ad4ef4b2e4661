"""pip install ./bindings/python into a fresh virtual environment, then use the package
from there (not from the source tree) against the library in $MMARRAY_LIB: opening,
describing, errors as OSErrors with errno, guarded copies, views, .npy/.npz, fields, and
DLPack to numpy (numpy from the running interpreter, made visible to the venv by a .pth
file; numpy >= 2.1 is needed for DLPack 1.x). Then the same package with numpy 1.26.4
(build/numpy1-venv, as tests/oracle/test_npz_numpy1.py makes it; MMARRAY_NUMPY1_PYTHON
names another numpy 1.x interpreter): np.from_dlpack is refused with the documented
BufferError, and the refusal leaves no handle and no mapping behind.

    MMARRAY_LIB=<prefix>/lib/libmmarray.so.0 .venv/bin/python -m pytest -q bindings/python/test_package.py
"""

import os
import subprocess
import sys
import sysconfig
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NUMPY1 = "numpy==1.26.4"

USE = textwrap.dedent(r'''
    import errno, os, sys
    import numpy as np
    import mmarray
    assert os.path.dirname(mmarray.__file__).startswith(sys.prefix), mmarray.__file__
    d = sys.argv[1]
    p = os.path.join(d, "a.bin")
    with mmarray.open(p, "<i4", "w+", offset=8, shape=(3, 4)) as a:
        info, dt = a.describe()
        assert (dt, a.shape, a.strides, a.mode, a.offset) == ("<i4", (3, 4), (16, 4), "w+", 8)
        assert (info.size, info.nbytes, a.scalar_kind) == (12, 48, "int32")
        assert a.flags == mmarray.WRITEABLE | mmarray.C_CONTIGUOUS | mmarray.ALIGNED | mmarray.NATIVE_ORDER
        x = np.from_dlpack(a)
        x[:] = np.arange(12, dtype="<i4").reshape(3, 4)
        a.write_at(4, (99).to_bytes(4, "little"))
        assert a.read_at(0, 8) == bytes([0, 0, 0, 0, 99, 0, 0, 0])
        r = a.slice(1, None, None, -1)
        assert (r.shape, r.strides) == ((3, 4), (16, -4))
        assert np.from_dlpack(r)[0, 0] == 3
        r.close()
        a.flush()
    assert os.path.getsize(p) == 8 + 48
    m = np.memmap(p, dtype="<i4", mode="r", offset=8, shape=(3, 4))
    assert m[0, 1] == 99 and m[2, 3] == 11
    with mmarray.open(p, "<i4", "r", offset=8, shape=(3, 4)) as ro:
        try:
            np.from_dlpack(ro)[0, 0] = 1
            raise SystemExit("wrote to a read-only DLPack export")
        except ValueError:
            pass
        try:
            ro.write_at(0, b"x")
            raise SystemExit("write_at on mode r")
        except mmarray.Error as e:
            assert e.status == mmarray.E_READ_ONLY and e.errno == 0, e
    # Errors are OSErrors with errno.
    try:
        mmarray.open(os.path.join(d, "missing.bin"), "<f8", "r")
        raise SystemExit("no error")
    except FileNotFoundError as e:
        assert isinstance(e, mmarray.NotFoundError) and isinstance(e, OSError)
        assert e.errno == errno.ENOENT and e.status == mmarray.E_NOT_FOUND
        assert "missing.bin" in e.strerror
    try:
        mmarray.open(p, "<q9", "r")
        raise SystemExit("no error")
    except mmarray.Error as e:
        assert e.status == mmarray.E_INVALID_ARG and e.errno == 0
    # .npy and .npz, records.
    n = os.path.join(d, "r.npy")
    with mmarray.create_npy(n, "[('x', '<f4'), ('y', '<i8', (2,))]", (2,)) as c:
        assert c.fields() == [("x", "<f4", 0, ()), ("y", "<i8", 4, (2,))]
        assert c.scalar_kind == "other"
        c.flush()
    z = os.path.join(d, "z.npz")
    with mmarray.open_npy(n, "r") as c, mmarray.open(p, "<i4", "r", 8, (3, 4)) as a:
        mmarray.save_npz(z, {"r": c, "a": a})
    assert mmarray.npz_names(z) == ["r", "a"]
    with mmarray.open_npz(z, "a") as a:
        assert np.from_dlpack(a)[2, 3] == 11
    assert mmarray.handle_count() == 0, mmarray.handle_count()
    print("package ok", mmarray.version(), "numpy", np.__version__)
''')


def run(*cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, "%s\n%s\n%s" % (cmd, r.stdout, r.stderr)
    return r.stdout


def test_pip_install_into_a_venv_and_use(tmp_path):
    lib = os.environ.get("MMARRAY_LIB")
    if not lib:
        pytest.fail("set MMARRAY_LIB to the installed libmmarray.so.0 under test")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    py = str(venv / "bin" / "python")
    # Offline: the in-tree backend needs nothing from an index.
    run(py, "-m", "pip", "install", "-q", "--no-index", HERE)
    assert "Name: mmarray\nVersion: 0.1.0" in run(py, "-m", "pip", "show", "mmarray")
    # numpy for the DLPack checks: the running interpreter's, through a .pth file.
    site = run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    with open(os.path.join(site, "numpy_from_host.pth"), "w") as f:
        f.write(os.path.dirname(os.path.dirname(__import__("numpy").__file__)) + "\n")
    work = tmp_path / "work"
    work.mkdir()
    out = run(py, "-c", USE, str(work), env=dict(os.environ, MMARRAY_LIB=lib), cwd=str(work))
    assert out.startswith("package ok"), out
    # Without MMARRAY_LIB nor a library the loader knows, the import says what to do.
    env = {k: v for k, v in os.environ.items() if k not in ("MMARRAY_LIB", "LD_LIBRARY_PATH")}
    r = subprocess.run([py, "-c", "import mmarray"], capture_output=True, text=True, env=env,
                       cwd=str(work))
    if r.returncode == 0:
        pytest.skip("a libmmarray is installed system-wide; the not-found message is not checked")
    assert "set MMARRAY_LIB" in r.stderr, r.stderr


# numpy 1.26 calls a.__dlpack__(stream=None) without max_version: the package refuses
# (it makes DLPack 1.x capsules only), before mm_to_dlpack is called, so nothing is
# exported; the array stays usable and closing it leaves no handle and no mapping.
USE_NUMPY1 = textwrap.dedent(r'''
    import gc, os, sys
    import numpy as np
    import mmarray
    assert np.__version__ == "1.26.4", np.__version__
    assert os.path.dirname(mmarray.__file__).startswith(sys.prefix), mmarray.__file__
    WANT = ("mmarray exports DLPack 1.x (DLManagedTensorVersioned) only: "
            "use numpy >= 2.1 (np.from_dlpack asks for it there)")

    def mappings(path):
        with open("/proc/self/maps") as f:
            return sum(line.rstrip("\n").endswith(path) for line in f)

    p = os.path.realpath(os.path.join(sys.argv[1], "a.f8"))
    a = mmarray.open(p, "<f8", "w+", shape=(2, 3))
    assert (mmarray.handle_count(), mappings(p)) == (1, 1)
    for call in (lambda: np.from_dlpack(a), lambda: a.__dlpack__(),
                 lambda: a.__dlpack__(max_version=(0, 8))):
        for _ in range(100):
            try:
                call()
                raise SystemExit("DLPack export did not refuse on numpy 1.26")
            except BufferError as e:
                assert type(e) is BufferError and str(e) == WANT, repr(e)
    gc.collect()
    assert (mmarray.handle_count(), mappings(p)) == (1, 1)
    a.write_at(0, np.float64(1.5).tobytes())  # still usable after the refusals
    a.close()
    gc.collect()
    assert (mmarray.handle_count(), mappings(p)) == (0, 0)
    assert np.fromfile(p, dtype="<f8").tolist() == [1.5, 0, 0, 0, 0, 0]
    print("numpy 1.26 refused:", WANT)
''')


def numpy1_python():
    """numpy 1.26.4's interpreter: $MMARRAY_NUMPY1_PYTHON, else build/numpy1-venv, made
    once from PyPI exactly as tests/oracle/test_npz_numpy1.py makes it."""
    python = os.environ.get("MMARRAY_NUMPY1_PYTHON")
    if python:
        return python
    venv = os.path.join(ROOT, "build", "numpy1-venv")
    python = os.path.join(venv, "bin", "python")
    marker = os.path.join(venv, ".numpy1")
    if not os.path.exists(marker):
        run(sys.executable, "-m", "venv", venv)
        r = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                            NUMPY1], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail("cannot install %s from PyPI into %s (needed for the DLPack refusal "
                        "test): %s" % (NUMPY1, venv, r.stderr[-2000:]))
        open(marker, "w").close()
    return python


def test_dlpack_on_numpy_1_26_is_refused_with_the_version(tmp_path):
    lib = os.environ.get("MMARRAY_LIB")
    if not lib:
        pytest.fail("set MMARRAY_LIB to the installed libmmarray.so.0 under test")
    np1 = numpy1_python()
    venv = tmp_path / "venv"
    run(np1, "-m", "venv", str(venv))  # the same base interpreter as numpy 1.26's
    py = str(venv / "bin" / "python")
    run(py, "-m", "pip", "install", "-q", "--no-index", HERE)
    site = run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    numpy_dir = run(np1, "-c", "import numpy, os; print(os.path.dirname(os.path.dirname("
                    "numpy.__file__)))").strip()
    with open(os.path.join(site, "numpy1_from_host.pth"), "w") as f:
        f.write(numpy_dir + "\n")
    work = tmp_path / "work"
    work.mkdir()
    out = run(py, "-X", "faulthandler", "-c", USE_NUMPY1, str(work),
              env=dict(os.environ, MMARRAY_LIB=lib), cwd=str(work))
    assert out.startswith("numpy 1.26 refused: mmarray exports DLPack 1.x"), out
