/**
 * The fork server answers a program that does not compile without forking (forkserver.py compile_failure).
 * That shortcut must be invisible: each case here runs twice, once as it is and once padded past
 * PRECOMPILE_MAX_CHARS with a trailing comment (which makes the server compile it in the program's own
 * process, the path every program took before), and both runs must give the same verdict — status,
 * exception, exit code, stdout, stderr (modulo the work directory's number) and the raw report. Among the
 * cases are the ones the shortcut must leave to the program's process: a compile that warns first (the
 * warning belongs on the program's stderr), one that runs out of parser stack (MemoryError), one that
 * recurses too deep (RecursionError), and programs that compile.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { executeAll } from '../sandbox/execute.js';
import type { ExecResult } from '../sandbox/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const PRECOMPILE_MAX_CHARS = 100_000; // forkserver.py
const padded = (code: string) => code + '\n#' + '-'.repeat(PRECOMPILE_MAX_CHARS) + '\n';

const CASES: { id: string; code: string; status: string }[] = [
  { id: 'invalid-syntax', code: 'import os\ndef f(:\n    pass\n', status: 'syntax_error' },
  { id: 'indentation', code: 'if True:\nprint(1)\n', status: 'syntax_error' },
  { id: 'tab', code: 'if 1:\n\tx = 1\n        y = 2\n', status: 'syntax_error' },
  { id: 'nul', code: 'print(1)\u0000\n', status: 'syntax_error' },
  { id: 'unclosed-bracket', code: 'x = [1,\n  2\nprint(x)\n', status: 'syntax_error' },
  { id: 'unterminated-string', code: 'print("never closed)\n', status: 'syntax_error' },
  { id: 'non-ascii', code: 'x = "caf\u00e9" +\n', status: 'syntax_error' },
  // The compiler takes this error's source line from main.py itself: the file must exist when it compiles.
  { id: 'keyword-repeated', code: 'print(1)\nf(x=1, x=2)\n', status: 'syntax_error' },
  { id: 'return-outside', code: 'x = 1\nreturn x\n', status: 'syntax_error' },
  { id: 'nonlocal-module', code: 'nonlocal x\n', status: 'syntax_error' },
  { id: 'nested-parens', code: 'x = ' + '('.repeat(250) + '1' + ')'.repeat(250) + '\n', status: 'syntax_error' },
  { id: 'indent-levels', code: 'if 1:\n' + Array.from({ length: 120 }, (_, i) => ' '.repeat(i + 1) + 'if 1:\n').join(''), status: 'syntax_error' },
  { id: 'warns-then-fails', code: 'a = 1 is 1\nreturn a\n', status: 'syntax_error' },
  { id: 'deprecated-escape-then-fails', code: 'x = "\\d"\ndef f(:\n', status: 'syntax_error' },
  { id: 'parser-stack', code: '-'.repeat(50_000) + '1\n', status: 'syntax_error' },
  { id: 'compiler-recursion', code: 'a' + '.a'.repeat(40_000) + '\n', status: 'syntax_error' },
  { id: 'compiles', code: 'print("fine")\n', status: 'ok' },
  { id: 'compiles-with-warning', code: 'print(1 is 1)\n', status: 'ok' },
  { id: 'fails-later', code: 'print("before")\n1 / 0\n', status: 'runtime_error' },
];

const comparable = (r: ExecResult) => ({
  status: r.status,
  exception: r.exception,
  exit_code: r.exit_code,
  stdout: r.stdout,
  stderr: r.stderr.replace(/\/work\/s\d+\//g, '/work/s#/'),
  verdict: r.verdict,
});

describe.skipIf(SKIP_DOCKER)('answering non-compiling programs without a fork changes no verdict', () => {
  let results: Map<string, ExecResult>;
  beforeAll(async () => {
    await requireSandbox('base');
    const programs = CASES.flatMap((c) => [
      { id: c.id, code: c.code },
      { id: `${c.id}/padded`, code: padded(c.code) },
    ]);
    const out = await executeAll(programs, { profile: 'base', runId: `precompile-${randomBytes(4).toString('hex')}`, timeoutS: 20, concurrency: 2 });
    results = new Map(out.map((r) => [r.id, r]));
  }, 180_000);

  for (const c of CASES) {
    it(`${c.id}: ${c.status}, the same either way`, () => {
      const direct = results.get(c.id)!;
      const viaProcess = results.get(`${c.id}/padded`)!;
      expect(direct.status).toBe(c.status);
      expect(comparable(direct)).toEqual(comparable(viaProcess));
    });
  }

  it('a compile warning stays on the program\'s stderr', () => {
    expect(results.get('warns-then-fails')!.stderr).toMatch(/SyntaxWarning: "is" with a literal/);
    expect(results.get('compiles-with-warning')!.stderr).toMatch(/SyntaxWarning: "is" with a literal/);
  });
});
