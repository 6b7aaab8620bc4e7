/**
 * Options for an in-process `runEval` on the shared APIBench data: Gorilla's FT 0-shot responses on the
 * HuggingFace questions, no execution, the default metric variants. Tests override what they vary.
 */
import type { EvalConfig } from '../../harness/runs/types.js';
import type { EvalRunOptions } from '../../harness/runs/run.js';
import { APIBENCH, sharedPath } from './shared.js';

export const FT_0_SHOT = sharedPath('apibench', 'responses', 'huggingface', 'response_huggingface_Gorilla_FT_0_shot.jsonl');

export function ftEvalOptions(outDir: string, over: Partial<Omit<EvalRunOptions, 'config'>> & { config?: Partial<EvalConfig> } = {}): EvalRunOptions {
  const { config, ...rest } = over;
  return {
    outDir,
    dataDir: APIBENCH,
    dataSource: APIBENCH,
    candidates: [{ name: 'ft', files: [FT_0_SHOT] }],
    config: { hub: 'huggingface', codebleuVariant: 'k4black', rougeStemmer: false, exec: false, goldGate: false, seed: 12345, nResamples: 100, ...config },
    command: 'test',
    quiet: true,
    ...rest,
  };
}
