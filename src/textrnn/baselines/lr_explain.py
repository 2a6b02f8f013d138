"""What a TF-IDF + logistic regression model weighs: its features' coefficients per class, and
one text's features with their contributions (coefficient × tf-idf value) to the predicted class.

The model scores class ``k`` as ``intercept[k] + Σ_j w_k[j] · x[j]`` over the text's tf-idf
values ``x``; each term of the sum is a feature's contribution. With two labels scikit-learn
keeps one coefficient row ``w`` (toward the second label): here the second label's weights are
``+w`` and the first label's ``−w``, so for either label a positive weight pushes toward it and
the contributions plus the intercept are the predicted label's log-odds.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from textrnn.errors import TextrnnError
from textrnn.inference.explain import Explanation

METHOD = "coefficient_x_tfidf"


def _fitted(clf):
    if getattr(clf, "model_type", None) != "tfidf-lr":
        raise TextrnnError(f"feature weights need a tfidf-lr model, got {getattr(clf, 'model_type', type(clf).__name__)!r}")
    clf._check_fitted()
    return clf


def class_weights(clf) -> tuple[np.ndarray, np.ndarray]:
    """``(n_labels, n_terms)`` coefficients and ``(n_labels,)`` intercepts, one row per label in
    ``clf.labels_`` order (two labels: ``−w`` and ``+w``; see the module docstring)."""
    coef, intercept = clf.model_.coef_, clf.model_.intercept_
    if coef.shape[0] == 1:
        return np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    return coef, intercept


def top_weights(clf, n: int = 10) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """Per label, its ``n`` highest-weighted features (``highest``, weight descending: they push
    toward the label) and its ``n`` lowest (``lowest``, weight ascending: they push away from it),
    as ``(term, weight)`` pairs; ties are broken by term.

    Raises:
        TextrnnError: not a fitted tfidf-lr model, or ``n`` < 1.
    """
    _fitted(clf)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise TextrnnError(f"top={n!r} is invalid; expected a positive integer", param="top")
    terms = clf.vectorizer_.terms()
    names = np.array(terms)
    weights, _ = class_weights(clf)
    out = {}
    for name, w in zip(clf.labels_, weights):
        high, low = np.lexsort((names, -w))[:n], np.lexsort((names, w))[:n]  # the last key sorts first
        out[name] = {"highest": [(terms[j], float(w[j])) for j in high],
                     "lowest": [(terms[j], float(w[j])) for j in low]}
    return out


def contributions(clf, text: str) -> dict:
    """The features of ``text`` and what each adds to the predicted label's score.

    Returns:
        ``label`` (predicted), ``probabilities`` (label -> float), ``intercept`` (the predicted
        label's), ``score`` (intercept + the contributions: the predicted label's logit; with two
        labels its log-odds) and ``features``: dicts ``term``, ``tfidf``, ``weight`` and
        ``contribution`` (= weight × tfidf), largest ``|contribution|`` first.

    Raises:
        TextrnnError: not a fitted tfidf-lr model, an empty text, or a text with none of the
            model's features.
    """
    _fitted(clf)
    if not text.strip():
        raise TextrnnError("the text to explain is empty")
    x = sp.csr_matrix(clf.vectorizer_.transform(clf.tokenize([text])))
    probs = clf.model_.predict_proba(x)[0]
    k = int(probs.argmax())
    weights, intercept = class_weights(clf)
    terms = clf.vectorizer_.terms()
    features = [{"term": terms[j], "tfidf": float(v), "weight": float(weights[k, j]),
                 "contribution": float(weights[k, j] * v)} for j, v in zip(x.indices, x.data) if v != 0]
    if not features:
        raise TextrnnError("the text has none of the model's features (every word is outside its vocabulary)")
    features.sort(key=lambda f: (-abs(f["contribution"]), f["term"]))
    return {"label": clf.labels_[k], "probabilities": {n: float(p) for n, p in zip(clf.labels_, probs)},
            "intercept": float(intercept[k]), "score": float(intercept[k] + sum(f["contribution"] for f in features)),
            "features": features}


def as_explanation(text: str, c: dict) -> Explanation:
    """:func:`contributions` ``c`` of ``text`` as an :class:`~textrnn.inference.explain.Explanation`
    (one "token" per feature, its contribution the score), for the HTML page and the bar chart."""
    return Explanation(text, [f["term"] for f in c["features"]], [f["contribution"] for f in c["features"]], METHOD,
                       c["label"], c["probabilities"])
