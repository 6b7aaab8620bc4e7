"""The reward PPO optimises, pluggable (TRL's PPOTrainer takes only a reward model; TRL #2273, #2451, #3093):

- `{"kind": "rm", "path": DIR}`: a reward model of `apieval train reward`, in process. Its input is built the
  way `apieval reward score` builds it (reward_config.json: tokens(prompt) + tokens(completion), left-truncated
  to max_length, no closing <|endoftext|>), so PPO optimises exactly the logit that command reports.
- `{"kind": "module", "spec": "pkg.mod:function"}`: a Python callable, called as TRL's GRPO reward functions
  are: `function(prompts=[...], completions=[...], question_ids=[...]) -> list[float]` (extra keywords may be
  ignored with **kwargs). The module is imported with the run's working directory on sys.path.
- `{"kind": "http", "url": "http://127.0.0.1:N/score"}`: POST `{"samples": [{"prompt", "completion",
  "question_id"}]}`, answer `{"scores": [float, ...]}` in the same order (`apieval reward serve` speaks it).

Every kind returns one finite float per sample or raises a StageError naming the reward.
"""
from __future__ import annotations

import importlib
import json
import math
import os
import sys
import urllib.error
import urllib.request

import torch

from . import checkpoint as ckpt
from .errors import StageError


def describe(spec: dict) -> str:
    return {"rm": lambda: f"rm:{spec.get('path')}", "module": lambda: f"module:{spec.get('spec')}", "http": lambda: spec.get("url", "http")}.get(
        spec.get("kind"), lambda: str(spec))()


def _check(scores, n: int, where: str) -> list[float]:
    if not isinstance(scores, (list, tuple)) or len(scores) != n:
        got = f"{len(scores)} scores" if isinstance(scores, (list, tuple)) else type(scores).__name__
        raise StageError(f"reward {where}: expected a list of {n} scores, got {got}")
    out = []
    for i, s in enumerate(scores):
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not math.isfinite(float(s)):
            raise StageError(f"reward {where}: score {i} is {json.dumps(s) if not isinstance(s, float) else s}, expected a finite number")
        out.append(float(s))
    return out


class RewardModelScorer:
    def __init__(self, folder: str, device: str, batch_size: int = 16):
        from .reward import collate, encode, load_reward_model
        cfg_path = os.path.join(folder, "reward_config.json")
        if not os.path.isfile(cfg_path):
            raise StageError(f"--reward rm:{folder}: no reward_config.json (a reward model of 'apieval train reward' has one)")
        rcfg = ckpt.read_json(cfg_path)
        self.model = load_reward_model(folder).to(device).eval()
        for m in self.model.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = 0.0
        self.tok = ckpt.load_tokenizer(folder, self.model.config)
        self.max_length = int(rcfg.get("max_length", 512))
        self.pad_id = int(rcfg.get("pad_token_id", self.tok.eos_token_id))
        self.device, self.batch_size = device, batch_size
        self._encode, self._collate = encode, collate

    @torch.no_grad()
    def __call__(self, samples: list[dict]) -> list[float]:
        rows = [self._encode(self.tok, s["prompt"], s["completion"], self.max_length) for s in samples]
        out: list[float] = []
        for i in range(0, len(rows), self.batch_size):
            ids, mask = (t.to(self.device) for t in self._collate(rows[i:i + self.batch_size], self.pad_id))
            out += self.model(ids, mask).float().cpu().tolist()
        return out


class ModuleScorer:
    def __init__(self, spec: str, cwd: str | None):
        mod_name, _, fn_name = spec.partition(":")
        if not mod_name or not fn_name:
            raise StageError(f"--reward module:{spec}: expected module:function (for example my_rewards:score)")
        for p in (cwd or os.getcwd(),):
            if p not in sys.path:
                sys.path.insert(0, p)
        try:
            mod = importlib.import_module(mod_name)
        except Exception as e:  # the user's module may raise anything while importing
            raise StageError(f"--reward module:{spec}: cannot import {mod_name} ({type(e).__name__}: {e})")
        fn = getattr(mod, fn_name, None)
        if not callable(fn):
            raise StageError(f"--reward module:{spec}: {mod_name} has no function {fn_name}")
        self.fn, self.spec = fn, spec

    def __call__(self, samples: list[dict]) -> list[float]:
        try:
            got = self.fn(prompts=[s["prompt"] for s in samples], completions=[s["completion"] for s in samples],
                          question_ids=[s.get("question_id") for s in samples])
        except StageError:
            raise
        except Exception as e:
            raise StageError(f"reward module:{self.spec} raised {type(e).__name__}: {e}")
        if hasattr(got, "tolist"):
            got = got.tolist()
        return _check(list(got) if isinstance(got, tuple) else got, len(samples), f"module:{self.spec}")


class HttpScorer:
    def __init__(self, url: str, timeout_s: float = 120.0):
        if not url.startswith(("http://", "https://")):
            raise StageError(f"--reward {url}: expected rm:DIR, module:function or an http:// URL")
        self.url, self.timeout = url, timeout_s

    def __call__(self, samples: list[dict]) -> list[float]:
        body = json.dumps({"samples": [{"prompt": s["prompt"], "completion": s["completion"], "question_id": s.get("question_id")} for s in samples]}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"content-type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                data = r.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:300].decode("utf-8", "replace").strip().splitlines()
            raise StageError(f"reward {self.url}: HTTP {e.code}{': ' + detail[0] if detail else ''}")
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise StageError(f"reward {self.url}: no answer within {self.timeout:g} s (--reward-timeout) for {len(samples)} samples")
            raise StageError(f"reward {self.url}: cannot reach it ({reason}); is 'apieval reward serve' running?")
        try:
            scores = json.loads(data)["scores"]
        except (ValueError, KeyError, TypeError):
            raise StageError(f"reward {self.url}: the answer is not {{\"scores\": [...]}} JSON ({data[:120]!r})")
        return _check(scores, len(samples), self.url)


def load_reward(spec: dict, device: str, cwd: str | None = None):
    kind = spec.get("kind")
    if kind == "rm":
        return RewardModelScorer(spec["path"], device)
    if kind == "module":
        return ModuleScorer(spec["spec"], cwd)
    if kind == "http":
        return HttpScorer(spec["url"], float(spec.get("timeout_s", 120)))
    raise StageError(f"reward kind '{kind}': expected rm, module or http")
