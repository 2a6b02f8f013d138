"""Held-out splits: a seeded, stratified share of each label."""

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
