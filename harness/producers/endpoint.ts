/**
 * Where requests go: flags first, then the conventional environment variables (OPENAI_BASE_URL,
 * OPENAI_API_KEY, APIEVAL_MODEL), the same ones the openai SDK and most OpenAI-compatible servers document.
 */
import { UserError } from '../../core/errors.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface Endpoint {
  baseURL: string;
  apiKey: string;
  model: string;
}

export function resolveEndpoint(flags: { baseUrl?: string; apiKey?: string; model?: string }, env: NodeJS.ProcessEnv = process.env, what = 'model'): Endpoint {
  const pick = (a: string | undefined, b: string | undefined): string | undefined => (a && a.trim() !== '' ? a : b && b.trim() !== '' ? b : undefined);
  const baseURL = pick(flags.baseUrl, env.OPENAI_BASE_URL) ?? OPENAI_DEFAULT_BASE_URL;
  try {
    const u = new URL(baseURL);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UserError(`--base-url '${baseURL}': not an http(s) URL (e.g. http://127.0.0.1:8000/v1)`);
  }
  const model = pick(flags.model, env.APIEVAL_MODEL);
  if (!model) throw new UserError(`no ${what} given: pass --model NAME or set APIEVAL_MODEL`);
  let apiKey = pick(flags.apiKey, env.OPENAI_API_KEY);
  if (!apiKey) {
    // Local servers (vLLM, TGI, llama.cpp) usually accept any key; OpenAI itself does not.
    if (new URL(baseURL).hostname === 'api.openai.com') throw new UserError('no API key: pass --api-key or set OPENAI_API_KEY');
    apiKey = 'no-key';
  }
  return { baseURL, apiKey, model };
}
