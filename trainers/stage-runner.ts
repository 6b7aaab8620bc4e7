/**
 * Runs a training stage: finds a Python with PyTorch, starts `python -m apieval_trainers STAGE --config F`
 * (through torchrun for several processes) or a user's `--trainer-command`, and streams its progress events
 * (one JSON object a line on stdout) to a callback. A stage's own user error (exit 2, one line on stderr)
 * becomes a UserError with that line; anything else that fails is reported with the end of its stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { packageFile, packageRoot } from '../core/package-files.js';

/** trainers/python, from the sources (trainers/) or the compiled build (dist/trainers/). */
export function pythonPackageDir(): string {
  if (packageFile('trainers/python/apieval_trainers/__init__.py')) return join(packageRoot(), 'trainers', 'python');
  throw new UserError('the apieval_trainers Python package is missing from this installation (trainers/python)', 1);
}

export interface TrainerDoctor {
  python: string;
  executable: string;
  torch: string | null;
  threads?: number;
  cuda?: boolean;
  devices?: string[];
  bf16?: boolean;
  compile?: boolean;
  sdpa?: boolean;
  distributed?: boolean;
  gloo?: boolean;
  nccl?: boolean;
  regex?: boolean;
  transformers?: string | null;
  pid_cpus?: number;
  error?: string;
}

export function stageEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const pkg = pythonPackageDir();
  const prev = process.env.PYTHONPATH;
  return { ...process.env, PYTHONPATH: prev ? `${pkg}${delimiter}${prev}` : pkg, PYTHONUNBUFFERED: '1', ...extra };
}

function probe(python: string): TrainerDoctor | { missing: string } {
  const r = spawnSync(python, ['-m', 'apieval_trainers', 'doctor'], { env: stageEnv(), encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { missing: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message };
  if (r.status !== 0) return { missing: (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainerDoctor;
  } catch {
    return { missing: `unexpected doctor output: ${r.stdout.slice(0, 200)}` };
  }
}

let cached: { python: string; doctor: TrainerDoctor } | undefined;

/**
 * The Python the stages run with: $APIEVAL_PYTHON, else the first of /usr/bin/python3 (Debian's, where
 * python3-torch installs), python3, python that imports torch.
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): { python: string; doctor: TrainerDoctor } {
  if (cached && env === process.env) return cached;
  const forced = env.APIEVAL_PYTHON?.trim();
  const candidates = forced ? [forced] : ['/usr/bin/python3', 'python3', 'python'];
  const tried: string[] = [];
  for (const python of candidates) {
    const d = probe(python);
    if ('missing' in d) {
      tried.push(`${python}: ${d.missing}`);
      continue;
    }
    if (!d.torch) {
      tried.push(`${python}: ${d.error ?? 'no torch'}`);
      continue;
    }
    const found = { python, doctor: d };
    if (env === process.env) cached = found;
    return found;
  }
  const how = 'install PyTorch for it (Debian: apt-get install python3-torch python3-regex) or point APIEVAL_PYTHON at a python that has torch';
  throw new UserError(forced ? `APIEVAL_PYTHON=${forced} cannot run the trainers (${tried.join('; ')}); ${how}` : `no Python with PyTorch found (${tried.join('; ')}); ${how}`);
}

export interface StageEvent {
  event: string;
  [k: string]: unknown;
}

export interface RunStageOptions {
  stage: 'sft' | 'reward' | 'ppo' | 'generate';
  config: string;
  /** Processes (torchrun --nproc_per_node); 1 runs the stage directly. */
  nproc?: number;
  /** A user's trainer instead of the built-in one: run by `sh -c`, `{config}` replaced by the config path. */
  command?: string;
  onEvent?: (e: StageEvent) => void;
  /** Lines the stage prints that are not events (its warnings). */
  onLog?: (line: string) => void;
  python?: string;
}

/** Calls `onLine` for each complete line of a stream; the returned function delivers a last unterminated one. */
function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): () => void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  return () => {
    if (buf) onLine(buf);
    buf = '';
  };
}

/** Quotes a path for `sh -c`. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function runStage(opts: RunStageOptions): Promise<void> {
  let cmd: string;
  let args: string[];
  if (opts.command) {
    cmd = '/bin/sh';
    args = ['-c', opts.command.includes('{config}') ? opts.command.replaceAll('{config}', shQuote(opts.config)) : `${opts.command} ${shQuote(opts.config)}`];
  } else {
    const python = opts.python ?? findPython().python;
    cmd = python;
    const stageArgs = ['-m', 'apieval_trainers', opts.stage, '--config', opts.config];
    args = (opts.nproc ?? 1) > 1 ? ['-m', 'apieval_trainers.torchrun', '--standalone', `--nproc_per_node=${opts.nproc}`, ...stageArgs] : stageArgs;
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: stageEnv({ APIEVAL_STAGE_CONFIG: opts.config }), stdio: ['ignore', 'pipe', 'pipe'] });
    const errTail: string[] = [];
    const onOut = (line: string): void => {
      if (line.startsWith('{')) {
        try {
          const e = JSON.parse(line) as StageEvent;
          if (typeof e.event === 'string') {
            opts.onEvent?.(e);
            return;
          }
        } catch {
          /* not an event: a log line */
        }
      }
      if (line.trim() !== '') opts.onLog?.(line);
    };
    const onErr = (line: string): void => {
      if (line.trim() === '') return;
      errTail.push(line);
      if (errTail.length > 40) errTail.shift();
    };
    const flushOut = eachLine(child.stdout, onOut);
    const flushErr = eachLine(child.stderr, onErr);
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (e) => reject(new UserError(`cannot start ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      flushOut();
      flushErr();
      if (code === 0) {
        for (const l of errTail.filter((l) => !/^\*+$|OMP_NUM_THREADS|^WARNING:__main__:$/.test(l))) opts.onLog?.(l);
        resolvePromise();
        return;
      }
      if (signal === 'SIGINT' || code === 130) {
        reject(new UserError('interrupted: the last checkpoint is kept; rerun the same command to resume', 130));
        return;
      }
      const own = errTail.filter((l) => !/^\*+$|OMP_NUM_THREADS|^WARNING:|^ERROR:torch|^\[|Traceback|^\s/.test(l));
      if (code === 2 && own.length > 0) {
        // torchrun wraps the worker's exit; its one-line message is still the last line of its own.
        reject(new UserError(own[own.length - 1], 2));
        return;
      }
      const what = opts.command ? `trainer command '${opts.command}'` : `the ${opts.stage} stage`;
      reject(new UserError(`${what} failed (${signal ? `signal ${signal}` : `exit ${code}`}):\n${errTail.slice(-15).join('\n')}`, code === 2 ? 2 : 1));
    });
  });
}

/**
 * Validates a stage config's model and tokenizer (`python -m apieval_trainers check`) without loading
 * weights: bad input is one line before any process is launched (torchrun would report it once per rank).
 */
export function checkStageConfig(config: string, python = findPython().python): Record<string, number> {
  const r = spawnSync(python, ['-m', 'apieval_trainers', 'check', '--config', config], { env: stageEnv(), encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw new UserError(`cannot start ${python}: ${r.error.message}`);
  const lines = (r.stderr ?? '').trim().split('\n').filter((l) => l.trim() !== '');
  if (r.status === 2 && lines.length > 0) throw new UserError(lines[lines.length - 1], 2);
  if (r.status !== 0) throw new UserError(`checking ${config} failed (exit ${r.status}):\n${lines.slice(-15).join('\n')}`, 1);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/**
 * The environment a training stage runs in, checked before any data work: the Python with torch (none when a
 * `--trainer-command` replaces the built-in trainer), the device `--device` resolves to, and that `nproc`
 * processes fit on it (and torch.distributed exists when there are several).
 */
export function stageEnvironment(o: { trainerCommand?: string; device: string }, nproc = 1): { doctor: TrainerDoctor | null; device: string } {
  if (o.trainerCommand) return { doctor: null, device: o.device };
  const doctor = findPython().doctor;
  const d = devicesFor(o.device, doctor);
  if (nproc > d.count) throw new UserError(`--nproc ${nproc}: only ${d.count} ${d.what}${d.count === 1 ? '' : 's'} here`);
  if (nproc > 1 && !doctor.distributed) throw new UserError(`--nproc ${nproc}: this torch (${doctor.torch}) has no torch.distributed`);
  return { doctor, device: d.device };
}

/** Device count the stage can use: CUDA devices for cuda, CPU cores for cpu. */
export function devicesFor(device: string, doctor: TrainerDoctor): { device: string; count: number; what: string } {
  const cuda = device === 'cuda' || (device === 'auto' && !!doctor.cuda);
  if (device === 'cuda' && !doctor.cuda) throw new UserError(`--device cuda: the Python at ${doctor.executable} (torch ${doctor.torch}) sees no CUDA device`);
  return cuda ? { device: 'cuda', count: doctor.devices?.length ?? 0, what: 'CUDA device' } : { device: 'cpu', count: doctor.pid_cpus ?? 1, what: 'CPU core' };
}

