"""
Derives a library's public surface from its source tree at a release tag, reading the sources as data with
Python's `ast` (nothing is imported or executed): for every module, the names it exports, and for every
public class its public methods with their parameters. The JSON it prints is what the hub profile's
runtime builds its modules from (sandbox/hub/surfaces/<library>-<version>.json).

    git -C huggingface_hub archive v0.23.4 src/huggingface_hub | tar -x -C /tmp/hf
    python3 sandbox/hub/surface.py --library huggingface_hub --version 0.23.4 \
        --commit $(git -C huggingface_hub rev-parse v0.23.4^{commit}) --repository huggingface/huggingface_hub \
        --root /tmp/hf/src/huggingface_hub > sandbox/hub/surfaces/huggingface_hub-0.23.4.json

What a module exports:
- a lazy `_SUBMOD_ATTRS = {submodule: [names]}` (huggingface_hub) or `_import_structure = {…}` extended in
  backend branches (diffusers, transformers): every name of every branch (a missing backend's names are still
  exported, as dummy objects);
- else `__all__` when the module defines it as a literal list or tuple;
- else its public top-level definitions, assignments and `from … import` names (not plain `import x`).
Standard library only (Python 3.8+).
"""
import argparse
import ast
import json
import os
import sys


def _literal_names(node):
    """A list/tuple literal of strings, else None."""
    if isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def _walk_statements(body):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            yield from _walk_statements(getattr(stmt, field, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _walk_statements(handler.body)


def lazy_structure(tree, var):
    """{submodule: [names]} of a lazily-importing __init__ (`var` = `_import_structure` or `_SUBMOD_ATTRS`)."""
    found = False
    structure = {}

    def key_of(target):
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == var:
            sl = target.slice
            if isinstance(sl, ast.Index):  # Python 3.8
                sl = sl.value
            if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
                return sl.value
        return None

    for stmt in _walk_statements(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and target.id == var and isinstance(stmt.value, ast.Dict):
                found = True
                for k, v in zip(stmt.value.keys, stmt.value.values):
                    names = _literal_names(v)
                    if isinstance(k, ast.Constant) and names is not None:
                        structure.setdefault(k.value, []).extend(names)
            key = key_of(target)
            if key is not None:
                names = _literal_names(stmt.value)
                if names is not None:  # a comprehension over a dummy module repeats a branch's names
                    structure.setdefault(key, []).extend(names)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if isinstance(call.func, ast.Attribute) and call.func.attr in ("extend", "append"):
                key = key_of(call.func.value)
                if key is None or not call.args:
                    continue
                if call.func.attr == "append" and isinstance(call.args[0], ast.Constant):
                    structure.setdefault(key, []).append(call.args[0].value)
                elif call.func.attr == "extend":
                    names = _literal_names(call.args[0])
                    if names is not None:
                        structure.setdefault(key, []).extend(names)
    return structure if found else None


def _params(fn):
    a = fn.args
    out = []
    positional = list(getattr(a, "posonlyargs", [])) + list(a.args)
    defaults_from = len(positional) - len(a.defaults)
    for i, arg in enumerate(positional):
        out.append({"name": arg.arg, "kind": "positional_only" if i < len(getattr(a, "posonlyargs", [])) else "positional_or_keyword", "default": i >= defaults_from})
    if a.vararg:
        out.append({"name": a.vararg.arg, "kind": "var_positional"})
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append({"name": arg.arg, "kind": "keyword_only", "default": d is not None})
    if a.kwarg:
        out.append({"name": a.kwarg.arg, "kind": "var_keyword"})
    return out


def module_exports(tree, functions=None):
    """(names, classes) of an ordinary module; `functions` collects {name: params} of its public functions."""
    names, classes, all_names = [], {}, None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    if t.id == "__all__":
                        all_names = _literal_names(stmt.value)
                    elif not t.id.startswith("_"):
                        names.append(t.id)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and not stmt.target.id.startswith("_"):
            names.append(stmt.target.id)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not stmt.name.startswith("_"):
            names.append(stmt.name)
            if functions is not None:
                functions[stmt.name] = _params(stmt)
        elif isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
            names.append(stmt.name)
            classes[stmt.name] = class_surface(stmt)
        elif isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                n = a.asname or a.name
                if n != "*" and not n.startswith("_"):
                    names.append(n)
        elif isinstance(stmt, (ast.If, ast.Try)):
            # Conditional definitions (backend checks) and version shims: their public names count too.
            sub_names, sub_classes = module_exports(ast.Module(body=[s for s in _walk_statements(getattr(stmt, "body", [])) if not isinstance(s, (ast.If, ast.Try))], type_ignores=[]), functions)
            names.extend(sub_names)
            classes.update(sub_classes)
    if all_names is not None:
        names = all_names
    seen = set()
    return [n for n in names if not (n in seen or seen.add(n))], classes


def class_surface(cls):
    methods = {}
    attributes = []
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name.startswith("_") and stmt.name not in ("__init__", "__call__"):
                continue
            decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in stmt.decorator_list}
            kind = "property" if "property" in decorators else "classmethod" if "classmethod" in decorators else "staticmethod" if "staticmethod" in decorators else "method"
            methods[stmt.name] = {"kind": kind, "params": _params(stmt)}
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name) and not t.id.startswith("_"):
                    attributes.append(t.id)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and not stmt.target.id.startswith("_"):
            attributes.append(stmt.target.id)
    bases = [ast.unparse(b) if hasattr(ast, "unparse") else getattr(b, "id", "?") for b in cls.bases]
    return {"bases": bases, "methods": methods, "attributes": attributes}


def surface(root, package):
    modules, classes, functions = {}, {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
            name = package if rel == "__init__" else package + "." + (rel[: -len(".__init__")] if rel.endswith(".__init__") else rel)
            with open(path, encoding="utf-8") as f:
                try:
                    tree = ast.parse(f.read())
                except SyntaxError:
                    continue
            lazy = None
            if fn == "__init__.py":
                lazy = lazy_structure(tree, "_import_structure") or lazy_structure(tree, "_SUBMOD_ATTRS")
            fns = {}
            names, cls = module_exports(tree, fns)
            for fname, params in fns.items():
                functions[name + "." + fname] = params
            if lazy is not None:
                lazy_names = []
                for sub, ns in lazy.items():
                    lazy_names.extend(ns)
                seen = set()
                names = [n for n in lazy_names + names if not (n in seen or seen.add(n))]
            modules[name] = names
            for cname, c in cls.items():
                classes[name + "." + cname] = c
    return modules, classes, functions


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--library", required=True)
    ap.add_argument("--package", help="import name (default: the library name)")
    ap.add_argument("--version", required=True)
    ap.add_argument("--repository", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--tag", help="the release tag (default: v + version)")
    ap.add_argument("--root", required=True, help="the package's source folder at the tag")
    o = ap.parse_args(argv)
    package = o.package or o.library
    modules, classes, functions = surface(o.root, package)
    doc = {
        "library": o.library,
        "package": package,
        "version": o.version,
        "source": {"repository": o.repository, "commit": o.commit, "tag": o.tag or "v" + o.version, "derived_by": "sandbox/hub/surface.py"},
        "modules": modules,
        "classes": classes,
        "functions": functions,
    }
    json.dump(doc, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
