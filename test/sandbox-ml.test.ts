/**
 * The `ml` sandbox image (Debian's torch, torchvision, torchaudio, numpy, scipy, pandas, PIL, scikit-learn,
 * sentencepiece, soundfile), against the real engine. Its build takes about 12 minutes, so it runs where the
 * image is built on purpose: CI builds it and sets APIEVAL_ML_TESTS=1 (then a missing image fails these tests,
 * never skips them); locally, `apieval sandbox build --profile ml` and set the variable. The torch
 * throughput figures of the README come from `bench/exec.bench.ts`, which CI runs on the same image.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { executePrograms } from '../sandbox/execute.js';
import type { ExecResult, Program } from '../sandbox/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const RUN_ML = process.env.APIEVAL_ML_TESTS === '1' && !SKIP_DOCKER;

const PROGRAMS: Record<string, { code: string; check: (r: ExecResult) => void }> = {
  torch: {
    code: 'import torch\nx = torch.ones(3) * 2\nprint(float(x.sum()), torch.__version__.split(".")[0])\n',
    check: (r) => {
      expect(r.status).toBe('ok');
      expect(r.stdout).toMatch(/^6\.0 \d+\n$/);
    },
  },
  'the scientific stack': {
    code: [
      'import numpy, scipy, pandas, PIL.Image, sklearn.linear_model, torchvision, torchaudio, sentencepiece, soundfile',
      'import numpy as np',
      'm = sklearn.linear_model.LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]))',
      'img = PIL.Image.new("RGB", (4, 4))',
      'df = pandas.DataFrame({"a": [1, 2]})',
      'print(round(float(m.coef_[0]), 6), img.size, int(df.a.sum()), torchvision.transforms.ToTensor()(img).shape[0])',
    ].join('\n') + '\n',
    check: (r) => {
      expect(r.status, r.stderr).toBe('ok');
      expect(r.stdout).toBe('2.0 (4, 4) 3 3\n');
    },
  },
  'a Hub library the image lacks': {
    code: 'from transformers import pipeline\n',
    check: (r) => {
      expect(r.status).toBe('import_error');
      expect(r.exception).toMatch(/^ModuleNotFoundError: No module named 'transformers'/);
    },
  },
  'a tensor past the memory limit': {
    code: 'import torch\nx = torch.empty(1 << 40, dtype=torch.uint8)\nx.fill_(1)\n',
    check: (r) => expect(r.status).toBe('memory_limit'),
  },
  'a torch runtime error': {
    code: 'import torch\ntorch.ones(2, 3) @ torch.ones(2, 3)\n',
    check: (r) => {
      expect(r.status).toBe('runtime_error');
      expect(r.exception).toMatch(/^RuntimeError: mat1 and mat2 shapes cannot be multiplied/);
    },
  },
};

describe.skipIf(!RUN_ML)('the ml image against the real engine', () => {
  const results = new Map<string, ExecResult>();
  const N_TORCH = 40;

  beforeAll(async () => {
    await requireSandbox('ml');
    const programs: Program[] = Object.entries(PROGRAMS).map(([id, p]) => ({ id, code: p.code }));
    for (let i = 0; i < N_TORCH; i++) programs.push({ id: `torch-${i}`, code: `import torch\nprint(int(torch.arange(${i + 1}).sum()))\n` });
    await executePrograms(programs, { profile: 'ml', runId: `ml-${randomBytes(4).toString('hex')}`, timeoutS: 60, memoryMb: 2048, concurrency: 2 }, async (r) => {
      results.set(r.id, r);
    });
  }, 600_000);

  for (const [id, p] of Object.entries(PROGRAMS)) it(id, () => p.check(results.get(id)!));

  it(`${N_TORCH} torch programs in a row on warm containers, each with its own answer`, () => {
    for (let i = 0; i < N_TORCH; i++) {
      const r = results.get(`torch-${i}`)!;
      expect(r.status, r.stderr).toBe('ok');
      expect(r.stdout).toBe(`${((i + 1) * i) / 2}\n`);
    }
  });
});
