"""Reward model: a GPT-2 backbone (initialised from the SFT checkpoint) with a scalar head read at the last
token, trained pointwise with binary cross-entropy on `apieval feedback` labels (the paper's "acceptable or
not" classifier; TRL's RewardTrainer only takes pairs).

The checkpoint is transformers' GPT2ForSequenceClassification with num_labels = 1: `transformer.*` plus
`score.weight` [1, n_embd] (no bias), pad_token_id = <|endoftext|>. Inputs are prompt + completion tokens
without a closing <|endoftext|> (so transformers, which reads the token before the first pad id, reads the
same position), right-padded; a sequence longer than max_length keeps its end (the score is read there).
`reward.onnx` beside it maps (input_ids, attention_mask) int64 [B, T] to logits float32 [B].

Pairwise (`objective: pairwise`): Bradley-Terry on preference pairs, loss -logsigmoid(r_chosen - r_rejected)
averaged over the pairs of a step (TRL's RewardTrainer without margin or centring); held-out metrics: that loss,
pairwise accuracy (r_chosen > r_rejected), mean margin. The chosen and rejected answers of a micro-batch go
through the model in one forward pass.

Class balancing weighs each class by N / (2 n_class). Targets: the 0/1 label, or a soft target (the
yes-fraction of the rubric, or P(yes)). Held-out metrics: BCE, accuracy at logit 0, AUC (Mann-Whitney, ties
1/2), expected calibration error over 10 equal-width bins. Resume after kill -9 as in SFT (weights, AdamW,
scheduler, RNG, step); one process.
"""
from __future__ import annotations


import json
import math
import os
import random
import shutil
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint as ckpt
from .errors import StageError
from .io_utils import bf16_autocast, emit, pick_device, read_jsonl
from .model import GPT2Config, GPT2LMHeadModel, load_state_dict_hf
from .sft import _truncate_metrics, already_finished, fingerprint_of, resume_checkpoint, lr_factor, optimizer_step

DEFAULTS = {
    "epochs": 1, "max_steps": None, "lr": 1e-5, "warmup_steps": None, "warmup_ratio": 0.03, "weight_decay": 0.0,
    "batch_size": 8, "grad_accum": 1, "max_length": 512, "max_grad_norm": 1.0, "seed": 0, "device": "auto",
    "bf16": "auto", "eval_every": 50, "save_every": 100, "save_total_limit": 2, "dropout": None, "class_balance": True,
    "target": "label", "threads": None, "objective": "pointwise",
}
TRAINING_KEYS = ["sft", "data", "epochs", "max_steps", "lr", "warmup_steps", "warmup_ratio", "weight_decay", "batch_size", "grad_accum",
                 "max_length", "max_grad_norm", "seed", "dropout", "class_balance", "target"]


class GPT2RewardModel(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.lm = GPT2LMHeadModel(cfg)
        self.config = cfg
        self.score = nn.Linear(cfg.n_embd, 1, bias=False)

    def forward(self, input_ids, attention_mask):
        """Logits [B] at each row's last real token (right padding)."""
        hidden = self.lm(input_ids, attention_mask=attention_mask, return_hidden=True)
        last = attention_mask.long().sum(-1) - 1
        h = hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
        return self.score(h).squeeze(-1)

    def values(self, input_ids, attention_mask):
        """The head at every position [B, T] (PPO's value model: transformers' GPT2ForSequenceClassification
        logits before the last-token pick, as TRL's get_reward reads them)."""
        return self.score(self.lm(input_ids, attention_mask=attention_mask, return_hidden=True)).squeeze(-1)

    # checkpoint.save_checkpoint reads these two
    def hf_state_dict(self) -> dict:
        sd = ckpt.hf_state_dict(self.lm)
        sd["score.weight"] = self.score.weight.detach().cpu().contiguous()
        return sd

    def hf_config_dict(self) -> dict:
        d = self.config.to_dict()
        d.update(architectures=["GPT2ForSequenceClassification"], num_labels=1, id2label={"0": "LABEL_0"}, label2id={"LABEL_0": 0},
                 pad_token_id=self.config.eos_token_id, problem_type="single_label_classification")
        return d

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def load_reward_model(folder: str) -> GPT2RewardModel:
    cfg = ckpt.load_config(folder)
    sd, src = ckpt.load_weights(folder)
    if "score.weight" not in sd:
        raise StageError(f"{src}: not a reward model (no score.weight; train one with 'apieval train reward')")
    model = GPT2RewardModel(cfg)
    score = sd.pop("score.weight")
    if tuple(score.shape) != (1, cfg.n_embd):
        raise StageError(f"{src}: score.weight has shape {tuple(score.shape)}, expected (1, {cfg.n_embd}) (num_labels 1)")
    load_state_dict_hf(model.lm, sd, src)
    with torch.no_grad():
        model.score.weight.copy_(score.float())
    return model


def reward_config(max_length: int, pad_id: int) -> dict:
    """How a scorer must build the model's input (read by apieval's ONNX scorer)."""
    return {"max_length": max_length, "pad_token_id": pad_id, "append_eos": False, "truncation": "left", "padding": "right",
            "input": "tokens(prompt) + tokens(completion)", "onnx": "reward.onnx", "onnx_inputs": ["input_ids", "attention_mask"], "onnx_output": "logits"}


def encode(tok, prompt: str, completion: str, max_length: int) -> list[int]:
    return (tok.encode(prompt) + tok.encode(completion))[-max_length:]


def collate(rows: list[list[int]], pad_id: int):
    T = max(len(r) for r in rows)
    ids = torch.full((len(rows), T), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def target_of(rec: dict, kind: str, where: str) -> float:
    if kind == "label":
        return float(rec["label"])
    if kind == "score":
        n = len(rec.get("answers") or []) or rec.get("rubric_size")
        if not isinstance(rec.get("score"), (int, float)) or not n:
            raise StageError(f"{where}: --target score needs 'score' and 'answers' (apieval feedback output)")
        return float(rec["score"]) / float(n)
    if kind == "p_yes":
        v = rec.get("p_yes_mean")
        if not isinstance(v, (int, float)):
            raise StageError(f"{where}: --target p_yes needs 'p_yes_mean' (run apieval feedback with --logprobs)")
        return float(v)
    raise StageError(f"target '{kind}': expected label, score or p_yes")


def auc(scores: list[float], labels: list[int]) -> float | None:
    pos = [s for s, y in zip(scores, labels) if y == 1]
    neg = [s for s, y in zip(scores, labels) if y == 0]
    if not pos or not neg:
        return None
    # Mann-Whitney U through ranks (average ranks for ties).
    allv = sorted((s, i) for i, s in enumerate(scores))
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1][0] == allv[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[allv[k][1]] = (i + j) / 2 + 1
        i = j + 1
    rpos = sum(r for r, y in zip(ranks, labels) if y == 1)
    return (rpos - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def ece(probs: list[float], labels: list[int], bins: int = 10) -> float:
    total, n = 0.0, len(probs)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, p in enumerate(probs) if (lo <= p < hi) or (b == bins - 1 and p == 1.0)]
        if idx:
            conf = sum(probs[i] for i in idx) / len(idx)
            acc = sum(labels[i] for i in idx) / len(idx)
            total += len(idx) / n * abs(conf - acc)
    return total


@torch.no_grad()
def evaluate(model, rows, labels, batch_size, pad_id, device) -> dict:
    was = model.training
    model.eval()
    logits: list[float] = []
    for i in range(0, len(rows), batch_size):
        ids, mask = (t.to(device) for t in collate(rows[i:i + batch_size], pad_id))
        logits += model(ids, mask).float().cpu().tolist()
    model.train(was)
    probs = [1 / (1 + math.exp(-z)) for z in logits]
    bce = F.binary_cross_entropy_with_logits(torch.tensor(logits), torch.tensor(labels, dtype=torch.float32)).item()
    return {"heldout_loss": bce, "accuracy": sum((z > 0) == (y == 1) for z, y in zip(logits, labels)) / len(labels),
            "auc": auc(logits, labels), "ece": ece(probs, labels), "mean_p_pos": _mean([p for p, y in zip(probs, labels) if y == 1]),
            "mean_p_neg": _mean([p for p, y in zip(probs, labels) if y == 0]), "n": len(labels)}


@torch.no_grad()
def evaluate_pairs(model, chosen, rejected, batch_size, pad_id, device) -> dict:
    was = model.training
    model.eval()
    zc: list[float] = []
    zr: list[float] = []
    for i in range(0, len(chosen), batch_size):
        for rows, acc in ((chosen, zc), (rejected, zr)):
            ids, mask = (t.to(device) for t in collate(rows[i:i + batch_size], pad_id))
            acc += model(ids, mask).float().cpu().tolist()
    model.train(was)
    d = torch.tensor(zc, dtype=torch.float64) - torch.tensor(zr, dtype=torch.float64)
    return {"heldout_loss": float(-F.logsigmoid(d).mean()), "accuracy": float((d > 0).double().mean()), "mean_margin": float(d.mean()), "n": len(zc)}


def _mean(xs):
    return sum(xs) / len(xs) if xs else None


def export_onnx(model: GPT2RewardModel, path: str, opset: int = 14) -> None:
    """(input_ids, attention_mask) int64 [batch, seq] -> logits float32 [batch], dynamic batch and length."""
    m = GPT2RewardModel(model.config)
    m.load_state_dict({k: v.detach().float().cpu() for k, v in model.state_dict().items()})
    m.eval()
    ids = torch.tensor([[464, 2068, 7586, 21831], [464, 2068, 50256, 50256]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.long)
    tmp = path + ".tmp"
    import warnings
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shape checks and advanced indexing (no negative indices here)
        torch.onnx.export(m, (ids, mask), tmp, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}},
                          opset_version=opset, do_constant_folding=True)
    os.replace(tmp, path)


def run(cfg_in: dict) -> None:
    cfg = {**DEFAULTS, **cfg_in}
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise StageError("the reward stage runs in one process (--nproc 1)")
    out = cfg["out"]
    device = pick_device(cfg["device"])
    if device == "cpu":
        torch.set_num_threads(max(1, int(cfg.get("threads") or os.cpu_count() or 1)))
    use_bf16, autocast = bf16_autocast(cfg["bf16"], device)

    sft = cfg["sft"]
    cfg_model = ckpt.load_config(sft)
    tok_dir = cfg.get("tokenizer") or sft
    tok = ckpt.load_tokenizer(tok_dir, cfg_model)
    model = GPT2RewardModel(cfg_model)
    sd, src = ckpt.load_weights(sft)
    sd.pop("score.weight", None)
    load_state_dict_hf(model.lm, sd, src)
    torch.manual_seed(int(cfg["seed"]))
    random.seed(int(cfg["seed"]))
    with torch.no_grad():  # transformers' init of a new head: normal(0, initializer_range)
        model.score.weight.copy_(torch.randn(model.score.weight.shape, generator=torch.Generator().manual_seed(int(cfg["seed"]))) * cfg_model.initializer_range)
    if cfg["dropout"] is not None:
        for m in model.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = cfg["dropout"]
    pad_id = tok.eos_token_id
    max_length = min(int(cfg["max_length"]), cfg_model.n_positions)

    def load(path):
        recs = read_jsonl(path, ("prompt", "completion", "label"))
        rows, labels, targets = [], [], []
        for i, r in enumerate(recs, 1):
            where = f"{path}:{i}"
            if r["label"] not in (0, 1):
                raise StageError(f"{where}: 'label' must be 0 or 1")
            rows.append(encode(tok, r["prompt"], r["completion"], max_length))
            labels.append(int(r["label"]))
            targets.append(target_of(r, cfg["target"], where))
        return rows, labels, targets

    def load_pairs(path):
        recs = read_jsonl(path, ("prompt", "chosen", "rejected"))
        return [encode(tok, r["prompt"], r["chosen"], max_length) for r in recs], [encode(tok, r["prompt"], r["rejected"], max_length) for r in recs]

    pairwise = cfg["objective"] == "pairwise"
    if pairwise:
        train_rows, train_rejected = load_pairs(cfg["data"]["train"])
        val_rows, val_rejected = load_pairs(cfg["data"]["heldout"]) if cfg["data"].get("heldout") else ([], [])
        train_labels, val_labels = [1] * len(train_rows), []
        n_pos, n_neg, w_pos, w_neg = len(train_rows), 0, 1.0, 1.0
    else:
        train_rows, train_labels, train_targets = load(cfg["data"]["train"])
        val_rows, val_labels, _ = load(cfg["data"]["heldout"]) if cfg["data"].get("heldout") else ([], [], [])
        n_pos = sum(train_labels)
        n_neg = len(train_labels) - n_pos
        if n_pos == 0 or n_neg == 0:
            raise StageError(f"{cfg['data']['train']}: every label is {train_labels[0] if train_labels else '?'}; a reward model needs both classes")
        w_pos = len(train_labels) / (2 * n_pos) if cfg["class_balance"] else 1.0
        w_neg = len(train_labels) / (2 * n_neg) if cfg["class_balance"] else 1.0

    def heldout():
        if pairwise:
            return evaluate_pairs(model, val_rows, val_rejected, B, pad_id, device)
        return evaluate(model, val_rows, val_labels, B, pad_id, device)
    B, A = int(cfg["batch_size"]), int(cfg["grad_accum"])
    G = B * A
    steps_per_epoch = len(train_rows) // G
    if steps_per_epoch == 0:
        raise StageError(f"{cfg['data']['train']}: {len(train_rows)} examples, fewer than one batch ({B} x {A})")
    total_steps = int(cfg["max_steps"]) if cfg["max_steps"] else steps_per_epoch * int(cfg["epochs"])
    warmup = int(cfg["warmup_steps"]) if cfg["warmup_steps"] is not None else int(math.ceil(cfg["warmup_ratio"] * total_steps))

    model.to(device).train()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg["lr"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, warmup, total_steps, 0.0))
    # The objective joins the fingerprint only when pairwise, so pointwise runs of earlier versions still resume.
    fp = fingerprint_of(cfg, TRAINING_KEYS + (["objective"] if pairwise else []))
    final_dir = os.path.join(out, "final")
    if already_finished(out, fp):
        return
    step = 0
    found = resume_checkpoint(out, fp)
    if found:
        cstep, cdir, state = found
        resumed = load_reward_model(cdir)
        model.load_state_dict(resumed.state_dict())
        opt.load_state_dict(torch.load(os.path.join(cdir, "optimizer.pt"), map_location=device))
        sched.load_state_dict(torch.load(os.path.join(cdir, "scheduler.pt")))
        rng = torch.load(os.path.join(cdir, "rng_rank0.pt"))
        torch.set_rng_state(rng["cpu"])
        if rng.get("cuda") is not None and device.startswith("cuda"):
            torch.cuda.set_rng_state(rng["cuda"], device)
        random.setstate(rng["python"])
        step = cstep
        _truncate_metrics(os.path.join(out, "metrics.jsonl"), step)
        emit("resume", step=step, checkpoint=cdir)

    os.makedirs(out, exist_ok=True)
    metrics_path = os.path.join(out, "metrics.jsonl")
    emit("start", examples=len(train_rows), heldout=len(val_rows), objective=cfg["objective"], positives=n_pos, negatives=n_neg, steps=total_steps, global_batch=G,
         warmup=warmup, params=model.num_params(), device=device, bf16=use_bf16, world_size=1, torch=torch.__version__, resumed_from=step)

    def log(rec):
        with open(metrics_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        emit(rec["kind"], **{k: v for k, v in rec.items() if k != "kind"})

    if step == 0 and val_rows:
        log({"kind": "eval", "step": 0, **heldout()})
    t_last, tokens_since = time.time(), 0
    while step < total_steps:
        epoch = step // steps_per_epoch
        order = torch.randperm(len(train_rows), generator=torch.Generator().manual_seed(int(cfg["seed"]) + epoch)).tolist()
        g = step % steps_per_epoch
        idx = order[g * G:(g + 1) * G]
        weight_sum = sum(w_pos if train_labels[i] == 1 else w_neg for i in idx)
        loss_total, correct = 0.0, 0
        for a in range(A):
            mi = idx[a * B:(a + 1) * B]
            if pairwise:
                ids, mask = (t.to(device) for t in collate([train_rows[i] for i in mi] + [train_rejected[i] for i in mi], pad_id))
                tokens_since += int(mask.sum())
                with autocast():
                    z = model(ids, mask).float()
                d = z[: len(mi)] - z[len(mi):]
                loss = -F.logsigmoid(d).sum() / len(idx)
                loss.backward()
                loss_total += float(loss.detach())
                correct += int((d.detach() > 0).sum())
                continue
            ids, mask = (t.to(device) for t in collate([train_rows[i] for i in mi], pad_id))
            tokens_since += int(mask.sum())
            y = torch.tensor([train_targets[i] for i in mi], dtype=torch.float32, device=device)
            w = torch.tensor([w_pos if train_labels[i] == 1 else w_neg for i in mi], dtype=torch.float32, device=device)
            with autocast():
                z = model(ids, mask).float()
            loss = (F.binary_cross_entropy_with_logits(z, y, reduction="none") * w).sum() / weight_sum
            loss.backward()
            loss_total += float(loss.detach())
            correct += int(((z.detach() > 0).long().cpu() == torch.tensor([train_labels[i] for i in mi])).sum())
        grad_norm, lr = optimizer_step(model, opt, sched, cfg["max_grad_norm"])
        step += 1
        now = time.time()
        dt = max(1e-9, now - t_last)
        log({"kind": "step", "step": step, "epoch": epoch + (g + 1) / steps_per_epoch, "loss": loss_total, "accuracy": correct / len(idx), "lr": lr,
             "grad_norm": grad_norm, "tokens_per_s": tokens_since / dt, "interval_s": dt})
        t_last, tokens_since = now, 0
        if val_rows and (step % int(cfg["eval_every"]) == 0 or step == total_steps):
            log({"kind": "eval", "step": step, **heldout()})
        if step % int(cfg["save_every"]) == 0 and step < total_steps:
            _save_state(out, step, model, opt, sched, tok_dir, fp, int(cfg["save_total_limit"]))
            emit("checkpoint", step=step)

    ckpt.save_checkpoint(model, final_dir, tok_dir, extra_files={"trainer_state.json": {"step": step, "fingerprint": fp, "stage": "reward"},
                                                                 "reward_config.json": reward_config(max_length, pad_id)},
                         after_write=lambda tmp: export_onnx(model, os.path.join(tmp, "reward.onnx")))
    emit("done", step=step, final=final_dir)


def _save_state(out, step, model, opt, sched, tok_dir, fp, keep):
    root = os.path.join(out, "checkpoints")
    os.makedirs(root, exist_ok=True)
    rng = {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() and next(model.parameters()).is_cuda else None,
           "python": random.getstate()}
    ckpt.save_checkpoint(model, os.path.join(root, f"step-{step:07d}"), tok_dir, extra_files={
        "optimizer.pt": opt.state_dict(), "scheduler.pt": sched.state_dict(), "rng_rank0.pt": rng,
        "trainer_state.json": {"step": step, "fingerprint": fp, "stage": "reward"},
    })
    import glob
    done = sorted(glob.glob(os.path.join(root, "step-*")))
    for old in done[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
