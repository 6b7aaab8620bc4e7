"""`python -m apieval_trainers.torchrun ARGS` = `torchrun ARGS`, with one compatibility fix.

torch < 2.0 on Python 3.11 (Debian's python3-torch 1.13) cannot parse its own `--redirects`/`--tee` default:
`Std.from_str` compares an Enum member with an int, which is never equal there, so every launch dies with
"'NoneType' object has no attribute 'get'". This replaces that one function with a correct parse and then
runs torch's own launcher (elastic agent, c10d rendezvous on this machine) unchanged.
"""
import re
import sys


def _patch() -> None:
    from torch.distributed.elastic.multiprocessing import api

    Std = api.Std
    probe = Std.from_str("0")
    if probe is not None:
        return  # this torch parses it already

    def from_str(cls, vm: str):
        if re.fullmatch(r"[0-3]", vm):
            return Std(int(vm))
        if re.fullmatch(r"(\d:[0-3],)*\d:[0-3]", vm):
            return {int(i): Std(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
        raise ValueError(f"{vm} does not match a number or a mapping such as 0:3,1:0")

    Std.from_str = classmethod(from_str)


if __name__ == "__main__":
    _patch()
    from torch.distributed.run import main

    sys.exit(main(sys.argv[1:]))
