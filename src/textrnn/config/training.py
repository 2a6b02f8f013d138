"""How each task trains: the shared :class:`TrainConfig`, the char LM's and the tagger's defaults, and the classifier's default preprocessing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textrnn.checks import check_max_norm, check_seed
from textrnn.config.base import SCHEDULES, _Config
from textrnn.errors import TextrnnError


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


@dataclass
class Seq2SeqTrainConfig(TrainConfig):
    """How an encoder-decoder is trained: :class:`TrainConfig` with its defaults. Teacher forcing
    (the gold previous unit as the decoder's input) throughout; ``monitor`` ``"accuracy"`` is the
    exact-match accuracy of greedy decoding on the validation pairs, evaluated every epoch.
    Measured on the inflection data (benchmarks/RESULTS.md, "Seq2seq"): at a constant 3e-3 the
    validation exact match oscillated between 0.86 and 0.90 from epoch 4 to 11; with a cosine
    decay to 5 % it climbed to 0.95, so the run goes to its end (``patience`` 0) and keeps the best epoch."""

    epochs: int | None = 15
    batch_size: int = 64
    lr: float = 3e-3
    schedule: str = "cosine"
    patience: int = 0
    monitor: str = "accuracy"
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
