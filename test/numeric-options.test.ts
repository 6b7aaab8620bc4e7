import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../harness/cli/program.js';
import { decimal, describeRange, integer, parseNumeric, rangeOf, MAX_TIMER_S } from '../harness/cli/numeric-options.js';
import { LIMIT_RANGES } from '../sandbox/limits.js';
import { runCli } from './helpers/cli.js';

/** Placeholders that name a number (`<n>`, `<x>`, `[k]`…); every option spelled with one must have a range. */
const NUMERIC_PLACEHOLDER = /[<[](n|x|t|p|f|k|s|a|tau|seconds|ms)[>\]]$/;

function* commands(c: Command, path: string[] = []): Generator<[string, Command]> {
  for (const sub of c.commands) {
    const p = [...path, sub.name()];
    yield [p.join(' '), sub];
    yield* commands(sub, p);
  }
}

describe('parseNumeric', () => {
  it('accepts integers and decimals within the range, refusing everything else with the range in the message', () => {
    expect(parseNumeric('--n', '7', integer(1, 10))).toBe(7);
    expect(parseNumeric('--n', ' +10 ', integer(1, 10))).toBe(10);
    expect(parseNumeric('--x', '1e-3', decimal(0, 1))).toBe(0.001);
    expect(parseNumeric('--x', '.5', decimal(0, 1))).toBe(0.5);
    for (const bad of ['', ' ', 'abc', '1.5', '0x10', '1e2', 'Infinity', 'NaN', '1,000', '\u0000', '٣']) {
      expect(() => parseNumeric('--n', bad, integer(1, 1000)), bad).toThrow(/^--n '.*': expected an integer 1–1000$/s);
    }
    for (const bad of ['0x10', 'Infinity', '-', '1e', '..5']) expect(() => parseNumeric('--x', bad, decimal(0, 1)), bad).toThrow(/expected a number 0–1/);
    expect(() => parseNumeric('--n', '0', integer(1, 10))).toThrow('--n 0: out of range (integer 1–10)');
    expect(() => parseNumeric('--n', '11', integer(1, 10))).toThrow('--n 11: out of range (integer 1–10)');
    expect(() => parseNumeric('--t', '0', decimal(0, 5, { minExclusive: true }))).toThrow('--t 0: out of range (number > 0, ≤ 5)');
    expect(() => parseNumeric('--x', '1e400', decimal(0, 1e9))).toThrow(/out of range/);
  });

  it('keeps every sandbox timeout inside what a Node timer can wait (with the 15 s watchdog margin)', () => {
    expect(LIMIT_RANGES.timeoutS.max + 15).toBeLessThan(MAX_TIMER_S);
  });
});

describe('every numeric option of every command', () => {
  const all = [...commands(buildProgram())];
  it('has a checked range, shown in --help', () => {
    const seen: string[] = [];
    const missing: string[] = [];
    for (const [name, cmd] of all) {
      for (const opt of cmd.options) {
        if (!NUMERIC_PLACEHOLDER.test(opt.flags) || opt.argChoices) continue;
        const r = rangeOf(opt);
        if (!r) missing.push(`${name} ${opt.flags}`);
        else {
          seen.push(`${name} ${opt.long}`);
          expect(cmd.helpInformation().replace(/\s+/g, " "), `${name} ${opt.flags}`).toContain(`(${describeRange(r)})`);
          // A default lies inside its own range (numericOption checks it; this shows it holds for all).
          if (opt.defaultValue !== undefined) expect(() => parseNumeric(opt.long!, String(opt.defaultValue), r)).not.toThrow();
        }
      }
    }
    expect(missing).toEqual([]);
    expect(seen.length).toBeGreaterThan(60);
  });

  it('refuses a value past the range and a non-number at parse time: one line, exit 2, nothing run', () => {
    // One refusal per command (spawning is slow); every option goes through the same parser.
    const cases: [string[], RegExp][] = [
      [['exec', '--input', 'x', '--output', 'y', '--timeout-s', '3000000'], /^apieval: --timeout-s 3000000: out of range \(number > 0, ≤ 86400\)\n$/],
      [['exec', '--input', 'x', '--output', 'y', '--timeout-s', '0'], /^apieval: --timeout-s 0: out of range \(number > 0, ≤ 86400\)\n$/],
      [['eval', '--out', 'r', '--concurrency', '0'], /^apieval: --concurrency 0: out of range \(integer 1–1024\)\n$/],
      [['leaderboard', 'r', '--bootstrap', 'many'], /^apieval: --bootstrap 'many': expected an integer 1–1000000\n$/],
      [['generate', '--model', 'm', '--max-tokens', '-1'], /^apieval: --max-tokens -1: out of range \(integer 1–16777216\)\n$/],
      [['train', 'ppo', '--sft', 's', '--reward', 'rm:x', '--out', 'o', '--gamma', '1.5'], /^apieval: --gamma 1.5: out of range \(number 0–1\)\n$/],
      [['reward', 'serve', '--reward', 'ast', '--port', '70000'], /^apieval: --port 70000: out of range \(integer 0–65535\)\n$/],
      [['verify', '--golden', 'g', '--max-show', '2.5'], /^apieval: --max-show '2.5': expected an integer 0–1000000000\n$/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });
});

describe('every option with fixed choices', () => {
  it('lists them in --help and refuses anything else with one line (exit 2), not commander\'s error and help', () => {
    const seen: string[] = [];
    for (const [name, cmd] of commands(buildProgram())) {
      for (const opt of cmd.options) {
        if (!opt.argChoices) continue;
        seen.push(`${name} ${opt.long}`);
        expect(cmd.helpInformation().replace(/\s+/g, ' '), `${name} ${opt.long}`).toContain(`choices: ${opt.argChoices.map((c) => `"${c}"`).join(', ')}`);
        for (const c of opt.argChoices) expect(opt.parseArg!(c, undefined as never)).toBe(c);
        expect(() => opt.parseArg!('bogus', undefined as never), `${name} ${opt.long}`).toThrow(new RegExp(`^${opt.long} 'bogus': expected one of ${opt.argChoices.join(', ')}$`));
      }
    }
    expect(seen.length).toBeGreaterThan(15);
    const r = runCli(['eval', '--codebleu-variant', 'gorilla', '--no-exec']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("apieval: --codebleu-variant 'gorilla': expected one of k4black, codexglue\n");
  });
});
