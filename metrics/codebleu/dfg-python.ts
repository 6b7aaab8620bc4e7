/**
 * CodeBLEU's data-flow graph for Python, and the recursion limit that silently empties it.
 *
 * Line-for-line port of k4black/codebleu 0.7.1 `codebleu/parser/DFG.py::DFG_python`,
 * `codebleu/parser/utils.py::{tree_to_token_index, tree_to_variable_index, index_to_code_token}` and
 * `codebleu/dataflow_match.py::{get_data_flow, normalize_dataflow}` (the same code as CodeXGLUE's,
 * ported to the py-tree-sitter ≥0.22 API).
 *
 * CPython's recursion limit. These functions recurse once per tree level, and `get_data_flow` swallows
 * every exception, RecursionError included: past CPython 3.11's default limit of 1000 frames the graph
 * is empty and the pair's dataflow degenerates (golden `adv/099_deep_parens_1000`). We count frames the
 * way CPython 3.11 does (measured with `sys.setrecursionlimit(1000)` probes on 3.11):
 *   - every Python call is one frame; a frame number above {@link RECURSION_LIMIT} raises;
 *   - a call to a C function that checks recursion (`dict.copy`/`list.copy`, METH_VARARGS methods such as
 *     py-tree-sitter's `child_by_field_name`, `sorted`) needs one more level while it runs, and a `key=`
 *     lambda that `sorted` calls needs two; attribute getters (`node.children`, `.type`) and `len` need none;
 *   - a list comprehension is a frame of its own in 3.11.
 * `get_data_flow` itself runs at frame {@link GET_DATA_FLOW_FRAME}: the oracle driver's module and main
 * function, `calc_codebleu`, `corpus_dataflow_match`, `get_data_flow`. Only inputs nested ~990 levels deep
 * are near the edge; the golden cases sit at ~800 (fine) and ~1000 (empty).
 *
 * Set order. Merges use `list(set(names))`, whose order CPython derives from string hashes: ported in
 * pyset.ts (PYTHONHASHSEED=0, as the oracles ran).
 */
import { childByField, type FlatTree, type PyPoints } from './tree.js';
import { codePointArray, isAscii } from './pystr.js';
import { pySetList } from './pyset.js';
import type { IntSequenceInterner } from './int-sequence-interner.js';

export const RECURSION_LIMIT = 1000;
export const GET_DATA_FLOW_FRAME = 5;

/** (variable, token index, relation, parent variables, parent token indexes) — a DFG edge in DFG.py. */
export type DfgItem = [string, number, string, string[], number[]];
type States = Map<string, number[]>;

/** Thrown to emulate any Python exception inside `get_data_flow` (all are swallowed there). */
class PyError extends Error {}

function checkFrame(frame: number): void {
  if (frame > RECURSION_LIMIT) throw new PyError('RecursionError: maximum recursion depth exceeded');
}

const STRING_TYPES = new Set(['string_literal', 'string', 'character_literal']);

interface Ctx {
  t: FlatTree;
  pts: PyPoints;
  /**
   * index_to_code, `(start_point, end_point) -> (token idx, token text)`, as two tables: the token idx of
   * every leaf-like node (-1 for other nodes), and the text by idx. Python looks tokens up by position, so
   * tokens at the same position share the entry of the last of them; {@link indexTokens} resolves that.
   */
  idxOfNode: Int32Array;
  codes: string[];
}

function isLeafLike(t: FlatTree, i: number): boolean {
  return (t.childCount[i] === 0 || STRING_TYPES.has(t.type[i])) && t.type[i] !== 'comment';
}

/**
 * index_to_code's token idx for every token node: `tokens[idx]` is the idx-th leaf-like node. Python keys
 * index_to_code by `(start_point, end_point)` (within one text a point and a byte offset determine each
 * other, so byte ranges stand for them), and a later token at the same position overwrites the entry.
 * Leaves come in document order and tree-sitter's nodes never overlap, so their (start, end) pairs never
 * decrease and tokens at one position are consecutive: each gets the idx of the last of its run.
 */
function indexTokens(t: FlatTree, tokens: readonly number[]): Int32Array {
  const idxOfNode = new Int32Array(t.size).fill(-1);
  for (let idx = tokens.length - 1, runIdx = -1; idx >= 0; idx--) {
    const i = tokens[idx];
    const next = idx + 1 < tokens.length ? tokens[idx + 1] : -1;
    const samePosition = next >= 0 && t.start[i] === t.start[next] && t.end[i] === t.end[next];
    if (next >= 0 && !samePosition && (t.start[i] > t.start[next] || (t.start[i] === t.start[next] && t.end[i] > t.end[next]))) {
      throw new Error('CodeBLEU dataflow: tree-sitter leaves out of document order');
    }
    runIdx = samePosition ? runIdx : idx;
    idxOfNode[i] = runIdx;
  }
  return idxOfNode;
}

/** A None child (missing field) used like a node raises AttributeError in Python. */
function node(i: number): number {
  if (i < 0) throw new PyError("AttributeError: 'NoneType' object has no attribute");
  return i;
}

/** `index_to_code[(node.start_point, node.end_point)][0]`, the token idx (its text is `ctx.codes[idx]`). */
function lookupIdx(ctx: Ctx, i: number): number {
  const v = ctx.idxOfNode[i];
  if (v < 0) throw new PyError('KeyError');
  return v;
}

/**
 * Pre-order walk of the subtree at `root` that visits children of non-leaf-like nodes only, calling
 * `visit` on leaf-like nodes; checks each node's Python frame (`frame` + its depth below `root`) first,
 * so the recursion stays under {@link RECURSION_LIMIT} levels, as in {@link dfgNode}.
 */
function walkLeaves(t: FlatTree, i: number, frame: number, visit: (i: number) => void): void {
  checkFrame(frame);
  if (isLeafLike(t, i)) {
    visit(i);
    return;
  }
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) walkLeaves(t, k, frame + 1, visit);
}

/** utils.py `tree_to_token_index`. */
function treeToTokenIndex(t: FlatTree, i: number, frame: number, out: number[]): void {
  walkLeaves(t, i, frame, (k) => out.push(k));
}

/** utils.py `tree_to_variable_index`: the leaves whose text differs from their type (as nodes: their positions are the keys). */
function treeToVariableIndex(ctx: Ctx, i: number, frame: number, out: number[]): number[] {
  node(i);
  const t = ctx.t;
  walkLeaves(t, i, frame, (k) => {
    const code = ctx.codes[lookupIdx(ctx, k)];
    if (t.type[k] !== code) out.push(k);
  });
  return out;
}

const byIdx = (a: DfgItem, b: DfgItem): number => a[1] - b[1];

/** `DFG_python` on a leaf-like node (the first branch of DFG.py), with its frame checks. */
function dfgLeaf(ctx: Ctx, i: number, states: States, frame: number, mutable: boolean, out: DfgItem[]): States {
  checkFrame(frame);
  checkFrame(frame + 1); // states.copy()
  const t = ctx.t;
  const type = t.type[i];
  const idx = lookupIdx(ctx, i);
  const code = ctx.codes[idx];
  if (type === code) return states;
  const prev = states.get(code);
  if (prev !== undefined) {
    checkFrame(frame + 1); // states[code].copy()
    out.push([code, idx, 'comesFrom', [code], prev.slice()]);
    return states;
  }
  if (type === 'identifier') {
    const own = mutable ? states : copyStates(states);
    own.set(code, [idx]);
    out.push([code, idx, 'comesFrom', [], []]);
    return own;
  }
  out.push([code, idx, 'comesFrom', [], []]);
  return states;
}

function isSortedByIdx(dfg: readonly DfgItem[], from = 0): boolean {
  for (let k = from + 1; k < dfg.length; k++) if (dfg[k - 1][1] > dfg[k][1]) return false;
  return true;
}

function copyStates(s: States): States {
  return new Map(s);
}

/** The `for`/`while` merge: one item per (name, idx, relation), parents unioned. */
function mergeLoopItems(dfg: DfgItem[], frame: number): DfgItem[] {
  const dic = new Map<string, { k: [string, number, string]; v: [string[], number[]] }>();
  for (const x of dfg) {
    const key = x[0] + '\u0000' + x[1] + '\u0000' + x[2];
    const e = dic.get(key);
    if (!e) dic.set(key, { k: [x[0], x[1], x[2]], v: [x[3], x[4]] });
    else {
      e.v[0] = pySetList([...e.v[0], ...x[3]]);
      checkFrame(frame + 1); // sorted(...)
      e.v[1] = [...new Set([...e.v[1], ...x[4]])].sort((a, b) => a - b);
    }
  }
  // sorted(dic.items(), key=lambda t: t[0][1]) — stable on insertion order
  checkFrame(frame + (dic.size ? 2 : 1));
  const items = [...dic.values()].sort((a, b) => a.k[1] - b.k[1]);
  return items.map((e) => [e.k[0], e.k[1], e.k[2], e.v[0], e.v[1]] as DfgItem);
}

/** Assignment-like left/right node lists (assignment, augmented_assignment and each for-loop pass). */
function splitSides(ctx: Ctx, i: number, frame: number): [number[], number[]] {
  const t = ctx.t;
  checkFrame(frame + 1); // child_by_field_name("left")
  const left = childByField(t, i, 'left');
  checkFrame(frame + 1); // list comprehension frame
  const leftKids = kidsNoComma(t, node(left));
  checkFrame(frame + 1);
  const right = childByField(t, i, 'right');
  checkFrame(frame + 1);
  const rightKids = kidsNoComma(t, node(right));
  let leftNodes = leftKids;
  let rightNodes = rightKids;
  if (rightNodes.length !== leftNodes.length) {
    checkFrame(frame + 1);
    leftNodes = [left];
    checkFrame(frame + 1);
    rightNodes = [right];
  }
  if (leftNodes.length === 0) leftNodes = [left];
  if (rightNodes.length === 0) rightNodes = [right];
  return [leftNodes, rightNodes];
}

function kidsNoComma(t: FlatTree, i: number): number[] {
  const out: number[] = [];
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) if (t.type[k] !== ',') out.push(k);
  return out;
}

/** The computedFrom edges of `zip(left_nodes, right_nodes)`. */
function computedFrom(ctx: Ctx, leftNodes: number[], rightNodes: number[], scope: Scope, frame: number, dfg: DfgItem[]): void {
  const n = Math.min(leftNodes.length, rightNodes.length);
  for (let z = 0; z < n; z++) {
    const leftTokens = treeToVariableIndex(ctx, leftNodes[z], frame + 1, []);
    const rightTokens = treeToVariableIndex(ctx, rightNodes[z], frame + 1, []);
    for (const k1 of leftTokens) {
      const idx1 = lookupIdx(ctx, k1);
      const code1 = ctx.codes[idx1];
      checkFrame(frame + 1); // list comprehensions
      const idxs = rightTokens.map((x) => lookupIdx(ctx, x));
      const names = idxs.map((x) => ctx.codes[x]);
      dfg.push([code1, idx1, 'computedFrom', names, idxs]);
      scope.own().set(code1, [idx1]);
    }
  }
}

/**
 * The `states` one DFG_python call works on. Python copies `states` on entry to every call; here the
 * copy is made only when the call is about to change it (copy-on-write), or never when the caller
 * handed its own map over (`owned` from the start: see {@link dfgNode}). Invariant: a call never
 * mutates a map it was given unless it was handed over; it returns either that map or one it created,
 * which the caller then owns.
 */
class Scope {
  constructor(
    public states: States,
    private owned: boolean,
  ) {}

  /** The map, owned by this call (copied from the caller's first if needed). */
  own(): States {
    if (!this.owned) {
      this.states = copyStates(this.states);
      this.owned = true;
    }
    return this.states;
  }

  /**
   * `DFG, states = DFG_python(child, index_to_code, states)`: visits child `k` with these states,
   * handing them over when owned (they are replaced by the result right away), and appends its items.
   */
  visit(ctx: Ctx, k: number, frame: number, dfg: DfgItem[]): void {
    const st = dfgNode(ctx, k, this.states, frame, this.owned, dfg);
    if (st !== this.states) {
      this.states = st;
      this.owned = true;
    }
  }
}

/**
 * The end of a loop's DFG_python call: its own list (the loops merge theirs, {@link mergeLoopItems}) is
 * appended to the caller's and sorted there; every other branch writes onto the caller's list directly.
 */
function done(out: DfgItem[], dfg: DfgItem[], frame: number, states: States): States {
  const from = out.length;
  append(out, dfg);
  sortTail(out, from, frame);
  return states;
}

/**
 * `DFG += sorted(call_dfg, key=lambda x: x[1])` where the call's items are already at the end of the
 * caller's list (from `from` on): the frame checks of `sorted` called from a frame (sorted +1, and the
 * key lambda +2 when there is an item), and the tail sorted in place, stably as Python's sort. Children
 * are visited in document order, so the tail is usually sorted already; an assignment's (left side after
 * right side) is short, and insertion sort needs no scratch list.
 */
function sortTail(out: DfgItem[], from: number, frame: number): void {
  checkFrame(frame + (out.length > from ? 2 : 1));
  if (out.length - from > 64) {
    if (!isSortedByIdx(out, from)) {
      const sorted = out.slice(from).sort(byIdx); // stable
      for (let j = 0; j < sorted.length; j++) out[from + j] = sorted[j];
    }
    return;
  }
  for (let k = from + 1; k < out.length; k++) {
    const item = out[k];
    let j = k;
    while (j > from && out[j - 1][1] > item[1]) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = item;
  }
}

/** `a += b` without spreading b into arguments (b can be long). */
function append<T>(a: T[], b: readonly T[]): void {
  for (let k = 0; k < b.length; k++) a.push(b[k]);
}

/**
 * DFG.py `DFG_python(root_node, index_to_code, states)`: appends the call's DFG (sorted, as Python
 * returns it) to `out`, the caller's list, and returns the states (no result pair to allocate per node).
 * A call pushes its items straight onto `out` and sorts its own tail there ({@link sortTail}), so no list
 * is made per call (only the loops, which merge theirs, build one).
 *
 * One small function per branch of DFG.py, and plain recursion: each level costs two small JS frames
 * and checks its Python frame first, so the depth stays under {@link RECURSION_LIMIT} levels (tested
 * at the limit on the smallest stack this runs on). `mutable`: the caller owns `states` and replaces it
 * with the returned map right after the call, so the callee may update it in place.
 */
function dfgNode(ctx: Ctx, i: number, states: States, frame: number, mutable: boolean, out: DfgItem[]): States {
  const t = ctx.t;
  if (isLeafLike(t, i)) return dfgLeaf(ctx, i, states, frame, mutable, out);
  checkFrame(frame);
  checkFrame(frame + 1); // states.copy()
  const type = t.type[i];
  if (type === 'default_parameter') return dfgDefaultParameter(ctx, i, new Scope(states, mutable), frame, out);
  if (type === 'assignment' || type === 'augmented_assignment' || type === 'for_in_clause') return dfgAssignment(ctx, i, new Scope(states, mutable), frame, out);
  if (type === 'if_statement') return dfgIf(ctx, i, states, frame, out);
  if (type === 'for_statement') return dfgFor(ctx, i, new Scope(states, mutable), frame, out);
  if (type === 'while_statement') return dfgWhile(ctx, i, new Scope(states, mutable), frame, out);
  return dfgOther(ctx, i, new Scope(states, mutable), frame, out);
}

function dfgDefaultParameter(ctx: Ctx, i: number, s: Scope, frame: number, out: DfgItem[]): States {
  const t = ctx.t;
  checkFrame(frame + 1);
  const name = childByField(t, i, 'name');
  checkFrame(frame + 1);
  const value = childByField(t, i, 'value');
  const from = out.length;
  if (value < 0) {
    const indexs = treeToVariableIndex(ctx, name, frame + 1, []);
    for (const index of indexs) {
      const idx = lookupIdx(ctx, index);
      const code = ctx.codes[idx];
      out.push([code, idx, 'comesFrom', [], []]);
      s.own().set(code, [idx]);
    }
    sortTail(out, from, frame);
    return s.states;
  }
  const nameIndexs = treeToVariableIndex(ctx, name, frame + 1, []);
  const valueIndexs = treeToVariableIndex(ctx, value, frame + 1, []);
  s.visit(ctx, value, frame + 1, out);
  for (const index1 of nameIndexs) {
    const idx1 = lookupIdx(ctx, index1);
    const code1 = ctx.codes[idx1];
    for (const index2 of valueIndexs) {
      const idx2 = lookupIdx(ctx, index2);
      const code2 = ctx.codes[idx2];
      out.push([code1, idx1, 'comesFrom', [code2], [idx2]]);
    }
    s.own().set(code1, [idx1]);
  }
  sortTail(out, from, frame);
  return s.states;
}

/** `assignment`, `augmented_assignment` and `for_in_clause`. */
function dfgAssignment(ctx: Ctx, i: number, s: Scope, frame: number, out: DfgItem[]): States {
  const t = ctx.t;
  let leftNodes: number[];
  let rightNodes: number[];
  if (t.type[i] === 'for_in_clause') {
    rightNodes = [lastChild(t, i)];
    checkFrame(frame + 1);
    leftNodes = [childByField(t, i, 'left')];
  } else {
    checkFrame(frame + 1);
    if (childByField(t, i, 'right') < 0) return s.states;
    [leftNodes, rightNodes] = splitSides(ctx, i, frame);
  }
  const from = out.length;
  for (const nd of rightNodes) s.visit(ctx, node(nd), frame + 1, out);
  computedFrom(ctx, leftNodes, rightNodes, s, frame, out);
  sortTail(out, from, frame);
  return s.states;
}

function dfgIf(ctx: Ctx, i: number, states: States, frame: number, out: DfgItem[]): States {
  const t = ctx.t;
  const from = out.length;
  checkFrame(frame + 1); // states.copy(): nothing below mutates it, so sharing is equivalent
  let currentStates = states;
  const othersStates: States[] = [];
  let tag = false;
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) {
    const ct = t.type[k];
    if (ct.includes('else')) tag = true;
    if (ct !== 'elif_clause' && ct !== 'else_clause') {
      currentStates = dfgNode(ctx, k, currentStates, frame + 1, false, out);
    } else {
      othersStates.push(dfgNode(ctx, k, states, frame + 1, false, out));
    }
  }
  othersStates.push(currentStates);
  if (!tag) othersStates.push(states);
  const newStates: States = new Map();
  for (const dic of othersStates) {
    for (const [key, val] of dic) {
      const cur = newStates.get(key);
      if (cur === undefined) {
        checkFrame(frame + 1);
        newStates.set(key, val.slice());
      } else append(cur, val);
    }
  }
  for (const [key, val] of newStates) {
    checkFrame(frame + 1);
    newStates.set(key, [...new Set(val)].sort((a, b) => a - b));
  }
  sortTail(out, from, frame);
  return newStates;
}

function dfgFor(ctx: Ctx, i: number, s: Scope, frame: number, out: DfgItem[]): States {
  const t = ctx.t;
  let dfg: DfgItem[] = [];
  for (let pass = 0; pass < 2; pass++) {
    const [leftNodes, rightNodes] = splitSides(ctx, i, frame);
    for (const nd of rightNodes) s.visit(ctx, node(nd), frame + 1, dfg);
    computedFrom(ctx, leftNodes, rightNodes, s, frame, dfg);
    const last = lastChild(t, i);
    if (t.type[node(last)] === 'block') s.visit(ctx, last, frame + 1, dfg);
  }
  dfg = mergeLoopItems(dfg, frame);
  return done(out, dfg, frame, s.states);
}

function dfgWhile(ctx: Ctx, i: number, s: Scope, frame: number, out: DfgItem[]): States {
  const t = ctx.t;
  let dfg: DfgItem[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) s.visit(ctx, k, frame + 1, dfg);
  }
  dfg = mergeLoopItems(dfg, frame);
  return done(out, dfg, frame, s.states);
}

/** Every other node: `for_in_clause` children first, then the rest, in order. */
function dfgOther(ctx: Ctx, i: number, s: Scope, frame: number, out: DfgItem[]): States {
  const t = ctx.t;
  const from = out.length;
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) {
    if (t.type[k] === 'for_in_clause') s.visit(ctx, k, frame + 1, out);
  }
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) {
    if (t.type[k] !== 'for_in_clause') s.visit(ctx, k, frame + 1, out);
  }
  sortTail(out, from, frame);
  return s.states;
}

function lastChild(t: FlatTree, i: number): number {
  let last = -1;
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) last = k;
  if (last < 0) throw new PyError('IndexError: list index out of range');
  return last;
}

/** utils.py `index_to_code_token`: slices Python lines (code points) with byte columns, as the original does. */
function tokenText(lines: string[], lineCps: (string[] | null)[], sr: number, sc: number, er: number, ec: number): string {
  const slice = (row: number, a: number, b?: number): string => {
    const line = lines[row];
    if (line === undefined) throw new PyError('IndexError: list index out of range');
    let cps = lineCps[row];
    if (cps === undefined) {
      cps = isAscii(line) ? null : codePointArray(line);
      lineCps[row] = cps;
    }
    if (cps === null) return b === undefined ? line.slice(a) : line.slice(a, Math.max(a, b));
    return (b === undefined ? cps.slice(a) : cps.slice(a, Math.max(a, b))).join('');
  };
  if (sr === er) return slice(sr, sc, ec);
  let s = slice(sr, sc);
  for (let r = sr + 1; r < er; r++) s += slice(r, 0);
  s += slice(er, 0, ec);
  return s;
}

/**
 * dataflow_match.py `get_data_flow(code, parser)` for an already parsed tree: the merged DFG, or [] when
 * any step raised. (The caller handles `bytes(code, 'utf8')` failing: that also gives [].)
 */
export function getDataFlow(t: FlatTree, baseFrame = GET_DATA_FLOW_FRAME): DfgItem[] {
  let dfg: DfgItem[];
  try {
    const pts = t.pts;
    const tokens: number[] = [];
    treeToTokenIndex(t, 0, baseFrame + 1, tokens);
    let lines: string[] | null = null;
    const lineCps: (string[] | null)[] = [];
    const ctx: Ctx = { t, pts, idxOfNode: indexTokens(t, tokens), codes: new Array<string>(tokens.length) };
    for (let idx = 0; idx < tokens.length; idx++) {
      const i = tokens[idx];
      // On one row of an ASCII text, byte columns are string indexes: the line slice is the text slice.
      if (t.ascii && pts.sr[i] === pts.er[i]) ctx.codes[idx] = t.text.slice(t.start[i], t.end[i]);
      else ctx.codes[idx] = tokenText((lines ??= t.text.split('\n')), lineCps, pts.sr[i], pts.sc[i], pts.er[i], pts.ec[i]);
    }
    let DFG: DfgItem[];
    try {
      DFG = [];
      dfgNode(ctx, 0, new Map(), baseFrame + 1, true, DFG);
    } catch (e) {
      if (!(e instanceof PyError)) throw e;
      DFG = [];
    }
    // sorted(DFG, key=lambda x: x[1]): the root call returned it sorted already (a stable sort keeps it).
    if (!isSortedByIdx(DFG)) DFG = DFG.slice().sort(byIdx);
    // indexs: the token idxs that have parents or are parents (a set of small integers).
    const indexs = new Uint8Array(tokens.length);
    for (const d of DFG) {
      if (d[4].length !== 0) indexs[d[1]] = 1;
      for (const x of d[4]) indexs[x] = 1;
    }
    dfg = DFG.filter((d) => indexs[d[1]] === 1);
  } catch (e) {
    if (!(e instanceof PyError)) throw e;
    dfg = [];
  }
  // merge nodes: `dic` keyed by idx, in first-seen order. dfg is sorted by idx, so an idx's items are
  // consecutive and the dict is the list of runs, each merged into its first item's place.
  const merged: DfgItem[] = [];
  for (const d of dfg) {
    const prev = merged.length > 0 ? merged[merged.length - 1] : undefined;
    if (prev === undefined || prev[1] !== d[1]) merged.push(d);
    else merged[merged.length - 1] = [d[0], d[1], d[2], pySetList([...prev[3], ...d[3]]), [...new Set([...prev[4], ...d[4]])]];
  }
  return merged;
}

/**
 * {@link normalizeDataflow} without building its strings: each item's key `var_a|relation|var_b,var_c` as
 * the id of the integer sequence (a * 2 + relation code; b, c) in `interner`. The var numbers are given
 * exactly as there, so two items get one id exactly when their keys are equal (tested against the strings).
 */
export function normalizedDataflowIds(dfg: readonly DfgItem[], interner: IntSequenceInterner): Int32Array {
  const varNumber = new Map<string, number>();
  const numberOf = (name: string): number => {
    let v = varNumber.get(name);
    if (v === undefined) varNumber.set(name, (v = varNumber.size));
    return v;
  };
  const ids = new Int32Array(dfg.length);
  for (let k = 0; k < dfg.length; k++) {
    const [varName, , relation, parents] = dfg[k];
    if (parents.length > parentBuf.length) parentBuf = new Int32Array(Math.max(parents.length, parentBuf.length * 2));
    for (let j = 0; j < parents.length; j++) parentBuf[j] = numberOf(parents[j]);
    const head = numberOf(varName) * 2 + relationCode(relation);
    ids[k] = interner.intern(head, parentBuf, 0, parents.length);
  }
  return ids;
}

let parentBuf = new Int32Array(64);

/** DFG.py's two relations. */
function relationCode(relation: string): number {
  if (relation === 'comesFrom') return 0;
  if (relation === 'computedFrom') return 1;
  throw new Error(`CodeBLEU dataflow: unknown relation ${relation}`);
}

/** dataflow_match.py `normalize_dataflow`: variables renamed var_i by first appearance; items as keys. */
export function normalizeDataflow(dfg: readonly DfgItem[]): string[] {
  const varDict = new Map<string, string>();
  let i = 0;
  const out: string[] = [];
  for (const item of dfg) {
    const varName = item[0];
    const parents = item[3];
    for (const name of parents) {
      if (!varDict.has(name)) varDict.set(name, 'var_' + i++);
    }
    if (!varDict.has(varName)) varDict.set(varName, 'var_' + i++);
    out.push(varDict.get(varName)! + '|' + item[2] + '|' + parents.map((x) => varDict.get(x)!).join(','));
  }
  return out;
}
