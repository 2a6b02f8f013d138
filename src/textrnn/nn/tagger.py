"""The token tagger: word embedding + character features + word features -> shared bidirectional
encoder -> per-token emissions -> softmax or a linear-chain CRF."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from textrnn.config import TaggerConfig
from textrnn.nn.crf import CRF
from textrnn.nn.encoder import RecurrentEncoder


class CharCNN(nn.Module):
    """One vector per word from its characters: embeddings -> a 1-d convolution -> max over the
    word's real characters (Ma & Hovy 2016, "End-to-end Sequence Labeling via Bi-directional
    LSTM-CNNs-CRF"). ``(batch, seq_len, max_word_len) int64`` (0 = padding) -> ``(batch, seq_len, filters)``."""

    def __init__(self, num_chars: int, dim: int, filters: int, kernel: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_chars, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, filters, kernel, padding=kernel // 2)
        self.features = filters

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        b, t, w = chars.shape
        x = self.embedding(chars.reshape(b * t, w)).transpose(1, 2)  # (B*T, dim, W)
        h = self.conv(x)[:, :, :w]  # an even kernel pads one column more
        h = h.masked_fill((chars.reshape(b * t, 1, w) == 0), -1e4).amax(2)
        return h.clamp_min(-1e3).reshape(b, t, -1) * (chars[:, :, :1] != 0)  # padding words: zeros


class CharLSTM(nn.Module):
    """One vector per word: a character BiLSTM's final states, forward and backward (Lample et al.
    2016). Only real words run; ``(batch, seq_len, max_word_len) int64`` -> ``(batch, seq_len, 2 * hidden)``."""

    def __init__(self, num_chars: int, dim: int, hidden: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_chars, dim, padding_idx=0)
        self.encoder = RecurrentEncoder(dim, hidden, 1, "lstm", bidirectional=True)
        self.features = 2 * hidden

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        b, t, w = chars.shape
        flat = chars.reshape(b * t, w)
        lengths = (flat != 0).sum(1)
        real = lengths > 0
        out = torch.zeros(b * t, self.features, device=chars.device)
        if bool(real.any()):
            words = flat[real]
            out[real] = self.encoder(self.embedding(words), lengths[real].cpu()).last
        return out.reshape(b, t, -1)


class SequenceTaggerNet(nn.Module):
    """Per-token tag scores for sentences.

    Inputs (one batch, sentences right-padded, real tokens first):
        words: ``(batch, seq_len) int64`` word ids (0 = ``<pad>``, 1 = ``<unk>``);
        chars: ``(batch, seq_len, max_word_len) int64`` character ids (0 = padding), or ``None``
            when ``config.char == "none"``;
        features: ``(batch, seq_len, num_features) float32`` 0/1 word features, or ``None``;
        static: ``(batch, seq_len, static_dim) float32`` frozen pretrained word vectors, or ``None``;
        lengths: ``(batch,) int64`` real lengths, on the CPU.

    :meth:`forward` returns emissions ``(batch, seq_len, num_tags) float32``; :meth:`loss` the
    mean negative log-likelihood per real token (nats); :meth:`decode` the tags.

    Args:
        config: the architecture (:class:`~textrnn.config.TaggerConfig`), validated here.
    """

    def __init__(self, config: TaggerConfig) -> None:
        super().__init__()
        self.config = c = config.validate()
        self.embedding = nn.Embedding(c.vocab_size, c.embedding_dim, padding_idx=0)
        self.chars = None
        if c.char == "cnn":
            self.chars = CharCNN(c.char_vocab_size, c.char_embedding_dim, c.char_hidden, c.char_kernel)
        elif c.char == "lstm":
            self.chars = CharLSTM(c.char_vocab_size, c.char_embedding_dim, c.char_hidden)
        width = c.embedding_dim + (self.chars.features if self.chars is not None else 0) + c.num_features + c.static_dim
        self.embedding_dropout = nn.Dropout(c.embedding_dropout)
        self.encoder = RecurrentEncoder(width, c.hidden_size, c.num_layers, c.cell, True, c.dropout)
        self.output_dropout = nn.Dropout(c.dropout)
        self.output = nn.Linear(c.features, c.num_tags)
        self.crf = CRF(c.num_tags) if c.crf else None

    def forward(self, words: torch.Tensor, chars: torch.Tensor | None, features: torch.Tensor | None,
                static: torch.Tensor | None, lengths: torch.Tensor) -> torch.Tensor:
        if self.training and self.config.word_dropout:
            drop = torch.rand(words.shape, device=words.device) < self.config.word_dropout
            words = words.masked_fill(drop & (words != 0), 1)
        parts = [self.embedding(words)]
        if self.chars is not None:
            parts.append(self.chars(chars))
        if self.config.num_features:
            parts.append(features)
        if self.config.static_dim:
            parts.append(static)
        x = self.embedding_dropout(torch.cat(parts, dim=2))
        states = self.encoder(x, lengths).states  # (B, T, 2H), zeros at padding
        return self.output(self.output_dropout(states))

    def loss(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood per real token: CRF (whole-path) or per-token cross-entropy.

        Args:
            tags: ``(batch, seq_len) int64`` gold tag ids; mask: ``(batch, seq_len) bool`` real tokens.
        """
        if self.crf is not None:
            return -self.crf.log_likelihood(emissions, tags, mask).sum() / mask.sum()
        return F.cross_entropy(emissions[mask], tags[mask])

    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(batch, seq_len) int64`` best tags (Viterbi with a CRF, else per-token argmax); 0 at padding."""
        if self.crf is not None:
            return self.crf.decode(emissions, mask)[0]
        return emissions.argmax(2).masked_fill(~mask, 0)

    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(batch, seq_len, num_tags) float32`` probability of each tag at each token: the CRF's
        marginals (the gradient of the log-partition with respect to the emissions, which the
        forward-backward algorithm computes), or the softmax."""
        if self.crf is None:
            return torch.softmax(emissions.float(), dim=2) * mask.unsqueeze(2)
        return self.crf.marginals(emissions, mask)


def constrain(model: SequenceTaggerNet, tags: list[str]) -> None:
    """Forbid the CRF transitions the model's entity scheme does not allow (nothing without a CRF or a scheme)."""
    if model.crf is not None and model.config.scheme:
        from textrnn.tasks.schemes import allowed_transitions

        model.crf.constrain(*allowed_transitions(tags, model.config.scheme))
