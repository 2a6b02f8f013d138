"""The token tagger: word embedding + character features + word features -> shared bidirectional
encoder -> per-token emissions -> softmax or a linear-chain CRF."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from textrnn.config import TaggerConfig
from textrnn.nn.crf import CRF
from textrnn.nn.encoder import RecurrentEncoder


class DistinctWords(NamedTuple):
    """Character input as distinct words: ``chars`` ``(n_distinct, width) int64`` (0 = padding)
    and ``inverse`` ``(batch, seq_len) int64``, each token's row in ``chars``. Words repeat
    (prepositions, punctuation: factRuEval's 59 k test tokens are 16 k forms) and most are short,
    so the character encoder runs once per distinct form, over its real width only."""

    chars: torch.Tensor
    inverse: torch.Tensor


def per_distinct_word(chars: torch.Tensor | DistinctWords, encode) -> torch.Tensor:
    """``encode`` run once per distinct word, spread back to ``(batch, seq_len, features)``;
    ``chars``: :class:`DistinctWords`, or ``(batch, seq_len, max_word_len) int64``."""
    if not isinstance(chars, DistinctWords):
        b, t, w = chars.shape
        flat = chars.reshape(b * t, w)
        width = max(1, int((flat != 0).sum(1).max())) if flat.numel() else 1
        distinct, inverse = torch.unique(flat[:, :width], dim=0, return_inverse=True)
        chars = DistinctWords(distinct, inverse.reshape(b, t))
    return encode(chars.chars)[chars.inverse]


class CharCNN(nn.Module):
    """One vector per word from its characters: embeddings -> a 1-d convolution -> max over the
    word's real characters (Ma & Hovy 2016, "End-to-end Sequence Labeling via Bi-directional
    LSTM-CNNs-CRF"). :class:`DistinctWords` or ``(batch, seq_len, max_word_len) int64`` (0 = padding)
    -> ``(batch, seq_len, filters)``."""

    def __init__(self, num_chars: int, dim: int, filters: int, kernel: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_chars, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, filters, kernel, padding=kernel // 2)
        self.features = filters

    def forward(self, chars: torch.Tensor | DistinctWords) -> torch.Tensor:
        return per_distinct_word(chars, self._words)

    def _words(self, words: torch.Tensor) -> torch.Tensor:
        """``(n, w) int64`` distinct words' characters -> ``(n, filters)``."""
        x = self.embedding(words).transpose(1, 2)  # (n, dim, w)
        h = self.conv(x)[:, :, : words.shape[1]]  # an even kernel pads one column more
        return h.masked_fill((words == 0).unsqueeze(1), -1e4).amax(2).clamp_min(-1e3) * (words[:, :1] != 0)


class CharLSTM(nn.Module):
    """One vector per word: a character BiLSTM's final states, forward and backward (Lample et al.
    2016). Only real words run; input as :class:`CharCNN`'s -> ``(batch, seq_len, 2 * hidden)``."""

    def __init__(self, num_chars: int, dim: int, hidden: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_chars, dim, padding_idx=0)
        self.encoder = RecurrentEncoder(dim, hidden, 1, "lstm", bidirectional=True)
        self.features = 2 * hidden

    def forward(self, chars: torch.Tensor | DistinctWords) -> torch.Tensor:
        return per_distinct_word(chars, self._words)

    def _words(self, words: torch.Tensor) -> torch.Tensor:
        lengths = (words != 0).sum(1)
        out = torch.zeros(words.shape[0], self.features, device=words.device)
        real = lengths > 0
        if bool(real.any()):
            out[real] = self.encoder(self.embedding(words[real]), lengths[real].cpu()).last
        return out


class SequenceTaggerNet(nn.Module):
    """Per-token tag scores for sentences.

    Inputs (one batch, sentences right-padded, real tokens first):
        words: ``(batch, seq_len) int64`` word ids (0 = ``<pad>``, 1 = ``<unk>``);
        chars: :class:`DistinctWords` or ``(batch, seq_len, max_word_len) int64`` character ids
            (0 = padding), or ``None`` when ``config.char == "none"``;
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
        self.projection = nn.Linear(width, c.projection, bias=False) if c.projection else None
        self.encoder = RecurrentEncoder(c.projection or width, c.hidden_size, c.num_layers, c.cell, True, c.dropout)
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
        if self.projection is not None:
            x = self.projection(x)
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
