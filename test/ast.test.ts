import { beforeAll, describe, expect, it } from 'vitest';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { readJsonlAll } from '../core/jsonl.js';
import { loadApiDb, loadEval, loadResponses, responsesPath, type ApiRecord } from '../harness/datasets/apibench.js';
import { AstMatcher, astByDomain, astSignature, astTotals, GorillaScriptError, type AstVerdict } from '../metrics/ast-match/index.js';
import { getAllSubTrees, astParse, stripQuotes } from '../metrics/ast-match/port.js';
import { nodeText, parse, typeName } from '../metrics/tree-sitter/parser.js';
import type { GoldenAstRecord as GoldenRecord } from './helpers/golden-ast.js';

type Scored = AstVerdict & { api_call: string | null; question_id: number };

function scoreFile(matcher: AstMatcher, model: string): Scored[] {
  const ev = loadEval(APIBENCH, 'huggingface');
  return loadResponses(responsesPath(APIBENCH, 'huggingface', model)).map((r) => {
    const q = ev[r.question_id - 1];
    return { question_id: r.question_id, ...matcher.matchResponse(r.text, { domain: q.domain, referenceApiCall: q.api_data.api_call }) };
  });
}

describe('Gorilla AST match reproduces the golden modern-grammar variant record for record', () => {
  let golden: GoldenRecord[] = [];
  let legacy: GoldenRecord[] = [];
  const ours = new Map<string, Scored[]>();
  beforeAll(async () => {
    golden = await readJsonlAll<GoldenRecord>(sharedPath('golden', 'ast_gorilla_modern_grammar_variant.jsonl.gz'));
    legacy = await readJsonlAll<GoldenRecord>(sharedPath('golden', 'ast_gorilla.jsonl.gz'));
    const matcher = new AstMatcher('huggingface', loadApiDb(APIBENCH, 'huggingface'));
    for (const file of new Set(golden.map((g) => g.file))) ours.set(file, scoreFile(matcher, file));
  });

  it('covers every response file in the golden data', () => {
    // 6 visible files; the two *_oracle files are kept back from this folder but pass the same way.
    expect(ours.size).toBeGreaterThanOrEqual(6);
    for (const [file, rs] of ours) expect(rs.length, file).toBe(904);
  });

  it('every field of every record', () => {
    const mismatches: string[] = [];
    for (const g of golden) {
      if (g.type === 'totals') continue;
      const v = ours.get(g.file)![g.line_index];
      const got = {
        question_id: v.question_id,
        api_call: v.api_call,
        database_index: v.database_index,
        correct: v.correct,
        hallucination: v.hallucination,
        matched_api_call: v.matched_api_call ?? null,
        matched_api_name: v.matched_api_name ?? null,
        matched_domain: v.matched_domain ?? null,
        question_domain: v.question_domain,
      };
      const want = {
        question_id: g.question_id,
        api_call: g.api_call,
        database_index: g.database_index,
        correct: g.correct,
        hallucination: g.hallucination,
        matched_api_call: g.matched_api_call,
        matched_api_name: g.matched_api_name,
        matched_domain: g.matched_domain,
        question_domain: g.question_domain,
      };
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        if (got[k] !== want[k]) mismatches.push(`${g.file}#${g.line_index} ${k}: ${JSON.stringify(got[k])?.slice(0, 80)} != ${JSON.stringify(want[k])?.slice(0, 80)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('the totals exactly, divided by the number of responses', () => {
    const totals = golden.filter((g) => g.type === 'totals');
    expect(totals.length).toBe(ours.size);
    for (const t of totals) {
      const vs = ours.get(t.file)!;
      const tt = astTotals(vs);
      expect(tt.n).toBe(t.n_responses);
      expect(vs.filter((v) => v.correct).length).toBe(t.total_correct);
      expect(vs.filter((v) => v.hallucination).length).toBe(t.total_hallucination);
      expect(tt.accuracy).toBe(t.final_functionality_accuracy);
      expect(tt.hallucination).toBe(t.final_hallucination);
    }
    // the headline numbers
    const ft = astTotals(ours.get('Gorilla_FT_0_shot')!);
    expect([ft.accuracy, ft.hallucination]).toEqual([0.6935840707964602, 0.10951327433628319]);
  });

  it('differs from the 2022-grammar reference exactly where the two golden files differ', () => {
    const key = (r: { database_index: number; correct: boolean; hallucination: boolean }) => `${r.database_index}|${r.correct}|${r.hallucination}`;
    const modernByKey = new Map(golden.filter((g) => !g.type).map((g) => [`${g.file}#${g.line_index}`, g]));
    const expectedDiff: string[] = [];
    const ourDiff: string[] = [];
    for (const l of legacy) {
      if (l.type === 'totals') continue;
      const id = `${l.file}#${l.line_index}`;
      const m = modernByKey.get(id);
      if (!m) continue;
      if (key(l) !== key(m)) expectedDiff.push(id);
      if (key(l) !== key(ours.get(l.file)![l.line_index])) ourDiff.push(id);
    }
    expect(ourDiff).toEqual(expectedDiff);
    expect(expectedDiff.length).toBe(26); // the other 16 of the 42 are in the kept-back oracle files
  });
});

// ---------------------------------------------------------------------------------------------------------
// Quirk-by-quirk cases, from the script's logic (expected values follow ast_eval_*.py line by line).

function db(...calls: [string, string?][]): ApiRecord[] {
  return calls.map(([api_call, domain], i) => ({ api_call, domain: domain ?? 'D', api_name: `api${i}` }));
}
const Q = (domain = 'D', referenceApiCall = '') => ({ domain, referenceApiCall });

describe('deep and odd input', () => {
  it('matches through deep nesting (the parser walks iteratively)', () => {
    const m = new AstMatcher('huggingface', db(["f('x')"]));
    expect(m.match('('.repeat(3000) + "f('x')" + ')'.repeat(3000), Q()).database_index).toBe(0);
  });
});

describe('ast_eval_hf.py quirks', () => {
  it('parses like py-tree-sitter: from UTF-8 bytes, byte offsets', () => {
    const t = parse("é = f('ü')");
    expect(t.end[0]).toBe(Buffer.byteLength("é = f('ü')"));
    expect(typeName(t.symbol[0])).toBe('module');
    expect(nodeText(t, t.firstChild[0])).toBe("é = f('ü')");
  });

  it('sub-trees: the root plus every node with children, in stack-pop order', () => {
    const t = astParse('a(1)\nb(2)');
    const st = getAllSubTrees(t);
    expect(st.map((s) => `${typeName(t.symbol[s.node])}:${s.firstChildText}`)).toEqual([
      'module:a(1)',
      'expression_statement:b(2)',
      'call:b',
      'argument_list:(',
      'expression_statement:a(1)',
      'call:a',
      'argument_list:(',
    ]);
    expect(getAllSubTrees(astParse(''))[0].firstChildText).toBeNull();
  });

  it('the first matching database entry wins, even if a later one is the exact call', () => {
    const m = new AstMatcher('huggingface', db(["f('x')"], ["f('x', y=1)"]));
    expect(m.match("f('x', y=1)", Q()).database_index).toBe(0);
  });

  it('entries whose call has no arguments are skipped and can never match', () => {
    const m = new AstMatcher('huggingface', db(['g()'], ['g(1)'], ['h']));
    expect(m.match('g()', Q())).toMatchObject({ database_index: -1, hallucination: true, correct: false });
    expect(m.match('g(1)', Q()).database_index).toBe(1);
    expect(m.match('h', Q()).database_index).toBe(-1);
  });

  it('arguments are substrings after lstrip/rstrip("\'"); keyword arguments use their value only', () => {
    const m = new AstMatcher('huggingface', db(["pipeline('task', model='m/n')"]));
    // 'm/n' is a substring of 'm/n-v2': the script accepts it
    expect(m.match("pipeline('task', model='m/n-v2')", Q()).database_index).toBe(0);
    // the keyword name is not checked, only its value
    expect(m.match("pipeline('task', 'm/n')", Q()).database_index).toBe(0);
    // double quotes in the response are fine: the quotes of the database argument were stripped
    expect(m.match('pipeline("task", model="m/n")', Q()).database_index).toBe(0);
    expect(m.match("pipeline('task', model='other')", Q()).database_index).toBe(-1);
    expect(stripQuotes("''a'b''")).toBe("a'b");
  });

  it('the candidate is the first sub-tree whose first child is the function; none: the LAST sub-tree', () => {
    const m = new AstMatcher('huggingface', db(["h('zzz')"]));
    // an h(...) call exists but without 'zzz': no match although 'zzz' is elsewhere
    expect(m.match("h('a')\ny = 'zzz'", Q()).database_index).toBe(-1);
    // no h(...) at all: the leaked loop variable is the last sub-tree, the string 'zzz', which contains zzz
    expect(m.match("x = ['zzz']", Q()).database_index).toBe(0);
    // ...but when the last sub-tree does not contain it, no match: children are pushed left to right and
    // popped right to left, so the last sub-tree here is k(1)'s argument list
    expect(m.match("x = [k(1), 'zzz']", Q()).database_index).toBe(-1);
    expect(m.match("x = ['zzz', k(1)]", Q()).database_index).toBe(0);
  });

  it('correct = matched and the matched entry has the question domain; hallucination = no match', () => {
    const m = new AstMatcher('huggingface', db(["A.from_pretrained('xx1')", 'Vision'], ["A.from_pretrained('yy2')", 'Text']));
    expect(m.match("m = A.from_pretrained('yy2')", Q('Text'))).toMatchObject({ database_index: 1, correct: true, hallucination: false, matched_domain: 'Text', matched_api_name: 'api1' });
    expect(m.match("A.from_pretrained('yy2')", Q('Vision'))).toMatchObject({ database_index: 1, correct: false, hallucination: false });
    expect(m.match("A.from_pretrained('zz3')", Q('Vision'))).toMatchObject({ database_index: -1, correct: false, hallucination: true });
    // the substring test at work: 'a' occurs in "from_pretrained", so an argument 'a' matches any call
    expect(new AstMatcher('huggingface', db(["A.from_pretrained('a')"])).match("A.from_pretrained('b')", Q()).database_index).toBe(0);
  });

  it('strict: the matched entry must be the reference call of the question', () => {
    const entries = db(["joblib.load('model.joblib')", 'Tabular Classification'], ["joblib.load('model.joblib')", 'Tabular Regression'], ["A.from_pretrained('x')", 'Tabular Regression']);
    const g = new AstMatcher('huggingface', entries, 'gorilla');
    const s = new AstMatcher('huggingface', entries, 'strict');
    const ref = "A.from_pretrained('x')";
    expect(g.match("A.from_pretrained('x')", Q('Tabular Regression', ref)).correct).toBe(true);
    expect(s.match("A.from_pretrained('x')", Q('Tabular Regression', ref)).correct).toBe(true);
    // same domain, different API: gorilla-correct, not strict-correct
    const g2 = new AstMatcher('huggingface', db(["A.from_pretrained('x')"], ["A.from_pretrained('y')"]));
    const s2 = new AstMatcher('huggingface', db(["A.from_pretrained('x')"], ["A.from_pretrained('y')"]), 'strict');
    expect(g2.match("A.from_pretrained('y')", Q('D', "A.from_pretrained('x')")).correct).toBe(true);
    expect(s2.match("A.from_pretrained('y')", Q('D', "A.from_pretrained('x')"))).toMatchObject({ correct: false, hallucination: false, database_index: 1 });
    // first match wins before strict is judged: the classifier entry is matched, wrong domain for both
    expect(g.match("joblib.load('model.joblib')", Q('Tabular Regression', "joblib.load('model.joblib')"))).toMatchObject({ database_index: 0, correct: false });
    expect(s.match("joblib.load('model.joblib')", Q('Tabular Regression', "joblib.load('model.joblib')"))).toMatchObject({ database_index: 0, correct: false });
    expect(s.signature()).toBe('ast|v:gorilla-ast_eval_hf-6ea5797|grammar:tree-sitter-python-0.23.6|variant:strict');
    expect(() => new AstMatcher('huggingface', [], 'lenient' as never)).toThrow(/unknown AST variant/);
  });

  it('raises where the Python script raises', () => {
    // an empty api_call: base_tree.children[0] is an IndexError, but only once the loop reaches it
    const m = new AstMatcher('huggingface', db(["f('q1')"], ['']));
    expect(m.match("f('q1')", Q()).database_index).toBe(0);
    expect(() => m.match("g('zz')", Q())).toThrow(GorillaScriptError);
    expect(() => m.match("g('zz')", Q())).toThrow(/API database entry 1 \(""\): IndexError/);
    // bytes(candidate, 'utf8') raises on a lone surrogate
    expect(() => m.match("f('q1') \uD800", Q())).toThrow(/UnicodeEncodeError/);
    expect(m.match("f('q1') # 😀", Q()).database_index).toBe(0);
  });

  it('substring tests are on decoded text: non-ASCII arguments match themselves only', () => {
    const m = new AstMatcher('huggingface', db(["T.from_pretrained('ünï/model')"]));
    expect(m.match("T.from_pretrained('ünï/model')", Q()).database_index).toBe(0);
    expect(m.match("T.from_pretrained('uni/model')", Q()).database_index).toBe(-1);
  });
});

describe('ast_eval_th.py (TorchHub)', () => {
  const TH = db(["torch.hub.load(repo_or_dir='pytorch/vision', model='resnet18', pretrained=True)"]);
  it('only arguments whose text contains "repo_or_dir" or "model" count, by their value', () => {
    const m = new AstMatcher('torchhub', TH);
    expect(m.match("torch.hub.load('pytorch/vision', 'resnet18', pretrained=False)", Q()).database_index).toBe(0);
    expect(m.match("model = torch.hub.load('pytorch/vision', 'resnet50')", Q()).database_index).toBe(-1);
    expect(m.signature()).toBe('ast|v:gorilla-ast_eval_th-6ea5797|grammar:tree-sitter-python-0.23.6|variant:gorilla');
  });
  it('a positional argument containing "model" contributes children[2] (the closing quote), which matches anything', () => {
    const m = new AstMatcher('torchhub', db(["torch.hub.load('a/model', 'x')"]));
    expect(m.match("torch.hub.load('b', 'y')", Q()).database_index).toBe(0);
    expect(m.match('print(1)', Q()).database_index).toBe(0);
  });
  it('a keyword argument whose value mentions model is used too', () => {
    const m = new AstMatcher('torchhub', db(["torch.hub.load(repo_or_dir='r/x', model='m', source='model_zoo')"]));
    expect(m.match("torch.hub.load('r/x', 'm')", Q()).database_index).toBe(-1);
    expect(m.match("torch.hub.load('r/x', 'm', source='model_zoo')", Q()).database_index).toBe(0);
  });
  it('a response without "api_call" is neither correct nor hallucinated (process_response)', () => {
    const m = new AstMatcher('torchhub', TH);
    expect(m.matchResponse("{'domain': 'x', 'api': \"torch.hub.load('pytorch/vision', 'resnet18')\"}", Q())).toEqual({ api_call: null, database_index: -1, correct: false, hallucination: false, question_domain: 'D' });
    expect(m.matchResponse("{'domain': 'D', 'api_call': \"torch.hub.load('pytorch/vision', 'resnet18')\", 'api_provider': 'PyTorch'}", Q())).toMatchObject({ database_index: 0, correct: true });
  });
  it('HF and TF parse the whole text when there is no "api_call"', () => {
    const hf = new AstMatcher('huggingface', db(["f('x')"]));
    expect(hf.matchResponse("model = f('x')", Q())).toMatchObject({ api_call: "model = f('x')", database_index: 0 });
  });
});

describe('ast_eval_tf.py (TensorFlow Hub)', () => {
  it('positional arguments by text; model= keywords by value; other keywords by their whole text', () => {
    const m = new AstMatcher('tensorflowhub', db(["hub.KerasLayer('https://tfhub.dev/a/1')"], ["hub.KerasLayer(handle='https://tfhub.dev/b/1', trainable=True)"], ["hub.load(model='https://tfhub.dev/c/1')"]));
    expect(m.match("layer = hub.KerasLayer('https://tfhub.dev/a/1', input_shape=[224, 224, 3])", Q()).database_index).toBe(0);
    // handle='…' is not a model= keyword: its whole text, minus outer quotes, must appear
    expect(m.match("hub.KerasLayer('https://tfhub.dev/b/1', trainable=True)", Q()).database_index).toBe(-1);
    expect(m.match("hub.KerasLayer(handle='https://tfhub.dev/b/1', trainable=True)", Q()).database_index).toBe(1);
    expect(m.match("hub.load('https://tfhub.dev/c/1')", Q()).database_index).toBe(2);
    expect(m.signature()).toBe('ast|v:gorilla-ast_eval_tf-6ea5797|grammar:tree-sitter-python-0.23.6|variant:gorilla');
  });
  it('all three hubs load their real API databases without a script error', () => {
    for (const hub of ['huggingface', 'torchhub', 'tensorflowhub'] as const) {
      const m = new AstMatcher(hub, loadApiDb(APIBENCH, hub));
      expect(m.match('nothing(1)', Q()).database_index).toBe(-1);
    }
  });
});

describe('totals and breakdown', () => {
  const v = (correct: boolean, hallucination: boolean, question_domain: string): AstVerdict => ({ database_index: hallucination ? -1 : 0, correct, hallucination, question_domain });
  it('astTotals divides by the number of verdicts; error = the rest', () => {
    expect(astTotals([v(true, false, 'a'), v(false, true, 'a'), v(false, false, 'b')])).toEqual({ n: 3, accuracy: 1 / 3, hallucination: 1 / 3, error: 1 / 3 });
    expect(astTotals([])).toEqual({ n: 0, accuracy: 0, hallucination: 0, error: 0 });
  });
  it('astByDomain groups by the question domain, sorted', () => {
    expect(astByDomain([v(true, false, 'b'), v(false, true, 'a'), v(true, false, 'b')])).toEqual([
      { domain: 'a', n: 1, accuracy: 0, hallucination: 1, error: 0, correct: 0, hallucinated: 1 },
      { domain: 'b', n: 2, accuracy: 1, hallucination: 0, error: 0, correct: 2, hallucinated: 0 },
    ]);
  });
  it('signatures name script, commit, grammar and variant', () => {
    expect(astSignature('huggingface')).toBe('ast|v:gorilla-ast_eval_hf-6ea5797|grammar:tree-sitter-python-0.23.6|variant:gorilla');
  });
});
