#!/usr/bin/env bash
# Rebuilds tree-sitter-python-codebleu.wasm from the C sources the npm packages ship:
#   node_modules/tree-sitter/vendor/tree-sitter/lib   (the tree-sitter runtime vendored by node `tree-sitter` 0.22.4)
#   node_modules/tree-sitter-python/src               (tree-sitter-python 0.23.6 parser.c + scanner.c)
# plus cbparse.c. Needs clang and wasm-ld with a WASI sysroot (Debian: apt-get install clang-14 lld-14 wasi-libc).
# The result is committed, so users never build it; test/codebleu-unit.test.ts checks sources.sha256.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
ts="$root/node_modules/tree-sitter/vendor/tree-sitter/lib"
py="$root/node_modules/tree-sitter-python/src"
CC="${CC:-clang-14}"
SYSROOT="${WASI_SYSROOT:-/usr}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# portable/endian.h only knows platforms by name; WASI has a Linux-style <endian.h>, which __EMSCRIPTEN__ selects.
flags=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -DNDEBUG -D__EMSCRIPTEN__ -fvisibility=hidden -I"$ts/include" -I"$ts/src" -I"$py")
for f in "$ts/src/lib.c" "$py/parser.c" "$py/scanner.c" "$here/cbparse.c"; do
  "$CC" "${flags[@]}" -c "$f" -o "$tmp/$(basename "$f" .c).o"
done
"$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -mexec-model=reactor -Wl,--strip-all -Wl,-z,stack-size=1048576 \
  -o "$here/tree-sitter-python-codebleu.wasm" "$tmp"/*.o
( cd "$root" && find node_modules/tree-sitter/vendor/tree-sitter/lib node_modules/tree-sitter-python/src -type f \( -name '*.c' -o -name '*.h' \) \
    | LC_ALL=C sort | xargs sha256sum
  sha256sum metrics/codebleu/wasm/cbparse.c metrics/codebleu/wasm/tree-sitter-python-codebleu.wasm ) > "$here/sources.sha256"
echo "built $here/tree-sitter-python-codebleu.wasm ($(wc -c < "$here/tree-sitter-python-codebleu.wasm") bytes)"
