"""
Which model ids `from_pretrained` / `pipeline(model=…)` accept: the ids known to exist — those of the
APIBench API database and of the eval references (model_ids.json, written when the image is built) and any a
user adds (one id per line in the files of $APIEVAL_HUB_MODEL_IDS, `:`-separated) — and local folders a
program saved with `save_pretrained`. Anything else raises what transformers 4.41.2's `cached_file` raises
for an id the Hub does not have.
"""
import json
import os

_known = None

HUB_MISSING = (
    "{id} is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'\n"
    "If this is a private repository, make sure to pass a token having permission to this repo either by logging in "
    "with `huggingface-cli login` or by passing `token=<your_token>`"
)


def known_ids():
    global _known
    if _known is None:
        ids = set()
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_ids.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                ids.update(json.load(f))
        for extra in filter(None, os.environ.get("APIEVAL_HUB_MODEL_IDS", "").split(":")):
            with open(extra, encoding="utf-8") as f:
                ids.update(line.strip() for line in f if line.strip() and not line.startswith("#"))
        _known = ids
    return _known


def is_saved_folder(path):
    return isinstance(path, (str, os.PathLike)) and os.path.isdir(path) and os.path.exists(os.path.join(path, "config.json"))


def check_model_id(model_id):
    """The id as a string if the Hub (or the program's own saved folder) has it; OSError otherwise."""
    if isinstance(model_id, os.PathLike):
        model_id = os.fspath(model_id)
    if not isinstance(model_id, str):
        raise TypeError("expected a model id (str) or a path, got %s" % type(model_id).__name__)
    if model_id in known_ids() or is_saved_folder(model_id):
        return model_id
    raise OSError(HUB_MISSING.format(id=model_id))
