"""The most-frequent-tag baseline: each word gets the tag it had most often in training.

The classic floor of tagging (Manning & Schütze 1999, ch. 10; about 0.83 UPOS on UD Taiga): a
word form seen in training takes its most frequent tag, else its lowercased form's, else the tag
most frequent among training words seen once (hapaxes resemble unknown words best). No model, no
context; in-memory only (``fit`` / ``predict`` / ``evaluate``), for ``textrnn tag compare``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

from textrnn.errors import TextrnnError
from textrnn.tasks.tag import tagging_metrics


class MostFrequentTagger:
    """Tag = the word's most frequent training tag (ties: the tag seen first).

    Args:
        scheme: the entity scheme of the tags (``"bio"``/``"bioes"``) for :meth:`evaluate`, or ``None``.
    """

    def __init__(self, scheme: str | None = None) -> None:
        self.scheme = scheme
        self.exact: dict[str, str] = {}
        self.lower: dict[str, str] = {}
        self.unknown: str | None = None

    def fit(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> "MostFrequentTagger":
        """Count tags per word form.

        Raises:
            TextrnnError: no sentences, or a sentence whose tags differ in number from its tokens.
        """
        if not sentences or len(sentences) != len(tags):
            raise TextrnnError(f"{len(sentences)} sentences but {len(tags)} tag lists; expected as many, at least one")
        exact: dict[str, Counter] = defaultdict(Counter)
        lower: dict[str, Counter] = defaultdict(Counter)
        for i, (tokens, row) in enumerate(zip(sentences, tags), 1):
            if len(tokens) != len(row):
                raise TextrnnError(f"sentence {i} has {len(tokens)} tokens but {len(row)} tags")
            for token, tag in zip(tokens, row):
                exact[token][tag] += 1
                lower[token.lower()][tag] += 1
        self.exact = {w: c.most_common(1)[0][0] for w, c in exact.items()}
        self.lower = {w: c.most_common(1)[0][0] for w, c in lower.items()}
        hapax = Counter(next(iter(c)) for c in exact.values() if sum(c.values()) == 1)
        overall = Counter(tag for c in exact.values() for tag in c.elements())
        self.unknown = (hapax or overall).most_common(1)[0][0]
        return self

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """One tag per token."""
        if self.unknown is None:
            raise TextrnnError("the tagger is not trained; call fit() first")
        return [[self.exact.get(t) or self.lower.get(t.lower()) or self.unknown for t in s] for s in sentences]

    def evaluate(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> dict:
        """See :func:`textrnn.tasks.tag.tagging_metrics`."""
        return tagging_metrics(tags, self.predict(sentences), self.scheme, sorted(set(self.exact.values())))
