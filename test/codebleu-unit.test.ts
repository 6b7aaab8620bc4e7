// Unit checks of the CPython behaviours the CodeBLEU port copies. Expected values were printed by
// CPython 3.11 (PYTHONHASHSEED=0 where hashing is involved); the comments say which expression.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers/cli.js';
import { deepPattern } from './helpers/deep-patterns.js';
import { describe, expect, it } from 'vitest';
import { pySplit, pyStrip, utf8EncodeError } from '../metrics/codebleu/pystr.js';
import { fsum } from '../metrics/codebleu/fsum.js';
import { pySetList, pyStrHash } from '../metrics/codebleu/pyset.js';
import { parseFlat } from '../metrics/codebleu/tree.js';
import { getDataFlow, GET_DATA_FLOW_FRAME, normalizeDataflow, normalizedDataflowIds } from '../metrics/codebleu/dfg-python.js';
import { renderSexp, SexpInterner, subtreeIds } from '../metrics/codebleu/sexp.js';
import { IntSequenceInterner } from '../metrics/codebleu/int-sequence-interner.js';
import { goldenCodeBleuTexts, OneToOne } from './helpers/golden-texts.js';
import { nodeStrings } from '../metrics/tree-sitter/parser.js';
import { codeBleuComponents, codeBleuSentence, codeBleuSignature, codeBleuStats, codeBleuFromStats } from '../metrics/codebleu/index.js';
import { isFailure } from '../metrics/types.js';

describe('Python str behaviour', () => {
  it('split() uses str.isspace (\\x1c, \\x85, \\xa0, U+2028, U+3000 split; U+200B, U+FEFF do not)', () => {
    // 'a\x1cb\x85c\xa0d\u3000e\u200bf\ufeffg\u2028h\x0bi'.split()
    expect(pySplit('a\x1cb\x85c\xa0d\u3000e\u200bf\ufeffg\u2028h\x0bi')).toEqual(['a', 'b', 'c', 'd', 'e\u200bf\ufeffg', 'h', 'i']);
    expect(pyStrip(' \x1f\u3000x\u205f ')).toBe('x');
    expect(pySplit('')).toEqual([]);
  });

  it('bytes(s, "utf8") error text, positions in code points, runs of surrogates', () => {
    expect(utf8EncodeError('ab\udc80\ud800c')).toBe("'utf-8' codec can't encode characters in position 2-3: surrogates not allowed");
    expect(utf8EncodeError('a😀\ud800')).toBe("'utf-8' codec can't encode character '\\ud800' in position 2: surrogates not allowed");
    expect(utf8EncodeError('a😀b')).toBeNull();
  });

  it('math.fsum is correctly rounded', () => {
    expect(fsum(new Array(10).fill(0.1))).toBe(1.0);
    expect(fsum([1e100, 1.0, -1e100, 1e-100])).toBe(1.0);
    expect(fsum([0.25 * Math.log(3 / 7), 0.25 * Math.log(0.1 / 5), 0.25 * Math.log(1 / 9), 0.25 * Math.log(2 / 3)])).toBeCloseTo(-1.8405026378149334, 15);
  });

  it('hash(str) and list(set(strs)) follow CPython 3.11 with PYTHONHASHSEED=0', () => {
    expect(BigInt.asIntN(64, pyStrHash('news_article'))).toBe(-3059235972700837443n);
    expect(BigInt.asIntN(64, pyStrHash('é'))).toBe(6047309291227476195n);
    expect(BigInt.asIntN(64, pyStrHash('日本'))).toBe(6243316497235261705n);
    expect(BigInt.asIntN(64, pyStrHash('😀x'))).toBe(-8926728262118538918n);
    expect(pyStrHash('')).toBe(0n);
    expect(pySetList(['total', 'x', 'news_article', 'get_spans'])).toEqual(['get_spans', 'total', 'x', 'news_article']);
    expect(pySetList(['b', 'a', 'c', 'a', 'd', 'e', 'f', 'g', 'h'])).toEqual(['d', 'f', 'g', 'h', 'b', 'c', 'a', 'e']);
    expect(pySetList(['é', '日本', '😀x', 'x', ''])).toEqual(['', 'é', 'x', '日本', '😀x']);
    // list(set(['var0', ..., 'var29'])): exercises two table resizes
    expect(pySetList(Array.from({ length: 30 }, (_, i) => `var${i}`))).toEqual(
      [6, 5, 10, 25, 22, 16, 24, 20, 12, 28, 14, 13, 1, 19, 23, 17, 8, 4, 26, 3, 29, 11, 15, 2, 18, 21, 0, 9, 27, 7].map((i) => `var${i}`),
    );
  });
});

describe('tree-sitter parsing and subtree strings', () => {
  it('renders ts_node_string exactly (checked against the core on broken and unicode code)', () => {
    const codes = [
      'x = 1\nprint(x)\n',
      './run.sh --skip_data_prep false --download_model mio/amadeus\\n<<',
      'def f(a, b=2, *c, **d):\n    """doc"""\n    return a + b  # c\n',
      'print x, `y` <> 0777L\nexcept E, e: pass',
      'é = "ü😀"\nx = 1 ? 2 $ 3\n',
      'f(😀😀 $ é)\nx = 1 ¤ 2\n', // error leaves whose first character is not ASCII: (UNEXPECTED 128512)
      'class A(B):\n    @prop\n    def g(self): yield from h(lambda q: q[1:2, ...])\n',
      'if x:\n  pass\nelif y:\n  pass\nelse\n',
      'match p:\n    case [1, *r] if r: pass\n    case {"k": v}: pass\n',
      '((((((',
      '',
    ];
    for (const code of codes) {
      const t = parseFlat(code);
      const mine: string[] = [];
      for (let i = 0; i < t.size; i++) if (i === 0 || t.childCount[i] > 0) mine.push(renderSexp(t, i));
      expect(mine.sort()).toEqual(nodeStrings(code).sort());
    }
  });
});

describe('subtree ids (syntax match)', () => {
  it('are equal exactly when the printed subtrees (ts_node_string) are equal, over the golden CodeBLEU texts', async () => {
    // subtreeIds never builds the strings syntax_match.py compares; this checks its integer keys against
    // the rendered strings (renderSexp, itself checked against the core above) on every subtree.
    const interner = new SexpInterner();
    const ids = new OneToOne();
    for (const text of await goldenCodeBleuTexts()) {
      if (utf8EncodeError(text) !== null || text.length > 5000) continue; // rendering is O(size x depth)
      const t = parseFlat(text);
      const subtrees = subtreeIds(t, interner);
      let k = 0;
      for (let i = 0; i < t.size; i++) {
        if (i !== 0 && t.childCount[i] === 0) continue;
        ids.record(renderSexp(t, i), subtrees[k++]);
      }
      expect(k).toBe(subtrees.length);
    }
    expect(ids.records).toBeGreaterThan(100_000);
    expect(ids.distinct).toBeGreaterThan(10_000);
    expect(ids.mismatches).toEqual([]);
  }, 120_000);
});

describe('data-flow key ids (dataflow match)', () => {
  it('are equal exactly when the normalize_dataflow keys are equal, over the golden CodeBLEU texts', async () => {
    const interner = new IntSequenceInterner();
    const ids = new OneToOne();
    for (const text of await goldenCodeBleuTexts()) {
      if (utf8EncodeError(text) !== null) continue;
      const dfg = getDataFlow(parseFlat(text));
      const keys = normalizeDataflow(dfg);
      const keyIds = normalizedDataflowIds(dfg, interner);
      expect(keyIds.length).toBe(keys.length);
      keys.forEach((key, k) => ids.record(key, keyIds[k]));
    }
    expect(ids.records).toBeGreaterThan(50_000);
    expect(ids.distinct).toBeGreaterThan(1_000);
    expect(ids.mismatches).toEqual([]);
  }, 120_000);
});

describe('CPython recursion limit in get_data_flow', () => {
  // Thresholds measured by running k4black's Python get_data_flow/DFG_python/tree_to_token_index under
  // CPython 3.11 (limit 1000) with get_data_flow at frame 6: the smallest nesting that empties the graph.
  const pattern = deepPattern;
  for (const [kind, first] of [['parens', 990], ['lists', 990], ['calls', 495], ['binop', 991]] as const) {
    it(`${kind}: graph at ${first - 1} levels, empty at ${first}`, () => {
      expect(getDataFlow(parseFlat(pattern(kind, first - 1)), 6).length).toBeGreaterThan(0);
      expect(getDataFlow(parseFlat(pattern(kind, first)), 6)).toEqual([]);
    });
  }
  it('fits the deepest graph CPython can build in 700 KB of stack, interpreted (a thread has 984 KB or more)', () => {
    // The DFG recursion is plain JS recursion bounded by the emulated limit; this keeps its frames small.
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--stack-size=700', '--no-opt', '--no-sparkplug', join(REPO, 'test/helpers/deep-dfg.ts')], { encoding: 'utf8', cwd: REPO });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      parens: getDataFlow(parseFlat(pattern('parens', 989)), 6).length,
      lists: getDataFlow(parseFlat(pattern('lists', 989)), 6).length,
      calls: getDataFlow(parseFlat(pattern('calls', 494)), 6).length,
      binop: getDataFlow(parseFlat(pattern('binop', 990)), 6).length,
    });
    expect(JSON.parse(r.stdout).binop).toBeGreaterThan(900);
  });
  it('1000 nested parentheses give a degenerate dataflow (adv/099_deep_parens_1000)', () => {
    expect(GET_DATA_FLOW_FRAME).toBe(5);
    const code = 'x = ' + '('.repeat(1000) + 'y' + ')'.repeat(1000) + '\nz = x';
    const c = codeBleuComponents([codeBleuStats([code], code) as never]);
    expect(c.dataflow_degenerate).toBe(true);
    expect(c.dataflow_match).toBe(0);
    expect(c.codebleu).toBeCloseTo(0.25 * (c.ngram_match + c.weighted_ngram_match + (c.syntax_match as number) + 1), 12);
  });
});

describe('CodeBLEU API', () => {
  it('signatures name variant, grammar, weights and level', () => {
    expect(codeBleuSignature()).toBe('codebleu|v:k4black-0.7.1|grammar:tree-sitter-python-0.23.6|w:0.25,0.25,0.25,0.25');
    expect(codeBleuSignature({ variant: 'codexglue', weights: [0.1, 0.2, 0.3, 0.4] }, 'corpus')).toBe(
      'codebleu|v:codexglue-ac74a62|grammar:tree-sitter-python-0.23.6|w:0.1,0.2,0.3,0.4|level:corpus',
    );
    expect(codeBleuSignature({ weights: [1, 0, 0, 0] })).toContain('|w:1.0,0.0,0.0,0.0');
  });

  it('corpus level is micro-averaged (not the mean of sentence scores)', () => {
    const a = codeBleuStats(['y = f(x)\nprint(y)\nz = g(y, 2)\nprint(z)'], 'y = f(x)\nprint(y)\nz = g(y, 2)\nprint(z)');
    const b = codeBleuStats(['for i in range(10):\n    s = s + i'], 'while x:\n    pass');
    if (isFailure(a) || isFailure(b)) throw new Error('unexpected failure');
    const corpus = codeBleuFromStats([a, b]);
    if (isFailure(corpus)) throw new Error('unexpected failure');
    const sa = codeBleuFromStats([a]) as { syntax_match: number };
    const sb = codeBleuFromStats([b]) as { syntax_match: number };
    const total = (a.syntax as { total: number }).total + (b.syntax as { total: number }).total;
    const matched = (a.syntax as { matched: number }).matched + (b.syntax as { matched: number }).matched;
    expect(corpus.syntax_match).toBe(matched / total);
    expect(corpus.syntax_match).not.toBeCloseTo((sa.syntax_match + sb.syntax_match) / 2, 6);
  });

  it('k4black counts a zero dataflow as 1 in the sum; codexglue does not', () => {
    const k = codeBleuSentence(['model = AutoModel.from_pretrained("x")'], '');
    const c = codeBleuSentence(['model = AutoModel.from_pretrained("x")'], '', { variant: 'codexglue' });
    expect(k).toEqual({ ngram_match: 0, weighted_ngram_match: 0, syntax_match: 0, dataflow_match: 0, codebleu: 0.25 });
    expect(c).toEqual({ ngram_match: 0, weighted_ngram_match: 0, syntax_match: 0, dataflow_match: 0, codebleu: 0 });
  });

  it('a lone surrogate fails syntax (and so codebleu) but not the n-gram parts', () => {
    const st = codeBleuStats(['x = 1'], "x = '\ud800'");
    if (isFailure(st)) throw new Error('stats should not fail as a whole');
    const c = codeBleuComponents([st]);
    expect(c.syntax_match).toEqual({ error: "UnicodeEncodeError: 'utf-8' codec can't encode character '\\ud800' in position 5: surrogates not allowed" });
    expect(c.codebleu).toEqual(c.syntax_match);
    expect(typeof c.ngram_match).toBe('number');
    expect(isFailure(codeBleuSentence(['x = 1'], "x = '\ud800'"))).toBe(true);
  });

  it('rejects an empty reference list as the reference does (ValueError)', () => {
    expect(codeBleuStats([], 'x')).toEqual({ error: 'ValueError: min() arg is an empty sequence' });
  });
});
