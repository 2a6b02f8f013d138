"""The CharLM network: next-character logits for every position, the state of every layer, weight tying."""

import pytest
import torch

from textrnn.config import CELLS, CharLMConfig
from textrnn.errors import TextrnnError
from textrnn.nn import CharLM, count_parameters


@pytest.mark.parametrize("cell", CELLS)
def test_logits_for_every_position_and_the_state_of_every_layer(cell):
    m = CharLM(CharLMConfig(cell=cell, vocab_size=10, embedding_dim=8, hidden_size=16, num_layers=2, dropout=0.1))
    logits, state = m(torch.zeros(3, 5, dtype=torch.int64))
    assert logits.shape == (3, 5, 10) and logits.dtype == torch.float32
    h = state[0] if cell == "lstm" else state
    assert h.shape == (2, 3, 16)
    assert isinstance(state, tuple) == (cell == "lstm")


def test_tied_weights_share_one_matrix_counted_once():
    tied = CharLM(CharLMConfig(vocab_size=10, embedding_dim=16, hidden_size=16, tie_weights=True))
    untied = CharLM(CharLMConfig(vocab_size=10, embedding_dim=16, hidden_size=16))
    assert tied.tied and tied.output.weight is tied.embedding.words.weight and not untied.tied
    assert count_parameters(untied) - count_parameters(tied) == 10 * 16


def test_the_embedding_has_no_padding_row():
    # a char LM's <pad> is an ordinary input symbol: its row is learned, not held at zero
    m = CharLM(CharLMConfig(vocab_size=10, embedding_dim=4, hidden_size=4))
    assert m.embedding.words.padding_idx is None and m.embedding.words.weight[0].abs().sum() > 0


@pytest.mark.parametrize("config, message", [
    (CharLMConfig(vocab_size=10, embedding_dim=8, hidden_size=16, tie_weights=True),
     "tie_weights needs embedding_dim == hidden_size, got 8 and 16"),
    (CharLMConfig(vocab_size=10, cell="transformer"), "cell='transformer' is unknown; expected one of rnn, lstm, gru"),
])
def test_a_bad_architecture_is_refused_before_anything_is_built(config, message):
    with pytest.raises(TextrnnError, match=message):
        CharLM(config)
