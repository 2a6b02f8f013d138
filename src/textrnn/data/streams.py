"""Character streams cut into truncated-BPTT batches for language models: stream mode and line mode.

Two modes (Karpathy 2015 char-rnn; Zaremba et al. 2014 for the stream layout):

* **stream** — the text is one long sequence, cut into ``batch_size`` contiguous
  streams; consecutive batches continue each stream, so the recurrent state is carried
  from one batch to the next and detached (truncated backpropagation through time).
* **line** — every non-empty line is one sequence ``<bos> c1 … cn <eos>`` (names,
  titles, tweets); lines are padded into batches and the state starts from zero for
  each batch (a line longer than ``seq_len`` is still processed whole, in
  ``seq_len``-chunks with the state carried).

Every batch is a triple ``(x, y, reset)``: ``x`` and ``y`` are ``(batch, seq_len)
int64`` tensors (``y`` is ``x`` shifted by one character; padding targets are
``IGNORE_INDEX`` = -100), ``reset`` says that the recurrent state must start from zero.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
import torch

from textrnn.vocab import Vocab
from textrnn.errors import TextrnnError

IGNORE_INDEX = -100
Batch = tuple[torch.Tensor, torch.Tensor, bool]


class StreamBatches:
    """Truncated-BPTT batches over one long character stream.

    The predicting pairs ``(ids[t], ids[t+1])`` are laid out as ``batch_size`` contiguous
    rows; batch ``k`` holds columns ``[k*seq_len, (k+1)*seq_len)`` of every row, so row
    ``r`` of batch ``k+1`` continues row ``r`` of batch ``k``. Each training epoch starts
    at a random offset in ``[0, seq_len)`` so that window boundaries move.

    Args:
        ids: ``(n_chars,) int64`` encoded text.
        batch_size: number of parallel streams.
        seq_len: truncation length of backpropagation through time, in characters.

    Raises:
        TextrnnError: the text is too short for one ``batch_size``-row batch.
    """

    def __init__(self, ids: np.ndarray, batch_size: int, seq_len: int) -> None:
        if batch_size < 1 or seq_len < 1:
            raise TextrnnError(f"batch size and sequence length must be >= 1, got {batch_size} and {seq_len}")
        self.ids = torch.as_tensor(np.asarray(ids, dtype=np.int64))
        self.batch_size = batch_size
        self.seq_len = seq_len
        if (len(self.ids) - 1) // batch_size < 1:
            raise TextrnnError(
                f"text of {len(self.ids)} characters is too short for batch_size {batch_size}; "
                f"expected at least {batch_size + 1} characters", param="batch_size"
            )

    def _rows(self, offset: int) -> tuple[torch.Tensor, torch.Tensor]:
        n = len(self.ids) - 1 - offset
        if n // self.batch_size < 1:
            offset, n = 0, len(self.ids) - 1
        length = n // self.batch_size
        x = self.ids[offset : offset + self.batch_size * length].view(self.batch_size, length)
        y = self.ids[offset + 1 : offset + 1 + self.batch_size * length].view(self.batch_size, length)
        return x, y

    def steps_per_epoch(self) -> int:
        """Batches in one epoch (offset 0), an upper bound for any offset."""
        length = (len(self.ids) - 1) // self.batch_size
        return -(-length // self.seq_len)

    def epoch(self, rng: np.random.Generator | None = None) -> Iterator[Batch]:
        """Yield ``(x, y, reset)``; ``reset`` is true only for the first batch."""
        offset = int(rng.integers(0, min(self.seq_len, len(self.ids) - 1))) if rng is not None else 0
        x, y = self._rows(offset)
        for k, i in enumerate(range(0, x.shape[1], self.seq_len)):
            yield x[:, i : i + self.seq_len], y[:, i : i + self.seq_len], k == 0


def stream_eval_batches(ids: np.ndarray, batch_size: int, seq_len: int) -> Iterator[Batch]:
    """Batches that score every character of ``ids`` but the first, exactly once.

    The ``n_chars - 1`` predicting pairs are cut into ``batch_size`` contiguous rows
    (the last row padded with ``IGNORE_INDEX`` targets); the state is carried along each
    row, so only the first character of each row is predicted without context.
    """
    ids = torch.as_tensor(np.asarray(ids, dtype=np.int64))
    n = len(ids) - 1
    if n < 1:
        return
    rows = max(1, min(batch_size, n // max(seq_len, 1)))
    length = -(-n // rows)
    x = torch.full((rows * length,), 0, dtype=torch.int64)
    y = torch.full((rows * length,), IGNORE_INDEX, dtype=torch.int64)
    x[:n] = ids[:-1]
    y[:n] = ids[1:]
    x, y = x.view(rows, length), y.view(rows, length)
    for k, i in enumerate(range(0, length, seq_len)):
        yield x[:, i : i + seq_len], y[:, i : i + seq_len], k == 0


class LineBatches:
    """Batches of ``<bos> line <eos>`` sequences for line mode.

    Lines of similar length are batched together (sorted within pools of 50 batches)
    to limit padding; the batch order is shuffled each epoch.

    Args:
        lines: the non-empty lines.
        vocab: encodes the characters (unknown ones -> ``<unk>``).
        batch_size: lines per batch.
        seq_len: chunk length for truncated backpropagation through long lines.

    Raises:
        TextrnnError: there are no non-empty lines.
    """

    def __init__(self, lines: Sequence[str], vocab: Vocab, batch_size: int, seq_len: int) -> None:
        if batch_size < 1 or seq_len < 1:
            raise TextrnnError(f"batch size and sequence length must be >= 1, got {batch_size} and {seq_len}")
        if not lines:
            raise TextrnnError("line mode needs at least one non-empty line")
        self.seqs = [np.concatenate(([vocab.bos_id], vocab.encode_text(ln), [vocab.eos_id])) for ln in lines]
        self.eos_id = vocab.eos_id
        self.batch_size = batch_size
        self.seq_len = seq_len

    def n_targets(self) -> int:
        """Predicted symbols: the characters of every line plus one ``<eos>`` each."""
        return sum(len(s) - 1 for s in self.seqs)

    def _pad(self, idx: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(self.seqs[i]) - 1 for i in idx)
        x = np.full((len(idx), width), self.eos_id, dtype=np.int64)
        y = np.full((len(idx), width), IGNORE_INDEX, dtype=np.int64)
        for r, i in enumerate(idx):
            s = self.seqs[i]
            x[r, : len(s) - 1] = s[:-1]
            y[r, : len(s) - 1] = s[1:]
        return torch.from_numpy(x), torch.from_numpy(y)

    def _batches(self, rng: np.random.Generator | None) -> list[list[int]]:
        order = np.arange(len(self.seqs))
        if rng is not None:
            rng.shuffle(order)
        pool = self.batch_size * 50
        batches = []
        for p in range(0, len(order), pool):
            chunk = sorted(order[p : p + pool], key=lambda i: len(self.seqs[i]))
            batches += [chunk[b : b + self.batch_size] for b in range(0, len(chunk), self.batch_size)]
        if rng is not None:
            rng.shuffle(batches)
        return batches

    def steps_per_epoch(self) -> int:
        """Chunks in one epoch (each batch contributes ceil(width / seq_len) chunks)."""
        return sum(
            -(-(max(len(self.seqs[i]) - 1 for i in b)) // self.seq_len) for b in self._batches(None)
        )

    def epoch(self, rng: np.random.Generator | None = None) -> Iterator[Batch]:
        """Yield ``(x, y, reset)`` chunks; ``reset`` is true at the start of every line batch."""
        for b in self._batches(rng):
            x, y = self._pad(b)
            for k, i in enumerate(range(0, x.shape[1], self.seq_len)):
                yield x[:, i : i + self.seq_len], y[:, i : i + self.seq_len], k == 0
