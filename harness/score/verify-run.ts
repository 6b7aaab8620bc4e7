/**
 * `apieval verify --golden FILE`: recognises the golden file's format (each metric of the registry lists its
 * own, metrics/<metric>/golden.ts), recomputes every value with this package's metrics and prints every disagreement beyond 1e-9, then one summary line per check.
 * Exit status: 0 when everything agrees, 1 on any disagreement (2 for bad input, via UserError).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { TOLERANCE, type GoldenCheckResult, type GoldenFormat, type GoldenPair } from '../../metrics/golden.js';
import { goldenFormats } from '../../metrics/registry.js';
import { readGolden } from './golden-files.js';

export interface VerifyOptions {
  golden: string;
  /** Variants to check, for a metric that has them (CodeBLEU); default: every variant the file has values of. */
  variants?: string[];
  /** Pairs file for corpus files (default: the format's sibling pairs file, e.g. codebleu_pairs.jsonl.gz). */
  pairs?: string;
  /** Print at most this many disagreement lines per check (all are counted). */
  maxShow?: number;
  out?: (line: string) => void;
}

export interface VerifyResult {
  /** The golden format recognised (metrics/<metric>/golden.ts), e.g. `codebleu-pairs`. */
  kind: string;
  checks: { name: string; checked: number; disagreements: number; skipped: number }[];
  ok: boolean;
}

/** The format of a golden file, from its first record: the first of the registry's formats that recognises it. */
export function detectFormat(first: Record<string, unknown>): GoldenFormat | null {
  return goldenFormats().find((f) => f.detect(first)) ?? null;
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

async function loadPairs(opts: VerifyOptions, siblingName: string): Promise<Map<string, GoldenPair>> {
  const file = opts.pairs ?? join(dirname(opts.golden), siblingName);
  if (!existsSync(file)) throw new UserError(`${opts.golden}: a corpus file needs its pairs file; pass --pairs (looked for ${file})`);
  const pairs = await readGolden<GoldenPair>(file);
  return new Map(pairs.map((p) => [String(p.id), p]));
}

export async function runVerify(opts: VerifyOptions): Promise<VerifyResult> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const maxShow = opts.maxShow ?? 50;
  const records = await readGolden<Record<string, unknown>>(opts.golden);
  if (records.length === 0) throw new UserError(`${opts.golden}: is empty (no JSON records)`);
  const format = detectFormat(records[0]);
  if (!format) {
    const kinds = goldenFormats().map((f) => f.kind.replace('-', '_'));
    throw new UserError(`${opts.golden}:1: unrecognised golden format (expected the ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)} format)`);
  }
  const pairs = format.pairsFile ? await loadPairs(opts, format.pairsFile) : null;
  const toRun = format.checks(records, pairs, { variants: opts.variants });
  if (toRun.length === 0) throw new UserError(`${opts.golden}: no values to verify in this ${format.kind} file`);
  const checks: VerifyResult['checks'] = [];
  const report = (name: string, r: GoldenCheckResult, unit: string): void => {
    r.disagreements.slice(0, maxShow).forEach((d) => out(`DIFF ${name} ${d.id} ${d.field}: expected ${fmt(d.expected)}, got ${fmt(d.actual)}`));
    if (r.disagreements.length > maxShow) out(`DIFF ${name}: ... ${r.disagreements.length - maxShow} more`);
    for (const s of r.skipped ?? []) out(`SKIP ${name} ${s.subset}: ${s.missing} id(s) not in the pairs file`);
    const skipped = r.skipped?.length ?? 0;
    out(`${r.disagreements.length === 0 ? 'OK  ' : 'FAIL'} ${name}: ${r.checked} ${unit} checked, ${r.disagreements.length} disagreement(s)${skipped ? `, ${skipped} skipped` : ''} (tolerance ${TOLERANCE})`);
    checks.push({ name, checked: r.checked, disagreements: r.disagreements.length, skipped });
  };
  for (const c of toRun) report(c.name, c.run(), c.unit);
  return { kind: format.kind, checks, ok: checks.every((c) => c.disagreements === 0) };
}
