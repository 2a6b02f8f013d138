"""Recurrent text classifiers: embedding -> RNN/LSTM/GRU -> pooling -> linear -> logits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from textrnn.errors import TextrnnError
from textrnn.pooling import POOLINGS, AdditiveAttention, max_pool, mean_pool

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


# fastText uses 2 M buckets; 10 M x 300-d float32 is already 12 GB of embeddings
MAX_SUBWORD_BUCKETS = 10_000_000


@dataclass
class ModelConfig:
    """Architecture of a :class:`RecurrentClassifier` (stored in ``config.json``).

    Attributes:
        cell: ``"rnn"`` (Elman, tanh), ``"lstm"`` or ``"gru"``.
        vocab_size: number of token ids, ``<pad>`` and ``<unk>`` included.
        num_outputs: 1 for binary classification (one logit), else the number of classes.
        embedding_dim: size of each token embedding.
        hidden_size: size of the hidden state of each direction.
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the output layer.
        embedding_dropout: dropout on the embeddings.
        bidirectional: run a backward net too and concatenate both.
        pooling: ``"last"``, ``"mean"``, ``"max"`` or ``"attention"`` (see :mod:`textrnn.pooling`).
        attention_size: hidden size of the attention scorer.
        subword_buckets: 0 = words only; else the number of hash buckets for character
            n-gram embeddings (fastText-style, see :mod:`textrnn.subwords`); the input ids
            are then ``(batch, seq_len, 1 + max_subwords)``.
        subword_min_n, subword_max_n: n-gram lengths (characters, word boundaries included).
        max_subwords: n-grams kept per word.
    """

    cell: str = "lstm"
    vocab_size: int = 2
    num_outputs: int = 1
    embedding_dim: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.0
    embedding_dropout: float = 0.0
    bidirectional: bool = False
    pooling: str = "last"
    attention_size: int = 64
    subword_buckets: int = 0
    subword_min_n: int = 3
    subword_max_n: int = 5
    max_subwords: int = 24

    def validate(self) -> "ModelConfig":
        """Raises :class:`TextrnnError` naming the first bad value."""
        if self.cell not in CELLS:
            raise TextrnnError(f"unknown model {self.cell!r}; expected one of {sorted(CELLS)}")
        if self.pooling not in POOLINGS:
            raise TextrnnError(f"unknown pooling {self.pooling!r}; expected one of {list(POOLINGS)}")
        if not 0 <= self.subword_buckets <= MAX_SUBWORD_BUCKETS:
            raise TextrnnError(
                f"subword-buckets must be between 0 (off) and {MAX_SUBWORD_BUCKETS:,}, got {self.subword_buckets}"
            )
        if not 1 <= self.subword_min_n <= self.subword_max_n or self.max_subwords < 1:
            raise TextrnnError(
                f"subword n-grams need 1 <= min_n <= max_n and max_subwords >= 1; got {self.subword_min_n}, "
                f"{self.subword_max_n}, {self.max_subwords}"
            )
        for name in ("vocab_size", "num_outputs", "embedding_dim", "hidden_size", "num_layers", "attention_size"):
            if getattr(self, name) < 1:
                raise TextrnnError(f"{name.replace('_', '-')} must be >= 1, got {getattr(self, name)}")
        for name in ("dropout", "embedding_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise TextrnnError(f"{name.replace('_', '-')} must be in [0, 1), got {getattr(self, name)}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TextrnnError(f"unknown model option(s) {unknown}; expected some of {sorted(known)}")
        return cls(**data).validate()


class RecurrentClassifier(nn.Module):
    """Embedding -> RNN / LSTM / GRU -> pooling over real tokens -> dropout -> linear.

    Padding never changes a prediction. A bidirectional net gets packed sequences
    (``pack_padded_sequence``), so its backward direction starts at each text's last real token;
    a unidirectional net may instead run over the padded batch as is (its output at step ``t``
    depends on tokens ``0..t`` only) with only real positions read, where that is faster
    (:meth:`runs_padded`). ``last`` pooling takes the forward state after the last real
    token (and, when bidirectional, the backward state after reading back to the first token);
    ``mean``, ``max`` and ``attention`` pool over real tokens only.

    Args:
        config: the architecture (:class:`ModelConfig`).
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config.validate()
        c = config
        self.embedding = nn.Embedding(c.vocab_size, c.embedding_dim, padding_idx=0)
        self.subword_embedding = None
        if c.subword_buckets:
            self.subword_embedding = nn.Embedding(c.subword_buckets + 1, c.embedding_dim, padding_idx=0)
            nn.init.normal_(self.subword_embedding.weight, std=0.02)
            with torch.no_grad():
                self.subword_embedding.weight[0].zero_()
        self.embedding_dropout = nn.Dropout(c.embedding_dropout)
        self.rnn = CELLS[c.cell](
            c.embedding_dim,
            c.hidden_size,
            num_layers=c.num_layers,
            batch_first=True,
            dropout=c.dropout if c.num_layers > 1 else 0.0,
            bidirectional=c.bidirectional,
        )
        features = c.hidden_size * (2 if c.bidirectional else 1)
        self.attention = AdditiveAttention(features, c.attention_size) if c.pooling == "attention" else None
        self.output_dropout = nn.Dropout(c.dropout)
        self.output = nn.Linear(features, c.num_outputs)

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Pooled text vectors.

        Args:
            ids: ``(batch, seq_len) int64`` token ids, right-padded with 0 (with subwords
                ``(batch, seq_len, 1 + max_subwords)``, see :meth:`embed`).
            lengths: ``(batch,) int64`` real lengths, each in ``[1, seq_len]``; on the CPU.

        Returns:
            ``(batch, features) float32`` pooled vectors, and the pooling weights
            ``(batch, seq_len) float32`` for attention (``None`` for other poolings).

        Raises:
            TextrnnError: a length outside ``[1, seq_len]``.
        """
        return self.encode_embedded(self.embed(ids), lengths)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Token vectors ``(batch, seq_len, embedding_dim) float32``.

        ``ids`` is ``(batch, seq_len) int64`` word ids, or with subwords
        ``(batch, seq_len, 1 + max_subwords) int64``: the word's embedding plus the mean of
        its n-gram embeddings (bucket 0 = no n-gram, excluded from the mean).
        """
        if ids.dim() == 2:
            return self.embedding(ids)
        words, grams = ids[..., 0], ids[..., 1:]
        count = (grams != 0).sum(-1, keepdim=True).clamp_min(1).to(torch.float32)
        return self.embedding(words) + self.subword_embedding(grams).sum(2) / count

    def runs_padded(self, device: torch.device) -> bool:
        """Whether :meth:`encode_embedded` runs the recurrent net over the padded batch (exact for
        a unidirectional net, see the class docstring) rather than over packed sequences.

        Chosen by measurement (benchmarks/RESULTS.md, "Unidirectional nets over the padded batch";
        ``benchmarks/throughput.py --padded-ab``): on CUDA packed input launches kernels per time
        step (187 vs 80 launches per training step for the lecture's LSTM; 12 % faster padded).
        On the CPU the padded path trains 7-12 % faster and predicts faster for a GRU or vanilla
        RNN, but a padded LSTM goes to oneDNN, which predicts 21 % slower: a CPU LSTM in eval mode
        stays packed.
        """
        if self.config.bidirectional:
            return False
        return device.type != "cpu" or self.config.cell != "lstm" or self.training

    def encode_embedded(self, embedded: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """:meth:`encode` from token embeddings ``(batch, seq_len, embedding_dim) float32``
        (used for gradient × input saliency)."""
        x = self.embedding_dropout(embedded)
        seq_len = embedded.shape[1]
        lengths = lengths.cpu()
        if len(lengths) and not 1 <= int(lengths.min()) <= int(lengths.max()) <= seq_len:
            raise TextrnnError(f"lengths must be in [1, {seq_len}] (the padded width), got "
                               f"{int(lengths.min())}..{int(lengths.max())}")
        if self.runs_padded(x.device):
            # a unidirectional net's output at step t depends on tokens 0..t only, so it can run
            # over the padded batch as is and read real positions only: the output at the last
            # real token, or pooling under the mask
            outputs, _ = self.rnn(x)
            lengths_dev = lengths.to(x.device, non_blocking=True)
            if self.config.pooling == "last":
                rows = torch.arange(outputs.shape[0], device=x.device)
                return outputs[rows, lengths_dev - 1], None
        else:
            # textrnn's batches come sorted longest first (bucketing): then packing needs no sort and,
            # on CUDA, no index copy to the device, and unpacking no copy back (each one a sync)
            ordered = bool((lengths[:-1] >= lengths[1:]).all())
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=ordered)
            out_packed, state = self.rnn(packed)
            if self.config.pooling == "last":  # the forward state at the last real token, the backward at the first
                h_n = state[0] if isinstance(state, tuple) else state  # (layers*dirs, B, H)
                if self.config.bidirectional:
                    return torch.cat([h_n[-2], h_n[-1]], dim=1), None
                return h_n[-1], None
            outputs, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=seq_len)
            lengths_dev = lengths.to(x.device, non_blocking=True)
        mask = torch.arange(seq_len, device=x.device).unsqueeze(0) < lengths_dev.unsqueeze(1)
        if self.config.pooling == "mean":
            return mean_pool(outputs, mask), None
        if self.config.pooling == "max":
            return max_pool(outputs, mask), None
        return self.attention(outputs, mask)

    def forward_with_weights(
        self, ids: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits ``(batch, num_outputs) float32`` and pooling weights (see :meth:`encode`)."""
        pooled, weights = self.encode(ids, lengths)
        return self.output(self.output_dropout(pooled)), weights

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, num_outputs) float32`` for ``ids (batch, seq_len) int64``."""
        return self.forward_with_weights(ids, lengths)[0]


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
