"""
Modules built from a surface (sandbox/hub/surfaces/<library>-<version>.json): the library's top-level
module and each of its `_import_structure` submodules exist, with exactly the surface's names; any other
name is an AttributeError (so `from transformers import NoSuchThing` is the ImportError Python gives for a
name a module lacks), any other submodule a ModuleNotFoundError. Objects are made on first access by the
library's factory (tf_objects.make for transformers).
"""
import importlib.abc
import importlib.machinery
import json
import os
import sys
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
# In the image the surfaces ship inside the package; in apieval's source tree they sit in sandbox/hub/surfaces.
SURFACES = next(
    (d for d in (os.path.join(_HERE, "surfaces"), os.path.join(_HERE, "..", "..", "surfaces")) if os.path.isdir(d)),
    os.path.join(_HERE, "surfaces"),
)
LIBRARIES = {
    "transformers": "transformers-4.41.2.json",
    "diffusers": "diffusers-0.29.2.json",
    "huggingface_hub": "huggingface_hub-0.23.4.json",
    "sentence_transformers": "sentence-transformers-3.0.1.json",
    "datasets": "datasets-2.20.0.json",
}

_surfaces = {}


def surface(library):
    s = _surfaces.get(library)
    if s is None:
        with open(os.path.join(SURFACES, LIBRARIES[library]), encoding="utf-8") as f:
            s = json.load(f)
        _surfaces[library] = s
    return s


def _layout(library):
    """{module name: set of public names} for the library and every submodule (parents included)."""
    s = surface(library)
    layout = {library: set()}
    for module, names in s["modules"].items():
        parts = module.split(".")
        for i in range(1, len(parts)):
            layout.setdefault(".".join(parts[:i]), set())
        layout.setdefault(module, set()).update(names)
    return layout


_layouts = {}


def layout(library):
    if library not in _layouts:
        _layouts[library] = _layout(library)
    return _layouts[library]


class _SurfaceModule(types.ModuleType):
    def __getattr__(self, name):
        lib = self.__name__.split(".")[0]
        names = layout(lib).get(self.__name__, ())
        if name in names:
            value = _factory(lib)(self.__name__, name)
            setattr(self, name, value)
            return value
        # Submodules are attributes once imported (as for any package).
        full = self.__name__ + "." + name
        if full in layout(lib):
            return importlib.import_module(full)
        raise AttributeError("module %r has no attribute %r" % (self.__name__, name))

    def __dir__(self):
        lib = self.__name__.split(".")[0]
        return sorted(set(super().__dir__()) | layout(lib).get(self.__name__, set()))


_factories = {}


def _factory(lib):
    f = _factories.get(lib)
    if f is None:
        if lib == "transformers":
            from . import tf_objects

            f = lambda module, name: tf_objects.make(name)  # noqa: E731 (one object per name, whatever the module)
        else:
            from . import libraries

            f = libraries.factory(lib)
        _factories[lib] = f
    return f


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return _SurfaceModule(spec.name)

    def exec_module(self, module):
        lib = module.__name__.split(".")[0]
        if module.__name__ == lib:
            module.__version__ = surface(lib)["version"]
        module.__file__ = "/usr/lib/python3/dist-packages/%s/__init__.py" % module.__name__.replace(".", "/")
        module.__path__ = []  # every surface module is a package: its submodules resolve through the finder


class Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        lib = name.split(".")[0]
        if lib not in LIBRARIES:
            return None
        if name not in layout(lib):
            return None  # ModuleNotFoundError, as for a submodule the release does not have
        return importlib.machinery.ModuleSpec(name, _Loader(), is_package=True)
