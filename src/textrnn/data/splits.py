"""Held-out splits (a seeded, stratified share of each label) and shards of an input file's rows."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from textrnn.errors import TextrnnError


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(kept, held_out)``: about ``fraction`` of each label held out (at least one of a
    label with two or more texts), seeded."""
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


def check_holdout(labels: Sequence[str]) -> None:
    """Refuse labels that :func:`stratified_split` can hold nothing out of (each label once).

    Raises:
        TextrnnError: no label has two texts; the message says what is needed.
    """
    counts: dict[str, int] = {}
    for y in labels:
        counts[y] = counts.get(y, 0) + 1
    if len(counts) >= 2 and max(counts.values()) < 2:  # one class is refused by check_labels
        raise TextrnnError(f"no validation texts can be held out of {len(labels)} training text(s): each of the "
                           f"{len(counts)} labels has one text, and holding out needs a label with at least 2 (then "
                           f"about 10% of each label is held out); give validation data (val_texts) or more "
                           f"training texts", param="val_texts")


def parse_shard(shard: str) -> tuple[int, int]:
    """``"I/N"`` -> ``(I, N)`` with ``0 <= I < N`` (shards numbered from 0, like ranks and Slurm's
    ``SLURM_ARRAY_TASK_ID`` with ``--array=0-(N-1)``).

    Raises:
        TextrnnError: anything else, naming the value.
    """
    index, slash, count = str(shard).partition("/")
    if not (slash and index.strip().isdigit() and count.strip().isdigit()) or not 0 <= int(index) < int(count):
        raise TextrnnError(f"shard {shard!r} is invalid; expected I/N with 0 <= I < N, e.g. 0/4", param="shard")
    return int(index), int(count)


def shard_rows(n: int, shard: str) -> slice:
    """Shard ``I/N`` of ``n`` rows: the contiguous block ``[I*n//N, (I+1)*n//N)``, so that shards
    0..N-1 concatenated in order are the ``n`` rows, each once, in order (sizes differ by at most 1)."""
    index, count = parse_shard(shard)
    return slice(index * n // count, (index + 1) * n // count)
