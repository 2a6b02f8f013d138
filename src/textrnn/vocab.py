"""One vocabulary class: tokens (words, characters or tags) <-> integer ids, with named special tokens first.

A :class:`Vocab` is its special tokens, in id order, followed by the tokens. Token, character and
tag vocabularies are instances that differ only in their specials and in how tokens are ordered:

* words: ``Vocab.build(token_lists, specials=("<pad>", "<unk>"))`` — by descending frequency;
* characters: ``Vocab.build(texts, specials=CHAR_SPECIALS, order="sorted")`` — by code point, so
  the ids do not depend on the order the text was read in.

Stored as JSON: ``{"specials": [...], "tokens": [...], "counts": [...]}`` (:meth:`to_dict`).
:meth:`from_dict` also reads the two layouts textrnn 0.1 wrote (``{"itos": [...]}`` for words,
``{"specials": [...], "chars": [...]}`` for characters), with the ids they had.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Sequence

import numpy as np

from textrnn.errors import TextrnnError

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
WORD_SPECIALS = (PAD, UNK)
CHAR_SPECIALS = (PAD, UNK, BOS, EOS)
MAX_TOKENS = 10_000_000


class Vocab:
    """Maps tokens to ids and back; a token outside the vocabulary maps to ``<unk>`` (never dropped).

    Args:
        tokens: the tokens, in id order after the specials; distinct strings, none a special.
        specials: special tokens, in id order (ids ``0 .. len(specials) - 1``).
        counts: training-set count of each token (optional; kept in the JSON).

    Raises:
        TextrnnError: a token that is not a string, a duplicate, or a special among the tokens.
    """

    def __init__(self, tokens: Sequence[str], specials: Sequence[str] = WORD_SPECIALS,
                 counts: Sequence[int] | None = None) -> None:
        specials, tokens = list(specials), list(tokens)
        if len(tokens) + len(specials) > MAX_TOKENS:
            raise TextrnnError(f"a vocabulary of {len(tokens) + len(specials):,} entries is more than {MAX_TOKENS:,}")
        self.specials = specials
        self.itos = specials + tokens
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos) or not all(isinstance(t, str) for t in self.itos):
            bad = next((t for t in self.itos if not isinstance(t, str)), None)
            raise TextrnnError(f"vocabulary entry {bad!r} is not a string" if bad is not None
                               else "vocabulary repeats a token or lists a special token among its tokens")
        if counts is not None and len(counts) != len(tokens):
            raise TextrnnError(f"vocabulary has {len(tokens)} tokens but {len(counts)} counts")
        self.counts = [int(c) for c in counts] if counts is not None else None
        self._table: np.ndarray | None = None

    # -- building -------------------------------------------------------------------

    @classmethod
    def build(cls, sequences: Iterable[Iterable[str]], specials: Sequence[str] = WORD_SPECIALS,
              max_size: int | None = None, min_freq: int = 1, order: str = "frequency") -> "Vocab":
        """Count tokens and keep those seen at least ``min_freq`` times.

        Args:
            sequences: token lists (or strings, for characters).
            max_size: the most entries, specials included (``order="frequency"`` keeps the most
                frequent; ties by first occurrence, so the result is deterministic).
            order: ``"frequency"`` (descending) or ``"sorted"`` (by token, e.g. code point).

        Raises:
            TextrnnError: ``max_size`` leaves no room for a token, ``min_freq`` < 1, or nothing is kept.
        """
        if max_size is not None and max_size < len(specials) + 1:
            raise TextrnnError(f"max vocabulary size must be >= {len(specials) + 1} ({len(specials)} special tokens + 1), "
                               f"got {max_size}", param="max_size")
        if min_freq < 1:
            raise TextrnnError(f"min_freq must be >= 1, got {min_freq}", param="min_freq")
        counts: Counter[str] = Counter()
        for seq in sequences:
            counts.update(seq)
        for s in specials:
            counts.pop(s, None)
        kept = [(t, c) for t, c in counts.most_common() if c >= min_freq]  # stable for ties
        if not kept:
            raise TextrnnError(f"the vocabulary is empty: no token occurs min_freq={min_freq} or more times",
                               param="min_freq" if counts else None)
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        if order == "sorted":
            kept.sort()
        elif order != "frequency":
            raise TextrnnError(f"vocabulary order {order!r} is unknown; expected frequency or sorted")
        return cls([t for t, _ in kept], specials, [c for _, c in kept])

    # -- ids --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos and self.specials == other.specials

    def special_id(self, token: str) -> int:
        """The id of a special token.

        Raises:
            TextrnnError: this vocabulary has no such special token.
        """
        if token not in self.specials:
            raise TextrnnError(f"the vocabulary has no {token} token (its specials: {self.specials})")
        return self.specials.index(token)

    pad_id = property(lambda self: self.special_id(PAD), doc="Id of ``<pad>``.")
    unk_id = property(lambda self: self.special_id(UNK), doc="Id of ``<unk>``.")
    bos_id = property(lambda self: self.special_id(BOS), doc="Id of ``<bos>``.")
    eos_id = property(lambda self: self.special_id(EOS), doc="Id of ``<eos>``.")

    @property
    def tokens(self) -> list[str]:
        """The tokens after the specials, in id order."""
        return self.itos[len(self.specials):]

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Tokens -> ids (unknown tokens -> ``<unk>``)."""
        get, unk = self.stoi.get, self.unk_id
        return [get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int], keep_specials: bool = False) -> list[str]:
        """Ids -> tokens; special tokens are dropped unless ``keep_specials``."""
        n = len(self.specials)
        return [self.itos[i] for i in map(int, ids) if keep_specials or i >= n]

    def encode_text(self, text: str) -> np.ndarray:
        """A character vocabulary's ids of every character of ``text``: ``(len(text),) int64``
        (unknown characters -> ``<unk>``), through a dense code point table."""
        if self._table is None:
            chars = [t for t in self.tokens if len(t) == 1]
            table = np.full(max((ord(c) for c in chars), default=0) + 1, self.unk_id, dtype=np.int64)
            for c in chars:
                table[ord(c)] = self.stoi[c]
            self._table = table
        if not text:
            return np.zeros(0, dtype=np.int64)
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        out = np.full(cps.shape, self.unk_id, dtype=np.int64)
        inside = cps < len(self._table)
        out[inside] = self._table[cps[inside]]
        return out

    def decode_text(self, ids: Iterable[int]) -> str:
        """Character ids -> text, special tokens dropped."""
        return "".join(self.decode(ids))

    def encode_batch(self, token_lists: Sequence[Sequence[str]], max_len: int):
        """Encode, truncate and right-pad texts into one tensor.

        Each text keeps its first ``max_len`` tokens. A text with no tokens becomes the single
        token ``<unk>`` (length 1): a recurrent net needs at least one step.

        Returns:
            ``ids`` ``(n_texts, longest) int64`` padded with ``<pad>``, and ``lengths``
            ``(n_texts,) int64`` (all >= 1).
        """
        import torch

        if max_len < 1:
            raise TextrnnError(f"max_len must be >= 1, got {max_len}", param="max_len")
        unk = self.unk_id
        encoded = [self.encode(tokens[:max_len]) or [unk] for tokens in token_lists]
        lengths = torch.tensor([len(e) for e in encoded], dtype=torch.int64)
        longest = int(lengths.max()) if encoded else 1
        ids = torch.full((len(encoded), longest), self.pad_id, dtype=torch.int64)
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

    def unknown(self, tokens: Iterable[str]) -> Counter:
        """Tokens (or characters of a string) not in the vocabulary, with their counts."""
        return Counter(t for t in tokens if t not in self.stoi)

    # -- JSON -------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """``{"specials": [...], "tokens": [...], "counts": [...] | null}``."""
        return {"specials": self.specials, "tokens": self.tokens, "counts": self.counts}

    @classmethod
    def from_dict(cls, data: Any, expected_specials: Sequence[str] | None = None) -> "Vocab":
        """Inverse of :meth:`to_dict`; also reads textrnn 0.1's word (``itos``) and character
        (``chars``) layouts with their ids.

        Args:
            expected_specials: when given, the special tokens must be exactly these.

        Raises:
            TextrnnError: not one of these layouts, or entries of the wrong type.
        """
        if not isinstance(data, dict):
            raise TextrnnError("vocab.json must hold a JSON object")
        if "itos" in data:  # 0.1 words: <pad>, <unk>, tokens
            itos = data["itos"]
            if not isinstance(itos, list) or itos[:2] != list(WORD_SPECIALS):
                raise TextrnnError(f"vocab.json 'itos' must be a list starting with {list(WORD_SPECIALS)}")
            specials, tokens, counts = list(WORD_SPECIALS), itos[2:], None
        elif "chars" in data:  # 0.1 characters: <unk>, <bos>, <eos>, characters
            specials, tokens, counts = data.get("specials"), data["chars"], data.get("counts") or None
            if specials != [UNK, BOS, EOS] or not isinstance(tokens, list):
                raise TextrnnError("vocab.json is not a textrnn character vocabulary")
            if not all(isinstance(c, str) and len(c) == 1 for c in tokens):
                raise TextrnnError("vocab.json lists a character entry that is not a single character")
        else:
            specials, tokens, counts = data.get("specials"), data.get("tokens"), data.get("counts")
            if not isinstance(specials, list) or not isinstance(tokens, list):
                raise TextrnnError("vocab.json must hold 'specials' and 'tokens' lists")
        if counts is not None and (not isinstance(counts, list) or len(counts) != len(tokens) or not all(
                isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 2**63 for c in counts)):
            raise TextrnnError("vocab.json 'counts' must be one non-negative integer per token")
        if expected_specials is not None and list(specials) != list(expected_specials) and "chars" not in data:
            raise TextrnnError(f"vocab.json has special tokens {specials}, expected {list(expected_specials)}")
        return cls(tokens, specials, counts)
