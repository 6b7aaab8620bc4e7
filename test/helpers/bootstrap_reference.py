"""
An independent computation, with numpy alone, of the interval `apieval eval` reports for a mean (e.g. AST
accuracy): the resample indices are numpy's own legacy generator, np.random.RandomState(seed).randint(0, n,
size=(B, n)) (row b = resample b), and the bounds numpy's own np.percentile at 2.5 and 97.5. This is the
recipe the README gives users. Reads {"values", "B", "seed"} on stdin.
"""
import json, sys
import numpy as np
d = json.load(sys.stdin)
vals = np.array(d['values'], dtype=np.float64); n = len(vals); B = d['B']
idx = np.random.RandomState(d['seed']).randint(0, n, size=(B, n))
# Each replicate summed left to right, as a Python float sum (np.mean's pairwise summation would round differently).
reps = np.array([sum(vals[row].tolist()) / n for row in idx])
lo, hi = np.percentile(reps, [2.5, 97.5])
print(json.dumps({'low': float(lo), 'high': float(hi), 'value': float(sum(vals.tolist()) / n)}))
