/**
 * Where the APIBench files come from. They are never vendored: users get them from the public Gorilla
 * repository at ONE pinned commit, each file checked against a pinned sha256, so that every apieval user
 * scores against byte-identical data (a number computed on other data would not be comparable).
 *
 * Order of precedence (resolveDataDir):
 *   1. `--data-dir DIR` (opts.dataDir)        a local copy, used as is (no download, no checksum);
 *   2. env APIEVAL_DATA_DIR                    the same, for CI and tests;
 *   3. the user cache `$XDG_CACHE_HOME/apieval/apibench/<commit>` (default ~/.cache/...), where missing
 *      files are downloaded once: fetch → sha256 check → atomic rename. A file whose checksum differs is
 *      never kept.
 * env APIEVAL_DATA_URL replaces the base URL (a mirror, or a 127.0.0.1 server in tests).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Hub } from './apibench.js';
import { cacheRoot } from '../../core/cache-root.js';

export const GORILLA_REPO = 'ShishirPatil/gorilla';
export const GORILLA_COMMIT = '6ea57973c7a6097fd7c5915698c54c17c5b1b6c8';
export const DEFAULT_BASE_URL = `https://raw.githubusercontent.com/${GORILLA_REPO}/${GORILLA_COMMIT}`;

export type DataKind = 'eval' | 'api' | 'questions' | 'responses';

export interface DataFile {
  /** Path inside the data directory (same layout as ../shared/apibench). */
  local: string;
  /** Path inside the Gorilla repository at GORILLA_COMMIT. */
  upstream: string;
  sha256: string;
  hub: Hub;
  kind: DataKind;
}

function f(local: string, upstream: string, sha256: string, hub: Hub, kind: DataKind): DataFile {
  return { local, upstream, sha256, hub, kind };
}

const EVAL_DATA = 'gorilla/eval/eval-data';
const resp = (hub: Hub, model: string, sha: string) =>
  f(`responses/${hub}/response_${hub}_${model}.jsonl`, `${EVAL_DATA}/responses/${hub}/response_${hub}_${model}.jsonl`, sha, hub, 'responses');

/** Every pinned file with its sha256 (computed from the exact copies in ../shared/apibench). */
export const DATA_FILES: readonly DataFile[] = [
  f('huggingface_eval.json', 'data/apibench/huggingface_eval.json', 'd314b1617fe4021bdd7b2e81ca7c1aeda0c7f9921b512aa5f222398e83744c43', 'huggingface', 'eval'),
  f('torchhub_eval.json', 'data/apibench/torchhub_eval.json', 'e575eec9289ee46a577b80ee3065111dd8accf4e6145d6ad5fd919879a79efe9', 'torchhub', 'eval'),
  f('tensorflow_eval.json', 'data/apibench/tensorflow_eval.json', '14fd83b6e1fb61ccb43609483a13b658cc31bd55bd5e118bc19067ab73164f0a', 'tensorflowhub', 'eval'),
  f('huggingface_api.jsonl', 'data/api/huggingface_api.jsonl', '6757c59091abcf6d0f32f878a765b4ae28a9db7f88c7a1a4ee8bfeda72472f6d', 'huggingface', 'api'),
  f('torchhub_api.jsonl', 'data/api/torchhub_api.jsonl', '30c762a4f8ae1be605aa45c74669e8b64a806fa4f3be52bd625199000540b080', 'torchhub', 'api'),
  f('tensorflowhub_api.jsonl', 'data/api/tensorflowhub_api.jsonl', 'bed9819b8d54cda1709fb0942f18d7cd5f39788b22ba03c9f89e9fc0287b2c0a', 'tensorflowhub', 'api'),
  f('questions/questions_huggingface_0_shot.jsonl', `${EVAL_DATA}/questions/huggingface/questions_huggingface_0_shot.jsonl`, '2e27943a14207c312b33ac171d83794633ee3196cefde68cd35c789d75e62477', 'huggingface', 'questions'),
  f('questions/questions_torchhub_0_shot.jsonl', `${EVAL_DATA}/questions/torchhub/questions_torchhub_0_shot.jsonl`, '4200d6cb154c62fb459c452829ce5ab7d474a9f5b1e69b7215b131c2fee96a87', 'torchhub', 'questions'),
  f('questions/questions_tensorflowhub_0_shot.jsonl', `${EVAL_DATA}/questions/tensorflowhub/questions_tensorflowhub_0_shot.jsonl`, 'd3e7fb41cda6bdf99a09010d336122eca2da9d620c0779c052a623cf23fe89d0', 'tensorflowhub', 'questions'),
  resp('huggingface', 'Gorilla_FT_0_shot', '1aa96afe5c30eb9471e7d6e2300602b4cdcf6232c8a2b7768bb599307249b9d8'),
  resp('huggingface', 'Gorilla_FT_bm25', 'a67fccbb3110d21d178093a726bf2d5635cb720a0e68a3ee536fb43aa1dde796'),
  resp('huggingface', 'Gorilla_FT_gpt_index', 'cde46e06bb6d47682eb45405c47ea39d1a748c5f499c0cd979ae983a3b205e04'),
  resp('huggingface', 'Gorilla_FT_oracle', '6fa82a17b23454fa25dd437883d07ebdebd6d3eec6ff70b3bfbe21a34072a693'),
  resp('huggingface', 'Gorilla_RT_0_shot', 'c52902cd3d59942d84ecc3861af38d94f4b8397a223afa92e3bc066d60c2efb8'),
  resp('huggingface', 'Gorilla_RT_bm25', '41ad9b7d9bde2a2888c180954fd43a2d19b45d209ff97db0a058e38e08f4aa6b'),
  resp('huggingface', 'Gorilla_RT_gpt_index', 'e1139cf063d4019a9718a04d4d2e8203760803f22126a0a6837d81094c2588d5'),
  resp('huggingface', 'Gorilla_RT_oracle', '2242f20342bd3a6fdbc85f0dceaf9f741e871c71e7fb177b3d64a7c11af3b4af'),
  resp('torchhub', 'Gorilla_FT_0_shot', 'e84a433e343393d42ac34b7e8641f3610939bc0defe3276f398a9025dd482758'),
  resp('torchhub', 'Gorilla_FT_bm25', '12127ecef32eabcf65560d1ba8b8d68aee92626de72cd523b76aad3f8bc16e2d'),
  resp('torchhub', 'Gorilla_FT_gpt_index', '3e9bc27896d27f5a1ba580857171b16d94317fc272ab486c059d49792386e0fc'),
  resp('torchhub', 'Gorilla_FT_oracle', 'a92802609e6e47213f01dc068df0163369cef6b2b1e223f8d2bf3fa8fa8f5ca4'),
  resp('torchhub', 'Gorilla_RT_0_shot', '131ca450a60b796bdc2e86e5ae7c5a430d93a87a6406d6e74501ab850b5e9872'),
  resp('torchhub', 'Gorilla_RT_bm25', '1663bf8a520357cc8da7c5a02ce6a71ec44d8065db6d4e67ab397d89e5cffa03'),
  resp('torchhub', 'Gorilla_RT_gpt_index', 'f616c3fba9955be91ad7ea6e978efe6d740cd6f4642cbf00799309c50159bec9'),
  resp('torchhub', 'Gorilla_RT_oracle', '57819ccaa4af431637c837dfaf3c3f9d00a63bdc3fffdd084fbf31d911a54114'),
  resp('tensorflowhub', 'Gorilla_FT_0_shot', '35f8723b4e01d1abd18bbe1426ab22b45d395e845b76fdc385ac100d4f414e94'),
  resp('tensorflowhub', 'Gorilla_FT_bm25', '0d3b868ee7655a7465fe04aac46293a73334cacfecf01b763bb4f8bef66b985c'),
  resp('tensorflowhub', 'Gorilla_FT_gpt_index', '8d57e4088403b1ad3c40ff6f1a3758047922ece76c9f1795df764d68dbbca1ca'),
  resp('tensorflowhub', 'Gorilla_FT_oracle', 'c5abfceb5f52328804c3fe126451340e2b1e8c09b93896037ab0644e6c792ab0'),
  resp('tensorflowhub', 'Gorilla_RT_0_shot', '6a1e049e9ca0a3eb15f1420dcdd73615cfac7d637c2110f560e3ec26b3976012'),
  resp('tensorflowhub', 'Gorilla_RT_bm25', 'bbce93c5768f69c7adbb6d82ee673d46d40bb81f2434f41d4982cdfa3923f153'),
  resp('tensorflowhub', 'Gorilla_RT_gpt_index', '9c1a01fafbb97e44de5065e07c17064772fb6042e01681f8c285fe9aa3ce9f24'),
  resp('tensorflowhub', 'Gorilla_RT_oracle', 'a93096d2df15921304802575a8bea595e2aa2158bcdc951a4caa6d2ec9b6c84a'),
];

export interface FileSelection {
  /** Hubs to include (default: all three). */
  hubs?: readonly Hub[];
  /** Include the 8 Gorilla response files per hub (default: false; they are 15 MB). */
  responses?: boolean;
}

export function selectFiles(sel: FileSelection = {}): DataFile[] {
  return DATA_FILES.filter((d) => (!sel.hubs || sel.hubs.includes(d.hub)) && (sel.responses || d.kind !== 'responses'));
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'apibench', GORILLA_COMMIT);
}

export function baseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.APIEVAL_DATA_URL && env.APIEVAL_DATA_URL.trim() !== '' ? env.APIEVAL_DATA_URL : DEFAULT_BASE_URL).replace(/\/+$/, '');
}

export function sha256Hex(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** How to provide the data, appended to every "could not get the data" message. */
export const HOW_TO_PROVIDE =
  'provide a local copy of the Gorilla APIBench files with --data-dir DIR or APIEVAL_DATA_DIR=DIR, ' +
  "or run 'apieval data fetch' once while online";

/**
 * Downloads one pinned file into `dir` unless it is already there: fetch, check sha256, write to a
 * temporary sibling and rename (so an interrupted download never leaves a half file that looks valid).
 */
export async function fetchFile(file: DataFile, dir: string, opts: { base?: string; fetchImpl?: typeof fetch } = {}): Promise<'present' | 'downloaded'> {
  const target = join(dir, file.local);
  if (existsSync(target)) return 'present';
  const url = `${opts.base ?? baseUrl()}/${file.upstream}`;
  const doFetch = opts.fetchImpl ?? fetch;
  let body: Uint8Array;
  try {
    const res = await doFetch(url);
    if (!res.ok) throw new UserError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}; ${HOW_TO_PROVIDE}`);
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof UserError) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new UserError(`APIBench data is not available offline (downloading ${url} failed: ${why}); ${HOW_TO_PROVIDE}`);
  }
  const got = sha256Hex(body);
  if (got !== file.sha256) {
    throw new UserError(`checksum mismatch for ${url}: expected sha256 ${file.sha256}, got ${got}; the file was not saved (is APIEVAL_DATA_URL pointing at another version?)`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.part`;
  try {
    writeFileSync(tmp, body);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UserError(`cannot write ${target}: ${(e as Error).message}`);
  }
  return 'downloaded';
}

/** Downloads the selected files that are missing from the cache (or `dir`); returns the directory. */
export async function fetchData(sel: FileSelection = {}, opts: { dir?: string; base?: string; fetchImpl?: typeof fetch; onFile?: (f: DataFile, status: 'present' | 'downloaded') => void } = {}): Promise<string> {
  const dir = opts.dir ?? cacheDir();
  for (const file of selectFiles(sel)) {
    const status = await fetchFile(file, dir, opts);
    opts.onFile?.(file, status);
  }
  return dir;
}

export interface ResolveOptions extends FileSelection {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  fetchImpl?: typeof fetch;
}

/**
 * The data directory to read: --data-dir, else APIEVAL_DATA_DIR (both used as is), else the cache, into
 * which the selected files (default: eval, API database and questions of every hub) are downloaded once.
 */
export async function resolveDataDir(opts: ResolveOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const local = opts.dataDir ?? (env.APIEVAL_DATA_DIR && env.APIEVAL_DATA_DIR.trim() !== '' ? env.APIEVAL_DATA_DIR : undefined);
  if (local !== undefined) {
    const dir = resolve(local);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      const via = opts.dataDir !== undefined ? '--data-dir' : 'APIEVAL_DATA_DIR';
      throw new UserError(`${via} ${local}: no such directory`);
    }
    return dir;
  }
  return fetchData(opts, { dir: cacheDir(env), base: baseUrl(env), fetchImpl: opts.fetchImpl });
}

export interface VerifyResult {
  file: DataFile;
  status: 'ok' | 'missing' | 'mismatch';
  sha256?: string;
}

/** Checks the selected files of a directory against the pinned checksums. */
export function verifyDataDir(dir: string, sel: FileSelection = {}): VerifyResult[] {
  return selectFiles(sel).map((file) => {
    const p = join(dir, file.local);
    if (!existsSync(p)) return { file, status: 'missing' as const };
    const sha = sha256Hex(readFileSync(p));
    return { file, status: sha === file.sha256 ? ('ok' as const) : ('mismatch' as const), sha256: sha };
  });
}
