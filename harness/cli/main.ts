import { CommanderError } from 'commander';
import { UserError } from '../../core/errors.js';
import { buildProgram } from './program.js';

const program = buildProgram();

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
