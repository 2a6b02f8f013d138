"""torch's recurrent modules agree with the lecture's formulas (numpy oracle) within 1e-5."""

import numpy as np
import pytest
import torch

from textrnn.nn import CELL_CLASSES
from textrnn.nn.reference import gru_step, lstm_step, rnn_step


def weights(module):
    return [getattr(module, n).detach().double().numpy() for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_torch_cells_match_the_numpy_formulas_over_a_sequence(cell):
    torch.manual_seed(3)
    module = CELL_CLASSES[cell](5, 4, batch_first=True)  # the classes textrnn builds its nets from
    x = torch.randn(1, 6, 5)
    out, _ = module(x)
    w = weights(module)
    h, c = np.zeros(4), np.zeros(4)
    for t in range(6):
        xt = x[0, t].double().numpy()
        if cell == "rnn":
            h = rnn_step(xt, h, *w)
        elif cell == "lstm":
            h, c = lstm_step(xt, h, c, *w)
        else:
            h = gru_step(xt, h, *w)
        np.testing.assert_allclose(out[0, t].detach().double().numpy(), h, atol=1e-5)


def test_rnn_step_matches_a_hand_computed_value():
    # h = tanh(W_hh h + W_xh x + b) with 1-d states: tanh(0.5*1 + 2*0.25 + 0) = tanh(1.0)
    h = rnn_step(np.array([0.25]), np.array([1.0]), np.array([[2.0]]), np.array([[0.5]]), np.zeros(1), np.zeros(1))
    assert h[0] == pytest.approx(np.tanh(1.0))
