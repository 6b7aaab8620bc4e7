"""
Census of what APIBench reference programs use (issue 13: which libraries the `hub` profile must emulate).

Reads JSON Lines of {"qid", "code"} (the reference programs the gold gate runs: `apieval` writes them with
`node --import tsx bench/hub-census.ts`), parses each with Python's own `ast` and counts, per program:
top-level modules imported; names imported from each module (`from m import a, b`, and `m.a` uses of an
imported module); pipeline tasks (`pipeline('task', …)` / `pipeline(task='…')`); model ids given to
`from_pretrained` / `pipeline(model=…)`; placeholder inputs (string literals that name files or URLs).
Prints one JSON object. Standard library only (runs under any Python 3.8+).
"""
import ast
import json
import re
import sys
from collections import Counter, defaultdict

FILE_RE = re.compile(r"\.(jpe?g|png|gif|bmp|tiff?|wav|mp3|flac|ogg|m4a|mp4|avi|csv|json|txt|pdf|tsv|xlsx?|parquet|npy|pt|bin|zip)$", re.I)
URL_RE = re.compile(r"^https?://")


def dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def ranked(counter):
    """Most frequent first, ties by name: the same output on every run (sets iterate in hash order)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))


def census(programs):
    syntax_errors = []
    modules = Counter()  # programs importing each top-level module
    names = defaultdict(Counter)  # module -> name -> programs
    tasks = Counter()
    model_ids = Counter()
    inputs = Counter()  # kind -> programs
    per_program = {}
    for p in programs:
        qid, code = p["qid"], p["code"]
        try:
            tree = ast.parse(code)
        except SyntaxError as e:
            syntax_errors.append({"qid": qid, "error": f"{e.msg} (line {e.lineno})"})
            continue
        mods, used = set(), defaultdict(set)
        aliases = {}  # local name -> module (import m as x)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    mods.add(top)
                    aliases[a.asname or top] = a.name if a.asname else top
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                mods.add(top)
                for a in node.names:
                    used[node.module].add(a.name)
        kinds = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                used[aliases[node.value.id]].add(node.attr)
            if isinstance(node, ast.Call):
                fn = dotted(node.func) or ""
                last = fn.split(".")[-1]
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                kw = {k.arg: k.value.value for k in node.keywords if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
                if last == "pipeline":
                    t = kw.get("task") or (args[0] if args else None)
                    if t:
                        tasks[t] += 1
                    if kw.get("model"):
                        model_ids[kw["model"]] += 1
                    elif len(args) > 1:
                        model_ids[args[1]] += 1
                if last == "from_pretrained":
                    mid = kw.get("pretrained_model_name_or_path") or (args[0] if args else None)
                    if mid:
                        model_ids[mid] += 1
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value.strip()
                if URL_RE.match(s):
                    kinds.add("url")
                elif FILE_RE.search(s) and "\n" not in s and len(s) < 200:
                    kinds.add("file:" + FILE_RE.search(s).group(1).lower())
        for m in mods:
            modules[m] += 1
        for m, ns in used.items():
            for n in ns:
                names[m][n] += 1
        for k in kinds:
            inputs[k] += 1
        per_program[qid] = sorted(mods)
    return {
        "programs": len(programs),
        "syntax_errors": syntax_errors,
        "modules": ranked(modules),
        "names": {m: ranked(c) for m, c in sorted(names.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))},
        "pipeline_tasks": ranked(tasks),
        "model_ids": len(model_ids),
        "model_id_uses": sum(model_ids.values()),
        "inputs": ranked(inputs),
        "per_program": {str(q): m for q, m in sorted(per_program.items())},
    }


if __name__ == "__main__":
    programs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    json.dump(census(programs), sys.stdout, indent=1)
    sys.stdout.write("\n")
