"""The recurrent text classifier as a user sees it: raw texts in, labels and probabilities out.

:class:`RecurrentTextClassifier` ties together the :class:`~textrnn.preprocessing.Preprocessor`,
the :class:`~textrnn.vocab.Vocabulary`, the label map and the
:class:`~textrnn.models.RecurrentClassifier`, and saves them all in one model directory
(JSON + safetensors; loading never unpickles).
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from safetensors.torch import load_file, save_file

import textrnn
from textrnn.batching import EncodedTexts
from textrnn.csv_input import sorted_labels
from textrnn.devices import fits_in_memory, resolve_device  # resolve_device re-exported here
from textrnn.embeddings import check_embeddings_source, pretrained_matrix
from textrnn.errors import TextrnnError
from textrnn.io import FORMAT_VERSION, atomic_dir, read_json, read_labels, read_model_config, write_json
from textrnn.metrics import classification_metrics
from textrnn.models import ModelConfig, RecurrentClassifier, count_parameters
from textrnn.preprocessing import Preprocessor
from textrnn.subwords import add_subword_channels
from textrnn.training import TrainConfig, predict_logits, probabilities, train_classifier
from textrnn.vocab import Vocabulary


@dataclass
class VocabConfig:
    """How texts become id sequences (stored in ``config.json``).

    Attributes:
        max_size: the most vocabulary entries, ``<pad>`` and ``<unk>`` included.
        min_freq: a token needs this many occurrences in the training set to get an id.
        max_len: texts are truncated to their first ``max_len`` tokens.
    """

    max_size: int = 30000
    min_freq: int = 1
    max_len: int = 64

    def validate(self) -> "VocabConfig":
        if self.max_size < 3:
            raise TextrnnError(f"max-vocab must be >= 3, got {self.max_size}")
        if self.min_freq < 1:
            raise TextrnnError(f"min-freq must be >= 1, got {self.min_freq}")
        if self.max_len < 1:
            raise TextrnnError(f"max-len must be >= 1, got {self.max_len}")
        return self

    @classmethod
    def from_dict(cls, data: dict) -> "VocabConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_labels(train_labels: Sequence[str], val_labels: Sequence[str] | None, what: str = "training data") -> list[str]:
    """The sorted label set of ``train_labels``; errors for one class or unseen validation labels."""
    names = sorted_labels(list(train_labels))
    if len(names) < 2:
        raise TextrnnError(f"the {what} has a single class {names!r}; a classifier needs at least 2 labels")
    if val_labels is not None:
        unseen = sorted(set(val_labels) - set(names))
        if unseen:
            raise TextrnnError(f"validation labels {unseen} do not occur in the training data (labels: {names})")
    return names


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, held_out)``: about ``fraction`` of each label held out, seeded."""
    rng = np.random.default_rng(seed)
    labels_arr = np.asarray(labels)
    held = []
    for name in sorted(set(labels)):
        idx = np.flatnonzero(labels_arr == name)
        rng.shuffle(idx)
        k = max(1, int(round(len(idx) * fraction))) if len(idx) > 1 else 0
        held.extend(idx[:k].tolist())
    held_arr = np.array(sorted(held), dtype=np.int64)
    mask = np.ones(len(labels_arr), dtype=bool)
    mask[held_arr] = False
    return np.flatnonzero(mask), held_arr


class RecurrentTextClassifier:
    """A recurrent classifier over raw texts.

    Args:
        preprocessor: text -> tokens; default :class:`Preprocessor()`.
        vocab_config: vocabulary size, min frequency and truncation length.
        model_config: the architecture; ``vocab_size`` and ``num_outputs`` are set by :meth:`fit`.
        train_config: optimisation and early stopping.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        embeddings: ``None`` (random init), ``"navec"`` (Russian navec vectors from the
            ``natasha`` wheel) or the path of a word2vec / GloVe text file; sets ``embedding_dim``.
        freeze_embeddings: keep pretrained vectors fixed during training.

    After :meth:`fit` (or :meth:`load`): ``labels_`` (class names, index order),
    ``vocab_``, ``model_``, ``history_`` (per-epoch dicts) and ``summary_``.
    Binary problems use one logit and ``binary_cross_entropy_with_logits``; more classes
    use softmax logits and ``cross_entropy``.
    """

    model_type = "recurrent"

    def __init__(
        self,
        preprocessor: Preprocessor | None = None,
        vocab_config: VocabConfig | None = None,
        model_config: ModelConfig | None = None,
        train_config: TrainConfig | None = None,
        device: str = "auto",
        embeddings: str | None = None,
        freeze_embeddings: bool = False,
    ) -> None:
        self.preprocessor = preprocessor or Preprocessor()
        self.vocab_config = (vocab_config or VocabConfig()).validate()
        self.model_config = model_config or ModelConfig()
        self.train_config = (train_config or TrainConfig()).validate()
        self.device = resolve_device(device)
        self.embeddings = check_embeddings_source(embeddings) if embeddings else None
        if freeze_embeddings and not embeddings:
            raise TextrnnError("--freeze-embeddings needs --embeddings: there are no pretrained vectors to freeze")
        self.freeze_embeddings = freeze_embeddings
        self.embedding_stats_: dict | None = None
        self.labels_: list[str] = []
        self.vocab_: Vocabulary | None = None
        self.model_: RecurrentClassifier | None = None
        self.history_: list[dict] = []
        self.summary_: dict = {}

    # -- encoding -------------------------------------------------------------------

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Raw texts -> token lists with the stored preprocessing."""
        return self.preprocessor.transform(list(texts))

    def encode(self, token_lists: Sequence[Sequence[str]], labels: Sequence[str] | None = None) -> EncodedTexts:
        """Token lists (and labels) -> :class:`EncodedTexts` with this model's vocabulary."""
        ids, lengths = self.vocab_.encode_batch(token_lists, self.vocab_config.max_len)
        c = self.model_config
        if c.subword_buckets:
            ids = add_subword_channels(ids, token_lists, c.subword_min_n, c.subword_max_n, c.subword_buckets, c.max_subwords)
        targets = None
        if labels is not None:
            index = {name: i for i, name in enumerate(self.labels_)}
            unknown = sorted(set(labels) - set(index))
            if unknown:
                raise TextrnnError(f"labels {unknown[:10]} are not known to the model (labels: {self.labels_})")
            targets = torch.tensor([index[y] for y in labels], dtype=torch.int64)
        return EncodedTexts(ids, lengths, targets)

    # -- training -------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        val_texts: Sequence[str] | None = None,
        val_labels: Sequence[str] | None = None,
        quiet: bool = False,
        train_tokens: list[list[str]] | None = None,
        val_tokens: list[list[str]] | None = None,
    ) -> "RecurrentTextClassifier":
        """Train on raw texts and string labels; without validation data, 10 % of the
        training set (stratified, seeded) is held out for early stopping.

        ``train_tokens`` / ``val_tokens`` may pass already preprocessed texts (e.g. from
        the on-disk cache) to skip preprocessing.

        Raises:
            TextrnnError: lengths differ, a single class, or validation labels unseen in training.
        """
        texts, labels = list(texts), [str(y) for y in labels]
        if len(texts) != len(labels):
            raise TextrnnError(f"{len(texts)} texts but {len(labels)} labels")
        if not texts:
            raise TextrnnError("no training texts")
        tokens = train_tokens if train_tokens is not None else self.tokenize(texts)
        n_empty = sum(1 for t in tokens if not t)
        if n_empty == len(tokens):
            raise TextrnnError(
                f"all {len(tokens)} training texts are empty after preprocessing ({self.preprocessor!r}); nothing to learn from"
            )
        if n_empty and not quiet:
            print(f"warning: {n_empty} of {len(tokens)} training texts are empty after preprocessing "
                  "(they are read as a single <unk>)", file=sys.stderr, flush=True)
        if val_texts is None:
            names = check_labels(labels, None)
            tr, va = stratified_split(labels, 0.1, self.train_config.seed)
            val_tokens = [tokens[i] for i in va]
            val_labels = [labels[i] for i in va]
            tokens = [tokens[i] for i in tr]
            labels = [labels[i] for i in tr]
            if not quiet:
                print(f"no validation set given: holding out {len(va)} of {len(texts)} training texts", flush=True)
        else:
            val_labels = [str(y) for y in val_labels]
            if len(val_texts) != len(val_labels):
                raise TextrnnError(f"{len(val_texts)} validation texts but {len(val_labels)} labels")
            names = check_labels(labels, val_labels)
            val_tokens = val_tokens if val_tokens is not None else self.tokenize(val_texts)
        self.labels_ = names
        self.vocab_ = Vocabulary.build(tokens, self.vocab_config.max_size, self.vocab_config.min_freq)
        overrides = {"vocab_size": len(self.vocab_), "num_outputs": 1 if len(names) == 2 else len(names)}
        pretrained = None
        if self.embeddings:
            counts = Counter(t for toks in tokens for t in toks)
            pretrained, self.embedding_stats_ = pretrained_matrix(self.vocab_, self.embeddings, counts, self.train_config.seed)
            overrides["embedding_dim"] = pretrained.shape[1]
            if not quiet:
                s = self.embedding_stats_
                print(f"embeddings {s['vectors']} ({s['dim']}d): {s['found']} of {len(self.vocab_) - 2} vocabulary words found "
                      f"({s['vocab_coverage']:.1%}), {s['token_coverage']:.1%} of running training tokens"
                      f"{'; frozen' if self.freeze_embeddings else ''}", flush=True)
        cfg = ModelConfig.from_dict({**self.model_config.to_dict(), **overrides})
        self.model_config = cfg
        torch.manual_seed(self.train_config.seed)
        with fits_in_memory("the model", f"--hidden-size, --embedding-dim, --max-vocab or --subword-buckets (now "
                                         f"{cfg.hidden_size}, {cfg.embedding_dim}, {cfg.vocab_size}, {cfg.subword_buckets})"):
            self.model_ = RecurrentClassifier(cfg)
        if pretrained is not None:
            with torch.no_grad():
                self.model_.embedding.weight.copy_(pretrained)
            self.model_.embedding.weight.requires_grad_(not self.freeze_embeddings)
        train_data = self.encode(tokens, labels)
        val_data = self.encode(val_tokens, val_labels)
        if not quiet:
            print(
                f"{len(train_data)} training texts, {len(val_data)} validation texts, labels {names}; "
                f"vocabulary {len(self.vocab_)} (covers {self.vocab_.coverage(val_tokens):.1%} of validation tokens); "
                f"{cfg.cell} model with {count_parameters(self.model_):,} parameters on {self.device}",
                flush=True,
            )
        self.history_, self.summary_ = train_classifier(
            self.model_, train_data, val_data, names, self.train_config, device=self.device, quiet=quiet
        )
        self.model_.eval()
        return self

    # -- prediction -----------------------------------------------------------------

    def _check_fitted(self) -> None:
        if self.model_ is None:
            raise TextrnnError("the classifier is not trained; call fit() or load() first")

    def predict_logits(self, texts: Sequence[str], batch_size: int = 256) -> torch.Tensor:
        """Logits ``(n, num_outputs) float32`` for raw texts, in input order."""
        self._check_fitted()
        data = self.encode(self.tokenize(texts))
        return predict_logits(self.model_, data, batch_size=batch_size, device=self.device)

    def predict_proba(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``(n, n_classes) float32``; columns follow ``labels_``."""
        return probabilities(self.predict_logits(texts, batch_size)).numpy()

    def predict(self, texts: Sequence[str], batch_size: int = 256) -> list[str]:
        """The most probable label of each text."""
        proba = self.predict_proba(texts, batch_size)
        return [self.labels_[i] for i in proba.argmax(1)]

    def evaluate(self, texts: Sequence[str], labels: Sequence[str], batch_size: int = 256) -> dict:
        """Accuracy, macro-F1, per-class scores and confusion matrix on labelled texts.

        Raises:
            TextrnnError: a label the model does not know.
        """
        labels = [str(y) for y in labels]
        unknown = sorted(set(labels) - set(self.labels_))
        if unknown:
            raise TextrnnError(f"labels {unknown[:10]} are not known to the model (labels: {self.labels_})")
        start = time.perf_counter()
        pred = self.predict_proba(texts, batch_size).argmax(1)
        seconds = time.perf_counter() - start
        index = {name: i for i, name in enumerate(self.labels_)}
        y = np.array([index[v] for v in labels])
        return {**classification_metrics(y, pred, self.labels_), "seconds": seconds}

    def n_parameters(self) -> int:
        self._check_fitted()
        return count_parameters(self.model_)

    # -- persistence ----------------------------------------------------------------

    def config_dict(self) -> dict:
        return {
            "kind": "classifier",
            "model_type": self.model_type,
            "format_version": FORMAT_VERSION,
            "textrnn_version": textrnn.__version__,
            "preprocessing": self.preprocessor.to_dict(),
            "vocab": asdict(self.vocab_config),
            "model": self.model_config.to_dict(),
            "training": self.train_config.to_dict(),
            "embeddings": {"source": self.embeddings, "freeze": self.freeze_embeddings, **(self.embedding_stats_ or {})}
            if self.embeddings else None,
        }

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None, plots: bool = True) -> Path:
        """Write the model directory atomically.

        Files: ``config.json``, ``vocab.json``, ``labels.json``, ``model.safetensors``,
        ``metrics.json``, ``history.csv``, and with ``plots`` ``curves.png`` and
        ``confusion_matrix.png`` (validation, best epoch). ``extra`` is merged into ``config.json``
        (e.g. the data files the model was trained on).

        Raises:
            TextrnnError: ``out`` exists and ``force`` is false.
        """
        self._check_fitted()
        with atomic_dir(out, force=force) as tmp:
            write_json(tmp / "config.json", {**self.config_dict(), **(extra or {})})
            write_json(tmp / "vocab.json", self.vocab_.to_dict())
            write_json(tmp / "labels.json", {"labels": self.labels_, "binary": len(self.labels_) == 2})
            state = {k: v.detach().cpu().contiguous() for k, v in self.model_.state_dict().items()}
            save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
            write_json(tmp / "metrics.json", self.summary_)
            (tmp / "history.csv").write_text(history_csv(self.history_), encoding="utf-8")
            if plots and self.history_:
                from textrnn.plots import plot_confusion_matrix, plot_curves

                plot_curves(self.history_, tmp / "curves.png")
                if (self.summary_.get("val") or {}).get("confusion_matrix"):
                    plot_confusion_matrix(self.summary_["val"]["confusion_matrix"], self.labels_, tmp / "confusion_matrix.png",
                                          title=f"validation, epoch {self.summary_.get('best_epoch')}")
        return Path(out)

    @classmethod
    def load(cls, run_dir: str | Path, device: str = "auto", config: dict | None = None) -> "RecurrentTextClassifier":
        """Load a model directory written by :meth:`save` (JSON + safetensors; nothing is unpickled).

        Raises:
            TextrnnError: not a textrnn classifier directory, or a file is missing or corrupt.
        """
        run_dir = Path(run_dir)
        config = config or read_model_config(run_dir, expected_kind="classifier")
        try:
            self = cls(
                preprocessor=Preprocessor.from_dict(config["preprocessing"]),
                vocab_config=VocabConfig.from_dict(config["vocab"]),
                model_config=ModelConfig.from_dict(config["model"]),
                train_config=TrainConfig.from_dict(config.get("training") or {}),
                device=device,
            )
            self.vocab_ = Vocabulary.from_dict(read_json(run_dir / "vocab.json"))
            self.labels_ = read_labels(run_dir)
        except (KeyError, TypeError, AttributeError) as e:
            raise TextrnnError(f"{str(run_dir)!r} has an incomplete or corrupt model description ({type(e).__name__}: {e})") from None
        expected = 1 if len(self.labels_) == 2 else len(self.labels_)
        if len(self.labels_) < 2 or expected != self.model_config.num_outputs:
            raise TextrnnError(
                f"{str(run_dir)!r}: labels.json has {len(self.labels_)} labels but the model has "
                f"{self.model_config.num_outputs} output(s)"
            )
        if len(self.vocab_) != self.model_config.vocab_size:
            raise TextrnnError(
                f"{str(run_dir)!r}: vocab.json has {len(self.vocab_)} entries but the model expects {self.model_config.vocab_size}"
            )
        self.model_ = RecurrentClassifier(self.model_config)
        weights = run_dir / "model.safetensors"
        if not weights.is_file():
            raise TextrnnError(f"{str(run_dir)!r} has no model.safetensors")
        try:
            state = load_file(str(weights))
            self.model_.load_state_dict(state)
        except Exception as e:  # safetensors raises its own error types for corrupt files
            raise TextrnnError(f"cannot load {str(weights)!r}: {str(e).splitlines()[0]}") from None
        self.model_.to(self.device).eval()
        metrics_path = run_dir / "metrics.json"
        self.summary_ = read_json(metrics_path) if metrics_path.is_file() else {}
        return self


def history_csv(history: list[dict]) -> str:
    """Per-epoch history as CSV text (header from the first row's keys)."""
    if not history:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(history[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    return buf.getvalue()


# model_type in config.json -> "module:Class" with a ``load(run_dir, device=..., config=...)`` classmethod
MODEL_TYPES = {"recurrent": "textrnn.classifier:RecurrentTextClassifier", "tfidf-lr": "textrnn.baseline:TfidfLogisticRegression"}


def load_classifier(run_dir: str | Path, device: str = "auto"):
    """Load any textrnn classifier directory (recurrent or baseline) by its ``model_type``.

    Raises:
        TextrnnError: not a classifier directory, an unknown model type, or a bad ``device``
            (checked for every model type, also those that run on the CPU only).
    """
    import importlib

    resolve_device(device)
    config = read_model_config(run_dir, expected_kind="classifier")
    target = MODEL_TYPES.get(config.get("model_type", ""))
    if target is None:
        raise TextrnnError(f"{str(run_dir)!r} has unknown model_type {config.get('model_type')!r}; expected one of {sorted(MODEL_TYPES)}")
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name).load(run_dir, device=device, config=config)
