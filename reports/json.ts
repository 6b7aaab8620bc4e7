import type { Leaderboard } from './model.js';

/** NaN and ±Infinity are not JSON: they become null, never a silent string. */
export function leaderboardJson(lb: Leaderboard): string {
  return JSON.stringify(lb, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
