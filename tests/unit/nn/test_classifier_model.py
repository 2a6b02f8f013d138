"""The RecurrentClassifier network: padding never changes a prediction, for every cell x pooling x direction."""

import itertools

import pytest
import torch

from tests.conftest import untrained_net
from textrnn.config import CELLS, POOLINGS
from textrnn.nn import TokenEmbedding, count_parameters
from textrnn.nn.pooling import max_pool, mean_pool

CASES = list(itertools.product(CELLS, POOLINGS, [False, True]))


@pytest.mark.parametrize("cell,pooling,bidirectional", CASES)
def test_padding_never_changes_logits(cell, pooling, bidirectional):
    model = untrained_net(cell, pooling, bidirectional)
    short = torch.tensor([[5, 9, 3]])
    alone = model(short, torch.tensor([3]))
    # the same text padded to 10, in a batch with longer texts
    batch = torch.zeros((3, 10), dtype=torch.int64)
    batch[0, :10] = torch.arange(10, 20)
    batch[1, :3] = short[0]
    batch[2, :7] = torch.arange(20, 27)
    together = model(batch, torch.tensor([10, 3, 7]))
    torch.testing.assert_close(together[1:2], alone, atol=1e-6, rtol=1e-5)
    # garbage in the padding positions must not matter either
    batch[1, 3:] = 42
    torch.testing.assert_close(model(batch, torch.tensor([10, 3, 7]))[1:2], alone, atol=1e-6, rtol=1e-5)


def test_attention_weights_are_a_distribution_over_real_tokens():
    model = untrained_net("gru", "attention", True)
    ids = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]])
    logits, weights = model.forward_with_weights(ids, torch.tensor([4, 2]))
    assert logits.shape == (2, 3) and weights.shape == (2, 4)
    torch.testing.assert_close(weights.sum(1), torch.ones(2))
    assert weights[1, 2:].abs().max() == 0
    torch.testing.assert_close(logits, model(ids, torch.tensor([4, 2])))


def test_mean_and_max_pooling_read_real_positions_only():
    states = torch.tensor([[[1.0, -5.0], [3.0, -1.0], [100.0, 100.0]]])  # the last position is padding
    mask = torch.tensor([[True, True, False]])
    assert mean_pool(states, mask).tolist() == [[2.0, -3.0]]
    assert max_pool(states, mask).tolist() == [[3.0, -1.0]]


def test_two_classes_use_one_logit():
    assert untrained_net(num_outputs=1)(torch.tensor([[1, 2]]), torch.tensor([2])).shape == (1, 1)


def test_subword_vectors_tell_unknown_words_apart_and_padding_stays_zero():
    torch.manual_seed(0)
    emb = TokenEmbedding(vocab_size=10, dim=4, subword_buckets=50)
    assert not emb.words.weight[0].any() and not emb.subwords.weight[0].any()
    # two unknown words (id 1 = <unk>) with different n-gram buckets, then a word without n-grams
    ids = torch.tensor([[[1, 5, 7, 0], [1, 9, 11, 13], [3, 0, 0, 0]]])
    vectors = emb(ids)
    assert vectors.shape == (1, 3, 4)
    assert not torch.allclose(vectors[0, 0], vectors[0, 1])
    torch.testing.assert_close(vectors[0, 0], emb.words.weight[1] + emb.subwords.weight[[5, 7]].mean(0))
    torch.testing.assert_close(vectors[0, 2], emb.words.weight[3])  # no n-grams: the word vector alone


def test_subword_classifier_keeps_padding_invariance():
    model = untrained_net("gru", "max", True, subword_buckets=40, max_subwords=3)
    short = torch.tensor([[[5, 1, 2, 0], [7, 3, 0, 0]]])
    alone = model(short, torch.tensor([2]))
    batch = torch.full((2, 4, 4), 9)  # garbage everywhere past each text's end
    batch[0] = torch.tensor([[4, 1, 0, 0], [6, 2, 3, 0], [8, 0, 0, 0], [2, 5, 0, 0]])
    batch[1, :2] = short[0]
    torch.testing.assert_close(model(batch, torch.tensor([4, 2]))[1:], alone, atol=1e-6, rtol=1e-5)


def test_count_parameters_skips_frozen_ones_unless_asked():
    model = untrained_net(embedding_dim=8, vocab_size=60)
    total = count_parameters(model)
    model.embedding.words.weight.requires_grad_(False)
    assert count_parameters(model) == total - 60 * 8
    assert count_parameters(model, trainable_only=False) == total
