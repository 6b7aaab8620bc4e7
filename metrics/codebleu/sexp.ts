/**
 * Subtree identity for CodeBLEU's syntax match.
 *
 * The Python code compares `str(node)` (py-tree-sitter ≥0.22; `node.sexp()` before), which is tree-sitter's
 * `ts_node_string` (lib/src/subtree.c `ts_subtree__write_to_string`, include_all = false):
 *   - a named (or MISSING) node prints as ` field: (type …children…)`; anonymous nodes print nothing
 *     themselves but their children are printed in place;
 *   - a MISSING node prints `(MISSING type)`, or `(MISSING "type")` when anonymous;
 *   - a childless ERROR with text prints `(UNEXPECTED 'c')` with its first character;
 *   - the node being printed (the root of the call) never gets a field prefix; an anonymous root with
 *     children prints `(type …` without the closing parenthesis, a childless one `("type")`.
 *
 * Building those strings costs O(size × depth) per tree. Instead each printed form is hash-consed into an
 * integer: two subtrees get the same id exactly when their key — head plus the (field, child id) sequence,
 * which determines the printed string — is the same (field ids and names correspond one to one).
 * {@link renderSexp} prints the real string; tests check it against the core's `ts_node_string` and the
 * ids against the rendered strings.
 */
import { FLAG_MISSING, FLAG_NAMED } from '../tree-sitter/parser.js';
import { fieldName, firstCodePoint, isMissing, isNamed, type FlatTree } from './tree.js';
import { growInt32, IntSequenceInterner } from './int-sequence-interner.js';

/** `ts_subtree__write_char_to_string` (core 0.22/0.24). */
function charRepr(cp: number): string {
  if (cp === 0) return "'\\0'";
  if (cp === 0x0a) return "'\\n'";
  if (cp === 0x09) return "'\\t'";
  if (cp === 0x0d) return "'\\r'";
  if (cp > 0 && cp < 128 && cp >= 0x20 && cp < 0x7f) return `'${String.fromCharCode(cp)}'`;
  return String(cp);
}

function head(t: FlatTree, i: number): string {
  if (t.type[i] === 'ERROR' && t.childCount[i] === 0 && t.end[i] > t.start[i] && !isMissing(t, i)) {
    return 'UNEXPECTED ' + charRepr(firstCodePoint(t, i));
  }
  if (isMissing(t, i)) return isNamed(t, i) ? 'MISSING ' + t.type[i] : `MISSING "${t.type[i]}"`;
  return t.type[i];
}

const printed = (t: FlatTree, i: number): boolean => (t.flags[i] & (FLAG_NAMED | FLAG_MISSING)) !== 0;

/**
 * Subtree keys: a key is a head (the printed form's head: kind and type, or MISSING/UNEXPECTED text) and
 * the sequence of (field id, form id) of the printed children, with anonymous children's own sequences
 * spliced in. One table per process, so ids are comparable across trees.
 */
export class SexpInterner extends IntSequenceInterner {
  /**
   * Head ids by kind: 'N' printed named/MISSING node (by its head text), 'A' anonymous node with
   * children, 'L' anonymous root leaf (by type).
   */
  private heads: Record<'N' | 'A' | 'L', Map<string, number>> = { N: new Map(), A: new Map(), L: new Map() };
  private headCount = 0;

  head(kind: 'N' | 'A' | 'L', text: string): number {
    const m = this.heads[kind];
    let h = m.get(text);
    if (h === undefined) {
      h = this.headCount++;
      m.set(text, h);
    }
    return h;
  }
}

/** Scratch for {@link subtreeIds}: the sequence being built, and the sequences of anonymous nodes. */
let seqBuf = new Int32Array(1 << 12);
let piecePool = new Int32Array(1 << 12);

/**
 * The ids of `get_all_sub_trees(root)`: the root and every node that has children (leaves are not
 * subtrees), one entry per node (duplicates kept: the reference side is counted per node).
 */
export function subtreeIds(t: FlatTree, interner: SexpInterner): Int32Array {
  const n = t.size;
  // formId[i]: id of node i's printed form when it is printed as a named/MISSING node.
  const formId = new Int32Array(n);
  // An anonymous node's content (its children printed in place): piecePool[pieceStart[i], +pieceLength[i]).
  const pieceStart = new Int32Array(n);
  const pieceLength = new Int32Array(n);
  let poolUsed = 0;
  // Post-order: in pre-order numbering, children have larger indexes than their parent.
  for (let i = n - 1; i >= 0; i--) {
    const isPrinted = printed(t, i);
    let len = 0;
    for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) {
      const childPrinted = printed(t, k);
      const add = childPrinted ? 2 : pieceLength[k];
      if (add === 0) continue;
      if (len + add > seqBuf.length) seqBuf = growInt32(seqBuf, len + add);
      if (childPrinted) {
        seqBuf[len++] = t.fieldId[k];
        seqBuf[len++] = formId[k];
      } else {
        seqBuf.set(piecePool.subarray(pieceStart[k], pieceStart[k] + add), len);
        len += add;
      }
    }
    if (isPrinted) {
      const h = interner.head('N', head(t, i));
      formId[i] = interner.intern(h, seqBuf, 0, len);
    } else if (len > 0) {
      if (poolUsed + len > piecePool.length) piecePool = growInt32(piecePool, poolUsed + len);
      piecePool.set(seqBuf.subarray(0, len), poolUsed);
      pieceStart[i] = poolUsed;
      pieceLength[i] = len;
      poolUsed += len;
    }
  }
  let count = 1; // the root, and every other node with children
  for (let i = 1; i < n; i++) if (t.childCount[i] > 0) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (i !== 0 && t.childCount[i] === 0) continue;
    if (printed(t, i)) out[k++] = formId[i];
    else if (t.childCount[i] > 0) out[k++] = interner.intern(interner.head('A', t.type[i]), piecePool, pieceStart[i], pieceStart[i] + pieceLength[i]);
    else out[k++] = interner.intern(interner.head('L', t.type[i]), seqBuf, 0, 0);
  }
  return out;
}

/** The exact `ts_node_string` of node `i` (used by tests to validate {@link subtreeIds}' keys). */
export function renderSexp(t: FlatTree, i: number): string {
  const inner = (j: number): string => {
    let s = '';
    for (let k = t.firstChild[j]; k >= 0; k = t.nextSibling[k]) {
      if (printed(t, k)) s += ' ' + (t.fieldId[k] ? fieldName(t, k) + ': ' : '') + '(' + head(t, k) + inner(k) + ')';
      else s += inner(k);
    }
    return s;
  };
  if (printed(t, i)) return '(' + head(t, i) + inner(i) + ')';
  if (t.childCount[i] > 0) return '(' + t.type[i] + inner(i);
  return `("${t.type[i]}")`;
}
