"""Part 3 of the oracle: mm_slice and mm_view against numpy slicing, transposes,
reshapes, reversals and dtype reinterpretation of the same memmap. "The contract" below
is docs/c-api.md#views."""

import itertools
import os
import zlib

import numpy as np
import pytest

from conftest import make_values, random_bytes
from mmarray_ctypes import (INT64_MAX, INT64_MIN, MM_E_BAD_HANDLE, MM_E_INVALID_ARG,
                            MM_E_OUT_OF_BOUNDS, MM_OK, data_address, numpy_info,
                            status_name)

BASES = [
    # (dtype, offset, shape, order, mode)
    ("<i4", 0, (10,), "C", "r"),
    (">f8", 3, (4, 5), "C", "r+"),
    ("u1", 4097, (3, 4, 5), "F", "c"),
    ("<c16", 8, (6, 3), "F", "r"),
    ("|S5", 1, (2, 3, 4), "C", "r+"),
    ("<i2", 4096, (0, 3), "C", "r"),
    ("<f8", 0, (1, 7), "C", "r"),
    ("<u2", 2, (5, 1, 3), "F", "r+"),
]


def _bid(b):
    return "%s-off%d-%s-%s-%s" % (b[0], b[1], "x".join(map(str, b[2])), b[3], b[4])


def open_pair(mm, tmp_path, base, seed):
    dt, offset, shape, order, mode = base
    rng = np.random.default_rng(seed)
    path = str(tmp_path / "data.bin")
    n = int(np.prod(shape, dtype=np.int64))
    vals = make_values(dt, n, rng).reshape(shape)
    with open(path, "wb") as f:
        f.write(random_bytes(rng, offset))
        f.write(np.asarray(vals).tobytes(order=order))
        f.write(random_bytes(rng, 9))
    ref = np.memmap(path, dtype=dt, mode=mode, offset=offset, shape=shape, order=order)
    st, h = mm.open(path, dt, mode, offset, shape, order)
    assert st == MM_OK, mm.last_error()
    return ref, h


def view_info(npv, np_base):
    """numpy's answer for a view.  offset, mode and filename come from the root memmap:
    numpy drops them (and even the memmap type) for zero-size results, which share no
    memory; the contract says every view inherits them."""
    want = numpy_info(np.asarray(npv).view(np.memmap) if not isinstance(npv, np.memmap) else npv)
    want["offset"], want["mode"], want["filename"] = np_base.offset, np_base.mode, np_base.filename
    return want


def check_view(mm, h, h_base, npv, np_base, dt, what):
    """A handle and a numpy view of the same thing must agree in every respect."""
    got = mm.info(h)
    want = view_info(npv, np_base)
    assert got == want, what
    if npv.size:
        # position of the first element relative to the base's first element
        assert (mm.mm_data(h) - mm.mm_data(h_base)) == (data_address(npv) - data_address(np_base)), what
    assert mm.mm_data(h) is not None, what
    assert mm.element_bytes(h, npv.dtype) == npv.tobytes(), what


# ---------------------------------------------------------------- slices

SPECIAL = [None, 0, 1, 2, -1, -2, 3, -3, 5, -5, 7, 100, -100, 2**62, -(2**62),
           INT64_MAX, INT64_MIN]


def rand_bound(rng):
    return SPECIAL[rng.integers(len(SPECIAL))] if rng.random() < 0.6 else int(rng.integers(-12, 13))


def rand_step(rng):
    return [1, 1, 2, 3, -1, -1, -2, -3, 7, -7, None, 11, -11][rng.integers(13)]


def c_bounds(start, stop, step):
    """The contract's convention for an omitted bound / step."""
    step = 1 if step is None else step
    if start is None:
        start = INT64_MIN if step > 0 else INT64_MAX
    if stop is None:
        stop = INT64_MAX if step > 0 else INT64_MIN
    return start, stop, step


@pytest.mark.parametrize("base", BASES, ids=[_bid(b) for b in BASES])
@pytest.mark.parametrize("seed", range(6))
def test_random_slices(mm, tmp_path, base, seed):
    rng = np.random.default_rng(zlib.crc32(("%s-%d" % (_bid(base), seed)).encode()))
    ref, h0 = open_pair(mm, tmp_path, base, seed)
    handles = [h0]
    errors = []
    try:
        for chain in range(8):
            npv, h = ref, h0
            for depth in range(int(rng.integers(1, 4))):
                if npv.ndim == 0:
                    break
                axis = int(rng.integers(npv.ndim))
                start, stop, step = rand_bound(rng), rand_bound(rng), rand_step(rng)
                key = (slice(None),) * axis + (slice(start, stop, step),)
                want = npv[key]
                cs = c_bounds(start, stop, step)
                st, hv = mm.slice(h, axis, *cs)
                what = "mm_slice(axis=%d, %d, %d, %d) of shape %s (numpy [%s])" % (
                    axis, cs[0], cs[1], cs[2], npv.shape, key)
                assert st == MM_OK, "%s -> %s: %s" % (what, status_name(st), mm.last_error())
                handles.append(hv)
                # collect every mismatch of the chain (and go on) rather than stop at
                # the first, so one deviation does not hide the others
                try:
                    check_view(mm, hv, h0, want, ref, base[0], what)
                except AssertionError as e:
                    got, exp = mm.info(hv), view_info(want, ref)
                    diff = {k: (got[k], exp[k]) for k in got if got[k] != exp[k]}
                    errors.append("%s: (mmarray, numpy) differ in %s" % (what, diff or e))
                npv, h = want, hv
        assert not errors, "%d mismatches:\n%s" % (len(errors), "\n".join(errors))
    finally:
        for x in reversed(handles):
            assert mm.mm_close(x) == MM_OK


@pytest.mark.parametrize("base", BASES, ids=[_bid(b) for b in BASES])
def test_slice_errors(mm, tmp_path, base):
    ref, h = open_pair(mm, tmp_path, base, 0)
    try:
        nd = ref.ndim
        for axis in range(nd):
            st, out = mm.slice(h, axis, 0, 1, 0)
            assert (st, out) == (MM_E_INVALID_ARG, 0), "step 0 on axis %d" % axis
            assert mm.last_error().startswith("mm_slice(")
        for axis in (nd, nd + 1, 2**63, 2**64 - 1):
            st, out = mm.slice(h, axis, INT64_MIN, INT64_MAX, 1)
            assert (st, out) == (MM_E_INVALID_ARG, 0), "axis %d of ndim %d" % (axis, nd)
            assert mm.last_error().startswith("mm_slice(")
        st, out = mm.slice(0, 0, INT64_MIN, INT64_MAX, 1)
        assert (st, out) == (MM_E_BAD_HANDLE, 0)
    finally:
        assert mm.mm_close(h) == MM_OK


def test_slice_of_0d_is_invalid(mm, tmp_path):
    path = str(tmp_path / "x.bin")
    np.arange(3, dtype="<f8").tofile(path)
    st, h = mm.open(path, "<f8", "r", 8, (), "C")
    assert st == MM_OK, mm.last_error()
    try:
        st, out = mm.slice(h, 0, INT64_MIN, INT64_MAX, 1)
        assert (st, out) == (MM_E_INVALID_ARG, 0)
    finally:
        assert mm.mm_close(h) == MM_OK


# ---------------------------------------------------------------- transposes, reshapes, reversal


@pytest.mark.parametrize("base", BASES, ids=[_bid(b) for b in BASES])
def test_transposes(mm, tmp_path, base):
    ref, h = open_pair(mm, tmp_path, base, 1)
    handles = [h]
    try:
        perms = list(itertools.permutations(range(ref.ndim)))
        for perm in perms:
            want = ref.transpose(perm)
            st, hv = mm.view(h, None, 0, want.shape, want.strides)
            assert st == MM_OK, "transpose %s: %s %s" % (perm, status_name(st), mm.last_error())
            handles.append(hv)
            check_view(mm, hv, h, want, ref, base[0], "transpose %s" % (perm,))
        want = ref.T
        st, hv = mm.view(h, None, 0, want.shape, want.strides)
        assert st == MM_OK
        handles.append(hv)
        check_view(mm, hv, h, want, ref, base[0], ".T")
    finally:
        for x in reversed(handles):
            assert mm.mm_close(x) == MM_OK


@pytest.mark.parametrize("base", BASES, ids=[_bid(b) for b in BASES])
def test_reversal_and_negative_strides(mm, tmp_path, base):
    ref, h = open_pair(mm, tmp_path, base, 2)
    handles = [h]
    try:
        for axis in range(ref.ndim):
            key = (slice(None),) * axis + (slice(None, None, -1),)
            want = ref[key]
            off = data_address(want) - data_address(ref)
            st, hv = mm.view(h, None, off, want.shape, want.strides)
            if want.size == 0:
                # zero elements reach no byte: any offset is fine
                assert st == MM_OK, mm.last_error()
            else:
                assert st == MM_OK, "reverse axis %d: %s %s" % (axis, status_name(st), mm.last_error())
            handles.append(hv)
            if want.size:
                check_view(mm, hv, h, want, ref, base[0], "reverse axis %d" % axis)
            # one byte further would leave the array
            if want.size and want.shape[axis] > 1:
                bad = list(want.strides)
                st2, hv2 = mm.view(h, None, off + 1, want.shape, bad)
                assert (st2, hv2) == (MM_E_OUT_OF_BOUNDS, 0), "reverse axis %d, one byte on" % axis
                assert mm.last_error().startswith("mm_view(")
    finally:
        for x in reversed(handles):
            assert mm.mm_close(x) == MM_OK


@pytest.mark.parametrize("base", BASES, ids=[_bid(b) for b in BASES])
def test_reshapes(mm, tmp_path, base):
    dt, offset, shape, order, mode = base
    ref, h = open_pair(mm, tmp_path, base, 3)
    handles = [h]
    n = ref.size
    flat = ref.reshape(-1, order=order)  # a view: the file is contiguous in `order`
    assert np.shares_memory(flat, ref) or n == 0
    try:
        shapes = [(n,), (1, n), (n, 1)]
        if n % 2 == 0 and n:
            shapes += [(2, n // 2), (n // 2, 1, 2)]
        for s in shapes:
            want = flat.reshape(s)  # C-contiguous view over the same bytes
            assert want.flags.c_contiguous
            st, hv = mm.view(h, None, 0, s, None)  # strides NULL: C-contiguous
            assert st == MM_OK, "reshape %s: %s %s" % (s, status_name(st), mm.last_error())
            handles.append(hv)
            if order == "C" or ref.ndim <= 1 or n == 0:
                check_view(mm, hv, h, want, ref, dt, "reshape %s" % (s,))
            else:
                # F-ordered base: the C-contiguous view over the same bytes is the
                # F-flattening, reshaped in C order
                check_view(mm, hv, h, want, ref, dt, "reshape %s of F base" % (s,))
        # a shape that needs one element more reaches past the array
        st, hv = mm.view(h, None, 0, (n + 1,), None)
        assert (st, hv) == (MM_E_OUT_OF_BOUNDS, 0)
        assert mm.last_error().startswith("mm_view(")
    finally:
        for x in reversed(handles):
            assert mm.mm_close(x) == MM_OK


# ---------------------------------------------------------------- dtype reinterpretation

REINTERPRET = [
    # (base dtype, base shape, new dtype)
    ("<f8", (3, 4), "<i4"),
    ("<f8", (3, 4), ">u2"),
    ("<f8", (3, 4), "u1"),
    ("<i4", (6,), "<i8"),
    ("<i4", (2, 6), "<c8"),
    ("u1", (4, 16), "<f16"),
    ("u1", (4, 16), "|V8"),
    ("u1", (4, 16), "|S4"),
    (">c16", (5,), ">f8"),
    ("|b1", (8,), "<i2"),
    ("<u2", (3, 6), "<U1"),
    ("<m8[s]", (4,), "<M8[ns]"),
]


@pytest.mark.parametrize("case", REINTERPRET, ids=["%s-%s-%s" % (a, "x".join(map(str, b)), c) for a, b, c in REINTERPRET])
@pytest.mark.parametrize("offset", [0, 5])
def test_dtype_reinterpretation(mm, tmp_path, case, offset):
    dt, shape, new = case
    base = (dt, offset, shape, "C", "r")
    ref, h = open_pair(mm, tmp_path, base, 4)
    handles = [h]
    try:
        want = ref.view(new)
        # explicit strides as numpy has them
        st, hv = mm.view(h, new, 0, want.shape, want.strides)
        assert st == MM_OK, "view(%s): %s %s" % (new, status_name(st), mm.last_error())
        handles.append(hv)
        check_view(mm, hv, h, want, ref, new, "view(%s)" % new)
        # strides NULL: C-contiguous
        st, hv = mm.view(h, new, 0, want.shape, None)
        assert st == MM_OK
        handles.append(hv)
        check_view(mm, hv, h, want, ref, new, "view(%s), strides NULL" % new)
        # the reinterpretation of a slice (a[1:] is contiguous, starts one row later)
        k = 2 if ref.ndim == 1 else 1  # keep the last axis a whole number of new items
        if ref.shape[0] > k:
            sub = ref[k:]
            want2 = sub.view(new)
            st, hs = mm.slice(h, 0, k, INT64_MAX, 1)
            assert st == MM_OK
            handles.append(hs)
            st, hv = mm.view(hs, new, 0, want2.shape, want2.strides)
            assert st == MM_OK, mm.last_error()
            handles.append(hv)
            check_view(mm, hv, h, want2, ref, new, "a[%d:].view(%s)" % (k, new))
    finally:
        for x in reversed(handles):
            assert mm.mm_close(x) == MM_OK


def test_dtype_null_keeps_base_dtype(mm, tmp_path):
    ref, h = open_pair(mm, tmp_path, (">f8", 3, (4, 5), "C", "r"), 5)
    try:
        st, hv = mm.view(h, None, 40, (3, 5), None)
        assert st == MM_OK
        check_view(mm, hv, h, ref[1:], ref, ">f8", "rows 1..")
        assert mm.mm_close(hv) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK


# ---------------------------------------------------------------- bounds of views


def test_view_bounds_are_the_arrays_not_the_base_views(mm, tmp_path):
    """Bounds are the whole array as opened, whatever view `base` is."""
    ref, h = open_pair(mm, tmp_path, ("<i4", 4, (10,), "C", "r+"), 6)
    handles = [h]
    try:
        st, hs = mm.slice(h, 0, 4, 6, 1)  # elements 4, 5
        assert st == MM_OK
        handles.append(hs)
        # from the slice, reach back to element 0 and forward to element 9
        st, hv = mm.view(hs, None, -16, (10,), None)
        assert st == MM_OK, mm.last_error()
        handles.append(hv)
        check_view(mm, hv, h, ref, ref, "<i4", "whole array through a slice")
        for off, shape, strides in [(-20, (1,), None),      # one element before the array
                                    (24, (1,), None),       # one element after it
                                    (-16, (11,), None),     # one element too many
                                    (-16, (2,), (40,)),     # stride jumps out
                                    (-17, (10,), None),     # one byte before
                                    (-15, (10,), None),     # one byte after
                                    (0, (2,), (-20,))]:     # negative stride leaves it
            st, hv = mm.view(hs, None, off, shape, strides)
            assert (st, hv) == (MM_E_OUT_OF_BOUNDS, 0), (off, shape, strides)
            assert mm.last_error().startswith("mm_view(")
        # zero elements reach no byte, wherever they start
        for off in (-1000, 0, 10**6):
            st, hv = mm.view(hs, None, off, (0, 3), None)
            assert st == MM_OK, (off, mm.last_error())
            handles.append(hv)
            assert mm.mm_size(hv) == 0 and mm.mm_data(hv) is not None
        # byte-level windows: u1 view of the 40 array bytes, and of the 4 prefix bytes
        st, hv = mm.view(hs, "u1", -16, (40,), None)
        assert st == MM_OK, mm.last_error()
        handles.append(hv)
        assert mm.element_bytes(hv, "u1") == ref.tobytes()
        st, hv = mm.view(hs, "u1", -17, (1,), None)
        assert (st, hv) == (MM_E_OUT_OF_BOUNDS, 0)
        # overflow in the extent is not a crash
        st, hv = mm.view(hs, None, 0, (2**62, 2**62), None)
        assert st in (MM_E_OUT_OF_BOUNDS, MM_E_INVALID_ARG) and hv == 0
        # byte_offset + itemsize overflows int64: the contract allows either code
        # (INVALID_ARG for an overflowing sum, OUT_OF_BOUNDS for the reach)
        st, hv = mm.view(hs, None, 2**63 - 1, (1,), None)
        assert st in (MM_E_OUT_OF_BOUNDS, MM_E_INVALID_ARG) and hv == 0
        st, hv = mm.view(hs, None, 2**62, (1,), None)
        assert (st, hv) == (MM_E_OUT_OF_BOUNDS, 0)
        st, hv = mm.view(hs, None, -(2**63), (1,), None)
        assert (st, hv) == (MM_E_OUT_OF_BOUNDS, 0)
        # writes through a view reach numpy's mapping of the file
        st, hv = mm.view(hs, None, -16, (10,), None)
        assert st == MM_OK
        handles.append(hv)
        mm.numpy_view(hv, "<i4")[...] = np.arange(10, 20, dtype="<i4")
        assert mm.mm_flush(hv) == MM_OK
        assert ref.tolist() == list(range(10, 20))
    finally:
        for x in reversed(handles):
            assert mm.mm_close(x) == MM_OK


def test_views_inherit_offset_mode_filename(mm, tmp_path):
    ref, h = open_pair(mm, tmp_path, ("<f8", 4097, (4, 5), "F", "c"), 7)
    try:
        st, hv = mm.slice(h, 1, 1, 4, 2)
        assert st == MM_OK
        want = ref[:, 1:4:2]
        info = mm.info(hv)
        assert info["offset"] == want.offset == 4097
        assert info["mode"] == want.mode == "c"
        assert info["filename"] == want.filename
        st, hw = mm.view(hv, "u1", 0, (8,), None)
        assert st == MM_OK
        assert mm.info(hw)["offset"] == 4097 and mm.info(hw)["mode"] == "c"
        assert mm.mm_close(hw) == MM_OK
        assert mm.mm_close(hv) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK


def test_read_only_base_gives_read_only_views(mm, tmp_path):
    ref, h = open_pair(mm, tmp_path, ("<i4", 0, (10,), "C", "r"), 8)
    try:
        st, hv = mm.slice(h, 0, INT64_MAX, INT64_MIN, -1)
        assert st == MM_OK
        check_view(mm, hv, h, ref[::-1], ref, "<i4", "[::-1] of mode r")
        assert not mm.info(hv)["writeable"]
        assert mm.mm_close(hv) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK


@pytest.mark.parametrize("step", [2**62, -(2**62), INT64_MAX, -INT64_MAX, 10**12])
@pytest.mark.parametrize("start", [None, 3, -1])
def test_huge_steps(mm, tmp_path, step, start):
    """Python semantics: a[s::huge] has one element.  numpy computes the stride as
    stride*step and lets it wrap (a length-1 dimension's stride means nothing), so
    only the shape, position, flags and values are compared, not that stride."""
    ref, h = open_pair(mm, tmp_path, ("<f8", 8, (4, 10), "C", "r"), 9)
    try:
        want = ref[:, start::step]
        cs = c_bounds(start, None, step)
        st, hv = mm.slice(h, 1, *cs)
        assert st == MM_OK, "mm_slice(1, %d, %d, %d): %s %s" % (cs + (status_name(st), mm.last_error()))
        got = mm.info(hv)
        exp = view_info(want, ref)
        assert got["strides"][0] == exp["strides"][0]
        got["strides"] = exp["strides"] = None
        assert got == exp
        assert (mm.mm_data(hv) - mm.mm_data(h)) == (data_address(want) - data_address(ref))
        assert mm.element_bytes(hv, "<f8") == want.tobytes()
        assert mm.mm_close(hv) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK


@pytest.mark.parametrize("s", [(0, 2, -1), (8, 1, 2), (5, 2, 1), (2, 2, -3), (-100, -50, -1),
                               (100, 200, 1), (INT64_MAX, INT64_MIN, 1)])
def test_empty_slice_geometry(mm, tmp_path, s):
    """numpy gives an empty slice the stride of step 1 (the axis's own stride), not
    stride*step; the contract's strides are numpy's."""
    ref, h = open_pair(mm, tmp_path, ("<i4", 0, (10,), "C", "r"), 10)
    try:
        st, hv = mm.slice(h, 0, *s)
        assert st == MM_OK
        want = ref[slice(*s)]
        got = mm.info(hv)
        assert got["shape"] == want.shape == (0,)
        assert got["strides"] == want.strides, "mm_slice(0, %d, %d, %d)" % s
        assert mm.mm_close(hv) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK
