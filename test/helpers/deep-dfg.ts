// Run by test/codebleu-unit.test.ts in a child process with a small stack, interpreter only (the
// largest frames): prints the DFG sizes of inputs nested right up to CPython's recursion limit.
import { getDataFlow } from '../../metrics/codebleu/dfg-python.js';
import { parseFlat } from '../../metrics/codebleu/tree.js';
import { deepPattern } from './deep-patterns.js';

const sizes: Record<string, number> = {};
for (const [kind, n] of [['parens', 989], ['lists', 989], ['calls', 494], ['binop', 990]] as const) {
  sizes[kind] = getDataFlow(parseFlat(deepPattern(kind, n)), 6).length;
}
process.stdout.write(JSON.stringify(sizes));
