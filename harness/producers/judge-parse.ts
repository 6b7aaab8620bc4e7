/**
 * Reading a judge's yes/no answer, robustly: "Yes", "yes.", "**Yes**", "Answer: yes", "The answer is no",
 * {"answer": "yes"}, {"answer": true}, ```json fenced JSON```, "Yes, it does." An answer that says both or
 * neither is unparsed (null), never guessed. With logprobs, P(yes) is read at the first answer token.
 */

export type YesNo = 'yes' | 'no';

function fromWord(w: string): YesNo | null {
  const x = w.toLowerCase();
  if (x === 'yes' || x === 'y' || x === 'true') return 'yes';
  if (x === 'no' || x === 'n' || x === 'false') return 'no';
  return null;
}

function fromJson(text: string): YesNo | null | undefined {
  const body = text.replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '').trim();
  if (!body.startsWith('{') && !body.startsWith('"')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof v === 'string') return fromWord(v.trim().replace(/[.!]$/, ''));
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (!/^(answer|response|verdict|result|label)$/i.test(k)) continue;
      if (typeof x === 'boolean') return x ? 'yes' : 'no';
      if (typeof x === 'string') return parseYesNo(x);
    }
  }
  return null;
}

export function parseYesNo(raw: string): YesNo | null {
  const text = raw.trim();
  const j = fromJson(text);
  if (j !== undefined) return j;
  const plain = text
    .replace(/[*_`#>]/g, ' ')
    .replace(/["'“”‘’]/g, ' ')
    .toLowerCase();
  // "Answer: yes", "Final answer - no", "the answer is yes"
  const m = /\banswer\s*(?:is|:|-|=)?\s*(yes|no)\b/.exec(plain);
  if (m) return m[1] as YesNo;
  const first = /[a-z]+/.exec(plain);
  if (first) {
    const w = first[0] === 'yes' || first[0] === 'no' ? fromWord(first[0]) : null;
    if (w) return w;
  }
  const hasYes = /\byes\b/.test(plain);
  const hasNo = /\bno\b/.test(plain);
  if (hasYes !== hasNo) return hasYes ? 'yes' : 'no';
  return null;
}

function tokenWord(tok: string): YesNo | null {
  const w = tok.replace(/^[\sĠ▁]+/, '').replace(/[^A-Za-z]/g, '').toLowerCase();
  return w === 'yes' ? 'yes' : w === 'no' ? 'no' : null;
}

/**
 * Normalised P(yes) among yes/no alternatives at one position. The APIs list the chosen token among its
 * top alternatives; it is added only when missing, so it is never counted twice. Without alternatives,
 * P(yes) comes from the chosen token alone.
 */
function pAt(chosen: string, chosenLp: number, alts: [string, number][]): number | null {
  if (alts.length === 0) {
    const p = Math.exp(chosenLp);
    return tokenWord(chosen) === 'yes' ? p : 1 - p;
  }
  const all = alts.some(([t]) => t === chosen) ? alts : [[chosen, chosenLp] as [string, number], ...alts];
  let py = 0;
  let pn = 0;
  for (const [t, lp] of all) {
    const w = tokenWord(t);
    if (w === 'yes') py += Math.exp(lp);
    else if (w === 'no') pn += Math.exp(lp);
  }
  if (py + pn === 0) return null;
  return py / (py + pn);
}

/**
 * P(yes) from a choice's logprobs (chat: {content: [{token, logprob, top_logprobs}]}; completions:
 * {tokens, token_logprobs, top_logprobs}), at the first token that reads "yes" or "no". null when the
 * endpoint returned none or no answer token is found.
 */
export function pYesFromLogprobs(logprobs: unknown): number | null {
  if (!logprobs || typeof logprobs !== 'object') return null;
  const lp = logprobs as Record<string, unknown>;
  if (Array.isArray(lp.content)) {
    for (const e of lp.content as { token?: unknown; logprob?: unknown; top_logprobs?: unknown }[]) {
      if (typeof e?.token !== 'string' || typeof e.logprob !== 'number') continue;
      if (!tokenWord(e.token)) continue;
      const alts: [string, number][] = Array.isArray(e.top_logprobs)
        ? (e.top_logprobs as { token?: unknown; logprob?: unknown }[]).filter((a) => typeof a?.token === 'string' && typeof a.logprob === 'number').map((a) => [a.token as string, a.logprob as number])
        : [];
      return pAt(e.token, e.logprob, alts);
    }
    return null;
  }
  if (Array.isArray(lp.tokens) && Array.isArray(lp.token_logprobs)) {
    const toks = lp.tokens as unknown[];
    const lps = lp.token_logprobs as unknown[];
    const tops = Array.isArray(lp.top_logprobs) ? (lp.top_logprobs as unknown[]) : [];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      const l = lps[i];
      if (typeof t !== 'string' || typeof l !== 'number' || !tokenWord(t)) continue;
      const top = tops[i];
      const alts: [string, number][] = top && typeof top === 'object' ? Object.entries(top as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number') : [];
      return pAt(t, l, alts);
    }
  }
  return null;
}
