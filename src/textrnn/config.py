"""Every default in one place: the configuration dataclasses of vocabularies, models and training.

The CLI reads its option defaults from these classes, ``RecurrentTextClassifier()`` and
``compare``'s ``default`` spec build from them, and a run directory stores them as JSON
(``to_dict`` / ``from_dict``), so the three ways of building a model give the same model.
This module imports neither torch nor the models, so the CLI can read it at start-up.

Ranges are checked by ``validate()`` (also when a run directory is loaded, before any module is
built): sizes are bounded so that a damaged or crafted ``config.json`` cannot make textrnn
allocate without bound.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from textrnn.checks import check_fields, check_max_norm, check_seed
from textrnn.errors import TextrnnError

CELLS = ("rnn", "lstm", "gru")
POOLINGS = ("last", "mean", "max", "attention")
SCHEDULES = ("constant", "cosine")
MAX_VOCAB = 10_000_000
# fastText uses 2 M buckets; 10 M x 300-d float32 is already 12 GB of embeddings
MAX_SUBWORD_BUCKETS = 10_000_000
MAX_WIDTH = 8192  # embedding, hidden and attention sizes
MAX_LAYERS = 64


class _Config:
    """``to_dict`` / ``from_dict`` / ``validate`` shared by the configuration dataclasses."""

    _what = "option"
    _rules: dict[str, tuple] = {}

    def validate(self):
        """Check every field's type and range; returns ``self``.

        Raises:
            TextrnnError: the first bad field, named with its value and the expected range.
        """
        check_fields(self, self._rules, self._what)
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any):
        """Rebuild from :meth:`to_dict` output, validated.

        Raises:
            TextrnnError: not an object, an unknown field, or a bad value.
        """
        if not isinstance(data, dict):
            raise TextrnnError(f"{cls._what}s must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TextrnnError(f"unknown {cls._what}(s) {unknown[:10]}; expected some of {sorted(known)}")
        return cls(**data).validate()


@dataclass
class VocabConfig(_Config):
    """How texts become id sequences.

    Attributes:
        max_size: the most vocabulary entries, special tokens included.
        min_freq: a token needs this many occurrences in the training set to get an id.
        max_len: texts are truncated to their first ``max_len`` tokens.
    """

    max_size: int = 30000
    min_freq: int = 1
    max_len: int = 64

    _what = "vocabulary option"
    _rules = {"max_size": ("int", 3, MAX_VOCAB), "min_freq": ("int", 1, 10**9), "max_len": ("int", 1, 100_000)}


# the fields every model built on the shared encoder has
_ENCODER_RULES = {
    "cell": ("choice", CELLS), "vocab_size": ("int", 2, MAX_VOCAB), "embedding_dim": ("int", 1, MAX_WIDTH),
    "hidden_size": ("int", 1, MAX_WIDTH), "num_layers": ("int", 1, MAX_LAYERS), "dropout": ("float", 0.0, 1.0, True),
}


@dataclass
class ModelConfig(_Config):
    """Architecture of a recurrent text classifier (:class:`textrnn.nn.RecurrentClassifier`).

    The defaults are the model ``textrnn train`` builds, chosen by measurement
    (benchmarks/RESULTS.md, "The train default"): a bidirectional GRU of 128 units per direction
    over 128-d word embeddings plus fastText-style subword embeddings, max pooling, dropout 0.3
    on the embeddings and before the output layer.

    Attributes:
        cell: ``"rnn"`` (Elman, tanh), ``"lstm"`` or ``"gru"``.
        vocab_size: number of token ids, special tokens included (set by ``fit``).
        num_outputs: 1 for two classes (one logit), else the number of classes (set by ``fit``).
        embedding_dim: size of each token embedding.
        hidden_size: size of the hidden state of each direction.
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the output layer.
        embedding_dropout: dropout on the embeddings.
        bidirectional: run a backward net too and concatenate both.
        pooling: ``"last"``, ``"mean"``, ``"max"`` or ``"attention"`` (:mod:`textrnn.nn.pooling`).
        attention_size: hidden size of the attention scorer.
        subword_buckets: 0 = words only; else hash buckets for character n-gram embeddings
            (:mod:`textrnn.data.subwords`); the input ids are then ``(batch, seq_len, 1 + max_subwords)``.
        subword_min_n, subword_max_n: n-gram lengths in characters, word boundaries included.
        max_subwords: n-grams kept per word.
    """

    cell: str = "gru"
    vocab_size: int = 2
    num_outputs: int = 1
    embedding_dim: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.3
    embedding_dropout: float = 0.3
    bidirectional: bool = True
    pooling: str = "max"
    attention_size: int = 64
    subword_buckets: int = 20000
    subword_min_n: int = 3
    subword_max_n: int = 5
    max_subwords: int = 24

    _what = "model option"
    _rules = {
        **_ENCODER_RULES, "pooling": ("choice", POOLINGS), "bidirectional": ("bool",),
        "num_outputs": ("int", 1, 1_000_000), "attention_size": ("int", 1, MAX_WIDTH),
        "subword_buckets": ("int", 0, MAX_SUBWORD_BUCKETS), "subword_min_n": ("int", 1, 32),
        "subword_max_n": ("int", 1, 32), "max_subwords": ("int", 1, 512),
        "embedding_dropout": ("float", 0.0, 1.0, True),
    }

    def validate(self) -> "ModelConfig":
        super().validate()
        if self.subword_min_n > self.subword_max_n:
            raise TextrnnError(f"model options subword_min_n={self.subword_min_n} > subword_max_n={self.subword_max_n}; "
                               f"expected min <= max", param="subword_min_n")
        return self

    @property
    def features(self) -> int:
        """Size of each encoder state: ``hidden_size`` per direction."""
        return self.hidden_size * (2 if self.bidirectional else 1)


@dataclass
class CharLMConfig(_Config):
    """Architecture of a character language model (:class:`textrnn.nn.CharLM`).

    The defaults are the CPU configuration chosen for tinyshakespeare (<= 1.55 nats/char on
    validation in 300 s on 2 cores, benchmarks/RESULTS.md): one GRU layer of 256 units over
    64-d character embeddings, no dropout (the run is too short to overfit).

    Attributes:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        vocab_size: symbols, special tokens included (set by training).
        embedding_dim: character embedding size.
        hidden_size: recurrent state size per layer.
        num_layers: stacked recurrent layers.
        dropout: on the embeddings, between layers and before the output layer.
        tie_weights: the output layer shares the embedding matrix (Press & Wolf 2017); needs
            ``embedding_dim == hidden_size``.
    """

    cell: str = "gru"
    vocab_size: int = 2
    embedding_dim: int = 64
    hidden_size: int = 256
    num_layers: int = 1
    dropout: float = 0.0
    tie_weights: bool = False

    _what = "model option"
    _rules = {**_ENCODER_RULES, "tie_weights": ("bool",)}

    def validate(self) -> "CharLMConfig":
        super().validate()
        if self.tie_weights and self.embedding_dim != self.hidden_size:
            raise TextrnnError(f"tie_weights needs embedding_dim == hidden_size, got {self.embedding_dim} and "
                               f"{self.hidden_size}", param="tie_weights")
        return self


_TRAIN_RULES = {
    "epochs": ("optional_int", 1, 10**6), "max_steps": ("optional_int", 1, 10**12),
    "time_budget": ("optional_float", 0.0, 1e9, False, True), "batch_size": ("int", 1, 10**6),
    "lr": ("float", 0.0, 1e3, False, True), "weight_decay": ("float", 0.0, 1e6),
    "warmup_steps": ("int", 0, 10**9), "min_lr_ratio": ("float", 0.0, 1.0), "schedule": ("choice", SCHEDULES),
    "evals": ("int", 0, 10**6), "patience": ("int", 0, 10**6), "threads": ("optional_int", 0, 4096),
}


@dataclass
class TrainConfig(_Config):
    """How the :class:`textrnn.training.Trainer` trains a classifier (stored in ``config.json``).

    Shared by every task (the char LM's :class:`LMTrainConfig` has the same fields, other
    defaults). Training stops at the first of ``epochs``, ``max_steps`` and ``time_budget``
    (seconds of training, validation excluded) that is set, or when the monitored validation
    metric has not improved for ``patience`` evaluations (0 = never early). The weights of the
    best evaluation are kept.

    Attributes:
        epochs, max_steps, time_budget: stopping limits (``None`` = unset).
        batch_size: texts per batch.
        lr: peak AdamW learning rate; ``betas``, ``weight_decay`` (decoupled): AdamW's.
        clip_grad_norm: the largest global L2 norm of the gradients (0 = no clipping).
        schedule: ``"constant"`` or ``"cosine"`` (to ``min_lr_ratio * lr`` over training
            progress), after ``warmup_steps`` of linear warm-up.
        evals: validations spread over the run by progress, besides one per epoch (0 = per epoch only).
        patience: evaluations without improvement before stopping (0 = never).
        monitor: the validation metric that picks the best weights: ``macro_f1``, ``accuracy``
            or ``loss`` (``val_loss`` is read as ``loss``).
        class_weight: ``None`` or ``"balanced"`` (weights n / (k * n_c) in the loss).
        seed: seeds weights, dropout and batch order.
        threads: CPU threads: ``None`` = torch's default (one per core), 0 = tuned while
            training by measured speed and load, N = N.
    """

    epochs: int | None = 8
    max_steps: int | None = None
    time_budget: float | None = None
    batch_size: int = 64
    lr: float = 2e-3
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    clip_grad_norm: float = 1.0
    warmup_steps: int = 0
    min_lr_ratio: float = 0.05
    schedule: str = "constant"
    evals: int = 0
    patience: int = 2
    monitor: str = "macro_f1"
    class_weight: str | None = None
    seed: int = 13
    threads: int | None = None

    _what = "training option"
    _rules = {**_TRAIN_RULES, "class_weight": ("choice", (None, "balanced"))}

    def validate(self):
        super().validate()
        self.clip_grad_norm = check_max_norm(self.clip_grad_norm)
        check_seed(self.seed)
        b = self.betas
        if (not isinstance(b, (list, tuple)) or len(b) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x < 1 for x in b)):
            raise TextrnnError(f"training option betas={b!r} is invalid; expected two numbers in [0, 1)", param="betas")
        self.betas = (float(b[0]), float(b[1]))
        if not isinstance(self.monitor, str):
            raise TextrnnError(f"training option monitor={self.monitor!r} is invalid; expected a metric name", param="monitor")
        return self

    @classmethod
    def from_dict(cls, data: Any):
        """As :meth:`_Config.from_dict`, ignoring the keys earlier versions stored that are not options."""
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("device",)}
        return super().from_dict(data)


@dataclass
class LMTrainConfig(TrainConfig):
    """How a character language model is trained: :class:`TrainConfig` with the char LM's defaults.

    The CPU recipe for tinyshakespeare: 32 streams of 128-character truncated-BPTT windows,
    peak lr 3e-3 with 50 warm-up steps and a cosine decay to 5 % of it over training progress
    (the larger of steps done / step limit and seconds spent / ``time_budget``), Adam betas
    (0.9, 0.99), gradient norm clipped at 1.0, ten validations spread over the run, the thread
    count tuned while training. With no limit given, 10 epochs.

    Attributes (besides :class:`TrainConfig`'s):
        seq_len: characters per truncated-BPTT window.
        line_mode: each non-empty line is one ``<bos> … <eos>`` sequence (names, titles, tweets).
        val_fraction: share of the training text held out when no validation file is given.
    """

    epochs: int | None = None
    batch_size: int = 32
    lr: float = 3e-3
    betas: tuple[float, float] = (0.9, 0.99)
    warmup_steps: int = 50
    schedule: str = "cosine"
    evals: int = 10
    patience: int = 0
    monitor: str = "loss_nats_per_char"
    class_weight: str | None = None
    seed: int = 0
    threads: int | None = 0
    seq_len: int = 128
    line_mode: bool = False
    val_fraction: float = 0.05

    _rules = {**TrainConfig._rules, "seq_len": ("int", 1, 10**6), "line_mode": ("bool",),
              "val_fraction": ("float", 0.0, 1.0, True, True)}

    def limits(self) -> "LMTrainConfig":
        """A copy with 10 epochs when no limit (epochs, max_steps, time_budget) is set."""
        from dataclasses import replace

        if self.epochs is None and self.max_steps is None and self.time_budget is None:
            return replace(self, epochs=10)
        return replace(self)


CHAR_FEATURES = ("cnn", "lstm", "none")
TAG_SCHEMES = (None, "bio", "bioes")


@dataclass
class TaggerConfig(_Config):
    """Architecture of a token tagger (:class:`textrnn.nn.SequenceTaggerNet`): word embeddings +
    character features of each word + word-shape and dictionary features -> a bidirectional
    :class:`~textrnn.nn.RecurrentEncoder` -> per-token emissions -> softmax or a linear-chain CRF
    (Lample et al. 2016; Ma & Hovy 2016 for the char-CNN).

    Attributes (besides the encoder's ``cell``, ``vocab_size``, ``embedding_dim``, ``hidden_size``,
    ``num_layers``, ``dropout``):
        num_tags: tags (set by training).
        char: ``"cnn"`` (filters of width ``char_kernel``, max over the word), ``"lstm"`` (a char
            BiLSTM, both final states) or ``"none"``.
        char_vocab_size: character ids, specials included (set by training).
        char_embedding_dim, char_hidden: character embedding size; CNN filters or LSTM units per direction.
        char_kernel: CNN filter width in characters.
        max_word_len: characters read per word (the first ones).
        num_features: word-shape and dictionary feature columns (set by training; 0 = none).
        static_dim: size of the frozen pretrained vectors read for every word, training
            vocabulary or not (:class:`~textrnn.data.vectors.StaticVectors`; set by training, 0 = none).
        projection: 0 = none; else the concatenated word vector is mapped linearly to this size
            before the encoder (a low-rank factor of the first layer's input weights: the same
            function class at a fraction of the multiply-adds when the vector is wide).
        embedding_dropout: dropout on the concatenated word vector.
        word_dropout: share of training tokens whose word id is replaced by ``<unk>`` (so the net
            learns to tag unknown words from their characters and features).
        crf: a CRF output layer (Viterbi decoding) instead of a per-token softmax.
        scheme: the entity tag scheme of the tags (``"bio"`` or ``"bioes"``; the CRF forbids the
            transitions it does not allow), or ``None`` for tags that are not entity tags (POS).
        lowercase: look words up lowercased (characters and shape features keep the case).
    """

    cell: str = "lstm"
    vocab_size: int = 2
    num_tags: int = 2
    embedding_dim: int = 100
    char: str = "cnn"
    char_vocab_size: int = 2
    char_embedding_dim: int = 32
    char_hidden: int = 64
    char_kernel: int = 3
    max_word_len: int = 20
    num_features: int = 0
    static_dim: int = 0
    projection: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.33
    embedding_dropout: float = 0.33
    word_dropout: float = 0.05
    crf: bool = False
    scheme: str | None = None
    lowercase: bool = True

    _what = "model option"
    _rules = {
        **_ENCODER_RULES, "num_tags": ("int", 1, 100_000), "char": ("choice", CHAR_FEATURES),
        "char_vocab_size": ("int", 2, 2_000_000), "char_embedding_dim": ("int", 1, MAX_WIDTH),
        "char_hidden": ("int", 1, MAX_WIDTH), "char_kernel": ("int", 1, 15), "max_word_len": ("int", 1, 1000),
        "num_features": ("int", 0, 100_000), "static_dim": ("int", 0, MAX_WIDTH), "projection": ("int", 0, MAX_WIDTH),
        "embedding_dropout": ("float", 0.0, 1.0, True),
        "word_dropout": ("float", 0.0, 1.0, True), "crf": ("bool",), "scheme": ("choice", TAG_SCHEMES),
        "lowercase": ("bool",),
    }

    @property
    def features(self) -> int:
        """Size of each encoder state (both directions)."""
        return 2 * self.hidden_size


@dataclass
class TaggerTrainConfig(TrainConfig):
    """How a tagger is trained: :class:`TrainConfig` with the tagger's defaults. ``monitor``
    ``"score"`` is entity F1 (strict) for entity tags, token accuracy otherwise."""

    epochs: int | None = 40
    batch_size: int = 32
    lr: float = 2e-3
    patience: int = 6
    monitor: str = "score"
    seed: int = 13


def classifier_preprocessing(recurrent: bool = True, lemmatize: bool | None = None, **options: Any):
    """The :class:`~textrnn.text.Preprocessor` a classifier uses by default: ``Preprocessor(**options)``
    with pymorphy3 lemmas on for a Russian recurrent model (unless ``stem``), off otherwise.

    Measured (benchmarks/RESULTS.md, "The train default"): lemmas raised RuTweetCorp accuracy and
    SentiRuEval macro-F1 for the recurrent models; TF-IDF baselines keep word forms.
    """
    from textrnn.text import Preprocessor

    if lemmatize is None:
        lemmatize = recurrent and options.get("lang", "ru") == "ru" and not options.get("stem", False)
    return Preprocessor(lemmatize=lemmatize, **options)
