"""`python -m apieval_trainers STAGE --config FILE` — the stage contract apieval's CLI drives.

Stages: sft, reward, ppo, generate, init (a random GPT-2 checkpoint), tokenize (stdin JSONL {"text"} -> {"ids"}),
check (validates a sft/generate config's model and tokenizer without loading weights, so that a launcher of
several processes reports bad input once), doctor (JSON report). Progress is JSON lines on stdout; a user error is one line on stderr and exit 2.
"""
from __future__ import annotations

import argparse
import json
import sys

from .errors import StageError


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m apieval_trainers")
    ap.add_argument("stage", choices=["sft", "reward", "ppo", "generate", "init", "tokenize", "check", "doctor"])
    ap.add_argument("--config")
    ap.add_argument("--tokenizer")
    ap.add_argument("--init", default="random:tiny")
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dropout", type=float)
    a = ap.parse_args(argv)
    try:
        if a.stage == "doctor":
            from .doctor import report
            print(json.dumps(report()))
            return 0
        if a.stage == "tokenize":
            from .tokenizer import GPT2Tokenizer
            tok = GPT2Tokenizer.from_dir(a.tokenizer)
            for line in sys.stdin:
                if line.strip():
                    rec = json.loads(line)
                    sys.stdout.write(json.dumps({"ids": tok.encode(rec["text"], allow_special=rec.get("special", True))}) + "\n")
            return 0
        if a.stage == "init":
            from . import checkpoint as ckpt
            model = ckpt.random_model(a.init, a.seed, dropout=a.dropout)
            ckpt.load_tokenizer(a.tokenizer, model.config)
            ckpt.save_checkpoint(model, a.out, a.tokenizer)
            return 0
        if not a.config:
            raise StageError(f"{a.stage}: --config FILE is required")
        from .checkpoint import read_json
        cfg = read_json(a.config)
        if a.stage == "check":
            from .checkpoint import check_stage_config
            print(json.dumps(check_stage_config(cfg)))
            return 0
        if a.stage == "sft":
            from .sft import run
        elif a.stage == "reward":
            from .reward import run
        elif a.stage == "ppo":
            from .ppo import run
        else:
            from .generate import run
        run(cfg)
        return 0
    except StageError as e:
        sys.stderr.write(f"{e}\n")
        return e.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
