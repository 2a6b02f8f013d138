"""Bag of words and TF-IDF over :class:`~textrnn.text.Preprocessor` tokens.

Two things live here:

* :class:`TextVectorizer` — binary / count bag of words and TF-IDF with word n-grams,
  character n-grams inside word boundaries (scikit-learn's ``char_wb``) or their union,
  built on scikit-learn's ``CountVectorizer`` / ``TfidfVectorizer``. It is fitted on token
  lists (the output of ``Preprocessor.transform``), and it can be written to JSON
  (vocabulary and idf) and rebuilt from it without refitting (:meth:`TextVectorizer.to_dict`,
  :meth:`TextVectorizer.from_dict`).
* :func:`textbook_tfidf` — TF-IDF exactly as the lecture (and Manning, Raghavan & Schütze,
  *Introduction to Information Retrieval*, 2008, ch. 6.2) writes it, for the worked examples.

Sources: scikit-learn user guide, "Text feature extraction"
(https://scikit-learn.org/stable/modules/feature_extraction.html#text-feature-extraction).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from textrnn.checks import check_df_counts, parse_range
from textrnn.errors import TextrnnError

KINDS = ("binary", "count", "tfidf")
ANALYZERS = ("word", "char_wb", "word+char")
#: JSON format of :meth:`TextVectorizer.to_dict`.
VECTORIZER_FORMAT = 1


class WordNgrams:
    """Word n-gram analyzer over a token list: ``["не", "люблю", "зиму"]`` with ``(1, 2)``
    -> ``["не", "люблю", "зиму", "не люблю", "люблю зиму"]`` (n-grams joined by one space).

    scikit-learn ignores ``ngram_range`` when ``analyzer`` is a callable, so the n-grams
    are made here. A plain class (not a lambda) so its configuration can be stored as JSON.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 1)) -> None:
        self.ngram_range = parse_range(ngram_range)

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        lo, hi = self.ngram_range
        tokens = list(tokens)
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    def __repr__(self) -> str:
        return f"WordNgrams({self.ngram_range})"


def _check_df(min_df: Any, max_df: Any, max_features: Any) -> None:
    if isinstance(min_df, bool) or not (
        (isinstance(min_df, int) and min_df >= 1) or (isinstance(min_df, float) and 0.0 <= min_df <= 1.0)
    ):
        raise TextrnnError(f"min_df={min_df!r} is invalid; expected an integer >= 1 (documents) or a fraction in [0, 1]")
    if isinstance(max_df, bool) or not (
        (isinstance(max_df, int) and max_df >= 1) or (isinstance(max_df, float) and 0.0 < max_df <= 1.0)
    ):
        raise TextrnnError(f"max_df={max_df!r} is invalid; expected an integer >= 1 (documents) or a fraction in (0, 1]")
    if max_features is not None and (isinstance(max_features, bool) or not isinstance(max_features, int) or max_features < 1):
        raise TextrnnError(f"max_features={max_features!r} is invalid; expected a positive integer or none")


class TextVectorizer:
    """Bag-of-words / TF-IDF vectoriser over token lists (scikit-learn underneath).

    Args:
        kind: ``"binary"`` (1 if the term occurs), ``"count"`` (occurrences) or ``"tfidf"``
            (scikit-learn's TF-IDF: smoothed natural-log idf, l2-normalised rows).
        analyzer: ``"word"`` (word n-grams of the tokens), ``"char_wb"`` (character n-grams
            inside word boundaries of the tokens joined by spaces, i.e. the cleaned text) or
            ``"word+char"`` (both, columns side by side: word terms first).
        word_ngram_range: ``(min_n, max_n)`` of word n-grams.
        char_ngram_range: ``(min_n, max_n)`` of character n-grams.
        min_df: ignore terms in fewer documents than this (int) or fraction of documents (float).
        max_df: ignore terms in more documents than this (int) or fraction (float).
        max_features: keep only the most frequent terms (for ``word+char`` this applies to
            each part separately).
        sublinear_tf: tf -> 1 + ln(tf) (``tfidf`` only).

    After :meth:`fit`: ``n_features_``, :meth:`terms` and, for TF-IDF, ``idf_``
    (``(n_terms,) float64``). Character terms are reported with a ``"c:"`` prefix by
    :meth:`terms` when ``analyzer="word+char"``, so the two parts never collide.

    Raises:
        TextrnnError: an unknown kind or analyzer, or an invalid range / threshold.
    """

    def __init__(
        self,
        kind: str = "tfidf",
        analyzer: str = "word",
        word_ngram_range: tuple[int, int] | str = (1, 1),
        char_ngram_range: tuple[int, int] | str = (2, 5),
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = False,
    ) -> None:
        if kind not in KINDS:
            raise TextrnnError(f"vectorizer kind {kind!r} is unknown; expected one of {', '.join(KINDS)}")
        if analyzer not in ANALYZERS:
            raise TextrnnError(f"analyzer {analyzer!r} is unknown; expected one of {', '.join(ANALYZERS)}")
        _check_df(min_df, max_df, max_features)
        self.kind = kind
        self.analyzer = analyzer
        self.word_ngram_range = parse_range(word_ngram_range, "word n-gram range")
        self.char_ngram_range = parse_range(char_ngram_range, "char n-gram range")
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = bool(sublinear_tf)
        self.parts_: list[tuple[str, Any]] = []

    # -- configuration ------------------------------------------------------------------

    def params(self) -> dict:
        """The constructor arguments as JSON-ready values."""
        return {
            "kind": self.kind,
            "analyzer": self.analyzer,
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_features": self.max_features,
            "sublinear_tf": self.sublinear_tf,
        }

    def _part_names(self) -> list[str]:
        return ["word", "char_wb"] if self.analyzer == "word+char" else [self.analyzer]

    def _make(self, part: str, vocabulary: dict | None = None):
        common: dict[str, Any] = {"lowercase": False, "dtype": np.float64, "vocabulary": vocabulary}
        if vocabulary is None:
            common.update(min_df=self.min_df, max_df=self.max_df, max_features=self.max_features)
        if part == "word":
            common["analyzer"] = WordNgrams(self.word_ngram_range)
        else:
            common.update(analyzer="char_wb", ngram_range=self.char_ngram_range)
        if self.kind == "tfidf":
            return TfidfVectorizer(sublinear_tf=self.sublinear_tf, **common)
        return CountVectorizer(binary=self.kind == "binary", **common)

    @staticmethod
    def _inputs(part: str, token_lists: Sequence[Sequence[str]]) -> list:
        if part == "word":
            return [list(t) for t in token_lists]
        return [" ".join(t) for t in token_lists]

    @staticmethod
    def _check_tokens(token_lists: Any) -> list:
        if isinstance(token_lists, (str, bytes)) or any(isinstance(t, str) for t in token_lists[:1]):
            raise TextrnnError("the vectorizer expects token lists (Preprocessor.transform output), got raw strings")
        return token_lists

    # -- fitting ------------------------------------------------------------------------

    def fit_transform(self, token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Learn the vocabulary (and idf) from token lists and return their matrix.

        Returns:
            ``(n_docs, n_terms) float64 scipy.sparse.csr_matrix``.

        Raises:
            TextrnnError: raw strings instead of token lists, or no term survives
                (empty documents, too strict ``min_df`` / ``max_df``).
        """
        token_lists = self._check_tokens(list(token_lists))
        check_df_counts(self.min_df, self.max_df, len(token_lists))
        parts, mats = [], []
        for part in self._part_names():
            vec = self._make(part)
            try:
                mats.append(vec.fit_transform(self._inputs(part, token_lists)))
            except ValueError as e:  # "empty vocabulary", "max_df corresponds to < documents than min_df"
                raise TextrnnError(f"cannot build the {part} vocabulary: {str(e).splitlines()[0]}") from None
            parts.append((part, vec))
        self.parts_ = parts
        return self._stack(mats)

    def fit(self, token_lists: Sequence[Sequence[str]]) -> "TextVectorizer":
        self.fit_transform(token_lists)
        return self

    def transform(self, token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Token lists -> ``(n_docs, n_terms) float64 scipy.sparse.csr_matrix`` with the fitted vocabulary.

        Raises:
            TextrnnError: not fitted, or raw strings instead of token lists.
        """
        if not self.parts_:
            raise TextrnnError("the vectorizer is not fitted; call fit() first")
        token_lists = self._check_tokens(list(token_lists))
        return self._stack([vec.transform(self._inputs(part, token_lists)) for part, vec in self.parts_])

    @staticmethod
    def _stack(mats: list) -> sp.csr_matrix:
        X = mats[0] if len(mats) == 1 else sp.hstack(mats, format="csr")
        return sp.csr_matrix(X, dtype=np.float64)

    # -- inspection ---------------------------------------------------------------------

    @property
    def n_features_(self) -> int:
        return sum(len(vec.vocabulary_) for _, vec in self.parts_)

    def terms(self) -> list[str]:
        """The column names, in column order (``"c:"`` prefix on character n-grams of ``word+char``)."""
        out: list[str] = []
        for part, vec in self.parts_:
            prefix = "c:" if self.analyzer == "word+char" and part == "char_wb" else ""
            out.extend(prefix + t for t in vec.get_feature_names_out())
        return out

    @property
    def idf_(self) -> np.ndarray:
        """``(n_terms,) float64`` idf of every column (TF-IDF only)."""
        if self.kind != "tfidf":
            raise TextrnnError(f"a {self.kind!r} vectorizer has no idf; use kind='tfidf'")
        return np.concatenate([vec.idf_ for _, vec in self.parts_])

    # -- persistence --------------------------------------------------------------------

    def to_dict(self) -> dict:
        """JSON-ready state: parameters plus, per part, the terms in column order and the idf."""
        if not self.parts_:
            raise TextrnnError("the vectorizer is not fitted; nothing to save")
        parts = []
        for part, vec in self.parts_:
            entry: dict[str, Any] = {"analyzer": part, "terms": [str(t) for t in vec.get_feature_names_out()]}
            if self.kind == "tfidf":
                entry["idf"] = [float(x) for x in vec.idf_]
            parts.append(entry)
        return {"type": "TextVectorizer", "format": VECTORIZER_FORMAT, "params": self.params(), "parts": parts}

    @classmethod
    def from_dict(cls, data: dict) -> "TextVectorizer":
        """Rebuild a fitted vectoriser from :meth:`to_dict` output, without refitting:
        each scikit-learn vectoriser gets a fixed ``vocabulary`` and its stored ``idf_``.

        Raises:
            TextrnnError: the data is not a vectoriser state, or parts / idf lengths disagree.
        """
        if not isinstance(data, dict) or data.get("type") != "TextVectorizer" or "parts" not in data:
            raise TextrnnError("the vectorizer file is not a textrnn TextVectorizer state")
        if not isinstance(data.get("format", 0), int) or data.get("format", 0) > VECTORIZER_FORMAT:
            raise TextrnnError(f"vectorizer format {data.get('format')!r} is newer than this textrnn reads ({VECTORIZER_FORMAT})")
        try:
            return cls._from_state(data)
        except TextrnnError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            raise TextrnnError(f"the vectorizer file is damaged ({type(e).__name__}: {str(e)[:100]})") from None

    @classmethod
    def _from_state(cls, data: dict) -> "TextVectorizer":
        p = dict(data["params"])
        self = cls(
            kind=p["kind"], analyzer=p["analyzer"], word_ngram_range=tuple(p["word_ngram_range"]),
            char_ngram_range=tuple(p["char_ngram_range"]), min_df=p["min_df"], max_df=p["max_df"],
            max_features=p["max_features"], sublinear_tf=p["sublinear_tf"],
        )
        names = self._part_names()
        if [e.get("analyzer") for e in data["parts"]] != names:
            raise TextrnnError(f"the vectorizer state has parts {[e.get('analyzer') for e in data['parts']]}, expected {names}")
        parts = []
        for entry in data["parts"]:
            terms = entry["terms"]
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise TextrnnError(f"the {entry['analyzer']} vocabulary must be a list of strings")
            vocabulary = {t: i for i, t in enumerate(terms)}
            if len(vocabulary) != len(terms) or not vocabulary:
                raise TextrnnError(f"the {entry['analyzer']} vocabulary is empty or has repeated terms")
            vec = self._make(entry["analyzer"], vocabulary=vocabulary)
            if self.kind == "tfidf":
                idf = np.asarray(entry.get("idf", []), dtype=np.float64)
                if idf.shape != (len(vocabulary),):
                    raise TextrnnError(f"the {entry['analyzer']} idf has {idf.size} values for {len(vocabulary)} terms")
                vec.idf_ = idf
            else:
                vec._validate_vocabulary()
            parts.append((entry["analyzer"], vec))
        self.parts_ = parts
        return self


# --- textbook TF-IDF ------------------------------------------------------------------------


def textbook_tf(n_t: int | float, n_total: int | float) -> float:
    """Term frequency tf(t, d) = n_t / Σ_k n_k: occurrences of t over all tokens of d.

    Raises:
        TextrnnError: ``n_total`` <= 0 or ``n_t`` outside ``[0, n_total]``.
    """
    if n_total <= 0 or not 0 <= n_t <= n_total:
        raise TextrnnError(f"tf needs 0 <= n_t <= n_total and n_total > 0, got n_t={n_t}, n_total={n_total}")
    return n_t / n_total


def textbook_idf(n_docs: int, df: int) -> float:
    """Inverse document frequency idf(t, D) = log10(|D| / |{d ∈ D : t ∈ d}|).

    Raises:
        TextrnnError: ``df`` outside ``[1, n_docs]`` (the formula is undefined for df = 0).
    """
    if not 1 <= df <= n_docs:
        raise TextrnnError(f"idf needs 1 <= df <= n_docs, got df={df}, n_docs={n_docs}")
    return math.log10(n_docs / df)


def textbook_tfidf(
    token_lists: Sequence[Sequence[str]], ngram_range: tuple[int, int] = (1, 1)
) -> tuple[sp.csr_matrix, list[str], np.ndarray]:
    """TF-IDF as in the lecture (Manning, Raghavan & Schütze 2008, §6.2, with relative tf).

    tf-idf(t, d, D) = tf(t, d) · idf(t, D), where

    * tf(t, d) = n_t / Σ_k n_k — occurrences of term t in d over the number of terms of d;
    * idf(t, D) = log10(|D| / |{d ∈ D : t ∈ d}|) — |D| documents, the denominator counts
      documents that contain t (document frequency, not total occurrences).

    Terms are whole tokens (or word n-grams of them joined by a space), never substrings:
    "заяц" does not occur in "зайцы". Differences from scikit-learn's ``TfidfVectorizer``
    (see :class:`TextVectorizer`, kind ``"tfidf"``): scikit-learn uses raw counts as tf (or
    1 + ln(count) with ``sublinear_tf``), a natural-log, smoothed idf
    ln((1 + |D|) / (1 + df)) + 1 (so a term in every document keeps weight > 0, here it gets 0),
    and divides each row by its l2 norm; here rows are not normalised.

    Args:
        token_lists: one list of tokens per document (``Preprocessor.transform`` output).
        ngram_range: word n-grams to count as terms.

    Returns:
        ``(X, terms, idf)``: ``X`` an ``(n_docs, n_terms) float64 scipy.sparse.csr_matrix`` of
        weights, ``terms`` the sorted column names, ``idf`` ``(n_terms,) float64``. An empty
        document gets an empty row.

    Raises:
        TextrnnError: no documents, raw strings instead of token lists, or no terms at all.
    """
    token_lists = list(token_lists)
    if not token_lists:
        raise TextrnnError("textbook tf-idf needs at least one document")
    if isinstance(token_lists[0], str):
        raise TextrnnError("textbook tf-idf expects token lists (Preprocessor.transform output), got raw strings")
    counter = CountVectorizer(analyzer=WordNgrams(ngram_range), lowercase=False, dtype=np.float64)
    try:
        counts = counter.fit_transform(token_lists).tocsr()
    except ValueError:
        raise TextrnnError("textbook tf-idf: the documents contain no terms") from None
    terms = [str(t) for t in counter.get_feature_names_out()]
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log10(n_docs / df)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    tf = sp.diags(np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)) @ counts
    X = sp.csr_matrix(tf @ sp.diags(idf), dtype=np.float64)
    X.eliminate_zeros()
    return X, terms, idf


def top_terms(X: sp.spmatrix, terms: Sequence[str], row: int, n: int) -> list[tuple[str, float]]:
    """The ``n`` highest-weighted ``(term, weight)`` pairs of one row, weight descending,
    ties broken by term; zero weights are left out."""
    r = sp.csr_matrix(X[row])
    pairs = [(terms[j], float(w)) for j, w in zip(r.indices, r.data) if w != 0]
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return pairs[:n]
