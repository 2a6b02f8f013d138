"""The encoder-decoder with attention: the shared bidirectional encoder, an attentive recurrent decoder stepped one unit at a time."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from textrnn.config import Seq2SeqConfig
from textrnn.nn.attention import Attention
from textrnn.nn.encoder import CELL_CLASSES, RecurrentEncoder, State


@dataclass
class Memory:
    """What the decoder reads at every step, computed once per batch.

    Attributes:
        states: ``(batch, src_len, 2 * hidden) float32`` encoder states (zero at padding).
        mask: ``(batch, src_len) bool``, true at real source positions.
        keys: the attention's source-side projection of ``states`` (:meth:`Attention.prepare`), or ``None``.
        last: ``(batch, 2 * hidden) float32`` the encoder's final states (both directions).
    """

    states: torch.Tensor
    mask: torch.Tensor
    keys: torch.Tensor | None
    last: torch.Tensor

    def select(self, index: torch.Tensor) -> "Memory":
        """The rows ``index`` (``(n,) int64``), e.g. each source repeated once per beam."""
        keys = self.keys.index_select(0, index) if self.keys is not None else None
        return Memory(self.states.index_select(0, index), self.mask.index_select(0, index), keys,
                      self.last.index_select(0, index))


def select_state(state: State, index: torch.Tensor) -> State:
    """The decoder state's batch rows ``index`` (dim 1 of ``(layers, batch, size)``, both tensors of an LSTM)."""
    if isinstance(state, tuple):
        return tuple(s.index_select(1, index) for s in state)
    return state.index_select(1, index)


class Seq2SeqNet(nn.Module):
    """Encoder-decoder with attention (Bahdanau et al. 2015; Luong et al. 2015's decoder with input feeding).

    Step ``t`` of the decoder: ``x_t = [E(y_{t-1}); h~_{t-1}]`` (input feeding; without it
    ``E(y_{t-1})`` alone) -> recurrent cell -> state ``h_t`` -> attention over the encoder's
    states -> context ``c_t`` -> attentional state ``h~_t = tanh(W_c [c_t; h_t])`` -> logits
    ``W_o h~_t``. With ``attention="none"``, ``c_t`` is the encoder's final states at every step
    (Cho et al. 2014's fixed context), so both variants have the same sizes. The decoder starts
    from ``tanh(W_b last)`` of the encoder's final states.

    Args:
        config: :class:`~textrnn.config.Seq2SeqConfig`, validated here.
    """

    def __init__(self, config: Seq2SeqConfig) -> None:
        super().__init__()
        self.config = c = config.validate()
        size = c.features  # the decoder's state and attentional state have the encoder states' size
        self.source_embedding = nn.Embedding(c.source_vocab_size, c.embedding_dim, padding_idx=0)
        self.target_embedding = nn.Embedding(c.target_vocab_size, c.embedding_dim, padding_idx=0)
        self.drop = nn.Dropout(c.dropout)
        self.encoder = RecurrentEncoder(c.embedding_dim, c.hidden_size, c.num_layers, c.cell, bidirectional=True,
                                        dropout=c.dropout)
        self.bridge = nn.Linear(size, c.num_layers * size)
        feed = size if c.input_feeding else 0
        self.decoder = CELL_CLASSES[c.cell](c.embedding_dim + feed, size, num_layers=c.num_layers, batch_first=True,
                                            dropout=c.dropout if c.num_layers > 1 else 0.0)
        self.attention = Attention(c.attention, size, size, c.attention_size) if c.attention != "none" else None
        self.combine = nn.Linear(2 * size, size, bias=False)
        self.output = nn.Linear(size, c.target_vocab_size)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> Memory:
        """``source (batch, src_len) int64`` ids right-padded with 0 and ``lengths (batch,) int64``
        (CPU, each >= 1) -> :class:`Memory`."""
        out = self.encoder(self.drop(self.source_embedding(source)), lengths)
        states = out.states
        keys = self.attention.prepare(states) if self.attention is not None else None
        return Memory(states, out.mask, keys, out.last)

    def start(self, memory: Memory) -> tuple[State, torch.Tensor]:
        """The decoder's first state (:data:`~textrnn.nn.encoder.State`) and first fed attentional state (zeros)."""
        c = self.config
        batch = memory.last.shape[0]
        h = torch.tanh(self.bridge(memory.last)).view(batch, c.num_layers, -1).transpose(0, 1).contiguous()
        state: State = (h, torch.zeros_like(h)) if c.cell == "lstm" else h
        return state, memory.last.new_zeros(batch, c.features)

    def step(self, previous: torch.Tensor, state: State, fed: torch.Tensor,
             memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor, torch.Tensor | None]:
        """One decoder step.

        Args:
            previous: ``(batch,) int64`` the previous output unit (``<bos>`` first).
            state, fed: the decoder state and the previous attentional state ``(batch, 2 * hidden)``.
            memory: the encoded source.

        Returns:
            ``(logits (batch, target_vocab_size) float32, state, attentional state, weights
            (batch, src_len) float32 or None)``.
        """
        x = self.drop(self.target_embedding(previous))
        if self.config.input_feeding:
            x = torch.cat([x, fed], dim=1)
        out, state = self.decoder(x.unsqueeze(1), state)
        h = out.squeeze(1)
        if self.attention is not None:
            weights, context = self.attention(h, memory.keys, memory.states, memory.mask)
        else:
            weights, context = None, memory.last
        attentional = torch.tanh(self.combine(torch.cat([context, h], dim=1)))
        return self.output(self.drop(attentional)), state, attentional, weights

    def forward(self, source: torch.Tensor, lengths: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: the gold previous unit at every step.

        Args:
            source: ``(batch, src_len) int64``; lengths: ``(batch,) int64`` on the CPU.
            target_in: ``(batch, tgt_len) int64`` ``<bos>`` followed by the target (padding 0).

        Returns:
            ``(batch, tgt_len, target_vocab_size) float32`` logits of each next unit.
        """
        memory = self.encode(source, lengths)
        state, fed = self.start(memory)
        logits = []
        for t in range(target_in.shape[1]):
            step_logits, state, fed, _ = self.step(target_in[:, t], state, fed, memory)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)
