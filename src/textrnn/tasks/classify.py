"""Classification (many -> one): labels <-> class indices, texts -> tensors, the loss on logits, probabilities, metrics.

:class:`ClassificationTask` is what the :class:`~textrnn.training.Trainer` trains a
:class:`~textrnn.nn.RecurrentClassifier` with; the functions around it serve prediction too.
Two classes use one logit and ``binary_cross_entropy_with_logits``; more use ``cross_entropy``
on raw logits (never a sigmoid or softmax before the loss).
"""

from __future__ import annotations

from typing import Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from textrnn.config import ModelConfig
from textrnn.data.batching import EncodedTexts, iter_batches, n_batches, to_device
from textrnn.data.subwords import add_subword_channels
from textrnn.data.tables import check_label_sets, label_positions
from textrnn.errors import TextrnnError
from textrnn.tasks.metrics import classification_metrics
from textrnn.vocab import Vocab

METRIC_MODES = {"macro_f1": "max", "accuracy": "max", "loss": "min"}


def check_monitor(monitor: str) -> str:
    """``monitor`` if it names a classification metric (``val_loss`` is read as ``loss``).

    Raises:
        TextrnnError: any other value.
    """
    if monitor not in (*METRIC_MODES, "val_loss"):
        raise TextrnnError(f"training option monitor={monitor!r} is unknown; expected one of "
                           f"{', '.join(METRIC_MODES)}, val_loss", param="monitor")
    return monitor


def check_labels(train_labels: Sequence[str], val_labels: Sequence[str] | None = None) -> list[str]:
    """The sorted label set of ``train_labels`` (numeric order if all are integers; ``1`` and
    ``1.0`` one class, spelled as training spells it most often).

    Raises:
        TextrnnError: a single class, or validation labels that training lacks.
    """
    return check_label_sets(train_labels, val_labels)


def label_indices(labels: Sequence[str], names: Sequence[str]) -> torch.Tensor:
    """``(n,) int64`` class indices of ``labels`` in ``names`` (numbers matched by value).

    Raises:
        TextrnnError: a label not in ``names``.
    """
    return torch.tensor(label_positions(labels, names), dtype=torch.int64)


def encode_texts(token_lists: Sequence[Sequence[str]], vocab: Vocab, max_len: int, model: ModelConfig,
                 labels: Sequence[str] | None = None, names: Sequence[str] | None = None) -> EncodedTexts:
    """Token lists (and labels) -> :class:`EncodedTexts`: ids ``(n, longest) int64`` (with subwords
    ``(n, longest, 1 + max_subwords)``), lengths, and class indices when ``labels`` are given."""
    ids, lengths = vocab.encode_batch(token_lists, max_len)
    if model.subword_buckets:
        ids = add_subword_channels(ids, token_lists, model.subword_min_n, model.subword_max_n, model.subword_buckets,
                                   model.max_subwords)
    targets = label_indices(labels, names) if labels is not None else None
    return EncodedTexts(ids, lengths, targets)


def loss_fn(logits: torch.Tensor, targets: torch.Tensor, class_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean loss in nats per text: ``binary_cross_entropy_with_logits`` for one output column
    (targets 0/1), else ``cross_entropy``. ``class_weights``: ``(num_classes,) float32`` or ``None``."""
    if logits.shape[1] == 1:
        weight = class_weights[targets] if class_weights is not None else None
        return F.binary_cross_entropy_with_logits(logits.squeeze(1), targets.to(logits.dtype), weight=weight)
    return F.cross_entropy(logits, targets, weight=class_weights)


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(batch, num_classes)`` from logits (sigmoid for one column, else softmax)."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits)
        return torch.cat([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


def balanced_class_weights(targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """scikit-learn's "balanced" weights: n / (num_classes * count_c)."""
    counts = torch.bincount(targets, minlength=num_classes).clamp_min(1).float()
    return len(targets) / (num_classes * counts)


@torch.no_grad()
def predict_logits(model: nn.Module, data: EncodedTexts, batch_size: int = 256,
                   device: str | torch.device = "cpu") -> torch.Tensor:
    """Logits ``(n, num_outputs) float32`` for every text, in input order (model in eval mode)."""
    was_training = model.training
    model.eval()
    indices, chunks = [], []
    for index, ids, lengths, _ in iter_batches(data, batch_size, shuffle=False, device=device):
        indices.append(index)
        chunks.append(model(ids, lengths).float())  # stays on the device: one copy back at the end
    model.train(was_training)
    if not chunks:
        raise TextrnnError("no texts to predict")
    logits = torch.cat(chunks).cpu()
    out = torch.empty_like(logits)
    out[torch.cat(indices)] = logits
    return out


def evaluate_logits(logits: torch.Tensor, targets: torch.Tensor, label_names: Sequence[str],
                    class_weights: torch.Tensor | None = None) -> dict:
    """``loss`` (nats per text) plus :func:`classification_metrics` for given logits."""
    loss = float(loss_fn(logits, targets, class_weights))
    pred = probabilities(logits).argmax(1).numpy()
    return {"loss": loss, **classification_metrics(targets.numpy(), pred, label_names)}


class ClassificationTask:
    """Training a classifier on encoded texts: length-bucketed shuffled batches, the loss, validation metrics.

    Args:
        train, val: encoded texts with targets.
        label_names: class names in index order.
        batch_size: texts per training batch.
        class_weights: ``(num_classes,) float32`` loss weights or ``None``.
        vocab: the vocabulary the texts were encoded with (for callbacks that need it).
    """

    metric_modes = METRIC_MODES
    unit = "tokens"

    def __init__(self, train: EncodedTexts, val: EncodedTexts, label_names: Sequence[str], batch_size: int,
                 class_weights: torch.Tensor | None = None, vocab: Vocab | None = None) -> None:
        self.train, self.val, self.label_names, self.vocab = train, val, list(label_names), vocab
        self.batch_size = batch_size
        self.class_weights = class_weights

    def setup(self, device: torch.device, seed: int) -> None:
        self.device = device
        self.generator = torch.Generator().manual_seed(seed)
        self._weights = self.class_weights.to(device) if self.class_weights is not None else None
        self._train = to_device(self.train, device)  # CUDA: the texts live on the GPU, a batch is one gather
        self._val = to_device(EncodedTexts(self.val.ids, self.val.lengths), device)

    def steps_per_epoch(self) -> int:
        return n_batches(len(self.train), self.batch_size)

    def train_batches(self, epoch: int) -> Iterator[tuple]:
        for _, ids, lengths, targets in iter_batches(self._train, self.batch_size, shuffle=True,
                                                     generator=self.generator, device=self.device):
            yield ids, lengths, targets

    def loss(self, model: nn.Module, batch: tuple) -> torch.Tensor:
        ids, lengths, targets = batch
        return loss_fn(model(ids, lengths), targets, self._weights)

    def count(self, batch: tuple) -> int:
        return int(batch[1].sum())

    def evaluate(self, model: nn.Module) -> dict:
        logits = predict_logits(model, self._val, device=self.device)
        return evaluate_logits(logits, self.val.targets, self.label_names, self.class_weights)

    @staticmethod
    def describe(row: dict) -> str:
        return (f"epoch {row['epoch']:>2}  train_loss {row['train_loss']:.4f}  val_loss {row['val_loss']:.4f}  "
                f"val_acc {row['val_accuracy']:.4f}  val_macro_f1 {row['val_macro_f1']:.4f}  {row['seconds']:.1f}s")
