/**
 * `list(set(strings))` in CPython 3.11 order, with PYTHONHASHSEED=0.
 *
 * CodeBLEU's DFG merges parent-variable lists with `list(set(a + b))` (DFG.py for/while loops and
 * dataflow_match.py `get_data_flow`), and the order of the result decides the `var_i` names that
 * `normalize_dataflow` hands out, hence which data-flow items match. That order comes from string hashes,
 * which CPython randomises per process unless PYTHONHASHSEED is set. The golden oracles ran with
 * PYTHONHASHSEED=0 (verified: it reproduces all 48 loop-dependent pairs that other seeds miss), which
 * zeroes the SipHash key. So this file ports:
 *   - Python/pyhash.c `siphash13` with k0 = k1 = 0 and `_Py_HashBytes` (-1 -> -2, empty -> 0);
 *   - Objects/unicodeobject.c `unicode_hash`: the bytes hashed are the string's compact representation
 *     (1, 2 or 4 bytes per code point, little-endian, by its widest character);
 *   - Objects/setobject.c `set_add_entry` / `set_table_resize` / `set_insert_clean` (table of 8, linear
 *     probes of 9, perturbation shift 5, grow to used*4 when fill*5 >= mask*3) and slot-order iteration.
 */

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

function siphash13(data: Uint8Array): bigint {
  const k0 = 0n;
  const k1 = 0n;
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = (): void => {
    // HALF_ROUND(v0,v1,v2,v3,13,16)
    v0 = (v0 + v1) & M64;
    v2 = (v2 + v3) & M64;
    v1 = rotl(v1, 13n) ^ v0;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = rotl(v0, 32n);
    // HALF_ROUND(v2,v1,v0,v3,17,21)
    v2 = (v2 + v1) & M64;
    v0 = (v0 + v3) & M64;
    v1 = rotl(v1, 17n) ^ v2;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = rotl(v2, 32n);
  };
  const len = data.length;
  let b = (BigInt(len) << 56n) & M64;
  let off = 0;
  const le64 = (o: number, n: number): bigint => {
    let x = 0n;
    for (let k = n - 1; k >= 0; k--) x = (x << 8n) | BigInt(data[o + k]);
    return x;
  };
  while (len - off >= 8) {
    const mi = le64(off, 8);
    off += 8;
    v3 ^= mi;
    round();
    v0 ^= mi;
  }
  b |= le64(off, len - off);
  v3 ^= b;
  round();
  v0 ^= b;
  v2 ^= 0xffn;
  round();
  round();
  round();
  return (v0 ^ v1 ^ (v2 ^ v3)) & M64;
}

const hashCache = new Map<string, bigint>();

/** `hash(s)` under PYTHONHASHSEED=0, as an unsigned 64-bit value (Py_hash_t reinterpreted as size_t). */
export function pyStrHash(s: string): bigint {
  const hit = hashCache.get(s);
  if (hit !== undefined) return hit;
  const cps = Array.from(s, (ch) => ch.codePointAt(0)!);
  let max = 0;
  for (const c of cps) if (c > max) max = c;
  const kind = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
  const data = new Uint8Array(cps.length * kind);
  cps.forEach((c, i) => {
    for (let k = 0; k < kind; k++) data[i * kind + k] = (c >>> (8 * k)) & 0xff;
  });
  let h: bigint;
  if (data.length === 0) h = 0n;
  else {
    h = siphash13(data);
    if (h === M64) h = M64 - 1n; // -1 is reserved: _Py_HashBytes returns -2
  }
  if (hashCache.size > 100_000) hashCache.clear();
  hashCache.set(s, h);
  return h;
}

const LINEAR_PROBES = 9;

interface Slot {
  key: string;
  hash: bigint;
}

function insertClean(table: (Slot | null)[], mask: number, slot: Slot): void {
  let perturb = slot.hash;
  let i = Number(slot.hash & BigInt(mask));
  for (;;) {
    if (table[i] === null) {
      table[i] = slot;
      return;
    }
    if (i + LINEAR_PROBES <= mask) {
      for (let j = 1; j <= LINEAR_PROBES; j++) {
        if (table[i + j] === null) {
          table[i + j] = slot;
          return;
        }
      }
    }
    perturb >>= 5n;
    i = Number((BigInt(i) * 5n + 1n + perturb) & BigInt(mask));
  }
}

/** `list(set(xs))` for a list of str, in CPython 3.11's iteration order (PYTHONHASHSEED=0). */
export function pySetList(xs: readonly string[]): string[] {
  if (xs.length <= 1) return xs.slice();
  let size = 8;
  let table: (Slot | null)[] = new Array(size).fill(null);
  let used = 0; // no deletions happen, so fill == used
  for (const key of xs) {
    const hash = pyStrHash(key);
    const mask = size - 1;
    let perturb = hash;
    let i = Number(hash & BigInt(mask));
    let found = false;
    let target = -1;
    outer: for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const e = table[i + j];
        if (e === null) {
          target = i + j;
          break outer;
        }
        if (e.hash === hash && e.key === key) {
          found = true;
          break outer;
        }
      }
      perturb >>= 5n;
      i = Number((BigInt(i) * 5n + 1n + perturb) & BigInt(mask));
    }
    if (found) continue;
    table[target] = { key, hash };
    used++;
    if (used * 5 >= mask * 3) {
      const minused = used > 50000 ? used * 2 : used * 4;
      let newSize = 8;
      while (newSize <= minused) newSize <<= 1;
      const old = table;
      table = new Array(newSize).fill(null);
      size = newSize;
      for (const s of old) if (s) insertClean(table, newSize - 1, s);
    }
  }
  const out: string[] = [];
  for (const s of table) if (s) out.push(s.key);
  return out;
}
