"""Batched generation from a checkpoint into Gorilla-style response files, resumable.

Each output line is `{question_id, text, answer_id, model_id, metadata}`. `text` is written the way Gorilla's
released response files are (the completion's backslashes, quotes, newlines, tabs and control characters as
literal escapes, and the closing `"` of that double encoding), so apieval's golden extraction rule (golden
README §3: drop the trailing `"`, decode the escapes) gives back the exact completion;
`metadata.completion` holds it verbatim. Answers are appended to `<file>.partial` batch by batch; a rerun
skips the questions already there, and the finished file is written sorted by question_id.
Row r of a batch samples from its own generator seeded by (seed, question_id), so a sample does not depend on
the batch it fell in, nor on a resume.
"""
from __future__ import annotations

import json
import os
import time

import torch

from . import checkpoint as ckpt
from .errors import StageError
from .io_utils import bf16_ok, emit, pick_device, read_jsonl
from .model import generate as decode


def gorilla_escape(s: str) -> str:
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out) + '"'


def row_seed(seed: int, question_id: int) -> int:
    return (seed * 1_000_003 + question_id) % (2**63 - 1)


def _read_partial(path: str) -> dict[int, str]:
    done: dict[int, str] = {}
    if not os.path.exists(path):
        return done
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.endswith("\n"):
                break  # torn by a kill: recomputed
            try:
                rec = json.loads(line)
            except ValueError:
                break
            done[int(rec["question_id"])] = line
    # rewrite without a torn tail so appends stay line-aligned
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.writelines(done.values())
    os.replace(path + ".tmp", path)
    return done


def run(cfg: dict) -> None:
    device = pick_device(cfg.get("device", "auto"))
    folder = cfg["checkpoint"]
    model = ckpt.load_model(folder)
    tok = ckpt.load_tokenizer(cfg.get("tokenizer") or folder, model.config)
    use_bf16 = cfg.get("bf16", "auto") is True or (cfg.get("bf16", "auto") == "auto" and bf16_ok(device))
    if use_bf16:
        model.to(torch.bfloat16)
    model.to(device).eval()
    prompts = read_jsonl(cfg["prompts"], ("question_id", "prompt"))
    max_new = int(cfg.get("max_new_tokens", 256))
    limit = model.config.n_positions - max_new
    if limit < 1:
        raise StageError(f"--max-new-tokens {max_new}: the model's context is {model.config.n_positions} tokens")
    encoded = []
    for p in prompts:
        ids = tok.encode(p["prompt"])
        encoded.append((int(p["question_id"]), ids[-limit:], len(ids) > limit))
    bs = int(cfg.get("batch_size", 8))
    temperature = float(cfg.get("temperature", 0.0))
    top_p = cfg.get("top_p")
    top_k = cfg.get("top_k")
    model_id = cfg.get("model_id") or os.path.basename(os.path.normpath(folder))
    emit("start", prompts=len(encoded), outputs=len(cfg["outputs"]), device=device, bf16=use_bf16, torch=torch.__version__,
         params=model.num_params())
    for o in cfg["outputs"]:
        seed, path = int(o["seed"]), o["path"]
        if os.path.exists(path):
            emit("output", seed=seed, path=path, already=True)
            continue
        partial = path + ".partial"
        done = _read_partial(partial)
        todo = [e for e in encoded if e[0] not in done]
        emit("seed", seed=seed, done=len(done), todo=len(todo))
        t0, new_tokens = time.time(), 0
        with open(partial, "a", encoding="utf-8") as f:
            for i in range(0, len(todo), bs):
                chunk = todo[i:i + bs]
                gens = [torch.Generator().manual_seed(row_seed(seed, q)) for q, _, _ in chunk]
                outs = decode(model, [ids for _, ids, _ in chunk], max_new_tokens=max_new, eos_id=tok.eos_token_id,
                              pad_id=tok.eos_token_id, temperature=temperature, top_p=top_p, top_k=top_k,
                              generators=gens, device=device)
                for (q, ids, truncated), toks in zip(chunk, outs):
                    text = tok.decode(toks)
                    new_tokens += len(toks)
                    rec = {"question_id": q, "text": gorilla_escape(text), "answer_id": f"{model_id}-s{seed}-q{q}", "model_id": model_id,
                           "metadata": {"completion": text, "seed": seed, "prompt_tokens": len(ids), "completion_tokens": len(toks),
                                        "finish": "length" if len(toks) >= max_new else "eos", "prompt_truncated": truncated}}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
                dt = max(1e-9, time.time() - t0)
                emit("progress", seed=seed, done=len(done) + i + len(chunk), total=len(encoded), tokens_per_s=new_tokens / dt)
        lines = _read_partial(partial)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for q in sorted(lines):
                f.write(lines[q])
        os.replace(tmp, path)
        os.remove(partial)
        emit("output", seed=seed, path=path, n=len(lines), tokens=new_tokens, seconds=time.time() - t0)
    emit("done")
