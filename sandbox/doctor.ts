import { DockerProvider } from './docker/provider.js';
import { docker, engineClient, ensureEngine, imageId, type EngineSpec } from './engine.js';
import { RUN_LABEL } from './docker/warm-container.js';
import type { ExecOptions, ExecResult } from './types.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface Probe {
  name: string;
  code: string;
  check: (r: ExecResult, ctx: ProbeContext) => [boolean, string];
}

interface ProbeContext {
  timeoutS: number;
  memoryMb: number;
  tmpfsMb: number;
  pidsLimit: number;
  containerMemoryMb: number;
  outputBytes: number;
}

const py = (lines: string[]) => lines.join('\n') + '\n';

// Each probe is a program run through the real sandbox; it passes only if the limit visibly held.
const PROBES: Probe[] = [
  {
    name: 'network none (only lo)',
    code: py([
      'import os, socket',
      'print(",".join(sorted(os.listdir("/sys/class/net"))))',
      's = socket.socket()',
      's.settimeout(2)',
      'try:',
      '    s.connect(("192.0.2.1", 80))',
      '    print("connected")',
      'except OSError as e:',
      '    print("blocked", e.errno)',
    ]),
    check: (r) => {
      const [ifs, conn] = r.stdout.trim().split('\n');
      return [r.status === 'ok' && ifs === 'lo' && conn?.startsWith('blocked') === true, `interfaces: ${ifs ?? '?'}; outbound connect: ${conn ?? r.status}`];
    },
  },
  {
    name: 'read-only root filesystem',
    code: py([
      'import errno',
      'for p in ("/usr/apieval-probe", "/etc/apieval-probe", "/apieval-probe"):',
      '    try:',
      '        open(p, "w").close()',
      '        print(p, "WRITABLE")',
      '    except OSError as e:',
      '        print(p, errno.errorcode.get(e.errno, e.errno))',
    ]),
    check: (r) => {
      const lines = r.stdout.trim().split('\n');
      const ok = r.status === 'ok' && lines.length === 3 && lines.every((l) => /EROFS|EACCES/.test(l));
      return [ok, lines.join('; ')];
    },
  },
  {
    name: 'size-capped tmpfs work dir',
    code: py([
      'import os',
      'n = 0',
      'chunk = b"x" * (1 << 20)',
      'try:',
      '    with open("fill", "wb") as f:',
      '        while n < (1 << 34):',
      '            f.write(chunk); f.flush(); n += len(chunk)',
      'except OSError as e:',
      '    print(os.getcwd(), n >> 20, e.errno)',
    ]),
    check: (r, c) => {
      const [cwd, mb, errno] = r.stdout.trim().split(' ');
      const ok = r.status === 'ok' && cwd?.startsWith('/work/') && errno === '28' && Number(mb) <= c.tmpfsMb;
      return [ok === true, `cwd ${cwd}; wrote ${mb} MiB before ENOSPC (errno ${errno}); cap ${c.tmpfsMb} MiB`];
    },
  },
  {
    name: 'non-root user',
    code: 'import os\nprint(os.getuid(), os.geteuid(), os.getgid(), os.getegid())\n',
    check: (r) => {
      const ids = r.stdout.trim().split(' ').map(Number);
      return [r.status === 'ok' && ids.length === 4 && ids.every((x) => x !== 0), `uid/euid/gid/egid ${ids.join('/')}`];
    },
  },
  {
    name: 'capabilities dropped, no-new-privileges',
    code: py([
      'f = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)',
      'print(*(f[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")))',
    ]),
    check: (r) => {
      const v = r.stdout.trim().split(' ');
      const ok = r.status === 'ok' && v.length === 6 && v.slice(0, 5).every((x) => /^0+$/.test(x)) && v[5] === '1';
      return [ok, `CapInh/Prm/Eff/Bnd/Amb ${v.slice(0, 5).join('/')}; NoNewPrivs ${v[5]}`];
    },
  },
  {
    name: 'pids limit',
    // Threads count against the pids cgroup like processes, and starting one is cheap even in a server
    // that has torch imported (forking that takes tens of ms each).
    code: py([
      'import threading, time',
      'threading.stack_size(256 * 1024)',
      'ev = threading.Event()',
      'n = 0',
      'try:',
      '    while n < 100000:',
      '        threading.Thread(target=ev.wait, daemon=True).start()',
      '        n += 1',
      'except RuntimeError as e:',
      '    print(n, str(e).replace(" ", "_"))',
      'ev.set()',
    ]),
    check: (r, c) => {
      const [n, err] = r.stdout.trim().split(' ');
      return [r.status === 'ok' && err === "can't_start_new_thread" && Number(n) < c.pidsLimit, `thread creation failed after ${n} tasks (${err?.replace(/_/g, ' ')}); limit ${c.pidsLimit}`];
    },
  },
  {
    name: 'nothing left of the previous sample',
    code: py([
      'import os',
      'me = os.getpid()',
      'print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)))',
      'print(sorted(os.listdir("/work")), sorted(os.listdir("/tmp")))',
    ]),
    check: (r) => {
      const [pids, dirs] = r.stdout.trim().split('\n');
      const ok = r.status === 'ok' && pids === '[]' && /^\['s\d+'\] \[\]$/.test(dirs ?? '');
      return [ok, `other processes: ${pids}; /work and /tmp: ${dirs}`];
    },
  },
  {
    name: 'memory limit (per sample and cgroup)',
    code: py([
      'vals = []',
      'for p in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):',
      '    try: vals.append(open(p).read().strip())',
      '    except OSError: pass',
      'print(vals[0] if vals else "unknown", flush=True)',
      'blocks = []',
      'while True:',
      '    blocks.append(bytearray(64 << 20))',
    ]),
    check: (r, c) => {
      const cg = Number(r.stdout.trim().split('\n')[0]);
      const ok = r.status === 'memory_limit' && cg === c.containerMemoryMb * 1024 * 1024;
      return [ok, `status ${r.status} at ${c.memoryMb} MiB per sample; cgroup limit ${Number.isFinite(cg) ? cg / 1048576 + ' MiB' : 'unknown'}`];
    },
  },
  {
    name: 'wall-clock timeout kills',
    code: 'import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n',
    check: (r, c) => [r.status === 'timeout', `status ${r.status} after ${(r.duration_ms / 1000).toFixed(2)} s (limit ${c.timeoutS} s)`],
  },
  {
    name: 'output cap',
    code: 'while True:\n    print("x" * 4096)\n',
    check: (r, c) => [r.status === 'output_limit' && r.stdout.length <= c.outputBytes, `status ${r.status}; kept ${r.stdout.length} bytes (cap ${c.outputBytes})`],
  },
  {
    name: 'no host mounts, no Docker socket',
    code: py([
      'import os',
      'socks = [p for p in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock") if os.path.exists(p)]',
      'mounts = sorted(l.split()[1] for l in open("/proc/mounts"))',
      'print(socks)',
      'print(" ".join(mounts))',
    ]),
    check: (r) => {
      const [socks, mounts] = r.stdout.trim().split('\n');
      const bad = (mounts ?? '').split(' ').filter((m) => /^\/(home|root|var\/run|run|mnt|media|srv|opt)(\/|$)/.test(m) || m.includes('docker.sock'));
      return [r.status === 'ok' && socks === '[]' && bad.length === 0, `sockets ${socks}; suspicious mounts: ${bad.length ? bad.join(' ') : 'none'}`];
    },
  },
];

export interface DoctorReport {
  checks: Check[];
  ok: boolean;
}

/** Proves the sandbox works here: engine, image, and each isolation limit by a probe program. */
export async function doctor(opts: ExecOptions, onCheck: (c: Check) => void = () => {}, engineSpec: EngineSpec | null = null): Promise<DoctorReport> {
  const client = engineSpec ? engineClient(engineSpec) : docker();
  const checks: Check[] = [];
  const add = (c: Check) => {
    checks.push(c);
    onCheck(c);
  };
  let engine: { version: string; apiVersion: string };
  try {
    engine = await ensureEngine(client, engineSpec?.url);
  } catch (e) {
    add({ name: 'engine reachable', ok: false, detail: (e as Error).message });
    return { checks, ok: false };
  }
  add({ name: 'engine reachable', ok: true, detail: `Docker ${engine.version} (API ${engine.apiVersion})` });

  // Small limits so that every probe finishes quickly; the mechanisms are the same at any size.
  const probeOpts: ExecOptions = { timeoutS: 3, memoryMb: 256, outputKb: 64, tmpfsMb: 32, pidsLimit: 64, ...opts, concurrency: 1, samplesPerContainer: 1000 };
  const provider = new DockerProvider(probeOpts, engineSpec);
  const id = await imageId(provider.image, client);
  add({ name: 'image present', ok: id !== null, detail: id ? `${provider.image} (${id.slice(7, 19)})` : `${provider.image} not found; run \`apieval sandbox build\`` });
  if (!id) return { checks, ok: false };

  const probes = [...PROBES];
  if (probeOpts.hfCache) {
    probes.push({
      name: 'Hugging Face cache mounted read-only at /hf',
      code: py([
        'import os',
        'opts = [l.split()[3] for l in open("/proc/mounts") if l.split()[1] == "/hf"]',
        'print(os.environ.get("HF_HOME"), opts[0].split(",")[0] if opts else "not-mounted")',
        'try:',
        '    os.listdir("/hf")',
        '    print("readable")',
        'except OSError as e:',
        '    print("unreadable", e.errno)',
      ]),
      check: (r) => {
        const [mount, read] = r.stdout.trim().split('\n');
        const ok = r.status === 'ok' && mount === '/hf ro' && read === 'readable';
        const hint = read === 'readable' ? '' : ' (the sandbox user, uid 65534, cannot read it: make the cache world-readable)';
        return [ok, `HF_HOME, mount: ${mount}; ${read}${hint}`];
      },
    });
  }
  const l = provider.limits;
  const ctx: ProbeContext = { timeoutS: l.timeoutS, memoryMb: l.memoryMb, tmpfsMb: l.tmpfsMb, pidsLimit: l.pidsLimit, containerMemoryMb: l.containerMemoryMb, outputBytes: l.outputBytes };
  try {
    await provider.prepare();
    for (const p of probes) {
      try {
        const r = await provider.run({ id: p.name, code: p.code });
        const [ok, detail] = p.check(r, ctx);
        add({ name: p.name, ok, detail: ok ? detail : `${detail} [status ${r.status}${r.exception ? `: ${r.exception}` : ''}]` });
      } catch (e) {
        add({ name: p.name, ok: false, detail: `sandbox failed: ${(e as Error).message}` });
      }
    }
  } finally {
    await provider.dispose();
  }
  const left = await client.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${provider.runId}`] } });
  add({ name: 'containers removed afterwards', ok: left.length === 0, detail: `${left.length} container(s) of the doctor run left` });
  return { checks, ok: checks.every((c) => c.ok) };
}
