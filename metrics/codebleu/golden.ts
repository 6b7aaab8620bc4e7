/**
 * Recomputes CodeBLEU for golden records and lists every disagreement (used by `apieval verify` and the
 * golden tests). Variant `k4black` is checked against oracle key `k4black`, `codexglue` against
 * `cxg_modern` (CodeXGLUE's algorithm on the same tree-sitter-python 0.23.6 grammar; see
 * metrics/codebleu/index.ts for why the 2020-grammar `codexglue` key cannot be reproduced).
 */
import { CODEBLEU_VARIANTS, codeBleuComponents, codeBleuStats, type CodeBleuStats, type CodeBleuVariant } from './index.js';
import { isFailure } from '../types.js';
import { corpusItems, isCorpusRecord, sameValue, type Disagreement, type GoldenCorpusRecord, type GoldenFormat, type GoldenPair } from '../golden.js';

export const CODEBLEU_FIELDS = ['ngram_match', 'weighted_ngram_match', 'syntax_match', 'dataflow_match', 'codebleu'] as const;

export function goldenKey(variant: CodeBleuVariant): string {
  return variant === 'k4black' ? 'k4black' : 'cxg_modern';
}

const refsOf = (p: GoldenPair): string[] => (Array.isArray(p.reference) ? p.reference : [p.reference]);

/** Compares one computed component set with one golden oracle object; pushes disagreements. */
function compare(id: string, computed: Record<string, unknown>, golden: Record<string, unknown>, out: Disagreement[]): void {
  for (const f of CODEBLEU_FIELDS) {
    if (!sameValue(computed[f], golden[f])) out.push({ id, field: f, expected: golden[f], actual: computed[f] });
  }
  if ('dataflow_degenerate' in golden && !sameValue(computed.dataflow_degenerate, golden.dataflow_degenerate)) {
    out.push({ id, field: 'dataflow_degenerate', expected: golden.dataflow_degenerate, actual: computed.dataflow_degenerate });
  }
}

export interface PairCheck {
  checked: number;
  disagreements: Disagreement[];
  /** Per-pair statistics by id, reusable for corpus checks. */
  stats: Map<string, CodeBleuStats>;
}

export function verifyCodeBleuPairs(pairs: Iterable<GoldenPair>, variant: CodeBleuVariant): PairCheck {
  const key = goldenKey(variant);
  const disagreements: Disagreement[] = [];
  const stats = new Map<string, CodeBleuStats>();
  let checked = 0;
  for (const p of pairs) {
    const golden = p[key] as Record<string, unknown> | undefined;
    if (!golden) continue;
    const st = codeBleuStats(refsOf(p), p.prediction, { variant });
    checked++;
    if (isFailure(st)) {
      disagreements.push({ id: p.id, field: 'codebleu', expected: golden.codebleu, actual: st });
      continue;
    }
    stats.set(p.id, st);
    compare(p.id, codeBleuComponents([st], { variant }) as unknown as Record<string, unknown>, golden, disagreements);
  }
  return { checked, disagreements, stats };
}

export function verifyCodeBleuCorpus(
  records: Iterable<GoldenCorpusRecord>,
  pairs: ReadonlyMap<string, GoldenPair>,
  variant: CodeBleuVariant,
  cache?: Map<string, CodeBleuStats>,
): { checked: number; disagreements: Disagreement[]; skipped: { subset: string; missing: number }[] } {
  const key = goldenKey(variant);
  const disagreements: Disagreement[] = [];
  const skipped: { subset: string; missing: number }[] = [];
  let checked = 0;
  for (const rec of records) {
    const golden = rec[key] as Record<string, unknown> | undefined;
    if (!golden) continue;
    const weights = (rec.weights ?? [0.25, 0.25, 0.25, 0.25]) as [number, number, number, number];
    const items = corpusItems(rec, pairs);
    if (!Array.isArray(items)) {
      skipped.push({ subset: rec.subset, missing: items.missing.length });
      continue;
    }
    const stats: CodeBleuStats[] = [];
    let failed = false;
    for (const it of items) {
      const cached = rec.subset === 'edge/empty_predictions' || rec.items ? undefined : cache?.get(it.id);
      const st = cached ?? codeBleuStats(refsOf(it), it.prediction, { variant });
      if (isFailure(st)) {
        disagreements.push({ id: rec.subset, field: 'codebleu', expected: golden.codebleu, actual: st });
        failed = true;
        break;
      }
      stats.push(st);
    }
    checked++;
    if (failed) continue;
    if (stats.length !== rec.n) disagreements.push({ id: rec.subset, field: 'n', expected: rec.n, actual: stats.length });
    compare(rec.subset, codeBleuComponents(stats, { variant, weights }) as unknown as Record<string, unknown>, golden, disagreements);
  }
  return { checked, disagreements, skipped };
}

const hasOracle = (first: Record<string, unknown>): boolean => CODEBLEU_VARIANTS.some((v) => goldenKey(v) in first);

/** `verify --variant` if given, else every variant whose oracle key the file has. */
function variantsOf(first: Record<string, unknown>, opts: { variants?: readonly string[] }): CodeBleuVariant[] {
  return (opts.variants as CodeBleuVariant[] | undefined) ?? CODEBLEU_VARIANTS.filter((v) => goldenKey(v) in first);
}

/** The golden formats of CodeBLEU (`apieval verify`). */
export const CODEBLEU_GOLDEN: readonly GoldenFormat[] = [
  {
    kind: 'codebleu-pairs',
    detect: (first) => !isCorpusRecord(first) && hasOracle(first) && 'prediction' in first && 'reference' in first,
    checks: (records, _pairs, opts) =>
      variantsOf(records[0], opts).map((v) => ({ name: `codebleu/${v}`, unit: 'pairs', run: () => verifyCodeBleuPairs(records as unknown as GoldenPair[], v) })),
  },
  {
    kind: 'codebleu-corpus',
    detect: (first) => isCorpusRecord(first) && hasOracle(first),
    pairsFile: 'codebleu_pairs.jsonl.gz',
    checks: (records, pairs, opts) =>
      variantsOf(records[0], opts).map((v) => ({ name: `codebleu/${v}`, unit: 'subsets', run: () => verifyCodeBleuCorpus(records as unknown as GoldenCorpusRecord[], pairs!, v) })),
  },
];
