"""GPT-2's byte-level BPE tokenizer, read from Hugging Face's `vocab.json` + `merges.txt`.

Port of OpenAI's gpt-2 `src/encoder.py` (bytes_to_unicode, the pre-tokenizer regex, the greedy lowest-rank
merge loop), plus what Hugging Face's `GPT2Tokenizer` adds: special tokens such as `<|endoftext|>` are split
out of the text before BPE and map to their own id, and decoding replaces invalid UTF-8 with U+FFFD.
Needs the `regex` module for `\\p{L}` / `\\p{N}` (Debian: python3-regex), exactly as encoder.py does.
A test checks it token for token against the npm package gpt-tokenizer's r50k_base (an independent
implementation of the same encoding) on every APIBench text and on random Unicode.
"""
from __future__ import annotations

import json
import re as _stdre
import os
from functools import lru_cache

from .errors import StageError

try:
    import regex as _re
except ImportError:  # pragma: no cover - depends on the machine
    _re = None

PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
EOT = "<|endoftext|>"
_SURROGATE = _stdre.compile("[\ud800-\udfff]")


@lru_cache()
def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def _pairs(word: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


class GPT2Tokenizer:
    def __init__(self, encoder: dict[str, int], merges: list[tuple[str, str]], special_tokens: list[str] | None = None):
        if _re is None:
            raise StageError("the Python module 'regex' is missing (GPT-2's pre-tokenizer needs \\p{L}); install python3-regex")
        self.encoder = encoder
        self.decoder = {v: k for k, v in encoder.items()}
        self.bpe_ranks = {pair: i for i, pair in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        self.pat = _re.compile(PATTERN)
        self.special_tokens = [t for t in (special_tokens or [EOT]) if t in encoder]
        self.special_pat = _re.compile("(" + "|".join(_re.escape(t) for t in sorted(self.special_tokens, key=len, reverse=True)) + ")") if self.special_tokens else None
        self.cache: dict[str, list[str]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.encoder)

    @property
    def eos_token_id(self) -> int:
        return self.encoder[EOT]

    @classmethod
    def from_dir(cls, folder: str) -> "GPT2Tokenizer":
        vocab, merges = os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt")
        for p in (vocab, merges):
            if not os.path.isfile(p):
                raise StageError(f"{folder}: no tokenizer here ({os.path.basename(p)} is missing; a GPT-2 tokenizer needs vocab.json and merges.txt)")
        try:
            with open(vocab, encoding="utf-8") as f:
                encoder = json.load(f)
        except (ValueError, UnicodeDecodeError) as e:
            raise StageError(f"{vocab}: not a JSON vocabulary ({e})")
        if not isinstance(encoder, dict) or not all(isinstance(v, int) for v in encoder.values()):
            raise StageError(f"{vocab}: expected an object of token -> integer id")
        merges_list = []
        with open(merges, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if lineno == 1 and line.startswith("#version"):
                    continue
                if not line.strip():
                    continue
                parts = line.split(" ")
                if len(parts) != 2:
                    raise StageError(f"{merges}:{lineno}: expected two symbols separated by one space")
                merges_list.append((parts[0], parts[1]))
        return cls(encoder, merges_list)

    def bpe(self, token: str) -> list[str]:
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        word = tuple(token)
        pairs = _pairs(word)
        if not pairs:
            return [token]
        while True:
            bigram = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word: list[str] = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                new_word.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = _pairs(word)
        out = list(word)
        if len(self.cache) < 100_000:
            self.cache[token] = out
        return out

    def _encode_ordinary(self, text: str, out: list[int]) -> None:
        for piece in self.pat.findall(text):
            chars = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            for t in self.bpe(chars):
                out.append(self.encoder[t])

    def encode(self, text: str, allow_special: bool = True) -> list[int]:
        """Token ids of `text`. Special tokens written in the text become their id (Hugging Face's default)."""
        out: list[int] = []
        if _SURROGATE.search(text):
            # A lone surrogate (possible in JSON text) has no UTF-8 form: U+FFFD, as a browser's TextEncoder does.
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if allow_special and self.special_pat is not None and any(t in text for t in self.special_tokens):
            for part in self.special_pat.split(text):
                if part in self.encoder and part in self.special_tokens:
                    out.append(self.encoder[part])
                elif part:
                    self._encode_ordinary(part, out)
        else:
            self._encode_ordinary(text, out)
        return out

    def decode(self, ids: list[int]) -> str:
        text = "".join(self.decoder[i] for i in ids)
        return bytearray(self.byte_decoder[c] for c in text).decode("utf-8", errors="replace")

    def save(self, folder: str) -> None:
        """Writes vocab.json, merges.txt and the two small JSON files transformers reads."""
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(self.encoder, f, ensure_ascii=False)
        with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n")
            for a, b in sorted(self.bpe_ranks, key=self.bpe_ranks.get):
                f.write(f"{a} {b}\n")
        write_tokenizer_configs(folder)


def write_tokenizer_configs(folder: str) -> None:
    special = {"bos_token": EOT, "eos_token": EOT, "unk_token": EOT}
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "GPT2Tokenizer", "model_max_length": 1024, "add_prefix_space": False, "errors": "replace", **special}, f, indent=2)
    tok = GPT2Tokenizer.from_dir(folder)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(fast_tokenizer_json(tok), f, ensure_ascii=False)


def fast_tokenizer_json(tok: "GPT2Tokenizer") -> dict:
    """The `tokenizers` library's serialisation of this tokenizer (what transformers' GPT2TokenizerFast and
    tokenizers.js read; the same fields as openai-community/gpt2's tokenizer.json)."""
    bl = {"add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    eot = tok.encoder.get(EOT)
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [] if eot is None else [{"id": eot, "content": EOT, "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", **bl},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": tok.encoder,
                  "merges": [f"{a} {b}" for (a, b), _ in sorted(tok.bpe_ranks.items(), key=lambda x: x[1])]},
    }
