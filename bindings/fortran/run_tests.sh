#!/bin/sh
# Builds the Fortran module and test with gfortran against target/release (or LIBDIR /
# INCDIR of an installed prefix), runs it on files numpy writes, and lets numpy check the
# results. Usage: bindings/fortran/run_tests.sh [PYTHON]   (default: .venv/bin/python)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=${1:-$root/.venv/bin/python}
libdir=${LIBDIR:-$root/target/release}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ -e "$libdir/libmmarray.so.0" ] || ln -s "$libdir/libmmarray.so" "$out/libmmarray.so.0"
cd "$out"
gfortran -std=f2018 -Wall -I"$here" -c "$here/mmarray.f90"
for t in test_mmarray test_api; do
  gfortran -std=f2018 -Wall -c "$here/$t.f90"
  gfortran mmarray.o $t.o -L"$libdir" -lmmarray -Wl,-rpath,"$out" -Wl,-rpath,"$libdir" -o $t
done
mkdir data
"$py" "$here/check_numpy.py" write data
./test_mmarray data
./test_api data
"$py" "$here/check_numpy.py" check data
echo "fortran: ok"
