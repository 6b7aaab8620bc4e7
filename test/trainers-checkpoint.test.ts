// Hugging Face checkpoint I/O of the trainers: the safetensors format checked by an independent parser and
// writer written here from the format's specification (8-byte LE header length, JSON header, contiguous
// data offsets), GPT-2's HF key names and shapes, pytorch_model.bin with the released checkpoints' key style,
// and the decoding invariants (KV cache = no cache, a row alone = the same row in a left-padded batch).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpt2TokenizerDir, py, pyJson, SKIP_TRAINERS, tempDir, removeTempDirs } from './trainers-env.js';

interface StEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

/** The format, read from its spec: returns the header and the data section. */
function parseSafetensors(file: string): { header: Record<string, StEntry>; metadata: Record<string, string> | undefined; data: Buffer } {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const json = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const metadata = json.__metadata__ as Record<string, string> | undefined;
  delete json.__metadata__;
  return { header: json as Record<string, StEntry>, metadata, data: buf.subarray(8 + n) };
}

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** transformers' GPT2LMHeadModel state dict as saved (tied lm_head left out), from the config alone. */
function expectedGpt2Keys(cfg: { n_layer: number; n_embd: number; vocab_size: number; n_positions: number }): Record<string, number[]> {
  const E = cfg.n_embd;
  const keys: Record<string, number[]> = { 'transformer.wte.weight': [cfg.vocab_size, E], 'transformer.wpe.weight': [cfg.n_positions, E], 'transformer.ln_f.weight': [E], 'transformer.ln_f.bias': [E] };
  for (let i = 0; i < cfg.n_layer; i++) {
    const p = `transformer.h.${i}.`;
    Object.assign(keys, {
      [`${p}ln_1.weight`]: [E], [`${p}ln_1.bias`]: [E], [`${p}ln_2.weight`]: [E], [`${p}ln_2.bias`]: [E],
      [`${p}attn.c_attn.weight`]: [E, 3 * E], [`${p}attn.c_attn.bias`]: [3 * E], [`${p}attn.c_proj.weight`]: [E, E], [`${p}attn.c_proj.bias`]: [E],
      [`${p}mlp.c_fc.weight`]: [E, 4 * E], [`${p}mlp.c_fc.bias`]: [4 * E], [`${p}mlp.c_proj.weight`]: [4 * E, E], [`${p}mlp.c_proj.bias`]: [E],
    });
  }
  return keys;
}

describe.skipIf(SKIP_TRAINERS)('trainers: Hugging Face checkpoints', () => {
  let ckptDir: string;
  beforeAll(() => {
    ckptDir = join(tempDir('ckpt'), 'tiny');
    const r = py(['-m', 'apieval_trainers', 'init', '--init', 'random:tiny', '--tokenizer', gpt2TokenizerDir(), '--out', ckptDir, '--seed', '3']);
    if (r.status !== 0) throw new Error(r.stderr);
  });

  it('a written checkpoint has the HF layout: config.json, GPT-2 key names and shapes, contiguous offsets, tokenizer files', () => {
    for (const f of ['config.json', 'model.safetensors', 'generation_config.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json']) expect(existsSync(join(ckptDir, f)), f).toBe(true);
    const cfg = JSON.parse(readFileSync(join(ckptDir, 'config.json'), 'utf8'));
    expect(cfg.model_type).toBe('gpt2');
    expect(cfg.architectures).toEqual(['GPT2LMHeadModel']);
    expect([cfg.n_layer, cfg.n_embd, cfg.n_head, cfg.vocab_size, cfg.n_positions, cfg.n_ctx]).toEqual([2, 64, 2, 50257, 1024, 1024]);
    const { header, metadata, data } = parseSafetensors(join(ckptDir, 'model.safetensors'));
    expect(metadata).toEqual({ format: 'pt' });
    const want = expectedGpt2Keys(cfg);
    expect(Object.keys(header).sort()).toEqual(Object.keys(want).sort());
    const spans: [number, number][] = [];
    for (const [k, e] of Object.entries(header)) {
      expect(e.dtype, k).toBe('F32');
      expect(e.shape, k).toEqual(want[k]);
      expect(e.data_offsets[1] - e.data_offsets[0], k).toBe(want[k].reduce((a, b) => a * b, 1) * 4);
      spans.push(e.data_offsets);
    }
    spans.sort((a, b) => a[0] - b[0]);
    expect(spans[0][0]).toBe(0);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBe(spans[i - 1][1]);
    expect(spans.at(-1)![1]).toBe(data.length);
  });

  it('tensor bytes hold the model\'s values (Conv1D weights stored [in, out] as in transformers)', () => {
    const vals = pyJson<Record<string, number[]>>(`
import json, torch
from apieval_trainers import checkpoint as ckpt
m = ckpt.random_model("random:tiny", 3)
sd = m.state_dict()
print(json.dumps({k: sd[k].reshape(-1)[:50].tolist() for k in ["transformer.wte.weight", "transformer.h.1.attn.c_attn.weight", "transformer.h.0.mlp.c_proj.bias"]}))`);
    const { header, data } = parseSafetensors(join(ckptDir, 'model.safetensors'));
    for (const [k, want] of Object.entries(vals)) {
      const [b] = header[k].data_offsets;
      const got = Array.from({ length: want.length }, (_, i) => data.readFloatLE(b + 4 * i));
      expect(got, k).toEqual(want);
    }
    // c_attn is [n_embd, 3 n_embd]: the first row is input feature 0 for every output.
    expect(header['transformer.h.1.attn.c_attn.weight'].shape).toEqual([64, 192]);
  });

  it('reads a file written by an independent writer, every dtype; writes what it reads', () => {
    const dir = tempDir('st');
    const tensors: [string, string, number[], Buffer][] = [];
    const f32 = Buffer.alloc(6 * 4);
    [1.5, -2.25, 3e-8, 65504, -0, 7].forEach((v, i) => f32.writeFloatLE(v, 4 * i));
    tensors.push(['a.f32', 'F32', [2, 3], f32]);
    const i64 = Buffer.alloc(3 * 8);
    [-(2n ** 62n), 0n, 12345678901n].forEach((v, i) => i64.writeBigInt64LE(v, 8 * i));
    tensors.push(['b.i64', 'I64', [3], i64]);
    tensors.push(['c.bf16', 'BF16', [2], Buffer.from([0x80, 0x3f, 0x00, 0xc0])]); // 1.0, -2.0
    tensors.push(['d.f16', 'F16', [2], Buffer.from([0x00, 0x3c, 0x00, 0xbc])]); // 1.0, -1.0
    tensors.push(['e.bool', 'BOOL', [3], Buffer.from([1, 0, 1])]);
    tensors.push(['f.u8', 'U8', [2, 2], Buffer.from([0, 1, 254, 255])]);
    tensors.push(['g.empty', 'F32', [0, 4], Buffer.alloc(0)]);
    const header: Record<string, unknown> = { __metadata__: { who: 'test' } };
    let off = 0;
    for (const [name, dtype, shape, b] of tensors) {
      header[name] = { dtype, shape, data_offsets: [off, off + b.length] };
      off += b.length;
    }
    const hjson = Buffer.from(JSON.stringify(header) + '   ');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(hjson.length));
    const file = join(dir, 'x.safetensors');
    writeFileSync(file, Buffer.concat([len, hjson, ...tensors.map((t) => t[3])]));
    const got = pyJson<Record<string, unknown>>(`
import json, sys, torch
from apieval_trainers import safetensors_io as st
d = st.load_file(sys.argv[1])
st.save_file(d, sys.argv[1] + ".copy", {"who": "test"})
e = st.load_file(sys.argv[1] + ".copy")
assert all(torch.equal(d[k], e[k]) and d[k].dtype == e[k].dtype for k in d)
print(json.dumps({k: {"dtype": str(v.dtype), "shape": list(v.shape), "v": v.float().reshape(-1).tolist() if v.dtype != torch.int64 else [str(x) for x in v.tolist()]} for k, v in d.items()}))`.replaceAll('sys.argv[1]', JSON.stringify(file)));
    expect(got).toEqual({
      'a.f32': { dtype: 'torch.float32', shape: [2, 3], v: [1.5, -2.25, Math.fround(3e-8), 65504, -0, 7] },
      'b.i64': { dtype: 'torch.int64', shape: [3], v: [String(-(2n ** 62n)), '0', '12345678901'] },
      'c.bf16': { dtype: 'torch.bfloat16', shape: [2], v: [1, -2] },
      'd.f16': { dtype: 'torch.float16', shape: [2], v: [1, -1] },
      'e.bool': { dtype: 'torch.bool', shape: [3], v: [1, 0, 1] },
      'f.u8': { dtype: 'torch.uint8', shape: [2, 2], v: [0, 1, 254, 255] },
      'g.empty': { dtype: 'torch.float32', shape: [0, 4], v: [] },
    });
    // The copy the trainers wrote is valid for the independent parser too.
    const copy = parseSafetensors(file + '.copy');
    expect(copy.metadata).toEqual({ who: 'test' });
    expect(Object.keys(copy.header).sort()).toEqual(tensors.map((t) => t[0]).sort());
    for (const [name, dtype, shape, b] of tensors) {
      const e = copy.header[name];
      expect([e.dtype, e.shape]).toEqual([dtype, shape]);
      expect(Buffer.compare(copy.data.subarray(e.data_offsets[0], e.data_offsets[1]), b), name).toBe(0);
      expect(e.data_offsets[1] - e.data_offsets[0]).toBe(shape.reduce((x, y) => x * y, 1) * BYTES[dtype]);
    }
  });

  it('damaged files are named with what is wrong', () => {
    const dir = tempDir('bad');
    const good = readFileSync(join(ckptDir, 'model.safetensors'));
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 100), /truncat|end of|short|size/i],
      ['header-too-long', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]), good.subarray(8)]), /header/i],
      ['not-json', Buffer.concat([good.subarray(0, 8), Buffer.from('{'.repeat(Number(good.readBigUInt64LE(0))))]), /header|JSON/i],
    ];
    for (const [name, bytes, re] of cases) {
      const f = join(dir, `${name}.safetensors`);
      writeFileSync(f, bytes);
      const r = py(['-c', `
import sys
from apieval_trainers import safetensors_io as st
from apieval_trainers.errors import StageError
try:
    st.load_file(sys.argv[1])
except StageError as e:
    print(e); sys.exit(2)
print("loaded")`, f]);
      expect(r.status, `${name}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toContain(f);
      expect(r.stdout, name).toMatch(re);
    }
  });

  it('pytorch_model.bin with the released checkpoints\' keys (no transformer. prefix, attn.bias buffers) loads to the same logits', () => {
    const dir = tempDir('bin');
    const out = pyJson<{ max_diff: number; n: number }>(`
import json, os, torch
from apieval_trainers import checkpoint as ckpt
m = ckpt.random_model("random:tiny", 5).eval()
sd = {k[len("transformer."):] : v for k, v in ckpt.hf_state_dict(m).items()}
for i in range(m.config.n_layer):
    sd[f"h.{i}.attn.bias"] = torch.tril(torch.ones(1024, 1024)).view(1, 1, 1024, 1024)
    sd[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
d = ${JSON.stringify(dir)}
with open(os.path.join(d, "config.json"), "w") as f:
    json.dump(m.config.to_dict(), f)
torch.save(sd, os.path.join(d, "pytorch_model.bin"))
m2 = ckpt.load_model(d).eval()
x = torch.randint(0, 50257, (2, 17), generator=torch.Generator().manual_seed(0))
with torch.no_grad():
    a, b = m(x), m2(x)
a = a[0] if isinstance(a, tuple) else a
b = b[0] if isinstance(b, tuple) else b
print(json.dumps({"max_diff": float((a - b).abs().max()), "n": a.numel()}))`);
    expect(out.n).toBe(2 * 17 * 50257);
    expect(out.max_diff).toBe(0);
  });

  it("GPT-2 small's state dict has transformers' names and shapes (12 layers, 768 wide, 1024 positions)", () => {
    const got = pyJson<Record<string, number[]>>(`
import json
from apieval_trainers import checkpoint as ckpt
from apieval_trainers.model import GPT2Config, GPT2LMHeadModel, SHAPES
m = GPT2LMHeadModel(GPT2Config(**SHAPES["small"]))
print(json.dumps({k: list(v.shape) for k, v in ckpt.hf_state_dict(m).items()}))`);
    expect(got).toEqual(expectedGpt2Keys({ n_layer: 12, n_embd: 768, vocab_size: 50257, n_positions: 1024 }));
  });

  it('gradient checkpointing gives the gradients of the plain backward pass', () => {
    const diff = pyJson<number>(`
import json, torch
from apieval_trainers import checkpoint as ckpt
m = ckpt.random_model("random:tiny", 2, dropout=0.0)
x = torch.randint(0, 50257, (2, 33), generator=torch.Generator().manual_seed(3))
def grads(flag):
    m.zero_grad(set_to_none=True)
    m.gradient_checkpointing = flag
    m.train()
    out = m(x)
    out = out[0] if isinstance(out, tuple) else out
    torch.nn.functional.cross_entropy(out[:, :-1].reshape(-1, out.shape[-1]), x[:, 1:].reshape(-1)).backward()
    return [p.grad.clone() for p in m.parameters()]
a, b = grads(False), grads(True)
print(json.dumps(max(float((u - v).abs().max()) for u, v in zip(a, b))))`);
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  it("GPT-2's released parameter counts: small 124,439,808 and medium 354,823,168", () => {
    const got = pyJson<number[]>(`
import json
from apieval_trainers.model import GPT2Config, GPT2LMHeadModel, SHAPES
print(json.dumps([GPT2LMHeadModel(GPT2Config(**SHAPES[s])).num_params() for s in ("small", "medium")]))`);
    expect(got).toEqual([124_439_808, 354_823_168]);
  });

  it('greedy decoding with the KV cache equals decoding without it; a row alone equals the row in a left-padded batch', () => {
    const out = pyJson<{ cache: number[][]; nocache: number[][]; solo: number[][]; sampled_solo: number[]; sampled_batch: number[] }>(`
import json, torch
from apieval_trainers import checkpoint as ckpt
from apieval_trainers.model import generate
m = ckpt.random_model("random:tiny", 11).eval()
g = torch.Generator().manual_seed(1)
prompts = [torch.randint(0, 50257, (n,), generator=g).tolist() for n in (5, 31, 12, 1)]
kw = dict(max_new_tokens=20, eos_id=-1, pad_id=50256)
cache = generate(m, prompts, **kw)
nocache = generate(m, prompts, use_cache=False, **kw)
solo = [generate(m, [p], **kw)[0] for p in prompts]
gens = lambda: [torch.Generator().manual_seed(100 + i) for i in range(4)]
batch = generate(m, prompts, temperature=0.9, top_p=0.9, top_k=50, generators=gens(), **kw)
one = generate(m, [prompts[2]], temperature=0.9, top_p=0.9, top_k=50, generators=[gens()[2]], **kw)[0]
print(json.dumps({"cache": cache, "nocache": nocache, "solo": solo, "sampled_solo": one, "sampled_batch": batch[2]}))`);
    expect(out.cache.map((r) => r.length)).toEqual([20, 20, 20, 20]);
    expect(out.cache).toEqual(out.nocache);
    expect(out.cache).toEqual(out.solo);
    expect(out.sampled_batch).toEqual(out.sampled_solo);
  });
});

afterAll(removeTempDirs);
