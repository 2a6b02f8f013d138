"""Bucketed batching: every text once, trimmed batches, seeded shuffles, little padding, order restored."""

from __future__ import annotations

import csv

import pytest
import torch

from tests.conftest import shared_data
from textrnn.data.batching import EncodedTexts, bucketed_batches, iter_batches, n_batches, to_device


def random_texts(n: int, longest: int = 40, seed: int = 0, with_targets: bool = True) -> EncodedTexts:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, longest + 1, (n,), generator=g)
    ids = torch.zeros((n, int(lengths.max())), dtype=torch.int64)
    for i, length in enumerate(lengths.tolist()):
        ids[i, :length] = torch.randint(2, 50, (length,), generator=g)
    targets = torch.randint(0, 3, (n,), generator=g) if with_targets else None
    return EncodedTexts(ids, lengths, targets)


def padding_fraction(batches: list[torch.Tensor], lengths: torch.Tensor) -> float:
    """Padding positions / real tokens when each batch is trimmed to its longest text."""
    padded = sum(len(b) * int(lengths[b].max()) for b in batches)
    real = int(lengths.sum())
    return (padded - real) / real


@pytest.mark.parametrize("n", [1, 7, 64, 65, 1000])
@pytest.mark.parametrize("batch_size", [1, 8, 64])
@pytest.mark.parametrize("shuffle", [False, True])
def test_bucketing_covers_every_index_exactly_once(n, batch_size, shuffle):
    lengths = random_texts(n).lengths
    g = torch.Generator().manual_seed(1)
    batches = bucketed_batches(lengths, batch_size, shuffle, g, chunk_batches=3)
    assert all(1 <= len(b) <= batch_size for b in batches)
    assert torch.equal(torch.sort(torch.cat(batches)).values, torch.arange(n))


def test_no_texts_no_batches():
    assert bucketed_batches(torch.zeros(0, dtype=torch.int64), 8, True) == []


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_are_trimmed_to_their_longest_real_text(shuffle):
    data = random_texts(300)
    seen = 0
    for index, ids, lengths, targets in iter_batches(data, 16, shuffle, torch.Generator().manual_seed(2)):
        assert ids.shape == (len(index), int(lengths.max()))
        assert torch.equal(lengths, data.lengths[index])
        assert torch.equal(ids, data.ids[index, : ids.shape[1]])
        assert not data.ids[index, ids.shape[1]:].any()  # nothing real was cut off
        assert torch.equal(targets, data.targets[index])
        assert ids.dtype == torch.int64 and lengths.device.type == "cpu"
        seen += len(index)
    assert seen == len(data)


def test_unlabelled_texts_give_no_targets():
    data = random_texts(20, with_targets=False)
    assert all(t is None for *_, t in iter_batches(data, 8, shuffle=True))


def test_shuffle_is_reproducible_by_generator_seed():
    lengths = random_texts(1000).lengths

    def order(seed):
        return torch.cat(bucketed_batches(lengths, 32, True, torch.Generator().manual_seed(seed))).tolist()

    assert order(5) == order(5)
    assert order(5) != order(6)
    # one generator, two epochs: different orders, but the pair is reproducible too
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    epochs1 = [torch.cat(bucketed_batches(lengths, 32, True, g1)).tolist() for _ in range(2)]
    epochs2 = [torch.cat(bucketed_batches(lengths, 32, True, g2)).tolist() for _ in range(2)]
    assert epochs1 == epochs2 and epochs1[0] != epochs1[1]


def test_shuffled_batches_are_sorted_within_but_random_across():
    lengths = random_texts(2000).lengths
    batches = bucketed_batches(lengths, 32, True, torch.Generator().manual_seed(3), chunk_batches=10)
    for b in batches:
        ls = lengths[b]
        assert torch.all(ls[:-1] >= ls[1:])  # sorted inside each batch
    maxima = [int(lengths[b].max()) for b in batches]
    assert maxima != sorted(maxima, reverse=True)  # but the batch order is not the length order


def test_evaluation_batches_are_sorted_by_length():
    lengths = random_texts(500).lengths
    order = torch.cat(bucketed_batches(lengths, 32, shuffle=False))
    assert torch.all(lengths[order][:-1] >= lengths[order][1:])


@pytest.fixture(scope="module")
def rutweet_lengths() -> torch.Tensor:
    """Token counts of the rutweetcorp_sample training texts after the default preprocessing."""
    from textrnn.text import Preprocessor

    path = shared_data("rutweetcorp_sample") / "train.csv"
    with open(path, encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    tokens = Preprocessor().transform(texts)
    return torch.tensor([max(1, len(t)) for t in tokens], dtype=torch.int64)


@pytest.mark.parametrize("batch_size", [64, 512])
def test_bucketing_pads_much_less_than_random_batches_on_real_lengths(batch_size, rutweet_lengths):
    lengths = rutweet_lengths
    g = torch.Generator().manual_seed(0)
    bucketed = padding_fraction(bucketed_batches(lengths, batch_size, True, g), lengths)
    unbucketed = padding_fraction(list(torch.randperm(len(lengths), generator=g).split(batch_size)), lengths)
    fixed = (len(lengths) * int(lengths.max()) - int(lengths.sum())) / int(lengths.sum())  # lecture: pad to the longest text
    # measured (seed 0, 18,146 texts, mean 11.6 tokens): padding per real token with batch 64:
    # 3.7 % bucketed vs 115 % random batches vs 373 % fixed; batch 512: 10.3 % vs 147 % vs 373 %.
    assert bucketed < 0.15 and bucketed < 0.1 * unbucketed and unbucketed < fixed


def test_n_batches_counts_what_bucketing_yields():
    for n, batch_size in [(1, 8), (64, 8), (65, 8), (1000, 64), (130, 1)]:
        lengths = random_texts(n).lengths
        assert n_batches(n, batch_size, chunk_batches=3) == len(bucketed_batches(lengths, batch_size, True, chunk_batches=3))


def test_to_device_leaves_cpu_data_alone():
    data = EncodedTexts(torch.ones((3, 4), dtype=torch.int64), torch.tensor([4, 2, 1]), torch.tensor([0, 1, 0]))
    assert to_device(data, "cpu") is data
