// `apieval sandbox build|doctor` through the built CLI, on the real engine.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageTag, loadRecipe } from '../sandbox/recipe.js';
import { runCli } from './helpers/cli.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

describe('apieval sandbox: argument errors (no engine needed)', () => {
  it('rejects an unknown profile with exit 2', () => {
    const r = runCli(['sandbox', 'build', '--profile', 'gpu']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--profile.*gpu.*(base|ml)/s);
  });
  it('doctor rejects a --hf-cache that is not a directory', () => {
    const r = runCli(['sandbox', 'doctor', '--hf-cache', '/no/such/dir']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('apieval: --hf-cache /no/such/dir: no such directory\n');
  });
});

describe.skipIf(SKIP_DOCKER)('apieval sandbox against the real engine', () => {
  beforeAll(async () => {
    await requireSandbox('base');
  });

  it('build does nothing when the image for the current recipe exists, and prints its tag', () => {
    const r = runCli(['sandbox', 'build', '--profile', 'base']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${imageTag(loadRecipe('base'))}\n`);
    expect(r.stderr).toContain('is up to date');
  });

  it('doctor proves every limit with a probe (and the read-only HF cache mount when asked)', () => {
    const hf = mkdtempSync(join(tmpdir(), 'hf-'));
    chmodSync(hf, 0o755); // the sandbox user must be able to read the cache
    const r = runCli(['sandbox', 'doctor', '--hf-cache', hf]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('all checks passed');
    const names = lines.slice(0, -1).map((l) => {
      expect(l).toMatch(/^PASS {2}/);
      return l.slice(6, l.indexOf(':'));
    });
    expect(names).toEqual([
      'engine reachable',
      'image present',
      'network none (only lo)',
      'read-only root filesystem',
      'size-capped tmpfs work dir',
      'non-root user',
      'capabilities dropped, no-new-privileges',
      'pids limit',
      'nothing left of the previous sample',
      'memory limit (per sample and cgroup)',
      'wall-clock timeout kills',
      'output cap',
      'no host mounts, no Docker socket',
      'Hugging Face cache mounted read-only at /hf',
      'containers removed afterwards',
    ]);
  });
});
