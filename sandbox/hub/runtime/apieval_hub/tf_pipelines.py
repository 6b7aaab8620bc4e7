"""
`transformers.pipeline` of 4.41.2, emulated: the task string is checked as `PipelineRegistry.check_task`
checks it (the surface's task table, aliases and `translation_XX_to_YY`; the same KeyError messages), the
model id as `from_pretrained` checks it, and calling the pipeline returns the structure its task documents
(`[{'label', 'score'}]`, `{'answer', …}`, `[{'generated_text'}]`, images, audio arrays). A pipeline without
a task would ask the Hub for the model's task: that is network access, so `EnvInputError`.

Inputs that name a file or URL (an image path, an audio file) are opened as the real pipeline opens them:
a URL or a missing relative file is `EnvInputError` (inputs.py).
"""
import os
import re

from . import lazylib
from .hub_ids import check_model_id
from .tf_objects import PretrainedConfig, _randn, make


def _table():
    return lazylib.surface("transformers")["pipeline"]


def supported_tasks():
    t = _table()
    return sorted(list(t["tasks"]) + list(t["aliases"]))


def check_task(task):
    """(normalized task, options) exactly as PipelineRegistry.check_task normalizes it, else its KeyError."""
    t = _table()
    task = t["aliases"].get(task, task)
    if task in t["tasks"]:
        return task, None
    if isinstance(task, str) and task.startswith("translation"):
        tokens = task.split("_")
        if len(tokens) == 4 and tokens[0] == "translation" and tokens[2] == "to":
            return "translation", (tokens[1], tokens[3])
        raise KeyError("Invalid translation task %s, use 'translation_XX_to_YY' format" % task)
    raise KeyError("Unknown task %s, available tasks are %s" % (task, supported_tasks() + ["translation_XX_to_YY"]))


def _load_image(x):
    if isinstance(x, str):
        if re.match(r"^https?://", x):
            from .inputs import _refuse_network

            _refuse_network("download %r" % x)
        from PIL import Image

        return Image.open(x)
    return x


def _load_audio(x):
    if isinstance(x, str):
        if re.match(r"^https?://", x):
            from .inputs import _refuse_network

            _refuse_network("download %r" % x)
        with open(x, "rb") as f:
            f.read(16)
        return [0.0] * 16000
    return x


def _many(x):
    return list(x) if isinstance(x, (list, tuple)) else None


def _labels(model):
    cfg = getattr(model, "config", None) or PretrainedConfig()
    return [cfg.id2label[i] for i in sorted(cfg.id2label)]


class Pipeline:
    task = ""
    default_input_names = None

    def __init__(self, model=None, tokenizer=None, feature_extractor=None, image_processor=None, task="", device=None, framework="pt", **kwargs):
        if model is None:
            raise TypeError("__init__() missing 1 required positional argument: 'model'")
        self.model = model
        self.tokenizer = tokenizer
        self.feature_extractor = feature_extractor
        self.image_processor = image_processor
        self.task = task or self.task
        self.framework = framework
        self.device = device
        self._options = kwargs.pop("_options", None)
        self._kwargs = kwargs

    def __call__(self, *args, **kwargs):
        return _run(self, args, kwargs)

    def save_pretrained(self, save_directory, **kwargs):
        self.model.save_pretrained(save_directory)

    def predict(self, X):
        return self(X)

    def transform(self, X):
        return self(X)


class Conversation:
    def __init__(self, messages=None, conversation_id=None, **deprecated_kwargs):
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        self.messages = list(messages or [])
        self.uuid = conversation_id

    def add_message(self, message):
        self.messages.append(message)

    def add_user_input(self, text, overwrite=False):
        self.messages.append({"role": "user", "content": text})

    def append_response(self, response):
        self.messages.append({"role": "assistant", "content": response})

    @property
    def generated_responses(self):
        return [m["content"] for m in self.messages if m["role"] == "assistant"]

    @property
    def past_user_inputs(self):
        return [m["content"] for m in self.messages if m["role"] == "user"]

    def __iter__(self):
        for m in self.messages:
            yield m["role"] == "user", m["content"]

    def __repr__(self):
        return "Conversation id: %s\n" % self.uuid + "\n".join("%s: %s" % (m["role"], m["content"]) for m in self.messages)


def pipeline_class(name):
    if name == "Conversation":
        return Conversation
    if name == "Pipeline":
        return Pipeline
    task = next((t for t, impl in _table()["tasks"].items() if impl == name), "")
    return type(name, (Pipeline,), {"__module__": "transformers", "task": task})


_MODEL_FOR_TASK = {
    "audio-classification": "AutoModelForAudioClassification",
    "automatic-speech-recognition": "AutoModelForSpeechSeq2Seq",
    "text-to-audio": "AutoModelForTextToWaveform",
    "feature-extraction": "AutoModel",
    "text-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "question-answering": "AutoModelForQuestionAnswering",
    "table-question-answering": "AutoModelForTableQuestionAnswering",
    "visual-question-answering": "AutoModelForVisualQuestionAnswering",
    "document-question-answering": "AutoModelForDocumentQuestionAnswering",
    "fill-mask": "AutoModelForMaskedLM",
    "summarization": "AutoModelForSeq2SeqLM",
    "translation": "AutoModelForSeq2SeqLM",
    "text2text-generation": "AutoModelForSeq2SeqLM",
    "text-generation": "AutoModelForCausalLM",
    "zero-shot-classification": "AutoModelForSequenceClassification",
    "zero-shot-image-classification": "AutoModelForZeroShotImageClassification",
    "zero-shot-audio-classification": "AutoModel",
    "conversational": "AutoModelForCausalLM",
    "image-classification": "AutoModelForImageClassification",
    "image-feature-extraction": "AutoModel",
    "image-segmentation": "AutoModelForImageSegmentation",
    "image-to-text": "AutoModelForVision2Seq",
    "object-detection": "AutoModelForObjectDetection",
    "zero-shot-object-detection": "AutoModelForZeroShotObjectDetection",
    "depth-estimation": "AutoModelForDepthEstimation",
    "video-classification": "AutoModelForVideoClassification",
    "mask-generation": "AutoModelForMaskGeneration",
    "image-to-image": "AutoModelForImageToImage",
}


def pipeline(task=None, model=None, config=None, tokenizer=None, feature_extractor=None, image_processor=None, framework=None, revision=None,
             use_fast=True, token=None, device=None, device_map=None, torch_dtype=None, trust_remote_code=None, model_kwargs=None,
             pipeline_class=None, **kwargs):
    if task is None and model is None:
        raise RuntimeError(
            "Impossible to instantiate a pipeline without either a task or a model being specified. "
            "Please provide a task class or a model"
        )
    if model is None and tokenizer is not None:
        raise RuntimeError("Impossible to instantiate a pipeline with tokenizer specified but not the model as the provided tokenizer may not be compatible with the default model. Please provide a PreTrainedModel class or a path/identifier to a pretrained model when providing tokenizer.")
    if task is None:
        from .inputs import _refuse_network

        _refuse_network("ask the Hub for the task of %r (pipeline without a task)" % (model,))
    normalized, options = check_task(task)
    if isinstance(model, (str, os.PathLike)):
        model_id = check_model_id(model)
        model = make(_MODEL_FOR_TASK[normalized]).from_pretrained(model_id)
    elif model is None:
        model = make(_MODEL_FOR_TASK[normalized])(PretrainedConfig())
    if isinstance(tokenizer, (str, os.PathLike)):
        tokenizer = make("AutoTokenizer").from_pretrained(os.fspath(tokenizer))
    elif isinstance(tokenizer, tuple):
        tokenizer = make("AutoTokenizer").from_pretrained(tokenizer[0])
    if isinstance(feature_extractor, str):
        feature_extractor = make("AutoFeatureExtractor").from_pretrained(feature_extractor)
    # The class transformers exports under the task's implementation name (one class object per name).
    cls = pipeline_class if isinstance(pipeline_class, type) else make(_table()["tasks"][normalized])
    return cls(model=model, tokenizer=tokenizer, feature_extractor=feature_extractor, image_processor=image_processor, task=normalized, device=device, _options=options, **kwargs)


def _score(i=0):
    return round(0.9 / (i + 1), 6)


def _run(pipe, args, kwargs):
    task = pipe.task
    x = args[0] if args else None
    batch = _many(x)
    if task in ("text-classification",):
        if x is None:
            x = kwargs.get("inputs", kwargs.get("text"))
            batch = _many(x)
        if x is None:
            raise TypeError("__call__() missing 1 required positional argument: 'inputs'")
        labels = _labels(pipe.model)
        top_k = kwargs.get("top_k", 1) if "top_k" in kwargs else 1
        one = lambda: [{"label": labels[0], "score": _score()}] if top_k == 1 else [{"label": l, "score": _score(i)} for i, l in enumerate(labels[: top_k or None])]
        if batch is not None:
            return [one()[0] if top_k == 1 else one() for _ in batch]
        return one()
    if task == "token-classification":
        def ents(text):
            words = re.findall(r"\w+", str(text))[:3]
            out, pos = [], 0
            for i, w in enumerate(words):
                start = str(text).find(w, pos)
                pos = start + len(w)
                out.append({"entity": "B-MISC", "score": _score(i), "index": i + 1, "word": w, "start": start, "end": pos})
            if kwargs.get("aggregation_strategy") not in (None, "none"):
                return [{"entity_group": "MISC", "score": e["score"], "word": e["word"], "start": e["start"], "end": e["end"]} for e in out]
            return out

        if x is None:
            x = kwargs.get("inputs")
        return [ents(t) for t in batch] if batch is not None else ents(x)
    if task == "question-answering":
        q = kwargs.get("question")
        c = kwargs.get("context")
        if isinstance(x, dict):
            q, c = x.get("question"), x.get("context")
        elif len(args) >= 2:
            q, c = args[0], args[1]
        if q is None or c is None:
            raise ValueError("Arguments can't be understood")
        words = str(c).split()
        answer = words[0] if words else ""
        return {"score": _score(), "start": 0, "end": len(answer), "answer": answer}
    if task == "fill-mask":
        text = x if x is not None else kwargs.get("inputs")
        if "[MASK]" not in str(text) and "<mask>" not in str(text):
            raise _pipeline_exception("fill-mask", "No mask_token ([MASK]) found on the input")
        return [{"score": _score(i), "token": 1000 + i, "token_str": "tok%d" % (1000 + i), "sequence": str(text).replace("[MASK]", "tok%d" % (1000 + i)).replace("<mask>", "tok%d" % (1000 + i))} for i in range(kwargs.get("top_k", 5))]
    if task in ("summarization",):
        n = len(batch) if batch is not None else 1
        return [{"summary_text": "tok1 tok2 tok3"} for _ in range(n)]
    if task == "translation":
        n = len(batch) if batch is not None else 1
        return [{"translation_text": "tok1 tok2 tok3"} for _ in range(n)]
    if task in ("text2text-generation", "text-generation"):
        n = int(kwargs.get("num_return_sequences", 1))
        prompt = x if x is not None else kwargs.get("text_inputs", kwargs.get("inputs", ""))
        one = lambda p: [{"generated_text": ("" if task == "text2text-generation" else str(p)) + " tok1 tok2 tok3"} for _ in range(n)]
        return [one(p) for p in batch] if batch is not None and not (batch and isinstance(batch[0], dict)) else one(prompt)
    if task == "conversational":
        conv = x if isinstance(x, Conversation) else Conversation(x)
        conv.append_response("tok1 tok2 tok3")
        return conv
    if task == "zero-shot-classification":
        labels = kwargs.get("candidate_labels", args[1] if len(args) > 1 else None)
        seq = x if x is not None else kwargs.get("sequences")
        if isinstance(labels, str):
            labels = [l.strip() for l in labels.split(",") if l.strip()]
        if not labels or seq is None:
            raise ValueError("You must include at least one label and at least one sequence.")
        one = lambda s: {"sequence": s, "labels": list(labels), "scores": [_score(i) for i in range(len(labels))]}
        return [one(s) for s in batch] if batch is not None else one(seq)
    if task in ("feature-extraction", "image-feature-extraction"):
        if task == "image-feature-extraction":
            _load_image(x)
        return _randn(1, 8, 768).tolist()
    if task in ("image-classification", "video-classification", "audio-classification", "zero-shot-audio-classification"):
        loader = _load_audio if "audio" in task else (lambda v: v if task == "video-classification" else _load_image(v))
        if x is None:
            x = kwargs.get("inputs", kwargs.get("images", kwargs.get("audio")))
        for item in batch or [x]:
            loader(item)
        if task == "zero-shot-audio-classification":
            cands = kwargs.get("candidate_labels") or ["a", "b"]
            return [{"score": _score(i), "label": l} for i, l in enumerate(cands)]
        labels = _labels(pipe.model)
        k = kwargs.get("top_k", 5) or len(labels)
        one = [{"score": _score(i), "label": l} for i, l in enumerate(labels[:k])]
        return [one for _ in batch] if batch is not None else one
    if task == "zero-shot-image-classification":
        img = x if x is not None else kwargs.get("images")
        _load_image(img)
        cands = kwargs.get("candidate_labels", args[1] if len(args) > 1 else None)
        if not cands:
            raise TypeError("__call__() missing 1 required keyword argument: 'candidate_labels'")
        return [{"score": _score(i), "label": l} for i, l in enumerate(cands)]
    if task in ("object-detection", "zero-shot-object-detection"):
        img = x if x is not None else kwargs.get("images", kwargs.get("image"))
        _load_image(img)
        label = (kwargs.get("candidate_labels") or ["LABEL_0"])[0]
        return [{"score": _score(), "label": label, "box": {"xmin": 10, "ymin": 10, "xmax": 50, "ymax": 50}}]
    if task == "image-segmentation":
        img = _load_image(x if x is not None else kwargs.get("images"))
        from PIL import Image

        return [{"score": _score(), "label": "LABEL_0", "mask": Image.new("L", getattr(img, "size", (224, 224)))}]
    if task == "depth-estimation":
        img = _load_image(x if x is not None else kwargs.get("images"))
        from PIL import Image

        return {"predicted_depth": _randn(1, 224, 224).abs(), "depth": Image.new("L", getattr(img, "size", (224, 224)))}
    if task == "image-to-text":
        _load_image(x if x is not None else kwargs.get("images"))
        return [{"generated_text": "tok1 tok2 tok3"}]
    if task == "image-to-image":
        img = _load_image(x if x is not None else kwargs.get("images"))
        from PIL import Image

        return Image.new("RGB", getattr(img, "size", (224, 224)))
    if task == "mask-generation":
        _load_image(x if x is not None else kwargs.get("image"))
        return {"masks": [_randn(224, 224) > 0], "scores": _randn(1).abs()}
    if task == "automatic-speech-recognition":
        _load_audio(x if x is not None else kwargs.get("inputs"))
        return {"text": "tok1 tok2 tok3"}
    if task == "text-to-audio":
        import numpy as np

        return {"audio": np.zeros((1, 16000), dtype=np.float32), "sampling_rate": 16000}
    if task in ("visual-question-answering",):
        img = kwargs.get("image", x)
        _load_image(img)
        if kwargs.get("question") is None and not (len(args) > 1 or isinstance(x, dict)):
            raise ValueError("You need to specify a question")
        return [{"score": _score(i), "answer": "tok%d" % i} for i in range(kwargs.get("top_k", 5))]
    if task == "document-question-answering":
        img = kwargs.get("image", x)
        _load_image(img)
        return [{"score": _score(), "answer": "tok1", "start": 0, "end": 0}]
    if task == "table-question-answering":
        table = kwargs.get("table", x if isinstance(x, dict) and "table" not in x else (x or {}).get("table") if isinstance(x, dict) else None)
        query = kwargs.get("query", args[1] if len(args) > 1 else (x.get("query") if isinstance(x, dict) else None))
        if table is None or query is None:
            raise ValueError("Keyword argument `table` cannot be None.")
        return {"answer": "tok1", "coordinates": [(0, 0)], "cells": ["tok1"], "aggregator": "NONE"}
    raise NotImplementedError("apieval hub emulation: task %r has no output emulation" % task)


def _pipeline_exception(task, message):
    return type("PipelineException", (Exception,), {"__module__": "transformers.pipelines.base"})("%s %s" % (task, message))
