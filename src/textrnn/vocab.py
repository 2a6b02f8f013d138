"""Token vocabulary: ``<pad>`` = 0, ``<unk>`` = 1, then tokens by descending frequency."""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import torch

from textrnn.errors import TextrnnError

PAD = "<pad>"
UNK = "<unk>"
PAD_ID = 0
UNK_ID = 1


class Vocabulary:
    """Maps tokens to integer ids and back.

    Id 0 is ``<pad>`` (padding, never a real token) and id 1 is ``<unk>``: a token
    outside the vocabulary maps to ``<unk>``, it is never dropped, so the number of
    positions in a text does not depend on the vocabulary.

    Args:
        itos: the id -> token list; must start with ``["<pad>", "<unk>"]``.

    Raises:
        TextrnnError: ``itos`` does not start with the special tokens or repeats a token.
    """

    def __init__(self, itos: Sequence[str]) -> None:
        itos = list(itos)
        if itos[:2] != [PAD, UNK]:
            raise TextrnnError(f"vocabulary must start with {[PAD, UNK]}, got {itos[:2]}")
        self.itos = itos
        self.stoi = {t: i for i, t in enumerate(itos)}
        if len(self.stoi) != len(itos):
            raise TextrnnError("vocabulary repeats a token")

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], max_size: int | None = None, min_freq: int = 1
    ) -> "Vocabulary":
        """Count tokens and keep the most frequent ones.

        Args:
            token_lists: tokenised training texts.
            max_size: the most ids in total, special tokens included; ``None`` keeps all.
            min_freq: a token must occur at least this many times to get an id.

        Ties in frequency are broken by first occurrence, so the result is deterministic.

        Raises:
            TextrnnError: ``max_size`` < 3 or ``min_freq`` < 1.
        """
        if max_size is not None and max_size < 3:
            raise TextrnnError(f"max vocabulary size must be >= 3 (2 special tokens + 1), got {max_size}")
        if min_freq < 1:
            raise TextrnnError(f"min_freq must be >= 1, got {min_freq}")
        counts: Counter[str] = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        counts.pop(PAD, None)
        counts.pop(UNK, None)
        kept = [t for t, c in counts.most_common() if c >= min_freq]  # stable for ties
        if max_size is not None:
            kept = kept[: max_size - 2]
        return cls([PAD, UNK, *kept])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token list -> id list (unknown tokens -> ``<unk>`` id 1)."""
        get = self.stoi.get
        return [get(t, UNK_ID) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Id list -> token list (padding ids are skipped)."""
        return [self.itos[i] for i in ids if i != PAD_ID]

    def encode_batch(self, token_lists: Sequence[Sequence[str]], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Encode, truncate and pad texts into one tensor.

        Each text keeps its first ``max_len`` tokens. A text with no tokens becomes the
        single token ``<unk>`` (length 1): a recurrent net needs at least one step,
        and this keeps such texts predictable instead of failing.

        Returns:
            ``ids``: ``(n_texts, longest) int64``, right-padded with 0;
            ``lengths``: ``(n_texts,) int64``, the real (non-padding) lengths, all >= 1.
        """
        if max_len < 1:
            raise TextrnnError(f"max_len must be >= 1, got {max_len}")
        encoded = [self.encode(tokens[:max_len]) or [UNK_ID] for tokens in token_lists]
        lengths = torch.tensor([len(e) for e in encoded], dtype=torch.int64)
        longest = int(lengths.max()) if len(encoded) else 1
        ids = torch.zeros((len(encoded), longest), dtype=torch.int64)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = torch.tensor(e, dtype=torch.int64)
        return ids, lengths

    def coverage(self, token_lists: Iterable[Sequence[str]]) -> float:
        """Share of running tokens (0..1) that have an id other than ``<unk>``."""
        total = known = 0
        for tokens in token_lists:
            total += len(tokens)
            known += sum(1 for t in tokens if t in self.stoi)
        return known / total if total else 0.0

    def to_dict(self) -> dict:
        return {"itos": self.itos}

    @classmethod
    def from_dict(cls, data: dict) -> "Vocabulary":
        if not isinstance(data, dict) or not isinstance(data.get("itos"), list):
            raise TextrnnError("vocab.json must hold an object with an 'itos' list")
        return cls(data["itos"])
