"""
The objects behind transformers 4.41.2's public names (lazylib makes each on first access by name):

- names of a backend the hub image lacks (TensorFlow `TF…`, Flax `Flax…`, and the few needing essentia,
  librosa or pretty_midi) are dummy objects, as in a real install without that backend: importing works,
  using them raises the library's ImportError;
- configurations, tokenizers, processors (image processors, feature extractors), models (by the head their
  name says) and pipeline classes are generic implementations keyed by the name; `Auto…` classes resolve
  to the matching kind;
- the remaining names (functions, constants, utilities) are plain objects that accept their call.

Models are real `torch.nn.Module`s whose outputs carry that head's fields as real tensors of plausible
shapes (batch and sequence length from the inputs); values are deterministic and meaningless.
"""
import json
import os
import re
import zlib

from .hub_ids import check_model_id

# ---------------------------------------------------------------------------------------------------------
# Dummy objects of missing backends (transformers.utils.import_utils.requires_backends' messages).

_BACKEND_ERRORS = {
    "tf": "{0} requires the TensorFlow library but it was not found in your environment. Checkout the instructions on the\n"
    "installation page: https://www.tensorflow.org/install and follow the ones that match your environment.\n"
    "Please note that you may need to restart your runtime after installation.\n",
    "flax": "{0} requires the FLAX library but it was not found in your environment. Checkout the instructions on the\n"
    "installation page: https://github.com/google/flax and follow the ones that match your environment.\n"
    "Please note that you may need to restart your runtime after installation.\n",
    "librosa": "{0} requires the librosa library but it was not found in your environment. You can install it with pip: `pip\n"
    "install librosa`. Please note that you may need to restart your runtime after installation.\n",
}
_POP2PIANO_AUDIO = {"Pop2PianoFeatureExtractor", "Pop2PianoTokenizer", "Pop2PianoProcessor"}


def _backend_of(name):
    if name.startswith("TF") and (name[2:3].isupper() or name.startswith("TF_")):
        return "tf"
    if name.startswith("Flax") or name.startswith("FLAX_"):
        return "flax"
    if name in _POP2PIANO_AUDIO:
        return "librosa"
    return None


class _DummyMeta(type):
    def __getattribute__(cls, key):
        if key.startswith("_"):
            return super().__getattribute__(key)
        raise ImportError(_BACKEND_ERRORS[super().__getattribute__("_backend")].format(super().__getattribute__("__name__")))


def _dummy(name, backend):
    if name.isupper() or "_" in name and name.upper() == name:
        return None  # mapping constants of a missing backend

    def __init__(self, *args, **kwargs):
        raise ImportError(_BACKEND_ERRORS[backend].format(name))

    return _DummyMeta(name, (), {"_backend": backend, "__init__": __init__, "__module__": "transformers.utils.dummy_%s_objects" % backend})


# ---------------------------------------------------------------------------------------------------------
# Deterministic pseudo-values.

_seed = [0]


def _torch():
    import torch

    return torch


def _randn(*shape):
    torch = _torch()
    g = torch.Generator().manual_seed(zlib.crc32(repr(shape).encode()) + _seed[0])
    _seed[0] += 1
    return torch.randn(*shape, generator=g)


def _randint(high, *shape):
    torch = _torch()
    g = torch.Generator().manual_seed(zlib.crc32(repr(shape).encode()) + _seed[0])
    _seed[0] += 1
    return torch.randint(0, high, shape, generator=g)


# ---------------------------------------------------------------------------------------------------------
# Output containers (transformers.utils.ModelOutput, BatchEncoding, BatchFeature).


class FieldDict(dict):
    """A mapping whose keys are also attributes (a missing one is the AttributeError of a missing attribute)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name)) from None


class ModelOutput(FieldDict):
    """An ordered mapping whose fields are also attributes and whose integer index is the field's position."""

    def __getitem__(self, k):
        if isinstance(k, (int, slice)):
            return self.to_tuple()[k]
        return dict.__getitem__(self, k)

    def to_tuple(self):
        return tuple(self[k] for k in self.keys())


class BatchEncoding(FieldDict):
    @property
    def data(self):
        return dict(self)

    def to(self, device):
        return type(self)({k: (v.to(device) if hasattr(v, "to") else v) for k, v in self.items()})

    def word_ids(self, batch_index=0):
        ids = self["input_ids"][batch_index]
        n = len(ids)
        return [None] + list(range(n - 2)) + [None] if n >= 2 else [None] * n

    def tokens(self, batch_index=0):
        return ["tok%d" % int(i) for i in self["input_ids"][batch_index]]

    def convert_to_tensors(self, tensor_type=None, prepend_batch_axis=False):
        return self


class BatchFeature(BatchEncoding):
    pass


# ---------------------------------------------------------------------------------------------------------
# Configurations.

_CONFIG_DEFAULTS = {
    "hidden_size": 768,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "intermediate_size": 3072,
    "vocab_size": 32000,
    "max_position_embeddings": 512,
    "pad_token_id": 0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "decoder_start_token_id": 0,
    "image_size": 224,
    "num_channels": 3,
    "patch_size": 16,
    "num_frames": 16,
    "sampling_rate": 16000,
    "is_encoder_decoder": False,
    "use_return_dict": True,
    "return_dict": True,
    "output_hidden_states": False,
    "output_attentions": False,
    "torch_dtype": None,
    "architectures": None,
    "problem_type": None,
    "tie_word_embeddings": True,
    "use_cache": True,
    "task_specific_params": None,
    "tubelet_size": 2,
    "num_mel_bins": 80,
    "num_queries": 100,
    "d_model": 768,
    "n_positions": 1024,
    "n_embd": 768,
    "n_head": 12,
    "n_layer": 12,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "max_length": 20,
    "forced_bos_token_id": None,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "projection_dim": 512,
}

# Heads whose number of labels is a published fact of the model family (what `config.id2label` says).
_LABELS_BY_ID = [
    (re.compile(r"(^|/)cross-encoder/|ms-marco", re.I), {0: "LABEL_0"}),
    (re.compile(r"[mx]?nli", re.I), {0: "contradiction", 1: "neutral", 2: "entailment"}),
]


def labels_for(model_id):
    for pattern, labels in _LABELS_BY_ID:
        if pattern.search(model_id or ""):
            return dict(labels)
    return None


class PretrainedConfig:
    model_type = ""

    def __init__(self, **kwargs):
        for k, v in _CONFIG_DEFAULTS.items():
            object.__setattr__(self, k, v)
        num_labels = kwargs.pop("num_labels", None)
        id2label = kwargs.pop("id2label", None)
        if id2label is None:
            id2label = {i: "LABEL_%d" % i for i in range(num_labels if num_labels is not None else 2)}
        self.id2label = {int(k): v for k, v in id2label.items()}
        self.label2id = kwargs.pop("label2id", None) or {v: k for k, v in self.id2label.items()}
        for k, v in kwargs.items():
            setattr(self, k, v)

    @property
    def num_labels(self):
        return len(self.id2label)

    @num_labels.setter
    def num_labels(self, n):
        self.id2label = {i: "LABEL_%d" % i for i in range(n)}
        self.label2id = {v: k for k, v in self.id2label.items()}

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
        model_id = check_model_id(pretrained_model_name_or_path)
        kwargs.pop("return_unused_kwargs", None)
        for k in ("cache_dir", "force_download", "resume_download", "proxies", "token", "use_auth_token", "revision", "local_files_only", "trust_remote_code", "subfolder"):
            kwargs.pop(k, None)
        cfg = cls(**kwargs)
        cfg._name_or_path = model_id
        return cfg

    @classmethod
    def from_dict(cls, config_dict, **kwargs):
        return cls(**{**config_dict, **kwargs})

    def to_dict(self):
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def to_json_string(self, use_diff=True):
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str) + "\n"

    def save_pretrained(self, save_directory, push_to_hub=False, **kwargs):
        os.makedirs(save_directory, exist_ok=True)
        with open(os.path.join(save_directory, "config.json"), "w", encoding="utf-8") as f:
            f.write(self.to_json_string())

    def update(self, config_dict):
        for k, v in config_dict.items():
            setattr(self, k, v)

    def __repr__(self):
        return "%s %s" % (type(self).__name__, self.to_json_string())


def _config_class(name):
    return type(name, (PretrainedConfig,), {"__module__": "transformers", "model_type": re.sub(r"Config$", "", name).lower()})


# ---------------------------------------------------------------------------------------------------------
# Tokenizers.

_TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _token_id(tok, vocab):
    return 5 + zlib.crc32(tok.encode("utf-8", "surrogatepass")) % (vocab - 5)


class PreTrainedTokenizerBase:
    vocab_files_names = {}
    model_input_names = ["input_ids", "token_type_ids", "attention_mask"]
    padding_side = "right"
    truncation_side = "right"

    def __init__(self, *args, **kwargs):
        self.name_or_path = kwargs.pop("name_or_path", "")
        self.model_max_length = kwargs.pop("model_max_length", 512)
        self.vocab_size = 32000
        self.pad_token, self.pad_token_id = "[PAD]", 0
        self.bos_token, self.bos_token_id = "<s>", 1
        self.eos_token, self.eos_token_id = "</s>", 2
        self.unk_token, self.unk_token_id = "[UNK]", 3
        self.mask_token, self.mask_token_id = "[MASK]", 4
        self.cls_token, self.cls_token_id = "[CLS]", 1
        self.sep_token, self.sep_token_id = "[SEP]", 2
        self.init_kwargs = dict(kwargs)
        self.src_lang = kwargs.get("src_lang")
        self.tgt_lang = kwargs.get("tgt_lang")

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *init_inputs, **kwargs):
        model_id = check_model_id(pretrained_model_name_or_path)
        return cls(name_or_path=model_id, **kwargs)

    def __len__(self):
        return self.vocab_size

    @property
    def all_special_ids(self):
        return [0, 1, 2, 3, 4]

    @property
    def all_special_tokens(self):
        return [self.pad_token, self.bos_token, self.eos_token, self.unk_token, self.mask_token]

    def tokenize(self, text, **kwargs):
        return _TOKEN_RE.findall(str(text))

    def convert_tokens_to_ids(self, tokens):
        if isinstance(tokens, str):
            return _token_id(tokens, self.vocab_size)
        return [_token_id(t, self.vocab_size) for t in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens=False):
        if isinstance(ids, int) or (hasattr(ids, "dim") and ids.dim() == 0):
            return "tok%d" % int(ids)
        return ["tok%d" % int(i) for i in ids if not (skip_special_tokens and int(i) < 5)]

    def convert_tokens_to_string(self, tokens):
        return " ".join(tokens)

    def _encode_one(self, text, text_pair=None, add_special_tokens=True, max_length=None, truncation=False):
        ids = [_token_id(t, self.vocab_size) for t in self.tokenize(text)]
        if text_pair is not None:
            ids = ids + [self.sep_token_id] + [_token_id(t, self.vocab_size) for t in self.tokenize(text_pair)]
        if add_special_tokens:
            ids = [self.cls_token_id] + ids + [self.sep_token_id]
        limit = max_length or (self.model_max_length if truncation else None)
        if truncation and limit:
            ids = ids[:limit]
        return ids

    def __call__(self, text=None, text_pair=None, text_target=None, add_special_tokens=True, padding=False, truncation=None,
                 max_length=None, stride=0, is_split_into_words=False, pad_to_multiple_of=None, return_tensors=None,
                 return_token_type_ids=None, return_attention_mask=None, return_overflowing_tokens=False,
                 return_special_tokens_mask=False, return_offsets_mapping=False, return_length=False, verbose=True, **kwargs):
        if text is None and text_target is None:
            text = kwargs.pop("query", None) or kwargs.pop("queries", None) or kwargs.pop("answer", None)
        if text is None and text_target is None:
            raise ValueError("You need to specify either `text` or `text_target`.")
        src = text if text is not None else text_target
        batched = isinstance(src, (list, tuple)) and not (is_split_into_words and src and isinstance(src[0], str))
        texts = list(src) if batched else [src]
        if is_split_into_words:
            texts = [" ".join(t) if isinstance(t, (list, tuple)) else t for t in texts]
        pairs = list(text_pair) if isinstance(text_pair, (list, tuple)) else [text_pair] * len(texts)
        rows = [self._encode_one(t, p, add_special_tokens, max_length, bool(truncation)) for t, p in zip(texts, pairs)]
        if padding or return_tensors is not None and len(rows) > 1:
            width = max_length if padding == "max_length" and max_length else max(len(r) for r in rows)
            masks = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
            rows = [r + [self.pad_token_id] * (width - len(r)) for r in rows]
        else:
            masks = [[1] * len(r) for r in rows]
        enc = {"input_ids": rows, "token_type_ids": [[0] * len(r) for r in rows], "attention_mask": masks}
        if return_offsets_mapping:
            enc["offset_mapping"] = [[(i, i + 1) for i in range(len(r))] for r in rows]
        if return_tensors in ("pt",):
            torch = _torch()
            enc = {k: torch.tensor(v) for k, v in enc.items()}
        elif return_tensors == "np":
            import numpy as np

            enc = {k: np.array(v) for k, v in enc.items()}
        elif return_tensors is not None:
            raise ValueError("Unable to convert output to %s tensors format" % return_tensors)
        elif not batched:
            enc = {k: v[0] for k, v in enc.items()}
        return BatchEncoding(enc)

    def encode(self, text, text_pair=None, add_special_tokens=True, padding=False, truncation=None, max_length=None, return_tensors=None, **kwargs):
        enc = self(text, text_pair=text_pair, add_special_tokens=add_special_tokens, padding=padding, truncation=truncation, max_length=max_length, return_tensors=return_tensors)
        return enc["input_ids"]

    def encode_plus(self, text, text_pair=None, **kwargs):
        return self(text, text_pair=text_pair, **kwargs)

    def batch_encode_plus(self, batch_text_or_text_pairs, **kwargs):
        return self(list(batch_text_or_text_pairs), **kwargs)

    def decode(self, token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=None, **kwargs):
        if hasattr(token_ids, "tolist"):
            token_ids = token_ids.tolist()
        if isinstance(token_ids, int):
            token_ids = [token_ids]
        return " ".join("tok%d" % int(i) for i in token_ids if not (skip_special_tokens and int(i) < 5))

    def batch_decode(self, sequences, skip_special_tokens=False, clean_up_tokenization_spaces=None, **kwargs):
        if hasattr(sequences, "tolist"):
            sequences = sequences.tolist()
        return [self.decode(s, skip_special_tokens=skip_special_tokens) for s in sequences]

    def prepare_seq2seq_batch(self, src_texts, tgt_texts=None, max_length=None, max_target_length=None, padding="longest", return_tensors=None, truncation=True, **kwargs):
        enc = self(src_texts, padding=padding, truncation=truncation, max_length=max_length, return_tensors=return_tensors)
        if tgt_texts is not None:
            enc["labels"] = self(tgt_texts, padding=padding, truncation=truncation, max_length=max_target_length, return_tensors=return_tensors)["input_ids"]
        return enc

    def pad(self, encoded_inputs, padding=True, max_length=None, return_tensors=None, **kwargs):
        return encoded_inputs

    def save_pretrained(self, save_directory, **kwargs):
        os.makedirs(save_directory, exist_ok=True)
        with open(os.path.join(save_directory, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump({"name_or_path": self.name_or_path}, f)
        return (os.path.join(save_directory, "tokenizer_config.json"),)

    def add_tokens(self, new_tokens, special_tokens=False):
        return len(new_tokens) if isinstance(new_tokens, (list, tuple)) else 1

    def add_special_tokens(self, special_tokens_dict, replace_additional_special_tokens=True):
        return len(special_tokens_dict)

    def get_vocab(self):
        return {}

    def apply_chat_template(self, conversation, tokenize=True, add_generation_prompt=False, return_tensors=None, **kwargs):
        text = "\n".join(m.get("content", "") for m in conversation) if not isinstance(conversation, str) else conversation
        return self.encode(text, return_tensors=return_tensors) if tokenize else text


class TapasTokenizerMixin:
    def __call__(self, table=None, queries=None, answer_coordinates=None, answer_text=None, padding=False, truncation=False, return_tensors=None, **kwargs):
        q = queries if queries is not None else ""
        return PreTrainedTokenizerBase.__call__(self, q, padding=padding, truncation=bool(truncation), return_tensors=return_tensors)

    def convert_logits_to_predictions(self, data, logits, logits_agg=None, cell_classification_threshold=0.5):
        batch = int(logits.shape[0])
        coords = [[(0, 0)] for _ in range(batch)]
        if logits_agg is None:
            return (coords,)
        return coords, [0] * batch


class LanguageCodesMixin:
    """The language-code API of the multilingual translation tokenizers (M2M100, NLLB, MBart-50)."""

    @property
    def lang_code_to_id(self):
        return _LangIds()

    def get_lang_id(self, lang):
        return _token_id("__%s__" % lang, self.vocab_size)

    def get_lang_token(self, lang):
        return "__%s__" % lang


class _LangIds(dict):
    def __missing__(self, key):
        return _token_id("__%s__" % key, 32000)


def _tokenizer_class(name):
    bases = [PreTrainedTokenizerBase]
    if name.startswith("Tapas"):
        bases.insert(0, TapasTokenizerMixin)
    if re.match(r"(M2M100|Nllb|MBart50|MBart)Tokenizer", name):
        bases.insert(0, LanguageCodesMixin)
    return type(name, tuple(bases), {"__module__": "transformers"})


# ---------------------------------------------------------------------------------------------------------
# Processors, image processors, feature extractors.


def _is_audio_name(name):
    return bool(re.search(r"Wav2Vec2|Whisper|Speech|Audio|Hubert|WavLM|UniSpeech|SEW|Clap|Encodec|Seamless|Musicgen|Bark|Univnet|UnivNet|Clvp|AST|Data2VecAudio|Pop2Piano|Tvlt", name))


class ProcessorMixin:
    def __init__(self, *args, **kwargs):
        self._kind = type(self).__name__
        self.tokenizer = _TOKENIZER_BASE(name_or_path=kwargs.get("name_or_path", ""))
        self.name_or_path = kwargs.get("name_or_path", "")
        self.sampling_rate = 16000
        self.size = {"height": 224, "width": 224}
        self.model_input_names = ["input_ids", "attention_mask", "pixel_values"]

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *args, **kwargs):
        model_id = check_model_id(pretrained_model_name_or_path)
        return cls(name_or_path=model_id)

    @property
    def image_processor(self):
        return self

    @property
    def feature_extractor(self):
        return self

    def __call__(self, *args, text=None, images=None, audio=None, videos=None, raw_speech=None, return_tensors=None, sampling_rate=None, **kwargs):
        torch = _torch()
        positional = list(args)
        out = {}
        for a in positional:
            if isinstance(a, (str,)) or (isinstance(a, (list, tuple)) and a and isinstance(a[0], str)):
                text = a if text is None else text
            elif images is None and not _is_audio_name(self._kind) and not (hasattr(a, "ndim") and a.ndim == 1):
                images = a
            elif audio is None:
                audio = a
        speech = audio if audio is not None else raw_speech
        if images is not None or videos is not None:
            imgs = videos if videos is not None else images
            n = len(imgs) if isinstance(imgs, (list, tuple)) else 1
            frames = isinstance(imgs, (list, tuple)) and n >= 8 and all(getattr(f, "ndim", 0) == 3 for f in imgs[:8])
            if videos is not None or frames or re.search(r"VideoMAE|Timesformer|Vivit|XCLIP|TVLT|Tvlt", self._kind):
                out["pixel_values"] = _randn(1, 16, 3, 224, 224)
            else:
                out["pixel_values"] = _randn(n, 3, 224, 224)
        if speech is not None:
            n = len(speech) if hasattr(speech, "__len__") else 16000
            if re.search(r"Whisper", self._kind):
                out["input_features"] = _randn(1, 80, 3000)
            elif re.search(r"Speech2Text|SpeechT5|Seamless", self._kind):
                out["input_features"] = _randn(1, max(1, n // 160), 80)
            else:
                out["input_values"] = _randn(1, max(1, int(n) if isinstance(n, int) else 16000))
                out["attention_mask"] = torch.ones(out["input_values"].shape, dtype=torch.long)
        if text is not None:
            enc = self.tokenizer(text, return_tensors="pt", padding=True)
            out.update(enc)
        if not out:
            raise ValueError("You have to specify either text, images or audio. Both cannot be none.")
        if return_tensors is None:
            out = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in out.items()}
        return BatchFeature(out)

    def decode(self, *args, **kwargs):
        return self.tokenizer.decode(*args, **kwargs)

    def batch_decode(self, *args, **kwargs):
        return self.tokenizer.batch_decode(*args, **kwargs)

    def post_process_object_detection(self, outputs, threshold=0.5, target_sizes=None):
        torch = _torch()
        n = len(target_sizes) if target_sizes is not None else int(outputs["logits"].shape[0])
        return [{"scores": torch.tensor([0.9]), "labels": torch.tensor([1]), "boxes": torch.tensor([[10.0, 10.0, 50.0, 50.0]])} for _ in range(n)]

    def post_process(self, outputs, target_sizes=None):
        return self.post_process_object_detection(outputs, target_sizes=target_sizes)

    def post_process_semantic_segmentation(self, outputs, target_sizes=None):
        torch = _torch()
        sizes = target_sizes or [(224, 224)] * int(outputs["logits"].shape[0])
        return [torch.zeros(tuple(int(x) for x in s), dtype=torch.long) for s in sizes]

    def post_process_panoptic_segmentation(self, outputs, target_sizes=None, **kwargs):
        torch = _torch()
        sizes = target_sizes or [(224, 224)]
        return [{"segmentation": torch.zeros(tuple(int(x) for x in s), dtype=torch.long), "segments_info": []} for s in sizes]

    def post_process_instance_segmentation(self, outputs, target_sizes=None, **kwargs):
        return self.post_process_panoptic_segmentation(outputs, target_sizes=target_sizes)

    def post_process_depth_estimation(self, outputs, target_sizes=None):
        return [{"predicted_depth": outputs["predicted_depth"][0]}]

    def save_pretrained(self, save_directory, **kwargs):
        os.makedirs(save_directory, exist_ok=True)
        with open(os.path.join(save_directory, "preprocessor_config.json"), "w", encoding="utf-8") as f:
            json.dump({"processor_class": self._kind}, f)


def _processor_class(name):
    return type(name, (ProcessorMixin,), {"__module__": "transformers"})


# ---------------------------------------------------------------------------------------------------------
# Models.

_HEADS = [
    ("ForQuestionAnsweringSimple", "qa"),
    ("ForTableQuestionAnswering", "table_qa"),
    ("TapasForQuestionAnswering", "table_qa"),
    ("ForDocumentQuestionAnswering", "qa"),
    ("ForVisualQuestionAnswering", "seq_cls"),
    ("ForQuestionAnswering", "qa"),
    ("ForAudioFrameClassification", "token_cls"),
    ("ForTokenClassification", "token_cls"),
    ("ForImageClassificationWithTeacher", "seq_cls"),
    ("ForZeroShotImageClassification", "contrastive"),
    ("ForZeroShotObjectDetection", "detection"),
    ("ForObjectDetection", "detection"),
    ("ForXVector", "xvector"),
    ("ForCTC", "ctc"),
    ("ForDepthEstimation", "depth"),
    ("ForSemanticSegmentation", "semseg"),
    ("ForImageSegmentation", "semseg"),
    ("ForUniversalSegmentation", "universal_seg"),
    ("ForInstanceSegmentation", "universal_seg"),
    ("ForMaskedImageModeling", "image_recon"),
    ("ForImageToImage", "image_recon"),
    ("ForImageSuperResolution", "image_recon"),
    ("ForMaskGeneration", "mask_gen"),
    ("ForTextToSpeech", "tts"),
    ("ForTextToWaveform", "tts"),
    ("ForTextToSpectrogram", "tts"),
    ("HifiGan", "vocoder"),
    ("ForPreTraining", "pretraining"),
    ("ForMaskedLM", "lm"),
    ("ForCausalLM", "lm"),
    ("LMHeadModel", "lm"),
    ("WithLMHead", "lm"),
    ("ModelWithLMHead", "lm"),
    ("ForConditionalGeneration", "seq2seq"),
    ("ForSeq2SeqLM", "seq2seq"),
    ("ForSpeechSeq2Seq", "seq2seq"),
    ("ForVision2Seq", "seq2seq"),
    ("ForVisionText2Text", "seq2seq"),
    ("MTModel", "seq2seq"),
    ("ForSpeechToText", "seq2seq"),
    ("ForTextToText", "seq2seq"),
    ("ForMultipleChoice", "seq_cls"),
    ("ForNextSentencePrediction", "seq_cls"),
    ("Classification", "seq_cls"),
    ("ForPrediction", "prediction"),
    ("ForRegression", "prediction"),
]
_CONTRASTIVE = re.compile(r"^(CLIP|ChineseCLIP|AltCLIP|XCLIP|Siglip|Align|Clap|GroupViT|Blip|OwlViT|Owlv2|CLIPSeg|Flava)Model$")


def head_of(name):
    if name.startswith("AutoModel"):
        rest = name[len("AutoModel"):]
        if rest in ("", "ForTextEncoding"):
            return "base"
        name = rest
    if _CONTRASTIVE.match(name):
        return "contrastive"
    for suffix, head in _HEADS:
        if suffix in name:
            return head
    return "base"


def _dims(kwargs, args):
    """Batch size and sequence length from whatever the model was given."""
    torch = _torch()
    tensors = [v for v in list(args) + list(kwargs.values()) if isinstance(v, torch.Tensor)]
    for key in ("input_ids", "decoder_input_ids", "inputs_embeds"):
        v = kwargs.get(key)
        if isinstance(v, torch.Tensor) and v.dim() >= 2:
            return int(v.shape[0]), int(v.shape[1])
    for key in ("pixel_values", "input_values", "input_features"):
        v = kwargs.get(key)
        if isinstance(v, torch.Tensor) and v.dim() >= 2:
            return int(v.shape[0]), 197 if key == "pixel_values" else 50
    for v in tensors:
        if v.dim() >= 2:
            return int(v.shape[0]), int(v.shape[1])
        if v.dim() == 1:
            return 1, int(v.shape[0])
    return 1, 8


def _model_base():
    torch = _torch()

    class PreTrainedModel(torch.nn.Module):
        config_class = PretrainedConfig
        base_model_prefix = ""
        main_input_name = "input_ids"
        _head = "base"

        def __init__(self, config=None, *args, **kwargs):
            super().__init__()
            self.config = config if config is not None else PretrainedConfig()
            self.weight_stub = torch.nn.Parameter(torch.zeros(1))
            self.name_or_path = getattr(self.config, "_name_or_path", "")
            self.generation_config = _GenerationConfigBase()

        @classmethod
        def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
            model_id = check_model_id(pretrained_model_name_or_path)
            config = kwargs.pop("config", None)
            if kwargs.pop("from_tf", False):
                raise ImportError(_BACKEND_ERRORS["tf"].format("Loading a TensorFlow model in PyTorch"))
            cfg_kwargs = {k: kwargs[k] for k in ("num_labels", "id2label", "label2id") if k in kwargs}
            if not cfg_kwargs and labels_for(model_id):
                cfg_kwargs = {"id2label": labels_for(model_id)}
            if config is None or isinstance(config, str):
                config = PretrainedConfig(**cfg_kwargs)
            config._name_or_path = model_id
            model = cls(config)
            model.eval()
            return model

        @classmethod
        def from_config(cls, config, **kwargs):
            return cls(config)

        @property
        def device(self):
            return self.weight_stub.device

        @property
        def dtype(self):
            return self.weight_stub.dtype

        def can_generate(self):
            return self._head in ("lm", "seq2seq")

        def num_parameters(self, only_trainable=False, exclude_embeddings=False):
            return 110_000_000

        def get_input_embeddings(self):
            return torch.nn.Embedding(self.config.vocab_size, 8)

        def resize_token_embeddings(self, new_num_tokens=None, pad_to_multiple_of=None):
            if new_num_tokens is not None:
                self.config.vocab_size = int(new_num_tokens)
            return self.get_input_embeddings()

        def tie_weights(self):
            return None

        def gradient_checkpointing_enable(self, gradient_checkpointing_kwargs=None):
            return None

        def save_pretrained(self, save_directory, **kwargs):
            self.config.save_pretrained(save_directory)

        def push_to_hub(self, repo_id, **kwargs):
            from .inputs import _refuse_network

            _refuse_network("push %r to the Hub" % repo_id)

        def forward(self, *args, **kwargs):
            return _outputs(self, args, kwargs)

        def generate(self, inputs=None, *args, **kwargs):
            b, t = _dims({"input_ids": inputs, **kwargs} if inputs is not None else kwargs, args)
            n = int(kwargs.get("max_new_tokens") or 0) + (t if self._head == "lm" else 0) or int(kwargs.get("max_length") or 20)
            n = max(1, min(n, 512))
            b *= int(kwargs.get("num_return_sequences") or 1)
            if kwargs.get("return_dict_in_generate"):
                return ModelOutput(sequences=_randint(self.config.vocab_size, b, n))
            return _randint(self.config.vocab_size, b, n)

        def get_text_features(self, *args, **kwargs):
            b, _ = _dims(kwargs, args)
            return _randn(b, 512)

        def get_image_features(self, *args, **kwargs):
            b, _ = _dims(kwargs, args)
            return _randn(b, 512)

        def generate_speech(self, input_ids, speaker_embeddings=None, vocoder=None, **kwargs):
            return _randn(16000)

    return PreTrainedModel


class _GenerationConfigBase:
    def __init__(self, **kwargs):
        self.max_length = 20
        self.max_new_tokens = None
        self.do_sample = False
        self.num_beams = 1
        self.forced_decoder_ids = None
        for k, v in kwargs.items():
            setattr(self, k, v)

    @classmethod
    def from_pretrained(cls, pretrained_model_name, **kwargs):
        check_model_id(pretrained_model_name)
        return cls(**kwargs)


def _outputs(model, args, kwargs):
    torch = _torch()
    cfg = model.config
    b, t = _dims(kwargs, args)
    h, v, k = cfg.hidden_size, cfg.vocab_size, cfg.num_labels
    head = model._head
    if head == "base":
        return ModelOutput(last_hidden_state=_randn(b, t, h), pooler_output=_randn(b, h))
    if head == "contrastive":
        ids = kwargs.get("input_ids")
        nt = int(ids.shape[0]) if isinstance(ids, torch.Tensor) and ids.dim() >= 1 else 1
        px = kwargs.get("pixel_values")
        ni = int(px.shape[0]) if isinstance(px, torch.Tensor) else 1
        per_image = _randn(ni, nt)
        return ModelOutput(logits_per_image=per_image, logits_per_text=per_image.t(), text_embeds=_randn(nt, 512), image_embeds=_randn(ni, 512))
    if head == "seq_cls":
        return ModelOutput(logits=_randn(b, k))
    if head == "token_cls":
        return ModelOutput(logits=_randn(b, t, k))
    if head == "qa":
        return ModelOutput(start_logits=_randn(b, t), end_logits=_randn(b, t))
    if head == "table_qa":
        return ModelOutput(logits=_randn(b, t), logits_aggregation=_randn(b, 4))
    if head in ("lm", "seq2seq", "pretraining"):
        out = ModelOutput(logits=_randn(b, t, v))
        if "labels" in kwargs or head == "pretraining":
            out = ModelOutput(loss=_randn(1)[0].abs(), **out)
        return out
    if head == "ctc":
        return ModelOutput(logits=_randn(b, t, 32))
    if head == "xvector":
        return ModelOutput(logits=_randn(b, k), embeddings=_randn(b, 512))
    if head == "depth":
        return ModelOutput(predicted_depth=_randn(b, 224, 224).abs())
    if head == "semseg":
        return ModelOutput(logits=_randn(b, k, 56, 56))
    if head == "universal_seg":
        return ModelOutput(class_queries_logits=_randn(b, 100, k + 1), masks_queries_logits=_randn(b, 100, 56, 56))
    if head == "detection":
        return ModelOutput(logits=_randn(b, 100, k + 1), pred_boxes=_randn(b, 100, 4).sigmoid())
    if head == "image_recon":
        return ModelOutput(reconstruction=_randn(b, 3, 224, 224))
    if head == "mask_gen":
        return ModelOutput(iou_scores=_randn(b, 1, 3), pred_masks=_randn(b, 1, 3, 256, 256))
    if head in ("tts", "vocoder"):
        return ModelOutput(waveform=_randn(b, 16000))
    if head == "prediction":
        return ModelOutput(prediction_outputs=_randn(b, 24, 1))
    return ModelOutput(last_hidden_state=_randn(b, t, h))


_MODEL_BASE = None


def _model_class(name):
    global _MODEL_BASE
    if _MODEL_BASE is None:
        _MODEL_BASE = _model_base()
    return type(name, (_MODEL_BASE,), {"__module__": "transformers", "_head": head_of(name)})


# ---------------------------------------------------------------------------------------------------------
# The factory.

_TOKENIZER_BASE = type("PreTrainedTokenizerFast", (PreTrainedTokenizerBase,), {"__module__": "transformers"})

_FUNCTIONS = {"set_seed", "enable_full_determinism", "default_data_collator", "prune_layer", "apply_chunking_to_forward", "load_tool", "launch_gradio_demo", "convert_slow_tokenizer", "create_optimizer", "shape_list", "torch_distributed_zero_first", "add_start_docstrings", "add_end_docstrings"}


def _function(name):
    def fn(*args, **kwargs):
        return None

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "transformers"
    return fn


def _plain_class(name):
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    return type(name, (), {"__module__": "transformers", "__init__": __init__})


_made = {}


def make(name):
    """The object transformers 4.41.2 exports under `name` (a name of the surface)."""
    if name in _made:
        return _made[name]
    obj = _make(name)
    _made[name] = obj
    return obj


def _make(name):
    backend = _backend_of(name)
    if backend:
        return _dummy(name, backend)
    if name == "pipeline":
        from .tf_pipelines import pipeline

        return pipeline
    if name.endswith("Pipeline") or name == "Conversation":
        from . import tf_pipelines

        return tf_pipelines.pipeline_class(name)
    if name in ("PretrainedConfig",):
        return PretrainedConfig
    if name == "GenerationConfig":
        return type("GenerationConfig", (_GenerationConfigBase,), {"__module__": "transformers"})
    if name in ("BatchEncoding",):
        return BatchEncoding
    if name in ("BatchFeature",):
        return BatchFeature
    if name in ("PreTrainedTokenizer", "PreTrainedTokenizerBase", "PreTrainedTokenizerFast"):
        return type(name, (PreTrainedTokenizerBase,), {"__module__": "transformers"})
    if name == "PreTrainedModel":
        return _model_class(name)
    if name == "AutoConfig" or name.endswith("Config") and not name.endswith("QuantizationConfig"):
        return _config_class(name)
    if name == "AutoTokenizer" or name.endswith("Tokenizer") or name.endswith("TokenizerFast"):
        return _tokenizer_class(name)
    if name in ("AutoProcessor", "AutoImageProcessor", "AutoFeatureExtractor", "ProcessorMixin") or name.endswith("Processor") or name.endswith("FeatureExtractor") or name.endswith("ProcessorWithLM"):
        return _processor_class(name)
    if name in _FUNCTIONS or name[:1].islower():
        return _function(name)
    if name.isupper() or "_" in name and name.upper() == name:
        return {}  # constants and mappings
    if name.startswith("AutoModel") or name == "AutoBackbone" or re.search(r"(Model|For[A-Z]\w*|LMHead\w*|Encoder|Decoder|HifiGan|Backbone|Layer|Embeddings?|Router|MLP|Attention|Head)$", name):
        return _model_class(name)
    return _plain_class(name)
