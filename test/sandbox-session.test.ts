/**
 * The fork-server session is transport-agnostic (sandbox/session.ts): here it talks to the real fork server
 * through the stdio of a `docker run -i` child process (the docker CLI, not dockerode's attach stream), in a
 * container with no network, read-only root, uid 65534 and tmpfs work folders. Its verdicts classify as the
 * Docker backend's do, and a sample cannot forge a verdict by printing frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { classify } from '../sandbox/classify.js';
import { resolveLimits } from '../sandbox/limits.js';
import { BOOT, ForkServerSession } from '../sandbox/session.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

describe.skipIf(SKIP_DOCKER)('fork-server session over a child process', () => {
  const name = `apieval-session-${randomBytes(4).toString('hex')}`;
  let child: ChildProcessWithoutNullStreams;
  let session: ForkServerSession;
  beforeAll(async () => {
    const image = await requireSandbox('base');
    child = spawn('docker', ['run', '-i', '--rm', '--name', name, '--network', 'none', '--read-only', '--user', '65534:65534', '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges', '--tmpfs', '/work:rw,size=64m,mode=1777', '--tmpfs', '/tmp:rw,size=16m,mode=1777', '--memory', '1g', '--pids-limit', '64',
      '--entrypoint', 'python3', image, '-B', '-c', BOOT]);
    session = new ForkServerSession({ input: child.stdin, output: child.stdout, errors: child.stderr }, { limits: resolveLimits({ timeoutS: 5, memoryMb: 256 }), preload: [], requireInitNonRoot: true });
    await session.boot();
  }, 120_000);
  afterAll(() => {
    child?.stdin.end();
    try {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    } catch {
      /* gone with --rm */
    }
  });

  it('boots as the namespace init, not root, and classifies like the Docker backend', async () => {
    expect(session.ready.pid).toBe(1);
    expect(session.ready.uid).toBe(65534);
    const cases: [string, string][] = [
      ['print(sum(range(10)))', 'ok'],
      ['import transformers', 'import_error'],
      ['undefined_name + 1', 'name_error'],
      ['def f(:\n  pass', 'syntax_error'],
      ['import sys; sys.exit(3)', 'exit_nonzero'],
      ['import time\nwhile True: time.sleep(0.1)', 'timeout'],
      // A sample that prints protocol frames cannot forge its verdict (it never sees the nonce).
      ['import sys\nsys.stdout.write("V 0000 2\\n{}"); sys.stdout.flush(); raise ValueError("x")', 'runtime_error'],
      ['import socket; socket.create_connection(("10.0.0.1", 80), timeout=1)', 'runtime_error'],
    ];
    for (const [code, status] of cases) {
      const v = await session.run(code);
      expect(classify('x', v).status, code).toBe(status);
    }
    expect(session.samples).toBe(cases.length);
    expect(session.alive).toBe(true);
  }, 120_000);

  it('fails for good when the stream ends: the next sample is an infrastructure error', async () => {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    await expect(session.run('print(1)')).rejects.toThrow(/sandbox exited|stream error/);
    expect(session.alive).toBe(false);
  }, 60_000);
});
