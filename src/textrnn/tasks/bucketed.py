"""What the tasks with length-bucketed batches of one encoded set share: seeding, the step count, the shuffled batches."""

from __future__ import annotations

from typing import Any, Iterator

import torch

from textrnn.data.batching import bucketed_batches, n_batches


class BucketedTask:
    """The :class:`~textrnn.training.Trainer` methods of a task whose training batches are index
    sets into one encoded training set (``self.train``), bucketed by length and shuffled by a
    generator seeded in :meth:`setup`. A subclass sets ``train`` and ``batch_size`` and defines
    ``lengths(data)`` (``(n,) int64``, what batches are bucketed by) and ``batch(data, index)``
    (the batch on ``self.device``)."""

    train: Any
    batch_size: int

    def setup(self, device: torch.device, seed: int) -> None:
        self.device = device
        self.generator = torch.Generator().manual_seed(seed)

    def steps_per_epoch(self) -> int:
        return n_batches(len(self.train), self.batch_size)

    def train_batches(self, epoch: int) -> Iterator[tuple]:
        for index in bucketed_batches(self.lengths(self.train), self.batch_size, True, self.generator):
            yield self.batch(self.train, index)
