"""Token embeddings: a word table plus, optionally, fastText-style character n-gram (subword) embeddings."""

from __future__ import annotations

import torch
from torch import nn


class TokenEmbedding(nn.Module):
    """Token vectors from ids, optionally enriched with subword vectors.

    A word's vector is its row of ``words`` plus, with ``subword_buckets``, the mean of the
    embeddings of its hashed character n-grams (Bojanowski et al. 2017, "Enriching Word Vectors
    with Subword Information"; ids from :func:`textrnn.data.subwords.add_subword_channels`), so
    a word outside the vocabulary still gets a vector from its n-grams.

    Args:
        vocab_size: rows of the word table.
        dim: embedding size.
        subword_buckets: 0 = words only; else rows of the n-gram table (bucket 0 = no n-gram).
        padding_idx: the word id whose row stays zero (``<pad>``), or ``None``.
    """

    def __init__(self, vocab_size: int, dim: int, subword_buckets: int = 0, padding_idx: int | None = 0) -> None:
        super().__init__()
        self.dim = dim
        self.words = nn.Embedding(vocab_size, dim, padding_idx=padding_idx)
        self.subwords = None
        if subword_buckets:
            self.subwords = nn.Embedding(subword_buckets + 1, dim, padding_idx=0)
            nn.init.normal_(self.subwords.weight, std=0.02)
            with torch.no_grad():
                self.subwords.weight[0].zero_()

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """``(batch, seq_len) int64`` word ids, or with subwords ``(batch, seq_len, 1 + k) int64``
        (channel 0 the word id, channels 1..k n-gram buckets, 0 = none) -> ``(batch, seq_len, dim) float32``."""
        if ids.dim() == 2:
            return self.words(ids)
        words, grams = ids[..., 0], ids[..., 1:]
        count = (grams != 0).sum(-1, keepdim=True).clamp_min(1).to(torch.float32)
        return self.words(words) + self.subwords(grams).sum(2) / count
