#!/usr/bin/env bash
# Rebuilds tree-sitter-python-utf8.wasm (loaded by parser.ts) from the C sources the npm packages ship:
#   node_modules/tree-sitter/vendor/tree-sitter/lib   (the tree-sitter runtime vendored by node `tree-sitter` 0.22.4)
#   node_modules/tree-sitter-python/src               (tree-sitter-python 0.23.6 parser.c + scanner.c)
# plus tsparse.c, with recovery-cache.patch applied to a copy of the runtime's parser.c (why: see the patch).
# Needs patch(1), clang and wasm-ld with a WASI sysroot (Debian: apt-get install clang-14 lld-14 wasi-libc).
# The result is committed, so users never build it; test/tree-sitter.test.ts checks sources.sha256, and
# rebuilding with the same toolchain gives the same bytes (no paths or timestamps end up in the binary).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ts="$root/node_modules/tree-sitter/vendor/tree-sitter/lib"
py="$root/node_modules/tree-sitter-python/src"
CC="${CC:-clang-14}"
# clang runs binaryen's wasm-opt after linking whenever one is on PATH, which changes the bytes (and measured no
# faster here): refuse, so that the committed binary stays reproducible.
if command -v wasm-opt >/dev/null; then
  echo "build.sh: wasm-opt is on PATH (binaryen); clang would post-process the module with it. Remove it from PATH." >&2
  exit 1
fi
SYSROOT="${WASI_SYSROOT:-/usr}"
out="$here/tree-sitter-python-utf8.wasm"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The runtime, patched in a copy (node_modules stays as npm installed it).
cp -r "$ts" "$tmp/lib"
patch --quiet -p1 -d "$tmp" < "$here/recovery-cache.patch"
lib="$tmp/lib"
# portable/endian.h only knows platforms by name; WASI has a Linux-style <endian.h>, which __EMSCRIPTEN__ selects.
# -O2: -O3, -msimd128 and -mbulk-memory/-msign-ext were measured on the Gorilla texts and made at most a 3%
# difference; the plainest build wins. (With tsparse.c's dense parse table, parsing and flattening the 10,246
# distinct texts of the score workload takes ~2.0 s here against ~2.6-3.0 s for the native addon's parse alone.)
opt=(-O2)
flags=(--target=wasm32-wasi --sysroot="$SYSROOT" "${opt[@]}" -DNDEBUG -D__EMSCRIPTEN__ -fvisibility=hidden
  -ffile-prefix-map="$root"=. -ffile-prefix-map="$tmp"=. -I"$lib/include" -I"$lib/src" -I"$py")
for f in "$lib/src/lib.c" "$py/parser.c" "$py/scanner.c" "$here/tsparse.c"; do
  "$CC" "${flags[@]}" -c "$f" -o "$tmp/$(basename "$f" .c).o"
done
"$CC" --target=wasm32-wasi --sysroot="$SYSROOT" "${opt[@]}" -mexec-model=reactor -Wl,--strip-all -Wl,-z,stack-size=1048576 \
  -o "$out" "$tmp/lib.o" "$tmp/parser.o" "$tmp/scanner.o" "$tmp/tsparse.o"
# Provenance: every input file and the output. A dependency bump that changes the runtime or the grammar
# fails test/tree-sitter.test.ts until the binary is rebuilt and the golden tests pass again.
( cd "$root" && find node_modules/tree-sitter/vendor/tree-sitter/lib node_modules/tree-sitter-python/src -type f \( -name '*.c' -o -name '*.h' \) \
    | LC_ALL=C sort | xargs sha256sum
  sha256sum metrics/tree-sitter/tsparse.c metrics/tree-sitter/recovery-cache.patch metrics/tree-sitter/build.sh metrics/tree-sitter/tree-sitter-python-utf8.wasm ) > "$here/sources.sha256"
echo "built $out ($(wc -c < "$out") bytes)"
