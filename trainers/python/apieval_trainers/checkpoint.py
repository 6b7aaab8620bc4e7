"""Hugging Face checkpoint folders: config.json, model.safetensors (or pytorch_model.bin to read),
generation_config.json and the GPT-2 tokenizer files. Written atomically: into a temporary sibling folder
that is renamed into place, so a folder that exists is complete."""
from __future__ import annotations

import json
import os
import shutil

import torch

from . import safetensors_io
from .errors import StageError
from .model import SHAPES, GPT2Config, GPT2LMHeadModel, load_state_dict_hf
from .tokenizer import GPT2Tokenizer, write_tokenizer_configs


def read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except FileNotFoundError:
        raise StageError(f"{path}: no such file")
    except (ValueError, UnicodeDecodeError) as e:
        raise StageError(f"{path}: not valid JSON ({e})")
    if not isinstance(d, dict):
        raise StageError(f"{path}: expected a JSON object")
    return d


def load_config(folder: str) -> GPT2Config:
    if not os.path.isdir(folder):
        raise StageError(f"{folder}: no such checkpoint folder")
    path = os.path.join(folder, "config.json")
    if not os.path.isfile(path):
        raise StageError(f"{folder}: not a checkpoint folder (no config.json)")
    return GPT2Config.from_dict(read_json(path), path)


def load_weights(folder: str) -> tuple[dict, str]:
    st = os.path.join(folder, "model.safetensors")
    if os.path.isfile(st):
        return safetensors_io.load_file(st), st
    if os.path.isfile(os.path.join(folder, "model.safetensors.index.json")):
        index = read_json(os.path.join(folder, "model.safetensors.index.json"))
        sd: dict = {}
        for shard in sorted(set((index.get("weight_map") or {}).values())):
            sd.update(safetensors_io.load_file(os.path.join(folder, shard)))
        return sd, os.path.join(folder, "model.safetensors.index.json")
    pt = os.path.join(folder, "pytorch_model.bin")
    if os.path.isfile(pt):
        try:
            sd = torch.load(pt, map_location="cpu")
        except Exception as e:  # torch raises many kinds for a bad pickle
            raise StageError(f"{pt}: cannot read ({type(e).__name__}: {e})")
        if not isinstance(sd, dict):
            raise StageError(f"{pt}: not a state dict")
        return sd, pt
    raise StageError(f"{folder}: no weights (model.safetensors or pytorch_model.bin)")


def load_tokenizer(folder: str, cfg: GPT2Config) -> GPT2Tokenizer:
    tok = GPT2Tokenizer.from_dir(folder)
    if tok.vocab_size != cfg.vocab_size:
        raise StageError(f"{folder}: the tokenizer has {tok.vocab_size} tokens but the model's embedding has {cfg.vocab_size} rows (vocab_size in config.json)")
    return tok


def load_model(folder: str) -> GPT2LMHeadModel:
    cfg = load_config(folder)
    model = GPT2LMHeadModel(cfg)
    sd, src = load_weights(folder)
    load_state_dict_hf(model, sd, src)
    return model


def random_model(spec: str, seed: int, vocab_size: int = 50257, n_positions: int = 1024, dropout: float | None = None) -> GPT2LMHeadModel:
    """`random:tiny|small|medium|large|xl`: GPT-2 of that shape with transformers' initialisation."""
    name = spec.split(":", 1)[1] if spec.startswith("random:") else spec
    if name not in SHAPES:
        raise StageError(f"--init {spec}: unknown shape (random:{'|random:'.join(SHAPES)})")
    kw = dict(SHAPES[name], vocab_size=vocab_size, n_positions=n_positions)
    if dropout is not None:
        kw.update(resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout)
    model = GPT2LMHeadModel(GPT2Config(**kw))
    model.init_weights(seed)
    return model


def hf_state_dict(model: GPT2LMHeadModel) -> dict:
    """The keys transformers writes for GPT2LMHeadModel: tied lm_head.weight left out. (A model with its own
    layout, such as the reward model, says so with an hf_state_dict method.)"""
    if hasattr(model, "hf_state_dict"):
        return model.hf_state_dict()
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if not (k == "lm_head.weight" and model.lm_head is None)}


def save_checkpoint(model: GPT2LMHeadModel, folder: str, tokenizer_dir: str | None, generation: dict | None = None,
                    extra_files: dict[str, object] | None = None, dtype: torch.dtype | None = None,
                    move_in: list[str] | None = None, after_write=None) -> None:
    tmp = folder.rstrip("/") + f".tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    cfg = model.hf_config_dict() if hasattr(model, "hf_config_dict") else model.config.to_dict()
    sd = hf_state_dict(model)
    if dtype is not None:
        sd = {k: v.to(dtype) for k, v in sd.items()}
        cfg["torch_dtype"] = {torch.bfloat16: "bfloat16", torch.float16: "float16", torch.float32: "float32"}[dtype]
    with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    safetensors_io.save_file(sd, os.path.join(tmp, "model.safetensors"), {"format": "pt"})
    gen = {"bos_token_id": model.config.bos_token_id, "eos_token_id": model.config.eos_token_id, **(generation or {})}
    with open(os.path.join(tmp, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump(gen, f, indent=2, sort_keys=True)
    if tokenizer_dir:
        for name in ("vocab.json", "merges.txt"):
            shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(tmp, name))
        write_tokenizer_configs(tmp)
    for name, obj in (extra_files or {}).items():
        if name.endswith(".json"):
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                json.dump(obj, f, indent=2, sort_keys=True)
        else:
            torch.save(obj, os.path.join(tmp, name))
    if after_write is not None:
        after_write(tmp)
    for path in move_in or []:
        os.replace(path, os.path.join(tmp, os.path.basename(path)))
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.replace(tmp, folder)


def check_stage_config(cfg: dict) -> dict:
    """The model and tokenizer a sft / generate config names, validated the way the stage will load them
    (config.json architecture, weights file present, tokenizer size = embedding rows), weights not read."""
    if "checkpoint" in cfg or "sft" in cfg:
        folder = cfg.get("checkpoint") or cfg["sft"]
        tok_dir = cfg.get("tokenizer") or folder
    else:
        mspec = cfg.get("model") or {}
        folder = mspec.get("path")
        tok_dir = cfg.get("tokenizer") or folder
    if folder:
        mcfg = load_config(folder)
        if not any(os.path.isfile(os.path.join(folder, f)) for f in ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")):
            raise StageError(f"{folder}: no weights (model.safetensors or pytorch_model.bin)")
    else:
        init = (cfg.get("model") or {}).get("init", "")
        name = init.split(":", 1)[1] if init.startswith("random:") else init
        if name not in SHAPES:
            raise StageError(f"--init {init}: unknown shape (random:{'|random:'.join(SHAPES)})")
        if not tok_dir:
            raise StageError("a random model needs a tokenizer folder ('tokenizer' in the config)")
        mcfg = GPT2Config(**SHAPES[name])
    tok = load_tokenizer(tok_dir, mcfg)
    return {"n_layer": mcfg.n_layer, "n_embd": mcfg.n_embd, "n_head": mcfg.n_head, "n_positions": mcfg.n_positions,
            "vocab_size": mcfg.vocab_size, "tokenizer_size": tok.vocab_size}
