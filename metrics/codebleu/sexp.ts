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
 * which determines the printed string — is the same. {@link renderSexp} prints the real string; tests check
 * it against node-tree-sitter's `toString()` on every subtree of the golden inputs.
 */
import { firstCodePoint, type FlatTree } from './tree.js';

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
  if (t.type[i] === 'ERROR' && t.childCount[i] === 0 && t.end[i] > t.start[i] && !t.missing[i]) {
    return 'UNEXPECTED ' + charRepr(firstCodePoint(t, i));
  }
  if (t.missing[i]) return t.named[i] ? 'MISSING ' + t.type[i] : `MISSING "${t.type[i]}"`;
  return t.type[i];
}

const printed = (t: FlatTree, i: number): boolean => t.named[i] || t.missing[i];

/** Interns keys to small integers; one table per process, so ids are comparable across trees. */
export class SexpInterner {
  private table = new Map<string, number>();
  get size(): number {
    return this.table.size;
  }
  /** Printed leaves by head: their key is `'N' + head + '\u0000'`, and most nodes are leaves. */
  private leaves = new Map<string, number>();
  /** `intern('N' + head + '\u0000')` without building the key (heads are mostly the grammar's own strings). */
  internLeaf(head: string): number {
    let id = this.leaves.get(head);
    if (id === undefined) {
      id = this.intern('N' + head + '\u0000');
      this.leaves.set(head, id);
    }
    return id;
  }
  intern(key: string): number {
    let id = this.table.get(key);
    if (id === undefined) {
      id = this.table.size;
      this.table.set(key, id);
    }
    return id;
  }
}

/**
 * The ids of `get_all_sub_trees(root)`: the root and every node that has children (leaves are not
 * subtrees), one entry per node (duplicates kept: the reference side is counted per node).
 */
export function subtreeIds(t: FlatTree, interner: SexpInterner): Int32Array {
  const n = t.size;
  // formId[i]: id of node i's printed form when it is printed as a named/MISSING node.
  const formId = new Int32Array(n);
  // pieces[i]: the child-piece key of node i's content (children printed in place). A printed child is
  // three UTF-16 units: its field id and its form id (low, high half). Field ids and names correspond one
  // to one, and fixed-width pieces cannot run into each other, so equal keys mean equal strings.
  const pieces: string[] = new Array(n);
  // Post-order: in pre-order numbering, children have larger indexes than their parent.
  for (let i = n - 1; i >= 0; i--) {
    let p = '';
    for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) {
      if (printed(t, k)) p += String.fromCharCode(t.fieldId[k], formId[k] & 0xffff, formId[k] >>> 16);
      else p += pieces[k];
    }
    pieces[i] = p;
    if (printed(t, i)) formId[i] = p === '' ? interner.internLeaf(head(t, i)) : interner.intern('N' + head(t, i) + '\u0000' + p);
  }
  let count = 1; // the root, and every other node with children
  for (let i = 1; i < n; i++) if (t.childCount[i] > 0) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (i !== 0 && t.childCount[i] === 0) continue;
    if (printed(t, i)) out[k++] = formId[i];
    else if (t.childCount[i] > 0) out[k++] = interner.intern('A' + t.type[i] + '\u0000' + pieces[i]);
    else out[k++] = interner.intern('L' + t.type[i]);
  }
  return out;
}

/** The exact `ts_node_string` of node `i` (used by tests to validate {@link subtreeIds}' keys). */
export function renderSexp(t: FlatTree, i: number): string {
  const inner = (j: number): string => {
    let s = '';
    for (let k = t.firstChild[j]; k >= 0; k = t.nextSibling[k]) {
      if (printed(t, k)) s += ' ' + (t.field[k] ? t.field[k] + ': ' : '') + '(' + head(t, k) + inner(k) + ')';
      else s += inner(k);
    }
    return s;
  };
  if (printed(t, i)) return '(' + head(t, i) + inner(i) + ')';
  if (t.childCount[i] > 0) return '(' + t.type[i] + inner(i);
  return `("${t.type[i]}")`;
}
