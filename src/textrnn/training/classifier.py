"""Training a recurrent text classifier: raw texts and labels in, a :class:`ClassifierPredictor` and its run directory out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from textrnn.checks import check_instances
from textrnn.config import ModelConfig, TrainConfig, VocabConfig, classifier_preprocessing
from textrnn.data.lengths import count_empty, drop_empty, report_truncated
from textrnn.data.splits import check_holdout, stratified_split
from textrnn.data.tables import normalize_labels
from textrnn.data.vectors import check_embeddings_source, pretrained_matrix
from textrnn.devices import fits_in_memory, resolve_device, set_threads
from textrnn.errors import TextrnnError
from textrnn.inference.classifier import ClassifierPredictor
from textrnn.logs import get_logger
from textrnn.nn import RecurrentClassifier, count_parameters
from textrnn.tasks.classify import ClassificationTask, balanced_class_weights, check_labels, check_monitor, encode_texts
from textrnn.text import Preprocessor
from textrnn.training.callbacks import LogLines, ProgressBar, ThreadTuning
from textrnn.training.history import history_files
from textrnn.training.trainer import Trainer
from textrnn.vocab import WORD_SPECIALS, Vocab

log = get_logger("textrnn.training")


class RecurrentTextClassifier:
    """A recurrent classifier over raw texts (scikit-learn style: ``fit``, then ``predict_proba``).

    ``RecurrentTextClassifier()`` with no arguments is exactly the model ``textrnn train``
    builds: the defaults of :class:`~textrnn.config.ModelConfig`, :class:`~textrnn.config.TrainConfig`,
    :class:`~textrnn.config.VocabConfig` and :func:`~textrnn.config.classifier_preprocessing`.

    Args:
        preprocessor: text -> tokens; default: Russian with pymorphy3 lemmas.
        vocab_config, model_config, train_config: see :mod:`textrnn.config`; ``vocab_size`` and
            ``num_outputs`` are set by :meth:`fit`.
        device: ``"auto"``, ``"cpu"`` or ``"cuda[:N]"``.
        embeddings: ``None`` (random init), ``"navec"`` (Russian navec vectors from the ``natasha``
            wheel), a navec ``.tar`` archive or a word2vec / GloVe text file; sets ``embedding_dim``.
        freeze_embeddings: keep pretrained vectors fixed during training.
        callbacks: extra :class:`~textrnn.training.Trainer` callbacks (e.g. a step timer).

    After :meth:`fit`: ``labels_`` (class names, index order), ``vocab_``, ``model_``,
    ``predictor_`` (what :func:`textrnn.load` returns for the saved directory), ``history_``
    (one row per evaluation) and ``summary_``.

    Raises:
        TextrnnError: a bad option, or ``freeze_embeddings`` without ``embeddings``.
    """

    model_type = "recurrent"

    def __init__(self, preprocessor: Preprocessor | None = None, vocab_config: VocabConfig | None = None,
                 model_config: ModelConfig | None = None, train_config: TrainConfig | None = None,
                 device: str = "auto", embeddings: str | None = None, freeze_embeddings: bool = False,
                 callbacks: Sequence[Any] = ()) -> None:
        check_instances(("preprocessor", preprocessor, Preprocessor), ("vocab_config", vocab_config, VocabConfig),
                        ("model_config", model_config, ModelConfig), ("train_config", train_config, TrainConfig))
        self.preprocessor = preprocessor or classifier_preprocessing()
        self.vocab_config = (vocab_config or VocabConfig()).validate()
        self.model_config = (model_config or ModelConfig()).validate()
        self.train_config = (train_config or TrainConfig()).validate()
        check_monitor(self.train_config.monitor)
        self.device = resolve_device(device)
        self.embeddings = check_embeddings_source(embeddings) if embeddings else None
        if freeze_embeddings and not embeddings:
            raise TextrnnError("freeze_embeddings needs embeddings: there are no pretrained vectors to freeze",
                               param="freeze_embeddings")
        self.freeze_embeddings = freeze_embeddings
        self.callbacks = list(callbacks)
        self.embedding_stats_: dict | None = None
        self.predictor_: ClassifierPredictor | None = None
        self.history_: list[dict] = []
        self.summary_: dict = {}

    def _check_fitted(self) -> ClassifierPredictor:
        if self.predictor_ is None:
            raise TextrnnError("the classifier is not trained; call fit() first (or textrnn.load(run_dir))")
        return self.predictor_

    labels_ = property(lambda self: self._check_fitted().labels_)
    vocab_ = property(lambda self: self._check_fitted().vocab)
    model_ = property(lambda self: self._check_fitted().model)

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Raw texts -> token lists with this classifier's preprocessing."""
        if isinstance(texts, str):
            raise TextrnnError("expected a list of texts, got a single string; wrap it in a list")
        return self.preprocessor.transform(list(texts))

    # -- training -------------------------------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[Any], val_texts: Sequence[str] | None = None,
            val_labels: Sequence[Any] | None = None, quiet: bool = False,
            train_tokens: list[list[str]] | None = None, val_tokens: list[list[str]] | None = None
            ) -> "RecurrentTextClassifier":
        """Train on raw texts and labels; without validation data, 10 % of the training set
        (stratified, seeded) is held out for early stopping. The weights of the best validation
        epoch are kept.

        Args:
            train_tokens, val_tokens: already preprocessed texts (e.g. from the on-disk cache).
            quiet: no progress bar and no log lines.

        Raises:
            TextrnnError: lengths differ, no texts, every text empty after preprocessing (texts
                empty before or after it are left out, and counted in the log), a
                single class, validation labels unseen in training, or training diverged.
        """
        info = (lambda _msg: None) if quiet else log.info
        texts, labels = list(texts), normalize_labels(labels)
        if len(texts) != len(labels):
            raise TextrnnError(f"{len(texts)} texts but {len(labels)} labels")
        if not texts:
            raise TextrnnError("no training texts")
        if val_texts is None:
            check_holdout(labels)  # before preprocessing: say at once what the split needs
        tokens = train_tokens if train_tokens is not None else self.tokenize(texts)
        if len(tokens) != len(texts):
            raise TextrnnError(f"{len(texts)} texts but {len(tokens)} token lists in train_tokens", param="train_tokens")
        if count_empty(tokens) == len(tokens):
            raise TextrnnError(f"all {len(tokens)} training texts are empty after preprocessing ({self.preprocessor!r}); "
                               f"nothing to learn from")
        tokens, texts, labels = drop_empty(tokens, texts, labels, say=info)
        report_truncated(tokens, self.vocab_config.max_len, "training texts", info)
        if val_texts is None:
            names = check_labels(labels)
            kept, held = stratified_split(labels, 0.1, self.train_config.seed)
            val_tokens, val_labels = [tokens[i] for i in held], [labels[i] for i in held]
            tokens, labels = [tokens[i] for i in kept], [labels[i] for i in kept]
            if not len(held):  # the texts left after dropping empty ones
                check_holdout(labels)
            info(f"no validation set given: holding out {len(held)} of {len(texts)} training texts")
        else:
            if val_labels is None:
                raise TextrnnError("val_texts given without val_labels", param="val_labels")
            val_labels = [str(y) for y in val_labels]
            if len(val_texts) != len(val_labels):
                raise TextrnnError(f"{len(val_texts)} validation texts but {len(val_labels)} labels")
            names = check_labels(labels, val_labels)
            val_tokens = val_tokens if val_tokens is not None else self.tokenize(val_texts)
            if len(val_tokens) != len(val_texts):
                raise TextrnnError(f"{len(val_texts)} validation texts but {len(val_tokens)} token lists in val_tokens",
                                   param="val_tokens")
            if not val_tokens:
                raise TextrnnError("no validation texts: val_texts is empty", param="val_texts")
            if count_empty(val_tokens) == len(val_tokens):
                raise TextrnnError(f"all {len(val_tokens)} validation texts are empty after preprocessing",
                                   param="val_texts")
            val_tokens, val_labels = drop_empty(val_tokens, val_labels, what="validation texts", say=info)
        vocab = Vocab.build(tokens, WORD_SPECIALS, self.vocab_config.max_size, self.vocab_config.min_freq)
        model, cfg = self._build_model(vocab, names, tokens, info)
        self.model_config = cfg  # with the fitted vocab_size, num_outputs (and the vectors' embedding_dim)
        train_data = encode_texts(tokens, vocab, self.vocab_config.max_len, cfg, labels, names)
        val_data = encode_texts(val_tokens, vocab, self.vocab_config.max_len, cfg, val_labels, names)
        info(f"{len(train_data)} training texts, {len(val_data)} validation texts, labels {names}; vocabulary "
             f"{len(vocab)} (covers {vocab.coverage(val_tokens):.1%} of validation tokens); {cfg.cell} model with "
             f"{count_parameters(model):,} parameters on {self.device}")
        tc = self.train_config
        weights = balanced_class_weights(train_data.targets, len(names)) if tc.class_weight == "balanced" else None
        task = ClassificationTask(train_data, val_data, names, tc.batch_size, weights, vocab)
        callbacks = ([] if quiet else [ProgressBar(), LogLines()]) + self.callbacks
        if tc.threads == 0 and self.device.type == "cpu":
            from textrnn.devices import default_threads

            callbacks.append(ThreadTuning(default_threads()))
        else:
            set_threads(tc.threads or None)
        trainer = Trainer(model, task, tc, self.device, callbacks).fit()
        self.history_ = trainer.history
        self.summary_ = trainer.summary()
        record = {"training": tc.to_dict(), "embeddings": {"source": self.embeddings, "freeze": self.freeze_embeddings,
                                                           **(self.embedding_stats_ or {})} if self.embeddings else None}
        self.predictor_ = ClassifierPredictor(self.preprocessor, vocab, names, model, self.vocab_config, self.device,
                                              record, self.summary_)
        return self

    def _build_model(self, vocab: Vocab, names: list[str], tokens: list[list[str]], info) -> tuple:
        overrides: dict[str, Any] = {"vocab_size": len(vocab), "num_outputs": 1 if len(names) == 2 else len(names)}
        pretrained = None
        if self.embeddings:
            counts = Counter(t for toks in tokens for t in toks)
            pretrained, self.embedding_stats_ = pretrained_matrix(vocab, self.embeddings, counts, self.train_config.seed)
            overrides["embedding_dim"] = pretrained.shape[1]
            s = self.embedding_stats_
            info(f"embeddings {s['vectors']} ({s['dim']}d): {s['found']} of {len(vocab) - len(vocab.specials)} "
                 f"vocabulary words found ({s['vocab_coverage']:.1%}), {s['token_coverage']:.1%} of running training "
                 f"tokens{'; frozen' if self.freeze_embeddings else ''}")
        cfg = ModelConfig.from_dict({**self.model_config.to_dict(), **overrides})
        torch.manual_seed(self.train_config.seed)
        with fits_in_memory("the model", f"hidden_size, embedding_dim, max_size or subword_buckets (now "
                                         f"{cfg.hidden_size}, {cfg.embedding_dim}, {cfg.vocab_size}, {cfg.subword_buckets})"):
            model = RecurrentClassifier(cfg)
        if pretrained is not None:
            with torch.no_grad():
                model.embedding.words.weight.copy_(pretrained)
            model.embedding.words.weight.requires_grad_(not self.freeze_embeddings)
        return model, cfg

    # -- prediction and saving --------------------------------------------------------

    def predict_logits(self, texts: Sequence[str], batch_size: int = 256) -> torch.Tensor:
        """Logits ``(n, num_outputs) float32`` for raw texts, in input order."""
        return self._check_fitted().predict_logits(texts, batch_size)

    def predict_proba(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``(n, n_classes) float32``; columns follow ``labels_``."""
        return self._check_fitted().predict_proba(texts, batch_size)

    def predict(self, texts: Sequence[str], batch_size: int = 256) -> list[str]:
        """The most probable label of each text."""
        return self._check_fitted().predict(texts, batch_size)

    def evaluate(self, texts: Sequence[str], labels: Sequence[Any], batch_size: int = 256) -> dict:
        """See :meth:`ClassifierPredictor.evaluate`."""
        return self._check_fitted().evaluate(texts, labels, batch_size)

    def n_parameters(self) -> int:
        return self._check_fitted().n_parameters()

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None, plots: bool = True) -> Path:
        """Write the run directory atomically: the predictor's files plus ``history.csv`` and, with
        ``plots``, ``curves.png`` and ``confusion_matrix.png`` (validation, best epoch).

        Raises:
            TextrnnError: not fitted, or ``out`` exists and ``force`` is false.
        """
        predictor = self._check_fitted()
        files = history_files(self.history_, self.summary_.get("best"), "text", plots)
        if plots and self.history_:
            from textrnn.plots import plot_confusion_matrix

            matrix = (self.summary_.get("val") or {}).get("confusion_matrix")
            if matrix:
                files["confusion_matrix.png"] = lambda p: plot_confusion_matrix(
                    matrix, predictor.labels_, p, title=f"validation, epoch {self.summary_.get('best_epoch')}")
        return predictor.save(out, force=force, extra=extra, files=files)
