/**
 * The `hub` sandbox image (the ml image plus apieval's emulation of the Hub libraries) against the real engine.
 * CI builds it (`sandbox build --profile hub --data-dir ../shared/apibench`) and sets APIEVAL_ML_TESTS=1, as for
 * the ml image it is made from. Checked: what the emulation gives inside a container (a real model call runs;
 * a name the release lacks is an import_error), the input rule's outcome `env_input` (and that a program cannot
 * claim it by raising its own EnvInputError), the exec signature naming the emulated releases, and `eval
 * --profile hub` with its gold gate and executability columns.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, executePrograms } from '../sandbox/execute.js';
import type { ExecResult, Program } from '../sandbox/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';
import { REPO, runCli } from './helpers/cli.js';
import { sharedPath } from './helpers/shared.js';

const RUN_HUB = process.env.APIEVAL_ML_TESTS === '1' && !SKIP_DOCKER;
const tmp = mkdtempSync(join(tmpdir(), 'apieval-hub-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROGRAMS: Record<string, { code: string; check: (r: ExecResult) => void }> = {
  'a reference-style transformers program': {
    code: [
      'from transformers import AutoTokenizer, AutoModelForSequenceClassification',
      "tok = AutoTokenizer.from_pretrained('bert-base-uncased')",
      "model = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased')",
      "logits = model(**tok('I love this', return_tensors='pt')).logits",
      'print(tuple(logits.shape), model.config.id2label[int(logits.argmax(-1))] in model.config.id2label.values())',
    ].join('\n') + '\n',
    check: (r) => {
      expect(r.status, r.stderr).toBe('ok');
      expect(r.stdout).toBe('(1, 2) True\n');
    },
  },
  'a name transformers 4.41.2 does not export': {
    code: 'from transformers import AutoModelForAudioToAudio\n',
    check: (r) => {
      expect(r.status).toBe('import_error');
      expect(r.exception).toMatch(/^ImportError: cannot import name 'AutoModelForAudioToAudio' from 'transformers'/);
    },
  },
  'an unknown model id': {
    code: "from transformers import AutoModel\nAutoModel.from_pretrained('no-such-org/no-such-model')\n",
    check: (r) => {
      expect(r.status).toBe('runtime_error');
      expect(r.exception).toMatch(/^OSError: no-such-org\/no-such-model is not a local folder and is not a valid model identifier/);
    },
  },
  'a URL the task does not provide': {
    code: "import requests\nfrom PIL import Image\nImage.open(requests.get('http://images.cocodataset.org/val2017/000000039769.jpg', stream=True).raw)\n",
    check: (r) => {
      expect(r.status).toBe('env_input');
      expect(r.exception).toMatch(/^apieval_hub\.inputs\.EnvInputError: network access/);
    },
  },
  'a placeholder file': {
    code: "from PIL import Image\nImage.open('path/to/image.jpg')\n",
    check: (r) => expect(r.status).toBe('env_input'),
  },
  "a program's own EnvInputError": {
    code: 'class EnvInputError(Exception):\n    pass\nraise EnvInputError("not the sandbox\'s")\n',
    check: (r) => expect(r.status).toBe('runtime_error'),
  },
};

describe.skipIf(!RUN_HUB)('the hub image against the real engine', () => {
  const results = new Map<string, ExecResult>();

  beforeAll(async () => {
    await requireSandbox('hub');
    const programs: Program[] = Object.entries(PROGRAMS).map(([id, p]) => ({ id, code: p.code }));
    await executePrograms(programs, { profile: 'hub', runId: `hub-${randomBytes(4).toString('hex')}`, timeoutS: 60, memoryMb: 2048, concurrency: 2 }, async (r) => {
      results.set(r.id, r);
    });
  }, 600_000);

  for (const [id, p] of Object.entries(PROGRAMS)) it(id, () => p.check(results.get(id)!));

  it('the exec signature names the emulated releases and the runtime hash', async () => {
    const provider = createProvider({ profile: 'hub' }, 'docker');
    try {
      expect(await provider.signature()).toMatch(/\|env:hub-datasets-2\.20\.0\+diffusers-0\.29\.2\+huggingface_hub-0\.23\.4\+sentence-transformers-3\.0\.1\+transformers-4\.41\.2@[0-9a-f]{12}\|/);
    } finally {
      await provider.dispose();
    }
  });

  it('eval --profile hub: the gold gate runs the references in the emulation, and both rates are reported', () => {
    const out = join(tmp, 'eval');
    const r = runCli(['eval', '--data-dir', sharedPath('apibench'), '--candidate', `ex=${join(REPO, 'fixtures/runs/exec_example.jsonl')}`, '--profile', 'hub', '--out', out, '--timeout-s', '30', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const status = Object.fromEntries(samples.map((s) => [s.question_id, s.metrics.exec.status]));
    // Question 3's candidate loads bert-base-uncased with AutoModel: an import_error in base, a real run here.
    expect(status).toEqual({ 1: 'ok', 2: 'syntax_error', 3: 'ok', 4: 'runtime_error', 5: 'ok' });
    const gold = readFileSync(join(out, 'gold.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.gold.supported).toBe(gold.filter((g: { status: string }) => g.status === 'ok').length);
    // Reference 1 (AutoTokenizer and AutoModel of princeton-nlp/unsup-simcse-roberta-base) runs in the emulation.
    expect(gold.find((g: { question_id: number }) => g.question_id === 1).status).toBe('ok');
    const m = summary.checkpoints[0].runs[0].metrics;
    expect(m.exec.value).toBeCloseTo(3 / 5, 15);
    expect(m.exec_supported.n).toBe(summary.gold.supported);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).signatures.exec).toMatch(/env:hub-/);
  }, 600_000);
});
