"""Pooling: turn per-token encoder outputs into one vector per text, over real tokens only.

Every pooling takes the encoder outputs ``(batch, seq_len, features) float32`` and a
mask ``(batch, seq_len) bool`` that is true at real tokens, and returns the pooled
vector ``(batch, features)`` plus weights ``(batch, seq_len)`` (for attention; ``None``
otherwise). Padding positions never contribute, so a text gets the same vector alone
or in a batch with longer texts.
"""

from __future__ import annotations

import torch
from torch import nn

POOLINGS = ("last", "mean", "max", "attention")


def mean_pool(outputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over real tokens. ``(B, T, F), (B, T) bool -> (B, F)``."""
    m = mask.unsqueeze(-1).to(outputs.dtype)
    return (outputs * m).sum(1) / m.sum(1).clamp_min(1.0)


def max_pool(outputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Element-wise max over real tokens. ``(B, T, F), (B, T) bool -> (B, F)``."""
    return outputs.masked_fill(~mask.unsqueeze(-1), float("-inf")).max(1).values


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention pooling with a learned query, masked to real tokens.

    score_t = vᵀ tanh(W h_t + b); weights = softmax over real tokens; output Σ_t w_t h_t.
    Sources: Bahdanau, Cho, Bengio 2015 (additive scoring); Yang et al. 2016,
    "Hierarchical Attention Networks for Document Classification" (a learned context
    vector for pooling a sequence into one vector).

    Args:
        features: size of each encoder output vector.
        attention_size: size of the hidden scoring layer.
    """

    def __init__(self, features: int, attention_size: int = 64) -> None:
        super().__init__()
        self.proj = nn.Linear(features, attention_size)
        self.context = nn.Linear(attention_size, 1, bias=False)

    def forward(self, outputs: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, F), (B, T) bool -> pooled (B, F), weights (B, T)`` (weights sum to 1 per row, 0 at padding)."""
        scores = self.context(torch.tanh(self.proj(outputs))).squeeze(-1)
        scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        return torch.bmm(weights.unsqueeze(1), outputs).squeeze(1), weights
