"""What the stages would run on: python, torch, devices, bf16, threads, distributed backends."""
from __future__ import annotations

import os
import sys


def report() -> dict:
    out: dict = {"python": sys.version.split()[0], "executable": sys.executable, "pid_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    try:
        import torch
    except ImportError as e:
        out["torch"] = None
        out["error"] = f"torch is not importable ({e})"
        return out
    out["torch"] = torch.__version__
    out["threads"] = torch.get_num_threads()
    out["cuda"] = torch.cuda.is_available()
    out["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if out["cuda"] else []
    out["bf16"] = bool(out["cuda"] and torch.cuda.is_bf16_supported())
    out["compile"] = hasattr(torch, "compile")
    out["sdpa"] = hasattr(torch.nn.functional, "scaled_dot_product_attention")
    import torch.distributed as dist
    out["distributed"] = dist.is_available()
    out["gloo"] = bool(dist.is_available() and dist.is_gloo_available())
    out["nccl"] = bool(dist.is_available() and out["cuda"] and dist.is_nccl_available())
    try:
        import regex  # noqa: F401
        out["regex"] = True
    except ImportError:
        out["regex"] = False
    try:
        import transformers  # noqa: F401
        out["transformers"] = transformers.__version__
    except ImportError:
        out["transformers"] = None
    return out
