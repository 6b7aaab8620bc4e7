"""The safetensors file format, read and written here without the `safetensors` package.

Layout (github.com/huggingface/safetensors, "Format"): 8 bytes little-endian u64 N, then N bytes of UTF-8
JSON `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}` (offsets
relative to the byte after the header; the header may be padded with spaces), then the raw little-endian
tensor bytes, contiguous and without gaps. Like the reference library, the writer orders tensors by name,
pads the header to a multiple of 8 bytes and refuses tensors that share memory; the reader checks every
offset, dtype and shape instead of trusting them.
"""
from __future__ import annotations

import json
import os
import struct
import sys

import torch

from .errors import StageError

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 100_000_000  # the reference library's limit

if sys.byteorder != "little":  # pragma: no cover
    raise ImportError("safetensors_io assumes a little-endian machine")


def _raw_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu().reshape(-1)
    if t.numel() == 0:
        return b""
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.view(torch.uint8).numpy().tobytes()


def save_file(tensors: dict[str, torch.Tensor], path: str, metadata: dict[str, str] | None = None) -> None:
    """Writes `tensors` to `path` atomically (temporary sibling + rename)."""
    ptrs: dict[tuple[int, int], str] = {}
    for name, t in tensors.items():
        if t.dtype not in NAMES:
            raise StageError(f"{path}: tensor {name} has dtype {t.dtype}, which safetensors cannot store")
        if t.numel() > 0:
            key = (t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr(), t.storage_offset())
            if key in ptrs:
                raise StageError(f"{path}: tensors {ptrs[key]} and {name} share memory (save one of them only)")
            ptrs[key] = name
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        b = _raw_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_header(path: str) -> tuple[dict, int]:
    """The parsed JSON header and the file offset where tensor data starts."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise StageError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
        (n,) = struct.unpack("<Q", head)
        if n > MAX_HEADER or 8 + n > size:
            raise StageError(f"{path}: not a safetensors file (header length {n} does not fit a {size}-byte file)")
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise StageError(f"{path}: safetensors header is not JSON ({e})")
    if not isinstance(header, dict):
        raise StageError(f"{path}: safetensors header is not a JSON object")
    return header, 8 + n


def load_file(path: str, device: str = "cpu") -> dict[str, torch.Tensor]:
    header, start = read_header(path)
    size = os.path.getsize(path)
    entries = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict) or info.get("dtype") not in DTYPES or not isinstance(info.get("shape"), list) or not isinstance(info.get("data_offsets"), list) or len(info["data_offsets"]) != 2:
            raise StageError(f"{path}: tensor {name}: malformed header entry {json.dumps(info)[:120]}")
        entries.append((info["data_offsets"][0], info["data_offsets"][1], name, info))
    entries.sort()
    expect = 0
    out: dict[str, torch.Tensor] = {}
    with open(path, "rb") as f:
        for begin, end, name, info in entries:
            dtype = DTYPES[info["dtype"]]
            shape = info["shape"]
            if begin != expect or end < begin or start + end > size:
                raise StageError(f"{path}: tensor {name}: data offsets {begin}..{end} are not contiguous or run past the file")
            numel = 1
            for d in shape:
                if not isinstance(d, int) or d < 0:
                    raise StageError(f"{path}: tensor {name}: bad shape {shape}")
                numel *= d
            itemsize = torch.empty((), dtype=dtype).element_size()
            if numel * itemsize != end - begin:
                raise StageError(f"{path}: tensor {name}: shape {shape} of {info['dtype']} needs {numel * itemsize} bytes, the header gives {end - begin}")
            expect = end
            buf = bytearray(end - begin)
            f.seek(start + begin)
            f.readinto(buf)
            if numel == 0:
                t = torch.empty(shape, dtype=dtype)
            elif dtype == torch.bool:
                t = torch.frombuffer(buf, dtype=torch.uint8).to(torch.bool).reshape(shape)
            else:
                t = torch.frombuffer(buf, dtype=dtype).reshape(shape)
            out[name] = t.to(device) if device != "cpu" else t
    if start + expect != size:
        raise StageError(f"{path}: {size - start - expect} bytes after the last tensor (truncated or corrupt file)")
    return out


def metadata(path: str) -> dict[str, str]:
    header, _ = read_header(path)
    m = header.get("__metadata__") or {}
    return m if isinstance(m, dict) else {}
