#!/bin/sh
# Build consumer.c twice with nothing but pkg-config (PKG_CONFIG_PATH points at the
# installed prefix) and run both:
#   shared: cc consumer.c $(pkg-config --cflags --libs mmarray)
#   static: cc consumer.c $(pkg-config --cflags mmarray) <libdir>/libmmarray.a
#           + the Libs.private list from $(pkg-config --static --libs-only-l mmarray)
# usage: pkgconfig_consumer.sh CC SOURCE WORKDIR
set -eu
cc=$1 src=$2 work=$3
mkdir -p "$work"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-pc-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

pkg-config --exists --print-errors mmarray
pkg-config --atleast-version=0.1 mmarray
cflags=$(pkg-config --cflags mmarray)
libs=$(pkg-config --libs mmarray)
libdir=$(pkg-config --variable=libdir mmarray)
echo "pkg-config --cflags --libs mmarray: $cflags $libs"

set -x
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror -o "$work/consumer_shared" "$src" $cflags $libs -Wl,-rpath,"$libdir"
"$work/consumer_shared" "$tmp/shared.bin"
set +x
# the shared binary really uses libmmarray.so.0
if ! readelf -d "$work/consumer_shared" | grep -q 'NEEDED.*\[libmmarray\.so\.0\]'; then
    echo "consumer_shared does not depend on libmmarray.so.0" >&2
    exit 1
fi

private=$(pkg-config --static --libs-only-l mmarray | sed 's/-lmmarray//')
set -x
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror -o "$work/consumer_static" "$src" $cflags "$libdir/libmmarray.a" $private
"$work/consumer_static" "$tmp/static.bin"
set +x
if readelf -d "$work/consumer_static" | grep -q 'libmmarray'; then
    echo "consumer_static still depends on a shared libmmarray" >&2
    exit 1
fi
cmp "$tmp/shared.bin" "$tmp/static.bin"
echo "pkg-config consumers: ok"
