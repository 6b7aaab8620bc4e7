/**
 * One OpenAI-compatible request with the harness's own retry policy.
 *
 * WHY not the SDK's built-in retries: we must count attempts (the run manifest reports them), honour
 * `retry-after`/`retry-after-ms` beyond the SDK's 60 s cap, treat a malformed 200 body as transient (some
 * servers return truncated JSON under load), and make one whole attempt (headers AND body) subject to the
 * per-request timeout. The SDK is used with maxRetries 0 as the transport and protocol layer.
 */
import OpenAI from 'openai';

export type ApiKind = 'chat' | 'completions';

export interface Choice {
  index: number;
  text: string;
  finish_reason: string | null;
  /** The endpoint's logprobs object, verbatim (chat: {content: [...]}, completions: {tokens, token_logprobs, top_logprobs}). */
  logprobs?: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface CallResult {
  choices: Choice[];
  usage: Usage | null;
  /** The model the server says answered. */
  model: string | null;
}

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff; doubles per attempt (with jitter) up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Whole-attempt timeout. */
  timeoutMs: number;
  /** Longest server-requested wait we accept before giving up on honouring it exactly. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 120_000, maxRetryAfterMs: 600_000 };

export interface CallStats {
  attempts: number;
  retries: number;
  /** Transient failures seen, by kind: 'http_429', 'http_5xx', 'timeout', 'malformed', 'connection'. */
  transient: Record<string, number>;
  /** Every wait before a retry: why, and for how long (server-requested waits are honoured exactly). */
  waits: { kind: string; ms: number; retryAfter: boolean }[];
  /**
   * Shared by every worker of a run: when the server says "retry after T", nobody sends before T (not only
   * the worker that was told), so a rate limit is not hammered by the other lanes.
   */
  pauseUntil: number;
}

export function newStats(): CallStats {
  return { attempts: 0, retries: 0, transient: {}, waits: [], pauseUntil: 0 };
}

/** The request failed for good (non-retryable status, or retries exhausted). */
export class RequestFailed extends Error {
  constructor(message: string, readonly kind: string, readonly status?: number, readonly param?: string) {
    super(message);
    this.name = 'RequestFailed';
  }
}

/** The run was cancelled (Ctrl-C); not a failure of the request. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

class Transient extends Error {
  constructor(message: string, readonly kind: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** `retry-after-ms` (milliseconds) or `retry-after` (seconds, or an HTTP date). */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** Validates the body shape; anything unexpected is a malformed (transient) reply, never a silent empty text. */
export function normaliseBody(api: ApiKind, body: unknown): CallResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Transient('response body is not a JSON object', 'malformed');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.choices) || b.choices.length === 0) throw new Transient("response has no 'choices'", 'malformed');
  const choices: Choice[] = b.choices.map((c: unknown, i: number) => {
    if (c === null || typeof c !== 'object') throw new Transient(`choice ${i} is not an object`, 'malformed');
    const cc = c as Record<string, unknown>;
    let text: unknown;
    if (api === 'chat') {
      const msg = cc.message as Record<string, unknown> | undefined;
      text = msg && typeof msg === 'object' ? (msg.content ?? '') : undefined;
    } else text = cc.text;
    if (typeof text !== 'string') throw new Transient(`choice ${i} has no text`, 'malformed');
    const out: Choice = { index: typeof cc.index === 'number' ? cc.index : i, text, finish_reason: typeof cc.finish_reason === 'string' ? cc.finish_reason : null };
    if (cc.logprobs !== undefined && cc.logprobs !== null) out.logprobs = cc.logprobs;
    return out;
  });
  choices.sort((a, c) => a.index - c.index);
  const u = b.usage as Record<string, unknown> | undefined;
  let usage: Usage | null = null;
  if (u && typeof u === 'object') {
    const p = num(u.prompt_tokens) ?? 0;
    const c = num(u.completion_tokens) ?? 0;
    usage = { prompt_tokens: p, completion_tokens: c, total_tokens: num(u.total_tokens) ?? p + c };
  }
  return { choices, usage, model: typeof b.model === 'string' ? b.model : null };
}

function classify(e: unknown, timedOut: boolean, cancelled: boolean): Transient | RequestFailed | Cancelled {
  if (cancelled) return new Cancelled();
  if (timedOut) return new Transient('request timed out', 'timeout');
  if (e instanceof Transient || e instanceof RequestFailed) return e;
  if (e instanceof OpenAI.APIUserAbortError) return new Transient('request aborted', 'timeout');
  if (e instanceof OpenAI.APIConnectionTimeoutError) return new Transient('request timed out', 'timeout');
  if (e instanceof OpenAI.APIConnectionError) return new Transient(`connection error: ${e.message}`, 'connection');
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    const s = e.status;
    const ra = parseRetryAfter(e.headers as Headers | undefined);
    if (s === 429) return new Transient(`HTTP 429: ${e.message}`, 'http_429', ra);
    if (s >= 500 || s === 408 || s === 409) return new Transient(`HTTP ${s}: ${e.message}`, 'http_5xx', ra);
    return new RequestFailed(`HTTP ${s}: ${e.message}`, `http_${s}`, s, typeof e.param === 'string' ? e.param : undefined);
  }
  // JSON parse errors of a 2xx body and other protocol surprises: retry, the server may recover.
  return new Transient(`malformed response: ${(e as Error)?.message ?? String(e)}`, 'malformed');
}

/**
 * Sends `body` (model and parameters included) to the chat or completions endpoint, retrying transient
 * failures. Throws RequestFailed or Cancelled.
 */
export async function callWithRetry(client: OpenAI, api: ApiKind, body: Record<string, unknown>, policy: RetryPolicy, signal: AbortSignal, stats: CallStats): Promise<CallResult> {
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw new Cancelled();
    const pause = stats.pauseUntil - Date.now();
    // (> 5 ms: a worker that just slept out its own retry-after may wake a millisecond "early" by the clock.)
    if (pause > 5) {
      stats.waits.push({ kind: 'shared_pause', ms: pause, retryAfter: true });
      await sleep(pause, signal);
    }
    stats.attempts++;
    const attemptCtl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptCtl.abort();
    }, policy.timeoutMs);
    const onAbort = (): void => attemptCtl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let err: Transient | RequestFailed | Cancelled;
    try {
      const opts = { signal: attemptCtl.signal, timeout: policy.timeoutMs, maxRetries: 0 };
      const raw: unknown =
        api === 'chat'
          ? await client.chat.completions.create(body as never, opts)
          : await client.completions.create(body as never, opts);
      return normaliseBody(api, raw);
    } catch (e) {
      err = classify(e, timedOut, signal.aborted);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    if (err instanceof Cancelled || err instanceof RequestFailed) throw err;
    stats.transient[err.kind] = (stats.transient[err.kind] ?? 0) + 1;
    if (attempt >= policy.maxRetries) {
      throw new RequestFailed(`${err.message} (gave up after ${attempt + 1} attempts)`, err.kind);
    }
    stats.retries++;
    let delay: number;
    if (err.retryAfterMs !== undefined) {
      delay = Math.min(err.retryAfterMs, policy.maxRetryAfterMs);
      stats.pauseUntil = Math.max(stats.pauseUntil, Date.now() + delay);
    } else {
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      delay = cap / 2 + Math.random() * (cap / 2); // jitter so parallel workers do not retry in lockstep
    }
    stats.waits.push({ kind: err.kind, ms: delay, retryAfter: err.retryAfterMs !== undefined });
    await sleep(delay, signal);
  }
}

/**
 * Whether the endpoint refused `max_tokens` and asks for `max_completion_tokens` instead (OpenAI's o1/o3
 * models: HTTP 400, param "max_tokens", "Use 'max_completion_tokens' instead.").
 */
export function refusesMaxTokens(e: RequestFailed): boolean {
  return e.status === 400 && (e.param === 'max_tokens' || /max_tokens/.test(e.message)) && /max_completion_tokens/.test(e.message);
}

/** The same request with its token limit sent as `max_completion_tokens`. */
export function withMaxCompletionTokens(body: Record<string, unknown>): Record<string, unknown> {
  if (!('max_tokens' in body)) return body;
  const { max_tokens, ...rest } = body;
  return { ...rest, max_completion_tokens: max_tokens };
}

export function makeClient(baseURL: string, apiKey: string): OpenAI {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0 });
}
