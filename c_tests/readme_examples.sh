#!/bin/sh
# Every ```c block of README.md is a program: extract each, build it with nothing but
# pkg-config against the installed prefix, and run it in a fresh directory, also under
# valgrind. A README example that stops compiling or running fails here.
# usage: readme_examples.sh CC README WORKDIR
set -eu
cc=$1 readme=$2 work=$3
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
    (cd "$tmp/run-$name" && "$work/$name")
    rm -rf "$tmp/run-$name" && mkdir "$tmp/run-$name"
    (cd "$tmp/run-$name" && valgrind -q --leak-check=full --error-exitcode=1 \
        --errors-for-leak-kinds=definite,possible "$work/$name" >/dev/null)
done
echo "README C examples: $count built and run"
