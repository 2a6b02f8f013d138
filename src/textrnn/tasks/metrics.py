"""Evaluation metrics by scikit-learn, torch-free (the TF-IDF baseline uses them without loading torch)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support


#: a full confusion matrix is stored up to this many classes (its size grows with their square:
#: 10,000 classes made a 1.1 GB metrics.json); beyond it, the most frequent confusions
MAX_MATRIX_LABELS = 100
TOP_CONFUSIONS = 100


def top_confusions(y_true: np.ndarray, y_pred: np.ndarray, label_names: Sequence[str], k: int = TOP_CONFUSIONS) -> list[dict]:
    """The ``k`` most frequent (true, predicted) pairs with true != predicted, counted sparsely:
    ``[{"true": label, "predicted": label, "count": n}, ...]``, most frequent first (ties by label order)."""
    pairs = Counter((int(t), int(q)) for t, q in zip(y_true, y_pred) if t != q)
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [{"true": label_names[t], "predicted": label_names[q], "count": c} for (t, q), c in ranked]


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, label_names: Sequence[str]) -> dict:
    """Accuracy, macro-F1, per-class precision / recall / F1 / support and the confusion matrix
    (rows true labels, columns predicted, in ``label_names`` order), by scikit-learn. Over
    :data:`MAX_MATRIX_LABELS` classes the matrix is ``None`` and ``top_confusions``
    (:func:`top_confusions`) lists the most frequent errors instead: memory and file size stay
    linear in the number of classes.

    Args:
        y_true, y_pred: ``(n,) int`` class indices into ``label_names``.
    """
    labels = list(range(len(label_names)))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    small = len(labels) <= MAX_MATRIX_LABELS
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": {name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                      for i, name in enumerate(label_names)},
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist() if small else None,
        **({} if small else {"top_confusions": top_confusions(y_true, y_pred, label_names)}),
    }
