/**
 * Sandbox throughput: warm fork-server containers vs. the naive `docker run` per sample, on the real
 * engine, for the base and (when built) ml images. Two containers of 1 CPU each, i.e. the 2 cores of
 * the reference machine. Goals (issue 4): ≥ 25 trivial samples/s, ≥ 10 torch-importing samples/s,
 * per-sample overhead ≤ 30 ms.
 *
 * Run: node --import tsx bench/exec.bench.ts            (needs the engine and `apieval sandbox build`)
 */
import { Bench } from 'tinybench';
import type Docker from 'dockerode';
import { DockerProvider } from '../sandbox/docker/provider.js';
import { containerConfig, removeContainer } from '../sandbox/docker/warm-container.js';
import { docker, ensureEngine, imageExists } from '../sandbox/engine.js';
import { imageTag, loadRecipe } from '../sandbox/recipe.js';
import type { ExecOptions } from '../sandbox/types.js';

const TRIVIAL = 'print(sum(range(100)))\n';
const TORCH = 'import torch\nx = torch.ones(3) * 2\nprint(float(x.sum()))\n';
const CONCURRENCY = 2;

async function warmBatch(p: DockerProvider, code: string, n: number, conc: number): Promise<number[]> {
  let next = 0;
  const durations: number[] = [];
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < n) {
        const i = next++;
        const r = await p.run({ id: String(i), code });
        if (r.status !== 'ok') throw new Error(`sample ${i}: ${r.status} ${r.exception ?? ''} ${r.stderr.slice(-300)}`);
        durations.push(r.duration_ms);
      }
    }),
  );
  return durations;
}

/** What `docker run --rm` per sample costs with the same isolation settings. */
async function naiveRun(image: string, code: string, opts: ExecOptions): Promise<void> {
  const p = new DockerProvider({ ...opts, image });
  const cfg = containerConfig({ image, limits: p.limits, preload: [], runId: 'bench-naive' });
  const c: Docker.Container = await docker().createContainer({
    ...cfg,
    Entrypoint: ['python3', '-B', '-c', code],
    OpenStdin: false,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: { ...cfg.HostConfig, AutoRemove: false },
  });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`naive run exited ${StatusCode}`);
  } finally {
    await removeContainer(c);
  }
}

async function naiveBatch(image: string, code: string, n: number, conc: number, opts: ExecOptions): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next++ < n) await naiveRun(image, code, opts);
    }),
  );
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await ensureEngine();
const summary: string[] = [];
for (const profile of ['base', 'ml'] as const) {
  const image = imageTag(loadRecipe(profile));
  if (!(await imageExists(image))) {
    console.log(`(${profile}: ${image} not built; skipped — run \`apieval sandbox build --profile ${profile}\`)`);
    continue;
  }
  const opts: ExecOptions = { profile, concurrency: CONCURRENCY, cpus: 1, timeoutS: 60, samplesPerContainer: 100_000 };
  const t0 = performance.now();
  const pool = new DockerProvider(opts);
  await pool.prepare();
  await warmBatch(pool, 'pass\n', CONCURRENCY * 2, CONCURRENCY); // both containers warm
  const startMs = performance.now() - t0;
  const single = new DockerProvider({ ...opts, concurrency: 1 });
  await single.prepare();

  // Memory of one warm container (the server with its pre-imports), from the engine's cgroup stats.
  const [one] = await docker().listContainers({ filters: { label: [`apieval.run=${pool.runId}`] } });
  const stats = (await docker().getContainer(one.Id).stats({ stream: false })) as { memory_stats: { usage?: number; stats?: { cache?: number } } };
  const rssMb = ((stats.memory_stats.usage ?? 0) - (stats.memory_stats.stats?.cache ?? 0)) / 2 ** 20;

  const nTrivial = 60;
  const nTorch = 20;
  const nNaive = profile === 'ml' ? 4 : 10;
  const rtts: number[] = [];
  const forkDurations: number[] = [];
  const bench = new Bench({ time: 0, iterations: 3, warmup: false });
  bench.add(`${profile}: warm, trivial ×${nTrivial}, ${CONCURRENCY} containers`, async () => {
    await warmBatch(pool, TRIVIAL, nTrivial, CONCURRENCY);
  });
  bench.add(`${profile}: warm, one at a time (round trip per sample) ×20`, async () => {
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await single.run({ id: 'rt', code: 'pass\n' });
      rtts.push(performance.now() - t);
      forkDurations.push(r.duration_ms);
    }
  });
  if (profile === 'ml') {
    bench.add(`ml: warm, import torch ×${nTorch}, ${CONCURRENCY} containers`, async () => {
      await warmBatch(pool, TORCH, nTorch, CONCURRENCY);
    });
  }
  bench.add(`${profile}: naive docker run per sample, trivial ×${nNaive}, ${CONCURRENCY} at a time`, async () => {
    await naiveBatch(image, TRIVIAL, nNaive, CONCURRENCY, opts);
  });
  if (profile === 'ml') {
    bench.add(`ml: naive docker run per sample, import torch ×${nNaive}, ${CONCURRENCY} at a time`, async () => {
      await naiveBatch(image, TORCH, nNaive, CONCURRENCY, opts);
    });
  }
  try {
    await bench.run();
  } finally {
    await pool.dispose();
    await single.dispose();
  }
  console.table(bench.table());
  const perSec = (name: string, n: number) => {
    const t = bench.tasks.find((x) => x.name.startsWith(name));
    const ms = t?.result && 'latency' in t.result ? (t.result as { latency: { mean: number } }).latency.mean : NaN;
    return (n / (ms / 1000)).toFixed(1);
  };
  summary.push(`${profile}: warm pool ready in ${(startMs / 1000).toFixed(2)} s; one warm container uses ${rssMb.toFixed(0)} MiB`);
  summary.push(`${profile}: trivial samples/s — warm ${perSec(`${profile}: warm, trivial`, nTrivial)}, naive docker run ${perSec(`${profile}: naive docker run per sample, trivial`, nNaive)}`);
  if (profile === 'ml') summary.push(`ml: import-torch samples/s — warm ${perSec('ml: warm, import torch', nTorch)}, naive docker run ${perSec('ml: naive docker run per sample, import torch', nNaive)}`);
  summary.push(`${profile}: per-sample round trip (harness → verdict) mean ${mean(rtts).toFixed(1)} ms, median ${median(rtts).toFixed(1)} ms; of which fork→exit in the container mean ${mean(forkDurations).toFixed(1)} ms`);
}
console.log(summary.join('\n'));
