"""The recurrent classifier as a Predictor: raw texts in, labels and probabilities out; its run directory read and written."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

from textrnn.config import ModelConfig, VocabConfig
from textrnn.data.batching import EncodedTexts
from textrnn.data.lengths import report_empty_predictions, report_truncated
from textrnn.devices import resolve_device
from textrnn.errors import TextrnnError
from textrnn.inference.weights import load_weights, prefix_renames
from textrnn.nn import RecurrentClassifier, count_parameters
from textrnn.runs import VOCAB_BYTES, header, read_labels, read_metrics, section, write_run
from textrnn.tasks.classify import classification_metrics, encode_texts, label_indices, predict_logits, probabilities
from textrnn.text import Preprocessor
from textrnn.vocab import WORD_SPECIALS, Vocab

# tensor names of format 1 (textrnn 0.1) -> today's modules
V1_NAMES = prefix_renames({"embedding.weight": "embedding.words.weight", "subword_embedding.": "embedding.subwords.",
                           "rnn.": "encoder.rnn.", "attention.": "pooling."})


class ClassifierPredictor:
    """A trained recurrent classifier: preprocessing, vocabulary, labels and the network.

    Args:
        preprocessor: text -> tokens, as at training time.
        vocab: the token vocabulary.
        labels: class names in index order (the columns of :meth:`predict_proba`).
        model: the trained :class:`~textrnn.nn.RecurrentClassifier` (its ``config`` is the architecture).
        vocab_config: ``max_len`` truncates texts.
        device: where the model runs.
        record: the rest of ``config.json`` (training settings, embeddings) kept for :meth:`save`.
        summary: training's metrics (``metrics.json``), if any.
    """

    kind, model_type = "classifier", "recurrent"

    def __init__(self, preprocessor: Preprocessor, vocab: Vocab, labels: Sequence[str], model: RecurrentClassifier,
                 vocab_config: VocabConfig, device: str | torch.device = "cpu", record: dict | None = None,
                 summary: dict | None = None) -> None:
        self.preprocessor, self.vocab, self.labels_ = preprocessor, vocab, list(labels)
        self.vocab_config = vocab_config
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.record = dict(record or {})
        self.summary_ = dict(summary or {})

    @property
    def model_config(self) -> ModelConfig:
        return self.model.config

    # -- prediction -------------------------------------------------------------------

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Raw texts -> token lists with the stored preprocessing."""
        if isinstance(texts, str):
            raise TextrnnError("expected a list of texts, got a single string; wrap it in a list")
        return self.preprocessor.transform(list(texts))

    def encode(self, token_lists: Sequence[Sequence[str]], labels: Sequence[str] | None = None) -> EncodedTexts:
        """Token lists (and labels) -> :class:`~textrnn.data.batching.EncodedTexts` for this model."""
        return encode_texts(token_lists, self.vocab, self.vocab_config.max_len, self.model_config, labels, self.labels_)

    def predict_logits(self, texts: Sequence[str], batch_size: int = 256) -> torch.Tensor:
        """Logits ``(n, num_outputs) float32`` for raw texts, in input order. An empty text (also
        one emptied by preprocessing) gets the model's answer for an empty text, with a warning in
        the log; the log also counts texts cut to ``max_len`` tokens.

        Raises:
            TextrnnError: ``batch_size`` < 1 or ``texts`` is a single string.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise TextrnnError(f"batch_size must be an integer >= 1, got {batch_size!r}", param="batch_size")
        tokens = self.tokenize(texts)
        report_empty_predictions(tokens)
        report_truncated(tokens, self.vocab_config.max_len)
        return predict_logits(self.model, self.encode(tokens), batch_size=batch_size, device=self.device)

    def predict_proba(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``(n, n_classes) float32``; columns follow ``labels_``."""
        return probabilities(self.predict_logits(texts, batch_size)).numpy()

    def predict(self, texts: Sequence[str], batch_size: int = 256) -> list[str]:
        """The most probable label of each text."""
        return [self.labels_[i] for i in self.predict_proba(texts, batch_size).argmax(1)]

    def evaluate(self, texts: Sequence[str], labels: Sequence[str], batch_size: int = 256) -> dict:
        """Accuracy, macro-F1, per-class scores, the confusion matrix and ``seconds`` spent predicting.

        Raises:
            TextrnnError: a label the model does not know.
        """
        if isinstance(texts, str) or len(texts) != len(labels):
            raise TextrnnError(f"expected as many labels as texts, got {len(labels)} labels for "
                               f"{1 if isinstance(texts, str) else len(texts)} text(s)")
        y = label_indices([str(v) for v in labels], self.labels_).numpy()
        start = time.perf_counter()
        pred = self.predict_proba(texts, batch_size).argmax(1)
        return {**classification_metrics(y, pred, self.labels_), "seconds": time.perf_counter() - start}

    def n_parameters(self) -> int:
        """Trainable parameters (frozen pretrained embeddings are not counted)."""
        return count_parameters(self.model)

    # -- the run directory ------------------------------------------------------------

    def config_dict(self) -> dict:
        """``config.json``: kind, versions, preprocessing, vocabulary and model settings, and the record."""
        return header(self.kind, model_type=self.model_type, preprocessing=self.preprocessor.to_dict(),
                      vocab=self.vocab_config.to_dict(), model=self.model_config.to_dict(), **self.record)

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None,
             files: dict[str, Callable[[Path], None]] | None = None) -> Path:
        """Write the run directory atomically: ``config.json`` (with ``extra`` merged in),
        ``vocab.json``, ``labels.json``, ``model.safetensors``, ``metrics.json``, and each of
        ``files`` (name -> a function that writes that path, e.g. a plot).

        Raises:
            TextrnnError: ``out`` exists and ``force`` is false (see :func:`textrnn.files.check_out_dir`).
        """
        documents = {"config.json": {**self.config_dict(), **(extra or {})}, "vocab.json": self.vocab.to_dict(),
                     "labels.json": {"labels": self.labels_, "binary": len(self.labels_) == 2}}
        return write_run(out, force, documents, self.model, self.summary_, files)

    @classmethod
    def load(cls, run_dir: str | Path, config: dict, device: str = "auto") -> "ClassifierPredictor":
        """Read a run directory (format 1 or 2) checked field by field; the weights' shapes are
        compared with the configuration before the network is built.

        Raises:
            TextrnnError: a missing, damaged or inconsistent file, named in one line.
        """
        from textrnn.files import read_json

        run_dir = Path(run_dir)
        preprocessor = Preprocessor.from_dict(section(config, "preprocessing", run_dir))
        vocab_config = VocabConfig.from_dict(section(config, "vocab", run_dir))
        model_config = ModelConfig.from_dict(section(config, "model", run_dir))
        vocab = Vocab.from_dict(read_json(run_dir / "vocab.json", VOCAB_BYTES), WORD_SPECIALS)
        labels = read_labels(run_dir)
        expected = 1 if len(labels) == 2 else len(labels)
        if expected != model_config.num_outputs:
            raise TextrnnError(f"labels.json has {len(labels)} labels but the model has {model_config.num_outputs} output(s)")
        if len(vocab) != model_config.vocab_size:
            raise TextrnnError(f"vocab.json has {len(vocab)} entries but the model expects {model_config.vocab_size}")
        rename = V1_NAMES if config["format_version"] < 2 else str
        model = load_weights(run_dir / "model.safetensors", lambda: RecurrentClassifier(model_config), rename)
        record = {k: v for k, v in config.items() if k in ("training", "embeddings", "data")}
        embeddings = record.get("embeddings")
        if isinstance(embeddings, dict) and embeddings.get("freeze") is True:  # as it was trained: n_parameters agrees
            model.embedding.words.weight.requires_grad_(False)
        return cls(preprocessor, vocab, labels, model, vocab_config, device, record, read_metrics(run_dir))

    def describe(self) -> dict[str, Any]:
        """What a server or ``textrnn`` lists about the model: kind, labels, architecture, parameters."""
        return {"kind": self.kind, "model_type": self.model_type, "labels": self.labels_,
                "model": self.model_config.to_dict(), "n_parameters": self.n_parameters()}
