"""The shared RecurrentEncoder: packed or padded, every text's states equal the text run alone; lengths are checked."""

import itertools

import pytest
import torch

from tests.conftest import untrained_net
from textrnn.config import CELLS, POOLINGS
from textrnn.errors import TextrnnError
from textrnn.nn import RecurrentEncoder


def batch_of(lengths, vocab_size=60):
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, vocab_size, (len(lengths), max(lengths)), generator=g)
    for row, n in enumerate(lengths):
        ids[row, n:] = 0
    return ids, torch.tensor(lengths)


@pytest.mark.parametrize("padded", [True, False])
@pytest.mark.parametrize("cell,pooling", list(itertools.product(CELLS, ["last", "mean", "max"])))
def test_unidirectional_paths_equal_each_text_run_alone(cell, pooling, padded, monkeypatch):
    # a unidirectional net runs over the padded batch or packed sequences (runs_padded); either
    # way every row must equal the text run on its own through the recurrent module
    model = untrained_net(cell, pooling, False)
    monkeypatch.setattr(model.encoder, "runs_padded", lambda device: padded)
    lengths = torch.tensor([6, 2, 4, 1])
    ids = torch.full((4, 6), 33)  # garbage padding
    for row, n in enumerate(lengths.tolist()):
        ids[row, :n] = torch.arange(1, n + 1) + 5 * row
    pooled, weights = model.pool(model.embedding(ids), lengths)
    assert weights is None
    for row, n in enumerate(lengths.tolist()):
        out, _ = model.encoder.rnn(model.embedding(ids[row : row + 1, :n]))  # (1, n, H)
        expected = {"last": out[0, -1], "mean": out[0].mean(0), "max": out[0].max(0).values}[pooling]
        torch.testing.assert_close(pooled[row], expected, atol=1e-6, rtol=1e-5)
    states = model.encoder(model.embedding(ids), lengths).states
    if not padded:  # the packed path leaves zeros at padding
        assert all(not states[row, n:].any() for row, n in enumerate(lengths.tolist()))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lengths_outside_the_padded_width_are_an_error(bidirectional):
    model = untrained_net("gru", "max", bidirectional)
    ids = torch.tensor([[4, 7, 2], [5, 0, 0]])
    for bad in ([3, 0], [4, 1]):
        with pytest.raises(TextrnnError, match=r"lengths must be in \[1, 3\] \(the padded width\)"):
            model(ids, torch.tensor(bad))


def test_which_nets_run_padded():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    nets = {c: untrained_net(c, "max", False).encoder for c in CELLS}
    assert [nets[c].runs_padded(cpu) for c in CELLS] == [True, False, True]  # eval: a CPU LSTM stays packed
    assert [nets[c].train().runs_padded(cpu) for c in CELLS] == [True, True, True]
    assert [nets[c].eval().runs_padded(cuda) for c in CELLS] == [True, True, True]
    assert not any(untrained_net(c, "max", True).encoder.runs_padded(d) for c in CELLS for d in (cpu, cuda))


@pytest.mark.parametrize("cell", CELLS)
def test_last_state_of_a_bidirectional_net_is_forward_after_the_last_token_and_backward_after_the_first(cell):
    model = untrained_net(cell, "last", True, num_layers=1)
    ids, lengths = torch.tensor([[4, 7, 2, 0, 0]]), torch.tensor([3])
    pooled, _ = model.pool(model.embedding(ids), lengths)
    out, _ = model.encoder.rnn(model.embedding(ids[:, :3]))  # unpadded run, (1, 3, 2H)
    h = model.config.hidden_size
    torch.testing.assert_close(pooled[0, :h], out[0, 2, :h])  # forward state after the last real token
    torch.testing.assert_close(pooled[0, h:], out[0, 0, h:])  # backward state after reading back to token 0


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_sorted_batch_equals_the_same_texts_in_any_order(pooling, bidirectional):
    model = untrained_net("lstm", pooling, bidirectional)
    ids, lengths = batch_of([9, 7, 7, 4, 1])  # sorted: packed without a sort
    perm = torch.tensor([3, 0, 4, 2, 1])  # unsorted: packed with enforce_sorted=False
    sorted_logits = model(ids, lengths)
    shuffled_logits = model(ids[perm], lengths[perm])
    torch.testing.assert_close(shuffled_logits, sorted_logits[perm], atol=1e-6, rtol=1e-5)


def test_the_mask_marks_real_tokens_only():
    encoder = RecurrentEncoder(4, 3, cell="gru", bidirectional=True)
    out = encoder(torch.randn(3, 5, 4), torch.tensor([5, 2, 1]))
    assert out.mask.tolist() == [[True] * 5, [True, True, False, False, False], [True, False, False, False, False]]
    assert out.states.shape == (3, 5, 6) and out.last.shape == (3, 6)
    assert encoder(torch.randn(2, 4, 4)).mask.all()  # no lengths: every position is real


@pytest.mark.parametrize("cell", CELLS)
def test_a_carried_state_continues_the_sequence(cell):
    # a char LM runs windows with lengths=None and carries the state: two halves equal one run
    torch.manual_seed(0)
    encoder = RecurrentEncoder(4, 5, num_layers=2, cell=cell).eval()
    x = torch.randn(2, 8, 4)
    whole = encoder(x)
    first = encoder(x[:, :5])
    second = encoder(x[:, 5:], None, first.state)
    torch.testing.assert_close(torch.cat([first.states, second.states], 1), whole.states, atol=1e-6, rtol=1e-5)
    h = whole.state[0] if cell == "lstm" else whole.state
    assert h.shape == (2, 2, 5)


def test_an_unknown_cell_names_the_parameter():
    with pytest.raises(TextrnnError, match="unknown cell 'cnn'; expected one of rnn, lstm, gru") as e:
        RecurrentEncoder(4, 3, cell="cnn")
    assert e.value.param == "cell"
