// Python renderings of json.loads values. Expected strings were produced by CPython 3.11 (repr, str,
// json.dumps) and are written out here; the whole-file checks compare against hashes Python computed
// over every APIBench record (fixtures/openai/make_bm25_reference.py).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parsePyJson, pyFloatRepr, pyJsonDumps, pyRepr, pyStrRepr } from '../harness/producers/pyvalue.js';
import { readApiDocs, readEvalApiData } from '../harness/producers/apibench-raw.js';
import { HUBS } from '../harness/datasets/apibench.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/openai/bm25_reference.json', import.meta.url), 'utf8'));
const h = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 12);

describe('pyFloatRepr (CPython float.__repr__)', () => {
  const cases: [number, string][] = [
    [72.0, '72.0'], [1e-5, '1e-05'], [1e16, '1e+16'], [1.5e16, '1.5e+16'], [0.1, '0.1'], [-0.0, '-0.0'],
    [1.2345678901234568e20, '1.2345678901234568e+20'], [0.0001, '0.0001'], [123.456, '123.456'], [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'], [9999999999999998.0, '9999999999999998.0'],
    [0.30000000000000004, '0.30000000000000004'], [100.0, '100.0'], [1e15, '1000000000000000.0'],
    [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'], [-2.5, '-2.5'],
  ];
  for (const [x, want] of cases) it(`${want}`, () => expect(pyFloatRepr(x)).toBe(want));
});

describe('pyStrRepr / json.dumps of strings', () => {
  const cases: [string, string, string][] = [
    ["it's", `"it's"`, `"it's"`],
    ['say "hi"', `'say "hi"'`, `"say \\"hi\\""`],
    [`both ' and "`, `'both \\' and "'`, `"both ' and \\""`],
    ['back\\slash', `'back\\\\slash'`, `"back\\\\slash"`],
    ['nl\nt\tr\r', `'nl\\nt\\tr\\r'`, `"nl\\nt\\tr\\r"`],
    ['\x00\x1f\x7f\x80\xa0\xad', `'\\x00\\x1f\\x7f\\x80\\xa0\\xad'`, `"\\u0000\\u001f\\u007f\\u0080\\u00a0\\u00ad"`],
    ['é中😀', `'é中😀'`, `"\\u00e9\\u4e2d\\ud83d\\ude00"`],
    ['\u2028\u200b\ufeff', `'\\u2028\\u200b\\ufeff'`, `"\\u2028\\u200b\\ufeff"`],
    ['\ud800', `'\\ud800'`, `"\\ud800"`],
    [' ', `' '`, `" "`],
  ];
  for (const [s, repr, dumps] of cases) {
    it(JSON.stringify(s), () => {
      expect(pyStrRepr(s)).toBe(repr);
      expect(pyJsonDumps({ t: 'str', v: s })).toBe(dumps);
    });
  }
});

describe('parsePyJson keeps what Python keeps', () => {
  it('key order (integer-like keys too), duplicate keys, int/float', () => {
    const v = parsePyJson('{"b": 1, "10": 2.0, "2": [true, false, null], "a": {"x": 1e5}, "b": "dup"}');
    expect(pyRepr(v)).toBe("{'b': 'dup', '10': 2.0, '2': [True, False, None], 'a': {'x': 100000.0}}");
    expect(pyJsonDumps(v)).toBe('{"b": "dup", "10": 2.0, "2": [true, false, null], "a": {"x": 100000.0}}');
  });
  it('-0 is the int 0, big ints keep their digits', () => {
    expect(pyRepr(parsePyJson('[-0, -0.0, 123456789012345678901234567890]'))).toBe('[0, -0.0, 123456789012345678901234567890]');
  });
  it('rejects malformed JSON with a position', () => {
    expect(() => parsePyJson('{"a": }')).toThrow(/character 6/);
    expect(() => parsePyJson('{"a": 1} x')).toThrow(/extra data/);
  });
});

describe('every APIBench record renders exactly as CPython renders it', () => {
  sharedPath('apibench');
  for (const hub of HUBS) {
    it(hub, () => {
      const r = ref.renderings[hub];
      const docs = readApiDocs(APIBENCH, hub);
      const ev = readEvalApiData(APIBENCH, hub);
      expect(docs.length).toBe(r.n_api);
      expect(ev.length).toBe(r.n_eval);
      expect(h(docs.map((d) => d.docStr).join('\n'))).toBe(r.api_str_sha);
      expect(h(ev.map((e) => e.apiDataStr).join('\n'))).toBe(r.eval_api_data_str_sha);
      expect(h(ev.map((e) => e.apiDataJson).join('\n'))).toBe(r.eval_api_data_json_sha);
    });
  }
});
