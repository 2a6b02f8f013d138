"""Per-word features for taggers: the word's shape (case, digits, punctuation) and the grammatical
classes a dictionary allows for it (pymorphy3 over the OpenCorpora dictionary).

The dictionary features are the union of the grammemes of all of pymorphy3's analyses of the
word (``стали`` -> VERB and NOUN, past and genitive, ...) plus the part of speech of its most
probable analysis: what a tagger cannot learn from 44 k training tokens, it reads from the
dictionary (the habit of Straka's UDPipe and of many CoNLL taggers, which add lexicon features).
The feature names are stored with a model, so a dictionary of another version maps by name.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Sequence

from textrnn.text.morphology import get_morph

SHAPES = ("lower", "title", "upper", "mixed_case", "has_digit", "all_digits", "punct", "hyphen", "latin", "cyrillic",
          "first_in_sentence")


def morph_feature_names() -> list[str]:
    """``any:<grammeme>`` for every grammeme pymorphy3 knows and ``top:<POS>`` for each part of speech."""
    morph = get_morph()
    grammemes = sorted(morph.TagClass.KNOWN_GRAMMEMES)
    parts = sorted(morph.TagClass.PARTS_OF_SPEECH) + ["LATN", "PNCT", "NUMB", "ROMN", "UNKN"]
    return [f"any:{g}" for g in grammemes] + [f"top:{p}" for p in parts]


def feature_names(morph: bool = True) -> list[str]:
    """The names of :func:`word_features`' columns: ``shape:*`` and, with ``morph``, the dictionary's."""
    return [f"shape:{s}" for s in SHAPES] + (morph_feature_names() if morph else [])


def _shape(word: str) -> list[str]:
    letters = [c for c in word if c.isalpha()]
    out = []
    if letters:
        if all(c.islower() for c in letters):
            out.append("lower")
        elif word[:1].isupper() and all(c.islower() for c in letters[1:]):
            out.append("title")
        elif all(c.isupper() for c in letters):
            out.append("upper" if len(letters) > 1 else "title")
        else:
            out.append("mixed_case")
        if any("a" <= c.lower() <= "z" for c in letters):
            out.append("latin")
        if any("\u0400" <= c <= "\u04ff" for c in letters):
            out.append("cyrillic")
    if any(c.isdigit() for c in word):
        out.append("has_digit")
        if word.isdigit():
            out.append("all_digits")
    if word and all(unicodedata.category(c)[0] in "PS" for c in word):
        out.append("punct")
    if "-" in word.strip("-"):
        out.append("hyphen")
    return out


@lru_cache(maxsize=500_000)
def _morph(word: str) -> tuple[str, ...]:
    parses = get_morph().parse(word)
    names = {f"any:{g}" for p in parses for g in p.tag.grammemes}
    if parses:
        top = parses[0].tag
        other = next((g for g in ("LATN", "PNCT", "NUMB", "ROMN") if g in top.grammemes), "UNKN")
        names.add(f"top:{top.POS or other}")
    return tuple(sorted(names))


class WordFeatures:
    """Column indices of each token's active features, computed once per distinct word form.

    Args:
        names: the feature columns (:func:`feature_names`); names unknown to this dictionary
            version are never active.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.morph = any(n.startswith(("any:", "top:")) for n in self.names)
        self.first = self.index.get("shape:first_in_sentence")
        self._cache: dict[str, tuple[int, ...]] = {}

    def token(self, token: str) -> tuple[int, ...]:
        """The active columns of ``token`` (not counting its position)."""
        found = self._cache.get(token)
        if found is None:
            active = [f"shape:{s}" for s in _shape(token)] + (list(_morph(token)) if self.morph else [])
            found = self._cache[token] = tuple(sorted({self.index[n] for n in active if n in self.index}))
        return found

    def sentence(self, tokens: Sequence[str]) -> list[tuple[int, ...]]:
        """For each token of one sentence, its active columns (the first token also ``first_in_sentence``)."""
        out = [self.token(t) for t in tokens]
        if out and self.first is not None:
            out[0] = out[0] + (self.first,)
        return out

