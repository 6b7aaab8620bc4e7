/**
 * Reading a model response in Gorilla's output format.
 *
 * Three different things are extracted, on purpose kept apart:
 *  - `astApiCall`: the exact substring Gorilla's ast_eval_{hf,tf,th}.py (ShishirPatil/gorilla @ 6ea5797)
 *    parse as the API call, quirks included (raw text, escapes NOT undone). The AST metric must use this.
 *  - `predictionCode`: the program text scored by CodeBLEU/ROUGE/execution, built by the rule the golden
 *    values used (../shared/golden/README.md §3). Gorilla has no code extraction of its own.
 *  - the clean fields (`domain`, `api_call`, …): best-effort readable values for reports and prompts.
 *
 * Response `text` fields hold literal escapes (`\\n`, `\\"`), because the Gorilla generation script
 * JSON-encoded strings twice, and most end with the stray closing `"` of that encoding.
 */
import type { Hub } from './apibench.js';
import { gorillaApiCallSubstring } from '../../metrics/ast-match/api-call.js';

export { gorillaApiCallSubstring };

export interface ExtractedResponse {
  domain?: string;
  api_call?: string;
  api_provider?: string;
  explanation?: string;
  code?: string;
  /** Exact substring ast_eval_*.py takes as the API call. */
  astApiCall: string;
  /**
   * Whether the raw text contains `api_call` at all. ast_eval_th.py scores a response without it as
   * neither correct nor hallucinated; ast_eval_hf/tf.py parse the whole text instead.
   */
  hasApiCallMarker: boolean;
  /** Golden README §3 prediction_code rule. */
  predictionCode: string;
}

// ---------------------------------------------------------------------------------------------------------
// Literal escapes.

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\' };

function hex4(s: string, at: number): number {
  if (at + 4 > s.length) return -1;
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

/**
 * Decodes the literal escapes `\n \t \r \" \' \\ \uXXXX` left to right. A `\uD8xx\uDCxx` pair becomes one
 * astral character; a lone surrogate becomes U+FFFD (so the result is always valid UTF-16 text). Any other
 * backslash is kept as is.
 */
export function decodeLiteralEscapes(s: string): string {
  if (s.indexOf('\\') === -1) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      i++;
      continue;
    }
    const n = s[i + 1];
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (n === 'u') {
      const cu = hex4(s, i + 2);
      if (cu !== -1) {
        if (cu >= 0xd800 && cu <= 0xdbff && s[i + 6] === '\\' && s[i + 7] === 'u') {
          const lo = hex4(s, i + 8);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            out += String.fromCharCode(cu, lo);
            i += 12;
            continue;
          }
        }
        out += cu >= 0xd800 && cu <= 0xdfff ? '\uFFFD' : String.fromCharCode(cu);
        i += 6;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** Drops the single stray trailing `"` left by the double JSON encoding (92% of Gorilla's HF responses). */
export function dropTrailingQuote(s: string): string {
  return s.endsWith('"') ? s.slice(0, -1) : s;
}

/**
 * Golden README §3: the text after `<<<code>>>` (its leading `:` removed; the whole text when there is no
 * marker), without the trailing `"`, with literal escapes decoded.
 */
export function predictionCode(text: string): string {
  const at = text.indexOf('<<<code>>>');
  let code = at === -1 ? text : text.slice(at + '<<<code>>>'.length);
  if (at !== -1 && code.startsWith(':')) code = code.slice(1);
  return decodeLiteralEscapes(dropTrailingQuote(code));
}

// ---------------------------------------------------------------------------------------------------------
// Clean fields.

const SECTION_NAMES = ['domain', 'api_call', 'api_provider', 'explanation', 'code'] as const;
type Section = (typeof SECTION_NAMES)[number];

/** `<<<domain>>>: …` sections (HF uses newlines between them, TF Hub uses ", "). */
function sectionsFromMarkers(text: string): Partial<Record<Section, string>> {
  const re = /<<<(domain|api_call|api_provider|explanation|code)>>>/g;
  const hits: { name: Section; start: number; end: number }[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) hits.push({ name: m[1] as Section, start: m.index, end: m.index + m[0].length });
  const out: Partial<Record<Section, string>> = {};
  hits.forEach((h, k) => {
    if (out[h.name] !== undefined) return; // first occurrence wins
    let v = text.slice(h.end, k + 1 < hits.length ? hits[k + 1].start : text.length);
    v = v.replace(/^:/, '');
    if (h.name !== 'code') {
      v = v.trim().replace(/,$/, '').trim();
    } else {
      v = v.replace(/^[ \t]+/, '').replace(/\s+$/, '');
    }
    out[h.name] = v;
  });
  return out;
}

/**
 * The TorchHub dict-like form `{'domain': 'X', 'api_call': "model = torch.hub.load('a', 'b')", …}`. It is
 * not valid Python (inner quotes are not escaped), so values are cut between known keys instead of parsed.
 */
function sectionsFromDict(text: string): Partial<Record<Section, string>> {
  const re = /(['"])(domain|api_call|api_provider|explanation|code)\1\s*:\s*/g;
  const hits: { name: Section; start: number; end: number }[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) hits.push({ name: m[2] as Section, start: m.index, end: m.index + m[0].length });
  const out: Partial<Record<Section, string>> = {};
  hits.forEach((h, k) => {
    if (out[h.name] !== undefined) return;
    let v = text.slice(h.end, k + 1 < hits.length ? hits[k + 1].start : text.length).trim();
    if (k + 1 === hits.length) v = v.replace(/\}\s*$/, '').trim();
    v = v.replace(/,$/, '').trim();
    if (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v[v.length - 1] === v[0]) v = v.slice(1, -1);
    out[h.name] = v;
  });
  return out;
}

export function extractResponse(text: string, hub: Hub): ExtractedResponse {
  const ast = gorillaApiCallSubstring(text);
  const decoded = decodeLiteralEscapes(dropTrailingQuote(text));
  const hasMarkers = /<<<(domain|api_call|api_provider|explanation|code)>>>/.test(decoded);
  const sections = hasMarkers ? sectionsFromMarkers(decoded) : hub === 'torchhub' || /^\s*\{/.test(decoded) ? sectionsFromDict(decoded) : {};
  return {
    ...sections,
    astApiCall: ast.text,
    hasApiCallMarker: ast.hasMarker,
    predictionCode: predictionCode(text),
  };
}
