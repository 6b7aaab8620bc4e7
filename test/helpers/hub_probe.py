"""
Runs snippets against apieval's hub runtime (sandbox/hub/runtime) in one interpreter and prints, per snippet,
whether it raised and what: {"ok", "type", "module", "message", "value"}. Reads a JSON list of snippets on
stdin; each runs in a fresh namespace after `apieval_hub.install()`; `value` is repr() of the snippet's
variable `result` if it set one.
"""
import json
import sys

import apieval_hub

apieval_hub.install()
out = []
for code in json.load(sys.stdin):
    ns = {}
    try:
        exec(compile(code, "<probe>", "exec"), ns)
        out.append({"ok": True, "value": repr(ns["result"]) if "result" in ns else None})
    except BaseException as e:  # noqa: B902 - every outcome is reported
        out.append({"ok": False, "type": type(e).__name__, "module": type(e).__module__, "message": str(e)})
print(json.dumps(out))
