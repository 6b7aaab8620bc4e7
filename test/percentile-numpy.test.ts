/**
 * The project's one percentile (metrics/stats/percentile.ts: the ROUGE bootstrap's "mid" and the eval's
 * interval ends) against numpy itself, bit for bit: Debian's python3-numpy (1.24, what CI installs) computes
 * np.percentile of the same seeded arrays. Before the two percentile modules were merged, the eval's copy
 * computed (n − 1)·q/100 instead of numpy's (n − 1)·(q/100) and differed in the last bits 18% of the time.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { percentile, percentileLinear } from '../metrics/stats/percentile.js';
import { MT19937 } from '../metrics/random/mt19937.js';

const PYTHON = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';
const QS = [0, 0.5, 2.5, 5, 25, 50, 75, 95, 97.5, 99.5, 100, 33.3, 66.7];

describe('percentile = np.percentile (linear), bit for bit', () => {
  it('on 60 seeded arrays of 1 to 5,000 values at 13 q', () => {
    const rng = new MT19937(7);
    const arrays: number[][] = [];
    for (const n of [1, 2, 3, 10, 99, 100, 999, 1000, 1001, 5000]) {
      for (let k = 0; k < 6; k++) arrays.push(Array.from({ length: n }, () => (rng.randintOne(0, 1 << 30) / (1 << 30)) * (k % 2 ? 1 : 1e-3) - (k === 4 ? 0.5 : 0)));
    }
    const py = spawnSync(PYTHON, ['-c', 'import json, sys, numpy as np\nd = json.load(sys.stdin)\nprint(json.dumps([[float(v) for v in np.percentile(np.array(a, dtype=np.float64), d["qs"])] for a in d["arrays"]]))'], {
      input: JSON.stringify({ arrays, qs: QS }),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(py.status, `${PYTHON} with numpy is needed (apt-get install python3-numpy): ${py.stderr}`).toBe(0);
    const want = JSON.parse(py.stdout) as number[][];
    const wrong: string[] = [];
    arrays.forEach((a, i) => {
      const got = percentileLinear(a, QS);
      QS.forEach((q, j) => {
        if (!Object.is(got[j], want[i][j])) wrong.push(`n=${a.length} q=${q}: ${got[j]} vs numpy ${want[i][j]}`);
        if (!Object.is(percentile(a, q), want[i][j])) wrong.push(`percentile n=${a.length} q=${q}`);
      });
    });
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});
