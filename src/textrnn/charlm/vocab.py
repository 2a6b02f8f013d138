"""Character vocabulary with ``<unk>``, ``<bos>``, ``<eos>``, stored as JSON.

Ids 0, 1, 2 are the special symbols ``<unk>``, ``<bos>``, ``<eos>``; the characters
of the training text follow, sorted by code point so that the mapping does not depend
on the order in which the text was read.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from textrnn.errors import TextrnnError

UNK = "<unk>"
BOS = "<bos>"
EOS = "<eos>"
SPECIALS = (UNK, BOS, EOS)


class CharVocab:
    """Map characters (Unicode code points) to int ids and back.

    Args:
        chars: the distinct characters, in id order (ids start after the specials).
        counts: optional training-text count of each character (used to pick a start
            character for unprimed generation).

    Raises:
        TextrnnError: a "character" that is not exactly one code point, or a duplicate.
    """

    unk_id = 0
    bos_id = 1
    eos_id = 2

    def __init__(self, chars: Sequence[str], counts: dict[str, int] | None = None) -> None:
        chars = list(chars)
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise TextrnnError(f"vocabulary entry {c!r} is not a single character")
        if len(set(chars)) != len(chars):
            raise TextrnnError("vocabulary has duplicate characters")
        self.chars = chars
        self.counts = dict(counts or {})
        self.itos = list(SPECIALS) + chars
        self.stoi = {c: i + len(SPECIALS) for i, c in enumerate(chars)}
        # Dense code point -> id table for fast encoding of large texts.
        max_cp = max((ord(c) for c in chars), default=0)
        self._table = np.full(max_cp + 1, self.unk_id, dtype=np.int64)
        for c, i in self.stoi.items():
            self._table[ord(c)] = i

    @classmethod
    def from_text(cls, texts: str | Iterable[str], min_count: int = 1) -> "CharVocab":
        """Build a vocabulary from the characters of ``texts``.

        Args:
            texts: one string or several.
            min_count: characters seen fewer times map to ``<unk>``.

        Raises:
            TextrnnError: the text is empty, or ``min_count`` < 1.
        """
        if min_count < 1:
            raise TextrnnError(f"min_count must be >= 1, got {min_count}")
        if isinstance(texts, str):
            texts = [texts]
        counts: Counter[str] = Counter()
        for t in texts:
            counts.update(t)
        chars = sorted(c for c, n in counts.items() if n >= min_count)
        if not chars:
            raise TextrnnError("cannot build a character vocabulary from empty text")
        return cls(chars, {c: counts[c] for c in chars})

    def __len__(self) -> int:
        """Vocabulary size: 3 specials + the characters."""
        return len(self.itos)

    def __contains__(self, char: str) -> bool:
        return char in self.stoi

    def encode(self, text: str) -> np.ndarray:
        """Encode ``text`` as a ``(len(text),) int64`` array; unknown characters -> ``<unk>`` (id 0)."""
        if not text:
            return np.zeros(0, dtype=np.int64)
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        out = np.full(cps.shape, self.unk_id, dtype=np.int64)
        inside = cps < len(self._table)
        out[inside] = self._table[cps[inside]]
        return out

    def unknown_chars(self, text: str) -> Counter:
        """Characters of ``text`` not in the vocabulary, with their counts."""
        return Counter(c for c in text if c not in self.stoi)

    def decode(self, ids: Iterable[int], keep_specials: bool = False) -> str:
        """Turn ids back into text. Special symbols are dropped unless ``keep_specials``."""
        out = []
        for i in ids:
            i = int(i)
            if i < len(SPECIALS):
                if keep_specials:
                    out.append(SPECIALS[i])
            else:
                out.append(self.itos[i])
        return "".join(out)

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"specials": [...], "chars": [...], "counts": [...]}``."""
        return {
            "specials": list(SPECIALS),
            "chars": self.chars,
            "counts": [int(self.counts.get(c, 0)) for c in self.chars],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "CharVocab":
        """Inverse of :meth:`to_dict`.

        Raises:
            TextrnnError: the dict is not a character vocabulary of this format.
        """
        if not isinstance(d, dict) or d.get("specials") != list(SPECIALS) or not isinstance(d.get("chars"), list):
            raise TextrnnError("vocab.json is not a textrnn character vocabulary")
        counts = d.get("counts") or []
        return cls(d["chars"], dict(zip(d["chars"], counts)))
