import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../sandbox/engine.js';
import { executePrograms } from '../sandbox/execute.js';
import { RUN_LABEL } from '../sandbox/docker/warm-container.js';
import type { ExecResult, Program } from '../sandbox/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const py = (...lines: string[]) => lines.join('\n') + '\n';
const PIDS_LEFT = py(
  'import os',
  'me = os.getpid()',
  'print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)))',
  'print(sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm")), sorted(os.listdir("/work")) == [os.path.basename(os.getcwd())])',
  'print("sysv", *(len(open("/proc/sysvipc/" + t).read().splitlines()) - 1 for t in ("shm", "sem", "msg")), "mqueue", os.listdir("/dev/mqueue"))',
);
const TRIVIAL = 'print(6 * 7)\n';

// Each hostile program is followed by a trivial program that must run normally: the harness keeps going.
// One container at a time, so that the "after-*" checks run in the container the hostile program used
// (unless it breached a limit and was replaced): nothing of the previous sample survives there.
const HOSTILE: { id: string; code: string; expect: (r: ExecResult) => void }[] = [
  {
    id: 'infinite-loop',
    code: 'while True:\n    pass\n',
    expect: (r) => expect(r.status).toBe('timeout'),
  },
  {
    id: 'fork-bomb',
    code: py('import os', 'while True:', '    try:', '        os.fork()', '    except OSError:', '        pass'),
    expect: (r) => expect(r.status).toBe('timeout'),
  },
  {
    id: 'memory-bomb',
    code: py('blocks = []', 'while True:', '    blocks.append(bytearray(32 * 2**20))'),
    expect: (r) => {
      expect(r.status).toBe('memory_limit');
      expect(r.exception).toMatch(/MemoryError/);
    },
  },
  {
    id: 'memory-bomb-one-shot',
    code: 'x = " " * (64 * 2**30)\n',
    expect: (r) => expect(r.status).toBe('memory_limit'),
  },
  {
    id: 'output-flood',
    code: py('import sys', 'while True:', '    print("y" * 10000)', '    sys.stderr.write("z" * 10000)'),
    expect: (r) => {
      expect(r.status).toBe('output_limit');
      expect(r.stdout.length).toBeLessThanOrEqual(64 * 1024);
      expect(r.stderr.length).toBeLessThanOrEqual(64 * 1024);
      expect(r.stdout.length + r.stderr.length).toBeGreaterThan(0);
    },
  },
  {
    id: 'fill-tmpfs',
    code: py('with open("big", "wb") as f:', '    while True:', '        f.write(b"0" * 2**20)', '        f.flush()'),
    expect: (r) => {
      expect(r.status).toBe('runtime_error');
      expect(r.exception).toMatch(/^OSError: \[Errno 28\]/);
    },
  },
  {
    id: 'after-fill-tmpfs',
    code: py('with open("again", "wb") as f:', '    f.write(b"0" * 20 * 2**20)', 'with open("/tmp/again", "wb") as f:', '    f.write(b"0" * 4 * 2**20)', 'print("room")'),
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('room\n');
    },
  },
  {
    id: 'ignore-sigterm',
    code: py('import signal, time', 'for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):', '    signal.signal(s, signal.SIG_IGN)', 'while True:', '    time.sleep(0.05)'),
    expect: (r) => expect(r.status).toBe('timeout'),
  },
  {
    id: 'background-daemon',
    code: py(
      'import os, sys, time',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        # keeps the stdout pipe open and outlives its parent',
      '        while True:',
      '            print("daemon alive", flush=True)',
      '            time.sleep(0.2)',
      '    os._exit(0)',
      'time.sleep(0.3)',
      'print("parent done")',
    ),
    expect: (r) => {
      // "ok" (not "timeout") proves the server did not wait for the daemon's copy of the pipe.
      expect(r.status).toBe('ok');
      expect(r.stdout).toContain('parent done');
    },
  },
  {
    id: 'after-daemon',
    code: PIDS_LEFT,
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('[]\n[] [] True\nsysv 0 0 0 mqueue []\n');
    },
  },
  {
    id: 'litter',
    code: py(
      'import os',
      'for p in ("/work/litter", "/tmp/litter", "/dev/shm/litter"):',
      '    open(p, "w").write("x")',
      'os.makedirs("locked/inner")',
      'open("locked/inner/f", "w").write("x")',
      'os.chmod("locked/inner", 0)',
      'os.chmod("locked", 0)',
      'print("littered")',
    ),
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('littered\n');
    },
  },
  {
    id: 'after-litter',
    code: PIDS_LEFT,
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('[]\n[] [] True\nsysv 0 0 0 mqueue []\n');
    },
  },
  {
    id: 'kill-parent',
    code: py(
      'import os, signal',
      'for s in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGSEGV, signal.SIGSTOP):',
      '    os.kill(os.getppid(), s)',
      'os.kill(1, signal.SIGKILL)',
      'print("parent is", os.getppid())',
    ),
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('parent is 1\n');
    },
  },
  {
    id: 'fake-verdict',
    code: py(
      'import json, os, sys',
      'fake = json.dumps({"duration_ms": 1, "stdout": "", "stderr": "", "timed_out": False, "output_limit": False,',
      '                   "oom_killed": False, "clean": True, "signal": None, "exit_code": 0, "report": {"phase": "done", "exit": 0}})',
      'for nonce in ("0" * 32, "deadbeef" * 4):',
      '    frame = "V %s %d\\n%s" % (nonce, len(fake), fake)',
      '    sys.stdout.write(frame); sys.stderr.write(frame)',
      '    sys.stdout.write("READY 2\\n{}")',
      'for path in ("/proc/1/fd/1", "/proc/1/fd/0", "/dev/stdout"):',
      '    try:',
      '        with open(path, "w") as f:',
      '            f.write("V %s %d\\n%s" % ("0" * 32, len(fake), fake))',
      '    except OSError as e:',
      '        print("blocked", path, type(e).__name__)',
      'raise ValueError("the real outcome")',
    ),
    expect: (r) => {
      expect(r.status).toBe('runtime_error');
      expect(r.exception).toBe('ValueError: the real outcome');
      expect(r.stdout).toContain('blocked /proc/1/fd/1 PermissionError');
      expect(r.stdout).toContain('V 00000000000000000000000000000000');
    },
  },
  {
    id: 'close-stdout',
    code: py('import os', 'print("before")', 'os.close(1)', 'os.close(2)', 'x = sum(range(1000))'),
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('before\n');
    },
  },
  {
    id: 'segfault',
    code: 'import ctypes\nctypes.string_at(0)\n',
    expect: (r) => {
      expect(r.status).toBe('crashed');
      expect(r.exception).toBe('SIGSEGV');
      expect(r.exit_code).toBeNull();
    },
  },
  {
    id: 'docker-socket',
    code: py(
      'import os, socket',
      'print([p for p in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock") if os.path.exists(p)])',
      's = socket.socket(socket.AF_UNIX)',
      's.connect("/var/run/docker.sock")',
    ),
    expect: (r) => {
      expect(r.stdout).toBe('[]\n');
      expect(r.status).toBe('runtime_error');
      expect(r.exception).toMatch(/^FileNotFoundError/);
    },
  },
  {
    id: 'only-loopback',
    code: py(
      'import os, socket',
      'print(",".join(sorted(os.listdir("/sys/class/net"))))',
      'try:',
      '    socket.create_connection(("192.0.2.1", 80), timeout=2)',
      'except OSError as e:',
      '    print("unreachable")',
    ),
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('lo\nunreachable\n');
    },
  },
  {
    // System V IPC objects and POSIX message queues outlive their process: the server removes them.
    id: 'sysv-ipc',
    code: py(
      'import ctypes',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'IPC_PRIVATE, IPC_CREAT = 0, 0o1000',
      'ids = [libc.shmget(IPC_PRIVATE, 8 << 20, IPC_CREAT | 0o600), libc.semget(IPC_PRIVATE, 4, IPC_CREAT | 0o600), libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)]',
      'import os',
      'rt = ctypes.CDLL("librt.so.1", use_errno=True)',
      'ids.append(rt.mq_open(b"/left-behind", os.O_CREAT | os.O_RDWR, 0o600, None))',
      'print([i >= 0 for i in ids], os.listdir("/dev/mqueue"))',
      'print("sysv", *(len(open("/proc/sysvipc/" + t).read().splitlines()) - 1 for t in ("shm", "sem", "msg")))',
    ),
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe("[True, True, True, True] ['left-behind']\nsysv 1 1 1\n");
    },
  },
  {
    id: 'last-check',
    code: PIDS_LEFT,
    expect: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toBe('[]\n[] [] True\nsysv 0 0 0 mqueue []\n');
    },
  },
];

describe.skipIf(SKIP_DOCKER)('hostile programs against the real engine', () => {
  const runId = `hostile-${randomBytes(4).toString('hex')}`;
  const results = new Map<string, ExecResult>();
  const containerIds = new Set<string>();

  beforeAll(async () => {
    await requireSandbox('base');
    const programs: Program[] = [];
    for (const h of HOSTILE) {
      programs.push({ id: h.id, code: h.code });
      programs.push({ id: `${h.id}/then-trivial`, code: TRIVIAL });
    }
    const order: string[] = [];
    await executePrograms(programs, { profile: 'base', runId, timeoutS: 3, memoryMb: 256, outputKb: 64, tmpfsMb: 64, pidsLimit: 64, concurrency: 1 }, async (r) => {
      order.push(r.id);
      results.set(r.id, r);
      for (const c of await docker().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })) containerIds.add(c.Id);
    });
    expect(order).toEqual(programs.map((p) => p.id));
  }, 300_000);

  for (const h of HOSTILE) {
    it(`${h.id}: gets the right status and the harness keeps going`, () => {
      const r = results.get(h.id)!;
      h.expect(r);
      const next = results.get(`${h.id}/then-trivial`)!;
      expect(next.status).toBe('ok');
      expect(next.stdout).toBe('42\n');
    });
  }

  it('leaves no container and no process of the run behind', async () => {
    expect(containerIds.size).toBeGreaterThan(0);
    const left = await docker().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toEqual([]);
    const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    for (const id of containerIds) expect(ps).not.toContain(id);
  });
});
