"""The held-out split: a seeded share of each label, every text in exactly one part."""

import numpy as np

from textrnn.data.splits import stratified_split


def test_each_label_gives_its_share_and_the_seed_fixes_which():
    labels = ["a"] * 30 + ["b"] * 10 + ["c"]
    kept, held = stratified_split(labels, 0.1, seed=3)
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(len(labels)))
    assert [labels[i] for i in held].count("a") == 3 and [labels[i] for i in held].count("b") == 1
    assert "c" not in [labels[i] for i in held]  # a label with one text stays in training
    assert np.array_equal(stratified_split(labels, 0.1, seed=3)[1], held)
    assert not np.array_equal(stratified_split(labels, 0.1, seed=4)[1], held)
