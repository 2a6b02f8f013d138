"""Sequence to sequence (many -> many, other length): pairs -> tensors, batches, the loss, decoding, metrics.

Sources and targets are encoded once into padded id matrices; a batch is an index into them,
bucketed by source length. Targets end with ``<eos>``; the decoder's input is ``<bos>`` and the
target shifted right (teacher forcing). :class:`Seq2SeqTask` is what the
:class:`~textrnn.training.Trainer` trains a :class:`~textrnn.nn.Seq2SeqNet` with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from textrnn.data.batching import bucketed_batches
from textrnn.data.pairs import join_units
from textrnn.errors import TextrnnError
from textrnn.nn.decoding import Hypothesis, beam_search, greedy_decode
from textrnn.tasks.bucketed import BucketedTask
from textrnn.vocab import BOS, EOS, Vocab

METRIC_MODES = {"accuracy": "max", "mean_edit_distance": "min", "cer": "min", "loss": "min"}


@dataclass
class EncodedPairs:
    """Sources (and targets) encoded once.

    Attributes:
        sources: ``(n, longest_source) int64`` ids, right-padded with 0; source_lengths: ``(n,) int64`` (>= 1).
        targets: ``(n, longest_target + 1) int64`` target ids then ``<eos>``, padded with 0, or ``None``;
            target_lengths: ``(n,) int64`` units with ``<eos>``, or ``None``.
    """

    sources: torch.Tensor
    source_lengths: torch.Tensor
    targets: torch.Tensor | None = None
    target_lengths: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.source_lengths.shape[0])


def _pad(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(r) for r in rows], dtype=torch.int64)
    out = torch.zeros((len(rows), int(lengths.max()) if rows else 1), dtype=torch.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r, dtype=torch.int64)
    return out, lengths


def encode_pairs(sources: Sequence[Sequence[str]], source_vocab: Vocab, targets: Sequence[Sequence[str]] | None = None,
                 target_vocab: Vocab | None = None) -> EncodedPairs:
    """Unit lists -> :class:`EncodedPairs` (units outside a vocabulary become ``<unk>``).

    Raises:
        TextrnnError: an empty source, or targets that differ in number from the sources.
    """
    if any(len(s) == 0 for s in sources):
        raise TextrnnError(f"source {next(i for i, s in enumerate(sources) if not s) + 1} has no units; "
                           f"every source needs at least one")
    src, src_len = _pad([source_vocab.encode(s) for s in sources])
    if targets is None:
        return EncodedPairs(src, src_len)
    if len(targets) != len(sources):
        raise TextrnnError(f"{len(sources)} sources but {len(targets)} targets")
    eos = target_vocab.special_id(EOS)
    tgt, tgt_len = _pad([target_vocab.encode(t) + [eos] for t in targets])
    return EncodedPairs(src, src_len, tgt, tgt_len)


def gather(data: EncodedPairs, index: torch.Tensor, device: torch.device, bos: int) -> tuple:
    """One batch ``(source, source_lengths, target_in, target_out)`` of the pairs ``index``, trimmed
    to the longest source and target; ``source_lengths`` stays on the CPU."""
    lengths = data.source_lengths[index]
    source = data.sources[index, : int(lengths.max())]
    out = data.targets[index, : int(data.target_lengths[index].max())]
    target_in = torch.cat([torch.full((len(index), 1), bos, dtype=torch.int64), out[:, :-1]], dim=1)
    move = lambda t: t.to(device, non_blocking=True)  # noqa: E731
    return move(source), lengths, move(target_in), move(out)


@torch.no_grad()
def decode(model: nn.Module, data: EncodedPairs, target_vocab: Vocab, beam: int = 1, alpha: float = 0.6,
           n_best: int = 1, max_len: int | None = None, attention: bool = False, batch_size: int = 128,
           device: str | torch.device = "cpu") -> list[list[Hypothesis]]:
    """Decode every source, in input order: greedy with ``beam == 1``, else beam search (model in eval mode).

    Returns:
        Per source, up to ``n_best`` hypotheses (:class:`~textrnn.nn.decoding.Hypothesis`), best first.
    """
    device = torch.device(device)
    was_training = model.training
    model.eval()
    bos, eos = target_vocab.special_id(BOS), target_vocab.special_id(EOS)
    max_len = max_len or model.config.max_target_len
    out: list = [None] * len(data)
    for index in bucketed_batches(data.source_lengths, batch_size, shuffle=False):
        lengths = data.source_lengths[index]
        source = data.sources[index, : int(lengths.max())].to(device)
        if beam == 1:
            found = [[h] for h in greedy_decode(model, source, lengths, bos, eos, max_len, attention)]
        else:
            found = beam_search(model, source, lengths, bos, eos, max_len, beam, alpha, n_best, attention)
        for row, i in enumerate(index.tolist()):
            out[i] = found[row]
    model.train(was_training)
    return out


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in characters (insertions, deletions, substitutions; rapidfuzz's implementation)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def seq2seq_metrics(predicted: Sequence[str], accepted: Sequence[Sequence[str]], units: str = "char") -> dict:
    """Scores of outputs against their accepted answers (each source's targets).

    Returns:
        ``n`` (sources), ``accuracy`` (exact match with any accepted answer), ``mean_edit_distance``
        (Levenshtein distance in characters to the closest accepted answer, mean over sources),
        ``cer`` (the summed distances / the summed lengths of those closest answers) and, for
        word units with sacrebleu installed, ``bleu`` and ``chrf`` (sacrebleu's corpus scores, every
        accepted answer a reference).

    Raises:
        TextrnnError: counts that differ, or a source with no accepted answer.
    """
    if len(predicted) != len(accepted):
        raise TextrnnError(f"{len(predicted)} outputs but {len(accepted)} sets of accepted answers")
    if any(not a for a in accepted):
        raise TextrnnError("every source needs at least one accepted answer")
    exact = distance = ref_chars = 0
    for p, refs in zip(predicted, accepted):
        exact += p in refs
        best = min(refs, key=lambda r: (edit_distance(p, r), len(r)))
        distance += edit_distance(p, best)
        ref_chars += len(best)
    n = len(predicted)
    out = {"n": n, "accuracy": exact / n if n else 0.0, "mean_edit_distance": distance / n if n else 0.0,
           "cer": distance / ref_chars if ref_chars else 0.0}
    if units == "word":
        try:
            import sacrebleu
        except ImportError:  # optional: pip install 'textrnn[bleu]'
            return out
        width = max(len(a) for a in accepted)
        streams = [[a[i] if i < len(a) else None for a in accepted] for i in range(width)]
        out["bleu"] = sacrebleu.corpus_bleu(list(predicted), streams).score
        out["chrf"] = sacrebleu.corpus_chrf(list(predicted), streams).score
    return out


class Seq2SeqTask(BucketedTask):
    """Training an encoder-decoder: batches bucketed by source length, token cross-entropy,
    validation by greedy decoding (exact match, edit distance) and loss.

    Args:
        train, val: encoded pairs with targets (every row of a file: alternatives are pairs too).
        val_sources: the distinct validation sources' rows in ``val`` (``(m,) int64``) and
            val_accepted: their accepted answers as strings.
        target_vocab: target ids -> units; units: ``"char"`` or ``"word"``.
        batch_size: pairs per batch; label_smoothing: of the cross-entropy.
    """

    metric_modes = METRIC_MODES
    unit = "target_units"

    def __init__(self, train: EncodedPairs, val: EncodedPairs, val_sources: torch.Tensor,
                 val_accepted: Sequence[Sequence[str]], target_vocab: Vocab, units: str, batch_size: int,
                 label_smoothing: float = 0.0) -> None:
        self.train, self.val, self.val_sources = train, val, val_sources
        self.val_accepted = [list(a) for a in val_accepted]
        self.target_vocab, self.units, self.batch_size = target_vocab, units, batch_size
        self.bos = target_vocab.special_id(BOS)
        self.criterion = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=label_smoothing)

    def lengths(self, data: EncodedPairs) -> torch.Tensor:
        return data.source_lengths

    def batch(self, data: EncodedPairs, index: torch.Tensor) -> tuple:
        return gather(data, index, self.device, self.bos)

    def loss(self, model: nn.Module, batch: tuple) -> torch.Tensor:
        source, lengths, target_in, target_out = batch
        logits = model(source, lengths, target_in)
        return self.criterion(logits.reshape(-1, logits.shape[-1]), target_out.reshape(-1))

    def count(self, batch: tuple) -> int:
        return int((batch[3] != 0).sum())

    def evaluate(self, model: nn.Module) -> dict:
        distinct = EncodedPairs(self.val.sources[self.val_sources], self.val.source_lengths[self.val_sources])
        found = decode(model, distinct, self.target_vocab, device=self.device)
        predicted = [join_units(self.target_vocab.decode(h[0].ids), self.units) for h in found]
        metrics = seq2seq_metrics(predicted, self.val_accepted, self.units)
        with torch.no_grad():
            model.eval()
            total = units = 0.0
            for index in bucketed_batches(self.val.source_lengths, 256, shuffle=False):
                batch = self.batch(self.val, index)
                n = float((batch[3] != 0).sum())
                total += float(self.loss(model, batch)) * n
                units += n
        metrics["loss"] = total / units if units else 0.0
        return metrics

    def describe(self, row: dict) -> str:
        return (f"epoch {row['epoch']:>2}  train_loss {row['train_loss']:.4f}  val_loss {row['val_loss']:.4f}  "
                f"val_exact {row['val_accuracy']:.4f}  val_cer {row['val_cer']:.4f}  {row['seconds']:.1f}s")
