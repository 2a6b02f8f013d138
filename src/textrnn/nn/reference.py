"""One step of the vanilla RNN, LSTM and GRU cells in plain numpy, as in the lecture.

These are oracles for the tests: with the same weights, torch's ``nn.RNN``, ``nn.LSTM``
and ``nn.GRU`` must give the same outputs. The weight layout follows torch's documentation
(``weight_ih_l0`` stacks the gates row-wise: LSTM ``i, f, g, o``; GRU ``r, z, n``).

Shapes: ``x`` is ``(input_size,)``, ``h`` and ``c`` are ``(hidden_size,)``, all float64.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh) -> np.ndarray:
    """Elman RNN: h' = tanh(W_xh x + b_ih + W_hh h + b_hh) (Elman 1990)."""
    return np.tanh(w_ih @ x + b_ih + w_hh @ h + b_hh)


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh) -> tuple[np.ndarray, np.ndarray]:
    """LSTM (Hochreiter & Schmidhuber 1997, with a forget gate, Gers et al. 2000).

    i, f, o = σ(·); g = tanh(·); c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c'). Returns ``(h', c')``.
    """
    gates = w_ih @ x + b_ih + w_hh @ h + b_hh
    i, f, g, o = np.split(gates, 4)
    c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_new), c_new


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh) -> np.ndarray:
    """GRU (Cho et al. 2014), torch's variant with the reset gate applied after the hidden matmul.

    r, z = σ(·); n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 - z) ⊙ n + z ⊙ h.
    """
    xr, xz, xn = np.split(w_ih @ x + b_ih, 3)
    hr, hz, hn = np.split(w_hh @ h + b_hh, 3)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1.0 - z) * n + z * h
