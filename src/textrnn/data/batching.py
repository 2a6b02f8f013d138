"""Batches of padded token ids, bucketed by length so that little compute goes to padding.

Texts are encoded once into one ``(n, longest) int64`` tensor; a batch is an index
tensor into it, trimmed to the longest real sequence of the batch. No per-item Python
``__getitem__`` runs on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch


@dataclass
class EncodedTexts:
    """Texts encoded once.

    Attributes:
        ids: ``(n, longest) int64`` token ids, right-padded with 0.
        lengths: ``(n,) int64`` real lengths (>= 1).
        targets: ``(n,) int64`` class indices, or ``None`` for unlabelled texts.
    """

    ids: torch.Tensor
    lengths: torch.Tensor
    targets: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    def n_tokens(self) -> int:
        """Real (non-padding) tokens in all texts."""
        return int(self.lengths.sum())


def bucketed_batches(
    lengths: torch.Tensor,
    batch_size: int,
    shuffle: bool,
    generator: torch.Generator | None = None,
    chunk_batches: int = 50,
) -> list[torch.Tensor]:
    """Split indices into batches of similar length.

    With ``shuffle``, indices are shuffled, cut into chunks of ``chunk_batches`` batches,
    sorted by length inside each chunk, cut into batches, and the batch order is
    shuffled again: batches stay random but carry little padding. Without ``shuffle``
    (evaluation), all indices are sorted by length; callers restore input order.

    Args:
        lengths: ``(n,) int64`` real lengths.
        batch_size: texts per batch (the last batch of a chunk may be smaller).

    Returns:
        A list of ``(<= batch_size,) int64`` index tensors covering every text once.
    """
    n = int(lengths.shape[0])
    if n == 0:
        return []
    if not shuffle:
        order = torch.argsort(lengths, descending=True, stable=True)
        return list(order.split(batch_size))
    perm = torch.randperm(n, generator=generator)
    batches: list[torch.Tensor] = []
    for chunk in perm.split(batch_size * chunk_batches):
        chunk = chunk[torch.argsort(lengths[chunk], descending=True, stable=True)]
        batches.extend(chunk.split(batch_size))
    order = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in order]


def n_batches(n: int, batch_size: int, chunk_batches: int = 50) -> int:
    """How many batches :func:`bucketed_batches` makes of ``n`` texts when shuffling."""
    full, rest = divmod(n, batch_size * chunk_batches)
    return full * chunk_batches + -(-rest // batch_size)


def to_device(data: EncodedTexts, device: torch.device | str, max_bytes: int = 1 << 30) -> EncodedTexts:
    """``data`` with ``ids`` and ``targets`` moved to a CUDA ``device`` once, when they take
    at most ``max_bytes``; ``lengths`` stay on the CPU. Otherwise ``data`` unchanged.

    With device-resident texts a batch is one gather on the GPU: no host-side indexing,
    pinning or copy per batch (:func:`iter_batches`).
    """
    device = torch.device(device)
    nbytes = data.ids.nbytes + (data.targets.nbytes if data.targets is not None else 0)
    if device.type != "cuda" or nbytes > max_bytes:
        return data
    targets = data.targets.to(device) if data.targets is not None else None
    return EncodedTexts(data.ids.to(device), data.lengths, targets)


def iter_batches(
    data: EncodedTexts,
    batch_size: int,
    shuffle: bool,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]]:
    """Yield ``(index, ids, lengths, targets)`` batches.

    ``ids`` is ``(batch, longest_in_batch) int64`` on ``device``; ``lengths`` stays a
    CPU ``(batch,) int64`` tensor (``pack_padded_sequence`` wants it there); ``index``
    gives each row's position in ``data`` (CPU); ``targets`` is ``(batch,)`` or ``None``.
    Rows of a batch are sorted longest first. On CUDA, texts already on the device
    (:func:`to_device`) are gathered there; otherwise batches are copied from pinned
    memory with ``non_blocking=True``.
    """
    device = torch.device(device)
    cuda = device.type == "cuda"
    batches = bucketed_batches(data.lengths, batch_size, shuffle, generator)
    if cuda and data.ids.device.type == "cuda" and batches:
        # device-resident texts: one gather per epoch puts them in batch order, and each batch
        # is then a slice (no copy, index transfer or gather per batch: ~4 fewer launches a step)
        order = torch.cat(batches).to(device, non_blocking=True)
        ids_all = data.ids[order]
        targets_all = data.targets[order] if data.targets is not None else None
        start = 0
        for index in batches:
            lengths = data.lengths[index]
            stop = start + len(index)
            targets = targets_all[start:stop] if targets_all is not None else None
            yield index, ids_all[start:stop, : int(lengths.max())], lengths, targets
            start = stop
        return
    for index in batches:
        lengths = data.lengths[index]
        ids = data.ids[index, : int(lengths.max())]
        targets = data.targets[index] if data.targets is not None else None
        if cuda:
            ids = ids.pin_memory().to(device, non_blocking=True)
            if targets is not None:
                targets = targets.pin_memory().to(device, non_blocking=True)
        yield index, ids, lengths, targets
