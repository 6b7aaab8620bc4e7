import { type Command } from 'commander';
import type { AstMatchOptions } from '../../datasets/ast-match-run.js';
import { choiceOption } from '../choice-options.js';


// `apieval ast-match`: Gorilla's AST API-call match (accuracy, hallucination) on one responses file.
export function register(program: Command): void {
  program
    .command('ast-match')
    .description("Gorilla's AST match of model responses against the APIBench API database (accuracy, hallucination, error)")
    .requiredOption('--responses <file>', 'responses JSONL: {"question_id", "text", ...} per line (Gorilla format)')
    .requiredOption('--output <file>', 'per-response verdicts JSONL, one line per response in input order')
    .option('--api-db <file>', 'API database JSONL (default: <data dir>/<hub>_api.jsonl)')
    .option('--eval <file>', 'APIBench eval file, JSON Lines (default: <data dir>/<hub eval file>)')
    .addOption(choiceOption('--variant <variant>', 'gorilla: the script; strict: the matched API must be the reference call', ['gorilla', 'strict']).default('gorilla'))
    .option('--hub <hub>', 'huggingface | torchhub | tensorflowhub (selects ast_eval_hf/th/tf.py; default: from the file names, else huggingface)')
    .option('--data-dir <dir>', 'local APIBench copy for --api-db/--eval defaults (else APIEVAL_DATA_DIR, else the download cache)')
    .option('--by-domain', 'also print one JSON line per question domain before the totals')
    .action(async (opts: AstMatchOptions) => {
      const { runAstMatch } = await import('../../datasets/ast-match-run.js');
      await runAstMatch(opts);
    });
}
