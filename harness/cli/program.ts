/** The `apieval` command tree: every command and option, nothing run (main.ts parses argv with it). */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import * as score from './commands/score.js';
import * as verify from './commands/verify.js';
import * as astMatch from './commands/ast-match.js';
import * as data from './commands/data.js';
import * as exec from './commands/exec.js';
import * as sandbox from './commands/sandbox.js';
import * as evalCmd from './commands/eval.js';
import * as leaderboard from './commands/leaderboard.js';
import * as grade from './commands/grade.js';
import * as merge from './commands/merge.js';
import * as generate from './commands/generate.js';
import * as feedback from './commands/feedback.js';
import * as train from './commands/train.js';
import * as reward from './commands/reward.js';
import * as rlaif from './commands/rlaif.js';
import * as demoEndpoint from './commands/demo-endpoint.js';

// Each command module registers its options and loads its implementation lazily inside the action, so
// `apieval --help` and light commands do not pay for tree-sitter, dockerode or openai at start-up.
export function buildProgram(): Command {
  const program = new Command('apieval')
    .description('Faithful metrics, sandboxed executability and leaderboards for API-calling code models')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  for (const m of [score, verify, astMatch, data, exec, sandbox, evalCmd, merge, grade, leaderboard, generate, feedback, train, reward, rlaif, demoEndpoint]) m.register(program);
  return program;
}
