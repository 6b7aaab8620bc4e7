// apieval feedback's pieces: yes/no parsing, P(yes) from logprobs, agreement/kappa, the rubric file, and
// runFeedback against the local OpenAI-compatible server (failures injected; reruns from the cache).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYesNo, pYesFromLogprobs } from '../harness/producers/judge-parse.js';
import { agreement } from '../harness/producers/agreement.js';
import { fillTemplate, loadRubric } from '../harness/producers/rubric.js';
import { readOutcomes, runFeedback, samplesFromPairs, samplesFromResponses, type FeedbackOptions, type Sample } from '../harness/producers/feedback.js';
import { loadQuestions } from '../harness/datasets/apibench.js';
import { extractResponse } from '../harness/datasets/extract.js';
import { APIBENCH } from './helpers/shared.js';
import { DEFAULT_RETRY } from '../harness/producers/openai-call.js';
import { judgeAnswer, startFakeOpenAI, type FakeOpenAI } from './helpers/openai-server.js';

describe('parseYesNo', () => {
  const cases: [string, 'yes' | 'no' | null][] = [
    ['Yes', 'yes'], ['yes.', 'yes'], ['**Yes**', 'yes'], ['Answer: yes', 'yes'], ['{"answer": "yes"}', 'yes'],
    ['No', 'no'], ['no.', 'no'], ['**No**', 'no'], ['Answer: no', 'no'], ['{"answer": "no"}', 'no'],
    ['Yes, it does.', 'yes'], ['No, it does not.', 'no'], ['  YES\n', 'yes'], ['"No"', 'no'],
    ['```json\n{"answer": true}\n```', 'yes'], ['{"Answer": false}', 'no'], ['The answer is no.', 'no'],
    ['Final answer - yes', 'yes'], ['I think yes', 'yes'], ['Definitely not', null], ['', null],
    ['Yes and no', 'yes'], // first word decides
    ['There is no syntax error, so yes.', null], // both words, neither first: refuse to guess
    ['{"verdict": "No."}', 'no'], ['{"foo": 1}', null],
  ];
  for (const [text, want] of cases) it(JSON.stringify(text), () => expect(parseYesNo(text)).toBe(want));
});

describe('pYesFromLogprobs', () => {
  it('chat: normalises yes/no mass at the first answer token', () => {
    const lp = { content: [
      { token: 'Answer', logprob: -0.1, top_logprobs: [] },
      { token: ':', logprob: -0.1, top_logprobs: [] },
      { token: ' yes', logprob: Math.log(0.6), top_logprobs: [{ token: ' yes', logprob: Math.log(0.6) }, { token: ' Yes', logprob: Math.log(0.1) }, { token: ' no', logprob: Math.log(0.2) }, { token: 'maybe', logprob: Math.log(0.1) }] },
    ] };
    expect(pYesFromLogprobs(lp)).toBeCloseTo(0.7 / 0.9, 12);
  });
  it('completions format, and the chosen token alone when there are no alternatives', () => {
    expect(pYesFromLogprobs({ tokens: ['**', 'No', '**'], token_logprobs: [-0.1, Math.log(0.8), -0.1], top_logprobs: [{}, { No: Math.log(0.8), Yes: Math.log(0.15) }, {}] })).toBeCloseTo(0.15 / 0.95, 12);
    expect(pYesFromLogprobs({ content: [{ token: 'No', logprob: Math.log(0.9), top_logprobs: [] }] })).toBeCloseTo(0.1, 12);
    expect(pYesFromLogprobs({ content: [{ token: 'Yes', logprob: Math.log(0.9) }] })).toBeCloseTo(0.9, 12);
    expect(pYesFromLogprobs({ content: [{ token: 'Maybe', logprob: -1 }] })).toBeNull();
    expect(pYesFromLogprobs(null)).toBeNull();
  });
});

describe('agreement', () => {
  it('confusion counts, accuracy, Cohen\'s kappa (hand-computed)', () => {
    const pairs: [boolean, boolean][] = [
      ...Array(20).fill([true, true]), ...Array(5).fill([true, false]), ...Array(10).fill([false, true]), ...Array(15).fill([false, false]),
    ];
    // po = 35/50 = 0.7; pe = (25*30 + 25*20)/2500 = 0.5; kappa = 0.4
    const a = agreement(pairs);
    expect(a).toMatchObject({ n: 50, tp: 20, fp: 5, fn: 10, tn: 15 });
    expect(a.accuracy).toBeCloseTo(0.7, 15);
    expect(a.cohen_kappa).toBeCloseTo(0.4, 15);
    expect(a.precision).toBeCloseTo(0.8, 15);
    expect(a.recall).toBeCloseTo(20 / 30, 15);
  });
  it('kappa is undefined (null) when both raters are constant and agree; empty input is all null', () => {
    expect(agreement([[true, true], [true, true]]).cohen_kappa).toBeNull();
    expect(agreement([[true, false], [true, false]]).cohen_kappa).toBe(0);
    expect(agreement([]).accuracy).toBeNull();
  });
});

let dir: string;
let server: FakeOpenAI | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-fb-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('rubric file', () => {
  it('the default rubric has the 8 questions of the issue', () => {
    const r = loadRubric();
    expect(r.questions.map((q) => q.id)).toEqual(['imports', 'syntax', 'defined_variables', 'api_exists', 'api_fits_task', 'api_arguments', 'complete', 'logically_correct']);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('bad rubrics are one-line errors', () => {
    const f = join(dir, 'r.json');
    writeFileSync(f, '{"template": "no placeholders", "questions": [{"id": "a", "text": "?"}]}');
    expect(() => loadRubric(f)).toThrow(/must contain \{completion\}/);
    writeFileSync(f, '{"template": "{completion} {question}", "questions": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}');
    expect(() => loadRubric(f)).toThrow(/id 'a' is repeated/);
    writeFileSync(f, '{"template": ');
    expect(() => loadRubric(f)).toThrow(/not valid JSON/);
  });
  it('fills placeholders in one pass (a completion containing {question} stays literal)', () => {
    expect(fillTemplate('{instruction}|{completion}|{question}', { instruction: 'I', completion: 'C {question}', question: 'Q' })).toBe('I|C {question}|Q');
  });
});

function samples(k: number): Sample[] {
  return Array.from({ length: k }, (_, i) => ({ id: String(i + 1), question_id: i + 1, instruction: `Task ${i + 1}: classify text`, completion: `from transformers import pipeline\nclf = pipeline('text-classification', model='m${i}')` }));
}

function fopts(url: string, over: Partial<FeedbackOptions> = {}): FeedbackOptions {
  return {
    samples: samples(6),
    rubric: loadRubric(),
    threshold: 6,
    api: 'chat',
    baseURL: url,
    apiKey: 'k',
    model: 'judge',
    temperature: 0,
    maxTokens: 16,
    seed: 0,
    logprobs: 2,
    concurrency: 4,
    retry: { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 }, // generous: a loaded machine must not add retries
    cacheDir: join(dir, 'cache'),
    out: join(dir, 'fb.jsonl'),
    statsOut: join(dir, 'fb.stats.json'),
    signal: new AbortController().signal,
    log: () => {},
    ...over,
  };
}

describe('runFeedback', () => {
  it('labels every sample despite failures, with S, P(yes) and labels the judge implies; reruns cost nothing', async () => {
    server = await startFakeOpenAI({ faults: { 3: { kind: '429', retryAfterMs: '10' }, 9: { kind: '500' }, 17: { kind: 'hang' }, 30: { kind: 'malformed' } } });
    const o = fopts(server.url);
    const { stats, labelled } = await runFeedback(o);
    expect(stats.complete).toBe(true);
    expect(stats.counts).toMatchObject({ requests_needed: 48, requests: 48, retries: 4, failed: 0 });
    expect(server.stats.requests).toBe(52);
    // Recompute what the judge said from the server's own deterministic rule, independently of the parser.
    const rubric = o.rubric;
    for (const l of labelled) {
      let yes = 0;
      for (const q of rubric.questions) {
        const user = fillTemplate(rubric.template, { instruction: l.prompt, completion: l.completion, question: q.text });
        const j = judgeAnswer(`system: ${rubric.system}\nuser: ${user}`);
        expect(l.answers[q.id].answer).toBe(j.yes ? 'yes' : 'no');
        expect(l.answers[q.id].raw).toBe(j.text);
        expect(l.answers[q.id].p_yes).toBeCloseTo(j.yes ? j.p : 1 - j.p, 12);
        if (j.yes) yes++;
      }
      expect(l.score).toBe(yes);
      expect(l.label).toBe(yes >= 6 ? 1 : 0);
      expect(Object.keys(l.answers)).toEqual(rubric.questions.map((q) => q.id));
    }
    expect(stats.accepted + stats.rejected).toBe(6);
    expect(Object.values(stats.score_histogram).reduce((a, b) => a + b, 0)).toBe(6);
    const fileText = readFileSync(o.out, 'utf8');
    expect(fileText.trim().split('\n')).toHaveLength(6);

    // Rerun: all 48 judge answers from the cache, the same file.
    const again = await runFeedback(o);
    expect(server.stats.requests).toBe(52);
    expect(again.stats.counts).toMatchObject({ cache_hits: 48, requests: 0 });
    expect(readFileSync(o.out, 'utf8')).toBe(fileText);
  });

  it('agreement with AST and exec outcomes joins on question_id', async () => {
    server = await startFakeOpenAI();
    const ast = join(dir, 'ast.jsonl');
    const exec = join(dir, 'exec.jsonl');
    writeFileSync(ast, [1, 2, 3, 4, 5, 6].map((q) => JSON.stringify({ question_id: q, correct: q % 2 === 0, hallucination: false })).join('\n') + '\n');
    writeFileSync(exec, [1, 2, 3, 4, 5].map((q) => JSON.stringify({ id: String(q), status: q <= 3 ? 'ok' : 'import_error' })).join('\n') + '\n');
    const { stats, labelled } = await runFeedback(fopts(server.url, { ast: readOutcomes(ast, 'ast'), exec: readOutcomes(exec, 'exec') }));
    const expected = (ref: (q: number) => boolean | undefined) => {
      const pairs: [boolean, boolean][] = [];
      for (const l of labelled) {
        const r = ref(l.question_id!);
        if (r !== undefined) pairs.push([l.label === 1, r]);
      }
      return agreement(pairs);
    };
    expect(stats.agreement.ast).toEqual({ ...expected((q) => q % 2 === 0), unmatched: 0 });
    expect(stats.agreement.exec).toEqual({ ...expected((q) => (q <= 5 ? q <= 3 : undefined)), unmatched: 1 });
    expect(stats.agreement.exec!.n).toBe(5);
  });

  it('a permanent failure leaves the set incomplete (.partial) and is reported; the rerun finishes it', async () => {
    server = await startFakeOpenAI({ faults: { 5: { kind: '400' } } });
    const o = fopts(server.url, { concurrency: 1 });
    const first = await runFeedback(o);
    expect(first.stats.complete).toBe(false);
    expect(first.stats.failures).toHaveLength(1);
    expect(first.stats.labelled).toBe(5);
    expect(existsSync(o.out)).toBe(false);
    expect(readFileSync(o.out + '.partial', 'utf8').trim().split('\n')).toHaveLength(5);
    const second = await runFeedback(o);
    expect(second.stats.complete).toBe(true);
    expect(second.stats.counts).toMatchObject({ cache_hits: 47, requests: 1 });
    expect(existsSync(o.out + '.partial')).toBe(false);
  });

  it('input errors name the file and line', () => {
    const p = join(dir, 'pairs.jsonl');
    writeFileSync(p, '{"instruction": "a", "completion": "b"}\n{"instruction": "a"}\n');
    expect(() => samplesFromPairs(p)).toThrow(/pairs\.jsonl:2: expected a string 'completion'/);
    const a = join(dir, 'ast.jsonl');
    writeFileSync(a, '{"question_id": 1, "correct": "yes"}\n');
    expect(() => readOutcomes(a, 'ast')).toThrow(/ast\.jsonl:1: expected a boolean 'correct'/);
  });

  it('--completion code gives the judge the program, with Gorilla\'s literal escapes decoded', () => {
    const f = join(APIBENCH, 'responses', 'huggingface', 'response_huggingface_Gorilla_FT_0_shot.jsonl');
    const qs = new Map(loadQuestions(APIBENCH, 'huggingface').map((q) => [q.question_id, q.text]));
    const text = samplesFromResponses(f, qs, 'q', 'text', 'huggingface');
    const code = samplesFromResponses(f, qs, 'q', 'code', 'huggingface');
    expect(text).toHaveLength(904);
    expect(text[0].completion).toContain('\\n');
    expect(code[0].completion).toBe(extractResponse(text[0].completion, 'huggingface').predictionCode);
    expect(code[0].completion.startsWith(' from sentence_transformers import SentenceTransformer\nfrom scipy')).toBe(true);
  });
});
