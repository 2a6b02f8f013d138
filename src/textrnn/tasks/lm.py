"""Language modelling (one -> many): next-character loss with the state carried, and scores in nats / bits per character.

Units: losses are cross-entropies in **nats per character** (natural log, the unit of nanoGPT
and PyTorch); ``bits_per_char = nats / ln 2``; ``perplexity = exp(nats)``. Truncated BPTT: the
state is carried from one window to the next of the same streams and detached (Williams & Peng
1990; Karpathy 2015).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Iterator

import numpy as np
import torch
from torch import nn

from textrnn.data.streams import IGNORE_INDEX, LineBatches, StreamBatches, stream_eval_batches
from textrnn.data.text_files import split_lines
from textrnn.errors import TextrnnError
from textrnn.nn.encoder import detach_state
from textrnn.vocab import Vocab

LN2 = math.log(2.0)
METRIC_MODES = {"loss_nats_per_char": "min", "bits_per_char": "min", "perplexity": "min"}


def metrics_from_nll(total_nats: float, n: int) -> dict:
    """``{"loss_nats_per_char", "bits_per_char", "perplexity", "n_chars"}`` from a summed NLL over ``n`` targets."""
    loss = total_nats / n if n else float("nan")
    return {"loss_nats_per_char": loss, "bits_per_char": loss / LN2,
            "perplexity": math.exp(loss) if loss < 700 else float("inf"), "n_chars": int(n)}


def next_char_loss(logits: torch.Tensor, targets: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy of ``(B, T, V)`` logits against ``(B, T) int64`` targets; ``IGNORE_INDEX`` targets are skipped."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                       ignore_index=IGNORE_INDEX, reduction=reduction)


@torch.no_grad()
def evaluate_batches(model: nn.Module, batches: Iterable) -> tuple[float, int]:
    """Summed negative log-likelihood (nats) and number of scored targets over ``(x, y, reset)``
    batches (CPU tensors, moved to the model's device here)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, n, state = torch.zeros((), dtype=torch.float64, device=device), 0, None
    for x, y, reset in batches:
        if reset:
            state = None
        n += int((y != IGNORE_INDEX).sum())
        logits, state = model(x.to(device, non_blocking=True), state)
        total += next_char_loss(logits, y.to(device, non_blocking=True), "sum").double()  # one sync at the end
    model.train(was_training)
    return float(total), n


def eval_batches_for(text: str, vocab: Vocab, line_mode: bool, batch_size: int = 128, seq_len: int = 256) -> list:
    """Batches that score every character of ``text`` once: ``len(text) - 1`` characters in stream
    mode, each line's characters plus its ``<eos>`` in line mode."""
    if line_mode:
        return list(LineBatches(split_lines(text), vocab, batch_size, seq_len).epoch(None))
    return list(stream_eval_batches(vocab.encode_text(text), batch_size, seq_len))


def unknown_chars(text: str, vocab: Vocab, line_mode: bool = False) -> Counter:
    """Characters of ``text`` missing from ``vocab``; line breaks do not count in line mode."""
    return vocab.unknown("".join(split_lines(text)) if line_mode else text)


def evaluate_text(model: nn.Module, vocab: Vocab, text: str, line_mode: bool = False) -> dict:
    """Score ``text``: :func:`metrics_from_nll` plus ``n_unknown_chars`` (characters outside
    ``vocab``, scored as ``<unk>``).

    Raises:
        TextrnnError: nothing to score (fewer than 2 characters, or no non-empty line in line mode).
    """
    total, n = evaluate_batches(model, eval_batches_for(text, vocab, line_mode))
    if n == 0:
        raise TextrnnError("text to evaluate is too short: expected at least 2 characters (or one non-empty line)")
    return {**metrics_from_nll(total, n), "n_unknown_chars": int(sum(unknown_chars(text, vocab, line_mode).values()))}


class LanguageModelTask:
    """Training a :class:`~textrnn.nn.CharLM` with truncated BPTT.

    Args:
        batches: the training windows (:class:`StreamBatches` or :class:`LineBatches`); every
            batch is ``(x, y, reset)`` and the state starts from zero where ``reset``.
        val_batches: fixed validation batches (:func:`eval_batches_for`).
    """

    metric_modes = METRIC_MODES
    unit = "chars"

    def __init__(self, batches: StreamBatches | LineBatches, val_batches: list) -> None:
        if not val_batches:
            raise TextrnnError("validation text is too short: expected at least 2 characters")
        self.batches, self.val_batches = batches, val_batches
        self.state = None

    def setup(self, device: torch.device, seed: int) -> None:
        self.device = device
        self.rng = np.random.default_rng(seed)  # window offsets and line order

    def steps_per_epoch(self) -> int:
        return self.batches.steps_per_epoch()

    def train_batches(self, epoch: int) -> Iterator[tuple]:
        for x, y, reset in self.batches.epoch(self.rng):
            n = int((y != IGNORE_INDEX).sum())
            if self.device.type != "cpu":
                x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
            yield x, y, reset, n

    def loss(self, model: nn.Module, batch: tuple) -> torch.Tensor:
        x, y, reset, _ = batch
        logits, state = model(x, None if reset else self.state)
        self.state = detach_state(state)  # the next window continues these streams without backpropagating into this one
        return next_char_loss(logits, y)

    def count(self, batch: tuple) -> int:
        return batch[3]

    def evaluate(self, model: nn.Module) -> dict:
        return metrics_from_nll(*evaluate_batches(model, self.val_batches))

    @staticmethod
    def describe(row: dict) -> str:
        train = f"{row['train_loss']:.4f}" if row.get("train_loss") is not None else "-"
        return (f"epoch {row['epoch']:>3} step {row['step']:>6} | train {train} | val "
                f"{row['val_loss_nats_per_char']:.4f} nats/char {row['val_bits_per_char']:.4f} bpc ppl "
                f"{row['val_perplexity']:.2f} | {row['train_seconds']:7.1f} s | lr {row['lr']:.2e}")
