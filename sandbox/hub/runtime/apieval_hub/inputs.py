"""
The hub profile's input rule (docs/hub-profile.md): what a task cannot provide ends the program with
`EnvInputError`, classified `env_input` — identically for reference and candidate programs:

- any network access: `socket.connect`, `socket.create_connection`, `socket.getaddrinfo`, and every request
  made with `requests` or `urllib.request` (a placeholder URL such as 'your_image_url_here' included), refused
  before anything is sent, so no program ever makes a real connection (the container has no network either);
- reading a file that does not exist (placeholders such as `image.jpg`, `path/to/audio.wav`,
  `/path/to/data.csv`): a relative path, or an absolute one outside the system's own folders, through `open`,
  `io.open`, `os.open` (`O_RDONLY`), `PIL.Image.open`, `torchaudio.load`, `soundfile.read`;
- reading standard input (`input()`): the task gives the program none.

Files the program wrote itself, system files and writes are untouched.
"""
import builtins
import importlib.abc
import io
import os
import socket
import sys


class EnvInputError(Exception):
    """The program needs an input the task does not provide (a network resource or a placeholder file)."""


# Absolute paths under these are the system's: a missing one there is not a task input.
_SYSTEM = ("/usr/", "/lib", "/etc/", "/proc/", "/sys/", "/dev/", "/bin/", "/sbin/", "/opt/", "/var/lib/", "/run/")


def _missing_relative(path):
    """Whether `path` names a task input that is not there (a missing file outside the system's folders)."""
    try:
        p = os.fspath(path)
    except TypeError:
        return False
    if isinstance(p, bytes):
        p = p.decode("utf-8", "surrogateescape")
    if not isinstance(p, str) or p == "" or os.path.exists(p):
        return False
    return not os.path.isabs(p) or not p.startswith(_SYSTEM)


def _refuse_file(path):
    raise EnvInputError("input file %r is not provided by the task (the hub profile has no placeholder inputs)" % (os.fspath(path),))


def _refuse_network(what):
    raise EnvInputError("network access (%s) is not available: the task's inputs are not provided" % what)


def _reading(mode):
    return not any(c in mode for c in "wax+")


_open = builtins.open


def _guarded_open(file, mode="r", *args, **kwargs):
    if isinstance(mode, str) and _reading(mode) and not isinstance(file, int) and _missing_relative(file):
        _refuse_file(file)
    return _open(file, mode, *args, **kwargs)


_os_open = os.open


def _guarded_os_open(path, flags, *args, **kwargs):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) == 0 and _missing_relative(path):
        _refuse_file(path)
    return _os_open(path, flags, *args, **kwargs)


def _wrap_path_reader(fn):
    def reader(path, *args, **kwargs):
        if isinstance(path, (str, bytes, os.PathLike)) and _missing_relative(path):
            _refuse_file(path)
        return fn(path, *args, **kwargs)

    reader.__name__ = getattr(fn, "__name__", "reader")
    reader.__qualname__ = getattr(fn, "__qualname__", reader.__name__)
    reader.__doc__ = getattr(fn, "__doc__", None)
    reader.__wrapped__ = fn
    return reader


def _patch_socket():
    def connect(self, address):
        _refuse_network("connect to %r" % (address,))

    def connect_ex(self, address):
        _refuse_network("connect to %r" % (address,))

    def create_connection(address, *args, **kwargs):
        _refuse_network("connect to %r" % (address,))

    def getaddrinfo(host, *args, **kwargs):
        _refuse_network("resolve %r" % (host,))

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.create_connection = create_connection
    socket.getaddrinfo = getaddrinfo


def _refuse_request(*args, **kwargs):
    url = kwargs.get("url", args[1] if len(args) > 1 and not isinstance(args[0], str) else args[0] if args else "?")
    _refuse_network("request %r" % (getattr(url, "full_url", url),))


def _refuse_input(*args, **kwargs):
    raise EnvInputError("standard input is not provided by the task (input() was called)")


class _LibraryHook:
    """Wraps a library's readers when (and only if) the program imports it."""

    TARGETS = {
        "PIL.Image": ["open"],
        "torchaudio": ["load", "info"],
        "soundfile": ["read", "info"],
        "torchvision.io": ["read_image", "read_file", "read_video", "decode_image"],
    }
    # Replaced outright: every call is a network request.
    REFUSE = {
        "requests.sessions": [("Session", "request")],
        "urllib.request": [(None, "urlopen"), (None, "urlretrieve")],
    }

    def find_spec(self, name, path=None, target=None):
        if name not in self.TARGETS and name not in self.REFUSE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        targets = self.TARGETS.get(name, [])
        refuse = self.REFUSE.get(name, [])

        class Loader(importlib.abc.Loader):
            def create_module(self_inner, spec_):
                return loader.create_module(spec_) if hasattr(loader, "create_module") else None

            def exec_module(self_inner, module):
                loader.exec_module(module)
                _patch_module(module, targets, refuse)

        spec.loader = Loader()
        return spec


def _patch_module(module, targets, refuse):
    for attr in targets:
        fn = getattr(module, attr, None)
        if callable(fn) and not hasattr(fn, "__wrapped__"):
            setattr(module, attr, _wrap_path_reader(fn))
    for owner, attr in refuse:
        holder = getattr(module, owner, None) if owner else module
        if holder is not None and hasattr(holder, attr):
            setattr(holder, attr, _refuse_request)


def install():
    builtins.open = _guarded_open
    io.open = _guarded_open
    os.open = _guarded_os_open
    builtins.input = _refuse_input
    _patch_socket()
    sys.meta_path.insert(0, _LibraryHook())
    # A library imported before install (the fork server preloads some) is wrapped now.
    for name in set(_LibraryHook.TARGETS) | set(_LibraryHook.REFUSE):
        module = sys.modules.get(name)
        if module is not None:
            _patch_module(module, _LibraryHook.TARGETS.get(name, []), _LibraryHook.REFUSE.get(name, []))
