#!/bin/sh
# ctest driver: ctest_driver.sh PYTHON TEST_EXE...  -- numpy writes, the Fortran programs
# run (in order, on the same directory), numpy checks.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$1" "$here/check_numpy.py" write "$d"
py=$1
shift
for exe in "$@"; do "$exe" "$d"; done
"$py" "$here/check_numpy.py" check "$d"
