"""
The hub profile's discrimination corpus (issue 13): from reference programs that run `ok` in the profile, derive
programs that must fail — and with which outcome — and rewrites that must still run.

    python3 sandbox/hub/discrimination.py REFERENCES_JSONL OK_IDS_FILE [--seed 0] > corpus.jsonl
    apieval exec --profile hub --input corpus.jsonl --output results.jsonl
    python3 sandbox/hub/discrimination.py --score corpus.jsonl results.jsonl

REFERENCES_JSONL holds {"qid", "code"}; OK_IDS_FILE one question id per line (the references that ran ok).
Each output line is {"id", "qid", "kind", "expected", "split", "code"}: `expected` is an outcome class for a
broken program, "ok" for a meaning-preserving rewrite; `split` is "dev" or "heldout" by question id (odd ids are
held out). Kinds, each applied where the program allows it (one mutation per kind and program):

- broken: `import_name` (an imported name the library does not export), `misspelled_class` (a class misspelled
  where it is used: its name is then undefined), `task` (a pipeline task the release does not have),
  `attribute` (a method the object does not have), `model_id` (a model id not on the Hub), `undefined_variable`
  (a use of a variable the program never defines), `missing_import` (an import statement removed);
- preserving: `comments` (comment lines added), `renamed` (a variable renamed everywhere), `reordered` (two
  adjacent independent import statements swapped), `reformatted` (the program as `ast.unparse` prints it).

Python's `ast` only, deterministic for a seed.
"""
import argparse
import ast
import json
import random
import sys

LIBS = {"transformers", "diffusers", "sentence_transformers", "huggingface_hub", "datasets"}


def misspell(name, rng):
    """A near miss of `name`: two adjacent letters swapped, or one doubled."""
    if len(name) > 3 and rng.random() < 0.5:
        i = rng.randrange(1, len(name) - 2)
        if name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    i = rng.randrange(1, len(name))
    return name[:i] + name[i] + name[i:]


def live(tree):
    """The nodes of the statements that run when the module runs: function and class bodies are left out (a
    mutation there may never execute, and would then not make a broken program)."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield from ast.walk(stmt)


def defined_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def lib_imports(tree):
    """(statement, alias) of every `from <lib> import Name` of an emulated library, in order."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in LIBS and node.level == 0:
            for a in node.names:
                if a.name != "*":
                    out.append((node, a))
    return out


def replace_segment(code, node, new_text):
    lines = code.split("\n")
    start, end = node.lineno - 1, node.end_lineno - 1
    before = lines[start][: node.col_offset]
    after = lines[end][node.end_col_offset:]
    return "\n".join(lines[:start] + [before + new_text + after] + lines[end + 1:])


def m_import_name(code, tree, rng):
    imports = lib_imports(tree)
    if not imports:
        return None
    node, alias = rng.choice(imports)
    bad = misspell(alias.name, rng)
    new = ast.ImportFrom(module=node.module, names=[ast.alias(name=bad if a is alias else a.name, asname=a.asname if a is not alias else (alias.asname or alias.name)) for a in node.names], level=0)
    return replace_segment(code, node, ast.unparse(new))


def m_misspelled_class(code, tree, rng):
    imported = {(a.asname or a.name) for _, a in lib_imports(tree) if (a.asname or a.name)[:1].isupper()}
    uses = [n for n in live(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in imported]
    if not uses:
        return None
    n = rng.choice(uses)
    return replace_segment(code, n, misspell(n.id, rng))


def _pipeline_task_arg(tree):
    # `pipeline` must be transformers' function: imported from it and never rebound.
    imported = any(a.name == "pipeline" and a.asname is None for _, a in lib_imports(tree))
    rebound = any(isinstance(n, ast.Name) and n.id == "pipeline" and isinstance(n.ctx, ast.Store) for n in ast.walk(tree))
    for node in live(tree):
        if imported and not rebound and isinstance(node, ast.Call) and getattr(node.func, "id", None) == "pipeline":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                return node.args[0]
            for k in node.keywords:
                if k.arg == "task" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
                    return k.value
    return None


def m_task(code, tree, rng):
    arg = _pipeline_task_arg(tree)
    if arg is None:
        return None
    task = arg.value
    # translation_XX_to_YY accepts any XX and YY: break its shape instead.
    bad = task.replace("_", "-") if task.startswith("translation") else task.rstrip("s") + "s-classifier"
    return replace_segment(code, arg, repr(bad))


def m_attribute(code, tree, rng):
    calls = [n for n in live(tree) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load) and n.attr in ("from_pretrained", "generate", "encode", "decode", "batch_decode", "predict")]
    if not calls:
        return None
    n = rng.choice(calls)
    text = ast.get_source_segment(code, n)
    if text is None or not text.endswith(n.attr):
        return None
    return replace_segment(code, n, text[: -len(n.attr)] + misspell(n.attr, rng))


def _model_id_args(tree):
    out = []
    for node in live(tree):
        if isinstance(node, ast.Call):
            fn = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if fn == "from_pretrained" and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                out.append(node.args[0])
            for k in node.keywords:
                if k.arg == "model" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
                    out.append(k.value)
    return out


def m_model_id(code, tree, rng):
    args = _model_id_args(tree)
    if not args:
        return None
    a = rng.choice(args)
    return replace_segment(code, a, repr(a.value + "-apieval-no-such-model"))


def m_undefined_variable(code, tree, rng):
    defined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    uses = [n for n in live(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in defined]
    if not uses:
        return None
    n = rng.choice(uses)
    return replace_segment(code, n, n.id + "_undefined")


def m_missing_import(code, tree, rng):
    used = {n.id for n in live(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    candidates = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name).split(".")[0] in used for a in s.names)]
    if not candidates:
        return None
    s = rng.choice(candidates)
    lines = code.split("\n")
    return "\n".join(lines[: s.lineno - 1] + lines[s.end_lineno:])


def p_comments(code, tree, rng):
    lines = code.split("\n")
    starts = sorted({s.lineno - 1 for s in tree.body})
    out = []
    for i, line in enumerate(lines):
        if i in starts:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + "# apieval: a comment that changes nothing")
        out.append(line)
    return "\n".join(out)


def p_renamed(code, tree, rng):
    """A module-level variable renamed everywhere it appears (one not used inside functions or classes)."""
    inner = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner.update(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))
            inner.update(n.arg for n in ast.walk(stmt) if isinstance(n, ast.arg))
    if any(isinstance(n, (ast.Global, ast.Nonlocal, ast.Lambda)) for n in ast.walk(tree)):
        return None
    stores = sorted({n.id for n in live(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} - inner)
    stores = [n for n in stores if not n.startswith("_") and not any(isinstance(a, ast.Attribute) and a.attr == n for a in ast.walk(tree))]
    if not stores:
        return None
    old = rng.choice(stores)
    new = "renamed_" + old

    class R(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id == old:
                return ast.copy_location(ast.Name(id=new, ctx=node.ctx), node)
            return node

    return ast.unparse(R().visit(tree))


def p_reordered(code, tree, rng):
    body = tree.body
    for i in range(len(body) - 1):
        a, b = body[i], body[i + 1]
        if isinstance(a, (ast.Import, ast.ImportFrom)) and isinstance(b, (ast.Import, ast.ImportFrom)):
            names_a = {(x.asname or x.name) for x in a.names}
            names_b = {(x.asname or x.name) for x in b.names}
            if names_a & names_b:
                continue
            lines = code.split("\n")
            seg_a = lines[a.lineno - 1 : a.end_lineno]
            seg_b = lines[b.lineno - 1 : b.end_lineno]
            if a.end_lineno + 1 != b.lineno:
                continue
            return "\n".join(lines[: a.lineno - 1] + seg_b + seg_a + lines[b.end_lineno:])
    return None


def p_reformatted(code, tree, rng):
    return ast.unparse(tree)


BROKEN = [
    ("import_name", "import_error", m_import_name),
    ("misspelled_class", "name_error", m_misspelled_class),
    ("task", "runtime_error", m_task),
    ("attribute", "attribute_error", m_attribute),
    ("model_id", "runtime_error", m_model_id),
    ("undefined_variable", "name_error", m_undefined_variable),
    ("missing_import", "name_error", m_missing_import),
]
PRESERVING = [("comments", p_comments), ("renamed", p_renamed), ("reordered", p_reordered), ("reformatted", p_reformatted)]


def corpus(programs, ok_ids, seed=0):
    for p in programs:
        if p["qid"] not in ok_ids:
            continue
        try:
            ast.parse(p["code"])
        except SyntaxError:
            continue
        split = "heldout" if p["qid"] % 2 else "dev"
        for kind, expected, fn in BROKEN:
            rng = random.Random("%d:%s:%d" % (seed, kind, p["qid"]))
            code = fn(p["code"], ast.parse(p["code"]), rng)
            if code is not None and code != p["code"]:
                yield {"id": "%d-%s" % (p["qid"], kind), "qid": p["qid"], "kind": kind, "expected": expected, "split": split, "code": code}
        for kind, fn in PRESERVING:
            rng = random.Random("%d:%s:%d" % (seed, kind, p["qid"]))
            code = fn(p["code"], ast.parse(p["code"]), rng)
            if code is not None and code.strip() and code != p["code"]:
                yield {"id": "%d-%s" % (p["qid"], kind), "qid": p["qid"], "kind": kind, "expected": "ok", "split": split, "code": code}


def score(corpus_file, results_file):
    """Per split and kind: programs, share with the expected outcome, share not ok (broken kinds); then totals."""
    corpus = [json.loads(l) for l in open(corpus_file, encoding="utf-8") if l.strip()]
    results = {r["id"]: r for r in (json.loads(l) for l in open(results_file, encoding="utf-8") if l.strip())}
    rows = {}
    for c in corpus:
        status = results[c["id"]]["status"]
        for key in ((c["split"], c["kind"]), (c["split"], "ALL broken" if c["expected"] != "ok" else "ALL preserving")):
            r = rows.setdefault(key, [0, 0, 0])
            r[0] += 1
            r[1] += status == c["expected"]
            r[2] += status != "ok"
    lines = ["| split | kind | programs | expected outcome | not ok |", "|---|---|---:|---:|---:|"]
    for (split, kind), (n, right, notok) in sorted(rows.items()):
        broken = kind not in ("comments", "renamed", "reordered", "reformatted", "ALL preserving")
        lines.append("| %s | %s | %d | %.1f%% | %s |" % (split, kind, n, 100.0 * right / n, "%.1f%%" % (100.0 * notok / n) if broken else "—"))
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--score"]:
        sys.stdout.write(score(argv[1], argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("references")
    ap.add_argument("ok_ids")
    ap.add_argument("--seed", type=int, default=0)
    o = ap.parse_args(argv)
    programs = [json.loads(l) for l in open(o.references, encoding="utf-8") if l.strip()]
    ok = {int(l) for l in open(o.ok_ids, encoding="utf-8") if l.strip()}
    for rec in corpus(programs, ok, o.seed):
        sys.stdout.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
