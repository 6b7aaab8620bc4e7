/**
 * `apieval verify --golden FILE`: recognises the golden file's format, recomputes every value with this
 * package's metrics and prints every disagreement beyond 1e-9, then one summary line per check.
 * Exit status: 0 when everything agrees, 1 on any disagreement (2 for bad input, via UserError).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { CODEBLEU_VARIANTS, type CodeBleuVariant } from '../../metrics/codebleu/index.js';
import { readGolden, TOLERANCE, type Disagreement, type GoldenCorpusRecord, type GoldenPair } from './golden.js';
import { goldenKey, verifyCodeBleuCorpus, verifyCodeBleuPairs } from './verify-codebleu.js';
import { verifyRougeCorpus, verifyRougePairs } from './verify-rouge.js';

export type GoldenKind = 'codebleu-pairs' | 'codebleu-corpus' | 'rouge-pairs' | 'rouge-corpus';

export interface VerifyOptions {
  golden: string;
  /** CodeBLEU variants to check; default: every variant whose oracle key the file has. */
  variants?: CodeBleuVariant[];
  /** Pairs file for corpus files (default: the sibling codebleu_pairs / rouge_pairs file). */
  pairs?: string;
  /** Print at most this many disagreement lines per check (all are counted). */
  maxShow?: number;
  out?: (line: string) => void;
}

export interface VerifyResult {
  kind: GoldenKind;
  checks: { name: string; checked: number; disagreements: number; skipped: number }[];
  ok: boolean;
}

export function detectKind(first: Record<string, unknown>): GoldenKind | null {
  const isCorpus = typeof first.subset === 'string' && Array.isArray(first.ids);
  if ('rouge_score' in first) return 'rouge-pairs';
  if (isCorpus && ('use_stemmer_false' in first || 'use_stemmer_true' in first)) return 'rouge-corpus';
  const hasCb = 'k4black' in first || 'cxg_modern' in first;
  if (isCorpus && hasCb) return 'codebleu-corpus';
  if (hasCb && 'prediction' in first && 'reference' in first) return 'codebleu-pairs';
  return null;
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

async function loadPairs(opts: VerifyOptions, defaultName: string): Promise<Map<string, GoldenPair>> {
  const file = opts.pairs ?? join(dirname(opts.golden), defaultName);
  if (!existsSync(file)) throw new UserError(`${opts.golden}: a corpus file needs its pairs file; pass --pairs (looked for ${file})`);
  const pairs = await readGolden<GoldenPair>(file);
  return new Map(pairs.map((p) => [String(p.id), p]));
}

export async function runVerify(opts: VerifyOptions): Promise<VerifyResult> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const maxShow = opts.maxShow ?? 50;
  const records = await readGolden<Record<string, unknown>>(opts.golden);
  if (records.length === 0) throw new UserError(`${opts.golden}: is empty (no JSON records)`);
  const kind = detectKind(records[0]);
  if (!kind) {
    throw new UserError(`${opts.golden}:1: unrecognised golden format (expected the codebleu_pairs, codebleu_corpus, rouge_pairs or rouge_corpus format)`);
  }
  const checks: VerifyResult['checks'] = [];
  const report = (name: string, r: { checked: number; disagreements: Disagreement[]; skipped?: { subset: string; missing: number }[] }, unit: string): void => {
    r.disagreements.slice(0, maxShow).forEach((d) => out(`DIFF ${name} ${d.id} ${d.field}: expected ${fmt(d.expected)}, got ${fmt(d.actual)}`));
    if (r.disagreements.length > maxShow) out(`DIFF ${name}: ... ${r.disagreements.length - maxShow} more`);
    for (const s of r.skipped ?? []) out(`SKIP ${name} ${s.subset}: ${s.missing} id(s) not in the pairs file`);
    const skipped = r.skipped?.length ?? 0;
    out(`${r.disagreements.length === 0 ? 'OK  ' : 'FAIL'} ${name}: ${r.checked} ${unit} checked, ${r.disagreements.length} disagreement(s)${skipped ? `, ${skipped} skipped` : ''} (tolerance ${TOLERANCE})`);
    checks.push({ name, checked: r.checked, disagreements: r.disagreements.length, skipped });
  };
  const variants = (v: Record<string, unknown>): CodeBleuVariant[] =>
    opts.variants ?? CODEBLEU_VARIANTS.filter((x) => goldenKey(x) in v);

  if (kind === 'codebleu-pairs') {
    const pairs = records as unknown as GoldenPair[];
    const vs = variants(records[0]);
    if (vs.length === 0) throw new UserError(`${opts.golden}: no k4black or cxg_modern values to verify`);
    for (const v of vs) report(`codebleu/${v}`, verifyCodeBleuPairs(pairs, v), 'pairs');
  } else if (kind === 'codebleu-corpus') {
    const pairs = await loadPairs(opts, 'codebleu_pairs.jsonl.gz');
    for (const v of variants(records[0])) report(`codebleu/${v}`, verifyCodeBleuCorpus(records as unknown as GoldenCorpusRecord[], pairs, v), 'subsets');
  } else if (kind === 'rouge-pairs') {
    report('rouge', verifyRougePairs(records as unknown as GoldenPair[]), 'pairs');
  } else {
    const pairs = await loadPairs(opts, 'rouge_pairs.jsonl.gz');
    report('rouge', verifyRougeCorpus(records as unknown as GoldenCorpusRecord[], pairs), 'subsets');
  }
  return { kind, checks, ok: checks.every((c) => c.disagreements === 0) };
}
