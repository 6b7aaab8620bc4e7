import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from './helpers/rng.js';
import {
  generateTokens,
  PSEUDO_TOKEN_SPEC,
  pseudoMatchForTest,
  PyTokenizeError,
  STRING_SCANNERS,
  STRING_SPECS,
  type PyToken,
} from '../metrics/codebleu/python-tokenize.js';
import { isPySpace, pySplit, pyStrip } from '../metrics/codebleu/pystr.js';
import { spawnSync } from 'node:child_process';

/** Expected values in cases.json were computed by CPython 3.11.7 (see its `about` field). */
interface Case {
  name: string;
  src: string;
  tokens?: Array<[string, string, [number, number], [number, number], string]>;
  tokens_error?: string;
}
const CASES = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/pytokenize/cases.json'), 'utf8')) as { cases: Case[] }).cases;

const flat = (t: PyToken) => [t.type, t.string, t.start, t.end, t.line];

function tokenizeOrError(src: string): unknown {
  try {
    return [...generateTokens(src)].map(flat);
  } catch (e) {
    expect(e).toBeInstanceOf(PyTokenizeError);
    return (e as Error).message;
  }
}

describe('generateTokens: CPython 3.11 tokenize cases (fixtures/pytokenize/cases.json)', () => {
  it('has the authored cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
    expect(CASES.filter((c) => c.tokens_error !== undefined).length).toBeGreaterThanOrEqual(6);
  });
  for (const c of CASES) {
    it(c.name, () => {
      expect(tokenizeOrError(c.src)).toEqual(c.tokens_error ?? c.tokens);
    });
  }
});

describe('generateTokens: behaviours spelled out', () => {
  const toks = (src: string) => [...generateTokens(src)].map((t) => [t.type, t.string]);

  it('splits lines on \\n only, like StringIO.readline (a lone CR is an ERRORTOKEN)', () => {
    const t = [...generateTokens('a\rb\n')];
    expect(t.map((x) => [x.type, x.string])).toEqual([
      ['NAME', 'a'],
      ['ERRORTOKEN', '\r'],
      ['NAME', 'b'],
      ['NEWLINE', '\n'],
      ['ENDMARKER', ''],
    ]);
    expect(t[2].start).toEqual([1, 2]);
    expect(t[0].line).toBe('a\rb\n');
  });

  it('counts columns in code points: an astral character is one column', () => {
    const t = [...generateTokens('"😀" + x\n')];
    expect(t[0]).toMatchObject({ type: 'STRING', string: '"😀"', start: [1, 0], end: [1, 3] });
    expect(t[2]).toMatchObject({ type: 'NAME', string: 'x', start: [1, 6], end: [1, 7] });
  });

  it("uses Python's Unicode \\w: letters and digits of any script, not combining marks", () => {
    expect(toks('é = ٣\n').slice(0, 3)).toEqual([['NAME', 'é'], ['OP', '='], ['OP', '٣']]);
    // U+0301 (Mn) is not \w in Python: it is an ERRORTOKEN before the name.
    expect(toks('\u0301x\n').slice(0, 2)).toEqual([['ERRORTOKEN', '\u0301'], ['NAME', 'x']]);
  });

  it('expands tabs to multiples of 8 for indentation only; token columns stay raw', () => {
    const t = [...generateTokens('if a:\n\tb\n')];
    const indent = t.find((x) => x.type === 'INDENT')!;
    expect(indent).toMatchObject({ string: '\t', start: [2, 0], end: [2, 1] });
    expect(t.find((x) => x.string === 'b')!.start).toEqual([2, 1]);
  });

  it('raises the CPython errors with their Python text', () => {
    expect(() => [...generateTokens('if x:\n    a\n  b\n')]).toThrow(
      'IndentationError: unindent does not match any outer indentation level (<tokenize>, line 3)',
    );
    expect(() => [...generateTokens('s = """abc\n')]).toThrow("TokenError: ('EOF in multi-line string', (1, 4))");
    expect(() => [...generateTokens('f(1,\n')]).toThrow("TokenError: ('EOF in multi-line statement', (2, 0))");
  });

  it('yields the tokens before an error further down, then raises it', () => {
    const it = generateTokens('x = 1\n(\n');
    expect(it.next().value).toMatchObject({ type: 'NAME', string: 'x' });
    expect(() => [...it]).toThrow("TokenError: ('EOF in multi-line statement', (3, 0))");
  });

  it('adds the implicit NEWLINE, closing DEDENTs and ENDMARKER at EOF', () => {
    expect(toks('if a:\n    b')).toEqual([
      ['NAME', 'if'], ['NAME', 'a'], ['OP', ':'], ['NEWLINE', '\n'], ['INDENT', '    '], ['NAME', 'b'],
      ['NEWLINE', ''], ['DEDENT', ''], ['ENDMARKER', ''],
    ]);
  });
});

describe('Python whitespace helpers', () => {
  it('isPySpace is CPython 3.11\'s str.isspace() on every code point (asked of /usr/bin/python3 itself)', () => {
    const python = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';
    const py = spawnSync(python, ['-c', 'import sys; assert sys.version_info[:2] == (3, 11), sys.version; print(",".join(str(c) for c in range(0x110000) if chr(c).isspace()))'], { encoding: 'utf8' });
    expect(py.status, `${python} (3.11) is needed: ${py.stderr}`).toBe(0);
    const want = py.stdout.trim().split(',').map(Number);
    expect(want).toContain(0x85);
    // Every str.isspace() code point is in the BMP, so the UTF-16-unit test is exact.
    expect(want.every((c) => c < 0x10000)).toBe(true);
    const got: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (isPySpace(c)) got.push(c);
    expect(got).toEqual(want);
  });
  it('pyStrip and pySplit follow str.strip() and str.split()', () => {
    expect(pyStrip('\x1c\x85 a b\u3000\xa0')).toBe('a b');
    expect(pyStrip('\ufeffa\u200b')).toBe('\ufeffa\u200b');
    expect(pySplit(' a\x1fb\u2028c\u200bd  ')).toEqual(['a', 'b', 'c\u200bd']);
    expect(pySplit('   ')).toEqual([]);
  });
});

// Characters that matter to the string and token regexes, including CR, LF, escapes, prefixes,
// astral characters and lone surrogates.
const PIECES = ["'", '"', "'''", '"""', '\\', '\\\n', '\\\r\n', '\r', '\n', ' ', '\t', '\f', 'a', 'r', 'b', 'f', 'u', 'R', 'B',
  'x', '_', '0', '1', '.', 'e', 'j', '#', '(', ')', '=', '+', '/', '*', '😀', '\ud800', '\udc00', 'é', '٣', '\u0301', '$'];
// Number-shaped text, for the fast spelling of tokenize.py's Number regex.
const NUMBER_PIECES = ['0', '0', '1', '7', '9', '_', '_', '.', 'e', 'E', 'j', 'J', 'x', 'X', 'o', 'O', 'b', 'B', 'f', 'a', '-', '+', ' '];
function randomLine(next: () => number, max: number): string {
  const k = Math.floor(next() * max);
  let s = '';
  for (let i = 0; i < k; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe('the hand-written string scanners equal the tokenize.py regexes they replace', () => {
  it('on 20,000 random lines at every start position', () => {
    const next = rng(20240611);
    let checked = 0;
    for (let t = 0; t < 20_000; t++) {
      const line = randomLine(next, 24);
      for (let pos = 0; pos <= line.length; pos++) {
        // The tokenizer only starts matches on code-point boundaries (u-mode regexes treat an offset
        // inside a surrogate pair differently), so skip the middle of a pair.
        if (pos > 0 && /[\ud800-\udbff]/.test(line[pos - 1]) && /[\udc00-\udfff]/.test(line[pos] ?? '')) continue;
        for (const name of Object.keys(STRING_SPECS) as Array<keyof typeof STRING_SPECS & string>) {
          const re = STRING_SPECS[name];
          re.lastIndex = pos;
          const m = re.exec(line);
          const want = m ? pos + m[0].length : -1;
          const got = STRING_SCANNERS[name](line, pos);
          if (got !== want) expect(got, `${name} at ${pos} of ${JSON.stringify(line)}`).toBe(want);
        }
        PSEUDO_TOKEN_SPEC.lastIndex = pos;
        const m = PSEUDO_TOKEN_SPEC.exec(line);
        const want = m ? [pos + m[1].length, pos + m[0].length] : null;
        const got = pseudoMatchForTest(line, pos);
        if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `PseudoToken at ${pos} of ${JSON.stringify(line)}`).toEqual(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });

  it('on 100,000 random number-shaped lines (fast Number spelling)', () => {
    const next = rng(99);
    for (let t = 0; t < 100_000; t++) {
      const k = 1 + Math.floor(next() * 12);
      let line = '';
      for (let i = 0; i < k; i++) line += NUMBER_PIECES[Math.floor(next() * NUMBER_PIECES.length)];
      for (let pos = 0; pos < line.length; pos++) {
        PSEUDO_TOKEN_SPEC.lastIndex = pos;
        const m = PSEUDO_TOKEN_SPEC.exec(line);
        const want = m ? [pos + m[1].length, pos + m[0].length] : null;
        const got = pseudoMatchForTest(line, pos);
        if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `PseudoToken at ${pos} of ${JSON.stringify(line)}`).toEqual(want);
      }
    }
  });

  it('does not overflow where V8 regexes would (millions of escapes in one string)', () => {
    const body = '\\n'.repeat(4_000_000);
    // (Node 20's V8 throws RangeError running STRING_SPECS.Single over this body: why the scanners exist.)
    const toks = [...generateTokens("x = '" + body + "'\ny = '''" + "'a".repeat(4_000_000) + "'''\n")];
    expect(toks.map((t) => t.type)).toEqual(['NAME', 'OP', 'STRING', 'NEWLINE', 'NAME', 'OP', 'STRING', 'NEWLINE', 'ENDMARKER']);
    expect(toks[2].string.length).toBe(body.length + 2);
    const digits = [...generateTokens('1' + '0'.repeat(5_000_000) + 'j + 0x' + 'f'.repeat(5_000_000) + '\n')];
    expect(digits.map((t) => [t.type, t.string.length])).toEqual([['NUMBER', 5_000_002], ['OP', 1], ['NUMBER', 5_000_002], ['NEWLINE', 1], ['ENDMARKER', 0]]);
  });
});

describe('linear time on inputs that make naive regexes quadratic', () => {
  it('strips and tokenizes long inner runs of whitespace and CRs', () => {
    const run = ' '.repeat(300_000);
    expect(pyStrip('x' + run + 'y')).toBe('x' + run + 'y');
    expect(pySplit('x' + run + 'y')).toEqual(['x', 'y']);
    const comment = '#' + '\r'.repeat(300_000) + 'x\r\n';
    expect([...generateTokens(comment)].map((t) => [t.type, t.string.length])).toEqual([['COMMENT', 300_002], ['NL', 2], ['ENDMARKER', 0]]);
  });
  it('pyStrip agrees with isPySpace on every BMP code unit', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if ((pyStrip(ch) === '') !== isPySpace(c)) expect(c.toString(16)).toBe('a whitespace disagreement');
    }
  });
});
