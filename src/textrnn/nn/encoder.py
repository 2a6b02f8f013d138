"""The shared recurrent encoder: token vectors in, per-token states with their mask and the final state out."""

from __future__ import annotations

from functools import cached_property
from typing import Union

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from textrnn.errors import TextrnnError

CELL_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
#: ``(num_layers * directions, batch, hidden) float32``, or its ``(h, c)`` pair for an LSTM, or ``None`` (zeros)
State = Union[torch.Tensor, tuple[torch.Tensor, torch.Tensor], None]


def detach_state(state: State) -> State:
    """Cut the autograd history of a recurrent state (truncated BPTT); ``None`` stays ``None``."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


class EncoderOutput:
    """What :class:`RecurrentEncoder` returns; parts are computed when first read.

    Attributes:
        states: ``(batch, seq_len, directions * hidden) float32`` top-layer states; at padding they are
            zero (packed path) or undefined (padded path): read them through ``mask``.
        mask: ``(batch, seq_len) bool``, true at real tokens.
        last: ``(batch, directions * hidden) float32``: the forward state after each text's last
            real token (and the backward state after reading back to its first token).
        state: the final recurrent state of every layer, as ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``
            return it (:data:`State`); after padding on the padded path, so only meaningful there
            when every sequence fills the width (a char LM's stream).
    """

    def __init__(self, outputs: torch.Tensor | PackedSequence, lengths: torch.Tensor | None, seq_len: int,
                 state: State, bidirectional: bool) -> None:
        self._outputs = outputs
        self._lengths = lengths
        self._seq_len = seq_len
        self.state = state
        self._bidirectional = bidirectional

    @cached_property
    def states(self) -> torch.Tensor:
        if isinstance(self._outputs, PackedSequence):
            return pad_packed_sequence(self._outputs, batch_first=True, total_length=self._seq_len)[0]
        return self._outputs

    @cached_property
    def _lengths_on_device(self) -> torch.Tensor:
        return self._lengths.to(self.device, non_blocking=True)

    @property
    def device(self) -> torch.device:
        out = self._outputs.data if isinstance(self._outputs, PackedSequence) else self._outputs
        return out.device

    @cached_property
    def mask(self) -> torch.Tensor:
        if self._lengths is None:
            batch = self.states.shape[0]
            return torch.ones((batch, self._seq_len), dtype=torch.bool, device=self.device)
        return torch.arange(self._seq_len, device=self.device).unsqueeze(0) < self._lengths_on_device.unsqueeze(1)

    @cached_property
    def last(self) -> torch.Tensor:
        if isinstance(self._outputs, PackedSequence):  # packed: the final states are the ones after real tokens
            h_n = self.state[0] if isinstance(self.state, tuple) else self.state  # (layers*dirs, B, H)
            return torch.cat([h_n[-2], h_n[-1]], dim=1) if self._bidirectional else h_n[-1]
        states = self.states  # padded (unidirectional): the output at each text's last real position
        if self._lengths is None:
            return states[:, -1]
        rows = torch.arange(states.shape[0], device=states.device)
        return states[rows, self._lengths_on_device - 1]


class RecurrentEncoder(nn.Module):
    """An RNN / LSTM / GRU over token vectors that ignores padding, shared by every task.

    A bidirectional net gets packed sequences (``pack_padded_sequence``), so its backward
    direction starts at each text's last real token. A unidirectional net may instead run over
    the padded batch as is — its output at step ``t`` depends on tokens ``0..t`` only — with only
    real positions read afterwards, where that is faster (:meth:`runs_padded`). Either way the
    states at real positions do not depend on the padding.

    Args:
        input_size: size of each input vector.
        hidden_size: state size per direction.
        num_layers: stacked layers.
        cell: ``"rnn"`` (tanh), ``"lstm"`` or ``"gru"``.
        bidirectional: also run backwards and concatenate.
        dropout: between stacked layers (torch's ``dropout`` argument).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, cell: str = "gru",
                 bidirectional: bool = False, dropout: float = 0.0) -> None:
        super().__init__()
        if cell not in CELL_CLASSES:
            raise TextrnnError(f"unknown cell {cell!r}; expected one of {', '.join(CELL_CLASSES)}", param="cell")
        self.cell = cell
        self.bidirectional = bidirectional
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.rnn = CELL_CLASSES[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True,
                                      dropout=dropout if num_layers > 1 else 0.0, bidirectional=bidirectional)

    @property
    def features(self) -> int:
        """Size of each output state: ``directions * hidden_size``."""
        return self.hidden_size * (2 if self.bidirectional else 1)

    def runs_padded(self, device: torch.device) -> bool:
        """Whether texts of different lengths run over the padded batch (exact for a unidirectional
        net, see the class docstring) rather than as packed sequences.

        Chosen by measurement (benchmarks/RESULTS.md, "Unidirectional nets over the padded batch"):
        on CUDA packed input launches kernels per time step (187 vs 80 launches per training step
        for the lecture's LSTM; 12 % faster padded). On the CPU the padded path trains 7-12 % faster
        and predicts faster for a GRU or vanilla RNN, but a padded LSTM goes to oneDNN, which
        predicts 21 % slower: a CPU LSTM in eval mode stays packed.
        """
        if self.bidirectional:
            return False
        return device.type != "cpu" or self.cell != "lstm" or self.training

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None, state: State = None) -> EncoderOutput:
        """Encode a batch.

        Args:
            x: ``(batch, seq_len, input_size) float32``, right-padded.
            lengths: ``(batch,) int64`` real lengths on the CPU, each in ``[1, seq_len]``; ``None``
                = every position is real (a char LM's windows).
            state: initial state (:data:`State`) or ``None`` for zeros; only with ``lengths=None``
                or on the padded path.

        Raises:
            TextrnnError: a length outside ``[1, seq_len]``.
        """
        seq_len = x.shape[1]
        if lengths is None:
            outputs, state = self.rnn(x, state)
            return EncoderOutput(outputs, None, seq_len, state, self.bidirectional)
        lengths = lengths.cpu()
        if len(lengths) and not 1 <= int(lengths.min()) <= int(lengths.max()) <= seq_len:
            raise TextrnnError(f"lengths must be in [1, {seq_len}] (the padded width), got "
                               f"{int(lengths.min())}..{int(lengths.max())}")
        if self.runs_padded(x.device):
            outputs, state = self.rnn(x, state)
            return EncoderOutput(outputs, lengths, seq_len, state, self.bidirectional)
        # textrnn's batches come sorted longest first (bucketing): then packing needs no sort and,
        # on CUDA, no index copy to the device, and unpacking no copy back (each one a sync)
        ordered = bool((lengths[:-1] >= lengths[1:]).all())
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=ordered)
        out_packed, state = self.rnn(packed, state)
        return EncoderOutput(out_packed, lengths, seq_len, state, self.bidirectional)
