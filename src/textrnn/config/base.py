"""The shared part of the configuration classes: size bounds, ``to_dict`` / ``from_dict`` / ``validate``, the vocabulary options."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from textrnn.checks import check_fields
from textrnn.errors import TextrnnError

CELLS = ("rnn", "lstm", "gru")
POOLINGS = ("last", "mean", "max", "attention")
SCHEDULES = ("constant", "cosine")
MAX_VOCAB = 10_000_000
# fastText uses 2 M buckets; 10 M x 300-d float32 is already 12 GB of embeddings
MAX_SUBWORD_BUCKETS = 10_000_000
MAX_WIDTH = 8192  # embedding, hidden and attention sizes
MAX_LAYERS = 64


class _Config:
    """``to_dict`` / ``from_dict`` / ``validate`` shared by the configuration dataclasses."""

    _what = "option"
    _rules: dict[str, tuple] = {}

    def validate(self):
        """Check every field's type and range; returns ``self``.

        Raises:
            TextrnnError: the first bad field, named with its value and the expected range.
        """
        check_fields(self, self._rules, self._what)
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any):
        """Rebuild from :meth:`to_dict` output, validated.

        Raises:
            TextrnnError: not an object, an unknown field, or a bad value.
        """
        if not isinstance(data, dict):
            raise TextrnnError(f"{cls._what}s must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TextrnnError(f"unknown {cls._what}(s) {unknown[:10]}; expected some of {sorted(known)}")
        return cls(**data).validate()


@dataclass
class VocabConfig(_Config):
    """How texts become id sequences.

    Attributes:
        max_size: the most vocabulary entries, special tokens included.
        min_freq: a token needs this many occurrences in the training set to get an id.
        max_len: texts are truncated to their first ``max_len`` tokens.
    """

    max_size: int = 30000
    min_freq: int = 1
    max_len: int = 64

    _what = "vocabulary option"
    _rules = {"max_size": ("int", 3, MAX_VOCAB), "min_freq": ("int", 1, 10**9), "max_len": ("int", 1, 100_000)}


# the fields every model built on the shared encoder has
_ENCODER_RULES = {
    "cell": ("choice", CELLS), "vocab_size": ("int", 2, MAX_VOCAB), "embedding_dim": ("int", 1, MAX_WIDTH),
    "hidden_size": ("int", 1, MAX_WIDTH), "num_layers": ("int", 1, MAX_LAYERS), "dropout": ("float", 0.0, 1.0, True),
}
