"""The encoder-decoder: masked attention, padding invariance, greedy and beam search checked against brute force."""

import itertools
import math

import pytest
import torch

from textrnn.config import Seq2SeqConfig
from textrnn.errors import TextrnnError
from textrnn.nn.attention import Attention
from textrnn.nn.decoding import beam_search, greedy_decode, length_penalty
from textrnn.nn.seq2seq import Seq2SeqNet

BOS, EOS = 2, 3


def make_net(attention="additive", cell="gru", vocab=7, seed=0, max_target_len=6):
    torch.manual_seed(seed)
    cfg = Seq2SeqConfig(source_vocab_size=9, target_vocab_size=vocab, embedding_dim=8, hidden_size=6,
                        attention_size=5, attention=attention, cell=cell, dropout=0.0, max_target_len=max_target_len)
    net = Seq2SeqNet(cfg).eval()
    with torch.no_grad():  # sharper distributions than the tiny init gives, so paths differ in score
        net.output.weight.mul_(6.0)
    return net


def batch(garbage=False):
    lengths = torch.tensor([5, 3, 1])
    src = torch.randint(2, 9, (3, 5), generator=torch.Generator().manual_seed(1))
    pad = torch.arange(5).unsqueeze(0) >= lengths.unsqueeze(1)
    return src.masked_fill(pad, 0 if not garbage else 0) if not garbage else torch.where(pad, 7, src), lengths


@pytest.mark.parametrize("score", ["additive", "dot", "general"])
def test_attention_is_zero_at_padding_and_sums_to_one(score):
    torch.manual_seed(0)
    att = Attention(score, 4, 4, 3)
    states = torch.randn(2, 5, 4)
    mask = torch.tensor([[True] * 5, [True, True, False, False, False]])
    weights, context = att(torch.randn(2, 4), att.prepare(states), states, mask)
    assert torch.allclose(weights.sum(1), torch.ones(2))
    assert torch.all(weights[1, 2:] == 0)
    assert torch.allclose(context[1], weights[1, :2] @ states[1, :2], atol=1e-6)


def test_dot_attention_needs_equal_sizes():
    with pytest.raises(TextrnnError, match="dot attention needs equal"):
        Attention("dot", 4, 6)


@pytest.mark.parametrize("attention,cell", [("additive", "gru"), ("dot", "lstm"), ("general", "gru"), ("none", "lstm"),
                                            ("additive", "rnn")])
def test_padding_never_changes_logits(attention, cell):
    net = make_net(attention, cell)
    clean, lengths = batch()
    dirty, _ = batch(garbage=True)
    target_in = torch.tensor([[BOS, 4, 5], [BOS, 5, 0], [BOS, 0, 0]])
    with torch.no_grad():
        a, b = net(clean, lengths, target_in), net(dirty, lengths, target_in)
    assert torch.allclose(a, b, atol=1e-6)
    # and a source decoded alone equals its row in the batch
    with torch.no_grad():
        alone = net(clean[1:2, :3], lengths[1:2], target_in[1:2])
    assert torch.allclose(alone, a[1:2], atol=1e-5)


def sequence_log_prob(net, src, length, units, ended=True):
    """log P(units [+ eos]) under teacher forcing, with padding and <bos> never produced (as decoding does)."""
    target = list(units) + ([EOS] if ended else [])
    target_in = torch.tensor([[BOS] + target[:-1]])
    with torch.no_grad():
        logits = net(src, torch.tensor([length]), target_in)[0]
    logits[:, 0] = float("-inf")
    logits[:, BOS] = float("-inf")
    lp = torch.log_softmax(logits, dim=1)
    return float(sum(lp[t, y] for t, y in enumerate(target)))


@pytest.mark.parametrize("attention", ["additive", "general", "none"])
def test_greedy_log_prob_equals_teacher_forced_score(attention):
    net = make_net(attention)
    with torch.no_grad():
        net.output.bias[EOS] += 3.0  # so that every output ends within the limit
    src, lengths = batch()
    found = greedy_decode(net, src, lengths, BOS, EOS, max_len=30, attention=True)
    for row, h in enumerate(found):
        n = int(lengths[row])
        assert len(h.ids) < 30  # ended with <eos>
        expected = sequence_log_prob(net, src[row:row + 1, :n], n, h.ids)
        assert h.log_prob == pytest.approx(expected, abs=1e-4)
        assert math.isfinite(h.log_prob)
        if attention != "none":
            assert h.attention.shape == (len(h.ids), n)


def test_beam_of_one_is_greedy():
    net = make_net()
    src, lengths = batch()
    greedy = greedy_decode(net, src, lengths, BOS, EOS, max_len=6)
    beam = beam_search(net, src, lengths, BOS, EOS, max_len=6, beam=1, alpha=0.0)
    assert [h.ids for h in greedy] == [b[0].ids for b in beam]
    assert [h.log_prob for h in greedy] == pytest.approx([b[0].log_prob for b in beam], abs=1e-5)


@pytest.mark.parametrize("alpha", [0.0, 0.6, 2.0])
def test_wide_beam_finds_the_best_sequence_by_brute_force(alpha):
    # target units: <unk>=1, <eos>=3, and ids 4, 5: every sequence of up to 3 units is enumerated
    net = make_net(vocab=6, max_target_len=3)
    src, lengths = batch()
    max_len = 3
    found = beam_search(net, src, lengths, BOS, EOS, max_len=max_len, beam=400, alpha=alpha, n_best=3)
    for row in range(3):
        n = int(lengths[row])
        s = src[row:row + 1, :n]
        scored = []
        for k in range(max_len + 1):
            for units in itertools.product([1, 4, 5], repeat=k):
                lp = sequence_log_prob(net, s, n, units)
                scored.append((lp / float(length_penalty(torch.tensor(k + 1), alpha)), list(units)))
        for units in itertools.product([1, 4, 5], repeat=max_len + 1):  # not ended within the limit
            lp = sequence_log_prob(net, s, n, units, ended=False)
            scored.append((lp / float(length_penalty(torch.tensor(max_len + 1), alpha)), list(units)[:max_len]))
        scored.sort(key=lambda x: -x[0])
        assert found[row][0].score == pytest.approx(scored[0][0], abs=1e-4)
        assert found[row][0].ids == scored[0][1]
        assert [h.score for h in found[row]] == pytest.approx([x[0] for x in scored[:3]], abs=1e-4)


def test_beam_attention_rows_follow_the_chosen_path():
    net = make_net()
    src, lengths = batch()
    found = beam_search(net, src, lengths, BOS, EOS, max_len=6, beam=3, attention=True)
    for row, hyps in enumerate(found):
        h = hyps[0]
        assert h.attention.shape == (len(h.ids), int(lengths[row]))
        if len(h.ids):
            assert torch.allclose(h.attention.sum(1), torch.ones(len(h.ids)), atol=1e-5)
