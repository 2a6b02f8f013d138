"""Steps 13–14 of the pipeline, on one text's tokens: negation joining and stop-word removal."""

from __future__ import annotations

from textrnn.text.patterns import BOUNDARY_TOKEN, LETTER_RE
from textrnn.text.stopwords import NEGATION_JOIN, default_stopwords, kept_words, negation_words


class TokenSteps:
    """The token-level steps of :class:`~textrnn.text.pipeline.Preprocessor` (a base class of it).

    The methods read the pipeline's options (``self.negation``, ``self.stopwords``, …) and its
    ``_normalize`` / ``_split_tokens``, so a stop word or negation is normalised like the corpus;
    the sets are built once per pipeline (``_stopset`` / ``_neg_join``, reset with the options).
    """

    def _stop_set(self) -> frozenset[str]:
        if self._stopset is None:
            own_list = self.stopword_list is not None
            out: set[str] = set()
            for w in self.stopword_list if own_list else default_stopwords(self.lang):
                out.update(self._normalize_word_list(w))
            if not own_list and self.keep_sentiment_words:  # else the list erases intensifiers, evaluative words
                for w in kept_words(self.lang):
                    out.difference_update(self._normalize_word_list(w))
            for w in self.extra_stopwords:
                out.update(self._normalize_word_list(w))
            if self.keep_negations:
                for w in negation_words(self.lang, curated=self.keep_sentiment_words):
                    out.difference_update(self._normalize_word_list(w))
            self._stopset = frozenset(out)
        return self._stopset

    def _normalize_word_list(self, word: str) -> set[str]:
        """A user-given word (stop word, negation) normalised like the corpus: its raw form too."""
        w = word.lower() if self.lowercase else word
        if self.replace_yo:
            w = w.replace("ё", "е").replace("Ё", "Е")
        out = {w}
        for t in self._split_tokens(w):
            n = self._normalize(t)
            if n:
                out.add(n)
        return out

    def _neg_set(self) -> frozenset[str]:
        if self._neg_join is None:
            out = set()
            for w in NEGATION_JOIN[self.lang]:
                out.update(self._normalize_word_list(w))
            self._neg_join = frozenset(out)
        return self._neg_join

    def _finish(self, toks: list[str]) -> list[str]:
        """Steps 13–14 on one text's normalised tokens."""
        if self.negation and toks:
            neg = self._neg_set()
            out: list[str] = []
            i, n = 0, len(toks)
            while i < n:
                t = toks[i]
                if t in neg and i + 1 < n:
                    nxt = toks[i + 1]
                    if nxt not in neg and LETTER_RE.search(nxt) and not nxt.startswith("<"):
                        out.append(t + "_" + nxt)
                        i += 2
                        continue
                out.append(t)
                i += 1
            # The clause marks (no letter: never joined) go once negation has seen them.
            toks = [t for t in out if t != BOUNDARY_TOKEN] if self._boundaries else out
        if self.stopwords and toks:
            stop = self._stop_set()
            toks = [t for t in toks if t not in stop]
        return toks
