// Pure parts of the sandbox: framing, classification, rates, gold report, mirror, recipe hash, and the
// executor's ordering/retry/abort logic (driven through the SandboxProvider interface). No engine needed.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, missingModule } from '../sandbox/classify.js';
import { executePrograms, ExecInterrupted } from '../sandbox/execute.js';
import { gateFromResults, goldReport } from '../sandbox/gold.js';
import { resolveLimits } from '../sandbox/limits.js';
import { debianMirror } from '../sandbox/mirror.js';
import { encodeFrame, FrameParser } from '../sandbox/protocol.js';
import type { SandboxProvider } from '../sandbox/provider.js';
import { executabilityRate } from '../sandbox/rate.js';
import { hubLibraries, hubRuntimeFiles, isLayer, loadRecipe, recipeHash, imageTag, PROFILES, type DebianRecipe } from '../sandbox/recipe.js';
import { PROFILE_CHOICES } from '../harness/cli/profile-option.js';
import type { ExecResult, ExecStatus, Program } from '../sandbox/types.js';
import type { ServerVerdict } from '../sandbox/verdict.js';

describe('fork server framing', () => {
  it('parses frames split anywhere and bodies containing newlines', () => {
    const bytes = Buffer.concat([encodeFrame('READY', '{"a":1}'), encodeFrame('V abc', 'x\ny\n\n'), encodeFrame('V d', '')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const p = new FrameParser();
      const frames = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
      expect(frames.map((f) => [f.head, f.body.toString()])).toEqual([
        [['READY'], '{"a":1}'],
        [['V', 'abc'], 'x\ny\n\n'],
        [['V', 'd'], ''],
      ]);
    }
  });
  it('counts the body in bytes, not characters', () => {
    const f = encodeFrame('R', 'é€😀');
    expect(f.toString('latin1').startsWith('R 9\n')).toBe(true);
    expect(new FrameParser().push(f)[0].body.toString('utf8')).toBe('é€😀');
  });
  it('rejects a malformed header', () => {
    expect(() => new FrameParser().push(Buffer.from('V nonce notanumber\n'))).toThrow(/bad header/);
    expect(() => new FrameParser().push(Buffer.from('x'.repeat(300)))).toThrow(/header too long/);
  });
});

function verdict(over: Partial<ServerVerdict>): ServerVerdict {
  return { duration_ms: 5, stdout: 'o', stderr: 'e', timed_out: false, output_limit: false, oom_killed: false, clean: true, signal: null, exit_code: 0, report: { phase: 'done', exit: 0 }, ...over };
}
const run = (type: string, bases: string[], message = 'm', module = 'builtins') => ({ phase: 'run' as const, type, module, message, builtin_bases: bases, exit: 1 });

describe('classify', () => {
  const cases: [string, Partial<ServerVerdict>, ExecStatus, string | null, number | null][] = [
    ['clean exit', {}, 'ok', null, 0],
    ['output flood beats timeout', { output_limit: true, timed_out: true, signal: 9, exit_code: null }, 'output_limit', null, null],
    ['timeout', { timed_out: true, signal: 9, exit_code: null }, 'timeout', null, null],
    ['oom kill', { signal: 9, oom_killed: true, exit_code: null }, 'memory_limit', 'SIGKILL (out of memory)', null],
    ['cpu rlimit', { signal: 24, exit_code: null }, 'timeout', 'SIGXCPU (CPU time limit)', null],
    ['segfault', { signal: 11, exit_code: null }, 'crashed', 'SIGSEGV', null],
    ['abort', { signal: 6, exit_code: null }, 'crashed', 'SIGABRT', null],
    ['syntax', { exit_code: 1, report: { phase: 'compile', type: 'IndentationError', module: 'builtins', message: 'unexpected indent', builtin_bases: ['IndentationError', 'SyntaxError', 'Exception', 'BaseException', 'object'], exit: 1 } }, 'syntax_error', 'IndentationError: unexpected indent', 1],
    ['missing module', { exit_code: 1, report: run('ModuleNotFoundError', ['ModuleNotFoundError', 'ImportError'], "No module named 'transformers'") }, 'import_error', "ModuleNotFoundError: No module named 'transformers'", 1],
    ['unbound local', { exit_code: 1, report: run('UnboundLocalError', ['UnboundLocalError', 'NameError']) }, 'name_error', 'UnboundLocalError: m', 1],
    ['attribute', { exit_code: 1, report: run('AttributeError', ['AttributeError']) }, 'attribute_error', 'AttributeError: m', 1],
    ['type', { exit_code: 1, report: run('TypeError', ['TypeError']) }, 'type_error', 'TypeError: m', 1],
    ['memory error subclass', { exit_code: 1, report: run('_ArrayMemoryError', ['MemoryError'], 'Unable to allocate', 'numpy.core._exceptions') }, 'memory_limit', 'numpy.core._exceptions._ArrayMemoryError: Unable to allocate', 1],
    ['torch allocator', { exit_code: 1, report: run('RuntimeError', ['RuntimeError'], "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory") }, 'memory_limit', "RuntimeError: [enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory", 1],
    ['other exception, qualified', { exit_code: 1, report: run('LinAlgError', ['ValueError'], 'Singular matrix', 'numpy.linalg') }, 'runtime_error', 'numpy.linalg.LinAlgError: Singular matrix', 1],
    ['exception without message', { exit_code: 1, report: run('KeyError', ['KeyError'], '') }, 'runtime_error', 'KeyError', 1],
    ['sys.exit(3)', { exit_code: 3, report: { phase: 'exit', exit: 3 } }, 'exit_nonzero', null, 3],
    ['os._exit without report', { exit_code: 7, report: null }, 'exit_nonzero', null, 7],
    // A report that disagrees with the exit status the server saw is not trusted.
    ['forged report', { exit_code: 0, report: run('TypeError', ['TypeError']) }, 'ok', null, 0],
    ['forged ok', { exit_code: 1, report: { phase: 'done', exit: 0 } }, 'exit_nonzero', null, 1],
  ];
  for (const [name, v, status, exception, exit] of cases) {
    it(name, () => {
      const r = classify('id1', verdict(v));
      expect(r).toEqual({ id: 'id1', status, exception, exit_code: exit, duration_ms: 5, stdout: 'o', stderr: 'e' });
      expect(Object.keys(r)).toEqual(['id', 'status', 'exception', 'exit_code', 'duration_ms', 'stdout', 'stderr']);
    });
  }
  it('finds the missing top-level module', () => {
    expect(missingModule("ModuleNotFoundError: No module named 'transformers'")).toBe('transformers');
    expect(missingModule("ModuleNotFoundError: No module named 'diffusers.pipelines'")).toBe('diffusers');
    expect(missingModule("ImportError: cannot import name 'AutoModel' from 'transformers' (unknown location)")).toBe('transformers');
    expect(missingModule('ValueError: x')).toBeNull();
    expect(missingModule(null)).toBeNull();
  });
});

const res = (id: string, status: ExecStatus, exception: string | null = null): ExecResult => ({ id, status, exception, exit_code: null, duration_ms: 0, stdout: '', stderr: '' });

describe('executability rate', () => {
  it('leaves sandbox_error out of the denominator, over all and over supported tasks', () => {
    const rs = [res('a', 'ok'), res('b', 'runtime_error'), res('c', 'sandbox_error'), res('d', 'ok'), res('e', 'import_error')];
    const r = executabilityRate(rs, new Set(['a', 'b', 'c']));
    expect(r.all).toEqual({ n: 4, ok: 2, rate: 0.5, sandboxErrors: 1 });
    expect(r.supported).toEqual({ n: 2, ok: 1, rate: 0.5, sandboxErrors: 1, tasks: 3 });
    expect(r.counts).toEqual({ ok: 2, runtime_error: 1, sandbox_error: 1, import_error: 1 });
  });
  it('an empty denominator is undefined, not 0', () => {
    expect(executabilityRate([res('a', 'sandbox_error')], []).supported).toEqual({ n: 0, ok: 0, rate: null, sandboxErrors: 0, tasks: 0 });
    expect(executabilityRate([]).all.rate).toBeNull();
  });
});

describe('gold gate report', () => {
  it('says plainly which modules the image lacks', () => {
    const gate = gateFromResults([
      res('1', 'import_error', "ModuleNotFoundError: No module named 'transformers'"),
      res('2', 'import_error', "ModuleNotFoundError: No module named 'transformers.pipelines'"),
      res('3', 'ok'),
      res('4', 'import_error', "ModuleNotFoundError: No module named 'diffusers'"),
      res('5', 'timeout'),
      res('6', 'sandbox_error', 'boom'),
    ]);
    expect([...gate.supported]).toEqual(['3']);
    expect(gate.unsupported.map((r) => r.id)).toEqual(['1', '2', '4', '5', '6']);
    expect(goldReport(gate)).toEqual([
      '2 of 6 reference programs fail with import_error: transformers — the image lacks them; see README (bring your own image)',
      '1 of 6 reference programs fail with import_error: diffusers — the image lacks them; see README (bring your own image)',
      '1 of 6 reference programs fail otherwise (timeout 1)',
      '1 of 6 reference programs hit sandbox_error (infrastructure) and are not counted as supported',
      '5 of 6 tasks are env_unsupported in this image',
    ]);
  });
  it('folds the rarer missing modules into one line past keepModules (what eval notes show)', () => {
    const mods = ['a', 'b', 'c', 'd'];
    const results = mods.flatMap((m, k) => Array.from({ length: 4 - k }, (_, i) => res(`${m}${i}`, 'import_error', `ModuleNotFoundError: No module named '${m}'`)));
    results.push(res('ok', 'ok'));
    const gate = gateFromResults(results);
    const line = (n: number, m: string) => `${n} of 11 reference programs fail with import_error: ${m} — the image lacks them; see README (bring your own image)`;
    expect(goldReport(gate, { keepModules: 2 })).toEqual([line(4, 'a'), line(3, 'b'), '3 more reference programs fail with import_error on 2 other modules (c, d)', '10 of 11 tasks are env_unsupported in this image']);
    // One module more than kept is not folded (a fold of one line saves nothing).
    expect(goldReport(gate, { keepModules: 3 })).toEqual([line(4, 'a'), line(3, 'b'), line(2, 'c'), line(1, 'd'), '10 of 11 tasks are env_unsupported in this image']);
    expect(goldReport(gate)).toEqual(goldReport(gate, { keepModules: 3 }));
  });
  it('names what the hub profile finds: names a library lacks, inputs the task does not give, a GPU', () => {
    const lines = goldReport(gateFromResults([
      res('1', 'ok', null),
      res('2', 'import_error', "ImportError: cannot import name 'XClipModel' from 'transformers' (/usr/lib/python3/dist-packages/transformers/__init__.py)"),
      res('3', 'env_input', "apieval_hub.inputs.EnvInputError: network access (request 'http://x') is not available: the task's inputs are not provided"),
      res('4', 'runtime_error', 'AssertionError: Torch not compiled with CUDA enabled'),
      res('5', 'name_error', "NameError: name 'medical_term' is not defined"),
    ]));
    expect(lines).toEqual([
      '1 of 5 reference programs import a name their library does not export (transformers.XClipModel)',
      '1 of 5 reference programs need an input the task does not provide (env_input: a network resource, a placeholder file or standard input)',
      '1 of 5 reference programs read a name they never define (an input the task leaves as a placeholder: name_error)',
      '1 of 5 reference programs need a CUDA GPU',
      '4 of 5 tasks are env_unsupported in this image',
    ]);
  });
  it('when nothing executes it says the supported rate is undefined', () => {
    const lines = goldReport(gateFromResults([res('1', 'import_error', "ModuleNotFoundError: No module named 'transformers'")]));
    expect(lines[0]).toBe('1 of 1 reference programs fail with import_error: transformers — the image lacks them; see README (bring your own image)');
    expect(lines.at(-1)).toMatch(/undefined, not 0%/);
  });
});

describe('image recipe and mirror', () => {
  it('hashes what determines the image, not the order of packages or the runtime preload list', () => {
    const r = loadRecipe('ml') as DebianRecipe;
    const h = recipeHash(r);
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    expect(recipeHash({ ...r, packages: [...r.packages].reverse(), preload: [] })).toBe(h);
    expect(recipeHash({ ...r, packages: [...r.packages, 'python3-yaml'] })).not.toBe(h);
    expect(imageTag(r)).toBe(`apieval-sandbox-ml:${h}`);
    expect(recipeHash(loadRecipe('base'))).not.toBe(h);
    expect(() => loadRecipe('gpu')).toThrow(/unknown sandbox profile 'gpu'/);
  });
  it('the command line offers exactly the recipes\' profiles', () => {
    expect([...PROFILE_CHOICES]).toEqual([...PROFILES]);
  });
  it('the hub profile is the ml image plus the runtime: its hash follows both', () => {
    const hub = loadRecipe('hub');
    expect(isLayer(hub) && hub.base).toBe('ml');
    expect(recipeHash(hub)).toMatch(/^[0-9a-f]{12}$/);
    expect(recipeHash(hub)).not.toBe(recipeHash(loadRecipe('ml')));
    // The runtime's files and every surface, nothing generated (model ids) or cached (__pycache__).
    const files = hubRuntimeFiles().map((f) => f.path);
    expect(files).toContain('apieval_hub/__init__.py');
    expect(files).toContain('apieval_hub/surfaces/transformers-4.41.2.json');
    expect(files.some((f) => /model_ids|__pycache__/.test(f))).toBe(false);
    expect(hubLibraries().map((l) => `${l.library}-${l.version}`).sort()).toEqual(['datasets-2.20.0', 'diffusers-0.29.2', 'huggingface_hub-0.23.4', 'sentence-transformers-3.0.1', 'transformers-4.41.2']);
  });
  it('reads the mirror apt uses from deb822 and one-line sources', () => {
    const root = mkdtempSync(join(tmpdir(), 'apt-'));
    mkdirSync(join(root, 'sources.list.d'));
    writeFileSync(join(root, 'sources.list.d', 'debian.sources'), [
      'Types: deb', 'URIs: http://mirror.example/debian-security', 'Suites: bookworm-security', 'Components: main', '',
      'Types: deb', '# comment', 'URIs: http://mirror.example/debian/', 'Suites: bookworm bookworm-updates', 'Components: main', '',
    ].join('\n'));
    expect(debianMirror('bookworm', root)).toBe('http://mirror.example/debian');
    const root2 = mkdtempSync(join(tmpdir(), 'apt-'));
    writeFileSync(join(root2, 'sources.list'), '# x\ndeb [arch=amd64 signed-by=/k.gpg] http://other.example/debian bookworm main\n');
    expect(debianMirror('bookworm', root2)).toBe('http://other.example/debian');
    expect(debianMirror('trixie', root2)).toBeNull();
  });
});

describe('limits', () => {
  it('makes every default explicit and charges both tmpfs to the container memory', () => {
    expect(resolveLimits({})).toEqual({ timeoutS: 20, memoryMb: 2048, outputBytes: 1048576, cpus: 1, pidsLimit: 256, tmpfsMb: 256, tmpMb: 64, containerMemoryMb: 2048 + 256 + 64 + 1024, samplesPerContainer: 1000, concurrency: 2 });
    expect(() => resolveLimits({ memoryMb: 0 })).toThrow('memory-mb must be an integer 16–1048576, got 0');
    expect(() => resolveLimits({ timeoutS: -1 })).toThrow(/timeout-s/);
    expect(() => resolveLimits({ timeoutS: 3_000_000 })).toThrow('timeout-s must be a number > 0, ≤ 86400, got 3000000');
  });
});

/** A provider whose samples finish in a chosen order and whose infrastructure fails on demand. */
class ScriptedProvider implements SandboxProvider {
  calls: string[] = [];
  disposed = 0;
  constructor(private readonly delays: Record<string, number>, private failures: Record<string, number> = {}) {}
  runId = 'scripted';
  async prepare() {}
  async run(p: Program): Promise<ExecResult> {
    this.calls.push(p.id);
    await new Promise((r) => setTimeout(r, this.delays[p.id] ?? 0));
    if ((this.failures[p.id] ?? 0) > 0) {
      this.failures[p.id]--;
      throw new Error(`infra down for ${p.id}`);
    }
    return res(p.id, 'ok');
  }
  async dispose() {
    this.disposed++;
  }
  async signature() {
    return 'scripted';
  }
}

describe('executePrograms (ordering, retry, abort)', () => {
  it('emits results in input order even when they finish out of order', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const p = new ScriptedProvider({ a: 60, b: 5, c: 30, d: 1, e: 20, f: 0 });
    const out: string[] = [];
    await executePrograms(ids.map((id) => ({ id, code: 'x' })), { concurrency: 3 }, (r) => void out.push(r.id), p);
    expect(out).toEqual(ids);
    expect(p.disposed).toBeGreaterThanOrEqual(1);
  });
  it('answers no_code without the sandbox, retries an infrastructure failure once, then reports sandbox_error', async () => {
    const p = new ScriptedProvider({}, { once: 1, twice: 2 });
    const out: ExecResult[] = [];
    async function* gen() {
      yield { id: 'blank', code: ' \n\t ' };
      yield { id: 'once', code: 'x' };
      yield { id: 'twice', code: 'x' };
    }
    await executePrograms(gen(), { concurrency: 2 }, (r) => void out.push(r), p);
    expect(out.map((r) => [r.id, r.status])).toEqual([['blank', 'no_code'], ['once', 'ok'], ['twice', 'sandbox_error']]);
    expect(out[2].exception).toBe('infra down for twice');
    expect(p.calls.filter((c) => c === 'once')).toHaveLength(2);
    expect(p.calls.filter((c) => c === 'twice')).toHaveLength(2);
    expect(p.calls).not.toContain('blank');
  });
  it('stops on abort, disposes, and throws ExecInterrupted', async () => {
    const p = new ScriptedProvider({ a: 10, b: 10, c: 10, d: 10 });
    const ac = new AbortController();
    const out: string[] = [];
    const job = executePrograms(['a', 'b', 'c', 'd'].map((id) => ({ id, code: 'x' })), { concurrency: 1, signal: ac.signal }, (r) => {
      out.push(r.id);
      ac.abort();
    }, p);
    await expect(job).rejects.toBeInstanceOf(ExecInterrupted);
    expect(out).toEqual(['a']);
    expect(p.disposed).toBeGreaterThanOrEqual(1);
  });
});
