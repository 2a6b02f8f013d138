"""The recurrent text classifier: embedding -> shared recurrent encoder -> pooling -> dropout -> linear -> logits."""

from __future__ import annotations

import torch
from torch import nn

from textrnn.config import ModelConfig
from textrnn.nn.embedding import TokenEmbedding
from textrnn.nn.encoder import RecurrentEncoder
from textrnn.nn.pooling import make_pooling


class RecurrentClassifier(nn.Module):
    """Embedding (+ subwords) -> dropout -> :class:`RecurrentEncoder` -> pooling over real tokens
    -> dropout -> linear.

    Padding never changes a prediction (see :class:`~textrnn.nn.encoder.RecurrentEncoder` and
    :mod:`textrnn.nn.pooling`). Two classes use one logit (``binary_cross_entropy_with_logits``),
    more use one logit per class (``cross_entropy``).

    Args:
        config: the architecture (:class:`~textrnn.config.ModelConfig`), validated here.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = c = config.validate()
        self.embedding = TokenEmbedding(c.vocab_size, c.embedding_dim, c.subword_buckets, padding_idx=0)
        self.embedding_dropout = nn.Dropout(c.embedding_dropout)
        self.encoder = RecurrentEncoder(c.embedding_dim, c.hidden_size, c.num_layers, c.cell, c.bidirectional, c.dropout)
        self.pooling = make_pooling(c.pooling, c.features, c.attention_size)
        self.output_dropout = nn.Dropout(c.dropout)
        self.output = nn.Linear(c.features, c.num_outputs)

    def pool(self, embedded: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Pooled text vectors from token vectors.

        Args:
            embedded: ``(batch, seq_len, embedding_dim) float32`` (:attr:`embedding` output; gradient
                × input saliency differentiates with respect to it).
            lengths: ``(batch,) int64`` real lengths, each in ``[1, seq_len]``, on the CPU.

        Returns:
            ``(batch, features) float32`` vectors and the attention weights ``(batch, seq_len)``
            (``None`` for other poolings).
        """
        out = self.encoder(self.embedding_dropout(embedded), lengths)  # states (B, T, features)
        return self.pooling(out)

    def forward_with_weights(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits ``(batch, num_outputs) float32`` and the pooling weights (see :meth:`pool`)."""
        pooled, weights = self.pool(self.embedding(ids), lengths)
        return self.output(self.output_dropout(pooled)), weights

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, num_outputs) float32``.

        Args:
            ids: ``(batch, seq_len) int64`` token ids right-padded with 0, or with subwords
                ``(batch, seq_len, 1 + max_subwords) int64``.
            lengths: ``(batch,) int64`` real lengths on the CPU.
        """
        return self.forward_with_weights(ids, lengths)[0]
