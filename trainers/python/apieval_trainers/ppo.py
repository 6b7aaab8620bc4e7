"""PPO: fine-tunes the SFT policy against a reward (the RLAIF recipe's last stage), with TRL's algorithm.

The algorithm of TRL's PPOTrainer (trl/trainer/ppo_trainer.py, since moved to trl/experimental/ppo), written
for this project's GPT-2 and its pluggable rewards (rewards.py). Per update:

1. Rollouts: `batch_size x grad_accum x num_mini_batches` prompts per process (in a seeded order over the
   epochs), each answered once by sampling at `temperature` (top-k 0, top-p 1, as TRL's generation config),
   at most `response_length` tokens (default 512: APIBench's HF answers are 340 GPT-2 tokens at the median, 498
   at the 90th percentile; TRL's 53 would cut nearly all), stopped at <|endoftext|>. Row r of update u samples from its own
   generator seeded by (seed, u, r), so a run resumed from a checkpoint continues with the same samples.
2. Log-probabilities of the response tokens under the policy and the frozen reference (the SFT checkpoint),
   both from logits divided by `temperature + 1e-7`; values from the value model at the position before each
   token. (TRL takes the policy's from the generation scores; here they come from a forward pass identical to
   the one the loss uses, so the first ratio is exactly 1.)
3. The score of the decoded completion from the reward; minus `missing_eos_penalty` where no EOS came.
   With `log_rollouts`, RUN/rollouts.jsonl gets every rollout of process 0 (prompt, completion, score).
4. Per-token reward `-kl_coef * KL` (k1: log p - log p_ref; k3: (r - 1) - log r with r = p_ref / p) plus the
   score at the position after the last token (TRL's `sequence_lengths_p1` indexing, with a padding token
   distinct from EOS: the EOS token belongs to the response); optional reward whitening (shift_mean False).
5. GAE (gamma, lam), returns = advantages + values, advantages whitened (always).
6. `num_ppo_epochs` passes over the rollouts in shuffled minibatches (`num_mini_batches` per pass, each of
   `grad_accum` micro-batches of `batch_size`): clipped policy loss + `vf_coef` x clipped value loss
   (0.5 x max of the squared errors), one AdamW step per minibatch; the linear learning-rate schedule steps
   once per update, as TRL's.

The value model has its own backbone (TRL's design: a copy of the reward model when the reward is one, else
of the SFT model with a fresh head). A head on the policy's backbone would let the value loss move the policy
and ties the value's learning rate to the policy's; with a separate model neither happens, at the price of a
fourth model in memory. Dropout is off in every model (TRL disables it).

Metrics use TRL's names (objective/kl, objective/entropy, objective/non_score_reward, objective/rlhf_reward,
objective/scores, policy/approxkl_avg, policy/clipfrac_avg, policy/entropy_avg, loss/policy_avg,
loss/value_avg, val/clipfrac_avg, val/ratio, val/ratio_var, val/num_eos_tokens, lr, episode, eps). Where TRL
averages over padding positions too (entropy, approximate KL, ratio; INVALID_LOGPROB = 1 counted in
objective/entropy) these average over response tokens only. Under torchrun each process rolls out, whitens
and shuffles its own part of the batch (as TRL under accelerate); gradients are averaged by DDP.
"""
from __future__ import annotations

from contextlib import nullcontext

import glob
import json
import math
import os
import shutil
import time

import torch
import torch.nn as nn

from . import checkpoint as ckpt
from .errors import StageError
from .generate import row_seed
from .io_utils import bf16_autocast, emit, pick_device, read_jsonl, setup_distributed
from .model import generate as decode
from .model import load_state_dict_hf
from .reward import GPT2RewardModel, load_reward_model
from .rewards import describe, load_reward
from .sft import _truncate_metrics, already_finished, fingerprint_of, resume_checkpoint

INVALID_LOGPROB = 1.0

DEFAULTS = {
    "lr": 3e-6, "kl_coef": 0.05, "kl_estimator": "k1", "cliprange": 0.2, "cliprange_value": 0.2, "vf_coef": 0.1,
    "gamma": 1.0, "lam": 0.95, "temperature": 0.7, "response_length": 512, "missing_eos_penalty": None,
    "whiten_rewards": False, "num_ppo_epochs": 4, "num_mini_batches": 1, "batch_size": 8, "grad_accum": 1,
    "total_episodes": None, "epochs": 1, "max_steps": None, "max_length": 512, "warmup_steps": 0, "max_grad_norm": None,
    "adam_eps": 1e-8, "seed": 0, "device": "auto", "bf16": "auto", "save_every": 10, "save_total_limit": 2,
    "eval_every": 10, "eval_prompts": 64, "rollout_batch_size": None, "value_model": "auto", "threads": None,
    "log_rollouts": False,
}
TRAINING_KEYS = ["sft", "reward", "value_model", "data", "lr", "kl_coef", "kl_estimator", "cliprange", "cliprange_value", "vf_coef", "gamma",
                 "lam", "temperature", "response_length", "missing_eos_penalty", "whiten_rewards", "num_ppo_epochs", "num_mini_batches",
                 "batch_size", "grad_accum", "total_episodes", "epochs", "max_steps", "max_length", "warmup_steps", "max_grad_norm",
                 "adam_eps", "seed", "world_size"]


def masked_mean(values, mask, axis=None):
    return (values * mask).sum(axis) / mask.sum(axis) if axis is not None else (values * mask).sum() / mask.sum()


def masked_var(values, mask, unbiased=True):
    mean = masked_mean(values, mask)
    var = masked_mean((values - mean) ** 2, mask)
    if unbiased:
        n = mask.sum()
        if n <= 1:
            return var * 0
        var = var * (n / (n - 1))
    return var


def masked_whiten(values, mask, shift_mean=True):
    """TRL's masked_whiten (unbiased variance, eps 1e-8)."""
    mean, var = masked_mean(values, mask), masked_var(values, mask)
    out = (values - mean) * torch.rsqrt(var + 1e-8)
    return out if shift_mean else out + mean


def gae(rewards, values, gamma, lam):
    """Generalised advantage estimation over the response positions (TRL's loop); (advantages, returns)."""
    lastgaelam = 0
    rev = []
    n = rewards.shape[1]
    for t in reversed(range(n)):
        nextvalues = values[:, t + 1] if t < n - 1 else 0.0
        delta = rewards[:, t] + gamma * nextvalues - values[:, t]
        lastgaelam = delta + gamma * lam * lastgaelam
        rev.append(lastgaelam)
    adv = torch.stack(rev[::-1], dim=1)
    return adv, adv + values


def kl_estimate(logprobs, ref_logprobs, estimator):
    logr = ref_logprobs - logprobs
    if estimator == "k1":
        return -logr
    if estimator == "k3":
        return (logr.exp() - 1) - logr
    raise StageError(f"kl_estimator '{estimator}': expected k1 or k3")


class PolicyAndValue(nn.Module):
    """The two trained models in one module (one optimizer, one DDP wrapper), as TRL's PolicyAndValueWrapper."""

    def __init__(self, policy, value: GPT2RewardModel):
        super().__init__()
        self.policy, self.value_model = policy, value

    def forward(self, ids, mask, context: int, temperature: float):
        hidden = self.policy(ids, attention_mask=mask, return_hidden=True)[:, context - 1:-1]
        logits = _lm_logits(self.policy, hidden) / (temperature + 1e-7)
        values = self.value_model.values(ids, mask)[:, context - 1:-1]
        return logits.float(), values.float()


def _lm_logits(model, hidden):
    w = model.transformer.wte.weight if model.lm_head is None else model.lm_head.weight
    return torch.nn.functional.linear(hidden, w)


def selective_log_softmax(logits, index):
    return torch.gather(logits.log_softmax(-1), 2, index.unsqueeze(-1)).squeeze(-1)


def disable_dropout(model):
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0


def build_batch(queries: list[list[int]], responses: list[list[int]], R: int, pad_id: int):
    """[left-padded query | response right-padded to R] ids and mask; the mask covers a response up to its last
    token (EOS included)."""
    P = max(len(q) for q in queries)
    n = len(queries)
    ids = torch.full((n, P + R), pad_id, dtype=torch.long)
    mask = torch.zeros((n, P + R), dtype=torch.long)
    for i, (q, r) in enumerate(zip(queries, responses)):
        ids[i, P - len(q):P] = torch.tensor(q, dtype=torch.long)
        mask[i, P - len(q):P] = 1
        if r:
            ids[i, P:P + len(r)] = torch.tensor(r, dtype=torch.long)
            mask[i, P:P + len(r)] = 1
    return ids, mask, P


def run(cfg_in: dict) -> None:
    cfg = {**DEFAULTS, **cfg_in}
    device, dist, world, rank = setup_distributed(pick_device(cfg["device"]), cfg.get("threads"))
    cfg["world_size"] = world
    out = cfg["out"]
    use_bf16, autocast = bf16_autocast(cfg["bf16"], device)

    sft = cfg["sft"]
    policy = ckpt.load_model(sft)
    ref = ckpt.load_model(sft)
    tok_dir = cfg.get("tokenizer") or sft
    tok = ckpt.load_tokenizer(tok_dir, policy.config)
    eos = tok.eos_token_id
    reward_spec = cfg["reward"]
    reward_fn = load_reward(reward_spec, device, cfg.get("cwd"))
    vspec = cfg["value_model"]
    if vspec == "auto":
        vspec = reward_spec["path"] if reward_spec.get("kind") == "rm" else sft
    if os.path.isfile(os.path.join(vspec, "reward_config.json")) or _has_score_head(vspec):
        value = load_reward_model(vspec)
    else:
        value = GPT2RewardModel(ckpt.load_config(vspec))
        sd, src = ckpt.load_weights(vspec)
        sd.pop("score.weight", None)
        load_state_dict_hf(value.lm, sd, src)
        with torch.no_grad():
            value.score.weight.copy_(torch.randn(value.score.weight.shape, generator=torch.Generator().manual_seed(int(cfg["seed"]))) * value.config.initializer_range)
    if value.config.vocab_size != policy.config.vocab_size or value.config.n_positions < policy.config.n_positions:
        raise StageError(f"value model {vspec}: its vocabulary or context differs from the policy's ({sft}), and the value model reads the policy's tokens; give --value-model {sft}")
    # The same size is not the same vocabulary: ids must mean the same tokens (and merges split text the same way).
    if os.path.abspath(vspec) != os.path.abspath(tok_dir):
        vtok = ckpt.load_tokenizer(vspec, value.config)
        if vtok.encoder != tok.encoder or vtok.bpe_ranks != tok.bpe_ranks:
            raise StageError(f"value model {vspec}: its tokenizer differs from the policy's ({tok_dir}), and the value model reads the policy's tokens; give --value-model {sft}")
    for m in (policy, ref, value):
        disable_dropout(m)

    R = int(cfg["response_length"])
    max_prompt = min(int(cfg["max_length"]), policy.config.n_positions - R)
    if max_prompt < 1:
        raise StageError(f"--response-length {R}: the model's context is {policy.config.n_positions} tokens")
    T = float(cfg["temperature"])
    if T <= 0:
        raise StageError("--temperature must be > 0 (PPO samples its rollouts)")

    def load_prompts(path):
        recs = read_jsonl(path, ())
        outp = []
        for i, r in enumerate(recs, 1):
            p = r.get("prompt", r.get("instruction"))
            if not isinstance(p, str):
                raise StageError(f"{path}:{i}: expected a string 'prompt' (or 'instruction')")
            ids = tok.encode(p)[-max_prompt:]
            outp.append({"prompt": p, "ids": ids, "question_id": r.get("question_id")})
        return outp

    prompts = load_prompts(cfg["data"]["train"])
    held = load_prompts(cfg["data"]["heldout"])[: int(cfg["eval_prompts"])] if cfg["data"].get("heldout") else []
    B, A, M = int(cfg["batch_size"]), int(cfg["grad_accum"]), int(cfg["num_mini_batches"])
    local_batch = B * A * M
    G = local_batch * world
    if len(prompts) < G:
        raise StageError(f"{cfg['data']['train']}: {len(prompts)} prompts, fewer than one batch of rollouts ({B} x {A} x {M} x {world} = {G})")
    total_episodes = int(cfg["total_episodes"]) if cfg["total_episodes"] else int(cfg["epochs"]) * len(prompts)
    total_updates = int(cfg["max_steps"]) if cfg["max_steps"] else math.ceil(total_episodes / G)
    warmup = int(cfg["warmup_steps"] or 0)
    rollout_bs = int(cfg["rollout_batch_size"] or B)

    for m in (policy, ref, value):
        m.to(device)
    ref.eval()
    pv = PolicyAndValue(policy, value)
    opt = torch.optim.AdamW(pv.parameters(), lr=cfg["lr"], eps=cfg["adam_eps"], weight_decay=0.0)
    # transformers' get_linear_schedule_with_warmup over the updates (TRL's default lr_scheduler_type)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total_updates - s) / max(1, total_updates - warmup)))

    fp = fingerprint_of(cfg, TRAINING_KEYS)
    final_dir = os.path.join(out, "final")
    if already_finished(out, fp):
        return
    step = 0
    found = resume_checkpoint(out, fp)
    if found:
        cstep, cdir, state = found
        psd, src = ckpt.load_weights(cdir)
        load_state_dict_hf(policy, psd, src)
        value.load_state_dict(load_reward_model(os.path.join(cdir, "value")).state_dict())
        opt.load_state_dict(torch.load(os.path.join(cdir, "optimizer.pt"), map_location=device))
        sched.load_state_dict(torch.load(os.path.join(cdir, "scheduler.pt")))
        step = cstep
        if rank == 0:
            _truncate_metrics(os.path.join(out, "metrics.jsonl"), step)
            _truncate_metrics(os.path.join(out, "rollouts.jsonl"), step)
        emit("resume", step=step, checkpoint=cdir)

    train_pv = pv
    if dist is not None:
        from torch.nn.parallel import DistributedDataParallel as DDP
        train_pv = DDP(pv, device_ids=[int(device.split(":")[1])] if device.startswith("cuda") else None)

    os.makedirs(out, exist_ok=True)
    metrics_path = os.path.join(out, "metrics.jsonl")
    emit("start", examples=len(prompts), heldout=len(held), steps=total_updates, global_batch=G, episodes=total_updates * G,
         params=policy.num_params(), value_params=value.num_params(), device=device, bf16=use_bf16, world_size=world,
         torch=torch.__version__, resumed_from=step, reward=describe(reward_spec), value_model=vspec)

    def log(rec):
        if rank == 0:
            with open(metrics_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
        emit(rec["kind"], **{k: v for k, v in rec.items() if k != "kind"})

    def all_mean(xs: list[float]) -> list[float]:
        if dist is None:
            return xs
        t = torch.tensor(xs, dtype=torch.float64, device=device)
        dist.all_reduce(t)
        return (t / world).tolist()

    def rollout(batch: list[dict], seeds: list[int] | None):
        """Responses (EOS included where one came) for a list of prompts; greedy when seeds is None."""
        resp = []
        for i in range(0, len(batch), rollout_bs):
            chunk = batch[i:i + rollout_bs]
            gens = [torch.Generator().manual_seed(s) for s in seeds[i:i + rollout_bs]] if seeds else None
            with autocast():
                toks = decode(policy, [p["ids"] for p in chunk], max_new_tokens=R, eos_id=eos, pad_id=eos,
                              temperature=T + 1e-7 if seeds else 0.0, generators=gens, device=device)
            resp += [t + [eos] if len(t) < R else t for t in toks]
        return resp

    def scores_of(batch, resp):
        samples = [{"prompt": p["prompt"], "completion": tok.decode([t for t in r if t != eos] if r and r[-1] == eos else r),
                    "question_id": p["question_id"]} for p, r in zip(batch, resp)]
        return torch.tensor(reward_fn(samples), dtype=torch.float32, device=device), samples

    def evaluate(u):
        if not held or rank != 0:
            return
        policy.eval()
        with torch.no_grad():
            resp = rollout(held, None)
            s, _ = scores_of(held, resp)
        log({"kind": "eval", "step": u, "eval/scores": float(s.mean()), "eval/num_eos": sum(1 for r in resp if _ended(r, eos)),
             "eval/response_length": sum(len(r) for r in resp) / len(resp), "n": len(held)})

    if step == 0 and held:
        evaluate(0)
        _barrier(dist)

    t0 = time.time()
    episodes_at_start = step * G
    while step < total_updates:
        u = step
        t_update = time.time()
        # ---- 1. rollouts (this process's part of the global batch)
        g0 = u * G + rank * local_batch
        batch = [prompts[_prompt_index(e, len(prompts), int(cfg["seed"]))] for e in range(g0, g0 + local_batch)]
        policy.eval()
        with torch.no_grad():
            resp = rollout(batch, [row_seed(int(cfg["seed"]) * 1_000_003 + u, e) for e in range(g0, g0 + local_batch)])
            lengths = torch.tensor([len(r) for r in resp], device=device)
            has_eos = torch.tensor([_ended(r, eos) for r in resp], device=device)
            ids, mask, P = build_batch([p["ids"] for p in batch], resp, R, eos)
            ids, mask = ids.to(device), mask.to(device)
            responses = ids[:, P:]
            logprobs, values = [], []
            ref_logprobs = []
            for i in range(0, local_batch, rollout_bs):
                sl = slice(i, i + rollout_bs)
                with autocast():
                    lg, v = pv(ids[sl], mask[sl], P, T)
                    h = ref(ids[sl], attention_mask=mask[sl], return_hidden=True)[:, P - 1:-1]
                    rlg = _lm_logits(ref, h).float() / (T + 1e-7)
                logprobs.append(selective_log_softmax(lg, responses[sl]))
                ref_logprobs.append(selective_log_softmax(rlg, responses[sl]))
                values.append(v)
                del lg, rlg
            logprobs, ref_logprobs, values = torch.cat(logprobs), torch.cat(ref_logprobs), torch.cat(values)
            scores, samples = scores_of(batch, resp)
            if cfg["log_rollouts"] and rank == 0:
                with open(os.path.join(out, "rollouts.jsonl"), "a", encoding="utf-8") as f:
                    for e, smp, sc, n_tok, ended in zip(range(g0, g0 + local_batch), samples, scores.tolist(), lengths.tolist(), has_eos.tolist()):
                        f.write(json.dumps({"step": u + 1, "episode": e, "question_id": smp["question_id"], "prompt": smp["prompt"],
                                            "completion": smp["completion"], "score": sc, "tokens": n_tok, "eos": bool(ended)}) + "\n")
            if cfg["missing_eos_penalty"] is not None:
                scores = torch.where(has_eos, scores, scores - float(cfg["missing_eos_penalty"]))
            seq_len = lengths - 1
            idx = torch.arange(R, device=device).repeat(local_batch, 1)
            padding_mask = idx > seq_len.unsqueeze(1)
            padding_mask_p1 = idx > (seq_len + 1).unsqueeze(1)
            logprobs = logprobs.masked_fill(padding_mask, INVALID_LOGPROB)
            ref_logprobs = ref_logprobs.masked_fill(padding_mask, INVALID_LOGPROB)
            values = values.masked_fill(padding_mask_p1, 0)
            kl = kl_estimate(logprobs, ref_logprobs, cfg["kl_estimator"])
            non_score_reward = -float(cfg["kl_coef"]) * kl
            rewards = non_score_reward.clone()
            end = torch.where(seq_len + 1 < R, seq_len + 1, seq_len)
            rewards[torch.arange(local_batch, device=device), end] += scores
            if cfg["whiten_rewards"]:
                rewards = masked_whiten(rewards, (~padding_mask_p1).float(), shift_mean=False).masked_fill(padding_mask_p1, 0)
            advantages, returns = gae(rewards, values, float(cfg["gamma"]), float(cfg["lam"]))
            advantages = masked_whiten(advantages, (~padding_mask).float()).masked_fill(padding_mask, 0)

        # ---- 2. PPO epochs over shuffled minibatches
        policy.train()
        value.train()
        stats = {k: [] for k in ("approxkl", "pg_clipfrac", "pg_loss", "vf_loss", "vf_clipfrac", "entropy", "ratio")}
        mini = B * A
        for ppo_epoch in range(int(cfg["num_ppo_epochs"])):
            perm = torch.randperm(local_batch, generator=torch.Generator().manual_seed(row_seed(int(cfg["seed"]) * 7919 + u * 131 + ppo_epoch, rank))).tolist()
            for mb in range(M):
                mb_inds = perm[mb * mini:(mb + 1) * mini]
                for a in range(A):
                    mi = torch.tensor(mb_inds[a * B:(a + 1) * B], device=device)
                    sync = dist is None or a == A - 1
                    ctx = train_pv.no_sync() if not sync else nullcontext()
                    with ctx:
                        with autocast():
                            lg, vpred = train_pv(ids[mi], mask[mi], P, T)
                        pm, pm1 = padding_mask[mi], padding_mask_p1[mi]
                        valid, valid1 = (~pm).float(), (~pm1).float()
                        new_logprobs = selective_log_softmax(lg, responses[mi]).masked_fill(pm, INVALID_LOGPROB)
                        vpred = vpred.masked_fill(pm1, 0)
                        mb_values, mb_return, mb_adv = values[mi], returns[mi], advantages[mi]
                        vclip = torch.clamp(vpred, mb_values - cfg["cliprange_value"], mb_values + cfg["cliprange_value"])
                        vf1, vf2 = (vpred - mb_return) ** 2, (vclip - mb_return) ** 2
                        vf_loss = 0.5 * masked_mean(torch.max(vf1, vf2), valid1)
                        diff = new_logprobs - logprobs[mi]
                        ratio = diff.exp()
                        pg1 = -mb_adv * ratio
                        pg2 = -mb_adv * torch.clamp(ratio, 1.0 - cfg["cliprange"], 1.0 + cfg["cliprange"])
                        pg_loss = masked_mean(torch.max(pg1, pg2), valid)
                        loss = pg_loss + float(cfg["vf_coef"]) * vf_loss
                        (loss / A).backward()
                    with torch.no_grad():
                        ent = torch.logsumexp(lg, -1) - (lg.softmax(-1) * lg).sum(-1)
                        stats["approxkl"].append(float(0.5 * masked_mean(diff ** 2, valid)))
                        stats["pg_clipfrac"].append(float(masked_mean((pg2 > pg1).float(), valid)))
                        stats["pg_loss"].append(float(pg_loss))
                        stats["vf_loss"].append(float(vf_loss))
                        stats["vf_clipfrac"].append(float(masked_mean((vf2 > vf1).float(), valid1)))
                        stats["entropy"].append(float(masked_mean(ent, valid)))
                        stats["ratio"].append(float(masked_mean(ratio, valid)))
                    del lg, vpred, loss
                if cfg["max_grad_norm"]:
                    torch.nn.utils.clip_grad_norm_(pv.parameters(), float(cfg["max_grad_norm"]))
                opt.step()
                opt.zero_grad(set_to_none=True)

        # ---- 3. metrics (TRL's names), then the schedule
        with torch.no_grad():
            valid_all = (~padding_mask).float()
            ratio_t = torch.tensor(stats["ratio"])
            local = [float(kl.sum(1).mean()), float((-logprobs * valid_all).sum(1).mean()), float(non_score_reward.sum(1).mean()),
                     float(non_score_reward.sum(1).mean() + scores.mean()), float(scores.mean()), _avg(stats["approxkl"]),
                     _avg(stats["pg_clipfrac"]), _avg(stats["pg_loss"]), _avg(stats["vf_loss"]), _avg(stats["vf_clipfrac"]),
                     _avg(stats["entropy"]), float(ratio_t.mean()), float(ratio_t.var()) if len(ratio_t) > 1 else 0.0,
                     float(lengths.float().mean()), float(has_eos.sum())]
            g = all_mean(local)
        lr = sched.get_last_lr()[0]
        sched.step()
        step += 1
        now = time.time()
        new_tokens = float(lengths.sum()) * world
        log({"kind": "step", "step": step, "episode": step * G, "eps": (step * G - episodes_at_start) / max(1e-9, now - t0),
             "objective/kl": g[0], "objective/entropy": g[1], "objective/non_score_reward": g[2], "objective/rlhf_reward": g[3],
             "objective/scores": g[4], "policy/approxkl_avg": g[5], "policy/clipfrac_avg": g[6], "loss/policy_avg": g[7],
             "loss/value_avg": g[8], "val/clipfrac_avg": g[9], "policy/entropy_avg": g[10], "val/ratio": g[11], "val/ratio_var": g[12],
             "val/num_eos_tokens": round(g[14] * world), "response_length": g[13], "lr": lr,
             "tokens_per_s": new_tokens / max(1e-9, now - t_update), "interval_s": now - t_update})
        if held and (step % int(cfg["eval_every"]) == 0 or step == total_updates):
            evaluate(step)
            _barrier(dist)
        if step % int(cfg["save_every"]) == 0 and step < total_updates:
            if rank == 0:
                _save_state(out, step, policy, value, opt, sched, tok_dir, fp, int(cfg["save_total_limit"]))
            _barrier(dist)
            emit("checkpoint", step=step)

    if rank == 0:
        ckpt.save_checkpoint(policy, final_dir, tok_dir, extra_files={"trainer_state.json": {"step": step, "fingerprint": fp, "stage": "ppo", "episodes": step * G}})
    _barrier(dist)
    emit("done", step=step, final=final_dir)
    if dist is not None:
        dist.destroy_process_group()


def _ended(resp: list[int], eos: int) -> bool:
    """True when the response closed with EOS (rollout() appends it only when one was sampled)."""
    return bool(resp) and resp[-1] == eos


def _avg(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def _has_score_head(folder: str) -> bool:
    try:
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            return "GPT2ForSequenceClassification" in (json.load(f).get("architectures") or [])
    except (OSError, ValueError):
        return False


def _prompt_index(episode: int, n: int, seed: int) -> int:
    """The prompt of a global episode: epoch e = episode // n visits the prompts in a seeded permutation."""
    epoch, i = divmod(episode, n)
    cache = _prompt_index.__dict__.setdefault("perms", {})
    key = (n, seed, epoch)
    if key not in cache:
        cache[key] = torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch)).tolist()
    return cache[key][i]


def _save_state(out, step, policy, value, opt, sched, tok_dir, fp, keep):
    root = os.path.join(out, "checkpoints")
    os.makedirs(root, exist_ok=True)
    ckpt.save_checkpoint(policy, os.path.join(root, f"step-{step:07d}"), tok_dir, extra_files={
        "optimizer.pt": opt.state_dict(), "scheduler.pt": sched.state_dict(),
        "trainer_state.json": {"step": step, "fingerprint": fp, "stage": "ppo"},
    }, after_write=lambda tmp: ckpt.save_checkpoint(value, os.path.join(tmp, "value"), None))
    done = sorted(glob.glob(os.path.join(root, "step-*")))
    for old in done[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)


def _barrier(dist):
    if dist is not None:
        dist.barrier()
