/**
 * Port of Gorilla's AST sub-tree matching: ShishirPatil/gorilla @ 6ea57973c7a6097fd7c5915698c54c17c5b1b6c8,
 * gorilla/eval/eval-scripts/ast_eval_hf.py, ast_eval_th.py and ast_eval_tf.py (get_all_sub_trees,
 * ast_parse, get_args, ast_check). It runs on tree-sitter-python 0.23.6, parsed from UTF-8 bytes like
 * py-tree-sitter (metrics/tree-sitter/ explains why node `tree-sitter` cannot be used). Gorilla shipped a 2022
 * grammar (a585739), which changes 42 of 7,240 HF verdicts (golden README §4).
 *
 * Every quirk is kept on purpose, because the point is to reproduce the published numbers:
 *  - the candidate sub-tree is the FIRST in stack-pop order whose first child's text equals the database
 *    entry's function expression; when there is none, Python's leaked loop variable makes it the LAST one;
 *  - a database entry whose call has no arguments is skipped and can never match;
 *  - every database argument, after lstrip("'").rstrip("'"), must be a SUBSTRING of the candidate's text;
 *    for a keyword argument (any argument whose text contains "=") only children[2], the value, is used;
 *  - the first matching database index wins.
 * Python's `bytes` comparisons and `str` substring tests are done on decoded JS strings: for valid Unicode
 * text (lone surrogates are refused, as `bytes(candidate, 'utf8')` raises on them) equality and containment
 * are the same on UTF-8 bytes, code points and UTF-16 units.
 */
import { childAt, nodeText, parse, type SyntaxTree } from '../tree-sitter/parser.js';

export type AstHub = 'huggingface' | 'torchhub' | 'tensorflowhub';
/** A node is its index in the tree's pre-order columns (0 is the root). */
type Node = number;
export type { SyntaxTree } from '../tree-sitter/parser.js';

/** Raised where the Python script itself would raise (IndexError on a database entry, UnicodeEncodeError). */
export class GorillaScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GorillaScriptError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** ast_parse: parse text as Python (the script encodes it to UTF-8 first, which fails on lone surrogates). */
export function astParse(text: string): SyntaxTree {
  if (LONE_SURROGATE.test(text)) {
    throw new GorillaScriptError("UnicodeEncodeError: 'utf-8' codec can't encode a lone surrogate (the Gorilla script raises here)");
  }
  return parse(text);
}

export interface SubTree {
  node: Node;
  /** `cur_node.children[0].text`, or null (Python None) for a childless node (only the root can be). */
  firstChildText: string | null;
}

/** get_all_sub_trees: the root plus every node that has children, in the script's stack-pop order. */
export function getAllSubTrees(tree: SyntaxTree): SubTree[] {
  const out: SubTree[] = [];
  const stack: Node[] = [0];
  while (stack.length !== 0) {
    const cur = stack.pop()!;
    const first = tree.firstChild[cur];
    out.push({ node: cur, firstChildText: first >= 0 ? nodeText(tree, first) : null });
    for (let c = first; c >= 0; c = tree.nextSibling[c]) {
      if (tree.childCount[c] !== 0) stack.push(c);
    }
  }
  return out;
}

/** Python `s.lstrip("'").rstrip("'")`. */
export function stripQuotes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === "'") a++;
  while (b > a && s[b - 1] === "'") b--;
  return s.slice(a, b);
}

function child(tree: SyntaxTree, node: Node, i: number, what: string): Node {
  const c = childAt(tree, node, i);
  if (c < 0) throw new GorillaScriptError(`IndexError: list index out of range (${what})`);
  return c;
}

/** get_args, per hub (the three scripts differ only here). Raises where Python would raise. */
export function getArgs(tree: SyntaxTree, hub: AstHub): string[] {
  if (tree.childCount[0] === 0) return [];
  const argList = child(tree, child(tree, child(tree, 0, 0, 'children[0]'), 0, 'children[0].children[0]'), 1, 'children[0].children[0].children[1]');
  const args: string[] = [];
  for (let c = tree.firstChild[argList]; c >= 0; c = tree.nextSibling[c]) {
    const text = nodeText(tree, c);
    if (hub === 'huggingface') {
      if (text.includes('=')) args.push(nodeText(tree, child(tree, c, 2, 'keyword argument children[2]')));
      else if (text !== '(' && text !== ')' && text !== ',') args.push(text);
    } else if (hub === 'torchhub') {
      if (text.includes('repo_or_dir') || text.includes('model')) args.push(nodeText(tree, child(tree, c, 2, 'argument children[2]')));
    } else {
      if (text.includes('model=') || text.includes('model =')) args.push(nodeText(tree, child(tree, c, 2, 'argument children[2]')));
      else if (text !== '(' && text !== ')' && text !== ',') args.push(text);
    }
  }
  return args;
}

/** One database entry, pre-digested the way ast_check reads it on every call. */
export interface BaseEntry {
  /** `base_tree.children[0].children[0].children[0].text`; null when ast_check `continue`s before it. */
  apiName: string | null;
  /** get_args(base_tree) after lstrip/rstrip("'"); empty means the entry can never match. */
  args: string[];
  /** Set when the Python script would raise on reaching this entry (message of that exception). */
  error?: string;
}

/** Digests one database api_call string exactly as ast_check walks its tree. */
export function prepareBase(apiCall: string, hub: AstHub): BaseEntry {
  try {
    const tree = astParse(apiCall);
    const c00 = child(tree, child(tree, 0, 0, 'children[0]'), 0, 'children[0].children[0]');
    if (tree.childCount[c00] === 0) return { apiName: null, args: [] };
    const apiName = nodeText(tree, child(tree, c00, 0, 'children[0].children[0].children[0]'));
    return { apiName, args: getArgs(tree, hub).map(stripQuotes) };
  } catch (e) {
    if (e instanceof GorillaScriptError) return { apiName: null, args: [], error: e.message };
    throw e;
  }
}

/**
 * ast_check: the index of the first database entry whose arguments all occur in the chosen candidate
 * sub-tree, or -1. `onError` receives the index of an entry on which Python would have raised.
 */
export function astCheck(tree: SyntaxTree, candidates: SubTree[], base: BaseEntry[], onError: (idx: number, message: string) => never): number {
  // First sub-tree (in list order) for each first-child text: the `break` of the search loop.
  const firstByName = new Map<string, Node>();
  for (const c of candidates) {
    if (c.firstChildText !== null && !firstByName.has(c.firstChildText)) firstByName.set(c.firstChildText, c.node);
  }
  const last = candidates[candidates.length - 1].node;
  const textCache = new Map<Node, string>();
  for (let idx = 0; idx < base.length; idx++) {
    const b = base[idx];
    if (b.error !== undefined) onError(idx, b.error);
    if (b.apiName === null) continue;
    if (b.args.length === 0) continue;
    // No sub-tree found: the loop variable leaks the LAST candidate.
    const node = firstByName.get(b.apiName) ?? last;
    let text = textCache.get(node);
    if (text === undefined) {
      text = nodeText(tree, node);
      textCache.set(node, text);
    }
    let ok = true;
    for (const arg of b.args) {
      if (!text.includes(arg)) {
        ok = false;
        break;
      }
    }
    if (ok) return idx;
  }
  return -1;
}
