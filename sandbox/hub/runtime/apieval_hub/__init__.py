"""
apieval's emulation of the Hugging Face Hub libraries for the `hub` sandbox profile (issue 13).

Importing `transformers` (and, later, the other emulated libraries) inside the `hub` image gives modules
built from a *surface* — the public names of one pinned upstream release, derived from its sources as data
(sandbox/hub/surfaces/*.json). Every public name exists and nothing else does; `from_pretrained` accepts
only model ids known to exist (hub_ids.py); loaded objects are real torch modules returning output objects
with the head's fields as real tensors of plausible shapes. Values mean nothing.

Not upstream code: written for apieval from the surfaces' facts (names, task tables, output field lists).
`install()` is called once per interpreter by the `apieval_hub.pth` file the image ships.
"""
import sys

__all__ = ["install"]

_installed = False


def install():
    global _installed
    if _installed:
        return
    _installed = True
    from . import inputs, lazylib

    inputs.install()
    sys.meta_path.insert(0, lazylib.Finder())
