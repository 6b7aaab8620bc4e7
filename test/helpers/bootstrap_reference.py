"""
An independent implementation, in Python, of the interval `apieval eval` reports for a mean (e.g. AST
accuracy): B resamples of n indices drawn from xoshiro128** seeded through splitmix32 (Blackman & Vigna's
reference algorithms, written here from their published C, not from apieval's TypeScript), integers in
[0, n) by rejection below the largest multiple of n under 2^32, resample b = draws b*n .. b*n+n-1 of one
stream, and numpy's own np.percentile at 2.5 and 97.5. Reads {"values", "B", "seed"} on stdin.
"""
import json, sys
import numpy as np
M = 0xffffffff
def splitmix32(seed):
    x = seed & M
    while True:
        x = (x + 0x9e3779b9) & M
        z = x
        z = ((z ^ (z >> 16)) * 0x21f0aaad) & M
        z = ((z ^ (z >> 15)) * 0x735a2d97) & M
        yield (z ^ (z >> 15)) & M
def rotl(x, k): return ((x << k) | (x >> (32 - k))) & M
class Xoshiro:
    def __init__(self, seed):
        g = splitmix32(seed); self.s = [next(g) for _ in range(4)]
        if not any(self.s): self.s[0] = 1
    def u32(self):
        s0, s1, s2, s3 = self.s
        r = (rotl((s1 * 5) & M, 7) * 9) & M
        t = (s1 << 9) & M
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]; return r
    def int(self, n):
        limit = 2**32 - (2**32 % n)
        while True:
            r = self.u32()
            if r < limit: return r % n
d = json.load(sys.stdin)
vals = d['values']; n = len(vals); B = d['B']; rng = Xoshiro(d['seed'])
reps = []
for b in range(B):
    s = 0.0
    for i in range(n): s += vals[rng.int(n)]
    reps.append(s / n)
lo, hi = np.percentile(np.array(reps), [2.5, 97.5])
print(json.dumps({'low': float(lo), 'high': float(hi), 'value': sum(vals) / n}))
