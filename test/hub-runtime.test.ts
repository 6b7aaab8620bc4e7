/**
 * The hub profile's emulation (sandbox/hub/runtime) against the facts of the pinned releases, run by the Debian
 * python3 with torch (no container): every public name of the surface imports and no other does; pipeline()
 * accepts exactly 4.41.2's tasks, aliases and translation_XX_to_YY with check_task's errors; from_pretrained
 * accepts only known ids and otherwise raises the Hub's OSError; calls bind to the release's signatures;
 * missing backends' names are the library's dummies; and the input rule turns network access, missing
 * input files and stdin into EnvInputError.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO } from './helpers/cli.js';

const PYTHON = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'apieval-hub-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ids = join(tmp, 'ids.txt');
writeFileSync(ids, 'bert-base-uncased\nfacebook/bart-large-mnli\nsentence-transformers/all-MiniLM-L6-v2\nrunwayml/stable-diffusion-v1-5\n');

interface Outcome { ok: boolean; type?: string; module?: string; message?: string; value?: string | null }

function probe(snippets: string[]): Outcome[] {
  const r = spawnSync(PYTHON, [resolve(REPO, 'test/helpers/hub_probe.py')], {
    input: JSON.stringify(snippets),
    encoding: 'utf8',
    cwd: tmp,
    env: { ...process.env, PYTHONPATH: resolve(REPO, 'sandbox/hub/runtime'), APIEVAL_HUB_MODEL_IDS: ids },
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(r.status, `${PYTHON} with torch is needed: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as Outcome[];
}

const surface = (lib: string): { modules: Record<string, string[]>; pipeline?: { tasks: Record<string, string>; aliases: Record<string, string> } } =>
  JSON.parse(readFileSync(resolve(REPO, `sandbox/hub/surfaces/${lib}.json`), 'utf8'));

describe('hub runtime: transformers 4.41.2', () => {
  it('every top-level name of the surface imports; names the release does not export fail as Python fails', () => {
    const names = surface('transformers-4.41.2').modules.transformers;
    expect(names.length).toBe(2852);
    const [all, ...bad] = probe([
      `import transformers\nmissing = [n for n in ${JSON.stringify(names)} if not hasattr(transformers, n)]\nassert not missing, missing[:5]\nresult = transformers.__version__`,
      'from transformers import AutoModelForAudioToAudio', // used by a reference; no release has it
      'from transformers import XClipModel', // the real class is XCLIPModel
      'import transformers\ntransformers.BertModelX',
      'import transformers.models.bert.no_such_module',
      'from transformers.models.bert import BertModel, BertTokenizerFast, TFBertModel\nresult = BertModel.__name__',
    ]);
    expect(all).toEqual({ ok: true, value: "'4.41.2'" });
    expect(bad[0]).toMatchObject({ ok: false, type: 'ImportError', message: expect.stringMatching(/^cannot import name 'AutoModelForAudioToAudio' from 'transformers'/) });
    expect(bad[1]).toMatchObject({ ok: false, type: 'ImportError' });
    expect(bad[2]).toMatchObject({ ok: false, type: 'AttributeError', message: "module 'transformers' has no attribute 'BertModelX'" });
    expect(bad[3]).toMatchObject({ ok: false, type: 'ModuleNotFoundError' });
    expect(bad[4]).toEqual({ ok: true, value: "'BertModel'" });
  });

  it("pipeline(): the release's tasks and aliases, translation_XX_to_YY, and check_task's KeyErrors", () => {
    const t = surface('transformers-4.41.2').pipeline!;
    const tasks = [...Object.keys(t.tasks), ...Object.keys(t.aliases)];
    expect(tasks).toContain('conversational'); // removed in 4.42
    expect(tasks).not.toContain('image-text-to-text'); // added in 4.45
    const out = probe([
      `from transformers import pipeline\nfor task in ${JSON.stringify(tasks)} + ['translation_en_to_fr']:\n    pipeline(task, model='bert-base-uncased')\nresult = len(${JSON.stringify(tasks)})`,
      "from transformers import pipeline\npipeline('sentiment-analysys', model='bert-base-uncased')",
      "from transformers import pipeline\npipeline('translation_en_fr', model='bert-base-uncased')",
      "from transformers import pipeline\nresult = pipeline('sentiment-analysis', model='bert-base-uncased')('great')",
      "from transformers import pipeline\nresult = pipeline('zero-shot-classification', model='facebook/bart-large-mnli')('text', candidate_labels=['a', 'b'])",
    ]);
    expect(out[0]).toEqual({ ok: true, value: String(tasks.length) });
    const available = [...tasks].sort();
    expect(out[1]).toMatchObject({ ok: false, type: 'KeyError', message: `"Unknown task sentiment-analysys, available tasks are ${pyList([...available, 'translation_XX_to_YY'])}"` });
    expect(out[2]).toMatchObject({ ok: false, type: 'KeyError', message: `"Invalid translation task translation_en_fr, use 'translation_XX_to_YY' format"` });
    expect(out[3].value).toMatch(/^\[\{'label': 'LABEL_\d', 'score': [\d.]+\}\]$/);
    // The NLI model's labels are the family's published ones.
    expect(out[4].value).toMatch(/^\{'sequence': 'text', 'labels': \['a', 'b'\], 'scores': \[[\d., ]+\]\}$/);
  });

  it("from_pretrained: known ids load real torch modules with the head's output fields; unknown ids raise the Hub's OSError", () => {
    const out = probe([
      [
        'import torch',
        'from transformers import AutoTokenizer, AutoModel, AutoModelForQuestionAnswering, AutoModelForSequenceClassification',
        "tok = AutoTokenizer.from_pretrained('bert-base-uncased')",
        "enc = tok(['a b c', 'd e'], padding=True, return_tensors='pt')",
        "base = AutoModel.from_pretrained('bert-base-uncased')(**enc)",
        "qa = AutoModelForQuestionAnswering.from_pretrained('bert-base-uncased')(**enc)",
        "nli = AutoModelForSequenceClassification.from_pretrained('facebook/bart-large-mnli')",
        'result = (type(enc).__name__, tuple(enc.input_ids.shape), tuple(base.last_hidden_state.shape), tuple(qa.start_logits.shape), isinstance(AutoModel.from_pretrained("bert-base-uncased"), torch.nn.Module), nli.config.id2label)',
      ].join('\n'),
      "from transformers import AutoModel\nAutoModel.from_pretrained('no-such-org/no-such-model')",
      "from transformers import TFAutoModel\nTFAutoModel.from_pretrained('bert-base-uncased')",
    ]);
    expect(out[0]).toEqual({ ok: true, value: "('BatchEncoding', (2, 5), (2, 5, 768), (2, 5), True, {0: 'contradiction', 1: 'neutral', 2: 'entailment'})" });
    expect(out[1]).toMatchObject({ ok: false, type: 'OSError', message: expect.stringMatching(/^no-such-org\/no-such-model is not a local folder and is not a valid model identifier listed on 'https:\/\/huggingface.co\/models'\nIf this is a private repository/) });
    expect(out[2]).toMatchObject({ ok: false, type: 'ImportError', message: expect.stringMatching(/^TFAutoModel requires the TensorFlow library but it was not found in your environment/) });
  });
});

describe('hub runtime: diffusers, sentence-transformers, huggingface_hub, datasets', () => {
  it("calls bind to the release's signatures; unknown attributes fail; values have the documented types", () => {
    const out = probe([
      "from sentence_transformers import SentenceTransformer, util\nm = SentenceTransformer('all-MiniLM-L6-v2')\ne = m.encode(['a', 'b'])\nresult = (type(e).__name__, e.shape, tuple(util.cos_sim(e, e).shape))",
      "from sentence_transformers import SentenceTransformer\nSentenceTransformer('all-MiniLM-L6-v2').encode(['a'], batchsize=2)",
      "from sentence_transformers import SentenceTransformer\nSentenceTransformer('all-MiniLM-L6-v2').encode_sentences(['a'])",
      "from diffusers import StableDiffusionPipeline, DPMSolverMultistepScheduler\np = StableDiffusionPipeline.from_pretrained('runwayml/stable-diffusion-v1-5')\np.scheduler = DPMSolverMultistepScheduler.from_config(p.scheduler.config)\nresult = p('a cat', num_inference_steps=2).images[0].size",
      'from diffusers import StableDiffusionPipelineXL',
      "from huggingface_hub import hf_hub_url\nresult = hf_hub_url('org/repo', 'model.bin')",
    ]);
    expect(out[0]).toEqual({ ok: true, value: "('ndarray', (2, 384), (2, 2))" });
    expect(out[1]).toMatchObject({ ok: false, type: 'TypeError', message: "SentenceTransformer.encode() got an unexpected keyword argument 'batchsize'" });
    expect(out[2]).toMatchObject({ ok: false, type: 'AttributeError' });
    expect(out[3]).toEqual({ ok: true, value: '(512, 512)' });
    expect(out[4]).toMatchObject({ ok: false, type: 'ImportError' });
    expect(out[5]).toEqual({ ok: true, value: "'https://huggingface.co/org/repo/resolve/main/model.bin'" });
  });
});

describe('hub runtime: the input rule', () => {
  it('network access, missing input files and stdin are EnvInputError; existing and written files are not', () => {
    writeFileSync(join(tmp, 'present.txt'), 'x');
    const out = probe([
      "import requests\nrequests.get('https://example.com/cat.jpg', stream=True)",
      "import requests\nrequests.get('your_image_url_here')", // a placeholder URL: no scheme, still a network input
      "import socket\nsocket.create_connection(('127.0.0.1', 9))",
      "from huggingface_hub import hf_hub_download\nhf_hub_download(repo_id='org/repo', filename='model.joblib')",
      "from datasets import load_dataset\nload_dataset('imdb')",
      "from PIL import Image\nImage.open('image.jpg')",
      "open('/path/to/audio.wav', 'rb')",
      "input('your question: ')",
      "open('present.txt').read()\nopen('new.txt', 'w').write('y')\nresult = open('new.txt').read()",
      "open('/usr/no/such/file')",
    ]);
    for (const o of out.slice(0, 8)) expect(o).toMatchObject({ ok: false, type: 'EnvInputError', module: 'apieval_hub.inputs' });
    expect(out[8]).toEqual({ ok: true, value: "'y'" });
    expect(out[9]).toMatchObject({ ok: false, type: 'FileNotFoundError' }); // a system path is not a task input
  });
});

/** Python's repr of a list of strings. */
function pyList(xs: string[]): string {
  return `[${xs.map((x) => `'${x}'`).join(', ')}]`;
}
