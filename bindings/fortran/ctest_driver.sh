#!/bin/sh
# ctest driver: ctest_driver.sh PYTHON TEST_EXE  -- numpy writes, Fortran runs, numpy checks.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$1" "$here/check_numpy.py" write "$d"
"$2" "$d"
"$1" "$here/check_numpy.py" check "$d"
