// The shared UTF-8 tree-sitter parser (metrics/tree-sitter): provenance of the committed wasm, and the
// shape of the flat trees it returns. What the trees mean is checked by the AST and CodeBLEU golden tests.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/cli.js';
import {
  childAt,
  fieldNames,
  FLAG_ERROR,
  FLAG_HAS_ERROR,
  FLAG_MISSING,
  FLAG_NAMED,
  nodeStrings,
  nodeText,
  parse,
  symbolNames,
  typeName,
  setParserSpeedups,
  type ParserSpeedups,
  type SyntaxTree,
} from '../metrics/tree-sitter/parser.js';
import { APIBENCH } from './helpers/shared.js';
import { goldenCodeBleuTexts } from './helpers/golden-texts.js';
import { GORILLA_MODELS, loadResponses, responsesPath } from '../harness/datasets/apibench.js';

const WASM = 'metrics/tree-sitter/tree-sitter-python-utf8.wasm';

describe('the committed wasm build', () => {
  it('was built from exactly the runtime and grammar sources installed now (sources.sha256)', () => {
    // build.sh records sha256 of every input, of itself and of the output; a dependency bump that changes
    // tree-sitter's runtime or the grammar must rebuild the binary (and pass the golden tests again).
    const lines = readFileSync(join(REPO, 'metrics/tree-sitter/sources.sha256'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(40);
    const files = lines.map((l) => l.split(/\s+/)[1]);
    for (const f of [
      'node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c',
      'node_modules/tree-sitter-python/src/parser.c',
      'node_modules/tree-sitter-python/src/scanner.c',
      'metrics/tree-sitter/tsparse.c',
      'metrics/tree-sitter/recovery-cache.patch',
      'metrics/tree-sitter/build.sh',
      WASM,
    ]) {
      expect(files).toContain(f);
    }
    const stale = lines.filter((l) => {
      const [sha, path] = l.split(/\s+/);
      return createHash('sha256').update(readFileSync(join(REPO, path))).digest('hex') !== sha;
    });
    expect(stale).toEqual([]); // if not: run metrics/tree-sitter/build.sh and the golden tests again
    const version = (name: string) => JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect([version('tree-sitter'), version('tree-sitter-python')]).toEqual(['0.22.4', '0.23.6']);
  });

  it('is shipped in the npm package', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.files).toContain(WASM);
  });
});

/** Checks that the link columns describe one pre-order tree. */
function checkShape(t: SyntaxTree): void {
  expect(t.parent[0]).toBe(-1);
  for (let i = 0; i < t.size; i++) {
    let count = 0;
    let prev = i;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) {
      expect(t.parent[c]).toBe(i);
      expect(c).toBeGreaterThan(prev); // pre-order: children after their parent and left siblings
      expect(t.start[c]).toBeGreaterThanOrEqual(t.start[i]);
      expect(t.end[c]).toBeLessThanOrEqual(t.end[i]);
      prev = c;
      count++;
    }
    expect(t.childCount[i]).toBe(count);
  }
}

describe('parse', () => {
  it('gives UTF-8 byte offsets and byte-column points, like py-tree-sitter', () => {
    const code = "é = f('ü')\nx😀 = 1";
    const t = parse(code);
    checkShape(t);
    expect(t.ascii).toBe(false);
    expect(typeName(t.symbol[0])).toBe('module');
    expect(t.end[0]).toBe(Buffer.byteLength(code));
    const stmt = t.firstChild[0];
    expect(nodeText(t, stmt)).toBe("é = f('ü')");
    expect([t.startRow[stmt], t.startCol[stmt], t.endRow[stmt], t.endCol[stmt]]).toEqual([0, 0, 0, 12]);
    const last = t.nextSibling[stmt];
    expect(nodeText(t, last)).toBe('x😀 = 1');
    expect([t.startRow[last], t.endRow[last], t.endCol[last]]).toEqual([1, 1, 9]);
    expect(t.start[last]).toBe(Buffer.byteLength("é = f('ü')\n"));
  });

  it('reports types, fields and flags', () => {
    const t = parse('def f(a, b=2):\n    return a');
    checkShape(t);
    expect(t.ascii).toBe(true);
    const fields = fieldNames();
    const types = symbolNames();
    expect(types.length).toBeGreaterThan(100);
    const fn = t.firstChild[0];
    expect(typeName(t.symbol[fn])).toBe('function_definition');
    const byField = (i: number): Record<string, string> => {
      const r: Record<string, string> = {};
      for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.field[c]) r[fields[t.field[c]]] = typeName(t.symbol[c]);
      return r;
    };
    expect(byField(fn)).toEqual({ name: 'identifier', parameters: 'parameters', body: 'block' });
    expect(t.flags[fn] & FLAG_NAMED).toBe(FLAG_NAMED);
    expect(t.flags[childAt(t, fn, 0)] & FLAG_NAMED).toBe(0); // the `def` keyword
    expect(t.flags[0] & FLAG_HAS_ERROR).toBe(0);

    const bad = parse('f(1 $ 2)\nif x:\n');
    checkShape(bad);
    expect(bad.flags[0] & FLAG_HAS_ERROR).toBe(FLAG_HAS_ERROR);
    const errors = Array.from(bad.flags).filter((f) => f & FLAG_ERROR).length;
    expect(errors).toBeGreaterThan(0);
    const missing = parse('def f(:\n pass'); // (parameters (MISSING ")"))
    expect(Array.from(missing.flags).some((f) => f & FLAG_MISSING)).toBe(true);
  });

  it('copes with deep nesting, NUL and empty input', () => {
    const deep = parse('('.repeat(5000) + 'x' + ')'.repeat(5000));
    expect(deep.size).toBe(15003);
    checkShape(deep);
    const empty = parse('');
    expect([empty.size, empty.childCount[0], empty.firstChild[0]]).toEqual([1, 0, -1]);
    expect(parse('f(\u0000)').end[0]).toBe(4);
  });

  it('successive parses do not share buffers, and grow past earlier inputs', () => {
    const a = parse('a = 1');
    const big = 'x = [' + '1, '.repeat(100_000) + ']';
    const b = parse(big);
    expect(b.end[0]).toBe(big.length);
    expect(nodeText(a, a.firstChild[0])).toBe('a = 1');
    expect(a.end[0]).toBe(5);
  });

  it('ts_node_string of every subtree is available for renderer tests', () => {
    expect(nodeStrings('x = 1')).toEqual([
      '(module (expression_statement (assignment left: (identifier) right: (integer))))',
      '(expression_statement (assignment left: (identifier) right: (integer)))',
      '(assignment left: (identifier) right: (integer))',
    ]);
  });
});

describe('texts over the per-parse memory limit (1 MB)', () => {
  it('are parsed with malloc and free, to the same kind of tree', () => {
    // tsparse.c bumps a parse's memory out of one region only up to 1 MB of text; past that, memory
    // would grow with every allocation ever made in the parse, so the usual allocator takes over.
    const lines = 200_000;
    const t = parse('x = 1\n'.repeat(lines));
    expect(t.byteLength).toBeGreaterThan(1 << 20);
    expect(t.childCount[0]).toBe(lines);
    expect(typeName(t.symbol[t.firstChild[0]])).toBe('expression_statement');
    expect(t.flags[0] & FLAG_HAS_ERROR).toBe(0);
    // And the next, small text goes back to the region.
    expect(parse('y = 2').childCount[0]).toBe(1);
  });
});

describe('the speed-ups inside the wasm (dense parse table, error-recovery cache, per-parse memory, direct walk)', () => {
  /** A digest of every column of a tree (the columns are views of one buffer, in a fixed order). */
  const digest = (t: SyntaxTree): string => {
    const all = new Uint8Array(t.symbol.buffer, t.symbol.byteOffset, t.size * 13 * 4);
    return createHash('sha1').update(all).digest('hex');
  };

  it('give exactly the trees of the unmodified runtime and grammar tables, on every golden CodeBLEU text and Gorilla HF/TorchHub response', async () => {
    // Speed-only changes inside the wasm: each ts_language_lookup becomes one array read (tsparse.c),
    // error recovery replays per-state lists instead of scanning every token (recovery-cache.patch), and
    // a parse's memory is one region dropped at once, and the columns come from a walk over the subtrees
    // instead of the tree cursor (both tsparse.c).
    // Prose drives tree-sitter's error recovery through every state and token, so the Gorilla responses
    // (mostly prose around code) and the golden CodeBLEU texts (adversarial cases included) are the
    // strictest inputs.
    const texts = await goldenCodeBleuTexts();
    // TF Hub responses (4.5 MB more of the same kind of prose) would add ~6 s and nothing new.
    for (const hub of ['huggingface', 'torchhub'] as const) {
      for (const model of GORILLA_MODELS) for (const r of loadResponses(responsesPath(APIBENCH, hub, model))) texts.add(r.text);
    }
    // Lone surrogates are never parsed (callers refuse them first, as Python's encoder raises).
    const parsable = [...texts].filter((t) => !/[\ud800-\udfff]/.test(t.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')));
    expect(parsable.length).toBeGreaterThan(15000);
    const all: ParserSpeedups = { denseTable: true, recoveryCache: true, arena: true, directWalk: true };
    const none: ParserSpeedups = { denseTable: false, recoveryCache: false, arena: false, directWalk: false };
    const configurations: Record<string, ParserSpeedups> = {
      all,
      denseTable: { ...none, denseTable: true },
      recoveryCache: { ...none, recoveryCache: true },
      arena: { ...none, arena: true },
      directWalk: { ...none, directWalk: true },
    };
    const differing: Record<string, string[]> = {};
    try {
      setParserSpeedups(none);
      const plain = parsable.map((t) => digest(parse(t)));
      for (const [name, on] of Object.entries(configurations)) {
        setParserSpeedups(on);
        differing[name] = [];
        parsable.forEach((t, i) => {
          if (digest(parse(t)) !== plain[i]) differing[name].push(t.slice(0, 80));
        });
      }
    } finally {
      setParserSpeedups(all);
    }
    expect(differing).toEqual({ all: [], denseTable: [], recoveryCache: [], arena: [], directWalk: [] });
  }, 300_000);
});
