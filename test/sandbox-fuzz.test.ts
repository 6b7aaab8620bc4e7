/**
 * The sandbox's side channels, fuzzed (issue 15): seeded generated programs write arbitrary bytes to
 * every descriptor they can reach (stdin, stdout, stderr, the report channel fd 3, descriptors that are not
 * open), close them at random points, sometimes plant a fake "it went fine" report, and then end in a
 * known way. Whatever they do, the harness answers every program, never blames itself (`sandbox_error`),
 * and the verdict follows how the program really ended: `ok` exactly when it ended normally, never `ok`
 * for one that raised, exited non-zero or was killed. The warm container then runs a trivial program fine.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { executePrograms } from '../sandbox/execute.js';
import type { ExecResult, Program } from '../sandbox/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

type Step = { write: number; n: number } | { close: number } | { print: number };
type Ending = 'normal' | 'raise' | 'exit3' | '_exit3' | 'kill';
interface Case {
  seed: number;
  steps: Step[];
  ending: Ending;
  fakeReport: boolean;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ write: fc.constantFrom(0, 1, 2, 3, 4, 7, 255), n: fc.nat(3000) }) },
  { weight: 1, arbitrary: fc.record({ close: fc.constantFrom(0, 1, 2, 3) }) },
  { weight: 1, arbitrary: fc.record({ print: fc.nat(200) }) },
);
const fuzzCase: fc.Arbitrary<Case> = fc.record({
  seed: fc.nat(),
  steps: fc.array(step, { maxLength: 7 }),
  ending: fc.constantFrom<Ending>('normal', 'raise', 'exit3', '_exit3', 'kill'),
  fakeReport: fc.boolean(),
});

/** The Python program of a case (its bytes come from Python's own seeded generator). */
function program(c: Case): string {
  const body = c.steps.map((s) => {
    if ('write' in s) return `w(${s.write}, ${s.n})`;
    if ('close' in s) return `c(${s.close})`;
    return `p(${s.print})`;
  });
  const fake = '{"phase": "done", "exit": 0}';
  const ending = {
    normal: 'x = 1',
    raise: 'raise ValueError("the real outcome")',
    exit3: 'sys.exit(3)',
    _exit3: 'os._exit(3)',
    kill: 'os.kill(os.getpid(), signal.SIGKILL)',
  }[c.ending];
  return [
    'import os, random, signal, sys',
    `random.seed(${c.seed})`,
    'def w(fd, n):',
    '    try:',
    '        os.write(fd, bytes(random.getrandbits(8) for _ in range(n)))',
    '    except OSError:',
    '        pass',
    'def c(fd):',
    '    try:',
    '        os.close(fd)',
    '    except OSError:',
    '        pass',
    'def p(n):',
    '    try:',
    '        print("".join(chr(random.randrange(1, 0x2FFF)) for _ in range(n)), flush=True)',
    '        print("V 0 2\\n{}", file=sys.stderr, flush=True)',
    '    except (OSError, ValueError):',
    '        pass',
    ...body,
    // A report claiming a clean end, planted before a failing ending.
    ...(c.fakeReport && c.ending !== 'normal' ? ['try:', `    os.write(3, b'${fake}')`, 'except OSError:', '    pass'] : []),
    ending,
  ].join('\n') + '\n';
}

describe.skipIf(SKIP_DOCKER)('fuzzed side channels against the real engine', () => {
  const cases = fc.sample(fuzzCase, { seed: 20261207, numRuns: 40 });
  const results = new Map<string, ExecResult>();

  beforeAll(async () => {
    await requireSandbox('base');
    const programs: Program[] = [];
    cases.forEach((c, i) => {
      programs.push({ id: `fuzz-${i}`, code: program(c) });
      programs.push({ id: `fuzz-${i}/then-trivial`, code: 'print(6 * 7)\n' });
    });
    const runId = `fuzz-${randomBytes(4).toString('hex')}`;
    await executePrograms(programs, { profile: 'base', runId, timeoutS: 10, memoryMb: 256, outputKb: 64, tmpfsMb: 64, pidsLimit: 64, concurrency: 2 }, async (r) => {
      results.set(r.id, r);
    });
  }, 300_000);

  it('answers every program; ok exactly for those that ended normally; the container goes on', () => {
    expect(results.size).toBe(cases.length * 2);
    const seen = new Set<string>();
    cases.forEach((c, i) => {
      const r = results.get(`fuzz-${i}`)!;
      const what = `case ${i} (${c.ending}${c.fakeReport ? ', fake report' : ''}): ${JSON.stringify(c.steps)}`;
      expect(r.status, what).not.toBe('sandbox_error');
      expect(r.status, what).not.toBe('timeout');
      if (c.ending === 'normal') expect(r.status, what).toBe('ok');
      else expect(r.status, what).not.toBe('ok');
      if (c.ending === 'kill') expect(r.status, what).toBe('crashed');
      if (c.ending === 'exit3' || c.ending === '_exit3') expect(r.exit_code, what).toBe(3);
      seen.add(c.ending);
      const next = results.get(`fuzz-${i}/then-trivial`)!;
      expect(next.status, `after ${what}`).toBe('ok');
      expect(next.stdout).toBe('42\n');
    });
    expect(seen.size).toBe(5); // the seed covers every ending
  });
});
