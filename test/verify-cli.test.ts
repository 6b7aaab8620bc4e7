// `apieval verify` through the built CLI on golden-format files: agreement (exit 0), a tampered value
// (exit 1, the disagreement named), corpus files with their pairs file, unknown formats (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from './helpers/cli.js';
import { sharedPath } from './helpers/shared.js';
import { readGolden } from '../harness/score/golden-files.js';
import type { GoldenPair } from '../metrics/golden.js';

let dir: string;
let pairs: GoldenPair[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-verify-'));
  pairs = await readGolden<GoldenPair>(sharedPath('golden', 'codebleu_pairs.jsonl.gz'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (rs: unknown[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('apieval verify', () => {
  it('reports agreement on a golden CodeBLEU sample (both variants) with exit 0', () => {
    const f = join(dir, 'cb.jsonl');
    writeFileSync(f, jsonl(pairs.slice(0, 150)));
    const r = runCli(['verify', '--golden', f]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('OK   codebleu/k4black: 150 pairs checked, 0 disagreement(s) (tolerance 1e-9)');
    expect(r.stdout).toContain('OK   codebleu/codexglue: 150 pairs checked, 0 disagreement(s)');
  });

  it('names every disagreement and exits 1', () => {
    const tampered = pairs.slice(0, 20).map((p) => structuredClone(p));
    (tampered[3].k4black as Record<string, number>).syntax_match += 1e-6;
    const f = join(dir, 'bad.jsonl.gz');
    writeFileSync(f, gzipSync(jsonl(tampered)));
    const r = runCli(['verify', '--golden', f, '--variant', 'k4black']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`DIFF codebleu/k4black ${tampered[3].id} syntax_match: expected`);
    expect(r.stdout).toContain('FAIL codebleu/k4black: 20 pairs checked, 1 disagreement(s)');
    expect(r.stdout).not.toContain('codexglue');
  });

  it('verifies the golden ROUGE pairs file', () => {
    const r = runCli(['verify', '--golden', sharedPath('golden', 'rouge_pairs.jsonl.gz')]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK {3}rouge: \d{5} pairs checked, 0 disagreement\(s\)/);
  });

  it('verifies corpus files against their pairs file (kept-back ids are reported as skipped)', () => {
    const r = runCli(['verify', '--golden', sharedPath('golden', 'rouge_corpus.jsonl.gz')]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK {3}rouge: \d+ subsets checked, 0 disagreement\(s\)/);
    const lone = join(dir, 'corpus.jsonl');
    writeFileSync(lone, '{"subset":"s","n":1,"ids":["x"],"k4black":{}}\n');
    const r2 = runCli(['verify', '--golden', lone]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/needs its pairs file; pass --pairs/);
  });

  it('rejects an unknown format, a bad variant and a missing file with exit 2', () => {
    const f = join(dir, 'other.jsonl');
    writeFileSync(f, '{"hello": 1}\n');
    const r = runCli(['verify', '--golden', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/other\.jsonl:1: unrecognised golden format/);
    expect(runCli(['verify', '--golden', f, '--variant', 'x']).stderr).toMatch(/--variant: unknown variant 'x'/);
    const m = runCli(['verify', '--golden', join(dir, 'missing.jsonl')]);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/missing\.jsonl: no such file/);
  });
});
