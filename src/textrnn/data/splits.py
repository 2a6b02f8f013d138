"""Held-out splits: a seeded, stratified share of each label."""

from __future__ import annotations

from typing import Sequence

import numpy as np


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
