"""GPT-2 in plain PyTorch, with Hugging Face's module and parameter names.

Follows transformers' `modeling_gpt2.py` (GPT2LMHeadModel, eager attention): the same state-dict keys
(`transformer.wte.weight`, `transformer.h.{i}.attn.c_attn.weight`, ...), Conv1D layers stored as
[in_features, out_features] (the transpose of nn.Linear, so checkpoints load without transposing), `lm_head`
tied to `wte`, and the `attn.bias` / `attn.masked_bias` buffers of old checkpoints ignored (the causal mask
is built on the fly). Positions come from the attention mask (cumsum - 1), as transformers' generate() does,
so left-padded batches give each row the positions it would have alone.
"""
from __future__ import annotations

from contextlib import nullcontext

import math
from dataclasses import asdict, dataclass, field, fields

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

from .errors import StageError

ACTIVATIONS = {
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_fast": lambda x: F.gelu(x, approximate="tanh"),
    "gelu": F.gelu,
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
}

GPT2_ARCHITECTURES = {"GPT2LMHeadModel", "GPT2Model", "GPT2ForSequenceClassification", "GPT2DoubleHeadsModel", "GPT2ForTokenClassification"}


@dataclass
class GPT2Config:
    vocab_size: int = 50257
    n_positions: int = 1024
    n_embd: int = 768
    n_layer: int = 12
    n_head: int = 12
    n_inner: int | None = None
    activation_function: str = "gelu_new"
    resid_pdrop: float = 0.1
    embd_pdrop: float = 0.1
    attn_pdrop: float = 0.1
    layer_norm_epsilon: float = 1e-5
    initializer_range: float = 0.02
    scale_attn_weights: bool = True
    scale_attn_by_inverse_layer_idx: bool = False
    reorder_and_upcast_attn: bool = False
    bos_token_id: int = 50256
    eos_token_id: int = 50256
    tie_word_embeddings: bool = True
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict, source: str = "config.json") -> "GPT2Config":
        model_type = d.get("model_type")
        archs = d.get("architectures") or []
        if model_type != "gpt2" and not (set(archs) & GPT2_ARCHITECTURES):
            what = f"model_type '{model_type}'" if model_type else f"architectures {archs}" if archs else "no model_type"
            raise StageError(f"{source}: a config of another architecture ({what}); apieval's trainers load GPT-2 (model_type 'gpt2')")
        known = {f.name for f in fields(cls)} - {"extra"}
        kw = {k: d[k] for k in known if k in d and d[k] is not None or k == "n_inner" and k in d}
        cfg = cls(**kw, extra={k: v for k, v in d.items() if k not in known})
        if cfg.activation_function not in ACTIVATIONS:
            raise StageError(f"{source}: activation_function '{cfg.activation_function}' is not supported (one of {', '.join(ACTIVATIONS)})")
        if cfg.n_embd % cfg.n_head != 0:
            raise StageError(f"{source}: n_embd {cfg.n_embd} is not a multiple of n_head {cfg.n_head}")
        return cfg

    def to_dict(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        out = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", **{k: v for k, v in extra.items() if k not in ("architectures", "model_type")}}
        out.update(d)
        out["n_ctx"] = self.n_positions
        out.setdefault("torch_dtype", "float32")
        return out


# GPT-2's released shapes (openai-community/gpt2, gpt2-medium, gpt2-large, gpt2-xl) and a tiny one for tests.
SHAPES = {
    "tiny": dict(n_layer=2, n_embd=64, n_head=2),
    "small": dict(n_layer=12, n_embd=768, n_head=12),
    "medium": dict(n_layer=24, n_embd=1024, n_head=16),
    "large": dict(n_layer=36, n_embd=1280, n_head=20),
    "xl": dict(n_layer=48, n_embd=1600, n_head=25),
}


class Conv1D(nn.Module):
    """transformers' Conv1D: y = x W + b with W of shape [in, out]."""

    def __init__(self, nf: int, nx: int):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape[:-1] + (self.nf,)
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(shape)


class Attention(nn.Module):
    def __init__(self, cfg: GPT2Config, layer_idx: int):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.scale = (1.0 / math.sqrt(self.head_dim) if cfg.scale_attn_weights else 1.0) / (layer_idx + 1 if cfg.scale_attn_by_inverse_layer_idx else 1)
        self.c_attn = Conv1D(3 * cfg.n_embd, cfg.n_embd)
        self.c_proj = Conv1D(cfg.n_embd, cfg.n_embd)
        self.attn_dropout = nn.Dropout(cfg.attn_pdrop)
        self.resid_dropout = nn.Dropout(cfg.resid_pdrop)

    def forward(self, x, allowed, past=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        w = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        w = w.masked_fill(~allowed, torch.finfo(w.dtype).min)
        w = F.softmax(w, dim=-1).to(v.dtype)
        w = self.attn_dropout(w)
        y = torch.matmul(w, v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y)), present


class MLP(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        inner = cfg.n_inner or 4 * cfg.n_embd
        self.c_fc = Conv1D(inner, cfg.n_embd)
        self.c_proj = Conv1D(cfg.n_embd, inner)
        self.act = ACTIVATIONS[cfg.activation_function]
        self.dropout = nn.Dropout(cfg.resid_pdrop)

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg: GPT2Config, layer_idx: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = Attention(cfg, layer_idx)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = MLP(cfg)

    def forward(self, x, allowed, past=None):
        a, present = self.attn(self.ln_1(x), allowed, past)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, present


class GPT2Model(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.drop = nn.Dropout(cfg.embd_pdrop)
        self.h = nn.ModuleList([Block(cfg, i) for i in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.config = cfg
        self.transformer = GPT2Model(cfg)
        self.lm_head = None if cfg.tie_word_embeddings else nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.gradient_checkpointing = False

    def init_weights(self, seed: int) -> None:
        """transformers' GPT2PreTrainedModel._init_weights, from a seeded generator."""
        g = torch.Generator().manual_seed(seed)
        std = self.config.initializer_range
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith(".bias"):
                    p.zero_()
                elif ".ln_" in name or name.startswith("transformer.ln_f"):
                    p.fill_(1.0)
                elif name.endswith("c_proj.weight"):
                    p.copy_(torch.randn(p.shape, generator=g) * (std / math.sqrt(2 * self.config.n_layer)))
                else:
                    p.copy_(torch.randn(p.shape, generator=g) * std)

    def num_params(self, non_embedding: bool = False) -> int:
        n = sum(p.numel() for p in self.parameters())
        return n - self.transformer.wpe.weight.numel() if non_embedding else n

    def forward(self, input_ids, attention_mask=None, past_key_values=None, use_cache=False, return_hidden=False):
        """Logits [B, T, V] (and the new KV cache). `attention_mask` covers past + current tokens."""
        B, T = input_ids.shape
        past_len = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        total = past_len + T
        dev = input_ids.device
        if attention_mask is None:
            attention_mask = torch.ones(B, total, dtype=torch.long, device=dev)
        if attention_mask.shape != (B, total):
            raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)}, expected {(B, total)}")
        mask = attention_mask.bool()
        if total > self.config.n_positions:
            raise StageError(f"sequence of {total} tokens is longer than the model's n_positions {self.config.n_positions}")
        pos = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)[:, past_len:]
        # allowed[b, 1, i, j]: query i (absolute past_len + i) may attend key j: causal, key not padding, and
        # always itself (so a padding row is never fully masked; its output is never used).
        qi = torch.arange(past_len, total, device=dev)[:, None]
        kj = torch.arange(total, device=dev)[None, :]
        allowed = ((kj <= qi)[None] & mask[:, None, :]) | (kj == qi)[None]
        allowed = allowed[:, None]
        x = self.transformer.drop(self.transformer.wte(input_ids) + self.transformer.wpe(pos))
        presents = []
        for i, block in enumerate(self.transformer.h):
            past = None if past_key_values is None else past_key_values[i]
            if self.gradient_checkpointing and self.training and not use_cache:
                x, present = torch.utils.checkpoint.checkpoint(block, x, allowed, None, use_reentrant=False)
            else:
                x, present = block(x, allowed, past)
            if use_cache:
                presents.append(present)
        x = self.transformer.ln_f(x)
        if return_hidden:
            return x
        w = self.transformer.wte.weight if self.lm_head is None else self.lm_head.weight
        logits = F.linear(x, w)
        return (logits, presents) if use_cache else logits


def load_state_dict_hf(model: GPT2LMHeadModel, sd: dict, source: str) -> None:
    """Loads a transformers GPT-2 state dict: keys with or without the `transformer.` prefix, buffers ignored."""
    own = model.state_dict()
    got = {}
    for k, v in sd.items():
        if k.endswith(".attn.bias") and v.dim() == 4 or k.endswith(".attn.masked_bias"):
            continue
        key = k if k.startswith("transformer.") or k.startswith("lm_head.") else "transformer." + k
        if key == "lm_head.weight" and model.lm_head is None:
            continue  # tied: transformers drops it on save, older checkpoints keep a copy
        got[key] = v
    missing = [k for k in own if k not in got]
    unexpected = [k for k in got if k not in own]
    if missing or unexpected:
        raise StageError(f"{source}: weights do not fit the GPT-2 config (missing {missing[:3]}{'…' if len(missing) > 3 else ''}, unexpected {unexpected[:3]}{'…' if len(unexpected) > 3 else ''})")
    for k, v in got.items():
        if tuple(v.shape) != tuple(own[k].shape):
            raise StageError(f"{source}: {k} has shape {tuple(v.shape)}, the config gives {tuple(own[k].shape)}")
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in got.items()}, strict=True)


# ------------------------------------------------------------------------------------------------------
# Generation


def filter_logits(logits: torch.Tensor, top_k: int | None, top_p: float | None) -> torch.Tensor:
    """transformers' TopKLogitsWarper then TopPLogitsWarper (keeps at least one token)."""
    if top_k is not None and 0 < top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1, None]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, sorted_idx = torch.sort(logits, descending=False, dim=-1)
        cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        remove_sorted = cum <= (1 - top_p)
        remove_sorted[..., -1:] = False
        remove = remove_sorted.scatter(-1, sorted_idx, remove_sorted)
        logits = logits.masked_fill(remove, float("-inf"))
    return logits


@torch.no_grad()
def generate(model: GPT2LMHeadModel, prompts: list[list[int]], *, max_new_tokens: int, eos_id: int, pad_id: int,
             temperature: float = 0.0, top_p: float | None = None, top_k: int | None = None,
             generators: list[torch.Generator] | None = None, use_cache: bool = True, device="cpu",
             autocast_dtype=None) -> list[list[int]]:
    """Left-padded batched decoding; greedy when temperature is 0. Each row samples from its own generator,
    so a row's tokens do not depend on what else is in its batch. Stops a row at EOS (not returned)."""
    B = len(prompts)
    L = max(len(p) for p in prompts)
    ids = torch.full((B, L), pad_id, dtype=torch.long)
    mask = torch.zeros((B, L), dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, L - len(p):] = torch.tensor(p, dtype=torch.long)
        mask[i, L - len(p):] = 1
    ids, mask = ids.to(device), mask.to(device)
    out: list[list[int]] = [[] for _ in range(B)]
    done = torch.zeros(B, dtype=torch.bool, device=device)
    past = None
    cur = ids
    seq = ids
    for _ in range(max_new_tokens):
        with torch.autocast(device_type="cuda", dtype=autocast_dtype) if autocast_dtype is not None else nullcontext():
            if use_cache:
                logits, past = model(cur, attention_mask=mask, past_key_values=past, use_cache=True)
            else:
                logits = model(seq, attention_mask=mask)
        nxt = logits[:, -1, :].float()
        if temperature and temperature > 0:
            nxt = filter_logits(nxt / temperature, top_k, top_p)
            probs = nxt.softmax(dim=-1).cpu()
            tok = torch.stack([torch.multinomial(probs[i], 1, generator=generators[i] if generators else None)[0] for i in range(B)]).to(device)
        else:
            tok = nxt.argmax(dim=-1)
        tok = torch.where(done, torch.full_like(tok, pad_id), tok)
        for i in range(B):
            if not done[i] and tok[i].item() != eos_id:
                out[i].append(int(tok[i].item()))
        done = done | (tok == eos_id)
        if bool(done.all()):
            break
        cur = tok[:, None]
        seq = torch.cat([seq, cur], dim=1)
        mask = torch.cat([mask, torch.ones((B, 1), dtype=mask.dtype, device=device)], dim=1)
    return out
