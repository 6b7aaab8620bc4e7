import { beforeAll, describe, expect, it } from 'vitest';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { readJsonlAll } from '../core/jsonl.js';
import { loadEval, loadResponses, responsesPath, GORILLA_MODELS } from '../harness/datasets/apibench.js';
import { decodeLiteralEscapes, dropTrailingQuote, extractResponse, gorillaApiCallSubstring, predictionCode } from '../harness/datasets/extract.js';
import { scriptApiCall } from '../metrics/ast-match/index.js';

interface PairRecord {
  id: string;
  reference: string;
  prediction: string;
  raw_response: string;
  question_id: number;
  model_file: string;
}

describe('extraction against every golden Gorilla pair (golden README §3)', () => {
  let pairs: PairRecord[] = [];
  beforeAll(async () => {
    const all = await readJsonlAll<PairRecord>(sharedPath('golden', 'codebleu_pairs.jsonl.gz'));
    pairs = all.filter((p) => p.id.startsWith('hf_code/') || p.id.startsWith('hf_api/'));
  });

  it('predictionCode(raw_response) is the prediction of every hf_code pair', () => {
    const code = pairs.filter((p) => p.id.startsWith('hf_code/'));
    expect(code.length).toBeGreaterThanOrEqual(5310);
    const wrong = code.filter((p) => predictionCode(p.raw_response) !== p.prediction).map((p) => p.id);
    expect(wrong).toEqual([]);
  });

  it('the API-call substring of ast_eval_hf.py is the prediction of every hf_api pair', () => {
    const api = pairs.filter((p) => p.id.startsWith('hf_api/'));
    expect(api.length).toBeGreaterThanOrEqual(5424);
    const wrong = api.filter((p) => extractResponse(p.raw_response, 'huggingface').astApiCall !== p.prediction).map((p) => p.id);
    expect(wrong).toEqual([]);
  });

  it('eval referenceCode and api_call are the golden references', () => {
    const ev = loadEval(APIBENCH, 'huggingface');
    for (const p of pairs) {
      const ref = p.id.startsWith('hf_code/') ? ev[p.question_id - 1].referenceCode : ev[p.question_id - 1].api_call;
      expect(ref, p.id).toBe(p.reference);
    }
  });

  it('raw_response is the untouched response text of the shipped response files', () => {
    const byId = new Map(pairs.map((p) => [p.id, p]));
    for (const model of GORILLA_MODELS) {
      for (const r of loadResponses(responsesPath(APIBENCH, 'huggingface', model))) {
        const p = byId.get(`hf_api/${model}/${r.question_id}`);
        if (p) expect(p.raw_response).toBe(r.text);
      }
    }
  });
});

describe('gorillaApiCallSubstring: the script slice, quirks included', () => {
  it('takes [index(":")+2 : rindex(")")+1] of the text between api_call and api_provider', () => {
    expect(gorillaApiCallSubstring("<<<api_call>>>: f('a')\\n<<<api_provider>>>: X").text).toBe("f('a')");
    // the first ':' after "api_call" is the one of the marker; +2 also drops the space
    expect(gorillaApiCallSubstring('api_call: g(x)) trailing api_provider').text).toBe('g(x))');
  });
  it('with no ":" the first two characters go; with no ")" the last character goes', () => {
    // (expected values computed with CPython 3.11 on the script's lines)
    expect(gorillaApiCallSubstring('api_call abcdef api_provider').text).toBe('bcdef'); // ' abcdef '[2:-1]
    expect(gorillaApiCallSubstring('api_call: xyz').text).toBe('xy'); // ': xyz'[2:-1]
    expect(gorillaApiCallSubstring('api_call:').text).toBe('');
  });
  it('uses the whole text when there is no api_call, and the FIRST api_call section otherwise', () => {
    expect(gorillaApiCallSubstring('just prose (no marker)')).toEqual({ text: 'just prose (no marker)', hasMarker: false });
    expect(gorillaApiCallSubstring('api_call: a() api_call: b()').text).toBe('a()');
  });
  it('slices by code points like Python, not UTF-16 units', () => {
    // '😀' is one Python character but two JS units: start+2 must skip ':' and the whole emoji.
    expect(gorillaApiCallSubstring('api_call:😀f(1) api_provider').text).toBe('f(1)');
    expect(gorillaApiCallSubstring('api_call: 😀(1) api_provider').text).toBe('😀(1)');
  });
  it('torchhub: no api_call means no call at all (process_response returns False, False)', () => {
    expect(scriptApiCall("{'domain': 'x', 'api': 'y'}", 'torchhub')).toBeNull();
    expect(scriptApiCall("{'domain': 'x', 'api': 'y'}", 'tensorflowhub')).toBe("{'domain': 'x', 'api': 'y'}");
  });
});

describe('escapes and the stray quote', () => {
  it('decodes \\n \\t \\r \\" \\\' \\\\ and \\uXXXX left to right, keeping unknown escapes', () => {
    expect(decodeLiteralEscapes('a\\nb\\tc\\rd\\"e\\\'f\\\\g')).toBe('a\nb\tc\rd"e\'f\\g');
    expect(decodeLiteralEscapes('\\\\n')).toBe('\\n'); // an escaped backslash followed by n
    expect(decodeLiteralEscapes('\\x41 \\q \\u00e9 \\u12')).toBe('\\x41 \\q é \\u12');
    expect(decodeLiteralEscapes('\\u0000')).toBe('\u0000');
    expect(decodeLiteralEscapes('end\\')).toBe('end\\');
  });
  it('joins surrogate pairs and replaces lone surrogates with U+FFFD', () => {
    expect(decodeLiteralEscapes('\\ud83d\\ude00')).toBe('😀');
    expect(decodeLiteralEscapes('\\ud83d x')).toBe('\uFFFD x');
    expect(decodeLiteralEscapes('\\ude00')).toBe('\uFFFD');
    expect(decodeLiteralEscapes('\\ud83d\\u0041')).toBe('\uFFFDA');
  });
  it('drops exactly one trailing quote', () => {
    expect(dropTrailingQuote('x""')).toBe('x"');
    expect(dropTrailingQuote('x')).toBe('x');
  });
  it('predictionCode: text after the first <<<code>>>, one leading colon removed', () => {
    expect(predictionCode('<<<code>>>:: a\\nb"')).toBe(': a\nb');
    expect(predictionCode('no marker: x\\n"')).toBe('no marker: x\n');
    expect(predictionCode('<<<code>>>')).toBe('');
  });
});

describe('clean fields', () => {
  it('HF sections separated by newlines', () => {
    const [r] = loadResponses(responsesPath(APIBENCH, 'huggingface', 'Gorilla_FT_0_shot')).filter((x) => x.question_id === 2);
    const e = extractResponse(r.text, 'huggingface');
    expect(e.domain).toBe('Natural Language Processing Feature Extraction');
    expect(e.api_call).toBe("AutoModel.from_pretrained('dmis-lab/biobert-v1.1')");
    expect(e.api_provider).toBe('Hugging Face Transformers');
    expect(e.explanation).toMatch(/^1\. Import the required libraries/);
    expect(e.code).toBeUndefined();
    expect(e.hasApiCallMarker).toBe(true);
  });
  it('TF Hub sections separated by ", "', () => {
    const [r] = loadResponses(responsesPath(APIBENCH, 'tensorflowhub', 'Gorilla_FT_0_shot'));
    const e = extractResponse(r.text, 'tensorflowhub');
    expect(e.domain).toBe('Image feature vector');
    expect(e.api_call).toBe("hub.KerasLayer('https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/4', input_shape=[224, 224, 3])");
    expect(e.api_provider).toBe('TensorFlow Hub');
    expect(e.code).toBe(
      "import tensorflow as tf\nimport tensorflow_hub as hub\nmodel = tf.keras.Sequential([hub.KerasLayer('https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/4', input_shape=[224, 224, 3])])",
    );
    expect(e.astApiCall).toBe("hub.KerasLayer('https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/4', input_shape=[224, 224, 3])");
  });
  it('TorchHub dict-like form (not valid Python: inner quotes are not escaped)', () => {
    const [r] = loadResponses(responsesPath(APIBENCH, 'torchhub', 'Gorilla_FT_0_shot'));
    const e = extractResponse(r.text, 'torchhub');
    expect(e.domain).toBe('Video Classification');
    expect(e.api_call).toBe("model = torch.hub.load('facebookresearch/pytorchvideo', 'slow_r50', pretrained=True)");
    expect(e.api_provider).toBe('PyTorch');
    expect(e.code).toBe("import torch\nmodel = torch.hub.load('facebookresearch/pytorchvideo', 'slow_r50', pretrained=True)");
    // The script's slice keeps the escaped quotes of the raw text: it parses what it gets.
    expect(e.astApiCall).toBe("\\\"model = torch.hub.load('facebookresearch/pytorchvideo', 'slow_r50', pretrained=True)");
  });
});
