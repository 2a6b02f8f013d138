"""Model specs: one short string names a model and its options, for ``compare`` and ``train``.

Grammar::

    spec     := name [":" option ("," option)*]
    name     := "tfidf-lr"
              | "default"                          exactly the model ``textrnn train`` builds
              | ["bi"] cell ["-" pooling]          cell in rnn, lstm, gru
    pooling  := last | mean | max | attn            (default: the train default's, max)
    option   := key "=" value

Examples: ``tfidf-lr``, ``tfidf-lr:analyzer=word+char``, ``default``, ``default:embeddings=navec``,
``lstm``, ``bilstm-attn``, ``bigru-max:embeddings=navec,hidden=256,freeze=1``.

A recurrent spec starts from the train default (:class:`textrnn.config.ModelConfig`,
:class:`~textrnn.config.TrainConfig`, :class:`~textrnn.config.VocabConfig` and
:func:`~textrnn.config.classifier_preprocessing`, so lemmas for Russian); its name sets the
cell, the direction and the pooling, its options change the rest. ``bigru-max`` is ``default``.

Recurrent options: ``emb`` (embedding dim), ``hidden``, ``layers``, ``dropout``, ``emb_dropout``,
``embeddings`` (``navec``, a navec ``.tar`` archive or a word2vec/GloVe text file), ``freeze`` (0/1), ``epochs``, ``lr``,
``batch``, ``patience``, ``weight_decay``, ``clip`` (largest gradient norm; 0 = off), ``maxlen``, ``vocab`` (max size), ``min_freq``,
``class_weight`` (``balanced``), ``subwords`` (hash buckets for fastText-style character n-gram
embeddings; 0 = off). Preprocessing options for every model: ``stem``, ``lemmatize``,
``stopwords``, ``negation`` (0/1), ``lang`` (ru/en).
TF-IDF options: ``analyzer`` (word, char_wb, word+char), ``ngram`` (word n-grams, e.g. ``1-2``),
``char_ngram`` (e.g. ``2-5``), ``C``, ``min_df``, ``max_features``, ``sublinear`` (0/1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from textrnn.checks import parse_range
from textrnn.errors import TextrnnError

SPEC_RE = re.compile(r"^(?P<bi>bi)?(?P<cell>rnn|lstm|gru)(?:-(?P<pool>last|mean|max|attn))?$")
PREPROCESSING_KEYS = {"stem": bool, "lemmatize": bool, "stopwords": bool, "negation": bool, "lang": str}
RECURRENT_KEYS = {
    "emb": int, "hidden": int, "layers": int, "dropout": float, "emb_dropout": float, "embeddings": str,
    "freeze": bool, "epochs": int, "lr": float, "batch": int, "patience": int, "weight_decay": float, "clip": float,
    "maxlen": int, "vocab": int, "min_freq": int, "class_weight": str, "subwords": int,
}
TFIDF_KEYS = {"analyzer": str, "ngram": str, "char_ngram": str, "C": float, "min_df": int,
              "max_features": int, "sublinear": bool}


@dataclass
class ModelSpec:
    """A parsed spec: ``name`` and typed ``options``; ``text`` is the original string."""

    text: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_recurrent(self) -> bool:
        return self.name != "tfidf-lr"


def _convert(key: str, value: str, kind: type, spec: str) -> Any:
    try:
        if kind is bool:
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        return kind(value)
    except ValueError:
        raise TextrnnError(f"model spec {spec!r}: option {key}={value!r} is not a valid {kind.__name__}") from None


def parse_spec(text: str) -> ModelSpec:
    """Parse one spec string (see the module docstring for the grammar).

    Raises:
        TextrnnError: unknown model name, unknown option, or a value of the wrong type.
    """
    text = text.strip()
    name, _, rest = text.partition(":")
    if name not in ("tfidf-lr", "default") and not SPEC_RE.match(name):
        raise TextrnnError(
            f"unknown model {name!r} in spec {text!r}; expected tfidf-lr, default or [bi](rnn|lstm|gru)[-last|-mean|-max|-attn]"
        )
    allowed = {**PREPROCESSING_KEYS, **(TFIDF_KEYS if name == "tfidf-lr" else RECURRENT_KEYS)}
    options: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise TextrnnError(f"model spec {text!r}: option {item!r} must look like key=value")
        if key not in allowed:
            raise TextrnnError(f"model spec {text!r}: unknown option {key!r}; expected some of {sorted(allowed)}")
        options[key] = _convert(key, value, allowed[key], text)
    return ModelSpec(text=text, name=name, options=options)


def parse_specs(text: str) -> list[ModelSpec]:
    """Parse a comma-separated list of specs, e.g. ``tfidf-lr,bigru-max:hidden=256``.

    A comma followed by ``key=value`` continues the previous spec's options; any other
    comma starts a new spec.
    """
    specs: list[str] = []
    for part in text.split(","):
        part = part.strip().rstrip(":")  # "gru:" is "gru"
        if not part:
            continue
        if re.fullmatch(r"\d+", part) and specs and "=" in specs[-1]:
            raise TextrnnError(f"{part!r} after {specs[-1]!r} is not a model name: commas separate options and "
                               f"specs, so write a range with a dash (e.g. ngram=1-2)")
        if "=" in part and ":" not in part and specs:
            specs[-1] += "," + part
        else:
            specs.append(part)
    if not specs:
        raise TextrnnError("no model specs given; e.g. tfidf-lr,default")
    return [parse_spec(s) for s in specs]


def build_from_spec(spec: ModelSpec | str, seed: int = 13, device: str = "auto"):
    """An unfitted classifier for ``spec`` (same ``fit`` / ``predict_proba`` / ``save`` interface).

    Raises:
        TextrnnError: a bad spec or option value (the message starts with ``model spec '...':``).
    """
    if isinstance(spec, str):
        spec = parse_spec(spec)
    try:
        return _build(spec, seed, device)
    except TextrnnError as e:
        if str(e).startswith("model spec "):
            raise
        raise TextrnnError(f"model spec {spec.text!r}: {e}") from None


def _build(spec: ModelSpec, seed: int, device: str):
    from textrnn.config import classifier_preprocessing

    o = spec.options
    pre = classifier_preprocessing(spec.is_recurrent, **{k: o[k] for k in PREPROCESSING_KEYS if k in o})
    if not spec.is_recurrent:
        from textrnn.baselines.tfidf_lr import TfidfLogisticRegression

        kwargs: dict[str, Any] = {"preprocessor": pre, "seed": seed}
        if "analyzer" in o:
            kwargs["analyzer"] = o["analyzer"]
        if "ngram" in o:
            kwargs["word_ngram_range"] = parse_range(o["ngram"], "ngram")
        if "char_ngram" in o:
            kwargs["char_ngram_range"] = parse_range(o["char_ngram"], "char_ngram")
        for key, arg in (("C", "C"), ("min_df", "min_df"), ("max_features", "max_features"), ("sublinear", "sublinear_tf")):
            if key in o:
                kwargs[arg] = o[key]
        return TfidfLogisticRegression(**kwargs)

    from textrnn.config import ModelConfig, TrainConfig, VocabConfig
    from textrnn.training.classifier import RecurrentTextClassifier

    model = ModelConfig().to_dict()  # the train default; a name sets cell, direction and pooling
    m = SPEC_RE.match(spec.name)
    if m:
        pooling = {"attn": "attention", None: model["pooling"]}.get(m.group("pool"), m.group("pool"))
        model.update(cell=m.group("cell"), bidirectional=bool(m.group("bi")), pooling=pooling)
    model.update({k2: o[k] for k, k2 in (("emb", "embedding_dim"), ("hidden", "hidden_size"), ("layers", "num_layers"),
                                          ("dropout", "dropout"), ("emb_dropout", "embedding_dropout"),
                                          ("subwords", "subword_buckets")) if k in o})
    model = ModelConfig(**model).validate()
    vocab = VocabConfig(**{k2: o[k] for k, k2 in (("maxlen", "max_len"), ("vocab", "max_size"), ("min_freq", "min_freq")) if k in o})
    train = TrainConfig(seed=seed, **{k2: o[k] for k, k2 in (
        ("epochs", "epochs"), ("patience", "patience"), ("lr", "lr"), ("batch", "batch_size"),
        ("weight_decay", "weight_decay"), ("clip", "clip_grad_norm"), ("class_weight", "class_weight")) if k in o})
    clf = RecurrentTextClassifier(pre, vocab, model, train, device=device)
    if o.get("freeze") and "embeddings" not in o:
        raise TextrnnError("freeze=1 needs embeddings=...: there are no pretrained vectors to freeze")
    if "embeddings" in o:
        from textrnn.data.vectors import check_embeddings_source

        clf.embeddings = check_embeddings_source(o["embeddings"])
        clf.freeze_embeddings = o.get("freeze", False)
    return clf
