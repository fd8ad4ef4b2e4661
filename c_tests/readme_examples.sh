#!/bin/sh
# Every ```c block of README.md is a program: extract each, build it with nothing but
# pkg-config against the installed prefix, and run it in a fresh directory, also under
# valgrind. A README example that stops compiling or running fails here.
# Each run directory first gets data.npy as numpy writes it
# (np.save("data.npy", np.arange(12.0).reshape(3, 4))), which the .npy example reads, and
# data.npz (np.savez of that array as x and of np.arange(3, dtype="<i4") as y), which the
# .npz example reads; a column1.npy an example leaves behind must equal np.save of that
# array's [:, 1:2], an out.npz must pass zipfile.testzip and load as x and x[:, 1:2], and a
# log.npy (the logger example) np.save of the 1000 rows it logs.
# usage: readme_examples.sh CC README WORKDIR PYTHON (a python with numpy)
set -eu
cc=$1 readme=$2 work=$3 python=$4
prepare() {
    "$python" -c 'import numpy as np; x = np.arange(12.0).reshape(3, 4); np.save("data.npy", x); np.savez("data.npz", x=x, y=np.arange(3, dtype="<i4"))'
}
verify() {
    if [ -e out.npz ]; then
        "$python" - <<'PY'
import zipfile, numpy as np
x = np.arange(12.0).reshape(3, 4)
assert zipfile.ZipFile("out.npz").testzip() is None
with np.load("out.npz") as z:
    assert z.files == ["x", "column1"], z.files
    assert np.array_equal(z["x"], x) and np.array_equal(z["column1"], x[:, 1:2])
print("out.npz loads as x and x[:, 1:2]")
PY
    fi
    if [ -e log.npy ]; then
        "$python" - <<'PY'
import io, numpy as np
i = np.arange(1000)
want = np.stack([i * 0.01, (i * i).astype(float), (i % 7 == 0).astype(float)], axis=1)
got = np.load("log.npy")
assert got.shape == (1000, 3) and (got == want).all(), "log.npy holds other rows"
buf = io.BytesIO()
np.save(buf, want)
assert open("log.npy", "rb").read() == buf.getvalue(), "log.npy differs from np.save"
print("log.npy is byte-identical to np.save of the 1000 logged rows")
PY
    fi
    [ -e column1.npy ] || return 0
    "$python" - <<'PY'
import io, numpy as np
want = io.BytesIO()
np.save(want, np.arange(12.0).reshape(3, 4)[:, 1:2])
got = open("column1.npy", "rb").read()
assert got == want.getvalue(), "column1.npy differs from np.save of x[:, 1:2]"
print("column1.npy is byte-identical to np.save")
PY
}
mkdir -p "$work"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-readme-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
    /^```c$/ { n++; file = sprintf("%s/example%d.c", dir, n); inside = 1; next }
    /^```/   { inside = 0; next }
    inside   { print > file }
' "$readme"
count=$(ls "$tmp"/example*.c 2>/dev/null | wc -l)
if [ "$count" -eq 0 ]; then
    echo "no \`\`\`c block found in $readme" >&2
    exit 1
fi
libdir=$(pkg-config --variable=libdir mmarray)
for src in "$tmp"/example*.c; do
    name=$(basename "$src" .c)
    # shellcheck disable=SC2046
    "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -o "$work/$name" "$src" \
        $(pkg-config --cflags --libs mmarray) -Wl,-rpath,"$libdir"
    mkdir "$tmp/run-$name"
    (cd "$tmp/run-$name" && prepare && "$work/$name" && verify)
    rm -rf "$tmp/run-$name" && mkdir "$tmp/run-$name"
    (cd "$tmp/run-$name" && prepare && valgrind -q --leak-check=full --error-exitcode=1 \
        --errors-for-leak-kinds=definite,possible "$work/$name" >/dev/null && verify)
done
echo "README C examples: $count built and run"
