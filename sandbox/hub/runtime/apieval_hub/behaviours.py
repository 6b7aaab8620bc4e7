"""
What the emulated methods of diffusers, huggingface_hub, sentence-transformers and datasets return where
programs use the value (libraries.py gives every other method its release's signature and None). Each
emulated method first binds its arguments to the release's own signature of that method.
"""
import os
import re

from .hub_ids import check_model_id
from .inputs import _refuse_network, _missing_relative, _refuse_file
from . import lazylib
from .tf_objects import FieldDict


def _torch():
    import torch

    return torch


def _np():
    import numpy as np

    return np


def _signature_of(lib, cls_name, method):
    from .libraries import _class_entry, _all_methods, signature

    key, _ = _class_entry(lib, lib, cls_name)
    m = _all_methods(lib, key).get(method) if key else None
    return signature(m["params"], drop_first=m["kind"] in ("method", "classmethod")) if m else None


def _bound(lib, cls_name, method, fn, kind="method"):
    """`fn` behind the release's signature of cls_name.method (bound first, so bad calls fail as they would)."""
    from .libraries import bound_method

    return bound_method(kind, method, "%s.%s" % (cls_name, method), _signature_of(lib, cls_name, method), fn)


class AttrDict(FieldDict):
    """diffusers' FrozenDict as configs are used: mapping and attributes."""


def _to(self, *args, **kwargs):
    """`.to(device)` / `.to(dtype)`: a CUDA device fails as it does with this CPU-only torch."""
    torch = _torch()
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, (str, torch.device)) and "cuda" in str(a):
            torch.zeros(1).to(a)  # AssertionError: Torch not compiled with CUDA enabled
    return self


# ---------------------------------------------------------------------------------------------------------
# huggingface_hub


def _hf_hub_url(repo_id, filename, *, subfolder=None, repo_type=None, revision=None, endpoint=None):
    prefix = {"dataset": "datasets/", "space": "spaces/"}.get(repo_type or "model", "")
    if subfolder:
        filename = "%s/%s" % (subfolder, filename)
    return "%s/%s%s/resolve/%s/%s" % (endpoint or "https://huggingface.co", prefix, repo_id, revision or "main", filename)


def _network(qualname):
    def fn(*args, **kwargs):
        _refuse_network(qualname)

    return fn


_HUB_OFFLINE = {"hf_hub_url": _hf_hub_url}


class _HubFunctions(dict):
    def get(self, name, default=None):
        return _HUB_OFFLINE.get(name) or (_network("huggingface_hub." + name) if not name[:1].isupper() else default)


def _hfapi_init(self, *args, **kwargs):
    pass


# ---------------------------------------------------------------------------------------------------------
# sentence-transformers


def _st_model_id(name):
    if name is None:
        return None
    for candidate in (name, "sentence-transformers/" + name):
        try:
            return check_model_id(candidate)
        except OSError:
            continue
    return check_model_id(name)


def _st_init(self, model_name_or_path=None, *args, **kwargs):
    _torch().nn.Module.__init__(self)
    self.model_name_or_path = _st_model_id(model_name_or_path)


def _st_encode(self, sentences, *args, **kwargs):
    torch, np = _torch(), _np()
    single = isinstance(sentences, str)
    n = 1 if single else len(list(sentences))
    g = torch.Generator().manual_seed(n)
    emb = torch.randn(n, 384, generator=g)
    if kwargs.get("convert_to_tensor"):
        return emb[0] if single else emb
    arr = emb.numpy()
    return arr[0] if single else arr


def _pairwise(a, b):
    torch = _torch()
    a = torch.as_tensor(a, dtype=torch.float32)
    b = torch.as_tensor(b, dtype=torch.float32)
    if a.dim() == 1:
        a = a.unsqueeze(0)
    if b.dim() == 1:
        b = b.unsqueeze(0)
    a = torch.nn.functional.normalize(a, dim=1)
    b = torch.nn.functional.normalize(b, dim=1)
    return a @ b.t()


def _semantic_search(query_embeddings, corpus_embeddings, query_chunk_size=100, corpus_chunk_size=500000, top_k=10, score_function=None):
    scores = _pairwise(query_embeddings, corpus_embeddings)
    out = []
    for row in scores:
        k = min(top_k, row.shape[0])
        vals, idx = row.topk(k)
        out.append([{"corpus_id": int(i), "score": float(v)} for v, i in zip(vals, idx)])
    return out


def _ce_init(self, model_name, *args, **kwargs):
    self.model_name = check_model_id(model_name)


def _ce_predict(self, sentences, *args, **kwargs):
    np = _np()
    n = 1 if isinstance(sentences, (tuple,)) or (isinstance(sentences, list) and sentences and isinstance(sentences[0], str)) else len(sentences)
    scores = np.linspace(0.9, 0.1, num=max(n, 1)).astype(np.float32)
    return scores[0] if n == 1 and isinstance(sentences, tuple) else scores


# ---------------------------------------------------------------------------------------------------------
# diffusers


class _Output(FieldDict):
    """diffusers' pipeline outputs (`images`, `frames`, …)."""


def _images(n=1, size=512):
    from PIL import Image

    return [Image.new("RGB", (size, size)) for _ in range(n)]


def _scheduler_class():
    def from_config(cls, config, **kwargs):
        obj = cls.__new__(cls)
        obj.__dict__["_config"] = AttrDict(dict(config or {}, **kwargs))
        obj.__dict__["timesteps"] = _torch().arange(999, -1, -20)
        return obj

    def from_pretrained(cls, pretrained_model_name_or_path=None, subfolder=None, **kwargs):
        check_model_id(pretrained_model_name_or_path)
        return from_config(cls, {"num_train_timesteps": 1000})

    return {
        "from_config": classmethod(from_config),
        "from_pretrained": classmethod(from_pretrained),
        "config": property(lambda self: self.__dict__.get("_config", AttrDict())),
    }


_COMPONENTS = ("vae", "text_encoder", "tokenizer", "unet", "controlnet", "safety_checker", "feature_extractor", "image_encoder")


def _pipe_from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
    model_id = check_model_id(pretrained_model_name_or_path)
    pipe = cls.__new__(cls)
    pipe.__dict__["_name_or_path"] = model_id
    sched_cls = type("PNDMScheduler", (), _scheduler_class())
    pipe.scheduler = sched_cls.from_config({"num_train_timesteps": 1000, "_class_name": "PNDMScheduler"})
    for k in _COMPONENTS:
        pipe.__dict__[k] = kwargs.get(k, type(k, (), {"to": _to})())
    if "scheduler" in kwargs:
        pipe.scheduler = kwargs["scheduler"]
    return pipe


def _pipe_from_single_file(cls, pretrained_model_link_or_path, **kwargs):
    if re.match(r"^https?://", str(pretrained_model_link_or_path)):
        _refuse_network("download %r" % pretrained_model_link_or_path)
    if _missing_relative(pretrained_model_link_or_path):
        _refuse_file(pretrained_model_link_or_path)
    pipe = cls.__new__(cls)
    pipe.scheduler = type("PNDMScheduler", (), _scheduler_class()).from_config({"num_train_timesteps": 1000})
    return pipe


def _pipe_call(self, *args, **kwargs):
    n = int(kwargs.get("num_images_per_prompt") or 1)
    prompt = kwargs.get("prompt", args[0] if args else None)
    if isinstance(prompt, list):
        n *= len(prompt)
    np = _np()
    return _Output(images=_images(n), frames=[np.zeros((16, 256, 256, 3), dtype=np.uint8)], nsfw_content_detected=[False] * n)


def _model_from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
    check_model_id(pretrained_model_name_or_path)
    obj = cls.__new__(cls)
    _torch().nn.Module.__init__(obj)
    return obj


def _load_image(image, convert_method=None):
    if isinstance(image, str):
        if re.match(r"^https?://", image):
            _refuse_network("download %r" % image)
        from PIL import Image

        return Image.open(image).convert("RGB")
    return image


def _export_to_video(video_frames, output_video_path=None, fps=10):
    path = output_video_path or "/tmp/apieval-video.mp4"
    with open(path, "wb") as f:
        f.write(b"\x00\x00\x00\x18ftypmp42")
    return path


def _make_image_grid(images, rows, cols, resize=None):
    from PIL import Image

    w, h = images[0].size
    return Image.new("RGB", (w * cols, h * rows))


def _diffusers_classes():
    torch = _torch()
    pipeline = {
        "from_pretrained": _bound("diffusers", "DiffusionPipeline", "from_pretrained", _pipe_from_pretrained, "classmethod"),
        "from_single_file": classmethod(_pipe_from_single_file),
        "__call__": lambda self, *a, **k: _pipe_call(self, *a, **k),
        "to": _to,
        "__init__": lambda self, *a, **k: None,
        "name_or_path": property(lambda self: self.__dict__.get("_name_or_path")),
        "device": property(lambda self: _torch().device("cpu")),
        "dtype": property(lambda self: _torch().float32),
        "components": property(lambda self: {k: v for k, v in self.__dict__.items() if not k.startswith("_")}),
    }
    model = {
        "__bases__": (torch.nn.Module,),
        "from_pretrained": classmethod(_model_from_pretrained),
        "__init__": lambda self, *a, **k: torch.nn.Module.__init__(self),
        "config": property(lambda self: AttrDict({"sample_size": 64, "in_channels": 4})),
        "to": _to,
    }
    return {
        "__patterns__": [
            (r"(Pipeline|^AutoPipelineFor\w+)$", pipeline),
            (r"Scheduler$", _scheduler_class()),
            (r"(Model|^AutoencoderKL\w*|^UNet\w+|^VQModel|Transformer\w*Model|^PriorTransformer)$", model),
        ]
    }


def _lazy(fn):
    """Builds the dict on first use (torch is imported only by programs that use the library)."""

    class Lazy(dict):
        _built = None

        def _get(self):
            if Lazy._built is None:
                Lazy._built = fn()
            return Lazy._built

        def get(self, key, default=None):
            return self._get().get(key, default)

        def __contains__(self, key):
            return key in self._get()

    return Lazy()


def _st_classes():
    torch = _torch()
    return {
        "SentenceTransformer": {
            "__bases__": (torch.nn.Module,),
            "__init__": _st_init,
            "encode": _bound("sentence_transformers", "SentenceTransformer", "encode", _st_encode),
            "similarity": lambda self, a, b: _pairwise(a, b),
            "device": property(lambda self: _torch().device("cpu")),
            "to": _to,
        },
        "CrossEncoder": {
            "__init__": _ce_init,
            "predict": _bound("sentence_transformers", "CrossEncoder", "predict", _ce_predict),
        },
    }


LIBRARY = {
    "huggingface_hub": {
        "functions": _HubFunctions(),
        "classes": {"HfApi": {"__init__": _hfapi_init, "__stub__": lambda qualname: _refuse_network("huggingface_hub." + qualname)}},
    },
    "datasets": {
        "functions": {name: _network("datasets." + name) for name in ("load_dataset", "load_metric", "load_dataset_builder", "get_dataset_config_names", "get_dataset_split_names")},
    },
    "sentence_transformers": {
        "classes": _lazy(_st_classes),
        "functions": {
            "cos_sim": _pairwise,
            "pytorch_cos_sim": _pairwise,
            "dot_score": lambda a, b: _torch().as_tensor(a, dtype=_torch().float32).reshape(-1, _torch().as_tensor(a).shape[-1]) @ _torch().as_tensor(b, dtype=_torch().float32).reshape(-1, _torch().as_tensor(b).shape[-1]).t(),
            "semantic_search": _semantic_search,
            "normalize_embeddings": lambda e: _torch().nn.functional.normalize(_torch().as_tensor(e), dim=-1),
        },
    },
    "diffusers": {
        "classes": _lazy(_diffusers_classes),
        "functions": {"load_image": _load_image, "export_to_video": _export_to_video, "make_image_grid": _make_image_grid},
    },
}
