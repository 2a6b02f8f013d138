"""The character language model: embedding -> shared recurrent encoder (state carried) -> linear to the vocabulary."""

from __future__ import annotations

import torch
from torch import nn

from textrnn.config import CharLMConfig
from textrnn.nn.embedding import TokenEmbedding
from textrnn.nn.encoder import RecurrentEncoder, State


class CharLM(nn.Module):
    """Character-level recurrent language model (Karpathy 2015, char-rnn).

    ``x (batch, seq_len) int64`` -> embedding ``(batch, seq_len, embedding_dim)`` -> dropout ->
    a unidirectional :class:`RecurrentEncoder` over the whole window (one fused cuDNN / oneDNN
    call), its state carried in and out -> dropout -> linear -> ``(batch, seq_len, vocab_size)``
    logits of the next character. With ``tie_weights`` the output layer shares the embedding
    matrix (Press & Wolf 2017, "Using the Output Embedding to Improve Language Models").

    Args:
        config: the architecture (:class:`~textrnn.config.CharLMConfig`), validated here.
    """

    def __init__(self, config: CharLMConfig) -> None:
        super().__init__()
        self.config = c = config.validate()
        self.embedding = TokenEmbedding(c.vocab_size, c.embedding_dim, padding_idx=None)
        self.drop = nn.Dropout(c.dropout)
        self.encoder = RecurrentEncoder(c.embedding_dim, c.hidden_size, c.num_layers, c.cell, dropout=c.dropout)
        self.output = nn.Linear(c.hidden_size, c.vocab_size)
        if c.tie_weights:
            self.output.weight = self.embedding.words.weight

    @property
    def tied(self) -> bool:
        return self.output.weight is self.embedding.words.weight

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """Next-character logits ``(batch, seq_len, vocab_size) float32`` and the new state.

        Args:
            x: ``(batch, seq_len) int64`` character ids.
            state: the previous state (:data:`~textrnn.nn.encoder.State`) or ``None`` (zeros).
        """
        out = self.encoder(self.drop(self.embedding(x)), None, state)  # states (B, T, hidden)
        return self.output(self.drop(out.states)), out.state
