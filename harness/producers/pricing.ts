/**
 * Token prices, in US dollars per million tokens. There is deliberately no built-in table: provider
 * prices change, and a wrong built-in price is worse than "unknown". Users pass `--price IN,OUT` or a
 * `--price-table FILE` (JSON: {"<model>": {"input": 0.15, "output": 0.6}}).
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import type { Usage } from './openai-call.js';
import { readTextFile } from '../../core/jsonl.js';

export interface Price {
  input: number;
  output: number;
}

export function parsePriceFlag(s: string): Price {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*,\s*([0-9]*\.?[0-9]+)\s*$/.exec(s);
  if (!m) throw new UserError(`--price '${s}': expected INPUT,OUTPUT in USD per million tokens, e.g. 0.15,0.6`);
  return { input: Number(m[1]), output: Number(m[2]) };
}

export function loadPriceTable(file: string, model: string): Price | undefined {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  let table: unknown;
  try {
    table = JSON.parse(readTextFile(file));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!table || typeof table !== 'object' || Array.isArray(table)) throw new UserError(`${file}: expected an object mapping model names to {input, output}`);
  const entry = (table as Record<string, unknown>)[model];
  if (entry === undefined) return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e !== 'object' || typeof e.input !== 'number' || typeof e.output !== 'number' || e.input < 0 || e.output < 0) {
    throw new UserError(`${file}: entry '${model}' must be {"input": <USD per 1M>, "output": <USD per 1M>}`);
  }
  return { input: e.input, output: e.output };
}

export function costUsd(usage: Usage, price: Price | undefined): number | 'unknown' {
  if (!price) return 'unknown';
  return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6;
}

export function addUsage(a: Usage, b: Usage | null): void {
  if (!b) return;
  a.prompt_tokens += b.prompt_tokens;
  a.completion_tokens += b.completion_tokens;
  a.total_tokens += b.total_tokens;
}

export function zeroUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
}
