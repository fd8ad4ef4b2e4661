"""The PEP 517 build backend of the mmarray Python package: writes the pure-Python wheel
(mmarray/*.py and its metadata) with nothing but the standard library, so that
`pip install ./bindings/python` works offline, without setuptools or wheel."""

import base64
import hashlib
import os
import zipfile

NAME, VERSION = "mmarray", "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = "%s-%s.dist-info" % (NAME, VERSION)
METADATA = """Metadata-Version: 2.1
Name: mmarray
Version: 0.1.0
Summary: numpy.memmap semantics from C: a ctypes binding of the mmarray library
Requires-Python: >=3.8
Provides-Extra: numpy
Requires-Dist: numpy>=2.1; extra == "numpy"
"""
WHEEL = """Wheel-Version: 1.0
Generator: mmarray_build
Root-Is-Purelib: true
Tag: py3-none-any
"""


def _files():
    pkg = os.path.join(ROOT, NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py"):
            with open(os.path.join(pkg, name), "rb") as f:
                yield "%s/%s" % (NAME, name), f.read()
    yield DIST + "/METADATA", METADATA.encode()
    yield DIST + "/WHEEL", WHEEL.encode()


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in _files():
            z.writestr(path, data)
            record.append("%s,%s,%d" % (path, _digest(data), len(data)))
        record.append(DIST + "/RECORD,,")
        z.writestr(DIST + "/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, DIST)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(METADATA)
    with open(os.path.join(d, "WHEEL"), "w") as f:
        f.write(WHEEL)
    return DIST
