#!/usr/bin/env python3
"""Write numpy's answers for the dtype spellings that src/dtype/tests.rs checks.

For every text below, the output line holds what numpy.dtype(text) gives: the canonical
typestr (dtype.str), itemsize, alignment, isnative, kind and byteorder, or the name of the
exception numpy raises. The Rust test reads the file and expects DType::parse to agree
(except for the texts it refuses on purpose, listed in that test with their reason).

Usage, with a Python that has numpy (the version in tests/oracle/requirements.txt):
    python scripts/gen_dtype_tables.py            # writes tests/data/<name for this numpy>
    python scripts/gen_dtype_tables.py --stdout   # prints it instead

The file name carries numpy's version and the platform, because the platform-dependent
types (long, intp, longdouble, ...) and the native byte order differ between machines.
src/dtype/tests.rs names the file it reads; point it at a new one when numpy changes.
Running the script again with the same numpy on the same platform writes the same bytes.
"""

import os
import platform
import sys
import warnings

import numpy as np

ORDERS = "<>=|"
# Sizes tried after every type letter: the valid ones and their neighbours.
SIZES = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 64, 128]
# Sizes tried after a byte-order prefix.
PREFIXED_SIZES = [1, 2, 4, 8, 16, 3, 0]
# Integers at the edges of the itemsize arithmetic (i32, 2**29 four-byte units, u64).
BIG_SIZES = ["2147483647", "536870911", "536870912", "1073741824", "2147483648",
             "4294967296", "4294967299", "9223372036854775807", "9223372036854775808",
             "18446744073709551616", "99999999999999999999", "-2147483648"]
# Ways of writing (or mis-writing) the number after a type letter.
NUMBER_FORMS = ["+4", " 4", "\t8", "04", "008", "-0", "-1", "+", "-", " ", "4 ", "4x",
                "+ 4", "0x4", "4.0", "1e1"]
TIME_UNITS = ["generic", "Y", "M", "W", "D", "h", "m", "s", "ms", "us", "\u03bcs",
              "\u00b5s", "ns", "ps", "fs", "as"]
# The text inside the brackets of a datetime type, after the plain units.
TIME_BRACKETS = ["10s", "1s", "01s", "0s", "000s", "-0s", "+2D", " 3h", "\t3h", " +3h",
                 "2147483647ns", "2147483648ns", "4294967297ns", "99999999999999999999s",
                 "-1s", "25us", "7generic", "0generic", "2147483648generic"]
# Broken brackets: "{}" is the datetime type (M8, datetime64, ...).
TIME_BROKEN = ["{}[]", "{}[", "{}[s", "{}s]", "{}[xx]", "{}[s]x", "{}[s]]", "{}[[s]",
               "{}[1 s]", "{}[ s]", "{}[s ]", "{}[10]", "{}[0]", "{}[+s]", "{}[NS]",
               "{}[Generic]", "{}[B]", "{}[genericx]", "{} [s]", "{}x", "{}[s][s]"]
# Units that numpy keeps as written although a coarser unit would say the same.
TIME_MULTIPLES = ["60m", "12M", "7D"]
NAMES = ["bool", "float16", "float32", "float64", "longdouble", "complex64",
         "complex128", "clongdouble", "bytes_", "str_", "void", "int8", "byte", "uint8",
         "ubyte", "int16", "short", "uint16", "ushort", "int32", "intc", "uint32",
         "uintc", "int64", "long", "uint64", "ulong", "longlong", "ulonglong", "intp",
         "uintp", "double", "cdouble", "single", "csingle", "half", "bool_", "int_",
         "uint", "float", "complex", "bytes", "int", "str", "unicode", "float128",
         "complex256", "object_", "object"]
# Names numpy does not know (older aliases, other platforms' sizes, abstract types, typos).
UNKNOWN_NAMES = ["float96", "complex192", "float80", "int128", "uint128", "float_",
                 "complex_", "unicode_", "string_", "int0", "uint0", "bool8", "object0",
                 "void0", "str0", "bytes0", "Float64", "FLOAT64", "Int32", "longfloat",
                 "clongfloat", "longcomplex", "singlecomplex", "cfloat", "datetime",
                 "timedelta", "StringDType", "void8", "int8[2]", "float64 ", " float64",
                 "datetime6", "np.float64", "numpy.int32", "intp_", "number", "floating",
                 "integer", "generic", "character", "flexible", "signedinteger", "a1b",
                 "c16c"]
PREFIXED_NAMES = ["float64", "int32", "bool", "str", "bytes", "void", "int", "uint8",
                  "longdouble", "object", "float128"]
# Whitespace, doubled prefixes and bare prefixes around a valid type.
FRAMED = ["", " f8", "f8 ", "\tf8", "f8\n", "f8x", "<<f8", "<>f8", "><f8", "||u1", "=",
          "<", ">", "|"]
# Characters outside ASCII, and texts with something after a complete type.
ODD = ["f8\0", "S\u0663", "i\u00a04", "f\u20078", "\u00e9", "\U0001f600", "<\u00e9",
       "f\u00b2", "bB", "i4i", "f8f8", "S1S", "f8[ns]", "U3 ", "O8 ", ",i4", "M8[s/3]"]
# Control characters, which numpy reads as type numbers.
CONTROL = ["\x01", "\x02", "\x07", "\x17", "\0", "<\t", "|\0"]
# numpy's comma-string grammar without a comma: repeat counts and subarray shapes.
COUNTED = ["3S", "0S", "2str", "2V", "10a", "3>U", "()i4", "()m", "()S3", ">4S", "=4V",
           "1i4", "(2,)i4", "2i4", "3f8", "(2,3)f8"]
# Datetime units with a divisor.
DIVIDED = ["M8[s/10]", "M8[Y/12]", "M8[10s/2]", "m8[D/24]", "datetime64[h/60]"]
# Leading zeros in the size.
ZERO_PADDED = ["b01", "i00001", "f016"]


def texts():
    out = []
    out += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    out += [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    out += [chr(c) for c in range(ord("0"), ord("9") + 1)]
    out += list("?!#$%&*+-./:;@^_~,()[]{}' ")
    out += [o + c for c in "?bBhHiIlLqQpPnNefdgFDGSUVOTEacMm" for o in ORDERS]
    out += [k + str(n) for k in "biufcSaUVMmO" for n in SIZES]
    out += [o + k + str(n) for k in "biufcSUVMm" for n in PREFIXED_SIZES for o in ORDERS]
    out += [c + str(n) for c in "lLqQdDgGeEhHpPnNBT?xz" for n in [1, 2, 4, 8, 16]]
    out += [k + f for k in "iufSUVaM" for f in NUMBER_FORMS]
    out += [k + n for k in "SUVa" for n in BIG_SIZES]
    out += [k + n for k in "iufc" for n in ["4294967297", "18446744073709551624"]]
    for t in ["M8", "m8", "datetime64", "timedelta64", "M", "m", "M08", "M+8", "M 8",
              "m 8"]:
        if t in ("datetime64", "timedelta64", "M08", "M+8", "M 8", "m 8"):
            out.append(t)
        out += ["%s[%s]" % (t, u) for u in TIME_UNITS + TIME_BRACKETS]
        out += [b.format(t) for b in TIME_BROKEN]
        out += ["%s[%s]" % (t, u) for u in TIME_MULTIPLES]
    for t in ["M8", "m8", "datetime64", "timedelta64"]:
        for u in ["", "[s]", "[25ns]", "[generic]", "[Y]"]:
            if u or t.endswith("64"):
                out += [o + t + u for o in ORDERS]
    out += NAMES + UNKNOWN_NAMES
    out += [o + n for n in PREFIXED_NAMES for o in ORDERS]
    out += FRAMED + ODD + CONTROL + COUNTED + DIVIDED + ZERO_PADDED
    return out


def escape(text):
    """Every character outside '!'..'~', and '#' and '\\', as \\u{HEX}."""
    return "".join(c if "!" <= c <= "~" and c not in "#\\" else "\\u{%x}" % ord(c)
                   for c in text)


def answer(text):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dt = np.dtype(text)
    except Exception as e:  # numpy's refusal, whatever its type
        return ["error", type(e).__name__]
    return [dt.str, str(dt.itemsize), str(dt.alignment), str(dt.isnative).lower(),
            dt.kind, dt.byteorder]


def main():
    system = platform.system().lower()
    machine = platform.machine().lower()
    name = "dtype_names-numpy-%s-%s-%s.tsv" % (np.__version__, system, machine)
    all_texts = texts()
    if len(set(all_texts)) != len(all_texts):
        raise SystemExit("a text is listed twice")
    lines = [
        "# numpy.dtype(text) for each text, numpy %s on %s %s." % (np.__version__, system,
                                                                  machine),
        "# Written by scripts/gen_dtype_tables.py; regenerate rather than edit.",
        "# Columns, tab-separated: text, then numpy's str, itemsize, alignment, isnative,",
        "# kind, byteorder; or \"error\" and the exception numpy raised.",
        "# In text, every character outside '!'..'~', and '#' and '\\', is written \\u{HEX}.",
    ]
    lines += ["\t".join([escape(t)] + answer(t)) for t in all_texts]
    data = "\n".join(lines) + "\n"
    if sys.argv[1:] == ["--stdout"]:
        sys.stdout.write(data)
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "tests", "data", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(data)
    print("wrote", os.path.relpath(path, root))


if __name__ == "__main__":
    main()
