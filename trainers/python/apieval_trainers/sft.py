"""Supervised fine-tuning of GPT-2 on (prompt, completion) pairs, loss on the completion only.

The loop TRL's SFTTrainer / transformers' Trainer run for a causal LM, written out: AdamW, linear warmup +
cosine decay (transformers' get_cosine_schedule_with_warmup, whose first step has lr 0 when there is warmup),
gradient accumulation, clipping, bf16 autocast and gradient checkpointing on GPU, torch.compile where the
torch has it; DDP under torchrun (rank 0 logs and saves, per-rank dropout seeds).

Determinism: the order of examples is a function of (seed, epoch) alone and the position in it is the step,
so a run resumed from a checkpoint (weights, AdamW state, every rank's RNG state, step) ends with the same
weights as one that was never stopped (bit for bit on CPU). A global batch is batch_size x grad_accum x
world_size examples; the loss is the sum of completion-token losses divided by the global batch's
completion-token count, so 2 processes give the same update as 1 with the same global batch.
"""
from __future__ import annotations

from contextlib import nullcontext

import glob
import hashlib
import json
import math
import os
import random
import shutil
import time

import torch
import torch.nn.functional as F

from . import checkpoint as ckpt
from .errors import StageError
from .io_utils import bf16_autocast, emit, peak_flops, pick_device, read_jsonl, setup_distributed
from .tokenizer import GPT2Tokenizer

DEFAULTS = {
    "epochs": 1, "max_steps": None, "lr": 5e-5, "min_lr_ratio": 0.0, "warmup_steps": None, "warmup_ratio": 0.03,
    "weight_decay": 0.0, "adam_beta1": 0.9, "adam_beta2": 0.999, "adam_eps": 1e-8, "batch_size": 8, "grad_accum": 1,
    "max_length": 512, "max_grad_norm": 1.0, "seed": 0, "device": "auto", "bf16": "auto", "gradient_checkpointing": False,
    "compile": "auto", "eval_every": 50, "save_every": 100, "save_total_limit": 2, "log_every": 1, "dropout": None,
    "peak_flops": None, "eval_batch_size": None,
}
# Settings a resumed run must share with the run it continues (everything that changes the weights).
TRAINING_KEYS = ["model", "data", "epochs", "max_steps", "lr", "min_lr_ratio", "warmup_steps", "warmup_ratio", "weight_decay",
                 "adam_beta1", "adam_beta2", "adam_eps", "batch_size", "grad_accum", "max_length", "max_grad_norm", "seed",
                 "dropout", "world_size"]


def encode_examples(tok: GPT2Tokenizer, records: list[dict], max_length: int, source: str):
    """(input_ids, labels) per record: prompt tokens masked with -100, completion + EOS learned. Tokenised
    separately; Gorilla's prompt ends in `###Output:` and the completion starts with a space, where GPT-2's
    pre-tokenizer splits anyway, so this equals tokenising the whole text."""
    out, dropped = [], 0
    for i, r in enumerate(records):
        if not isinstance(r.get("prompt"), str) or not isinstance(r.get("completion"), str):
            raise StageError(f"{source}:{i + 1}: 'prompt' and 'completion' must be strings")
        p = tok.encode(r["prompt"])
        c = tok.encode(r["completion"]) + [tok.eos_token_id]
        ids = (p + c)[:max_length]
        labels = ([-100] * len(p) + c)[:max_length]
        if all(x == -100 for x in labels[1:]):
            dropped += 1
            continue
        out.append((ids, labels))
    return out, dropped


def collate(examples, pad_id: int):
    T = max(len(ids) for ids, _ in examples)
    ids = torch.full((len(examples), T), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), T), -100, dtype=torch.long)
    mask = torch.zeros((len(examples), T), dtype=torch.long)
    for i, (x, y) in enumerate(examples):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        mask[i, : len(x)] = 1
    return ids, labels, mask


def n_loss_tokens(examples) -> int:
    return sum(sum(1 for y in lab[1:] if y != -100) for _, lab in examples)


LOSS_CHUNK = 128


def token_loss_sum(model, ids, labels, mask):
    """Sum of next-token cross-entropies over the completion tokens. Logits are computed only where a label
    is (not on prompt or padding positions) and 128 rows at a time: the [tokens, 50257] logits of a whole
    batch are hundreds of MB, which cost more in fresh pages than in arithmetic on a CPU."""
    hidden = model(ids, attention_mask=mask, return_hidden=True)
    target = labels[:, 1:]
    keep = target != -100
    h = hidden[:, :-1][keep]
    y = target[keep]
    core = model.module if hasattr(model, "module") else model
    core = getattr(core, "_orig_mod", core)
    w = core.transformer.wte.weight if core.lm_head is None else core.lm_head.weight
    total = h.new_zeros((), dtype=torch.float32)
    for i in range(0, h.shape[0], LOSS_CHUNK):
        logits = F.linear(h[i:i + LOSS_CHUNK], w).float()
        total = total + F.cross_entropy(logits, y[i:i + LOSS_CHUNK], reduction="sum")
    return total


def optimizer_step(model, opt, sched, max_grad_norm):
    """Clip (when max_grad_norm is set), step AdamW and the schedule, clear the gradients; (grad norm, lr used)."""
    grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)) if max_grad_norm else None
    lr = opt.param_groups[0]["lr"]
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    return grad_norm, lr


def lr_factor(step: int, warmup: int, total: int, min_ratio: float) -> float:
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, min_ratio + (1 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))


def fingerprint_of(cfg: dict, keys: list[str]) -> str:
    return hashlib.sha256(json.dumps({k: cfg.get(k) for k in keys}, sort_keys=True).encode()).hexdigest()[:16]


def fingerprint(cfg: dict) -> str:
    return fingerprint_of(cfg, TRAINING_KEYS)


def already_finished(out: str, fp: str) -> bool:
    """True (and the done event emitted) when out/final is this run's finished checkpoint; another run's is an error."""
    final_dir = os.path.join(out, "final")
    if not os.path.isfile(os.path.join(final_dir, "trainer_state.json")):
        return False
    state = ckpt.read_json(os.path.join(final_dir, "trainer_state.json"))
    if state.get("fingerprint") != fp:
        raise StageError(f"{out}: already holds a finished run with other training settings; use a new --out")
    emit("done", step=state.get("step"), final=final_dir, already=True)
    return True


def latest_checkpoint(out: str):
    best = None
    for d in glob.glob(os.path.join(out, "checkpoints", "step-*")):
        if ".tmp" in os.path.basename(d):
            continue
        if not os.path.isfile(os.path.join(d, "trainer_state.json")):
            continue
        step = int(os.path.basename(d).split("-")[1])
        if best is None or step > best[0]:
            best = (step, d)
    return best


def resume_checkpoint(out: str, fp: str):
    """(step, folder, trainer_state) of the run's latest checkpoint, or None; a checkpoint written with other
    training settings (another fingerprint) is an error, never silently continued."""
    found = latest_checkpoint(out)
    if not found:
        return None
    cstep, cdir = found
    state = ckpt.read_json(os.path.join(cdir, "trainer_state.json"))
    if state.get("fingerprint") != fp:
        raise StageError(f"{out}: its checkpoints come from other training settings (fingerprint {state.get('fingerprint')}, now {fp}); use a new --out or the same settings")
    return cstep, cdir, state


@torch.no_grad()
def heldout_loss(model, examples, batch_size, pad_id, device, autocast):
    if not examples:
        return None
    was = model.training
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(examples), batch_size):
        chunk = examples[i:i + batch_size]
        ids, labels, mask = (t.to(device) for t in collate(chunk, pad_id))
        with autocast():
            total += float(token_loss_sum(model, ids, labels, mask))
        count += n_loss_tokens(chunk)
    model.train(was)
    return total / max(1, count)


def run(cfg_in: dict) -> None:
    cfg = {**DEFAULTS, **cfg_in}
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device, dist, world, rank = setup_distributed(pick_device(cfg["device"]), cfg.get("threads"))
    cfg["world_size"] = world
    out = cfg["out"]
    use_bf16, autocast = bf16_autocast(cfg["bf16"], device)

    # Model and tokenizer.
    mspec = cfg["model"]
    if "path" in mspec:
        model = ckpt.load_model(mspec["path"])
        tok_dir = cfg.get("tokenizer") or mspec["path"]
        if cfg["dropout"] is not None:
            for m in model.modules():
                if isinstance(m, torch.nn.Dropout):
                    m.p = cfg["dropout"]
            model.config.resid_pdrop = model.config.embd_pdrop = model.config.attn_pdrop = cfg["dropout"]
    else:
        tok_dir = cfg.get("tokenizer")
        if not tok_dir:
            raise StageError("a random model needs a tokenizer folder ('tokenizer' in the config)")
        model = ckpt.random_model(mspec["init"], int(mspec.get("seed", cfg["seed"])), dropout=cfg["dropout"])
    tok = ckpt.load_tokenizer(tok_dir, model.config)
    pad_id = tok.eos_token_id

    train_recs = read_jsonl(cfg["data"]["train"], ("prompt", "completion"))
    val_recs = read_jsonl(cfg["data"]["heldout"], ("prompt", "completion")) if cfg["data"].get("heldout") else []
    max_length = min(int(cfg["max_length"]), model.config.n_positions)
    train, dropped = encode_examples(tok, train_recs, max_length, cfg["data"]["train"])
    val, _ = encode_examples(tok, val_recs, max_length, cfg["data"].get("heldout", ""))
    B, A = int(cfg["batch_size"]), int(cfg["grad_accum"])
    G = B * A * world
    steps_per_epoch = len(train) // G
    if steps_per_epoch == 0:
        raise StageError(f"{cfg['data']['train']}: {len(train)} usable examples, fewer than one global batch ({B} x {A} x {world} = {G})")
    total_steps = steps_per_epoch * int(cfg["epochs"])
    if cfg["max_steps"]:
        total_steps = int(cfg["max_steps"])  # as transformers' Trainer: max_steps overrides epochs
    warmup = int(cfg["warmup_steps"]) if cfg["warmup_steps"] is not None else int(math.ceil(cfg["warmup_ratio"] * total_steps))

    model.to(device)
    if cfg["gradient_checkpointing"]:
        model.gradient_checkpointing = True
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=cfg["lr"], betas=(cfg["adam_beta1"], cfg["adam_beta2"]), eps=cfg["adam_eps"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, warmup, total_steps, cfg["min_lr_ratio"]))

    fp = fingerprint(cfg)
    step = 0
    final_dir = os.path.join(out, "final")
    if already_finished(out, fp):
        return
    found = resume_checkpoint(out, fp)
    torch.manual_seed(int(cfg["seed"]) * 1000 + rank)
    random.seed(int(cfg["seed"]) * 1000 + rank)
    if found:
        cstep, cdir, state = found
        model_sd, _ = ckpt.load_weights(cdir)
        ckpt.load_state_dict_hf(model, model_sd, cdir)
        opt.load_state_dict(torch.load(os.path.join(cdir, "optimizer.pt"), map_location=device))
        sched.load_state_dict(torch.load(os.path.join(cdir, "scheduler.pt")))
        rng = torch.load(os.path.join(cdir, f"rng_rank{rank}.pt"))
        torch.set_rng_state(rng["cpu"])
        if rng.get("cuda") is not None and device.startswith("cuda"):
            torch.cuda.set_rng_state(rng["cuda"], device)
        random.setstate(rng["python"])
        step = cstep
        if rank == 0:
            _truncate_metrics(os.path.join(out, "metrics.jsonl"), step)
        emit("resume", step=step, checkpoint=cdir)

    train_model = model
    if dist is not None:
        from torch.nn.parallel import DistributedDataParallel as DDP
        train_model = DDP(model, device_ids=[local_rank] if device.startswith("cuda") else None)
    if cfg["compile"] in ("auto", True, "on") and hasattr(torch, "compile") and device.startswith("cuda"):
        train_model = torch.compile(train_model)

    n_params = model.num_params()
    n_nonemb = model.num_params(non_embedding=True)
    peak = peak_flops(device, cfg["peak_flops"])
    metrics_path = os.path.join(out, "metrics.jsonl")
    os.makedirs(out, exist_ok=True)
    emit("start", examples=len(train), heldout=len(val), dropped=dropped, steps=total_steps, steps_per_epoch=steps_per_epoch,
         global_batch=G, warmup=warmup, params=n_params, device=device, bf16=use_bf16, world_size=world, torch=torch.__version__,
         resumed_from=step)

    def log(rec):
        if rank == 0:
            with open(metrics_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
        emit(rec["kind"], **{k: v for k, v in rec.items() if k != "kind"})

    eval_bs = int(cfg["eval_batch_size"] or B)
    if step == 0 and val:
        if rank == 0:
            log({"kind": "eval", "step": 0, "heldout_loss": heldout_loss(model, val, eval_bs, pad_id, device, autocast)})
        _barrier(dist)

    model.train()
    t_last = time.time()
    tokens_since = 0
    while step < total_steps:
        epoch = step // steps_per_epoch
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(int(cfg["seed"]) + epoch)).tolist()
        g = step % steps_per_epoch
        batch = [train[i] for i in order[g * G:(g + 1) * G]]
        denom = n_loss_tokens(batch)
        tokens_since += sum(len(ids) for ids, _ in batch)
        loss_total = 0.0
        for a in range(A):
            micro = batch[(a * world + rank) * B:(a * world + rank + 1) * B]
            ids, labels, mask = (t.to(device) for t in collate(micro, pad_id))
            sync = dist is None or a == A - 1
            ctx = train_model.no_sync() if not sync and hasattr(train_model, "no_sync") else nullcontext()
            with ctx:
                with autocast():
                    loss = token_loss_sum(train_model, ids, labels, mask) / denom * world
                loss.backward()
            loss_total += float(loss.detach()) / world
        if dist is not None:
            t = torch.tensor([loss_total], device=device)
            dist.all_reduce(t)
            loss_total = float(t)
        grad_norm, lr = optimizer_step(model, opt, sched, cfg["max_grad_norm"])
        step += 1
        if step % int(cfg["log_every"]) == 0 or step == total_steps:
            now = time.time()
            dt = max(1e-9, now - t_last)
            tps = tokens_since / dt
            seq = max(1, tokens_since // max(1, len(batch) * int(cfg["log_every"])))
            flops_per_token = 6 * n_nonemb + 12 * model.config.n_layer * model.config.n_embd * seq
            log({"kind": "step", "step": step, "epoch": epoch + (g + 1) / steps_per_epoch, "loss": loss_total, "lr": lr,
                 "grad_norm": grad_norm, "tokens_per_s": tps, "mfu": (flops_per_token * tps / peak) if peak else None, "interval_s": dt})
            t_last, tokens_since = now, 0
        if val and (step % int(cfg["eval_every"]) == 0 or step == total_steps):
            if rank == 0:
                log({"kind": "eval", "step": step, "heldout_loss": heldout_loss(model, val, eval_bs, pad_id, device, autocast)})
            _barrier(dist)
        if step % int(cfg["save_every"]) == 0 and step < total_steps:
            save_training_checkpoint(out, step, model, opt, sched, tok_dir, fp, rank, dist, int(cfg["save_total_limit"]))
            emit("checkpoint", step=step)

    if rank == 0:
        ckpt.save_checkpoint(model, final_dir, tok_dir,
                             extra_files={"trainer_state.json": {"step": step, "fingerprint": fp, "stage": "sft"}})
    _barrier(dist)
    emit("done", step=step, final=final_dir)
    if dist is not None:
        dist.destroy_process_group()


def save_training_checkpoint(out, step, model, opt, sched, tok_dir, fp, rank, dist, keep):
    root = os.path.join(out, "checkpoints")
    final = os.path.join(root, f"step-{step:07d}")
    staging = os.path.join(root, f"staging-{step:07d}")
    if rank == 0:
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging, exist_ok=True)
    _barrier(dist)
    rng = {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() and next(model.parameters()).is_cuda else None,
           "python": random.getstate()}
    torch.save(rng, os.path.join(staging, f"rng_rank{rank}.pt"))
    _barrier(dist)
    if rank == 0:
        # Every rank's RNG file goes in before the rename: a step-N folder that exists is complete.
        ckpt.save_checkpoint(model, final, tok_dir, extra_files={
            "optimizer.pt": opt.state_dict(), "scheduler.pt": sched.state_dict(),
            "trainer_state.json": {"step": step, "fingerprint": fp, "stage": "sft"},
        }, move_in=[os.path.join(staging, f) for f in os.listdir(staging)])
        shutil.rmtree(staging, ignore_errors=True)
        done = sorted(glob.glob(os.path.join(root, "step-*")))
        for old in done[:-keep] if keep > 0 else []:
            shutil.rmtree(old, ignore_errors=True)
    _barrier(dist)


def _truncate_metrics(path: str, step: int) -> None:
    """Drops metric lines written after the checkpoint a resumed run continues from (and a torn last line)."""
    if not os.path.exists(path):
        return
    keep = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("step", 0) <= step:
                keep.append(line if line.endswith("\n") else line + "\n")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(keep)
    os.replace(tmp, path)


def _barrier(dist):
    if dist is not None:
        dist.barrier()
