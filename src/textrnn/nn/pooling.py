"""Pooling: per-token encoder states -> one vector per text, over real tokens only.

Every pooling reads an :class:`~textrnn.nn.encoder.EncoderOutput` and returns the pooled vector
``(batch, features)`` and weights ``(batch, seq_len)`` (attention; ``None`` otherwise). Padding
never contributes, so a text gets the same vector alone or in a batch with longer texts.
"""

from __future__ import annotations

import torch
from torch import nn

from textrnn.nn.encoder import EncoderOutput


def mean_pool(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over real tokens. ``(B, T, F), (B, T) bool -> (B, F)``."""
    m = mask.unsqueeze(-1).to(states.dtype)
    return (states * m).sum(1) / m.sum(1).clamp_min(1.0)


def max_pool(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Element-wise max over real tokens. ``(B, T, F), (B, T) bool -> (B, F)``."""
    return states.masked_fill(~mask.unsqueeze(-1), float("-inf")).max(1).values


class LastPooling(nn.Module):
    """The state after the last real token (forward) and after the first (backward), concatenated."""

    def forward(self, out: EncoderOutput) -> tuple[torch.Tensor, None]:
        return out.last, None


class MeanPooling(nn.Module):
    """Mean of the states at real tokens."""

    def forward(self, out: EncoderOutput) -> tuple[torch.Tensor, None]:
        return mean_pool(out.states, out.mask), None


class MaxPooling(nn.Module):
    """Element-wise maximum of the states at real tokens."""

    def forward(self, out: EncoderOutput) -> tuple[torch.Tensor, None]:
        return max_pool(out.states, out.mask), None


class AttentionPooling(nn.Module):
    """Additive (Bahdanau) attention pooling with a learned query, masked to real tokens.

    score_t = vᵀ tanh(W h_t + b); weights = softmax over real tokens; output Σ_t w_t h_t.
    Sources: Bahdanau, Cho, Bengio 2015 (additive scoring); Yang et al. 2016, "Hierarchical
    Attention Networks for Document Classification" (a learned context vector for pooling).

    Args:
        features: size of each encoder state.
        attention_size: size of the hidden scoring layer.
    """

    def __init__(self, features: int, attention_size: int = 64) -> None:
        super().__init__()
        self.proj = nn.Linear(features, attention_size)
        self.context = nn.Linear(attention_size, 1, bias=False)

    def forward(self, out: EncoderOutput) -> tuple[torch.Tensor, torch.Tensor]:
        """-> pooled ``(B, F)``, weights ``(B, T)`` (sum to 1 per row, 0 at padding)."""
        states, mask = out.states, out.mask
        scores = self.context(torch.tanh(self.proj(states))).squeeze(-1)  # (B, T)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


def make_pooling(name: str, features: int, attention_size: int = 64) -> nn.Module:
    """The pooling module called ``name`` (``last``, ``mean``, ``max``, ``attention``)."""
    if name == "attention":
        return AttentionPooling(features, attention_size)
    return {"last": LastPooling, "mean": MeanPooling, "max": MaxPooling}[name]()
