"""Events on stdout (one JSON object a line: what the TypeScript driver streams), JSONL inputs read with
`file:line` errors, and the device / precision choices shared by the stages."""
from __future__ import annotations

import json
import os
import sys

from contextlib import nullcontext

import torch

from .errors import StageError


_stdout_open = True


def emit(event: str, **fields) -> None:
    """One progress event on stdout (rank 0 only). A reader that went away does not stop the work."""
    global _stdout_open
    if int(os.environ.get("RANK", "0")) != 0 or not _stdout_open:
        return
    try:
        sys.stdout.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        _stdout_open = False


def read_jsonl(path: str, required: tuple[str, ...]) -> list[dict]:
    out = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise StageError(f"{path}: cannot read ({e.strerror})")
    with f:
        try:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    raise StageError(f"{path}:{lineno}: invalid JSON ({e})")
                if not isinstance(rec, dict):
                    raise StageError(f"{path}:{lineno}: expected a JSON object")
                for k in required:
                    if k not in rec:
                        raise StageError(f"{path}:{lineno}: field '{k}' is missing")
                out.append(rec)
        except UnicodeDecodeError as e:
            raise StageError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})")
    return out


def pick_device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise StageError(f"--device {name}: this torch ({torch.__version__}) sees no CUDA device")
    if name not in ("cpu",) and not name.startswith("cuda"):
        raise StageError(f"--device {name}: expected cpu, cuda or auto")
    return name


def setup_distributed(device: str, threads=None):
    """(device, torch.distributed or None, world size, rank) under torchrun (nccl on CUDA, one device per
    local rank; gloo on CPU), and the CPU thread count (the cores shared by the processes)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "cpu":
        torch.set_num_threads(max(1, int(threads or (os.cpu_count() or 1) // world)))
    if world == 1:
        return device, None, 1, 0
    import torch.distributed as dist
    if device.startswith("cuda"):
        if local_rank >= torch.cuda.device_count():
            raise StageError(f"--nproc {world}: only {torch.cuda.device_count()} CUDA device(s) here")
        device = f"cuda:{local_rank}"
        torch.cuda.set_device(device)
    dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    return device, dist, world, rank


def bf16_ok(device: str) -> bool:
    return device.startswith("cuda") and torch.cuda.is_bf16_supported()


def bf16_autocast(asked, device: str):
    """(use_bf16, autocast): bf16 autocast as a stage's `bf16` option asks (True, False or "auto": where the
    device supports it); True on a device without bf16 is an error, not a silent fp32 run."""
    use_bf16 = asked is True or (asked == "auto" and bf16_ok(device))
    if use_bf16 and not bf16_ok(device):
        raise StageError(f"bf16 was asked for but {device} has no bf16 support")

    def autocast():
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_bf16 else nullcontext()

    return use_bf16, autocast


# Dense bf16 tensor-core peaks (FLOP/s) by device name, for the MFU estimate (nanoGPT's estimate_mfu idea).
PEAK_BF16 = {"H100": 989.4e12, "H200": 989.4e12, "A100": 312e12, "L40S": 362e12, "A10G": 125e12, "RTX 4090": 165e12, "V100": 125e12}


def peak_flops(device: str, override: float | None) -> float | None:
    if override:
        return override
    if not device.startswith("cuda"):
        return None
    name = torch.cuda.get_device_name(torch.device(device))
    for k, v in PEAK_BF16.items():
        if k in name:
            return v
    return None
