import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import * as score from './commands/score.js';
import * as verify from './commands/verify.js';
import * as astMatch from './commands/ast-match.js';
import * as data from './commands/data.js';
import * as exec from './commands/exec.js';
import * as sandbox from './commands/sandbox.js';
import * as evalCmd from './commands/eval.js';
import * as leaderboard from './commands/leaderboard.js';
import * as generate from './commands/generate.js';
import * as feedback from './commands/feedback.js';
import * as train from './commands/train.js';
import * as reward from './commands/reward.js';
import * as rlaif from './commands/rlaif.js';

// Each command module registers its options and loads its implementation lazily inside the action, so
// `apieval --help` and light commands do not pay for tree-sitter, dockerode or openai at start-up.
const program = new Command('apieval')
  .description('Faithful metrics, sandboxed executability and leaderboards for API-calling code models')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride();

for (const m of [score, verify, astMatch, data, exec, sandbox, evalCmd, leaderboard, generate, feedback, train, reward, rlaif]) m.register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UserError) {
    process.stderr.write(`apieval: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`apieval: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
