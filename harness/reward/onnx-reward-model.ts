/**
 * A reward model made by `apieval train reward`, scored in this process with onnxruntime-node: its
 * `reward.onnx` ((input_ids, attention_mask) int64 → logits float32 [batch]) and its own tokenizer files read
 * by Hugging Face's tokenizers.js (`tokenizer.json`, the same vocabulary and merges the trainers used; parity
 * with the Python tokenizer is tested on every APIBench text). The input is built as `reward_config.json`
 * says: tokens(prompt) + tokens(completion), no closing <|endoftext|>, the end kept when longer than
 * max_length, right-padded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { fileSha256 } from '../../core/hash.js';

/**
 * Version of this module's scoring (input construction, batching, what is read out). Part of the signature,
 * so that a change here recomputes cached RM values in run directories instead of reusing them.
 */
export const REWARD_SCORING_VERSION = 1;

export interface RewardConfig {
  max_length: number;
  pad_token_id: number;
  append_eos: boolean;
  truncation: 'left';
  onnx: string;
}

type Session = import('onnxruntime-node').InferenceSession;
type Ort = typeof import('onnxruntime-node');
type Tok = import('@huggingface/tokenizers').Tokenizer;

function readJson<T>(file: string, what: string): T {
  if (!existsSync(file)) throw new UserError(`${file}: no such file (${what})`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

export class OnnxRewardModel {
  private constructor(
    readonly dir: string,
    readonly config: RewardConfig,
    private readonly ort: Ort,
    private readonly session: Session,
    private readonly tokenizer: Tok,
  ) {}

  static async load(dir: string, opts: { threads?: number } = {}): Promise<OnnxRewardModel> {
    if (!existsSync(dir)) throw new UserError(`--model ${dir}: no such folder`);
    const config = readJson<RewardConfig>(join(dir, 'reward_config.json'), "not a reward model made by 'apieval train reward'");
    const onnx = join(dir, config.onnx ?? 'reward.onnx');
    if (!existsSync(onnx)) throw new UserError(`${onnx}: no such file (the reward model's ONNX export)`);
    const tj = readJson<object>(join(dir, 'tokenizer.json'), 'the tokenizer the reward model was trained with');
    const tc = existsSync(join(dir, 'tokenizer_config.json')) ? readJson<object>(join(dir, 'tokenizer_config.json'), 'tokenizer config') : {};
    const model = readJson<{ vocab_size?: number }>(join(dir, 'config.json'), 'the model config');
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tokenizer = new Tokenizer(tj, tc);
    const size = tokenizer.get_vocab(true).size;
    if (model.vocab_size !== undefined && size !== model.vocab_size) {
      throw new UserError(`${join(dir, 'tokenizer.json')}: the tokenizer has ${size} tokens but the model's embedding has ${model.vocab_size} rows`);
    }
    const mod = (await import('onnxruntime-node')) as unknown as Ort & { default?: Ort };
    const ort = mod.default ?? mod; // CommonJS: a default export under node, the namespace under some loaders
    let session: Session;
    try {
      session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: opts.threads ?? availableParallelism(), graphOptimizationLevel: 'all' });
    } catch (e) {
      throw new UserError(`${onnx}: onnxruntime cannot load it (${(e as Error).message.split('\n')[0]})`);
    }
    return new OnnxRewardModel(dir, config, ort, session, tokenizer);
  }

  /**
   * What makes two RM scores comparable, sacrebleu-style: the exported graph and tokenizer (by content), the
   * input rule, the runtime and this module's version. E.g.
   * `rm|onnx:3f2a…|tok:91bc…|max_len:512|eos:no|trunc:left|ort:1.31.1|impl:1`.
   */
  signature(): string {
    const onnx = fileSha256(join(this.dir, this.config.onnx ?? 'reward.onnx')).slice(0, 16);
    const tok = fileSha256(join(this.dir, 'tokenizer.json')).slice(0, 16);
    let ort = 'unknown';
    try {
      ort = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
    } catch {
      /* an install without its package.json: the version stays unknown */
    }
    return `rm|onnx:${onnx}|tok:${tok}|max_len:${this.config.max_length}|eos:${this.config.append_eos ? 'yes' : 'no'}|trunc:${this.config.truncation ?? 'left'}|ort:${ort}|impl:${REWARD_SCORING_VERSION}`;
  }

  /** The model's input ids for one (prompt, completion) pair. */
  encode(prompt: string, completion: string): number[] {
    const ids = [...this.tokenizer.encode(prompt, { add_special_tokens: false }).ids, ...this.tokenizer.encode(completion, { add_special_tokens: false }).ids];
    if (this.config.append_eos) ids.push(this.config.pad_token_id);
    return ids.length > this.config.max_length ? ids.slice(ids.length - this.config.max_length) : ids;
  }

  /** Logits of token sequences, in order; batched by length (a row's logit does not depend on its batch). */
  async logitsOfIds(rows: number[][], batchSize = 16): Promise<number[]> {
    const order = rows.map((r, i) => [r.length, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    const out = new Array<number>(rows.length);
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const T = Math.max(1, ...idx.map((i) => rows[i].length));
      const ids = new BigInt64Array(idx.length * T).fill(BigInt(this.config.pad_token_id));
      const mask = new BigInt64Array(idx.length * T);
      idx.forEach((i, b) => {
        rows[i].forEach((t, j) => {
          ids[b * T + j] = BigInt(t);
          mask[b * T + j] = 1n;
        });
      });
      const res = await this.session.run({
        input_ids: new this.ort.Tensor('int64', ids, [idx.length, T]),
        attention_mask: new this.ort.Tensor('int64', mask, [idx.length, T]),
      });
      const logits = res.logits.data as Float32Array;
      idx.forEach((i, b) => (out[i] = logits[b]));
    }
    return out;
  }

  async score(pairs: { prompt: string; completion: string }[], batchSize = 16): Promise<{ logit: number; p: number; tokens: number }[]> {
    const rows = pairs.map((p) => this.encode(p.prompt, p.completion));
    const logits = await this.logitsOfIds(rows, batchSize);
    return logits.map((z, i) => ({ logit: z, p: 1 / (1 + Math.exp(-z)), tokens: rows[i].length }));
  }
}
