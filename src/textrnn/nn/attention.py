"""Attention over encoder states: additive (Bahdanau) and multiplicative (Luong dot, general) scores, masked.

A decoder state (the *query*) scores every source position (the *keys*: the encoder's states),
the scores become weights by a softmax over the real positions only, and the *context* is the
weighted sum of the states. The part of the score that depends on the source alone (``W_k s``)
is computed once per batch (:meth:`Attention.prepare`), not once per decoder step.

Sources: Bahdanau, Cho & Bengio (2015), "Neural Machine Translation by Jointly Learning to Align
and Translate" (additive, ``v^T tanh(W_q h + W_k s)``); Luong, Pham & Manning (2015), "Effective
Approaches to Attention-based Neural Machine Translation" (``dot``: ``h^T s``, ``general``: ``h^T W s``).
"""

from __future__ import annotations

import torch
from torch import nn

from textrnn.errors import TextrnnError

SCORES = ("additive", "dot", "general")


class Attention(nn.Module):
    """Masked attention of a query over a sequence of states.

    Args:
        score: ``"additive"``, ``"dot"`` or ``"general"``.
        query_size: size of the decoder state.
        key_size: size of each encoder state (``dot`` needs it equal to ``query_size``).
        attention_size: hidden size of the additive scorer.

    Raises:
        TextrnnError: an unknown score, or ``dot`` with sizes that differ.
    """

    def __init__(self, score: str, query_size: int, key_size: int, attention_size: int = 128) -> None:
        super().__init__()
        if score not in SCORES:
            raise TextrnnError(f"attention {score!r} is unknown; expected one of {', '.join(SCORES)}", param="attention")
        if score == "dot" and query_size != key_size:
            raise TextrnnError(f"dot attention needs equal query and key sizes, got {query_size} and {key_size}",
                               param="attention")
        self.score = score
        if score == "additive":
            self.query = nn.Linear(query_size, attention_size, bias=False)
            self.key = nn.Linear(key_size, attention_size)
            self.v = nn.Linear(attention_size, 1, bias=False)
        elif score == "general":
            self.key = nn.Linear(key_size, query_size, bias=False)

    def prepare(self, states: torch.Tensor) -> torch.Tensor:
        """The source-side part of the score, once per batch: ``(batch, src_len, key_size) float32`` ->
        ``(batch, src_len, attention_size)`` (additive), ``(batch, src_len, query_size)`` (general), or the states (dot)."""
        return states if self.score == "dot" else self.key(states)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, states: torch.Tensor,
                mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Weights and context for one decoder step.

        Args:
            query: ``(batch, query_size) float32`` decoder states.
            keys: what :meth:`prepare` returned for ``states``.
            states: ``(batch, src_len, key_size) float32`` encoder states.
            mask: ``(batch, src_len) bool``, true at real positions (at least one per row).

        Returns:
            ``(weights (batch, src_len) float32`` summing to 1 over real positions and 0 at padding,
            ``context (batch, key_size) float32)``.
        """
        if self.score == "additive":
            scores = self.v(torch.tanh(keys + self.query(query).unsqueeze(1))).squeeze(2)
        else:
            scores = torch.bmm(keys, query.unsqueeze(2)).squeeze(2)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
        return weights, torch.bmm(weights.unsqueeze(1), states).squeeze(1)
