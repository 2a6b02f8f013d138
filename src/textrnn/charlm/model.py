"""The character language model: embedding -> RNN/LSTM/GRU -> linear to the vocabulary."""

from __future__ import annotations

from typing import Union

import torch
from torch import nn

from textrnn.errors import TextrnnError

State = Union[torch.Tensor, tuple[torch.Tensor, torch.Tensor], None]
CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class CharLM(nn.Module):
    """Character-level recurrent language model (Karpathy 2015, char-rnn).

    ``x`` ``(batch, seq_len) int64`` -> embedding ``(batch, seq_len, embed_dim)`` ->
    dropout -> ``num_layers`` of ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (``batch_first``, with
    dropout between layers; the whole sequence goes through the fused cuDNN/oneDNN
    kernel) -> dropout -> linear ``(batch, seq_len, vocab_size) float32`` logits.

    With ``tie_weights`` the output layer shares the embedding matrix (Press & Wolf 2017,
    "Using the Output Embedding to Improve Language Models"; Inan et al. 2017); this needs
    ``embed_dim == hidden_size``.

    Args:
        vocab_size: number of symbols, specials included.
        embed_dim: character embedding size.
        hidden_size: recurrent state size per layer.
        num_layers: stacked recurrent layers.
        cell: ``"rnn"`` (tanh Elman), ``"lstm"`` or ``"gru"``.
        dropout: dropout probability on the embeddings, between layers and before the output.
        tie_weights: share the embedding and output matrices.

    Raises:
        TextrnnError: an unknown ``cell``, a non-positive size, ``dropout`` outside
            ``[0, 1)``, or ``tie_weights`` with ``embed_dim != hidden_size``.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 64,
        hidden_size: int = 256,
        num_layers: int = 1,
        cell: str = "gru",
        dropout: float = 0.0,
        tie_weights: bool = False,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise TextrnnError(f"unknown model {cell!r}, expected one of rnn, lstm, gru")
        for name, v in (("vocab size", vocab_size), ("embedding size", embed_dim),
                        ("hidden size", hidden_size), ("number of layers", num_layers)):
            if v < 1:
                raise TextrnnError(f"{name} must be >= 1, got {v}")
        if not 0.0 <= dropout < 1.0:
            raise TextrnnError(f"dropout must be in [0, 1), got {dropout}")
        if tie_weights and embed_dim != hidden_size:
            raise TextrnnError(
                f"weight tying needs embedding size == hidden size, got {embed_dim} and {hidden_size}"
            )
        self.cell = cell
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.drop = nn.Dropout(dropout)
        self.rnn = CELLS[cell](
            embed_dim, hidden_size, num_layers, batch_first=True, dropout=dropout if num_layers > 1 else 0.0
        )
        self.output = nn.Linear(hidden_size, vocab_size)
        if tie_weights:
            self.output.weight = self.embedding.weight

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """Run the model over a batch of character ids.

        Args:
            x: ``(batch, seq_len) int64`` character ids.
            state: the previous recurrent state or ``None`` (zeros): ``(num_layers, batch,
                hidden_size) float32``, a pair of them ``(h, c)`` for LSTM.

        Returns:
            ``(logits, state)``: ``(batch, seq_len, vocab_size) float32`` unnormalised
            log-probabilities of the next character, and the new state (same shape as ``state``).
        """
        h, state = self.rnn(self.drop(self.embedding(x)), state)
        return self.output(self.drop(h)), state


def detach_state(state: State) -> State:
    """Cut the autograd history of a recurrent state (truncated BPTT); ``None`` stays ``None``."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def n_parameters(model: nn.Module) -> int:
    """Number of distinct trainable parameters (a tied matrix counts once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
