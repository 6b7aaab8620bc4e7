// Every status a real Python program can earn, classified by the real sandbox (engine + base image).
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../sandbox/engine.js';
import { executeAll } from '../sandbox/execute.js';
import { RUN_LABEL } from '../sandbox/docker/warm-container.js';
import type { ExecResult, ExecStatus } from '../sandbox/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const CASES: { id: string; code: string; status: ExecStatus; exception?: string | null; exit?: number | null; stdout?: string; stderrMatch?: RegExp }[] = [
  { id: 'ok', code: 'print("hi")\nimport sys\nprint("err", file=sys.stderr)\n', status: 'ok', exception: null, exit: 0, stdout: 'hi\n', stderrMatch: /^err\n$/ },
  { id: 'exit-0', code: 'import sys\nprint("a")\nsys.exit(0)\nprint("b")\n', status: 'ok', exit: 0, stdout: 'a\n' },
  { id: 'exit-none', code: 'raise SystemExit\n', status: 'ok', exit: 0 },
  { id: 'exit-3', code: 'import sys\nsys.exit(3)\n', status: 'exit_nonzero', exception: null, exit: 3 },
  { id: 'exit-msg', code: 'raise SystemExit("bye")\n', status: 'exit_nonzero', exit: 1, stderrMatch: /^bye\n$/ },
  { id: 'os-exit', code: 'import os\nos._exit(9)\n', status: 'exit_nonzero', exit: 9 },
  { id: 'syntax', code: 'def f(:\n    pass\n', status: 'syntax_error', exception: 'SyntaxError: invalid syntax (main.py, line 1)', exit: 1 },
  { id: 'indent', code: 'if True:\nprint(1)\n', status: 'syntax_error', exception: "IndentationError: expected an indented block after 'if' statement on line 1 (main.py, line 2)" },
  { id: 'nul', code: 'print(1)\u0000\n', status: 'syntax_error', exception: 'ValueError: source code string cannot contain null bytes' },
  { id: 'import', code: 'import transformers\n', status: 'import_error', exception: "ModuleNotFoundError: No module named 'transformers'" },
  { id: 'import-name', code: 'from os import no_such_name\n', status: 'import_error', exception: "ImportError: cannot import name 'no_such_name' from 'os' (/usr/lib/python3.11/os.py)" },
  { id: 'name', code: 'print(undefined_thing)\n', status: 'name_error', exception: "NameError: name 'undefined_thing' is not defined" },
  { id: 'unbound', code: 'def f():\n    x += 1\nf()\n', status: 'name_error', exception: "UnboundLocalError: cannot access local variable 'x' where it is not associated with a value" },
  { id: 'attribute', code: 'import os\nos.no_such_function()\n', status: 'attribute_error', exception: "AttributeError: module 'os' has no attribute 'no_such_function'" },
  { id: 'type', code: 'len(5)\n', status: 'type_error', exception: "TypeError: object of type 'int' has no len()" },
  { id: 'runtime', code: '1 / 0\n', status: 'runtime_error', exception: 'ZeroDivisionError: division by zero', exit: 1 },
  { id: 'qualified', code: 'import json\njson.loads("{")\n', status: 'runtime_error', exception: 'json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)' },
  { id: 'recursion', code: 'def f(): return f()\nf()\n', status: 'runtime_error', exception: 'RecursionError: maximum recursion depth exceeded' },
  { id: 'keyboard', code: 'raise KeyboardInterrupt\n', status: 'runtime_error', exception: 'KeyboardInterrupt' },
  { id: 'stdin-eof', code: 'input()\n', status: 'runtime_error', exception: 'EOFError: EOF when reading a line' },
  { id: 'abort', code: 'import os\nos.abort()\n', status: 'crashed', exception: 'SIGABRT', exit: null },
  { id: 'self-kill', code: 'import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n', status: 'crashed', exception: 'SIGTERM', exit: null },
  { id: 'no-code', code: '\n  \n', status: 'no_code', exception: null, exit: null },
  // A process the sample forked that runs on to the end does not speak for the sample.
  { id: 'fork-child-raises', code: 'import os\nif os.fork() == 0:\n    raise ValueError("child")\nos.wait()\nprint("parent ok")\n', status: 'ok', stdout: 'parent ok\n' },
  { id: 'fork-parent-raises', code: 'import os\npid = os.fork()\nif pid:\n    os.waitpid(pid, 0)\n    raise KeyError("parent")\n', status: 'runtime_error', exception: "KeyError: 'parent'" },
  { id: 'main-module', code: 'import pickle, sys\nclass A:\n    x = 7\nprint(pickle.loads(pickle.dumps(A())).x, __name__, __file__ == sys.argv[0], __file__.endswith("/main.py"))\n', status: 'ok', stdout: '7 __main__ True True\n' },
];

describe.skipIf(SKIP_DOCKER)('outcome classification on the real engine', () => {
  const runId = `outcomes-${randomBytes(4).toString('hex')}`;
  let results: Map<string, ExecResult>;
  beforeAll(async () => {
    await requireSandbox('base');
    const out = await executeAll(CASES.map((c) => ({ id: c.id, code: c.code })), { profile: 'base', runId, timeoutS: 10, concurrency: 2 });
    expect(out.map((r) => r.id)).toEqual(CASES.map((c) => c.id));
    results = new Map(out.map((r) => [r.id, r]));
  }, 120_000);

  for (const c of CASES) {
    it(`${c.id} → ${c.status}`, () => {
      const r = results.get(c.id)!;
      expect(r.status).toBe(c.status);
      if (c.exception !== undefined) expect(r.exception).toBe(c.exception);
      if (c.exit !== undefined) expect(r.exit_code).toBe(c.exit);
      if (c.stdout !== undefined) expect(r.stdout).toBe(c.stdout);
      if (c.stderrMatch) expect(r.stderr).toMatch(c.stderrMatch);
    });
  }

  it('leaves no container of the run', async () => {
    expect(await docker().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).toEqual([]);
  });
});
