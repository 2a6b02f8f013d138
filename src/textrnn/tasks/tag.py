"""Token tagging (many -> many, synced): sentences -> tensors, batches, the loss, decoding, metrics.

Sentences are encoded once into flat per-token arrays (row 0 is a padding token) and a start
offset per sentence; a batch is one gather of a ``(batch, longest)`` index matrix into them, so
no per-sentence Python runs on the hot path and padding rows read the zero row.
:class:`TaggingTask` is what the :class:`~textrnn.training.Trainer` trains a
:class:`~textrnn.nn.SequenceTaggerNet` with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

from textrnn.config import TaggerConfig
from textrnn.data.batching import bucketed_batches
from textrnn.data.vectors import StaticVectors
from textrnn.errors import TextrnnError
from textrnn.nn.tagger import DistinctWords
from textrnn.tasks.bucketed import BucketedTask
from textrnn.tasks.schemes import entity_scores
from textrnn.text.word_features import WordFeatures
from textrnn.vocab import Vocab

METRIC_MODES = {"score": "max", "accuracy": "max", "f1": "max", "loss": "min"}


@dataclass
class EncodedSentences:
    """Sentences encoded once, token by token (row 0 of every array is padding).

    Attributes:
        words: ``(1 + n_tokens,) int64`` word ids.
        forms: ``(1 + n_tokens,) int64`` each token's row in ``chars`` (its distinct word form).
        chars: ``(1 + n_forms, max_word_len) int64`` character ids of each distinct form (row 0 and
            padding 0), or ``None``.
        features: ``(1 + n_tokens, num_features) uint8`` 0/1 word features or ``None``.
        static: ``(1 + n_tokens, static_dim) float32`` frozen pretrained vectors or ``None``.
        tags: ``(1 + n_tokens,) int64`` tag ids or ``None``.
        starts: ``(n,) int64`` row of each sentence's first token; lengths: ``(n,) int64`` (>= 1).
    """

    words: torch.Tensor
    forms: torch.Tensor
    chars: torch.Tensor | None
    features: torch.Tensor | None
    static: torch.Tensor | None
    tags: torch.Tensor | None
    starts: torch.Tensor
    lengths: torch.Tensor

    def __len__(self) -> int:
        return int(self.lengths.shape[0])


def encode_sentences(sentences: Sequence[Sequence[str]], words: Vocab, chars: Vocab | None,
                     feature_names: Sequence[str] | WordFeatures,
                     config: TaggerConfig, tags: Sequence[Sequence[str]] | None = None,
                     tag_vocab: Vocab | None = None, static: StaticVectors | None = None) -> EncodedSentences:
    """Token lists (and their tags) -> :class:`EncodedSentences`. ``feature_names`` may be a
    :class:`~textrnn.text.word_features.WordFeatures` that keeps its per-word cache between calls.

    Raises:
        TextrnnError: an empty sentence, or a sentence whose tags differ in number from its tokens.
    """
    lengths = [len(s) for s in sentences]
    if any(n == 0 for n in lengths):
        raise TextrnnError(f"sentence {lengths.index(0) + 1} is empty; every sentence needs at least one token")
    flat = [t for s in sentences for t in s]
    n = len(flat)
    # each distinct form is encoded once; rows of every per-token array are then one take()
    distinct: dict[str, int] = {}
    rows = np.zeros(n + 1, dtype=np.int64)  # row 0 -> the zero row 0 of every distinct table
    rows[1:] = np.fromiter((distinct.setdefault(t, len(distinct)) + 1 for t in flat), dtype=np.int64, count=n)
    forms = list(distinct)
    keys = [f.lower() for f in forms] if config.lowercase else forms
    take = lambda table: torch.from_numpy(np.ascontiguousarray(table[rows]))  # noqa: E731
    word_ids = take(np.array([0] + words.encode(keys), dtype=np.int64))
    char_ids = None
    if chars is not None:
        w = config.max_word_len
        table = np.zeros((len(forms) + 1, w), dtype=np.int64)
        for row, form in enumerate(forms, 1):
            ids = chars.encode_text(form[:w])
            table[row, : len(ids)] = ids
        char_ids = torch.from_numpy(table)
    features = None
    if config.num_features:
        encoder = feature_names if isinstance(feature_names, WordFeatures) else WordFeatures(feature_names)
        if len(encoder.names) != config.num_features:
            raise TextrnnError(f"{len(encoder.names)} feature names for a model of {config.num_features} features")
        table = np.zeros((len(forms) + 1, config.num_features), dtype=np.uint8)
        for row, form in enumerate(forms, 1):
            table[row, list(encoder.token(form))] = 1
        features = take(table)
    static_rows = None
    if config.static_dim:
        if static is None:
            raise TextrnnError(f"the model reads {config.static_dim}-d pretrained vectors; none were given")
        vectors = static.matrix(keys)
        if vectors.shape[1] != config.static_dim:
            raise TextrnnError(f"the model reads {config.static_dim}-d pretrained vectors; {static.source!r} has "
                               f"{vectors.shape[1]}-d ones")
        static_rows = take(torch.cat([torch.zeros(1, config.static_dim), vectors]).numpy())
    tag_ids = None
    if tags is not None:
        for i, (s, t) in enumerate(zip(sentences, tags)):
            if len(s) != len(t):
                raise TextrnnError(f"sentence {i + 1} has {len(s)} tokens but {len(t)} tags")
        index = tag_vocab.stoi
        unknown = sorted({y for row in tags for y in row} - set(index))
        if unknown:
            raise TextrnnError(f"tags {unknown[:10]} are not known to the model (tags: {tag_vocab.tokens[:20]})")
        tag_ids = torch.zeros(n + 1, dtype=torch.int64)
        tag_ids[1:] = torch.tensor([index[y] for row in tags for y in row], dtype=torch.int64)
    lengths_t = torch.tensor(lengths, dtype=torch.int64)
    starts = torch.cumsum(lengths_t, 0) - lengths_t + 1
    if features is not None and encoder.first is not None:
        features[starts, encoder.first] = 1
    return EncodedSentences(word_ids, torch.from_numpy(rows), char_ids, features, static_rows, tag_ids, starts, lengths_t)


def gather(data: EncodedSentences, index: torch.Tensor, device: torch.device) -> tuple:
    """One batch: ``(words, chars, features, static, lengths, tags, mask)`` for the sentences ``index``
    (sorted longest first by the caller), on ``device``; ``lengths`` stays on the CPU. ``chars`` is
    a :class:`~textrnn.nn.tagger.DistinctWords`: the batch's distinct forms' characters, trimmed to
    the longest, and each token's row among them."""
    lengths = data.lengths[index]
    width = int(lengths.max())
    steps = torch.arange(width)
    mask = steps.unsqueeze(0) < lengths.unsqueeze(1)
    rows = torch.where(mask, data.starts[index].unsqueeze(1) + steps, 0)
    take = lambda a: a[rows].to(device, non_blocking=True) if a is not None else None  # noqa: E731
    features = take(data.features)
    chars = None
    if data.chars is not None:
        distinct, inverse = torch.unique(data.forms[rows], return_inverse=True)
        table = data.chars[distinct]
        width = max(1, int((table != 0).sum(1).max()))
        chars = DistinctWords(table[:, :width].to(device, non_blocking=True), inverse.to(device, non_blocking=True))
    return (take(data.words), chars, features.float() if features is not None else None, take(data.static),
            lengths, take(data.tags), mask.to(device))


@torch.no_grad()
def predict_tag_ids(model: nn.Module, data: EncodedSentences, batch_size: int = 128, device: str | torch.device = "cpu",
                    probs: bool = False) -> tuple[list[list[int]], list[np.ndarray] | None]:
    """The best tag ids of every sentence, in input order, and with ``probs`` each sentence's
    ``(length, num_tags) float32`` tag probabilities (model in eval mode)."""
    device = torch.device(device)
    was_training = model.training
    model.eval()
    out: list = [None] * len(data)
    marg: list | None = [None] * len(data) if probs else None
    for index in bucketed_batches(data.lengths, batch_size, shuffle=False):
        words, chars, features, static, lengths, _, mask = gather(data, index, device)
        emissions = model(words, chars, features, static, lengths)
        best = model.decode(emissions, mask).cpu()
        p = model.marginals(emissions, mask).cpu().numpy() if probs else None
        for row, i in enumerate(index.tolist()):
            n = int(lengths[row])
            out[i] = best[row, :n].tolist()
            if probs:
                marg[i] = p[row, :n]
    model.train(was_training)
    return out, marg


def tagging_metrics(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], scheme: str | None,
                    known_tags: Sequence[str] = ()) -> dict:
    """Token accuracy, per-tag precision / recall / F1 / support and, for entity tags (``scheme``
    ``"bio"``/``"bioes"``), strict entity scores (:func:`~textrnn.tasks.schemes.entity_scores`).

    ``score`` is the entity micro-F1 for entity tags, else the accuracy. Gold tags outside
    ``known_tags`` (unseen in training) count as errors; ``unseen_tags`` reports them.
    """
    flat_t = [y for row in true for y in row]
    flat_p = [y for row in pred for y in row]
    if len(flat_t) != len(flat_p):
        raise TextrnnError(f"{len(flat_t)} true tags but {len(flat_p)} predicted")
    from sklearn.metrics import precision_recall_fscore_support

    names = sorted(set(flat_t) | set(flat_p))
    p, r, f, s = precision_recall_fscore_support(flat_t, flat_p, labels=names, zero_division=0)
    accuracy = sum(a == b for a, b in zip(flat_t, flat_p)) / len(flat_t) if flat_t else 0.0
    out = {"n_sentences": len(true), "n_tokens": len(flat_t), "accuracy": accuracy,
           "per_tag": {n: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                       for i, n in enumerate(names)}}
    if known_tags:
        unseen = sorted(set(flat_t) - set(known_tags))
        out["unseen_tags"] = {y: flat_t.count(y) for y in unseen}
    if scheme:
        out["entities"] = entity_scores(true, pred, scheme)
        out["f1"] = out["entities"]["f1"]
    out["score"] = out.get("f1", accuracy)
    return out


class TaggingTask(BucketedTask):
    """Training a tagger: length-bucketed shuffled batches of sentences, the loss, validation metrics.

    Args:
        train, val: encoded sentences with tags.
        val_tags: the validation tags as strings, in the model's scheme.
        tag_vocab: tag ids -> tags.
        scheme: the entity scheme of the tags, or ``None``.
        batch_size: sentences per batch.
    """

    metric_modes = METRIC_MODES
    unit = "tokens"

    def __init__(self, train: EncodedSentences, val: EncodedSentences, val_tags: Sequence[Sequence[str]],
                 tag_vocab: Vocab, scheme: str | None, batch_size: int) -> None:
        self.train, self.val, self.val_tags = train, val, [list(t) for t in val_tags]
        self.tag_vocab, self.scheme, self.batch_size = tag_vocab, scheme, batch_size

    def lengths(self, data: EncodedSentences) -> torch.Tensor:
        return data.lengths

    def batch(self, data: EncodedSentences, index: torch.Tensor) -> tuple:
        return gather(data, index, self.device)

    def loss(self, model: nn.Module, batch: tuple) -> torch.Tensor:
        words, chars, features, static, lengths, tags, mask = batch
        return model.loss(model(words, chars, features, static, lengths), tags, mask)

    def count(self, batch: tuple) -> int:
        return int(batch[4].sum())

    def evaluate(self, model: nn.Module) -> dict:
        ids, _ = predict_tag_ids(model, self.val, device=self.device)
        pred = [self.tag_vocab.decode(row, keep_specials=True) for row in ids]
        metrics = tagging_metrics(self.val_tags, pred, self.scheme)
        with torch.no_grad():
            model.eval()
            losses = [float(self.loss(model, self.batch(self.val, index))) * len(index)
                      for index in bucketed_batches(self.val.lengths, 256, shuffle=False)]
        metrics["loss"] = sum(losses) / len(self.val)
        return metrics

    def describe(self, row: dict) -> str:
        extra = f"  val_f1 {row['val_f1']:.4f}" if "val_f1" in row else ""
        return (f"epoch {row['epoch']:>2}  train_loss {row['train_loss']:.4f}  val_loss {row['val_loss']:.4f}  "
                f"val_acc {row['val_accuracy']:.4f}{extra}  {row['seconds']:.1f}s")
