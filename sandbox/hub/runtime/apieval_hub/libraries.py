"""
The objects of diffusers 0.29.2, huggingface_hub 0.23.4, sentence-transformers 3.0.1 and datasets 2.20.0,
built from their surfaces (classes with their methods and parameters, functions with their parameters):

- every public method and function exists with that release's signature: a call binds its arguments as
  Python would bind them to the real definition (an unknown keyword is the TypeError Python gives) and
  nothing else does (an unknown attribute is an AttributeError);
- what a method does is emulated where programs rely on the value (behaviours below: loading by model id,
  encoding sentences, running a diffusion pipeline, similarity utilities); every other method returns None;
- what needs the network — downloading a file or dataset from the Hub, any HfApi call — raises
  EnvInputError (inputs.py): the sandbox has no Hub, and no program makes a connection.
"""
import inspect
import os
import re

from . import lazylib
from .hub_ids import check_model_id
from .inputs import _refuse_network

# ---------------------------------------------------------------------------------------------------------
# Signatures from the surface.

_KINDS = {
    "positional_only": inspect.Parameter.POSITIONAL_ONLY,
    "positional_or_keyword": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "var_positional": inspect.Parameter.VAR_POSITIONAL,
    "keyword_only": inspect.Parameter.KEYWORD_ONLY,
    "var_keyword": inspect.Parameter.VAR_KEYWORD,
}


def signature(params, drop_first=False):
    ps = []
    for i, p in enumerate(params):
        if drop_first and i == 0 and p["kind"] in ("positional_only", "positional_or_keyword"):
            continue
        kind = _KINDS[p["kind"]]
        default = None if p.get("default") else inspect.Parameter.empty
        if kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            default = inspect.Parameter.empty
        ps.append(inspect.Parameter(p["name"], kind, default=default))
    try:
        return inspect.Signature(ps)
    except ValueError:
        return inspect.Signature([inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL), inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)])


def _bind(sig, qualname, args, kwargs):
    try:
        return sig.bind(*args, **kwargs).arguments
    except TypeError as e:
        raise TypeError("%s() %s" % (qualname, e)) from None


# ---------------------------------------------------------------------------------------------------------
# Classes and functions of a surface.


def _entry(table, module, name):
    """(key, record) of `name` as exported by `module` in a surface table keyed by defining module: the module's
    own definition, else the nearest one of that name (never a missing backend's dummy), else (None, None)."""
    direct = module + "." + name
    if direct in table:
        return direct, table[direct]
    candidates = sorted((k for k in table if k.endswith("." + name) and ".dummy_" not in k), key=lambda k: (not k.startswith(module + "."), len(k)))
    return (candidates[0], table[candidates[0]]) if candidates else (None, None)


def _class_entry(lib, module, name):
    return _entry(lazylib.surface(lib)["classes"], module, name)


def _function_entry(lib, module, name):
    return _entry(lazylib.surface(lib)["functions"], module, name)


def _all_methods(lib, key, seen=None):
    """Methods of a class and of the bases the surface defines (by name), nearest first."""
    classes = lazylib.surface(lib)["classes"]
    seen = seen or set()
    if key in seen or key not in classes:
        return {}
    seen.add(key)
    entry = classes[key]
    methods = {}
    for base in entry["bases"]:
        base_name = base.split(".")[-1].split("[")[0]
        _, base_entry = _class_entry(lib, key.rsplit(".", 2)[0], base_name)
        bkey = next((k for k, v in classes.items() if v is base_entry), None) if base_entry else None
        if bkey:
            methods.update(_all_methods(lib, bkey, seen))
    methods.update(entry["methods"])
    return methods


def build_class(lib, module, name, behaviours):
    key, entry = _class_entry(lib, module, name)
    methods = _all_methods(lib, key) if key else {}
    attributes = set(entry["attributes"]) if entry else set()
    special = behaviours.get(name) or next((b for pat, b in behaviours.get("__patterns__", []) if re.search(pat, name)), {})
    ns = {"__module__": module, "__qualname__": name}
    action = special.get("__stub__")
    for mname, m in methods.items():
        if mname in special:
            continue
        sig = signature(m["params"], drop_first=m["kind"] in ("method", "classmethod", "property"))
        ns[mname] = _stub(lib, name, mname, m["kind"], sig, action)
    for attr in attributes:
        if attr not in ns:
            ns[attr] = None
    ns.update(special)
    init_sig = signature(methods["__init__"]["params"], drop_first=True) if "__init__" in methods else None
    if "__init__" not in special:
        def __init__(self, *args, **kwargs):
            if init_sig is not None:
                _bind(init_sig, name, args, kwargs)
        ns["__init__"] = __init__
    return type(name, tuple(special.get("__bases__", ())) or (object,), {k: v for k, v in ns.items() if k not in ("__bases__", "__stub__")})


def _stub(lib, cname, mname, kind, sig, action=None):
    """A method of the release's signature that does nothing (or `action(qualname)`) and returns None."""
    qual = "%s.%s" % (cname, mname)
    if kind == "property":
        return property(lambda self: action(qual) if action else None)
    return bound_method(kind, mname, qual, sig, lambda *args, **kwargs: action(qual) if action else None)


def bound_method(kind, name, qualname, sig, fn):
    """`fn` as a method, classmethod or staticmethod that first binds its arguments to `sig` (None: no check),
    so a bad call fails as it would against the real definition; `fn` gets the arguments as given."""

    def call(*args, **kwargs):
        if sig is not None:
            _bind(sig, qualname, args[1:] if kind != "staticmethod" else args, kwargs)
        return fn(*args, **kwargs)

    call.__name__ = name
    call.__qualname__ = qualname
    if sig is not None:
        call.__signature__ = sig
    return classmethod(call) if kind == "classmethod" else staticmethod(call) if kind == "staticmethod" else call


def build_function(lib, module, name, implementations):
    _, params = _function_entry(lib, module, name)
    sig = signature(params) if params is not None else None
    impl = implementations.get(name)

    def fn(*args, **kwargs):
        if sig is not None:
            _bind(sig, name, args, kwargs)
        if impl is not None:
            return impl(*args, **kwargs)
        return None

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = module
    if sig is not None:
        fn.__signature__ = sig
    return fn


def factory(lib):
    from . import behaviours

    spec = behaviours.LIBRARY[lib]

    def make(module, name):
        if name in spec.get("objects", {}):
            return spec["objects"][name]()
        _, centry = _class_entry(lib, module, name)
        if centry is not None or name in spec.get("classes", {}):
            return build_class(lib, module, name, spec.get("classes", {}))
        _, fentry = _function_entry(lib, module, name)
        if fentry is not None or name in spec.get("functions", {}):
            return build_function(lib, module, name, spec.get("functions", {}))
        return None  # a constant or a re-exported value the surface records by name only

    return make
